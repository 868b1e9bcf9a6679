//go:build linux

package main

/*
#include "export.h"
*/
import "C"

import (
	"math"
	"unicode/utf8"
	"unsafe"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/py"
)

// This file builds the Python values the facade takes from C arguments, and writes the
// facade's results into C structs and buffers.

// textValue is a C string as Python sees it: NULL is None, valid UTF-8 a str (so IDNA and
// the other str rules apply), anything else bytes (used raw).
func textValue(p *C.pysock_cchar) any {
	if p == nil {
		return nil
	}
	return textOrBytes(C.GoString((*C.char)(p)))
}

// textOrBytes is a str for valid UTF-8, else bytes.
func textOrBytes(s string) any {
	if utf8.ValidString(s) {
		return s
	}
	return []byte(s)
}

// goString is a C string that must be a str (a service or protocol name).
func goString(p *C.pysock_cchar) string { return C.GoString((*C.char)(p)) }

// addrHost returns the bytes of a->host: host_len bytes, or up to the NUL when it is 0.
func addrHost(a *C.pysock_caddr) ([]byte, bool) {
	if a.host == nil {
		return nil, false
	}
	if a.host_len == 0 {
		return []byte(C.GoString((*C.char)(a.host))), true
	}
	return C.GoBytes(unsafe.Pointer(a.host), C.int(a.host_len)), true
}

// addrValue is the Python address value *a stands for on a socket of the given family: an
// AF_UNIX path as bytes, else the tuple (host, port), or (host, port, flowinfo, scope_id)
// when either of the last two is not 0. NULL is None.
func addrValue(a *C.pysock_caddr, family facade.AddressFamily) any {
	if a == nil {
		return nil
	}
	host, ok := addrHost(a)
	if family == facade.AF_UNIX {
		if !ok {
			return nil
		}
		return host
	}
	var h any
	if ok {
		h = textOrBytes(string(host))
	}
	if a.flowinfo == 0 && a.scope_id == 0 {
		return py.Tuple{h, int(a.port)}
	}
	return py.Tuple{h, int(a.port), int(a.flowinfo), int(a.scope_id)}
}

// pairValue is the (host, port) pair of *a, whatever its other fields: the address of
// create_connection.
func pairValue(a *C.pysock_caddr) any {
	host, ok := addrHost(a)
	var h any
	if ok {
		h = textOrBytes(string(host))
	}
	return py.Tuple{h, int(a.port)}
}

// putAddr writes the address the facade returned into *dst (nil, Python's None, is family
// AF_UNSPEC).
func putAddr(dst *C.struct_pysock_addrbuf, a facade.Address) {
	*dst = C.struct_pysock_addrbuf{}
	var host []byte
	switch a := a.(type) {
	case nil:
		return
	case facade.InetAddress:
		host = []byte(a.Host)
		dst.port = C.int(a.Port)
	case facade.Inet6Address:
		host = []byte(a.Host)
		dst.port, dst.flowinfo, dst.scope_id = C.int(a.Port), C.uint32_t(a.FlowInfo), C.uint32_t(a.ScopeID)
	case facade.UnixAddress:
		host = a.Name
	case facade.RawAddress:
		host = a.Data
	}
	dst.family = C.int(a.Family())
	b := unsafe.Slice((*byte)(unsafe.Pointer(&dst.host[0])), len(dst.host))
	n := copy(b[:len(b)-1], host)
	b[n] = 0
	dst.host_len = C.size_t(n)
}

// putText writes s into buf[0..len) as snprintf(3) does and returns len(s).
func putText(buf *C.char, n C.size_t, s string) C.int {
	if n > 0 && buf != nil {
		b := unsafe.Slice((*byte)(unsafe.Pointer(buf)), n)
		k := copy(b[:n-1], s)
		b[k] = 0
	}
	return C.int(len(s))
}

// timeoutValue is a C timeout as the facade takes it: PYSOCK_TIMEOUT_NONE is None, every
// other value a float (so CPython's errors for negative and NaN timeouts apply).
func timeoutValue(t C.double) any {
	if t == C.PYSOCK_TIMEOUT_NONE {
		return nil
	}
	return float64(t)
}

// timeoutC is a facade timeout (nil or float64) as C receives it.
func timeoutC(v any) C.double {
	if f, ok := v.(float64); ok {
		return C.double(f)
	}
	return C.PYSOCK_TIMEOUT_NONE
}

// bytesOf is the Go view of the C buffer p[0..n), or an OverflowError for a size no
// Python object can have.
func bytesOf(p unsafe.Pointer, n C.size_t) ([]byte, error) {
	if uint64(n) > math.MaxInt64 {
		return nil, &facade.OverflowError{Msg: "Python int too large to convert to C ssize_t"}
	}
	if n == 0 {
		return []byte{}, nil
	}
	return unsafe.Slice((*byte)(p), int(n)), nil
}
