/*
 * export.h - what the cgo preambles of cmd/libpysock and pysock.c include: the public
 * header, the const-qualified types the exported Go functions' parameters are declared
 * with, and PYSOCK_CALLS and PYSOCK_SIGPIPE_CALLS, the lists of every function of pysock.h
 * that enters Go.
 *
 * Each function F of those lists is two functions: pysock_F, written in C by pysock.c,
 * which is what C programs call, and pysock_go_F, the Go export (//export pysock_go_F),
 * which pysock_F calls unless the process is a child forked after the library was loaded
 * (pysock.h, FORK). The prototypes are checked at every build: pysock.c defines each
 * pysock_F from the list under pysock.h's declaration of it, and the list's declarations
 * of pysock_go_F meet cgo's own in _cgo_export.h (any mismatch does not compile).
 * pysock_go_* functions are internal: a program calling one skips the fork check.
 */
#ifndef PYSOCK_EXPORT_H
#define PYSOCK_EXPORT_H

#include <stdlib.h>
#include "pysock.h"

typedef const struct pysock_addr pysock_caddr;
typedef const struct pysock_fileopts pysock_cfileopts;
typedef const char pysock_cchar;
typedef const void pysock_cvoid;
typedef const int pysock_cint;
typedef const struct pysock_buf pysock_cbuf;
typedef const struct pysock_recvbuf pysock_crecvbuf;
typedef const struct pysock_cmsg pysock_ccmsg;
/* For the exports' out-parameters of pysock_cmsg items: in the declarations it generates,
 * cgo spells the struct as a typedef of it (pysock_ccmsg, const), so a parameter of the
 * plain struct type would be declared const; this typedef keeps it as it is. */
typedef struct pysock_cmsg pysock_mcmsg;

/* X(return type, name, (parameters), (arguments)); every list entry's last parameter is
 * struct pysock_error *err. */
#define PYSOCK_CALLS(X)                                                                            \
    /* sockets */                                                                                  \
    X(int, socket, (int family, int type, int proto, int64_t *sock, struct pysock_error *err),     \
      (family, type, proto, sock, err))                                                            \
    X(int, socket_fileno, (int family, int type, int proto, int fileno, int64_t *sock,             \
                           struct pysock_error *err),                                              \
      (family, type, proto, fileno, sock, err))                                                    \
    X(int, socketpair, (int family, int type, int proto, int64_t *socks, struct pysock_error *err),\
      (family, type, proto, socks, err))                                                           \
    X(int, fromfd, (int fd, int family, int type, int proto, int64_t *sock,                        \
                    struct pysock_error *err),                                                     \
      (fd, family, type, proto, sock, err))                                                        \
    X(int, create_connection, (const struct pysock_addr *address, double timeout,                  \
                               const struct pysock_addr *source_address, int64_t *sock,            \
                               struct pysock_error *err),                                          \
      (address, timeout, source_address, sock, err))                                               \
    X(int, create_server, (const struct pysock_addr *address, int family, int backlog,             \
                           int options, int64_t *sock, struct pysock_error *err),                  \
      (address, family, backlog, options, sock, err))                                              \
    X(int, has_dualstack_ipv6, (struct pysock_error *err), (err))                                  \
    X(int, accept, (int64_t sock, int64_t *conn, struct pysock_addrbuf *peer,                      \
                    struct pysock_error *err),                                                     \
      (sock, conn, peer, err))                                                                     \
    X(int, dup, (int64_t sock, int64_t *newsock, struct pysock_error *err), (sock, newsock, err))  \
    X(int, detach, (int64_t sock, struct pysock_error *err), (sock, err))                          \
    X(int, bind, (int64_t sock, const struct pysock_addr *address, struct pysock_error *err),      \
      (sock, address, err))                                                                        \
    X(int, listen, (int64_t sock, int backlog, struct pysock_error *err), (sock, backlog, err))    \
    X(int, connect, (int64_t sock, const struct pysock_addr *address, struct pysock_error *err),   \
      (sock, address, err))                                                                        \
    X(int, connect_ex, (int64_t sock, const struct pysock_addr *address,                           \
                        struct pysock_error *err),                                                 \
      (sock, address, err))                                                                        \
    X(int64_t, send, (int64_t sock, const void *data, size_t len, int flags,                       \
                      struct pysock_error *err),                                                   \
      (sock, data, len, flags, err))                                                               \
    X(int, sendall, (int64_t sock, const void *data, size_t len, int flags,                        \
                     struct pysock_error *err),                                                    \
      (sock, data, len, flags, err))                                                               \
    X(int64_t, sendto, (int64_t sock, const void *data, size_t len, int flags,                     \
                        const struct pysock_addr *address, struct pysock_error *err),              \
      (sock, data, len, flags, address, err))                                                      \
    X(int64_t, recv, (int64_t sock, void *buf, size_t bufsize, int flags,                          \
                      struct pysock_error *err),                                                   \
      (sock, buf, bufsize, flags, err))                                                            \
    X(int64_t, recv_into, (int64_t sock, void *buf, size_t buflen, size_t nbytes, int flags,       \
                           struct pysock_error *err),                                              \
      (sock, buf, buflen, nbytes, flags, err))                                                     \
    X(int64_t, recvfrom, (int64_t sock, void *buf, size_t bufsize, int flags,                      \
                          struct pysock_addrbuf *from, struct pysock_error *err),                  \
      (sock, buf, bufsize, flags, from, err))                                                      \
    X(int64_t, recvfrom_into, (int64_t sock, void *buf, size_t buflen, size_t nbytes, int flags,   \
                               struct pysock_addrbuf *from, struct pysock_error *err),             \
      (sock, buf, buflen, nbytes, flags, from, err))                                               \
    X(int, shutdown, (int64_t sock, int how, struct pysock_error *err), (sock, how, err))          \
    X(int, close, (int64_t sock, struct pysock_error *err), (sock, err))                           \
    X(int, settimeout, (int64_t sock, double timeout, struct pysock_error *err),                   \
      (sock, timeout, err))                                                                        \
    X(int, gettimeout, (int64_t sock, double *timeout, struct pysock_error *err),                  \
      (sock, timeout, err))                                                                        \
    X(int, setblocking, (int64_t sock, int flag, struct pysock_error *err), (sock, flag, err))     \
    X(int, getblocking, (int64_t sock, struct pysock_error *err), (sock, err))                     \
    X(int, setdefaulttimeout, (double timeout, struct pysock_error *err), (timeout, err))          \
    X(int, setsockopt, (int64_t sock, int level, int option, int value, struct pysock_error *err), \
      (sock, level, option, value, err))                                                           \
    X(int, setsockopt_bytes, (int64_t sock, int level, int option, const void *value, size_t len,  \
                              struct pysock_error *err),                                           \
      (sock, level, option, value, len, err))                                                      \
    X(int, setsockopt_none, (int64_t sock, int level, int option, unsigned int optlen,             \
                             struct pysock_error *err),                                            \
      (sock, level, option, optlen, err))                                                          \
    X(int, getsockopt, (int64_t sock, int level, int option, int *value,                           \
                        struct pysock_error *err),                                                 \
      (sock, level, option, value, err))                                                           \
    X(int, getsockopt_bytes, (int64_t sock, int level, int option, void *buf, size_t buflen,       \
                              struct pysock_error *err),                                           \
      (sock, level, option, buf, buflen, err))                                                     \
    X(int, getsockname, (int64_t sock, struct pysock_addrbuf *addr, struct pysock_error *err),     \
      (sock, addr, err))                                                                           \
    X(int, getpeername, (int64_t sock, struct pysock_addrbuf *addr, struct pysock_error *err),     \
      (sock, addr, err))                                                                           \
    X(int, fileno, (int64_t sock, struct pysock_error *err), (sock, err))                          \
    X(int, sockinfo, (int64_t sock, int *family, int *type, int *proto, struct pysock_error *err), \
      (sock, family, type, proto, err))                                                            \
    X(int, get_inheritable, (int64_t sock, struct pysock_error *err), (sock, err))                 \
    X(int, set_inheritable, (int64_t sock, int inheritable, struct pysock_error *err),             \
      (sock, inheritable, err))                                                                    \
    /* messages and ancillary data */                                                              \
    X(int64_t, sendmsg, (int64_t sock, const struct pysock_buf *buffers, size_t nbuffers,          \
                         const struct pysock_cmsg *ancdata, size_t nancdata, int flags,            \
                         const struct pysock_addr *address, struct pysock_error *err),             \
      (sock, buffers, nbuffers, ancdata, nancdata, flags, address, err))                           \
    X(int64_t, recvmsg, (int64_t sock, void *buf, size_t bufsize, size_t ancbufsize, int flags,    \
                         struct pysock_cmsg **ancdata, size_t *nancdata, int *msg_flags,           \
                         struct pysock_addrbuf *address, struct pysock_error *err),                \
      (sock, buf, bufsize, ancbufsize, flags, ancdata, nancdata, msg_flags, address, err))         \
    X(int64_t, recvmsg_into, (int64_t sock, const struct pysock_recvbuf *buffers,                  \
                              size_t nbuffers, size_t ancbufsize, int flags,                       \
                              struct pysock_cmsg **ancdata, size_t *nancdata, int *msg_flags,      \
                              struct pysock_addrbuf *address, struct pysock_error *err),           \
      (sock, buffers, nbuffers, ancbufsize, flags, ancdata, nancdata, msg_flags, address, err))    \
    X(int64_t, send_fds, (int64_t sock, const struct pysock_buf *buffers, size_t nbuffers,         \
                          const int *fds, size_t nfds, int flags,                                  \
                          const struct pysock_addr *address, struct pysock_error *err),            \
      (sock, buffers, nbuffers, fds, nfds, flags, address, err))                                   \
    X(int64_t, recv_fds, (int64_t sock, void *buf, size_t bufsize, int *fds, size_t maxfds,        \
                          size_t *nfds, int flags, int *msg_flags, struct pysock_addrbuf *address, \
                          struct pysock_error *err),                                               \
      (sock, buf, bufsize, fds, maxfds, nfds, flags, msg_flags, address, err))                     \
    /* files */                                                                                    \
    X(int, makefile, (int64_t sock, const char *mode, const struct pysock_fileopts *opts,          \
                      int64_t *file, struct pysock_error *err),                                    \
      (sock, mode, opts, file, err))                                                               \
    X(int64_t, file_read, (int64_t file, void *buf, size_t len, struct pysock_error *err),         \
      (file, buf, len, err))                                                                       \
    X(int64_t, file_readline, (int64_t file, void *buf, size_t len, struct pysock_error *err),     \
      (file, buf, len, err))                                                                       \
    X(int64_t, file_write, (int64_t file, const void *data, size_t len, struct pysock_error *err), \
      (file, data, len, err))                                                                      \
    X(int, file_flush, (int64_t file, struct pysock_error *err), (file, err))                      \
    X(int, file_close, (int64_t file, struct pysock_error *err), (file, err))                      \
    /* resolver */                                                                                 \
    X(int, getaddrinfo, (const char *host, const char *port, int family, int type, int proto,      \
                         int flags, struct pysock_addrinfo **res, struct pysock_error *err),       \
      (host, port, family, type, proto, flags, res, err))                                          \
    X(int, getnameinfo, (const struct pysock_addr *sockaddr, int flags,                            \
                         struct pysock_nameinfo *out, struct pysock_error *err),                   \
      (sockaddr, flags, out, err))                                                                 \
    X(int, gethostbyname, (const char *hostname, char *buf, size_t len, struct pysock_error *err), \
      (hostname, buf, len, err))                                                                   \
    X(int, gethostbyname_ex, (const char *hostname, struct pysock_hostent **out,                   \
                              struct pysock_error *err),                                           \
      (hostname, out, err))                                                                        \
    X(int, gethostbyaddr, (const char *ip_address, struct pysock_hostent **out,                    \
                           struct pysock_error *err),                                              \
      (ip_address, out, err))                                                                      \
    X(int, getfqdn, (const char *name, char *buf, size_t len, struct pysock_error *err),           \
      (name, buf, len, err))                                                                       \
    X(int, gethostname, (char *buf, size_t len, struct pysock_error *err), (buf, len, err))        \
    X(int, getservbyname, (const char *name, const char *proto, struct pysock_error *err),         \
      (name, proto, err))                                                                          \
    X(int, getservbyport, (int port, const char *proto, char *buf, size_t len,                     \
                           struct pysock_error *err),                                              \
      (port, proto, buf, len, err))                                                                \
    X(int, getprotobyname, (const char *name, struct pysock_error *err), (name, err))              \
    X(int, setmaxlookups, (int n, struct pysock_error *err), (n, err))                             \
    X(int, close_fd, (int64_t fd, struct pysock_error *err), (fd, err))                            \
    X(int, dup_fd, (int64_t fd, struct pysock_error *err), (fd, err))                              \
    X(int, sethostname, (const void *name, size_t len, struct pysock_error *err),                  \
      (name, len, err))                                                                            \
    X(int64_t, cmsg_len, (int64_t length, struct pysock_error *err), (length, err))                \
    X(int64_t, cmsg_space, (int64_t length, struct pysock_error *err), (length, err))              \
    /* addresses, byte order, interfaces */                                                        \
    X(int, inet_aton, (const char *ip_string, void *packed, size_t len, struct pysock_error *err), \
      (ip_string, packed, len, err))                                                               \
    X(int, inet_ntoa, (const void *packed, size_t len, char *buf, size_t buflen,                   \
                       struct pysock_error *err),                                                  \
      (packed, len, buf, buflen, err))                                                             \
    X(int, inet_pton, (int family, const char *ip_string, void *packed, size_t len,                \
                       struct pysock_error *err),                                                  \
      (family, ip_string, packed, len, err))                                                       \
    X(int, inet_ntop, (int family, const void *packed, size_t len, char *buf, size_t buflen,       \
                       struct pysock_error *err),                                                  \
      (family, packed, len, buf, buflen, err))                                                     \
    X(int, htons, (int64_t x, struct pysock_error *err), (x, err))                                 \
    X(int, ntohs, (int64_t x, struct pysock_error *err), (x, err))                                 \
    X(int64_t, htonl, (int64_t x, struct pysock_error *err), (x, err))                             \
    X(int64_t, ntohl, (int64_t x, struct pysock_error *err), (x, err))                             \
    X(int, if_nameindex, (struct pysock_if_nameindex **out, struct pysock_error *err), (out, err)) \
    X(int, if_nametoindex, (const char *if_name, struct pysock_error *err), (if_name, err))        \
    X(int, if_indextoname, (int64_t if_index, char *buf, size_t len, struct pysock_error *err),    \
      (if_index, buf, len, err))

/* PYSOCK_SIGPIPE_CALLS lists, as PYSOCK_CALLS does, the functions whose system calls may
 * raise SIGPIPE (sendfile(2) takes no MSG_NOSIGNAL): pysock.c defines them with SIGPIPE
 * blocked in the calling thread around the call, and any SIGPIPE the call raised taken
 * away (pysock.h, SIGNALS). */
#define PYSOCK_SIGPIPE_CALLS(X)                                                                    \
    X(int64_t, sendfile, (int64_t sock, int fd, int64_t offset, int64_t count,                     \
                          struct pysock_error *err),                                               \
      (sock, fd, offset, count, err))

/* The declarations of the Go exports. */
#define PYSOCK_DECLARE_GO(type, name, params, args) type pysock_go_##name params;
PYSOCK_CALLS(PYSOCK_DECLARE_GO)
PYSOCK_SIGPIPE_CALLS(PYSOCK_DECLARE_GO)
double pysock_go_getdefaulttimeout(void);

#endif
