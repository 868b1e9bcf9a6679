//go:build linux

package facade

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// This file is Lib/socket.py's socket.sendfile: sendfile(2) calls from a regular file,
// each waiting for room in the socket's timeout mode (_sendfile_use_sendfile), and when
// sendfile(2) cannot serve the file, the send() loop (_sendfile_use_send).

// sendfileBlock is the most one sendfile(2) of the sendfile path is asked to send
// (CPython truncates to 1 GiB, bpo-38319); sendBlock the size of the send path's reads.
const (
	sendfileBlock = 1 << 30
	sendBlock     = 8192
)

// giveUp is CPython's _GiveupOnSendfile: sendfile(2) cannot serve this file, use send().
type giveUp struct{ err error }

func (g *giveUp) Error() string { return g.err.Error() }

// SendFile sends the file until its end, or count bytes of it, starting at offset, and
// returns the number of bytes sent: CPython's socket.sendfile(file, offset=0, count=None)
// (Lib/socket.py). The socket must be of a stream type (CPython tests type & SOCK_STREAM,
// so SOCK_SEQPACKET passes too) and not non-blocking ("ValueError: non-blocking sockets are
// not supported"); count is nil (None: to the end of the file) or a positive int
// ("TypeError: count must be a positive integer (got '2')", "ValueError: count must be a
// positive integer (got 0)").
//
// As in CPython, the data go by sendfile(2) from offset, each call waiting for room in the
// socket's timeout mode (a timeout bounds each wait, not the whole call: "TimeoutError:
// timed out"); a file of size 0 (fstat, so also a pipe or a character device) sends
// nothing and returns 0. If the first sendfile(2) fails (EINVAL for a negative offset, a
// socket that sendfile(2) cannot write to, ...), the file is sent with Send from offset
// instead (read 8192 bytes at a time from the file position, after seeking to offset if it
// is not 0), and that path's error is the one returned. Whenever bytes were sent the file
// position is left at offset plus their count, even when an error ends the call; the count
// is also returned with the error (CPython returns nothing then, and the position is how
// its callers learn it).
//
// The file is an *os.File, read through its descriptor as Python's io.FileIO
// (open(path, 'rb', buffering=0)) or a buffered binary file (open(path, 'rb')) is: their
// results are the same. A nil file is "AttributeError: 'NoneType' object has no attribute
// 'read'", a closed one "ValueError: I/O operation on closed file". Python's text files
// (whose ValueError "file should be opened in binary mode" cannot arise here) and objects
// with no descriptor (io.BytesIO) have no counterpart: send their bytes with SendAll, or
// with io.Copy to the NetConn adapter.
//
// Difference: in blocking mode each sendfile(2) is made non-blocking by setting
// O_NONBLOCK around it (sendfile(2) has no MSG_DONTWAIT), so that no thread blocks;
// another process sharing the descriptor may see the flag set during a call.
func (s *Socket) SendFile(file *os.File, offset int64, count any) (int, error) {
	return s.sendFile(context.Background(), file, offset, count)
}

// SendFileContext is SendFile that also returns when ctx ends (while it waits for room),
// with the file position left as SendFile leaves it on an error.
func (s *Socket) SendFileContext(ctx context.Context, file *os.File, offset int64, count any) (int, error) {
	return s.sendFile(ctx, file, offset, count)
}

func (s *Socket) sendFile(ctx context.Context, file *os.File, offset int64, count any) (int, error) {
	n, err := s.sendfileUseSendfile(ctx, file, offset, count)
	var g *giveUp
	if errors.As(err, &g) {
		return s.sendfileUseSend(ctx, file, offset, count)
	}
	return n, err
}

// countTooLarge is the count checkSendfileParams returns for a count beyond int64: the send
// path reads 8192 bytes at a time whatever it is, the sendfile path hands it to
// os.sendfile, whose Py_ssize_t overflows.
const countTooLarge = -1

// checkSendfileParams is CPython's _check_sendfile_params: the socket's type, and count,
// returned as an int64 (0 for None, countTooLarge beyond int64).
func (s *Socket) checkSendfileParams(count any) (int64, error) {
	if s.typ&csock.SOCK_STREAM == 0 {
		return 0, &ValueError{Msg: "only SOCK_STREAM type sockets are supported"}
	}
	if count == nil {
		return 0, nil
	}
	n, ok := py.AsInt(count)
	if !ok {
		return 0, &TypeError{Msg: fmt.Sprintf("count must be a positive integer (got %s)", valueRepr(count))}
	}
	if n.Sign() <= 0 {
		return 0, &ValueError{Msg: fmt.Sprintf("count must be a positive integer (got %s)", valueRepr(count))}
	}
	if !n.IsInt64() {
		return countTooLarge, nil
	}
	return n.Int64(), nil
}

// errFileClosed is the ValueError of io.FileIO's methods on a closed file.
func errFileClosed() error { return &ValueError{Msg: "I/O operation on closed file"} }

// readError converts an error of file.Read into CPython's: reading a file open for
// writing only is io.FileIO's "io.UnsupportedOperation: File not open for reading" (a Go
// *os.File reads straight from its descriptor, as a FileIO does), not the EBADF that
// read(2) gives.
func readError(file *os.File, err error) error {
	if errors.Is(err, syscall.EBADF) {
		writeOnly := false
		if rc, rerr := file.SyscallConn(); rerr == nil { // not file.Fd(), which would make it blocking
			rc.Control(func(fd uintptr) {
				fl, ferr := csock.GetStatusFlags(int(fd))
				writeOnly = ferr == nil && fl&csock.O_ACCMODE == csock.O_WRONLY
			})
		}
		if writeOnly {
			return &UnsupportedOperation{Msg: "File not open for reading"}
		}
	}
	return fileError(err)
}

// fileError converts an error of an *os.File method into CPython's.
func fileError(err error) error {
	if errors.Is(err, os.ErrClosed) {
		return errFileClosed()
	}
	return fromBinding(err)
}

// sendfileUseSendfile is CPython's _sendfile_use_sendfile; a *giveUp error sends the
// caller to sendfileUseSend.
func (s *Socket) sendfileUseSendfile(ctx context.Context, file *os.File, offset int64, count any) (int, error) {
	cnt, err := s.checkSendfileParams(count)
	if err != nil {
		return 0, err
	}
	if file == nil {
		return 0, &giveUp{&AttributeError{Msg: "'NoneType' object has no attribute 'fileno'"}}
	}
	rc, err := file.SyscallConn()
	if err != nil {
		return 0, &giveUp{err}
	}
	total := 0
	var loopErr error
	// The loop runs inside Control, which holds the file's descriptor: a Close of the
	// file meanwhile closes it only once the loop is over.
	ctlErr := rc.Control(func(fd uintptr) {
		total, loopErr = s.sendfileLoop(ctx, file, int(fd), offset, cnt)
	})
	if ctlErr != nil {
		// Control fails only for a closed file (internal/poll's ErrFileClosing, which os
		// does not turn into os.ErrClosed here): CPython's file.fileno() raises.
		return 0, errFileClosed()
	}
	return total, loopErr
}

// sendfileLoop is the body of _sendfile_use_sendfile, once the file's descriptor fd is
// known.
func (s *Socket) sendfileLoop(ctx context.Context, file *os.File, fd int, offset, cnt int64) (total int, err error) {
	fi, err := file.Stat()
	if err != nil {
		return 0, &giveUp{fileError(err)}
	}
	fsize := fi.Size()
	if fsize == 0 {
		return 0, nil // an empty file, or no regular file at all
	}
	blocksize := min(fsize, sendfileBlock)
	t := timeoutNS(s.timeout.Load())
	if t == 0 {
		return 0, &ValueError{Msg: "non-blocking sockets are not supported"}
	}
	if s.ref.closed() {
		// CPython hands fileno() -1 to os.sendfile, whose argument check says so.
		return 0, &ValueError{Msg: "Invalid file descriptor: -1"}
	}
	defer func() {
		if total > 0 {
			if _, serr := file.Seek(offset, io.SeekStart); serr != nil && err == nil {
				err = fileError(serr)
			}
		}
	}()
	for {
		switch {
		case cnt == countTooLarge:
			return total, &OverflowError{Msg: "Python int too large to convert to C ssize_t"}
		case cnt > 0:
			// As CPython: once a count is given, the rest of it, without the 1 GiB cap.
			blocksize = cnt - int64(total)
			if blocksize <= 0 {
				return total, nil
			}
		}
		x := opExt{inFD: fd, off: offset, count: int(blocksize)}
		a := opArgs{kind: opSendFile, x: &x}
		s.doTimeout(ctx, &a, true, t, time.Time{}, nil)
		switch {
		case a.err == errTimedOut, a.err == context.Canceled, a.err == context.DeadlineExceeded:
			// Raised outside CPython's try: no fallback to send().
			return total, ioError("sendfile", a.err)
		case a.err != nil && total == 0:
			return total, &giveUp{fromBinding(a.err)}
		case a.err != nil:
			return total, fromBinding(a.err)
		case a.n == 0:
			return total, nil // the end of the file
		}
		offset += int64(a.n)
		total += a.n
	}
}

// sendfileUseSend is CPython's _sendfile_use_send: the file read from its position (after
// seeking to offset if it is not 0) and sent with send() in the socket's timeout mode.
func (s *Socket) sendfileUseSend(ctx context.Context, file *os.File, offset int64, count any) (total int, err error) {
	cnt, err := s.checkSendfileParams(count)
	if err != nil {
		return 0, err
	}
	if s.timeout.Load() == 0 {
		return 0, &ValueError{Msg: "non-blocking sockets are not supported"}
	}
	if file == nil {
		attr := "read"
		if offset != 0 {
			attr = "seek"
		}
		return 0, &AttributeError{Msg: "'NoneType' object has no attribute '" + attr + "'"}
	}
	if offset != 0 {
		if _, err := file.Seek(offset, io.SeekStart); err != nil {
			return 0, fileError(err)
		}
	}
	blocksize := int64(sendBlock)
	if cnt == countTooLarge {
		cnt = 1<<63 - 1 // as good as no limit for reads of 8192 bytes
	}
	if cnt > 0 {
		blocksize = min(cnt, sendBlock)
	}
	defer func() {
		if total > 0 {
			if _, serr := file.Seek(offset+int64(total), io.SeekStart); serr != nil {
				err = fileError(serr) // Python's finally: its error replaces the outcome
			}
		}
	}()
	buf := make([]byte, blocksize)
	for {
		if cnt > 0 {
			blocksize = min(cnt-int64(total), blocksize)
			if blocksize <= 0 {
				return total, nil
			}
		}
		n, rerr := file.Read(buf[:blocksize])
		if rerr == io.EOF || n == 0 && rerr == nil {
			return total, nil
		}
		if rerr != nil {
			return total, readError(file, rerr)
		}
		for data := buf[:n]; len(data) > 0; {
			sent, err := s.send(ctx, data, 0)
			if err != nil {
				return total, err
			}
			total += sent
			data = data[sent:]
		}
	}
}

// valueRepr is Python's repr of the Python value v stands for (pyValue): a Go slice as a
// list, a map as a dict (keys sorted by their repr: Go maps have no order), a complex
// number as Python writes one.
func valueRepr(v any) string {
	switch c := v.(type) {
	case complex128:
		return complexRepr(c)
	case complex64:
		return complexRepr(complex128(c))
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Map {
		keys := rv.MapKeys()
		items := make([]string, len(keys))
		for i, k := range keys {
			items[i] = valueRepr(k.Interface()) + ": " + valueRepr(rv.MapIndex(k).Interface())
		}
		sort.Strings(items)
		return "{" + strings.Join(items, ", ") + "}"
	}
	if pv, ok := pyValue(v); ok {
		v = pv
	}
	return py.Repr(v)
}

// complexRepr is Python's repr of a complex: "1j", "(1+2j)", "(-0-1j)", "infj".
func complexRepr(c complex128) string {
	part := func(f float64) string { return strings.TrimSuffix(py.Repr(f), ".0") }
	re, im := real(c), imag(c)
	if re == 0 && !math.Signbit(re) {
		return part(im) + "j"
	}
	sign := "+"
	if im < 0 || im == 0 && math.Signbit(im) || math.IsNaN(im) && math.Signbit(im) {
		sign = "-"
		im = -im
	}
	return "(" + part(re) + sign + part(im) + "j)"
}
