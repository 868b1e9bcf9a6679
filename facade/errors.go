//go:build linux

package facade

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/py"
)

// Every error the facade returns for a Python-level failure is one of the types below.
// Each implements py.Exception: PyClass is the class name CPython prints at the start of
// the traceback's last line, and Error is exactly the text CPython prints after "Class: ".

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

func (e *OSError) osError() {}

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

// newOSError is CPython's PyErr_SetFromErrno: an OSError with errno's strerror text.
func newOSError(errno syscall.Errno) *OSError {
	return &OSError{Errno: int(errno), Strerror: csock.Strerror(int(errno))}
}

// osMessage is an OSError carrying only a message (CPython's PyErr_SetString(OSError, msg)).
func osMessage(msg string) *OSError { return &OSError{Strerror: msg} }

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
func (*TimeoutError) osError()             {}

// errTimedOut is the one TimeoutError value; returning it does not allocate.
var errTimedOut error = &TimeoutError{}

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

// The facade's errors are Python exceptions.
var (
	_ py.Exception = (*OSError)(nil)
	_ py.Exception = (*TimeoutError)(nil)
	_ py.Exception = (*GaiError)(nil)
	_ py.Exception = (*HError)(nil)
	_ py.Exception = (*ValueError)(nil)
	_ py.Exception = (*TypeError)(nil)
	_ py.Exception = (*OverflowError)(nil)
	_ py.Exception = (*UnicodeError)(nil)
	_ py.Exception = (*AttributeError)(nil)
	_ py.Exception = (*ExceptionGroup)(nil)
)

// fromBinding turns an error of the csock binding into the Python exception CPython would
// raise for the same failure: errno → OSError, EAI_* → socket.gaierror (EAI_SYSTEM → the
// errno's OSError, as CPython does), h_errno → socket.herror.
//
// A nil error costs nothing: the targets errors.As needs live in fromBindingErr, where
// they escape to the heap only on the error path (most callers pass every outcome here).
func fromBinding(err error) error {
	if err == nil {
		return nil
	}
	return fromBindingErr(err)
}

// fromBindingErr is fromBinding for a non-nil err.
func fromBindingErr(err error) error {
	var errno syscall.Errno
	var gai *csock.GaiError
	var herr *csock.HError
	switch {
	case errors.As(err, &gai):
		if gai.Code == csock.EAI_SYSTEM {
			return newOSError(gai.Errno)
		}
		return &GaiError{Code: gai.Code, Strerror: csock.GaiStrerror(gai.Code)}
	case errors.As(err, &herr):
		return &HError{Code: herr.Code, Strerror: csock.HStrerror(herr.Code)}
	case errors.As(err, &errno):
		return newOSError(errno)
	}
	return err
}
