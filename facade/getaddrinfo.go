//go:build linux

package facade

import (
	"context"
	"math"
	"math/big"
	"strconv"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// This file holds getaddrinfo: CPython's socket.getaddrinfo and its argument rules.

// HasIPv6 mirrors socket.has_ipv6: CPython's compile-time flag, true on Linux.
const HasIPv6 = true

// AddrInfo is one result of GetAddrInfo, CPython's 5-tuple
// (family, type, proto, canonname, sockaddr).
type AddrInfo struct {
	Family    AddressFamily // an AddressFamily member, or a plain int printed as such
	Type      SocketKind
	Proto     int
	CanonName string
	Addr      Address
}

// PyRepr prints the 5-tuple as CPython does.
func (a AddrInfo) PyRepr() string {
	return py.Repr(py.Tuple{familyValue(int(a.Family)), kindValue(int(a.Type)), a.Proto, a.CanonName, a.Addr})
}

// gaiHost converts getaddrinfo's host, appending it to dst: None is nil, a str is always
// IDNA-encoded, as CPython does, even when ASCII, and bytes are used raw (not copied). A
// NUL ends the C string CPython makes of it, silently: the callers cut the text there
// (cString), since the binding refuses a NUL rather than cut.
func gaiHost(dst []byte, v any) ([]byte, error) {
	switch h := v.(type) {
	case nil:
		return nil, nil
	case string:
		return appendIDNAHost(dst, h)
	case []byte:
		return h, nil
	case UnixAddress:
		return gaiHost(dst, h.Value()) // a str (or bytes) path, as the host's text
	case *UnixAddress:
		if h != nil {
			return gaiHost(dst, h.Value())
		}
	}
	return nil, &TypeError{Msg: "getaddrinfo() argument 1 must be string or None"}
}

// gaiPort converts getaddrinfo's port the way CPython 3.11 does, appending it to dst: an
// exact int (not bool, not an IntEnum) formatted as decimal text for glibc to parse (so
// 70000 is port 4464), a str encoded as UTF-8, bytes raw (not copied), None as NULL;
// anything else is "OSError: Int or String expected".
func gaiPort(dst []byte, v any) ([]byte, error) {
	switch p := v.(type) {
	case nil:
		return nil, nil
	case string:
		b, err := py.EncodeUTF8(p)
		if err != nil {
			return nil, unicodeError(err)
		}
		return b, nil
	case []byte:
		return p, nil
	case int:
		return strconv.AppendInt(dst, int64(p), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(p), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(p), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(p), 10), nil
	case int64:
		return strconv.AppendInt(dst, p, 10), nil
	case uint8:
		return strconv.AppendInt(dst, int64(p), 10), nil
	case uint16:
		return strconv.AppendInt(dst, int64(p), 10), nil
	case uint32:
		return strconv.AppendInt(dst, int64(p), 10), nil
	case uint:
		return appendCLong(dst, uint64(p))
	case uint64:
		return appendCLong(dst, p)
	case uintptr:
		return appendCLong(dst, uint64(p))
	case *big.Int:
		if !p.IsInt64() {
			return nil, &OverflowError{Msg: "Python int too large to convert to C long"}
		}
		return strconv.AppendInt(dst, p.Int64(), 10), nil
	case UnixAddress:
		return gaiPort(dst, p.Value()) // a str (or bytes) path, as the port's text
	case *UnixAddress:
		if p != nil {
			return gaiPort(dst, p.Value())
		}
	}
	// (A case per type, and no call taking v, keep v from escaping: a caller's int is
	// not boxed on the heap for this call.)
	return nil, osMessage("Int or String expected")
}

// appendCLong appends n as decimal text, or fails as CPython does for a port beyond a C
// long.
func appendCLong(dst []byte, n uint64) ([]byte, error) {
	if n > math.MaxInt64 {
		return nil, &OverflowError{Msg: "Python int too large to convert to C long"}
	}
	return strconv.AppendUint(dst, n, 10), nil
}

// GetAddrInfo mirrors socket.getaddrinfo(host, port, family, type, proto, flags).
//
// host is nil (None), a string (IDNA-encoded with CPython's 'idna' codec) or []byte (used
// raw); port is nil, an integer (passed to glibc as decimal text: 70000 becomes port 4464,
// as in CPython), a string or []byte. The results keep glibc's order (RFC 6724 as tuned by
// /etc/gai.conf). Errors are CPython's: *GaiError for resolver failures, *UnicodeError for
// IDNA failures, *TypeError / *OSError for bad argument types.
//
// The call waits for a free slot (see SetMaxLookups) and then holds this goroutine's OS
// thread inside libc until the lookup ends; GetAddrInfoContext can be abandoned.
func GetAddrInfo(host, port any, family AddressFamily, typ SocketKind, proto int, flags AddressInfo) ([]AddrInfo, error) {
	return GetAddrInfoContext(context.Background(), host, port, family, typ, proto, flags)
}

// GetAddrInfoContext is GetAddrInfo that ends when ctx does: same arguments, results and
// errors, plus ctx.Err() itself (context.Canceled or context.DeadlineExceeded, unwrapped)
// when ctx ends first, whether the lookup was waiting for a slot (see SetMaxLookups) or in
// libc. The other Context functions of the resolver return ctx.Err() the same way.
//
// With a ctx that can end, a host that needs a lookup goes to glibc's getaddrinfo_a(3): the
// goroutine waits without holding an OS thread, glibc runs at most 20 such lookups at
// once on its own threads, and cancelling removes a lookup that has not started (from the
// facade's queue, or from glibc's with gai_cancel), so it never reaches a name server; one
// already running goes on until libc returns (in its slot), and until then a later call
// asking the same question gets its answer rather than starting another lookup (see the
// package documentation). Numeric hosts, and a ctx whose Done is nil, take the synchronous
// path of GetAddrInfo, which is faster per call. The one observable difference of the
// asynchronous path: it does not update the h_errno that a later socket.herror reports
// (CPython's is the main thread's, which such a lookup does not run on).
func GetAddrInfoContext(ctx context.Context, host, port any, family AddressFamily, typ SocketKind, proto int, flags AddressInfo) ([]AddrInfo, error) {
	ints, err := checkCInts(int(family), int(typ), proto, int(flags))
	if err != nil {
		return nil, err
	}
	// Room on the stack for the host and port texts of the common case: the C strings are
	// made from them, and nothing keeps them.
	var hostBuf [64]byte
	var portBuf [24]byte
	h, err := gaiHost(hostBuf[:0], host)
	if err != nil {
		return nil, err
	}
	p, err := gaiPort(portBuf[:0], port)
	if err != nil {
		return nil, err
	}
	var resBuf [4]csock.AddrInfo // room for the usual answer: converted below, not kept
	res, err := getAddrInfoContext(ctx, resBuf[:0], cString(h), cString(p), ints[0], ints[1], ints[2], ints[3])
	if err != nil {
		return nil, err
	}
	out := make([]AddrInfo, len(res))
	for i := range res {
		r := &res[i]
		out[i] = AddrInfo{Family: AddressFamily(r.Family), Type: SocketKind(r.SockType), Proto: r.Protocol,
			CanonName: r.CanonName, Addr: makeAddress(&r.Addr)}
	}
	return out, nil
}

// checkCInts range-checks Go ints passed where CPython takes C ints.
func checkCInts(vs ...int) ([]int, error) {
	for _, v := range vs {
		if _, err := goInt(v); err != nil {
			return nil, err
		}
	}
	return vs, nil
}
