//go:build linux

package main

// The "facade" implementation: the project's facade package, CPython's socket module in
// Go, called exactly as the Python program (bench/python/bench.py) calls socket:
// blocking sockets (timeout None), no option the Python program does not set.
//
//	getaddrinfo_localhost  GetAddrInfo("localhost", 80, AF_UNSPEC, SOCK_STREAM, 0, 0)
//	getaddrinfo_numeric    GetAddrInfo("127.0.0.1", 80, AF_UNSPEC, SOCK_STREAM, 0,
//	                       AI_NUMERICHOST)
//	getnameinfo            GetNameInfo(("127.0.0.1", 80), 0) -> ("localhost", "http"):
//	                       as CPython, a numeric getaddrinfo, then getnameinfo(3)
//	getservbyname          GetServByName("http", "tcp")
//	gethostbyname_ex       GetHostByNameEx("localhost"): as CPython, getaddrinfo(AF_INET)
//	                       for the name first, then gethostbyname_r(3)
//	gethostname            GetHostName()
//	socket_close           New(AF_INET, SOCK_STREAM, 0) + Close
//	pingpong_unix          SocketPair(AF_UNIX, SOCK_STREAM, 0); SendAll / RecvInto
//	pingpong_tcp           CreateConnection to a New+Bind+Listen listener, Accept,
//	                       SetSockOpt(IPPROTO_TCP, TCP_NODELAY, 1) on both ends
//	bulk_tcp               the same TCP pair; SendAll / RecvInto a reused buffer
//	sendfile_tcp           the same TCP pair; SendFile(f, 0, nil) (sendfile(f): offset 0,
//	                       count None) of the 64 MiB file / RecvInto a reused buffer
//	connect_accept_close   New + Connect, listener Accept, Close both
//	fdpass                 SocketPair(AF_UNIX, SOCK_STREAM, 0); SendFDs(a, [][]byte{"x"},
//	                       []int{fd}, 0, nil), RecvFDs(b, 1, 1, 0), syscall.Close of the
//	                       descriptor received (Python's os.close), in one goroutine
//	idle_10k               New + Connect per connection, one goroutine per
//	                       connection blocked in RecvInto (waiting on Go's
//	                       runtime poller, so no OS thread is held)

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"

	"github.com/csock/csock/bench/internal/benchspec"
	"github.com/csock/csock/facade"
)

func init() {
	Register("facade", map[string]Op{
		benchspec.GetAddrInfoLocalhost: Call(func() error {
			return facadeGAI("localhost", 0)
		}),
		benchspec.GetAddrInfoNumeric: Call(func() error {
			return facadeGAI("127.0.0.1", facade.AI_NUMERICHOST)
		}),
		benchspec.GetNameInfo: Call(func() error {
			host, port, err := facade.GetNameInfo(facade.InetAddress{Host: "127.0.0.1", Port: 80}, 0)
			if err != nil {
				return err
			}
			if host == "" || port == "" {
				return fmt.Errorf("getnameinfo: got (%q, %q)", host, port)
			}
			return nil
		}),
		benchspec.GetServByName: Call(func() error {
			port, err := facade.GetServByName("http", "tcp")
			if err == nil && port != 80 {
				err = fmt.Errorf("getservbyname: http/tcp is %d, want 80", port)
			}
			return err
		}),
		benchspec.GetHostByNameEx: Call(func() error {
			h, err := facade.GetHostByNameEx("localhost")
			if err == nil && len(h.Addrs) == 0 {
				err = errors.New("gethostbyname_ex: no addresses")
			}
			return err
		}),
		benchspec.GetHostName: Call(func() error {
			_, err := facade.GetHostName()
			return err
		}),
		benchspec.SocketClose: Loop(benchspec.UnitNsPerOp, func() (func() error, func() error, error) {
			return func() error {
				s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
				if err != nil {
					return err
				}
				return s.Close()
			}, nil, nil
		}),
		benchspec.PingPongUnix: PingPong(func() (Stream, Stream, error) {
			a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
			if err != nil {
				return nil, nil, err
			}
			return facadeStream{a}, facadeStream{b}, nil
		}),
		benchspec.PingPongTCP: PingPong(facadeTCPPair),
		benchspec.PingPongTCPTimeout: PingPong(func() (Stream, Stream, error) {
			a, b, err := facadeTCPPair()
			if err != nil {
				return nil, nil, err
			}
			for _, s := range []Stream{a, b} {
				if err := s.(facadeStream).s.SetTimeout(5); err != nil {
					return nil, nil, errors.Join(err, a.Close(), b.Close())
				}
			}
			return a, b, nil
		}),
		benchspec.BulkTCP:            Bulk(facadeTCPPair),
		benchspec.SendFileTCP:        SendFile(facadeTCPPair),
		benchspec.ConnectAcceptClose: Loop(benchspec.UnitConnPerS, facadeConnectAcceptClose),
		benchspec.FDPass:             Loop(benchspec.UnitNsPerOp, facadeFDPass),
		benchspec.Idle10k: Idle(func(addr netip.AddrPort) (Stream, error) {
			s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
			if err != nil {
				return nil, err
			}
			target := facade.InetAddress{Host: addr.Addr().String(), Port: int(addr.Port())}
			if err := s.Connect(target); err != nil {
				return nil, errors.Join(err, s.Close())
			}
			return facadeStream{s}, nil
		}),
	})
}

// facadeGAI is socket.getaddrinfo(host, 80, AF_UNSPEC, SOCK_STREAM, 0, flags).
func facadeGAI(host string, flags facade.AddressInfo) error {
	res, err := facade.GetAddrInfo(host, 80, facade.AF_UNSPEC, facade.SOCK_STREAM, 0, flags)
	if err == nil && len(res) == 0 {
		err = fmt.Errorf("getaddrinfo(%s): no results", host)
	}
	return err
}

// facadeStream adapts *facade.Socket to Stream: Python's sendall(data), recv_into(buf)
// and close(), with CPython's defaults for the optional arguments (nbytes 0 = len(buf),
// flags 0).
type facadeStream struct{ s *facade.Socket }

// SendAll is s.sendall(p).
func (f facadeStream) SendAll(p []byte) error { return f.s.SendAll(p, 0) }

// RecvInto is s.recv_into(p).
func (f facadeStream) RecvInto(p []byte) (int, error) { return f.s.RecvInto(p, 0, 0) }

// Close is s.close().
func (f facadeStream) Close() error { return f.s.Close() }

// SendFile is sendfile_tcp's send: s.sendfile(file) (offset 0, count None), CPython's
// socket.sendfile. size is not needed.
func (f facadeStream) SendFile(file *os.File, _ int64) (int64, error) {
	n, err := f.s.SendFile(file, 0, nil)
	return int64(n), err
}

// facadeListener is a listening TCP socket on 127.0.0.1 with an ephemeral port, as the
// Python program makes it (socket, bind, listen), and its address.
func facadeListener(backlog int) (*facade.Socket, facade.InetAddress, error) {
	ln, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
	if err != nil {
		return nil, facade.InetAddress{}, err
	}
	if err := ln.Bind(facade.InetAddress{Host: "127.0.0.1", Port: 0}); err != nil {
		return nil, facade.InetAddress{}, errors.Join(err, ln.Close())
	}
	if err := ln.Listen(backlog); err != nil {
		return nil, facade.InetAddress{}, errors.Join(err, ln.Close())
	}
	addr, err := ln.GetSockName()
	if err != nil {
		return nil, facade.InetAddress{}, errors.Join(err, ln.Close())
	}
	inet, ok := addr.(facade.InetAddress)
	if !ok {
		return nil, facade.InetAddress{}, errors.Join(fmt.Errorf("getsockname: %v", addr), ln.Close())
	}
	return ln, inet, nil
}

// facadeTCPPair is the Python program's tcp_pair: create_connection to a fresh listener,
// accept, TCP_NODELAY on both ends.
func facadeTCPPair() (Stream, Stream, error) {
	ln, addr, err := facadeListener(1)
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	a, err := facade.CreateConnection(addr, facade.UseDefaultTimeout, nil, false)
	if err != nil {
		return nil, nil, err
	}
	b, _, err := ln.Accept()
	if err != nil {
		return nil, nil, errors.Join(err, a.Close())
	}
	for _, s := range []*facade.Socket{a, b} {
		if err := s.SetSockOpt(facade.IPPROTO_TCP, facade.TCP_NODELAY, 1); err != nil {
			return nil, nil, errors.Join(err, a.Close(), b.Close())
		}
	}
	return facadeStream{a}, facadeStream{b}, nil
}

// facadeConnectAcceptClose sets up a listener (backlog 128, as the Python program); each
// iteration is socket(), connect(addr), accept(), close() of both.
func facadeConnectAcceptClose() (func() error, func() error, error) {
	ln, addr, err := facadeListener(128)
	if err != nil {
		return nil, nil, err
	}
	body := func() error {
		c, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
		if err != nil {
			return err
		}
		if err := c.Connect(addr); err != nil {
			return errors.Join(err, c.Close())
		}
		s, _, err := ln.Accept()
		if err != nil {
			return errors.Join(err, c.Close())
		}
		return errors.Join(c.Close(), s.Close())
	}
	return body, ln.Close, nil
}

// facadeFDPass is the Python program's fdpass: socketpair(AF_UNIX, SOCK_STREAM) and
// /dev/null's descriptor; each iteration is send_fds(a, [b"x"], [fd]),
// recv_fds(b, 1, 1) and os.close of the descriptor received.
func facadeFDPass() (func() error, func() error, error) {
	payload, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/null: %w", err)
	}
	a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
	if err != nil {
		return nil, nil, errors.Join(err, syscall.Close(payload))
	}
	teardown := func() error { return errors.Join(a.Close(), b.Close(), syscall.Close(payload)) }
	out, fds := [][]byte{[]byte("x")}, []int{payload}
	body := func() error {
		if _, err := facade.SendFDs(a, out, fds, 0, nil); err != nil {
			return err
		}
		msg, got, flags, _, err := facade.RecvFDs(b, 1, 1, 0)
		if err != nil {
			return err
		}
		if len(msg) != 1 || len(got) != 1 || flags&int(facade.MSG_CTRUNC) != 0 {
			for _, fd := range got {
				err = errors.Join(err, syscall.Close(fd))
			}
			return errors.Join(fmt.Errorf("recv_fds: %q, %d descriptors, flags %#x", msg, len(got), flags), err)
		}
		return syscall.Close(got[0])
	}
	return body, teardown, nil
}
