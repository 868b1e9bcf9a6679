//go:build linux

package main

// The "libcnet" implementation: package libcnet's Resolver, net.Resolver's method set
// answered by libc, on the two operations its target is set for. Background contexts, as
// a program with no deadline passes: the blocking libc call on the caller's thread, one
// cgo crossing per lookup.
//
//	getaddrinfo_localhost  Resolver.LookupHost(ctx, "localhost") -> libc getaddrinfo
//	                       (AF_UNSPEC, SOCK_STREAM), libc's address texts
//	getservbyname          Resolver.LookupPort(ctx, "tcp", "http") -> libc
//	                       getservbyname_r("http", "tcp")

import (
	"context"
	"errors"
	"fmt"

	"github.com/csock/csock/bench/internal/benchspec"
	"github.com/csock/csock/libcnet"
)

func init() {
	var r libcnet.Resolver
	ctx := context.Background()
	Register("libcnet", map[string]Op{
		benchspec.GetAddrInfoLocalhost: Call(func() error {
			addrs, err := r.LookupHost(ctx, "localhost")
			if err == nil && len(addrs) == 0 {
				err = errors.New("LookupHost(localhost): no address")
			}
			return err
		}),
		benchspec.GetServByName: Call(func() error {
			port, err := r.LookupPort(ctx, "tcp", "http")
			if err == nil && port != 80 {
				err = fmt.Errorf("LookupPort(tcp, http) = %d, want 80", port)
			}
			return err
		}),
	})
}
