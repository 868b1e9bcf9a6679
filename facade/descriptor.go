//go:build linux

package facade

import (
	"syscall"

	"github.com/csock/csock/csock"
)

// Close closes the socket descriptor fd: CPython's module-level socket.close(fd), which
// socket.fromfd's and detach's callers use for a bare descriptor. Like CPython it reads fd
// as a C long and keeps its low 32 bits, calls close(2) once (never retried on EINTR),
// ignores ECONNRESET and returns any other errno as its OSError ("[Errno 9] Bad file
// descriptor" for -1 or a descriptor already closed).
//
// fd should be a bare descriptor: one a Socket owns (not detached) or an *os.File holds is
// closed behind its owner's back, as it would be in CPython.
func Close(fd int) error {
	err := csock.Close(int(int32(fd)))
	if err == nil || err == syscall.ECONNRESET {
		return nil
	}
	return fromBinding(err)
}

// Dup duplicates the descriptor fd and returns the duplicate: CPython's module-level
// socket.dup(fd) (fcntl F_DUPFD_CLOEXEC, so the duplicate is not inheritable; fd need not
// be a socket). fd is read as a C long, its low 32 bits kept; a bad one is "[Errno 9] Bad
// file descriptor".
func Dup(fd int) (int, error) {
	nfd, err := csock.Dup(int(int32(fd)))
	if err != nil {
		return -1, fromBinding(err)
	}
	return nfd, nil
}
