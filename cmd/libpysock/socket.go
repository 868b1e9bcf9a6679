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
// how the C arguments become the facade's. pysock.c's pysock_F calls pysock_go_F.
//
// Every export reads and checks its C arguments (pointers, buffer lengths, the address
// struct) before it looks the handle up, and a closed socket stays in the table for a
// while (handles.go), so the facade's own checks of the Python arguments run on it too:
// as in CPython, which converts a call's arguments before it touches the descriptor, a
// bad argument is reported before the closed socket's [Errno 9].

// withSock runs f on the socket of handle h (open, or closed and kept), or fails with
// [Errno 9] for an unknown handle.
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

//export pysock_go_socket
func pysock_go_socket(family, typ, proto C.int, sock *C.int64_t, e *C.struct_pysock_error) (r C.int) {
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

//export pysock_go_socket_fileno
func pysock_go_socket_fileno(family, typ, proto, fileno C.int, sock *C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_socket_fileno", e, &r)
	if sock == nil {
		return failRecord(e, nullArg("pysock_socket_fileno", "sock"))
	}
	s, err := facade.NewFromFileno(int(fileno), facade.AddressFamily(family), facade.SocketKind(typ), int(proto))
	if err != nil {
		return fail(e, err)
	}
	return newHandle(s, sock, e)
}

//export pysock_go_fromfd
func pysock_go_fromfd(fd, family, typ, proto C.int, sock *C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_fromfd", e, &r)
	if sock == nil {
		return failRecord(e, nullArg("pysock_fromfd", "sock"))
	}
	s, err := facade.FromFD(int(fd), facade.AddressFamily(family), facade.SocketKind(typ), int(proto))
	if err != nil {
		return fail(e, err)
	}
	return newHandle(s, sock, e)
}

//export pysock_go_socketpair
func pysock_go_socketpair(family, typ, proto C.int, socks *C.int64_t, e *C.struct_pysock_error) (r C.int) {
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

//export pysock_go_create_connection
func pysock_go_create_connection(address *C.pysock_caddr, timeout C.double, source *C.pysock_caddr,
	sock *C.int64_t, e *C.struct_pysock_error) (r C.int) {
	const fn = "pysock_create_connection"
	defer guard(fn, e, &r)
	switch {
	case address == nil:
		return failRecord(e, nullArg(fn, "address"))
	case sock == nil:
		return failRecord(e, nullArg(fn, "sock"))
	}
	t := timeoutValue(timeout)
	if timeout == C.PYSOCK_TIMEOUT_DEFAULT {
		t = facade.UseDefaultTimeout
	}
	addr, err := pairValue(fn, address)
	if err != nil {
		return fail(e, err)
	}
	src, err := addrValue(fn, source, facade.AF_INET)
	if err != nil {
		return fail(e, err)
	}
	s, err := facade.CreateConnection(addr, t, src, false)
	if err != nil {
		return fail(e, err)
	}
	return newHandle(s, sock, e)
}

//export pysock_go_create_server
func pysock_go_create_server(address *C.pysock_caddr, family, backlog, options C.int, sock *C.int64_t,
	e *C.struct_pysock_error) (r C.int) {
	const fn = "pysock_create_server"
	defer guard(fn, e, &r)
	if sock == nil {
		return failRecord(e, nullArg(fn, "sock"))
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
	addr, err := addrValue(fn, address, fam)
	if err != nil {
		return fail(e, err)
	}
	s, err := facade.CreateServer(addr, opts)
	if err != nil {
		return fail(e, err)
	}
	return newHandle(s, sock, e)
}

//export pysock_go_has_dualstack_ipv6
func pysock_go_has_dualstack_ipv6(e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_has_dualstack_ipv6", e, &r)
	succeed(e)
	if facade.HasDualStackIPv6() {
		return 1
	}
	return 0
}

//export pysock_go_accept
func pysock_go_accept(h C.int64_t, conn *C.int64_t, peer *C.struct_pysock_addrbuf, e *C.struct_pysock_error) (r C.int) {
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

//export pysock_go_dup
func pysock_go_dup(h C.int64_t, newsock *C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_dup", e, &r)
	if newsock == nil {
		return failRecord(e, nullArg("pysock_dup", "newsock"))
	}
	var d *facade.Socket
	if st := withSock(h, e, func(s *facade.Socket) (err error) {
		d, err = s.Dup()
		return err
	}); st != 0 {
		return st
	}
	return newHandle(d, newsock, e)
}

//export pysock_go_detach
func pysock_go_detach(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_detach", e, &r)
	s, ok, issued := handles.lookup(int64(h))
	switch {
	case ok:
		// Closed or detached already, the facade's Detach returns -1, as Python's does.
		fd := s.Detach()
		handles.retire(int64(h))
		succeed(e)
		return C.int(fd)
	case issued:
		// Closed and forgotten: what a closed socket's detach() answers, -1 and no error.
		succeed(e)
		return -1
	}
	return fail(e, errBadHandle())
}

//export pysock_go_bind
func pysock_go_bind(h C.int64_t, address *C.pysock_caddr, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_bind", e, &r)
	addr, err := readAddr("pysock_bind", address)
	if err != nil {
		return fail(e, err)
	}
	return withSock(h, e, func(s *facade.Socket) error { return s.Bind(addr.value(s.Family())) })
}

//export pysock_go_listen
func pysock_go_listen(h C.int64_t, backlog C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_listen", e, &r)
	return withSock(h, e, func(s *facade.Socket) error {
		if backlog == C.PYSOCK_BACKLOG_DEFAULT {
			return s.Listen()
		}
		return s.Listen(int(backlog))
	})
}

//export pysock_go_connect
func pysock_go_connect(h C.int64_t, address *C.pysock_caddr, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_connect", e, &r)
	addr, err := readAddr("pysock_connect", address)
	if err != nil {
		return fail(e, err)
	}
	return withSock(h, e, func(s *facade.Socket) error { return s.Connect(addr.value(s.Family())) })
}

//export pysock_go_connect_ex
func pysock_go_connect_ex(h C.int64_t, address *C.pysock_caddr, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_connect_ex", e, &r)
	addr, err := readAddr("pysock_connect_ex", address)
	if err != nil {
		return fail(e, err)
	}
	if _, err := handles.get(int64(h)); err != nil {
		// An unknown handle is a closed socket whose family is not known, so the address
		// cannot be parsed: the answer of CPython's connect_ex on a closed socket, EBADF
		// as its result. (A closed socket still kept parses the address first, below.)
		succeed(e)
		return C.int(syscall.EBADF)
	}
	var errno int
	if st := withSock(h, e, func(s *facade.Socket) (err error) {
		errno, err = s.ConnectEx(addr.value(s.Family()))
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

//export pysock_go_send
func pysock_go_send(h C.int64_t, data *C.pysock_cvoid, n C.size_t, flags C.int, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_send", e, &r)
	b, err := inBuffer("pysock_send", "data", unsafe.Pointer(data), n)
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) { return s.Send(b, facade.MsgFlag(flags)) })
}

//export pysock_go_sendall
func pysock_go_sendall(h C.int64_t, data *C.pysock_cvoid, n C.size_t, flags C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_sendall", e, &r)
	b, err := inBuffer("pysock_sendall", "data", unsafe.Pointer(data), n)
	if err != nil {
		return fail(e, err)
	}
	return withSock(h, e, func(s *facade.Socket) error { return s.SendAll(b, facade.MsgFlag(flags)) })
}

//export pysock_go_sendto
func pysock_go_sendto(h C.int64_t, data *C.pysock_cvoid, n C.size_t, flags C.int, address *C.pysock_caddr,
	e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_sendto"
	defer guard(fn, e, &r)
	b, err := inBuffer(fn, "data", unsafe.Pointer(data), n)
	if err != nil {
		return fail64(e, err)
	}
	addr, err := readAddr(fn, address)
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) {
		return s.SendTo(b, facade.MsgFlag(flags), addr.value(s.Family()))
	})
}

//export pysock_go_recv
func pysock_go_recv(h C.int64_t, buf unsafe.Pointer, n C.size_t, flags C.int, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_recv", e, &r)
	b, err := inBuffer("pysock_recv", "buf", buf, n)
	if err != nil {
		return fail64(e, err)
	}
	// recv(bufsize) into the caller's memory: recv_into with nbytes = bufsize has recv's
	// behaviour (bufsize 0 makes no system call), without recv's new object.
	return count(h, e, func(s *facade.Socket) (int, error) { return s.RecvInto(b, 0, facade.MsgFlag(flags)) })
}

//export pysock_go_recv_into
func pysock_go_recv_into(h C.int64_t, buf unsafe.Pointer, n, nbytes C.size_t, flags C.int, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_recv_into", e, &r)
	b, err := inBuffer("pysock_recv_into", "buf", buf, n)
	switch {
	case err != nil:
	case uint64(nbytes) > math.MaxInt64:
		err = errTooLarge()
	case uint64(nbytes) > uint64(len(b)):
		err = &facade.ValueError{Msg: "buffer too small for requested bytes"}
	}
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) { return s.RecvInto(b, int(nbytes), facade.MsgFlag(flags)) })
}

//export pysock_go_recvfrom
func pysock_go_recvfrom(h C.int64_t, buf unsafe.Pointer, n C.size_t, flags C.int, from *C.struct_pysock_addrbuf,
	e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_recvfrom", e, &r)
	b, err := inBuffer("pysock_recvfrom", "buf", buf, n)
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) {
		k, addr, err := s.RecvFromInto(b, 0, facade.MsgFlag(flags))
		if err == nil && from != nil {
			putAddr(from, addr)
		}
		return k, err
	})
}

//export pysock_go_recvfrom_into
func pysock_go_recvfrom_into(h C.int64_t, buf unsafe.Pointer, n, nbytes C.size_t, flags C.int,
	from *C.struct_pysock_addrbuf, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_recvfrom_into", e, &r)
	b, err := inBuffer("pysock_recvfrom_into", "buf", buf, n)
	switch {
	case err != nil:
	case uint64(nbytes) > math.MaxInt64:
		err = errTooLarge()
	case uint64(nbytes) > uint64(len(b)):
		// The facade's check too, in recvfrom_into's words: made here for an unknown handle.
		err = &facade.ValueError{Msg: "nbytes is greater than the length of the buffer"}
	}
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) {
		k, addr, err := s.RecvFromInto(b, int(nbytes), facade.MsgFlag(flags))
		if err == nil && from != nil {
			putAddr(from, addr)
		}
		return k, err
	})
}

//export pysock_go_shutdown
func pysock_go_shutdown(h C.int64_t, how C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_shutdown", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.Shutdown(int(how)) })
}

//export pysock_go_close
func pysock_go_close(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_close", e, &r)
	s, ok, issued := handles.lookup(int64(h))
	switch {
	case ok:
		// Closed already, the facade's Close does nothing and returns nil.
		err := s.Close()
		handles.retire(int64(h))
		if err != nil {
			return fail(e, err)
		}
	case !issued:
		return fail(e, errBadHandle())
	}
	succeed(e)
	return 0
}

//export pysock_go_settimeout
func pysock_go_settimeout(h C.int64_t, timeout C.double, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_settimeout", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.SetTimeout(timeoutValue(timeout)) })
}

//export pysock_go_gettimeout
func pysock_go_gettimeout(h C.int64_t, timeout *C.double, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_gettimeout", e, &r)
	if timeout == nil {
		return failRecord(e, nullArg("pysock_gettimeout", "timeout"))
	}
	return withSock(h, e, func(s *facade.Socket) error {
		*timeout = timeoutC(s.GetTimeout())
		return nil
	})
}

//export pysock_go_setblocking
func pysock_go_setblocking(h C.int64_t, flag C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setblocking", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.SetBlocking(flag != 0) })
}

// boolResult runs f, a call returning a Python bool, on the socket of handle h: 1, 0 or -1.
func boolResult(h C.int64_t, e *C.struct_pysock_error, f func(*facade.Socket) (bool, error)) C.int {
	var v bool
	if st := withSock(h, e, func(s *facade.Socket) (err error) {
		v, err = f(s)
		return err
	}); st != 0 {
		return st
	}
	if v {
		return 1
	}
	return 0
}

//export pysock_go_getblocking
func pysock_go_getblocking(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getblocking", e, &r)
	return boolResult(h, e, func(s *facade.Socket) (bool, error) { return s.GetBlocking(), nil })
}

//export pysock_go_get_inheritable
func pysock_go_get_inheritable(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_get_inheritable", e, &r)
	return boolResult(h, e, (*facade.Socket).GetInheritable)
}

//export pysock_go_set_inheritable
func pysock_go_set_inheritable(h C.int64_t, inheritable C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_set_inheritable", e, &r)
	return withSock(h, e, func(s *facade.Socket) error { return s.SetInheritable(inheritable != 0) })
}

//export pysock_go_setdefaulttimeout
func pysock_go_setdefaulttimeout(timeout C.double, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setdefaulttimeout", e, &r)
	if err := facade.SetDefaultTimeout(timeoutValue(timeout)); err != nil {
		return fail(e, err)
	}
	succeed(e)
	return 0
}

//export pysock_go_getdefaulttimeout
func pysock_go_getdefaulttimeout() (t C.double) {
	// No record to fill: a panic is reported as NaN, which no timeout can be.
	defer func() {
		if recover() != nil {
			t = C.double(math.NaN())
		}
	}()
	return timeoutC(facade.GetDefaultTimeout())
}

//export pysock_go_setsockopt
func pysock_go_setsockopt(h C.int64_t, level, option, value C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setsockopt", e, &r)
	return withSock(h, e, func(s *facade.Socket) error {
		return s.SetSockOptInt(int(level), int(option), int(value))
	})
}

//export pysock_go_setsockopt_bytes
func pysock_go_setsockopt_bytes(h C.int64_t, level, option C.int, value *C.pysock_cvoid, n C.size_t,
	e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setsockopt_bytes", e, &r)
	b, err := inBuffer("pysock_setsockopt_bytes", "value", unsafe.Pointer(value), n)
	if err != nil {
		return fail(e, err)
	}
	return withSock(h, e, func(s *facade.Socket) error { return s.SetSockOptBytes(int(level), int(option), b) })
}

//export pysock_go_setsockopt_none
func pysock_go_setsockopt_none(h C.int64_t, level, option C.int, optlen C.uint, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setsockopt_none", e, &r)
	return withSock(h, e, func(s *facade.Socket) error {
		return s.SetSockOptNull(int(level), int(option), uint32(optlen))
	})
}

//export pysock_go_getsockopt
func pysock_go_getsockopt(h C.int64_t, level, option C.int, value *C.int, e *C.struct_pysock_error) (r C.int) {
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

//export pysock_go_getsockopt_bytes
func pysock_go_getsockopt_bytes(h C.int64_t, level, option C.int, buf unsafe.Pointer, n C.size_t,
	e *C.struct_pysock_error) (r C.int) {
	const fn = "pysock_getsockopt_bytes"
	defer guard(fn, e, &r)
	if err := outBuffer(fn, "buf", buf, n); err != nil {
		return fail(e, err)
	}
	var length int
	if st := withSock(h, e, func(s *facade.Socket) error {
		// buflen beyond int's range is out of getsockopt's range (1-1024) all the same.
		buflen := int(min(uint64(n), math.MaxInt32))
		v, err := s.GetSockOptBytes(int(level), int(option), buflen)
		if err == nil {
			length = putBytes(buf, n, string(v), false)
		}
		return err
	}); st != 0 {
		return st
	}
	return C.int(length)
}

//export pysock_go_getsockname
func pysock_go_getsockname(h C.int64_t, addr *C.struct_pysock_addrbuf, e *C.struct_pysock_error) (r C.int) {
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

//export pysock_go_getpeername
func pysock_go_getpeername(h C.int64_t, addr *C.struct_pysock_addrbuf, e *C.struct_pysock_error) (r C.int) {
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

//export pysock_go_fileno
func pysock_go_fileno(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
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

//export pysock_go_sockinfo
func pysock_go_sockinfo(h C.int64_t, family, typ, proto *C.int, e *C.struct_pysock_error) (r C.int) {
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
