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
// Memory: byte slices are passed to C without copying, and C never keeps them. Integer
// arguments are converted to C int as they are; rejecting values outside the C range is the
// caller's business (the facade package does it with CPython's messages).
//
// Asynchronous lookups: GetAddrInfoAsync queues getaddrinfo for glibc's getaddrinfo_a(3)
// threads and waits, without holding an OS thread, for the completion callback (a
// SIGEV_THREAD notification whose userdata is a github.com/mattn/go-pointer handle,
// released exactly once) or for its context to end, when gai_cancel(3) takes a lookup still
// queued out of glibc's queue. Its steps are exported one by one for callers that keep a
// request beyond one waiter (StartGetAddrInfo, then GaiRequest's Done, Cancel, Result and
// Abandon: one Go call per shim call). ReadAsyncStats counts the requests. When to use
// them, and how many lookups to let into libc at once, is the caller's policy (the
// facade's).

// Addresses: input addresses are Addr values, encoded into a sockaddr here; output
// addresses are decoded by the shim: IPv6 text by libc's inet_ntop (glibc prints
// "::1.2.3.4" where Go's net/netip print "::102:304"), IPv4 dotted quads by the shim
// itself, byte for byte what inet_ntop writes (tested for every octet value) without its
// sprintf.
package csock
