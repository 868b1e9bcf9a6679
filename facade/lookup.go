//go:build linux

package facade

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/csock/csock/csock"
)

// This file holds how a lookup reaches libc: synchronously, through getaddrinfo_a, or by
// joining a lookup its callers abandoned (flights).

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
		_ = lookups.Acquire(ctx) // cannot fail: ctx never ends
		defer lookups.Release()
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
		if err := lookups.Acquire(ctx); err != nil {
			return err
		}
		go func() {
			res, err := getAddrInfoSync(nil, host, port, family, socktype, proto, flags)
			lookups.Release() // before the hand-over: a caller that got its answer sees the slot free
			gaiFlights.end(f, res, err)
		}()
		return nil
	}
	if pinnedLookups.Load() >= glibcHelpers {
		return runSync()
	}
	if err := asyncLookups.Acquire(ctx); err != nil {
		return err
	}
	live, _ := asyncLookups.InUse()
	if p := pinnedLookups.Load(); p >= glibcHelpers || p+int64(live) > glibcHelpers+glibcQueue {
		// The lookups glibc runs for no one came while this one waited for its turn.
		asyncLookups.Release()
		return runSync()
	}
	if err := lookups.Acquire(ctx); err != nil {
		asyncLookups.Release()
		return err
	}
	var pinned bool // set and read by the runner only (released runs on it, see below)
	released := func() {
		if pinned {
			pinnedLookups.Add(-1)
		} else {
			asyncLookups.Release()
		}
	}
	req, err := startGetAddrInfo(host, port, family, socktype, proto, flags, released)
	if err != nil {
		lookups.Release()
		gaiFlights.end(f, nil, fromBinding(err))
		return nil
	}
	go func() {
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
				lookups.Release() // before the hand-over: a caller that got its answer sees the slot free
				gaiFlights.end(f, res, err)
				return
			case <-f.idle:
				if pinned || !gaiFlights.idleNow(f) {
					continue
				}
				// No one waits: out of glibc's queue if it is still there (a caller who
				// joined meanwhile starts a lookup of its own).
				if req.Cancel() {
					lookups.Release()
					gaiFlights.end(f, nil, errRetry)
					return
				}
				// glibc runs it: it holds a helper thread until libc returns, public.
				pinned = true
				pinnedLookups.Add(1)
				asyncLookups.Release()
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
		_ = lookups.Acquire(ctx) // cannot fail: ctx never ends
		defer lookups.Release()
		return call()
	}
	return g.do(ctx, key, func(f *flight[T]) error {
		if err := lookups.Acquire(ctx); err != nil {
			return err
		}
		go func() {
			v, err := call()
			lookups.Release() // before the hand-over: a caller that got its answer sees the slot free
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
