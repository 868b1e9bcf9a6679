//go:build linux

package facade

import (
	"errors"
	"syscall"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// Every error the facade returns for a Python-level failure is one of py's exception
// classes (aliased below): PyClass is the class name CPython prints at the start of the
// traceback's last line, and Error is exactly the text CPython prints after "Class: ".

// The Python exception classes are the py package's; these aliases keep the facade's
// signatures readable. See package py for each class.
type (
	OSError              = py.OSError              // OSError and its PEP 3151 subclasses
	TimeoutError         = py.TimeoutError         // TimeoutError('timed out')
	GaiError             = py.GaiError             // socket.gaierror
	HError               = py.HError               // socket.herror
	ValueError           = py.ValueError           // ValueError
	TypeError            = py.TypeError            // TypeError
	OverflowError        = py.OverflowError        // OverflowError
	UnicodeError         = py.UnicodeError         // UnicodeError, UnicodeEncodeError
	AttributeError       = py.AttributeError       // AttributeError
	ExceptionGroup       = py.ExceptionGroup       // ExceptionGroup
	LookupError          = py.LookupError          // LookupError
	UnsupportedOperation = py.UnsupportedOperation // io.UnsupportedOperation
	BlockingIOError      = py.BlockingIOError      // BlockingIOError with characters_written
	UnicodeDecodeError   = py.UnicodeDecodeError   // UnicodeDecodeError
)

// IsOSError reports whether err is one of the OSError family (OSError and its subclasses,
// TimeoutError, socket.gaierror, socket.herror, BlockingIOError, io.UnsupportedOperation):
// what a Python "except OSError" catches.
func IsOSError(err error) bool { return py.IsOSError(err) }

// newOSError is CPython's PyErr_SetFromErrno: an OSError with errno's strerror text.
func newOSError(errno syscall.Errno) *OSError {
	return py.NewOSError(int(errno), csock.Strerror(int(errno)))
}

// osMessage is an OSError carrying only a message (CPython's PyErr_SetString(OSError, msg)).
func osMessage(msg string) *OSError { return py.OSMessage(msg) }

// errTimedOut is the one TimeoutError value; returning it does not allocate.
var errTimedOut error = &TimeoutError{}

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
