//go:build linux

package facade

import (
	linkedlist "container/list"
	"context"
	"sync"
	"sync/atomic"

	"github.com/csock/csock/csock"
)

// This file holds the bound on resolver calls in libc (SetMaxLookups) and the limiter
// that enforces it.

// DefaultMaxLookups is the bound on resolver calls in libc at once until SetMaxLookups
// changes it.
const DefaultMaxLookups = 64

// SetMaxLookups sets how many resolver calls (getaddrinfo, getnameinfo, gethostbyname_r,
// gethostbyaddr_r) may be in libc at once, process-wide, and returns the previous bound;
// n <= 0 restores DefaultMaxLookups. It is the one knob of the facade's resolver.
//
// A blocking call holds an OS thread inside libc for as long as the lookup takes (a DNS
// timeout is seconds), so the bound is also the bound on the threads the resolver can
// hold: calls beyond it wait for a slot, the Context functions only as long as their
// context lasts. Numeric hosts (and AI_NUMERICHOST lookups), which libc answers without
// waiting for anything, do not take a slot. The asynchronous lookups of
// GetAddrInfoContext take a slot too, and at most 28 of them are in glibc at once (20
// running on its threads, 8 in its queue; see the package documentation). A call whose
// callers all left keeps its slot until libc returns; calls asking the same question
// meanwhile share it rather than taking slots of their own. Raising the bound takes effect
// at once; lowering it lets the calls in progress finish.
func SetMaxLookups(n int) int {
	if n <= 0 {
		n = DefaultMaxLookups
	}
	return lookups.setMax(n)
}

// lookups bounds the resolver calls in libc.
var lookups = newLimiter(DefaultMaxLookups)

// glibcHelpers is the number of threads glibc's getaddrinfo_a runs lookups on (gai_threads
// in its resolv/gai_misc.c, a constant), and glibcQueue how many more asynchronous lookups
// the facade lets wait in glibc's queue, so that a helper that finishes one finds the next
// without waiting for Go to start it. More would only move lookups from the facade's queue
// to glibc's, where each costs a notification thread when it ends (threads that, with
// every slot's lookup in glibc, reached 90 in a process bounded at 64) and a cancel leaks
// glibc's bookkeeping; fewer slowed 10,000 delayed lookups by a tenth (resolverscale).
const (
	glibcHelpers = 20
	glibcQueue   = 8
)

// asyncLookups bounds the asynchronous lookups in glibc that someone waits for (or may
// still be taken out of glibc's queue), within the slots of lookups. A lookup whose
// callers all left while glibc runs it gives its slot here back and counts in
// pinnedLookups until libc returns: it holds one of glibc's helper threads, and a lookup
// sent to glibc now could only wait behind it.
var asyncLookups = newLimiter(glibcHelpers + glibcQueue)

// pinnedLookups counts the asynchronous lookups glibc runs for no one (see asyncLookups).
var pinnedLookups atomic.Int64

// gaiRequest is the part of *csock.GaiRequest the facade uses.
type gaiRequest interface {
	Done() <-chan struct{}
	Cancel() bool
	Result() ([]csock.AddrInfo, error)
}

// startGetAddrInfo is csock.StartGetAddrInfo; tests swap it to make glibc fail, or hold
// its threads, in ways a test cannot make it.
var startGetAddrInfo = func(host, port []byte, family, socktype, proto, flags int, released func()) (gaiRequest, error) {
	r, err := csock.StartGetAddrInfo(host, port, family, socktype, proto, flags, released)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// limiter is a counting semaphore with a bound that can change and FIFO waiters that
// leave when their context ends. Taking and giving back a slot while no one waits is one
// atomic compare-and-swap: every resolver call takes a slot, and a mutex there was a
// measurable part of the facade's cost over the binding.
type limiter struct {
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

func newLimiter(max int) *limiter {
	l := &limiter{}
	l.max.Store(int64(max))
	return l
}

// acquire takes a slot, waiting for one as long as ctx lasts.
func (l *limiter) acquire(ctx context.Context) error {
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

// release gives a slot back. It never blocks: the async resolver calls it from glibc's
// notification thread.
func (l *limiter) release() {
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

func (l *limiter) setMax(n int) int {
	l.mu.Lock()
	old := l.max.Swap(int64(n))
	l.grantLocked()
	l.mu.Unlock()
	return int(old)
}

// grantLocked hands free slots to the first waiters. l.mu must be held.
func (l *limiter) grantLocked() {
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

// inUse returns the number of slots taken and of callers waiting for one.
func (l *limiter) inUse() (active, waiting int) {
	s := l.state.Load()
	return int(s & takenMask), int(s >> 32)
}
