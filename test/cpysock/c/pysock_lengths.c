/*
 * pysock_lengths.c - every function of pysock.h that takes a buffer as a pointer and a
 * length, given a NULL pointer with a length (a ValueError naming the function and the
 * argument) and lengths beyond PTRDIFF_MAX (CPython's OverflowError for a size that large),
 * and NULL with a length of 0 (allowed). None of these may reach the system, crash, or come
 * back as a recovered Go panic (a SystemError).
 */
#define _POSIX_C_SOURCE 200809L

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "testing.h"

/* The lengths no buffer can have: SIZE_MAX, a negative length converted, PTRDIFF_MAX + 1. */
static const size_t huge[] = {SIZE_MAX, (size_t)-5, (size_t)PTRDIFF_MAX + 1};

static void expect_null(int line, int64_t r, const struct pysock_error *err, const char *fn,
                        const char *arg)
{
    char want[PYSOCK_MESSAGE_MAX];
    snprintf(want, sizeof want, "%s: %s is NULL but its length is 5", fn, arg);
    if (r != -1 || strcmp(err->cls, "ValueError") != 0 || strcmp(err->message, want) != 0)
        fail_at(__FILE__, line, want, err);
}

static void expect_huge(int line, int64_t r, const struct pysock_error *err)
{
    if (r != -1 || strcmp(err->cls, "OverflowError") != 0 ||
        strcmp(err->message, "Python int too large to convert to C ssize_t") != 0)
        fail_at(__FILE__, line, "OverflowError: Python int too large to convert to C ssize_t", err);
}

/* NULL_LEN(call with NULL and length 5, "pysock_f", "arg") */
#define NULL_LEN(call, fn, arg) expect_null(__LINE__, (call), &err, (fn), (arg))
/* HUGE(call with length L): tried with each huge length as L */
#define HUGE(call)                                                                         \
    do {                                                                                   \
        for (size_t i_ = 0; i_ < sizeof huge / sizeof huge[0]; i_++) {                     \
            size_t L = huge[i_];                                                           \
            expect_huge(__LINE__, (call), &err);                                           \
        }                                                                                  \
    } while (0)

int main(void)
{
    struct pysock_error err;
    struct pysock_addrbuf from;
    struct pysock_nameinfo ni;
    int64_t p[2], u, s, f, r;
    char buf[64];

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_settimeout(p[1], 0.0, &err), &err);
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &u, &err), &err);
    struct pysock_addr loop = {.host = "127.0.0.1", .port = 9};

    /* sending */
    NULL_LEN(pysock_send(p[0], NULL, 5, 0, &err), "pysock_send", "data");
    NULL_LEN(pysock_sendall(p[0], NULL, 5, 0, &err), "pysock_sendall", "data");
    NULL_LEN(pysock_sendto(u, NULL, 5, 0, &loop, &err), "pysock_sendto", "data");
    HUGE(pysock_send(p[0], buf, L, 0, &err));
    HUGE(pysock_sendall(p[0], buf, L, 0, &err));
    HUGE(pysock_sendto(u, buf, L, 0, &loop, &err));
    CHECK(pysock_send(p[0], NULL, 0, 0, &err) == 0 && err.cls[0] == '\0', &err);

    /* receiving (p[1] is non-blocking: had the call been made, it would be a
     * BlockingIOError, not one of these) */
    NULL_LEN(pysock_recv(p[1], NULL, 5, 0, &err), "pysock_recv", "buf");
    NULL_LEN(pysock_recv_into(p[1], NULL, 5, 0, 0, &err), "pysock_recv_into", "buf");
    NULL_LEN(pysock_recvfrom(p[1], NULL, 5, 0, &from, &err), "pysock_recvfrom", "buf");
    NULL_LEN(pysock_recvfrom_into(p[1], NULL, 5, 0, 0, &from, &err), "pysock_recvfrom_into", "buf");
    HUGE(pysock_recv(p[1], buf, L, 0, &err));
    HUGE(pysock_recv_into(p[1], buf, L, 0, 0, &err));
    HUGE(pysock_recv_into(p[1], buf, sizeof buf, L, 0, &err)); /* nbytes */
    HUGE(pysock_recvfrom(p[1], buf, L, 0, &from, &err));
    HUGE(pysock_recvfrom_into(p[1], buf, L, 0, 0, &from, &err));
    HUGE(pysock_recvfrom_into(p[1], buf, sizeof buf, L, 0, &from, &err));
    CHECK(pysock_recv(p[1], NULL, 0, 0, &err) == 0 && err.cls[0] == '\0', &err);

    /* socket options */
    NULL_LEN(pysock_setsockopt_bytes(u, SOL_SOCKET, SO_RCVBUF, NULL, 5, &err), "pysock_setsockopt_bytes",
             "value");
    NULL_LEN(pysock_getsockopt_bytes(u, SOL_SOCKET, SO_RCVBUF, NULL, 5, &err), "pysock_getsockopt_bytes",
             "buf");
    HUGE(pysock_setsockopt_bytes(u, SOL_SOCKET, SO_RCVBUF, buf, L, &err));
    HUGE(pysock_getsockopt_bytes(u, SOL_SOCKET, SO_RCVBUF, buf, L, &err));

    /* addresses: host with host_len */
    struct pysock_addr null_host = {.host = NULL, .host_len = 5, .port = 9};
    NULL_LEN(pysock_bind(u, &null_host, &err), "pysock_bind", "address->host");
    NULL_LEN(pysock_connect(u, &null_host, &err), "pysock_connect", "address->host");
    NULL_LEN(pysock_connect_ex(u, &null_host, &err), "pysock_connect_ex", "address->host");
    NULL_LEN(pysock_sendto(u, "x", 1, 0, &null_host, &err), "pysock_sendto", "address->host");
    NULL_LEN(pysock_create_connection(&null_host, 1.0, NULL, &s, &err), "pysock_create_connection",
             "address->host");
    NULL_LEN(pysock_create_connection(&loop, 1.0, &null_host, &s, &err), "pysock_create_connection",
             "address->host");
    NULL_LEN(pysock_create_server(&null_host, 0, PYSOCK_BACKLOG_DEFAULT, 0, &s, &err),
             "pysock_create_server", "address->host");
    NULL_LEN(pysock_getnameinfo(&null_host, 0, &ni, &err), "pysock_getnameinfo", "address->host");
    HUGE(pysock_bind(u, &(struct pysock_addr){.host = "127.0.0.1", .host_len = L}, &err));
    HUGE(pysock_getnameinfo(&(struct pysock_addr){.host = "127.0.0.1", .host_len = L}, 0, &ni, &err));

    /* results written into a caller's buffer */
    NULL_LEN(pysock_gethostbyname("127.0.0.1", NULL, 5, &err), "pysock_gethostbyname", "buf");
    NULL_LEN(pysock_getfqdn("127.0.0.1", NULL, 5, &err), "pysock_getfqdn", "buf");
    NULL_LEN(pysock_gethostname(NULL, 5, &err), "pysock_gethostname", "buf");
    NULL_LEN(pysock_getservbyport(80, "tcp", NULL, 5, &err), "pysock_getservbyport", "buf");
    NULL_LEN(pysock_if_indextoname(1, NULL, 5, &err), "pysock_if_indextoname", "buf");
    NULL_LEN(pysock_inet_aton("1.2.3.4", NULL, 5, &err), "pysock_inet_aton", "packed");
    NULL_LEN(pysock_inet_pton(AF_INET, "1.2.3.4", NULL, 5, &err), "pysock_inet_pton", "packed");
    NULL_LEN(pysock_inet_ntoa("\1\2\3\4", 4, NULL, 5, &err), "pysock_inet_ntoa", "buf");
    NULL_LEN(pysock_inet_ntoa(NULL, 5, buf, sizeof buf, &err), "pysock_inet_ntoa", "packed");
    NULL_LEN(pysock_inet_ntop(AF_INET, "\1\2\3\4", 4, NULL, 5, &err), "pysock_inet_ntop", "buf");
    NULL_LEN(pysock_inet_ntop(AF_INET, NULL, 5, buf, sizeof buf, &err), "pysock_inet_ntop", "packed");
    HUGE(pysock_gethostbyname("127.0.0.1", buf, L, &err));
    HUGE(pysock_getfqdn("127.0.0.1", buf, L, &err));
    HUGE(pysock_gethostname(buf, L, &err));
    HUGE(pysock_getservbyport(80, "tcp", buf, L, &err));
    HUGE(pysock_if_indextoname(1, buf, L, &err));
    HUGE(pysock_inet_aton("1.2.3.4", buf, L, &err));
    HUGE(pysock_inet_pton(AF_INET, "1.2.3.4", buf, L, &err));
    HUGE(pysock_inet_ntoa("\1\2\3\4", L, buf, sizeof buf, &err));
    HUGE(pysock_inet_ntoa("\1\2\3\4", 4, buf, L, &err));
    HUGE(pysock_inet_ntop(AF_INET, "\1\2\3\4", L, buf, sizeof buf, &err));
    HUGE(pysock_inet_ntop(AF_INET, "\1\2\3\4", 4, buf, L, &err));
    NULL_LEN(pysock_sethostname(NULL, 5, &err), "pysock_sethostname", "name");
    HUGE(pysock_sethostname("name", L, &err));
    /* NULL with 0: the length alone, as snprintf(NULL, 0, ...) */
    CHECK(pysock_gethostbyname("127.0.0.1", NULL, 0, &err) == 9 && err.cls[0] == '\0', &err);
    CHECK(pysock_inet_pton(AF_INET6, "::1", NULL, 0, &err) == 16 && err.cls[0] == '\0', &err);

    /* messages: arrays and the buffers in them */
    struct pysock_buf nullbuf[] = {{"ok", 2}, {NULL, 5}};
    struct pysock_recvbuf nullrbuf[] = {{buf, 2}, {NULL, 5}};
    struct pysock_cmsg nullanc[] = {{SOL_SOCKET, SCM_RIGHTS, NULL, 5}};
    struct pysock_cmsg *anc;
    size_t nanc, nfds;
    int fds[4];
    NULL_LEN(pysock_sendmsg(p[0], NULL, 5, NULL, 0, 0, NULL, &err), "pysock_sendmsg", "buffers");
    NULL_LEN(pysock_sendmsg(p[0], nullbuf, 2, NULL, 0, 0, NULL, &err), "pysock_sendmsg", "buffers[1].data");
    NULL_LEN(pysock_sendmsg(p[0], nullbuf, 1, NULL, 5, 0, NULL, &err), "pysock_sendmsg", "ancdata");
    NULL_LEN(pysock_sendmsg(p[0], nullbuf, 1, nullanc, 1, 0, NULL, &err), "pysock_sendmsg", "ancdata[0].data");
    NULL_LEN(pysock_sendmsg(u, nullbuf, 1, NULL, 0, 0, &null_host, &err), "pysock_sendmsg", "address->host");
    NULL_LEN(pysock_recvmsg(p[1], NULL, 5, 0, 0, NULL, NULL, NULL, NULL, &err), "pysock_recvmsg", "buf");
    NULL_LEN(pysock_recvmsg_into(p[1], NULL, 5, 0, 0, NULL, NULL, NULL, NULL, &err), "pysock_recvmsg_into", "buffers");
    NULL_LEN(pysock_recvmsg_into(p[1], nullrbuf, 2, 0, 0, NULL, NULL, NULL, NULL, &err), "pysock_recvmsg_into",
             "buffers[1].data");
    NULL_LEN(pysock_send_fds(p[0], NULL, 5, NULL, 0, 0, NULL, &err), "pysock_send_fds", "buffers");
    NULL_LEN(pysock_send_fds(p[0], nullbuf, 2, NULL, 0, 0, NULL, &err), "pysock_send_fds", "buffers[1].data");
    NULL_LEN(pysock_send_fds(p[0], nullbuf, 1, NULL, 5, 0, NULL, &err), "pysock_send_fds", "fds");
    NULL_LEN(pysock_recv_fds(p[1], NULL, 5, fds, 4, &nfds, 0, NULL, NULL, &err), "pysock_recv_fds", "buf");
    NULL_LEN(pysock_recv_fds(p[1], buf, sizeof buf, NULL, 5, &nfds, 0, NULL, NULL, &err), "pysock_recv_fds", "fds");
    HUGE(pysock_sendmsg(p[0], nullbuf, L, NULL, 0, 0, NULL, &err));
    HUGE(pysock_sendmsg(p[0], &(struct pysock_buf){"x", L}, 1, NULL, 0, 0, NULL, &err));
    HUGE(pysock_sendmsg(p[0], nullbuf, 1, nullanc, L, 0, NULL, &err));
    HUGE(pysock_sendmsg(p[0], nullbuf, 1, &(struct pysock_cmsg){SOL_SOCKET, SCM_RIGHTS, "x", L}, 1, 0, NULL, &err));
    HUGE(pysock_recvmsg(p[1], buf, L, 0, 0, NULL, NULL, NULL, NULL, &err));
    HUGE(pysock_recvmsg(p[1], buf, sizeof buf, L, 0, &anc, &nanc, NULL, NULL, &err));
    HUGE(pysock_recvmsg_into(p[1], nullrbuf, L, 0, 0, NULL, NULL, NULL, NULL, &err));
    HUGE(pysock_recvmsg_into(p[1], &(struct pysock_recvbuf){buf, L}, 1, 0, 0, NULL, NULL, NULL, NULL, &err));
    HUGE(pysock_recvmsg_into(p[1], nullrbuf, 1, L, 0, &anc, &nanc, NULL, NULL, &err));
    HUGE(pysock_send_fds(p[0], nullbuf, L, fds, 1, 0, NULL, &err));
    HUGE(pysock_send_fds(p[0], nullbuf, 1, fds, L, 0, NULL, &err));
    HUGE(pysock_recv_fds(p[1], buf, L, fds, 4, &nfds, 0, NULL, NULL, &err));
    HUGE(pysock_recv_fds(p[1], buf, sizeof buf, fds, L, &nfds, 0, NULL, NULL, &err));
    /* a count whose array cannot fit in memory */
    RAISES(pysock_sendmsg(p[0], nullbuf, PTRDIFF_MAX / 8, NULL, 0, 0, NULL, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strstr(err.message, "pysock_sendmsg: buffers runs past the end of memory") == err.message, &err);
    /* NULL with 0 */
    CHECK(pysock_sendmsg(p[0], NULL, 0, NULL, 0, 0, NULL, &err) == 0 && err.cls[0] == '\0', &err);
    CHECK(pysock_recv(p[1], buf, sizeof buf, 0, &err) == -1 && strcmp(err.cls, "BlockingIOError") == 0, &err);

    /* files */
    OK(pysock_makefile(p[1], "rwb", NULL, &f, &err), &err);
    NULL_LEN(pysock_file_read(f, NULL, 5, &err), "pysock_file_read", "buf");
    NULL_LEN(pysock_file_readline(f, NULL, 5, &err), "pysock_file_readline", "buf");
    NULL_LEN(pysock_file_write(f, NULL, 5, &err), "pysock_file_write", "data");
    HUGE(pysock_file_read(f, buf, L, &err));
    HUGE(pysock_file_readline(f, buf, L, &err));
    HUGE(pysock_file_write(f, buf, L, &err));
    r = pysock_file_write(f, NULL, 0, &err);
    CHECK(r == 0 && err.cls[0] == '\0', &err);
    OK(pysock_file_close(f, &err), &err);

    /* nothing was sent or received by any of it */
    CHECK(pysock_recv(p[1], buf, sizeof buf, 0, &err) == -1, &err);
    CHECK(strcmp(err.cls, "BlockingIOError") == 0, &err);

    OK(pysock_close(u, &err), &err);
    OK(pysock_close(p[0], &err), &err);
    OK(pysock_close(p[1], &err), &err);
    printf("pysock_lengths: ok\n");
    return 0;
}
