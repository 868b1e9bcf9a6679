/*
 * pysock_descriptors.c - the calls that hand descriptors between C and the library
 * (fromfd, socket with fileno, dup, detach, get_inheritable/set_inheritable), and the
 * socket methods and module functions that came with them: recvfrom_into, getsockopt and
 * setsockopt with bytes and with None, has_dualstack_ipv6, setmaxlookups.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testing.h"

/* 1 when fd is open. */
static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

static void test_fromfd(void)
{
    struct pysock_error err;
    int sv[2], fam = 0, type = 0, proto = -1, pipefd[2];
    int64_t h;
    char b[8];

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, &err);
    OK(pysock_fromfd(sv[0], -1, -1, -1, &h, &err), &err);
    OK(pysock_sockinfo(h, &fam, &type, &proto, &err), &err);
    CHECK(fam == AF_UNIX && type == SOCK_STREAM && proto == 0, &err);
    CHECK(pysock_fileno(h, &err) != sv[0], &err); /* a duplicate */
    CHECK(pysock_send(h, "dup", 3, 0, &err) == 3, &err);
    CHECK(read(sv[1], b, sizeof b) == 3 && memcmp(b, "dup", 3) == 0, &err);
    OK(pysock_close(h, &err), &err);
    CHECK(is_open(sv[0]), &err); /* the caller keeps fd */

    RAISES(pysock_fromfd(-1, AF_INET, SOCK_STREAM, 0, &h, &err), &err, "OSError", EBADF);
    CHECK(pipe(pipefd) == 0, &err);
    RAISES(pysock_fromfd(pipefd[0], AF_INET, SOCK_STREAM, 0, &h, &err), &err, "OSError", ENOTSOCK);
    close(pipefd[0]);
    close(pipefd[1]);

    /* socket(fileno=): the handle adopts sv[0] and closes it */
    OK(pysock_socket_fileno(-1, -1, -1, sv[0], &h, &err), &err);
    CHECK(pysock_fileno(h, &err) == sv[0], &err);
    OK(pysock_sockinfo(h, &fam, &type, NULL, &err), &err);
    CHECK(fam == AF_UNIX && type == SOCK_STREAM, &err);
    OK(pysock_close(h, &err), &err);
    CHECK(!is_open(sv[0]), &err);
    close(sv[1]);
    RAISES(pysock_socket_fileno(-1, -1, -1, -1, &h, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "negative file descriptor") == 0, &err);
    RAISES(pysock_socket_fileno(-1, -1, -1, sv[1], &h, &err), &err, "OSError", EBADF);
}

static void test_dup_detach_inheritable(void)
{
    struct pysock_error err;
    int64_t p[2], d, again;
    double t = 0;
    char b[8];

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_settimeout(p[0], 2.5, &err), &err);
    OK(pysock_dup(p[0], &d, &err), &err);
    CHECK(d != p[0] && pysock_fileno(d, &err) != pysock_fileno(p[0], &err), &err);
    OK(pysock_gettimeout(d, &t, &err), &err);
    CHECK(t == 2.5, &err); /* unlike fromfd, the timeout comes along */
    CHECK(pysock_send(d, "via dup", 7, 0, &err) == 7, &err);
    CHECK(pysock_recv(p[1], b, sizeof b, 0, &err) == 7 && memcmp(b, "via dup", 7) == 0, &err);
    CHECK(pysock_get_inheritable(d, &err) == 0, &err); /* close-on-exec, as CPython's dup */
    OK(pysock_close(d, &err), &err);
    RAISES(pysock_dup(d, &again, &err), &err, "OSError", EBADF);

    /* inheritable */
    int fd = pysock_fileno(p[1], &err);
    CHECK(pysock_get_inheritable(p[1], &err) == 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), &err);
    OK(pysock_set_inheritable(p[1], 1, &err), &err);
    CHECK(pysock_get_inheritable(p[1], &err) == 1 && !(fcntl(fd, F_GETFD) & FD_CLOEXEC), &err);
    OK(pysock_set_inheritable(p[1], 0, &err), &err);
    CHECK(pysock_get_inheritable(p[1], &err) == 0, &err);

    /* detach: the descriptor leaves the library, open, blocking (timeout None) */
    OK(pysock_settimeout(p[1], PYSOCK_TIMEOUT_NONE, &err), &err);
    fd = pysock_detach(p[1], &err);
    CHECK(fd >= 0 && err.cls[0] == '\0' && is_open(fd), &err);
    CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) == 0, &err);
    RAISES(pysock_recv(p[1], b, sizeof b, 0, &err), &err, "OSError", EBADF);
    CHECK(pysock_detach(p[1], &err) == -1 && err.cls[0] == '\0', &err); /* Python: -1 */
    OK(pysock_close(p[1], &err), &err);                                  /* harmless */
    RAISES(pysock_detach(INT64_MAX, &err), &err, "OSError", EBADF);     /* never issued */
    CHECK(write(fd, "raw", 3) == 3, &err);
    CHECK(pysock_recv(p[0], b, sizeof b, 0, &err) == 3 && memcmp(b, "raw", 3) == 0, &err);
    /* and back in */
    OK(pysock_socket_fileno(AF_UNIX, SOCK_STREAM, 0, fd, &again, &err), &err);
    CHECK(pysock_send(again, "back", 4, 0, &err) == 4, &err);
    CHECK(pysock_recv(p[0], b, sizeof b, 0, &err) == 4 && memcmp(b, "back", 4) == 0, &err);
    OK(pysock_close(again, &err), &err);
    CHECK(!is_open(fd), &err);
    OK(pysock_close(p[0], &err), &err);
}

static void test_recvfrom_into(void)
{
    struct pysock_error err;
    struct pysock_addrbuf un, vn, from;
    int64_t u, v;
    char buf[16];

    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &u, &err), &err);
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &v, &err), &err);
    OK(pysock_bind(u, &(struct pysock_addr){.host = "127.0.0.1"}, &err), &err);
    OK(pysock_bind(v, &(struct pysock_addr){.host = "127.0.0.1"}, &err), &err);
    OK(pysock_getsockname(u, &un, &err), &err);
    OK(pysock_getsockname(v, &vn, &err), &err);
    struct pysock_addr to = {.host = "127.0.0.1", .port = un.port};
    CHECK(pysock_sendto(v, "hello", 5, 0, &to, &err) == 5, &err);
    OK(pysock_settimeout(u, 5.0, &err), &err);
    CHECK(pysock_recvfrom_into(u, buf, sizeof buf, 3, 0, &from, &err) == 3, &err);
    CHECK(memcmp(buf, "hel", 3) == 0, &err); /* the rest of the datagram is gone */
    CHECK(from.family == AF_INET && from.port == vn.port && strcmp(from.host, "127.0.0.1") == 0, &err);
    CHECK(pysock_sendto(v, "again", 5, 0, &to, &err) == 5, &err);
    CHECK(pysock_recvfrom_into(u, buf, sizeof buf, 0, 0, NULL, &err) == 5, &err); /* 0: all of buf */
    RAISES(pysock_recvfrom_into(u, buf, 4, 5, 0, &from, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "nbytes is greater than the length of the buffer") == 0, &err);
    /* an empty buffer still makes the call: here it would wait, so non-blocking */
    OK(pysock_settimeout(u, 0.0, &err), &err);
    RAISES(pysock_recvfrom_into(u, buf, 0, 0, 0, &from, &err), &err, "BlockingIOError", EAGAIN);
    OK(pysock_close(u, &err), &err);
    OK(pysock_close(v, &err), &err);
}

static void test_sockopts_and_settings(void)
{
    struct pysock_error err;
    int64_t s;
    int v = 0;
    unsigned char b[1100];

    OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &s, &err), &err);
    int want = 65536;
    OK(pysock_setsockopt_bytes(s, SOL_SOCKET, SO_RCVBUF, &want, sizeof want, &err), &err);
    OK(pysock_getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &err), &err);
    int got = 0;
    CHECK(pysock_getsockopt_bytes(s, SOL_SOCKET, SO_RCVBUF, &got, sizeof got, &err) == 4, &err);
    CHECK(got == v && v >= want, &err);
    CHECK(pysock_getsockopt_bytes(s, SOL_SOCKET, SO_RCVBUF, b, 1024, &err) == 4, &err);
    RAISES(pysock_getsockopt_bytes(s, SOL_SOCKET, SO_RCVBUF, b, 1025, &err), &err, "OSError", NO_ERRNO);
    CHECK(strcmp(err.message, "getsockopt buflen out of range") == 0 && !err.has_errno, &err);
    RAISES(pysock_getsockopt_bytes(s, SOL_SOCKET, SO_RCVBUF, NULL, 0, &err), &err, "OSError", NO_ERRNO);
    /* setsockopt(level, option, None, optlen): a NULL value; for SO_RCVBUF the kernel reads
     * it, as CPython's call would: [Errno 14] */
    RAISES(pysock_setsockopt_none(s, SOL_SOCKET, SO_RCVBUF, 4, &err), &err, "OSError", EFAULT);
    OK(pysock_close(s, &err), &err);

    int ds = pysock_has_dualstack_ipv6(&err);
    CHECK((ds == 0 || ds == 1) && err.cls[0] == '\0', &err);

    int before = pysock_setmaxlookups(10, &err);
    CHECK(before > 0 && err.cls[0] == '\0', &err);
    CHECK(pysock_setmaxlookups(0, &err) == 10, &err); /* 0: back to the default */
    CHECK(pysock_setmaxlookups(before, &err) == 64, &err);
}

int main(void)
{
    test_fromfd();
    test_dup_detach_inheritable();
    test_recvfrom_into();
    test_sockopts_and_settings();
    printf("pysock_descriptors: ok\n");
    return 0;
}
