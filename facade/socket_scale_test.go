//go:build linux

package facade

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
)

// blockedSockets is how many sockets TestScale_TenThousandBlockedReceivesUseFewThreads
// blocks in Recv at once (as socket pairs), if the descriptor limit allows.
const blockedSockets = 10000

func TestScale_TenThousandBlockedReceivesUseFewThreads(t *testing.T) {
	// DESIGN.md: "ten thousand blocked sockets must not mean ten thousand threads". A
	// blocked socket costs its one descriptor (the poller adds none per socket), so 10,000
	// of them fit the 20,000 RLIMIT_NOFILE of the machines here.
	socks := scaleSockets(t)
	blockAndWake(t, socks)
}

func TestScale_ReadoptedDetachedSocketsStayPollable(t *testing.T) {
	// socket(fileno=s.detach()) on 10,000 sockets that had registered with the poller:
	// each new socket takes the parked registration back, so its waits still park on the
	// runtime poller (a second os.NewFile would get EEXIST from epoll_ctl and wait with a
	// thread, or not at all).
	socks := scaleSockets(t)
	for i, s := range socks {
		old, err := s.poller()
		require.NoError(t, err)
		fd := s.Detach()
		require.NotEqual(t, -1, fd)
		n, err := NewFromFileno(fd, -1, -1, -1)
		require.NoError(t, err)
		require.Same(t, old, n.pf.Load(), "the parked registration is taken back")
		socks[i] = n
	}
	blockAndWake(t, socks)
}

// scaleSockets makes blockedSockets sockets as socket pairs (closed by the test's cleanup).
func scaleSockets(t *testing.T) []*Socket {
	t.Helper()
	if testing.Short() {
		t.Skip("makes 10,000 descriptors")
	}
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	const slack = 64 // descriptors kept free for the runtime and the test framework
	require.GreaterOrEqual(t, int(lim.Cur), blockedSockets+slack+len(testutil.FDs()),
		"RLIMIT_NOFILE is too low for the test")
	socks := make([]*Socket, 0, blockedSockets)
	t.Cleanup(func() {
		for _, s := range socks {
			s.Close()
		}
	})
	for len(socks) < blockedSockets {
		a, b, err := SocketPair(-1, -1, -1)
		require.NoError(t, err)
		socks = append(socks, a, b)
	}
	return socks
}

// blockAndWake blocks a goroutine in Recv on each socket of socks (pairs: socks[i] and
// socks[i+1] are connected), checks that they hold at most 64 OS threads, then wakes each
// with one byte.
func blockAndWake(t *testing.T, socks []*Socket) {
	t.Helper()
	runtime.GC()
	before := procStatus(t)
	results := make(chan error, len(socks))
	var got atomic.Int64
	for _, s := range socks {
		go func() {
			b, err := s.Recv(1, 0)
			if err == nil {
				got.Add(int64(len(b)))
			}
			results <- err
		}()
	}
	// A socket registers with the poller right before its first wait.
	deadline := time.Now().Add(2 * time.Minute)
	for registered := 0; registered < len(socks); {
		require.True(t, time.Now().Before(deadline), "only %d sockets blocked after 2 minutes", registered)
		time.Sleep(50 * time.Millisecond)
		registered = 0
		for _, s := range socks {
			if s.pf.Load() != nil {
				registered++
			}
		}
	}
	time.Sleep(200 * time.Millisecond)
	after := procStatus(t)
	threads := after.Threads
	t.Logf("%d sockets blocked in Recv: %d OS threads (%d before), RSS %d kB -> %d kB, %.0f bytes per blocked socket",
		len(socks), threads, before.Threads, before.RSS>>10, after.RSS>>10, float64(after.RSS-before.RSS)/float64(len(socks)))
	assert.LessOrEqual(t, threads, 64)
	select {
	case err := <-results:
		t.Fatalf("a receive returned while nothing was sent: %v", err)
	default:
	}

	// Wake them all with one byte each.
	for i := 0; i < len(socks); i += 2 {
		_, err := socks[i].Send([]byte("x"), 0)
		require.NoError(t, err)
		_, err = socks[i+1].Send([]byte("y"), 0)
		require.NoError(t, err)
	}
	for range socks {
		select {
		case err := <-results:
			require.NoError(t, err)
		case <-time.After(time.Minute):
			t.Fatalf("only %d receives returned", got.Load())
		}
	}
	assert.EqualValues(t, len(socks), got.Load())
}
