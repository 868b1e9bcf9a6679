//go:build linux

package facade

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
)

// The runtime poller's ownership rules (poll.go): a detached descriptor keeps its
// registration for a later NewFromFileno, a descriptor the user closed frees its number
// for a fresh socket, and a descriptor another owner has on Go's poller is refused.

// recvLater receives one byte on s while b sends it after a short pause (so that the
// receive waits on the poller).
func recvLater(t *testing.T, s, b *Socket) {
	t.Helper()
	wait := goAsync(t, func() error {
		time.Sleep(20 * time.Millisecond)
		_, err := b.Send([]byte("x"), 0)
		return err
	})
	got, err := s.Recv(1, 0)
	require.NoError(t, err)
	assert.Equal(t, "x", string(got))
	require.NoError(t, wait())
}

func TestPoller_DetachedDescriptorClosedByTheUserFreesItsNumberForANewSocket(t *testing.T) {
	a, b := socketPair(t)
	recvLater(t, a, b)
	require.NotNil(t, a.pf.Load(), "a waited, so it registered")
	fd := a.Detach()
	require.NoError(t, csock.Close(fd))

	// The lowest free number is fd again: a new pair takes it, registers and waits.
	c, d, err := SocketPair(-1, -1, -1)
	require.NoError(t, err)
	closeLater(t, c)
	closeLater(t, d)
	require.Equal(t, fd, c.Fileno(), "the test needs the number to be reused")
	recvLater(t, c, d)
	require.NotNil(t, c.pf.Load())
	assert.NotSame(t, a.pf.Load(), c.pf.Load())

	// And detaching and re-adopting the new one takes its own registration back.
	pf := c.pf.Load()
	n, err := NewFromFileno(c.Detach(), -1, -1, -1)
	require.NoError(t, err)
	closeLater(t, n)
	assert.Same(t, pf, n.pf.Load())
	recvLater(t, n, d)
}

func TestPoller_AdoptingADescriptorGoNetOwnsIsFileExists(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	raw, err := ln.(*net.TCPListener).SyscallConn()
	require.NoError(t, err)
	var fd int
	require.NoError(t, raw.Control(func(f uintptr) { fd = int(f) }))

	_, err = NewFromFileno(fd, -1, -1, -1)
	requireErrno(t, err, syscall.EEXIST)
	assert.Equal(t, "[Errno 17] File exists", err.Error())

	// The descriptor is still the listener's: it accepts.
	go func() {
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			c.Close()
		}
	}()
	require.NoError(t, ln.(*net.TCPListener).SetDeadline(time.Now().Add(10*time.Second)))
	c, err := ln.Accept()
	require.NoError(t, err)
	c.Close()
}

func TestPoller_FromFDOfADescriptorGoNetOwnsWorks(t *testing.T) {
	// FromFD duplicates: the copy is a new number, which the poller does not know yet.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	raw, err := ln.(*net.TCPListener).SyscallConn()
	require.NoError(t, err)
	var fd int
	require.NoError(t, raw.Control(func(f uintptr) { fd = int(f) }))
	s, err := FromFD(fd, -1, -1, -1)
	require.NoError(t, err)
	closeLater(t, s)
	require.NoError(t, s.SetTimeout(10))
	go func() {
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			time.Sleep(50 * time.Millisecond)
			c.Close()
		}
	}()
	conn, _, err := s.Accept()
	require.NoError(t, err)
	require.NoError(t, conn.Close())
}
