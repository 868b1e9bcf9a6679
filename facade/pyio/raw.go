package pyio

import (
	"errors"
	"io"
	"sync/atomic"
	"syscall"

	"github.com/csock/csock/py"
)

// ioObject is one of CPython's io classes a File is made of (SocketIO, BufferedReader,
// BufferedWriter, BufferedRWPair, TextIOWrapper), with CPython's semantics method for
// method, including the errors each raises in each state. ErrNone stands for a None
// result. An ioObject does no locking of its own beyond atomic flags: File serialises the
// calls (see File).
type ioObject interface {
	pyType() string // the type name CPython's messages use: "SocketIO", "_io.BufferedReader", ...

	closed() bool
	readable() (bool, error)
	writable() (bool, error)
	seekable() (bool, error)
	fileno() (int, error)
	name() (int, error)
	mode() (string, error)
	isatty() (bool, error)

	read(n int) ([]byte, error)
	read1(n int) ([]byte, error) // ErrNone where Python returns b"" for want of data
	readinto(b []byte, one bool) (int, error)
	peek(n int) ([]byte, error)
	readline(limit int) ([]byte, error)
	next() ([]byte, error) // __next__, with b"" at the end instead of StopIteration
	write(b []byte) (int, error)
	flush() error
	close() error

	// The Go-style reads and writes of File: see File.Read, File.ReadString, File.Write.
	goRead(p []byte) (int, error)
	goReadUntil(delim byte, limit int) ([]byte, error)
	goWrite(p []byte) (int, error)
}

// errNone is ErrNone, under the name the internals use.
var errNone = ErrNone

// socketIO is CPython's socket.SocketIO: the raw file object, one system call per
// operation (recv_into, send).
type socketIO struct {
	sock             Socket
	rawMode          string // "rb", "wb" or "rwb"
	reading, writing bool
	isClosed         atomic.Bool
	timedOut         atomic.Bool // an earlier read timed out: the object refuses to read
}

var _ ioObject = (*socketIO)(nil)

func (r *socketIO) pyType() string { return "SocketIO" }
func (r *socketIO) closed() bool   { return r.isClosed.Load() }

func (r *socketIO) readable() (bool, error) {
	if r.closed() {
		return false, &py.ValueError{Msg: msgClosedSocket}
	}
	return r.reading, nil
}

func (r *socketIO) writable() (bool, error) {
	if r.closed() {
		return false, &py.ValueError{Msg: msgClosedSocket}
	}
	return r.writing, nil
}

func (r *socketIO) seekable() (bool, error) {
	if r.closed() {
		return false, &py.ValueError{Msg: msgClosedSocket}
	}
	return false, nil
}

func (r *socketIO) fileno() (int, error) {
	if r.closed() {
		return 0, closedFile()
	}
	return r.sock.Fileno(), nil
}

func (r *socketIO) name() (int, error) {
	if r.closed() {
		return -1, nil
	}
	return r.sock.Fileno(), nil
}

func (r *socketIO) mode() (string, error) { return r.rawMode, nil }

func (r *socketIO) isatty() (bool, error) {
	if r.closed() {
		return false, closedFile()
	}
	return false, nil
}

// recvInto is SocketIO.readinto: recv_into, with a timeout poisoning the object for good
// (bpo-7322: a buffered reader cannot know how much of its request a timed-out read
// consumed) and EAGAIN meaning None.
func (r *socketIO) recvInto(b []byte) (int, error) {
	if r.closed() {
		return 0, closedFile()
	}
	if !r.reading {
		return 0, &py.UnsupportedOperation{Msg: "File or stream is not readable."}
	}
	if r.timedOut.Load() {
		return 0, py.OSMessage("cannot read from timed out object")
	}
	n, err := r.sock.RecvInto(b)
	switch {
	case err == nil:
		return n, nil
	case isTimeout(err):
		r.timedOut.Store(true)
	case errors.Is(err, syscall.EAGAIN):
		return 0, errNone
	}
	return 0, err
}

// isTimeout reports whether err is what Python's "except TimeoutError" catches: the
// socket's own timeout, or an OSError with errno ETIMEDOUT.
func isTimeout(err error) bool {
	e, ok := py.AsException(err)
	return ok && e.PyClass() == "TimeoutError"
}

func (r *socketIO) readinto(b []byte, one bool) (int, error) {
	if one {
		return 0, noAttr(r.pyType(), "readinto1")
	}
	return r.recvInto(b)
}

// read is RawIOBase.read: readinto on a new buffer of n bytes; readall for n < 0.
func (r *socketIO) read(n int) ([]byte, error) {
	if n < 0 {
		return r.readall()
	}
	b := make([]byte, n)
	k, err := r.recvInto(b)
	if err != nil {
		return nil, err
	}
	return b[:k], nil
}

// readall is RawIOBase.readall: read(8192) until the end of the stream. None with nothing
// read yet is None; None after some data ends it. An error loses what was read.
func (r *socketIO) readall() ([]byte, error) {
	out := []byte{}
	got := false
	for {
		b, err := r.read(defaultBufferSize)
		if err == errNone {
			if !got {
				return nil, errNone
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return out, nil
		}
		out = append(out, b...)
		got = true
	}
}

func (r *socketIO) read1(int) ([]byte, error) { return nil, noAttr(r.pyType(), "read1") }
func (r *socketIO) peek(int) ([]byte, error)  { return nil, noAttr(r.pyType(), "peek") }

func (r *socketIO) readline(limit int) ([]byte, error) { return iobaseReadline(r, limit, false) }
func (r *socketIO) next() ([]byte, error)              { return r.readline(-1) }

// write is SocketIO.write: one send, which may take only part of b; EAGAIN is None.
func (r *socketIO) write(b []byte) (int, error) {
	if r.closed() {
		return 0, closedFile()
	}
	if !r.writing {
		return 0, &py.UnsupportedOperation{Msg: "File or stream is not writable."}
	}
	n, err := r.sock.Send(b)
	if err != nil {
		if errors.Is(err, syscall.EAGAIN) {
			return 0, errNone
		}
		return 0, err
	}
	return n, nil
}

func (r *socketIO) flush() error {
	if r.closed() {
		return closedFile()
	}
	return nil
}

// close is SocketIO.close: the file is closed once, and lets go of the socket, whose
// descriptor closes now if the socket's Close was called already (_decref_socketios).
func (r *socketIO) close() error {
	if !r.isClosed.CompareAndSwap(false, true) {
		return nil
	}
	return r.sock.ReleaseIO()
}

func (r *socketIO) goRead(p []byte) (int, error) {
	n, err := r.recvInto(p)
	if err == nil && n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, err
}

// goReadUntil reads a byte at a time, as CPython's readline of an unbuffered file does
// (a raw file cannot give back what it read too far). It has no length limit.
func (r *socketIO) goReadUntil(delim byte, _ int) ([]byte, error) {
	var out []byte
	var one [1]byte
	for {
		n, err := r.recvInto(one[:])
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, io.EOF
		}
		out = append(out, one[0])
		if one[0] == delim {
			return out, nil
		}
	}
}

// goWrite sends all of p, one write after another.
func (r *socketIO) goWrite(p []byte) (int, error) {
	written := 0
	for {
		n, err := r.write(p[written:])
		written += n
		if err != nil || written >= len(p) {
			return written, err
		}
		if n == 0 {
			return written, io.ErrShortWrite
		}
	}
}

// iobaseReadline is CPython's IOBase.readline, which the classes without a readline of
// their own inherit: it reads with read(1) or, when the object has peek, with reads of as
// much as peek shows up to the first newline. As CPython's, it bounds what one peek
// contributes by limit itself rather than by what is left of it, so a line read in
// several pieces can come out longer than limit. A None from read is an OSError.
func iobaseReadline(o ioObject, limit int, hasPeek bool) ([]byte, error) {
	buf := []byte{}
	for limit < 0 || len(buf) < limit {
		n := 1
		if hasPeek {
			ahead, err := o.peek(1)
			if err != nil {
				return nil, err
			}
			if len(ahead) > 0 {
				k := 0
				for k < len(ahead) && (limit < 0 || k < limit) {
					k++
					if ahead[k-1] == '\n' {
						break
					}
				}
				n = k
			}
		}
		b, err := o.read(n)
		if err == errNone {
			return nil, py.OSMessage("read() should have returned a bytes object, not 'NoneType'")
		}
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			break
		}
		buf = append(buf, b...)
		if buf[len(buf)-1] == '\n' {
			break
		}
	}
	return buf, nil
}
