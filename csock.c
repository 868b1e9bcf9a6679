/*
 * csock.c - see csock.h. Each function is one libc call (or one whole lookup), returning
 * -errno or an EAI_* code; no state, no policy.
 */
#define _GNU_SOURCE

#include "csock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Offsets inside result blocks are uint32_t; blocks never approach 4 GiB (see BLOCK_MAX). */
#define BLOCK_MAX ((size_t)1 << 30)

/* Default first work buffer of the *_r lookups, on the stack as in their C callers: 16 KiB
 * for gethostby*_r, as CPython (hosts files with long alias lists need it), 1 KiB for the
 * services and protocols lookups, where glibc's own getservbyname starts. */
#define R_BUF_HOST 16384
#define R_BUF_SMALL 1024

/* Upper bound of the *_r work buffer: a 16 MiB hostent is far beyond any real answer. */
#define R_BUF_MAX ((size_t)16 << 20)

_Static_assert(sizeof(struct sockaddr_storage) >= sizeof(struct sockaddr_un),
               "sockaddr_storage holds sockaddr_un");
_Static_assert(CSOCK_HOSTTEXT >= INET6_ADDRSTRLEN, "host text holds any IPv6 text");

/* ---------------------------------------------------------------------------------------
 * Address decoding
 * ------------------------------------------------------------------------------------- */

/*
 * Writes the dotted quad of the IPv4 address at b to out (at least 16 bytes), as
 * inet_ntop(AF_INET) writes it ("%u.%u.%u.%u"): glibc's formats through sprintf, which
 * cost more than a numeric getaddrinfo itself.
 */
static void ipv4_text(const unsigned char *b, char *out)
{
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100) {
            *out++ = (char)('0' + v / 100);
            v %= 100;
            *out++ = (char)('0' + v / 10);
        } else if (v >= 10) {
            *out++ = (char)('0' + v / 10);
        }
        *out++ = (char)('0' + v % 10);
        *out++ = i < 3 ? '.' : '\0';
    }
}

/* Fills the decoded fields of a from a->raw and a->rawlen. */
static void decode_addr(csock_addr *a)
{
    a->family = AF_UNSPEC;
    a->port = 0;
    a->flowinfo = 0;
    a->scope_id = 0;
    a->host[0] = '\0';
    if (a->rawlen < sizeof(sa_family_t))
        return;
    a->family = a->raw.ss_family;
    if (a->family == AF_INET && a->rawlen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->raw;
        a->port = ntohs(sin->sin_port);
        ipv4_text((const unsigned char *)&sin->sin_addr, a->host);
    } else if (a->family == AF_INET6 && a->rawlen >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->raw;
        a->port = ntohs(sin6->sin6_port);
        a->flowinfo = ntohl(sin6->sin6_flowinfo);
        a->scope_id = sin6->sin6_scope_id;
        if (inet_ntop(AF_INET6, &sin6->sin6_addr, a->host, sizeof a->host) == NULL)
            a->host[0] = '\0';
    }
}

/* Copies len bytes of a kernel address into a and decodes it. */
static void set_addr(csock_addr *a, const struct sockaddr *sa, socklen_t len)
{
    if (len > sizeof a->raw)
        len = sizeof a->raw;
    memset(&a->raw, 0, sizeof a->raw);
    if (len > 0)
        memcpy(&a->raw, sa, len);
    a->rawlen = len;
    decode_addr(a);
}

/*
 * set_addr for an entry addrinfo_block has just zeroed: nothing is zeroed again, and the
 * usual lengths are copied with constant sizes. (set_addr's 128-byte memset and variable
 * memcpy compile to rep stos and rep movs, a tenth of the binding's own cost of a numeric
 * getaddrinfo.)
 */
static void put_addr(csock_addr *a, const struct sockaddr *sa, socklen_t len)
{
    if (len == sizeof(struct sockaddr_in))
        memcpy(&a->raw, sa, sizeof(struct sockaddr_in));
    else if (len == sizeof(struct sockaddr_in6))
        memcpy(&a->raw, sa, sizeof(struct sockaddr_in6));
    else {
        if (len > sizeof a->raw)
            len = sizeof a->raw;
        memcpy(&a->raw, sa, len);
    }
    a->rawlen = len;
    decode_addr(a);
}

/* ---------------------------------------------------------------------------------------
 * Sockets and descriptors
 * ------------------------------------------------------------------------------------- */

int csock_socket(int family, int type, int protocol)
{
    int fd = socket(family, type | SOCK_CLOEXEC, protocol);
    return fd < 0 ? -errno : fd;
}

int csock_socketpair(int family, int type, int protocol, int fds[2])
{
    return socketpair(family, type | SOCK_CLOEXEC, protocol, fds) < 0 ? -errno : 0;
}

int csock_close(int fd)
{
    return close(fd) < 0 ? -errno : 0;
}

int csock_shutdown(int fd, int how)
{
    return shutdown(fd, how) < 0 ? -errno : 0;
}

int csock_bind(int fd, const struct sockaddr *sa, socklen_t salen)
{
    return bind(fd, sa, salen) < 0 ? -errno : 0;
}

int csock_listen(int fd, int backlog)
{
    return listen(fd, backlog) < 0 ? -errno : 0;
}

int csock_connect(int fd, const struct sockaddr *sa, socklen_t salen)
{
    return connect(fd, sa, salen) < 0 ? -errno : 0;
}

int csock_accept(int fd, csock_addr *peer, int flags)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int nfd = accept4(fd, (struct sockaddr *)&ss, &len, flags | SOCK_CLOEXEC);
    if (nfd < 0)
        return -errno;
    if (peer != NULL)
        set_addr(peer, (struct sockaddr *)&ss, len);
    return nfd;
}

int csock_connect_nowait(int fd, const struct sockaddr *sa, socklen_t salen)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    int r = connect(fd, sa, salen) < 0 ? -errno : 0;
    if (r == -EINPROGRESS) {
        /* Ask again: over loopback the handshake has usually completed by now. */
        r = connect(fd, sa, salen) < 0 ? -errno : 0;
        if (r == -EALREADY || r == -EINTR)
            r = -EINPROGRESS;
        else if (r == -EISCONN)
            r = 0;
    }
    /* The connection goes on whatever the flag; restoring it cannot fail on a descriptor
     * the F_SETFL above just succeeded on, and if it did the connect's outcome still
     * stands. */
    if (!(fl & O_NONBLOCK))
        (void)fcntl(fd, F_SETFL, fl);
    return r;
}

int csock_accept_nowait(int fd, csock_addr *peer, int flags)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n;
    do
        n = poll(&p, 1, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if (n == 0) {
        /* Nothing to take. On a socket that is not listening accept4 fails at once
         * (EINVAL, EOPNOTSUPP) without waiting: let it, as a blocking accept would. A
         * failing getsockopt (ENOTSOCK, EBADF) is accept4's failure too. */
        int listening = 0;
        socklen_t len = sizeof listening;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening)
            return -EAGAIN;
    }
    return csock_accept(fd, peer, flags);
}

int csock_poll(int fd, int events, int timeout_ms)
{
    /* pollfd.events is a short: bits beyond its 16 would be dropped, not asked for. */
    if (events < 0 || events > 0xffff)
        return -EINVAL;
    struct pollfd p = {.fd = fd, .events = (short)events};
    int n;
    do
        n = poll(&p, 1, timeout_ms);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    return n == 0 ? 0 : (unsigned short)p.revents;
}

int csock_fdid(int fd, uint64_t *dev, uint64_t *ino)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    *dev = (uint64_t)st.st_dev;
    *ino = (uint64_t)st.st_ino;
    return 0;
}

int csock_getsockname(int fd, csock_addr *out)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -errno;
    set_addr(out, (struct sockaddr *)&ss, len);
    return 0;
}

int csock_getpeername(int fd, csock_addr *out)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return -errno;
    set_addr(out, (struct sockaddr *)&ss, len);
    return 0;
}

int csock_getsockopt_int(int fd, int level, int option, int *value)
{
    socklen_t len = sizeof *value;
    *value = 0;
    return getsockopt(fd, level, option, value, &len) < 0 ? -errno : 0;
}

int csock_setsockopt_int(int fd, int level, int option, int value)
{
    return setsockopt(fd, level, option, &value, sizeof value) < 0 ? -errno : 0;
}

int csock_getsockopt(int fd, int level, int option, void *buf, socklen_t buflen)
{
    socklen_t len = buflen;
    if (getsockopt(fd, level, option, buf, &len) < 0)
        return -errno;
    /* Linux may report more than it wrote: NETLINK_LIST_MEMBERSHIPS gives the size of the
     * whole group bitmap even when buf holds only part of it (net/netlink/af_netlink.c).
     * Bytes past buflen were never written, so they are never reported. */
    return (int)(len > buflen ? buflen : len);
}

int csock_setsockopt(int fd, int level, int option, const void *buf, socklen_t buflen)
{
    return setsockopt(fd, level, option, buf, buflen) < 0 ? -errno : 0;
}

ssize_t csock_recv(int fd, void *buf, size_t len, int flags)
{
    ssize_t n = recv(fd, buf, len, flags);
    return n < 0 ? -errno : n;
}

ssize_t csock_recvfrom(int fd, void *buf, size_t len, int flags, csock_addr *from)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    ssize_t n = recvfrom(fd, buf, len, flags, (struct sockaddr *)&ss, &sslen);
    if (n < 0)
        return -errno;
    if (from != NULL)
        set_addr(from, (struct sockaddr *)&ss, sslen);
    return n;
}

ssize_t csock_send(int fd, const void *buf, size_t len, int flags)
{
    ssize_t n = send(fd, buf, len, flags | MSG_NOSIGNAL);
    return n < 0 ? -errno : n;
}

ssize_t csock_sendto(int fd, const void *buf, size_t len, int flags,
                     const struct sockaddr *sa, socklen_t salen)
{
    ssize_t n = sendto(fd, buf, len, flags | MSG_NOSIGNAL, sa, salen);
    return n < 0 ? -errno : n;
}

int csock_dup(int fd)
{
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return nfd < 0 ? -errno : nfd;
}

int csock_get_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -errno : (fl & O_NONBLOCK) != 0;
}

int csock_get_status_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -errno : fl;
}

int csock_set_nonblock(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -errno;
    int want = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
    if (want != fl && fcntl(fd, F_SETFL, want) < 0)
        return -errno;
    return 0;
}

int csock_get_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    return fl < 0 ? -errno : (fl & FD_CLOEXEC) != 0;
}

int csock_set_cloexec(int fd, int on)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0)
        return -errno;
    int want = on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC;
    if (want != fl && fcntl(fd, F_SETFD, want) < 0)
        return -errno;
    return 0;
}

int csock_sockinfo(int fd, int *family, int *type, int *protocol)
{
    int r = csock_getsockopt_int(fd, SOL_SOCKET, SO_DOMAIN, family);
    if (r == 0)
        r = csock_getsockopt_int(fd, SOL_SOCKET, SO_TYPE, type);
    if (r == 0)
        r = csock_getsockopt_int(fd, SOL_SOCKET, SO_PROTOCOL, protocol);
    return r;
}

/* ---------------------------------------------------------------------------------------
 * Result blocks: the size is computed first, then the block is written in one go.
 * ------------------------------------------------------------------------------------- */

void csock_free(void *block)
{
    free(block);
}

/* Rounds n up to a multiple of the alignment every block member needs. */
static size_t block_align(size_t n)
{
    const size_t a = _Alignof(max_align_t);
    return (n + a - 1) / a * a;
}

/* Returns buf when need bytes fit in it, else a fresh allocation (NULL if none). */
static void *block_get(void *buf, size_t buflen, size_t need)
{
    if (need > BLOCK_MAX)
        return NULL;
    if (buf != NULL && need <= buflen)
        return buf;
    return malloc(need);
}

/* Copies s (with its NUL) to block + *off and returns its offset, advancing *off. */
static uint32_t block_put_str(char *block, size_t *off, const char *s)
{
    size_t n = strlen(s) + 1;
    uint32_t at = (uint32_t)*off;
    memcpy(block + at, s, n);
    *off += n;
    return at;
}

/* ---------------------------------------------------------------------------------------
 * Resolver status
 * ------------------------------------------------------------------------------------- */

/*
 * Starts a resolver call: clears *st and marks the thread's h_errno as unset, returning
 * its previous value for status_end.
 */
static int status_begin(csock_rstatus *st)
{
    int old = h_errno;
    if (st != NULL) {
        st->syserr = 0;
        st->herr = 0;
        st->h_errno_tls = CSOCK_HERRNO_UNSET;
    }
    h_errno = CSOCK_HERRNO_UNSET;
    return old;
}

/*
 * Ends a resolver call: records the thread's h_errno as the call left it, and puts the old
 * value back if the call did not set it, so other code in the thread sees no change.
 */
static void status_end(csock_rstatus *st, int old)
{
    if (st != NULL)
        st->h_errno_tls = h_errno;
    if (h_errno == CSOCK_HERRNO_UNSET)
        h_errno = old;
}

/* ---------------------------------------------------------------------------------------
 * getaddrinfo / getnameinfo
 * ------------------------------------------------------------------------------------- */

/*
 * Writes the result block of a getaddrinfo list (see csock_getaddrinfo) and frees the list.
 * The header and entries are zeroed first, so padding and unused host text are 0 and two
 * blocks of the same answer are equal byte for byte. Returns 0 or EAI_MEMORY.
 */
static int addrinfo_block(struct addrinfo *res, void *buf, size_t buflen,
                          csock_addrinfo_list **out)
{
    size_t count = 0, strbytes = 0;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        count++;
        if (ai->ai_canonname != NULL)
            strbytes += strlen(ai->ai_canonname) + 1;
    }
    size_t off = block_align(sizeof(csock_addrinfo_list) + count * sizeof(csock_addrinfo));
    size_t need = off + strbytes;
    csock_addrinfo_list *list = block_get(buf, buflen, need);
    if (list == NULL) {
        freeaddrinfo(res);
        return EAI_MEMORY;
    }

    memset(list, 0, off);
    list->count = (uint32_t)count;
    list->size = (uint32_t)need;
    size_t i = 0;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next, i++) {
        csock_addrinfo *e = &list->entry[i];
        e->family = ai->ai_family;
        e->socktype = ai->ai_socktype;
        e->protocol = ai->ai_protocol;
        e->canonname = ai->ai_canonname != NULL
            ? block_put_str((char *)list, &off, ai->ai_canonname) : 0;
        put_addr(&e->addr, ai->ai_addr, ai->ai_addrlen); /* the entry was zeroed above */
    }
    freeaddrinfo(res);
    *out = list;
    return 0;
}

int csock_getaddrinfo(const char *host, const char *serv, int family, int socktype,
                      int protocol, int flags, void *buf, size_t buflen,
                      csock_addrinfo_list **out, csock_rstatus *st)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_protocol = protocol;
    hints.ai_flags = flags;
    *out = NULL;

    int old = status_begin(st);
    int rc = getaddrinfo(host, serv, &hints, &res);
    int err = errno;
    status_end(st, old);
    if (rc != 0) {
        if (rc == EAI_SYSTEM && st != NULL)
            st->syserr = err;
        return rc;
    }
    return addrinfo_block(res, buf, buflen, out);
}

const char *csock_gai_strerror(int code)
{
    return gai_strerror(code);
}

/* ---------------------------------------------------------------------------------------
 * Asynchronous getaddrinfo
 * ------------------------------------------------------------------------------------- */

/* Where a request is between csock_gai_start and the notification thread (see gai_notified). */
enum gai_state { GAI_STARTING, GAI_QUEUED, GAI_FAILED };

struct csock_gai_req {
    struct gaicb cb;            /* what libc reads and writes until it notifies */
    struct addrinfo hints;
    pthread_mutex_t mu;         /* orders csock_gai_start against the notification thread */
    enum gai_state state;       /* under mu */
    int canceled;               /* gai_cancel returned EAI_CANCELED */
    csock_gai_notify_fn notify;
    void *arg;
    char names[];               /* host and serv with their NULs */
};

static void gai_req_free(csock_gai_req *r)
{
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/*
 * The SIGEV_THREAD function. glibc may notify a request whose getaddrinfo_a failed (it
 * signals "nothing queued" through the same sigevent) and may do so before getaddrinfo_a
 * has returned, so the state is read under the mutex csock_gai_start holds around the call:
 * a queued request is handed to notify, a failed one (now ours alone) is freed.
 */
static void gai_notified(union sigval v)
{
    csock_gai_req *r = v.sival_ptr;
    pthread_mutex_lock(&r->mu);
    enum gai_state state = r->state;
    csock_gai_notify_fn notify = r->notify;
    void *arg = r->arg;
    pthread_mutex_unlock(&r->mu);
    if (state == GAI_QUEUED)
        notify(arg); /* r may be freed from here on */
    else
        gai_req_free(r);
}

/* A request with copies of host and serv, or NULL. */
static csock_gai_req *gai_req_new(const char *host, const char *serv, int family,
                                  int socktype, int protocol, int flags)
{
    size_t hlen = host != NULL ? strlen(host) + 1 : 0;
    size_t slen = serv != NULL ? strlen(serv) + 1 : 0;
    csock_gai_req *r = malloc(sizeof *r + hlen + slen);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof *r);
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r);
        return NULL;
    }
    if (host != NULL) {
        memcpy(r->names, host, hlen);
        r->cb.ar_name = r->names;
    }
    if (serv != NULL) {
        memcpy(r->names + hlen, serv, slen);
        r->cb.ar_service = r->names + hlen;
    }
    r->hints.ai_family = family;
    r->hints.ai_socktype = socktype;
    r->hints.ai_protocol = protocol;
    r->hints.ai_flags = flags;
    r->cb.ar_request = &r->hints;
    r->state = GAI_STARTING;
    return r;
}

/*
 * Whether a request whose getaddrinfo_a returned EAI_AGAIN may be freed now. glibc returns
 * EAI_AGAIN when it queued the request but could not allocate its notification: the lookup
 * runs and writes into the request, and no one is told. Cancel it; if it is already
 * running, the request has to be left to libc (leaked, on a machine out of memory).
 */
static int gai_orphan_reclaimable(csock_gai_req *r)
{
    switch (gai_cancel(&r->cb)) {
    case EAI_CANCELED:
        return 1;
    case EAI_ALLDONE:
        if (gai_error(&r->cb) == 0)
            freeaddrinfo(r->cb.ar_result);
        return 1;
    default:
        return 0;
    }
}

int csock_gai_start(const char *host, const char *serv, int family, int socktype,
                    int protocol, int flags, csock_gai_notify_fn notify, void *arg,
                    csock_gai_req **req, csock_rstatus *st)
{
    *req = NULL;
    if (st != NULL) {
        st->syserr = 0;
        st->herr = 0;
        st->h_errno_tls = CSOCK_HERRNO_UNSET;
    }
    csock_gai_req *r = gai_req_new(host, serv, family, socktype, protocol, flags);
    if (r == NULL)
        return EAI_MEMORY;
    r->notify = notify;
    r->arg = arg;

    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = gai_notified;
    sev.sigev_value.sival_ptr = r;
    struct gaicb *list[1] = {&r->cb};

    pthread_mutex_lock(&r->mu);
    int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
    int err = errno;
    /* EAI_SYSTEM: nothing was queued, but glibc may already have started a notification
     * thread, which frees the request (gai_notified); if it could not start one, the
     * request leaks. EAI_AGAIN: see gai_orphan_reclaimable. */
    int ours = rc == EAI_AGAIN && gai_orphan_reclaimable(r);
    r->state = rc == 0 ? GAI_QUEUED : GAI_FAILED;
    if (rc == 0)
        *req = r; /* before notify can run: it may need the handle */
    pthread_mutex_unlock(&r->mu);
    if (rc == 0)
        return 0;
    if (ours)
        gai_req_free(r);
    if (rc == EAI_SYSTEM && st != NULL)
        st->syserr = err;
    return rc;
}

int csock_gai_cancel(csock_gai_req *req)
{
    int rc = gai_cancel(&req->cb);
    if (rc == EAI_CANCELED)
        req->canceled = 1;
    return rc;
}

int csock_gai_finish(csock_gai_req *req, void *buf, size_t buflen,
                     csock_addrinfo_list **out, csock_rstatus *st)
{
    if (st != NULL) {
        st->syserr = 0;
        st->herr = 0;
        st->h_errno_tls = CSOCK_HERRNO_UNSET;
    }
    if (out != NULL)
        *out = NULL;
    int rc = req->canceled ? EAI_CANCELED : gai_error(&req->cb);
    struct addrinfo *res = rc == 0 ? req->cb.ar_result : NULL;
    gai_req_free(req);
    if (res == NULL)
        return rc;
    if (out == NULL) {
        freeaddrinfo(res);
        return 0;
    }
    return addrinfo_block(res, buf, buflen, out);
}

int csock_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                      socklen_t hostlen, char *serv, socklen_t servlen, int flags,
                      csock_rstatus *st)
{
    int old = status_begin(st);
    int rc = getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
    int err = errno;
    status_end(st, old);
    if (rc == EAI_SYSTEM && st != NULL)
        st->syserr = err;
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * netdb *_r lookups
 * ------------------------------------------------------------------------------------- */

/*
 * Sets up the first work buffer of a *_r lookup: the caller's stack buffer (stack, of
 * stacklen bytes) when hint is 0, else hint bytes from malloc. Returns the buffer, NULL
 * when malloc failed; *size gets its size.
 */
static char *first_buf(size_t hint, char *stack, size_t stacklen, size_t *size)
{
    if (hint == 0) {
        *size = stacklen;
        return stack;
    }
    *size = hint;
    return malloc(hint);
}

/* Frees a work buffer unless it is the stack buffer. */
static void work_free(char *work, const char *stack)
{
    if (work != stack)
        free(work);
}

/*
 * Replaces a work buffer that was too small (ERANGE) by one twice its size. Returns 0,
 * or -ERANGE past R_BUF_MAX / -ENOMEM, having freed the old buffer (unless it was the
 * stack buffer) either way.
 */
static int grow(char **work, size_t *size, const char *stack)
{
    work_free(*work, stack);
    *work = NULL;
    if (*size >= R_BUF_MAX)
        return -ERANGE;
    *size *= 2;
    *work = malloc(*size);
    return *work == NULL ? -ENOMEM : 0;
}

/*
 * Writes inet_ntop's text of the address src of family af to text (CSOCK_HOSTTEXT bytes),
 * "" when inet_ntop fails. IPv4 goes through ipv4_text: inet_ntop's sprintf was more than
 * half of a gethostbyname_r's instructions, done twice per address.
 */
static void addr_text(int af, const void *src, char *text)
{
    if (af == AF_INET)
        ipv4_text(src, text);
    else if (inet_ntop(af, src, text, CSOCK_HOSTTEXT) == NULL)
        text[0] = '\0';
}

/* Flattens a hostent into a result block. Returns 0 or -ENOMEM. */
static int flatten_hostent(const struct hostent *h, void *buf, size_t buflen,
                           csock_hostent **out)
{
    char text[CSOCK_HOSTTEXT];
    size_t naliases = 0, naddrs = 0, strbytes = strlen(h->h_name) + 1;
    for (char **a = h->h_aliases; a != NULL && *a != NULL; a++, naliases++)
        strbytes += strlen(*a) + 1;
    for (char **a = h->h_addr_list; a != NULL && *a != NULL; a++, naddrs++) {
        addr_text(h->h_addrtype, *a, text);
        strbytes += strlen(text) + 1;
    }
    size_t addrlen = h->h_length > 0 ? (size_t)h->h_length : 0;
    size_t off_aliases = sizeof(csock_hostent);
    size_t off_addrs = off_aliases + naliases * sizeof(uint32_t);
    size_t off_raw = off_addrs + naddrs * sizeof(uint32_t);
    size_t off = off_raw + naddrs * addrlen;
    size_t need = off + strbytes;

    csock_hostent *r = block_get(buf, buflen, block_align(need));
    if (r == NULL)
        return -ENOMEM;
    char *base = (char *)r;
    r->addrtype = h->h_addrtype;
    r->addrlen = h->h_length;
    r->naliases = (uint32_t)naliases;
    r->aliases = (uint32_t)off_aliases;
    r->naddrs = (uint32_t)naddrs;
    r->addrs = (uint32_t)off_addrs;
    r->rawaddrs = (uint32_t)off_raw;
    r->size = (uint32_t)block_align(need);
    r->name = block_put_str(base, &off, h->h_name);
    for (size_t i = 0; i < naliases; i++) {
        uint32_t at = block_put_str(base, &off, h->h_aliases[i]);
        memcpy(base + off_aliases + i * sizeof at, &at, sizeof at);
    }
    for (size_t i = 0; i < naddrs; i++) {
        addr_text(h->h_addrtype, h->h_addr_list[i], text);
        uint32_t at = block_put_str(base, &off, text);
        memcpy(base + off_addrs + i * sizeof at, &at, sizeof at);
        memcpy(base + off_raw + i * addrlen, h->h_addr_list[i], addrlen);
    }
    *out = r;
    return 0;
}

/* True when a gethostby*_r call failed only because its work buffer was too small. */
static int hostent_erange(int rc, const struct hostent *h, int herr, int err)
{
    return rc == ERANGE || (h == NULL && herr == NETDB_INTERNAL && err == ERANGE);
}

/* Turns the outcome of a gethostby*_r call into the shim's result (see csock.h). */
static int hostent_result(int rc, const struct hostent *h, int herr, int err, void *buf,
                          size_t buflen, csock_hostent **out, csock_rstatus *st)
{
    if (rc == 0 && h != NULL)
        return flatten_hostent(h, buf, buflen, out);
    if (st != NULL) {
        st->herr = herr;
        st->syserr = rc != 0 ? rc : err;
    }
    return CSOCK_NOTFOUND;
}

int csock_gethostbyname(const char *name, size_t bufhint, void *buf, size_t buflen,
                        csock_hostent **out, csock_rstatus *st)
{
    struct hostent he, *h = NULL;
    char stack[R_BUF_HOST];
    size_t size;
    char *work = first_buf(bufhint, stack, sizeof stack, &size);
    int rc, hcode = 0, err;
    *out = NULL;
    if (work == NULL)
        return -ENOMEM;
    for (;;) {
        errno = 0;
        int old = status_begin(st);
        rc = gethostbyname_r(name, &he, work, size, &h, &hcode);
        err = errno;
        status_end(st, old);
        if (!hostent_erange(rc, h, hcode, err))
            break;
        int g = grow(&work, &size, stack);
        if (g < 0)
            return g;
    }
    int result = hostent_result(rc, h, hcode, err, buf, buflen, out, st);
    work_free(work, stack);
    return result;
}

int csock_gethostbyaddr(const void *addr, socklen_t len, int family, size_t bufhint,
                        void *buf, size_t buflen, csock_hostent **out, csock_rstatus *st)
{
    struct hostent he, *h = NULL;
    char stack[R_BUF_HOST];
    size_t size;
    char *work = first_buf(bufhint, stack, sizeof stack, &size);
    int rc, hcode = 0, err;
    *out = NULL;
    if (work == NULL)
        return -ENOMEM;
    for (;;) {
        errno = 0;
        int old = status_begin(st);
        rc = gethostbyaddr_r(addr, len, family, &he, work, size, &h, &hcode);
        err = errno;
        status_end(st, old);
        if (!hostent_erange(rc, h, hcode, err))
            break;
        int g = grow(&work, &size, stack);
        if (g < 0)
            return g;
    }
    int result = hostent_result(rc, h, hcode, err, buf, buflen, out, st);
    work_free(work, stack);
    return result;
}

const char *csock_hstrerror(int code)
{
    return hstrerror(code);
}

int csock_getservbyname(const char *name, const char *proto, size_t bufhint)
{
    struct servent se, *s = NULL;
    char stack[R_BUF_SMALL];
    size_t size;
    char *work = first_buf(bufhint, stack, sizeof stack, &size);
    int rc;
    if (work == NULL)
        return -ENOMEM;
    while ((rc = getservbyname_r(name, proto, &se, work, size, &s)) == ERANGE) {
        int g = grow(&work, &size, stack);
        if (g < 0)
            return g;
    }
    int result = rc != 0 ? -rc : s == NULL ? -ENOENT : ntohs((uint16_t)s->s_port);
    work_free(work, stack);
    return result;
}

int csock_getservbyport(int port, const char *proto, char *name, size_t namelen,
                        size_t bufhint)
{
    /* No service has a port beyond 16 bits; htons would answer for its low 16. */
    if (port < 0 || port > 0xffff)
        return -ENOENT;
    struct servent se, *s = NULL;
    char stack[R_BUF_SMALL];
    size_t size;
    char *work = first_buf(bufhint, stack, sizeof stack, &size);
    int rc;
    if (work == NULL)
        return -ENOMEM;
    while ((rc = getservbyport_r(htons((uint16_t)port), proto, &se, work, size, &s)) ==
           ERANGE) {
        int g = grow(&work, &size, stack);
        if (g < 0)
            return g;
    }
    int result;
    if (rc != 0) {
        result = -rc;
    } else if (s == NULL) {
        result = -ENOENT;
    } else {
        size_t n = strlen(s->s_name);
        if (n >= namelen || n > INT_MAX) {
            result = -ERANGE;
        } else {
            memcpy(name, s->s_name, n + 1);
            result = (int)n;
        }
    }
    work_free(work, stack);
    return result;
}

int csock_getprotobyname(const char *name, size_t bufhint)
{
    struct protoent pe, *p = NULL;
    char stack[R_BUF_SMALL];
    size_t size;
    char *work = first_buf(bufhint, stack, sizeof stack, &size);
    int rc;
    if (work == NULL)
        return -ENOMEM;
    while ((rc = getprotobyname_r(name, &pe, work, size, &p)) == ERANGE) {
        int g = grow(&work, &size, stack);
        if (g < 0)
            return g;
    }
    int result = rc != 0 ? -rc : p == NULL ? -ENOENT : p->p_proto;
    work_free(work, stack);
    return result;
}

/* ---------------------------------------------------------------------------------------
 * Host name, address text, interfaces, messages
 * ------------------------------------------------------------------------------------- */

int csock_gethostname(char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return -ENAMETOOLONG;
    if (gethostname(buf, len) < 0)
        return -errno;
    /* POSIX leaves truncation unterminated; treat a name filling the buffer as too long. */
    size_t n = strnlen(buf, len);
    if (n == len || n > INT_MAX)
        return -ENAMETOOLONG;
    return (int)n;
}

int csock_inet_pton(int family, const char *src, void *dst)
{
    int r = inet_pton(family, src, dst);
    return r < 0 ? -errno : r;
}

int csock_inet_ntop(int family, const void *src, char *dst, socklen_t len)
{
    if (inet_ntop(family, src, dst, len) == NULL)
        return -errno;
    return (int)strlen(dst);
}

int csock_inet_aton(const char *src, void *dst)
{
    struct in_addr a;
    if (inet_aton(src, &a) == 0)
        return 0;
    memcpy(dst, &a, sizeof a);
    return 1;
}

int csock_if_nameindex(void *buf, size_t buflen, csock_if_list **out)
{
    *out = NULL;
    struct if_nameindex *ifs = if_nameindex();
    if (ifs == NULL)
        return -errno;
    size_t count = 0, strbytes = 0;
    for (const struct if_nameindex *p = ifs; p->if_index != 0; p++, count++)
        strbytes += strlen(p->if_name) + 1;
    size_t off = sizeof(csock_if_list) + count * sizeof(csock_if);
    size_t need = block_align(off + strbytes);
    csock_if_list *list = block_get(buf, buflen, need);
    if (list == NULL) {
        if_freenameindex(ifs);
        return -ENOMEM;
    }
    list->count = (uint32_t)count;
    list->size = (uint32_t)need;
    for (size_t i = 0; i < count; i++) {
        list->entry[i].index = ifs[i].if_index;
        list->entry[i].name = block_put_str((char *)list, &off, ifs[i].if_name);
    }
    if_freenameindex(ifs);
    *out = list;
    return 0;
}

int csock_if_nametoindex(const char *name)
{
    errno = 0;
    unsigned int i = if_nametoindex(name);
    if (i == 0)
        return -errno;
    return i > INT_MAX ? -EOVERFLOW : (int)i;
}

int csock_if_indextoname(unsigned int index, char *name, size_t namelen)
{
    char tmp[IF_NAMESIZE];
    if (if_indextoname(index, tmp) == NULL)
        return -errno;
    size_t n = strnlen(tmp, sizeof tmp);
    if (n >= namelen)
        return -ERANGE;
    memcpy(name, tmp, n);
    name[n] = '\0';
    return (int)n;
}

int csock_strerror(int errnum, char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return 0;
    /* The GNU strerror_r may return a static string instead of filling buf. */
    const char *s = strerror_r(errnum, buf, len);
    size_t n = strnlen(s, len - 1);
    if (s != buf)
        memcpy(buf, s, n);
    buf[n] = '\0';
    return (int)n;
}

/* ---------------------------------------------------------------------------------------
 * Messages, ancillary data, sendfile, host name
 * ------------------------------------------------------------------------------------- */

ssize_t csock_sendmsg(int fd, const struct iovec *iov, int iovcnt, const void *control,
                      size_t controllen, const struct sockaddr *sa, socklen_t salen,
                      int flags)
{
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    /* struct msghdr has no const members; sendmsg(2) only reads through them. */
    msg.msg_name = (void *)sa;
    msg.msg_namelen = sa != NULL ? salen : 0;
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = iovcnt > 0 ? (size_t)iovcnt : 0;
    msg.msg_control = controllen > 0 ? (void *)control : NULL;
    msg.msg_controllen = controllen;
    ssize_t n = sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
    return n < 0 ? -errno : n;
}

ssize_t csock_recvmsg(int fd, const struct iovec *iov, int iovcnt, void *control,
                      size_t *controllen, int flags, int *msg_flags, csock_addr *from)
{
    struct sockaddr_storage ss;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    if (from != NULL) {
        memset(&ss, 0, sizeof ss);
        msg.msg_name = &ss;
        msg.msg_namelen = sizeof ss;
    }
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = iovcnt > 0 ? (size_t)iovcnt : 0;
    if (controllen != NULL && *controllen > 0) {
        msg.msg_control = control;
        msg.msg_controllen = *controllen;
    }
    ssize_t n = recvmsg(fd, &msg, flags);
    if (n < 0)
        return -errno;
    if (controllen != NULL)
        *controllen = msg.msg_control != NULL ? msg.msg_controllen : 0;
    if (msg_flags != NULL)
        *msg_flags = msg.msg_flags;
    if (from != NULL)
        set_addr(from, (struct sockaddr *)&ss, msg.msg_namelen); /* 0: no address */
    return n;
}

size_t csock_cmsg_len(size_t len)
{
    /* CMSG_LEN(len) is CMSG_LEN(0) + len: it wraps past SIZE_MAX - CMSG_LEN(0). */
    if (len > SIZE_MAX - CMSG_LEN(0))
        return 0;
    return CMSG_LEN(len);
}

size_t csock_cmsg_space(size_t len)
{
    /* CMSG_SPACE(len) is CMSG_ALIGN(len) + CMSG_SPACE(0), CMSG_ALIGN rounding up to a
     * multiple of A = CMSG_SPACE(1) - CMSG_SPACE(0). SIZE_MAX + 1 and CMSG_SPACE(0) are
     * multiples of A, so the largest multiple of A that fits with CMSG_SPACE(0) is
     * SIZE_MAX + 1 - CMSG_SPACE(1), and the largest len rounding up to it is
     * SIZE_MAX + 1 - CMSG_SPACE(1) itself: every len beyond wraps (inside CMSG_ALIGN's
     * len + A - 1 or in the sum). */
    if (len > SIZE_MAX - (CMSG_SPACE(1) - 1))
        return 0;
    return CMSG_SPACE(len);
}

ssize_t csock_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count)
{
    off_t off = 0, *offp = NULL;
    if (offset != NULL) {
        off = (off_t)*offset;
        if ((int64_t)off != *offset) /* a 32-bit off_t */
            return -EOVERFLOW;
        offp = &off;
    }
    ssize_t n = sendfile(out_fd, in_fd, offp, count);
    if (n < 0)
        return -errno;
    if (offset != NULL)
        *offset = (int64_t)off;
    return n;
}

ssize_t csock_sendfile_nowait(int out_fd, int in_fd, int64_t *offset, size_t count)
{
    int fl = fcntl(out_fd, F_GETFL);
    if (fl < 0)
        return -errno;
    if (!(fl & O_NONBLOCK) && fcntl(out_fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    ssize_t n = csock_sendfile(out_fd, in_fd, offset, count);
    /* As in csock_connect_nowait: restoring cannot fail on a descriptor the F_SETFL above
     * just succeeded on, and the bytes sent stay sent if it did. */
    if (!(fl & O_NONBLOCK))
        (void)fcntl(out_fd, F_SETFL, fl);
    return n;
}

int csock_sethostname(const char *name, size_t len)
{
    return sethostname(name, len) < 0 ? -errno : 0;
}

/* ---------------------------------------------------------------------------------------
 * DNS queries through libc's stub resolver (res_nsearch). Appended for libcnet.
 * ------------------------------------------------------------------------------------- */

#include <resolv.h>

int csock_res_nsearch(const char *name, int rclass, int type, unsigned char *answer,
                      int anslen, int *len, csock_rstatus *st)
{
    /* A private state: res_ninit reads resolv.conf into it, so no thread shares _res. */
    struct __res_state res;
    memset(&res, 0, sizeof res);
    *len = 0;
    int old = status_begin(st);
    if (res_ninit(&res) != 0) {
        /* Nothing to res_nclose: glibc's res_ninit leaves no socket open when it fails. */
        int err = errno;
        status_end(st, old);
        return -(err != 0 ? err : ENOMEM);
    }
    errno = 0;
    int n = res_nsearch(&res, name, rclass, type, answer, anslen);
    int err = errno, herr = res.res_h_errno;
    res_nclose(&res);
    status_end(st, old);
    if (n < 0) {
        if (st != NULL) {
            st->herr = herr;
            st->syserr = err;
        }
        return CSOCK_NOTFOUND;
    }
    *len = n;
    return 0;
}
