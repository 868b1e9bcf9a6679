/*
 * bench.c -- the "c" implementation of the csock benchmark: every operation
 * done by calling libc directly, blocking sockets, POSIX threads for peers.
 *
 *   bench --op NAME [--target-ms N] [--quick] [--cpu N] [--max-s N] [--idle-threads N]
 *   bench --list
 *
 * --idle-threads N (a diagnostic, never passed by the driver) starts N threads that
 * only sleep before measuring: a multi-threaded process (as every Go program is) pays
 * more in the kernel for the same system calls, e.g. read(2) and lseek(2) take the
 * file's position lock once the descriptor table is shared.
 *
 * Prints one JSON line per metric (see bench/README.md for the protocol):
 *   {"impl":"c","op":...,"unit":...,"value":...,"ops":...,
 *    "allocs_per_op":null,"cpu_s_per_gib":null|...}
 *
 * Errors go to stderr with exit status 1; usage errors exit 2. alarm(2)
 * bounds the whole run (--max-s). Build:
 *   gcc -std=c11 -O2 -Wall -Wextra -Werror -pthread -o bench bench.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Bounds, the same as in the Go harness (bench/gobench/harness.go). */
#define MAX_OPS (1L << 30)               /* iterations of one timed phase */
#define BULK_CHUNK (64 * 1024)           /* one sendall in bulk_tcp */
#define BULK_MIN (256LL << 20)           /* least bytes in the timed run */
#define BULK_WARM (32LL << 20)           /* bytes in the warm-up run */
#define BULK_MAX (16LL << 30)            /* most bytes in one run */
#define SENDFILE_SIZE (64LL << 20)       /* the file sendfile_tcp sends, whole, per send */
#define IDLE_CONNS 10000                 /* blocked receivers in idle_10k */
#define IDLE_CONNS_QUICK 1000            /* the same with --quick */
#define WAIT_LIMIT_NS (60LL * 1000000000) /* every wait for a peer */

static const char *const ops_list[] = {
    "getaddrinfo_localhost", "getaddrinfo_numeric", "getnameinfo",
    "getservbyname", "gethostbyname_ex", "gethostname", "socket_close",
    "pingpong_unix", "pingpong_unix_pinned", "pingpong_tcp",
    "pingpong_tcp_pinned", "pingpong_tcp_timeout", "bulk_tcp", "sendfile_tcp", "connect_accept_close", "fdpass", "idle_10k",
};

static const char *g_op;
static long long g_target_ns = 300LL * 1000000;
static int g_quick;
static unsigned g_max_s = 300;

/* die prints "bench: <op>: message[: strerror(err)]" and exits 1. */
static void die(int err, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void die(int err, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "bench: c/%s: ", g_op ? g_op : "-");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (err != 0) fprintf(stderr, ": %s", strerror(err));
    fputc('\n', stderr);
    exit(1);
}

static long long now_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) die(errno, "clock_gettime");
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ns(long long ns) {
    struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
    while (nanosleep(&ts, &ts) != 0) {
        if (errno != EINTR) die(errno, "nanosleep");
    }
}

/* cpu_ns is the user+system CPU time of the whole process. */
static long long cpu_ns(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) die(errno, "getrusage");
    return ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
           ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static void emit(const char *unit, double value, long long ops, double cpu_s_per_gib) {
    char cpu[64] = "null";
    if (cpu_s_per_gib >= 0) snprintf(cpu, sizeof cpu, "%.9g", cpu_s_per_gib);
    if (printf("{\"impl\":\"c\",\"op\":\"%s\",\"unit\":\"%s\",\"value\":%.9g,\"ops\":%lld,"
               "\"allocs_per_op\":null,\"cpu_s_per_gib\":%s}\n",
               g_op, unit, value, ops, cpu) < 0)
        die(errno, "printf");
}

/* ---- the timing loop ---------------------------------------------------- */

/* An iteration function runs n iterations of the op on ctx. */
typedef void (*iter_fn)(void *ctx, long n);

struct loop_result {
    long long ops, elapsed_ns;
};

/* time_loop warms fn up (doubling batches for a tenth of the target, or a
 * twentieth in quick mode, between 2 and 100 ms), sizes batches to ~1/50 of
 * the target from that, then runs batches until the target time or MAX_OPS. */
static struct loop_result time_loop(iter_fn fn, void *ctx) {
    long long warm = g_target_ns / (g_quick ? 20 : 10);
    if (warm < 2000000) warm = 2000000;
    if (warm > 100000000) warm = 100000000;
    long batch = 1, warm_ops = 0;
    long long start = now_ns();
    while (warm_ops < MAX_OPS) {
        fn(ctx, batch);
        warm_ops += batch;
        if (now_ns() - start >= warm) break;
        if (batch < (1L << 20)) batch *= 2;
    }
    long long per_op = (now_ns() - start) / warm_ops;
    batch = 1;
    if (per_op > 0) {
        long long b = g_target_ns / 50 / per_op;
        batch = b < 1 ? 1 : (b > (1L << 20) ? (1L << 20) : (long)b);
    }
    struct loop_result r = {0, 0};
    start = now_ns();
    for (;;) {
        fn(ctx, batch);
        r.ops += batch;
        r.elapsed_ns = now_ns() - start;
        if (r.elapsed_ns >= g_target_ns || r.ops >= MAX_OPS) break;
    }
    return r;
}

static void report_ns_per_op(struct loop_result r) {
    emit("ns/op", (double)r.elapsed_ns / (double)r.ops, r.ops, -1);
}

/* ---- resolver and simple calls ----------------------------------------- */

/* getaddrinfo(host, "80", AF_UNSPEC, SOCK_STREAM, flags), walk, free. */
static void gai(const char *host, int flags) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = flags;
    int rc = getaddrinfo(host, "80", &hints, &res);
    if (rc != 0) die(0, "getaddrinfo(%s): %s", host, gai_strerror(rc));
    int n = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) n++;
    freeaddrinfo(res);
    if (n == 0) die(0, "getaddrinfo(%s): no results", host);
}

static void it_gai_localhost(void *ctx, long n) {
    (void)ctx;
    for (long i = 0; i < n; i++) gai("localhost", 0);
}

static void it_gai_numeric(void *ctx, long n) {
    (void)ctx;
    for (long i = 0; i < n; i++) gai("127.0.0.1", AI_NUMERICHOST);
}

static void it_getnameinfo(void *ctx, long n) {
    (void)ctx;
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(80);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    for (long i = 0; i < n; i++) {
        int rc = getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host, serv,
                             sizeof serv, 0);
        if (rc != 0) die(0, "getnameinfo: %s", gai_strerror(rc));
    }
}

static void it_getservbyname(void *ctx, long n) {
    (void)ctx;
    struct servent se, *res;
    char buf[1024];
    for (long i = 0; i < n; i++) {
        int rc = getservbyname_r("http", "tcp", &se, buf, sizeof buf, &res);
        if (rc != 0) die(rc, "getservbyname_r");
        if (res == NULL || ntohs((uint16_t)res->s_port) != 80) die(0, "getservbyname_r: http/tcp not 80");
    }
}

static void it_gethostbyname_ex(void *ctx, long n) {
    (void)ctx;
    struct hostent he, *res;
    char buf[16384]; /* CPython's size for gethostbyname_r */
    for (long i = 0; i < n; i++) {
        int herr = 0;
        int rc = gethostbyname_r("localhost", &he, buf, sizeof buf, &res, &herr);
        if (rc != 0) die(rc, "gethostbyname_r");
        if (res == NULL) die(0, "gethostbyname_r: h_errno %d", herr);
        int k = 0;
        for (char **a = res->h_aliases; *a != NULL; a++) k++;
        for (char **a = res->h_addr_list; *a != NULL; a++) k++;
        if (k == 0) die(0, "gethostbyname_r: empty result");
    }
}

static void it_gethostname(void *ctx, long n) {
    (void)ctx;
    char buf[256];
    for (long i = 0; i < n; i++) {
        if (gethostname(buf, sizeof buf) != 0) die(errno, "gethostname");
    }
}

static void it_socket_close(void *ctx, long n) {
    (void)ctx;
    for (long i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) die(errno, "socket");
        if (close(fd) != 0) die(errno, "close");
    }
}

/* ---- socket helpers ----------------------------------------------------- */

static void xclose(int fd) {
    if (close(fd) != 0) die(errno, "close(%d)", fd);
}

static void send_all(int fd, const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            die(errno, "send");
        }
        p += n;
        len -= (size_t)n;
    }
}

static ssize_t recv_some(int fd, char *p, size_t len) {
    for (;;) {
        ssize_t n = recv(fd, p, len, 0);
        if (n >= 0) return n;
        if (errno != EINTR) die(errno, "recv");
    }
}

static void set_nodelay(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die(errno, "TCP_NODELAY");
}

/* tcp_listener returns a listening socket on 127.0.0.1 with an ephemeral
 * port, stored in *addr. */
static int tcp_listener(struct sockaddr_in *addr, int backlog) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die(errno, "socket");
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0) die(errno, "bind");
    if (listen(fd, backlog) != 0) die(errno, "listen");
    socklen_t len = sizeof *addr;
    if (getsockname(fd, (struct sockaddr *)addr, &len) != 0) die(errno, "getsockname");
    return fd;
}

static int tcp_connect(const struct sockaddr_in *addr) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die(errno, "socket");
    while (connect(fd, (const struct sockaddr *)addr, sizeof *addr) != 0) {
        if (errno != EINTR) die(errno, "connect");
    }
    return fd;
}

static int tcp_accept(int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) return fd;
        if (errno != EINTR && errno != ECONNABORTED) die(errno, "accept4");
    }
}

/* make_pair fills fds with two connected ends: a socketpair (unix) or a
 * loopback TCP connection with TCP_NODELAY on both ends. */
static void make_pair(int unix_pair, int fds[2]) {
    if (unix_pair) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) die(errno, "socketpair");
        return;
    }
    struct sockaddr_in addr;
    int lfd = tcp_listener(&addr, 1);
    fds[0] = tcp_connect(&addr);
    fds[1] = tcp_accept(lfd);
    xclose(lfd);
    set_nodelay(fds[0]);
    set_nodelay(fds[1]);
}

static void xpthread_create(pthread_t *t, void *(*fn)(void *), void *arg) {
    int rc = pthread_create(t, NULL, fn, arg);
    if (rc != 0) die(rc, "pthread_create");
}

static void xpthread_join(pthread_t t) {
    int rc = pthread_join(t, NULL);
    if (rc != 0) die(rc, "pthread_join");
}

/* ---- pingpong ------------------------------------------------------------ */

/* pp_peer echoes single bytes until end of stream (or 2*MAX_OPS bytes). */
static void *pp_peer(void *arg) {
    int fd = *(int *)arg;
    char b;
    for (long i = 0; i < 2 * MAX_OPS; i++) {
        if (recv_some(fd, &b, 1) == 0) break;
        send_all(fd, &b, 1);
    }
    return NULL;
}

static void it_ping(void *ctx, long n) {
    int fd = *(int *)ctx;
    char out = 'x', in;
    for (long i = 0; i < n; i++) {
        send_all(fd, &out, 1);
        if (recv_some(fd, &in, 1) != 1) die(0, "ping: peer closed");
    }
}

/* set_timeouts gives fd a 5 s SO_RCVTIMEO and SO_SNDTIMEO: C's way to bound every call. */
static void set_timeouts(int fd) {
    struct timeval tv = {5, 0};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) die(errno, "SO_RCVTIMEO");
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) die(errno, "SO_SNDTIMEO");
}

static void op_pingpong(int unix_pair, int timeouts) {
    int fds[2];
    make_pair(unix_pair, fds);
    if (timeouts) {
        set_timeouts(fds[0]);
        set_timeouts(fds[1]);
    }
    pthread_t peer;
    xpthread_create(&peer, pp_peer, &fds[1]);
    struct loop_result r = time_loop(it_ping, &fds[0]);
    xclose(fds[0]); /* the peer sees end of stream */
    xpthread_join(peer);
    xclose(fds[1]);
    emit("us/rtt", (double)r.elapsed_ns / 1e3 / (double)r.ops, r.ops, -1);
}

/* ---- bulk_tcp ------------------------------------------------------------ */

struct bulk_recv {
    int fd;
    long long received;
};

static void *bulk_receiver(void *arg) {
    struct bulk_recv *br = arg;
    char *buf = malloc(BULK_CHUNK);
    if (buf == NULL) die(ENOMEM, "malloc");
    for (long long i = 0; i < BULK_MAX; i++) { /* at least one byte per call */
        ssize_t n = recv_some(br->fd, buf, BULK_CHUNK);
        if (n == 0) break;
        br->received += n;
    }
    free(buf);
    return NULL;
}

struct bulk_result {
    long long bytes, sends, elapsed_ns, cpu_ns;
};

/* A bulk send moves one unit over fd (a 64 KiB chunk in bulk_tcp, the whole file in
 * sendfile_tcp) and returns the number of bytes it sent. */
typedef long long (*send_fn)(int fd, void *arg);

/* transfer calls send_one on a fresh loopback TCP connection until min_bytes and
 * min_ns are both reached (or BULK_MAX), closes the sender and joins the receiver,
 * which reads to end of stream into a reused 64 KiB buffer; the byte counts must
 * agree. */
static struct bulk_result transfer(send_fn send_one, void *arg, long long min_bytes, long long min_ns) {
    int fds[2];
    make_pair(0, fds);
    struct bulk_recv br = {fds[1], 0};
    pthread_t rt;
    xpthread_create(&rt, bulk_receiver, &br);
    struct bulk_result r = {0, 0, 0, 0};
    long long cpu0 = cpu_ns(), start = now_ns();
    while (r.bytes < BULK_MAX) {
        r.bytes += send_one(fds[0], arg);
        r.sends++;
        if (r.bytes >= min_bytes && now_ns() - start >= min_ns) break;
    }
    xclose(fds[0]);
    xpthread_join(rt);
    r.elapsed_ns = now_ns() - start;
    r.cpu_ns = cpu_ns() - cpu0;
    xclose(fds[1]);
    if (br.received != r.bytes) die(0, "sent %lld bytes, received %lld", r.bytes, br.received);
    return r;
}

/* emit_bulk reports a timed transfer: MB/s, sends, CPU seconds per GiB. */
static void emit_bulk(struct bulk_result r) {
    double secs = (double)r.elapsed_ns / 1e9;
    double gib = (double)r.bytes / (double)(1LL << 30);
    emit("MB/s", (double)r.bytes / secs / 1e6, r.sends, (double)r.cpu_ns / 1e9 / gib);
}

static long long send_chunk(int fd, void *chunk) {
    send_all(fd, chunk, BULK_CHUNK);
    return BULK_CHUNK;
}

static void op_bulk(void) {
    char *chunk = malloc(BULK_CHUNK);
    if (chunk == NULL) die(ENOMEM, "malloc");
    for (int i = 0; i < BULK_CHUNK; i++) chunk[i] = (char)i;
    transfer(send_chunk, chunk, BULK_WARM, 0);
    emit_bulk(transfer(send_chunk, chunk, BULK_MIN, g_target_ns));
    free(chunk);
}

/* ---- sendfile_tcp -------------------------------------------------------- */

/* make_send_file writes SENDFILE_SIZE bytes (byte i is i mod 256, as bulk_tcp's chunk)
 * to a new file in $TMPDIR (or /tmp) and unlinks it at once: the descriptor is all
 * that is left of it, so it is gone when closed or when the process ends, however it
 * ends. Its pages stay in the page cache. */
static int make_send_file(void) {
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || *dir == '\0') dir = "/tmp";
    char path[4096];
    int len = snprintf(path, sizeof path, "%s/csock-bench-sendfile-XXXXXX", dir);
    if (len < 0 || (size_t)len >= sizeof path) die(0, "temporary directory name too long");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) die(errno, "mkostemp(%s)", path);
    if (unlink(path) != 0) die(errno, "unlink(%s)", path);
    char *chunk = malloc(BULK_CHUNK);
    if (chunk == NULL) die(ENOMEM, "malloc");
    for (int i = 0; i < BULK_CHUNK; i++) chunk[i] = (char)i;
    for (long long off = 0; off < SENDFILE_SIZE; off += BULK_CHUNK) {
        for (size_t done = 0; done < BULK_CHUNK;) {
            ssize_t n = write(fd, chunk + done, BULK_CHUNK - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                die(errno, "write(%s)", path);
            }
            done += (size_t)n;
        }
    }
    free(chunk);
    return fd;
}

/* send_file sends the whole file *in_fd over fd: sendfile(2) from offset 0 until
 * SENDFILE_SIZE bytes have gone (one call on a blocking socket unless interrupted). */
static long long send_file(int fd, void *in_fd) {
    int in = *(int *)in_fd;
    off_t off = 0;
    while (off < SENDFILE_SIZE) {
        ssize_t n = sendfile(fd, in, &off, (size_t)(SENDFILE_SIZE - off));
        if (n < 0) {
            if (errno == EINTR) continue;
            die(errno, "sendfile");
        }
        if (n == 0) die(0, "sendfile: end of file at %lld bytes", (long long)off);
    }
    return SENDFILE_SIZE;
}

/* op_sendfile: bulk_tcp with each send a whole 64 MiB file; a warm-up of one file on
 * its own connection. sendfile(2) takes no MSG_NOSIGNAL, so SIGPIPE is ignored (as
 * CPython and Go do) and a vanished peer is an EPIPE error. */
static void op_sendfile(void) {
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) die(errno, "signal(SIGPIPE)");
    int in = make_send_file();
    transfer(send_file, &in, BULK_WARM, 0);
    emit_bulk(transfer(send_file, &in, BULK_MIN, g_target_ns));
    xclose(in);
}

/* ---- connect_accept_close ----------------------------------------------- */

struct cac_ctx {
    int lfd;
    struct sockaddr_in addr;
};

static void it_cac(void *arg, long n) {
    struct cac_ctx *c = arg;
    for (long i = 0; i < n; i++) {
        int cfd = tcp_connect(&c->addr);
        int sfd = tcp_accept(c->lfd);
        xclose(cfd);
        xclose(sfd);
    }
}

static void op_connect_accept_close(void) {
    struct cac_ctx c;
    c.lfd = tcp_listener(&c.addr, 128);
    struct loop_result r = time_loop(it_cac, &c);
    xclose(c.lfd);
    emit("conn/s", (double)r.ops / ((double)r.elapsed_ns / 1e9), r.ops, -1);
}

/* ---- fdpass ------------------------------------------------------------- */

/* A control buffer for one descriptor, aligned for struct cmsghdr (cmsg(3)). */
union fd_control {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

/* send_fd sends one byte carrying fd in an SCM_RIGHTS message on sock. */
static void send_fd(int sock, int fd) {
    union fd_control u;
    memset(&u, 0, sizeof u);
    char b = 'x';
    struct iovec iov = {.iov_base = &b, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    for (;;) {
        ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (n == 1) return;
        if (n < 0 && errno == EINTR) continue;
        die(n < 0 ? errno : 0, "sendmsg: %zd", n);
    }
}

/* recv_fd receives one byte on sock with a control buffer for one descriptor
 * (MSG_CMSG_CLOEXEC, as the program's other descriptors are close-on-exec) and
 * returns the descriptor it carried. */
static int recv_fd(int sock) {
    union fd_control u;
    char b;
    struct iovec iov = {.iov_base = &b, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    ssize_t n;
    while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0) {
        if (errno != EINTR) die(errno, "recvmsg");
    }
    if (n != 1) die(0, "recvmsg: %zd bytes", n);
    if (msg.msg_flags & MSG_CTRUNC) die(0, "recvmsg: MSG_CTRUNC");
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof(int)))
        die(0, "recvmsg: no single SCM_RIGHTS descriptor");
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

struct fdpass_ctx {
    int fds[2], payload;
};

static void it_fdpass(void *arg, long n) {
    struct fdpass_ctx *c = arg;
    for (long i = 0; i < n; i++) {
        send_fd(c->fds[0], c->payload);
        xclose(recv_fd(c->fds[1]));
    }
}

/* op_fdpass: send /dev/null's descriptor over a socketpair and close what arrives, in
 * one thread. The descriptor passed is not a socket, so the kernel's garbage
 * collection of in-flight AF_UNIX sockets never runs. */
static void op_fdpass(void) {
    struct fdpass_ctx c;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c.fds) != 0) die(errno, "socketpair");
    c.payload = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (c.payload < 0) die(errno, "open(/dev/null)");
    struct loop_result r = time_loop(it_fdpass, &c);
    xclose(c.payload);
    xclose(c.fds[0]);
    xclose(c.fds[1]);
    report_ns_per_op(r);
}

/* ---- idle_10k ------------------------------------------------------------ */

static atomic_int idle_ready;
static atomic_int idle_woken;

static void *idle_receiver(void *arg) {
    int fd = (int)(intptr_t)arg;
    char b;
    atomic_fetch_add(&idle_ready, 1);
    recv_some(fd, &b, 1); /* returns 0 when the peer process exits */
    atomic_fetch_add(&idle_woken, 1);
    return NULL;
}

/* read_status reads Threads and VmRSS (KiB) from /proc/self/status. */
static void read_status(long *threads, long *rss_kib) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) die(errno, "/proc/self/status");
    char line[256];
    *threads = *rss_kib = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "Threads:", 8) == 0) *threads = strtol(line + 8, NULL, 10);
        if (strncmp(line, "VmRSS:", 6) == 0) *rss_kib = strtol(line + 6, NULL, 10);
    }
    if (ferror(f)) die(errno, "/proc/self/status");
    if (fclose(f) != 0) die(errno, "fclose");
    if (*threads <= 0 || *rss_kib <= 0) die(0, "/proc/self/status: no Threads or VmRSS");
}

static void raise_nofile(rlim_t want) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) die(errno, "getrlimit");
    if (rl.rlim_cur >= want) return;
    rl.rlim_cur = want;
    if (rl.rlim_max < want) rl.rlim_max = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) die(errno, "setrlimit(RLIMIT_NOFILE, %lu)", (unsigned long)want);
}

/* idle_peer is the forked child: accept n connections, hold them until the
 * control pipe reaches end of file, then exit (closing them all). It dies
 * with the parent, and alarm(2) bounds it. */
static void idle_peer(int lfd, int ctrl, int n, unsigned max_s, pid_t parent) __attribute__((noreturn));
static void idle_peer(int lfd, int ctrl, int n, unsigned max_s, pid_t parent) {
    alarm(max_s); /* alarms are not inherited across fork */
    /* Die with the parent (it may exit on an error before closing ctrl). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die(errno, "prctl(PR_SET_PDEATHSIG)");
    if (getppid() != parent) _exit(1);
    /* Accept while watching the control pipe too, so that the parent
     * closing it early (after a failure) ends the child at once. */
    struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN}, {.fd = ctrl, .events = POLLIN}};
    for (int held = 0; held < n;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR) continue;
            die(errno, "idle peer: poll");
        }
        if (pfd[1].revents != 0) _exit(0);
        if (pfd[0].revents & POLLIN) {
            tcp_accept(lfd); /* descriptors are held until exit */
            held++;
        }
    }
    char b;
    for (;;) {
        ssize_t r = read(ctrl, &b, 1);
        if (r == 0) _exit(0);
        if (r < 0 && errno != EINTR) die(errno, "idle peer: read control pipe");
    }
}

/* op_idle: 10,000 (1,000 with --quick) loopback TCP connections to a forked peer process, one
 * thread per connection blocked in recv; the peer ends live in the child
 * because 2 x 10,000 descriptors do not fit under this machine's hard
 * RLIMIT_NOFILE (20,000) and the peer's memory should not count. */
static void op_idle(void) {
    const int nconns = g_quick ? IDLE_CONNS_QUICK : IDLE_CONNS;
    raise_nofile((rlim_t)nconns + 256);
    struct sockaddr_in addr;
    int lfd = tcp_listener(&addr, 4096);
    int ctrl[2];
    if (pipe2(ctrl, O_CLOEXEC) != 0) die(errno, "pipe2");
    if (fflush(stdout) != 0) die(errno, "fflush");
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) die(errno, "fork");
    if (pid == 0) {
        xclose(ctrl[1]);
        idle_peer(lfd, ctrl[0], nconns, g_max_s, parent);
    }
    xclose(ctrl[0]);
    xclose(lfd);

    static int fds[IDLE_CONNS];
    static pthread_t threads[IDLE_CONNS];
    for (int i = 0; i < nconns; i++) {
        fds[i] = tcp_connect(&addr);
        xpthread_create(&threads[i], idle_receiver, (void *)(intptr_t)fds[i]);
    }
    long long deadline = now_ns() + WAIT_LIMIT_NS;
    while (atomic_load(&idle_ready) < nconns) {
        if (now_ns() > deadline) die(0, "idle receivers did not start");
        sleep_ns(1000000);
    }
    sleep_ns(g_quick ? 100000000LL : 300000000LL); /* let them block in recv */
    long nthreads, rss;
    read_status(&nthreads, &rss);
    if (atomic_load(&idle_woken) != 0) die(0, "receivers returned before their peers closed");

    xclose(ctrl[1]); /* the child exits, every receiver sees end of stream */
    for (int i = 0; i < nconns; i++) xpthread_join(threads[i]);
    for (int i = 0; i < nconns; i++) xclose(fds[i]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) die(errno, "waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die(0, "idle peer failed (status %d)", status);
    emit("threads", (double)nthreads, nconns, -1);
    emit("rss_kib", (double)rss, nconns, -1);
}

/* ---- main ---------------------------------------------------------------- */

/* pin_self binds this (still single-threaded) process to one CPU: cpu, or
 * the lowest allowed one when cpu < 0. Threads created later inherit it. */
static void pin_self(int cpu) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) die(errno, "sched_getaffinity");
    if (cpu < 0) {
        for (int i = 0; i < CPU_SETSIZE; i++) {
            if (CPU_ISSET(i, &set)) {
                cpu = i;
                break;
            }
        }
    }
    if (cpu < 0 || cpu >= CPU_SETSIZE) die(0, "no CPU to pin to");
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) die(errno, "sched_setaffinity(%d)", cpu);
}

static void usage(void) __attribute__((noreturn));
static void usage(void) {
    fprintf(stderr, "usage: bench --op NAME [--target-ms N] [--quick] [--cpu N] [--max-s N] [--idle-threads N] | --list\n");
    exit(2);
}

static long parse_long(const char *s) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s) usage();
    return v;
}

/* idle_thread sleeps until the process ends (--idle-threads). */
static void *idle_thread(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

int main(int argc, char **argv) {
    long target_ms = 300, max_s = 300, cpu = -1, idle_threads = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0) {
            if (printf("{\"impl\":\"c\",\"ops\":[") < 0) die(errno, "printf");
            for (size_t k = 0; k < sizeof ops_list / sizeof ops_list[0]; k++) {
                if (printf("%s\"%s\"", k ? "," : "", ops_list[k]) < 0) die(errno, "printf");
            }
            if (printf("]}\n") < 0 || fflush(stdout) != 0) die(errno, "printf");
            return 0;
        } else if (strcmp(argv[i], "--quick") == 0) {
            g_quick = 1;
        } else if (i + 1 < argc && strcmp(argv[i], "--op") == 0) {
            g_op = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--target-ms") == 0) {
            target_ms = parse_long(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--cpu") == 0) {
            cpu = parse_long(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--max-s") == 0) {
            max_s = parse_long(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--idle-threads") == 0) {
            idle_threads = parse_long(argv[++i]);
            if (idle_threads < 0 || idle_threads > 64) usage();
        } else {
            usage();
        }
    }
    if (g_op == NULL || target_ms <= 0 || max_s <= 0) usage();
    g_target_ns = target_ms * 1000000LL;
    g_max_s = (unsigned)max_s;
    alarm(g_max_s); /* SIGALRM's default action ends the process */
    for (long i = 0; i < idle_threads; i++) {
        pthread_t t;
        xpthread_create(&t, idle_thread, NULL);
    }

    size_t oplen = strlen(g_op);
    static const char suffix[] = "_pinned";
    char base[64];
    if (oplen >= sizeof base) usage();
    memcpy(base, g_op, oplen + 1);
    if (oplen > sizeof suffix - 1 && strcmp(g_op + oplen - (sizeof suffix - 1), suffix) == 0) {
        base[oplen - (sizeof suffix - 1)] = '\0';
        if (strcmp(base, "pingpong_unix") != 0 && strcmp(base, "pingpong_tcp") != 0) usage();
        pin_self((int)cpu);
    }

    if (strcmp(base, "getaddrinfo_localhost") == 0) report_ns_per_op(time_loop(it_gai_localhost, NULL));
    else if (strcmp(base, "getaddrinfo_numeric") == 0) report_ns_per_op(time_loop(it_gai_numeric, NULL));
    else if (strcmp(base, "getnameinfo") == 0) report_ns_per_op(time_loop(it_getnameinfo, NULL));
    else if (strcmp(base, "getservbyname") == 0) report_ns_per_op(time_loop(it_getservbyname, NULL));
    else if (strcmp(base, "gethostbyname_ex") == 0) report_ns_per_op(time_loop(it_gethostbyname_ex, NULL));
    else if (strcmp(base, "gethostname") == 0) report_ns_per_op(time_loop(it_gethostname, NULL));
    else if (strcmp(base, "socket_close") == 0) report_ns_per_op(time_loop(it_socket_close, NULL));
    else if (strcmp(base, "pingpong_unix") == 0) op_pingpong(1, 0);
    else if (strcmp(base, "pingpong_tcp") == 0) op_pingpong(0, 0);
    else if (strcmp(base, "pingpong_tcp_timeout") == 0) op_pingpong(0, 1);
    else if (strcmp(base, "bulk_tcp") == 0) op_bulk();
    else if (strcmp(base, "sendfile_tcp") == 0) op_sendfile();
    else if (strcmp(base, "connect_accept_close") == 0) op_connect_accept_close();
    else if (strcmp(base, "fdpass") == 0) op_fdpass();
    else if (strcmp(base, "idle_10k") == 0) op_idle();
    else {
        fprintf(stderr, "bench: c: unknown operation %s\n", g_op);
        return 2;
    }
    if (fflush(stdout) != 0) die(errno, "fflush");
    return 0;
}
