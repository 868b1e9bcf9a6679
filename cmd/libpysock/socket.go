//go:build linux

package main

/*
#include "export.h"
*/
import "C"

import (
	"math"
	"syscall"
	"unsafe"

	"github.com/csock/csock/facade"
)

// The socket functions of pysock.h. Each is documented there; the comments here say only
// how the C arguments become the facade's.

// withSock runs f on the socket of handle h, or fails with [Errno 9].
func withSock(h C.int64_t, e *C.struct_pysock_error, f func(*facade.Socket) error) C.int {
	s, err := handles.get(int64(h))
	if err == nil {
		err = f(s)
	}
	if err != nil {
		return fail(e, err)
	}
	succeed(e)
	return 0
}

// newHandle registers s, stores its handle in *out and reports success.
func newHandle(s *facade.Socket, out *C.int64_t, e *C.struct_pysock_error) C.int {
	*out = C.int64_t(handles.add(s))
	succeed(e)
	return 0
}

//export pysock_socket
func pysock_socket(family, typ, proto C.int, sock *C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_socket", e, &r)
	if sock == nil {
		return failRecord(e, nullArg("pysock_socket", "sock"))
	}
	s, err := facade.New(facade.AddressFamily(family), facade.SocketKind(typ), int(proto))
	if err != nil {
		return fail(e, err)
	}
	return newHandle(s, sock, e)
}

//export pysock_socketpair
func pysock_socketpair(family, typ, proto C.int, socks *C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_socketpair", e, &r)
	if socks == nil {
		return failRecord(e, nullArg("pysock_socketpair", "socks"))
	}
	a, b, err := facade.SocketPair(facade.AddressFamily(family), facade.SocketKind(typ), int(proto))
	if err != nil {
		return fail(e, err)
	}
	out := unsafe.Slice(socks, 2)
	out[0] = C.int64_t(handles.add(a))
	return newHandle(b, &out[1], e)
}

//export pysock_create_connection
func pysock_create_connection(address *C.pysock_caddr, timeout C.double, source *C.pysock_caddr,
	sock *C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_create_connection", e, &r)
	switch {
	case address == nil:
		return failRecord(e, nullArg("pysock_create_connection", "address"))
	case sock == nil:
		return failRecord(e, nullArg("pysock_create_connection", "sock"))
	}
	t := timeoutValue(timeout)
	if timeout == C.PYSOCK_TIMEOUT_DEFAULT {
		t = facade.UseDefaultTimeout
	}
	var src any
	if source != nil {
		src = addrValue(source, facade.AF_INET)
	}
	s, err := facade.CreateConnection(pairValue(address), t, src, false)
	if err != nil {
		return fail(e, err)
	}
	return newHandle(s, sock, e)
}

//export pysock_create_server
func pysock_create_server(address *C.pysock_caddr, family, backlog, options C.int, sock *C.int64_t,
	e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_create_server", e, &r)
	if sock == nil {
		return failRecord(e, nullArg("pysock_create_server", "sock"))
	}
	opts := facade.ServerOptions{
		Family:        facade.AddressFamily(family),
		ReusePort:     options&C.PYSOCK_REUSE_PORT != 0,
		DualStackIPv6: options&C.PYSOCK_DUALSTACK_IPV6 != 0,
	}
	// ServerOptions.Backlog: 0 is None, negative listens with 0 (as CPython clamps).
	switch {
	case backlog == C.PYSOCK_BACKLOG_DEFAULT:
		opts.Backlog = 0
	case backlog <= 0:
		opts.Backlog = -1
	default:
		opts.Backlog = int(backlog)
	}
	fam := opts.Family
	if fam == 0 {
		fam = facade.AF_INET
	}
	s, err := facade.CreateServer(addrValue(address, fam), opts)
	if err != nil {
		return fail(e, err)
	}
	return newHandle(s, sock, e)
}

//export pysock_accept
func pysock_accept(h C.int64_t, conn *C.int64_t, peer *C.struct_pysock_addrbuf, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_accept", e, &r)
	if conn == nil {
		return failRecord(e, nullArg("pysock_accept", "conn"))
	}
	var c *facade.Socket
	var addr facade.Address
	if st := withSock(h, e, func(s *facade.Socket) (err error) {
		c, addr, err = s.Accept()
		return err
	}); st != 0 {
		return st
	}
	if peer != nil {
		putAddr(peer, addr)
	}
	return newHandle(c, conn, e)
}

//export pysock_bind
func pysock_bind(h C.int64_t, address *C.pysock_caddr, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_bind", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.Bind(addrValue(address, s.Family())) })
}

//export pysock_listen
func pysock_listen(h C.int64_t, backlog C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_listen", e, &r)
	return withSock(h, e, func(s *facade.Socket) error {
		if backlog == C.PYSOCK_BACKLOG_DEFAULT {
			return s.Listen()
		}
		return s.Listen(int(backlog))
	})
}

//export pysock_connect
func pysock_connect(h C.int64_t, address *C.pysock_caddr, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_connect", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.Connect(addrValue(address, s.Family())) })
}

//export pysock_connect_ex
func pysock_connect_ex(h C.int64_t, address *C.pysock_caddr, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_connect_ex", e, &r)
	if _, err := handles.get(int64(h)); err != nil {
		// CPython's connect_ex on a closed socket answers EBADF as its result.
		succeed(e)
		return C.int(syscall.EBADF)
	}
	var errno int
	if st := withSock(h, e, func(s *facade.Socket) (err error) {
		errno, err = s.ConnectEx(addrValue(address, s.Family()))
		return err
	}); st != 0 {
		return st
	}
	return C.int(errno)
}

// count runs f, a call returning a byte count, on the socket of handle h.
func count(h C.int64_t, e *C.struct_pysock_error, f func(*facade.Socket) (int, error)) C.int64_t {
	var n int
	if withSock(h, e, func(s *facade.Socket) (err error) {
		n, err = f(s)
		return err
	}) != 0 {
		return -1
	}
	return C.int64_t(n)
}

//export pysock_send
func pysock_send(h C.int64_t, data *C.pysock_cvoid, n C.size_t, flags C.int, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_send", e, &r)
	return count(h, e, func(s *facade.Socket) (int, error) {
		b, err := bytesOf(unsafe.Pointer(data), n)
		if err != nil {
			return 0, err
		}
		return s.Send(b, facade.MsgFlag(flags))
	})
}

//export pysock_sendall
func pysock_sendall(h C.int64_t, data *C.pysock_cvoid, n C.size_t, flags C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_sendall", e, &r)
	return withSock(h, e, func(s *facade.Socket) error {
		b, err := bytesOf(unsafe.Pointer(data), n)
		if err != nil {
			return err
		}
		return s.SendAll(b, facade.MsgFlag(flags))
	})
}

//export pysock_sendto
func pysock_sendto(h C.int64_t, data *C.pysock_cvoid, n C.size_t, flags C.int, address *C.pysock_caddr,
	e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_sendto", e, &r)
	return count(h, e, func(s *facade.Socket) (int, error) {
		b, err := bytesOf(unsafe.Pointer(data), n)
		if err != nil {
			return 0, err
		}
		return s.SendTo(b, facade.MsgFlag(flags), addrValue(address, s.Family()))
	})
}

//export pysock_recv
func pysock_recv(h C.int64_t, buf unsafe.Pointer, n C.size_t, flags C.int, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_recv", e, &r)
	return count(h, e, func(s *facade.Socket) (int, error) {
		b, err := bytesOf(buf, n)
		if err != nil {
			return 0, err
		}
		// recv(bufsize) into the caller's memory: recv_into with nbytes = bufsize has
		// recv's behaviour (bufsize 0 makes no system call), without recv's new object.
		return s.RecvInto(b, 0, facade.MsgFlag(flags))
	})
}

//export pysock_recv_into
func pysock_recv_into(h C.int64_t, buf unsafe.Pointer, n, nbytes C.size_t, flags C.int, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_recv_into", e, &r)
	return count(h, e, func(s *facade.Socket) (int, error) {
		b, err := bytesOf(buf, n)
		if err != nil {
			return 0, err
		}
		if uint64(nbytes) > uint64(len(b)) {
			return 0, &facade.ValueError{Msg: "buffer too small for requested bytes"}
		}
		return s.RecvInto(b, int(nbytes), facade.MsgFlag(flags))
	})
}

//export pysock_recvfrom
func pysock_recvfrom(h C.int64_t, buf unsafe.Pointer, n C.size_t, flags C.int, from *C.struct_pysock_addrbuf,
	e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_recvfrom", e, &r)
	return count(h, e, func(s *facade.Socket) (int, error) {
		b, err := bytesOf(buf, n)
		if err != nil {
			return 0, err
		}
		k, addr, err := s.RecvFromInto(b, 0, facade.MsgFlag(flags))
		if err == nil && from != nil {
			putAddr(from, addr)
		}
		return k, err
	})
}

//export pysock_shutdown
func pysock_shutdown(h C.int64_t, how C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_shutdown", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.Shutdown(int(how)) })
}

//export pysock_close
func pysock_close(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_close", e, &r)
	s, issued := handles.remove(int64(h))
	switch {
	case s != nil:
		if err := s.Close(); err != nil {
			return fail(e, err)
		}
	case !issued:
		return fail(e, errBadHandle())
	}
	succeed(e)
	return 0
}

//export pysock_settimeout
func pysock_settimeout(h C.int64_t, timeout C.double, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_settimeout", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.SetTimeout(timeoutValue(timeout)) })
}

//export pysock_gettimeout
func pysock_gettimeout(h C.int64_t, timeout *C.double, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_gettimeout", e, &r)
	if timeout == nil {
		return failRecord(e, nullArg("pysock_gettimeout", "timeout"))
	}
	return withSock(h, e, func(s *facade.Socket) error {
		*timeout = timeoutC(s.GetTimeout())
		return nil
	})
}

//export pysock_setblocking
func pysock_setblocking(h C.int64_t, flag C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setblocking", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.SetBlocking(flag != 0) })
}

//export pysock_getblocking
func pysock_getblocking(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getblocking", e, &r)
	blocking := false
	if st := withSock(h, e, func(s *facade.Socket) error {
		blocking = s.GetBlocking()
		return nil
	}); st != 0 {
		return st
	}
	if blocking {
		return 1
	}
	return 0
}

//export pysock_setdefaulttimeout
func pysock_setdefaulttimeout(timeout C.double, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setdefaulttimeout", e, &r)
	if err := facade.SetDefaultTimeout(timeoutValue(timeout)); err != nil {
		return fail(e, err)
	}
	succeed(e)
	return 0
}

//export pysock_getdefaulttimeout
func pysock_getdefaulttimeout() (t C.double) {
	// No record to fill: a panic is reported as NaN, which no timeout can be.
	defer func() {
		if recover() != nil {
			t = C.double(math.NaN())
		}
	}()
	return timeoutC(facade.GetDefaultTimeout())
}

//export pysock_setsockopt
func pysock_setsockopt(h C.int64_t, level, option, value C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setsockopt", e, &r)
	return withSock(h, e, func(s *facade.Socket) error {
		return s.SetSockOptInt(int(level), int(option), int(value))
	})
}

//export pysock_getsockopt
func pysock_getsockopt(h C.int64_t, level, option C.int, value *C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getsockopt", e, &r)
	if value == nil {
		return failRecord(e, nullArg("pysock_getsockopt", "value"))
	}
	return withSock(h, e, func(s *facade.Socket) error {
		v, err := s.GetSockOpt(int(level), int(option))
		*value = C.int(v)
		return err
	})
}

//export pysock_getsockname
func pysock_getsockname(h C.int64_t, addr *C.struct_pysock_addrbuf, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getsockname", e, &r)
	if addr == nil {
		return failRecord(e, nullArg("pysock_getsockname", "addr"))
	}
	return withSock(h, e, func(s *facade.Socket) error {
		a, err := s.GetSockName()
		if err == nil {
			putAddr(addr, a)
		}
		return err
	})
}

//export pysock_getpeername
func pysock_getpeername(h C.int64_t, addr *C.struct_pysock_addrbuf, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getpeername", e, &r)
	if addr == nil {
		return failRecord(e, nullArg("pysock_getpeername", "addr"))
	}
	return withSock(h, e, func(s *facade.Socket) error {
		a, err := s.GetPeerName()
		if err == nil {
			putAddr(addr, a)
		}
		return err
	})
}

//export pysock_fileno
func pysock_fileno(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_fileno", e, &r)
	fd := -1
	if st := withSock(h, e, func(s *facade.Socket) error {
		fd = s.Fileno()
		return nil
	}); st != 0 {
		return st
	}
	return C.int(fd)
}

//export pysock_sockinfo
func pysock_sockinfo(h C.int64_t, family, typ, proto *C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_sockinfo", e, &r)
	return withSock(h, e, func(s *facade.Socket) error {
		if family != nil {
			*family = C.int(s.Family())
		}
		if typ != nil {
			*typ = C.int(s.Type())
		}
		if proto != nil {
			*proto = C.int(s.Proto())
		}
		return nil
	})
}
