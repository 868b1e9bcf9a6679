/*
 * pysock_closed.c - closed handles, which answer as CPython's closed socket objects do.
 *
 * With no arguments it checks what needs no oracle and prints "pysock_closed: ok": a
 * socket closed while a makefile file is open keeps working until the file closes; a
 * closed handle is kept among the last PYSOCK_CLOSED_KEPT closed and then forgotten, and
 * a forgotten one still checks its C arguments before its [Errno 9]; a loop of many
 * sockets opened and closed keeps no more than that.
 *
 * With "records" it prints one line per call of the table in records(), "name|class|
 * has_errno|errno|message" or "name|ok|value", which test/cpysock (closed_test.go)
 * compares with what python3 answers to the same calls on closed sockets: every argument
 * error comes before the closed socket's [Errno 9], as CPython converts a call's arguments
 * before it touches the descriptor.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testing.h"

static struct pysock_error err;

static void print_record(const char *name, int64_t r)
{
    if (err.cls[0])
        printf("%s|%s|%d|%d|%s\n", name, err.cls, err.has_errno, err.errno_, err.message);
    else
        printf("%s|ok|%lld\n", name, (long long)r);
}

#define RECORD(name, call) print_record((name), (call))

/* addr is a struct pysock_addr for host and port. */
#define ADDR(h, p) (&(struct pysock_addr){.host = (h), .port = (p)})

/* closed_socket returns a new socket of that kind, its timeout set, closed. */
static int64_t closed_socket(int family, int type, double timeout)
{
    int64_t s;
    OK(pysock_socket(family, type, 0, &s, &err), &err);
    OK(pysock_settimeout(s, timeout, &err), &err);
    OK(pysock_close(s, &err), &err);
    return s;
}

static void records(void)
{
    char buf[2], big[16];
    double t;
    int family, type, proto, fd;
    int64_t f;
    size_t nanc;
    struct pysock_cmsg *anc;
    struct pysock_addrbuf from;
    struct pysock_buf one = {.data = "x", .len = 1};
    struct pysock_recvbuf into = {.data = buf, .len = sizeof buf};

    int64_t s = closed_socket(AF_INET, SOCK_STREAM, 2.5);
    RECORD("bind_port", pysock_bind(s, ADDR("127.0.0.1", 70000), &err));
    RECORD("bind_none_host", pysock_bind(s, ADDR(NULL, 0), &err));
    RECORD("bind_ok", pysock_bind(s, ADDR("127.0.0.1", 0), &err));
    RECORD("connect_port", pysock_connect(s, ADDR("127.0.0.1", 70000), &err));
    RECORD("connect_ex_port", pysock_connect_ex(s, ADDR("127.0.0.1", 70000), &err));
    RECORD("connect_ex_ok", pysock_connect_ex(s, ADDR("127.0.0.1", 80), &err));
    RECORD("connect_ex_none", pysock_connect_ex(s, NULL, &err));
    RECORD("sendto_port", pysock_sendto(s, "x", 1, 0, ADDR("127.0.0.1", 70000), &err));
    RECORD("recv_huge", pysock_recv(s, big, SIZE_MAX, 0, &err));
    RECORD("recvfrom_huge", pysock_recvfrom(s, big, (size_t)1 << 63, 0, &from, &err));
    RECORD("settimeout_neg", pysock_settimeout(s, -5, &err));
    RECORD("settimeout_nan", pysock_settimeout(s, NAN, &err));
    OK(pysock_gettimeout(s, &t, &err), &err);
    RECORD("gettimeout", (int64_t)(t * 10));
    RECORD("settimeout_ok", pysock_settimeout(s, 1.5, &err));
    OK(pysock_gettimeout(s, &t, &err), &err); /* stored, then [Errno 9], as CPython */
    RECORD("gettimeout_after", (int64_t)(t * 10));
    RECORD("getblocking", pysock_getblocking(s, &err));
    RECORD("setblocking", pysock_setblocking(s, 0, &err));
    RECORD("getblocking_after", pysock_getblocking(s, &err));
    OK(pysock_sockinfo(s, &family, &type, &proto, &err), &err);
    RECORD("sockinfo", family * 100 + type * 10 + proto);
    RECORD("fileno", pysock_fileno(s, &err));
    RECORD("recv_into_nbytes", pysock_recv_into(s, buf, sizeof buf, 5, 0, &err));
    RECORD("recvfrom_into_nbytes", pysock_recvfrom_into(s, buf, sizeof buf, 5, 0, &from, &err));
    RECORD("recv_into", pysock_recv_into(s, buf, sizeof buf, 0, 0, &err));
    RECORD("getsockopt_buflen", pysock_getsockopt_bytes(s, SOL_SOCKET, SO_TYPE, big, 2000, &err));
    RECORD("getsockopt", pysock_getsockopt(s, SOL_SOCKET, SO_TYPE, &(int){0}, &err));
    fd = open("/etc/hosts", O_RDONLY);
    CHECK(fd >= 0, &err);
    RECORD("sendfile_count0", pysock_sendfile(s, fd, 0, 0, &err));
    RECORD("sendfile_count_neg", pysock_sendfile(s, fd, 0, -5, &err));
    RECORD("sendfile", pysock_sendfile(s, fd, 0, PYSOCK_COUNT_NONE, &err));
    close(fd);
    RECORD("recvmsg_anc", pysock_recvmsg(s, big, sizeof big, (size_t)1 << 32, 0, &anc, &nanc, NULL, NULL, &err));
    RECORD("recvmsg_into_anc", pysock_recvmsg_into(s, &into, 1, (size_t)1 << 32, 0, &anc, &nanc, NULL, NULL, &err));
    RECORD("recvmsg", pysock_recvmsg(s, big, sizeof big, 0, 0, NULL, NULL, NULL, NULL, &err));
    RECORD("sendmsg_port", pysock_sendmsg(s, &one, 1, NULL, 0, 0, ADDR("127.0.0.1", 70000), &err));
    RECORD("sendmsg", pysock_sendmsg(s, &one, 1, NULL, 0, 0, NULL, &err));
    RECORD("shutdown", pysock_shutdown(s, SHUT_RDWR, &err));
    RECORD("listen", pysock_listen(s, PYSOCK_BACKLOG_DEFAULT, &err));
    RECORD("accept", pysock_accept(s, &(int64_t){0}, NULL, &err));
    RECORD("dup", pysock_dup(s, &(int64_t){0}, &err));
    RECORD("getsockname", pysock_getsockname(s, &from, &err));
    RECORD("getpeername", pysock_getpeername(s, &from, &err));
    RECORD("get_inheritable", pysock_get_inheritable(s, &err));
    RECORD("set_inheritable", pysock_set_inheritable(s, 1, &err));
    RECORD("setsockopt", pysock_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, 1, &err));
    RECORD("setsockopt_bytes", pysock_setsockopt_bytes(s, SOL_SOCKET, SO_REUSEADDR, "\1\0\0\0", 4, &err));
    RECORD("send", pysock_send(s, "x", 1, 0, &err));
    RECORD("sendall", pysock_sendall(s, "x", 1, 0, &err));
    RECORD("makefile_mode", pysock_makefile(s, "x", NULL, &f, &err));
    RECORD("makefile", pysock_makefile(s, "rb", NULL, &f, &err));
    if (!err.cls[0]) {
        RECORD("file_read", pysock_file_read(f, big, sizeof big, &err));
        RECORD("file_close", pysock_file_close(f, &err));
    }
    RECORD("send_fds", pysock_send_fds(s, &one, 1, &(int){0}, 1, 0, NULL, &err));
    RECORD("recv_fds", pysock_recv_fds(s, big, sizeof big, NULL, 0, &(size_t){0}, 0, NULL, NULL, &err));
    RECORD("detach", pysock_detach(s, &err));
    RECORD("close", pysock_close(s, &err));
    RECORD("fileno_after_detach", pysock_fileno(s, &err));

    int64_t u = closed_socket(AF_UNIX, SOCK_STREAM, 1.5);
    RECORD("unix_bind", pysock_bind(u, ADDR("/tmp/pysock-closed.sock", 0), &err));
    RECORD("unix_bind_none", pysock_bind(u, NULL, &err));
    RECORD("unix_sendto", pysock_sendto(u, "x", 1, 0, ADDR("/tmp/pysock-closed.sock", 0), &err));
    OK(pysock_sockinfo(u, &family, &type, &proto, &err), &err);
    RECORD("unix_sockinfo", family * 100 + type * 10 + proto);

    fd = open("/etc/hosts", O_RDONLY);
    CHECK(fd >= 0, &err);
    int64_t d = closed_socket(AF_INET, SOCK_DGRAM, 1.5);
    RECORD("sendfile_dgram", pysock_sendfile(d, fd, 0, 0, &err));
    int64_t n = closed_socket(AF_INET, SOCK_STREAM, 0.0);
    RECORD("sendfile_nonblocking", pysock_sendfile(n, fd, 0, PYSOCK_COUNT_NONE, &err));
    close(fd);
    RECORD("getblocking_nonblocking", pysock_getblocking(n, &err));

    /* a socket closed while a file made on it is open: CPython's _io_refs */
    int64_t p[2];
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_makefile(p[0], "rb", NULL, &f, &err), &err);
    RECORD("io_close", pysock_close(p[0], &err));
    RECORD("io_fileno_open", pysock_fileno(p[0], &err) >= 0);
    OK(pysock_send(p[1], "hello", 5, 0, &err), &err);
    RECORD("io_recv", pysock_recv(p[0], big, 5, 0, &err));
    RECORD("io_send", pysock_send(p[0], "x", 1, 0, &err));
    RECORD("io_getsockname", pysock_getsockname(p[0], &from, &err));
    RECORD("io_close_again", pysock_close(p[0], &err));
    RECORD("io_file_close", pysock_file_close(f, &err));
    RECORD("io_fileno_closed", pysock_fileno(p[0], &err));
    RECORD("io_recv_closed", pysock_recv(p[0], big, 5, 0, &err));
    OK(pysock_close(p[1], &err), &err);

    /* detach while the file is open: the descriptor is the caller's, the file's reads fail */
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_makefile(p[0], "rb", NULL, &f, &err), &err);
    OK(pysock_close(p[0], &err), &err);
    fd = pysock_detach(p[0], &err);
    RECORD("io_detach", fd >= 0);
    RECORD("io_file_read", pysock_file_read(f, big, 1, &err));
    OK(pysock_file_close(f, &err), &err);
    close(fd);
    OK(pysock_close(p[1], &err), &err);

    /* const char * parameters: NULL is Python's None */
    RECORD("servbyname_null", pysock_getservbyname(NULL, NULL, &err));
    RECORD("servbyname_null_tcp", pysock_getservbyname(NULL, "tcp", &err));
    RECORD("protobyname_null", pysock_getprotobyname(NULL, &err));
    RECORD("gethostbyname_null", pysock_gethostbyname(NULL, big, sizeof big, &err));
    RECORD("gethostbyaddr_null", pysock_gethostbyaddr(NULL, &(struct pysock_hostent *){0}, &err));
    RECORD("nametoindex_null", pysock_if_nametoindex(NULL, &err));
    RECORD("inet_aton_null", pysock_inet_aton(NULL, big, sizeof big, &err));
    RECORD("inet_pton_null", pysock_inet_pton(AF_INET6, NULL, big, sizeof big, &err));
}

/* makefile_keeps_socket: the socket stays usable until its last file closes. */
static void makefile_keeps_socket(void)
{
    int64_t p[2], f, g;
    char buf[8];

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_makefile(p[0], "rb", NULL, &f, &err), &err);
    OK(pysock_makefile(p[0], "wb", NULL, &g, &err), &err);
    int fd = pysock_fileno(p[0], &err);
    OK(pysock_close(p[0], &err), &err);
    CHECK(pysock_fileno(p[0], &err) == fd, &err);
    OK(pysock_send(p[1], "ab", 2, 0, &err), &err);
    CHECK(pysock_recv(p[0], buf, 1, 0, &err) == 1 && buf[0] == 'a', &err);
    CHECK(pysock_file_read(f, buf, 1, &err) == 1 && buf[0] == 'b', &err);
    OK(pysock_file_close(f, &err), &err);
    CHECK(pysock_fileno(p[0], &err) == fd, &err); /* g is still open */
    CHECK(pysock_file_write(g, "cd", 2, &err) == 2, &err);
    OK(pysock_file_close(g, &err), &err); /* flushes, then closes the descriptor */
    CHECK(pysock_fileno(p[0], &err) == -1 && err.cls[0] == '\0', &err);
    RAISES(pysock_recv(p[0], buf, 1, 0, &err), &err, "OSError", EBADF);
    OK(pysock_settimeout(p[1], 5.0, &err), &err);
    CHECK(pysock_recv(p[1], buf, sizeof buf, 0, &err) == 2 && memcmp(buf, "cd", 2) == 0, &err);
    CHECK(pysock_recv(p[1], buf, sizeof buf, 0, &err) == 0, &err); /* the peer's end */
    OK(pysock_close(p[1], &err), &err);
}

/* kept_then_forgotten: the last PYSOCK_CLOSED_KEPT closed handles answer as closed
 * sockets; an older one is an unknown handle. */
static void kept_then_forgotten(void)
{
    double t;
    char b;
    int64_t first = closed_socket(AF_INET, SOCK_STREAM, 2.5);
    int64_t last = first;
    for (int i = 0; i < PYSOCK_CLOSED_KEPT - 1; i++)
        last = closed_socket(AF_INET, SOCK_DGRAM, 1.5);
    OK(pysock_gettimeout(first, &t, &err), &err); /* still among the last kept */
    CHECK(t == 2.5, &err);
    last = closed_socket(AF_INET, SOCK_DGRAM, 1.5);
    RAISES(pysock_gettimeout(first, &t, &err), &err, "OSError", EBADF); /* forgotten */
    OK(pysock_gettimeout(last, &t, &err), &err);
    CHECK(t == 1.5, &err);

    /* a forgotten handle checks what its C arguments say, then [Errno 9] */
    RAISES(pysock_recv(first, &b, SIZE_MAX, 0, &err), &err, "OverflowError", NO_ERRNO);
    RAISES(pysock_recv(first, NULL, 1, 0, &err), &err, "ValueError", NO_ERRNO);
    RAISES(pysock_recv_into(first, &b, 1, 5, 0, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "buffer too small for requested bytes") == 0, &err);
    RAISES(pysock_recvfrom_into(first, &b, 1, 5, 0, NULL, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "nbytes is greater than the length of the buffer") == 0, &err);
    RAISES(pysock_bind(first, &(struct pysock_addr){.host_len = 3}, &err), &err, "ValueError", NO_ERRNO);
    RAISES(pysock_bind(first, ADDR("127.0.0.1", 70000), &err), &err, "OSError", EBADF);
    RAISES(pysock_settimeout(first, -5, &err), &err, "OSError", EBADF);
    RAISES(pysock_fileno(first, &err), &err, "OSError", EBADF);
    CHECK(pysock_connect_ex(first, ADDR("127.0.0.1", 80), &err) == EBADF && !err.cls[0], &err);
    CHECK(pysock_detach(first, &err) == -1 && !err.cls[0], &err);
    OK(pysock_close(first, &err), &err);
}

/* many_closed: opening and closing many sockets keeps the descriptors and the table small
 * (test/cpysock's Go tests check the table's bound; here, that nothing is left open). */
static void many_closed(void)
{
    int64_t s, first = 0;
    for (int i = 0; i < 3 * PYSOCK_CLOSED_KEPT; i++) {
        OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &s, &err), &err);
        if (i == 0)
            first = s;
        OK(pysock_close(s, &err), &err);
    }
    int fd = open("/dev/null", O_RDONLY);
    CHECK(fd >= 0 && fd < 64, &err); /* no descriptor leaked */
    close(fd);
    RAISES(pysock_fileno(first, &err), &err, "OSError", EBADF);
    CHECK(pysock_fileno(s, &err) == -1 && !err.cls[0], &err);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "records") == 0) {
        records();
        return 0;
    }
    makefile_keeps_socket();
    kept_then_forgotten();
    many_closed();
    printf("pysock_closed: ok\n");
    return 0;
}
