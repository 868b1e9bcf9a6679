//go:build linux && cgo

package csock

/*
#cgo noescape csock_strerror
#cgo nocallback csock_strerror
#include "csock.h"
*/
import "C"

import (
	"errors"
	"math"
	"strconv"
	"syscall"
)

// ErrNotFound is returned by the lookups (getservbyname, getservbyport, getprotobyname,
// if_nametoindex) when libc reports no entry rather than an error.
var ErrNotFound = errors.New("csock: not found")

// errno turns a shim return value -e into the syscall.Errno e. Converting a small Errno to
// an error does not allocate.
func errno[T C.int | C.ssize_t](r T) error {
	return syscall.Errno(-r)
}

// GaiError is a failed getaddrinfo(3) or getnameinfo(3): the EAI_* code, and for EAI_SYSTEM
// the errno of the call that failed.
type GaiError struct {
	Code  int           // EAI_* (negative on glibc)
	Errno syscall.Errno // errno for EAI_SYSTEM, 0 otherwise
}

// Error returns libc's gai_strerror(3) text for the code.
func (e *GaiError) Error() string { return GaiStrerror(e.Code) }

// Unwrap returns the errno behind EAI_SYSTEM, or nil.
func (e *GaiError) Unwrap() error {
	if e.Code == EAI_SYSTEM && e.Errno != 0 {
		return e.Errno
	}
	return nil
}

// HError is a gethostbyname_r(3) or gethostbyaddr_r(3) call that returned no entry: the
// h_errno it set (HOST_NOT_FOUND = 1, TRY_AGAIN = 2, NO_RECOVERY = 3, NO_DATA = 4, or
// NETDB_INTERNAL = -1) and the errno of the call.
type HError struct {
	Code  int
	Errno syscall.Errno
}

// Error returns libc's hstrerror(3) text for the code.
func (e *HError) Error() string { return HStrerror(e.Code) }

// Unwrap returns the errno behind NETDB_INTERNAL, or nil.
func (e *HError) Unwrap() error {
	if e.Code == -1 && e.Errno != 0 {
		return e.Errno
	}
	return nil
}

// GaiStrerror returns gai_strerror(3) for an EAI_* code. A code beyond a C int is no
// EAI_* code: its text is glibc's for an unknown one ("Unknown error").
func GaiStrerror(code int) string {
	return C.GoString(C.csock_gai_strerror(cintClamp(code)))
}

// HStrerror returns hstrerror(3) for an h_errno value. A value beyond a C int is no
// h_errno: its text is glibc's for an unknown one of its sign ("Resolver internal error"
// below zero, "Unknown resolver error" above).
func HStrerror(code int) string {
	return C.GoString(C.csock_hstrerror(cintClamp(code)))
}

// cintClamp is v as a C int, the nearest bound when v is beyond them: for the text
// functions, whose libc answer is the same for every unknown value on one side of zero.
func cintClamp(v int) C.int {
	return C.int(min(max(v, math.MinInt32), math.MaxInt32))
}

// Strerror returns strerror_r(3) for an errno value. A value beyond a C int is no errno:
// its text is glibc's format for an unknown one, "Unknown error " and the number.
func Strerror(errnum int) string {
	if !cint(errnum) {
		return "Unknown error " + strconv.Itoa(errnum)
	}
	var buf [256]C.char
	n := C.csock_strerror(C.int(errnum), &buf[0], C.size_t(len(buf)))
	return goStringN(buf[:], n)
}
