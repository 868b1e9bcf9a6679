//go:build linux

package main

/*
#include "export.h"
*/
import "C"

import (
	"unsafe"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/pyarg"
)

// The resolver functions of pysock.h. Results that are lists are laid out in one malloc(3)
// block each, so C frees them with one call and no Go memory is ever handed out.

//export pysock_go_getaddrinfo
func pysock_go_getaddrinfo(host, port *C.pysock_cchar, family, typ, proto, flags C.int,
	res **C.struct_pysock_addrinfo, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getaddrinfo", e, &r)
	if res == nil {
		return failRecord(e, nullArg("pysock_getaddrinfo", "res"))
	}
	*res = nil
	infos, err := facade.GetAddrInfo(textValue(host), textValue(port), facade.AddressFamily(family), facade.SocketKind(typ), int(proto), facade.AddressInfo(flags))
	if err != nil {
		return fail(e, err)
	}
	*res = addrInfoBlock(infos)
	succeed(e)
	return C.int(len(infos))
}

// addrInfoBlock copies infos into one malloc'd block: the array, then the canonical names.
func addrInfoBlock(infos []facade.AddrInfo) *C.struct_pysock_addrinfo {
	head := uintptr(len(infos)) * unsafe.Sizeof(C.struct_pysock_addrinfo{})
	size := head
	for _, ai := range infos {
		size += uintptr(len(ai.CanonName)) + 1
	}
	block := C.malloc(C.size_t(size))
	arr := unsafe.Slice((*C.struct_pysock_addrinfo)(block), len(infos))
	strs := unsafe.Slice((*byte)(block), size)[head:]
	for i, ai := range infos {
		n := copy(strs, ai.CanonName)
		strs[n] = 0
		arr[i] = C.struct_pysock_addrinfo{
			family:    C.int(ai.Family),
			_type:     C.int(ai.Type),
			proto:     C.int(ai.Proto),
			canonname: (*C.char)(unsafe.Pointer(&strs[0])),
		}
		putAddr(&arr[i].addr, ai.Addr)
		strs = strs[n+1:]
	}
	return (*C.struct_pysock_addrinfo)(block)
}

//export pysock_go_getnameinfo
func pysock_go_getnameinfo(sockaddr *C.pysock_caddr, flags C.int, out *C.struct_pysock_nameinfo,
	e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getnameinfo", e, &r)
	switch {
	case sockaddr == nil:
		return failRecord(e, nullArg("pysock_getnameinfo", "sockaddr"))
	case out == nil:
		return failRecord(e, nullArg("pysock_getnameinfo", "out"))
	}
	addr, err := addrValue("pysock_getnameinfo", sockaddr, facade.AF_INET)
	if err != nil {
		return fail(e, err)
	}
	host, serv, err := facade.GetNameInfo(addr, int(flags))
	if err != nil {
		return fail(e, err)
	}
	putText(&out.host[0], C.size_t(len(out.host)), host)
	putText(&out.serv[0], C.size_t(len(out.serv)), serv)
	succeed(e)
	return 0
}

// text runs f, a call returning a string, and writes the string into buf as snprintf does;
// fn is the export, for the error of a bad buffer (which f is not run for).
func text(fn string, buf *C.char, n C.size_t, e *C.struct_pysock_error, f func() (string, error)) C.int {
	if err := outBuffer(fn, "buf", unsafe.Pointer(buf), n); err != nil {
		return fail(e, err)
	}
	s, err := f()
	if err != nil {
		return fail(e, err)
	}
	succeed(e)
	return putText(buf, n, s)
}

//export pysock_go_gethostbyname
func pysock_go_gethostbyname(hostname *C.pysock_cchar, buf *C.char, n C.size_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_gethostbyname", e, &r)
	return text("pysock_gethostbyname", buf, n, e, func() (string, error) { return facade.GetHostByName(textValue(hostname)) })
}

// hostEntryBlock copies h into one malloc'd block: the struct, the two NULL-terminated
// pointer arrays, then the strings.
func hostEntryBlock(h facade.HostEntry) *C.struct_pysock_hostent {
	ptr := unsafe.Sizeof((*C.char)(nil))
	head := unsafe.Sizeof(C.struct_pysock_hostent{})
	arrays := uintptr(len(h.Aliases)+1+len(h.Addrs)+1) * ptr
	size := head + arrays + uintptr(len(h.Name)) + 1
	for _, s := range append(append([]string(nil), h.Aliases...), h.Addrs...) {
		size += uintptr(len(s)) + 1
	}
	block := C.malloc(C.size_t(size))
	all := unsafe.Slice((*byte)(block), size)
	strs := all[head+arrays:]
	put := func(s string) *C.char {
		n := copy(strs, s)
		strs[n] = 0
		p := (*C.char)(unsafe.Pointer(&strs[0]))
		strs = strs[n+1:]
		return p
	}
	list := func(at uintptr, items []string) **C.char {
		arr := unsafe.Slice((**C.char)(unsafe.Pointer(&all[at])), len(items)+1)
		for i, s := range items {
			arr[i] = put(s)
		}
		arr[len(items)] = nil
		return &arr[0]
	}
	out := (*C.struct_pysock_hostent)(block)
	out.name = put(h.Name)
	out.aliases = list(head, h.Aliases)
	out.naliases = C.size_t(len(h.Aliases))
	out.addrs = list(head+uintptr(len(h.Aliases)+1)*ptr, h.Addrs)
	out.naddrs = C.size_t(len(h.Addrs))
	return out
}

// hostEntry runs f and stores its result in *out as a new block.
func hostEntry(fn string, out **C.struct_pysock_hostent, e *C.struct_pysock_error, f func() (facade.HostEntry, error)) C.int {
	if out == nil {
		return failRecord(e, nullArg(fn, "out"))
	}
	*out = nil
	h, err := f()
	if err != nil {
		return fail(e, err)
	}
	*out = hostEntryBlock(h)
	succeed(e)
	return 0
}

//export pysock_go_gethostbyname_ex
func pysock_go_gethostbyname_ex(hostname *C.pysock_cchar, out **C.struct_pysock_hostent, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_gethostbyname_ex", e, &r)
	return hostEntry("pysock_gethostbyname_ex", out, e, func() (facade.HostEntry, error) {
		return facade.GetHostByNameEx(textValue(hostname))
	})
}

//export pysock_go_gethostbyaddr
func pysock_go_gethostbyaddr(ipAddress *C.pysock_cchar, out **C.struct_pysock_hostent, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_gethostbyaddr", e, &r)
	return hostEntry("pysock_gethostbyaddr", out, e, func() (facade.HostEntry, error) {
		return facade.GetHostByAddr(textValue(ipAddress))
	})
}

//export pysock_go_getfqdn
func pysock_go_getfqdn(name *C.pysock_cchar, buf *C.char, n C.size_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getfqdn", e, &r)
	return text("pysock_getfqdn", buf, n, e, func() (string, error) {
		v, err := facade.GetFQDN(textValue(name))
		switch v := v.(type) {
		case string:
			return v, err
		case []byte:
			return string(v), err
		}
		return "", err
	})
}

//export pysock_go_gethostname
func pysock_go_gethostname(buf *C.char, n C.size_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_gethostname", e, &r)
	return text("pysock_gethostname", buf, n, e, facade.GetHostName)
}

// noneStr is CPython's error for None given as argument argn of fn, a str parameter (the
// "s" format): "TypeError: getservbyname() argument 1 must be str, not None".
func noneStr(fn string, argn int) error {
	_, err := pyarg.AsStr(nil, fn, argn)
	return err
}

//export pysock_go_getservbyname
func pysock_go_getservbyname(name, proto *C.pysock_cchar, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getservbyname", e, &r)
	if name == nil {
		return fail(e, noneStr("getservbyname", 1))
	}
	var (
		port int
		err  error
	)
	if proto == nil {
		port, err = facade.GetServByName(goString(name))
	} else {
		port, err = facade.GetServByName(goString(name), goString(proto))
	}
	if err != nil {
		return fail(e, err)
	}
	succeed(e)
	return C.int(port)
}

//export pysock_go_getservbyport
func pysock_go_getservbyport(port C.int, proto *C.pysock_cchar, buf *C.char, n C.size_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getservbyport", e, &r)
	return text("pysock_getservbyport", buf, n, e, func() (string, error) {
		if proto == nil {
			return facade.GetServByPort(int(port))
		}
		return facade.GetServByPort(int(port), goString(proto))
	})
}

//export pysock_go_getprotobyname
func pysock_go_getprotobyname(name *C.pysock_cchar, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_getprotobyname", e, &r)
	if name == nil {
		return fail(e, noneStr("getprotobyname", 1))
	}
	p, err := facade.GetProtoByName(goString(name))
	if err != nil {
		return fail(e, err)
	}
	succeed(e)
	return C.int(p)
}
