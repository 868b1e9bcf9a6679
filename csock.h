/*
 * csock.h - a thin, reentrant C shim over the BSD socket and resolver API of libc.
 *
 * Every function is one libc call, or one whole lookup (call, walk, format, free), so a
 * caller crosses into C once per operation. The shim holds no state and no policy:
 *
 *   - Socket calls return >= 0 on success and -errno on failure (errno is read here, in the
 *     same thread, right after the call; callers never read errno themselves).
 *   - Resolver calls return 0 or an EAI_* code (negative on glibc); for EAI_SYSTEM the errno
 *     of the failing call is stored in *syserr.
 *   - Descriptors are always created close-on-exec (SOCK_CLOEXEC, F_DUPFD_CLOEXEC, accept4);
 *     those received with SCM_RIGHTS carry the flags the caller gave csock_recvmsg.
 *   - Every send carries MSG_NOSIGNAL: a dead peer is -EPIPE, never SIGPIPE (sendfile(2),
 *     which takes no flags, is the exception: see csock_sendfile).
 *   - Only reentrant lookups (the *_r family) are used; their buffers grow on ERANGE.
 *   - Addresses are formatted by libc (inet_ntop), never by the caller.
 *
 * Ownership: unless a comment says otherwise, the shim never keeps a pointer it was given
 * after it returns, and every buffer it fills belongs to the caller. The shim allocates only
 * a result block that did not fit the caller's buffer, freed with csock_free() (see
 * csock_getaddrinfo), and the request of an asynchronous lookup, freed by csock_gai_finish()
 * (which also keeps the callback and its opaque argument until then; see csock_gai_start).
 *
 * Thread safety: every function may be called from any number of threads at once.
 */
#ifndef CSOCK_H
#define CSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------
 * Addresses
 * ------------------------------------------------------------------------------------- */

/* Room for the longest text csock_addr.host holds: INET6_ADDRSTRLEN is 46. */
#define CSOCK_HOSTTEXT 48

/*
 * csock_addr is a socket address as the kernel reported it, decoded.
 *
 * raw/rawlen are the address exactly as returned by the kernel (rawlen may be 0: no
 * address, e.g. recvfrom on a connected stream). For AF_INET and AF_INET6 the shim also
 * decodes it: host is inet_ntop's text (NUL-terminated; the shim writes the IPv4 dotted
 * quad itself, in the same format), port is in host byte order, flowinfo in host byte
 * order and scope_id as is. For other families only raw is filled
 * (an AF_UNIX path is raw.sun_path, rawlen - offsetof(struct sockaddr_un, sun_path) bytes
 * long, not necessarily NUL-terminated).
 */
typedef struct csock_addr {
    struct sockaddr_storage raw;
    socklen_t rawlen;
    int family;                 /* raw.ss_family, or AF_UNSPEC when rawlen is 0 */
    int port;
    uint32_t flowinfo;
    uint32_t scope_id;
    char host[CSOCK_HOSTTEXT];  /* "" unless family is AF_INET or AF_INET6 */
} csock_addr;

/* ---------------------------------------------------------------------------------------
 * Sockets and descriptors. Input addresses are (sa, salen) built by the caller.
 * ------------------------------------------------------------------------------------- */

/* socket(2) with SOCK_CLOEXEC added to type. Returns the descriptor or -errno. */
int csock_socket(int family, int type, int protocol);

/* socketpair(2) with SOCK_CLOEXEC added to type; fills fds[0], fds[1]. Returns 0 or -errno. */
int csock_socketpair(int family, int type, int protocol, int fds[2]);

/* close(2). Never retried on EINTR (the descriptor is gone either way). Returns 0 or -errno. */
int csock_close(int fd);

/* shutdown(2). Returns 0 or -errno. */
int csock_shutdown(int fd, int how);

/* bind(2). Returns 0 or -errno. */
int csock_bind(int fd, const struct sockaddr *sa, socklen_t salen);

/* listen(2). Returns 0 or -errno. */
int csock_listen(int fd, int backlog);

/* connect(2), called once (EINTR and EINPROGRESS are returned, not waited for). */
int csock_connect(int fd, const struct sockaddr *sa, socklen_t salen);

/*
 * accept4(2) with SOCK_CLOEXEC added to flags (flags may add SOCK_NONBLOCK). If peer is
 * not NULL it receives the decoded peer address. Returns the new descriptor or -errno.
 */
int csock_accept(int fd, csock_addr *peer, int flags);

/*
 * connect(2) that never waits, whatever the descriptor's O_NONBLOCK flag, for a caller that
 * would otherwise make a blocking connect: when the flag is clear it is set for the call
 * and cleared again (fcntl(2) F_GETFL, F_SETFL, connect(2), F_SETFL). When connect(2) says
 * EINPROGRESS it is called once more (a loopback handshake has usually completed by then),
 * so the result is 0 once connected, -EINPROGRESS while the connection is pending, or the
 * error it failed with; the caller then waits for writability and reads SO_ERROR. The
 * flag belongs to the open file description: a duplicate of fd sees it set during the call.
 */
int csock_connect_nowait(int fd, const struct sockaddr *sa, socklen_t salen);

/*
 * accept4(2) that never waits, whatever the descriptor's O_NONBLOCK flag: poll(2) for
 * POLLIN with a zero timeout first, -EAGAIN when nothing is pending on a listening socket
 * (getsockopt(2) SO_ACCEPTCONN), else csock_accept: on a socket that is not listening
 * accept4 fails at once (EINVAL, EOPNOTSUPP), as a blocking accept does. (A connection
 * taken by another process between the two calls makes a blocking accept4 wait for the
 * next one, as it would have anyway.)
 */
int csock_accept_nowait(int fd, csock_addr *peer, int flags);

/*
 * poll(2) of the one descriptor fd for events (POLLIN, POLLOUT, ...) with timeout_ms as
 * poll's (0: look without waiting; -1: no limit), EINTR retried with the same timeout.
 * Returns the events that occurred (0 when none did before the timeout; POLLERR, POLLHUP
 * and POLLNVAL are reported whatever events asks) or -errno: -EINVAL, without a call, for
 * events outside 0..0xffff (pollfd's events is a short: more bits would be dropped).
 */
int csock_poll(int fd, int events, int timeout_ms);

/* fstat(2) of fd: its device and inode numbers, which identify the open file it refers
 * to (a socket's inode is unique while it is open). Returns 0 or -errno. */
int csock_fdid(int fd, uint64_t *dev, uint64_t *ino);

/* getsockname(2) decoded into *out. Returns 0 or -errno. */
int csock_getsockname(int fd, csock_addr *out);

/* getpeername(2) decoded into *out. Returns 0 or -errno. */
int csock_getpeername(int fd, csock_addr *out);

/* getsockopt(2) of an int option; the value goes to *value. Returns 0 or -errno. */
int csock_getsockopt_int(int fd, int level, int option, int *value);

/* setsockopt(2) of an int option. Returns 0 or -errno. */
int csock_setsockopt_int(int fd, int level, int option, int value);

/*
 * getsockopt(2) into buf[0..buflen). Returns the length the kernel reported, at most
 * buflen (Linux reports the full size of some options it truncated), or -errno.
 */
int csock_getsockopt(int fd, int level, int option, void *buf, socklen_t buflen);

/* setsockopt(2) with buf[0..buflen); buf may be NULL (the kernel sees a NULL optval). */
int csock_setsockopt(int fd, int level, int option, const void *buf, socklen_t buflen);

/* recv(2). Returns the byte count (0 at end of stream) or -errno. */
ssize_t csock_recv(int fd, void *buf, size_t len, int flags);

/*
 * recvfrom(2); the sender's address is decoded into *from in the same call (from may be
 * NULL). Returns the byte count or -errno.
 */
ssize_t csock_recvfrom(int fd, void *buf, size_t len, int flags, csock_addr *from);

/* send(2) with MSG_NOSIGNAL added to flags. Returns the byte count or -errno. */
ssize_t csock_send(int fd, const void *buf, size_t len, int flags);

/* sendto(2) with MSG_NOSIGNAL added to flags. Returns the byte count or -errno. */
ssize_t csock_sendto(int fd, const void *buf, size_t len, int flags,
                     const struct sockaddr *sa, socklen_t salen);

/* fcntl(F_DUPFD_CLOEXEC, 0): a close-on-exec duplicate. Returns it or -errno. */
int csock_dup(int fd);

/* Returns 1 if O_NONBLOCK is set on fd, 0 if not, or -errno. */
int csock_get_nonblock(int fd);

/* fcntl(F_GETFL): fd's access mode (O_RDONLY, O_WRONLY, O_RDWR under O_ACCMODE) and status
 * flags (O_NONBLOCK, O_APPEND, ...). Returns them or -errno. */
int csock_get_status_flags(int fd);

/* Sets (on != 0) or clears O_NONBLOCK on fd. Returns 0 or -errno. */
int csock_set_nonblock(int fd, int on);

/* Returns 1 if FD_CLOEXEC is set on fd, 0 if not, or -errno. */
int csock_get_cloexec(int fd);

/* Sets (on != 0) or clears FD_CLOEXEC on fd. Returns 0 or -errno. */
int csock_set_cloexec(int fd, int on);

/*
 * Reads SO_DOMAIN, SO_TYPE and SO_PROTOCOL of fd, in that order, stopping at the first
 * failure; used to adopt a descriptor of unknown kind. Returns 0 or -errno.
 */
int csock_sockinfo(int fd, int *family, int *type, int *protocol);

/* ---------------------------------------------------------------------------------------
 * Result blocks
 *
 * Lookups that return lists write one flat block: a header, an array of entries, then the
 * strings. Strings are referred to by byte offsets from the start of the block (0 means
 * "none"), so a block can be copied or live in memory the caller owns.
 *
 * Each such lookup takes (buf, buflen, &out): when the result fits buf, *out == buf and the
 * caller owns it as it owns buf; otherwise the shim allocates the block and *out points to
 * it; the caller releases it with csock_free(*out) once (csock_free(buf) is never needed and
 * must not be done). Pass buf = NULL, buflen = 0 to always get an allocated block.
 * *out is NULL whenever the call fails.
 * ------------------------------------------------------------------------------------- */

/* Releases a block the shim allocated. NULL is ignored. */
void csock_free(void *block);

/* The string at offset off inside block, or NULL when off is 0. */
#define CSOCK_STR(block, off) ((off) ? (const char *)(block) + (off) : (const char *)0)

/* ---------------------------------------------------------------------------------------
 * Resolver status
 * ------------------------------------------------------------------------------------- */

/* csock_rstatus.h_errno_tls when the call left the thread's h_errno untouched. */
#define CSOCK_HERRNO_UNSET INT32_MIN

/*
 * What a resolver call reports besides its return value (each call takes a pointer to one;
 * NULL is allowed):
 *   syserr       errno of the failing call (EAI_SYSTEM, NETDB_INTERNAL), else 0;
 *   herr         h_errno as returned through the h_errnop argument of gethostby*_r;
 *   h_errno_tls  the thread's h_errno after the call, or CSOCK_HERRNO_UNSET if the call
 *                did not set it. Callers that must reproduce programs which read h_errno
 *                (CPython's herror does) need it: glibc often leaves it stale.
 */
typedef struct csock_rstatus {
    int syserr;
    int herr;
    int h_errno_tls;
} csock_rstatus;

/* ---------------------------------------------------------------------------------------
 * getaddrinfo
 * ------------------------------------------------------------------------------------- */

typedef struct csock_addrinfo {
    int family;             /* ai_family */
    int socktype;           /* ai_socktype */
    int protocol;           /* ai_protocol */
    uint32_t canonname;     /* offset of ai_canonname, or 0 when libc gave none */
    csock_addr addr;        /* ai_addr, decoded */
} csock_addrinfo;

typedef struct csock_addrinfo_list {
    uint32_t count;         /* number of entries, in libc's order */
    uint32_t size;          /* bytes used by the whole block */
    csock_addrinfo entry[]; /* count entries */
} csock_addrinfo_list;

/*
 * getaddrinfo(3) with hints {family, socktype, protocol, flags}; host and serv may be NULL.
 * Walks the list, decodes every address, copies canonical names, calls freeaddrinfo and
 * writes the result block as described above (buf must be aligned for csock_addrinfo_list:
 * 8 bytes). Returns 0, or an EAI_* code (st->syserr gets errno for EAI_SYSTEM), or
 * EAI_MEMORY when the block cannot be allocated.
 */
int csock_getaddrinfo(const char *host, const char *serv, int family, int socktype,
                      int protocol, int flags, void *buf, size_t buflen,
                      csock_addrinfo_list **out, csock_rstatus *st);

/* gai_strerror(3): a static string owned by libc. */
const char *csock_gai_strerror(int code);

/* ---------------------------------------------------------------------------------------
 * Asynchronous getaddrinfo: glibc's getaddrinfo_a(3), gai_cancel(3) and gai_error(3).
 *
 * glibc runs queued lookups on its own helper threads (at most 20 at once, a constant of
 * glibc's; the others wait in its queue, where gai_cancel can remove them) and reports each
 * end by creating a thread that runs a callback (SIGEV_THREAD). These symbols are in libc
 * proper since glibc 2.34; older glibc needs -lanl on the link line.
 *
 * A request goes through these steps, each exactly once:
 *   csock_gai_start   queues it;
 *   notify(arg)       is called when it ends, on a thread libc creates for that purpose --
 *                     unless csock_gai_cancel returned EAI_CANCELED, then never;
 *   csock_gai_finish  takes the result and frees the request: after notify was called
 *                     (it may be called from notify itself), or after csock_gai_cancel
 *                     returned EAI_CANCELED. Never earlier: libc writes into the request
 *                     until it notifies.
 * csock_gai_cancel may be called any number of times between start and finish.
 * If glibc cannot create the notification thread (the process is out of threads or
 * memory), it drops the notification silently: notify is then never called and the
 * request is never finished. Nothing in the API can tell that case from a slow lookup.
 * ------------------------------------------------------------------------------------- */

/* A queued lookup; opaque. Owned by the shim from csock_gai_start to csock_gai_finish. */
typedef struct csock_gai_req csock_gai_req;

/* The completion callback. It runs on a short-lived thread libc creates, with all signals
 * blocked; it should return quickly. arg is what was given to csock_gai_start. */
typedef void (*csock_gai_notify_fn)(void *arg);

/*
 * Queues getaddrinfo(3) of (host, serv) with hints {family, socktype, protocol, flags}
 * (host or serv may be NULL; both are copied) with getaddrinfo_a(GAI_NOWAIT) and a
 * SIGEV_THREAD notification that calls notify(arg). The shim never looks at arg.
 * Returns 0 with *req set (set before notify can run, so notify may read it through arg);
 * otherwise *req is NULL, notify is never called and the result is
 * EAI_MEMORY, or the code of getaddrinfo_a: EAI_SYSTEM (st->syserr gets errno) or
 * EAI_AGAIN when libc could not queue the request.
 */
int csock_gai_start(const char *host, const char *serv, int family, int socktype,
                    int protocol, int flags, csock_gai_notify_fn notify, void *arg,
                    csock_gai_req **req, csock_rstatus *st);

/*
 * gai_cancel(3). Returns EAI_CANCELED when the request was still queued (it never runs and
 * notify is never called), EAI_NOTCANCELED when it is running (notify follows when libc
 * returns) or EAI_ALLDONE when it has ended (notify has been or will be called).
 * glibc keeps the bookkeeping of a cancelled request (some 150 bytes) until the process
 * ends: its gai_cancel unlinks the request without freeing it.
 */
int csock_gai_cancel(csock_gai_req *req);

/*
 * Takes the outcome of a request and frees it (see above for when). The result block is
 * written by the same code as csock_getaddrinfo's, with the same rules for buf, buflen and
 * *out; out may be NULL to discard the result. Returns 0, the lookup's EAI_* code, or
 * EAI_CANCELED for a cancelled request. st->syserr is always 0 (glibc drops the errno of
 * an EAI_SYSTEM on its helper thread) and st->h_errno_tls always CSOCK_HERRNO_UNSET (the
 * lookup ran on another thread).
 */
int csock_gai_finish(csock_gai_req *req, void *buf, size_t buflen,
                     csock_addrinfo_list **out, csock_rstatus *st);

/*
 * getnameinfo(3) of (sa, salen) into host[0..hostlen) and serv[0..servlen) (either may be
 * NULL with length 0). Returns 0 or an EAI_* code (*st as for csock_getaddrinfo).
 */
int csock_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                      socklen_t hostlen, char *serv, socklen_t servlen, int flags,
                      csock_rstatus *st);

/* ---------------------------------------------------------------------------------------
 * The netdb *_r lookups. bufhint is the size of the first work buffer the *_r call gets
 * (0 picks a default, on the shim's stack: 16 KiB for gethostby*_r, as CPython, and 1 KiB
 * for the others, as glibc's own getservbyname); it doubles on ERANGE up to 16 MiB (then
 * -ERANGE), so a tiny hint exercises growth.
 * ------------------------------------------------------------------------------------- */

/* Returned by the gethostby* lookups when libc found no entry (see csock_gethostbyname). */
#define CSOCK_NOTFOUND 1

typedef struct csock_hostent {
    uint32_t name;          /* offset of h_name */
    int addrtype;           /* h_addrtype */
    int addrlen;            /* h_length */
    uint32_t naliases;
    uint32_t aliases;       /* offset of uint32_t[naliases]: offsets of the aliases */
    uint32_t naddrs;
    uint32_t addrs;         /* offset of uint32_t[naddrs]: offsets of inet_ntop texts */
    uint32_t rawaddrs;      /* offset of naddrs * addrlen bytes: the raw addresses */
    uint32_t size;          /* bytes used by the whole block */
} csock_hostent;

/*
 * gethostbyname_r(3) of name, flattened into a block as described above (buf aligned to 8
 * bytes). Returns 0 with *out set; CSOCK_NOTFOUND when libc returned no entry, with
 * h_errnop's value (HOST_NOT_FOUND, TRY_AGAIN, NO_RECOVERY, NO_DATA, or NETDB_INTERNAL = -1)
 * in st->herr and the call's errno in st->syserr; or -errno when the shim itself failed
 * (-ENOMEM, or -ERANGE when even the largest work buffer was too small).
 */
int csock_gethostbyname(const char *name, size_t bufhint, void *buf, size_t buflen,
                        csock_hostent **out, csock_rstatus *st);

/* gethostbyaddr_r(3) of addr[0..len) in family; results as csock_gethostbyname. */
int csock_gethostbyaddr(const void *addr, socklen_t len, int family, size_t bufhint,
                        void *buf, size_t buflen, csock_hostent **out, csock_rstatus *st);

/* hstrerror(3): a static string owned by libc. */
const char *csock_hstrerror(int code);

/*
 * getservbyname_r(3); proto may be NULL (any protocol). Returns the port in host byte
 * order, -ENOENT when there is no such service, or -errno.
 */
int csock_getservbyname(const char *name, const char *proto, size_t bufhint);

/*
 * getservbyport_r(3) of port (host byte order; converted with htons here); proto may be
 * NULL. Writes s_name into name[0..namelen). Returns the name's length, -ENOENT when there
 * is no such service (without a call for a port outside 0..65535, which htons would cut to
 * 16 bits), -ERANGE when namelen is too small, or -errno.
 */
int csock_getservbyport(int port, const char *proto, char *name, size_t namelen,
                        size_t bufhint);

/* getprotobyname_r(3). Returns p_proto, -ENOENT when unknown, or -errno. */
int csock_getprotobyname(const char *name, size_t bufhint);

/* ---------------------------------------------------------------------------------------
 * Host name, address text, interfaces, messages
 * ------------------------------------------------------------------------------------- */

/*
 * gethostname(2) into buf[0..len). Returns the name's length or -errno (-ENAMETOOLONG
 * when it does not fit with its NUL).
 */
int csock_gethostname(char *buf, size_t len);

/*
 * inet_pton(3) into dst (4 bytes for AF_INET, 16 for AF_INET6). Returns 1 on success,
 * 0 when src is not a valid address, or -EAFNOSUPPORT.
 */
int csock_inet_pton(int family, const char *src, void *dst);

/* inet_ntop(3) into dst[0..len). Returns the text's length or -errno. */
int csock_inet_ntop(int family, const void *src, char *dst, socklen_t len);

/* inet_aton(3) into dst[4] (network byte order). Returns 1 on success, 0 if invalid. */
int csock_inet_aton(const char *src, void *dst);

typedef struct csock_if {
    unsigned int index;
    uint32_t name;          /* offset of if_name */
} csock_if;

typedef struct csock_if_list {
    uint32_t count;
    uint32_t size;          /* bytes used by the whole block */
    csock_if entry[];
} csock_if_list;

/* if_nameindex(3) flattened into a block (buf aligned to 8 bytes). Returns 0 or -errno. */
int csock_if_nameindex(void *buf, size_t buflen, csock_if_list **out);

/* if_nametoindex(3). Returns the index, or -errno (0 if libc set no errno). */
int csock_if_nametoindex(const char *name);

/*
 * if_indextoname(3) into name[0..namelen) (IF_NAMESIZE is enough). Returns the name's
 * length or -errno.
 */
int csock_if_indextoname(unsigned int index, char *name, size_t namelen);

/* strerror_r(3) into buf[0..len). Returns the text's length. */
int csock_strerror(int errnum, char *buf, size_t len);

/* ---------------------------------------------------------------------------------------
 * Messages, ancillary data, sendfile, host name
 *
 * sendmsg/recvmsg take the caller's iovec array and control buffer as they are: the shim
 * neither copies nor keeps them. The control buffer holds cmsghdr records laid out with
 * CMSG_LEN/CMSG_SPACE (csock_cmsg_len, csock_cmsg_space) as cmsg(3) describes.
 * ------------------------------------------------------------------------------------- */

/*
 * sendmsg(2) of one message gathered from iov[0..iovcnt), with the ancillary data
 * control[0..controllen) (control may be NULL when controllen is 0), to the address
 * (sa, salen) (sa NULL with salen 0: the connected peer), MSG_NOSIGNAL added to flags.
 * Returns the byte count or -errno (-EMSGSIZE for iovcnt beyond IOV_MAX).
 */
ssize_t csock_sendmsg(int fd, const struct iovec *iov, int iovcnt, const void *control,
                      size_t controllen, const struct sockaddr *sa, socklen_t salen,
                      int flags);

/*
 * recvmsg(2) of one message scattered into iov[0..iovcnt), its ancillary data into
 * control[0..*controllen) (controllen may be NULL, or *controllen 0 with control NULL:
 * no ancillary data is received). flags are passed as given: the shim does not add
 * MSG_CMSG_CLOEXEC, so descriptors arriving with SCM_RIGHTS are inheritable unless the
 * caller passes it (CPython's recvmsg does not). On success *controllen becomes the
 * length of the ancillary data the kernel wrote (msg_controllen), *msg_flags (if not NULL)
 * the message's flags (MSG_TRUNC, MSG_CTRUNC, MSG_EOR, ...; MSG_CMSG_CLOEXEC echoed when
 * passed), and *from (if not NULL) the sender's address decoded (rawlen 0 when the kernel
 * gave none). Returns the byte count (0 at end of stream) or -errno.
 */
ssize_t csock_recvmsg(int fd, const struct iovec *iov, int iovcnt, void *control,
                      size_t *controllen, int flags, int *msg_flags, csock_addr *from);

/*
 * CMSG_LEN(3) of len: the cmsg_len of a control message with len bytes of data, or 0 when
 * that does not fit in a size_t (no control message is shorter than CMSG_LEN(0)).
 */
size_t csock_cmsg_len(size_t len);

/*
 * CMSG_SPACE(3) of len: the bytes a control message with len bytes of data takes in a
 * control buffer, trailing padding included, or 0 when that does not fit in a size_t.
 */
size_t csock_cmsg_space(size_t len);

/*
 * sendfile(2): copies up to count bytes of in_fd (a file that can be mmap'ed: a regular
 * file) to out_fd (a socket, or since Linux 2.6.33 any file). With offset not NULL the
 * read starts at *offset, which is advanced by the count, and in_fd's file position is
 * left alone; with offset NULL the read starts at the file position, which is advanced.
 * Returns the byte count (0 at the end of the file) or -errno.
 *
 * SIGPIPE: sendfile takes no flags, so MSG_NOSIGNAL cannot be added; a socket whose peer
 * is gone raises SIGPIPE in the calling thread, and the call returns -EPIPE only if the
 * signal is ignored, blocked or caught (a Go program's runtime ignores it).
 */
ssize_t csock_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count);

/*
 * csock_sendfile that never waits, whatever out_fd's O_NONBLOCK flag: when the flag is
 * clear it is set for the call and cleared again (fcntl(2) F_GETFL and F_SETFL around
 * sendfile(2)), so a socket with no room returns -EAGAIN (or the short count of what fit)
 * instead of blocking the thread. sendfile(2) has no per-call MSG_DONTWAIT, hence the flag;
 * as for csock_connect_nowait, a duplicate of out_fd sees it set during the call.
 */
ssize_t csock_sendfile_nowait(int out_fd, int in_fd, int64_t *offset, size_t count);

/*
 * sethostname(2) to name[0..len) (no NUL needed). Returns 0 or -errno: -EPERM without
 * CAP_SYS_ADMIN in the process's UTS namespace, -EINVAL when len is beyond 64.
 */
int csock_sethostname(const char *name, size_t len);

/* ---------------------------------------------------------------------------------------
 * DNS queries through libc's stub resolver (res_nsearch), for record types getaddrinfo
 * does not ask for (SRV, MX, TXT, NS, ...). Appended for libcnet.
 * ------------------------------------------------------------------------------------- */

/*
 * res_ninit(3) of a private resolver state, res_nsearch(3) of name with class and type
 * (C_IN, T_SRV, ...: resolv.conf's search list, ndots, timeout and attempts apply, as for
 * any lookup glibc's DNS backend makes), then res_nclose(3). The reply, as it came from
 * the name server, is written to answer[0..anslen) and *len receives its length; a *len
 * above anslen means the reply did not fit and was cut (ask again with *len bytes).
 * Returns 0; CSOCK_NOTFOUND when res_nsearch failed, with the state's h_errno
 * (HOST_NOT_FOUND, NO_DATA, TRY_AGAIN, NO_RECOVERY or NETDB_INTERNAL) in st->herr and
 * errno in st->syserr; or -errno when res_ninit failed. The answer buffer is the
 * caller's; nothing is allocated that outlives the call. Before glibc 2.34 these symbols
 * are in libresolv: link -lresolv.
 */
int csock_res_nsearch(const char *name, int rclass, int type, unsigned char *answer,
                      int anslen, int *len, csock_rstatus *st);

#ifdef __cplusplus
}
#endif

#endif /* CSOCK_H */
