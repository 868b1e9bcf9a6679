//go:build linux

package facade

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// The concurrency rules of the I/O model (poll.go): Close wakes every waiter with
// [Errno 9]; a context's end wakes its call at once; the socket's timeout and the context
// combine; no goroutine, descriptor or thread is left behind.

// prompt is how soon a woken call must return.
const prompt = 2 * time.Second

// blockedCall starts op in a goroutine, gives it time to block, and returns a function
// that waits (bounded by prompt) for its error.
func blockedCall(t *testing.T, op func() error) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		t.Fatalf("the call returned without blocking: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	return func() error {
		t.Helper()
		select {
		case err := <-done:
			return err
		case <-time.After(prompt):
			t.Fatalf("the call did not return within %v", prompt)
			return nil
		}
	}
}

func TestClose_WakesBlockedCallsWithEBADF(t *testing.T) {
	cases := map[string]func(t *testing.T) (blocked func() error, s *Socket){
		"recv": func(t *testing.T) (func() error, *Socket) {
			a, _ := socketPair(t)
			return func() error { _, err := a.Recv(10, 0); return err }, a
		},
		"recv_into": func(t *testing.T) (func() error, *Socket) {
			a, _ := socketPair(t)
			return func() error { _, err := a.RecvInto(make([]byte, 10), 0, 0); return err }, a
		},
		"recvfrom": func(t *testing.T) (func() error, *Socket) {
			u, _ := udpSocket(t)
			return func() error { _, _, err := u.RecvFrom(10, 0); return err }, u
		},
		"accept": func(t *testing.T) (func() error, *Socket) {
			srv, _ := tcpListener(t)
			return func() error { _, _, err := srv.Accept(); return err }, srv
		},
		"connect": func(t *testing.T) (func() error, *Socket) {
			_, addr := fullListener(t)
			c := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
			return func() error { return c.Connect(addr) }, c
		},
		"sendall": func(t *testing.T) (func() error, *Socket) {
			a, _ := socketPair(t)
			return func() error { return a.SendAll(make([]byte, 64<<20), 0) }, a
		},
		"recv_with_timeout": func(t *testing.T) (func() error, *Socket) {
			a, _ := socketPair(t)
			require.NoError(t, a.SetTimeout(30))
			return func() error { _, err := a.Recv(10, 0); return err }, a
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			op, s := mk(t)
			wait := blockedCall(t, op)
			start := time.Now()
			require.NoError(t, s.Close())
			err := wait()
			requireErrno(t, err, syscall.EBADF)
			assert.Equal(t, textEBADF, pyExc(err))
			assert.Less(t, time.Since(start), prompt)
			assert.Equal(t, -1, s.Fileno())
		})
	}
}

func TestClose_WakesEveryWaiterOfADirection(t *testing.T) {
	// Several goroutines receiving on one socket: one waits on the poller, the others for
	// the direction; Close wakes them all.
	a, _ := socketPair(t)
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() { _, err := a.Recv(1, 0); errs <- err }()
	}
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, a.Close())
	for i := 0; i < n; i++ {
		select {
		case err := <-errs:
			requireErrno(t, err, syscall.EBADF)
		case <-time.After(prompt):
			t.Fatalf("waiter %d still blocked", i)
		}
	}
}

func TestDetach_WakesBlockedCallsAndKeepsTheDescriptor(t *testing.T) {
	a, b := socketPair(t)
	wait := blockedCall(t, func() error { _, err := a.Recv(10, 0); return err })
	fd := a.Detach()
	requireErrno(t, wait(), syscall.EBADF)
	s, err := NewFromFileno(fd, -1, -1, -1)
	require.NoError(t, err)
	closeLater(t, s)
	_, err = b.Send([]byte("still open"), 0)
	require.NoError(t, err)
	got, err := s.Recv(64, 0)
	require.NoError(t, err)
	assert.Equal(t, "still open", string(got))
}

func TestContext_CancelWakesWaitingCallsAtOnce(t *testing.T) {
	cases := map[string]func(t *testing.T, ctx context.Context) func() error{
		"recv": func(t *testing.T, ctx context.Context) func() error {
			a, _ := socketPair(t)
			return func() error { _, err := a.RecvContext(ctx, 10, 0); return err }
		},
		"recv_into": func(t *testing.T, ctx context.Context) func() error {
			a, _ := socketPair(t)
			return func() error { _, err := a.RecvIntoContext(ctx, make([]byte, 4), 0, 0); return err }
		},
		"recvfrom": func(t *testing.T, ctx context.Context) func() error {
			u, _ := udpSocket(t)
			return func() error { _, _, err := u.RecvFromContext(ctx, 10, 0); return err }
		},
		"accept": func(t *testing.T, ctx context.Context) func() error {
			srv, _ := tcpListener(t)
			return func() error { _, _, err := srv.AcceptContext(ctx); return err }
		},
		"connect": func(t *testing.T, ctx context.Context) func() error {
			_, addr := fullListener(t)
			c := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
			return func() error { return c.ConnectContext(ctx, addr) }
		},
		"send": func(t *testing.T, ctx context.Context) func() error {
			a, _ := socketPair(t)
			fill(t, a)
			return func() error { _, err := a.SendContext(ctx, []byte("x"), 0); return err }
		},
		"sendall": func(t *testing.T, ctx context.Context) func() error {
			a, _ := socketPair(t)
			return func() error { return a.SendAllContext(ctx, make([]byte, 64<<20), 0) }
		},
		"sendto": func(t *testing.T, ctx context.Context) func() error {
			// An AF_UNIX datagram receiver that never reads: its queue fills up.
			path := t.TempDir() + "/dgram"
			r := mustSocket(t, csock.AF_UNIX, csock.SOCK_DGRAM, -1)
			require.NoError(t, r.Bind(path))
			a := mustSocket(t, csock.AF_UNIX, csock.SOCK_DGRAM, -1)
			require.NoError(t, a.SetBlocking(false))
			for i := 0; ; i++ {
				require.Less(t, i, 100000, "the receiver's queue never filled")
				if _, err := a.SendTo([]byte("x"), 0, path); err != nil {
					requireErrno(t, err, syscall.EAGAIN)
					break
				}
			}
			require.NoError(t, a.SetBlocking(true))
			return func() error { _, err := a.SendToContext(ctx, []byte("x"), 0, path); return err }
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			wait := blockedCall(t, mk(t, ctx))
			start := time.Now()
			cancel()
			err := wait()
			assert.ErrorIs(t, err, context.Canceled)
			assert.Less(t, time.Since(start), prompt)
		})
	}
}

// fill makes s's send buffer full, so that a further send would block.
func fill(t *testing.T, s *Socket) {
	t.Helper()
	require.NoError(t, s.SetBlocking(false))
	chunk := make([]byte, 4096)
	for i := 0; i < 100000; i++ {
		if _, err := s.Send(chunk, 0); err != nil {
			requireErrno(t, err, syscall.EAGAIN)
			require.NoError(t, s.SetBlocking(true))
			return
		}
	}
	t.Fatal("the send buffer never filled")
}

func TestContext_EarlierOfTimeoutAndContextWins(t *testing.T) {
	a, _ := socketPair(t)

	require.NoError(t, a.SetTimeout(0.1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err := a.RecvContext(ctx, 1, 0)
	cancel()
	requireTimedOut(t, err)

	require.NoError(t, a.SetTimeout(5))
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	start := time.Now()
	_, err = a.RecvContext(ctx, 1, 0)
	cancel()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, errors.Is(err, errTimedOut))
	assert.Less(t, time.Since(start), prompt)
}

func TestContext_EndedContextFailsAtOnceAndLeavesTheSocketUsable(t *testing.T) {
	a, b := socketPair(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := a.RecvContext(ctx, 1, 0)
	assert.ErrorIs(t, err, context.Canceled)

	// A cancelled wait moves the direction's deadline; the next call must not see it.
	ctx, cancel = context.WithCancel(context.Background())
	wait := blockedCall(t, func() error { _, err := a.RecvContext(ctx, 1, 0); return err })
	cancel()
	assert.ErrorIs(t, wait(), context.Canceled)
	send := goAsync(t, func() error {
		time.Sleep(100 * time.Millisecond)
		_, err := b.Send([]byte("z"), 0)
		return err
	})
	got, err := a.Recv(1, 0)
	require.NoError(t, err)
	assert.Equal(t, "z", string(got))
	require.NoError(t, send())

	// A context that never ends changes nothing.
	_, err = b.Send([]byte("w"), 0)
	require.NoError(t, err)
	got, err = a.RecvContext(context.Background(), 1, 0)
	require.NoError(t, err)
	assert.Equal(t, "w", string(got))
}

func TestConcurrency_ManyReadersAndWritersLoseNoWakeUp(t *testing.T) {
	// Edge-triggered readiness with several goroutines per direction: every byte sent is
	// received, nobody sleeps through a wake-up.
	a, b := socketPair(t)
	const readers, writers, perWriter = 8, 8, 200
	var received atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 7)
			for {
				n, err := b.RecvInto(buf, 0, 0)
				if err != nil || n == 0 {
					return
				}
				received.Add(int64(n))
			}
		}()
	}
	var wwg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			for j := 0; j < perWriter; j++ {
				if err := a.SendAll([]byte("0123456789"), 0); err != nil {
					t.Error(err)
					return
				}
				if j%50 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	wwg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for received.Load() < writers*perWriter*10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	assert.EqualValues(t, writers*perWriter*10, received.Load())
	require.NoError(t, a.Shutdown(csock.SHUT_WR))
	within(t, prompt, "readers", wg.Wait)
}

func TestConcurrency_CloseDuringTrafficReleasesTheDescriptorOnlyWhenIdle(t *testing.T) {
	// Close racing with calls in flight: every call ends with success or [Errno 9], and the
	// descriptor number is not reused while any of them could still use it (the race
	// detector and the fd reference count see to the rest).
	for round := 0; round < 20; round++ {
		a, b, err := SocketPair(-1, -1, -1)
		require.NoError(t, err)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for j := 0; j < 50; j++ {
					if _, err := a.Send([]byte("x"), 0); err != nil {
						if !errors.Is(err, syscall.EBADF) && !errors.Is(err, syscall.EPIPE) {
							t.Error(err)
						}
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for j := 0; j < 50; j++ {
					if _, err := b.Recv(1, 0); err != nil {
						if !errors.Is(err, syscall.EBADF) {
							t.Error(err)
						}
						return
					}
				}
			}()
		}
		time.Sleep(time.Millisecond)
		require.NoError(t, b.Close())
		require.NoError(t, a.Close())
		within(t, prompt, "traffic", wg.Wait)
	}
}

func TestFDRef_CloseWaitsForCallsInFlight(t *testing.T) {
	a, _ := socketPair(t)
	require.True(t, a.ref.incref())
	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while a call was in flight")
	case <-time.After(100 * time.Millisecond):
	}
	assert.False(t, a.ref.incref(), "no new call starts once Close began")
	assert.Equal(t, -1, a.Fileno())
	a.ref.decref()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(prompt):
		t.Fatal("Close did not finish after the last call ended")
	}
}

func TestConcurrency_TenThousandOperationsLeaveNothingBehind(t *testing.T) {
	// 10,000 concurrent send/receive operations over 100 socket pairs, half of them made to
	// wait; then everything is closed: no goroutine or descriptor may remain (TestMain
	// checks the whole package too).
	before := testutil.FDs()
	goroutines := runtime.NumGoroutine()
	const pairs, opsPerPair = 100, 50
	var socks []*Socket
	var wg sync.WaitGroup
	var failures atomic.Int64
	for i := 0; i < pairs; i++ {
		a, b, err := SocketPair(-1, -1, -1)
		require.NoError(t, err)
		socks = append(socks, a, b)
		for j := 0; j < opsPerPair; j++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := b.Recv(1, 0); err != nil {
					failures.Add(1)
				}
			}()
			go func() {
				defer wg.Done()
				if err := a.SendAll([]byte("x"), 0); err != nil {
					failures.Add(1)
				}
			}()
		}
	}
	within(t, 60*time.Second, "10,000 operations", wg.Wait)
	assert.Zero(t, failures.Load())
	for _, s := range socks {
		require.NoError(t, s.Close())
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), goroutines)
	assert.Empty(t, testutil.LeakedFDs(before, testutil.FDs()))
}

func TestRawConn_ReadWaitsOnThePollerAndControlSeesTheDescriptor(t *testing.T) {
	a, b := socketPair(t)
	rc, err := a.SyscallConn()
	require.NoError(t, err)
	var seen uintptr
	require.NoError(t, rc.Control(func(fd uintptr) { seen = fd }))
	assert.Equal(t, uintptr(a.Fileno()), seen)

	send := goAsync(t, func() error {
		time.Sleep(50 * time.Millisecond)
		_, err := b.Send([]byte("raw"), 0)
		return err
	})
	var got []byte
	calls := 0
	err = rc.Read(func(fd uintptr) bool {
		calls++
		buf := make([]byte, 16)
		n, err := csock.Recv(int(fd), buf, csock.MSG_DONTWAIT)
		if err == syscall.EAGAIN {
			return false
		}
		got = buf[:n]
		return true
	})
	require.NoError(t, err)
	require.NoError(t, send())
	assert.Equal(t, "raw", string(got))
	assert.GreaterOrEqual(t, calls, 2, "the first call found nothing and waited")

	require.NoError(t, a.SetBlocking(false))
	err = rc.Read(func(uintptr) bool { return false })
	requireErrno(t, err, syscall.EAGAIN)
	require.NoError(t, rc.Write(func(uintptr) bool { return true }))
	require.NoError(t, a.Close())
	requireErrno(t, rc.Control(func(uintptr) {}), syscall.EBADF)
}

func TestReaderWriter_EOFAndPartialCounts(t *testing.T) {
	a, b := socketPair(t)
	n, err := a.Write([]byte("hello"))
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	require.NoError(t, a.Shutdown(csock.SHUT_WR))
	var out bytes.Buffer
	// ReadFrom loops until io.EOF: bounded, a Read that never reports the end fails here.
	_, err = out.ReadFrom(testutil.BoundedReader(b, 100, 10*time.Second))
	require.NoError(t, err, "ReadFrom stops at io.EOF")
	assert.Equal(t, "hello", out.String())
	n, err = b.Read(nil)
	assert.Zero(t, n)
	assert.NoError(t, err)

	require.NoError(t, b.Close())
	n, err = a.Write([]byte("x"))
	assert.Zero(t, n)
	assert.Equal(t, textEPIPE, pyExc(err))
}

func TestAFUnixConnect_WaitsForRoomInTheBacklogInBlockingMode(t *testing.T) {
	// A blocking AF_UNIX connect(2) to a listener with a full backlog waits for room; the
	// emulation retries until the listener accepts.
	path := t.TempDir() + "/s"
	srv := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	require.NoError(t, srv.Bind(path))
	require.NoError(t, srv.Listen(0))
	var clients []*Socket
	for i := 0; i < 8; i++ {
		c := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
		require.NoError(t, c.SetBlocking(false))
		if err := c.Connect(path); err != nil {
			requireErrno(t, err, syscall.EAGAIN)
			break
		}
		clients = append(clients, c)
	}
	require.NotEmpty(t, clients, "the backlog took no connection at all")
	c := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	wait := blockedCall(t, func() error { return c.Connect(path) })
	for range clients {
		conn, _, err := srv.Accept()
		require.NoError(t, err)
		closeLater(t, conn)
	}
	require.NoError(t, wait())
	p, err := c.GetPeerName()
	require.NoError(t, err)
	assert.Equal(t, py.Repr(path), p.PyRepr())
}
