//go:build linux

package main

// The "go" implementation: what a pure-Go program uses for each operation.
//
// Mapping from the Python/C operation to its closest Go equivalent:
//
//	getaddrinfo_localhost  Resolver{PreferGo: true}.LookupNetIP(ctx, "ip", "localhost"),
//	                       then one netip.AddrPort per address with port 80
//	getaddrinfo_numeric    the same call with "127.0.0.1": package net parses
//	                       literals itself and never consults a resolver
//	getnameinfo            Resolver{PreferGo: true}.LookupAddr(ctx, "127.0.0.1");
//	                       Go has no port -> service name lookup, so the
//	                       service half of getnameinfo is not done
//	getservbyname          Resolver{PreferGo: true}.LookupPort(ctx, "tcp", "http")
//	                       (/etc/services is parsed once per process)
//	gethostbyname_ex       Resolver{PreferGo: true}.LookupNetIP(ctx, "ip4", "localhost")
//	                       (Go caches /etc/hosts, re-checking it every 5 s)
//	gethostname            os.Hostname (uname(2))
//	socket_close           syscall.Socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC) +
//	                       syscall.Close: package net has no unconnected socket
//	pingpong_unix          syscall.Socketpair(AF_UNIX, SOCK_STREAM) -> net.FileConn,
//	                       Write/Read on the runtime poller, two goroutines
//	pingpong_tcp           net.Listen/Dial/Accept on 127.0.0.1:0, SetNoDelay(true)
//	bulk_tcp               the same TCP pair; Write (loops like sendall) / Read
//	sendfile_tcp           the same TCP pair; f.Seek(0, io.SeekStart) +
//	                       (*net.TCPConn).ReadFrom(f) of the 64 MiB *os.File
//	                       (sendfile(2) on the poller) / Read
//	connect_accept_close   net.DialTCP + TCPListener.AcceptTCP + Close both, in
//	                       one goroutine (the kernel completes the handshake
//	                       from the listen backlog before Accept)
//	fdpass                 syscall.Socketpair(AF_UNIX, SOCK_STREAM) -> two
//	                       *net.UnixConn; WriteMsgUnix(one byte,
//	                       syscall.UnixRights(fd), nil), ReadMsgUnix into a reused
//	                       byte and a CmsgSpace(4) control buffer (net adds
//	                       MSG_CMSG_CLOEXEC), ParseSocketControlMessage +
//	                       ParseUnixRights, syscall.Close, in one goroutine
//	idle_10k               10,000 net.DialTCP connections to a child process, one
//	                       goroutine per connection parked in Read on the poller

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/csock/csock/bench/internal/benchspec"
)

func init() {
	r := &net.Resolver{PreferGo: true}
	Register("go", map[string]Op{
		benchspec.GetAddrInfoLocalhost: Call(func() error { return lookupWithPort(r, "ip", "localhost") }),
		benchspec.GetAddrInfoNumeric:   Call(func() error { return lookupWithPort(r, "ip", "127.0.0.1") }),
		benchspec.GetNameInfo:          Call(func() error { return lookupAddr(r) }),
		benchspec.GetServByName:        Call(func() error { return lookupPort(r) }),
		benchspec.GetHostByNameEx:      Call(func() error { return lookupWithPort(r, "ip4", "localhost") }),
		benchspec.GetHostName: Call(func() error {
			_, err := os.Hostname()
			return err
		}),
		benchspec.SocketClose: Loop(benchspec.UnitNsPerOp, func() (func() error, func() error, error) {
			return func() error {
				fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
				if err != nil {
					return fmt.Errorf("socket: %w", err)
				}
				return syscall.Close(fd)
			}, nil, nil
		}),
		benchspec.PingPongUnix: PingPong(netUnixPair),
		benchspec.PingPongTCP:  PingPong(netTCPPair),
		benchspec.PingPongTCPTimeout: PingPong(func() (Stream, Stream, error) {
			a, b, err := netTCPPair()
			if err != nil {
				return nil, nil, err
			}
			return deadlineStream{a.(netStream)}, deadlineStream{b.(netStream)}, nil
		}),
		benchspec.BulkTCP:            Bulk(netTCPPair),
		benchspec.SendFileTCP:        SendFile(netTCPPair),
		benchspec.ConnectAcceptClose: Loop(benchspec.UnitConnPerS, netConnectAcceptClose),
		benchspec.FDPass:             Loop(benchspec.UnitNsPerOp, netFDPass),
		benchspec.Idle10k:            Idle(netDial),
	})
}

// lookupWithPort resolves host as getaddrinfo(host, 80) would and builds
// the (address, port) list, which is what Python's result carries.
func lookupWithPort(r *net.Resolver, network, host string) error {
	ips, err := r.LookupNetIP(context.Background(), network, host)
	if err != nil {
		return err
	}
	if len(ips) == 0 {
		return fmt.Errorf("%s: no addresses", host)
	}
	out := make([]netip.AddrPort, len(ips))
	for i, ip := range ips {
		out[i] = netip.AddrPortFrom(ip, 80)
	}
	return nil
}

// lookupAddr is the host half of getnameinfo(('127.0.0.1', 80), 0).
func lookupAddr(r *net.Resolver) error {
	names, err := r.LookupAddr(context.Background(), "127.0.0.1")
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("127.0.0.1: no names")
	}
	return nil
}

// lookupPort is getservbyname('http', 'tcp').
func lookupPort(r *net.Resolver) error {
	port, err := r.LookupPort(context.Background(), "tcp", "http")
	if err != nil {
		return err
	}
	if port != 80 {
		return fmt.Errorf("http/tcp: port %d, want 80", port)
	}
	return nil
}

// netStream adapts a net.Conn to Stream.
type netStream struct{ c net.Conn }

// SendAll writes all of p; net.Conn.Write already loops until it has.
func (s netStream) SendAll(p []byte) error {
	_, err := s.c.Write(p)
	return err
}

// RecvInto reads once into p, mapping io.EOF to (0, nil).
func (s netStream) RecvInto(p []byte) (int, error) {
	n, err := s.c.Read(p)
	if err == io.EOF {
		return 0, nil
	}
	return n, err
}

// Close closes the connection.
func (s netStream) Close() error { return s.c.Close() }

// SendFile is sendfile_tcp's send: rewind f, then (*net.TCPConn).ReadFrom(f), which
// hands an *os.File to sendfile(2) (in chunks of at most 4 MiB, until it returns 0 at
// the end of the file) on the runtime poller. size is not needed.
func (s netStream) SendFile(f *os.File, _ int64) (int64, error) {
	tc, ok := s.c.(*net.TCPConn)
	if !ok {
		return 0, fmt.Errorf("SendFile over %T, want *net.TCPConn", s.c)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return tc.ReadFrom(f)
}

// deadlineStream is a netStream that sets a 5 s deadline before every Read and Write, as
// a Go program bounding each call does (pingpong_tcp_timeout).
type deadlineStream struct{ netStream }

// SendAll sets the write deadline, then writes all of p.
func (s deadlineStream) SendAll(p []byte) error {
	if err := s.c.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	return s.netStream.SendAll(p)
}

// RecvInto sets the read deadline, then reads once into p.
func (s deadlineStream) RecvInto(p []byte) (int, error) {
	if err := s.c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return 0, err
	}
	return s.netStream.RecvInto(p)
}

// fdConn turns one end of a socketpair into a net.Conn on the poller.
func fdConn(fd int, name string) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), name)
	c, err := net.FileConn(f) // dups the descriptor
	return c, errors.Join(err, f.Close())
}

// netUnixPair is socketpair(AF_UNIX, SOCK_STREAM) as two net.Conns.
func netUnixPair() (Stream, Stream, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	a, err := fdConn(fds[0], "pair-a")
	if err != nil {
		syscall.Close(fds[1])
		return nil, nil, err
	}
	b, err := fdConn(fds[1], "pair-b")
	if err != nil {
		return nil, nil, errors.Join(err, a.Close())
	}
	return netStream{a}, netStream{b}, nil
}

// netTCPPair is a loopback TCP connection with TCP_NODELAY on both ends.
func netTCPPair() (Stream, Stream, error) {
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	a, err := net.DialTCP("tcp4", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		return nil, nil, err
	}
	b, err := ln.AcceptTCP()
	if err != nil {
		return nil, nil, errors.Join(err, a.Close())
	}
	if err := errors.Join(a.SetNoDelay(true), b.SetNoDelay(true)); err != nil {
		return nil, nil, errors.Join(err, a.Close(), b.Close())
	}
	return netStream{a}, netStream{b}, nil
}

// netDial connects to addr over TCP.
func netDial(addr netip.AddrPort) (Stream, error) {
	c, err := net.DialTCP("tcp4", nil, net.TCPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	return netStream{c}, nil
}

// netConnectAcceptClose sets up a loopback listener; each iteration
// connects, accepts and closes both ends.
func netConnectAcceptClose() (func() error, func() error, error) {
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, nil, err
	}
	addr := ln.Addr().(*net.TCPAddr)
	body := func() error {
		c, err := net.DialTCP("tcp4", nil, addr)
		if err != nil {
			return err
		}
		s, err := ln.AcceptTCP()
		if err != nil {
			return errors.Join(err, c.Close())
		}
		return errors.Join(c.Close(), s.Close())
	}
	return body, ln.Close, nil
}

// netFDPass sets up a socketpair as two *net.UnixConns and the descriptor to pass
// (/dev/null, opened once: not a socket, so the kernel never has to collect in-flight
// sockets); each iteration sends one byte carrying it and receives it on the other end
// with a control buffer for one descriptor, then closes the descriptor received.
func netFDPass() (func() error, func() error, error) {
	payload, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/null: %w", err)
	}
	ca, cb, err := netUnixPair()
	if err != nil {
		return nil, nil, errors.Join(err, syscall.Close(payload))
	}
	teardown := func() error {
		return errors.Join(ca.Close(), cb.Close(), syscall.Close(payload))
	}
	a, okA := ca.(netStream).c.(*net.UnixConn)
	b, okB := cb.(netStream).c.(*net.UnixConn)
	if !okA || !okB {
		return nil, nil, errors.Join(errors.New("socketpair: not *net.UnixConn"), teardown())
	}
	out, in, oob := []byte{'x'}, make([]byte, 1), make([]byte, syscall.CmsgSpace(fdSize))
	body := func() error {
		if _, _, err := a.WriteMsgUnix(out, syscall.UnixRights(payload), nil); err != nil {
			return err
		}
		n, oobn, flags, _, err := b.ReadMsgUnix(in, oob)
		if err != nil {
			return err
		}
		fd, err := ReceivedFD(oob[:oobn], flags)
		if err != nil {
			return err
		}
		if n != 1 {
			return errors.Join(fmt.Errorf("ReadMsgUnix: %d bytes", n), syscall.Close(fd))
		}
		return syscall.Close(fd)
	}
	return body, teardown, nil
}
