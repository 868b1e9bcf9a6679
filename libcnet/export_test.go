//go:build linux

package libcnet

import (
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FullBacklog is fullBacklog for the external tests.
var FullBacklog = fullBacklog

// fullBacklog returns the port of a listener on 127.0.0.1 whose accept queue is full: the
// kernel drops new SYNs, so a connect to it never completes (until its own timeout).
func fullBacklog(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	port := strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
	// A backlog of 0 holds one connection; fill it, bounded.
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp4", "127.0.0.1:"+port, 200*time.Millisecond)
		if err != nil {
			return port
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("the kernel never dropped a SYN to a full backlog")
	return ""
}
