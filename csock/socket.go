//go:build linux && cgo

package csock

/*
#cgo CFLAGS: -O2 -Wall -Wextra -Werror
#cgo noescape csock_socketpair
#cgo nocallback csock_socketpair
#cgo noescape csock_bind
#cgo nocallback csock_bind
#cgo noescape csock_connect
#cgo nocallback csock_connect
#cgo noescape csock_accept
#cgo nocallback csock_accept
#cgo noescape csock_accept_nowait
#cgo nocallback csock_accept_nowait
#cgo noescape csock_connect_nowait
#cgo nocallback csock_connect_nowait
#cgo nocallback csock_poll
#cgo noescape csock_fdid
#cgo nocallback csock_fdid
#cgo noescape csock_getsockname
#cgo nocallback csock_getsockname
#cgo noescape csock_getpeername
#cgo nocallback csock_getpeername
#cgo noescape csock_getsockopt_int
#cgo nocallback csock_getsockopt_int
#cgo noescape csock_sockinfo
#cgo nocallback csock_sockinfo
#cgo nocallback csock_socket
#cgo nocallback csock_close
#cgo nocallback csock_shutdown
#cgo nocallback csock_listen
#cgo nocallback csock_setsockopt_int
#cgo nocallback csock_dup
#cgo nocallback csock_get_nonblock
#cgo nocallback csock_get_status_flags
#cgo nocallback csock_set_nonblock
#cgo nocallback csock_get_cloexec
#cgo nocallback csock_set_cloexec
#include <fcntl.h>
#include <poll.h>
#include "csock.h"

// The buffers are passed as char *, not void *: cgo checks the whole Go object around an
// unsafe.Pointer argument for Go pointers, so a buffer inside a struct that holds pointers
// (net/http's connReader.byteBuf) would make the call panic; a char * is checked as a
// char, which holds none.
#cgo noescape csock_recv_bytes
#cgo nocallback csock_recv_bytes
#cgo noescape csock_recvfrom_bytes
#cgo nocallback csock_recvfrom_bytes
#cgo noescape csock_send_bytes
#cgo nocallback csock_send_bytes
#cgo noescape csock_sendto_bytes
#cgo nocallback csock_sendto_bytes
#cgo noescape csock_getsockopt_bytes
#cgo nocallback csock_getsockopt_bytes
#cgo noescape csock_setsockopt_bytes
#cgo nocallback csock_setsockopt_bytes
static inline int csock_getsockopt_bytes(int fd, int level, int option, char *buf, socklen_t len) {
	return csock_getsockopt(fd, level, option, buf, len);
}
static inline int csock_setsockopt_bytes(int fd, int level, int option, const char *buf, socklen_t len) {
	return csock_setsockopt(fd, level, option, buf, len);
}
static inline ssize_t csock_recv_bytes(int fd, char *buf, size_t len, int flags) {
	return csock_recv(fd, buf, len, flags);
}
static inline ssize_t csock_recvfrom_bytes(int fd, char *buf, size_t len, int flags, csock_addr *from) {
	return csock_recvfrom(fd, buf, len, flags, from);
}
static inline ssize_t csock_send_bytes(int fd, const char *buf, size_t len, int flags) {
	return csock_send(fd, buf, len, flags);
}
static inline ssize_t csock_sendto_bytes(int fd, const char *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen) {
	return csock_sendto(fd, buf, len, flags, to, tolen);
}
*/
import "C"

import (
	"syscall"
	"unsafe"

	"github.com/csock/csock/internal/seam"
)

// Socket calls socket(2) with SOCK_CLOEXEC added to typ and returns the descriptor.
func Socket(family, typ, proto int) (int, error) {
	if !cint(family) || !cint(typ) || !cint(proto) {
		return -1, syscall.EINVAL
	}
	if err := seam.SocketHook.Check(seam.OpSocket, -1); err != nil {
		return -1, err
	}
	r := C.csock_socket(C.int(family), C.int(typ), C.int(proto))
	if r < 0 {
		return -1, errno(r)
	}
	return int(r), nil
}

// SocketPair calls socketpair(2) with SOCK_CLOEXEC added to typ.
func SocketPair(family, typ, proto int) ([2]int, error) {
	if !cint(family) || !cint(typ) || !cint(proto) {
		return [2]int{-1, -1}, syscall.EINVAL
	}
	if err := seam.SocketPairHook.Check(seam.OpSocketPair, -1); err != nil {
		return [2]int{-1, -1}, err
	}
	var fds [2]C.int
	r := C.csock_socketpair(C.int(family), C.int(typ), C.int(proto), &fds[0])
	if r < 0 {
		return [2]int{-1, -1}, errno(r)
	}
	return [2]int{int(fds[0]), int(fds[1])}, nil
}

// Close calls close(2) once; it is not retried on EINTR (the descriptor is gone anyway).
func Close(fd int) error {
	if err := fdArgs(fd); err != nil {
		return err
	}
	if r := C.csock_close(C.int(fd)); r < 0 {
		return errno(r)
	}
	return nil
}

// Shutdown calls shutdown(2).
func Shutdown(fd, how int) error {
	if err := fdArgs(fd, how); err != nil {
		return err
	}
	if r := C.csock_shutdown(C.int(fd), C.int(how)); r < 0 {
		return errno(r)
	}
	return nil
}

// Bind calls bind(2) with addr; a nil addr is EINVAL.
func Bind(fd int, addr *Addr) error {
	if err := fdArgs(fd); err != nil {
		return err
	}
	var ss C.struct_sockaddr_storage
	n, err := addr.sockaddr(&ss)
	if err != nil {
		return err
	}
	if r := C.csock_bind(C.int(fd), (*C.struct_sockaddr)(unsafe.Pointer(&ss)), n); r < 0 {
		return errno(r)
	}
	return nil
}

// Listen calls listen(2).
func Listen(fd, backlog int) error {
	if err := fdArgs(fd, backlog); err != nil {
		return err
	}
	if r := C.csock_listen(C.int(fd), C.int(backlog)); r < 0 {
		return errno(r)
	}
	return nil
}

// Connect calls connect(2) once with addr (nil is EINVAL). On a non-blocking descriptor EINPROGRESS is
// returned as is; so is EINTR.
func Connect(fd int, addr *Addr) error { return connect(fd, addr, false) }

// ConnectNowait is the connect of a caller that would otherwise block, without ever
// waiting, whatever fd's O_NONBLOCK flag: when the flag is clear it is set for the call
// and cleared again (fcntl(2) F_GETFL and F_SETFL around connect(2)). When connect(2) says
// EINPROGRESS it asks once more, so the result is nil once connected, EINPROGRESS while
// the connection is pending (instead of a thread blocked in the kernel), or the error it
// failed with. A nil addr is EINVAL.
func ConnectNowait(fd int, addr *Addr) error { return connect(fd, addr, true) }

// connect is Connect (csock_connect) or ConnectNowait (csock_connect_nowait). The
// ConnectHook's EINTR lets the call happen and replaces its success or EINPROGRESS, as a
// signal arriving during connect(2) would.
func connect(fd int, addr *Addr, nowait bool) error {
	if err := fdArgs(fd); err != nil {
		return err
	}
	var ss C.struct_sockaddr_storage
	n, err := addr.sockaddr(&ss)
	if err != nil {
		return err
	}
	fault := seam.ConnectHook.Check(seam.OpConnect, fd)
	if fault != nil && fault != syscall.EINTR {
		return fault
	}
	sa := (*C.struct_sockaddr)(unsafe.Pointer(&ss))
	var r C.int
	if nowait {
		r = C.csock_connect_nowait(C.int(fd), sa, n)
	} else {
		r = C.csock_connect(C.int(fd), sa, n)
	}
	if fault != nil && (r == 0 || r == -C.int(syscall.EINPROGRESS)) {
		return fault
	}
	if r < 0 {
		return errno(r)
	}
	return nil
}

// FDID returns the device and inode numbers of the open file fd refers to (fstat(2)): the
// same pair for every descriptor of one socket, a different one for another socket.
func FDID(fd int) (dev, ino uint64, err error) {
	if err := fdArgs(fd); err != nil {
		return 0, 0, err
	}
	var d, i C.uint64_t
	if r := C.csock_fdid(C.int(fd), &d, &i); r < 0 {
		return 0, 0, errno(r)
	}
	return uint64(d), uint64(i), nil
}

// The events of Poll, from <poll.h>.
const (
	POLLIN   = C.POLLIN   // data to read (or a connection to accept)
	POLLPRI  = C.POLLPRI  // urgent data to read
	POLLOUT  = C.POLLOUT  // room to write
	POLLERR  = C.POLLERR  // an error is pending (always reported)
	POLLHUP  = C.POLLHUP  // hung up (always reported)
	POLLNVAL = C.POLLNVAL // fd is not open (always reported)
)

// Poll calls poll(2) for the one descriptor fd and events, waiting at most timeoutMS
// milliseconds (0: look without waiting; -1: no limit; a wait holds the calling thread),
// EINTR retried. It returns the events that occurred, 0 when none did in time; POLLERR,
// POLLHUP and POLLNVAL are reported whatever events asks. events beyond the 16 bits of
// pollfd's events field are EINVAL.
func Poll(fd, events, timeoutMS int) (int, error) {
	if err := fdArgs(fd, events, timeoutMS); err != nil {
		return 0, err
	}
	r := C.csock_poll(C.int(fd), C.int(events), C.int(timeoutMS))
	if r < 0 {
		return 0, errno(r)
	}
	return int(r), nil
}

// Accept calls accept4(2) with SOCK_CLOEXEC added to flags (flags may add SOCK_NONBLOCK)
// and returns the new descriptor. If peer is not nil it receives the peer's address.
func Accept(fd int, flags int, peer *Addr) (int, error) { return accept(fd, flags, peer, false) }

// AcceptNowait is Accept without ever waiting, whatever fd's O_NONBLOCK flag: poll(2) for
// POLLIN with a zero timeout, EAGAIN when no connection is pending on a listening socket,
// else accept4(2), which on a socket that is not listening fails at once (EINVAL,
// EOPNOTSUPP) as a blocking accept does (csock_accept_nowait).
func AcceptNowait(fd int, flags int, peer *Addr) (int, error) {
	return accept(fd, flags, peer, true)
}

// accept is Accept (csock_accept) or AcceptNowait (csock_accept_nowait).
func accept(fd int, flags int, peer *Addr, nowait bool) (int, error) {
	if err := fdArgs(fd, flags); err != nil {
		return -1, err
	}
	if err := seam.AcceptHook.Check(seam.OpAccept, fd); err != nil {
		return -1, err
	}
	var c C.csock_addr
	var cp *C.csock_addr
	if peer != nil {
		cp = &c
	}
	var r C.int
	if nowait {
		r = C.csock_accept_nowait(C.int(fd), cp, C.int(flags))
	} else {
		r = C.csock_accept(C.int(fd), cp, C.int(flags))
	}
	if r < 0 {
		return -1, errno(r)
	}
	if peer != nil {
		peer.set(&c)
	}
	return int(r), nil
}

// GetSockName calls getsockname(2) and decodes the address into addr; with a nil addr
// the call is made (its error reported) and the address not decoded.
func GetSockName(fd int, addr *Addr) error {
	if err := fdArgs(fd); err != nil {
		return err
	}
	var c C.csock_addr
	if r := C.csock_getsockname(C.int(fd), &c); r < 0 {
		return errno(r)
	}
	if addr != nil {
		addr.set(&c)
	}
	return nil
}

// GetPeerName calls getpeername(2) and decodes the address into addr; with a nil addr
// the call is made (its error reported: ENOTCONN, ...) and the address not decoded.
func GetPeerName(fd int, addr *Addr) error {
	if err := fdArgs(fd); err != nil {
		return err
	}
	var c C.csock_addr
	if r := C.csock_getpeername(C.int(fd), &c); r < 0 {
		return errno(r)
	}
	if addr != nil {
		addr.set(&c)
	}
	return nil
}

// GetSockOptInt calls getsockopt(2) for an option whose value is a C int.
func GetSockOptInt(fd, level, option int) (int, error) {
	if err := fdArgs(fd, level, option); err != nil {
		return 0, err
	}
	var v C.int
	if r := C.csock_getsockopt_int(C.int(fd), C.int(level), C.int(option), &v); r < 0 {
		return 0, errno(r)
	}
	return int(v), nil
}

// SetSockOptInt calls setsockopt(2) with a C int value.
func SetSockOptInt(fd, level, option, value int) error {
	if err := fdArgs(fd, level, option, value); err != nil {
		return err
	}
	if r := C.csock_setsockopt_int(C.int(fd), C.int(level), C.int(option), C.int(value)); r < 0 {
		return errno(r)
	}
	return nil
}

// GetSockOpt calls getsockopt(2) with buf as the value buffer and returns the length the
// kernel reported. A buf longer than the kernel's int optlen can say is EINVAL.
func GetSockOpt(fd, level, option int, buf []byte) (int, error) {
	if err := fdArgs(fd, level, option, len(buf)); err != nil {
		return 0, err
	}
	r := C.csock_getsockopt_bytes(C.int(fd), C.int(level), C.int(option),
		(*C.char)(unsafe.Pointer(unsafe.SliceData(buf))), C.socklen_t(len(buf)))
	if r < 0 {
		return 0, errno(r)
	}
	return int(r), nil
}

// SetSockOpt calls setsockopt(2) with the bytes of value. A value longer than the
// kernel's int optlen can say is EINVAL.
func SetSockOpt(fd, level, option int, value []byte) error {
	if err := fdArgs(fd, level, option, len(value)); err != nil {
		return err
	}
	r := C.csock_setsockopt_bytes(C.int(fd), C.int(level), C.int(option),
		(*C.char)(unsafe.Pointer(unsafe.SliceData(value))), C.socklen_t(len(value)))
	if r < 0 {
		return errno(r)
	}
	return nil
}

// SetSockOptNull calls setsockopt(2) with a NULL value pointer and the given length (what
// CPython's setsockopt(level, option, None, optlen) does).
func SetSockOptNull(fd, level, option int, optlen uint32) error {
	if err := fdArgs(fd, level, option); err != nil {
		return err
	}
	r := C.csock_setsockopt(C.int(fd), C.int(level), C.int(option), nil, C.socklen_t(optlen))
	if r < 0 {
		return errno(r)
	}
	return nil
}

// Recv calls recv(2) into buf and returns the byte count (0 at end of stream).
func Recv(fd int, buf []byte, flags int) (int, error) {
	if err := fdArgs(fd, flags); err != nil {
		return 0, err
	}
	if err := seam.RecvHook.Check(seam.OpRecv, fd); err != nil {
		return 0, err
	}
	r := C.csock_recv_bytes(C.int(fd), (*C.char)(unsafe.Pointer(unsafe.SliceData(buf))), C.size_t(len(buf)), C.int(flags))
	if r < 0 {
		return 0, errno(r)
	}
	return int(r), nil
}

// RecvFrom calls recvfrom(2) into buf; if from is not nil it receives the sender's
// address, decoded in the same call (Len 0 when the kernel reported none).
func RecvFrom(fd int, buf []byte, flags int, from *Addr) (int, error) {
	if err := fdArgs(fd, flags); err != nil {
		return 0, err
	}
	if err := seam.RecvFromHook.Check(seam.OpRecvFrom, fd); err != nil {
		return 0, err
	}
	var c C.csock_addr
	var cp *C.csock_addr
	if from != nil {
		cp = &c
	}
	r := C.csock_recvfrom_bytes(C.int(fd), (*C.char)(unsafe.Pointer(unsafe.SliceData(buf))), C.size_t(len(buf)), C.int(flags), cp)
	if r < 0 {
		return 0, errno(r)
	}
	if from != nil {
		from.set(&c)
	}
	return int(r), nil
}

// Send calls send(2) with MSG_NOSIGNAL added to flags and returns the byte count.
func Send(fd int, buf []byte, flags int) (int, error) {
	if err := fdArgs(fd, flags); err != nil {
		return 0, err
	}
	if err := seam.SendHook.Check(seam.OpSend, fd); err != nil {
		return 0, err
	}
	r := C.csock_send_bytes(C.int(fd), (*C.char)(unsafe.Pointer(unsafe.SliceData(buf))), C.size_t(len(buf)), C.int(flags))
	if r < 0 {
		return 0, errno(r)
	}
	return int(r), nil
}

// SendTo calls sendto(2) to addr with MSG_NOSIGNAL added to flags and returns the byte
// count. A nil addr is sendto(2)'s NULL address, as for SendMsg: the connected peer
// (EDESTADDRREQ on a datagram socket that has none).
func SendTo(fd int, buf []byte, flags int, addr *Addr) (int, error) {
	if err := fdArgs(fd, flags); err != nil {
		return 0, err
	}
	var ss C.struct_sockaddr_storage
	var sa *C.struct_sockaddr
	var n C.socklen_t
	if addr != nil {
		var err error
		if n, err = addr.sockaddr(&ss); err != nil {
			return 0, err
		}
		sa = (*C.struct_sockaddr)(unsafe.Pointer(&ss))
	}
	if err := seam.SendToHook.Check(seam.OpSendTo, fd); err != nil {
		return 0, err
	}
	r := C.csock_sendto_bytes(C.int(fd), (*C.char)(unsafe.Pointer(unsafe.SliceData(buf))), C.size_t(len(buf)), C.int(flags),
		sa, n)
	if r < 0 {
		return 0, errno(r)
	}
	return int(r), nil
}

// Dup calls fcntl(2) F_DUPFD_CLOEXEC: a close-on-exec duplicate of fd.
func Dup(fd int) (int, error) {
	if err := fdArgs(fd); err != nil {
		return -1, err
	}
	r := C.csock_dup(C.int(fd))
	if r < 0 {
		return -1, errno(r)
	}
	return int(r), nil
}

// GetNonblock reports whether O_NONBLOCK is set on fd (fcntl(2) F_GETFL).
func GetNonblock(fd int) (bool, error) {
	if err := fdArgs(fd); err != nil {
		return false, err
	}
	r := C.csock_get_nonblock(C.int(fd))
	if r < 0 {
		return false, errno(r)
	}
	return r == 1, nil
}

// The access modes in GetStatusFlags's result, from <fcntl.h>.
const (
	O_ACCMODE = C.O_ACCMODE // the bits of the access mode
	O_RDONLY  = C.O_RDONLY
	O_WRONLY  = C.O_WRONLY
	O_RDWR    = C.O_RDWR
)

// GetStatusFlags returns fd's access mode (flags&O_ACCMODE: O_RDONLY, O_WRONLY or
// O_RDWR) and status flags (O_NONBLOCK, O_APPEND, ...): fcntl(2) F_GETFL.
func GetStatusFlags(fd int) (int, error) {
	if err := fdArgs(fd); err != nil {
		return 0, err
	}
	r := C.csock_get_status_flags(C.int(fd))
	if r < 0 {
		return 0, errno(r)
	}
	return int(r), nil
}

// SetNonblock sets or clears O_NONBLOCK on fd (fcntl(2) F_GETFL, then F_SETFL if it
// changes).
func SetNonblock(fd int, on bool) error {
	if err := fdArgs(fd); err != nil {
		return err
	}
	if r := C.csock_set_nonblock(C.int(fd), cbool(on)); r < 0 {
		return errno(r)
	}
	return nil
}

// GetCloexec reports whether FD_CLOEXEC is set on fd (fcntl(2) F_GETFD).
func GetCloexec(fd int) (bool, error) {
	if err := fdArgs(fd); err != nil {
		return false, err
	}
	r := C.csock_get_cloexec(C.int(fd))
	if r < 0 {
		return false, errno(r)
	}
	return r == 1, nil
}

// SetCloexec sets or clears FD_CLOEXEC on fd (fcntl(2) F_GETFD, then F_SETFD if it
// changes).
func SetCloexec(fd int, on bool) error {
	if err := fdArgs(fd); err != nil {
		return err
	}
	if r := C.csock_set_cloexec(C.int(fd), cbool(on)); r < 0 {
		return errno(r)
	}
	return nil
}

// SockInfo reads SO_DOMAIN, SO_TYPE and SO_PROTOCOL of fd (getsockopt(2)): what a
// descriptor of unknown origin is.
func SockInfo(fd int) (family, typ, proto int, err error) {
	if err := fdArgs(fd); err != nil {
		return 0, 0, 0, err
	}
	var f, t, p C.int
	if r := C.csock_sockinfo(C.int(fd), &f, &t, &p); r < 0 {
		return 0, 0, 0, errno(r)
	}
	return int(f), int(t), int(p), nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
