//go:build linux

package reliability

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
)

// kernelSigaction is struct sigaction as rt_sigaction(2) takes it on Linux.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// sigpipeDefault gives SIGPIPE its default action (terminate the process) behind the Go
// runtime's back, and returns the handler that was installed. The runtime catches SIGPIPE
// and ignores one raised by a write outside fds 1 and 2, so without this a missing
// MSG_NOSIGNAL could not kill the process; with it, one SIGPIPE ends it.
func sigpipeDefault(t *testing.T) uintptr {
	var act, old kernelSigaction // handler 0 is SIG_DFL
	_, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGPIPE),
		uintptr(unsafe.Pointer(&act)), uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	require.Zero(t, e, "rt_sigaction: %v", e)
	var now kernelSigaction
	_, _, e = syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGPIPE),
		0, uintptr(unsafe.Pointer(&now)), 8, 0, 0)
	require.Zero(t, e)
	require.Zero(t, now.handler, "SIGPIPE is not at SIG_DFL")
	return old.handler
}

// TestBrokenPipe_IsAnErrorNeverASignal runs TestChildBrokenPipe in a process of its own whose
// SIGPIPE is at SIG_DFL: if any send reached the kernel without MSG_NOSIGNAL, the child would
// die of the signal instead of passing.
func TestBrokenPipe_IsAnErrorNeverASignal(t *testing.T) {
	want := errnoText(t, syscall.EPIPE)
	out, err := runChild(t, "TestChildBrokenPipe", childOptions{env: []string{"CSOCK_EPIPE_TEXT=" + want}})
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if st, ok := ee.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			t.Fatalf("the child was killed by %v: a send raised SIGPIPE\n%s", st.Signal(), out)
		}
	}
	require.NoError(t, err, "child:\n%s", out)
	t.Logf("child:\n%s", out)
}

// TestChildBrokenPipe is the child of TestBrokenPipe_IsAnErrorNeverASignal: every way the
// facade writes to a socket whose peer is gone (or whose own write side is shut) gives
// CPython's BrokenPipeError [Errno 32], and the process lives.
func TestChildBrokenPipe(t *testing.T) {
	inChild(t)
	was := sigpipeDefault(t)
	t.Logf("SIGPIPE handler was %#x, now SIG_DFL", was)
	want := getenv(t, "CSOCK_EPIPE_TEXT")

	// The writes, each on a fresh connection whose peer is then made to go away: each is
	// prepared (a file, an adapter made) while the connection is still whole.
	writes := map[string]func(t *testing.T, s *facade.Socket) func() error{
		"send": func(t *testing.T, s *facade.Socket) func() error {
			return func() error { _, err := s.Send([]byte("x"), 0); return err }
		},
		"sendall": func(t *testing.T, s *facade.Socket) func() error {
			return func() error { return s.SendAll(make([]byte, 1<<20), 0) }
		},
		"write": func(t *testing.T, s *facade.Socket) func() error {
			return func() error { _, err := s.Write([]byte("x")); return err }
		},
		"makefile": func(t *testing.T, s *facade.Socket) func() error {
			f, err := s.MakeFile("wb", facade.DefaultFileOptions())
			require.NoError(t, err)
			t.Cleanup(func() { f.Close() })
			return func() error {
				if _, err := f.Write([]byte("x")); err != nil {
					return err
				}
				return f.Flush()
			}
		},
		"netconn": func(t *testing.T, s *facade.Socket) func() error {
			c, err := s.NetConn()
			require.NoError(t, err)
			return func() error { _, err := c.Write([]byte("x")); return err }
		},
	}
	// The ways to lose the peer: each returns the socket to write on and what breaks it.
	peers := map[string]func(t *testing.T) (*facade.Socket, func()){
		// socketpair: the peer closed; the first write is EPIPE.
		"unix": func(t *testing.T) (*facade.Socket, func()) {
			a, b := unixPair(t)
			return a, func() { require.NoError(t, b.Close()) }
		},
		// TCP: the peer closed and answered a first write with a RST; raw writes go on
		// until the RST is in (bounded), then EPIPE.
		"tcp": func(t *testing.T) (*facade.Socket, func()) {
			srv, cli := tcpPair(t)
			return cli, func() {
				require.NoError(t, srv.Close())
				for i := 0; i < 100; i++ {
					if _, err := cli.Send([]byte("x"), 0); err != nil {
						requireErrno(t, err, syscall.EPIPE)
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
				t.Fatal("no EPIPE after 100 sends to a closed peer")
			}
		},
		// Our own write side shut down.
		"shut_wr": func(t *testing.T) (*facade.Socket, func()) {
			_, cli := tcpPair(t)
			return cli, func() { require.NoError(t, cli.Shutdown(facade.SHUT_WR)) }
		},
	}
	for pname, mk := range peers {
		for wname, prepare := range writes {
			t.Run(pname+"/"+wname, func(t *testing.T) {
				s, breakIt := mk(t)
				write := prepare(t, s)
				breakIt()
				err := write()
				require.Error(t, err)
				assert.ErrorIs(t, err, syscall.EPIPE)
				if wname != "netconn" { // net.Conn errors are *net.OpError, not Python's
					assert.Equal(t, want, pyExc(err))
				}
			})
		}
	}
	// UDP has no pipe to break, and sendto on an unconnected stream is EPIPE as well.
	s := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	_, err := s.SendTo([]byte("x"), 0, facade.InetAddress{Host: loopback, Port: 9})
	assert.Equal(t, want, pyExc(err))
}
