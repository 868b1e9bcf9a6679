package pyio

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"

	"github.com/csock/csock/py"
)

// textChunkSize is TextIOWrapper's _CHUNK_SIZE: the size of its reads (read1) from the
// buffer, and how many encoded bytes it collects before writing them to the buffer.
const textChunkSize = 8192

// textIO is CPython's io.TextIOWrapper over a buffered file, following
// Modules/_io/textio.c of CPython 3.11. The text it holds is generalised UTF-8 (see
// codec.go); it keeps its position in the decoded text in bytes, so that Go's
// Read can stop inside a character.
type textIO struct {
	buffer ioObject
	locks  *fileLocks

	codec            *textCodec
	encoding, errors string // the attributes, as given (encoding "UTF-8" by default)
	modeAttr         string

	// Newline handling: readUniversal for newline None and ”, readTranslate for None;
	// readNL is the newline string otherwise. writeNL is what "\n" becomes on output ("" for
	// no translation).
	readUniversal, readTranslate bool
	readNL, writeNL              string

	dec      *textDecoder // nil when the file is not readable
	canWrite bool
	seen     atomic.Int32 // the decoder's newline kinds, for Newlines without the read lock

	// Read state, under locks.r: the decoded text and how many bytes of it were read.
	decoded []byte
	used    int

	// Write state, under locks.w: encoded text not yet handed to the buffer.
	pending []byte
}

var _ ioObject = (*textIO)(nil)

func (t *textIO) pyType() string            { return "_io.TextIOWrapper" }
func (t *textIO) closed() bool              { return t.buffer.closed() }
func (t *textIO) readable() (bool, error)   { return t.buffer.readable() }
func (t *textIO) writable() (bool, error)   { return t.buffer.writable() }
func (t *textIO) seekable() (bool, error)   { return t.buffer.seekable() }
func (t *textIO) fileno() (int, error)      { return t.buffer.fileno() }
func (t *textIO) name() (int, error)        { return t.buffer.name() }
func (t *textIO) mode() (string, error)     { return t.modeAttr, nil }
func (t *textIO) isatty() (bool, error)     { return t.buffer.isatty() }
func (t *textIO) read1(int) ([]byte, error) { return nil, noAttr(t.pyType(), "read1") }
func (t *textIO) peek(int) ([]byte, error)  { return nil, noAttr(t.pyType(), "peek") }

func (t *textIO) readinto(_ []byte, one bool) (int, error) {
	if one {
		return 0, noAttr(t.pyType(), "readinto1")
	}
	return 0, noAttr(t.pyType(), "readinto")
}

func (t *textIO) checkClosed() error {
	if t.closed() {
		return closedFile()
	}
	return nil
}

func notReadable() error { return &py.UnsupportedOperation{Msg: "not readable"} }

// checkRead is what every read does first: the closed check, the readable check, and the
// write of pending output (CPython's _textiowrapper_writeflush, so that a request written
// to a "rw" file goes out before its answer is awaited).
func (t *textIO) checkRead() error {
	if err := t.checkClosed(); err != nil {
		return err
	}
	if t.dec == nil {
		return notReadable()
	}
	return t.writeFlushLocking()
}

func (t *textIO) writeFlushLocking() error {
	if !t.canWrite {
		return nil
	}
	t.locks.w.Lock()
	defer t.locks.w.Unlock()
	return t.writeFlush()
}

// writeFlush is _textiowrapper_writeflush: the pending bytes go to the buffer's write.
// They are dropped first, so a failed write loses them, as in CPython.
func (t *textIO) writeFlush() error {
	if len(t.pending) == 0 {
		return nil
	}
	b := t.pending
	t.pending = nil
	_, err := t.buffer.write(b)
	return err
}

// readChunk is textiowrapper_read_chunk: one read1 of at least a chunk from the buffer,
// decoded (final when the buffer has nothing more). It reports false at the end of the
// stream. A non-blocking socket that has nothing looks like the end of the stream to
// CPython (read1 returns b""); goMode returns ErrNone instead and leaves the decoder as it
// was.
func (t *textIO) readChunk(sizeHint int, goMode bool) (bool, error) {
	if t.dec == nil {
		return false, notReadable()
	}
	input, err := t.buffer.read1(max(textChunkSize, sizeHint))
	if err == errNone {
		if goMode {
			return false, errNone
		}
		input, err = nil, nil
	}
	if err != nil {
		return false, err
	}
	eof := len(input) == 0
	out, err := t.dec.decode(input, eof)
	t.seen.Store(int32(t.dec.seen))
	if err != nil {
		return false, err
	}
	t.decoded, t.used = out, 0
	return !eof || len(out) > 0, nil
}

// takeDecoded returns up to n characters (all for n < 0) of the decoded text and consumes
// them.
func (t *textIO) takeDecoded(n int) []byte {
	avail := t.decoded[t.used:]
	end := len(avail)
	if n >= 0 {
		end = skipChars(avail, n)
	}
	t.used += end
	return append([]byte{}, avail[:end]...)
}

// read is TextIOWrapper.read: n characters, fewer only at the end of the stream; all for
// n < 0. An error loses what this call had read.
func (t *textIO) read(n int) ([]byte, error) {
	if err := t.checkRead(); err != nil {
		return nil, err
	}
	if n < 0 {
		input, err := t.buffer.read(-1)
		if err == errNone {
			return nil, t.dec.decodeNone()
		}
		if err != nil {
			return nil, err
		}
		out, err := t.dec.decode(input, true)
		t.seen.Store(int32(t.dec.seen))
		if err != nil {
			return nil, err
		}
		result := append(t.takeDecoded(-1), out...)
		t.decoded, t.used = nil, 0
		return result, nil
	}
	result := t.takeDecoded(n)
	remaining := n - countChars(result)
	for remaining > 0 {
		more, err := t.readChunk(remaining, false)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		got := t.takeDecoded(remaining)
		result = append(result, got...)
		remaining -= countChars(got)
	}
	return result, nil
}

func (t *textIO) readline(limit int) ([]byte, error) {
	if err := t.checkClosed(); err != nil {
		return nil, err
	}
	if err := t.writeFlushLocking(); err != nil {
		return nil, err
	}
	return t.readlineCore(limit, false)
}

func (t *textIO) next() ([]byte, error) { return t.readline(-1) }

// readlineCore is _textiowrapper_readline: a line as the newline mode defines it, at most
// limit characters (limit < 0: no limit). In CPython an error loses what the call had
// read; goMode returns it with the error, and returns ErrNone when a non-blocking socket
// has nothing more.
func (t *textIO) readlineCore(limit int, goMode bool) ([]byte, error) {
	var (
		chunks    []byte // text set aside, of chunked characters
		chunked   int
		remaining []byte // text after the last possible line end, prepended to the next chunk
		line      []byte
		haveLine  bool
		start     int
		endpos    int
		offset    int // how much of line is remaining, not t.decoded
	)
	for {
		more := true
		for len(t.decoded) == 0 {
			var err error
			if more, err = t.readChunk(0, goMode); err != nil {
				if goMode {
					return append(chunks, remaining...), err
				}
				return nil, err
			}
			if !more {
				break
			}
		}
		if !more {
			t.decoded, t.used = nil, 0
			break
		}
		if remaining == nil {
			line, start, offset = t.decoded, t.used, 0
		} else {
			line = append(remaining, t.decoded...)
			start, offset = 0, len(remaining)
			remaining = nil
		}
		haveLine = true
		ep, consumed := t.findLineEnding(line[start:])
		if ep >= 0 {
			endpos = start + ep
			if limit >= 0 && countChars(line[start:endpos])+chunked >= limit {
				endpos = start + skipChars(line[start:], limit-chunked)
			}
			break
		}
		endpos = start + consumed
		if limit >= 0 && countChars(line[start:endpos])+chunked >= limit {
			endpos = start + skipChars(line[start:], limit-chunked)
			break
		}
		if endpos > start {
			chunks = append(chunks, line[start:endpos]...)
			chunked += countChars(line[start:endpos])
		}
		if endpos < len(line) {
			remaining = append([]byte(nil), line[endpos:]...)
		}
		haveLine = false
		t.decoded, t.used = nil, 0
	}
	out := append([]byte{}, chunks...)
	if haveLine {
		t.used = endpos - offset
		return append(out, line[start:endpos]...), nil
	}
	return append(out, remaining...), nil
}

// findLineEnding is _PyIO_find_line_ending over s: the end of the first line (just past
// its terminator), or -1 and how much of s is known to hold no line end (all of it, but
// for a '\r' at the very end that may start a "\r\n" terminator).
func (t *textIO) findLineEnding(s []byte) (int, int) {
	switch {
	case t.readTranslate:
		if i := bytes.IndexByte(s, '\n'); i >= 0 {
			return i + 1, 0
		}
		return -1, len(s)
	case t.readUniversal:
		for i, c := range s {
			switch c {
			case '\n':
				return i + 1, 0
			case '\r':
				if i+1 < len(s) && s[i+1] == '\n' {
					return i + 2, 0
				}
				return i + 1, 0
			}
		}
		return -1, len(s)
	}
	nl := t.readNL
	if i := bytes.Index(s, []byte(nl)); i >= 0 {
		return i + len(nl), 0
	}
	e := max(len(s)-(len(nl)-1), 0)
	if i := bytes.IndexByte(s[e:], nl[0]); i >= 0 {
		return -1, e + i
	}
	return -1, len(s)
}

// write is TextIOWrapper.write: text (a str in generalised UTF-8) is translated ("\n" to
// the newline given, if any), encoded, and collected until a chunk's worth is pending; it
// returns the number of characters of text.
func (t *textIO) write(text []byte) (int, error) {
	if err := t.checkClosed(); err != nil {
		return 0, err
	}
	if !t.canWrite {
		return 0, &py.UnsupportedOperation{Msg: "not writable"}
	}
	n := pyLen(text)
	if t.writeNL != "" && bytes.IndexByte(text, '\n') >= 0 {
		text = bytes.ReplaceAll(text, []byte{'\n'}, []byte(t.writeNL))
	}
	b, err := encodeText(t.codec, t.errors, text)
	if err != nil {
		return 0, err
	}
	if len(t.pending) > 0 && len(t.pending)+len(b) > textChunkSize {
		if err := t.writeFlush(); err != nil {
			return 0, err
		}
	}
	t.pending = append(t.pending, b...)
	if len(t.pending) >= textChunkSize {
		if err := t.writeFlush(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func (t *textIO) flush() error {
	if err := t.checkClosed(); err != nil {
		return err
	}
	if err := t.writeFlush(); err != nil {
		return err
	}
	return t.buffer.flush()
}

// close flushes and closes the buffer; the buffer is closed even when the flush fails,
// and the flush's error is the one returned.
func (t *textIO) close() error {
	if t.buffer.closed() {
		return nil
	}
	err := t.flush()
	if cerr := t.buffer.close(); err == nil {
		err = cerr
	}
	return err
}

// goRead reads bytes of the decoded text, possibly stopping inside a character.
func (t *textIO) goRead(p []byte) (int, error) {
	if err := t.checkRead(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for t.used >= len(t.decoded) {
		more, err := t.readChunk(0, true)
		if err != nil {
			return 0, err
		}
		if !more {
			return 0, io.EOF
		}
	}
	n := copy(p, t.decoded[t.used:])
	t.used += n
	return n, nil
}

// goReadUntil reads the decoded text up to and including the byte delim.
func (t *textIO) goReadUntil(delim byte, _ int) ([]byte, error) {
	if err := t.checkRead(); err != nil {
		return nil, err
	}
	var out []byte
	for {
		rest := t.decoded[t.used:]
		if i := bytes.IndexByte(rest, delim); i >= 0 {
			t.used += i + 1
			return append(out, rest[:i+1]...), nil
		}
		out = append(out, rest...)
		t.used = len(t.decoded)
		more, err := t.readChunk(0, true)
		if err != nil {
			return out, err
		}
		if !more {
			return out, io.EOF
		}
	}
}

// goReadLine is File.ReadLine in text mode: readline in goMode, at most limit characters,
// with the terminator of the newline mode stripped.
func (t *textIO) goReadLine(limit int) ([]byte, bool, error) {
	if err := t.checkRead(); err != nil {
		return nil, false, err
	}
	line, err := t.readlineCore(limit, true)
	crlf := t.readUniversal && !t.readTranslate || t.readNL == "\r\n"
	if n := len(line); n > 0 && line[n-1] == '\r' && crlf && t.used < len(t.decoded) && t.decoded[t.used] == '\n' {
		// The limit fell inside a "\r\n": take the '\n' too.
		line = append(line, '\n')
		t.used++
	}
	if k := t.terminatorLen(line); k > 0 {
		return line[:len(line)-k], false, err
	}
	switch {
	case err != nil:
		if len(line) == 0 {
			line = nil
		}
		return line, false, err
	case len(line) == 0:
		return nil, false, io.EOF
	}
	return line, countChars(line) >= limit, nil
}

// terminatorLen is the length of the line end that line ends with in this newline mode.
func (t *textIO) terminatorLen(line []byte) int {
	switch {
	case t.readTranslate:
		if bytes.HasSuffix(line, []byte{'\n'}) {
			return 1
		}
	case t.readUniversal:
		if bytes.HasSuffix(line, []byte("\r\n")) {
			return 2
		}
		if bytes.HasSuffix(line, []byte{'\n'}) || bytes.HasSuffix(line, []byte{'\r'}) {
			return 1
		}
	default:
		if bytes.HasSuffix(line, []byte(t.readNL)) {
			return len(t.readNL)
		}
	}
	return 0
}

func (t *textIO) goWrite(p []byte) (int, error) {
	if _, err := t.write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// newlines is TextIOWrapper.newlines.
func (t *textIO) newlines() any {
	if t.dec == nil {
		return nil
	}
	d := textDecoder{universal: t.dec.universal, seen: int(t.seen.Load())}
	return d.newlines()
}

// countChars is the number of characters in the decoded text s; a continuation byte
// starting s (the rest of a character a byte-wise Read split) counts as one.
func countChars(s []byte) int {
	n := 0
	for i, c := range s {
		if c&0xC0 != 0x80 || i == 0 {
			n++
		}
	}
	return n
}

// skipChars is the byte length of the first n characters of the decoded text s.
func skipChars(s []byte, n int) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		i++
		for i < len(s) && s[i]&0xC0 == 0x80 {
			i++
		}
	}
	return i
}

// pyLen is len() of the str text holds (any Go string, stray bytes included).
func pyLen(text []byte) int {
	n := 0
	for len(text) > 0 {
		_, k := decodePyRune(text)
		text = text[k:]
		n++
	}
	return n
}

// fileLocks serialise the calls on a File (see File).
type fileLocks struct {
	r, w, close sync.Mutex
}
