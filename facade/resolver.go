//go:build linux

package facade

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

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
// NUL ends the C string, silently.
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
	res, err := getAddrInfoContext(ctx, resBuf[:0], h, p, ints[0], ints[1], ints[2], ints[3])
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

// GetNameInfo mirrors socket.getnameinfo(sockaddr, flags): sockaddr is an address tuple
// (a Tuple (host, port[, flowinfo[, scope_id]]), an InetAddress or an Inet6Address) whose
// host must be numeric. It returns the host and the service (or port) texts.
func GetNameInfo(sockaddr any, flags int) (host, port string, err error) {
	return GetNameInfoContext(context.Background(), sockaddr, flags)
}

// GetNameInfoContext is GetNameInfo that returns when ctx ends, with ctx's error (see
// GetAddrInfoContext). libc has no asynchronous getnameinfo: the call runs on a goroutine
// of its own, in a slot (see SetMaxLookups); abandoned, it keeps its OS thread and its
// slot until libc returns.
func GetNameInfoContext(ctx context.Context, sockaddr any, flags int) (host, port string, err error) {
	if _, err := goInt(flags); err != nil {
		return "", "", err
	}
	var hostBuf [64]byte // the host's bytes, when they fit: nothing keeps them
	a, err := parseNameInfo(hostBuf[:0], sockaddr)
	if err != nil {
		return "", "", err
	}
	// CPython's getnameinfo parses the address with getaddrinfo(AI_NUMERICHOST,
	// SOCK_DGRAM) of the host and the port's decimal text. For a host in inet_pton's
	// strict syntax and a port that fits, that is one address, the host's bytes and the
	// port: parsed here, without the crossing (TestGetNameInfo_ParsedAsGetAddrInfoParses).
	addr, ok := numericSockaddr(a.host, a.port)
	if !ok {
		var portBuf [24]byte
		res, err := getAddrInfoContext(ctx, nil, a.host, strconv.AppendInt(portBuf[:0], int64(a.port), 10),
			csock.AF_UNSPEC, csock.SOCK_DGRAM, 0, csock.AI_NUMERICHOST)
		if err != nil {
			return "", "", err
		}
		if len(res) > 1 {
			return "", "", osMessage("sockaddr resolved to multiple addresses")
		}
		addr = res[0].Addr
	}
	switch addr.Family {
	case csock.AF_INET:
		if a.items != 2 {
			return "", "", osMessage("IPv4 sockaddr must be 2 tuple")
		}
	case csock.AF_INET6:
		addr.FlowInfo, addr.ScopeID = a.flow, a.scope
	}
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	if ctx.Done() == nil {
		_ = lookups.acquire(ctx) // cannot fail: ctx never ends
		defer lookups.release()
		return getNameInfo(&addr, flags)
	}
	return getNameInfoFlight(ctx, addr, flags)
}

// getNameInfoFlight is getNameInfo for a context that can end: in a flight (see
// blocking), on a goroutine of its own.
func getNameInfoFlight(ctx context.Context, addr csock.Addr, flags int) (host, port string, err error) {
	key := lookupKey(nil, 'n', addr.IP[:], nil, addr.Family, addr.Port, int(addr.FlowInfo), int(addr.ScopeID), flags)
	hp, err := blocking(ctx, nameInfoFlights, key, func() ([2]string, error) {
		host, port, err := getNameInfo(&addr, flags)
		return [2]string{host, port}, err
	})
	if err != nil {
		return "", "", err
	}
	return hp[0], hp[1], nil
}

// getNameInfo calls csock.GetNameInfo on this goroutine and records h_errno.
func getNameInfo(addr *csock.Addr, flags int) (host, port string, err error) {
	var st csock.Status
	host, port, err = csock.GetNameInfo(addr, flags, &st)
	noteHErrno(&st)
	return host, port, fromBinding(err)
}

// nameInfo are getnameinfo's sockaddr items, converted: the host's UTF-8 bytes, the
// port, the flow info and scope id, and how many items there were.
type nameInfo struct {
	host        []byte
	port        int
	flow, scope uint32
	items       int
}

// parseNameInfo converts getnameinfo's sockaddr with CPython's rules and messages: a tuple
// (host, port[, flowinfo[, scope_id]]), or one of the typed addresses that stand for one,
// read without building the tuple. An ASCII host is appended to dst.
func parseNameInfo(dst []byte, sockaddr any) (nameInfo, error) {
	var t py.Tuple
	switch s := sockaddr.(type) {
	case InetAddress:
		return typedNameInfo(dst, s.Host, s.Port, 0, 0, 2)
	case *InetAddress:
		return typedNameInfo(dst, s.Host, s.Port, 0, 0, 2)
	case Inet6Address:
		return typedNameInfo(dst, s.Host, s.Port, s.FlowInfo, s.ScopeID, 4)
	case *Inet6Address:
		return typedNameInfo(dst, s.Host, s.Port, s.FlowInfo, s.ScopeID, 4)
	case py.Tuple:
		t = s
	case RawAddress:
		t = py.Tuple{s.AF, s.Data} // (family, sa_data): an illegal sockaddr, as in CPython
	default:
		return nameInfo{}, &TypeError{Msg: "getnameinfo() argument 1 must be a tuple"}
	}
	if len(t) < 2 || len(t) > 4 {
		return nameInfo{}, illegalSockaddr()
	}
	hs, ok := t[0].(string)
	if !ok {
		return nameInfo{}, illegalSockaddr()
	}
	a := nameInfo{items: len(t)}
	var err error
	if a.host, err = nameInfoHost(dst, hs); err != nil {
		return nameInfo{}, err
	}
	if a.port, err = asCInt(t[1]); err != nil {
		return nameInfo{}, err
	}
	if len(t) > 2 {
		if a.flow, err = asUintMask(t[2]); err != nil {
			return nameInfo{}, err
		}
	}
	if len(t) > 3 {
		if a.scope, err = asUintMask(t[3]); err != nil {
			return nameInfo{}, err
		}
	}
	return a, checkFlow(a.flow)
}

// typedNameInfo converts a typed address, checked as the tuple's items are.
func typedNameInfo(dst []byte, host string, port int, flow, scope uint32, items int) (nameInfo, error) {
	a := nameInfo{flow: flow, scope: scope, items: items}
	var err error
	if a.host, err = nameInfoHost(dst, host); err != nil {
		return nameInfo{}, err
	}
	if a.port, err = checkCInt(int64(port)); err != nil {
		return nameInfo{}, err
	}
	return a, checkFlow(flow)
}

// nameInfoHost returns the host's UTF-8 bytes (an ASCII one appended to dst), refusing a
// NUL as CPython's "s" format does.
func nameInfoHost(dst []byte, hs string) ([]byte, error) {
	var hb []byte
	if isASCII(hs) {
		hb = append(dst, hs...)
	} else {
		var err error
		if hb, err = py.EncodeUTF8(hs); err != nil {
			return nil, unicodeError(err)
		}
	}
	if bytes.IndexByte(hb, 0) >= 0 {
		return nil, &ValueError{Msg: "embedded null character"}
	}
	return hb, nil
}

func checkFlow(flow uint32) error {
	if flow > 0xfffff {
		return &OverflowError{Msg: "getnameinfo(): flowinfo must be 0-1048575."}
	}
	return nil
}

func illegalSockaddr() error {
	return &TypeError{Msg: "getnameinfo(): illegal sockaddr argument"}
}

// numericSockaddr is the address getaddrinfo(host, port's text, AF_UNSPEC, SOCK_DGRAM,
// AI_NUMERICHOST) gives for a host in inet_pton's strict syntax and a port of 0-65535:
// glibc parses such an IPv4 text with inet_aton, which reads a strict dotted quad as
// inet_pton does, and an IPv6 text (no scope id) with inet_pton, and makes one address
// of it and the port. Other hosts and ports take the call.
func numericSockaddr(host []byte, port int) (csock.Addr, bool) {
	if port < 0 || port > 0xffff {
		return csock.Addr{}, false
	}
	if ip, ok := inetPton4(host); ok {
		a := csock.Addr{Family: csock.AF_INET, Port: port}
		copy(a.IP[:], ip[:])
		return a, true
	}
	if ip, ok := inetPton6(host); ok {
		return csock.Addr{Family: csock.AF_INET6, IP: ip, Port: port}, true
	}
	return csock.Addr{}, false
}

// hostArg converts the argument of gethostbyname, gethostbyname_ex and gethostbyaddr
// (CPython's "et" format with the idna codec): a str IDNA-encoded, bytes raw, and a NUL
// anywhere refused.
func hostArg(dst []byte, v any, fn string) ([]byte, error) {
	var b []byte
	switch h := v.(type) {
	case string:
		enc, err := appendIDNAHost(dst, h)
		if err != nil {
			return nil, err
		}
		b = enc
	case []byte:
		b = h
	case UnixAddress:
		return hostArg(dst, h.Value(), fn) // a str (or bytes) path, as the name
	default:
		return nil, &TypeError{Msg: fmt.Sprintf("%s() argument 1 must be str, bytes or bytearray, not %s", fn, noneName(v))}
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return nil, &TypeError{Msg: fmt.Sprintf("%s() argument 1 must be encoded string without null bytes, not %s", fn, typeName(v))}
	}
	return b, nil
}

// GetHostByName mirrors socket.gethostbyname(hostname): the IPv4 address of a name, as a
// dotted quad. Like CPython it goes through getaddrinfo (AF_INET), not gethostbyname(3):
// ” is '0.0.0.0', '<broadcast>' '255.255.255.255', and '127.1' works.
func GetHostByName(hostname any) (string, error) {
	return GetHostByNameContext(context.Background(), hostname)
}

// GetHostByNameContext is GetHostByName that ends when ctx does, as GetAddrInfoContext.
func GetHostByNameContext(ctx context.Context, hostname any) (string, error) {
	var nameBuf [64]byte // the name only becomes a C string: room for it on the stack
	name, err := hostArg(nameBuf[:0], hostname, "gethostbyname")
	if err != nil {
		return "", err
	}
	r, err := setIPAddrContext(ctx, name, csock.AF_INET)
	if err != nil {
		return "", err
	}
	return ipText(r)
}

// ipText formats a resolved address with libc's inet_ntop.
func ipText(r resolved) (string, error) {
	n := 4
	if r.family == csock.AF_INET6 {
		n = 16
	}
	s, err := csock.InetNtop(r.family, r.ip[:n])
	return s, fromBinding(err)
}

// HostEntry is the result of GetHostByNameEx and GetHostByAddr: CPython's
// (hostname, aliaslist, ipaddrlist).
type HostEntry struct {
	Name    string
	Aliases []string
	Addrs   []string
}

// clone copies h's lists, for one of the callers sharing an answer.
func (h HostEntry) clone() HostEntry {
	h.Aliases = slices.Clone(h.Aliases)
	h.Addrs = slices.Clone(h.Addrs)
	return h
}

// PyRepr prints the 3-tuple as CPython does.
func (h HostEntry) PyRepr() string {
	return py.Repr(py.Tuple{h.Name, strList(h.Aliases), strList(h.Addrs)})
}

func strList(ss []string) py.List {
	l := make(py.List, len(ss))
	for i, s := range ss {
		l[i] = s
	}
	return l
}

// hostError is CPython's set_herror: socket.herror with the thread's h_errno, which the
// facade emulates (see lastHErrno).
func hostError() error {
	code := int(lastHErrno.Load())
	return &HError{Code: code, Strerror: csock.HStrerror(code)}
}

// hostEntry is CPython's gethost_common for a gethostby*_r outcome.
func hostEntry(h *csock.HostEnt, err error, st *csock.Status, family int) (HostEntry, error) {
	noteHErrno(st)
	if err != nil {
		if _, ok := err.(*csock.HError); ok {
			return HostEntry{}, hostError()
		}
		return HostEntry{}, fromBinding(err)
	}
	if h.AddrType != family {
		return HostEntry{}, newOSError(syscall.EAFNOSUPPORT)
	}
	name := h.Name // os.fsdecode of valid UTF-8 is the text itself
	if !utf8.ValidString(name) {
		name = py.FSDecode([]byte(name))
	}
	return HostEntry{Name: name, Aliases: h.Aliases, Addrs: h.Addrs}, nil
}

// GetHostByNameEx mirrors socket.gethostbyname_ex(hostname): the name is first resolved as
// gethostbyname does (so unknown names fail with socket.gaierror), then looked up with the
// reentrant gethostbyname_r(3) for its canonical name, aliases and IPv4 addresses.
func GetHostByNameEx(hostname any) (HostEntry, error) {
	return GetHostByNameExContext(context.Background(), hostname)
}

// GetHostByNameExContext is GetHostByNameEx that returns when ctx ends, with ctx's error:
// its getaddrinfo as GetAddrInfoContext's, its gethostbyname_r(3), which libc has no
// asynchronous form of, as GetNameInfoContext's getnameinfo.
func GetHostByNameExContext(ctx context.Context, hostname any) (HostEntry, error) {
	var nameBuf [64]byte // the name only becomes a C string: room for it on the stack
	name, err := hostArg(nameBuf[:0], hostname, "gethostbyname_ex")
	if err != nil {
		return HostEntry{}, err
	}
	r, err := setIPAddrContext(ctx, name, csock.AF_INET)
	if err != nil {
		return HostEntry{}, err
	}
	if err := ctx.Err(); err != nil {
		return HostEntry{}, err
	}
	if ctx.Done() == nil {
		_ = lookups.acquire(ctx) // cannot fail: ctx never ends
		defer lookups.release()
		return getHostByName(name, r.family)
	}
	return getHostByNameFlight(ctx, clone(name), r.family)
}

// getHostByName calls csock.GetHostByName on this goroutine and makes CPython's result
// of it (see hostEntry).
func getHostByName(name []byte, family int) (HostEntry, error) {
	var st csock.Status
	h, err := csock.GetHostByName(name, 0, &st)
	return hostEntry(h, err, &st, family)
}

// getHostByNameFlight is getHostByName for a context that can end: in a flight (see
// blocking), on a goroutine of its own; name is the flight's own copy.
func getHostByNameFlight(ctx context.Context, name []byte, family int) (HostEntry, error) {
	key := lookupKey(nil, 'h', name, nil, family)
	return blocking(ctx, hostFlights, key, func() (HostEntry, error) {
		return getHostByName(name, family)
	})
}

// GetHostByAddr mirrors socket.gethostbyaddr(ip_address): the address (or a name, which
// is resolved first) looked up with the reentrant gethostbyaddr_r(3).
func GetHostByAddr(ipAddress any) (HostEntry, error) {
	return GetHostByAddrContext(context.Background(), ipAddress)
}

// GetHostByAddrContext is GetHostByAddr that returns when ctx ends, with ctx's error: its
// getaddrinfo as GetAddrInfoContext's, its gethostbyaddr_r(3), which libc has no
// asynchronous form of, as GetNameInfoContext's getnameinfo.
func GetHostByAddrContext(ctx context.Context, ipAddress any) (HostEntry, error) {
	var nameBuf [64]byte // the name only becomes a C string: room for it on the stack
	name, err := hostArg(nameBuf[:0], ipAddress, "gethostbyaddr")
	if err != nil {
		return HostEntry{}, err
	}
	r, err := setIPAddrContext(ctx, name, csock.AF_UNSPEC)
	if err != nil {
		return HostEntry{}, err
	}
	if err := ctx.Err(); err != nil {
		return HostEntry{}, err
	}
	if ctx.Done() == nil {
		_ = lookups.acquire(ctx) // cannot fail: ctx never ends
		defer lookups.release()
		return getHostByAddr(r)
	}
	return getHostByAddrFlight(ctx, r)
}

// getHostByAddrFlight is getHostByAddr for a context that can end: in a flight (see
// blocking), on a goroutine of its own.
func getHostByAddrFlight(ctx context.Context, r resolved) (HostEntry, error) {
	key := lookupKey(nil, 'r', r.ip[:], nil, r.family)
	return blocking(ctx, hostFlights, key, func() (HostEntry, error) { return getHostByAddr(r) })
}

// getHostByAddr calls csock.GetHostByAddr for r on this goroutine and makes CPython's
// result of it (see hostEntry).
func getHostByAddr(r resolved) (HostEntry, error) {
	n := 4
	if r.family == csock.AF_INET6 {
		n = 16
	}
	var st csock.Status
	h, err := csock.GetHostByAddr(r.ip[:n], r.family, 0, &st)
	return hostEntry(h, err, &st, r.family)
}

// GetFQDN mirrors socket.getfqdn(name): name is a string (or []byte, by Python's duck
// typing); "" means this host. It never fails with an OSError: an unresolvable name is
// returned as it was given (stripped). IDNA errors do escape, as in CPython.
func GetFQDN(name any) (any, error) {
	var stripped any
	empty := false
	switch n := name.(type) {
	case string:
		s := stripPy(n)
		stripped, empty = s, s == "" || s == "0.0.0.0" || s == "::"
	case []byte:
		b := bytes.TrimSpace(n)
		if len(bytes.Trim(n, " \t\n\r\x0b\x0c")) != len(b) {
			b = bytes.Trim(n, " \t\n\r\x0b\x0c")
		}
		stripped, empty = b, len(b) == 0
	default:
		return nil, &AttributeError{Msg: fmt.Sprintf("'%s' object has no attribute 'strip'", typeName(name))}
	}
	if empty {
		h, err := GetHostName()
		if err != nil {
			return nil, err
		}
		stripped = h
	}
	entry, err := GetHostByAddr(stripped)
	if err != nil {
		if IsOSError(err) {
			return stripped, nil
		}
		return nil, err
	}
	for _, c := range append([]string{entry.Name}, entry.Aliases...) {
		if strings.Contains(c, ".") {
			return c, nil
		}
	}
	return entry.Name, nil
}

// stripPy is Python's str.strip(): removes leading and trailing Unicode whitespace.
func stripPy(s string) string {
	rs := py.Runes(s)
	i, j := 0, len(rs)
	for i < j && isPySpace(rs[i]) {
		i++
	}
	for j > i && isPySpace(rs[j-1]) {
		j--
	}
	return py.FromRunes(rs[i:j])
}

// isPySpace is Python's str.isspace for one character: bidirectional class WS, B or S,
// or category Zs.
func isPySpace(r rune) bool {
	switch r {
	case '\t', '\n', '\x0b', '\x0c', '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ', 0x85:
		return true
	}
	return r > 0x7f && unicode.IsSpace(r)
}

// GetHostName mirrors socket.gethostname().
func GetHostName() (string, error) {
	h, err := csock.GetHostName()
	if err != nil {
		return "", fromBinding(err)
	}
	return py.FSDecode([]byte(h)), nil
}

// GetServByName mirrors socket.getservbyname(servicename[, protocolname]), through the
// reentrant getservbyname_r(3) (CPython's is not thread-safe; this one is). proto is
// optional: at most one.
func GetServByName(name string, proto ...string) (int, error) {
	// The texts only become C strings: room for them on the stack.
	var nameBuf, protoBuf [32]byte
	n, err := cstrArg(nameBuf[:0], name)
	if err != nil {
		return 0, err
	}
	var p []byte
	if len(proto) > 0 {
		if p, err = cstrArg(protoBuf[:0], proto[0]); err != nil {
			return 0, err
		}
	}
	port, err := csock.GetServByName(n, p, 0)
	if err != nil {
		// CPython reports any NULL from getservbyname(3) this way, whatever errno says
		// (descriptors exhausted, /etc/services unreadable): not found is all it knows.
		return 0, osMessage("service/proto not found")
	}
	return port, nil
}

// cstrArg is asStr for an argument the Go signature already makes a str: its UTF-8 bytes,
// appended to dst when ASCII (no allocation while they fit), with CPython's errors for a
// lone surrogate or a NUL.
func cstrArg(dst []byte, s string) ([]byte, error) {
	if !isASCII(s) {
		b, err := py.EncodeUTF8(s)
		if err != nil {
			return nil, unicodeError(err)
		}
		dst = b
	} else {
		dst = append(dst, s...)
	}
	if bytes.IndexByte(dst, 0) >= 0 {
		return nil, &ValueError{Msg: "embedded null character"}
	}
	return dst, nil
}

// GetServByPort mirrors socket.getservbyport(port[, protocolname]), through the reentrant
// getservbyport_r(3).
func GetServByPort(port int, proto ...string) (string, error) {
	if _, err := goInt(port); err != nil {
		return "", err
	}
	var protoBuf [32]byte
	var p []byte
	if len(proto) > 0 {
		var err error
		if p, err = cstrArg(protoBuf[:0], proto[0]); err != nil {
			return "", err
		}
	}
	if port < 0 || port > 0xffff {
		return "", &OverflowError{Msg: "getservbyport: port must be 0-65535."}
	}
	name, err := csock.GetServByPort(port, p, 0)
	if err != nil {
		// Any failure, as in GetServByName.
		return "", osMessage("port/proto not found")
	}
	return name, nil
}

// GetProtoByName mirrors socket.getprotobyname(name), through getprotobyname_r(3).
func GetProtoByName(name string) (int, error) {
	var nameBuf [32]byte
	n, err := cstrArg(nameBuf[:0], name)
	if err != nil {
		return 0, err
	}
	p, err := csock.GetProtoByName(n, 0)
	if err != nil {
		// Any failure, as in GetServByName.
		return 0, osMessage("protocol not found")
	}
	return p, nil
}

// InetAton mirrors socket.inet_aton(ip_string): libc's permissive parser ('127.1' and
// trailing junk after a space are accepted).
func InetAton(ipString string) ([]byte, error) {
	s, err := asStr(ipString, "inet_aton", 1)
	if err != nil {
		return nil, err
	}
	ip, ok := csock.InetAton(s)
	if !ok {
		return nil, osMessage("illegal IP address string passed to inet_aton")
	}
	return ip[:], nil
}

// InetNtoa mirrors socket.inet_ntoa(packed_ip).
func InetNtoa(packed []byte) (string, error) {
	if len(packed) != 4 {
		return "", osMessage("packed IP wrong length for inet_ntoa")
	}
	s, err := csock.InetNtop(csock.AF_INET, packed)
	return s, fromBinding(err)
}

// InetPton mirrors socket.inet_pton(address_family, ip_string): libc's strict parser.
func InetPton(family AddressFamily, ipString string) ([]byte, error) {
	if _, err := goInt(int(family)); err != nil {
		return nil, err
	}
	s, err := asStr(ipString, "inet_pton", 2)
	if err != nil {
		return nil, err
	}
	ip, ok, err := csock.InetPton(int(family), s)
	if err != nil {
		return nil, fromBinding(err)
	}
	if !ok {
		return nil, osMessage("illegal IP address string passed to inet_pton")
	}
	if family == csock.AF_INET {
		return ip[:4], nil
	}
	return ip[:16], nil
}

// InetNtop mirrors socket.inet_ntop(address_family, packed_ip), with glibc's formatting
// ('::1.2.3.4' for the deprecated IPv4-compatible form, leftmost longest zero run
// compressed).
func InetNtop(family AddressFamily, packed []byte) (string, error) {
	if _, err := goInt(int(family)); err != nil {
		return "", err
	}
	switch family {
	case csock.AF_INET:
		if len(packed) != 4 {
			return "", &ValueError{Msg: "invalid length of packed IP address string"}
		}
	case csock.AF_INET6:
		if len(packed) != 16 {
			return "", &ValueError{Msg: "invalid length of packed IP address string"}
		}
	default:
		return "", &ValueError{Msg: fmt.Sprintf("unknown address family %d", family)}
	}
	s, err := csock.InetNtop(int(family), packed)
	return s, fromBinding(err)
}

// Interface is one if_nameindex() entry, CPython's (index, name) tuple.
type Interface struct {
	Index int
	Name  string
}

// PyRepr prints the tuple.
func (i Interface) PyRepr() string { return py.Repr(py.Tuple{i.Index, i.Name}) }

// IfNameIndex mirrors socket.if_nameindex().
func IfNameIndex() ([]Interface, error) {
	ifs, err := csock.IfNameIndex()
	if err != nil {
		return nil, fromBinding(err)
	}
	out := make([]Interface, len(ifs))
	for i, f := range ifs {
		out[i] = Interface{Index: f.Index, Name: py.FSDecode([]byte(f.Name))}
	}
	return out, nil
}

// IfNameToIndex mirrors socket.if_nametoindex(if_name): a string (filesystem-encoded) or
// []byte.
func IfNameToIndex(ifName any) (int, error) {
	var b []byte
	switch n := ifName.(type) {
	case string:
		enc, err := py.FSEncode(n)
		if err != nil {
			return 0, unicodeError(err)
		}
		b = enc
	case []byte:
		b = n
	default:
		if pv, ok := pyValue(ifName); ok {
			return IfNameToIndex(pv)
		}
		return 0, &TypeError{Msg: fmt.Sprintf("expected str, bytes or os.PathLike object, not %s", typeName(ifName))}
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return 0, &ValueError{Msg: "embedded null byte"}
	}
	idx, err := csock.IfNameToIndex(b)
	if err != nil {
		return 0, osMessage("no interface with this name")
	}
	return idx, nil
}

// IfIndexToName mirrors socket.if_indextoname(if_index).
func IfIndexToName(ifIndex uint32) (string, error) {
	name, err := csock.IfIndexToName(ifIndex)
	if err != nil {
		return "", fromBinding(err)
	}
	return py.FSDecode([]byte(name)), nil
}

// Htons mirrors socket.htons(x): x must fit in 16 bits.
func Htons(x int) (int, error) { return swap16("htons", x) }

// Ntohs mirrors socket.ntohs(x).
func Ntohs(x int) (int, error) { return swap16("ntohs", x) }

// Htonl mirrors socket.htonl(x): x must fit in 32 bits.
func Htonl(x int64) (int64, error) { return swap32(x) }

// Ntohl mirrors socket.ntohl(x).
func Ntohl(x int64) (int64, error) { return swap32(x) }

func swap16(fn string, x int) (int, error) {
	switch {
	case x < 0:
		return 0, &OverflowError{Msg: fn + ": can't convert negative Python int to C 16-bit unsigned integer"}
	case x > 0xffff:
		return 0, &OverflowError{Msg: fn + ": Python int too large to convert to C 16-bit unsigned integer"}
	}
	return x>>8 | (x&0xff)<<8, nil
}

func swap32(x int64) (int64, error) {
	switch {
	case x < 0:
		return 0, &OverflowError{Msg: "can't convert negative value to unsigned int"}
	case x > 0xffffffff:
		return 0, &OverflowError{Msg: "int larger than 32 bits"}
	}
	u := uint32(x)
	return int64(u>>24 | (u>>8)&0xff00 | (u<<8)&0xff0000 | u<<24), nil
}
