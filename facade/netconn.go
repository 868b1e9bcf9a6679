//go:build linux

package facade

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/csock/csock/csock"
)

// This file hands facade sockets to Go code written against the net package: NetConn
// adapts a connected socket to net.Conn, NetListener a listening one to net.Listener
// (PacketConn, in packetconn.go, an unconnected datagram one to net.PacketConn).
//
// Timeouts. A net.Conn has deadlines, not Python's timeout modes, and its users (net/http,
// bufio, TLS) expect a call without a deadline to wait: the adapters run every call in
// blocking mode, bounded only by the deadline of its direction, whatever the socket's
// timeout (which still governs the Socket's own methods and is left unchanged).
//
// Deadlines are the file's. As in the net package, an adapter's deadlines are the read
// and write deadlines of the socket's *os.File on Go's runtime poller (poll.go): setting
// one while a call waits takes effect at once, in the runtime, with no timer or context
// of the adapter's own. An adapter also keeps each deadline (rd, wd) for the calls to
// start with and to set on a socket that registers with the poller later. A call woken by
// a deadline looks at the adapter's deadline again, so one that moved is obeyed. Neither
// setting a deadline nor a call allocates.

// The adapters offer the net package's interfaces.
var (
	_ net.Conn     = (*netConn)(nil)
	_ net.Listener = (*netListener)(nil)
	_ syscall.Conn = (*netConn)(nil)
)

// NetConn returns a net.Conn over the connected socket s, for Go code written against the
// net package (net/http clients, bufio, crypto/tls): the net.Conn conventions hold, not
// CPython's.
//
//   - Read returns io.EOF at the end of the stream (a zero-byte recv on a stream or
//     seqpacket socket; on a datagram socket an empty datagram reads as 0, nil, as with
//     net.UDPConn). Write sends all of its bytes or returns an error with the count sent.
//   - Calls wait as in blocking mode whatever the socket's timeout, until the deadlines
//     set with SetDeadline, SetReadDeadline and SetWriteDeadline (zero: none). A deadline
//     that has passed makes pending and later calls in its direction fail at once; moving
//     a deadline while a call waits takes effect at once. The socket's timeout is left as
//     it is and still applies to the Socket's own methods.
//   - Close closes the socket (Socket.Close, so a file of MakeFile still open keeps the
//     descriptor until it closes) and wakes the adapter's pending calls.
//   - LocalAddr and RemoteAddr are *net.TCPAddr, *net.UDPAddr, *net.IPAddr or
//     *net.UnixAddr (an abstract name starting with '@', and an unnamed socket "@", as in
//     the net package) built from GetSockName and GetPeerName when NetConn is called;
//     never nil.
//
// Errors other than io.EOF are *net.OpError values (Op "read", "write", "close" or "set")
// whose Err is:
//
//   - after Close (of the adapter or of the socket): an error matching net.ErrClosed with
//     errors.Is, and also syscall.EBADF ([Errno 9], the *OSError CPython raises);
//   - when a deadline passes: an error whose Timeout() is true and which matches
//     os.ErrDeadlineExceeded, with the facade's *TimeoutError reachable by errors.As;
//   - otherwise the facade's error, reachable with errors.As (*OSError: errors.Is(err,
//     syscall.ECONNRESET) holds), with Timeout and Temporary as syscall.Errno reports them.
//
// The net.Conn also has the methods Socket() *Socket (s), CloseRead and CloseWrite (shutdown(2)
// of one direction, as on *net.TCPConn), SyscallConn (Socket.SyscallConn), and, in the net
// package's shape (netconn_io.go): ReadFrom (io.ReaderFrom: sendfile(2) from a regular
// *os.File, as *net.TCPConn's), WriteTo (io.WriterTo), WriteBuffers (a net.Buffers
// gathered by sendmsg(2)), and ReadMsgUnix and WriteMsgUnix (descriptor passing with
// syscall.UnixRights, as *net.UnixConn's).
//
// NetConn fails with CPython's error when s is not connected ("[Errno 107] Transport
// endpoint is not connected") or closed ("[Errno 9] Bad file descriptor").
//
// Differences from the net package: error texts are CPython's ("[Errno 104] Connection
// reset by peer"); WriteTo copies through memory (no splice(2)), and net.Buffers.WriteTo
// cannot find WriteBuffers (the net package looks for an unexported method), so a program
// calls WriteBuffers itself.
func (s *Socket) NetConn() (net.Conn, error) {
	raddr, err := s.GetPeerName()
	if err != nil {
		return nil, err
	}
	laddr, err := s.GetSockName()
	if err != nil {
		return nil, err
	}
	return s.newNetConn(laddr, raddr), nil
}

func (s *Socket) newNetConn(laddr, raddr Address) *netConn {
	network := networkName(s.family, s.typ)
	return &netConn{
		adapter: adapter{
			s:     s,
			net:   network,
			laddr: toNetAddr(network, s.family, laddr),
			raddr: toNetAddr(network, s.family, raddr),
		},
		zeroIsEOF: s.typ != csock.SOCK_DGRAM && s.typ != csock.SOCK_RAW,
	}
}

// adapter is what the net.Conn and net.PacketConn adapters share: the socket, the
// addresses, the closed flag and the deadlines.
type adapter struct {
	s            *Socket
	net          string
	laddr, raddr net.Addr // raddr nil for a PacketConn
	closed       atomic.Bool
	rd, wd       atomic.Int64 // the deadlines, in ioDir.dl's form (0: none)
}

// netConn is the net.Conn of a connected Socket.
type netConn struct {
	adapter
	zeroIsEOF bool
}

// Read receives into p: recv(2), waiting for data until the read deadline. A zero-byte
// recv on a stream is io.EOF.
func (c *netConn) Read(p []byte) (int, error) {
	for {
		dl, err := c.ready(&c.rd)
		if len(p) == 0 && err != errClosedConn {
			// As *net.TCPConn: after the closed check, before the deadline's, without a
			// recv.
			return 0, nil
		}
		a := opArgs{kind: opRecv, buf: p}
		if err == nil {
			c.s.doTimeout(context.Background(), &a, false, noTimeout, dl, &c.rd)
			err = a.err
		}
		switch err {
		case nil:
			if a.n == 0 && c.zeroIsEOF {
				return 0, io.EOF
			}
			return a.n, nil
		case errTimedOut:
			continue // the deadline moved or passed, or the adapter closed: ready says which
		}
		return 0, c.opError("read", err)
	}
}

// Write sends all of p: send(2) until it is sent, waiting for room until the write
// deadline. On an error it returns how many bytes were sent.
func (c *netConn) Write(p []byte) (int, error) {
	n := 0
	for {
		dl, err := c.ready(&c.wd)
		if err == nil {
			a := opArgs{kind: opSendAll, buf: p[n:]}
			c.s.doTimeout(context.Background(), &a, true, noTimeout, dl, &c.wd)
			n += a.n
			err = a.err
		}
		switch err {
		case nil:
			return n, nil
		case errTimedOut:
			continue
		}
		return n, c.opError("write", err)
	}
}

// ready reports whether a call may start, and with which deadline (from the adapter's
// deadline src): errClosedConn once the adapter is closed, errDeadline once the deadline
// has passed.
func (c *adapter) ready(src *atomic.Int64) (time.Time, error) {
	if c.closed.Load() {
		return time.Time{}, errClosedConn
	}
	v := src.Load()
	if v == 0 {
		return time.Time{}, nil
	}
	dl := time.Unix(0, v)
	if !time.Now().Before(dl) {
		return dl, errDeadline
	}
	return dl, nil
}

// setDeadline sets the adapter's deadline src and, if the socket is registered with the
// poller, the file's deadline for direction d, which takes effect in a waiting call.
func (c *adapter) setDeadline(src *atomic.Int64, write bool, t time.Time) {
	src.Store(deadlineNanos(t))
	pf := c.s.pf.Load()
	if pf == nil {
		return
	}
	d := pf.dir(write)
	d.setDeadline(pf.f, t)
	if c.closed.Load() || c.s.ref.closed() {
		d.expire(pf.f) // Close may have expired it just before: keep it expired
	}
}

// wake wakes the adapter's calls waiting on the poller (Close).
func (c *adapter) wake() {
	if pf := c.s.pf.Load(); pf != nil {
		pf.expire()
	}
}

// Close closes the socket and wakes the adapter's pending calls, which fail with
// net.ErrClosed. A second Close returns an error matching net.ErrClosed.
func (c *adapter) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return c.opError("close", errClosedConn)
	}
	c.wake()
	if err := c.s.Close(); err != nil {
		return c.opError("close", err)
	}
	return nil
}

// CloseRead shuts down the reading side: shutdown(2) with SHUT_RD.
func (c *netConn) CloseRead() error { return c.shutdown(csock.SHUT_RD) }

// CloseWrite shuts down the writing side: shutdown(2) with SHUT_WR. The peer reads the end
// of the stream.
func (c *netConn) CloseWrite() error { return c.shutdown(csock.SHUT_WR) }

func (c *netConn) shutdown(how int) error {
	if c.closed.Load() {
		return c.opError("close", errClosedConn)
	}
	if err := c.s.Shutdown(how); err != nil {
		return c.opError("close", err)
	}
	return nil
}

// LocalAddr returns the socket's own address, as GetSockName reported it.
func (c *adapter) LocalAddr() net.Addr { return c.laddr }

// RemoteAddr returns the peer's address, as GetPeerName reported it.
func (c *netConn) RemoteAddr() net.Addr { return c.raddr }

// SetDeadline sets the read and write deadlines.
func (c *adapter) SetDeadline(t time.Time) error {
	if c.closed.Load() {
		return c.localOpError("set", errClosedConn)
	}
	c.setDeadline(&c.rd, false, t)
	c.setDeadline(&c.wd, true, t)
	return nil
}

// SetReadDeadline sets the deadline of Read calls, pending ones included.
func (c *adapter) SetReadDeadline(t time.Time) error {
	if c.closed.Load() {
		return c.localOpError("set", errClosedConn)
	}
	c.setDeadline(&c.rd, false, t)
	return nil
}

// SetWriteDeadline sets the deadline of Write calls, pending ones included.
func (c *adapter) SetWriteDeadline(t time.Time) error {
	if c.closed.Load() {
		return c.localOpError("set", errClosedConn)
	}
	c.setDeadline(&c.wd, true, t)
	return nil
}

// Socket returns the socket under the adapter.
func (c *adapter) Socket() *Socket { return c.s }

// SyscallConn is the socket's SyscallConn: its Read and Write follow the socket's timeout
// mode, not the adapter's deadlines. As the net package's, it is returned after Close
// too, and then its calls fail with *net.OpError values (Op "raw-control", "raw-read",
// "raw-write") matching net.ErrClosed.
func (c *adapter) SyscallConn() (syscall.RawConn, error) { return adapterRawConn{c}, nil }

// adapterRawConn is an adapter's syscall.RawConn: the socket's, with the net package's
// errors once the adapter is closed.
type adapterRawConn struct{ c *adapter }

func (r adapterRawConn) Control(f func(fd uintptr)) error {
	return r.do("raw-control", func(rc syscall.RawConn) error { return rc.Control(f) })
}

func (r adapterRawConn) Read(f func(fd uintptr) bool) error {
	return r.do("raw-read", func(rc syscall.RawConn) error { return rc.Read(f) })
}

func (r adapterRawConn) Write(f func(fd uintptr) bool) error {
	return r.do("raw-write", func(rc syscall.RawConn) error { return rc.Write(f) })
}

// do runs call on the socket's RawConn, or fails as the net package's raw connection
// does once the adapter or socket is closed: Control with the local address alone, Read
// and Write with both ends.
func (r adapterRawConn) do(op string, call func(syscall.RawConn) error) error {
	closed := func() error {
		if op == "raw-control" {
			return r.c.localOpError(op, errClosedConn)
		}
		return r.c.opError(op, errClosedConn)
	}
	if r.c.closed.Load() {
		return closed()
	}
	err := call(&rawConn{r.c.s})
	if err != nil && r.c.s.ref.closed() {
		return closed()
	}
	return err
}

// opError wraps the outcome err of the operation op as the net package does.
func (c *adapter) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: c.net, Source: c.laddr, Addr: c.raddr, Err: netErr(c.s, err)}
}

// localOpError wraps err as the net package wraps the errors of calls about the
// connection itself (deadlines, the raw connection): no Source, Addr the local address.
func (c *adapter) localOpError(op string, err error) error {
	return &net.OpError{Op: op, Net: c.net, Addr: c.laddr, Err: netErr(c.s, err)}
}

// NetListener returns a net.Listener over the listening socket s, for Go servers (an
// http.Server, for instance): Accept returns the NetConn adapter of each accepted socket,
// which has the listener's family, type and protocol and the module default timeout (as
// Accept's sockets do; the adapter does not use it).
//
// Accept waits as in blocking mode whatever the socket's timeout. Close closes the socket
// and wakes a pending Accept, which fails with an error matching net.ErrClosed (and
// syscall.EBADF); Accept's other errors are *net.OpError values (Op "accept") holding the
// facade's error, Temporary for the errors syscall.Errno calls temporary (EMFILE,
// ECONNABORTED...), so that http.Server retries them. Addr is GetSockName's address when
// NetListener is called. The listener also has the method Socket() *Socket.
//
// NetListener fails with CPython's error when s is closed ([Errno 9]), and with "[Errno
// 22] Invalid argument" (what accept(2) says) when it is not listening.
//
// Differences from the net package: closing a listener on a filesystem AF_UNIX path does
// not remove the path, and there is no SetDeadline.
func (s *Socket) NetListener() (net.Listener, error) {
	laddr, err := s.GetSockName()
	if err != nil {
		return nil, err
	}
	listening, err := s.GetSockOpt(csock.SOL_SOCKET, csock.SO_ACCEPTCONN)
	if err != nil {
		return nil, err
	}
	if listening == 0 {
		return nil, newOSError(syscall.EINVAL)
	}
	network := networkName(s.family, s.typ)
	return &netListener{
		s:    s,
		net:  network,
		addr: toNetAddr(network, s.family, laddr),
	}, nil
}

// netListener is the net.Listener of a listening Socket.
type netListener struct {
	s      *Socket
	net    string
	addr   net.Addr
	closed atomic.Bool
	dl     atomic.Int64 // always 0: Accept has no deadline (doTimeout's src)
}

// Accept waits for a connection and returns its NetConn adapter: accept4(2), then
// getsockname(2) for its local address.
func (l *netListener) Accept() (net.Conn, error) {
	x := opExt{}
	a := opArgs{kind: opAccept, x: &x}
	for {
		if l.closed.Load() {
			return nil, l.opError(errClosedConn)
		}
		l.s.doTimeout(context.Background(), &a, false, noTimeout, time.Time{}, &l.dl)
		if a.err != errTimedOut {
			break // else a deadline woke it: Close, or a deadline set through the socket
		}
		a.err = nil
	}
	if a.err != nil {
		return nil, l.opError(a.err)
	}
	ns := newSocket(a.n, l.s.family, l.s.typ, l.s.proto)
	laddr, err := ns.GetSockName()
	if err != nil {
		ns.Close()
		return nil, l.opError(err)
	}
	return ns.newNetConn(laddr, makeAddress(&x.addr)), nil
}

// Close closes the socket and wakes a pending Accept. A second Close returns an error
// matching net.ErrClosed.
func (l *netListener) Close() error {
	if !l.closed.CompareAndSwap(false, true) {
		return &net.OpError{Op: "close", Net: l.net, Addr: l.addr, Err: netErr(l.s, errClosedConn)}
	}
	if pf := l.s.pf.Load(); pf != nil {
		pf.expire() // wakes a pending Accept, even if the socket stays open for a file
	}
	if err := l.s.Close(); err != nil {
		return &net.OpError{Op: "close", Net: l.net, Addr: l.addr, Err: netErr(l.s, err)}
	}
	return nil
}

// Addr returns the listening address.
func (l *netListener) Addr() net.Addr { return l.addr }

// Socket returns the socket under the listener.
func (l *netListener) Socket() *Socket { return l.s }

func (l *netListener) opError(err error) error {
	return &net.OpError{Op: "accept", Net: l.net, Addr: l.addr, Err: netErr(l.s, err)}
}

// The outcomes of ready, which netErr converts.
var (
	errClosedConn = errors.New("facade: adapter closed")
	errDeadline   = errors.New("facade: deadline passed")
)

// netErr converts the outcome of an adapter's call (a syscall.Errno or a sentinel of the
// engine, or a facade error) into the Err of its *net.OpError.
func netErr(s *Socket, err error) error {
	if err == errClosedConn || (err == syscall.EBADF && s.ref.closed()) {
		return closedError{}
	}
	if err == errDeadline || err == errTimedOut {
		return timeoutError{}
	}
	err = fromBinding(err)
	var oe *OSError
	if errors.As(err, &oe) && oe.Errno > 0 {
		if oe.Errno == int(syscall.EBADF) && s.ref.closed() {
			return closedError{}
		}
		return errnoError{oe}
	}
	return err
}

// closedError is the error of a call on a closed adapter: net.ErrClosed, and CPython's
// [Errno 9] Bad file descriptor.
type closedError struct{}

func (closedError) Error() string { return net.ErrClosed.Error() }

// Unwrap returns net.ErrClosed and the *OSError of EBADF.
func (closedError) Unwrap() []error { return []error{net.ErrClosed, newOSError(syscall.EBADF)} }

// timeoutError is the error of a call whose deadline passed: a net.Error whose Timeout is
// true, wrapping the facade's TimeoutError (which matches os.ErrDeadlineExceeded).
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
func (timeoutError) Unwrap() error   { return errTimedOut }

// errnoError is an *OSError with the Timeout and Temporary methods of its errno, which
// *net.OpError consults (http.Server retries an Accept whose error is Temporary).
type errnoError struct{ err *OSError }

func (e errnoError) Error() string   { return e.err.Error() }
func (e errnoError) Unwrap() error   { return e.err }
func (e errnoError) Timeout() bool   { return syscall.Errno(e.err.Errno).Timeout() }
func (e errnoError) Temporary() bool { return syscall.Errno(e.err.Errno).Temporary() }

// networkName is the net package's network name for a family and type.
func networkName(family, typ int) string {
	switch family {
	case csock.AF_INET, csock.AF_INET6:
		switch typ {
		case csock.SOCK_STREAM:
			return "tcp"
		case csock.SOCK_DGRAM:
			return "udp"
		}
		return "ip"
	case csock.AF_UNIX:
		switch typ {
		case csock.SOCK_DGRAM:
			return "unixgram"
		case csock.SOCK_SEQPACKET:
			return "unixpacket"
		}
		return "unix"
	}
	return strings.ToLower(strings.TrimPrefix(AddressFamily(family).String(), "AF_"))
}

// toNetAddr converts an address of the facade into the net package's type for network:
// never nil, so that RemoteAddr().String() is always safe.
func toNetAddr(network string, family int, a Address) net.Addr {
	switch a := a.(type) {
	case InetAddress:
		return ipNetAddr(network, net.ParseIP(a.Host).To4(), a.Port, "")
	case Inet6Address:
		// libc prints a link-local address with its scope ("fe80::1%eth0").
		host, zone, _ := strings.Cut(a.Host, "%")
		if zone == "" && a.ScopeID != 0 {
			zone = strconv.FormatUint(uint64(a.ScopeID), 10)
		}
		return ipNetAddr(network, net.ParseIP(host), a.Port, zone)
	case UnixAddress:
		name := string(a.Name)
		switch {
		case a.Abstract:
			name = "@" + name[1:]
		case name == "":
			name = "@" // an unnamed socket, as the net package names it
		}
		return &net.UnixAddr{Name: name, Net: network}
	case nil:
		switch family {
		case csock.AF_INET, csock.AF_INET6:
			return ipNetAddr(network, nil, 0, "")
		case csock.AF_UNIX:
			return &net.UnixAddr{Name: "@", Net: network}
		}
		return otherAddr{network: network}
	}
	return otherAddr{network: network, s: a.PyStr()}
}

func ipNetAddr(network string, ip net.IP, port int, zone string) net.Addr {
	switch network {
	case "tcp":
		return &net.TCPAddr{IP: ip, Port: port, Zone: zone}
	case "udp":
		return &net.UDPAddr{IP: ip, Port: port, Zone: zone}
	}
	return &net.IPAddr{IP: ip, Zone: zone}
}

// otherAddr is the net.Addr of a family the net package does not know: its string is
// CPython's str of the address.
type otherAddr struct{ network, s string }

func (a otherAddr) Network() string { return a.network }
func (a otherAddr) String() string  { return a.s }
