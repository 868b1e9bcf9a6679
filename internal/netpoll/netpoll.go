// Package netpoll waits for socket readiness on Go's runtime network poller without
// giving the descriptors to the os package.
//
// Why not os.NewFile: a descriptor handed to os.NewFile can only leave the runtime poller
// by being closed, so a socket could not be detached (CPython's detach() returns the same
// descriptor, still open), and registering a duplicate instead costs a second descriptor
// per socket, which 10,000 idle sockets cannot afford under a 20,000 RLIMIT_NOFILE.
//
// How: the package keeps one epoll instance of its own, created on first use and kept for
// the life of the process. That instance is itself a descriptor the runtime poller can
// watch (os.NewFile, non-blocking), so one dispatcher goroutine parks on it without holding
// an OS thread; when it becomes readable the dispatcher drains it with a non-blocking
// epoll_wait and wakes the goroutines waiting on each ready socket. Sockets are registered
// edge-triggered, for input and output at once, with epoll_ctl, and removed with
// EPOLL_CTL_DEL when they are closed or detached, without being closed.
//
// Waking without losing an edge: each direction of a Desc counts the readiness events it
// has seen. A caller reads the count (Seq) before its attempt; if the attempt would block,
// Wait parks only while the count is unchanged, so an event that arrived between the
// attempt and the wait is never missed.
//
// Costs: one descriptor and one goroutine for the whole process; per wait, one hand-off
// from the dispatcher to the waiter (a channel send); per direction, one doorbell channel,
// made by the first wait in it; no allocation after that.
package netpoll

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/csock/csock/csock"
)

// Mode selects a direction.
type Mode int

// The two directions.
const (
	Read  Mode = iota // readable (or hung up, or in error)
	Write             // writable (or hung up, or in error)
)

// The ends of a Wait other than readiness.
var (
	// ErrClosed is returned by Wait once Close has run.
	ErrClosed = errors.New("netpoll: descriptor closed")
	// ErrTimeout is returned by Wait when its deadline passes.
	ErrTimeout = errors.New("netpoll: deadline passed")
	// ErrCanceled is returned by Wait when its done channel is closed.
	ErrCanceled = errors.New("netpoll: canceled")
)

// half is one direction of a Desc.
type half struct {
	seq   atomic.Uint64                 // readiness events seen
	wake  atomic.Pointer[chan struct{}] // one slot: a waiter's doorbell, made by its first Wait
	timer *time.Timer                   // reused by Wait for deadlines (one waiter at a time)
}

func (h *half) notify() {
	h.seq.Add(1)
	h.ring()
}

// ring wakes the waiter, if any; the doorbell keeps one ring for a waiter about to park.
// A direction nobody has waited on has no doorbell yet, and nothing to wake.
func (h *half) ring() {
	if c := h.wake.Load(); c != nil {
		select {
		case *c <- struct{}{}:
		default:
		}
	}
}

// doorbell returns the direction's doorbell, making it on first use: most sockets only
// ever wait to read, and 10,000 idle ones need no 10,000 write doorbells. A waiter gets it
// before it reads seq and closed for the last time, and notify and Close change those
// before they look for it (all sequentially consistent atomics), so either the waiter
// sees the change or the ring finds the doorbell.
func (h *half) doorbell() chan struct{} {
	if c := h.wake.Load(); c != nil {
		return *c
	}
	c := make(chan struct{}, 1)
	if h.wake.CompareAndSwap(nil, &c) {
		return c
	}
	return *h.wake.Load()
}

// Desc is a descriptor registered with the poller.
type Desc struct {
	fd     int
	id     uint64
	r, w   half
	closed atomic.Bool
	once   sync.Once
}

// poller is the process's epoll instance and its dispatcher.
type poller struct {
	ep     int
	file   *os.File // ep, watched by the runtime poller
	mu     sync.RWMutex
	descs  map[uint64]*Desc
	nextID uint64
}

var (
	startMu   sync.Mutex // serialises attempts to start the poller
	thePoller atomic.Pointer[poller]
)

// Start creates the process's poller if it does not exist yet: its epoll descriptor and
// dispatcher goroutine then live until the process ends. Open calls it; tests that count
// descriptors and goroutines call it first so the poller is not taken for a leak. A
// failure (EMFILE when descriptors are exhausted) is not remembered: the next call tries
// again.
func Start() error {
	_, err := get()
	return err
}

// DispatcherFunc is the function the dispatcher goroutine runs, for leak checkers to ignore.
const DispatcherFunc = "github.com/csock/csock/internal/netpoll.(*poller).dispatch"

func get() (*poller, error) {
	if p := thePoller.Load(); p != nil {
		return p, nil
	}
	startMu.Lock()
	defer startMu.Unlock()
	if p := thePoller.Load(); p != nil {
		return p, nil
	}
	p, err := start()
	if err != nil {
		return nil, err
	}
	thePoller.Store(p)
	return p, nil
}

func start() (*poller, error) {
	ep, err := csock.EpollCreate()
	if err != nil {
		return nil, err
	}
	p := &poller{ep: ep, descs: make(map[uint64]*Desc)}
	// ep is non-blocking, so the os package registers it with the runtime poller.
	p.file = os.NewFile(uintptr(ep), "csock-netpoll")
	rc, err := p.file.SyscallConn()
	if err != nil {
		p.file.Close()
		return nil, err
	}
	ready := make(chan struct{})
	go p.dispatch(rc, ready)
	<-ready
	return p, nil
}

// dispatch drains the epoll instance whenever the runtime poller reports it readable, for
// as long as the process lives.
func (p *poller) dispatch(rc syscall.RawConn, ready chan<- struct{}) {
	events := make([]csock.Event, 128)
	close(ready)
	for {
		err := rc.Read(func(uintptr) bool {
			for {
				n, err := csock.EpollWait(p.ep, events, 0)
				if err == syscall.EINTR {
					continue
				}
				if err != nil {
					return false
				}
				p.deliver(events[:n])
				if n < len(events) {
					return false // drained: wait for the next edge
				}
			}
		})
		if err != nil {
			// The instance is never closed; a failure here would be a runtime bug.
			panic("netpoll: waiting on the epoll instance: " + err.Error())
		}
	}
}

func (p *poller) deliver(events []csock.Event) {
	const in = csock.EPOLLIN | csock.EPOLLRDHUP | csock.EPOLLHUP | csock.EPOLLERR
	const out = csock.EPOLLOUT | csock.EPOLLHUP | csock.EPOLLERR
	p.mu.RLock()
	for _, e := range events {
		d := p.descs[e.Data]
		if d == nil {
			continue // removed while the event was on its way
		}
		if e.Events&in != 0 {
			d.r.notify()
		}
		if e.Events&out != 0 {
			d.w.notify()
		}
	}
	p.mu.RUnlock()
}

// Open registers fd with the poller. The caller keeps owning fd: Close removes it from the
// poller and never closes it.
func Open(fd int) (*Desc, error) {
	p, err := get()
	if err != nil {
		return nil, err
	}
	d := &Desc{fd: fd}
	p.mu.Lock()
	p.nextID++
	d.id = p.nextID
	p.descs[d.id] = d
	p.mu.Unlock()
	err = csock.EpollCtl(p.ep, csock.EPOLL_CTL_ADD, fd,
		csock.EPOLLIN|csock.EPOLLOUT|csock.EPOLLRDHUP|csock.EPOLLET, d.id)
	if err != nil {
		p.forget(d)
		return nil, err
	}
	return d, nil
}

func (p *poller) forget(d *Desc) {
	p.mu.Lock()
	delete(p.descs, d.id)
	p.mu.Unlock()
}

// Close removes the descriptor from the poller (without closing it) and wakes every
// waiter with ErrClosed. It is safe to call more than once and concurrently with Wait.
func (d *Desc) Close() error {
	var err error
	d.once.Do(func() {
		d.closed.Store(true)
		// Waiters re-check closed after every ring.
		d.r.ring()
		d.w.ring()
		p := thePoller.Load() // not nil: Open made d
		err = csock.EpollCtl(p.ep, csock.EPOLL_CTL_DEL, d.fd, 0, 0)
		if err == syscall.EBADF || err == syscall.ENOENT {
			err = nil // already closed behind our back: the kernel removed it
		}
		p.forget(d)
	})
	return err
}

// Seq returns the number of readiness events seen for mode. Read it before an attempt
// and pass it to Wait if the attempt would block.
func (d *Desc) Seq(mode Mode) uint64 { return d.half(mode).seq.Load() }

func (d *Desc) half(mode Mode) *half {
	if mode == Read {
		return &d.r
	}
	return &d.w
}

// Wait parks until a readiness event for mode arrives after the one counted by seq, the
// deadline passes (zero: no deadline), done is closed (nil: never), or Close runs. At
// most one goroutine may wait per direction at a time (callers serialise their attempts).
//
// Without a deadline or a done channel (a blocking socket) it is a plain receive on the
// direction's doorbell, which Close rings too: one sudog, and a shallow stack for the
// parked goroutine (a select needs a sudog per case and a larger frame).
func (d *Desc) Wait(mode Mode, seq uint64, deadline time.Time, done <-chan struct{}) error {
	h := d.half(mode)
	if !deadline.IsZero() || done != nil {
		return d.waitSelect(h, seq, deadline, done)
	}
	wake := h.doorbell()
	for h.seq.Load() == seq {
		if d.closed.Load() {
			return ErrClosed
		}
		<-wake
	}
	return nil
}

// waitSelect is Wait with a deadline or a done channel.
func (d *Desc) waitSelect(h *half, seq uint64, deadline time.Time, done <-chan struct{}) error {
	wake := h.doorbell()
	if h.seq.Load() != seq {
		return nil
	}
	var tc <-chan time.Time
	if !deadline.IsZero() {
		wait := time.Until(deadline)
		if wait <= 0 {
			return ErrTimeout
		}
		if h.timer == nil {
			h.timer = time.NewTimer(wait)
		} else {
			h.timer.Reset(wait)
		}
		tc = h.timer.C
		defer h.timer.Stop()
	}
	for h.seq.Load() == seq {
		if d.closed.Load() {
			return ErrClosed
		}
		select {
		case <-wake:
		case <-tc:
			if h.seq.Load() != seq {
				return nil
			}
			return ErrTimeout
		case <-done:
			return ErrCanceled
		}
	}
	return nil
}
