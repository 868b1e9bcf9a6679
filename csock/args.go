//go:build linux && cgo

package csock

import "C"

import (
	"bytes"
	"syscall"
)

// The checks every argument goes through before it is converted for C. A Go int is
// converted with C.int, which keeps its low 32 bits (1<<32 + fd is fd, and 1<<32 +
// AF_INET6 is AF_INET6 after a length check made on the whole value), and a Go byte slice
// is handed to C as a C string, which ends at its first NUL ("127.0.0.1\x00evil" is
// 127.0.0.1): both are refused here, at the cost of a compare and an IndexByte.

// cint reports whether v survives the conversion to a C int unchanged.
func cint(v int) bool { return v == int(C.int(v)) }

// fdArgs checks the ints of a descriptor call: EBADF when fd is not a C int (no
// descriptor has that number), EINVAL when one of args is not.
func fdArgs(fd int, args ...int) error {
	if !cint(fd) {
		return syscall.EBADF
	}
	for _, a := range args {
		if !cint(a) {
			return syscall.EINVAL
		}
	}
	return nil
}

// hasNUL reports whether b holds a NUL byte, which would end its C string early.
func hasNUL(b []byte) bool { return bytes.IndexByte(b, 0) >= 0 }

// validPort reports whether p is a port number: 0 to 65535.
func validPort(p int) bool { return uint(p) <= 0xffff }
