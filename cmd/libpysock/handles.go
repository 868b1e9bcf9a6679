//go:build linux

package main

/*
#include "export.h"
*/
import "C"

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
//
// A closed object may stay in the table for a while, as CPython's closed socket object
// stays with whoever holds it: retire keeps it (so a closed socket still answers
// gettimeout, family, fileno -1 and its argument errors, and a socket closed while a
// makefile file is open keeps working until the file closes), and forgets it only when
// more than keep others were retired after it, so the table never grows with the number
// of objects closed. A forgotten handle is an unknown one again.
type registry[T comparable] struct {
	mu   sync.RWMutex
	objs map[int64]entry[T]
	base int64 // handles are base+1, base+2, ...
	last int64 // the last handle issued (base when none); guarded by mu

	// inUse reports whether a closed object is still in use (a socket whose descriptor
	// stays open for its makefile files): it is kept, outside the ring, until a recheck
	// finds it no longer is. nil: never.
	inUse func(T) bool
	ring  []int64 // the retired handles kept, a circular queue of len keep, oldest at head
	head  int
	n     int // how many of ring are held
}

// entry is one handle's object and its state.
type entry[T comparable] struct {
	obj   T
	state uint8
}

const (
	live    = iota // open
	pinned         // closed, still in use (inUse), kept outside the ring
	retired        // closed, kept in the ring until forgotten
)

// fileHandles is the base of the files' handles: far above any count of sockets.
const fileHandles = 1 << 62

// closedKept is how many closed sockets the table keeps (pysock.h, HANDLES).
const closedKept = C.PYSOCK_CLOSED_KEPT

func newRegistry[T comparable](base int64, keep int, inUse func(T) bool) *registry[T] {
	return &registry[T]{objs: map[int64]entry[T]{}, base: base, last: base, ring: make([]int64, keep), inUse: inUse}
}

// handles is the process's table of sockets; files its table of file objects.
var (
	handles = newRegistry(0, closedKept, socketInUse)
	files   = newRegistry[openFile](fileHandles, 0, nil)
)

// socketInUse reports whether a closed socket's descriptor is still open: Close was
// deferred because a file made by MakeFile is open (CPython's _io_refs).
func socketInUse(s *facade.Socket) bool { return s.Fileno() != -1 }

// openFile is a file object and the handle of the socket it was made on.
type openFile struct {
	f    *facade.File
	sock int64
}

// add registers o and returns its new handle.
func (r *registry[T]) add(o T) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last++
	r.objs[r.last] = entry[T]{obj: o}
	return r.last
}

// get returns the object of handle h, open or closed and kept, or CPython's OSError
// [Errno 9] for a handle that was never issued or was forgotten.
func (r *registry[T]) get(h int64) (T, error) {
	r.mu.RLock()
	e, ok := r.objs[h]
	r.mu.RUnlock()
	if !ok {
		var zero T
		return zero, errBadHandle()
	}
	return e.obj, nil
}

// lookup returns the object of handle h and whether it is there (open or kept), and
// whether h was ever handed out.
func (r *registry[T]) lookup(h int64) (o T, ok, issued bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.objs[h]
	return e.obj, ok, h > r.base && h <= r.last
}

// remove takes handle h out of the table at once and returns its object, if it was there
// (ok). issued reports whether h was ever handed out (so closing it twice can be told
// from closing garbage).
func (r *registry[T]) remove(h int64) (o T, ok, issued bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.objs[h]
	if ok {
		delete(r.objs, h)
	}
	return e.obj, ok, h > r.base && h <= r.last
}

// retire records that the object of handle h was closed: it is kept, pinned while inUse
// says it is in use, else in the ring, where it displaces the oldest retired handle when
// the ring is full. Retiring a retired handle changes nothing.
func (r *registry[T]) retire(h int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.objs[h]
	if !ok || e.state == retired {
		return
	}
	if r.inUse != nil && r.inUse(e.obj) {
		e.state = pinned
		r.objs[h] = e
		return
	}
	r.enqueue(h, e)
}

// recheck retires a pinned handle h that is no longer in use (its socket's last file
// closed); anything else is left as it is.
func (r *registry[T]) recheck(h int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.objs[h]
	if ok && e.state == pinned && !r.inUse(e.obj) {
		r.enqueue(h, e)
	}
}

// enqueue puts h at the tail of the ring, forgetting the handle at its head if full.
// r.mu is held.
func (r *registry[T]) enqueue(h int64, e entry[T]) {
	if len(r.ring) == 0 {
		delete(r.objs, h)
		return
	}
	if r.n == len(r.ring) {
		delete(r.objs, r.ring[r.head])
		r.head = (r.head + 1) % len(r.ring)
		r.n--
	}
	r.ring[(r.head+r.n)%len(r.ring)] = h
	r.n++
	e.state = retired
	r.objs[h] = e
}

// issued reports whether handle h was ever handed out.
func (r *registry[T]) issued(h int64) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return h > r.base && h <= r.last
}

// open returns how many handles are open (neither pinned nor retired).
func (r *registry[T]) open() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.openLocked()
}

// kept returns how many closed handles the table holds, pinned and retired.
func (r *registry[T]) kept() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.objs) - r.openLocked()
}

// openLocked is open with r.mu held.
func (r *registry[T]) openLocked() int {
	n := 0
	for _, e := range r.objs {
		if e.state == live {
			n++
		}
	}
	return n
}

// errBadHandle is the error of an unknown handle (never issued, or closed and forgotten):
// OSError [Errno 9] Bad file descriptor, with libc's text.
func errBadHandle() error {
	return &facade.OSError{Errno: int(syscall.EBADF), Strerror: csock.Strerror(int(syscall.EBADF))}
}
