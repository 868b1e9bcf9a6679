package limiter

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// waitFor waits, at most 5 seconds, until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, 100*time.Microsecond, "timed out waiting for %s", what)
}

func TestLimiter_GrantsInOrderAndLeavesOnCancel(t *testing.T) {
	l := New(1)
	require.NoError(t, l.Acquire(context.Background()))

	// Three waiters queue in order; the middle one gives up.
	order := make(chan int, 3)
	ctxs := make([]context.Context, 3)
	cancels := make([]context.CancelFunc, 3)
	var wg sync.WaitGroup
	for i := range ctxs {
		ctxs[i], cancels[i] = context.WithCancel(context.Background())
		defer cancels[i]()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := l.Acquire(ctxs[i]); err != nil {
				assert.ErrorIs(t, err, context.Canceled)
				return
			}
			order <- i
			l.Release()
		}(i)
		waitFor(t, "a waiter", func() bool { _, w := l.InUse(); return w == i+1 })
	}
	cancels[1]()
	waitFor(t, "the cancelled waiter to leave", func() bool { _, w := l.InUse(); return w == 2 })
	l.Release()
	wg.Wait()
	close(order)
	var got []int
	for i := range order {
		got = append(got, i)
	}
	assert.Equal(t, []int{0, 2}, got)
	active, waiting := l.InUse()
	assert.Zero(t, active)
	assert.Zero(t, waiting)
}

func TestLimiter_RaisingTheBoundAdmitsWaiters(t *testing.T) {
	l := New(1)
	require.NoError(t, l.Acquire(context.Background()))
	admitted := make(chan struct{}, 2)
	for i := 0; i < 2; i++ {
		go func() {
			_ = l.Acquire(context.Background())
			admitted <- struct{}{}
		}()
	}
	waitFor(t, "two waiters", func() bool { _, w := l.InUse(); return w == 2 })
	assert.Equal(t, 1, l.SetMax(3))
	<-admitted
	<-admitted
	active, _ := l.InUse()
	assert.Equal(t, 3, active)
	// Lowering lets the holders finish; the next acquire waits until they have.
	l.SetMax(1)
	l.Release()
	l.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.Acquire(ctx), context.DeadlineExceeded)
	l.Release()
	require.NoError(t, l.Acquire(context.Background()))
	l.Release()
}

func TestLimiter_SlotGrantedAsContextEndsIsPassedOn(t *testing.T) {
	// Many rounds of a release racing a cancellation: no slot may be lost or doubled.
	l := New(1)
	for i := 0; i < 300; i++ {
		require.NoError(t, l.Acquire(context.Background()))
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- l.Acquire(ctx) }()
		waitFor(t, "the waiter", func() bool { _, w := l.InUse(); return w == 1 })
		go cancel()
		l.Release()
		if err := <-errc; err == nil {
			l.Release()
		}
		active, waiting := l.InUse()
		require.Zero(t, active, "round %d", i)
		require.Zero(t, waiting, "round %d", i)
	}
}

// Many callers taking and giving back slots of a small bound, some leaving as their
// contexts end while others wait: never more holders than the bound, every caller that
// was granted a slot gets it alone, and at the end no slot is taken and no one waits
// (the lock-free path and the waiters' path meet on one word).
func TestLimiter_ContendedNeverOverTheBoundAndDrains(t *testing.T) {
	const bound, workers, rounds = 3, 16, 2000
	l := New(bound)
	var holders, peak atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 3))
			for i := 0; i < rounds; i++ {
				ctx, cancel := context.WithCancel(context.Background())
				if r.IntN(4) == 0 {
					cancel() // some give up at once, or while waiting
				} else if r.IntN(4) == 0 {
					time.AfterFunc(time.Duration(r.IntN(50))*time.Microsecond, cancel)
				}
				if l.Acquire(ctx) == nil {
					n := holders.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					if r.IntN(8) == 0 {
						time.Sleep(time.Duration(r.IntN(20)) * time.Microsecond)
					}
					holders.Add(-1)
					l.Release()
				}
				cancel()
			}
		}(w)
	}
	wg.Wait()
	assert.LessOrEqual(t, peak.Load(), int32(bound))
	active, waiting := l.InUse()
	assert.Zero(t, active)
	assert.Zero(t, waiting)
}

// A slot given back (without the lock) just as a caller finds none free and starts to
// wait is not lost: the caller gets it. Many rounds of the two racing.
func TestLimiter_ReleaseRacingAWaitersArrivalIsNotLost(t *testing.T) {
	l := New(1)
	for i := 0; i < 3000; i++ {
		require.NoError(t, l.Acquire(context.Background()))
		got := make(chan error, 1)
		go func() { got <- l.Acquire(context.Background()) }()
		if i%2 == 0 {
			runtime.Gosched()
		}
		l.Release()
		select {
		case err := <-got:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: the waiter never got the slot given back", i)
		}
		l.Release()
		active, waiting := l.InUse()
		require.Zero(t, active, "round %d", i)
		require.Zero(t, waiting, "round %d", i)
	}
}

// The slot every resolver call takes and gives back, alone and from every P at once.
func BenchmarkLimiter_AcquireRelease(b *testing.B) {
	l := New(64)
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			_ = l.Acquire(ctx)
			l.Release()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = l.Acquire(ctx)
				l.Release()
			}
		})
	})
}
