package csock

/*
#cgo noescape csock_epoll_wait
#cgo nocallback csock_epoll_wait
#cgo nocallback csock_epoll_ctl
#cgo nocallback csock_epoll_create
#include <sys/epoll.h>
#include "csock.h"
*/
import "C"

import "unsafe"

// The epoll(7) constants the binding's callers use.
const (
	EPOLLIN       = C.EPOLLIN       // EPOLLIN from <sys/epoll.h>
	EPOLLOUT      = C.EPOLLOUT      // EPOLLOUT from <sys/epoll.h>
	EPOLLERR      = C.EPOLLERR      // EPOLLERR from <sys/epoll.h>
	EPOLLHUP      = C.EPOLLHUP      // EPOLLHUP from <sys/epoll.h>
	EPOLLRDHUP    = C.EPOLLRDHUP    // EPOLLRDHUP from <sys/epoll.h>
	EPOLLET       = C.EPOLLET       // EPOLLET from <sys/epoll.h>
	EPOLL_CTL_ADD = C.EPOLL_CTL_ADD // EPOLL_CTL_ADD from <sys/epoll.h>
	EPOLL_CTL_MOD = C.EPOLL_CTL_MOD // EPOLL_CTL_MOD from <sys/epoll.h>
	EPOLL_CTL_DEL = C.EPOLL_CTL_DEL // EPOLL_CTL_DEL from <sys/epoll.h>
)

// Event is one readiness event: the shim's csock_event (an unpacked struct epoll_event).
type Event struct {
	Data   uint64 // the data given to EpollCtl
	Events uint32 // EPOLLIN, EPOLLOUT, ...
	_      uint32
}

// Event must have csock_event's layout: EpollWait hands a []Event to C.
var _ [unsafe.Sizeof(Event{}) - C.sizeof_csock_event]struct{}
var _ [C.sizeof_csock_event - unsafe.Sizeof(Event{})]struct{}

// EpollCreate calls epoll_create1(2) with EPOLL_CLOEXEC and makes the instance
// non-blocking.
func EpollCreate() (int, error) {
	r := C.csock_epoll_create()
	if r < 0 {
		return -1, errno(r)
	}
	return int(r), nil
}

// EpollCtl calls epoll_ctl(2).
func EpollCtl(ep, op, fd int, events uint32, data uint64) error {
	if r := C.csock_epoll_ctl(C.int(ep), C.int(op), C.int(fd), C.uint32_t(events), C.uint64_t(data)); r < 0 {
		return errno(r)
	}
	return nil
}

// EpollWait calls epoll_wait(2) for up to len(events) events (at most 128 per call),
// waiting at most timeoutMS milliseconds (0: not at all, -1: forever).
func EpollWait(ep int, events []Event, timeoutMS int) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	r := C.csock_epoll_wait(C.int(ep), (*C.csock_event)(unsafe.Pointer(&events[0])), C.int(len(events)), C.int(timeoutMS))
	if r < 0 {
		return 0, errno(r)
	}
	return int(r), nil
}
