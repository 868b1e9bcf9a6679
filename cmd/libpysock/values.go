//go:build linux

package main

/*
#include "export.h"
*/
import "C"

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf8"
	"unsafe"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
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

// addrHost returns the bytes of a->host: host_len bytes, or up to the NUL when it is 0;
// ok is false for a NULL host (Python's None). A NULL host with a length, or a length no
// buffer can have, is the error of any bad buffer (inBuffer).
func addrHost(fn string, a *C.pysock_caddr) (host []byte, ok bool, err error) {
	if a.host == nil {
		if a.host_len != 0 {
			return nil, false, nullBuffer(fn, "address->host", a.host_len)
		}
		return nil, false, nil
	}
	if a.host_len == 0 {
		return []byte(C.GoString((*C.char)(a.host))), true, nil
	}
	b, err := inBuffer(fn, "address->host", unsafe.Pointer(a.host), a.host_len)
	if err != nil {
		return nil, false, err
	}
	return bytes.Clone(b), true, nil
}

// cAddr is a struct pysock_addr read into Go memory: what the C side said, before the
// socket's family makes a Python value of it. The zero cAddr (null) is NULL, Python's None.
type cAddr struct {
	given    bool   // the pointer was not NULL
	host     []byte // the host's bytes
	hasHost  bool   // host was not NULL
	port     int
	flowinfo int
	scopeID  int
}

// readAddr reads *a, checking what C alone can get wrong (a NULL host with a length, a
// length no buffer can have) before any socket is looked at: the checks a Python caller's
// argument conversion would make. fn is the export, for errors.
func readAddr(fn string, a *C.pysock_caddr) (cAddr, error) {
	if a == nil {
		return cAddr{}, nil
	}
	host, ok, err := addrHost(fn, a)
	if err != nil {
		return cAddr{}, err
	}
	return cAddr{given: true, host: host, hasHost: ok, port: int(a.port), flowinfo: int(a.flowinfo), scopeID: int(a.scope_id)}, nil
}

// value is the Python address value a stands for on a socket of the given family: an
// AF_UNIX path as bytes, else the tuple (host, port), or (host, port, flowinfo, scope_id)
// when either of the last two is not 0. NULL is None.
func (a cAddr) value(family facade.AddressFamily) any {
	if !a.given {
		return nil
	}
	if family == facade.AF_UNIX {
		if !a.hasHost {
			return nil
		}
		return a.host
	}
	var h any
	if a.hasHost {
		h = textOrBytes(string(a.host))
	}
	if a.flowinfo == 0 && a.scopeID == 0 {
		return py.Tuple{h, a.port}
	}
	return py.Tuple{h, a.port, a.flowinfo, a.scopeID}
}

// addrValue is the Python address value *a stands for on a socket of the given family
// (readAddr, then value). fn is the export, for errors.
func addrValue(fn string, a *C.pysock_caddr, family facade.AddressFamily) (any, error) {
	ca, err := readAddr(fn, a)
	if err != nil {
		return nil, err
	}
	return ca.value(family), nil
}

// pairValue is the (host, port) pair of *a, whatever its other fields: the address of
// create_connection.
func pairValue(fn string, a *C.pysock_caddr) (any, error) {
	host, ok, err := addrHost(fn, a)
	if err != nil {
		return nil, err
	}
	var h any
	if ok {
		h = textOrBytes(string(host))
	}
	return py.Tuple{h, int(a.port)}, nil
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

// putText writes s into buf[0..n) as snprintf(3) does and returns len(s). The buffer
// must have passed outBuffer: only the bytes written are ever touched.
func putText(buf *C.char, n C.size_t, s string) C.int {
	putBytes(unsafe.Pointer(buf), n, s, true)
	return C.int(len(s))
}

// putBytes writes s into buf[0..n) cut to fit, NUL-terminated when nul is set (as
// snprintf(3), then at most n - 1 bytes of s), and returns len(s).
func putBytes(buf unsafe.Pointer, n C.size_t, s string, nul bool) int {
	if n == 0 || buf == nil {
		return len(s)
	}
	room := uint64(n)
	if nul {
		room--
	}
	k := int(min(uint64(len(s)), room))
	copy(unsafe.Slice((*byte)(buf), k), s[:k])
	if nul {
		*(*byte)(unsafe.Add(buf, k)) = 0
	}
	return len(s)
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

// errTooLarge is CPython's error for a size argument beyond Py_ssize_t: what a length
// above PTRDIFF_MAX (SIZE_MAX, a negative number converted to size_t) means from C.
func errTooLarge() error {
	return &facade.OverflowError{Msg: "Python int too large to convert to C ssize_t"}
}

// nullBuffer is the error of a NULL buffer given a length.
func nullBuffer(fn, arg string, n C.size_t) error {
	return &facade.ValueError{Msg: fmt.Sprintf("%s: %s is NULL but its length is %d", fn, arg, uint64(n))}
}

// inBuffer is the Go view of the caller's buffer p[0..n), argument arg of the export fn:
// no copy. A length above PTRDIFF_MAX is an OverflowError, NULL with a length a
// ValueError, and so is a buffer that would run past the end of the address space (which
// Go's unsafe.Slice refuses with a panic); a length of 0 is an empty buffer whatever p is.
func inBuffer(fn, arg string, p unsafe.Pointer, n C.size_t) ([]byte, error) {
	switch {
	case uint64(n) > math.MaxInt64:
		return nil, errTooLarge()
	case n == 0:
		return []byte{}, nil
	case p == nil:
		return nil, nullBuffer(fn, arg, n)
	case uintptr(p)+uintptr(n) < uintptr(p):
		return nil, &facade.ValueError{Msg: fmt.Sprintf("%s: %s runs past the end of memory (length %d)", fn, arg, uint64(n))}
	}
	return unsafe.Slice((*byte)(p), int(n)), nil
}

// outBuffer checks the caller's result buffer buf[0..n) (strings and packed addresses
// written as snprintf does) before the call does anything: the rules of inBuffer.
func outBuffer(fn, arg string, buf unsafe.Pointer, n C.size_t) error {
	_, err := inBuffer(fn, arg, buf, n)
	return err
}
