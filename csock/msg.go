//go:build linux && cgo

package csock

/*
#cgo noescape csock_sendmsg_bytes
#cgo nocallback csock_sendmsg_bytes
#cgo noescape csock_recvmsg_bytes
#cgo nocallback csock_recvmsg_bytes
#cgo noescape csock_sendfile
#cgo nocallback csock_sendfile
#cgo noescape csock_sendfile_nowait
#cgo nocallback csock_sendfile_nowait
#cgo noescape csock_sethostname_bytes
#cgo nocallback csock_sethostname_bytes
#cgo nocallback csock_cmsg_len
#cgo nocallback csock_cmsg_space
#include "csock.h"

// As in socket.go, the buffers go to C as char *: cgo checks the Go object around an
// unsafe.Pointer argument as a whole, a char * as a char. The iovec array is checked
// whole, and holds only pinned pointers (see iovecs).
static inline ssize_t csock_sendmsg_bytes(int fd, const struct iovec *iov, int iovcnt,
		const char *control, size_t controllen, const struct sockaddr *sa, socklen_t salen,
		int flags) {
	return csock_sendmsg(fd, iov, iovcnt, control, controllen, sa, salen, flags);
}
static inline ssize_t csock_recvmsg_bytes(int fd, const struct iovec *iov, int iovcnt,
		char *control, size_t *controllen, int flags, int *msg_flags, csock_addr *from) {
	return csock_recvmsg(fd, iov, iovcnt, control, controllen, flags, msg_flags, from);
}
static inline int csock_sethostname_bytes(const char *name, size_t len) {
	return csock_sethostname(name, len);
}
*/
import "C"

import (
	"runtime"
	"syscall"
	"unsafe"
)

// stackIovecs is how many buffers SendMsg and RecvMsg describe without allocating: the
// iovec array lives on the stack up to this count, on the heap beyond.
const stackIovecs = 8

// iovecs describes bufs in iov (reusing its storage when it is large enough) and pins
// each non-empty buffer with pin, so that the array, Go memory holding Go pointers, may be
// passed to C: cgo allows pinned pointers there. Pinning also keeps a buffer the caller
// allocated on its stack from moving while C uses it (a pinned object lives on the heap).
// Empty buffers get a nil base. The caller unpins once C has returned.
func iovecs(iov []C.struct_iovec, bufs [][]byte, pin *runtime.Pinner) []C.struct_iovec {
	if cap(iov) < len(bufs) {
		iov = make([]C.struct_iovec, len(bufs))
	}
	iov = iov[:len(bufs)]
	for i, b := range bufs {
		iov[i] = C.struct_iovec{}
		if len(b) > 0 {
			p := unsafe.Pointer(unsafe.SliceData(b))
			pin.Pin(p)
			iov[i].iov_base = p
			iov[i].iov_len = C.size_t(len(b))
		}
	}
	return iov
}

// msgArgs checks the ints of SendMsg and RecvMsg (see fdArgs); more buffers than a C int
// counts is the shim's EMSGSIZE for more than IOV_MAX.
func msgArgs(fd, flags, nbufs int) error {
	if err := fdArgs(fd, flags); err != nil {
		return err
	}
	if !cint(nbufs) {
		return syscall.EMSGSIZE
	}
	return nil
}

// iovecPtr is &iov[0], or nil for no buffers.
func iovecPtr(iov []C.struct_iovec) *C.struct_iovec {
	if len(iov) == 0 {
		return nil
	}
	return &iov[0]
}

// bytesPtr is the data pointer of b as a char *, nil for an empty or nil slice.
func bytesPtr(b []byte) *C.char {
	if len(b) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(unsafe.SliceData(b)))
}

// SendMsg calls sendmsg(2) (see also cmsg(3)): one message gathered from bufs in order,
// with the ancillary data control (cmsghdr records laid out with CMSGLen and CMSGSpace;
// nil for none), to the address to (nil: the connected peer), with MSG_NOSIGNAL added to
// flags. It returns the number of bytes of bufs sent.
//
// One crossing into C: the iovec array is built here, on the stack for up to 8 buffers,
// from the buffers pinned for the duration of the call. Nothing is copied.
func SendMsg(fd int, bufs [][]byte, control []byte, to *Addr, flags int) (int, error) {
	if err := msgArgs(fd, flags, len(bufs)); err != nil {
		return 0, err
	}
	var ss C.struct_sockaddr_storage
	var sa *C.struct_sockaddr
	var salen C.socklen_t
	if to != nil {
		n, err := to.sockaddr(&ss)
		if err != nil {
			return 0, err
		}
		sa, salen = (*C.struct_sockaddr)(unsafe.Pointer(&ss)), n
	}
	var pin runtime.Pinner
	var small [stackIovecs]C.struct_iovec
	iov := iovecs(small[:0], bufs, &pin)
	r := C.csock_sendmsg_bytes(C.int(fd), iovecPtr(iov), C.int(len(iov)), bytesPtr(control),
		C.size_t(len(control)), sa, salen, C.int(flags))
	pin.Unpin()
	if r < 0 {
		return 0, errno(r)
	}
	return int(r), nil
}

// RecvMsg calls recvmsg(2) (see also cmsg(3)): one message scattered into bufs in order,
// its ancillary data into control (nil: none is received; a message that had some then
// reports MSG_CTRUNC). flags are passed as given: MSG_CMSG_CLOEXEC is not added, so
// descriptors received with SCM_RIGHTS are inheritable unless flags has it (CPython's
// recvmsg does not add it either). If from is not nil it receives the sender's address
// (Len 0 when the kernel reported none).
//
// It returns the number of bytes received (0 at the end of a stream), the number of
// bytes of control the kernel wrote (parse them with the cmsg(3) layout; a record cut
// short by a full buffer comes with MSG_CTRUNC), and the message's flags (MSG_TRUNC,
// MSG_CTRUNC, MSG_EOR, ...).
//
// One crossing into C, nothing copied: as for SendMsg.
func RecvMsg(fd int, bufs [][]byte, control []byte, flags int, from *Addr) (n, controlLen, msgFlags int, err error) {
	if err := msgArgs(fd, flags, len(bufs)); err != nil {
		return 0, 0, 0, err
	}
	var c C.csock_addr
	var cp *C.csock_addr
	if from != nil {
		cp = &c
	}
	var pin runtime.Pinner
	var small [stackIovecs]C.struct_iovec
	iov := iovecs(small[:0], bufs, &pin)
	clen := C.size_t(len(control))
	var mflags C.int
	r := C.csock_recvmsg_bytes(C.int(fd), iovecPtr(iov), C.int(len(iov)), bytesPtr(control),
		&clen, C.int(flags), &mflags, cp)
	pin.Unpin()
	if r < 0 {
		return 0, 0, 0, errno(r)
	}
	if from != nil {
		from.set(&c)
	}
	return int(r), int(clen), int(mflags), nil
}

// CMSGLen returns CMSG_LEN(length) (cmsg(3)), computed by the C macro: the cmsg_len of a
// control message carrying length bytes of data. ok is false when the result does not fit
// in a size_t. (CPython's socket.CMSG_LEN has narrower bounds, a policy of its own.)
func CMSGLen(length uint64) (n uint64, ok bool) {
	if uint64(C.size_t(length)) != length {
		return 0, false
	}
	r := uint64(C.csock_cmsg_len(C.size_t(length)))
	return r, r != 0
}

// CMSGSpace returns CMSG_SPACE(length) (cmsg(3)), computed by the C macro: the bytes a
// control message carrying length bytes of data takes in a control buffer, padding
// included. ok is false when the result does not fit in a size_t.
func CMSGSpace(length uint64) (n uint64, ok bool) {
	if uint64(C.size_t(length)) != length {
		return 0, false
	}
	r := uint64(C.csock_cmsg_space(C.size_t(length)))
	return r, r != 0
}

// SendFile calls sendfile(2): it copies up to count bytes of the file inFD to outFD (a
// socket). With offset not nil the copy starts at *offset, which advances by the count,
// and inFD's file position is left alone; with nil it starts at the file position, which
// advances. It returns the count, 0 at the end of the file.
//
// sendfile(2) takes no flags, so unlike every send of this package it cannot carry
// MSG_NOSIGNAL: a peer that is gone raises SIGPIPE, which the Go runtime ignores (unless
// os/signal asks for it), and the call fails with EPIPE.
//
// A negative count is EINVAL.
func SendFile(outFD, inFD int, offset *int64, count int) (int, error) {
	return sendFile(outFD, inFD, offset, count, false)
}

// SendFileNowait is SendFile that never waits, whatever outFD's O_NONBLOCK flag: when the
// flag is clear it is set for the call and cleared again (fcntl(2) F_GETFL and F_SETFL
// around sendfile(2)), so a socket without room gives EAGAIN, or the short count of what
// fitted, instead of blocking the thread. sendfile(2) takes no MSG_DONTWAIT, hence the
// flag; a duplicate of outFD sees it set during the call (as for ConnectNowait).
func SendFileNowait(outFD, inFD int, offset *int64, count int) (int, error) {
	return sendFile(outFD, inFD, offset, count, true)
}

// sendFile is SendFile (csock_sendfile) or SendFileNowait (csock_sendfile_nowait).
func sendFile(outFD, inFD int, offset *int64, count int, nowait bool) (int, error) {
	if err := sendFileArgs(outFD, inFD, count); err != nil {
		return 0, err
	}
	var off C.int64_t
	var op *C.int64_t
	if offset != nil {
		off, op = C.int64_t(*offset), &off
	}
	var r C.ssize_t
	if nowait {
		r = C.csock_sendfile_nowait(C.int(outFD), C.int(inFD), op, C.size_t(count))
	} else {
		r = C.csock_sendfile(C.int(outFD), C.int(inFD), op, C.size_t(count))
	}
	if r < 0 {
		return 0, errno(r)
	}
	if offset != nil {
		*offset = int64(off)
	}
	return int(r), nil
}

// sendFileArgs checks the ints of SendFile and SendFileNowait (see fdArgs): count becomes
// a size_t, so a negative one is EINVAL.
func sendFileArgs(outFD, inFD, count int) error {
	if !cint(outFD) || !cint(inFD) {
		return syscall.EBADF
	}
	if count < 0 {
		return syscall.EINVAL
	}
	return nil
}

// SetHostName calls sethostname(2) with the bytes of name (no NUL needed). It needs
// CAP_SYS_ADMIN in the process's UTS namespace (EPERM otherwise); a name beyond 64 bytes
// is EINVAL.
func SetHostName(name []byte) error {
	if r := C.csock_sethostname_bytes(bytesPtr(name), C.size_t(len(name))); r < 0 {
		return errno(r)
	}
	return nil
}
