//go:build linux

// Package facade is CPython's socket module in Go, on top of libc through the csock
// binding: the same functions, address tuples, errors and timeout behaviour.
//
// # Quick start
//
// Names are Python's in Go case (getaddrinfo → GetAddrInfo, recv_into → RecvInto,
// create_connection → CreateConnection, socket() → New); constants keep their C names,
// typed where Python uses an enum (AF_INET is an AddressFamily):
//
//	s, err := facade.CreateConnection(py.Tuple{"localhost", 8080}, 5.0, nil, false)
//	if err != nil {
//		fmt.Println(py.FormatException(err.(py.Exception))) // ConnectionRefusedError: [Errno 111] Connection refused
//		return
//	}
//	defer s.Close()
//	s.SendAll([]byte("ping\n"), 0)
//	reply, err := s.Recv(1024, 0)
//
// Errors are CPython's exceptions as Go errors (package py): Error() is the text after
// "Class: " in CPython's traceback, errors.Is(err, syscall.ECONNREFUSED) and errors.Is(err,
// os.ErrDeadlineExceeded) work, a *TimeoutError is a net.Error. For Go code, a *Socket is
// an io.Reader, io.Writer and syscall.Conn, and NetConn, NetListener and PacketConn adapt
// it to net.Conn (with io.ReaderFrom by sendfile(2), WriteBuffers, ReadMsgUnix and
// WriteMsgUnix), net.Listener and net.PacketConn.
//
// # Python values in Go
//
// Where Python takes several types (a host: None, str or bytes; an address: the family's
// tuple), the parameter is an any holding the Python value, as package py holds them:
//
//	Python                  Go
//	None                    nil
//	bool                    bool
//	int                     int (any Go integer kind, or *big.Int)
//	float                   float64
//	str                     string
//	bytes, bytearray        []byte
//	tuple                   py.Tuple, or an address: InetAddress, Inet6Address, RawAddress
//	list                    py.List, or any other Go slice ([]any)
//	dict                    a Go map (only its keys are used, sorted)
//	AF_UNIX address         string (a path) or []byte, or a UnixAddress
//	ancillary data item     Ancillary, or py.Tuple{level, type, data}
//	timeout (settimeout)    nil (None), a number of seconds, or a time.Duration
//
// A Go value of no Python type is named, in messages, after the Python type closest to it
// (a func is a function, a struct or a channel an object), never after its Go type:
// s.Bind([]any{"127.0.0.1", 0}) is "TypeError: bind(): AF_INET address must be tuple, not
// list", as CPython says for a list. Results come back as the same Python values (a
// getaddrinfo entry's address is an InetAddress or Inet6Address; py.Repr prints any of
// them as CPython's repr).
//
// # Sockets: waiting on Go's runtime poller
//
// A Socket waits the way the net package's connections do: the first time one of its
// calls would block, its descriptor goes to Go's runtime network poller through
// os.NewFile, and every later attempt is one shim call inside the file's
// SyscallConn().Read or Write callback, which returns false on EAGAIN so that the
// goroutine parks without holding an OS thread. CPython's modes ride on it: None waits
// without a deadline, 0.0 never reaches the poller (BlockingIOError), a timeout is the
// file's read or write deadline for the call (sendall: one deadline for the whole call).
// The descriptor's O_NONBLOCK flag is CPython's all the same (clear for None), since every
// attempt is made so that it never blocks: receives and sends carry MSG_DONTWAIT, accept,
// connect and sendfile use the shim's never-waiting forms. Close wakes waiting calls ([Errno 9]) by
// expiring the deadlines, waits until they have left, then closes the file.
//
// Detach must return the same descriptor, open. The runtime's pollDesc of a descriptor is
// freed only by poll_runtime_pollClose (runtime/netpoll.go), which the os package's poll
// layer calls from FD.destroy (poll's fd_unix.go) right before close(2), and an
// unreachable *os.File closes its descriptor from its finalizer (os/file_unix.go, newFile): a registration cannot be
// undone without closing the descriptor. So Detach parks the *os.File for good in a
// registry keyed by the descriptor number, device and inode. NewFromFileno of that
// descriptor (socket(fileno=s.detach()), CPython's idiom) takes the parked file back: a
// second os.NewFile would get EEXIST from epoll_ctl, and os.NewFile drops that error and
// returns an unpollable file whose waits fail or hold a thread. For the same reason a
// descriptor that another owner already has on Go's poller (a net.Conn's) cannot be
// adopted: NewFromFileno returns [Errno 17] File exists. When the user closes a detached
// descriptor, the kernel drops its epoll registration and the parked file is never used
// again. The runtime poller is started when the package initialises, so the first wait of
// a process needs no descriptor.
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
