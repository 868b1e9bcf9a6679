//go:build linux

package facade

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/csock/csock/csock"
)

// Socket is CPython's socket.socket object (the Python class, not the bare
// _socket.socket): a descriptor plus its family, type, protocol and timeout mode. It is
// safe for concurrent use by several goroutines; operations in the same direction (two
// receives, or two sends) run one after the other.
//
// The timeout modes of CPython (None: blocking, 0.0: non-blocking, > 0: timeout) run on
// Go's runtime network poller, so a goroutine waiting in Recv or Accept holds no OS
// thread; the descriptor's O_NONBLOCK flag is CPython's all the same (clear for None, set
// otherwise). poll.go describes the machinery.
//
// A Socket must be closed with Close (or given up with Detach). Difference: CPython closes
// a socket it garbage-collects (with a ResourceWarning); an unreachable open Socket here
// closes its descriptor only if it ever waited (the runtime poller's *os.File then owns
// it), and otherwise leaks it, as a cleanup on every socket would cost socket()+close()
// more than the benchmark against C allows.
type Socket struct {
	ref    fdRef // the descriptor and the calls using it
	family int
	typ    int // without SOCK_NONBLOCK and SOCK_CLOEXEC
	proto  int

	timeout atomic.Int64 // timeoutNS
	// osNonblock is the descriptor's O_NONBLOCK flag as this socket last set or found it
	// (CPython's: set unless the timeout is None). A Dup or FromFD copy shares the flag
	// and may change it behind this socket's back; the engine depends on it only to choose
	// the cheaper accept and connect, and to treat a timeout of 0 on a descriptor adopted
	// blocking as blocking mode (callTimeout).
	osNonblock atomic.Bool
	// rcvTimeo and sndTimeo are the socket's SO_RCVTIMEO and SO_SNDTIMEO in nanoseconds
	// (0: none) as this socket last set or found them: in blocking mode a call waits at
	// most that long and then fails with EAGAIN, as the kernel's blocking call does
	// (see kernelTimeout).
	rcvTimeo, sndTimeo atomic.Int64
	// unusual is set, and never cleared, once rcvTimeo or sndTimeo is not 0 or the
	// socket has a timeout of 0 on a blocking descriptor: its calls then take the slower
	// path that looks at them (unusualTimeout, from doTimeout). Set too often is only
	// slower, never wrong.
	unusual atomic.Bool

	regMu sync.Mutex // serialises registration with the poller against Close and timeout changes
	pf    atomic.Pointer[pollFile]

	closeMu sync.Mutex // serialises Close and Detach

	mu       sync.Mutex // guards pyClosed and ioRefs
	pyClosed bool       // CPython's _closed: Close or Detach was called
	ioRefs   int        // CPython's _io_refs: file objects made by MakeFile still open
}

// The interfaces a *Socket offers Go programs.
var (
	_ io.Reader    = (*Socket)(nil)
	_ io.Writer    = (*Socket)(nil)
	_ io.Closer    = (*Socket)(nil)
	_ syscall.Conn = (*Socket)(nil)
)

// socketFlags are the type bits CPython masks off the stored type.
const socketFlags = csock.SOCK_NONBLOCK | csock.SOCK_CLOEXEC

// newSocket wraps the descriptor fd, which the new Socket owns, made with openFlags
// (socketOpenFlags's answer for typ). typ may carry SOCK_NONBLOCK (timeout 0.0, as
// CPython's init_sockobject does) and SOCK_CLOEXEC; otherwise the timeout is the module
// default.
func newSocket(fd, family, typ, proto int) *Socket {
	s := &Socket{ref: fdRef{fd: fd}, family: family, typ: typ &^ socketFlags, proto: proto}
	t := timeoutNS(defaultTimeout.Load())
	if typ&csock.SOCK_NONBLOCK != 0 {
		t = 0
	}
	s.timeout.Store(int64(t))
	s.osNonblock.Store(t >= 0)
	return s
}

// openType is the type to create a socket of type typ with: SOCK_NONBLOCK added unless
// the new socket's timeout is None, so that its descriptor is blocking exactly when
// CPython's is (init_sockobject sets O_NONBLOCK for a default timeout >= 0).
func openType(typ int) int {
	if defaultTimeout.Load() >= 0 {
		return typ | csock.SOCK_NONBLOCK
	}
	return typ
}

// cInt is PyLong_AsInt's range check for a Go int (socket()'s arguments, shutdown).
func cInt(v int) error {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return &OverflowError{Msg: "Python int too large to convert to C int"}
	}
	return nil
}

// New makes a socket: CPython's socket.socket(family, type, proto). -1 means the default
// (AF_INET, SOCK_STREAM, 0). The descriptor is close-on-exec (not inheritable). Type()
// reports typ without SOCK_NONBLOCK and SOCK_CLOEXEC; the timeout is the module default
// (GetDefaultTimeout), or 0.0 when typ has SOCK_NONBLOCK; the descriptor is O_NONBLOCK
// unless that timeout is None, as CPython's. Errors are CPython's: [Errno 97] for an
// unknown family, [Errno 22] for a bad type, and so on.
func New(family AddressFamily, typ SocketKind, proto int) (*Socket, error) {
	return newFromInts(int(family), int(typ), proto)
}

// newFromInts is New on plain ints.
func newFromInts(family, typ, proto int) (*Socket, error) {
	for _, v := range [...]int{family, typ, proto} {
		if err := cInt(v); err != nil {
			return nil, err
		}
	}
	if family == -1 {
		family = csock.AF_INET
	}
	if typ == -1 {
		typ = csock.SOCK_STREAM
	}
	if proto == -1 {
		proto = 0
	}
	fd, err := csock.Socket(family, openType(typ), proto)
	if err != nil {
		return nil, fromBinding(err)
	}
	return newSocket(fd, family, typ, proto), nil
}

// NewFromFileno adopts the socket descriptor fileno: CPython's socket.socket(family, type,
// proto, fileno=fileno). The Socket owns the descriptor from then on (no duplicate is
// made). The descriptor is checked with getsockname(2): a negative number is
// "ValueError: negative file descriptor", a closed one [Errno 9], a non-socket [Errno 88].
// Each of family, typ and proto given as -1 is read from the descriptor (getsockname's
// family, SO_TYPE, SO_PROTOCOL, so proto is 6 for TCP); explicit values are trusted as
// CPython trusts them. The timeout is the module default (0.0 if typ has SOCK_NONBLOCK).
// As in CPython, O_NONBLOCK is set when that timeout is not None and left as it is
// otherwise.
//
// The descriptor of a detached Socket can be adopted again (CPython's
// socket(fileno=s.detach()) idiom). A descriptor that Go's runtime poller already watches
// for another owner (the descriptor of a live net.Conn or os.File, or of another live
// Socket that waited) cannot: that is "[Errno 17] File exists".
//
// Difference: adopting a non-blocking descriptor while the default timeout is None gives
// a socket whose calls wait, as its timeout None says; CPython's recv raises
// BlockingIOError there.
func NewFromFileno(fileno int, family AddressFamily, typ SocketKind, proto int) (*Socket, error) {
	return newFromFileno(fileno, int(family), int(typ), proto, false)
}

// newFromFileno is NewFromFileno; dup says fileno is a fresh duplicate (FromFD), which no
// poller can be watching yet.
func newFromFileno(fileno, family, typ, proto int, dup bool) (*Socket, error) {
	for _, v := range [...]int{family, typ, proto} {
		if err := cInt(v); err != nil {
			return nil, err
		}
	}
	// CPython reads the number as a C long and keeps its low 32 bits (a C int).
	fileno = int(int32(fileno))
	if fileno < 0 {
		return nil, &ValueError{Msg: "negative file descriptor"}
	}
	var sa csock.Addr
	switch err := csock.GetSockName(fileno, &sa); err {
	case nil:
		if family == -1 {
			family = sa.Family
		}
	case syscall.EBADF, syscall.ENOTSOCK:
		return nil, fromBinding(err)
	}
	if family == -1 || typ == -1 || proto == -1 {
		f, t, p, err := csock.SockInfo(fileno)
		if err != nil {
			return nil, fromBinding(err)
		}
		if family == -1 {
			family = f
		}
		if typ == -1 {
			typ = t
		}
		if proto == -1 {
			proto = p
		}
	}
	nonblock, err := csock.GetNonblock(fileno)
	if err != nil {
		return nil, fromBinding(err)
	}
	s := newSocket(fileno, family, typ, proto)
	// CPython's init_sockobject: SOCK_NONBLOCK in typ makes the timeout 0 and leaves the
	// descriptor's flag as it is (a blocking one then blocks, see callTimeout); otherwise a
	// default timeout makes the descriptor non-blocking.
	if want := s.timeout.Load() >= 0 && typ&csock.SOCK_NONBLOCK == 0; want && !nonblock {
		if err := csock.SetNonblock(fileno, true); err != nil {
			return nil, fromBinding(err)
		}
		nonblock = true
	}
	s.osNonblock.Store(nonblock)
	if !nonblock && s.timeout.Load() == 0 {
		s.unusual.Store(true)
	}
	s.readKernelTimeouts(fileno)
	if !dup {
		// Take the registration of a detached socket back, or find out now that another
		// owner has the descriptor on Go's poller (see poll.go).
		pf := parked.take(fileno)
		if pf == nil {
			if pf, err = newPollFile(s, fileno, nonblock); err != nil {
				return nil, fromBinding(err)
			}
		}
		pf.adopt(s)
		s.pf.Store(pf)
	}
	return s, nil
}

// FromFD duplicates the socket descriptor fd and wraps the duplicate: CPython's
// socket.fromfd(fd, family, type, proto). family, typ and proto are taken as given (-1
// asks for detection, as in NewFromFileno); the caller keeps fd. The timeout is the module
// default, not that of any Socket owning fd. Errors: [Errno 9] for a bad fd, [Errno 88] for
// a non-socket.
//
// Difference: the duplicate is closed when the wrapping fails (CPython leaks it).
func FromFD(fd int, family AddressFamily, typ SocketKind, proto int) (*Socket, error) {
	return fromFD(fd, int(family), int(typ), proto)
}

func fromFD(fd, family, typ, proto int) (*Socket, error) {
	// socket.dup(fd) reads fd as a C long and keeps its low 32 bits.
	nfd, err := csock.Dup(int(int32(fd)))
	if err != nil {
		return nil, fromBinding(err)
	}
	s, err := newFromFileno(nfd, family, typ, proto, true)
	if err != nil {
		csock.Close(nfd)
		return nil, err
	}
	return s, nil
}

// SocketPair makes a pair of connected sockets: CPython's socket.socketpair(family, type,
// proto). -1 means the default (AF_UNIX, SOCK_STREAM, 0). Both ends are close-on-exec,
// get the module default timeout (0.0 if typ has SOCK_NONBLOCK) and report the family,
// type and protocol as given.
func SocketPair(family AddressFamily, typ SocketKind, proto int) (*Socket, *Socket, error) {
	return socketPairInts(int(family), int(typ), proto)
}

func socketPairInts(family, typ, proto int) (*Socket, *Socket, error) {
	if err := cInts(family, typ, proto); err != nil {
		return nil, nil, err
	}
	if family == -1 {
		family = csock.AF_UNIX
	}
	if typ == -1 {
		typ = csock.SOCK_STREAM
	}
	if proto == -1 {
		proto = 0
	}
	fds, err := csock.SocketPair(family, openType(typ), proto)
	if err != nil {
		return nil, nil, fromBinding(err)
	}
	return newSocket(fds[0], family, typ, proto), newSocket(fds[1], family, typ, proto), nil
}

// Family returns the address family, CPython's socket.family (an AddressFamily; a value
// that is no member prints as its number).
func (s *Socket) Family() AddressFamily { return AddressFamily(s.family) }

// Type returns the socket type without SOCK_NONBLOCK and SOCK_CLOEXEC, CPython's
// socket.type.
func (s *Socket) Type() SocketKind { return SocketKind(s.typ) }

// Proto returns the protocol as given when the socket was made (0 by default; detected
// by NewFromFileno), CPython's socket.proto.
func (s *Socket) Proto() int { return s.proto }

// Fileno returns the descriptor, or -1 once the socket is closed or detached: CPython's
// socket.fileno(). It never changes the descriptor's O_NONBLOCK flag (os.File.Fd would).
func (s *Socket) Fileno() int {
	if s.ref.closed() {
		return -1
	}
	return s.ref.fd
}

// Close closes the socket: CPython's socket.close(). It is idempotent. ECONNRESET from
// close(2) is ignored; other errors are returned (e.g. [Errno 9] when the descriptor was
// closed behind the socket's back).
//
// While a file object made by MakeFile is open, Close does not close the descriptor, as
// CPython's close does not while the socket's _io_refs count is above zero: it marks the
// socket closed (PyRepr shows "[closed]") and returns nil. The descriptor stays open and
// in use: the files go on reading and writing, Fileno still returns it, and the socket's
// own calls still work on it, as they do in CPython. The last open file's Close (or the
// cleanup of a File that became unreachable without one) then closes the descriptor,
// with what follows below, and returns close(2)'s error. A File whose socket's Close was
// not called never closes the descriptor.
//
// When the descriptor closes, goroutines waiting in the socket (Recv, Accept, Connect,
// SendAll, a File's read, ...) wake at once and fail with [Errno 9] Bad file descriptor.
// The descriptor number is released only after every system call using it has returned.
func (s *Socket) Close() error {
	s.mu.Lock()
	s.pyClosed = true
	open := s.ioRefs > 0
	s.mu.Unlock()
	if open {
		return nil
	}
	return s.realClose()
}

// realClose is CPython's _real_close: the descriptor's close.
func (s *Socket) realClose() error {
	pf, ok := s.release()
	if !ok {
		return nil
	}
	var err error
	if pf != nil {
		// The file owns the descriptor: its Close leaves the poller and closes it.
		if err = pf.f.Close(); err != nil {
			var e syscall.Errno
			if errors.As(err, &e) {
				err = e
			}
		}
	} else {
		err = csock.Close(s.ref.fd)
	}
	if err != nil && err != syscall.ECONNRESET {
		return fromBinding(err)
	}
	return nil
}

// release marks the descriptor closed, wakes every call using it and waits until they
// have returned; it returns the poller registration (nil if the socket never waited), the
// descriptor still open, and false if the socket was already closed or detached.
func (s *Socket) release() (*pollFile, bool) {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	first, busy := s.ref.setClosed()
	if !first {
		return nil, false
	}
	// After setClosed no registration can start (register increfs first).
	s.regMu.Lock()
	pf := s.pf.Load()
	s.regMu.Unlock()
	if pf != nil {
		pf.expire()
	}
	s.ref.waitDrained(busy)
	return pf, true
}

// Detach gives up the descriptor without closing it and returns it, or -1 if the socket
// was already closed or detached: CPython's socket.detach(). The socket then behaves as
// closed (calls fail with [Errno 9]); GetTimeout still reports the old timeout.
//
// The descriptor keeps its O_NONBLOCK flag, which is CPython's. If the socket ever
// waited, its registration with Go's runtime poller is kept for NewFromFileno to take
// back (poll.go says why it cannot be undone without closing the descriptor).
func (s *Socket) Detach() int {
	s.mu.Lock()
	s.pyClosed = true
	s.mu.Unlock()
	pf, ok := s.release()
	if !ok {
		return -1
	}
	if pf != nil {
		parked.park(s.ref.fd, pf)
	}
	return s.ref.fd
}

// retainIO is the hook a file object made by MakeFile calls when it is made: CPython's
// `sock._io_refs += 1` in socket.makefile.
func (s *Socket) retainIO() {
	s.mu.Lock()
	s.ioRefs++
	s.mu.Unlock()
}

// releaseIO is the hook a file object calls when it closes: CPython's
// socket._decref_socketios, called by SocketIO.close. If Close was called already and this
// was the last open file, the descriptor is closed now.
func (s *Socket) releaseIO() error {
	s.mu.Lock()
	if s.ioRefs > 0 {
		s.ioRefs--
	}
	closed := s.pyClosed
	s.mu.Unlock()
	if closed {
		return s.Close()
	}
	return nil
}

// isPyClosed reports CPython's socket._closed.
func (s *Socket) isPyClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pyClosed
}

// Dup duplicates the socket: CPython's socket.dup(). The new Socket has a new
// close-on-exec descriptor for the same socket, the same family, type and protocol, and
// (unlike FromFD) the same timeout.
func (s *Socket) Dup() (*Socket, error) {
	if !s.ref.incref() {
		return nil, newOSError(syscall.EBADF)
	}
	nfd, err := csock.Dup(s.ref.fd)
	s.ref.decref()
	if err != nil {
		return nil, fromBinding(err)
	}
	d := newSocket(nfd, s.family, s.typ, s.proto)
	d.rcvTimeo.Store(s.rcvTimeo.Load()) // one socket: its options are shared
	d.sndTimeo.Store(s.sndTimeo.Load())
	d.unusual.Store(s.unusual.Load())
	// CPython: sock.settimeout(self.gettimeout()) on the copy, which sets the shared flag.
	if err := d.applyTimeout(timeoutNS(s.timeout.Load())); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// withFD runs f with the descriptor, or returns [Errno 9] once the socket is closed; an
// errno f returns becomes CPython's OSError.
func (s *Socket) withFD(f func(fd int) error) error {
	if !s.ref.incref() {
		return newOSError(syscall.EBADF)
	}
	err := f(s.ref.fd)
	s.ref.decref()
	return fromBinding(err)
}

// SetTimeout sets the timeout mode: CPython's socket.settimeout(value). value is nil
// (None: blocking), a number of seconds (float64 or an int; bool counts as an int) or a
// time.Duration (a Go extension); CPython's rounding (nanoseconds, away from zero) and
// errors apply: "ValueError: Timeout value out of range", "TypeError: 'str' object cannot
// be interpreted as an integer", ... On a closed socket the value is stored and then
// [Errno 9] is returned, as CPython does. The descriptor's O_NONBLOCK flag follows, as
// CPython's: clear for None, set otherwise.
func (s *Socket) SetTimeout(value any) error {
	t, err := parseTimeout(value)
	if err != nil {
		return err
	}
	return s.applyTimeout(t)
}

// applyTimeout stores the timeout t and sets the descriptor's flag for it, as CPython's
// internal_setblocking does (its ioctl(FIONBIO) fails on a closed descriptor; this fcntl
// does too). It holds regMu: a first wait registering the descriptor in another goroutine
// reads the flag, sets O_NONBLOCK for os.NewFile and puts the flag back, and a change in
// between would make the file unpollable (read as EEXIST) or leave the flag wrong.
func (s *Socket) applyTimeout(t timeoutNS) error {
	s.regMu.Lock()
	s.setTimeout(t)
	err := s.withFD(func(fd int) error { return csock.SetNonblock(fd, t >= 0) })
	s.regMu.Unlock()
	return err
}

func (s *Socket) setTimeout(t timeoutNS) {
	s.timeout.Store(int64(t))
	s.osNonblock.Store(t >= 0)
}

// GetTimeout returns the timeout: nil (None) for a blocking socket, else float64 seconds
// (0.0 for a non-blocking one), as CPython's socket.gettimeout() does.
func (s *Socket) GetTimeout() any { return timeoutNS(s.timeout.Load()).seconds() }

// SetBlocking is CPython's socket.setblocking(flag): true is SetTimeout(nil), false is
// SetTimeout(0.0).
func (s *Socket) SetBlocking(flag bool) error {
	if flag {
		return s.applyTimeout(noTimeout)
	}
	return s.applyTimeout(0)
}

// GetBlocking reports whether the socket is in blocking or timeout mode (timeout not
// 0.0), CPython's socket.getblocking().
func (s *Socket) GetBlocking() bool { return s.timeout.Load() != 0 }

// GetInheritable reports whether the descriptor is inherited by child processes (FD_CLOEXEC
// clear): CPython's socket.get_inheritable().
func (s *Socket) GetInheritable() (bool, error) {
	var cloexec bool
	err := s.withFD(func(fd int) error {
		var err error
		cloexec, err = csock.GetCloexec(fd)
		return err
	})
	return !cloexec, err
}

// SetInheritable sets or clears FD_CLOEXEC: CPython's socket.set_inheritable(inheritable).
func (s *Socket) SetInheritable(inheritable bool) error {
	return s.withFD(func(fd int) error { return csock.SetCloexec(fd, !inheritable) })
}

// addressFamilies are the families CPython's getsockaddrlen knows (Linux build as here):
// the others fail with "getsockaddrlen: bad family" before any system call.
var addressFamilies = map[int]bool{
	csock.AF_INET: true, csock.AF_INET6: true, csock.AF_UNIX: true, csock.AF_NETLINK: true,
	csock.AF_PACKET: true, csock.AF_TIPC: true, csock.AF_CAN: true, csock.AF_ALG: true,
	csock.AF_VSOCK: true, csock.AF_QIPCRTR: true, csock.AF_RDS: true,
}

// checkAddrLen is CPython's getsockaddrlen check of the socket's stored family.
func (s *Socket) checkAddrLen() error {
	if !addressFamilies[s.family] {
		return osMessage("getsockaddrlen: bad family")
	}
	return nil
}

// GetSockName returns the socket's own address: CPython's socket.getsockname(). An
// unbound AF_INET socket is ('0.0.0.0', 0), an unbound or unnamed AF_UNIX one ”.
func (s *Socket) GetSockName() (Address, error) {
	if err := s.checkAddrLen(); err != nil {
		return nil, err
	}
	var a csock.Addr
	if err := s.withFD(func(fd int) error { return csock.GetSockName(fd, &a) }); err != nil {
		return nil, err
	}
	return makeAddress(&a), nil
}

// GetPeerName returns the address of the connected peer: CPython's socket.getpeername().
// Not connected: [Errno 107] Transport endpoint is not connected.
func (s *Socket) GetPeerName() (Address, error) {
	if err := s.checkAddrLen(); err != nil {
		return nil, err
	}
	var a csock.Addr
	if err := s.withFD(func(fd int) error { return csock.GetPeerName(fd, &a) }); err != nil {
		return nil, err
	}
	return makeAddress(&a), nil
}

// Bind binds the socket to address: CPython's socket.bind(address). address is an
// Address of the socket's family, or the Python value standing for one (a py.Tuple
// (host, port) or (host, port, flowinfo, scope_id), a str or bytes AF_UNIX path), parsed
// with CPython's rules and messages (A.1): host names are resolved, ” is the any-address.
func (s *Socket) Bind(address any) error {
	a, err := parseAddress(s.family, address, "bind")
	if err != nil {
		return err
	}
	return s.withFD(func(fd int) error { return csock.Bind(fd, &a) })
}

// defaultBacklog is CPython's default listen backlog, min(SOMAXCONN, 128).
const defaultBacklog = min(csock.SOMAXCONN, 128)

// Listen makes the socket accept connections: CPython's socket.listen([backlog]).
// Without backlog the default is min(SOMAXCONN, 128); a negative backlog is 0; one beyond
// a C int is "OverflowError: signed integer is greater than maximum".
func (s *Socket) Listen(backlog ...int) error {
	if len(backlog) > 1 {
		return &TypeError{Msg: fmt.Sprintf("listen() takes at most 1 argument (%d given)", len(backlog))}
	}
	b := defaultBacklog
	if len(backlog) == 1 {
		var err error
		if b, err = goInt(backlog[0]); err != nil {
			return err
		}
	}
	b = max(b, 0)
	return s.withFD(func(fd int) error { return csock.Listen(fd, b) })
}

// Shutdown shuts down one or both halves of the connection: CPython's socket.shutdown(how)
// with SHUT_RD, SHUT_WR or SHUT_RDWR. A bad how is [Errno 22]; one beyond a C int is
// "OverflowError: Python int too large to convert to C int".
func (s *Socket) Shutdown(how int) error {
	if err := cInt(how); err != nil {
		return err
	}
	return s.withFD(func(fd int) error { return csock.Shutdown(fd, how) })
}

// GetSockOpt returns an integer option: CPython's socket.getsockopt(level, option).
func (s *Socket) GetSockOpt(level, option int) (int, error) {
	if err := cInts(level, option); err != nil {
		return 0, err
	}
	var v int
	err := s.withFD(func(fd int) error {
		var err error
		v, err = csock.GetSockOptInt(fd, level, option)
		return err
	})
	return v, err
}

// GetSockOptBytes returns an option's raw bytes, at most buflen of them, truncated to the
// length the kernel reports: CPython's socket.getsockopt(level, option, buflen). buflen
// must be 1..1024 ("OSError: getsockopt buflen out of range").
//
// Difference: CPython's buflen 0 means the integer form; call GetSockOpt for it (here 0 is
// out of range).
func (s *Socket) GetSockOptBytes(level, option, buflen int) ([]byte, error) {
	if err := cInts(level, option, buflen); err != nil {
		return nil, err
	}
	if buflen <= 0 || buflen > 1024 {
		return nil, osMessage("getsockopt buflen out of range")
	}
	buf := make([]byte, buflen)
	var n int
	err := s.withFD(func(fd int) error {
		var err error
		n, err = csock.GetSockOpt(fd, level, option, buf)
		return err
	})
	if err != nil {
		return nil, err
	}
	return buf[:n], nil
}

// cInts applies the "i" format's range check to each of vs.
func cInts(vs ...int) error {
	for _, v := range vs {
		if _, err := goInt(v); err != nil {
			return err
		}
	}
	return nil
}

// SetSockOptInt sets an integer option: CPython's socket.setsockopt(level, option, value)
// with an int. A value beyond a C int fails as CPython's does, with the message of the last
// form it tried: "TypeError: a bytes-like object is required, not 'int'".
func (s *Socket) SetSockOptInt(level, option, value int) error {
	if err := cInts(level, option); err != nil {
		return err
	}
	if _, err := goInt(value); err != nil {
		return &TypeError{Msg: "a bytes-like object is required, not 'int'"}
	}
	return s.withFD(func(fd int) error { return csock.SetSockOptInt(fd, level, option, value) })
}

// SetSockOptBytes sets an option from raw bytes: CPython's socket.setsockopt(level,
// option, value) with a bytes-like value. A wrong size is the kernel's [Errno 22].
func (s *Socket) SetSockOptBytes(level, option int, value []byte) error {
	if err := cInts(level, option); err != nil {
		return err
	}
	return s.withFD(func(fd int) error {
		err := csock.SetSockOpt(fd, level, option, value)
		if err == nil && level == csock.SOL_SOCKET && (option == csock.SO_RCVTIMEO || option == csock.SO_SNDTIMEO) {
			s.readKernelTimeouts(fd)
		}
		return err
	})
}

// readKernelTimeouts reads fd's SO_RCVTIMEO and SO_SNDTIMEO (getsockopt(2): the kernel's
// value, rounded as it keeps it) into rcvTimeo and sndTimeo. An option it cannot read
// counts as none.
func (s *Socket) readKernelTimeouts(fd int) {
	for _, o := range [...]struct {
		option int
		to     *atomic.Int64
	}{{csock.SO_RCVTIMEO, &s.rcvTimeo}, {csock.SO_SNDTIMEO, &s.sndTimeo}} {
		var tv syscall.Timeval
		b := unsafe.Slice((*byte)(unsafe.Pointer(&tv)), unsafe.Sizeof(tv))
		ns := int64(0)
		if n, err := csock.GetSockOpt(fd, csock.SOL_SOCKET, o.option, b); err == nil && n == len(b) &&
			tv.Sec >= 0 && tv.Sec < math.MaxInt64/int64(time.Second)-1 {
			ns = int64(tv.Sec)*int64(time.Second) + int64(tv.Usec)*int64(time.Microsecond)
		}
		o.to.Store(ns)
		if ns != 0 {
			s.unusual.Store(true)
		}
	}
}

// SetSockOptNull calls setsockopt(2) with a NULL value of length optlen: CPython's
// socket.setsockopt(level, option, None, optlen) (optlen is a C unsigned int, reduced
// modulo 2**32 by CPython).
//
// A level or option beyond a C int fails as CPython's does: its last form, (level,
// option, buffer), says "TypeError: setsockopt() takes exactly 3 arguments (4 given)".
func (s *Socket) SetSockOptNull(level, option int, optlen uint32) error {
	if err := cInts(level, option); err != nil {
		return &TypeError{Msg: "setsockopt() takes exactly 3 arguments (4 given)"}
	}
	return s.withFD(func(fd int) error { return csock.SetSockOptNull(fd, level, option, optlen) })
}

// SetSockOpt is CPython's three-argument socket.setsockopt(level, option, value) for a
// Python value: an int (or bool) that fits a C int is passed as one, bytes as they are,
// anything else is "TypeError: a bytes-like object is required, not '<type>'" (CPython
// tries the forms in turn and reports the last failure, so an int beyond a C int and None
// fail that way too).
func (s *Socket) SetSockOpt(level, option int, value any) error {
	if err := cInts(level, option); err != nil {
		return err
	}
	if n, ok := asCIntValue(value); ok {
		return s.SetSockOptInt(level, option, n)
	}
	b, err := asBuffer(value)
	if err != nil {
		return err
	}
	return s.SetSockOptBytes(level, option, b)
}

// asCIntValue returns v as a C int if it is a Python int in that range.
func asCIntValue(v any) (int, bool) {
	if _, isBytes := v.([]byte); isBytes {
		return 0, false
	}
	n, err := asCInt(v)
	if err != nil {
		return 0, false
	}
	return n, true
}

// PyRepr returns CPython 3.11's repr of the socket:
// "<socket.socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 5000)>", with
// " [closed]" after the class name once Close or Detach was called, laddr and raddr when
// the socket has those addresses (and they are not empty), and family and type printed as
// numbers (3.11's str of an IntEnum).
func (s *Socket) PyRepr() string {
	closed := s.isPyClosed()
	var b strings.Builder
	b.WriteString("<socket.socket")
	if closed {
		b.WriteString(" [closed]")
	}
	fmt.Fprintf(&b, " fd=%d, family=%d, type=%d, proto=%d", s.Fileno(), s.family, s.typ, s.proto)
	if !closed {
		if a, err := s.GetSockName(); err == nil && truthyAddress(a) {
			b.WriteString(", laddr=" + a.PyStr())
		}
		if a, err := s.GetPeerName(); err == nil && truthyAddress(a) {
			b.WriteString(", raddr=" + a.PyStr())
		}
	}
	b.WriteString(">")
	return b.String()
}

// String returns PyRepr, as CPython's str of a socket does.
func (s *Socket) String() string { return s.PyRepr() }

// PyTypeName returns "socket".
func (*Socket) PyTypeName() string { return "socket" }

// truthyAddress is Python's truth value of an address: None and ” are false.
func truthyAddress(a Address) bool {
	switch a := a.(type) {
	case nil:
		return false
	case UnixAddress:
		return len(a.Name) > 0
	}
	return true
}
