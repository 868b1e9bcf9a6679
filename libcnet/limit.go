//go:build linux

package libcnet

import (
	"context"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/limiter"
)

// DefaultMaxLookups is the bound on libcnet's lookups in libc at once until SetMaxLookups
// changes it.
const DefaultMaxLookups = 64

// SetMaxLookups sets how many of libcnet's resolver calls (getaddrinfo, gethostbyaddr_r,
// getservbyname_r, res_nsearch) may be in libc at once, process-wide, and returns the
// previous bound; n <= 0 restores DefaultMaxLookups.
//
// A resolver call holds an OS thread inside libc for as long as the lookup takes (a DNS
// timeout is seconds), so the bound is also the bound on the threads lookups can hold.
// Lookups beyond it wait in a queue, first come first served, for as long as their
// context lasts; they never fail for want of a slot. Numeric hosts ("192.0.2.1",
// "::1"), which libc answers without asking anyone, take no slot. Raising the bound takes
// effect at once; lowering it lets the lookups in libc finish.
//
// The bound is libcnet's own: the facade package has its own (facade.SetMaxLookups), and
// Go's net package another (500, for its cgo resolver).
func SetMaxLookups(n int) int {
	if n <= 0 {
		n = DefaultMaxLookups
	}
	return lookups.SetMax(n)
}

// InFlight returns how many of libcnet's lookups are in libc now (a slot taken: running,
// or abandoned by a caller whose context ended and still running) and how many wait for a
// slot.
func InFlight() (inLibc, waiting int) {
	inLibc, waiting = lookups.InUse()
	_, asyncWaiting := asyncLookups.InUse() // cancellable lookups queue there first
	return inLibc, waiting + asyncWaiting
}

// lookups bounds the resolver calls in libc.
var lookups = limiter.New(DefaultMaxLookups)

// glibcHelpers is the number of threads glibc's getaddrinfo_a runs lookups on (a constant
// of glibc's resolv/gai_misc.c), glibcQueue how many more lookups wait in glibc's queue so
// that a helper finishing one finds the next at once. More would only move lookups from
// our queue, where a cancel costs nothing, to glibc's, where each costs a notification
// thread and a cancel leaks glibc's bookkeeping (see csock_gai_cancel).
const (
	glibcHelpers = 20
	glibcQueue   = 8
)

// asyncLookups bounds the getaddrinfo_a lookups in glibc, within the slots of lookups.
var asyncLookups = limiter.New(glibcHelpers + glibcQueue)

// releaseAsync gives back both slots of an asynchronous lookup. glibc's notification
// thread may call it: it never blocks.
func releaseAsync() {
	lookups.Release()
	asyncLookups.Release()
}

// getAddrInfoAsync is csock.GetAddrInfoAsync; tests swap it to make glibc fail in ways a
// test world cannot (EAI_SYSTEM without its errno). The blocking csock.GetAddrInfo is
// called directly: through a function variable, escape analysis would move every host's
// bytes to the heap (csock.GetAddrInfoHook is its seam).
var getAddrInfoAsync = csock.GetAddrInfoAsync

// getaddrinfo is the one path to libc's getaddrinfo(3), choosing how to call it:
//
//   - a numeric host: csock.GetAddrInfo on this goroutine, without a slot and even when
//     ctx has ended (libc answers without asking anyone);
//   - a context that cannot end (ctx.Done() == nil): csock.GetAddrInfo on this goroutine,
//     in a slot;
//   - otherwise getaddrinfo_a (csock.GetAddrInfoAsync) in a slot and one of the
//     glibcHelpers+glibcQueue asynchronous slots, so that a cancel takes a lookup still in
//     glibc's queue out of it and returns at once.
func getaddrinfo(ctx context.Context, host string, family, flags int) ([]csock.AddrInfo, error) {
	// Each path converts host itself: a conversion shared with the asynchronous path
	// would escape with it, and cost the blocking paths an allocation.
	if numericHost(host) {
		// Answered whatever ctx says, as net answers an address literal: nothing to wait
		// for.
		return csock.GetAddrInfo([]byte(host), nil, family, csock.SOCK_STREAM, 0, flags, nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ctx.Done() == nil {
		_ = lookups.Acquire(ctx) // cannot fail: ctx never ends
		defer lookups.Release()
		return csock.GetAddrInfo([]byte(host), nil, family, csock.SOCK_STREAM, 0, flags, nil)
	}
	h := []byte(host)
	if err := asyncLookups.Acquire(ctx); err != nil {
		return nil, err
	}
	if err := lookups.Acquire(ctx); err != nil {
		asyncLookups.Release()
		return nil, err
	}
	res, err := getAddrInfoAsync(ctx, h, nil, family, csock.SOCK_STREAM, 0, flags, releaseAsync)
	if gerr, ok := err.(*csock.GaiError); ok && gerr.Code == csock.EAI_SYSTEM && gerr.Errno == 0 {
		// glibc drops an EAI_SYSTEM's errno on its helper thread: ask again where errno
		// can be seen, so the error says what failed.
		return blocking(ctx, func() ([]csock.AddrInfo, error) {
			return csock.GetAddrInfo(h, nil, family, csock.SOCK_STREAM, 0, flags, nil)
		})
	}
	return res, err
}

// numericHost tells, without a cgo call or an allocation, whether host is an IPv4 or IPv6
// address in the syntax netip accepts, which libc answers without a lookup. Other forms
// libc also takes as numbers ("127.1", "0x7f.0.0.1") take the slow path, which is only
// slower.
func numericHost(host string) bool {
	colon, other := false, false
	for i := 0; i < len(host); i++ {
		switch c := host[i]; {
		case c == ':':
			colon = true
		case c == '.' || '0' <= c && c <= '9':
		default:
			other = true
		}
	}
	if other && !colon {
		return false
	}
	_, err := parseAddr(host)
	return err == nil
}

// blocking runs call, a resolver call libc has no asynchronous form of, in a slot: on this
// goroutine when ctx cannot end, else on a goroutine of its own so that the caller can
// return as soon as ctx ends. The call itself cannot be stopped: it keeps its thread and
// its slot until libc returns, and its result is then dropped (as in Go's cgo resolver).
func blocking[T any](ctx context.Context, call func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if err := lookups.Acquire(ctx); err != nil {
		return zero, err
	}
	if ctx.Done() == nil {
		defer lookups.Release()
		return call()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		lookups.Release() // before the hand-over: a caller that got its answer sees the slot free
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
