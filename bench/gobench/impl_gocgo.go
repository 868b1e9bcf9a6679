//go:build linux

package main

// The "gocgo" implementation: package net's resolver API with
// GODEBUG=netdns=cgo (gobench re-executes itself with it), so lookups go
// through libc via cgo. Only the resolver operations exist here; the others
// are the same code as "go" and are reported as not applicable.
//
//	getaddrinfo_localhost  DefaultResolver.LookupNetIP(ctx, "ip", "localhost") ->
//	                       libc getaddrinfo
//	getaddrinfo_numeric    the same with "127.0.0.1": package net parses the
//	                       literal itself, so no cgo call is made at all
//	getnameinfo            DefaultResolver.LookupAddr(ctx, "127.0.0.1") ->
//	                       libc getnameinfo(NI_NAMEREQD), host half only
//	getservbyname          DefaultResolver.LookupPort(ctx, "tcp", "http") ->
//	                       libc getaddrinfo(NULL, "http") (not getservbyname)
//	gethostbyname_ex       DefaultResolver.LookupNetIP(ctx, "ip4", "localhost") ->
//	                       libc getaddrinfo(AF_INET)

import (
	"net"

	"github.com/csock/csock/bench/internal/benchspec"
)

func init() {
	r := net.DefaultResolver
	Register(cgoImpl, map[string]Op{
		benchspec.GetAddrInfoLocalhost: Call(func() error { return lookupWithPort(r, "ip", "localhost") }),
		benchspec.GetAddrInfoNumeric:   Call(func() error { return lookupWithPort(r, "ip", "127.0.0.1") }),
		benchspec.GetNameInfo:          Call(func() error { return lookupAddr(r) }),
		benchspec.GetServByName:        Call(func() error { return lookupPort(r) }),
		benchspec.GetHostByNameEx:      Call(func() error { return lookupWithPort(r, "ip4", "localhost") }),
	})
}
