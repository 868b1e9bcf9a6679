//go:build linux

package reliability

import (
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/testutil"
)

// waitingCalls are the calls that wait: each makes a socket in the given timeout mode and
// returns it with a call that will wait on it until something happens.
var waitingCalls = map[string]func(t *testing.T, timeout any) (*facade.Socket, func() error){
	"recv": func(t *testing.T, timeout any) (*facade.Socket, func() error) {
		a, _ := unixPair(t)
		require.NoError(t, a.SetTimeout(timeout))
		return a, func() error { _, err := a.Recv(10, 0); return err }
	},
	"accept": func(t *testing.T, timeout any) (*facade.Socket, func() error) {
		l, _ := listener(t, 8)
		require.NoError(t, l.SetTimeout(timeout))
		return l, func() error {
			c, _, err := l.Accept()
			if err == nil {
				c.Close()
			}
			return err
		}
	},
	"connect": func(t *testing.T, timeout any) (*facade.Socket, func() error) {
		_, addr := fullListener(t)
		c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
		require.NoError(t, c.SetTimeout(timeout))
		return c, func() error { return c.Connect(addr) }
	},
	"sendall": func(t *testing.T, timeout any) (*facade.Socket, func() error) {
		a, _ := unixPair(t)
		require.NoError(t, a.SetTimeout(timeout))
		return a, func() error { return a.SendAll(make([]byte, 32<<20), 0) }
	},
}

// TestCloseWhileWaiting_EveryWaiterFailsWithEBADFPromptly: Close from another goroutine wakes
// Recv, Accept, Connect and SendAll, all four waiting at once, in blocking and in timeout
// mode; each returns within the promptness bound with CPython's error for a closed socket
// (python3: recv on a closed socket), and the descriptors are released.
func TestCloseWhileWaiting_EveryWaiterFailsWithEBADFPromptly(t *testing.T) {
	want := textClosed(t)
	require.Equal(t, errnoText(t, syscall.EBADF), want)
	for _, timeout := range []any{nil, 60.0} {
		type waiter struct {
			name   string
			s      *facade.Socket
			fd     int
			target string // what /proc/self/fd says the descriptor is
			wait   func() error
		}
		var ws []waiter
		for name, mk := range waitingCalls {
			s, call := mk(t, timeout)
			ws = append(ws, waiter{name: name, s: s, fd: s.Fileno()})
			ws[len(ws)-1].wait = async(t, prompt+30*time.Second, call)
		}
		fds := testutil.FDs()
		for i := range ws {
			ws[i].target = fds[ws[i].fd]
			require.Contains(t, ws[i].target, "socket:")
		}
		time.Sleep(200 * time.Millisecond) // let every call reach its wait
		start := time.Now()
		var wg sync.WaitGroup
		for _, w := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.NoError(t, w.s.Close())
			}()
		}
		wg.Wait()
		for _, w := range ws {
			err := w.wait()
			assert.Equal(t, want, pyExc(err), "%s (timeout %v)", w.name, timeout)
			assert.ErrorIs(t, err, syscall.EBADF)
			assert.Equal(t, -1, w.s.Fileno())
		}
		assert.Less(t, time.Since(start), prompt)
		// The waiters' descriptors are closed (the number may be reused, by the listing
		// of /proc/self/fd itself, but not by the same socket).
		open := testutil.FDs()
		for _, w := range ws {
			assert.NotEqual(t, w.target, open[w.fd], "%s: descriptor %d still open", w.name, w.fd)
		}
	}
}

// TestCloseWhileWaiting_RacesLeaveNoDescriptorBehind closes sockets at random moments around
// a call (before it starts, while it starts, while it waits) many times: the call returns
// promptly with [Errno 9] or with its normal outcome, never another errno (a descriptor
// number reused under a call would show as ENOTSOCK or a foreign socket's data), and
// nothing is left open.
func TestCloseWhileWaiting_RacesLeaveNoDescriptorBehind(t *testing.T) {
	before := testutil.FDs()
	rng := rand.New(rand.NewPCG(1, 2))
	const rounds = 200
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; i < rounds && time.Now().Before(deadline); i++ {
		a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
		require.NoError(t, err)
		var wait func() error
		switch i % 3 {
		case 0:
			wait = async(t, prompt, func() error { _, err := a.Recv(10, 0); return err })
		case 1:
			wait = async(t, prompt, func() error { return a.SendAll(make([]byte, 4<<20), 0) })
		default:
			require.NoError(t, a.SetTimeout(30))
			wait = async(t, prompt, func() error { _, err := a.RecvInto(make([]byte, 10), 0, 0); return err })
		}
		time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
		require.NoError(t, a.Close())
		err = wait()
		if err != nil {
			assert.ErrorIs(t, err, syscall.EBADF, "round %d: %v", i, err)
		}
		require.NoError(t, b.Close())
	}
	assert.Empty(t, testutil.LeakedFDs(before, testutil.FDs()))
}
