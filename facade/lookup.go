//go:build linux

package facade

import (
	linkedlist "container/list"
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

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

// numericHost tells whether getaddrinfo answers host without a lookup that can wait: no
// host, AI_NUMERICHOST, or an IPv4 or IPv6 address in inet_pton's strict syntax (a scoped
// IPv6 address goes through if_nametoindex, and "127.1" through inet_aton inside glibc:
// they take the slow path, which is only slower). The parsers are inetpton.go's, glibc's
// own rules without a cgo crossing.
func numericHost(host []byte, flags int) bool {
	if host == nil || flags&csock.AI_NUMERICHOST != 0 {
		return true
	}
	if _, ok := inetPton4(host); ok {
		return true
	}
	_, ok := inetPton6(host)
	return ok
}

// getAddrInfoContext is the one path to libc's getaddrinfo, choosing how to call it:
//
//   - a numeric host: csock.GetAddrInfo on this goroutine, without a slot;
//   - a context that cannot end (ctx.Done() == nil, as for the functions without Context):
//     csock.GetAddrInfo on this goroutine, in a slot;
//   - otherwise a flight (see flightGroup): the same question's abandoned lookup if
//     one runs, else a new one through getaddrinfo_a in a slot and one of the
//     glibcHelpers+glibcQueue asynchronous slots, so that cancelling removes a lookup
//     still in glibc's queue; or, while glibc's threads run abandoned lookups
//     (pinnedLookups), one that would only wait behind them, csock.GetAddrInfo on a
//     goroutine of its own, in a slot.
//
// It records h_errno (the synchronous calls only: an asynchronous lookup leaves it on
// glibc's thread) and converts errors to CPython's exceptions. The synchronous calls
// append the results to dst (room on the caller's stack, or nil); a flight's are its own.
func getAddrInfoContext(ctx context.Context, dst []csock.AddrInfo, host, port []byte, family, socktype, proto, flags int) ([]csock.AddrInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if numericHost(host, flags) {
		return getAddrInfoSync(dst, host, port, family, socktype, proto, flags)
	}
	if ctx.Done() == nil {
		_ = lookups.acquire(ctx) // cannot fail: ctx never ends
		defer lookups.release()
		return getAddrInfoSync(dst, host, port, family, socktype, proto, flags)
	}
	// The flight may outlive this call: it keeps copies, never the caller's buffers.
	h, p := clone(host), clone(port)
	key := lookupKey(nil, 'a', h, p, family, socktype, proto, flags)
	return gaiFlights.do(ctx, key, func(f *flight[[]csock.AddrInfo]) error {
		return startGetAddrInfoFlight(ctx, f, h, p, family, socktype, proto, flags)
	})
}

// startGetAddrInfoFlight starts f's lookup: asynchronously if glibc can run it without
// waiting behind lookups no one waits for, else synchronously on a goroutine of its own.
// It returns ctx's error if ctx ends while it waits for its slots.
func startGetAddrInfoFlight(ctx context.Context, f *flight[[]csock.AddrInfo], host, port []byte, family, socktype, proto, flags int) error {
	runSync := func() error {
		if err := lookups.acquire(ctx); err != nil {
			return err
		}
		go func() {
			defer lookups.release()
			res, err := getAddrInfoSync(nil, host, port, family, socktype, proto, flags)
			gaiFlights.end(f, res, err)
		}()
		return nil
	}
	if pinnedLookups.Load() >= glibcHelpers {
		return runSync()
	}
	if err := asyncLookups.acquire(ctx); err != nil {
		return err
	}
	live, _ := asyncLookups.inUse()
	if p := pinnedLookups.Load(); p >= glibcHelpers || p+int64(live) > glibcHelpers+glibcQueue {
		// The lookups glibc runs for no one came while this one waited for its turn.
		asyncLookups.release()
		return runSync()
	}
	if err := lookups.acquire(ctx); err != nil {
		asyncLookups.release()
		return err
	}
	var pinned bool // set and read by the runner only (released runs on it, see below)
	released := func() {
		if pinned {
			pinnedLookups.Add(-1)
		} else {
			asyncLookups.release()
		}
	}
	req, err := startGetAddrInfo(host, port, family, socktype, proto, flags, released)
	if err != nil {
		lookups.release()
		gaiFlights.end(f, nil, fromBinding(err))
		return nil
	}
	go func() {
		defer lookups.release()
		for {
			select {
			case <-req.Done():
				res, err := req.Result()
				if gerr, ok := err.(*csock.GaiError); ok && gerr.Code == csock.EAI_SYSTEM && gerr.Errno == 0 {
					// glibc dropped the errno on its thread and CPython reports it: ask
					// again where errno can be seen (in this flight's slot).
					res, err = getAddrInfoSync(nil, host, port, family, socktype, proto, flags)
				} else {
					err = fromBinding(err)
				}
				gaiFlights.end(f, res, err)
				return
			case <-f.idle:
				if pinned || !gaiFlights.idleNow(f) {
					continue
				}
				// No one waits: out of glibc's queue if it is still there (a caller who
				// joined meanwhile starts a lookup of its own).
				if req.Cancel() {
					gaiFlights.end(f, nil, errRetry)
					return
				}
				// glibc runs it: it holds a helper thread until libc returns, public.
				pinned = true
				pinnedLookups.Add(1)
				asyncLookups.release()
			}
		}
	}()
	return nil
}

// getAddrInfoSync calls csock.AppendAddrInfo on this goroutine and records h_errno.
func getAddrInfoSync(dst []csock.AddrInfo, host, port []byte, family, socktype, proto, flags int) ([]csock.AddrInfo, error) {
	var st csock.Status
	res, err := csock.AppendAddrInfo(dst, host, port, family, socktype, proto, flags, &st)
	noteHErrno(&st)
	if err != nil {
		return nil, fromBinding(err)
	}
	return res, nil
}

// blocking runs call, a resolver call libc has no asynchronous form of, in a slot: on this
// goroutine when ctx cannot end, else in a flight of g for key (see flightGroup), on a
// goroutine of its own, so that the caller can return as soon as ctx ends. The call itself
// cannot be stopped: it keeps its thread and its slot until libc returns, and its answer
// goes to the next caller asking the same question meanwhile, or nowhere.
func blocking[T any](ctx context.Context, g *flightGroup[T], key string, call func() (T, error)) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	if ctx.Done() == nil {
		_ = lookups.acquire(ctx) // cannot fail: ctx never ends
		defer lookups.release()
		return call()
	}
	return g.do(ctx, key, func(f *flight[T]) error {
		if err := lookups.acquire(ctx); err != nil {
			return err
		}
		go func() {
			defer lookups.release()
			v, err := call()
			g.end(f, v, err)
		}()
		return nil
	})
}

// errRetry ends a flight that gai_cancel took out of glibc's queue while a caller was
// joining it: that caller starts a lookup of its own.
var errRetry = errors.New("facade: lookup cancelled while joined")

// A flight is one resolver call in libc, made for a caller of a Context function. While
// its caller waits for it, it is theirs alone: other callers asking the same question make
// calls of their own, as the same Python threads would. Once its caller has left (the
// context ended) while libc still runs it, it is public until it ends: every caller asking
// the same question meanwhile waits for its answer instead of starting one more call. So a
// burst of cancelled lookups of one slow name holds a thread or two, not one per call, and a
// lookup of another name does not queue behind them (issue 15). Whoever gets the answer
// of a public flight gets libc's answer to its exact question, from a call started a
// little before its own.
//
// (A lookup whose completion glibc cannot report, because the process is out of threads,
// stays public: the callers that join it wait until their contexts end.)
type flight[T any] struct {
	key     string
	done    chan struct{} // closed by end once val and err are set
	val     T
	err     error
	idle    chan struct{} // a token each time waiters falls to 0 (capacity 1)
	waiters int           // under the group's mu
	public  bool          // in the group's public map (under mu)
	ended   bool          // under mu
}

// flightGroup holds the public flights of one resolver call, by question.
type flightGroup[T any] struct {
	mu     sync.Mutex
	public map[string]*flight[T]
	share  func(T) T // copies an answer for one of the callers sharing it (nil: not needed)
}

var (
	gaiFlights      = &flightGroup[[]csock.AddrInfo]{} // read only by their receivers
	nameInfoFlights = &flightGroup[[2]string]{}
	hostFlights     = &flightGroup[HostEntry]{share: HostEntry.clone}
)

// do waits for the answer to the question key: the public flight's, or that of a new
// flight that start launches (start returns an error, ctx's, if it cannot). It returns
// ctx.Err() when ctx ends first.
func (g *flightGroup[T]) do(ctx context.Context, key string, start func(*flight[T]) error) (T, error) {
	var zero T
	join := true
	for {
		f := g.join(key, join)
		if f == nil {
			f = &flight[T]{key: key, done: make(chan struct{}), idle: make(chan struct{}, 1), waiters: 1}
			if err := start(f); err != nil {
				return zero, err
			}
		}
		val, ok, err := g.wait(ctx, f)
		if ok && err == errRetry {
			join = false
			continue
		}
		if !ok {
			return zero, ctx.Err()
		}
		if g.share != nil {
			val = g.share(val)
		}
		return val, err
	}
}

// join returns the public flight for key with one more waiter, or nil.
func (g *flightGroup[T]) join(key string, join bool) *flight[T] {
	if !join {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	f := g.public[key]
	if f != nil {
		f.waiters++
	}
	return f
}

// wait waits for f's answer or for ctx to end (ok false), and then leaves f.
func (g *flightGroup[T]) wait(ctx context.Context, f *flight[T]) (val T, ok bool, err error) {
	select {
	case <-f.done:
		return f.val, true, f.err
	case <-ctx.Done():
	}
	select {
	case <-f.done: // the answer is there after all
		return f.val, true, f.err
	default:
	}
	g.mu.Lock()
	if f.waiters--; f.waiters == 0 && !f.ended {
		g.publishLocked(f)
		select {
		case f.idle <- struct{}{}:
		default:
		}
	}
	g.mu.Unlock()
	return val, false, nil
}

// publishLocked makes f public, unless another flight for its question is. g.mu held.
func (g *flightGroup[T]) publishLocked(f *flight[T]) {
	if f.public || g.public[f.key] != nil {
		return
	}
	if g.public == nil {
		g.public = map[string]*flight[T]{}
	}
	g.public[f.key] = f
	f.public = true
}

// idleNow tells whether no one waits for f: its runner may then cancel it.
func (g *flightGroup[T]) idleNow(f *flight[T]) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return f.waiters == 0 && !f.ended
}

// end gives f its answer and its waiters their result.
func (g *flightGroup[T]) end(f *flight[T], val T, err error) {
	g.mu.Lock()
	f.ended = true
	if f.public {
		delete(g.public, f.key)
		f.public = false
	}
	g.mu.Unlock()
	f.val, f.err = val, err
	close(f.done)
}

// lookupKey appends the question of a resolver call to b and returns it as a string: op
// names the call, the byte strings (nil and empty apart) and ints are its arguments.
func lookupKey(b []byte, op byte, host, port []byte, ints ...int) string {
	b = append(b, op)
	for _, s := range [][]byte{host, port} {
		if s == nil {
			b = append(b, 0)
			continue
		}
		b = strconv.AppendInt(append(b, 1), int64(len(s)), 10)
		b = append(append(b, ':'), s...)
	}
	for _, n := range ints {
		b = strconv.AppendInt(append(b, ','), int64(n), 10)
	}
	return string(b)
}

// clone copies b, keeping nil and empty apart.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
