/*
 * pysock_errors.c - the error records of the API.
 *
 * With no arguments it checks the handle rules (a double close, a closed handle, a handle
 * never issued), writing to a closed peer with SIGPIPE at SIG_DFL (the process must live
 * and see BrokenPipeError), a recovered Go panic, NULL records, message truncation and
 * pysock_strerror, and prints "pysock_errors: ok".
 *
 * With "records INUSE CLOSED" (two TCP ports on 127.0.0.1: one with a listener, one with
 * none) it prints one line per failure of the table below, "name|class|has_errno|errno|
 * message", which test/cpysock compares with what python3 raises for the same calls.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

#include "testing.h"

/* print_record prints a failure as the records mode does; a success prints "name|ok|r". */
static void print_record(const char *name, int64_t r, const struct pysock_error *err)
{
    if (r == -1)
        printf("%s|%s|%d|%d|%s\n", name, err->cls, err->has_errno, err->errno_, err->message);
    else
        printf("%s|ok|%lld\n", name, (long long)r);
}

#define RECORD(name, call)                                                                 \
    do {                                                                                   \
        int64_t r_ = (call);                                                               \
        print_record((name), r_, &err);                                                    \
    } while (0)

/* records runs the failures that test/cpysock runs in python3 too (see cpysock_test.go). */
static void records(int inuse, int closed)
{
    struct pysock_error err;
    struct pysock_addrinfo *ai;
    struct pysock_nameinfo ni;
    struct pysock_hostent *he;
    char buf[256];
    int64_t s, u, p[2];

    RECORD("create_connection_refused",
           pysock_create_connection(&(struct pysock_addr){.host = "127.0.0.1", .port = closed},
                                    PYSOCK_TIMEOUT_DEFAULT, NULL, &s, &err));
    OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &s, &err), &err);
    RECORD("connect_refused",
           pysock_connect(s, &(struct pysock_addr){.host = "127.0.0.1", .port = closed}, &err));
    OK(pysock_close(s, &err), &err);
    RECORD("gai_numeric", pysock_getaddrinfo("vm", NULL, 0, 0, 0, AI_NUMERICHOST, &ai, &err));
    RECORD("gai_service", pysock_getaddrinfo("localhost", "nosuchservice", 0, 0, 0, 0, &ai, &err));
    RECORD("gai_none", pysock_getaddrinfo(NULL, NULL, 0, 0, 0, 0, &ai, &err));
    RECORD("gni_name", pysock_getnameinfo(&(struct pysock_addr){.host = "vm", .port = 80}, 0, &ni, &err));
    RECORD("gni_4tuple", pysock_getnameinfo(&(struct pysock_addr){.host = "127.0.0.1", .port = 80, .flowinfo = 1},
                                            0, &ni, &err));
    OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &s, &err), &err);
    RECORD("bind_port_range", pysock_bind(s, &(struct pysock_addr){.host = "127.0.0.1", .port = 70000}, &err));
    RECORD("bind_nul", pysock_bind(s, &(struct pysock_addr){.host = "127.0.0.1\0x", .host_len = 11}, &err));
    RECORD("bind_not_local", pysock_bind(s, &(struct pysock_addr){.host = "192.0.2.1"}, &err));
    RECORD("bind_in_use", pysock_bind(s, &(struct pysock_addr){.host = "127.0.0.1", .port = inuse}, &err));
    RECORD("bind_none", pysock_bind(s, NULL, &err));
    RECORD("getpeername_unconnected", pysock_getpeername(s, &(struct pysock_addrbuf){0}, &err));
    RECORD("settimeout_negative", pysock_settimeout(s, -0.5, &err));
    OK(pysock_close(s, &err), &err);
    RECORD("create_server_in_use",
           pysock_create_server(&(struct pysock_addr){.host = "127.0.0.1", .port = inuse}, 0,
                                PYSOCK_BACKLOG_DEFAULT, 0, &s, &err));
    RECORD("socket_family", pysock_socket(12345, SOCK_STREAM, 0, &s, &err));
    OK(pysock_socket(AF_UNIX, SOCK_STREAM, 0, &s, &err), &err);
    RECORD("unix_missing", pysock_connect(s, &(struct pysock_addr){.host = "/nonexistent/pysock.sock"}, &err));
    OK(pysock_close(s, &err), &err);
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_settimeout(p[0], 0.01, &err), &err);
    RECORD("recv_timeout", pysock_recv(p[0], buf, sizeof buf, 0, &err));
    OK(pysock_setblocking(p[0], 0, &err), &err);
    RECORD("recv_nonblocking", pysock_recv(p[0], buf, sizeof buf, 0, &err));
    RECORD("shutdown_bad", pysock_shutdown(p[0], 5, &err));
    OK(pysock_close(p[1], &err), &err);
    RECORD("send_broken_pipe", pysock_send(p[0], "x", 1, 0, &err));
    OK(pysock_close(p[0], &err), &err);
    RECORD("recv_closed", pysock_recv(p[0], buf, sizeof buf, 0, &err));
    OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &s, &err), &err);
    OK(pysock_close(s, &err), &err);
    RECORD("connect_ex_closed", pysock_connect_ex(s, &(struct pysock_addr){.host = "127.0.0.1", .port = 80}, &err));
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &u, &err), &err);
    RECORD("listen_udp", pysock_listen(u, PYSOCK_BACKLOG_DEFAULT, &err));
    RECORD("sendto_port_range", pysock_sendto(u, "x", 1, 0, &(struct pysock_addr){.host = "127.0.0.1", .port = -1}, &err));
    OK(pysock_close(u, &err), &err);
    RECORD("servbyname", pysock_getservbyname("nosuchservice", "tcp", &err));
    RECORD("servbyport_range", pysock_getservbyport(70000, NULL, buf, sizeof buf, &err));
    RECORD("servbyport_proto", pysock_getservbyport(1, "nosuchproto", buf, sizeof buf, &err));
    RECORD("protobyname", pysock_getprotobyname("nosuchproto", &err));
    RECORD("gethostbyname_idna", pysock_gethostbyname("a..b", buf, sizeof buf, &err));
    RECORD("gethostbyname_ex_none", pysock_gethostbyname_ex(NULL, &he, &err));
    RECORD("getfqdn_none", pysock_getfqdn(NULL, buf, sizeof buf, &err));
}

/* handles checks the handle rules. */
static void handles(void)
{
    struct pysock_error err;
    int64_t s;
    char b;

    OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &s, &err), &err);
    CHECK(s > 0, &err);
    OK(pysock_close(s, &err), &err);
    OK(pysock_close(s, &err), &err); /* twice: harmless */
    CHECK(pysock_close(s, NULL) == 0, &err);
    /* closed: a closed Python socket, each call needing the descriptor [Errno 9]
     * (pysock_closed.c has the rest) */
    RAISES(pysock_recv(s, &b, 1, 0, &err), &err, "OSError", EBADF);
    CHECK(strcmp(err.message, "[Errno 9] Bad file descriptor") == 0, &err);
    CHECK(pysock_fileno(s, &err) == -1 && err.cls[0] == '\0', &err); /* fileno() is -1 */
    RAISES(pysock_settimeout(s, 1.0, &err), &err, "OSError", EBADF);
    RAISES(pysock_accept(s, &(int64_t){0}, NULL, &err), &err, "OSError", EBADF);
    /* connect_ex answers with the errno, as CPython's does on a closed socket */
    CHECK(pysock_connect_ex(s, &(struct pysock_addr){.host = "127.0.0.1"}, &err) == EBADF, &err);
    /* never issued: 0, negative, beyond the last */
    RAISES(pysock_close(0, &err), &err, "OSError", EBADF);
    RAISES(pysock_close(-1, &err), &err, "OSError", EBADF);
    RAISES(pysock_close(s + 1000000, &err), &err, "OSError", EBADF);
    RAISES(pysock_send(INT64_MAX, "x", 1, 0, &err), &err, "OSError", EBADF);
    /* a new socket never gets an old handle */
    int64_t t;
    OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &t, &err), &err);
    CHECK(t > s, &err);
    OK(pysock_close(t, &err), &err);
}

/* broken_pipe writes to closed peers with SIGPIPE at its default action (death). */
static void broken_pipe(void)
{
    struct pysock_error err;
    int64_t p[2], l, c, a;
    struct pysock_addrbuf ln;
    static char big[1 << 16];

    CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR, &err);
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_close(p[1], &err), &err);
    RAISES(pysock_send(p[0], "x", 1, 0, &err), &err, "BrokenPipeError", EPIPE);
    RAISES(pysock_sendall(p[0], big, sizeof big, 0, &err), &err, "BrokenPipeError", EPIPE);
    OK(pysock_close(p[0], &err), &err);

    /* TCP: the peer closes; sending goes on until the kernel reports the reset. */
    OK(pysock_create_server(&(struct pysock_addr){.host = "127.0.0.1"}, AF_INET, 1, 0, &l, &err), &err);
    OK(pysock_getsockname(l, &ln, &err), &err);
    OK(pysock_create_connection(&(struct pysock_addr){.host = "127.0.0.1", .port = ln.port}, 5.0, NULL, &c, &err), &err);
    OK(pysock_accept(l, &a, NULL, &err), &err);
    OK(pysock_close(a, &err), &err);
    int i;
    for (i = 0; i < 1000; i++)
        if (pysock_sendall(c, big, sizeof big, 0, &err) == -1)
            break;
    CHECK(i < 1000, &err);
    CHECK(strcmp(err.cls, "BrokenPipeError") == 0 || strcmp(err.cls, "ConnectionResetError") == 0, &err);
    OK(pysock_close(c, &err), &err);
    OK(pysock_close(l, &err), &err);
}

/* The archive's panic seam: an export that panics in Go (see cmd/libpysock/errors.go). */
int pysock_go_selftest_panic(struct pysock_error *err);

/* records_and_panics checks the record itself. */
static void record_rules(void)
{
    struct pysock_error err;
    int64_t s, p[2];
    char line[1024];

    /* A Go panic becomes a SystemError (the archive's panic seam, not in pysock.h). */
    OK(pysock_socketpair(-1, -1, -1, p, &err), &err);
    RAISES(pysock_go_selftest_panic(&err), &err, "SystemError", NO_ERRNO);
    CHECK(strstr(err.message, "pysock_go_selftest_panic: Go panic: a deliberate panic") != NULL, &err);
    /* the library goes on working after it */
    CHECK(pysock_send(p[0], "ok", 2, 0, &err) == 2, &err);
    CHECK(pysock_recv(p[1], line, sizeof line, 0, &err) == 2, &err);
    OK(pysock_close(p[0], &err), &err);
    OK(pysock_close(p[1], &err), &err);

    /* NULL where the header says not NULL: a SystemError, not a crash */
    RAISES(pysock_socket(AF_INET, SOCK_STREAM, 0, NULL, &err), &err, "SystemError", NO_ERRNO);
    CHECK(strcmp(err.message, "pysock_socket: sock must not be NULL") == 0, &err);

    /* A NULL record: the status alone. */
    CHECK(pysock_socket(12345, SOCK_STREAM, 0, &s, NULL) == -1, &err);

    /* A successful call clears cls, and only cls. */
    strcpy(err.cls, "stale");
    strcpy(err.message, "kept");
    CHECK(pysock_getprotobyname("tcp", &err) == IPPROTO_TCP, &err);
    CHECK(err.cls[0] == '\0' && strcmp(err.message, "kept") == 0, &err);

    /* Truncation: CPython's message here is 682 bytes. */
    char host[601];
    memset(host, 'a', 600);
    host[600] = '\0';
    RAISES(pysock_create_server(&(struct pysock_addr){.host = host}, 0, PYSOCK_BACKLOG_DEFAULT, 0, &s, &err),
           &err, "OSError", EAI_NONAME);
    CHECK(err.truncated == 1 && strlen(err.message) == PYSOCK_MESSAGE_MAX - 1, &err);
    CHECK(strncmp(err.message, "[Errno -2] Name or service not known (while attempting to bind on address ('aaa", 79) == 0, &err);

    /* pysock_strerror: the traceback's last line, snprintf's contract */
    RAISES(pysock_getaddrinfo("vm", NULL, 0, 0, 0, AI_NUMERICHOST, &(struct pysock_addrinfo *){0}, &err),
           &err, "socket.gaierror", EAI_NONAME);
    const char *want = "socket.gaierror: [Errno -2] Name or service not known";
    CHECK(pysock_strerror(&err, line, sizeof line) == strlen(want) && strcmp(line, want) == 0, &err);
    CHECK(pysock_strerror(&err, NULL, 0) == strlen(want), &err);
    CHECK(pysock_strerror(&err, line, 8) == strlen(want) && strcmp(line, "socket.") == 0, &err);
    CHECK(pysock_strerror(&err, line, 1) == strlen(want) && line[0] == '\0', &err);
    RAISES(pysock_settimeout(INT64_MAX, 1.0, &err), &err, "OSError", EBADF);
    err.message[0] = '\0';
    CHECK(pysock_strerror(&err, line, sizeof line) == 7 && strcmp(line, "OSError") == 0, &err);
    err.cls[0] = '\0';
    CHECK(pysock_strerror(&err, line, sizeof line) == 0 && line[0] == '\0', &err);
    CHECK(pysock_strerror(NULL, line, sizeof line) == 0 && line[0] == '\0', &err);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "records") == 0) {
        records(atoi(argv[2]), atoi(argv[3]));
        return 0;
    }
    handles();
    broken_pipe();
    record_rules();
    printf("pysock_errors: ok\n");
    return 0;
}
