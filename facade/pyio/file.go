package pyio

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/csock/csock/py"
)

// FileOptions are the keyword arguments of CPython's socket.makefile(mode='r',
// buffering=None, *, encoding=None, errors=None, newline=None).
//
// The zero value is makefile(mode) without keyword arguments: each field's zero is
// Python's None. That is why Buffering is a pointer, as Newline is: in Python 0 is a
// buffer size (unbuffered) and -1 means the default, so no int can stand for None
// without changing one of Python's numbers. Set it with Go's new: Buffering: new(0) is
// buffering=0.
type FileOptions struct {
	// Buffering is the buffer size: nil (None) for the default of 8192 bytes
	// (io.DEFAULT_BUFFER_SIZE); otherwise Python's number: negative for the default as
	// well, 0 for an unbuffered file (binary modes only, SocketIO), n > 0 for a buffer of
	// n bytes. 1 is a one-byte buffer, not line buffering.
	Buffering *int
	// Encoding is the text encoding of a text mode: "" (None) is "UTF-8" (CPython's locale
	// encoding in a UTF-8 locale; "locale" means the same). Supported: UTF-8, Latin-1 and
	// ASCII under any of CPython's names for them ("utf-8", "utf8", "latin-1",
	// "iso-8859-1", "ascii", "us-ascii", ...); any other name is "LookupError: unknown
	// encoding: <name>". Binary modes ignore it.
	Encoding string
	// Errors is the error handler of a text mode: "" (None) is "strict"; also "ignore",
	// "replace", "backslashreplace", "surrogateescape", "surrogatepass",
	// "xmlcharrefreplace" and, for surrogates only, "namereplace". An unknown name fails
	// only when an error needs handling, as in CPython. Binary modes ignore it.
	Errors string
	// Newline is the newline mode of a text mode: nil (None: any of "\n", "\r", "\r\n"
	// ends a line and reads as "\n"; "\n" is written as is), "" (any of them ends a line,
	// none is translated), "\n", "\r" or "\r\n" (only that one ends a line, and "\n" is
	// written as it). Binary modes ignore it.
	Newline *string
}

// DefaultFileOptions returns the options of makefile(mode) without keyword arguments:
// buffering None, encoding None, errors None, newline None. It is the zero FileOptions,
// for code that wants to say so.
func DefaultFileOptions() FileOptions { return FileOptions{} }

// File is a file object on a socket, made by MakeFile (facade.Socket.MakeFile for a
// facade socket): CPython's socket.SocketIO
// (unbuffered), io.BufferedReader, io.BufferedWriter or io.BufferedRWPair (binary), or
// io.TextIOWrapper over one of those (text). It offers Python's file methods with
// CPython's results and errors, method for method and class for class (ReadN is
// read(n), ReadLineN readline(limit), PyWrite write, ...), and Go's io.Reader, io.Writer,
// io.StringWriter and io.Closer, with bufio-style ReadString and ReadLine.
//
// In text mode the text the methods take and return is a Python str held as package py
// holds one: UTF-8, with the lone surrogates that surrogateescape and surrogatepass
// produce as their 3-byte sequences; a stray byte b ≥ 0x80 in what is written reads as
// the character U+DC00+b. Counts (ReadN's n, ReadLineN's limit, ReadLines' hint, PyWrite's
// result) are in characters, as in Python.
//
// The socket stays open while a File is: the File holds it (Socket.RetainIO) until it
// closes (Socket.ReleaseIO), so a socket's close with files open only marks the socket
// closed, and the descriptor closes when the last file closes (CPython's _io_refs).
// Closing a File never closes a socket whose close was not called.
//
// A File is safe for concurrent use. As CPython's buffered objects take a lock, each read
// method runs alone among the read methods and each write method among the write methods;
// a read waiting for data on a "rw" file does not hold up a write (the one exception: a
// text read first hands pending text to the buffer, and so waits for a write in
// progress). Close waits for a write in progress (it flushes) but not for a read, which
// goes on waiting on the socket (and fails with [Errno 9] if this Close closes the
// descriptor).
//
// A File that becomes unreachable without Close lets go of its socket as CPython's
// finaliser does, but without flushing: unflushed data is lost.
type File struct {
	top      ioObject // the object Python code would hold
	text     *textIO  // top, in text mode
	raw      *socketIO
	buffered bool // writes go through a buffer: Close must wait for writes
	locks    *fileLocks
}

// Go interfaces a File implements.
var (
	_ io.ReadWriteCloser = (*File)(nil)
	_ io.StringWriter    = (*File)(nil)
)

// lineLimit is ReadLine's longest line: after that many bytes (characters in text mode)
// it returns the line's beginning with isPrefix set.
const lineLimit = defaultBufferSize

// MakeFile returns a file object on the socket s: CPython's socket.makefile(mode,
// buffering, encoding=, errors=, newline=) with opts (see FileOptions; the zero
// FileOptions gives makefile(mode)). mode is a set of the letters r, w and b, in any
// order and number: "r", "rb", "w", "wb", "rw", "rwb" and also "", "b", "wr", "bb"; any
// other letter is "ValueError: invalid mode 'x' (only r, w, b allowed)". Without w the
// file reads; without b it is a text file, which needs buffering ("ValueError:
// unbuffered streams must be binary").
//
// The file's class is CPython's: SocketIO for buffering 0 (Buffering: new(0)),
// BufferedReader, BufferedWriter or BufferedRWPair (read and write) otherwise, and a
// TextIOWrapper over that for a text mode, whose Mode is mode as given ("rw") where a binary file's is the
// raw mode ("rb", "wb", "rwb"). It works on a closed socket as CPython's does: Name is
// -1 (s.Fileno()) and I/O fails with the socket's error ([Errno 9] for a facade socket).
// The file holds s from now until it closes (s.RetainIO, then s.ReleaseIO).
//
// Reads and writes follow the socket's timeout mode (see Socket for how s reports a
// timeout and a non-blocking socket's EAGAIN). A read that times out fails with
// TimeoutError, and every later read of the file fails with "OSError: cannot read from
// timed out object" (CPython's bpo-7322). In non-blocking mode a read with nothing to read
// returns ErrNone (Python's None) where CPython returns None, and a text read returns what
// CPython does (an empty str, as at the end of the stream).
//
// Differences from CPython: encodings other than UTF-8, Latin-1 and ASCII are unknown
// (see FileOptions); a text file's write does not discard the text it had decoded but not
// yet returned (CPython's TextIOWrapper.write does, for the sake of seekable files).
func MakeFile(s Socket, mode string, opts FileOptions) (*File, error) {
	for _, c := range mode {
		if c != 'r' && c != 'w' && c != 'b' {
			return nil, &py.ValueError{Msg: fmt.Sprintf("invalid mode %s (only r, w, b allowed)", py.StrRepr(mode))}
		}
	}
	writing := strings.ContainsRune(mode, 'w')
	reading := strings.ContainsRune(mode, 'r') || !writing
	binary := strings.ContainsRune(mode, 'b')
	rawMode := ""
	if reading {
		rawMode += "r"
	}
	if writing {
		rawMode += "w"
	}
	rawMode += "b"
	buffering := defaultBufferSize
	if opts.Buffering != nil && *opts.Buffering >= 0 {
		buffering = *opts.Buffering
	}
	if buffering == 0 && !binary {
		return nil, &py.ValueError{Msg: "unbuffered streams must be binary"}
	}
	var text *textIO
	if !binary {
		var err error
		if text, err = newTextIO(opts, mode); err != nil {
			return nil, err
		}
	}

	raw := &socketIO{sock: s, rawMode: rawMode, reading: reading, writing: writing}
	f := &File{raw: raw, locks: &fileLocks{}}
	switch {
	case buffering == 0:
		f.top = raw
	case reading && writing:
		f.top = &bufferedRWPair{r: newBufferedReader(raw, buffering), w: newBufferedWriter(raw, buffering)}
		f.buffered = true
	case reading:
		f.top = newBufferedReader(raw, buffering)
	default:
		f.top = newBufferedWriter(raw, buffering)
		f.buffered = true
	}
	if text != nil {
		text.buffer, text.locks = f.top, f.locks
		if reading {
			text.dec = newTextDecoder(text.codec, text.errors, text.readUniversal, text.readTranslate)
		}
		text.canWrite = writing
		f.top, f.text, f.buffered = text, text, true
	}
	s.RetainIO()
	runtime.AddCleanup(f, func(r *socketIO) { r.close() }, raw)
	return f, nil
}

// newTextIO checks a text mode's options in CPython's order (a NUL in any of them, then
// the newline, then the encoding) and makes the TextIOWrapper to be.
func newTextIO(opts FileOptions, mode string) (*textIO, error) {
	for _, s := range []string{opts.Encoding, opts.Errors} {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, &py.ValueError{Msg: "embedded null character"}
		}
	}
	t := &textIO{encoding: opts.Encoding, errors: opts.Errors, modeAttr: mode}
	if t.errors == "" {
		t.errors = "strict"
	}
	if nl := opts.Newline; nl != nil {
		switch *nl {
		case "", "\n", "\r", "\r\n":
		default:
			if strings.IndexByte(*nl, 0) >= 0 {
				return nil, &py.ValueError{Msg: "embedded null character"}
			}
			return nil, &py.ValueError{Msg: "illegal newline value: " + *nl}
		}
		t.readUniversal = *nl == ""
		t.readNL = *nl
		if *nl != "\n" {
			t.writeNL = *nl
		}
	} else {
		t.readUniversal, t.readTranslate = true, true
	}
	if t.encoding == "" || t.encoding == "locale" {
		t.encoding = "UTF-8"
	}
	var err error
	if t.codec, err = lookupTextEncoding(t.encoding); err != nil {
		return nil, err
	}
	return t, nil
}

// Read reads into p, for Go programs (io.Reader): at most len(p) bytes, what the file
// has buffered or else what one system call brings (readinto for an unbuffered file), so
// it never waits while it has data; io.EOF at the end of the stream. In text mode it
// reads the decoded text (after newline translation) as UTF-8, and may stop inside a
// character, whose other bytes the next read returns. ErrNone: a non-blocking socket had
// nothing.
func (f *File) Read(p []byte) (int, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	return f.top.goRead(p)
}

// ReadString reads up to and including the first delim and returns it as bufio.Reader's
// ReadString does: the error is nil exactly when the result ends with delim; at the end
// of the stream it is io.EOF, with what came before. Other errors (a timeout, ErrNone)
// also come with what was read before them, which CPython's readline would have lost. In
// text mode delim is looked for in the decoded text's UTF-8; a delim ≥ 0x80 can end the
// result inside a character.
func (f *File) ReadString(delim byte) (string, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	b, err := f.top.goReadUntil(delim, -1)
	return string(b), err
}

// ReadLine reads a line as bufio.Reader's ReadLine does: without its line end, with
// isPrefix set when the line is longer than 8192 bytes (characters in text mode), in
// which case the following calls return the rest of it; at the end of the stream it
// returns io.EOF, after a last line without a line end. A line ends with "\n" or "\r\n" in
// binary mode, and in text mode with what Python's readline ends it with in the newline
// mode (for newline None, "\n" after translation). Unlike bufio's, it may return part of
// a line together with an error other than io.EOF (a timeout, ErrNone). An unbuffered file
// reads its lines a byte at a time and has no length limit. The line is the caller's.
func (f *File) ReadLine() (line []byte, isPrefix bool, err error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	if f.text != nil {
		return f.text.goReadLine(lineLimit)
	}
	limit := lineLimit
	if f.top == f.raw {
		limit = -1
	}
	line, err = f.top.goReadUntil('\n', limit)
	if n := len(line); n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
		return line[:n], false, err
	}
	if len(line) == 0 {
		return nil, false, err
	}
	if err == io.EOF {
		return line, false, nil
	}
	return line, err == nil, err
}

// ReadN is Python's read(n) (SocketIO.read, BufferedReader.read, TextIOWrapper.read): n bytes (characters in text mode), fewer only at the end of
// the stream or, for a binary file, when a non-blocking socket has no more; n < 0 reads
// to the end of the stream. An unbuffered file makes one system call and returns what it
// brings. ErrNone (with a nil slice) where Python returns None; an empty slice is Python's
// b"" or "".
func (f *File) ReadN(n int) ([]byte, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	return f.top.read(n)
}

// Read1 is Python's read1(n) of a buffered binary file: what the buffer holds, or else
// what one system call brings, at most n bytes (the buffer size for n < 0); an empty slice
// when a non-blocking socket has nothing.
func (f *File) Read1(n int) ([]byte, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	b, err := f.top.read1(n)
	if err == errNone {
		return []byte{}, nil
	}
	return b, err
}

// ReadInto is Python's readinto(b) of a binary file: it fills b as read(len(b)) would
// and returns the count; (0, ErrNone) for None.
func (f *File) ReadInto(b []byte) (int, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	n, err := f.top.readinto(b, false)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ReadInto1 is Python's readinto1(b) of a buffered binary file: as Read1, into b.
func (f *File) ReadInto1(b []byte) (int, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	n, err := f.top.readinto(b, true)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Peek is Python's peek(n) of a buffered binary reader: the buffered bytes without
// consuming them, after one system call if there were none (n is ignored, as in CPython).
func (f *File) Peek(n int) ([]byte, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	return f.top.peek(n)
}

// ReadLineN is Python's readline(limit) (io.IOBase.readline and the buffered and text
// classes' own): a line with its line end, at most limit bytes
// (characters in text mode; limit < 0 for no limit), empty at the end of the stream.
func (f *File) ReadLineN(limit int) ([]byte, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	return f.top.readline(limit)
}

// ReadLines is Python's readlines(hint) (io.IOBase.readlines): the lines to the end of the stream or, for hint
// > 0, until their total length exceeds hint.
func (f *File) ReadLines(hint int) ([][]byte, error) {
	f.locks.r.Lock()
	defer f.locks.r.Unlock()
	if f.top.closed() {
		return nil, closedFile()
	}
	lines := [][]byte{}
	total := 0
	for {
		line, err := f.top.next()
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			return lines, nil
		}
		lines = append(lines, line)
		if hint > 0 {
			n := len(line)
			if f.text != nil {
				n = countChars(line)
			}
			if n > hint-total {
				return lines, nil
			}
			total += n
		}
	}
}

// Write writes all of p, for Go programs (io.Writer). For a buffered file that means
// into the buffer (Flush or Close sends it); an unbuffered one sends until all is sent.
// In text mode p is text, encoded and newline-translated; n is len(p) on success. On an
// error n says how much of p was taken (sent or buffered) where known: for a
// BlockingIOError its CharactersWritten, ErrNone for an unbuffered non-blocking socket
// that takes nothing more.
func (f *File) Write(p []byte) (int, error) {
	f.locks.w.Lock()
	defer f.locks.w.Unlock()
	return f.top.goWrite(p)
}

// WriteString is Write of a string (io.StringWriter).
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// PyWrite is Python's write(b) (SocketIO.write, BufferedWriter.write,
// TextIOWrapper.write): for an unbuffered file one send, whose count may be less
// than len(b) (ErrNone for None); for a buffered one len(b), or a BlockingIOError when a
// non-blocking socket cannot take it all; in text mode, the number of characters of b.
func (f *File) PyWrite(b []byte) (int, error) {
	f.locks.w.Lock()
	defer f.locks.w.Unlock()
	n, err := f.top.write(b)
	if err != nil {
		return 0, err
	}
	return n, nil
}

// WriteLines is Python's writelines(lines) (io.IOBase.writelines): PyWrite of each line. As in CPython, an
// unbuffered file's short writes are not completed.
func (f *File) WriteLines(lines [][]byte) error {
	f.locks.w.Lock()
	defer f.locks.w.Unlock()
	if f.top.closed() {
		return closedFile()
	}
	for _, line := range lines {
		if _, err := f.top.write(line); err != nil && err != errNone {
			return err
		}
	}
	return nil
}

// Flush is Python's flush() (io.IOBase.flush, BufferedWriter.flush, TextIOWrapper.flush): a buffered file sends what it holds.
func (f *File) Flush() error {
	f.locks.w.Lock()
	defer f.locks.w.Unlock()
	return f.top.flush()
}

// Close is Python's close() (SocketIO.close and the buffered and text classes' close): it flushes, closes the file and lets go of the socket, whose
// descriptor closes now if the socket's Close was called already. The file is closed even
// when the flush fails, and the flush's error is returned. Closing a closed file does
// nothing.
func (f *File) Close() error {
	f.locks.close.Lock()
	defer f.locks.close.Unlock()
	if f.buffered {
		f.locks.w.Lock()
		defer f.locks.w.Unlock()
	}
	return f.top.close()
}

// Closed is Python's closed attribute (io.IOBase.closed).
func (f *File) Closed() bool { return f.top.closed() }

// Mode is Python's mode attribute (SocketIO.mode, the buffered classes' raw.mode,
// TextIOWrapper.mode): the raw mode ("rb", "wb", "rwb") for a binary file,
// the mode given to MakeFile for a text file. A BufferedRWPair has none ("AttributeError:
// '_io.BufferedRWPair' object has no attribute 'mode'").
func (f *File) Mode() (string, error) { return f.top.mode() }

// Name is Python's name attribute (SocketIO.name, which the buffered and text classes
// give as their raw file's): the socket's descriptor, -1 once the file is closed
// (or the socket was). A BufferedRWPair, and a text file over one, has none.
func (f *File) Name() (int, error) { return f.top.name() }

// Fileno is Python's fileno() (SocketIO.fileno, which the buffered and text classes ask
// of their raw file): the socket's descriptor; "ValueError: I/O operation on
// closed file." once closed; io.UnsupportedOperation for a BufferedRWPair.
func (f *File) Fileno() (int, error) { return f.top.fileno() }

// IsATTY is Python's isatty() (io.IOBase.isatty): false, or the closed-file ValueError.
func (f *File) IsATTY() (bool, error) { return f.top.isatty() }

// Readable is Python's readable() (SocketIO.readable and the others' own). On a closed file some classes fail ("ValueError: I/O
// operation on closed socket.") and others answer, as in CPython.
func (f *File) Readable() (bool, error) { return f.top.readable() }

// Writable is Python's writable() (SocketIO.writable and the others' own), with Readable's errors.
func (f *File) Writable() (bool, error) { return f.top.writable() }

// Seekable is Python's seekable() (SocketIO.seekable and the others' own): false, or Readable's errors.
func (f *File) Seekable() (bool, error) { return f.top.seekable() }

// Encoding is a text file's encoding attribute (TextIOWrapper.encoding), as given to MakeFile ("UTF-8" by
// default); a binary file has none (AttributeError).
func (f *File) Encoding() (string, error) {
	if f.text == nil {
		return "", noAttr(f.top.pyType(), "encoding")
	}
	return f.text.encoding, nil
}

// Errors is a text file's errors attribute, TextIOWrapper.errors ("strict" by default); a binary file has
// none.
func (f *File) Errors() (string, error) {
	if f.text == nil {
		return "", noAttr(f.top.pyType(), "errors")
	}
	return f.text.errors, nil
}

// Newlines is a text file's newlines attribute (TextIOWrapper.newlines): for newline None or ”, the line ends
// read so far, nil (None) if none, a string if one kind, else a py.Tuple of them in the
// order "\r", "\n", "\r\n"; nil in the other newline modes.
func (f *File) Newlines() (any, error) {
	if f.text == nil {
		return nil, noAttr(f.top.pyType(), "newlines")
	}
	return f.text.newlines(), nil
}

// PyRepr returns CPython's repr() of the file: "<_io.BufferedReader name=3>",
// "<_io.TextIOWrapper name=3 mode='r' encoding='UTF-8'>" (without name over a
// BufferedRWPair), and for SocketIO and BufferedRWPair, which have no repr of their own,
// "<socket.SocketIO object at 0x...>" with this File's address.
func (f *File) PyRepr() string {
	switch top := f.top.(type) {
	case *socketIO:
		return fmt.Sprintf("<socket.SocketIO object at %p>", f)
	case *bufferedRWPair:
		return fmt.Sprintf("<_io.BufferedRWPair object at %p>", f)
	case *textIO:
		var b strings.Builder
		b.WriteString("<_io.TextIOWrapper")
		if name, err := top.name(); err == nil {
			fmt.Fprintf(&b, " name=%d", name)
		}
		fmt.Fprintf(&b, " mode=%s encoding=%s>", py.StrRepr(top.modeAttr), py.StrRepr(top.encoding))
		return b.String()
	}
	name, _ := f.top.name()
	return fmt.Sprintf("<%s name=%d>", f.top.pyType(), name)
}

// String returns PyRepr, as Python's str() of a file does.
func (f *File) String() string { return f.PyRepr() }

// PyTypeName returns the file's Python class name: "SocketIO", "BufferedReader",
// "BufferedWriter", "BufferedRWPair" or "TextIOWrapper".
func (f *File) PyTypeName() string {
	return strings.TrimPrefix(f.top.pyType(), "_io.")
}
