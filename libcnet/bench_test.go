//go:build linux

package libcnet_test

import (
	"context"
	"testing"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/libcnet"
)

// libcnet's cost over the binding it calls: each pair is the same libc call, with and
// without net.Resolver's shape around it (make bench compares libcnet with C and Go).

func BenchmarkLookupHost_Localhost(b *testing.B) {
	var r libcnet.Resolver
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.LookupHost(ctx, "localhost"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCsockGetAddrInfo_Localhost(b *testing.B) {
	host := []byte("localhost")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := csock.GetAddrInfo(host, nil, csock.AF_UNSPEC, csock.SOCK_STREAM, 0, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookupPort_HTTP(b *testing.B) {
	var r libcnet.Resolver
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.LookupPort(ctx, "tcp", "http"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCsockGetServByName_HTTP(b *testing.B) {
	name, proto := []byte("http"), []byte("tcp")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := csock.GetServByName(name, proto, 0); err != nil {
			b.Fatal(err)
		}
	}
}
