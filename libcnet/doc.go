//go:build linux

// Package libcnet gives Go programs libc's resolver in the shape of package net: a
// Resolver with the method set of *net.Resolver and a Dialer whose DialContext returns
// Go's own connections, so that http.Transport, grpc, database drivers and anything else
// taking a *net.Resolver-like value or a dial function get libc's answers unchanged — the
// answers curl, Python and every C program on the machine get.
//
// # Whose answers
//
// Every answer is libc's, in libc's order: getaddrinfo(3) for addresses (nsswitch.conf,
// /etc/hosts with its aliases and line order, RFC 6724 sorting as /etc/gai.conf adjusts
// it), getaddrinfo's AI_CANONNAME for canonical names, gethostbyaddr_r(3) for reverse
// lookups, getservbyname_r(3) for ports, and res_nsearch(3) for SRV, MX, TXT and NS (the
// stub resolver glibc's DNS backend uses, with resolv.conf's search list and options; its
// replies are parsed with golang.org/x/net/dns/dnsmessage). Go's own resolvers, pure or
// cgo, differ from libc in places (cmd/resolvdiff shows where, and why); each method's
// documentation says where libcnet still differs from net.Resolver.
//
// # Errors
//
// Failed lookups return *net.DNSError, as net does, with IsNotFound, IsTimeout and
// IsTemporary set from libc's EAI_* code or h_errno, and libc's own error as its
// UnwrapErr: errors.As(err, &gaiErr) with a *csock.GaiError (getaddrinfo) or a
// *csock.HError (gethostbyaddr_r, res_nsearch) gives the code. A lookup cut short by its
// context returns net's wording ("operation was canceled", "i/o timeout") and
// errors.Is(err, context.Canceled) (or context.DeadlineExceeded) holds.
//
// # Threads, bounds and cancellation
//
// A lookup in libc holds an OS thread until libc returns. At most SetMaxLookups of them
// (DefaultMaxLookups, 64) are in libc at once, process-wide; the others queue, first come
// first served, and never fail for want of a slot. Numeric hosts take no slot.
//
// With a context that can end (ctx.Done() != nil), address lookups go through glibc's
// getaddrinfo_a(3): the goroutine waits without a thread, and when the context ends the
// lookup returns at once, a lookup still queued (in libcnet or in glibc) never reaching a
// name server (gai_cancel(3)). glibc runs at most 20 such lookups at once and creates a
// thread to report each, which makes one lookup several times as costly as a blocking
// getaddrinfo: with context.Background() (or any context whose Done is nil) the blocking
// call is made on the caller's thread instead. gethostbyaddr_r, getservbyname_r and
// res_nsearch have no asynchronous form: with a context that can end they run on a
// goroutine of their own, abandoned (and finishing in the background, in their slot) when
// the context ends, as in Go's cgo resolver.
package libcnet
