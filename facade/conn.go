//go:build linux

package facade

import (
	"context"
	"syscall"
)

// SyscallConn returns a syscall.RawConn over the socket's descriptor (the one Fileno
// reports), for Go programs (syscall.Conn). Its Read and Write wait on Go's runtime poller
// as the socket's own methods do, in the socket's timeout mode: without limit when the
// timeout is None, until the deadline (TimeoutError) in timeout mode, and not at all in
// non-blocking mode (a function that returns false gives BlockingIOError [Errno 11]).
// Close wakes them with [Errno 9]. The functions run while the socket holds its
// descriptor: they must not close the socket, and must not block. In None mode the
// descriptor is blocking, as CPython's is, so a function reading or writing it should
// pass MSG_DONTWAIT (recv(2), send(2), recvmsg(2)...) and return false on EAGAIN;
// otherwise its call waits in the kernel, holding the goroutine's thread.
func (s *Socket) SyscallConn() (syscall.RawConn, error) {
	if s.ref.closed() {
		return nil, newOSError(syscall.EBADF)
	}
	return &rawConn{s}, nil
}

// rawConn is the syscall.RawConn of a Socket.
type rawConn struct{ s *Socket }

var _ syscall.RawConn = (*rawConn)(nil)

// Control runs f with the descriptor, or returns [Errno 9] once the socket is closed.
func (c *rawConn) Control(f func(fd uintptr)) error {
	return c.s.withFD(func(fd int) error {
		f(uintptr(fd))
		return nil
	})
}

// Read runs f until it returns true, waiting for the descriptor to be readable in between.
func (c *rawConn) Read(f func(fd uintptr) bool) error {
	a := opArgs{kind: opUser, user: f}
	c.s.do(context.Background(), &a, false)
	return ioError("read", a.err)
}

// Write runs f until it returns true, waiting for the descriptor to be writable in
// between.
func (c *rawConn) Write(f func(fd uintptr) bool) error {
	a := opArgs{kind: opUser, user: f}
	c.s.do(context.Background(), &a, true)
	return ioError("write", a.err)
}
