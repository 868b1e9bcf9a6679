package py

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// The built-in exception classes that csock raises, as Go error types. Each implements
// Exception: PyClass is the class name CPython prints at the start of a traceback's last
// line, and Error is exactly the text CPython prints after "Class: ". For Go code, the
// OSError family unwraps to syscall.Errno (errors.Is(err, syscall.ECONNREFUSED)), and
// TimeoutError is a net.Error matching os.ErrDeadlineExceeded.

// OSError is CPython's OSError, and the PEP 3151 subclass its errno maps to
// (ConnectionRefusedError, BlockingIOError, FileNotFoundError, ...: see PyClass).
//
// An OSError built from an errno prints as "[Errno 111] Connection refused"; one built
// with a message only (Errno 0, for instance "service/proto not found") prints the
// message. errors.Is(err, syscall.ECONNREFUSED) matches on Errno.
type OSError struct {
	Errno    int    // the errno, or 0 for a message-only OSError
	Strerror string // strerror(Errno), or the message
}

// PyClass returns the PEP 3151 class CPython picks for the errno.
func (e *OSError) PyClass() string {
	if c, ok := errnoClass[syscall.Errno(e.Errno)]; ok && e.Errno > 0 {
		return c
	}
	return "OSError"
}

func (e *OSError) Error() string {
	if e.Errno == 0 {
		return e.Strerror
	}
	return fmt.Sprintf("[Errno %d] %s", e.Errno, e.Strerror)
}

// Unwrap returns the errno as a syscall.Errno (nil for a message-only error).
func (e *OSError) Unwrap() error {
	if e.Errno <= 0 {
		return nil
	}
	return syscall.Errno(e.Errno)
}

func (*OSError) osError() {}

// errnoClass is PEP 3151's errno-to-subclass table as CPython 3.11 builds it on Linux.
var errnoClass = map[syscall.Errno]string{
	syscall.EAGAIN:       "BlockingIOError",
	syscall.EALREADY:     "BlockingIOError",
	syscall.EINPROGRESS:  "BlockingIOError",
	syscall.ECHILD:       "ChildProcessError",
	syscall.EPIPE:        "BrokenPipeError",
	syscall.ESHUTDOWN:    "BrokenPipeError",
	syscall.ECONNABORTED: "ConnectionAbortedError",
	syscall.ECONNREFUSED: "ConnectionRefusedError",
	syscall.ECONNRESET:   "ConnectionResetError",
	syscall.EEXIST:       "FileExistsError",
	syscall.ENOENT:       "FileNotFoundError",
	syscall.EISDIR:       "IsADirectoryError",
	syscall.ENOTDIR:      "NotADirectoryError",
	syscall.EINTR:        "InterruptedError",
	syscall.EACCES:       "PermissionError",
	syscall.EPERM:        "PermissionError",
	syscall.ESRCH:        "ProcessLookupError",
	syscall.ETIMEDOUT:    "TimeoutError",
}

// NewOSError is CPython's OSError(errno, strerror): the errno's PEP 3151 class, printed as
// "[Errno N] strerror".
func NewOSError(errno int, strerror string) *OSError {
	return &OSError{Errno: errno, Strerror: strerror}
}

// OSMessage is an OSError carrying only a message (CPython's PyErr_SetString(OSError,
// msg)): errno None, printed as the message.
func OSMessage(msg string) *OSError { return &OSError{Strerror: msg} }

// TimeoutError is the error of a socket operation whose timeout expired: CPython's
// TimeoutError('timed out'), which has no errno. errors.Is(err, os.ErrDeadlineExceeded)
// is true for it. (An ETIMEDOUT from the kernel is an *OSError whose class is also
// TimeoutError, but with errno 110.)
type TimeoutError struct{}

// PyClass returns "TimeoutError".
func (*TimeoutError) PyClass() string { return "TimeoutError" }
func (*TimeoutError) Error() string   { return "timed out" }

// Is reports whether target is os.ErrDeadlineExceeded.
func (*TimeoutError) Is(target error) bool { return target == os.ErrDeadlineExceeded }

// Timeout reports true: a TimeoutError is a net.Error whose deadline passed.
func (*TimeoutError) Timeout() bool { return true }

// Temporary reports true, as net's own timeout errors do.
func (*TimeoutError) Temporary() bool { return true }
func (*TimeoutError) osError()        {}

// GaiError is socket.gaierror: a getaddrinfo or getnameinfo failure, with glibc's EAI_*
// code (negative) and gai_strerror text: "[Errno -2] Name or service not known".
type GaiError struct {
	Code     int
	Strerror string
}

// PyClass returns "socket.gaierror".
func (*GaiError) PyClass() string { return "socket.gaierror" }
func (e *GaiError) Error() string { return fmt.Sprintf("[Errno %d] %s", e.Code, e.Strerror) }
func (*GaiError) osError()        {}

// Is reports whether target is a *GaiError with the same Code, so that a failure can be
// matched by its EAI code: errors.Is(err, &py.GaiError{Code: -2}) (EAI_NONAME).
func (e *GaiError) Is(target error) bool {
	t, ok := target.(*GaiError)
	return ok && t.Code == e.Code
}

// HError is socket.herror: a gethostbyname_ex or gethostbyaddr lookup that found nothing,
// with h_errno and hstrerror text: "[Errno 1] Unknown host".
type HError struct {
	Code     int
	Strerror string
}

// PyClass returns "socket.herror".
func (*HError) PyClass() string { return "socket.herror" }
func (e *HError) Error() string { return fmt.Sprintf("[Errno %d] %s", e.Code, e.Strerror) }
func (*HError) osError()        {}

// Is reports whether target is an *HError with the same Code (h_errno).
func (e *HError) Is(target error) bool {
	t, ok := target.(*HError)
	return ok && t.Code == e.Code
}

// IsOSError reports whether err is one of the OSError family (OSError and its subclasses,
// TimeoutError, socket.gaierror, socket.herror): what a Python "except OSError" catches.
func IsOSError(err error) bool {
	var o interface{ osError() }
	return errors.As(err, &o)
}

// ValueError is CPython's ValueError.
type ValueError struct{ Msg string }

// PyClass returns "ValueError".
func (*ValueError) PyClass() string { return "ValueError" }
func (e *ValueError) Error() string { return e.Msg }

// TypeError is CPython's TypeError: an argument of the wrong type or count.
type TypeError struct{ Msg string }

// PyClass returns "TypeError".
func (*TypeError) PyClass() string { return "TypeError" }
func (e *TypeError) Error() string { return e.Msg }

// OverflowError is CPython's OverflowError: an integer out of a C type's range.
type OverflowError struct{ Msg string }

// PyClass returns "OverflowError".
func (*OverflowError) PyClass() string { return "OverflowError" }
func (e *OverflowError) Error() string { return e.Msg }

// UnicodeError is CPython's UnicodeError, or its subclass UnicodeEncodeError (Class says
// which): an IDNA encoding failure, or a str that cannot be encoded.
type UnicodeError struct {
	Class string // "UnicodeError" or "UnicodeEncodeError"
	Msg   string
}

// PyClass returns the class.
func (e *UnicodeError) PyClass() string { return e.Class }
func (e *UnicodeError) Error() string   { return e.Msg }

// AttributeError is CPython's AttributeError (getfqdn(None) raises one).
type AttributeError struct{ Msg string }

// PyClass returns "AttributeError".
func (*AttributeError) PyClass() string { return "AttributeError" }
func (e *AttributeError) Error() string { return e.Msg }

// RuntimeWarning is CPython's RuntimeWarning, a warning rather than an error: socket's
// recvmsg issues one ("received malformed or improperly-truncated ancillary data") and goes
// on, unless the warnings filter turns it into an exception. The facade hands it to its
// warning handler (facade.SetWarningHandler), which decides the same.
type RuntimeWarning struct{ Msg string }

// PyClass returns "RuntimeWarning".
func (*RuntimeWarning) PyClass() string { return "RuntimeWarning" }
func (e *RuntimeWarning) Error() string { return e.Msg }

// ExceptionGroup is CPython's ExceptionGroup: create_connection(..., all_errors=True)
// raises one holding an error per address tried. errors.Is and errors.As see the members.
type ExceptionGroup struct {
	Msg    string
	Errors []error
}

// PyClass returns "ExceptionGroup".
func (*ExceptionGroup) PyClass() string { return "ExceptionGroup" }

func (e *ExceptionGroup) Error() string {
	s := "s"
	if len(e.Errors) == 1 {
		s = ""
	}
	return fmt.Sprintf("%s (%d sub-exception%s)", e.Msg, len(e.Errors), s)
}

// Unwrap returns the member errors.
func (e *ExceptionGroup) Unwrap() []error { return e.Errors }

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

// NewWriteBlocked is the BlockingIOError of CPython's _set_BlockingIOError: a buffered
// write that could not complete without blocking after written bytes were accepted.
func NewWriteBlocked(written int) *BlockingIOError {
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

// The args of each class, as BaseException.__repr__ prints them (see Repr): what CPython
// passes when it raises one.

func (e *OSError) pyArgs() []any {
	if e.Errno == 0 {
		return msgArgs(e.Strerror)
	}
	return []any{e.Errno, e.Strerror}
}
func (*TimeoutError) pyArgs() []any           { return []any{"timed out"} }
func (e *GaiError) pyArgs() []any             { return []any{e.Code, e.Strerror} }
func (e *HError) pyArgs() []any               { return []any{e.Code, e.Strerror} }
func (e *ValueError) pyArgs() []any           { return msgArgs(e.Msg) }
func (e *TypeError) pyArgs() []any            { return msgArgs(e.Msg) }
func (e *OverflowError) pyArgs() []any        { return msgArgs(e.Msg) }
func (e *UnicodeError) pyArgs() []any         { return msgArgs(e.Msg) }
func (e *AttributeError) pyArgs() []any       { return msgArgs(e.Msg) }
func (e *RuntimeWarning) pyArgs() []any       { return msgArgs(e.Msg) }
func (e *LookupError) pyArgs() []any          { return msgArgs(e.Msg) }
func (e *UnsupportedOperation) pyArgs() []any { return msgArgs(e.Msg) }
func (e *BlockingIOError) pyArgs() []any {
	return []any{int(syscall.EAGAIN), e.Strerror, e.CharactersWritten}
}
func (e *ExceptionGroup) pyArgs() []any { return []any{e.Msg, exceptionList(e.Errors)} }
func (e *UnicodeDecodeError) pyArgs() []any {
	return []any{e.Encoding, e.Object, e.Start, e.End, e.Reason}
}

// msgArgs is the args of an exception raised with one message, none when it is empty.
func msgArgs(msg string) []any {
	if msg == "" {
		return nil
	}
	return []any{msg}
}

// exceptionList is an ExceptionGroup's member list as a Python list: each member that is
// a Python exception as itself, any other Go error as an exception built from its text.
func exceptionList(errs []error) List {
	l := make(List, len(errs))
	for i, err := range errs {
		if e, ok := err.(Exception); ok {
			l[i] = e
		} else {
			l[i] = &Error{Class: "Exception", Msg: err.Error()}
		}
	}
	return l
}

// The classes above are Python exceptions.
var (
	_ Exception = (*OSError)(nil)
	_ Exception = (*TimeoutError)(nil)
	_ Exception = (*GaiError)(nil)
	_ Exception = (*HError)(nil)
	_ Exception = (*ValueError)(nil)
	_ Exception = (*TypeError)(nil)
	_ Exception = (*OverflowError)(nil)
	_ Exception = (*UnicodeError)(nil)
	_ Exception = (*AttributeError)(nil)
	_ Exception = (*ExceptionGroup)(nil)
	_ Exception = (*LookupError)(nil)
	_ Exception = (*UnsupportedOperation)(nil)
	_ Exception = (*BlockingIOError)(nil)
	_ Exception = (*UnicodeDecodeError)(nil)
)
