//go:build linux && cgo

package csock_test

import (
	"testing"

	"github.com/csock/csock/csock"
)

// The resolver calls of the benchmark table's csock rows (bench/gobench/impl_csock.go),
// for profiling and counting in place: the binding's own cost on top of libc's.
//
//	go test -run '^$' -bench . -benchmem ./csock/
func BenchmarkGetAddrInfo_Numeric(b *testing.B) {
	b.ReportAllocs()
	host, port := []byte("127.0.0.1"), []byte("80")
	for b.Loop() {
		if _, err := csock.GetAddrInfo(host, port, csock.AF_UNSPEC, csock.SOCK_STREAM, 0, csock.AI_NUMERICHOST, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetAddrInfo_Localhost(b *testing.B) {
	b.ReportAllocs()
	host, port := []byte("localhost"), []byte("80")
	for b.Loop() {
		if _, err := csock.GetAddrInfo(host, port, csock.AF_UNSPEC, csock.SOCK_STREAM, 0, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetNameInfo(b *testing.B) {
	b.ReportAllocs()
	addr := csock.Addr{Family: csock.AF_INET, IP: [16]byte{127, 0, 0, 1}, Port: 80}
	for b.Loop() {
		if _, _, err := csock.GetNameInfo(&addr, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetServByName(b *testing.B) {
	b.ReportAllocs()
	name, proto := []byte("http"), []byte("tcp")
	for b.Loop() {
		if _, err := csock.GetServByName(name, proto, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetHostByName(b *testing.B) {
	b.ReportAllocs()
	name := []byte("localhost")
	for b.Loop() {
		if _, err := csock.GetHostByName(name, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}
