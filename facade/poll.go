//go:build linux

package facade

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/csock/csock/csock"
)

// This file is the I/O engine under every socket method that may wait: how CPython's
// blocking, non-blocking and timeout modes run on Go's runtime network poller, the way
// the net package and github.com/mdlayher/socket run theirs.
//
// Attempts. Each attempt at an operation is one shim call (csock.Recv, csock.Send, ...),
// except the check of a pending connect, which is SO_ERROR and, when that is 0,
// getpeername(2) (as in Go's net package). Receives and sends (sendmsg and recvmsg
// included) carry MSG_DONTWAIT; accept, connect and sendfile, which have no such flag, use
// the shim's never-waiting forms when the descriptor is blocking (csock.AcceptNowait,
// csock.ConnectNowait, csock.SendFileNowait), so an attempt never blocks its thread,
// whatever the descriptor's O_NONBLOCK flag. EINTR is retried at once (PEP 475) and never
// reported. In blocking mode, the caller's MSG_DONTWAIT and MSG_WAITALL keep the meaning a
// blocking recv(2) gives them (doTimeout).
//
// The descriptor's flag is CPython's: blocking (O_NONBLOCK clear) when the timeout is
// None, non-blocking with a timeout or 0.0, so a child process or C code given Fileno
// sees what it would see under CPython. The engine does not depend on it (above).
//
// Lazy registration. A socket that never has to wait never touches the poller: socket()
// followed by close() is two system calls. The first time an attempt fails with EAGAIN in
// blocking or timeout mode, the socket hands its descriptor to the runtime poller with
// os.NewFile (which registers a descriptor only while it is O_NONBLOCK, so a blocking one
// is made non-blocking for that call and blocking again after). From then on the
// *os.File owns the descriptor, and every wait is a (*os.File).SyscallConn RawConn Read or
// Write whose callback makes the attempt and returns false on EAGAIN: internal/poll's
// FD.RawRead resets the direction (runtime_pollReset) before the first attempt, so an
// edge that arrives between an attempt's EAGAIN and the wait is never lost, and
// runtime_pollWait parks the goroutine without holding an OS thread.
//
// Timeouts are the file's deadlines. None is no deadline, 0.0 never reaches the poller, a
// timeout is a read or write deadline set when the call starts (sendall: once for the
// whole call, CPython's B.5). A direction remembers the deadline it last set, so a run of
// calls in one mode sets it once. CPython's poll() waits whole milliseconds, rounded up,
// so its timeouts can fire up to 1 ms later than these, which use the exact nanosecond
// value.
//
// One call per direction at a time. Each direction has a one-slot semaphore, taken for
// the whole call (giving up at the call's deadline or when its context ends), and the
// call's arguments are copied into the direction for the callback, which is bound once at
// registration: a call allocates nothing, with or without a timeout.
//
// Contexts. A ...Context call whose context can end arms context.AfterFunc to expire its
// direction's deadline, which wakes the wait; the call then reports the context's error.
//
// Close. Close marks the descriptor closed (new calls fail with EBADF, and so does the
// callback of a call in flight), expires both deadlines, which wakes every waiter, waits
// until no call uses the descriptor, and only then closes the file, so a descriptor
// number is never released while a call might still use it. (The callback's check of the
// closed bit comes after the call set its deadline, so a call racing with Close either
// sees the bit or has its deadline expired by Close.)
//
// Detach. CPython's testDetach asserts that detach() returns the very number fileno()
// reported, still open. A registered descriptor cannot leave Go's poller without being
// closed: the runtime's pollDesc is freed only by poll_runtime_pollClose
// (runtime/netpoll.go), which internal/poll calls from FD.destroy, right before it closes
// the descriptor; and an unreachable *os.File closes its descriptor from its finalizer
// (os/file_unix.go, newFile). So Detach wakes and drains the calls as Close does, then
// parks the *os.File in a package-level registry for good, keyed by the descriptor number
// and the open file's device and inode (csock.FDID). When the user closes the descriptor,
// the kernel drops its epoll registration with the open file; the parked file is never
// used again and costs its few hundred bytes.
//
// Adopting a descriptor (NewFromFileno). os.NewFile on a descriptor the runtime poller
// already watches gets EEXIST from epoll_ctl, and os.NewFile then silently returns an
// unpollable file (internal/poll's FD.Init error is dropped), whose waits would fail
// ("waiting for unsupported file type") or, in other uses, hold a thread. Two cases:
// the descriptor of a detached socket, re-adopted with socket(fileno=s.detach()) (CPython's
// idiom), takes its parked file back from the registry; a descriptor that another owner
// has on Go's poller (a net.Conn's, an os.File's) is refused with [Errno 17] File exists,
// detected when adopting (an unpollable file has no deadlines: os.ErrNoDeadline).
//
// The runtime poller is started when the package initialises (startRuntimePoller), so the
// first wait of a process never needs a descriptor: the runtime's epoll and wake-up
// descriptors exist before any socket does.

func init() { startRuntimePoller() }

// startRuntimePoller makes the Go runtime start its network poller now: registering one
// pipe end with it (os.Pipe) does, as internal/poll's FD.Init runs
// runtime_pollServerInit once. Should the pipe fail (descriptors exhausted at start-up), a
// timer does the same (the runtime starts the poller for its first timer, runtime/time.go
// addHeap).
func startRuntimePoller() {
	r, w, err := os.Pipe()
	if err != nil {
		time.AfterFunc(time.Hour, func() {}).Stop()
		return
	}
	r.Close()
	w.Close()
}

// fdRef guards the original descriptor: a count of calls in flight and a closed bit.
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
	opSendMsg                // sendmsg(2) of bufs and control, to addr if it has a family
	opRecvMsg                // recvmsg(2) into bufs and control, sender in addr
	opSendFile               // sendfile(2) of up to count bytes of the file inFD
)

// opArgs are one operation's arguments and results.
type opArgs struct {
	kind  opKind
	buf   []byte
	flags int
	user  func(fd uintptr) bool
	n     int    // bytes transferred (sendall: so far), or accept's descriptor
	err   error  // the result: nil, a syscall.Errno, errTimedOut or a context's error
	x     *opExt // the arguments and results of the operations that have more (nil: none)
	// cpyPoll: the call is in CPython's timeout mode, whose sock_call polls before every
	// attempt (see attempt).
	cpyPoll bool
	// kernelTO: the deadline is SO_RCVTIMEO's or SO_SNDTIMEO's (see unusualTimeout).
	kernelTO bool
}

// opExt are the arguments and results of the operations that have an address, buffers,
// ancillary data or a file. They are kept apart from opArgs so that the frame of a call
// parked on the poller stays small (see doTimeout): a receive holds only opArgs on its stack.
type opExt struct {
	addr csock.Addr // sendto's and sendmsg's destination; recvfrom's, recvmsg's and accept's peer

	// sendmsg and recvmsg
	bufs    [][]byte // the buffers gathered from or scattered into
	control []byte   // the ancillary data sent; the buffer it is received into
	cn      int      // recvmsg: the bytes of control the kernel wrote
	mflags  int      // recvmsg: the message's flags

	// sendfile
	inFD    int   // the file read from
	off     int64 // where in the file, advanced by each call (unless filePos)
	filePos bool  // read from the file position, which advances (a NULL offset)
	count   int   // the most one call sends
}

// attempt makes one attempt at the operation on the descriptor fd of s (retrying EINTR at
// once); the caller holds the descriptor. It reports false when the operation would block
// (EAGAIN), leaving a's results as they were; otherwise the results are in a.n and a.err.
//
// In CPython's timeout mode (a.cpyPoll) an attempt is made only once poll(2) says the
// descriptor is ready. Attempting first, as here, gives the same outcome except where an
// attempt returns at once on a descriptor that poll(2) does not call ready, so only those
// cases ask poll(2): cpyPollsFirst before an attempt, persistentError after one. Not
// ready means the attempt did not happen, and the call waits.
func (a *opArgs) attempt(s *Socket, fd int) bool {
	if a.cpyPoll && a.cpyPollsFirst() && !readyNow(fd, a.kind.writes()) {
		return false
	}
	for {
		var n int
		var err error
		switch a.kind {
		case opRecv:
			n, err = csock.Recv(fd, a.buf, a.flags|csock.MSG_DONTWAIT)
		case opRecvAll:
			n, err = csock.Recv(fd, a.buf[a.n:], a.flags|csock.MSG_DONTWAIT)
			if err == nil && n > 0 {
				a.n += n
				if a.n < len(a.buf) {
					continue
				}
			}
			if err != nil && err != syscall.EAGAIN && err != syscall.EINTR && a.n > 0 {
				// As recv(2) with MSG_WAITALL does: the bytes received before an error
				// are the result; the error comes with the next call.
				err = nil
			}
		case opRecvFrom:
			n, err = csock.RecvFrom(fd, a.buf, a.flags|csock.MSG_DONTWAIT, &a.x.addr)
		case opAccept:
			flags := csock.SOCK_NONBLOCK
			if defaultTimeout.Load() < 0 {
				flags = 0 // the accepted socket's mode is None: blocking, as CPython's
			}
			if s.osNonblock.Load() {
				n, err = csock.Accept(fd, flags, &a.x.addr)
			} else {
				n, err = csock.AcceptNowait(fd, flags, &a.x.addr)
			}
		case opSend:
			n, err = csock.Send(fd, a.buf, a.flags|csock.MSG_DONTWAIT)
		case opSendAll:
			n, err = csock.Send(fd, a.buf[a.n:], a.flags|csock.MSG_DONTWAIT)
			if err == nil {
				a.n += n
				if a.n < len(a.buf) {
					continue
				}
			}
		case opSendTo:
			n, err = csock.SendTo(fd, a.buf, a.flags|csock.MSG_DONTWAIT, &a.x.addr)
		case opConnect:
			err = connectStatus(fd, &a.x.addr)
		case opUser:
			if !a.user(uintptr(fd)) {
				err = syscall.EAGAIN
			}
		case opSendMsg:
			var to *csock.Addr
			if a.x.addr.Family != 0 {
				to = &a.x.addr
			}
			n, err = csock.SendMsg(fd, a.x.bufs, a.x.control, to, a.flags|csock.MSG_DONTWAIT)
		case opRecvMsg:
			var cn, mflags int
			n, cn, mflags, err = csock.RecvMsg(fd, a.x.bufs, a.x.control, a.flags|csock.MSG_DONTWAIT, &a.x.addr)
			if err == nil {
				a.x.cn, a.x.mflags = cn, mflags
			}
		case opSendFile:
			// sendfile(2) takes no MSG_DONTWAIT: on a blocking descriptor (CPython's flag
			// in blocking mode) the shim sets O_NONBLOCK around the call.
			off := &a.x.off
			if a.x.filePos {
				off = nil
			}
			if s.osNonblock.Load() {
				n, err = csock.SendFile(fd, a.x.inFD, off, a.x.count)
			} else {
				n, err = csock.SendFileNowait(fd, a.x.inFD, off, a.x.count)
			}
		}
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		if a.cpyPoll && err != nil && a.kind.polls() && persistentError(err) && !readyNow(fd, a.kind.writes()) {
			return false
		}
		if a.kind != opSendAll && a.kind != opRecvAll {
			a.n = n
		}
		a.err = err
		return true
	}
}

// cpyPollsFirst reports whether an attempt in CPython's timeout mode must wait for poll(2)
// first: when it would return at once whatever poll(2) says and consume nothing, a recv
// or send of zero bytes (recv(0) returns empty bytes on a stream without data, an empty send 0
// without room), and a recv of urgent data (MSG_OOB reads what poll(2) does not report
// as readable). Rare, so the extra poll(2) costs nothing that matters.
func (a *opArgs) cpyPollsFirst() bool {
	switch a.kind {
	case opRecv, opRecvFrom, opSend, opSendAll, opSendTo:
		return len(a.buf) == 0 || (a.flags&csock.MSG_OOB != 0 && !a.kind.writes())
	case opRecvMsg, opSendMsg:
		total := 0
		for _, b := range a.x.bufs {
			total += len(b)
		}
		return total == 0 || (a.flags&csock.MSG_OOB != 0 && a.kind == opRecvMsg)
	}
	return false
}

// persistentError reports whether err is one a socket keeps returning from its state (a
// listening socket's recv and send, a datagram socket's accept, a send without a peer),
// where CPython's timeout mode, polling first, never makes the attempt and times out
// instead, unless the descriptor becomes ready. The errors a socket reports once and
// clears (a pending ECONNREFUSED, ECONNRESET, ...) are ready by poll(2)'s POLLERR and stand.
func persistentError(err error) bool {
	switch err {
	case syscall.ENOTCONN, syscall.EPIPE, syscall.EOPNOTSUPP, syscall.EINVAL, syscall.EDESTADDRREQ:
		return true
	}
	return false
}

// polls reports whether CPython's sock_call polls before the operation in timeout mode:
// all but connect (which polls after connect(2) said EINPROGRESS) and a RawConn's function.
func (k opKind) polls() bool { return k != opConnect && k != opUser }

// writes reports whether the operation waits for room to write rather than for data.
func (k opKind) writes() bool {
	switch k {
	case opSend, opSendAll, opSendTo, opSendMsg, opSendFile:
		return true
	}
	return false
}

// readyNow reports what poll(2) with a zero timeout says about fd: ready to read (or
// write), or an error or hang-up pending; a failing poll counts as ready, so that the
// operation's own error stands.
//
//go:noinline
func readyNow(fd int, write bool) bool {
	ev := csock.POLLIN
	if write {
		ev = csock.POLLOUT
	}
	r, err := csock.Poll(fd, ev, 0)
	return err != nil || r != 0
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

// pollFile is a socket's registration with Go's runtime poller: the *os.File that owns
// the descriptor from then on, its RawConn, and the state of each direction.
type pollFile struct {
	f  *os.File
	rc syscall.RawConn
	r  ioDir
	w  atomic.Pointer[ioDir] // made by the first call that waits to write (most never do)
	s  atomic.Pointer[Socket]
}

// dir returns the direction a call waits in, making the write direction on first use.
func (pf *pollFile) dir(write bool) *ioDir {
	if !write {
		return &pf.r
	}
	if d := pf.w.Load(); d != nil {
		return d
	}
	d := new(ioDir)
	d.init(pf.s.Load(), true)
	d.dl.Store(dlExpired) // the file's write deadline is not known to be none
	if pf.w.CompareAndSwap(nil, d) {
		return d
	}
	return pf.w.Load()
}

// ioDir is one direction of a registered socket.
type ioDir struct {
	s     *Socket
	write bool
	sem   chan struct{} // one slot, held by the call using the direction
	a     opArgs        // the arguments of the call holding sem, for fn
	x     *opExt        // a.x's contents while it waits (the caller's stays on its stack); made on first use
	fn    func(fd uintptr) bool
	// dl is the deadline last set on the file for this direction, as UnixNano; 0 for
	// none, dlExpired after an expiry (Close, Detach, a context) or when unknown.
	dl atomic.Int64
}

// dlExpired is ioDir.dl for a deadline in the past, or one that must be set again.
const dlExpired = -1

// longAgo is a deadline that has passed: setting it wakes a waiting call.
var longAgo = time.Unix(1, 0)

func (d *ioDir) init(s *Socket, write bool) {
	d.s, d.write = s, write
	d.sem = make(chan struct{}, 1)
	d.fn = d.attempt
}

// attempt is the callback of the RawConn's Read or Write: one attempt at d.a, unless the
// socket was closed meanwhile.
func (d *ioDir) attempt(fd uintptr) bool {
	if d.s.ref.closed() {
		d.a.err = syscall.EBADF
		return true
	}
	return d.a.attempt(d.s, int(fd))
}

// lock takes the direction for one call, giving up at the deadline dl (if not zero) or
// when ctx ends.
func (d *ioDir) lock(dl time.Time, ctx context.Context) error {
	select {
	case d.sem <- struct{}{}:
		return nil
	default:
	}
	var expired <-chan time.Time
	if !dl.IsZero() {
		t := time.NewTimer(time.Until(dl))
		defer t.Stop()
		expired = t.C
	}
	select {
	case d.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-expired:
		return errTimedOut
	}
}

func (d *ioDir) unlock() { <-d.sem }

// setDeadline sets the direction's deadline on the file (zero: none).
func (d *ioDir) setDeadline(f *os.File, t time.Time) {
	v := int64(0)
	if !t.IsZero() {
		v = t.UnixNano()
		if v == 0 || v == dlExpired {
			v = 1 // not to be taken for "none" or "expired"
		}
	}
	d.dl.Store(v)
	if d.write {
		f.SetWriteDeadline(t)
	} else {
		f.SetReadDeadline(t)
	}
}

// expire sets a past deadline, which wakes a call waiting in the direction.
func (d *ioDir) expire(f *os.File) {
	d.dl.Store(dlExpired)
	if d.write {
		f.SetWriteDeadline(longAgo)
	} else {
		f.SetReadDeadline(longAgo)
	}
}

// deadlineNanos is ioDir.dl's form of the deadline t.
func deadlineNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	v := t.UnixNano()
	if v == 0 || v == dlExpired {
		v = 1
	}
	return v
}

// errNotPollable is what os.NewFile's file says about deadlines when the runtime poller
// refused the descriptor.
var errNotPollable = os.ErrNoDeadline

// newPollFile registers fd with the runtime poller for s (see the top of this file);
// nonblock is the descriptor's O_NONBLOCK flag, which it leaves as it found it. EEXIST
// means the runtime poller already watches the descriptor for another owner.
func newPollFile(s *Socket, fd int, nonblock bool) (*pollFile, error) {
	if !nonblock {
		if err := csock.SetNonblock(fd, true); err != nil {
			return nil, err
		}
	}
	f := os.NewFile(uintptr(fd), "socket")
	if !nonblock {
		csock.SetNonblock(fd, false)
	}
	pf := &pollFile{f: f}
	if errors.Is(f.SetReadDeadline(time.Time{}), errNotPollable) {
		// Never closed: closing f would close fd, which is not ours to close here, and
		// its finalizer would do the same if it were dropped.
		parked.keep(pf)
		return nil, syscall.EEXIST
	}
	pf.rc, _ = f.SyscallConn()
	pf.s.Store(s)
	pf.r.init(s, false)
	return pf, nil
}

// adopt gives the parked registration pf to the socket s that re-adopts its descriptor.
func (pf *pollFile) adopt(s *Socket) {
	pf.s.Store(s)
	pf.r.s = s
	pf.r.dl.Store(dlExpired)
	if w := pf.w.Load(); w != nil {
		w.s = s
		w.dl.Store(dlExpired)
	}
}

// expire wakes every call waiting on the file (Close, Detach). The write deadline is
// expired even before any call made the write direction, so that none can start waiting.
func (pf *pollFile) expire() {
	pf.r.expire(pf.f)
	if w := pf.w.Load(); w != nil {
		w.expire(pf.f)
	} else {
		pf.f.SetWriteDeadline(longAgo)
	}
}

// parked is the registry of the files of detached sockets (see the top of this file).
var parked parkedFiles

type parkedFiles struct {
	n     atomic.Int64 // len(m), read without the lock by adopters
	mu    sync.Mutex
	m     map[fdKey]*pollFile
	stale []*pollFile // files that can no longer be adopted, kept from their finalizers
}

// fdKey identifies a descriptor and the open file it refers to.
type fdKey struct {
	fd       int
	dev, ino uint64
}

// park keeps the registration of the detached descriptor fd for a later adopter.
func (p *parkedFiles) park(fd int, pf *pollFile) {
	dev, ino, err := csock.FDID(fd)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.stale = append(p.stale, pf)
		return
	}
	if p.m == nil {
		p.m = make(map[fdKey]*pollFile)
	}
	// An entry with the same number but another file is a descriptor the user closed:
	// it can never be adopted again.
	for k, old := range p.m {
		if k.fd == fd {
			p.stale = append(p.stale, old)
			delete(p.m, k)
		}
	}
	p.m[fdKey{fd, dev, ino}] = pf
	p.n.Store(int64(len(p.m)))
}

// take returns the parked registration of the descriptor fd, if it has one, and removes
// it from the registry.
func (p *parkedFiles) take(fd int) *pollFile {
	if p.n.Load() == 0 {
		return nil
	}
	dev, ino, err := csock.FDID(fd)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := fdKey{fd, dev, ino}
	pf := p.m[k]
	if pf != nil {
		delete(p.m, k)
		p.n.Store(int64(len(p.m)))
	}
	return pf
}

// keep holds pf for good.
func (p *parkedFiles) keep(pf *pollFile) {
	p.mu.Lock()
	p.stale = append(p.stale, pf)
	p.mu.Unlock()
}

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
// with; see doTimeout.)
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
	pf, err := newPollFileElsewhere(s, s.ref.fd, s.osNonblock.Load())
	s.ref.decref()
	if err != nil {
		s.regMu.Unlock()
		return nil, err
	}
	s.pf.Store(pf)
	s.regMu.Unlock()
	return pf, nil
}

// newPollFileElsewhere is newPollFile on a goroutine of its own. Registering goes deep
// (os.NewFile down to the runtime's pollDesc), and a goroutine keeps the stack it grew to
// until a garbage collection shrinks it: registering on the caller's stack would leave
// each of 10,000 parked receivers with 4 KiB instead of 2 KiB. Once per socket.
func newPollFileElsewhere(s *Socket, fd int, nonblock bool) (*pollFile, error) {
	type result struct {
		pf  *pollFile
		err error
	}
	ch := make(chan result, 1)
	go func() {
		pf, err := newPollFile(s, fd, nonblock)
		ch <- result{pf, err}
	}()
	r := <-ch
	return r.pf, r.err
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
	s.doTimeout(ctx, a, write, timeoutNS(s.timeout.Load()), time.Time{}, nil)
}

// callTimeout is the timeout a call waits by: the socket's, except that a timeout of 0 on
// a blocking descriptor (adopted with SOCK_NONBLOCK in its type, which leaves the flag
// alone) is blocking mode: CPython's call blocks in the kernel there.
func (s *Socket) callTimeout() timeoutNS {
	t := timeoutNS(s.timeout.Load())
	if t == 0 && !s.osNonblock.Load() {
		return -1
	}
	return t
}

// kernelTimeout is the socket's SO_SNDTIMEO for a call that writes, SO_RCVTIMEO for one
// that reads (accept included, as in the kernel), in nanoseconds; 0 for none.
func (s *Socket) kernelTimeout(write bool) int64 {
	if write {
		return s.sndTimeo.Load()
	}
	return s.rcvTimeo.Load()
}

// unusualTimeout is the timeout and deadline of a call on a socket marked unusual: a
// timeout of 0 on a blocking descriptor is blocking mode (callTimeout), and in blocking
// mode SO_RCVTIMEO or SO_SNDTIMEO bounds the call as the kernel's blocking call is
// bounded: a deadline whose passing is EAGAIN (CPython's BlockingIOError), not a
// TimeoutError (a.kernelTO; see timeoutErr). The bound is the whole call's (the kernel's
// restarts at each send(2) a sendall makes).
//
//go:noinline
func (s *Socket) unusualTimeout(a *opArgs, write bool) (timeoutNS, time.Time) {
	t := s.callTimeout()
	if t < 0 {
		if kt := s.kernelTimeout(write); kt > 0 {
			a.kernelTO = true
			return t, time.Now().Add(time.Duration(kt))
		}
	}
	return t, time.Time{}
}

// timeoutErr is the outcome of a call whose deadline passed: TimeoutError, or under
// SO_RCVTIMEO/SO_SNDTIMEO in blocking mode the kernel's EAGAIN (and, for a recv with
// MSG_WAITALL that got some data, that data, as tcp_recvmsg returns it).
func (a *opArgs) timeoutErr() error {
	if !a.kernelTO {
		return errTimedOut
	}
	if a.kind == opRecvAll && a.n > 0 {
		return nil
	}
	return syscall.EAGAIN
}

// doTimeout is do with the timeout t already taken. dl is the deadline; when it is zero
// and t is a timeout, the deadline is t from now. src, when not nil, is where dl came
// from (a NetConn adapter's deadline, as ioDir.dl's form): the call then returns
// errTimedOut as soon as its deadline is not src's any more, or a deadline woke it, for
// the adapter to look again.
func (s *Socket) doTimeout(ctx context.Context, a *opArgs, write bool, t timeoutNS, dl time.Time, src *atomic.Int64) {
	if src == nil && dl.IsZero() && s.unusual.Load() {
		t, dl = s.unusualTimeout(a, write)
	}
	if t > 0 {
		if dl.IsZero() {
			dl = deadlineFor(t)
		}
		a.cpyPoll = src == nil
	}
	if t < 0 {
		// What a blocking recv(2) or send(2) does with these flags, emulated: MSG_DONTWAIT
		// makes the call non-blocking, and so does MSG_ERRQUEUE on a receive (the kernel
		// answers from the error queue at once, EAGAIN when it is empty, and nothing
		// makes the socket readable for it); MSG_WAITALL on a stream waits for the whole
		// buffer (CPython's timeout mode polls and then gets what is there, as here).
		switch {
		case a.flags&csock.MSG_DONTWAIT != 0, a.flags&csock.MSG_ERRQUEUE != 0 && !write:
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
		if !s.ref.incref() {
			a.err = syscall.EBADF
			return
		}
		done := a.attempt(s, s.ref.fd)
		s.ref.decref()
		if done {
			return
		}
		if t == 0 {
			a.err = syscall.EAGAIN
			return
		}
		if !dl.IsZero() && !time.Now().Before(dl) {
			a.err = a.timeoutErr()
			return
		}
		var err error
		if pf, err = s.poller(); err != nil {
			a.err = err
			return
		}
	}
	// Take the direction, then make attempts, waiting for readiness between them on the
	// runtime poller, until the operation is over, the deadline dl passes, ctx ends or the
	// socket closes. A deadline that was not this call's (a NetConn adapter's, or another
	// call's context on the same socket) does not end it, unless src says the caller looks
	// again itself. All in this one frame: it is on the stack of every parked call.
	d := pf.dir(write)
	for {
		if err := d.lock(dl, ctx); err != nil {
			a.err = err
			return
		}
		if !s.ref.incref() {
			d.unlock()
			a.err = syscall.EBADF
			return
		}
		want := deadlineNanos(dl)
		if d.dl.Load() != want {
			d.setDeadline(pf.f, dl)
		}
		if src != nil && src.Load() != want {
			// The adapter's deadline moved after the call read it; its setter may have
			// set the file's deadline before this call did. Look again.
			s.ref.decref()
			d.unlock()
			a.err = errTimedOut
			return
		}
		var cw *ctxWake
		if ctx.Done() != nil {
			cw = d.wakeOnDone(ctx, pf.f)
		}
		d.load(a)
		var err error
		if write {
			err = pf.rc.Write(d.fn)
		} else {
			err = pf.rc.Read(d.fn)
		}
		d.store(a)
		if cw != nil {
			cw.stop()
		}
		s.ref.decref()
		d.unlock()
		if err == nil || s.waitError(a, err, ctx, dl, src) {
			return
		}
		a.err = nil
	}
}

// The helpers below keep their locals off doTimeout's frame, which is on the stack of
// every parked call.

// load copies the call's arguments into the direction, field by field and the
// extension's contents rather than its pointer, so that the caller's opArgs and opExt
// stay on its stack.
//
//go:noinline
func (d *ioDir) load(a *opArgs) {
	d.a = opArgs{kind: a.kind, buf: a.buf, flags: a.flags, user: a.user, n: a.n, cpyPoll: a.cpyPoll}
	if a.x != nil {
		if d.x == nil {
			d.x = new(opExt) // most sockets never wait in an operation that needs one
		}
		*d.x = *a.x
		d.a.x = d.x
	}
}

// store copies the results back to the call and drops the direction's references.
//
//go:noinline
func (d *ioDir) store(a *opArgs) {
	a.kind, a.n, a.err = d.a.kind, d.a.n, d.a.err
	if a.x != nil {
		*a.x = *d.x
		*d.x = opExt{}
	}
	d.a = opArgs{}
}

// ctxWake expires a direction's deadline when a context ends, which wakes the call
// waiting in it.
type ctxWake struct {
	stopFn func() bool
	fired  chan struct{}
}

//go:noinline
func (d *ioDir) wakeOnDone(ctx context.Context, f *os.File) *ctxWake {
	cw := &ctxWake{fired: make(chan struct{})}
	cw.stopFn = context.AfterFunc(ctx, func() {
		d.expire(f)
		close(cw.fired)
	})
	return cw
}

// stop disarms the wake-up; if it already ran, it waits for it to finish, so that the
// next call's deadline is not expired behind its back.
func (cw *ctxWake) stop() {
	if !cw.stopFn() {
		<-cw.fired
	}
}

// waitError sets the outcome of a wait that ended in err and reports whether the call is
// over (see doTimeout).
//
//go:noinline
func (s *Socket) waitError(a *opArgs, err error, ctx context.Context, dl time.Time, src *atomic.Int64) bool {
	switch {
	case s.ref.closed():
		a.err = syscall.EBADF
	case ctx.Err() != nil:
		a.err = ctx.Err()
	case errors.Is(err, os.ErrDeadlineExceeded):
		a.err = errTimedOut
		if src != nil {
			return true
		}
		if !dl.IsZero() && !time.Now().Before(dl) {
			a.err = a.timeoutErr()
			return true
		}
		return false
	default:
		a.err = err
	}
	return true
}
