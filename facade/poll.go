package facade

import (
	"context"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/netpoll"
)

// This file is the I/O engine under every socket method that may wait: how CPython's
// blocking, non-blocking and timeout modes are emulated over a descriptor that is always
// O_NONBLOCK, with Go's runtime network poller doing the waiting.
//
// The descriptor. Every facade socket's descriptor is non-blocking at the OS level. Each
// attempt at an operation is one shim call (csock.Recv, csock.Send, ...), except the
// check of a pending connect, which is SO_ERROR and, when that is 0, getpeername(2) (as in
// Go's net package: the check also runs before any wait, when SO_ERROR cannot tell "in
// progress" from "connected"). Recv and send calls also carry MSG_DONTWAIT, so that an attempt never blocks its thread even if someone
// cleared O_NONBLOCK on the open file description (Detach does, for a socket whose timeout
// is None, and a Dup or FromFD copy shares the description). EINTR is retried at once
// (PEP 475) and never reported. In blocking mode, the caller's MSG_DONTWAIT and MSG_WAITALL
// are given the meaning a blocking recv(2) gives them (doTimeout).
//
// Lazy registration. A socket that never has to wait never touches the poller: socket()
// followed by close() is two system calls. The first time an attempt fails with EAGAIN in
// blocking or timeout mode, the socket registers its descriptor with csock's poller
// (internal/netpoll: one epoll instance for the process, itself watched by Go's runtime
// poller, where a blocking waiter parks directly or is woken by csock's dispatcher; either
// way waiting holds no OS thread). The registration does not own the descriptor:
// Close and Detach remove it from the poller without closing it, so Detach hands back the
// very number Fileno reported (CPython's testDetach asserts it), and a socket costs one
// descriptor however long it has waited. os.NewFile is not used: a descriptor it owns can
// leave Go's poller only by being closed.
//
// Never losing a wake-up. The poller is edge-triggered. Each direction of a registration
// counts the readiness events it has seen; a call reads the count before each attempt and,
// when the attempt would block, waits only while the count is unchanged, so an edge that
// arrives between the attempt's EAGAIN and the wait wakes it (ioOp.wait).
//
// No allocation on the hot path. A call's arguments and results (opArgs) stay in its own
// frame. Each direction of a registration has a one-slot channel that serialises its
// operations and lets a waiting call give up when its timeout passes or its context ends;
// it is made by the first call that waits in that direction. After that, waiting, with a
// deadline or a context or neither, allocates nothing.
//
// Deadlines. A call in timeout mode computes its deadline once (sendall: once for the
// whole call, CPython's B.5) and waits until then; a context ends the wait at once when it
// is done; the earlier of the two wins. CPython's poll() waits whole milliseconds, rounded
// up, so its timeouts can fire up to 1 ms later than these, which use the exact nanosecond
// value.
//
// Close. Close marks the descriptor closed (new attempts fail with EBADF), removes it from
// the poller, which wakes every waiter (they report CPython's [Errno 9] Bad file
// descriptor), then waits until no shim call on the descriptor is in flight, and only then
// closes it: a descriptor number is never released while a call might still use it (the
// fd-reuse race internal/poll's fdMutex prevents too).

// fdRef guards the original descriptor: a count of shim calls in flight and a closed bit.
type fdRef struct {
	fd      int
	state   atomic.Uint64 // closedBit | number of calls in flight
	drained chan struct{} // made by setClosed before it sets closedBit; closed by the last decref
}

const closedBit = 1 << 63

// incref registers a call about to use the descriptor; false once it is closed.
func (r *fdRef) incref() bool {
	for {
		old := r.state.Load()
		if old&closedBit != 0 {
			return false
		}
		if r.state.CompareAndSwap(old, old+1) {
			return true
		}
	}
}

// decref ends a call registered by incref.
func (r *fdRef) decref() {
	if r.state.Add(^uint64(0)) == closedBit {
		close(r.drained)
	}
}

// closed reports whether setClosed has run.
func (r *fdRef) closed() bool { return r.state.Load()&closedBit != 0 }

// setClosed marks the descriptor closed and reports whether this call did it, and whether
// calls were still in flight (then waitDrained waits for them). Callers serialise
// setClosed (Socket.closeMu).
func (r *fdRef) setClosed() (first, busy bool) {
	for {
		old := r.state.Load()
		if old&closedBit != 0 {
			return false, false
		}
		// The channel is needed only if calls are in flight (rarely); it is stored before
		// the CAS that lets a decref see closedBit.
		if old != 0 && r.drained == nil {
			r.drained = make(chan struct{})
		}
		if r.state.CompareAndSwap(old, old|closedBit) {
			return true, old != 0
		}
	}
}

// waitDrained waits until the calls in flight when setClosed ran have ended.
func (r *fdRef) waitDrained(busy bool) {
	if busy {
		<-r.drained
	}
}

// opKind is the system call an ioOp attempts.
type opKind uint8

const (
	opRecv     opKind = iota // recv(2) into buf
	opRecvAll                // recv(2) until buf[n:] is empty or the stream ends (MSG_WAITALL)
	opRecvFrom               // recvfrom(2) into buf, sender in addr
	opAccept                 // accept4(2), new descriptor in n, peer in addr
	opSend                   // send(2) of buf
	opSendAll                // send(2) until buf[n:] is empty (at least once)
	opSendTo                 // sendto(2) of buf to addr
	opConnect                // poll a connect in progress: SO_ERROR, then getpeername(2)
	opUser                   // the function of a RawConn.Read or Write
)

// opArgs are one operation's arguments and results.
type opArgs struct {
	kind  opKind
	buf   []byte
	flags int
	addr  csock.Addr // sendto's destination; recvfrom's and accept's peer
	user  func(fd uintptr) bool
	n     int   // bytes transferred (sendall: so far), or accept's descriptor
	err   error // the result: nil, a syscall.Errno, errTimedOut or a context's error
}

// attempt makes one attempt at the operation on r's descriptor (retrying EINTR at once).
// It reports false when the operation would block (EAGAIN), leaving a's results as they
// were; otherwise the results are in a.n and a.err.
func (a *opArgs) attempt(r *fdRef) bool {
	for {
		if !r.incref() {
			a.err = syscall.EBADF
			return true
		}
		var n int
		var err error
		fd := r.fd
		switch a.kind {
		case opRecv:
			n, err = csock.Recv(fd, a.buf, a.flags|csock.MSG_DONTWAIT)
		case opRecvAll:
			n, err = csock.Recv(fd, a.buf[a.n:], a.flags|csock.MSG_DONTWAIT)
			if err == nil && n > 0 {
				a.n += n
				if a.n < len(a.buf) {
					r.decref()
					continue
				}
			}
			if err != nil && err != syscall.EAGAIN && err != syscall.EINTR && a.n > 0 {
				// As recv(2) with MSG_WAITALL does: the bytes received before an error
				// are the result; the error comes with the next call.
				err = nil
			}
		case opRecvFrom:
			n, err = csock.RecvFrom(fd, a.buf, a.flags|csock.MSG_DONTWAIT, &a.addr)
		case opAccept:
			n, err = csock.Accept(fd, csock.SOCK_NONBLOCK, &a.addr)
		case opSend:
			n, err = csock.Send(fd, a.buf, a.flags|csock.MSG_DONTWAIT)
		case opSendAll:
			n, err = csock.Send(fd, a.buf[a.n:], a.flags|csock.MSG_DONTWAIT)
			if err == nil {
				a.n += n
				if a.n < len(a.buf) {
					r.decref()
					continue
				}
			}
		case opSendTo:
			n, err = csock.SendTo(fd, a.buf, a.flags|csock.MSG_DONTWAIT, &a.addr)
		case opConnect:
			err = connectStatus(fd, &a.addr)
		case opUser:
			if !a.user(uintptr(fd)) {
				err = syscall.EAGAIN
			}
		}
		r.decref()
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		if a.kind != opSendAll && a.kind != opRecvAll {
			a.n = n
		}
		a.err = err
		return true
	}
}

// connectStatus reports how a non-blocking connect is going: nil once connected, EAGAIN
// while in progress, else the error it failed with. SO_ERROR is 0 both while the
// connection is pending and once it is made, so getpeername(2) tells the two apart (what
// Go's net package does too).
func connectStatus(fd int, peer *csock.Addr) error {
	v, err := csock.GetSockOptInt(fd, csock.SOL_SOCKET, csock.SO_ERROR)
	if err != nil {
		return err
	}
	switch e := syscall.Errno(v); e {
	case 0:
		switch err := csock.GetPeerName(fd, peer); err {
		case nil:
			return nil
		case syscall.ENOTCONN:
			return syscall.EAGAIN
		default:
			return err
		}
	case syscall.EISCONN:
		return nil
	case syscall.EINPROGRESS, syscall.EALREADY, syscall.EINTR:
		return syscall.EAGAIN
	default:
		return e
	}
}

// pollFile is a socket's registration with csock's poller (internal/netpoll), and the
// operation state of each direction.
type pollFile struct {
	d    *netpoll.Desc
	r, w ioOp
}

// ioOp is the operation state of one direction of a registered socket: the lock that
// serialises its calls. A waiting call's arguments stay in its own opArgs, on its stack.
type ioOp struct {
	// sem has one slot, held by the call using this direction. It is made by the first
	// call that waits in the direction (most sockets never wait to send).
	sem atomic.Pointer[chan struct{}]
}

// semaphore returns sem, making it on first use.
func (o *ioOp) semaphore() chan struct{} {
	if c := o.sem.Load(); c != nil {
		return *c
	}
	c := make(chan struct{}, 1)
	if o.sem.CompareAndSwap(nil, &c) {
		return c
	}
	return *o.sem.Load()
}

// lock takes the direction for one call, giving up at the deadline dl (if not zero) or
// when ctx (if not nil) ends.
func (o *ioOp) lock(dl time.Time, ctx context.Context) error {
	sem := o.semaphore()
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	done := ctx.Done()
	var expired <-chan time.Time
	if !dl.IsZero() {
		t := time.NewTimer(time.Until(dl))
		defer t.Stop()
		expired = t.C
	}
	select {
	case sem <- struct{}{}:
		return nil
	case <-done:
		return ctx.Err()
	case <-expired:
		return errTimedOut
	}
}

func (o *ioOp) unlock() { <-*o.sem.Load() }

// poller returns the socket's registration with the poller, registering it first if need
// be (see the top of this file).
func (s *Socket) poller() (*pollFile, error) {
	if pf := s.pf.Load(); pf != nil {
		return pf, nil
	}
	return s.register()
}

// register is the slow path of poller. (No defer here: this runs on the stack of a call
// about to wait, whose depth decides whether its goroutine fits in the 2 KiB it starts
// with; see waitOn.)
func (s *Socket) register() (*pollFile, error) {
	s.regMu.Lock()
	if pf := s.pf.Load(); pf != nil {
		s.regMu.Unlock()
		return pf, nil
	}
	if !s.ref.incref() {
		s.regMu.Unlock()
		return nil, syscall.EBADF
	}
	d, err := netpoll.Open(s.ref.fd)
	s.ref.decref()
	if err != nil {
		s.regMu.Unlock()
		return nil, err
	}
	pf := &pollFile{d: d}
	s.pf.Store(pf)
	s.regMu.Unlock()
	return pf, nil
}

// deadlineFor is the deadline of a call starting now with timeout t (zero when t is not
// a timeout).
func deadlineFor(t timeoutNS) time.Time {
	if t <= 0 {
		return time.Time{}
	}
	return time.Now().Add(time.Duration(t))
}

// do runs the operation a in the socket's timeout mode: CPython's sock_call (B.2). write
// says which readiness it waits for. The outcome is in a.err (nil, a syscall.Errno,
// errTimedOut or ctx's error).
func (s *Socket) do(ctx context.Context, a *opArgs, write bool) {
	s.doTimeout(ctx, a, write, timeoutNS(s.timeout.Load()), time.Time{})
}

// doTimeout is do with the timeout t already taken. dl is the deadline; when it is zero
// and t is a timeout, the deadline is t from now.
func (s *Socket) doTimeout(ctx context.Context, a *opArgs, write bool, t timeoutNS, dl time.Time) {
	if t > 0 && dl.IsZero() {
		dl = deadlineFor(t)
	}
	if t < 0 {
		// What a blocking recv(2) or send(2) does with these flags, emulated: MSG_DONTWAIT
		// makes the call non-blocking; MSG_WAITALL on a stream waits for the whole buffer
		// (CPython's timeout mode polls and then gets what is there, as here).
		switch {
		case a.flags&csock.MSG_DONTWAIT != 0:
			t = 0
		case a.kind == opRecv && a.flags&csock.MSG_WAITALL != 0 && a.flags&csock.MSG_PEEK == 0 &&
			s.typ == csock.SOCK_STREAM:
			a.kind = opRecvAll
		}
	}
	if ctx.Err() != nil {
		a.err = ctx.Err()
		return
	}
	pf := s.pf.Load()
	if pf == nil || t == 0 {
		if a.attempt(&s.ref) {
			return
		}
		if t == 0 {
			a.err = syscall.EAGAIN
			return
		}
		if !dl.IsZero() && !time.Now().Before(dl) {
			a.err = errTimedOut
			return
		}
		var err error
		if pf, err = s.poller(); err != nil {
			a.err = err
			return
		}
	}
	s.waitOn(pf, ctx, a, write, dl)
}

// waitOn takes the direction, then makes attempts at the operation a, waiting for
// readiness between them, until it is over, its deadline dl passes, ctx ends or the socket
// closes; the outcome is in a. The readiness count is read before each attempt, so an edge
// that arrives between an attempt's EAGAIN and the wait is never lost.
//
// Stack depth: a goroutine starts with a 2 KiB stack and keeps whatever it grows to, and
// 10,000 goroutines blocked in Recv are 20 MB more at 4 KiB (Go's own blocked Read fits
// in 2 KiB). So the path from Recv to here is kept flat: do is inlined, this one function
// holds the loop, and a's arguments stay in the caller's frame (no copy to the heap).
func (s *Socket) waitOn(pf *pollFile, ctx context.Context, a *opArgs, write bool, dl time.Time) {
	o, mode := &pf.r, netpoll.Read
	if write {
		o, mode = &pf.w, netpoll.Write
	}
	if err := o.lock(dl, ctx); err != nil {
		a.err = err
		return
	}
	done := ctx.Done()
loop:
	for {
		if err := ctx.Err(); err != nil {
			a.err = err
			break
		}
		seq := pf.d.Seq(mode)
		if a.attempt(&s.ref) {
			break
		}
		switch pf.d.Wait(mode, seq, dl, done) {
		case nil:
		case netpoll.ErrTimeout:
			a.err = errTimedOut
			break loop
		case netpoll.ErrCanceled:
			a.err = ctx.Err()
			break loop
		default: // netpoll.ErrClosed
			a.err = syscall.EBADF
			break loop
		}
	}
	o.unlock()
}
