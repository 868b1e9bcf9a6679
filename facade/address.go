//go:build linux

package facade

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/idna"
	"github.com/csock/csock/py"
)

// Address is a socket address as the socket module returns it: an InetAddress
// ((host, port)), an Inet6Address ((host, port, flowinfo, scope_id)), a UnixAddress (a str
// path, or bytes for Linux's abstract namespace) or a RawAddress ((family, sa_data)) for
// other families. A missing address (recvfrom on a connected stream) is nil, CPython's
// None. Methods that take an address accept these types and the Python values they stand
// for: a Tuple for csock.AF_INET and csock.AF_INET6, a string or []byte path for csock.AF_UNIX.
//
// The interface is sealed (an unexported method): only the facade's four types implement
// it, so a foreign type is a compile-time error, not a run-time TypeError. Each type names
// itself as the Python type it stands for (PyTypeName: "tuple", or "str"/"bytes" for a
// UnixAddress), so a message about a wrong address names the Python type, never a Go one.
type Address interface {
	// Family is the address family.
	Family() AddressFamily
	// PyRepr is the address as CPython's repr prints it.
	PyRepr() string
	// PyStr is the address as CPython's str prints it.
	PyStr() string
	// PyTypeName is the Python type the address is: "tuple", "str" or "bytes".
	PyTypeName() string

	sealedAddress()
}

// InetAddress is an csock.AF_INET address, CPython's (host, port) tuple; Host is libc's dotted
// quad on output and any host name or address on input.
type InetAddress struct {
	Host string
	Port int
}

// Family returns csock.AF_INET.
func (InetAddress) Family() AddressFamily { return AF_INET }

// PyRepr prints the tuple: ('127.0.0.1', 80).
func (a InetAddress) PyRepr() string { return py.Repr(py.Tuple{a.Host, a.Port}) }

// PyTypeName returns "tuple".
func (InetAddress) PyTypeName() string { return "tuple" }

func (InetAddress) sealedAddress() {}

// PyStr prints the tuple, as CPython's str of a tuple does.
func (a InetAddress) PyStr() string { return a.PyRepr() }

// Inet6Address is an csock.AF_INET6 address, CPython's (host, port, flowinfo, scope_id) tuple.
// On input, FlowInfo and ScopeID are taken from here even when Host carries a %scope, as
// CPython does.
type Inet6Address struct {
	Host     string
	Port     int
	FlowInfo uint32
	ScopeID  uint32
}

// Family returns csock.AF_INET6.
func (Inet6Address) Family() AddressFamily { return AF_INET6 }

// PyRepr prints the tuple: ('::1', 80, 0, 0).
func (a Inet6Address) PyRepr() string {
	return py.Repr(py.Tuple{a.Host, a.Port, int(a.FlowInfo), int(a.ScopeID)})
}

// PyStr prints the tuple.
func (a Inet6Address) PyStr() string { return a.PyRepr() }

// PyTypeName returns "tuple".
func (Inet6Address) PyTypeName() string { return "tuple" }

func (Inet6Address) sealedAddress() {}

// UnixAddress is an csock.AF_UNIX address. A filesystem path is a Python str (Name holds its
// bytes without the terminating NUL); an abstract name (Abstract, Name starting with NUL)
// is Python bytes of the exact length; an unnamed socket's address is the empty str.
type UnixAddress struct {
	Name     []byte
	Abstract bool
}

// Family returns csock.AF_UNIX.
func (UnixAddress) Family() AddressFamily { return AF_UNIX }

// Value returns the address as the Python value CPython returns: a str (Go string) for a
// path, bytes for an abstract name.
func (a UnixAddress) Value() any {
	if a.Abstract {
		return a.Name
	}
	return py.FSDecode(a.Name)
}

// PyRepr prints the str or bytes.
func (a UnixAddress) PyRepr() string { return py.Repr(a.Value()) }

// PyStr prints a path as is and an abstract name as its bytes repr.
func (a UnixAddress) PyStr() string { return py.Str(a.Value()) }

// PyTypeName returns "bytes" for an abstract name, "str" for a path.
func (a UnixAddress) PyTypeName() string { return py.TypeName(a.Value()) }

func (UnixAddress) sealedAddress() {}

// RawAddress is an address of a family the socket module does not decode: CPython's
// (family, sa_data) with the 14 bytes of sa_data.
type RawAddress struct {
	AF   int
	Data []byte
}

// Family returns the family.
func (a RawAddress) Family() AddressFamily { return AddressFamily(a.AF) }

// PyRepr prints the tuple (family, b'...').
func (a RawAddress) PyRepr() string { return py.Repr(py.Tuple{a.AF, a.Data}) }

// PyStr prints the tuple.
func (a RawAddress) PyStr() string { return a.PyRepr() }

// PyTypeName returns "tuple".
func (RawAddress) PyTypeName() string { return "tuple" }

func (RawAddress) sealedAddress() {}

// makeAddress is CPython's makesockaddr: the Python value of a kernel address.
func makeAddress(a *csock.Addr) Address {
	if a.Len == 0 {
		return nil
	}
	switch a.Family {
	case csock.AF_INET:
		return InetAddress{Host: a.Host, Port: a.Port}
	case csock.AF_INET6:
		return Inet6Address{Host: a.Host, Port: a.Port, FlowInfo: a.FlowInfo, ScopeID: a.ScopeID}
	case csock.AF_UNIX:
		if len(a.Path) > 0 && a.Path[0] == 0 {
			return UnixAddress{Name: a.Path, Abstract: true}
		}
		// A path is read as a C string, up to its first NUL.
		name := a.Path
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		return UnixAddress{Name: name}
	}
	data := make([]byte, 14)
	copy(data, a.Data)
	return RawAddress{AF: a.Family, Data: data}
}

// lastHErrno emulates the thread-local h_errno that CPython's herror reports. CPython
// reads h_errno after gethostbyname_r/gethostbyaddr_r fail, and glibc often leaves it as
// an earlier resolver call set it; a Python program's resolver calls all run on its main
// thread, so the facade keeps one process-wide value, updated by every resolver call it
// makes, to report what CPython would.
var lastHErrno atomic.Int64

// noteHErrno records the h_errno a resolver call left, if it set one.
func noteHErrno(st *csock.Status) {
	if st.HErrnoSet {
		lastHErrno.Store(int64(st.HErrno))
	}
}

// getAddrInfo is getaddrinfo for the calls that cannot be cancelled: through
// getAddrInfoContext (lookup.go), the one path to libc's getaddrinfo, which bounds the
// calls in libc, records h_errno and converts errors to CPython's exceptions.
func getAddrInfo(host, port []byte, family, socktype, proto, flags int) ([]csock.AddrInfo, error) {
	return getAddrInfoContext(context.Background(), nil, host, port, family, socktype, proto, flags)
}

// resolved is a host name resolved by setIPAddr: a family and the raw address, with the
// scope id getaddrinfo gave a scoped IPv6 literal.
type resolved struct {
	family  int
	ip      [16]byte
	scopeID uint32
}

// setIPAddr is CPython's setipaddr: the address of name for family af (csock.AF_INET, csock.AF_INET6
// or csock.AF_UNSPEC), with the same special cases and the same errors.
func setIPAddr(name []byte, af int) (resolved, error) {
	return setIPAddrContext(context.Background(), name, af)
}

// setIPAddrContext is setIPAddr whose lookup ends when ctx does.
func setIPAddrContext(ctx context.Context, name []byte, af int) (resolved, error) {
	var resBuf [4]csock.AddrInfo // room for the usual answer: only its first address is kept
	if len(name) == 0 {
		res, err := getAddrInfoContext(ctx, resBuf[:0], nil, []byte("0"), af, csock.SOCK_DGRAM, 0, csock.AI_PASSIVE)
		if err != nil {
			return resolved{}, err
		}
		if f := res[0].Family; f != csock.AF_INET && f != csock.AF_INET6 {
			return resolved{}, osMessage("unsupported address family")
		}
		if len(res) > 1 {
			return resolved{}, osMessage("wildcard resolved to multiple address")
		}
		return resolved{family: res[0].Family, ip: res[0].Addr.IP, scopeID: res[0].Addr.ScopeID}, nil
	}
	if string(name) == "255.255.255.255" || string(name) == "<broadcast>" {
		if af != csock.AF_INET && af != csock.AF_UNSPEC {
			return resolved{}, osMessage("address family mismatched")
		}
		return resolved{family: csock.AF_INET, ip: [16]byte{255, 255, 255, 255}}, nil
	}
	// Numeric addresses skip the resolver (inet_pton is strict; shorthand such as 127.1
	// still succeeds below, through getaddrinfo).
	// (inetPton4 and inetPton6 are glibc's inet_pton, without a cgo crossing.)
	if af == csock.AF_UNSPEC || af == csock.AF_INET {
		if ip, ok := inetPton4(name); ok {
			r := resolved{family: csock.AF_INET}
			copy(r.ip[:], ip[:])
			return r, nil
		}
	}
	if (af == csock.AF_UNSPEC || af == csock.AF_INET6) && bytes.IndexByte(name, '%') < 0 {
		if ip, ok := inetPton6(name); ok {
			return resolved{family: csock.AF_INET6, ip: ip}, nil
		}
	}
	res, err := getAddrInfoContext(ctx, resBuf[:0], name, nil, af, 0, 0, 0)
	if err != nil {
		return resolved{}, err
	}
	switch f := res[0].Addr.Family; f {
	case csock.AF_INET, csock.AF_INET6:
		return resolved{family: f, ip: res[0].Addr.IP, scopeID: res[0].Addr.ScopeID}, nil
	}
	return resolved{}, osMessage("unknown address family")
}

// tupleHost is CPython's idna_converter, the host converter of address tuples: bytes used
// raw, an ASCII str used as is (no IDNA processing), any other str IDNA-encoded, and the
// errors CPython raises.
func tupleHost(v any) ([]byte, error) {
	var b []byte
	switch h := v.(type) {
	case []byte:
		b = h
	case string:
		if isASCII(h) {
			b = []byte(h)
		} else {
			enc, err := idna.Encode(py.Runes(h))
			if err != nil {
				return nil, &TypeError{Msg: "encoding of hostname failed"}
			}
			b = enc
		}
	default:
		return nil, &TypeError{Msg: fmt.Sprintf("str, bytes or bytearray expected, not %s", typeName(v))}
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return nil, &TypeError{Msg: "host name must not contain null character"}
	}
	return b, nil
}

// isASCII reports whether every byte of s is below 0x80.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// appendIDNAHost appends a str host encoded with CPython's 'idna' codec to dst, failing
// with the UnicodeError CPython raises: an ASCII host that fits in dst's capacity costs no
// allocation.
func appendIDNAHost(dst []byte, s string) ([]byte, error) {
	b, ascii, err := idna.AppendASCII(dst, s) // checked in place, in one pass
	if !ascii {
		var enc []byte
		if enc, err = idna.Encode(py.Runes(s)); err == nil { // py.Runes keeps lone surrogates
			b = append(dst, enc...)
		}
	}
	if err != nil {
		var ie *idna.Error
		if errors.As(err, &ie) {
			return nil, &UnicodeError{Class: "UnicodeError",
				Msg: "encoding with 'idna' codec failed (UnicodeError: " + ie.Reason + ")"}
		}
		return nil, err
	}
	if b == nil {
		b = []byte{} // "" is the empty C string, not NULL
	}
	return b, nil
}

// inetTuple returns the items of an csock.AF_INET or csock.AF_INET6 address argument: a Tuple, or the
// typed addresses standing for one.
func inetTuple(v any) (py.Tuple, bool) {
	switch a := v.(type) {
	case py.Tuple:
		return a, true
	case InetAddress:
		return py.Tuple{a.Host, a.Port}, true
	case *InetAddress:
		return py.Tuple{a.Host, a.Port}, true
	case Inet6Address:
		return py.Tuple{a.Host, a.Port, int(a.FlowInfo), int(a.ScopeID)}, true
	case *Inet6Address:
		return py.Tuple{a.Host, a.Port, int(a.FlowInfo), int(a.ScopeID)}, true
	}
	if pv, ok := pyValue(v); ok {
		if t, ok := pv.(py.Tuple); ok {
			return t, true
		}
	}
	return nil, false
}

// portRange is the OverflowError of a port outside 0..65535 for caller.
func portRange(caller string) error {
	return &OverflowError{Msg: caller + "(): port must be 0-65535."}
}

// parseAddress is CPython's getsockaddrarg: the kernel address a socket of the given
// family is to bind, connect or send to, parsed from v with CPython's rules and errors.
// caller ("bind", "connect", "connect_ex", "sendto") appears in the messages.
func parseAddress(family int, v any, caller string) (csock.Addr, error) {
	switch family {
	case csock.AF_INET:
		t, ok := inetTuple(v)
		if !ok {
			return csock.Addr{}, &TypeError{Msg: fmt.Sprintf("%s(): AF_INET address must be tuple, not %s", caller, typeName(v))}
		}
		if len(t) != 2 {
			return csock.Addr{}, &TypeError{Msg: "AF_INET address must be a pair (host, port)"}
		}
		host, err := tupleHost(t[0])
		if err != nil {
			return csock.Addr{}, err
		}
		port, err := tuplePort(t[1], caller)
		if err != nil {
			return csock.Addr{}, err
		}
		r, err := setIPAddr(host, csock.AF_INET)
		if err != nil {
			return csock.Addr{}, err
		}
		if port < 0 || port > 0xffff {
			return csock.Addr{}, portRange(caller)
		}
		return csock.Addr{Family: csock.AF_INET, IP: r.ip, Port: port}, nil

	case csock.AF_INET6:
		t, ok := inetTuple(v)
		if !ok {
			return csock.Addr{}, &TypeError{Msg: fmt.Sprintf("%s(): AF_INET6 address must be tuple, not %s", caller, typeName(v))}
		}
		if len(t) < 2 || len(t) > 4 {
			return csock.Addr{}, &TypeError{Msg: "AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])"}
		}
		host, err := tupleHost(t[0])
		if err != nil {
			return csock.Addr{}, err
		}
		port, err := tuplePort(t[1], caller)
		if err != nil {
			return csock.Addr{}, err
		}
		var flow, scope uint32
		if len(t) > 2 {
			if flow, err = asUintMask(t[2]); err != nil {
				return csock.Addr{}, err
			}
		}
		if len(t) > 3 {
			if scope, err = asUintMask(t[3]); err != nil {
				return csock.Addr{}, err
			}
		}
		r, err := setIPAddr(host, csock.AF_INET6)
		if err != nil {
			return csock.Addr{}, err
		}
		if port < 0 || port > 0xffff {
			return csock.Addr{}, portRange(caller)
		}
		if flow > 0xfffff {
			return csock.Addr{}, &OverflowError{Msg: caller + "(): flowinfo must be 0-1048575."}
		}
		return csock.Addr{Family: csock.AF_INET6, IP: r.ip, Port: port, FlowInfo: flow, ScopeID: scope}, nil

	case csock.AF_UNIX:
		path, err := unixPath(v)
		if err != nil {
			return csock.Addr{}, err
		}
		const sunPath = 108 // sizeof(sun_path) on Linux
		if len(path) == 0 || path[0] == 0 {
			// Linux's abstract namespace (and autobind for the empty name): exactly the
			// bytes given, no terminating NUL.
			if len(path) > sunPath {
				return csock.Addr{}, osMessage("AF_UNIX path too long")
			}
			return csock.Addr{Family: csock.AF_UNIX, Path: path}, nil
		}
		if len(path) >= sunPath {
			return csock.Addr{}, osMessage("AF_UNIX path too long")
		}
		return csock.Addr{Family: csock.AF_UNIX, Path: append(append([]byte(nil), path...), 0)}, nil
	}
	return csock.Addr{}, osMessage(caller + "(): bad family")
}

// tuplePort converts the port item of an address tuple: an int ("i" format), any C int
// overflow replaced by "<caller>(): port must be 0-65535.".
func tuplePort(v any, caller string) (int, error) {
	p, err := asCInt(v)
	if err != nil {
		var oe *OverflowError
		if errors.As(err, &oe) {
			return 0, portRange(caller)
		}
		return 0, err
	}
	return p, nil
}

// unixPath converts an csock.AF_UNIX address: a str is encoded with the filesystem encoding
// (UTF-8 with surrogateescape), bytes are taken as they are.
func unixPath(v any) ([]byte, error) {
	switch p := v.(type) {
	case string:
		b, err := py.FSEncode(p)
		if err != nil {
			return nil, unicodeError(err)
		}
		return b, nil
	case []byte:
		return p, nil
	case UnixAddress:
		return p.Name, nil
	case *UnixAddress:
		if p != nil {
			return p.Name, nil
		}
	}
	return nil, &TypeError{Msg: fmt.Sprintf("a bytes-like object is required, not '%s'", typeName(v))}
}

// itoa is strconv.Itoa, for the decimal text CPython formats with "%d".
func itoa(n int) string { return strconv.Itoa(n) }
