//go:build linux

package facade

import (
	"sync/atomic"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/limiter"
)

// This file holds the bound on resolver calls in libc (SetMaxLookups) and the limiters
// that enforce it.

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
	return lookups.SetMax(n)
}

// lookups bounds the resolver calls in libc.
var lookups = limiter.New(DefaultMaxLookups)

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
var asyncLookups = limiter.New(glibcHelpers + glibcQueue)

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
