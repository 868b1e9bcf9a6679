//go:build linux

package main

import (
	"sync"
	"syscall"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/facade"
)

// registry maps the int64 handles C holds to the objects they stand for. Handles come from
// a counter that only goes up, so a handle is never reused: a stale one names nothing
// rather than a newer object (go-pointer's malloc'd keys could be handed out again), and
// the table tells a closed handle (issued, gone) from one that was never issued. Each
// kind of object has its own table, whose handles start above its base: sockets from 1,
// files from fileHandles, so a file handle given where a socket is expected names no
// socket (and the reverse).
type registry[T comparable] struct {
	mu   sync.RWMutex
	objs map[int64]T
	base int64 // handles are base+1, base+2, ...
	last int64 // the last handle issued (base when none); guarded by mu
}

// fileHandles is the base of the files' handles: far above any count of sockets.
const fileHandles = 1 << 62

func newRegistry[T comparable](base int64) *registry[T] {
	return &registry[T]{objs: map[int64]T{}, base: base, last: base}
}

// handles is the process's table of sockets; files its table of file objects.
var (
	handles = newRegistry[*facade.Socket](0)
	files   = newRegistry[*facade.File](fileHandles)
)

// add registers o and returns its new handle.
func (r *registry[T]) add(o T) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last++
	r.objs[r.last] = o
	return r.last
}

// get returns the object of handle h, or CPython's OSError [Errno 9] for a handle that is
// closed or was never issued: what a closed Python socket raises.
func (r *registry[T]) get(h int64) (T, error) {
	r.mu.RLock()
	o, ok := r.objs[h]
	r.mu.RUnlock()
	if !ok {
		var zero T
		return zero, errBadHandle()
	}
	return o, nil
}

// remove retires handle h and returns its object, if it was open (ok). issued reports
// whether h was ever handed out (so closing it twice can be told from closing garbage).
func (r *registry[T]) remove(h int64) (o T, ok, issued bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok = r.objs[h]
	if ok {
		delete(r.objs, h)
	}
	return o, ok, h > r.base && h <= r.last
}

// issued reports whether handle h was ever handed out.
func (r *registry[T]) issued(h int64) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return h > r.base && h <= r.last
}

// open returns how many handles are open.
func (r *registry[T]) open() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.objs)
}

// errBadHandle is the error of an unknown or closed handle: OSError [Errno 9] Bad file
// descriptor, with libc's text.
func errBadHandle() error {
	return &facade.OSError{Errno: int(syscall.EBADF), Strerror: csock.Strerror(int(syscall.EBADF))}
}
