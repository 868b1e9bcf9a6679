//go:build linux && cgo

package csock_test

import (
	"testing"

	"github.com/csock/csock/csock"
)

// go test -run '^$' -bench GetAddrInfo ./csock/: the binding's own cost on top of libc's.
func BenchmarkGetAddrInfo_Numeric(b *testing.B) {
	b.ReportAllocs()
	host, port := []byte("127.0.0.1"), []byte("80")
	for b.Loop() {
		if _, err := csock.GetAddrInfo(host, port, csock.AF_UNSPEC, csock.SOCK_STREAM, 0, csock.AI_NUMERICHOST, nil); err != nil {
			b.Fatal(err)
		}
	}
}
