//go:build linux

package facade

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// This file holds gethostbyname, gethostbyname_ex, gethostbyaddr, getfqdn and gethostname.

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
		_ = lookups.Acquire(ctx) // cannot fail: ctx never ends
		defer lookups.Release()
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
		_ = lookups.Acquire(ctx) // cannot fail: ctx never ends
		defer lookups.Release()
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
