package seam

import (
	"syscall"
	"testing"
)

// BenchmarkHook_Unset is what a path pays for its hook when no test set one: the load and
// the nil check, inlined (compare BenchmarkHook_Set, an out-of-line call).
func BenchmarkHook_Unset(b *testing.B) {
	var h Hook
	for i := 0; i < b.N; i++ {
		if err := h.Check(OpRecv, i); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHook_Set is the cost of asking a hook's function that lets every call through.
func BenchmarkHook_Set(b *testing.B) {
	var h Hook
	defer h.Set(func(c Call) error {
		if c.FD < 0 {
			return syscall.EINTR
		}
		return nil
	})()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := h.Check(OpRecv, i); err != nil {
			b.Fatal(err)
		}
	}
}
