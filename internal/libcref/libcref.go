//go:build linux

// Package libcref calls libc's address conversions directly, without the C shim, the
// csock binding or the facade in between: the reference that differential tests and fuzz
// targets compare the facade with. It is for tests; nothing else imports it.
package libcref

/*
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

// ref_inet_pton returns inet_pton's result and sets *err to errno when it is -1.
static int ref_inet_pton(int af, const char *src, unsigned char *dst, int *err) {
	errno = 0;
	int r = inet_pton(af, src, dst);
	*err = r < 0 ? errno : 0;
	return r;
}

// ref_inet_ntop returns 0 and the text in dst, or -1 with *err set to errno.
static int ref_inet_ntop(int af, const unsigned char *src, char *dst, socklen_t len, int *err) {
	errno = 0;
	if (inet_ntop(af, src, dst, len) == NULL) {
		*err = errno;
		return -1;
	}
	*err = 0;
	return 0;
}

static int ref_inet_aton(const char *src, unsigned char *dst) {
	struct in_addr a;
	int r = inet_aton(src, &a);
	if (r != 0)
		memcpy(dst, &a, 4);
	return r;
}
*/
import "C"

import (
	"bytes"
	"syscall"
	"unsafe"
)

// InetPton calls inet_pton(3) on the C string src (which must not hold a NUL): ret is 1
// with the address in dst[:4] or dst[:16], 0 for a malformed address, -1 with errno set
// for an unsupported family.
func InetPton(family int32, src []byte) (ret int, dst [16]byte, errno syscall.Errno) {
	if bytes.IndexByte(src, 0) >= 0 {
		panic("libcref.InetPton: NUL in the address text")
	}
	cs := C.CString(string(src))
	defer C.free(unsafe.Pointer(cs))
	out := (*C.uchar)(C.malloc(16))
	defer C.free(unsafe.Pointer(out))
	C.memset(unsafe.Pointer(out), 0, 16)
	var e C.int
	r := C.ref_inet_pton(C.int(family), cs, out, &e)
	copy(dst[:], C.GoBytes(unsafe.Pointer(out), 16))
	return int(r), dst, syscall.Errno(e)
}

// InetNtop calls inet_ntop(3) on the first 4 (AF_INET) or 16 bytes of src, which is
// zero-padded to 16 bytes, with a buffer of INET6_ADDRSTRLEN bytes; a failure is errno.
func InetNtop(family int32, src []byte) (string, syscall.Errno) {
	in := (*C.uchar)(C.malloc(16))
	defer C.free(unsafe.Pointer(in))
	C.memset(unsafe.Pointer(in), 0, 16)
	if len(src) > 16 {
		src = src[:16]
	}
	if len(src) > 0 {
		C.memcpy(unsafe.Pointer(in), unsafe.Pointer(&src[0]), C.size_t(len(src)))
	}
	buf := (*C.char)(C.malloc(C.INET6_ADDRSTRLEN))
	defer C.free(unsafe.Pointer(buf))
	var e C.int
	if C.ref_inet_ntop(C.int(family), in, buf, C.INET6_ADDRSTRLEN, &e) != 0 {
		return "", syscall.Errno(e)
	}
	return C.GoString(buf), 0
}

// InetAton calls inet_aton(3) on the C string src (which must not hold a NUL); ok is
// false when it rejects src.
func InetAton(src []byte) (ip [4]byte, ok bool) {
	if bytes.IndexByte(src, 0) >= 0 {
		panic("libcref.InetAton: NUL in the address text")
	}
	cs := C.CString(string(src))
	defer C.free(unsafe.Pointer(cs))
	out := (*C.uchar)(C.malloc(4))
	defer C.free(unsafe.Pointer(out))
	if C.ref_inet_aton(cs, out) == 0 {
		return ip, false
	}
	copy(ip[:], C.GoBytes(unsafe.Pointer(out), 4))
	return ip, true
}
