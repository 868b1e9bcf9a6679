/*
 * pysock.h - CPython 3.11's socket module for C programs: the csock facade, exported from Go
 * as the static archive libpysock.a.
 *
 * Build and link (see README.md, "Using the facade from C"):
 *
 *     make build/libpysock.a
 *     cc -I build/include prog.c build/libpysock.a -lpthread -o prog
 *
 * Every function does what the Python call of the same name does, with CPython's argument
 * rules and CPython's exceptions, reported in an error record instead of raised. Where C
 * cannot say what Python says (None, a missing argument, a tuple of 2 or 4 items), this
 * header gives the convention. Constants (AF_INET, SOCK_STREAM, SOL_SOCKET, AI_CANONNAME,
 * MSG_PEEK, SHUT_RDWR, ...) are those of <sys/socket.h>, <netinet/in.h> and <netdb.h>.
 *
 * RETURN VALUES AND ERRORS
 *
 *   Each call returns a status: 0 on success (or a count, a length, a descriptor, as its
 *   comment says) and -1 when Python would have raised. Then, if err is not NULL, *err is
 *   the exception: its class as CPython's traceback prints it ("ConnectionRefusedError",
 *   "socket.gaierror", "OverflowError"), its errno (the errno, the EAI_* code of a
 *   socket.gaierror, the h_errno of a socket.herror) when it has one, and its message, str()
 *   of the exception. pysock_strerror() prints the record as the traceback's last line:
 *   "socket.gaierror: [Errno -2] Name or service not known". On success only err->cls[0] is
 *   written ('\0'), so a record can be tested with `if (err.cls[0])` after any call.
 *   err may be NULL in every call: the failure is then reported by the status alone.
 *
 * HANDLES
 *
 *   A socket is an opaque int64_t handle, never 0, never reused within a process: ids come
 *   from a counter that only goes up, kept with the socket in a table (a Go map behind a
 *   read-write mutex). No Go pointer ever reaches C: C holds only these numbers.
 *   (github.com/mattn/go-pointer was considered and not used: its keys are malloc'd
 *   addresses, which malloc hands out again after they are released, so a stale handle
 *   could silently name a newer socket; an integer counter cannot.)
 *
 *   A closed handle (pysock_close, pysock_detach) is a closed Python socket object for as
 *   long as the table keeps it: the last PYSOCK_CLOSED_KEPT handles closed are kept, so a
 *   program that closes millions of sockets holds at most that many (a few hundred bytes
 *   each). Such a handle answers exactly as CPython's closed socket: the arguments are
 *   checked first ("OverflowError: bind(): port must be 0-65535.", "ValueError: Timeout
 *   value out of range", ...), then the calls that need the descriptor fail with OSError
 *   [Errno 9] Bad file descriptor (pysock_connect_ex returns 9); pysock_gettimeout,
 *   pysock_getblocking and pysock_sockinfo still answer, pysock_fileno and pysock_detach
 *   return -1 with no exception, pysock_makefile succeeds, and closing it again is
 *   harmless (returns 0). A handle closed while a file made by pysock_makefile on it is
 *   open keeps its descriptor and works fully, as CPython's socket does (its _io_refs),
 *   until the last such file closes; it is not counted among the PYSOCK_CLOSED_KEPT until
 *   then.
 *
 *   Once PYSOCK_CLOSED_KEPT more handles have been closed after it, a closed handle is
 *   forgotten, and then it is an unknown handle, as one that was never issued (0, a
 *   negative number, one beyond the last made). With an unknown handle every call checks
 *   what the C arguments alone can say (NULL pointers, buffer lengths and nbytes, the
 *   address struct's host pointer) and then fails with OSError [Errno 9] Bad file
 *   descriptor, pysock_fileno and pysock_gettimeout included; the checks only the socket
 *   object makes (an address's port and host, read for its family; a timeout's value;
 *   getsockopt's buflen range; sendfile's count; recvmsg's ancbufsize range) are not
 *   made. Exceptions: pysock_connect_ex returns 9 with no exception, and, for a handle
 *   that was issued, pysock_close returns 0 and pysock_detach -1 with no exception.
 *
 * MEMORY
 *
 *   The library never keeps a pointer it was given after the call returns. Buffers passed
 *   in (data to send, buffers to receive into, strings, address structs) belong to the
 *   caller. Results are written into caller-provided structs and buffers, except the
 *   lists of pysock_getaddrinfo (freed with pysock_freeaddrinfo), of
 *   pysock_gethostbyname_ex / pysock_gethostbyaddr (freed with pysock_freehostent), of
 *   pysock_if_nameindex (freed with pysock_if_freenameindex) and the ancillary data of
 *   pysock_recvmsg / pysock_recvmsg_into (freed with pysock_freeancdata), which are each
 *   one malloc(3) block owned by the caller. Strings returned into a caller
 *   buffer follow snprintf(3): the return value is the result's full length, at most
 *   len - 1 bytes are written, always NUL-terminated when len > 0; a return value >= len
 *   means the result was truncated (call again with a larger buffer). Binary results
 *   returned into a caller buffer (pysock_inet_aton, pysock_inet_pton) work the same way
 *   without the NUL: the return value is the full length, at most len bytes are written.
 *
 *   A buffer is given as a pointer and a length; NULL is allowed only with length 0
 *   (NULL with a length above 0 is "ValueError: <function>: <argument> is NULL but its
 *   length is <n>"), and a length beyond PTRDIFF_MAX (SIZE_MAX, or a negative number
 *   converted to size_t) is CPython's "OverflowError: Python int too large to convert to C
 *   ssize_t", the error of a Python size argument that large. Neither reaches the system.
 *   An array (of struct pysock_buf, of descriptors, ...) is given as a pointer and a
 *   count, with the same rules; a count whose array would not fit in memory is "ValueError:
 *   <function>: <argument> runs past the end of memory".
 *
 * THREADS AND BLOCKING
 *
 *   Every function may be called from any number of threads at once (pthreads; no setup
 *   and no per-thread registration). A socket handle may be shared between threads: sends
 *   and receives run concurrently, two receives (or two sends) on one socket one after the
 *   other. Closing a handle's descriptor (pysock_close, or later, see HANDLES, while a
 *   makefile file is open) wakes every call blocked on it, in any thread, with [Errno 9].
 *
 *   A blocking call (accept, connect, recv*, send*, create_connection) blocks only its
 *   calling thread: the descriptor is non-blocking at the OS level, and the call waits on
 *   the Go runtime's network poller, so other threads, and the library's own, keep running.
 *   The socket's timeout mode decides how long it waits, as in Python: None (the default)
 *   without limit, a positive timeout until it expires (TimeoutError: timed out), 0.0 not
 *   at all (BlockingIOError). The resolver calls block the calling thread inside libc until
 *   the lookup ends; the library lets at most 64 of them be in libc at once, the others wait
 *   for a slot (see facade.SetMaxLookups in the Go documentation).
 *
 * SIGNALS
 *
 *   No function raises SIGPIPE in the program, whatever its SIGPIPE disposition (SIG_DFL,
 *   a handler of its own, SIG_IGN, the Go runtime's): writing to a closed peer fails with
 *   BrokenPipeError [Errno 32] and nothing else happens. Every send carries MSG_NOSIGNAL.
 *   sendfile(2) takes no flags, so pysock_sendfile blocks SIGPIPE in the calling thread
 *   (pthread_sigmask(3)) for the duration of the call and, if the call left one pending
 *   that was not pending when it started, takes it away (sigtimedwait(2) with a zero
 *   timeout) before it restores the thread's signal mask. This is sound because every
 *   system call of a call runs on the calling thread, those after a wait on the poller
 *   included (a call from C runs Go on the calling thread, to which the Go runtime locks it
 *   until it returns), and the kernel sends the SIGPIPE of a write to the thread that made
 *   it. A SIGPIPE the program had pending before the call stays pending. One sent to the
 *   process with kill(2) during the call and left pending for this thread alone may be
 *   taken with the call's own: the trade-off libcurl makes.
 *
 *   The Go runtime installs handlers for the synchronous signals and SIGPIPE when the
 *   program is loaded, and chains to handlers installed before it (os/signal in the Go
 *   documentation, "Non-Go programs that call Go code"). A program that sets SIGPIPE to
 *   SIG_DFL or to a handler of its own later replaces the runtime's handler: a SIGPIPE
 *   raised in a call would then kill it, or reach its handler, were it not blocked. (Left
 *   to the runtime's handler, a SIGPIPE raised in a thread while it is in a call of this
 *   library is ignored: the runtime counts the thread as a Go thread then.)
 *
 * FORK
 *
 *   The library runs on the Go runtime, which starts with the program (before main) and
 *   keeps threads of its own. fork(2) copies only the calling thread, so in a child made
 *   by fork() the runtime is unusable: its first wait, or its first allocation that needs
 *   a collection, would block forever. The library detects the child (a pthread_atfork(3)
 *   handler registered when the program is loaded) and every call made in it fails at
 *   once, without entering Go, with class "RuntimeError" and the message "pysock_F:
 *   libpysock cannot be used in a child process made by fork() without exec: the Go
 *   runtime it runs on does not survive fork" (pysock_getdefaulttimeout returns a NaN).
 *   Handles inherited from the parent are unusable too; their descriptors are the
 *   child's, to close(2) or pass to exec'd programs. The parent is unaffected. The
 *   functions that never enter Go (pysock_strerror and the pysock_free* functions) work
 *   in the child. Making a child with posix_spawn(3), or fork() followed at once by an
 *   exec, is fine. Not detected: children made without running the atfork handlers
 *   (glibc's _Fork(), clone(2) or vfork(2) called directly); do not call the library there.
 *
 * PANICS
 *
 *   Every function recovers a Go panic in the calling thread and reports it as a failure of
 *   class "SystemError" whose message names the function and the panic. (Fatal runtime
 *   errors, such as running out of memory, cannot be recovered and end the process, as
 *   they would a Go program.)
 */
#ifndef PYSOCK_H
#define PYSOCK_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------
 * Error record
 * ------------------------------------------------------------------------------------- */

/* Room for the class name, NUL included; the longest CPython socket class is 24 bytes. */
#define PYSOCK_CLS_MAX 64
/* Room for the message, NUL included. */
#define PYSOCK_MESSAGE_MAX 512

/*
 * pysock_error is a Python exception, as a failed call reports it.
 *
 * cls is the class name CPython prints ("OSError", "BrokenPipeError", "socket.gaierror",
 * "TypeError", "SystemError" for a recovered Go panic). has_errno is 1 when the exception
 * carries a number, then in errno_: the errno of an OSError and its subclasses
 * ([Errno 111]), the EAI_* code of a socket.gaierror (negative on glibc: -2), the h_errno
 * of a socket.herror; it is 0 for exceptions without one (ValueError, TypeError,
 * TimeoutError('timed out'), OSError('service/proto not found')), and errno_ is then 0.
 * message is str() of the exception, the text after "cls: " in the traceback
 * ("[Errno 111] Connection refused"), possibly empty.
 *
 * Truncation: cls and message are always NUL-terminated. A message longer than
 * PYSOCK_MESSAGE_MAX - 1 bytes is cut at the last whole UTF-8 character that fits and
 * truncated is set to 1 (it is 0 otherwise); the class names never need cutting.
 */
struct pysock_error {
    char cls[PYSOCK_CLS_MAX];
    int has_errno;
    int errno_;
    char message[PYSOCK_MESSAGE_MAX];
    int truncated;
};

/*
 * pysock_strerror writes the last line of the traceback CPython prints for the exception
 * in *err: "cls: message", or "cls" alone when the message is empty, or "" when err holds
 * no exception (cls is empty). It follows snprintf(3): it returns the line's full length,
 * writes at most len - 1 bytes and a NUL into buf (nothing when len is 0; buf may then be
 * NULL). It never fails and touches no state: it is plain C and never enters Go.
 */
size_t pysock_strerror(const struct pysock_error *err, char *buf, size_t len);

/* ---------------------------------------------------------------------------------------
 * Addresses
 * ------------------------------------------------------------------------------------- */

/*
 * pysock_addr is an address passed in: the Python address value is built from it, so
 * CPython's parsing rules apply unchanged. Which value depends on the socket's family
 * (for pysock_create_server, its family argument; for pysock_create_connection and
 * pysock_getnameinfo, always a tuple):
 *
 *   AF_INET, AF_INET6 (and any family but AF_UNIX): the tuple (host, port) when flowinfo
 *     and scope_id are both 0, else (host, port, flowinfo, scope_id). For AF_INET6 the two
 *     forms mean the same; for AF_INET the 4-tuple is CPython's TypeError "AF_INET address
 *     must be a pair (host, port)". host is NULL for Python's None (a TypeError for bind and
 *     connect, the loopback for create_connection), else a str: text in UTF-8, so a
 *     non-ASCII name is IDNA-encoded as CPython does, "" is the any-address (INADDR_ANY),
 *     "<broadcast>" the broadcast address, and a name is resolved with getaddrinfo. A host
 *     that is not valid UTF-8 is passed as bytes (used raw, as CPython uses bytes). port is
 *     a Python int: out of 0-65535 it is CPython's "OverflowError: bind(): port must be
 *     0-65535." (connect(), sendto(), ... as the call).
 *   AF_UNIX: host is the path, as bytes (Linux's abstract namespace when it starts with a
 *     NUL byte; "" binds to an autobound abstract name); port, flowinfo and scope_id are
 *     ignored.
 *
 * host_len is 0 when host is a NUL-terminated string, else the exact number of bytes of host
 * (so a path or name may contain NUL bytes: an abstract AF_UNIX name, or a host that CPython
 * rejects with "host name must not contain null character").
 *
 * A C11 compound literal makes one in place:
 *     pysock_connect(s, &(struct pysock_addr){ .host = "127.0.0.1", .port = 8080 }, &err);
 */
struct pysock_addr {
    const char *host;
    size_t host_len;
    int port;
    uint32_t flowinfo;
    uint32_t scope_id;
};

/* Room for the longest host text, NUL included: an AF_UNIX path (108 bytes) and its NUL. */
#define PYSOCK_HOST_MAX 128

/*
 * pysock_addrbuf is an address returned: the Python address value, laid out for C.
 *
 *   family AF_UNSPEC (0): no address (CPython's None: recvfrom on a connected stream).
 *   AF_INET: host is libc's dotted quad, port the port.
 *   AF_INET6: host is libc's text (glibc's "::1.2.3.4" form included), then port,
 *     flowinfo and scope_id.
 *   AF_UNIX: host holds the path's bytes: a filesystem path (up to its first NUL, as
 *     CPython reads it), or an abstract name starting with a NUL byte, exactly as long as
 *     the kernel reported it; "" for an unnamed socket.
 *   any other family: host holds the 14 bytes of sa_data (CPython's (family, sa_data)).
 *
 * host_len is the number of bytes of host, which is always NUL-terminated after them (a
 * path or abstract name may contain NUL bytes: use host_len). Nothing longer than
 * PYSOCK_HOST_MAX - 1 bytes is ever reported (an AF_UNIX address is at most 108).
 */
struct pysock_addrbuf {
    int family;
    int port;
    uint32_t flowinfo;
    uint32_t scope_id;
    size_t host_len;
    char host[PYSOCK_HOST_MAX];
};

/* ---------------------------------------------------------------------------------------
 * Timeouts
 * ------------------------------------------------------------------------------------- */

/*
 * Timeouts are seconds, as a double. Python's None (blocking, no timeout) is exactly
 * PYSOCK_TIMEOUT_NONE; any other negative number is CPython's "ValueError: Timeout value
 * out of range", a NaN its "ValueError: Invalid value NaN (not a number)".
 * PYSOCK_TIMEOUT_DEFAULT, for pysock_create_connection only, means "timeout not given":
 * the new socket keeps the module default timeout (pysock_setdefaulttimeout).
 */
#define PYSOCK_TIMEOUT_NONE (-1.0)
#define PYSOCK_TIMEOUT_DEFAULT (-2.0)

/*
 * pysock_settimeout is socket.settimeout(timeout): PYSOCK_TIMEOUT_NONE for blocking, 0.0
 * for non-blocking, else a timeout (CPython's rounding to nanoseconds applies). Returns 0
 * or -1.
 */
int pysock_settimeout(int64_t sock, double timeout, struct pysock_error *err);

/*
 * pysock_gettimeout is socket.gettimeout(): *timeout becomes the timeout in seconds, or
 * PYSOCK_TIMEOUT_NONE for a blocking socket. timeout must not be NULL. Returns 0 or -1.
 */
int pysock_gettimeout(int64_t sock, double *timeout, struct pysock_error *err);

/*
 * pysock_setblocking is socket.setblocking(flag): flag != 0 is settimeout(None), flag == 0
 * settimeout(0.0). Returns 0 or -1.
 */
int pysock_setblocking(int64_t sock, int flag, struct pysock_error *err);

/* pysock_getblocking is socket.getblocking(): returns 1 (blocking or timeout mode), 0
 * (non-blocking) or -1. */
int pysock_getblocking(int64_t sock, struct pysock_error *err);

/*
 * pysock_setdefaulttimeout is socket.setdefaulttimeout(timeout), for sockets made
 * afterwards (socket, socketpair, accept, create_connection without a timeout). The setting
 * is process-wide. Returns 0 or -1.
 */
int pysock_setdefaulttimeout(double timeout, struct pysock_error *err);

/*
 * pysock_getdefaulttimeout is socket.getdefaulttimeout(): seconds, or PYSOCK_TIMEOUT_NONE.
 * It has no error record: a recovered Go panic (there should be none) returns a NaN.
 */
double pysock_getdefaulttimeout(void);

/* How many closed socket handles the library keeps answering as closed Python sockets
 * (HANDLES): the last 1024 closed. */
#define PYSOCK_CLOSED_KEPT 1024

/* ---------------------------------------------------------------------------------------
 * Making sockets. Each new handle must be closed with pysock_close.
 * ------------------------------------------------------------------------------------- */

/*
 * pysock_socket is socket.socket(family, type, proto): -1 for any of them means CPython's
 * default (AF_INET, SOCK_STREAM, 0). The descriptor is close-on-exec; the timeout is the
 * module default (0.0 if type has SOCK_NONBLOCK). *sock receives the handle (sock must not
 * be NULL). Returns 0 or -1 (e.g. OSError [Errno 97] for an unknown family).
 */
int pysock_socket(int family, int type, int proto, int64_t *sock, struct pysock_error *err);

/*
 * pysock_socket_fileno is socket.socket(family, type, proto, fileno): the new socket adopts
 * the descriptor fileno, which the handle owns from then on (pysock_close closes it; no
 * duplicate is made). -1 for family, type or proto reads it from the descriptor. The
 * descriptor is made O_NONBLOCK (pysock_fileno). Errors: "ValueError: negative file
 * descriptor", [Errno 9] for a closed descriptor, [Errno 88] for one that is no socket.
 * Returns 0 or -1.
 */
int pysock_socket_fileno(int family, int type, int proto, int fileno, int64_t *sock,
                         struct pysock_error *err);

/*
 * pysock_fromfd is socket.fromfd(fd, family, type, proto): a new socket on a close-on-exec
 * duplicate of fd; the caller keeps fd. -1 for family, type or proto reads it from the
 * descriptor. The timeout is the module default. The open file description is made
 * O_NONBLOCK, which fd shares. Returns 0 or -1 ([Errno 9], [Errno 88] as above).
 */
int pysock_fromfd(int fd, int family, int type, int proto, int64_t *sock,
                  struct pysock_error *err);

/*
 * pysock_socketpair is socket.socketpair(family, type, proto): -1 means the default
 * (AF_UNIX, SOCK_STREAM, 0). socks[0] and socks[1] (an array of two) receive the two
 * connected handles. Returns 0 or -1.
 */
int pysock_socketpair(int family, int type, int proto, int64_t *socks, struct pysock_error *err);

/*
 * pysock_create_connection is socket.create_connection(address, timeout, source_address):
 * address->host and address->port are resolved with getaddrinfo(host, port, 0,
 * SOCK_STREAM) and each address is tried in turn (a socket, the timeout, a bind to
 * source_address when it is not NULL, a connect); the first to connect is returned in
 * *sock. When all fail, the error of the last one is reported. timeout as for
 * pysock_settimeout, or PYSOCK_TIMEOUT_DEFAULT. address's flowinfo and scope_id are
 * ignored (CPython's create_connection takes a pair); source_address is a tuple as for
 * bind. Blocks the calling thread for the lookup and the connects. Returns 0 or -1.
 *
 * Difference: CPython's all_errors=True (an ExceptionGroup) is not offered.
 */
int pysock_create_connection(const struct pysock_addr *address, double timeout,
                             const struct pysock_addr *source_address, int64_t *sock,
                             struct pysock_error *err);

/* Backlog "not given" (Python's backlog=None, or listen() without an argument): the
 * default, min(SOMAXCONN, 128). Every other value is passed on; negative ones mean 0. */
#define PYSOCK_BACKLOG_DEFAULT INT_MIN

/* Options of pysock_create_server, or-ed together. */
#define PYSOCK_REUSE_PORT 1     /* reuse_port=True: set SO_REUSEPORT */
#define PYSOCK_DUALSTACK_IPV6 2 /* dualstack_ipv6=True: AF_INET6 accepting IPv4 too */

/*
 * pysock_create_server is socket.create_server(address, family=family, backlog=backlog,
 * reuse_port=..., dualstack_ipv6=...): a SOCK_STREAM socket of family (0 means AF_INET),
 * SO_REUSEADDR set, bound to address (parsed for family, see pysock_addr) and listening.
 * backlog may be PYSOCK_BACKLOG_DEFAULT. A failed bind is CPython's rewritten OSError:
 * "[Errno 98] Address already in use (while attempting to bind on address ('127.0.0.1',
 * 8080))". *sock receives the handle. Returns 0 or -1.
 */
int pysock_create_server(const struct pysock_addr *address, int family, int backlog,
                         int options, int64_t *sock, struct pysock_error *err);

/*
 * pysock_has_dualstack_ipv6 is socket.has_dualstack_ipv6(): returns 1 when an AF_INET6
 * socket can accept IPv4 connections too, 0 when not, -1 only for a call the library
 * could not make (FORK, PANICS).
 */
int pysock_has_dualstack_ipv6(struct pysock_error *err);

/*
 * pysock_accept is socket.accept(): waits for a connection (in the socket's timeout mode),
 * *conn receives the new socket's handle and, if peer is not NULL, *peer the peer's
 * address. The new socket has the module default timeout, not the listener's (as in
 * CPython). Returns 0 or -1.
 */
int pysock_accept(int64_t sock, int64_t *conn, struct pysock_addrbuf *peer,
                  struct pysock_error *err);

/*
 * pysock_dup is socket.dup(): *newsock (not NULL) receives a new handle, on a new
 * close-on-exec descriptor of the same socket, with the same family, type, protocol and
 * timeout. Each handle must be closed. Returns 0 or -1.
 */
int pysock_dup(int64_t sock, int64_t *newsock, struct pysock_error *err);

/*
 * pysock_detach is socket.detach(): the handle gives up its descriptor without closing it
 * and is closed (later calls with it answer as on a closed socket, see HANDLES;
 * pysock_close of it does nothing); the descriptor is returned and belongs to the caller, to close(2) or adopt
 * again with pysock_socket_fileno. It comes back with the O_NONBLOCK flag CPython would
 * leave: clear when the timeout was None, set otherwise. A handle already closed or
 * detached returns -1 with no exception (Python's detach() returns -1 then); a handle
 * never issued is [Errno 9]. So -1 is an error only when err->cls is set.
 */
int pysock_detach(int64_t sock, struct pysock_error *err);

/* ---------------------------------------------------------------------------------------
 * Socket operations. sock is a handle; on a closed one each call checks its arguments, then
 * fails with [Errno 9] where it needs the descriptor (HANDLES).
 * ------------------------------------------------------------------------------------- */

/* pysock_bind is socket.bind(address). Returns 0 or -1. */
int pysock_bind(int64_t sock, const struct pysock_addr *address, struct pysock_error *err);

/*
 * pysock_listen is socket.listen(backlog); PYSOCK_BACKLOG_DEFAULT is listen() without an
 * argument. Returns 0 or -1.
 */
int pysock_listen(int64_t sock, int backlog, struct pysock_error *err);

/*
 * pysock_connect is socket.connect(address): waits for the connection in the socket's
 * timeout mode ("ConnectionRefusedError: [Errno 111] Connection refused"; in non-blocking
 * mode "BlockingIOError: [Errno 115] Operation now in progress"). Returns 0 or -1.
 */
int pysock_connect(int64_t sock, const struct pysock_addr *address,
                   struct pysock_error *err);

/*
 * pysock_connect_ex is socket.connect_ex(address): returns the errno of the connection
 * attempt (0 on success, 111 when refused, 11 when the timeout expired, 9 on a closed
 * socket, once the address was parsed), or -1 for the errors connect_ex raises (a bad
 * address, a failed lookup).
 */
int pysock_connect_ex(int64_t sock, const struct pysock_addr *address,
                      struct pysock_error *err);

/*
 * pysock_send is socket.send(data, flags): sends some of data[0..len) and returns how many
 * bytes were sent, or -1. flags are MSG_* (MSG_NOSIGNAL is always added).
 */
int64_t pysock_send(int64_t sock, const void *data, size_t len, int flags,
                    struct pysock_error *err);

/*
 * pysock_sendall is socket.sendall(data, flags): sends all of data[0..len), the timeout
 * bounding the whole call. On failure an unknown part of data may have been sent, as in
 * CPython. Returns 0 or -1.
 */
int pysock_sendall(int64_t sock, const void *data, size_t len, int flags,
                   struct pysock_error *err);

/*
 * pysock_sendto is socket.sendto(data, flags, address): returns the number of bytes sent,
 * or -1.
 */
int64_t pysock_sendto(int64_t sock, const void *data, size_t len, int flags,
                      const struct pysock_addr *address, struct pysock_error *err);

/*
 * pysock_recv is socket.recv(bufsize, flags), receiving into buf[0..bufsize) instead of a
 * new bytes object: returns the byte count (0 at the end of the stream, or for bufsize 0,
 * which makes no system call) or -1. No copy is made: the kernel writes into buf.
 */
int64_t pysock_recv(int64_t sock, void *buf, size_t bufsize, int flags,
                    struct pysock_error *err);

/*
 * pysock_recv_into is socket.recv_into(buffer, nbytes, flags) with buffer buf[0..buflen):
 * nbytes 0 means buflen; nbytes > buflen is "ValueError: buffer too small for requested
 * bytes". Returns the byte count or -1.
 */
int64_t pysock_recv_into(int64_t sock, void *buf, size_t buflen, size_t nbytes, int flags,
                         struct pysock_error *err);

/*
 * pysock_recvfrom is socket.recvfrom(bufsize, flags) into buf[0..bufsize): returns the
 * byte count or -1, and, if from is not NULL, the sender's address in *from (family
 * AF_UNSPEC when there is none). Unlike pysock_recv, bufsize 0 still makes the system
 * call.
 */
int64_t pysock_recvfrom(int64_t sock, void *buf, size_t bufsize, int flags,
                        struct pysock_addrbuf *from, struct pysock_error *err);

/*
 * pysock_recvfrom_into is socket.recvfrom_into(buffer, nbytes, flags) with buffer
 * buf[0..buflen): nbytes 0 means buflen, nbytes > buflen is "ValueError: nbytes is greater
 * than the length of the buffer". Returns the byte count or -1, and, if from is not NULL,
 * the sender's address in *from. Even for buflen 0 the system call is made.
 */
int64_t pysock_recvfrom_into(int64_t sock, void *buf, size_t buflen, size_t nbytes, int flags,
                             struct pysock_addrbuf *from, struct pysock_error *err);

/* pysock_shutdown is socket.shutdown(how), how one of SHUT_RD, SHUT_WR, SHUT_RDWR. */
int pysock_shutdown(int64_t sock, int how, struct pysock_error *err);

/*
 * pysock_close is socket.close(): closes the descriptor, and the handle becomes a closed
 * socket (HANDLES: it answers as CPython's closed socket object until forgotten). Calls
 * blocked on the socket in other threads wake and fail with [Errno 9]. While a file made by
 * pysock_makefile on it is open, the descriptor stays open and the socket usable (CPython's
 * _io_refs): the last file's pysock_file_close closes it. Closing a handle that was already
 * closed does nothing and returns 0; a handle that was never issued (0, negative, or
 * beyond the last one made) is [Errno 9]. Returns 0 or -1 (an error of close(2) other than
 * ECONNRESET, which CPython ignores; the handle is closed anyway).
 */
int pysock_close(int64_t sock, struct pysock_error *err);

/* pysock_setsockopt is socket.setsockopt(level, option, value) with an int value. */
int pysock_setsockopt(int64_t sock, int level, int option, int value,
                      struct pysock_error *err);

/*
 * pysock_setsockopt_bytes is socket.setsockopt(level, option, value) with a bytes value:
 * value[0..len) is passed to setsockopt(2) as it is. Returns 0 or -1.
 */
int pysock_setsockopt_bytes(int64_t sock, int level, int option, const void *value, size_t len,
                            struct pysock_error *err);

/*
 * pysock_setsockopt_none is socket.setsockopt(level, option, None, optlen): setsockopt(2)
 * with a NULL value and optlen (used by a few options, such as ALG_SET_AEAD_AUTHSIZE).
 * Returns 0 or -1.
 */
int pysock_setsockopt_none(int64_t sock, int level, int option, unsigned int optlen,
                           struct pysock_error *err);

/* pysock_getsockopt is socket.getsockopt(level, option): the int value goes to *value. */
int pysock_getsockopt(int64_t sock, int level, int option, int *value,
                      struct pysock_error *err);

/*
 * pysock_getsockopt_bytes is socket.getsockopt(level, option, buflen) with buflen the size
 * of buf: the option's bytes go to buf, and their number is returned (at most buflen), or
 * -1. buflen must be 1 to 1024 ("OSError: getsockopt buflen out of range"; Python's
 * buflen 0, the int form, is pysock_getsockopt).
 */
int pysock_getsockopt_bytes(int64_t sock, int level, int option, void *buf, size_t buflen,
                            struct pysock_error *err);

/* pysock_getsockname is socket.getsockname() into *addr (not NULL). Returns 0 or -1. */
int pysock_getsockname(int64_t sock, struct pysock_addrbuf *addr, struct pysock_error *err);

/* pysock_getpeername is socket.getpeername() into *addr (not NULL). Returns 0 or -1
 * ("OSError: [Errno 107] Transport endpoint is not connected"). */
int pysock_getpeername(int64_t sock, struct pysock_addrbuf *addr, struct pysock_error *err);

/*
 * pysock_fileno is socket.fileno(): returns the descriptor, or -1 with no exception for a
 * closed or detached socket (as Python's fileno() does), or -1 and [Errno 9] for an unknown
 * handle (HANDLES); so -1 is an error only when err->cls is set. The descriptor stays
 * owned by the handle (do not close it) and is always O_NONBLOCK: the library emulates the
 * timeout modes on top. Reading or writing it directly bypasses the library.
 */
int pysock_fileno(int64_t sock, struct pysock_error *err);

/*
 * pysock_sockinfo reports the socket's family, type and proto attributes (each pointer may
 * be NULL). Returns 0 or -1.
 */
int pysock_sockinfo(int64_t sock, int *family, int *type, int *proto,
                    struct pysock_error *err);

/* pysock_get_inheritable is socket.get_inheritable(): returns 1 when the descriptor is
 * inherited by exec'd programs (FD_CLOEXEC clear), 0 when not (the default), or -1. */
int pysock_get_inheritable(int64_t sock, struct pysock_error *err);

/* pysock_set_inheritable is socket.set_inheritable(inheritable): clears FD_CLOEXEC for
 * inheritable != 0, sets it for 0. Returns 0 or -1. */
int pysock_set_inheritable(int64_t sock, int inheritable, struct pysock_error *err);

/* ---------------------------------------------------------------------------------------
 * Messages and ancillary data: socket.sendmsg, recvmsg, recvmsg_into, and the module's
 * send_fds and recv_fds (descriptors passed over AF_UNIX sockets); socket.sendfile.
 * ------------------------------------------------------------------------------------- */

/* pysock_buf is a buffer to send: data[0..len), NULL allowed only with len 0. */
struct pysock_buf {
    const void *data;
    size_t len;
};

/* pysock_recvbuf is a buffer to receive into: data[0..len), NULL allowed only with len 0. */
struct pysock_recvbuf {
    void *data;
    size_t len;
};

/*
 * pysock_cmsg is one ancillary data item (a control message, cmsg(3)), CPython's
 * (cmsg_level, cmsg_type, cmsg_data) tuple: level (SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6,
 * ...), type (SCM_RIGHTS, SCM_CREDENTIALS, IP_TTL, ...) and the data data[0..len), in the
 * host's byte order where it holds integers (SCM_RIGHTS: an array of int descriptors).
 * Passed in (pysock_sendmsg), data belongs to the caller; returned (pysock_recvmsg), it
 * points inside the result block.
 */
struct pysock_cmsg {
    int level;
    int type;
    const void *data;
    size_t len;
};

/*
 * pysock_sendmsg is socket.sendmsg(buffers, ancdata, flags, address): one sendmsg(2)
 * gathering buffers[0..nbuffers) into one message, with the ancillary items
 * ancdata[0..nancdata) (NULL with 0: none), laid out as CPython lays them out (each
 * CMSG_SPACE(len) bytes, cmsg_len CMSG_LEN(len)). address NULL is None (the connected
 * peer), else it is parsed as for pysock_sendto ("OverflowError: sendmsg(): port must be
 * 0-65535."). flags are MSG_* (MSG_NOSIGNAL is always added). Nothing is copied but the
 * ancillary data, into the control buffer. Returns the number of bytes of normal data sent,
 * or -1 ("OSError: [Errno 89] Destination address required" on an unconnected datagram
 * socket without address; "OSError: ancillary data item too large" for an item of 2**31 -
 * 24 bytes or more, "OSError: too much ancillary data" for a total beyond 2**31 - 1; what
 * sendmsg(2) says of the items: "[Errno 9] Bad file descriptor" for a closed descriptor in
 * SCM_RIGHTS, "[Errno 22] Invalid argument" for a malformed item).
 */
int64_t pysock_sendmsg(int64_t sock, const struct pysock_buf *buffers, size_t nbuffers,
                       const struct pysock_cmsg *ancdata, size_t nancdata, int flags,
                       const struct pysock_addr *address, struct pysock_error *err);

/*
 * pysock_recvmsg is socket.recvmsg(bufsize, ancbufsize, flags), receiving the normal data
 * into buf[0..bufsize) instead of a new bytes object (no copy is made; bufsize 0 still
 * makes the system call). ancbufsize is the size of the buffer the ancillary data is
 * received into: 0 for none, else usually a sum of CMSG_SPACE values (pysock_cmsg_space);
 * more than 2**31 - 1 is "ValueError: invalid ancillary data buffer length", and the
 * library never allocates more than 1 MiB for it (Linux never writes more to one call).
 *
 * On success it returns the number of bytes written into buf (a datagram longer than
 * bufsize is cut, and MSG_TRUNC set in the flags), and:
 *   *ancdata, *nancdata: the items received, as an array of *nancdata items in one
 *     malloc(3) block with their data (each item's data aligned as malloc's memory is, so
 *     SCM_RIGHTS data may be read as an int array), which the caller frees once with
 *     pysock_freeancdata; NULL and 0 when none was received. The records are read as
 *     CPython reads them: a record cut short by the buffer (MSG_CTRUNC) comes with the
 *     data that arrived. Descriptors received with SCM_RIGHTS are the caller's to close;
 *     they are inheritable unless flags has MSG_CMSG_CLOEXEC (as in CPython). ancdata and
 *     nancdata may be NULL only when ancbufsize is 0 (so that no descriptor can be lost).
 *   *msg_flags (if not NULL): the message's flags (MSG_TRUNC, MSG_CTRUNC, MSG_EOR, ...).
 *   *address (if not NULL): the sender's address (family AF_UNSPEC when the kernel
 *     reports none, Python's None, as for a connected stream).
 * On failure it returns -1, *ancdata is NULL and *nancdata 0 (TimeoutError, BlockingIOError,
 * ... as for pysock_recv). A record whose length does not match the buffer (which Linux
 * never writes) is CPython's RuntimeWarning "received malformed or improperly-truncated
 * ancillary data", printed once on stderr (the facade's default warning handler); the call
 * goes on.
 *
 * Difference: MSG_WAITALL in blocking mode returns what is there, not a full buffer.
 */
int64_t pysock_recvmsg(int64_t sock, void *buf, size_t bufsize, size_t ancbufsize, int flags,
                       struct pysock_cmsg **ancdata, size_t *nancdata, int *msg_flags,
                       struct pysock_addrbuf *address, struct pysock_error *err);

/*
 * pysock_recvmsg_into is socket.recvmsg_into(buffers, ancbufsize, flags): one recvmsg(2)
 * scattering the normal data into buffers[0..nbuffers) in order, without copying. It
 * returns the number of bytes received (with MSG_TRUNC on a datagram socket, the datagram's
 * full length, which may exceed the buffers, as in CPython) or -1; the ancillary data,
 * flags and address as pysock_recvmsg.
 */
int64_t pysock_recvmsg_into(int64_t sock, const struct pysock_recvbuf *buffers, size_t nbuffers,
                            size_t ancbufsize, int flags, struct pysock_cmsg **ancdata,
                            size_t *nancdata, int *msg_flags, struct pysock_addrbuf *address,
                            struct pysock_error *err);

/* pysock_freeancdata frees a result of pysock_recvmsg or pysock_recvmsg_into (not the
 * descriptors it carries); NULL is allowed. */
void pysock_freeancdata(struct pysock_cmsg *ancdata);

/*
 * pysock_send_fds is the module's socket.send_fds(sock, buffers, fds, flags, address):
 * sendmsg with buffers[0..nbuffers) and the descriptors fds[0..nfds) in one SCM_RIGHTS
 * item (an item with no descriptor when nfds is 0). The caller keeps its descriptors (the
 * receiver gets new ones). As CPython 3.11's send_fds does, flags and address are taken
 * and ignored: the message goes with flags 0 to the connected peer (an unconnected
 * datagram socket fails with "[Errno 107] Transport endpoint is not connected"); address
 * is not read. Returns the number of bytes of normal data sent, or -1 ("[Errno 9] Bad file
 * descriptor" for a descriptor that is not open).
 */
int64_t pysock_send_fds(int64_t sock, const struct pysock_buf *buffers, size_t nbuffers,
                        const int *fds, size_t nfds, int flags, const struct pysock_addr *address,
                        struct pysock_error *err);

/*
 * pysock_recv_fds is the module's socket.recv_fds(sock, bufsize, maxfds, flags): recvmsg
 * with an ancillary buffer of CMSG_LEN(maxfds * 4) bytes. The data (at most bufsize bytes)
 * goes to buf[0..bufsize), the descriptors received to fds[0..maxfds) (an array of maxfds
 * ints; NULL only when maxfds is 0) and their number to *nfds (not NULL); they are the
 * caller's to close, and inheritable, as CPython leaves them. More descriptors than fitted
 * set MSG_CTRUNC: the kernel closed those. *msg_flags and *address (each may be NULL) as for
 * pysock_recvmsg. As CPython 3.11's recv_fds does, flags is taken and ignored (the call is
 * made with flags 0: MSG_DONTWAIT does not keep a blocking socket from waiting). Returns
 * the number of bytes written into buf, or -1 ("OverflowError: CMSG_LEN() argument out of
 * range" for maxfds beyond 536870907; the errors of pysock_recv); then *nfds is 0.
 */
int64_t pysock_recv_fds(int64_t sock, void *buf, size_t bufsize, int *fds, size_t maxfds,
                        size_t *nfds, int flags, int *msg_flags, struct pysock_addrbuf *address,
                        struct pysock_error *err);

/* pysock_sendfile's count for Python's None: send until the end of the file. */
#define PYSOCK_COUNT_NONE (-1)

/*
 * pysock_sendfile is socket.sendfile(file, offset, count) for the file open on the
 * descriptor fd: sends the file from offset until its end (count PYSOCK_COUNT_NONE), or
 * count bytes of it, and returns the number of bytes sent, or -1. The socket must be of a
 * stream type and not non-blocking; count must be positive ("ValueError: count must be a
 * positive integer (got 0)"; other negative values than PYSOCK_COUNT_NONE are that error
 * too). As in CPython, the data go by sendfile(2), each call waiting for room in the
 * socket's timeout mode (a timeout bounds each wait); a file whose size is 0 (fstat: also a
 * pipe) sends nothing and returns 0; if the first sendfile(2) fails, the file is read from
 * its position (after seeking to offset if it is not 0) and sent with send(). Whenever
 * bytes were sent, the file position is left at offset plus their count, even when the
 * call fails (how a caller learns what was sent then, as in Python).
 *
 * fd stays the caller's: the library works on a duplicate of it (fcntl F_DUPFD_CLOEXEC),
 * closed before the call returns, which shares fd's open file description (so its
 * position). A descriptor that is not open is "OSError: [Errno 9] Bad file descriptor",
 * reported where CPython reports it for a closed file (after the checks of the socket and
 * count).
 *
 * A peer that has gone is BrokenPipeError [Errno 32] (or ConnectionResetError), never a
 * SIGPIPE: see SIGNALS.
 */
int64_t pysock_sendfile(int64_t sock, int fd, int64_t offset, int64_t count,
                        struct pysock_error *err);

/* ---------------------------------------------------------------------------------------
 * File objects: socket.makefile(). A file is an int64_t handle of its own (never equal to
 * a socket's), closed with pysock_file_close; the socket stays open while a file on it
 * is, even after pysock_close (CPython's _io_refs): its descriptor closes with the last.
 * A file handle that was closed fails every call with "ValueError: I/O operation on closed
 * file." (CPython's buffered binary files word it per method: "read of closed file"); a
 * handle never issued as a file, a socket's included, is [Errno 9].
 * ------------------------------------------------------------------------------------- */

/* Returned by the file functions where Python returns None: a non-blocking socket had no
 * data to read, or an unbuffered file could not send at all. */
#define PYSOCK_NONE (-2)

/* pysock_fileopts.buffering when not given (Python's buffering=None): 8192 bytes. */
#define PYSOCK_BUFFERING_DEFAULT (-1)

/*
 * pysock_fileopts are makefile's keyword arguments. buffering: PYSOCK_BUFFERING_DEFAULT,
 * 0 for an unbuffered file (binary modes only), n > 0 for a buffer of n bytes. encoding,
 * errors, newline: NULL is Python's None (then "UTF-8", "strict" and universal newlines),
 * else the str ("latin-1", "replace", "" or "\r\n", ...), as CPython's
 * socket.makefile(mode, buffering, encoding=, errors=, newline=). Difference: an empty
 * encoding or errors is taken as None (CPython's encoding='' is a LookupError).
 */
struct pysock_fileopts {
    int buffering;
    const char *encoding;
    const char *errors;
    const char *newline;
};

/*
 * pysock_makefile is socket.makefile(mode, ...): mode NULL is "r"; letters r, w, b as in
 * Python ("ValueError: invalid mode 'x' (only r, w, b allowed)"; a text mode must be
 * buffered). opts NULL is makefile(mode) without keyword arguments. *file (not NULL)
 * receives the file's handle. The file reads and writes in the socket's timeout mode.
 * On a closed socket it succeeds, as CPython's does (the file's reads and writes then fail
 * with [Errno 9]). Returns 0 or -1.
 */
int pysock_makefile(int64_t sock, const char *mode, const struct pysock_fileopts *opts,
                    int64_t *file, struct pysock_error *err);

/*
 * pysock_file_read is the file's read(n) into buf[0..len). A binary file reads n = len
 * bytes: it waits until len bytes or the end of the stream have come, as Python's does
 * (an unbuffered file makes one receive). A text file reads n = len / 4 characters, whose
 * UTF-8 always fits in len bytes (len below 4 is a ValueError). Returns the number of
 * bytes written into buf (0 at the end of the stream), PYSOCK_NONE, or -1 (a timeout is
 * TimeoutError, and every later read then fails: "OSError: cannot read from timed out
 * object", CPython's rule).
 */
int64_t pysock_file_read(int64_t file, void *buf, size_t len, struct pysock_error *err);

/*
 * pysock_file_readline is the file's readline(limit) into buf[0..len): one line with its
 * line end, at most limit = len bytes (a binary file) or len / 4 characters (a text file);
 * the rest of a longer line comes with the next call. Returns the number of bytes written
 * into buf (0 at the end of the stream), PYSOCK_NONE, or -1. The line is not
 * NUL-terminated.
 */
int64_t pysock_file_readline(int64_t file, void *buf, size_t len, struct pysock_error *err);

/*
 * pysock_file_write is the file's write(data[0..len)): a buffered binary file takes all of
 * it and returns len (it sends when its buffer fills, on flush and on close); an
 * unbuffered one makes one send and returns its count (PYSOCK_NONE when nothing could be
 * sent); a text file takes UTF-8 text, encodes it in its encoding and returns the number
 * of characters. Returns -1 on failure (a non-blocking buffered file that cannot take it
 * all is BlockingIOError).
 */
int64_t pysock_file_write(int64_t file, const void *data, size_t len, struct pysock_error *err);

/* pysock_file_flush is the file's flush(): sends what its buffer holds. Returns 0 or -1. */
int pysock_file_flush(int64_t file, struct pysock_error *err);

/*
 * pysock_file_close is the file's close(): flushes, closes the file, retires the handle
 * and lets go of the socket (whose descriptor closes now if pysock_close was called on
 * it). The file is closed even when the flush fails; that error is returned. Closing a
 * closed file does nothing and returns 0. Returns 0 or -1.
 */
int pysock_file_close(int64_t file, struct pysock_error *err);

/* ---------------------------------------------------------------------------------------
 * Resolver. Host and name strings are text in UTF-8 (a Python str: IDNA applies), NULL for
 * Python's None where the function takes None; not valid UTF-8, they are passed as bytes.
 * ------------------------------------------------------------------------------------- */

/* pysock_addrinfo is one result of pysock_getaddrinfo, CPython's 5-tuple. */
struct pysock_addrinfo {
    int family;
    int type;
    int proto;
    const char *canonname; /* never NULL: "" when there is none; inside the result block */
    struct pysock_addrbuf addr;
};

/*
 * pysock_getaddrinfo is socket.getaddrinfo(host, port, family, type, proto, flags). host
 * and port may be NULL (None); port is a str ("80", "http"). On success *res points to an
 * array of the results, in glibc's order, and the count is returned (at least 1). The array
 * and its strings are one block: free it with pysock_freeaddrinfo (once). On failure -1 is
 * returned and *res is NULL. res must not be NULL.
 */
int pysock_getaddrinfo(const char *host, const char *port, int family, int type, int proto,
                       int flags, struct pysock_addrinfo **res, struct pysock_error *err);

/* pysock_freeaddrinfo frees a result of pysock_getaddrinfo; NULL is allowed. */
void pysock_freeaddrinfo(struct pysock_addrinfo *res);

/* The buffers glibc's getnameinfo is given: NI_MAXHOST and NI_MAXSERV. */
#define PYSOCK_NI_MAXHOST 1025
#define PYSOCK_NI_MAXSERV 32

/* pysock_nameinfo is the result of pysock_getnameinfo, CPython's (host, port) pair. */
struct pysock_nameinfo {
    char host[PYSOCK_NI_MAXHOST];
    char serv[PYSOCK_NI_MAXSERV];
};

/*
 * pysock_getnameinfo is socket.getnameinfo(sockaddr, flags), sockaddr a tuple built from
 * *sockaddr as described at pysock_addr (so its host must be numeric, and an IPv4 host with
 * a non-zero flowinfo or scope_id is CPython's "OSError: IPv4 sockaddr must be 2 tuple").
 * *out (not NULL) receives the two strings. Returns 0 or -1.
 */
int pysock_getnameinfo(const struct pysock_addr *sockaddr, int flags,
                       struct pysock_nameinfo *out, struct pysock_error *err);

/*
 * pysock_gethostbyname is socket.gethostbyname(hostname): the dotted quad of the name's
 * first IPv4 address, into buf as snprintf does (16 bytes always suffice). Returns its
 * length or -1.
 */
int pysock_gethostbyname(const char *hostname, char *buf, size_t len,
                         struct pysock_error *err);

/*
 * pysock_hostent is CPython's (hostname, aliaslist, ipaddrlist). aliases and addrs are
 * arrays of naliases and naddrs strings, each also NULL-terminated. Everything is one
 * block: free it with pysock_freehostent.
 */
struct pysock_hostent {
    char *name;
    char **aliases;
    size_t naliases;
    char **addrs;
    size_t naddrs;
};

/*
 * pysock_gethostbyname_ex is socket.gethostbyname_ex(hostname): *out (not NULL) receives a
 * new block. Returns 0 or -1 (then *out is NULL).
 */
int pysock_gethostbyname_ex(const char *hostname, struct pysock_hostent **out,
                            struct pysock_error *err);

/*
 * pysock_gethostbyaddr is socket.gethostbyaddr(ip_address): *out (not NULL) receives a new
 * block. Returns 0 or -1 (then *out is NULL; "socket.herror: [Errno 1] Unknown host").
 */
int pysock_gethostbyaddr(const char *ip_address, struct pysock_hostent **out,
                         struct pysock_error *err);

/* pysock_freehostent frees a result of pysock_gethostbyname_ex or pysock_gethostbyaddr;
 * NULL is allowed. */
void pysock_freehostent(struct pysock_hostent *h);

/*
 * pysock_getfqdn is socket.getfqdn(name), into buf as snprintf does. name "" (or "0.0.0.0",
 * "::") means this host; NULL is Python's None, CPython's "AttributeError: 'NoneType'
 * object has no attribute 'strip'". An unknown name comes back as given (stripped).
 * Returns the length or -1.
 */
int pysock_getfqdn(const char *name, char *buf, size_t len, struct pysock_error *err);

/* pysock_gethostname is socket.gethostname(), into buf as snprintf does. Returns the
 * length or -1. */
int pysock_gethostname(char *buf, size_t len, struct pysock_error *err);

/*
 * pysock_getservbyname is socket.getservbyname(servicename, protocolname); proto NULL
 * omits protocolname (CPython takes no None there). name NULL is None: "TypeError:
 * getservbyname() argument 1 must be str, not None". Returns the port or -1 ("OSError:
 * service/proto not found").
 */
int pysock_getservbyname(const char *name, const char *proto, struct pysock_error *err);

/*
 * pysock_getservbyport is socket.getservbyport(port, protocolname); proto NULL omits it
 * (any protocol; CPython takes no None there).
 * The service name goes into buf as snprintf does. Returns its length or -1 ("OverflowError:
 * getservbyport: port must be 0-65535.", "OSError: port/proto not found").
 */
int pysock_getservbyport(int port, const char *proto, char *buf, size_t len,
                         struct pysock_error *err);

/* pysock_getprotobyname is socket.getprotobyname(name): returns the protocol number or -1
 * ("OSError: protocol not found"; name NULL is None: "TypeError: getprotobyname() argument
 * 1 must be str, not None"). */
int pysock_getprotobyname(const char *name, struct pysock_error *err);

/*
 * pysock_setmaxlookups sets how many resolver calls may be in libc at once, process-wide
 * (the Go facade's SetMaxLookups; not a Python function): n <= 0 restores the default,
 * 64. Returns the previous bound, or -1 (FORK, PANICS).
 */
int pysock_setmaxlookups(int n, struct pysock_error *err);

/*
 * pysock_close_fd is the module's socket.close(fd): close(2) of a bare descriptor (fd
 * read as a C long, its low 32 bits kept, as CPython does), ECONNRESET ignored. Returns 0
 * or -1 ("OSError: [Errno 9] Bad file descriptor"). A descriptor a handle owns is closed
 * behind its back, as in CPython.
 */
int pysock_close_fd(int64_t fd, struct pysock_error *err);

/* pysock_dup_fd is the module's socket.dup(fd): a close-on-exec duplicate of fd (which
 * need not be a socket). Returns it or -1 ("OSError: [Errno 9] Bad file descriptor"). */
int pysock_dup_fd(int64_t fd, struct pysock_error *err);

/*
 * pysock_sethostname is socket.sethostname(name) with name[0..len) as bytes (passed as
 * they are, a NUL included, as CPython passes a bytes name). Returns 0 or -1
 * ("PermissionError: [Errno 1] Operation not permitted" without CAP_SYS_ADMIN, "[Errno 22]
 * Invalid argument" beyond 64 bytes).
 */
int pysock_sethostname(const void *name, size_t len, struct pysock_error *err);

/*
 * pysock_cmsg_len and pysock_cmsg_space are socket.CMSG_LEN(length) and
 * socket.CMSG_SPACE(length): the C macros, with CPython's bounds (the result must fit
 * 2**31-1: length 0..2147483631 for CMSG_LEN, 0..2147483623 for CMSG_SPACE). Return the
 * value or -1 ("OverflowError: CMSG_LEN() argument out of range").
 */
int64_t pysock_cmsg_len(int64_t length, struct pysock_error *err);
int64_t pysock_cmsg_space(int64_t length, struct pysock_error *err);

/* ---------------------------------------------------------------------------------------
 * Address text, byte order, interfaces
 * ------------------------------------------------------------------------------------- */

/*
 * pysock_inet_aton is socket.inet_aton(ip_string): libc's permissive parser ("127.1" is
 * 127.0.0.1); the 4 bytes, network order, go to packed[0..len). Returns 4 or -1 ("OSError:
 * illegal IP address string passed to inet_aton").
 */
int pysock_inet_aton(const char *ip_string, void *packed, size_t len, struct pysock_error *err);

/*
 * pysock_inet_ntoa is socket.inet_ntoa(packed_ip) of packed[0..len): the dotted quad into
 * buf as snprintf does (16 bytes suffice). Returns its length or -1 ("OSError: packed IP
 * wrong length for inet_ntoa" unless len is 4).
 */
int pysock_inet_ntoa(const void *packed, size_t len, char *buf, size_t buflen,
                     struct pysock_error *err);

/*
 * pysock_inet_pton is socket.inet_pton(address_family, ip_string): the packed address (4
 * bytes for AF_INET, 16 for AF_INET6) goes to packed[0..len). Returns its length or -1
 * ("OSError: illegal IP address string passed to inet_pton", [Errno 97] for another
 * family).
 */
int pysock_inet_pton(int family, const char *ip_string, void *packed, size_t len,
                     struct pysock_error *err);

/*
 * pysock_inet_ntop is socket.inet_ntop(address_family, packed_ip) of packed[0..len), with
 * glibc's text ("::1.2.3.4"), into buf as snprintf does (46 bytes suffice). Returns its
 * length or -1 ("ValueError: invalid length of packed IP address string").
 */
int pysock_inet_ntop(int family, const void *packed, size_t len, char *buf, size_t buflen,
                     struct pysock_error *err);

/*
 * pysock_htons, pysock_ntohs, pysock_htonl and pysock_ntohl are socket.htons(x), ...: x is
 * the Python int, so CPython's range errors apply ("OverflowError: htons: Python int too
 * large to convert to C 16-bit unsigned integer", "OverflowError: int larger than 32
 * bits", "can't convert negative ..."). Return the swapped value or -1.
 */
int pysock_htons(int64_t x, struct pysock_error *err);
int pysock_ntohs(int64_t x, struct pysock_error *err);
int64_t pysock_htonl(int64_t x, struct pysock_error *err);
int64_t pysock_ntohl(int64_t x, struct pysock_error *err);

/* pysock_if_nameindex is one entry of pysock_if_nameindex's result, CPython's (index,
 * name) tuple. */
struct pysock_if_nameindex {
    unsigned int index;
    const char *name; /* inside the result block */
};

/*
 * pysock_if_nameindex is socket.if_nameindex(): *out (not NULL) receives an array of the
 * interfaces, one block with their names, freed with pysock_if_freenameindex. Returns
 * the count or -1 (then *out is NULL).
 */
int pysock_if_nameindex(struct pysock_if_nameindex **out, struct pysock_error *err);

/* pysock_if_freenameindex frees a result of pysock_if_nameindex; NULL is allowed. */
void pysock_if_freenameindex(struct pysock_if_nameindex *list);

/* pysock_if_nametoindex is socket.if_nametoindex(if_name): returns the index or -1
 * ("OSError: no interface with this name"). */
int pysock_if_nametoindex(const char *if_name, struct pysock_error *err);

/*
 * pysock_if_indextoname is socket.if_indextoname(if_index), into buf as snprintf does
 * (IF_NAMESIZE, 16, suffices). if_index is the Python int: negative is "OverflowError:
 * can't convert negative value to unsigned int"; beyond 32 bits it is cut to 32, as
 * CPython 3.11 does. Returns the name's length or -1 ("OSError: [Errno 6] No such device
 * or address").
 */
int pysock_if_indextoname(int64_t if_index, char *buf, size_t len, struct pysock_error *err);

#ifdef __cplusplus
}
#endif

#endif /* PYSOCK_H */
