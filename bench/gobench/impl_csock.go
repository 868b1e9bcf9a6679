//go:build linux

package main

// The "csock" implementation: the raw cgo binding (package csock), one binding call per
// libc call of the C program (bench/c/bench.c), on blocking descriptors. It is the floor
// of what Go pays for calling libc: the C program's work plus one cgo crossing per call.
//
//	getaddrinfo_localhost  csock.GetAddrInfo("localhost", "80", AF_UNSPEC, SOCK_STREAM, 0, 0)
//	getaddrinfo_numeric    the same for "127.0.0.1" with AI_NUMERICHOST
//	getnameinfo            csock.GetNameInfo(127.0.0.1:80, 0) -> ("localhost", "http")
//	getservbyname          csock.GetServByName("http", "tcp") (getservbyname_r)
//	gethostbyname_ex       csock.GetHostByName("localhost") (gethostbyname_r)
//	gethostname            csock.GetHostName()
//	socket_close           csock.Socket(AF_INET, SOCK_STREAM, 0) + csock.Close
//	pingpong_unix          csock.SocketPair(AF_UNIX, SOCK_STREAM); Send / Recv on
//	                       blocking descriptors: each goroutine blocks its OS thread
//	                       in recv(2) inside a cgo call, as a C thread would
//	pingpong_tcp           Socket/Bind/Listen, Socket+Connect (blocking), Accept,
//	                       TCP_NODELAY on both ends
//	bulk_tcp               the same TCP pair; Send loops like sendall, Recv into a
//	                       reused buffer
//	sendfile_tcp           the same TCP pair; csock.SendFile(sock, file, &off, size-off)
//	                       from off 0 until the whole file has gone (sendfile(2) on the
//	                       blocking socket: one call per file unless interrupted), Recv
//	                       into a reused buffer
//	connect_accept_close   Socket + blocking Connect, Accept, Close both
//	fdpass                 csock.SocketPair(AF_UNIX, SOCK_STREAM); csock.SendMsg of one
//	                       byte with syscall.UnixRights(fd), csock.RecvMsg into a
//	                       reused byte and a csock.CMSGSpace(4) control buffer with
//	                       MSG_CMSG_CLOEXEC (as C), parsed as the go implementation
//	                       does (ParseSocketControlMessage + ParseUnixRights),
//	                       csock.Close, in one goroutine
//	idle_10k               Socket + blocking Connect per connection, one goroutine per
//	                       connection blocked in recv(2) inside a cgo call: each holds
//	                       an OS thread, so this measures the thread-per-connection
//	                       model (10,000 threads, like the C and Python programs), not
//	                       the binding's memory alone
//
// EINTR is retried, as the C program retries it; the binding itself retries nothing.

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"syscall"

	"github.com/csock/csock/bench/internal/benchspec"
	"github.com/csock/csock/csock"
)

// The C strings of the resolver calls, made once as the C program's literals are.
var (
	csockLocalhost = []byte("localhost")
	csockNumeric   = []byte("127.0.0.1")
	csockPort80    = []byte("80")
	csockHTTP      = []byte("http")
	csockTCP       = []byte("tcp")
)

func init() {
	Register("csock", map[string]Op{
		benchspec.GetAddrInfoLocalhost: Call(func() error { return csockGAI(csockLocalhost, 0) }),
		benchspec.GetAddrInfoNumeric:   Call(func() error { return csockGAI(csockNumeric, csock.AI_NUMERICHOST) }),
		benchspec.GetNameInfo: Call(func() error {
			addr := csock.Addr{Family: csock.AF_INET, IP: [16]byte{127, 0, 0, 1}, Port: 80}
			host, serv, err := csock.GetNameInfo(&addr, 0, nil)
			if err == nil && (host == "" || serv == "") {
				err = fmt.Errorf("getnameinfo: got (%q, %q)", host, serv)
			}
			return err
		}),
		benchspec.GetServByName: Call(func() error {
			port, err := csock.GetServByName(csockHTTP, csockTCP, 0)
			if err == nil && port != 80 {
				err = fmt.Errorf("getservbyname_r: http/tcp is %d, want 80", port)
			}
			return err
		}),
		benchspec.GetHostByNameEx: Call(func() error {
			h, err := csock.GetHostByName(csockLocalhost, 0, nil)
			if err == nil && len(h.Aliases)+len(h.Addrs) == 0 {
				err = errors.New("gethostbyname_r: empty result")
			}
			return err
		}),
		benchspec.GetHostName: Call(func() error {
			_, err := csock.GetHostName()
			return err
		}),
		benchspec.SocketClose: Loop(benchspec.UnitNsPerOp, func() (func() error, func() error, error) {
			return func() error {
				fd, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
				if err != nil {
					return fmt.Errorf("socket: %w", err)
				}
				return csock.Close(fd)
			}, nil, nil
		}),
		benchspec.PingPongUnix: PingPong(func() (Stream, Stream, error) {
			fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
			if err != nil {
				return nil, nil, fmt.Errorf("socketpair: %w", err)
			}
			return csockStream{fds[0]}, csockStream{fds[1]}, nil
		}),
		benchspec.PingPongTCP:        PingPong(csockTCPPair),
		benchspec.BulkTCP:            Bulk(csockTCPPair),
		benchspec.SendFileTCP:        SendFile(csockTCPPair),
		benchspec.ConnectAcceptClose: Loop(benchspec.UnitConnPerS, csockConnectAcceptClose),
		benchspec.FDPass:             Loop(benchspec.UnitNsPerOp, csockFDPass),
		benchspec.Idle10k: Idle(func(addr netip.AddrPort) (Stream, error) {
			fd, err := csockConnect(csockAddr(addr))
			if err != nil {
				return nil, err
			}
			return csockStream{fd}, nil
		}),
	})
}

// csockGAI is the C program's gai(): getaddrinfo(host, "80", AF_UNSPEC, SOCK_STREAM,
// flags), the result list converted by the binding.
func csockGAI(host []byte, flags int) error {
	res, err := csock.GetAddrInfo(host, csockPort80, csock.AF_UNSPEC, csock.SOCK_STREAM, 0, flags, nil)
	if err == nil && len(res) == 0 {
		err = fmt.Errorf("getaddrinfo(%s): no results", host)
	}
	return err
}

// csockStream is a blocking stream descriptor driven with the binding's calls.
type csockStream struct{ fd int }

// SendAll sends until all of p has gone (send(2) with MSG_NOSIGNAL, EINTR retried).
func (s csockStream) SendAll(p []byte) error {
	for len(p) > 0 {
		n, err := csock.Send(s.fd, p, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
		p = p[n:]
	}
	return nil
}

// RecvInto is one recv(2) into p (EINTR retried); 0 at end of stream.
func (s csockStream) RecvInto(p []byte) (int, error) {
	for {
		n, err := csock.Recv(s.fd, p, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("recv: %w", err)
		}
		return n, nil
	}
}

// Close closes the descriptor.
func (s csockStream) Close() error { return csock.Close(s.fd) }

// SendFile sends the size bytes of f from offset 0 with csock.SendFile (sendfile(2),
// which leaves f's file position alone) until all have gone, EINTR retried: the C
// program's send_file loop.
func (s csockStream) SendFile(f *os.File, size int64) (int64, error) {
	in := int(f.Fd())
	var off int64
	for off < size {
		n, err := csock.SendFile(s.fd, in, &off, int(size-off))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return off, fmt.Errorf("sendfile: %w", err)
		}
		if n == 0 {
			return off, fmt.Errorf("sendfile: end of file at %d of %d bytes", off, size)
		}
	}
	runtime.KeepAlive(f)
	return off, nil
}

// csockAddr is addr as a binding address.
func csockAddr(addr netip.AddrPort) *csock.Addr {
	a := &csock.Addr{Family: csock.AF_INET, Port: int(addr.Port())}
	ip4 := addr.Addr().As4()
	copy(a.IP[:4], ip4[:])
	return a
}

// csockListener is the C program's tcp_listener: a blocking socket on 127.0.0.1 with an
// ephemeral port, listening, and its address.
func csockListener(backlog int) (int, *csock.Addr, error) {
	fd, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
	if err != nil {
		return -1, nil, fmt.Errorf("socket: %w", err)
	}
	addr := &csock.Addr{Family: csock.AF_INET, IP: [16]byte{127, 0, 0, 1}}
	if err := csock.Bind(fd, addr); err != nil {
		return -1, nil, errors.Join(fmt.Errorf("bind: %w", err), csock.Close(fd))
	}
	if err := csock.Listen(fd, backlog); err != nil {
		return -1, nil, errors.Join(fmt.Errorf("listen: %w", err), csock.Close(fd))
	}
	if err := csock.GetSockName(fd, addr); err != nil {
		return -1, nil, errors.Join(fmt.Errorf("getsockname: %w", err), csock.Close(fd))
	}
	return fd, addr, nil
}

// csockConnect is the C program's tcp_connect: a blocking socket connected to addr.
func csockConnect(addr *csock.Addr) (int, error) {
	fd, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	for {
		err := csock.Connect(fd, addr)
		if err == nil {
			return fd, nil
		}
		if err != syscall.EINTR {
			return -1, errors.Join(fmt.Errorf("connect: %w", err), csock.Close(fd))
		}
	}
}

// csockAccept is the C program's tcp_accept: accept4 without the peer's address,
// retrying EINTR and ECONNABORTED.
func csockAccept(lfd int) (int, error) {
	for {
		fd, err := csock.Accept(lfd, 0, nil)
		if err == nil {
			return fd, nil
		}
		if err != syscall.EINTR && err != syscall.ECONNABORTED {
			return -1, fmt.Errorf("accept: %w", err)
		}
	}
}

// csockTCPPair is the C program's make_pair for TCP: connect to a fresh listener,
// accept, TCP_NODELAY on both ends.
func csockTCPPair() (Stream, Stream, error) {
	lfd, addr, err := csockListener(1)
	if err != nil {
		return nil, nil, err
	}
	defer csock.Close(lfd)
	a, err := csockConnect(addr)
	if err != nil {
		return nil, nil, err
	}
	b, err := csockAccept(lfd)
	if err != nil {
		return nil, nil, errors.Join(err, csock.Close(a))
	}
	for _, fd := range [2]int{a, b} {
		if err := csock.SetSockOptInt(fd, csock.IPPROTO_TCP, csock.TCP_NODELAY, 1); err != nil {
			return nil, nil, errors.Join(fmt.Errorf("TCP_NODELAY: %w", err), csock.Close(a), csock.Close(b))
		}
	}
	return csockStream{a}, csockStream{b}, nil
}

// csockConnectAcceptClose sets up a listener (backlog 128); each iteration connects a
// blocking socket, accepts it and closes both ends.
func csockConnectAcceptClose() (func() error, func() error, error) {
	lfd, addr, err := csockListener(128)
	if err != nil {
		return nil, nil, err
	}
	body := func() error {
		c, err := csockConnect(addr)
		if err != nil {
			return err
		}
		s, err := csockAccept(lfd)
		if err != nil {
			return errors.Join(err, csock.Close(c))
		}
		return errors.Join(csock.Close(c), csock.Close(s))
	}
	teardown := func() error { return csock.Close(lfd) }
	return body, teardown, nil
}

// csockFDPass is the C program's op_fdpass: a socketpair and /dev/null's descriptor to
// pass; each iteration sends one byte carrying it (sendmsg), receives it on the other
// end with a control buffer for one descriptor (recvmsg) and closes what arrived.
func csockFDPass() (func() error, func() error, error) {
	payload, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/null: %w", err)
	}
	sp, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("socketpair: %w", err), syscall.Close(payload))
	}
	teardown := func() error {
		return errors.Join(csock.Close(sp[0]), csock.Close(sp[1]), syscall.Close(payload))
	}
	space, ok := csock.CMSGSpace(fdSize)
	if !ok {
		return nil, nil, errors.Join(errors.New("CMSG_SPACE(4) overflows"), teardown())
	}
	out, in, control := [][]byte{{'x'}}, [][]byte{make([]byte, 1)}, make([]byte, space)
	body := func() error {
		for {
			n, err := csock.SendMsg(sp[0], out, syscall.UnixRights(payload), nil, 0)
			if err == syscall.EINTR {
				continue
			}
			if err != nil || n != 1 {
				return fmt.Errorf("sendmsg: %d bytes: %w", n, err)
			}
			break
		}
		for {
			n, clen, flags, err := csock.RecvMsg(sp[1], in, control, csock.MSG_CMSG_CLOEXEC, nil)
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("recvmsg: %w", err)
			}
			fd, err := ReceivedFD(control[:clen], flags)
			if err != nil {
				return err
			}
			if n != 1 {
				return errors.Join(fmt.Errorf("recvmsg: %d bytes", n), csock.Close(fd))
			}
			return csock.Close(fd)
		}
	}
	return body, teardown, nil
}
