//go:build linux && cgo

// Package csock is the cgo binding of the csock C shim (csock.h and csock.c at the
// repository root): one Go function per shim function, each crossing into C exactly once.
//
// The binding holds no policy. It adds no defaults, retries nothing (EINTR and EAGAIN are
// returned to the caller) and waits for nothing: descriptors are used exactly as the caller
// made them, blocking or not. The shim itself adds SOCK_CLOEXEC to every descriptor it
// creates and MSG_NOSIGNAL to every send, so a dead peer is EPIPE, never SIGPIPE.
//
// Errors: a failed system call returns its errno as a syscall.Errno, so
// errors.Is(err, syscall.ECONNREFUSED) works; getaddrinfo and getnameinfo failures are
// *GaiError (the EAI_* code, plus errno for EAI_SYSTEM); gethostbyname and gethostbyaddr
// failures are *HError (h_errno); lookups that find no entry return ErrNotFound.
//
// Memory: byte slices are passed to C without copying, and C never keeps them.
//
// Bad input is an error, never a truncated value, a panic or a crash; the checks cost a
// compare, or an IndexByte, and are made before the one crossing into C:
//   - An int argument that C would receive cut to 32 bits is refused: a descriptor beyond
//     a C int is EBADF (no descriptor has that number), any other int EINVAL. The resolver
//     calls answer in their own error type, with what libc says for a bad value of that
//     argument (EAI_FAMILY for a family, ...): each doc comment says which.
//   - A byte slice passed as a C string may not hold a NUL byte, which would end the
//     string there ("127.0.0.1\x00evil" would be 127.0.0.1): the call fails as for a name
//     libc cannot find or a text it cannot parse (EAI_NONAME, ErrNotFound, ok false, ...),
//     as each doc comment says.
//   - Ports are 0 to 65535: another Addr.Port is EINVAL (see Addr).
//   - A nil *Addr given for output means "do not decode" (Accept, GetSockName,
//     GetPeerName, RecvFrom, RecvMsg); given for input it is EINVAL (Bind, Connect,
//     ConnectNowait) or, where C takes a NULL address, that (SendTo, SendMsg: the connected
//     peer); GetNameInfo says EAI_FAMILY.
//
// Rejecting other values (a port CPython would not take, ...) with the words a caller
// needs is the caller's business (the facade package does it with CPython's messages).
//
// Asynchronous lookups: GetAddrInfoAsync queues getaddrinfo for glibc's getaddrinfo_a(3)
// threads and waits, without holding an OS thread, for the completion callback (a
// SIGEV_THREAD notification whose userdata is a github.com/mattn/go-pointer handle,
// released exactly once) or for its context to end, when gai_cancel(3) takes a lookup still
// queued out of glibc's queue. Its steps are exported one by one for callers that keep a
// request beyond one waiter (StartGetAddrInfo, then GaiRequest's Done, Cancel, Result and
// Abandon: one Go call per shim call). When to use them, and how many lookups to let into
// libc at once, is the caller's policy (the facade's).
//
// Addresses: input addresses are Addr values, encoded into a sockaddr here; output
// addresses are decoded by the shim: IPv6 text by libc's inet_ntop (glibc prints
// "::1.2.3.4" where Go's net/netip print "::102:304"), IPv4 dotted quads by the shim
// itself, byte for byte what inet_ntop writes (tested for every octet value) without its
// sprintf.
package csock
