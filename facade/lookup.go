package facade

import (
	linkedlist "container/list"
	"context"
	"sync"

	"github.com/csock/csock/csock"
)

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
// running on its threads, 8 in its queue; see the package documentation). Raising the
// bound takes effect at once; lowering it lets the calls in progress finish.
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

// asyncLookups bounds the asynchronous lookups in glibc, within the slots of lookups.
var asyncLookups = newLimiter(glibcHelpers + glibcQueue)

// releaseAsync gives back the two slots of an asynchronous lookup.
func releaseAsync() {
	lookups.release()
	asyncLookups.release()
}

// getAddrInfoAsync is csock.GetAddrInfoAsync; tests swap it to make glibc fail in ways
// a test cannot make it fail.
var getAddrInfoAsync = csock.GetAddrInfoAsync

// limiter is a counting semaphore with a bound that can change and FIFO waiters that
// leave when their context ends.
type limiter struct {
	mu      sync.Mutex
	max     int
	active  int
	waiting linkedlist.List // of chan struct{}, closed when granted a slot
}

func newLimiter(max int) *limiter { return &limiter{max: max} }

// acquire takes a slot, waiting for one as long as ctx lasts.
func (l *limiter) acquire(ctx context.Context) error {
	l.mu.Lock()
	if l.active < l.max && l.waiting.Len() == 0 {
		l.active++
		l.mu.Unlock()
		return nil
	}
	granted := make(chan struct{})
	e := l.waiting.PushBack(granted)
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
		l.active--
		l.grant()
	default:
		l.waiting.Remove(e)
	}
	l.mu.Unlock()
	return ctx.Err()
}

// release gives a slot back. It never blocks: the async resolver calls it from glibc's
// notification thread.
func (l *limiter) release() {
	l.mu.Lock()
	l.active--
	l.grant()
	l.mu.Unlock()
}

func (l *limiter) setMax(n int) int {
	l.mu.Lock()
	old := l.max
	l.max = n
	l.grant()
	l.mu.Unlock()
	return old
}

// grant hands free slots to the first waiters. l.mu must be held.
func (l *limiter) grant() {
	for l.active < l.max && l.waiting.Len() > 0 {
		l.active++
		close(l.waiting.Remove(l.waiting.Front()).(chan struct{}))
	}
}

// inUse returns the number of slots taken and of callers waiting for one.
func (l *limiter) inUse() (active, waiting int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.active, l.waiting.Len()
}

// numericHost tells whether getaddrinfo answers host without a lookup that can wait: no
// host, AI_NUMERICHOST, or an IPv4 or IPv6 address in inet_pton's strict syntax (a scoped
// IPv6 address goes through if_nametoindex, and "127.1" through inet_aton inside glibc:
// they take the slow path, which is only slower).
func numericHost(host []byte, flags int) bool {
	if host == nil || flags&csock.AI_NUMERICHOST != 0 {
		return true
	}
	if _, ok, _ := csock.InetPton(csock.AF_INET, host); ok {
		return true
	}
	_, ok, _ := csock.InetPton(csock.AF_INET6, host)
	return ok
}

// getAddrInfoContext is the one path to libc's getaddrinfo, choosing how to call it:
//
//   - a numeric host: csock.GetAddrInfo on this goroutine, without a slot;
//   - a context that cannot end (ctx.Done() == nil, as for the functions without Context):
//     csock.GetAddrInfo on this goroutine, in a slot;
//   - otherwise csock.GetAddrInfoAsync (getaddrinfo_a) in a slot and one of the
//     glibcHelpers+glibcQueue asynchronous slots, so that cancelling removes a lookup
//     still in glibc's queue.
//
// It records h_errno (the synchronous calls only: an asynchronous lookup leaves it on
// glibc's thread) and converts errors to CPython's exceptions.
func getAddrInfoContext(ctx context.Context, host, port []byte, family, socktype, proto, flags int) ([]csock.AddrInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if numericHost(host, flags) {
		return getAddrInfoSync(host, port, family, socktype, proto, flags)
	}
	if ctx.Done() == nil {
		_ = lookups.acquire(ctx) // cannot fail: ctx never ends
		defer lookups.release()
		return getAddrInfoSync(host, port, family, socktype, proto, flags)
	}
	if err := asyncLookups.acquire(ctx); err != nil {
		return nil, err
	}
	if err := lookups.acquire(ctx); err != nil {
		asyncLookups.release()
		return nil, err
	}
	res, err := getAddrInfoAsync(ctx, host, port, family, socktype, proto, flags, releaseAsync)
	if err != nil && err == ctx.Err() {
		return nil, err // the context's own error, as documented
	}
	if gerr, ok := err.(*csock.GaiError); ok && gerr.Code == csock.EAI_SYSTEM && gerr.Errno == 0 {
		// glibc dropped the errno on its thread and CPython reports it: ask again where
		// errno can be seen.
		return blocking(ctx, func() ([]csock.AddrInfo, error) {
			return getAddrInfoSync(host, port, family, socktype, proto, flags)
		})
	}
	return res, fromBinding(err)
}

// getAddrInfoSync calls csock.GetAddrInfo on this goroutine and records h_errno.
func getAddrInfoSync(host, port []byte, family, socktype, proto, flags int) ([]csock.AddrInfo, error) {
	var st csock.Status
	res, err := csock.GetAddrInfo(host, port, family, socktype, proto, flags, &st)
	noteHErrno(&st)
	return res, fromBinding(err)
}

// blocking runs call, a resolver call libc has no asynchronous form of, in a slot: on this
// goroutine when ctx cannot end, else on a goroutine of its own so that the caller can
// return as soon as ctx ends. The call itself cannot be stopped: it keeps its thread and
// its slot until libc returns, and its result is then dropped.
func blocking[T any](ctx context.Context, call func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if err := lookups.acquire(ctx); err != nil {
		return zero, err
	}
	if ctx.Done() == nil {
		defer lookups.release()
		return call()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer lookups.release()
		v, err := call()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
