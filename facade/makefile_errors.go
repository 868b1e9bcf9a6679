//go:build linux

package facade

import (
	"fmt"
	"syscall"

	"github.com/csock/csock/internal/py"
)

// The Python exceptions only the file objects of MakeFile raise. Like those of errors.go,
// each implements py.Exception: PyClass is the class as a traceback names it and Error the
// text after "Class: ".

// ErrNone is the Go form of a None result: CPython's file objects return None instead of
// raising when a non-blocking socket has nothing to give (SocketIO.readinto and read,
// BufferedReader.read and readinto) or cannot take anything (SocketIO.write). The methods
// of File that mirror those return it with a zero count or a nil slice; Read, ReadString
// and ReadLine return it in the same situation. It is not a Python exception;
// errors.Is(ErrNone, syscall.EAGAIN) is true, so code that handles "try again" for
// BlockingIOError handles it too.
var ErrNone error = noneResult{}

type noneResult struct{}

func (noneResult) Error() string {
	return "the non-blocking socket is not ready (CPython returns None)"
}

// Is reports whether target is syscall.EAGAIN.
func (noneResult) Is(target error) bool { return target == syscall.EAGAIN }

// LookupError is CPython's LookupError: MakeFile's "unknown encoding: x", and "unknown
// error handler name 'x'" when a text file first needs an error handler it does not know.
type LookupError struct{ Msg string }

// PyClass returns "LookupError".
func (*LookupError) PyClass() string { return "LookupError" }
func (e *LookupError) Error() string { return e.Msg }

// UnsupportedOperation is CPython's io.UnsupportedOperation, raised by a file object asked
// for something its kind cannot do: reading a write-only file ("read", "not readable",
// "File or stream is not readable."), writing a read-only one, fileno of a "rw" binary
// file. Python's class derives from both OSError and ValueError; IsOSError is true for it.
type UnsupportedOperation struct{ Msg string }

// PyClass returns "io.UnsupportedOperation".
func (*UnsupportedOperation) PyClass() string { return "io.UnsupportedOperation" }
func (e *UnsupportedOperation) Error() string { return e.Msg }
func (*UnsupportedOperation) osError()        {}

// BlockingIOError is the BlockingIOError a buffered file's Write or Flush raises when a
// non-blocking socket cannot take the data: "[Errno 11] write could not complete without
// blocking". CharactersWritten is Python's characters_written: how many bytes of the
// data given to that call were accepted (sent or buffered) before it stopped. errors.Is(err,
// syscall.EAGAIN) is true, and errors.As finds an *OSError with Errno 11.
type BlockingIOError struct {
	Strerror          string
	CharactersWritten int
}

// PyClass returns "BlockingIOError".
func (*BlockingIOError) PyClass() string { return "BlockingIOError" }

func (e *BlockingIOError) Error() string {
	return fmt.Sprintf("[Errno %d] %s", int(syscall.EAGAIN), e.Strerror)
}

// Unwrap returns the OSError (errno EAGAIN) this is a subclass of.
func (e *BlockingIOError) Unwrap() error {
	return &OSError{Errno: int(syscall.EAGAIN), Strerror: e.Strerror}
}
func (*BlockingIOError) osError() {}

// newWriteBlocked is the BlockingIOError of CPython's _set_BlockingIOError.
func newWriteBlocked(written int) *BlockingIOError {
	return &BlockingIOError{Strerror: "write could not complete without blocking", CharactersWritten: written}
}

// UnicodeDecodeError is CPython's UnicodeDecodeError, raised by a text file whose input
// cannot be decoded with its encoding and errors handler. Object is the input the decoder
// had when it failed (the bytes it kept from earlier reads, then the newly received ones)
// and Start and End delimit the bad bytes in it, as CPython reports them.
type UnicodeDecodeError struct {
	Encoding string // "utf-8", "ascii"
	Object   []byte
	Start    int
	End      int
	Reason   string // "invalid start byte", "unexpected end of data", ...
}

// PyClass returns "UnicodeDecodeError".
func (*UnicodeDecodeError) PyClass() string { return "UnicodeDecodeError" }

func (e *UnicodeDecodeError) Error() string {
	if e.End == e.Start+1 {
		return fmt.Sprintf("'%s' codec can't decode byte 0x%02x in position %d: %s",
			e.Encoding, e.Object[e.Start], e.Start, e.Reason)
	}
	return fmt.Sprintf("'%s' codec can't decode bytes in position %d-%d: %s",
		e.Encoding, e.Start, e.End-1, e.Reason)
}

// The errors above are Python exceptions.
var (
	_ py.Exception = (*LookupError)(nil)
	_ py.Exception = (*UnsupportedOperation)(nil)
	_ py.Exception = (*BlockingIOError)(nil)
	_ py.Exception = (*UnicodeDecodeError)(nil)
)

// Messages CPython's io classes raise with.
const (
	msgClosedFile   = "I/O operation on closed file."
	msgClosedSocket = "I/O operation on closed socket."
)

func closedFile() error { return &ValueError{Msg: msgClosedFile} }

// noAttr is the AttributeError of a method a class does not have.
func noAttr(typeName, attr string) error {
	return &AttributeError{Msg: fmt.Sprintf("'%s' object has no attribute '%s'", typeName, attr)}
}
