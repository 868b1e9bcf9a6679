//go:build linux && cgo

package csock

/*
#cgo noescape csock_gai_start
#cgo noescape csock_gai_cancel
#cgo nocallback csock_gai_cancel
#cgo noescape csock_gai_finish
#cgo nocallback csock_gai_finish
#define _GNU_SOURCE // EAI_CANCELED and the other getaddrinfo_a codes
#include <netdb.h>
#include "csock.h"

// Defined by the //export below.
extern void csockGaiNotify(void *arg);
*/
import "C"

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	pointer "github.com/mattn/go-pointer"
)

// asyncOp is the Go side of one getaddrinfo_a request: C knows it only by the go-pointer
// handle passed as the callback's userdata.
type asyncOp struct {
	req      *C.csock_gai_req
	handle   unsafe.Pointer // from pointer.Save; Unref'd exactly once (see unrefHandle)
	state    atomic.Int32   // opWaiting, then opNotified (by the callback) or opAbandoned (by Abandon)
	done     chan struct{}  // closed by the callback in opNotified
	released func()

	// mu orders the owner's calls (Cancel, Result, Abandon), which may come from several
	// goroutines; ended is set by the one that ends the owner's part, after which req may
	// be freed (by it, or by the callback after Abandon) and is never touched again here.
	mu    sync.Mutex
	ended bool
}

const (
	opWaiting   int32 = iota // the owner may still take the result
	opNotified               // the callback came before any Abandon: the owner frees the request
	opAbandoned              // the owner gave it up (gai_cancel too late): the callback frees it
)

// asyncCounters back readAsyncStats (seam.ReadAsyncStats: the tests' count of requests).
var asyncCounters struct {
	started, notified, canceled, notCanceled, allDone, refs, unrefs atomic.Uint64
}

// testHookSave and testHookUnref, when set, see every handle just after it is made and
// just before it is Unref'd: tests check that each is released exactly once.
var testHookSave, testHookUnref atomic.Pointer[func(unsafe.Pointer)]

// testHookStartFails makes the next csock_gai_start calls fail as glibc's getaddrinfo_a
// does when it cannot queue a request.
var testHookStartFails atomic.Bool

func saveHandle(op *asyncOp) {
	op.handle = pointer.Save(op)
	asyncCounters.refs.Add(1)
	if f := testHookSave.Load(); f != nil {
		(*f)(op.handle)
	}
}

func unrefHandle(h unsafe.Pointer) {
	if f := testHookUnref.Load(); f != nil {
		(*f)(h)
	}
	asyncCounters.unrefs.Add(1)
	pointer.Unref(h)
}

// csockGaiNotify is the completion callback of every request (csock_gai_notify_fn). C calls
// it once per request that gai_cancel did not remove, on a thread glibc creates for it, so
// it only hands the outcome over and never blocks.
//
//export csockGaiNotify
func csockGaiNotify(arg unsafe.Pointer) {
	op, ok := pointer.Restore(arg).(*asyncOp)
	if !ok {
		panic("csock: getaddrinfo_a notification for an unknown request")
	}
	// This is the last time C passes the handle. It is released, and the request counted
	// as notified, only once the work below is done, so that a count of requests with no
	// handle left (the tests' settled state) also means every released has been called.
	defer func() {
		asyncCounters.notified.Add(1)
		unrefHandle(arg)
	}()
	if op.state.CompareAndSwap(opWaiting, opNotified) {
		close(op.done)
		return
	}
	// No one waits for the result any more.
	op.finish(nil)
}

// finish frees the request, flattening its result into s when s is not nil, and says
// that libc is done with it.
func (op *asyncOp) finish(s *scratch) ([]AddrInfo, error) {
	defer op.released()
	if s == nil {
		C.csock_gai_finish(op.req, nil, 0, nil, nil)
		return nil, nil
	}
	var out *C.csock_addrinfo_list
	var cst C.csock_rstatus
	own := unsafe.Pointer(&s.block[0])
	rc := C.csock_gai_finish(op.req, own, C.size_t(unsafe.Sizeof(s.block)), &out, &cst)
	if rc != 0 {
		return nil, &GaiError{Code: int(rc), Errno: syscall.Errno(cst.syserr)}
	}
	return addrInfoList(nil, out, own), nil
}

// start queues the request (a function of its own, so that the caller waits with a small
// frame). It returns 0 or the EAI_* code of csock_gai_start, with errno for EAI_SYSTEM.
func (op *asyncOp) start(host, service []byte, family, socktype, proto, flags int) (C.int, syscall.Errno) {
	var s struct {
		host [256]byte
		serv [64]byte
	}
	if testHookStartFails.Load() {
		return C.EAI_AGAIN, 0
	}
	var req *C.csock_gai_req
	var cst C.csock_rstatus
	rc := C.csock_gai_start(cstr(host, s.host[:]), cstr(service, s.serv[:]),
		C.int(family), C.int(socktype), C.int(proto), C.int(flags),
		C.csock_gai_notify_fn(C.csockGaiNotify), op.handle, &req, &cst)
	op.req = req
	return rc, syscall.Errno(cst.syserr)
}

// GaiRequest is one getaddrinfo_a(3) request, for a caller that runs its life itself
// (GetAddrInfoAsync is the whole of it in one call). StartGetAddrInfo queues it; Done
// is closed when glibc has finished it; Cancel (gai_cancel(3)) takes it out of glibc's
// queue if no helper thread has started it. The caller's part ends with the first of: a
// Cancel that returned true, a Result after Done, or Abandon.
//
// Its methods may be called from several goroutines at once. Once the caller's part has
// ended, the request belongs to libc or is freed, and the methods no longer touch it: Cancel
// returns false, Result returns ErrGaiRequestEnded, Abandon does nothing. A nil
// *GaiRequest (what a failed StartGetAddrInfo returns) behaves as one that has ended, and
// its Done channel is closed, so a waiter goes on to Result's error rather than waiting
// for ever.
type GaiRequest struct{ op *asyncOp }

// EAI_INPROGRESS is gai_error(3)'s code for a request still running: the Code of
// GaiRequest.Result's *GaiError before Done is closed.
const EAI_INPROGRESS = C.EAI_INPROGRESS

// ErrGaiRequestEnded is Result's error for a GaiRequest whose caller's part has already
// ended (by Result, Abandon or a Cancel that returned true), or a nil one.
var ErrGaiRequestEnded = errors.New("csock: getaddrinfo_a request already ended (Result, Abandon or Cancel)")

// closedDone is the Done channel of a nil GaiRequest.
var closedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// StartGetAddrInfo queues getaddrinfo(3) of (host, service) with hints {family, socktype,
// proto, flags} for glibc's resolver threads (csock_gai_start: getaddrinfo_a(3) with
// GAI_NOWAIT and a SIGEV_THREAD notification; at most 20 run at once, a glibc constant,
// the others wait in glibc's queue). host and service are copied.
//
// released (nil for none) is called exactly once, when libc is done with the request: at
// once if StartGetAddrInfo fails, else from Cancel, Result or Abandon, or later from the
// thread glibc runs the completion callback on (after Abandon), so it must not block.
//
// If glibc cannot queue the request, the error is a *GaiError with its EAI_AGAIN,
// EAI_MEMORY or EAI_SYSTEM (with errno). Arguments C cannot be given are refused as
// GetAddrInfo refuses them, with its *GaiError, before anything is queued.
func StartGetAddrInfo(host, service []byte, family, socktype, proto, flags int, released func()) (*GaiRequest, error) {
	if released == nil {
		released = func() {}
	}
	if code := gaiArgs(host, service, family, socktype, proto, flags); code != 0 {
		released()
		return nil, &GaiError{Code: code}
	}
	op := &asyncOp{done: make(chan struct{}), released: released}
	saveHandle(op)
	asyncCounters.started.Add(1)
	if rc, errno := op.start(host, service, family, socktype, proto, flags); rc != 0 {
		asyncCounters.started.Add(^uint64(0))
		unrefHandle(op.handle) // the callback never comes
		released()
		return nil, &GaiError{Code: int(rc), Errno: errno}
	}
	return &GaiRequest{op: op}, nil
}

// Done is closed when glibc has finished the lookup (its completion callback has come);
// Result then returns at once. It is never closed for a request Cancel took out of the
// queue, nor when glibc could not create the callback's thread (the process is out of
// threads): glibc then drops the notification.
func (r *GaiRequest) Done() <-chan struct{} {
	if r == nil || r.op == nil {
		return closedDone
	}
	return r.op.done
}

// Cancel calls gai_cancel(3) (csock_gai_cancel). It returns true when the request was
// still in glibc's queue: it is taken out, never runs, Done is never closed, and the
// request is freed here (released is called): the caller is done with it. It returns false
// when a helper thread runs it (EAI_NOTCANCELED: it goes on until libc returns) or has
// finished it (EAI_ALLDONE); Done is then closed, or will be, and the caller still owes a
// Result or an Abandon. After the caller's part has ended it returns false and does
// nothing.
func (r *GaiRequest) Cancel() bool {
	if r == nil || r.op == nil {
		return false
	}
	op := r.op
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.ended {
		return false
	}
	switch C.csock_gai_cancel(op.req) {
	case C.EAI_CANCELED:
		// Removed from glibc's queue: it never runs and the callback never comes.
		op.ended = true
		asyncCounters.canceled.Add(1)
		unrefHandle(op.handle)
		op.finish(nil)
		return true
	case C.EAI_NOTCANCELED:
		asyncCounters.notCanceled.Add(1)
	default: // EAI_ALLDONE
		asyncCounters.allDone.Add(1)
	}
	return false
}

// Result takes the outcome of a finished request and frees it (csock_gai_finish); call it
// once Done is closed. The results equal GetAddrInfo's, flattened by the same shim code,
// with two differences that come from the lookup running on another thread: h_errno is not
// reported (it stays on glibc's thread), and an EAI_SYSTEM failure has Errno 0 (glibc drops
// it).
//
// Before Done is closed it returns a *GaiError EAI_INPROGRESS (gai_error(3)'s answer for a
// request still running) and the request stays the caller's; after the caller's part has
// ended, ErrGaiRequestEnded.
func (r *GaiRequest) Result() ([]AddrInfo, error) {
	if r == nil || r.op == nil {
		return nil, ErrGaiRequestEnded
	}
	op := r.op
	op.mu.Lock()
	defer op.mu.Unlock()
	switch {
	case op.ended:
		return nil, ErrGaiRequestEnded
	case op.state.Load() != opNotified:
		// libc still writes into the request: freeing it now would be a use after free.
		return nil, &GaiError{Code: EAI_INPROGRESS}
	}
	op.ended = true
	s := getScratch()
	defer putScratch(s)
	return op.finish(s)
}

// Abandon gives the request up: its result will be dropped, and the request freed (and
// released called) by the completion callback when libc is done with it, or here if it
// already is. Call it instead of Result, after a Cancel that returned false. After the
// caller's part has ended it does nothing.
func (r *GaiRequest) Abandon() {
	if r == nil || r.op == nil {
		return
	}
	op := r.op
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.ended {
		return
	}
	op.ended = true
	// The callback has come or will come, and it owns the handle.
	if !op.state.CompareAndSwap(opWaiting, opAbandoned) {
		// It came before: the request is still ours to free.
		op.finish(nil)
	}
}

// GetAddrInfoAsync is GetAddrInfo through glibc's getaddrinfo_a(3): the lookup is queued
// for glibc's resolver threads (at most 20 run at once, a glibc constant) and the calling
// goroutine waits for the completion callback without holding an OS thread. The callback's
// userdata is a github.com/mattn/go-pointer handle, released exactly once. It is
// StartGetAddrInfo, then Result, or Cancel and Abandon when ctx ends first.
//
// When ctx ends first, the request is cancelled with gai_cancel(3) and ctx.Err() is
// returned at once: a request still in glibc's queue never runs; one already running goes
// on until libc returns, and its result is then dropped.
//
// released (never nil) is called exactly once, when libc is done with the request: before
// GetAddrInfoAsync returns, or later (after a cancellation that came too late) from the
// thread glibc runs the callback on, so it must not block. Callers bounding the lookups in
// libc release their slot there.
//
// Results and errors are those of Result and StartGetAddrInfo. If glibc cannot create the
// thread that runs the callback (the process is out of threads), it drops the
// notification: the call then waits until ctx ends, and released is never called.
func GetAddrInfoAsync(ctx context.Context, host, service []byte, family, socktype, proto, flags int, released func()) ([]AddrInfo, error) {
	if err := ctx.Err(); err != nil {
		released()
		return nil, err
	}
	r, err := StartGetAddrInfo(host, service, family, socktype, proto, flags, released)
	if err != nil {
		return nil, err
	}
	select {
	case <-r.Done():
		return r.Result()
	case <-ctx.Done():
	}
	if !r.Cancel() {
		r.Abandon()
	}
	return nil, ctx.Err()
}
