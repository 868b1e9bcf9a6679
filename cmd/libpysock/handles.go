//go:build linux

package main

import (
	"sync"
	"syscall"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/facade"
)

// registry maps the int64 handles C holds to the sockets they stand for. Handles come from
// a counter that only goes up, so a handle is never reused: a stale one names nothing
// rather than a newer socket (go-pointer's malloc'd keys could be handed out again), and
// the table tells a closed handle (issued, gone) from one that was never issued.
type registry struct {
	mu    sync.RWMutex
	socks map[int64]*facade.Socket
	last  int64 // the last handle issued; guarded by mu
}

// handles is the process's one table.
var handles = &registry{socks: map[int64]*facade.Socket{}}

// add registers s and returns its new handle.
func (r *registry) add(s *facade.Socket) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last++
	r.socks[r.last] = s
	return r.last
}

// get returns the socket of handle h, or CPython's OSError [Errno 9] for a handle that is
// closed or was never issued: what a closed Python socket raises.
func (r *registry) get(h int64) (*facade.Socket, error) {
	r.mu.RLock()
	s, ok := r.socks[h]
	r.mu.RUnlock()
	if !ok {
		return nil, errBadHandle()
	}
	return s, nil
}

// remove retires handle h and returns its socket, if it was open. issued reports whether
// h was ever handed out (so closing it twice can be told from closing garbage).
func (r *registry) remove(h int64) (s *facade.Socket, issued bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.socks[h]
	if ok {
		delete(r.socks, h)
	}
	return s, h > 0 && h <= r.last
}

// open returns how many handles are open.
func (r *registry) open() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.socks)
}

// errBadHandle is the error of an unknown or closed handle: OSError [Errno 9] Bad file
// descriptor, with libc's text.
func errBadHandle() error {
	return &facade.OSError{Errno: int(syscall.EBADF), Strerror: csock.Strerror(int(syscall.EBADF))}
}
