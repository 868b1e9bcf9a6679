package pyio

import (
	"bytes"
	"errors"
	"io"
	"sync/atomic"

	"github.com/csock/csock/py"
)

// CPython's buffered binary file objects over a SocketIO: BufferedReader, BufferedWriter
// and BufferedRWPair (one of each over the same SocketIO). Their algorithms follow
// Modules/_io/bufferedio.c of CPython 3.11 closely, because the sizes of the system calls
// they make, and so what a socket read returns when, are part of the behaviour.

// defaultBufferSize is io.DEFAULT_BUFFER_SIZE, the buffer size when buffering is None.
const defaultBufferSize = 8192

// bufferedReader is CPython's io.BufferedReader.
type bufferedReader struct {
	raw  *socketIO
	size int
	buf  []byte
	// The unread bytes are buf[pos:end] when valid; CPython's read_end == -1 is !valid.
	pos, end int
	valid    bool
	// selfClosed: close was called on this object (not only its raw file, as a
	// BufferedRWPair closes it), which drops what the buffer held.
	selfClosed atomic.Bool
}

var _ ioObject = (*bufferedReader)(nil)

func newBufferedReader(raw *socketIO, size int) *bufferedReader {
	return &bufferedReader{raw: raw, size: size, buf: make([]byte, size)}
}

func (r *bufferedReader) pyType() string { return "_io.BufferedReader" }

// readahead is READAHEAD: the bytes buffered and not yet read.
func (r *bufferedReader) readahead() int {
	if !r.valid {
		return 0
	}
	return r.end - r.pos
}

// checkClosed is CHECK_CLOSED: a reader whose raw file is closed still serves what its
// buffer holds, unless it was closed itself.
func (r *bufferedReader) checkClosed(msg string) error {
	if r.raw.closed() && (r.selfClosed.Load() || r.readahead() == 0) {
		return &py.ValueError{Msg: msg}
	}
	return nil
}

func (r *bufferedReader) reset() { r.valid, r.pos, r.end = false, 0, 0 }

// take consumes n buffered bytes (n ≤ readahead).
func (r *bufferedReader) take(n int) []byte {
	b := append([]byte{}, r.buf[r.pos:r.pos+n]...)
	r.pos += n
	return b
}

// fill is _bufferedreader_fill_buffer: one raw read into the free end of the buffer.
func (r *bufferedReader) fill() (int, error) {
	start := 0
	if r.valid {
		start = r.end
	}
	n, err := r.raw.recvInto(r.buf[start:r.size])
	if err != nil || n == 0 {
		return n, err
	}
	r.end, r.valid = start+n, true
	return n, nil
}

func (r *bufferedReader) closed() bool                { return r.raw.closed() }
func (r *bufferedReader) readable() (bool, error)     { return r.raw.readable() }
func (r *bufferedReader) writable() (bool, error)     { return false, nil }
func (r *bufferedReader) seekable() (bool, error)     { return r.raw.seekable() }
func (r *bufferedReader) fileno() (int, error)        { return r.raw.fileno() }
func (r *bufferedReader) name() (int, error)          { return r.raw.name() }
func (r *bufferedReader) mode() (string, error)       { return r.raw.mode() }
func (r *bufferedReader) isatty() (bool, error)       { return r.raw.isatty() }
func (r *bufferedReader) write([]byte) (int, error)   { return 0, &py.UnsupportedOperation{Msg: "write"} }
func (r *bufferedReader) goWrite([]byte) (int, error) { return r.write(nil) }
func (r *bufferedReader) flush() error                { return r.raw.flush() }

func (r *bufferedReader) close() error {
	if r.raw.closed() {
		return nil
	}
	r.selfClosed.Store(true)
	return r.raw.close()
}

// read is BufferedReader.read: n bytes, fewer only at the end of the stream or when a
// non-blocking socket runs dry (None if nothing at all); n == -1 reads to the end.
func (r *bufferedReader) read(n int) ([]byte, error) {
	if n < -1 {
		return nil, &py.ValueError{Msg: "read length must be non-negative or -1"}
	}
	if err := r.checkClosed("read of closed file"); err != nil {
		return nil, err
	}
	if n == -1 {
		return r.readAll()
	}
	if n <= r.readahead() {
		return r.take(n), nil
	}
	return r.readGeneric(n)
}

// readAll is _bufferedreader_read_all: the buffer, then the raw file's readall.
func (r *bufferedReader) readAll() ([]byte, error) {
	cur := r.readahead()
	data := r.take(cur)
	r.reset()
	more, err := r.raw.readall()
	if err == errNone {
		if cur == 0 {
			return nil, errNone
		}
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	return append(data, more...), nil
}

// readGeneric is _bufferedreader_read_generic: the buffer, then whole multiples of the
// buffer size read straight into the result, then the rest through the buffer; it stops
// as soon as n bytes are there, so as not to wait for more (bpo-9550).
func (r *bufferedReader) readGeneric(n int) ([]byte, error) {
	out := make([]byte, n)
	written := copy(out, r.buf[r.pos:r.pos+r.readahead()])
	r.pos += written
	r.reset()
	short := func(err error) ([]byte, error) {
		if err == nil || written > 0 { // the end of the stream, or a non-blocking socket ran dry
			return out[:written], nil
		}
		return nil, errNone
	}
	remaining := n - written
	for remaining > 0 {
		k := remaining / r.size * r.size
		if k == 0 {
			break
		}
		got, err := r.raw.recvInto(out[written : written+k])
		if err != nil && err != errNone {
			return nil, err
		}
		if got == 0 {
			return short(err)
		}
		remaining -= got
		written += got
	}
	r.pos, r.end, r.valid = 0, 0, true
	for remaining > 0 && r.end < r.size {
		got, err := r.fill()
		if err != nil && err != errNone {
			return nil, err
		}
		if got == 0 {
			return short(err)
		}
		got = min(got, remaining)
		copy(out[written:], r.buf[r.pos:r.pos+got])
		r.pos += got
		written += got
		remaining -= got
	}
	return out, nil
}

// read1 is BufferedReader.read1: what the buffer holds, or else one raw read of up to n
// bytes (the buffer size for n < 0). A non-blocking socket with nothing is ErrNone here
// (Python's b"").
func (r *bufferedReader) read1(n int) ([]byte, error) {
	if n < 0 {
		n = r.size
	}
	if err := r.checkClosed("read of closed file"); err != nil {
		return nil, err
	}
	if n == 0 {
		return []byte{}, nil
	}
	if have := r.readahead(); have > 0 {
		return r.take(min(have, n)), nil
	}
	out := make([]byte, n)
	r.reset()
	got, err := r.raw.recvInto(out)
	if err != nil {
		return []byte{}, err
	}
	return out[:got], nil
}

// readinto is _buffered_readinto_generic (one: readinto1, at most one raw read). It
// returns how much it put in b even with an error, for Go's Read; Python sees only the
// error.
func (r *bufferedReader) readinto(b []byte, one bool) (int, error) {
	if err := r.checkClosed("readinto of closed file"); err != nil {
		return 0, err
	}
	written := 0
	if n := r.readahead(); n > 0 {
		if n >= len(b) {
			copy(b, r.buf[r.pos:r.pos+len(b)])
			r.pos += len(b)
			return len(b), nil
		}
		written = copy(b, r.buf[r.pos:r.end])
		r.pos += n
	}
	r.reset()
	for remaining := len(b) - written; remaining > 0; {
		var n int
		var err error
		switch {
		case remaining > r.size:
			n, err = r.raw.recvInto(b[written:])
		case !(one && written > 0):
			n, err = r.fill()
			if err == nil && n > 0 {
				n = min(n, remaining)
				copy(b[written:], r.buf[r.pos:r.pos+n])
				r.pos += n
				written += n
				remaining -= n
				continue
			}
		}
		if n == 0 && (err == nil || (err == errNone && written > 0)) {
			break
		}
		if err != nil {
			return written, err
		}
		written += n
		remaining -= n
		if one {
			break
		}
	}
	return written, nil
}

// peek is BufferedReader.peek: the buffered bytes, or else those of one raw read.
func (r *bufferedReader) peek(int) ([]byte, error) {
	if err := r.checkClosed("peek of closed file"); err != nil {
		return nil, err
	}
	if have := r.readahead(); have > 0 {
		return append([]byte{}, r.buf[r.pos:r.end]...), nil
	}
	r.reset()
	n, err := r.fill()
	if err != nil && err != errNone {
		return nil, err
	}
	return append([]byte{}, r.buf[:n]...), nil
}

// readline is _buffered_readline: up to and including b"\n", at most limit bytes (limit <
// 0: no limit). A non-blocking socket running dry ends the line where it is.
func (r *bufferedReader) readline(limit int) ([]byte, error) {
	if err := r.checkClosed("readline of closed file"); err != nil {
		return nil, err
	}
	n := r.readahead()
	if limit >= 0 && n > limit {
		n = limit
	}
	if i := bytes.IndexByte(r.buf[r.pos:r.pos+n], '\n'); i >= 0 {
		return r.take(i + 1), nil
	}
	if n == limit {
		return r.take(n), nil
	}
	out := r.take(n)
	if limit >= 0 {
		limit -= n
	}
	for {
		r.reset()
		got, err := r.fill()
		if err != nil && err != errNone {
			return nil, err
		}
		if got <= 0 {
			break
		}
		if limit >= 0 && got > limit {
			got = limit
		}
		if i := bytes.IndexByte(r.buf[:got], '\n'); i >= 0 {
			r.pos = i + 1
			return append(out, r.buf[:i+1]...), nil
		}
		out = append(out, r.buf[:got]...)
		if got == limit {
			r.pos = got
			break
		}
		if limit >= 0 {
			limit -= got
		}
	}
	return out, nil
}

func (r *bufferedReader) next() ([]byte, error) { return r.readline(-1) }

// goRead returns what the buffer holds or, if it is empty, what one raw read brings. It
// is not readinto1, which after copying the buffered bytes may still make a raw read
// (when p is larger than the buffer) and so wait although it has data to return.
func (r *bufferedReader) goRead(p []byte) (int, error) {
	if err := r.checkClosed("readinto of closed file"); err != nil {
		return 0, err
	}
	if n := r.readahead(); n > 0 {
		n = copy(p, r.buf[r.pos:r.end])
		r.pos += n
		return n, nil
	}
	n, err := r.readinto(p, true)
	if err == nil && n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, err
}

// goReadUntil reads up to and including delim, at most limit bytes (limit < 0: no limit);
// when the limit falls just after a '\r', it leaves the '\r' in the buffer, so that
// ReadLine does not split a "\r\n". On an error it returns what it read before.
func (r *bufferedReader) goReadUntil(delim byte, limit int) ([]byte, error) {
	if err := r.checkClosed("readline of closed file"); err != nil {
		return nil, err
	}
	var out []byte
	for {
		avail := r.buf[r.pos : r.pos+r.readahead()]
		if limit >= 0 && len(out)+len(avail) > limit {
			avail = avail[:limit-len(out)]
		}
		if i := bytes.IndexByte(avail, delim); i >= 0 {
			out = append(out, avail[:i+1]...)
			r.pos += i + 1
			return out, nil
		}
		if limit >= 0 && len(out)+len(avail) == limit {
			if k := len(avail); k > 0 && avail[k-1] == '\r' && limit > 1 {
				avail = avail[:k-1]
			}
			out = append(out, avail...)
			r.pos += len(avail)
			return out, nil
		}
		out = append(out, avail...)
		r.reset()
		n, err := r.fill()
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, io.EOF
		}
	}
}

// bufferedWriter is CPython's io.BufferedWriter.
type bufferedWriter struct {
	raw  *socketIO
	size int
	buf  []byte
	// The bytes waiting to be written are buf[wpos:wend] when valid (CPython's write_end
	// != -1); new data goes at wend (CPython's pos, which equals write_end here).
	wpos, wend int
	valid      bool
}

var _ ioObject = (*bufferedWriter)(nil)

func newBufferedWriter(raw *socketIO, size int) *bufferedWriter {
	return &bufferedWriter{raw: raw, size: size, buf: make([]byte, size)}
}

func (w *bufferedWriter) pyType() string           { return "_io.BufferedWriter" }
func (w *bufferedWriter) closed() bool             { return w.raw.closed() }
func (w *bufferedWriter) readable() (bool, error)  { return false, nil }
func (w *bufferedWriter) writable() (bool, error)  { return w.raw.writable() }
func (w *bufferedWriter) seekable() (bool, error)  { return w.raw.seekable() }
func (w *bufferedWriter) fileno() (int, error)     { return w.raw.fileno() }
func (w *bufferedWriter) name() (int, error)       { return w.raw.name() }
func (w *bufferedWriter) mode() (string, error)    { return w.raw.mode() }
func (w *bufferedWriter) isatty() (bool, error)    { return w.raw.isatty() }
func (w *bufferedWriter) read(int) ([]byte, error) { return nil, &py.UnsupportedOperation{Msg: "read"} }
func (w *bufferedWriter) read1(int) ([]byte, error) {
	return nil, &py.UnsupportedOperation{Msg: "read1"}
}
func (w *bufferedWriter) peek(int) ([]byte, error) { return nil, noAttr(w.pyType(), "peek") }

func (w *bufferedWriter) readinto(_ []byte, one bool) (int, error) {
	if one {
		_, err := w.read1(0)
		return 0, err
	}
	_, err := w.read(0)
	return 0, err
}

func (w *bufferedWriter) readline(limit int) ([]byte, error)    { return iobaseReadline(w, limit, false) }
func (w *bufferedWriter) next() ([]byte, error)                 { return w.readline(-1) }
func (w *bufferedWriter) goRead([]byte) (int, error)            { return w.readinto(nil, false) }
func (w *bufferedWriter) goReadUntil(byte, int) ([]byte, error) { return w.read(0) }
func (w *bufferedWriter) rawWrite(b []byte) (int, error)        { return w.raw.write(b) }
func (w *bufferedWriter) goWrite(p []byte) (int, error)         { return w.write(p) }
func (w *bufferedWriter) checkClosed(msg string) error {
	if w.raw.closed() {
		return &py.ValueError{Msg: msg}
	}
	return nil
}

// write is BufferedWriter.write: data that fits in the buffer is buffered; otherwise the
// buffer is flushed, whole buffer-sized parts are sent straight away and the tail (at
// most a buffer's worth) is buffered. A non-blocking socket that cannot take everything
// gives a BlockingIOError saying how much of b was accepted. The count it returns with
// other errors is what was sent, for Go's Write; Python sees only the error.
func (w *bufferedWriter) write(b []byte) (int, error) {
	if err := w.checkClosed("write to closed file"); err != nil {
		return 0, err
	}
	if !w.valid {
		w.wpos, w.wend = 0, 0
	}
	if len(b) <= w.size-w.wend {
		copy(w.buf[w.wend:], b)
		w.wend += len(b)
		w.valid = true
		return len(b), nil
	}
	if err := w.flushUnlocked(); err != nil {
		var blocked *py.BlockingIOError
		if !errors.As(err, &blocked) {
			return 0, err
		}
		// Make room by moving what is left to the front, and buffer what fits.
		w.wend = copy(w.buf, w.buf[w.wpos:w.wend])
		w.wpos = 0
		avail := w.size - w.wend
		if len(b) <= avail {
			w.wend += copy(w.buf[w.wend:], b)
			return len(b), nil
		}
		w.wend += copy(w.buf[w.wend:], b[:avail])
		return avail, py.NewWriteBlocked(avail)
	}
	written, remaining := 0, len(b)
	for remaining > w.size {
		n, err := w.rawWrite(b[written:])
		if err == errNone {
			// Cannot send: keep a buffer's worth.
			w.wpos, w.wend, w.valid = 0, copy(w.buf, b[written:written+w.size]), true
			written += w.size
			return written, py.NewWriteBlocked(written)
		}
		if err != nil {
			return written, err
		}
		written += n
		remaining -= n
	}
	copy(w.buf, b[written:])
	w.wpos, w.wend, w.valid = 0, remaining, true
	return len(b), nil
}

// flushUnlocked is _bufferedwriter_flush_unlocked: write the buffer out, all of it.
func (w *bufferedWriter) flushUnlocked() error {
	for w.valid && w.wpos < w.wend {
		n, err := w.rawWrite(w.buf[w.wpos:w.wend])
		if err == errNone {
			return py.NewWriteBlocked(0)
		}
		if err != nil {
			return err
		}
		w.wpos += n
	}
	w.valid, w.wpos, w.wend = false, 0, 0
	return nil
}

func (w *bufferedWriter) flush() error {
	if err := w.checkClosed("flush of closed file"); err != nil {
		return err
	}
	return w.flushUnlocked()
}

// close flushes and closes the raw file; the raw file is closed even when the flush
// fails, and the flush's error is the one returned.
func (w *bufferedWriter) close() error {
	if w.raw.closed() {
		return nil
	}
	err := w.flush()
	if cerr := w.raw.close(); err == nil {
		err = cerr
	}
	return err
}

// bufferedRWPair is CPython's io.BufferedRWPair: a BufferedReader and a BufferedWriter
// over the same SocketIO, each with its own buffer.
type bufferedRWPair struct {
	r *bufferedReader
	w *bufferedWriter
}

var _ ioObject = (*bufferedRWPair)(nil)

func (p *bufferedRWPair) pyType() string                           { return "_io.BufferedRWPair" }
func (p *bufferedRWPair) closed() bool                             { return p.w.closed() }
func (p *bufferedRWPair) readable() (bool, error)                  { return p.r.readable() }
func (p *bufferedRWPair) writable() (bool, error)                  { return p.w.writable() }
func (p *bufferedRWPair) seekable() (bool, error)                  { return false, nil }
func (p *bufferedRWPair) fileno() (int, error)                     { return 0, &py.UnsupportedOperation{Msg: "fileno"} }
func (p *bufferedRWPair) name() (int, error)                       { return 0, noAttr(p.pyType(), "name") }
func (p *bufferedRWPair) mode() (string, error)                    { return "", noAttr(p.pyType(), "mode") }
func (p *bufferedRWPair) read(n int) ([]byte, error)               { return p.r.read(n) }
func (p *bufferedRWPair) read1(n int) ([]byte, error)              { return p.r.read1(n) }
func (p *bufferedRWPair) readinto(b []byte, one bool) (int, error) { return p.r.readinto(b, one) }
func (p *bufferedRWPair) peek(n int) ([]byte, error)               { return p.r.peek(n) }
func (p *bufferedRWPair) readline(limit int) ([]byte, error)       { return iobaseReadline(p, limit, true) }
func (p *bufferedRWPair) next() ([]byte, error)                    { return p.readline(-1) }
func (p *bufferedRWPair) write(b []byte) (int, error)              { return p.w.write(b) }
func (p *bufferedRWPair) flush() error                             { return p.w.flush() }
func (p *bufferedRWPair) goRead(b []byte) (int, error)             { return p.r.goRead(b) }
func (p *bufferedRWPair) goReadUntil(d byte, limit int) ([]byte, error) {
	return p.r.goReadUntil(d, limit)
}
func (p *bufferedRWPair) goWrite(b []byte) (int, error) { return p.w.goWrite(b) }

func (p *bufferedRWPair) isatty() (bool, error) {
	if t, err := p.w.isatty(); err != nil || t {
		return t, err
	}
	return p.r.isatty()
}

// close closes the writer (flushing it), then the reader, whose raw file is then closed
// already: so, as in CPython, what the reader had buffered stays readable.
func (p *bufferedRWPair) close() error {
	err := p.w.close()
	if rerr := p.r.close(); err == nil {
		err = rerr
	}
	return err
}
