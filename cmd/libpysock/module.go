//go:build linux

package main

/*
#include "export.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/pycall"
)

// The module functions of pysock.h for address text, byte order and interfaces, and the
// facade's one setting. Where the Python call takes Python values whose conversion has
// CPython's own errors (an int that must fit a C type, a str that may be None), the
// export goes through pycall.Call, which parses them exactly as CPython does; the others
// call the typed facade function.

// call runs the module function name through pycall.Call.
func call(name string, args ...any) (any, error) { return pycall.Call(name, args, nil) }

// intResult reports the int result of a call, or its error.
func intResult(v any, err error, e *C.struct_pysock_error) C.int64_t {
	if err != nil {
		return fail64(e, err)
	}
	n, ok := v.(int)
	if !ok {
		if n64, ok64 := v.(int64); ok64 {
			n, ok = int(n64), true
		}
	}
	if !ok {
		return fail64(e, fmt.Errorf("unexpected result %T", v))
	}
	succeed(e)
	return C.int64_t(n)
}

// packed writes the bytes result of a call into packed[0..n) as pysock.h says (the full
// length returned, at most n bytes written), or reports its error.
func packed(fn string, buf unsafe.Pointer, n C.size_t, e *C.struct_pysock_error, f func() (any, error)) C.int {
	if err := outBuffer(fn, "packed", buf, n); err != nil {
		return fail(e, err)
	}
	v, err := f()
	if err != nil {
		return fail(e, err)
	}
	b, ok := v.([]byte)
	if !ok {
		return fail(e, fmt.Errorf("unexpected result %T", v))
	}
	succeed(e)
	return C.int(putBytes(buf, n, string(b), false))
}

// str is a text result of a call.
func str(v any, err error) (string, error) {
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("unexpected result %T", v)
	}
	return s, nil
}

//export pysock_go_inet_aton
func pysock_go_inet_aton(ip *C.pysock_cchar, buf unsafe.Pointer, n C.size_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_inet_aton", e, &r)
	return packed("pysock_inet_aton", buf, n, e, func() (any, error) { return call("inet_aton", textValue(ip)) })
}

//export pysock_go_inet_pton
func pysock_go_inet_pton(family C.int, ip *C.pysock_cchar, buf unsafe.Pointer, n C.size_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_inet_pton", e, &r)
	return packed("pysock_inet_pton", buf, n, e, func() (any, error) { return call("inet_pton", int(family), textValue(ip)) })
}

//export pysock_go_inet_ntoa
func pysock_go_inet_ntoa(p *C.pysock_cvoid, n C.size_t, buf *C.char, buflen C.size_t, e *C.struct_pysock_error) (r C.int) {
	const fn = "pysock_inet_ntoa"
	defer guard(fn, e, &r)
	return text(fn, buf, buflen, e, func() (string, error) {
		b, err := inBuffer(fn, "packed", unsafe.Pointer(p), n)
		if err != nil {
			return "", err
		}
		return str(call("inet_ntoa", b))
	})
}

//export pysock_go_inet_ntop
func pysock_go_inet_ntop(family C.int, p *C.pysock_cvoid, n C.size_t, buf *C.char, buflen C.size_t, e *C.struct_pysock_error) (r C.int) {
	const fn = "pysock_inet_ntop"
	defer guard(fn, e, &r)
	return text(fn, buf, buflen, e, func() (string, error) {
		b, err := inBuffer(fn, "packed", unsafe.Pointer(p), n)
		if err != nil {
			return "", err
		}
		return str(call("inet_ntop", int(family), b))
	})
}

//export pysock_go_htons
func pysock_go_htons(x C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_htons", e, &r)
	v, err := call("htons", int64(x))
	return C.int(intResult(v, err, e))
}

//export pysock_go_ntohs
func pysock_go_ntohs(x C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_ntohs", e, &r)
	v, err := call("ntohs", int64(x))
	return C.int(intResult(v, err, e))
}

//export pysock_go_htonl
func pysock_go_htonl(x C.int64_t, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_htonl", e, &r)
	v, err := call("htonl", int64(x))
	return intResult(v, err, e)
}

//export pysock_go_ntohl
func pysock_go_ntohl(x C.int64_t, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_ntohl", e, &r)
	v, err := call("ntohl", int64(x))
	return intResult(v, err, e)
}

//export pysock_go_if_nametoindex
func pysock_go_if_nametoindex(name *C.pysock_cchar, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_if_nametoindex", e, &r)
	v, err := call("if_nametoindex", textValue(name))
	return C.int(intResult(v, err, e))
}

//export pysock_go_if_indextoname
func pysock_go_if_indextoname(index C.int64_t, buf *C.char, n C.size_t, e *C.struct_pysock_error) (r C.int) {
	const fn = "pysock_if_indextoname"
	defer guard(fn, e, &r)
	return text(fn, buf, n, e, func() (string, error) { return str(call("if_indextoname", int64(index))) })
}

//export pysock_go_if_nameindex
func pysock_go_if_nameindex(out **C.struct_pysock_if_nameindex, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_if_nameindex", e, &r)
	if out == nil {
		return failRecord(e, nullArg("pysock_if_nameindex", "out"))
	}
	*out = nil
	ifs, err := facade.IfNameIndex()
	if err != nil {
		return fail(e, err)
	}
	*out = nameIndexBlock(ifs)
	succeed(e)
	return C.int(len(ifs))
}

// nameIndexBlock copies ifs into one malloc'd block: the array, then the names.
func nameIndexBlock(ifs []facade.Interface) *C.struct_pysock_if_nameindex {
	head := uintptr(len(ifs)) * unsafe.Sizeof(C.struct_pysock_if_nameindex{})
	size := head
	for _, i := range ifs {
		size += uintptr(len(i.Name)) + 1
	}
	block := C.malloc(C.size_t(max(size, 1)))
	arr := unsafe.Slice((*C.struct_pysock_if_nameindex)(block), len(ifs))
	strs := unsafe.Slice((*byte)(block), size)[head:]
	for k, i := range ifs {
		n := copy(strs, i.Name)
		strs[n] = 0
		arr[k] = C.struct_pysock_if_nameindex{
			index: C.uint(i.Index),
			name:  (*C.char)(unsafe.Pointer(&strs[0])),
		}
		strs = strs[n+1:]
	}
	return (*C.struct_pysock_if_nameindex)(block)
}

//export pysock_go_setmaxlookups
func pysock_go_setmaxlookups(n C.int, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_setmaxlookups", e, &r)
	succeed(e)
	return C.int(facade.SetMaxLookups(int(n)))
}

//export pysock_go_close_fd
func pysock_go_close_fd(fd C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_close_fd", e, &r)
	if err := facade.Close(int(fd)); err != nil {
		return fail(e, err)
	}
	succeed(e)
	return 0
}

//export pysock_go_dup_fd
func pysock_go_dup_fd(fd C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_dup_fd", e, &r)
	nfd, err := facade.Dup(int(fd))
	if err != nil {
		return fail(e, err)
	}
	succeed(e)
	return C.int(nfd)
}

//export pysock_go_sethostname
func pysock_go_sethostname(name *C.pysock_cvoid, n C.size_t, e *C.struct_pysock_error) (r C.int) {
	const fn = "pysock_sethostname"
	defer guard(fn, e, &r)
	b, err := inBuffer(fn, "name", unsafe.Pointer(name), n)
	if err == nil {
		err = facade.SetHostName(b)
	}
	if err != nil {
		return fail(e, err)
	}
	succeed(e)
	return 0
}

//export pysock_go_cmsg_len
func pysock_go_cmsg_len(length C.int64_t, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_cmsg_len", e, &r)
	n, err := facade.CMSGLen(int(length))
	if err != nil {
		return fail64(e, err)
	}
	succeed(e)
	return C.int64_t(n)
}

//export pysock_go_cmsg_space
func pysock_go_cmsg_space(length C.int64_t, e *C.struct_pysock_error) (r C.int64_t) {
	defer guard("pysock_cmsg_space", e, &r)
	n, err := facade.CMSGSpace(int(length))
	if err != nil {
		return fail64(e, err)
	}
	succeed(e)
	return C.int64_t(n)
}
