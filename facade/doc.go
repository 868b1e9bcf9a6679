// Package facade is CPython's socket module in Go, on top of libc through the csock
// binding: the same functions, address tuples, errors and timeout behaviour.
//
// # Resolver: bounded threads and cancellation
//
// getaddrinfo, getnameinfo, gethostbyname_r and gethostbyaddr_r block an OS thread inside
// libc for as long as a lookup takes, seconds when a name server is slow. The facade
// bounds how many of them are in libc at once, process-wide: SetMaxLookups sets the bound
// (DefaultMaxLookups until then), the one setting of the resolver. A call beyond it waits
// for a slot; the Context functions stop waiting when their context ends. Numeric hosts,
// which libc answers without a lookup, take no slot.
//
// Which path a getaddrinfo takes:
//
//   - GetAddrInfo and the other functions without a context, and the Context functions
//     given a context whose Done is nil: getaddrinfo(3) on the calling goroutine, whose OS
//     thread waits in libc. It is the cheapest path per call, and up to the bound run at
//     once.
//   - GetAddrInfoContext (and the getaddrinfo inside GetHostByNameContext,
//     GetHostByNameExContext and GetHostByAddrContext) with a context that can end:
//     glibc's getaddrinfo_a(3). The goroutine waits without a thread; glibc runs at most 20
//     lookups at once on its own threads, and the facade lets 8 more wait in glibc's queue
//     (the others wait for their turn in the facade, still within the bound). When the
//     context ends the call returns at once: a lookup waiting in the facade never starts,
//     gai_cancel(3) takes one out of glibc's queue, so neither reaches a name server; a
//     running one finishes in libc, keeping its slot. Each end costs glibc a thread
//     creation, which makes this path several times slower per call than the synchronous
//     one, and 20 at once is its ceiling: it is worth it only where the call may be
//     cancelled. While glibc's 20 threads all run lookups no one waits for any more, a
//     lookup would only queue behind them: it then runs synchronously on a goroutine of its
//     own (below) instead.
//   - Numeric hosts and AI_NUMERICHOST: the synchronous call, without a slot.
//
// getnameinfo, gethostbyname_r and gethostbyaddr_r have no asynchronous form: their
// Context functions run the blocking call on a goroutine of its own, in a slot, and
// return when the context ends; the call keeps its thread and its slot until libc
// returns.
//
// A lookup whose callers have all left while libc still runs it is not wasted: until it
// ends, every Context call asking the same question (same function, same arguments) waits
// for its answer instead of starting another lookup. So callers that give up on a name
// the name server does not answer, again and again, hold one thread for it, not one per
// call, and lookups of other names keep being answered. (While its first caller waits,
// a lookup is its own: other callers make lookups of their own, as CPython's threads
// would.)
//
// An asynchronous lookup does not update the h_errno that a later socket.herror reports
// (it ran on glibc's thread); everything else it returns is what the synchronous call
// returns, flattened by the same shim code.
package facade
