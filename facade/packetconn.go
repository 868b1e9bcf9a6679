//go:build linux

package facade

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// The PacketConn adapter offers the net package's interface.
var (
	_ net.PacketConn = (*packetConn)(nil)
	_ syscall.Conn   = (*packetConn)(nil)
)

// PacketConn returns a net.PacketConn over the unconnected datagram socket s (SOCK_DGRAM
// or SOCK_RAW), for Go code written against the net package: the net.PacketConn
// conventions hold, not CPython's, as for NetConn.
//
//   - ReadFrom is recvfrom(2): one datagram, cut to len(p) (the rest is dropped), and its
//     sender as a *net.UDPAddr, *net.IPAddr or *net.UnixAddr (nil for an unnamed AF_UNIX
//     sender, as *net.UnixConn's ReadFrom returns). An empty datagram reads as 0, nil.
//   - WriteTo is sendto(2) of p to addr: a *net.UDPAddr or *net.IPAddr (a *net.TCPAddr
//     too) for an AF_INET or AF_INET6 socket, an IPv4 address going to an AF_INET6 socket
//     as its IPv4-mapped form (::ffff:a.b.c.d) as the net package sends it; a
//     *net.UnixAddr ('@' for Linux's abstract namespace) for an AF_UNIX one. The address
//     is checked as CPython's sendto checks its tuple ("OverflowError: sendto(): port
//     must be 0-65535."); nil is CPython's sendto(data, None): "TypeError: sendto():
//     AF_INET address must be tuple, not NoneType". As in the net package, a nil pointer
//     of the socket's own kind is "missing address", and an address of the other
//     family's kind (a *net.UnixAddr for an AF_INET socket), or any other net.Addr, is
//     [Errno 22].
//   - Calls wait as in blocking mode whatever the socket's timeout, until the deadlines
//     (SetDeadline, SetReadDeadline, SetWriteDeadline), which take effect at once in a
//     waiting call, as NetConn's do. Close closes the socket and wakes pending calls.
//   - LocalAddr is GetSockName's address when PacketConn is called (never nil).
//
// Errors are *net.OpError values (Op "read", "write", "close" or "set"; Addr the
// destination for WriteTo) holding the facade's errors as NetConn's do: net.ErrClosed
// after Close, a Timeout() error matching os.ErrDeadlineExceeded when a deadline passes.
// The adapter also has the methods Socket() *Socket, SyscallConn, and ReadMsgUnix and
// WriteMsgUnix (as NetConn's; for AF_UNIX datagram sockets, descriptors travel with a
// datagram).
//
// PacketConn fails with "[Errno 9] Bad file descriptor" on a closed socket, "[Errno 106]
// Transport endpoint is already connected" on a connected one (use NetConn), and
// "ValueError: PacketConn needs a datagram socket (SOCK_DGRAM or SOCK_RAW)" for other
// types.
func (s *Socket) PacketConn() (net.PacketConn, error) {
	if s.typ != csock.SOCK_DGRAM && s.typ != csock.SOCK_RAW {
		return nil, &ValueError{Msg: "PacketConn needs a datagram socket (SOCK_DGRAM or SOCK_RAW)"}
	}
	laddr, err := s.GetSockName()
	if err != nil {
		return nil, err
	}
	if _, err := s.GetPeerName(); err == nil {
		return nil, newOSError(syscall.EISCONN)
	}
	network := networkName(s.family, s.typ)
	return &packetConn{adapter{
		s:     s,
		net:   network,
		laddr: toNetAddr(network, s.family, laddr),
	}}, nil
}

// packetConn is the net.PacketConn of an unconnected datagram Socket.
type packetConn struct{ adapter }

// ReadFrom receives one datagram into p: recvfrom(2), waiting until the read deadline.
func (c *packetConn) ReadFrom(p []byte) (int, net.Addr, error) {
	x := opExt{}
	a := opArgs{kind: opRecvFrom, buf: p, x: &x}
	for {
		dl, err := c.ready(&c.rd)
		if err != nil {
			return 0, nil, c.opError("read", err)
		}
		c.s.doTimeout(context.Background(), &a, false, noTimeout, dl, &c.rd)
		switch a.err {
		case nil:
			return min(a.n, len(p)), c.senderAddr(&x.addr), nil
		case errTimedOut:
			a.err = nil
			continue
		}
		return 0, nil, c.opError("read", a.err)
	}
}

// senderAddr is the net.Addr of a datagram's sender: nil when there is none or it is an
// unnamed AF_UNIX socket, as the net package reports them.
func (c *packetConn) senderAddr(a *csock.Addr) net.Addr {
	addr := makeAddress(a)
	switch x := addr.(type) {
	case nil:
		return nil
	case UnixAddress:
		if len(x.Name) == 0 {
			return nil
		}
	}
	return toNetAddr(c.net, c.s.family, addr)
}

// WriteTo sends p as one datagram to addr: sendto(2), waiting until the write deadline.
func (c *packetConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	to, err := c.destination(addr)
	if err == errMissingAddress {
		return 0, c.writeError(nil, err)
	}
	if err != nil {
		return 0, c.writeError(addr, err)
	}
	x := opExt{addr: to}
	a := opArgs{kind: opSendTo, buf: p, x: &x}
	for {
		dl, err := c.ready(&c.wd)
		if err != nil {
			return 0, c.writeError(addr, err)
		}
		c.s.doTimeout(context.Background(), &a, true, noTimeout, dl, &c.wd)
		switch a.err {
		case nil:
			return a.n, nil
		case errTimedOut:
			a.err = nil
			continue
		}
		return 0, c.writeError(addr, a.err)
	}
}

func (c *packetConn) writeError(addr net.Addr, err error) error {
	return &net.OpError{Op: "write", Net: c.net, Source: c.laddr, Addr: addr, Err: netErr(c.s, err)}
}

// errMissingAddress is the error of a write to a nil address of the socket's own kind,
// worded as the net package's.
var errMissingAddress = errors.New("missing address")

// destination parses addr for sendto(2) as CPython parses the tuple or path it stands
// for. As in the net package, an address of the other family's kind is EINVAL and a nil
// one of the socket's own kind is "missing address".
func (c *packetConn) destination(addr net.Addr) (csock.Addr, error) {
	var v any // the Python value addr stands for
	inet := c.s.family != csock.AF_UNIX
	switch x := addr.(type) {
	case nil:
		v = nil
	case *net.UDPAddr:
		if !inet {
			return csock.Addr{}, syscall.EINVAL
		}
		if x == nil {
			return csock.Addr{}, errMissingAddress
		}
		v = c.ipTuple(x.IP, x.Port, x.Zone)
	case *net.IPAddr:
		if !inet {
			return csock.Addr{}, syscall.EINVAL
		}
		if x == nil {
			return csock.Addr{}, errMissingAddress
		}
		v = c.ipTuple(x.IP, 0, x.Zone)
	case *net.TCPAddr:
		if !inet {
			return csock.Addr{}, syscall.EINVAL
		}
		if x == nil {
			return csock.Addr{}, errMissingAddress
		}
		v = c.ipTuple(x.IP, x.Port, x.Zone)
	case *net.UnixAddr:
		if inet {
			return csock.Addr{}, syscall.EINVAL
		}
		if x == nil {
			return csock.Addr{}, errMissingAddress
		}
		v = unixAddrValue(x)
	default:
		return csock.Addr{}, syscall.EINVAL
	}
	return parseAddress(c.s.family, v, "sendto")
}

// ipTuple is the address tuple of an IP, port and zone for the socket's family: (host,
// port) for AF_INET, (host, port, 0, scope_id) for AF_INET6, an IPv4 address written in
// its IPv4-mapped IPv6 form there.
func (c *packetConn) ipTuple(ip net.IP, port int, zone string) any {
	if c.s.family != csock.AF_INET6 {
		if len(ip) == 0 {
			return py.Tuple{"0.0.0.0", port} // the net package's nil IP
		}
		if ip4 := ip.To4(); ip4 != nil {
			ip = ip4
		}
		return py.Tuple{ip.String(), port}
	}
	host := ip.String()
	switch ip4 := ip.To4(); {
	case len(ip) == 0:
		host = "::"
	case ip4 != nil:
		host = "::ffff:" + ip4.String()
	}
	scope := 0
	if zone != "" {
		if n, err := strconv.Atoi(zone); err == nil {
			scope = n
		} else if n, err := csock.IfNameToIndex([]byte(zone)); err == nil {
			scope = n
		}
	}
	return py.Tuple{host, port, 0, scope}
}
