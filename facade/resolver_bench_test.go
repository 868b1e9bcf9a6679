//go:build linux

package facade_test

import (
	"testing"

	"github.com/csock/csock/facade"
)

// The resolver calls of the benchmark table's facade rows (bench/gobench/impl_facade.go),
// for profiling and counting in place:
//
//	go test -run '^$' -bench GetAddrInfo -benchmem -cpuprofile cpu.out ./facade/
func BenchmarkGetAddrInfo_Numeric(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := facade.GetAddrInfo("127.0.0.1", 80, facade.AF_UNSPEC, facade.SOCK_STREAM, 0, facade.AI_NUMERICHOST); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetAddrInfo_Localhost(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := facade.GetAddrInfo("localhost", 80, facade.AF_UNSPEC, facade.SOCK_STREAM, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetNameInfo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := facade.GetNameInfo(facade.InetAddress{Host: "127.0.0.1", Port: 80}, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetServByName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := facade.GetServByName("http", "tcp"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetHostByNameEx(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := facade.GetHostByNameEx("localhost"); err != nil {
			b.Fatal(err)
		}
	}
}
