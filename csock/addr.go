//go:build linux && cgo

package csock

/*
#include <string.h>
#include <sys/un.h>
#include <netinet/in.h>
#include "csock.h"

enum { csock_sun_path_off = offsetof(struct sockaddr_un, sun_path) };
*/
import "C"

import (
	"syscall"
	"unsafe"
)

// Addr is a socket address: the input of Bind, Connect and SendTo, and the output of
// Accept, GetSockName, GetPeerName, RecvFrom and GetAddrInfo.
//
// Which fields count depends on Family:
//   - AF_INET: IP[:4], Port.
//   - AF_INET6: IP, Port, FlowInfo, ScopeID.
//   - AF_UNIX: Path, the sun_path bytes exactly as long as the address is (an abstract
//     name starts with a NUL byte; a filesystem path carries its terminating NUL only if
//     the caller put it there, or the kernel reported it).
//   - any other family: Data, the bytes that follow sa_family.
//
// On output, Host is libc's inet_ntop text of the IP (AF_INET and AF_INET6) and Len is the
// address length the kernel reported; Len 0 means no address at all (Family is then
// AF_UNSPEC). Both are ignored on input.
//
// On input, a Port outside 0..65535, a Path or Data longer than the sockaddr holds, or a
// Family beyond sa_family_t's 16 bits is EINVAL, never truncated (FlowInfo and ScopeID
// are uint32, as in the sockaddr).
type Addr struct {
	Family   int
	IP       [16]byte
	Port     int
	FlowInfo uint32
	ScopeID  uint32
	Path     []byte
	Data     []byte
	Host     string
	Len      int
}

// sunPathMax is sizeof(sun_path).
const sunPathMax = int(unsafe.Sizeof(C.struct_sockaddr_un{}.sun_path))

// sockaddr encodes a into ss and returns the length to pass to the kernel, or EINVAL when
// a cannot be represented: a nil a, a Port outside 0..65535, a path or data longer than
// the structure, a Family beyond sa_family_t.
func (a *Addr) sockaddr(ss *C.struct_sockaddr_storage) (C.socklen_t, error) {
	if a == nil {
		return 0, syscall.EINVAL
	}
	p := unsafe.Pointer(ss)
	switch a.Family {
	case AF_INET:
		if !validPort(a.Port) {
			return 0, syscall.EINVAL
		}
		sin := (*C.struct_sockaddr_in)(p)
		sin.sin_family = AF_INET
		putPort(unsafe.Pointer(&sin.sin_port), a.Port)
		*(*[4]byte)(unsafe.Pointer(&sin.sin_addr)) = [4]byte(a.IP[:4])
		return C.socklen_t(unsafe.Sizeof(*sin)), nil
	case AF_INET6:
		if !validPort(a.Port) {
			return 0, syscall.EINVAL
		}
		sin6 := (*C.struct_sockaddr_in6)(p)
		sin6.sin6_family = AF_INET6
		putPort(unsafe.Pointer(&sin6.sin6_port), a.Port)
		f := (*[4]byte)(unsafe.Pointer(&sin6.sin6_flowinfo))
		f[0], f[1], f[2], f[3] = byte(a.FlowInfo>>24), byte(a.FlowInfo>>16), byte(a.FlowInfo>>8), byte(a.FlowInfo)
		*(*[16]byte)(unsafe.Pointer(&sin6.sin6_addr)) = a.IP
		sin6.sin6_scope_id = C.uint32_t(a.ScopeID)
		return C.socklen_t(unsafe.Sizeof(*sin6)), nil
	case AF_UNIX:
		if len(a.Path) > sunPathMax {
			return 0, syscall.EINVAL
		}
		sun := (*C.struct_sockaddr_un)(p)
		sun.sun_family = AF_UNIX
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&sun.sun_path[0])), sunPathMax), a.Path)
		return C.socklen_t(C.csock_sun_path_off + len(a.Path)), nil
	default:
		const famSize = int(unsafe.Sizeof(C.sa_family_t(0)))
		if len(a.Data) > int(unsafe.Sizeof(*ss))-famSize || a.Family < 0 || a.Family > 0xffff {
			return 0, syscall.EINVAL
		}
		ss.ss_family = C.sa_family_t(a.Family)
		copy(unsafe.Slice((*byte)(unsafe.Add(p, famSize)), len(a.Data)), a.Data)
		return C.socklen_t(famSize + len(a.Data)), nil
	}
}

// putPort stores port in network byte order at p.
func putPort(p unsafe.Pointer, port int) {
	b := (*[2]byte)(p)
	b[0], b[1] = byte(port>>8), byte(port)
}

// set decodes the shim's csock_addr into a, replacing every field.
func (a *Addr) set(c *C.csock_addr) {
	*a = Addr{Len: int(c.rawlen), Family: int(c.family)}
	if c.rawlen == 0 {
		return
	}
	raw := unsafe.Pointer(&c.raw)
	switch a.Family {
	case AF_INET:
		sin := (*C.struct_sockaddr_in)(raw)
		copy(a.IP[:4], (*[4]byte)(unsafe.Pointer(&sin.sin_addr))[:])
		a.Port = int(c.port)
		a.Host = hostText(AF_INET, ipv4Key(unsafe.Pointer(&sin.sin_addr)), c.host[:])
	case AF_INET6:
		sin6 := (*C.struct_sockaddr_in6)(raw)
		a.IP = *(*[16]byte)(unsafe.Pointer(&sin6.sin6_addr))
		a.Port = int(c.port)
		a.FlowInfo = uint32(c.flowinfo)
		a.ScopeID = uint32(c.scope_id)
		a.Host = hostText(AF_INET6, ipv6Key(unsafe.Pointer(&sin6.sin6_addr)), c.host[:])
	case AF_UNIX:
		n := int(c.rawlen) - C.csock_sun_path_off
		if n > 0 {
			a.Path = goBytes(unsafe.Add(raw, C.csock_sun_path_off), n)
		}
	default:
		const famSize = int(unsafe.Sizeof(C.sa_family_t(0)))
		if n := int(c.rawlen) - famSize; n > 0 {
			a.Data = goBytes(unsafe.Add(raw, famSize), n)
		}
	}
}
