package netpoll_test

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/netpoll"
	"github.com/csock/csock/internal/procstat"
	"github.com/csock/csock/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// pair returns a non-blocking socketpair, closed at the end of the test.
func pair(t testing.TB) (int, int) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, 0)
	require.NoError(t, err)
	t.Cleanup(func() { csock.Close(fds[0]); csock.Close(fds[1]) })
	return fds[0], fds[1]
}

func open(t testing.TB, fd int) *netpoll.Desc {
	d, err := netpoll.Open(fd)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

// recvWait receives into buf, waiting on d as the facade does.
func recvWait(d *netpoll.Desc, fd int, buf []byte, deadline time.Time, done <-chan struct{}) (int, error) {
	for {
		seq := d.Seq(netpoll.Read)
		n, err := csock.Recv(fd, buf, 0)
		if err != syscall.EAGAIN {
			return n, err
		}
		if err := d.Wait(netpoll.Read, seq, deadline, done); err != nil {
			return 0, err
		}
	}
}

func TestWait_WakesOnData(t *testing.T) {
	a, b := pair(t)
	d := open(t, a)
	go func() {
		time.Sleep(20 * time.Millisecond)
		csock.Send(b, []byte("x"), 0)
	}()
	buf := make([]byte, 4)
	n, err := recvWait(d, a, buf, time.Now().Add(10*time.Second), nil)
	require.NoError(t, err)
	assert.Equal(t, "x", string(buf[:n]))
}

func TestWait_NoLostWakeupUnderPingPong(t *testing.T) {
	// Thousands of round trips: an edge lost between an attempt and its wait would hang a
	// side until the deadline.
	a, b := pair(t)
	da, db := open(t, a), open(t, b)
	const rounds = 2000
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1)
		for i := 0; i < rounds; i++ {
			if _, err := recvWait(db, b, buf, deadline, nil); !assert.NoError(t, err) {
				return
			}
			csock.Send(b, buf, 0)
		}
	}()
	buf := make([]byte, 1)
	for i := 0; i < rounds; i++ {
		_, err := csock.Send(a, []byte{byte(i)}, 0)
		require.NoError(t, err)
		_, err = recvWait(da, a, buf, deadline, nil)
		require.NoError(t, err)
		require.Equal(t, byte(i), buf[0])
	}
	wg.Wait()
}

func TestWait_DeadlineAndCancel(t *testing.T) {
	a, _ := pair(t)
	d := open(t, a)
	buf := make([]byte, 1)
	start := time.Now()
	_, err := recvWait(d, a, buf, start.Add(50*time.Millisecond), nil)
	assert.ErrorIs(t, err, netpoll.ErrTimeout)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	_, err = recvWait(d, a, buf, start.Add(-time.Second), nil)
	assert.ErrorIs(t, err, netpoll.ErrTimeout, "a deadline already passed does not wait")

	done := make(chan struct{})
	time.AfterFunc(20*time.Millisecond, func() { close(done) })
	_, err = recvWait(d, a, buf, time.Time{}, done)
	assert.ErrorIs(t, err, netpoll.ErrCanceled)
}

func TestClose_WakesWaiterAndLeavesDescriptorOpen(t *testing.T) {
	a, b := pair(t)
	d, err := netpoll.Open(a)
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() {
		_, err := recvWait(d, a, make([]byte, 1), time.Time{}, nil)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, d.Close())
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, netpoll.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not wake the waiter")
	}
	require.NoError(t, d.Close(), "Close is idempotent")

	// The descriptor is still open and usable, and can be registered again.
	_, err = csock.Send(b, []byte("y"), 0)
	require.NoError(t, err)
	d2 := open(t, a)
	buf := make([]byte, 1)
	n, err := recvWait(d2, a, buf, time.Now().Add(10*time.Second), nil)
	require.NoError(t, err)
	assert.Equal(t, "y", string(buf[:n]))
}

func TestWait_WriteReadiness(t *testing.T) {
	a, b := pair(t)
	d := open(t, a)
	chunk := make([]byte, 1<<16)
	// Fill a's send buffer.
	for i := 0; i < 10000; i++ {
		if _, err := csock.Send(a, chunk, 0); err == syscall.EAGAIN {
			break
		}
	}
	seq := d.Seq(netpoll.Write)
	_, err := csock.Send(a, chunk, 0)
	require.ErrorIs(t, err, syscall.EAGAIN)
	go func() {
		buf := make([]byte, 1<<20)
		for i := 0; i < 100; i++ {
			if n, _ := csock.Recv(b, buf, 0); n == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	assert.NoError(t, d.Wait(netpoll.Write, seq, time.Now().Add(10*time.Second), nil))
}

func TestWait_DoesNotAllocate(t *testing.T) {
	a, b := pair(t)
	d := open(t, a)
	buf := make([]byte, 1)
	one := []byte{1}
	deadline := time.Now().Add(time.Minute)
	// Warm up: the first timed wait creates the direction's timer.
	go func() { time.Sleep(10 * time.Millisecond); csock.Send(b, one, 0) }()
	_, err := recvWait(d, a, buf, deadline, nil)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(200, func() {
		// Wait with nothing to read, then with data arriving: both paths.
		seq := d.Seq(netpoll.Read)
		_ = d.Wait(netpoll.Read, seq, time.Now().Add(time.Microsecond), nil)
		csock.Send(b, one, 0)
		recvWait(d, a, buf, deadline, nil)
	})
	assert.Zero(t, allocs)
}

func threads(t testing.TB) int {
	st, err := procstat.Read()
	require.NoError(t, err)
	return st.Threads
}

func TestManyWaiters_FewThreads(t *testing.T) {
	// 2,000 goroutines parked in Wait hold no OS thread each.
	const n = 2000
	var ds []*netpoll.Desc
	var bs []int
	for i := 0; i < n; i++ {
		a, b := pair(t)
		ds = append(ds, open(t, a))
		bs = append(bs, b)
		_ = a
	}
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Add(1)
		go func(d *netpoll.Desc) {
			defer wg.Done()
			d.Wait(netpoll.Read, d.Seq(netpoll.Read), time.Now().Add(time.Minute), nil)
		}(d)
		_ = i
	}
	time.Sleep(200 * time.Millisecond)
	assert.LessOrEqual(t, threads(t), 64)
	for _, b := range bs {
		csock.Send(b, []byte("z"), 0)
	}
	wg.Wait()
}

// pingPong runs rounds of one-byte round trips over (a, b), both ends waiting with
// deadline and done (zero and nil: blocking waits, which may lead).
func pingPong(t *testing.T, a, b int, da, db *netpoll.Desc, rounds int, deadline time.Time, done <-chan struct{}) error {
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, 1)
		for i := 0; i < rounds; i++ {
			if _, err := recvWait(db, b, buf, deadline, done); err != nil {
				errc <- err
				return
			}
			if _, err := csock.Send(b, buf, 0); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	buf := make([]byte, 1)
	for i := 0; i < rounds; i++ {
		if _, err := csock.Send(a, []byte{byte(i)}, 0); err != nil {
			return err
		}
		if _, err := recvWait(da, a, buf, deadline, done); err != nil {
			return err
		}
		if buf[0] != byte(i) {
			return fmt.Errorf("round %d: got %d", i, buf[0])
		}
	}
	return <-errc
}

// watchdog fails the test and closes descs (which wakes every waiter) if f has not
// returned within limit: a lost wake-up of a blocking waiter would otherwise hang.
func watchdog(t *testing.T, limit time.Duration, descs []*netpoll.Desc, f func() error) {
	t.Helper()
	res := make(chan error, 1)
	go func() { res <- f() }()
	select {
	case err := <-res:
		require.NoError(t, err)
	case <-time.After(limit):
		for _, d := range descs {
			d.Close()
		}
		<-res
		t.Fatalf("still waiting after %v: a wake-up was lost", limit)
	}
}

// TestLeader_WokenWhenOthersDrainItsEvent: blocking waiters (which lead, parked on the
// runtime poller themselves) and timed ones (served by the dispatcher) ping-pong at the
// same time, so the dispatcher and the leaders keep draining each other's events; a
// leader whose event someone else drained must still be woken.
func TestLeader_WokenWhenOthersDrainItsEvent(t *testing.T) {
	a1, b1 := pair(t)
	a2, b2 := pair(t)
	descs := []*netpoll.Desc{open(t, a1), open(t, b1), open(t, a2), open(t, b2)}
	const rounds = 3000
	watchdog(t, 60*time.Second, descs, func() error {
		errc := make(chan error, 1)
		go func() {
			errc <- pingPong(t, a2, b2, descs[2], descs[3], rounds, time.Now().Add(time.Hour), nil)
		}()
		err := pingPong(t, a1, b1, descs[0], descs[1], rounds, time.Time{}, nil)
		return errors.Join(err, <-errc)
	})
}

// TestLeader_IdleLeaderDoesNotHoldOthersUp: a blocking waiter on a socket that never gets
// data waits first (and leads); blocking ping-pong on another pair still runs, and Close
// wakes the idle one.
func TestLeader_IdleLeaderDoesNotHoldOthersUp(t *testing.T) {
	idle, _ := pair(t)
	di := open(t, idle)
	errc := make(chan error, 1)
	go func() {
		_, err := recvWait(di, idle, make([]byte, 1), time.Time{}, nil)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	a, b := pair(t)
	da, db := open(t, a), open(t, b)
	watchdog(t, 60*time.Second, []*netpoll.Desc{da, db}, func() error {
		return pingPong(t, a, b, da, db, 2000, time.Time{}, nil)
	})
	require.NoError(t, di.Close())
	select {
	case err := <-errc:
		assert.ErrorIs(t, err, netpoll.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not wake the idle waiter")
	}
}
