package pyio

import (
	"fmt"
	"syscall"

	"github.com/csock/csock/py"
)

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

// Messages CPython's io classes raise with.
const (
	msgClosedFile   = "I/O operation on closed file."
	msgClosedSocket = "I/O operation on closed socket."
)

func closedFile() error { return &py.ValueError{Msg: msgClosedFile} }

// noAttr is the AttributeError of a method a class does not have.
func noAttr(typeName, attr string) error {
	return &py.AttributeError{Msg: fmt.Sprintf("'%s' object has no attribute '%s'", typeName, attr)}
}
