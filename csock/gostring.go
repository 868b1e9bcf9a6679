//go:build linux && cgo

package csock

/*
#include <sys/types.h>
*/
import "C"

import (
	"bytes"
	"unsafe"
)

// goString copies the NUL-terminated text at the start of buf (all of buf if it holds no
// NUL) into a Go string.
//
// The binding reads the text libc wrote into its own fixed buffers with this rather than
// C.GoString: cgo's helper hands the pointer to the runtime through a function escape
// analysis cannot see into, so every buffer it reads (a 1 KiB host name, a csock_addr per
// accepted connection) is moved to the heap, one allocation per call. Read here, the
// buffers stay on the stack.
func goString(buf []C.char) string {
	if len(buf) == 0 {
		return ""
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf))
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// goStringN copies the first n bytes of buf into a Go string; like goString, it keeps buf
// on the stack where C.GoStringN would move it to the heap.
func goStringN[N C.int | C.ssize_t | int](buf []C.char, n N) string {
	return string(unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf))[:n])
}

// goBytes copies the n bytes at p into a new slice; like goString, it keeps the memory at
// p on the stack where C.GoBytes would move it to the heap.
func goBytes(p unsafe.Pointer, n int) []byte {
	return bytes.Clone(unsafe.Slice((*byte)(p), n))
}
