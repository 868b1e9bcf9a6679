//go:build linux && cgo

package csock

/*
#cgo LDFLAGS: -lresolv
#cgo noescape csock_res_nsearch_bytes
#cgo nocallback csock_res_nsearch_bytes
#include <netdb.h>
#include "csock.h"

// Byte buffers cross as char *, not void *: see csock_recv_bytes in socket.go.
static inline int csock_res_nsearch_bytes(const char *name, int rclass, int type, char *answer,
		int anslen, int *len, csock_rstatus *st) {
	return csock_res_nsearch(name, rclass, type, (unsigned char *)answer, anslen, len, st);
}
*/
import "C"

import (
	"math"
	"syscall"
	"unsafe"
)

// The h_errno values of netdb.h: the Code of an *HError.
const (
	NETDB_INTERNAL = C.NETDB_INTERNAL // see errno
	HOST_NOT_FOUND = C.HOST_NOT_FOUND // no such name (NXDOMAIN, or not in the hosts file)
	TRY_AGAIN      = C.TRY_AGAIN      // no answer, or a server failure: may work later
	NO_RECOVERY    = C.NO_RECOVERY    // a failure that will not go away (REFUSED, FORMERR, ...)
	NO_DATA        = C.NO_DATA        // the name exists but has no record of the type
)

// ResSearch calls res_nsearch(3) for name (nil is the empty name) with class and rtype (1
// = C_IN; 33 = T_SRV, 15 = T_MX, ...), on a resolver state of its own made by res_ninit(3)
// and released by res_nclose(3), so resolv.conf's search list, ndots, timeout and attempts
// apply. The name server's reply is written to answer and n is its length: n above
// len(answer) means the reply did not fit and answer holds its first len(answer) bytes.
//
// When res_nsearch fails the error is an *HError with the state's h_errno
// (HOST_NOT_FOUND for NXDOMAIN, NO_DATA, TRY_AGAIN for a server failure or no answer,
// NO_RECOVERY) and errno; when res_ninit fails, its syscall.Errno. st (may be nil)
// receives the thread's h_errno.
//
// Without a call: a class or rtype beyond a C int is what glibc says for one beyond 16
// bits, *HError NO_RECOVERY; a name holding a NUL byte is a name no server has,
// HOST_NOT_FOUND (st says h_errno was set to either).
func ResSearch(name []byte, class, rtype int, answer []byte, st *Status) (n int, err error) {
	if !cint(class) || !cint(rtype) {
		return 0, hostFault(&HError{Code: NO_RECOVERY}, st)
	}
	if hasNUL(name) {
		return 0, hostFault(&HError{Code: HOST_NOT_FOUND}, st)
	}
	var s scratch
	var cst C.csock_rstatus
	var length C.int
	anslen := len(answer)
	if anslen > math.MaxInt32 {
		anslen = math.MaxInt32
	}
	rc := C.csock_res_nsearch_bytes(cstrNonNil(name, s.host[:]), C.int(class), C.int(rtype),
		(*C.char)(unsafe.Pointer(unsafe.SliceData(answer))), C.int(anslen), &length, &cst)
	st.set(&cst)
	switch {
	case rc == 0:
		return int(length), nil
	case rc == C.CSOCK_NOTFOUND:
		return 0, &HError{Code: int(cst.herr), Errno: syscall.Errno(cst.syserr)}
	default:
		return 0, errno(rc)
	}
}
