//go:build linux && cgo

package csock

/*
#cgo noescape csock_getaddrinfo
#cgo nocallback csock_getaddrinfo
#cgo noescape csock_getaddrinfo_call
#cgo nocallback csock_getaddrinfo_call
#cgo noescape csock_getnameinfo
#cgo nocallback csock_getnameinfo
#cgo noescape csock_gethostbyname
#cgo nocallback csock_gethostbyname
#cgo noescape csock_getservbyname
#cgo nocallback csock_getservbyname
#cgo noescape csock_getservbyport
#cgo nocallback csock_getservbyport
#cgo noescape csock_getprotobyname
#cgo nocallback csock_getprotobyname
#cgo noescape csock_gethostname
#cgo nocallback csock_gethostname
#cgo noescape csock_inet_pton
#cgo nocallback csock_inet_pton
#cgo noescape csock_inet_aton
#cgo nocallback csock_inet_aton
#cgo noescape csock_if_nameindex
#cgo nocallback csock_if_nameindex
#cgo noescape csock_if_nametoindex
#cgo nocallback csock_if_nametoindex
#cgo noescape csock_if_indextoname
#cgo nocallback csock_if_indextoname
#cgo nocallback csock_free
#cgo noescape csock_gethostbyaddr_bytes
#cgo nocallback csock_gethostbyaddr_bytes
#cgo noescape csock_inet_ntop_bytes
#cgo nocallback csock_inet_ntop_bytes
#include <stddef.h>
#include <net/if.h>
#include <netdb.h>
#include "csock.h"

// Byte buffers cross as char *, not void *: see csock_recv_bytes in socket.go.
static inline int csock_gethostbyaddr_bytes(const char *addr, socklen_t len, int family, size_t bufhint,
		void *buf, size_t buflen, csock_hostent **out, csock_rstatus *st) {
	return csock_gethostbyaddr(addr, len, family, bufhint, buf, buflen, out, st);
}
static inline int csock_inet_ntop_bytes(int family, const char *src, char *dst, socklen_t len) {
	return csock_inet_ntop(family, src, dst, len);
}

// A getaddrinfo call's arguments in one block of Go memory holding no pointer: cgo checks
// it and the result pointer rather than five pointers, which cost more than the rest of
// the binding's Go side of a numeric lookup.
typedef struct {
	csock_rstatus st;
	int family, socktype, protocol, flags;
	int has_host, has_serv;
	char host[256];
	char serv[64];
	uint64_t block[512];
} csock_gai_call;
static inline int csock_getaddrinfo_call(csock_gai_call *c, csock_addrinfo_list **out) {
	return csock_getaddrinfo(c->has_host ? c->host : NULL, c->has_serv ? c->serv : NULL,
		c->family, c->socktype, c->protocol, c->flags, c->block, sizeof c->block, out, &c->st);
}

enum {
	csock_ai_off = offsetof(csock_addrinfo_list, entry),
	csock_if_off = offsetof(csock_if_list, entry),
};
*/
import "C"

import (
	"bytes"
	"math"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/csock/csock/internal/seam"
)

// Status is what a resolver call reports besides its result, for callers that must
// reproduce programs reading the thread-local h_errno (CPython's herror does, and glibc
// often leaves h_errno stale). Pass nil when it does not matter.
type Status struct {
	HErrnoSet bool // the call set the thread's h_errno
	HErrno    int  // its value after the call (when HErrnoSet)
}

func (st *Status) set(c *C.csock_rstatus) {
	if st != nil {
		st.HErrnoSet = c.h_errno_tls != C.CSOCK_HERRNO_UNSET
		st.HErrno = 0
		if st.HErrnoSet {
			st.HErrno = int(c.h_errno_tls)
		}
	}
}

// AddrInfo is one getaddrinfo(3) result.
type AddrInfo struct {
	Family    int
	SockType  int
	Protocol  int
	CanonName string // ai_canonname, "" when libc gave none
	Addr      Addr
}

// names is stack room for the C strings of a call (see cstr).
type names struct {
	host [256]byte
	serv [64]byte
}

// scratch is room for a lookup's strings and its result block; the [N]uint64 element type
// gives the block the 8-byte alignment its structures need. Lookups take one from
// scratches rather than declaring one: C overwrites what it uses, and a fresh one would
// cost zeroing 4.4 KiB per call.
type scratch struct {
	names
	block [512]uint64
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch  { return scratches.Get().(*scratch) }
func putScratch(s *scratch) { scratches.Put(s) }

// cstr returns a NUL-terminated copy of b, in room when it fits; nil for a nil b (the C
// NULL). A NUL inside b ends the C string there, as it would in C.
func cstr(b []byte, room []byte) *C.char {
	if b == nil {
		return nil
	}
	var s []byte
	if len(b) < len(room) {
		s = room[:len(b)+1]
	} else {
		s = make([]byte, len(b)+1)
	}
	copy(s, b)
	s[len(b)] = 0
	return (*C.char)(unsafe.Pointer(&s[0]))
}

// cstrNonNil is cstr that turns nil into the empty string.
func cstrNonNil(b []byte, room []byte) *C.char {
	if b == nil {
		b = []byte{}
	}
	return cstr(b, room)
}

// blockStr returns the string at offset off of a result block, "" for offset 0.
func blockStr(base unsafe.Pointer, off C.uint32_t) string {
	if off == 0 {
		return ""
	}
	return C.GoString((*C.char)(unsafe.Add(base, off)))
}

// GetAddrInfo calls getaddrinfo(3) with the hints {family, socktype, proto, flags}. host and
// service are passed as C strings; nil passes NULL. Results keep libc's order. A failure is
// a *GaiError. st (may be nil) receives the call's h_errno.
//
// Arguments C cannot be given are refused with the code glibc gives for a bad value of
// each, checked in its order and without a call: a flags, family, socktype or proto beyond
// a C int is EAI_BADFLAGS, EAI_FAMILY, EAI_SOCKTYPE or EAI_SERVICE; a service holding a NUL
// byte is a service libc cannot find, EAI_SERVICE (EAI_NONAME with AI_NUMERICSERV); a
// host holding one is a name it cannot find, EAI_NONAME.
func GetAddrInfo(host, service []byte, family, socktype, proto, flags int, st *Status) ([]AddrInfo, error) {
	return AppendAddrInfo(nil, host, service, family, socktype, proto, flags, st)
}

// AppendAddrInfo is GetAddrInfo appending the results to dst and returning the extended
// slice (dst unchanged on failure): a caller with room for them, such as an array on its
// stack, gets them without an allocation for the list.
func AppendAddrInfo(dst []AddrInfo, host, service []byte, family, socktype, proto, flags int, st *Status) ([]AddrInfo, error) {
	if code := gaiArgs(host, service, family, socktype, proto, flags); code != 0 {
		return dst, gaiFault(&GaiError{Code: code}, st)
	}
	if err := seam.GetAddrInfoHook.Check(seam.OpGetAddrInfo, -1); err != nil {
		return dst, gaiFault(err, st)
	}
	if len(host) >= 256 || len(service) >= 64 {
		return getAddrInfoLong(dst, host, service, family, socktype, proto, flags, st)
	}
	c := gaiCalls.Get().(*C.csock_gai_call)
	defer gaiCalls.Put(c)
	c.has_host, c.has_serv = 0, 0
	if host != nil {
		c.has_host = 1
		cstr(host, unsafe.Slice((*byte)(unsafe.Pointer(&c.host[0])), len(c.host)))
	}
	if service != nil {
		c.has_serv = 1
		cstr(service, unsafe.Slice((*byte)(unsafe.Pointer(&c.serv[0])), len(c.serv)))
	}
	c.family, c.socktype, c.protocol, c.flags = C.int(family), C.int(socktype), C.int(proto), C.int(flags)
	var out *C.csock_addrinfo_list
	rc := C.csock_getaddrinfo_call(c, &out)
	st.set(&c.st)
	if rc != 0 {
		return dst, &GaiError{Code: int(rc), Errno: syscall.Errno(c.st.syserr)}
	}
	return addrInfoList(dst, out, unsafe.Pointer(&c.block[0])), nil
}

// gaiArgs checks the arguments of getaddrinfo (see GetAddrInfo) and returns the EAI_* code
// for the first bad one, 0 when C can be given them all.
func gaiArgs(host, service []byte, family, socktype, proto, flags int) int {
	switch {
	case !cint(flags):
		return EAI_BADFLAGS
	case !cint(family):
		return EAI_FAMILY
	case !cint(socktype):
		return EAI_SOCKTYPE
	case !cint(proto):
		return EAI_SERVICE
	case hasNUL(service):
		if flags&AI_NUMERICSERV != 0 {
			return EAI_NONAME
		}
		return EAI_SERVICE
	case hasNUL(host):
		return EAI_NONAME
	}
	return 0
}

// gaiCalls are the blocks of GetAddrInfo's calls. C overwrites what it uses: a fresh one
// would cost zeroing 4.4 KiB per call, more than the rest of the Go side of a numeric
// lookup.
var gaiCalls = sync.Pool{New: func() any { return new(C.csock_gai_call) }}

// getAddrInfoLong is GetAddrInfo for a host or service too long for a csock_gai_call.
func getAddrInfoLong(dst []AddrInfo, host, service []byte, family, socktype, proto, flags int, st *Status) ([]AddrInfo, error) {
	s := getScratch()
	defer putScratch(s)
	var out *C.csock_addrinfo_list
	var cst C.csock_rstatus
	// own is passed as a plain unsafe.Pointer: written as &s.block[0] in the call, cgo's
	// pointer check would box the whole 4 KiB array into an interface (a heap copy per call).
	own := unsafe.Pointer(&s.block[0])
	rc := C.csock_getaddrinfo(cstr(host, s.host[:]), cstr(service, s.serv[:]),
		C.int(family), C.int(socktype), C.int(proto), C.int(flags),
		own, C.size_t(unsafe.Sizeof(s.block)), &out, &cst)
	st.set(&cst)
	if rc != 0 {
		return dst, &GaiError{Code: int(rc), Errno: syscall.Errno(cst.syserr)}
	}
	return addrInfoList(dst, out, own), nil
}

// addrInfoList appends the entries of a getaddrinfo result block (of csock_getaddrinfo or
// csock_gai_finish) to dst (a nil dst gets a list of exactly their number), freeing the
// block unless it is own, the caller's buffer.
func addrInfoList(dst []AddrInfo, out *C.csock_addrinfo_list, own unsafe.Pointer) []AddrInfo {
	base := unsafe.Pointer(out)
	entries := unsafe.Slice((*C.csock_addrinfo)(unsafe.Add(base, C.csock_ai_off)), out.count)
	if dst == nil {
		dst = make([]AddrInfo, 0, len(entries))
	}
	for i := range entries {
		e := &entries[i]
		dst = append(dst, AddrInfo{
			Family:    int(e.family),
			SockType:  int(e.socktype),
			Protocol:  int(e.protocol),
			CanonName: blockStr(base, e.canonname),
		})
		dst[len(dst)-1].Addr.set(&e.addr)
	}
	if base != own {
		C.csock_free(base)
	}
	return dst
}

// GetNameInfo calls getnameinfo(3) for addr with NI_MAXHOST and NI_MAXSERV buffers and
// returns the host and service texts. A failure is a *GaiError. st (may be nil) receives
// the call's h_errno.
//
// Without a call: a nil addr is EAI_FAMILY, what getnameinfo says for no address; flags
// beyond a C int are EAI_BADFLAGS; an addr that cannot be encoded (see Addr: a Port
// outside 0..65535, a Path too long) is EAI_SYSTEM with Errno EINVAL.
func GetNameInfo(addr *Addr, flags int, st *Status) (host, service string, err error) {
	if addr == nil {
		return "", "", gaiFault(&GaiError{Code: EAI_FAMILY}, st)
	}
	if !cint(flags) {
		return "", "", gaiFault(&GaiError{Code: EAI_BADFLAGS}, st)
	}
	var ss C.struct_sockaddr_storage
	n, err := addr.sockaddr(&ss)
	if err != nil {
		return "", "", gaiFault(err, st)
	}
	if err := seam.GetNameInfoHook.Check(seam.OpGetNameInfo, -1); err != nil {
		return "", "", gaiFault(err, st)
	}
	var h [C.NI_MAXHOST]C.char
	var sv [C.NI_MAXSERV]C.char
	var cst C.csock_rstatus
	rc := C.csock_getnameinfo((*C.struct_sockaddr)(unsafe.Pointer(&ss)), n,
		&h[0], C.socklen_t(len(h)), &sv[0], C.socklen_t(len(sv)), C.int(flags), &cst)
	st.set(&cst)
	if rc != 0 {
		return "", "", &GaiError{Code: int(rc), Errno: syscall.Errno(cst.syserr)}
	}
	return goString(h[:]), goString(sv[:]), nil
}

// HostEnt is a flattened struct hostent.
type HostEnt struct {
	Name     string   // h_name
	Aliases  []string // h_aliases
	AddrType int      // h_addrtype
	AddrLen  int      // h_length
	Addrs    []string // h_addr_list, as inet_ntop(3) texts
	RawAddrs [][]byte // h_addr_list, raw (AddrLen bytes each)
}

// hostEnt converts a result block of the gethostby* shim calls, freeing it if the shim
// allocated it.
func hostEnt(out *C.csock_hostent, own unsafe.Pointer) *HostEnt {
	base := unsafe.Pointer(out)
	n, addrlen := int(out.naddrs), int(out.addrlen)
	var h *HostEnt
	var raw []byte
	if n <= smallHostEnt && addrlen >= 0 && addrlen <= 16 {
		// The common entry (a few addresses) in one allocation with its lists.
		s := new(hostEntSmall)
		h = &s.h
		h.Addrs, h.RawAddrs, raw = s.addrs[:n:n], s.raw[:n:n], s.rawb[:]
	} else {
		h = &HostEnt{Addrs: make([]string, n), RawAddrs: make([][]byte, n)}
		raw = make([]byte, n*max(addrlen, 0))
	}
	h.Name = blockStr(base, out.name)
	h.AddrType, h.AddrLen = int(out.addrtype), addrlen
	h.Aliases = make([]string, out.naliases)
	aliases := unsafe.Slice((*C.uint32_t)(unsafe.Add(base, out.aliases)), out.naliases)
	for i, off := range aliases {
		h.Aliases[i] = blockStr(base, off)
	}
	addrs := unsafe.Slice((*C.uint32_t)(unsafe.Add(base, out.addrs)), n)
	for i, off := range addrs {
		r := raw[i*addrlen : (i+1)*addrlen : (i+1)*addrlen]
		copy(r, unsafe.Slice((*byte)(unsafe.Add(base, int(out.rawaddrs)+i*addrlen)), addrlen))
		h.RawAddrs[i] = r
		// The text ends within the block: read no further than its end.
		text := unsafe.Slice((*C.char)(unsafe.Add(base, off)), min(int(C.CSOCK_HOSTTEXT), int(out.size)-int(off)))
		var key ipKey
		switch {
		case addrlen == 4:
			key = ipv4Key(unsafe.Pointer(&r[0]))
		case addrlen == 16:
			key = ipv6Key(unsafe.Pointer(&r[0]))
		default:
			h.Addrs[i] = blockStr(base, off)
			continue
		}
		h.Addrs[i] = hostText(h.AddrType, key, text)
	}
	if base != own {
		C.csock_free(base)
	}
	return h
}

// smallHostEnt is the most addresses of an entry hostEnt makes in one allocation.
const smallHostEnt = 4

// hostEntSmall is a HostEnt with room for its address lists.
type hostEntSmall struct {
	h     HostEnt
	addrs [smallHostEnt]string
	raw   [smallHostEnt][]byte
	rawb  [smallHostEnt * 16]byte
}

// noCall returns err for a lookup refused before its call, which set no h_errno.
func noCall(err error, st *Status) error {
	if st != nil {
		*st = Status{}
	}
	return err
}

// hostResult turns a gethostby* shim result into (entry, error).
func hostResult(rc C.int, cst *C.csock_rstatus, st *Status, out *C.csock_hostent, own unsafe.Pointer) (*HostEnt, error) {
	st.set(cst)
	switch {
	case rc == 0:
		return hostEnt(out, own), nil
	case rc == C.CSOCK_NOTFOUND:
		return nil, &HError{Code: int(cst.herr), Errno: syscall.Errno(cst.syserr)}
	default:
		return nil, errno(rc)
	}
}

// GetHostByName calls gethostbyname_r(3) for name (nil is the empty name); bufhint is the
// size of its first work buffer (0 for the default), which doubles on ERANGE. When libc
// returns no entry the error is an *HError (with the h_errnop value). st (may be nil)
// receives the thread's h_errno as the call left it.
//
// Without a call: a name holding a NUL byte is a name libc cannot find, *HError
// HOST_NOT_FOUND (st says h_errno was set to it); a negative bufhint is EINVAL.
func GetHostByName(name []byte, bufhint int, st *Status) (*HostEnt, error) {
	if bufhint < 0 {
		return nil, noCall(syscall.EINVAL, st)
	}
	if hasNUL(name) {
		return nil, hostFault(&HError{Code: HOST_NOT_FOUND}, st)
	}
	if err := seam.GetHostByNameHook.Check(seam.OpGetHostByName, -1); err != nil {
		return nil, hostFault(err, st)
	}
	s := getScratch()
	defer putScratch(s)
	var out *C.csock_hostent
	var cst C.csock_rstatus
	own := unsafe.Pointer(&s.block[0])
	rc := C.csock_gethostbyname(cstrNonNil(name, s.host[:]), C.size_t(bufhint),
		own, C.size_t(unsafe.Sizeof(s.block)), &out, &cst)
	return hostResult(rc, &cst, st, out, own)
}

// GetHostByAddr calls gethostbyaddr_r(3) for the raw address addr (4 bytes for AF_INET, 16
// for AF_INET6) in family; bufhint and st as for GetHostByName.
//
// Without a call: a family beyond a C int is what glibc says for an unknown family,
// *HError NETDB_INTERNAL with Errno EAFNOSUPPORT; an addr longer than a socklen_t counts
// is NETDB_INTERNAL with EINVAL; a negative bufhint is EINVAL.
func GetHostByAddr(addr []byte, family int, bufhint int, st *Status) (*HostEnt, error) {
	switch {
	case bufhint < 0:
		return nil, noCall(syscall.EINVAL, st)
	case !cint(family):
		return nil, hostFault(&HError{Code: NETDB_INTERNAL, Errno: syscall.EAFNOSUPPORT}, st)
	case uint64(len(addr)) > math.MaxUint32:
		return nil, hostFault(&HError{Code: NETDB_INTERNAL, Errno: syscall.EINVAL}, st)
	}
	if err := seam.GetHostByAddrHook.Check(seam.OpGetHostByAddr, -1); err != nil {
		return nil, hostFault(err, st)
	}
	s := getScratch()
	defer putScratch(s)
	var out *C.csock_hostent
	var cst C.csock_rstatus
	own := unsafe.Pointer(&s.block[0])
	rc := C.csock_gethostbyaddr_bytes((*C.char)(unsafe.Pointer(unsafe.SliceData(addr))), C.socklen_t(len(addr)),
		C.int(family), C.size_t(bufhint), own, C.size_t(unsafe.Sizeof(s.block)), &out, &cst)
	return hostResult(rc, &cst, st, out, own)
}

// GetServByName calls getservbyname_r(3) and returns the port in host byte order; proto
// nil means any protocol. ErrNotFound when there is no such service, and without a call
// when name or proto holds a NUL byte (no entry has such a name); a negative bufhint is
// EINVAL.
func GetServByName(name, proto []byte, bufhint int) (int, error) {
	if bufhint < 0 {
		return 0, syscall.EINVAL
	}
	if hasNUL(name) || hasNUL(proto) {
		return 0, ErrNotFound
	}
	var s names
	r := C.csock_getservbyname(cstrNonNil(name, s.host[:]), cstr(proto, s.serv[:]), C.size_t(bufhint))
	return lookupResult(r)
}

// GetServByPort calls getservbyport_r(3) for port (host byte order) and returns the
// service name; proto nil means any protocol. ErrNotFound when there is none, and without
// a call when port is outside 0..65535 (no service has such a port; it is not cut to 16
// bits) or proto holds a NUL byte; a negative bufhint is EINVAL.
func GetServByPort(port int, proto []byte, bufhint int) (string, error) {
	if bufhint < 0 {
		return "", syscall.EINVAL
	}
	if !validPort(port) || hasNUL(proto) {
		return "", ErrNotFound
	}
	var s names
	r := C.csock_getservbyport(C.int(port), cstr(proto, s.serv[:]),
		(*C.char)(unsafe.Pointer(&s.host[0])), C.size_t(len(s.host)), C.size_t(bufhint))
	if _, err := lookupResult(r); err != nil {
		return "", err
	}
	return string(s.host[:r]), nil
}

// GetProtoByName calls getprotobyname_r(3) and returns the protocol number. ErrNotFound
// when the name is unknown, and without a call when it holds a NUL byte; a negative
// bufhint is EINVAL.
func GetProtoByName(name []byte, bufhint int) (int, error) {
	if bufhint < 0 {
		return 0, syscall.EINVAL
	}
	if hasNUL(name) {
		return 0, ErrNotFound
	}
	var s names
	return lookupResult(C.csock_getprotobyname(cstrNonNil(name, s.host[:]), C.size_t(bufhint)))
}

func lookupResult(r C.int) (int, error) {
	switch {
	case r == -C.int(syscall.ENOENT):
		return 0, ErrNotFound
	case r < 0:
		return 0, errno(r)
	}
	return int(r), nil
}

// GetHostName calls gethostname(2) with a 1024-byte buffer.
func GetHostName() (string, error) {
	var buf [1024]C.char
	r := C.csock_gethostname(&buf[0], C.size_t(len(buf)))
	if r < 0 {
		return "", errno(r)
	}
	return goStringN(buf[:], r), nil
}

// InetPton calls inet_pton(3). The address is in ip[:4] for AF_INET and ip[:16] for
// AF_INET6; ok is false when src is not a valid address of the family (a src holding a
// NUL byte never is); err is EAFNOSUPPORT for another family, EINVAL for one beyond a C
// int.
func InetPton(family int, src []byte) (ip [16]byte, ok bool, err error) {
	if !cint(family) {
		return ip, false, syscall.EINVAL
	}
	if hasNUL(src) {
		return ip, false, nil
	}
	var s names
	dst := unsafe.Pointer(&ip[0]) // not in the call: cgo's check would box ip (see GetAddrInfo)
	r := C.csock_inet_pton(C.int(family), cstrNonNil(src, s.host[:]), dst)
	if r < 0 {
		return ip, false, errno(r)
	}
	return ip, r == 1, nil
}

// InetNtop calls inet_ntop(3) on the raw address src, which must hold at least 4 bytes
// for AF_INET and 16 for AF_INET6 (EINVAL otherwise). Another family is EAFNOSUPPORT,
// one beyond a C int EINVAL.
func InetNtop(family int, src []byte) (string, error) {
	if !cint(family) {
		return "", syscall.EINVAL
	}
	need := 0
	switch family {
	case AF_INET:
		need = 4
	case AF_INET6:
		need = 16
	}
	if len(src) < need {
		return "", syscall.EINVAL
	}
	var buf [C.CSOCK_HOSTTEXT]C.char
	r := C.csock_inet_ntop_bytes(C.int(family), (*C.char)(unsafe.Pointer(unsafe.SliceData(src))), &buf[0], C.socklen_t(len(buf)))
	if r < 0 {
		return "", errno(r)
	}
	return goStringN(buf[:], r), nil
}

// InetAton calls inet_aton(3); ok is false when src is not a valid address (a src
// holding a NUL byte never is).
func InetAton(src []byte) (ip [4]byte, ok bool) {
	if hasNUL(src) {
		return ip, false
	}
	var s names
	dst := unsafe.Pointer(&ip[0]) // not in the call: cgo's check would box ip (see GetAddrInfo)
	r := C.csock_inet_aton(cstrNonNil(src, s.host[:]), dst)
	return ip, r == 1
}

// Interface is one if_nameindex(3) entry.
type Interface struct {
	Index int
	Name  string
}

// IfNameIndex calls if_nameindex(3) and returns the interfaces in the kernel's order.
func IfNameIndex() ([]Interface, error) {
	s := getScratch()
	defer putScratch(s)
	var out *C.csock_if_list
	own := unsafe.Pointer(&s.block[0])
	if r := C.csock_if_nameindex(own, C.size_t(unsafe.Sizeof(s.block)), &out); r < 0 {
		return nil, errno(r)
	}
	base := unsafe.Pointer(out)
	entries := unsafe.Slice((*C.csock_if)(unsafe.Add(base, C.csock_if_off)), out.count)
	res := make([]Interface, len(entries))
	for i := range entries {
		res[i] = Interface{Index: int(entries[i].index), Name: blockStr(base, entries[i].name)}
	}
	if base != own {
		C.csock_free(base)
	}
	return res, nil
}

// IfNameToIndex calls if_nametoindex(3). An unknown name is its errno (ENODEV), or
// ErrNotFound when libc set none; a name holding a NUL byte is ENODEV without a call.
func IfNameToIndex(name []byte) (int, error) {
	if hasNUL(name) {
		return 0, syscall.ENODEV
	}
	var s names
	r := C.csock_if_nametoindex(cstrNonNil(name, s.host[:]))
	switch {
	case r > 0:
		return int(r), nil
	case r < 0:
		return 0, errno(r)
	}
	return 0, ErrNotFound
}

// IfIndexToName calls if_indextoname(3).
func IfIndexToName(index uint32) (string, error) {
	var buf [C.IF_NAMESIZE]C.char
	r := C.csock_if_indextoname(C.uint(index), &buf[0], C.size_t(len(buf)))
	if r < 0 {
		return "", errno(r)
	}
	return goStringN(buf[:], r), nil
}

// hostTexts caches the address texts the binding has handed out, by family and address:
// the same addresses come back lookup after lookup (localhost, a service's servers, a
// peer), and a new string for each was an allocation in every getaddrinfo result and
// accepted connection. A text is a function of the address (inet_ntop's, or the shim's
// dotted quad, which equals it), and strings are immutable, so one may be shared. A slot
// holds the last address hashed to it; a miss costs the one allocation it always did.
var hostTexts [256]atomic.Pointer[hostTextEntry] // indexed by a hash's top 8 bits

type hostTextEntry struct {
	family int
	key    ipKey
	n      int
	text   [C.CSOCK_HOSTTEXT]byte // the string's bytes: the string points here
}

// ipKey is an IPv4 or IPv6 address as two words (IPv4 in lo), read straight from the C
// structure: read back from the Addr just written, the words stalled on store forwarding.
type ipKey struct{ lo, hi uint64 }

func ipv4Key(p unsafe.Pointer) ipKey { return ipKey{lo: uint64(*(*uint32)(p))} }
func ipv6Key(p unsafe.Pointer) ipKey {
	return ipKey{*(*uint64)(p), *(*uint64)(unsafe.Add(p, 8))}
}

// hostText returns the text C wrote into buf (NUL-terminated) for the address key of
// family, from hostTexts when it is there.
func hostText(family int, key ipKey, buf []C.char) string {
	// Two words, one multiply each: a byte loop's chain of multiplies cost as much as
	// the allocation it saves.
	const k = 0x9E3779B97F4A7C15
	h := (key.lo*k ^ key.hi ^ uint64(family)) * k
	slot := &hostTexts[h>>56]
	if e := slot.Load(); e != nil && e.key == key && e.family == family {
		return unsafe.String(&e.text[0], e.n)
	}
	e := &hostTextEntry{family: family, key: key}
	e.n = copy(e.text[:], unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)))
	if i := bytes.IndexByte(e.text[:e.n], 0); i >= 0 {
		e.n = i
	}
	if e.n == 0 {
		// The shim writes no text for an address too short to hold the IP: not this
		// address's text, so not cached.
		return ""
	}
	slot.Store(e)
	return unsafe.String(&e.text[0], e.n)
}
