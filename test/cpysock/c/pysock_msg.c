/*
 * pysock_msg.c - messages and ancillary data: pysock_sendmsg, pysock_recvmsg,
 * pysock_recvmsg_into, pysock_send_fds and pysock_recv_fds.
 *
 * With no arguments it checks the C conventions (buffers gathered and scattered without
 * copying, the ancillary block and its alignment, the out-parameters on success and on
 * failure, descriptors passed and usable, what may be NULL) and prints "pysock_msg: ok".
 * With "records" it prints one line per call of the table in records(), "name|ok|..." or
 * "name|class|has_errno|errno|message", which test/cpysock compares with python3's answers
 * to the same calls (records14c_test.go).
 */
#define _GNU_SOURCE /* SCM_CREDENTIALS, struct ucred, MSG_CMSG_CLOEXEC */

#include <netinet/in.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testing.h"

static struct pysock_error err;

static void print_error(const char *name)
{
    printf("%s|%s|%d|%d|%s\n", name, err.cls, err.has_errno, err.errno_, err.message);
}

static void print_hex(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", ((const unsigned char *)p)[i]);
}

/* print_ancdata prints the items as CPython's list, an SCM_RIGHTS item's data as its
 * number of descriptors (their numbers differ between processes), which it closes. */
static void print_ancdata(const struct pysock_cmsg *anc, size_t n)
{
    printf("[");
    for (size_t i = 0; i < n; i++) {
        printf("%s(%d, %d, ", i ? ", " : "", anc[i].level, anc[i].type);
        if (anc[i].level == SOL_SOCKET && anc[i].type == SCM_RIGHTS) {
            size_t k = anc[i].len / sizeof(int);
            for (size_t j = 0; j < k; j++)
                close(((const int *)anc[i].data)[j]);
            printf("%zu fds)", k);
        } else {
            print_hex(anc[i].data, anc[i].len);
            printf(")");
        }
    }
    printf("]");
}

/* print_addr prints the address as CPython's repr, a port equal to sender as SENDER. */
static void print_addr(const struct pysock_addrbuf *a, int sender)
{
    if (a->family == AF_UNSPEC)
        printf("None");
    else if (a->family == AF_INET && a->port == sender)
        printf("('%s', SENDER)", a->host);
    else if (a->family == AF_INET)
        printf("('%s', %d)", a->host, a->port);
    else
        printf("family %d", a->family);
}

static void rec_int(const char *name, int64_t r)
{
    if (r == -1)
        print_error(name);
    else
        printf("%s|ok|%lld\n", name, (long long)r);
}

/* rec_msg prints a result of recvmsg (data: buf[0..r)) or recvmsg_into (data NULL: r). */
static void rec_msg(const char *name, int64_t r, const void *data, struct pysock_cmsg *anc,
                    size_t nanc, int flags, const struct pysock_addrbuf *addr, int sender)
{
    if (r == -1) {
        print_error(name);
        return;
    }
    printf("%s|ok|", name);
    if (data != NULL)
        print_hex(data, (size_t)r);
    else
        printf("%lld", (long long)r);
    printf("|");
    print_ancdata(anc, nanc);
    printf("|%d|", flags);
    print_addr(addr, sender);
    printf("\n");
    pysock_freeancdata(anc);
}

/* recvmsg into buf, all out-parameters given. */
#define RECVMSG(name, sock, bufsize, ancbufsize, flags, sender)                            \
    do {                                                                                   \
        struct pysock_cmsg *anc_;                                                          \
        size_t nanc_;                                                                      \
        int mf_ = -1;                                                                      \
        struct pysock_addrbuf a_;                                                          \
        int64_t r_ = pysock_recvmsg((sock), buf, (bufsize), (ancbufsize), (flags), &anc_,  \
                                    &nanc_, &mf_, &a_, &err);                              \
        rec_msg((name), r_, buf, anc_, nanc_, mf_, &a_, (sender));                          \
    } while (0)

static void records(void)
{
    int64_t p[2], u, v, closed;
    int pfd[2];
    char buf[64];
    struct pysock_addrbuf me;

    CHECK(pipe(pfd) == 0, &err);
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);

    /* gather, scatter */
    struct pysock_buf three[] = {{"ab", 2}, {NULL, 0}, {"cde", 3}};
    rec_int("sendmsg_gather", pysock_sendmsg(p[0], three, 3, NULL, 0, 0, NULL, &err));
    RECVMSG("recvmsg_plain", p[1], 16, 0, 0, 0);
    rec_int("sendmsg_hello", pysock_sendmsg(p[0], &(struct pysock_buf){"hello world", 11}, 1, NULL, 0, 0, NULL, &err));
    {
        char x[3], y[4], z[10];
        struct pysock_recvbuf into[] = {{x, sizeof x}, {y, sizeof y}, {z, sizeof z}};
        struct pysock_cmsg *anc;
        size_t nanc;
        int mf;
        struct pysock_addrbuf a;
        int64_t r = pysock_recvmsg_into(p[1], into, 3, 0, 0, &anc, &nanc, &mf, &a, &err);
        rec_msg("recvmsg_into_scatter", r, NULL, anc, nanc, mf, &a, 0);
        printf("recvmsg_into_scatter_bufs|");
        print_hex(x, sizeof x);
        printf("|");
        print_hex(y, sizeof y);
        printf("|");
        print_hex(z, 4);
        printf("\n");
    }

    /* descriptors */
    int two[2] = {pfd[0], pfd[1]};
    struct pysock_cmsg rights = {SOL_SOCKET, SCM_RIGHTS, two, sizeof two};
    rec_int("sendmsg_fds", pysock_sendmsg(p[0], &(struct pysock_buf){"x", 1}, 1, &rights, 1, 0, NULL, &err));
    RECVMSG("recvmsg_fds", p[1], 16, (size_t)pysock_cmsg_space(8, &err), 0, 0);
    rec_int("sendmsg_fds_again", pysock_sendmsg(p[0], &(struct pysock_buf){"y", 1}, 1, &rights, 1, 0, NULL, &err));
    RECVMSG("recvmsg_ctrunc", p[1], 16, (size_t)pysock_cmsg_len(4, &err), 0, 0);
    rec_int("send_fds", pysock_send_fds(p[0], &(struct pysock_buf){"fd", 2}, 1, two, 1, 0, NULL, &err));
    {
        int fds[4];
        size_t nfds = 99;
        int mf = -1;
        struct pysock_addrbuf a;
        int64_t r = pysock_recv_fds(p[1], buf, 16, fds, 4, &nfds, 0, &mf, &a, &err);
        if (r == -1) {
            print_error("recv_fds");
        } else {
            printf("recv_fds|ok|");
            print_hex(buf, (size_t)r);
            printf("|%zu fds|%d|", nfds, mf);
            print_addr(&a, 0);
            printf("\n");
            for (size_t i = 0; i < nfds; i++)
                close(fds[i]);
        }
    }
    int three_fds[3] = {pfd[0], pfd[1], pfd[0]};
    rec_int("send_fds_three", pysock_send_fds(p[0], &(struct pysock_buf){"z", 1}, 1, three_fds, 3, 0, NULL, &err));
    {
        int fds[1];
        size_t nfds = 99;
        int mf = -1;
        int64_t r = pysock_recv_fds(p[1], buf, 16, fds, 1, &nfds, 0, &mf, NULL, &err);
        if (r == -1) {
            print_error("recv_fds_ctrunc");
        } else {
            printf("recv_fds_ctrunc|ok|");
            print_hex(buf, (size_t)r);
            printf("|%zu fds|%d\n", nfds, mf);
            for (size_t i = 0; i < nfds; i++)
                close(fds[i]);
        }
    }
    int bad = -1;
    rec_int("send_fds_bad", pysock_send_fds(p[0], &(struct pysock_buf){"z", 1}, 1, &bad, 1, 0, NULL, &err));
    rec_int("send_fds_none", pysock_send_fds(p[0], &(struct pysock_buf){"n", 1}, 1, NULL, 0, 0, NULL, &err));
    RECVMSG("recvmsg_no_fds", p[1], 16, 64, 0, 0);

    /* errors */
    RECVMSG("recvmsg_anc_big", p[1], 16, (size_t)1 << 31, 0, 0);
    {
        size_t nfds;
        int fds[1];
        rec_int("recv_fds_maxfds_big", pysock_recv_fds(p[1], buf, 16, fds, 536870908, &nfds, 0, NULL, NULL, &err));
    }
    OK(pysock_settimeout(p[1], 0.01, &err), &err);
    RECVMSG("recvmsg_timeout", p[1], 16, 0, 0, 0);
    OK(pysock_settimeout(p[1], 0.0, &err), &err);
    RECVMSG("recvmsg_nonblocking", p[1], 16, 0, 0, 0);
    {
        struct pysock_recvbuf one = {buf, 4};
        rec_int("recvmsg_into_nonblocking", pysock_recvmsg_into(p[1], &one, 1, 0, 0, NULL, NULL, NULL, NULL, &err));
    }
    OK(pysock_close(p[1], &err), &err);
    rec_int("sendmsg_broken_pipe", pysock_sendmsg(p[0], &(struct pysock_buf){"x", 1}, 1, NULL, 0, 0, NULL, &err));
    OK(pysock_close(p[0], &err), &err);
    closed = p[0];
    rec_int("sendmsg_closed", pysock_sendmsg(closed, &(struct pysock_buf){"x", 1}, 1, NULL, 0, 0, NULL, &err));
    RECVMSG("recvmsg_closed", closed, 16, 0, 0, 0);

    /* datagrams */
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &u, &err), &err);
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &v, &err), &err);
    OK(pysock_bind(u, &(struct pysock_addr){.host = "127.0.0.1", .port = 0}, &err), &err);
    OK(pysock_bind(v, &(struct pysock_addr){.host = "127.0.0.1", .port = 0}, &err), &err);
    OK(pysock_getsockname(u, &me, &err), &err);
    int sender = me.port;
    OK(pysock_getsockname(v, &me, &err), &err);
    struct pysock_addr to_v = {.host = "127.0.0.1", .port = me.port};
    OK(pysock_setsockopt(v, IPPROTO_IP, IP_RECVTTL, 1, &err), &err);
    rec_int("udp_sendmsg_noaddr", pysock_sendmsg(u, &(struct pysock_buf){"x", 1}, 1, NULL, 0, 0, NULL, &err));
    rec_int("udp_sendmsg_port", pysock_sendmsg(u, &(struct pysock_buf){"x", 1}, 1, NULL, 0, 0,
                                               &(struct pysock_addr){.host = "127.0.0.1", .port = 70000}, &err));
    struct pysock_buf abcd[] = {{"ab", 2}, {"cd", 2}};
    rec_int("udp_sendmsg_to", pysock_sendmsg(u, abcd, 2, NULL, 0, 0, &to_v, &err));
    RECVMSG("udp_recvmsg_ttl_trunc", v, 2, (size_t)pysock_cmsg_space(4, &err), 0, sender);
    rec_int("udp_sendmsg_again", pysock_sendmsg(u, abcd, 2, NULL, 0, 0, &to_v, &err));
    {
        char x[3];
        struct pysock_recvbuf one = {x, sizeof x};
        struct pysock_cmsg *anc;
        size_t nanc;
        int mf;
        struct pysock_addrbuf a;
        int64_t r = pysock_recvmsg_into(v, &one, 1, 0, 0, &anc, &nanc, &mf, &a, &err);
        rec_msg("udp_recvmsg_into_trunc", r, NULL, anc, nanc, mf, &a, sender);
    }
    rec_int("udp_send_fds_unconnected", pysock_send_fds(u, &(struct pysock_buf){"x", 1}, 1, two, 1, 0, &to_v, &err));
    OK(pysock_close(u, &err), &err);
    OK(pysock_close(v, &err), &err);
    close(pfd[0]);
    close(pfd[1]);
}

/* The C conventions. */
static void conventions(void)
{
    int64_t p[2], u, v;
    int pfd[2];
    char buf[256];
    struct pysock_cmsg *anc;
    size_t nanc;
    int mf;
    struct pysock_addrbuf a;

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    CHECK(pipe(pfd) == 0, &err);

    /* 20 buffers, beyond the binding's iovecs on the stack, each byte where it belongs */
    char out[20][2], in[20][2];
    struct pysock_buf sb[20];
    struct pysock_recvbuf rb[20];
    for (int i = 0; i < 20; i++) {
        out[i][0] = (char)('0' + i / 10);
        out[i][1] = (char)('0' + i % 10);
        sb[i] = (struct pysock_buf){out[i], 2};
        rb[i] = (struct pysock_recvbuf){in[i], 2};
    }
    CHECK(pysock_sendmsg(p[0], sb, 20, NULL, 0, 0, NULL, &err) == 40 && err.cls[0] == '\0', &err);
    anc = (struct pysock_cmsg *)buf; /* garbage, to be overwritten */
    nanc = 99;
    CHECK(pysock_recvmsg_into(p[1], rb, 20, 0, 0, &anc, &nanc, &mf, &a, &err) == 40, &err);
    CHECK(anc == NULL && nanc == 0 && mf == 0 && a.family == AF_UNSPEC, &err);
    for (int i = 0; i < 20; i++)
        CHECK(memcmp(in[i], out[i], 2) == 0, &err);

    /* the out-parameters may be NULL without an ancillary buffer */
    OK(pysock_send(p[0], "xyz", 3, 0, &err), &err);
    CHECK(pysock_recvmsg(p[1], buf, 2, 0, 0, NULL, NULL, NULL, NULL, &err) == 2, &err);
    CHECK(memcmp(buf, "xy", 2) == 0, &err);
    CHECK(pysock_recvmsg(p[1], buf, sizeof buf, 0, 0, &anc, &nanc, NULL, NULL, &err) == 1, &err);
    CHECK(buf[0] == 'z' && anc == NULL && nanc == 0, &err);
    /* ... but not with one: a descriptor could be lost */
    RAISES(pysock_recvmsg(p[1], buf, 16, 64, 0, NULL, &nanc, NULL, NULL, &err), &err, "SystemError", NO_ERRNO);
    CHECK(strcmp(err.message, "pysock_recvmsg: ancdata must not be NULL") == 0, &err);
    RAISES(pysock_recvmsg_into(p[1], rb, 1, 64, 0, NULL, NULL, NULL, NULL, &err), &err, "SystemError", NO_ERRNO);
    RAISES(pysock_recvmsg(p[1], buf, 16, 0, 0, &anc, NULL, NULL, NULL, &err), &err, "SystemError", NO_ERRNO);
    CHECK(strcmp(err.message, "pysock_recvmsg: nancdata must not be NULL") == 0, &err);
    int fds[8];
    RAISES(pysock_recv_fds(p[1], buf, 16, fds, 8, NULL, 0, NULL, NULL, &err), &err, "SystemError", NO_ERRNO);
    CHECK(strcmp(err.message, "pysock_recv_fds: nfds must not be NULL") == 0, &err);

    /* on failure: no block, no count, no descriptors */
    OK(pysock_settimeout(p[1], 0.0, &err), &err);
    anc = (struct pysock_cmsg *)buf;
    nanc = 99;
    RAISES(pysock_recvmsg(p[1], buf, 16, 64, 0, &anc, &nanc, &mf, &a, &err), &err, "BlockingIOError", 11);
    CHECK(anc == NULL && nanc == 0, &err);
    size_t nfds = 99;
    RAISES(pysock_recv_fds(p[1], buf, 16, fds, 8, &nfds, 0, &mf, &a, &err), &err, "BlockingIOError", 11);
    CHECK(nfds == 0, &err);
    OK(pysock_settimeout(p[1], PYSOCK_TIMEOUT_NONE, &err), &err);

    /* descriptors: sent, received, usable, the block laid out as pysock.h says */
    int both[2] = {pfd[0], pfd[1]};
    struct pysock_cmsg items[] = {{SOL_SOCKET, SCM_RIGHTS, both, sizeof both}};
    CHECK(pysock_sendmsg(p[0], &(struct pysock_buf){"fds", 3}, 1, items, 1, 0, NULL, &err) == 3, &err);
    CHECK(pysock_recvmsg(p[1], buf, sizeof buf, 64, MSG_CMSG_CLOEXEC, &anc, &nanc, &mf, &a, &err) == 3, &err);
    CHECK(nanc == 1 && anc != NULL && mf == MSG_CMSG_CLOEXEC, &err);
    CHECK(anc[0].level == SOL_SOCKET && anc[0].type == SCM_RIGHTS && anc[0].len == 2 * sizeof(int), &err);
    CHECK((uintptr_t)anc[0].data % alignof(max_align_t) == 0, &err);
    const int *got = anc[0].data;
    CHECK(write(got[1], "!", 1) == 1 && read(pfd[0], buf, 1) == 1 && buf[0] == '!', &err);
    close(got[0]);
    close(got[1]);
    pysock_freeancdata(anc);
    pysock_freeancdata(NULL);

    CHECK(pysock_send_fds(p[0], &(struct pysock_buf){"f", 1}, 1, both, 2, 0, NULL, &err) == 1, &err);
    nfds = 0;
    CHECK(pysock_recv_fds(p[1], buf, sizeof buf, fds, 8, &nfds, 0, &mf, &a, &err) == 1, &err);
    CHECK(nfds == 2 && buf[0] == 'f' && mf == 0 && a.family == AF_UNSPEC, &err);
    CHECK(write(fds[1], "?", 1) == 1 && read(pfd[0], buf, 1) == 1 && buf[0] == '?', &err);
    close(fds[0]);
    close(fds[1]);
    /* more than maxfds: MSG_CTRUNC, the rest closed by the kernel, fds[1..] untouched */
    CHECK(pysock_send_fds(p[0], &(struct pysock_buf){"g", 1}, 1, both, 2, 0, NULL, &err) == 1, &err);
    fds[1] = -7;
    CHECK(pysock_recv_fds(p[1], buf, sizeof buf, fds, 1, &nfds, 0, &mf, NULL, &err) == 1, &err);
    CHECK(nfds == 1 && (mf & MSG_CTRUNC) && fds[1] == -7, &err);
    close(fds[0]);
    /* maxfds 0: no array needed */
    CHECK(pysock_send_fds(p[0], &(struct pysock_buf){"h", 1}, 1, both, 1, 0, NULL, &err) == 1, &err);
    CHECK(pysock_recv_fds(p[1], buf, sizeof buf, NULL, 0, &nfds, 0, &mf, NULL, &err) == 1, &err);
    CHECK(nfds == 0 && (mf & MSG_CTRUNC), &err);

    /* two items of data, each aligned, with their own lengths */
    int one = pfd[0];
    struct ucred c = {getpid(), getuid(), getgid()};
    struct pysock_cmsg two[] = {{SOL_SOCKET, SCM_CREDENTIALS, &c, sizeof c}, {SOL_SOCKET, SCM_RIGHTS, &one, sizeof one}};
    OK(pysock_setsockopt(p[1], SOL_SOCKET, SO_PASSCRED, 1, &err), &err);
    CHECK(pysock_sendmsg(p[0], &(struct pysock_buf){"c", 1}, 1, two, 2, 0, NULL, &err) == 1, &err);
    CHECK(pysock_recvmsg(p[1], buf, sizeof buf, 256, 0, &anc, &nanc, &mf, NULL, &err) == 1, &err);
    CHECK(nanc == 2 && mf == 0, &err);
    int seen = 0;
    for (size_t i = 0; i < nanc; i++) {
        CHECK((uintptr_t)anc[i].data % alignof(max_align_t) == 0, &err);
        if (anc[i].type == SCM_CREDENTIALS) {
            CHECK(anc[i].len == sizeof c && memcmp(anc[i].data, &c, sizeof c) == 0, &err);
            seen |= 1;
        } else if (anc[i].type == SCM_RIGHTS) {
            CHECK(anc[i].len == sizeof(int), &err);
            close(*(const int *)anc[i].data);
            seen |= 2;
        }
    }
    CHECK(seen == 3, &err);
    pysock_freeancdata(anc);
    OK(pysock_setsockopt(p[1], SOL_SOCKET, SO_PASSCRED, 0, &err), &err);

    /* sizes checked before anything is read: an item's length alone decides */
    char small[8] = {0};
    struct pysock_cmsg huge_item = {SOL_SOCKET, SCM_RIGHTS, small, ((size_t)1 << 31) - 24};
    RAISES(pysock_sendmsg(p[0], &(struct pysock_buf){"x", 1}, 1, &huge_item, 1, 0, NULL, &err), &err, "OSError", NO_ERRNO);
    CHECK(strcmp(err.message, "ancillary data item too large") == 0, &err);
    struct pysock_cmsg big_items[] = {{SOL_SOCKET, SCM_RIGHTS, small, (size_t)1 << 30}, {SOL_SOCKET, SCM_RIGHTS, small, (size_t)1 << 30}};
    RAISES(pysock_sendmsg(p[0], &(struct pysock_buf){"x", 1}, 1, big_items, 2, 0, NULL, &err), &err, "OSError", NO_ERRNO);
    CHECK(strcmp(err.message, "too much ancillary data") == 0, &err);

    /* datagrams */
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &u, &err), &err);
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &v, &err), &err);
    OK(pysock_bind(v, &(struct pysock_addr){.host = "127.0.0.1", .port = 0}, &err), &err);
    OK(pysock_getsockname(v, &a, &err), &err);
    struct pysock_addr to_v = {.host = "127.0.0.1", .port = a.port};
    /* a datagram longer than the buffers: MSG_TRUNC, and recvmsg_into's count is its length */
    CHECK(pysock_sendmsg(u, &(struct pysock_buf){"0123456789", 10}, 1, NULL, 0, 0, &to_v, &err) == 10, &err);
    struct pysock_recvbuf r4 = {buf, 4};
    CHECK(pysock_recvmsg_into(v, &r4, 1, 0, MSG_TRUNC, NULL, NULL, &mf, &a, &err) == 10, &err);
    CHECK((mf & MSG_TRUNC) && a.family == AF_INET && strcmp(a.host, "127.0.0.1") == 0, &err);
    CHECK(pysock_sendmsg(u, &(struct pysock_buf){"0123456789", 10}, 1, NULL, 0, 0, &to_v, &err) == 10, &err);
    CHECK(pysock_recvmsg(v, buf, 4, 0, 0, NULL, NULL, &mf, NULL, &err) == 4 && (mf & MSG_TRUNC), &err);
    OK(pysock_close(u, &err), &err);
    OK(pysock_close(v, &err), &err);

    OK(pysock_close(p[0], &err), &err);
    OK(pysock_close(p[1], &err), &err);
    close(pfd[0]);
    close(pfd[1]);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "records") == 0) {
        records();
        return 0;
    }
    conventions();
    printf("pysock_msg: ok\n");
    return 0;
}
