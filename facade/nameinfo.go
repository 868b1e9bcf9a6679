//go:build linux

package facade

import (
	"bytes"
	"context"
	"strconv"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// This file holds getnameinfo: CPython's socket.getnameinfo and its sockaddr rules.

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
		_ = lookups.Acquire(ctx) // cannot fail: ctx never ends
		defer lookups.Release()
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
