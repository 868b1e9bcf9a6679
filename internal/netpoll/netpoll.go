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
// watch (os.NewFile, non-blocking). Sockets are registered edge-triggered, for input and
// output at once, with epoll_ctl, and removed with EPOLL_CTL_DEL when they are closed or
// detached, without being closed. Whoever polls the instance drains it with a
// non-blocking epoll_wait and wakes the goroutines waiting on each ready socket:
//
//   - A blocking waiter (no deadline, no done channel) first tries to lead: it takes the
//     leader file, a duplicate of the epoll descriptor that the runtime poller watches on
//     its own, and parks on it. When an event arrives the runtime poller wakes that waiter
//     directly, as it wakes a goroutine blocked in package net; without this, a second
//     goroutine would have to be woken to wake it, which costs an OS thread's wake-up per
//     round trip. A leader whose event someone else drained first is kicked (its file's
//     read deadline set to now), because the runtime poller reports an epoll descriptor
//     only while events are pending. A leader that wakes leaderPatience times for nothing
//     gives the file up, so an idle socket does not keep it.
//   - Every other waiter (a timed or cancellable one, or a blocking one that found the
//     leader file taken) waits on its direction's doorbell and counts as a follower; one
//     dispatcher goroutine parks on the instance itself while there are followers.
//
// Waking without losing an edge: each direction of a Desc counts the readiness events it
// has seen. A caller reads the count (Seq) before its attempt; if the attempt would block,
// Wait parks only while the count is unchanged, so an event that arrived between the
// attempt and the wait is never missed.
//
// Costs: two descriptors (the instance and the leader file) and one goroutine for the
// whole process; per wait of a follower, one hand-off from the poller to the waiter (a
// channel send); per direction, one doorbell channel, made by the first wait in it; no
// allocation after that.
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
	seq    atomic.Uint64                 // readiness events seen
	wake   atomic.Pointer[chan struct{}] // one slot: a waiter's doorbell, made by its first Wait
	timer  *time.Timer                   // reused by Wait for deadlines (one waiter at a time)
	leader atomic.Pointer[leader]        // the leader file this direction's waiter parks on
}

// kick wakes the waiter leading on a leader file other than self, if any; see deliver.
func (h *half) kick(self *leader) {
	if l := h.leader.Load(); l != nil && l != self {
		l.file.SetReadDeadline(time.Now())
	}
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

// poller is the process's epoll instance, its dispatcher and its leader files.
type poller struct {
	ep     int
	file   *os.File // ep, watched by the runtime poller; the dispatcher's
	mu     sync.RWMutex
	descs  map[uint64]*Desc
	nextID uint64

	leaders   chan *leader  // the free leader files
	followers atomic.Int64  // waiters parked on a doorbell, which the dispatcher serves
	dwake     chan struct{} // wakes the dispatcher when followers appear
}

// leaders is how many blocking waiters may poll the epoll instance themselves at once.
// Every leader file wakes on every event, so more cost more: with two, a ping-pong over a
// Unix socket pair was slower than with one (go run ./bench/cmd/benchrun -ops
// pingpong_tcp,pingpong_unix -impls facade,go).
const leaders = 1

// leader is a duplicate of the epoll descriptor, watched by the runtime poller on its own,
// that one blocking waiter at a time parks on: when an event arrives the runtime poller
// wakes that waiter directly, as it wakes a goroutine blocked in package net, instead of
// waking the dispatcher, which would then wake the waiter. The waiter drains the instance
// for everyone, like the dispatcher.
type leader struct {
	p      *poller
	file   *os.File
	rc     syscall.RawConn
	events []csock.Event
	read   func(uintptr) bool // l.poll, bound once so that waiting does not allocate

	// The waiter leading now (set by that waiter only).
	d        *Desc
	h        *half
	seq      uint64
	calls    int // poll calls in this rc.Read: the first is not a wake
	spurious int // wakes in this lead that brought nothing for d
}

// leaderPatience is how many wakes that bring nothing for its own descriptor a leader
// takes before it gives its leader file up and waits on its doorbell: an idle socket's
// waiter must not keep the file from the busy ones.
const leaderPatience = 4

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
	p := &poller{ep: ep, descs: make(map[uint64]*Desc),
		leaders: make(chan *leader, leaders), dwake: make(chan struct{}, 1)}
	// ep is non-blocking, so the os package registers it with the runtime poller.
	p.file = os.NewFile(uintptr(ep), "csock-netpoll")
	rc, err := p.file.SyscallConn()
	if err != nil {
		p.file.Close()
		return nil, err
	}
	// Leader files are a convenience: without them (descriptors exhausted at start) every
	// waiter is served by the dispatcher.
	for i := 0; i < leaders; i++ {
		if l := p.newLeader(); l != nil {
			p.leaders <- l
		}
	}
	ready := make(chan struct{})
	go p.dispatch(rc, ready)
	<-ready
	return p, nil
}

// newLeader returns a leader file on a duplicate of the epoll descriptor, or nil if one
// cannot be made.
func (p *poller) newLeader() *leader {
	fd, err := csock.Dup(p.ep)
	if err != nil {
		return nil
	}
	l := &leader{p: p, file: os.NewFile(uintptr(fd), "csock-netpoll-leader"), events: make([]csock.Event, 128)}
	if l.rc, err = l.file.SyscallConn(); err != nil {
		l.file.Close()
		return nil
	}
	l.read = l.poll
	return l
}

// dispatch drains the epoll instance whenever the runtime poller reports it readable and
// some waiter is parked on a doorbell (a waiter with a deadline or a done channel, or a
// blocking one that found no free leader file), for as long as the process lives.
func (p *poller) dispatch(rc syscall.RawConn, ready chan<- struct{}) {
	events := make([]csock.Event, 128)
	read := func(uintptr) bool { // made once: the loop below must not allocate
		p.drain(events, nil)
		return p.followers.Load() == 0 // nobody left to serve: stop until dwake
	}
	close(ready)
	for {
		if p.followers.Load() == 0 {
			<-p.dwake
			continue
		}
		err := rc.Read(read)
		if err != nil {
			// The instance is never closed; a failure here would be a runtime bug.
			panic("netpoll: waiting on the epoll instance: " + err.Error())
		}
	}
}

// drain delivers every pending event of the instance; self as for deliver.
func (p *poller) drain(events []csock.Event, self *leader) {
	for {
		n, err := csock.EpollWait(p.ep, events, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return
		}
		p.deliver(events[:n], self)
		if n < len(events) {
			return // drained: wait for the next edge
		}
	}
}

// follow counts the caller as a waiter parked on a doorbell, waking the dispatcher to
// serve it; the caller calls unfollow when it stops waiting. The dispatcher reads
// followers after every drain, and follow increments it before it wakes the dispatcher,
// so a follower is never left without a goroutine polling for it.
func (p *poller) follow() {
	p.followers.Add(1)
	select {
	case p.dwake <- struct{}{}:
	default:
	}
}

func (p *poller) unfollow() { p.followers.Add(-1) }

// lead parks the waiter of h (direction of d, seq as in Wait) on l until h's count moves
// past seq or d is closed, draining the instance for everyone whenever it wakes. It
// reports whether it gave up first, after leaderPatience wakes that brought nothing for d.
func (l *leader) lead(d *Desc, h *half, seq uint64) (gaveUp bool) {
	l.d, l.h, l.seq, l.spurious = d, h, seq, 0
	h.leader.Store(l)
	for h.seq.Load() == seq && !d.closed.Load() {
		l.calls = 0
		err := l.rc.Read(l.read)
		if err == nil {
			gaveUp = l.spurious >= leaderPatience && h.seq.Load() == seq && !d.closed.Load()
			break
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			panic("netpoll: waiting on the epoll instance: " + err.Error())
		}
		// Close kicked this file (maybe for an earlier leader): clear it, check again.
		l.file.SetReadDeadline(time.Time{})
	}
	h.leader.Store(nil)
	l.d, l.h = nil, nil
	return gaveUp
}

// poll is the leader's rc.Read callback: drain, then stop once the leading waiter's event
// has come or its descriptor is closed, or when its patience is out.
func (l *leader) poll(uintptr) bool {
	l.p.drain(l.events, l)
	if l.h.seq.Load() != l.seq || l.d.closed.Load() {
		return true
	}
	if l.calls++; l.calls > 1 {
		l.spurious++
	}
	return l.spurious >= leaderPatience
}

// deliver counts and rings each event's direction. self is the leader draining (nil for
// the dispatcher): a descriptor whose waiter leads on another leader file gets that file
// kicked, because the runtime poller reports an epoll descriptor readable only while
// events are pending, so a leader parked on its file is not woken for an event someone
// else drained first.
func (p *poller) deliver(events []csock.Event, self *leader) {
	const in = csock.EPOLLIN | csock.EPOLLRDHUP | csock.EPOLLHUP | csock.EPOLLERR
	const out = csock.EPOLLOUT | csock.EPOLLHUP | csock.EPOLLERR
	p.mu.RLock()
	for _, e := range events {
		d := p.descs[e.Data]
		if d == nil {
			continue // removed while the event was on its way
		}
		// Kick after notify: a leader that stored h.leader after kick's load sees the new
		// count when it checks; one that stored it before is kicked.
		if e.Events&in != 0 {
			d.r.notify()
			d.r.kick(self)
		}
		if e.Events&out != 0 {
			d.w.notify()
			d.w.kick(self)
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
		// Waiters re-check closed after every ring, and a leading waiter after every wake.
		d.r.ring()
		d.w.ring()
		d.r.kick(nil)
		d.w.kick(nil)
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
// Without a deadline or a done channel (a blocking socket) the caller parks on the leader
// file if it is free (see the package comment), and otherwise on a plain receive from the
// direction's doorbell, which Close rings too: one sudog, and a shallow stack for the
// parked goroutine (a select needs a sudog per case and a larger frame).
func (d *Desc) Wait(mode Mode, seq uint64, deadline time.Time, done <-chan struct{}) error {
	h := d.half(mode)
	p := thePoller.Load() // not nil: Open made d
	if !deadline.IsZero() || done != nil {
		p.follow()
		defer p.unfollow()
		return d.waitSelect(h, seq, deadline, done)
	}
	wake := h.doorbell()
	mayLead := true
	for h.seq.Load() == seq {
		if d.closed.Load() {
			return ErrClosed
		}
		if mayLead {
			select {
			case l := <-p.leaders:
				mayLead = !l.lead(d, h, seq)
				p.leaders <- l
				continue
			default:
			}
		}
		p.follow()
		if h.seq.Load() == seq && !d.closed.Load() {
			<-wake
		}
		p.unfollow()
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
