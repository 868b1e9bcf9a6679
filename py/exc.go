package py

import (
	"errors"
	"strings"
)

// Exception is a Python exception raised as a Go error. PyClass returns the
// class name as the last line of a CPython traceback prints it: the bare
// name for builtins ("TypeError", "ConnectionRefusedError") and
// module.name otherwise ("socket.gaierror"). Error returns str() of the
// exception, the text printed after "Class: ".
type Exception interface {
	error
	PyClass() string
}

// FormatException returns the last line of the traceback CPython prints
// for e: "Class: message", or just "Class" when the message is empty.
func FormatException(e Exception) string {
	msg := e.Error()
	if msg == "" {
		return e.PyClass()
	}
	return e.PyClass() + ": " + msg
}

// AsException returns the Python exception in err's chain, if any.
func AsException(err error) (Exception, bool) {
	var e Exception
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Error is a plain Python exception with a class name and a message, such
// as Error{Class: "ValueError", Msg: "negative shift count"}.
type Error struct {
	Class string // as printed in tracebacks, e.g. "OverflowError"
	Msg   string // str() of the exception; may be empty
}

// NewError returns an *Error of the given class and message.
func NewError(class, msg string) *Error { return &Error{Class: class, Msg: msg} }

// Error returns the message, Python's str() of the exception.
func (e *Error) Error() string { return e.Msg }

// PyClass returns the class name.
func (e *Error) PyClass() string { return e.Class }

// PyTypeName returns the class name without its module.
func (e *Error) PyTypeName() string {
	return e.Class[strings.LastIndexByte(e.Class, '.')+1:]
}

// PyStr returns the message, Python's str() of the exception.
func (e *Error) PyStr() string { return e.Msg }

// PyRepr returns Python's repr() of an exception built from one message
// argument, or from none when the message is empty: ValueError('msg') or
// ValueError().
func (e *Error) PyRepr() string {
	if e.Msg == "" {
		return e.PyTypeName() + "()"
	}
	return e.PyTypeName() + "(" + StrRepr(e.Msg) + ")"
}

// exceptionName is type(e).__name__: the class without its module ("gaierror" for
// "socket.gaierror").
func exceptionName(e Exception) string {
	c := e.PyClass()
	return c[strings.LastIndexByte(c, '.')+1:]
}
