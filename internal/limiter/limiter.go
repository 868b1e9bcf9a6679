// Package limiter bounds the resolver calls a package lets into libc at once: a counting
// semaphore whose bound can change, with FIFO waiters that leave when their context
// ends. The facade and libcnet each keep one for their blocking calls and one for their
// getaddrinfo_a requests (their SetMaxLookups).
package limiter

import (
	linkedlist "container/list"
	"context"
	"sync"
	"sync/atomic"
)

// Limiter is a counting semaphore with a bound that can change and FIFO waiters that
// leave when their context ends. Taking and giving back a slot while no one waits is one
// atomic compare-and-swap: every resolver call takes a slot, and a mutex there was a
// measurable part of the facade's cost over the binding.
type Limiter struct {
	// state is the slots taken (low 32 bits) and the callers waiting (high 32 bits), in
	// one word so that a release sees a waiter that came while it ran. The waiting count
	// changes only under mu; while it is not 0, so does the taken count.
	state   atomic.Uint64
	max     atomic.Int64
	mu      sync.Mutex
	waiting linkedlist.List // of chan struct{}, closed when granted a slot (under mu)
}

const (
	oneWaiting = 1 << 32
	takenMask  = oneWaiting - 1
)

// New returns a Limiter of max slots.
func New(max int) *Limiter {
	l := &Limiter{}
	l.max.Store(int64(max))
	return l
}

// Acquire takes a slot, waiting for one as long as ctx lasts; it returns ctx.Err() when
// ctx ends first.
func (l *Limiter) Acquire(ctx context.Context) error {
	for {
		s := l.state.Load()
		if s>>32 != 0 || int64(s&takenMask) >= l.max.Load() {
			break
		}
		if l.state.CompareAndSwap(s, s+1) {
			return nil
		}
	}
	l.mu.Lock()
	granted := make(chan struct{})
	e := l.waiting.PushBack(granted)
	l.state.Add(oneWaiting)
	l.grantLocked() // a slot may have been given back before the waiter was counted
	l.mu.Unlock()
	select {
	case <-granted:
		return nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	select {
	case <-granted:
		// Granted while ctx ended: pass the slot on.
		l.state.Add(^uint64(0))
		l.grantLocked()
	default:
		l.waiting.Remove(e)
		l.state.Add(^uint64(oneWaiting - 1)) // one waiter fewer
	}
	l.mu.Unlock()
	return ctx.Err()
}

// Release gives a slot back. It never blocks: the asynchronous resolvers call it from
// glibc's notification thread.
func (l *Limiter) Release() {
	for {
		s := l.state.Load()
		if s>>32 != 0 {
			break
		}
		if l.state.CompareAndSwap(s, s-1) {
			return
		}
	}
	l.mu.Lock()
	l.state.Add(^uint64(0))
	l.grantLocked()
	l.mu.Unlock()
}

// SetMax sets the bound to n and returns the previous one. Raising it grants waiters at
// once; lowering it lets the holders finish.
func (l *Limiter) SetMax(n int) int {
	l.mu.Lock()
	old := l.max.Swap(int64(n))
	l.grantLocked()
	l.mu.Unlock()
	return int(old)
}

// grantLocked hands free slots to the first waiters. l.mu must be held.
func (l *Limiter) grantLocked() {
	for l.waiting.Len() > 0 {
		s := l.state.Load()
		if int64(s&takenMask) >= l.max.Load() {
			return
		}
		// While someone waits no slot is taken without mu, so this cannot fail; the CAS
		// keeps a release that started before the waiter was counted from racing it.
		if l.state.CompareAndSwap(s, s+1-oneWaiting) {
			close(l.waiting.Remove(l.waiting.Front()).(chan struct{}))
		}
	}
}

// InUse returns the number of slots taken and of callers waiting for one.
func (l *Limiter) InUse() (active, waiting int) {
	s := l.state.Load()
	return int(s & takenMask), int(s >> 32)
}
