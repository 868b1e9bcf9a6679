/*
 * pysock_echo.c - an echo server and its clients over loopback TCP (create_server,
 * create_connection), over AF_UNIX (a filesystem path and an abstract name), and a UDP
 * round trip, each server in a pthread of its own; then the socket options, timeouts and
 * address calls on those sockets.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testing.h"

enum { CLIENTS = 4, ROUNDS = 20, CHUNK = 70000 };

/* serve echoes every connection of the listening handle *arg, CLIENTS of them, one after
 * the other, until each peer shuts down its sending half. */
static void *serve(void *arg)
{
    int64_t listener = *(int64_t *)arg;
    struct pysock_error err;
    static char buf[8192];

    for (int c = 0; c < CLIENTS; c++) {
        int64_t conn;
        struct pysock_addrbuf peer;
        OK(pysock_accept(listener, &conn, &peer, &err), &err);
        /* Nagle's algorithm against the peer's delayed ACK would cost 40 ms a round. */
        if (peer.family == AF_INET)
            OK(pysock_setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, 1, &err), &err);
        for (;;) {
            int64_t n = pysock_recv(conn, buf, sizeof buf, 0, &err);
            OK(n, &err);
            if (n == 0)
                break;
            OK(pysock_sendall(conn, buf, (size_t)n, 0, &err), &err);
        }
        OK(pysock_close(conn, &err), &err);
    }
    return NULL;
}

/* echo sends ROUNDS chunks through the connected handle s and checks each comes back. */
static void echo(int64_t s)
{
    struct pysock_error err;
    static unsigned char out[CHUNK], in[CHUNK];

    for (int r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < sizeof out; i++)
            out[i] = (unsigned char)(i * 7 + (size_t)r);
        OK(pysock_sendall(s, out, sizeof out, 0, &err), &err);
        size_t got = 0;
        while (got < sizeof in) {
            int64_t n = pysock_recv_into(s, in + got, sizeof in - got, 0, 0, &err);
            OK(n, &err);
            CHECK(n > 0, &err);
            got += (size_t)n;
        }
        CHECK(memcmp(in, out, sizeof in) == 0, &err);
    }
    OK(pysock_shutdown(s, SHUT_WR, &err), &err);
    char b;
    CHECK(pysock_recv(s, &b, 1, 0, &err) == 0, &err);
}

static void tcp(void)
{
    struct pysock_error err;
    int64_t listener;
    struct pysock_addrbuf name;
    pthread_t server;

    OK(pysock_create_server(&(struct pysock_addr){.host = "127.0.0.1"}, AF_INET,
                            PYSOCK_BACKLOG_DEFAULT, 0, &listener, &err), &err);
    OK(pysock_getsockname(listener, &name, &err), &err);
    CHECK(name.family == AF_INET && strcmp(name.host, "127.0.0.1") == 0 && name.port > 0, &err);
    CHECK(pthread_create(&server, NULL, serve, &listener) == 0, &err);

    for (int c = 0; c < CLIENTS; c++) {
        int64_t s;
        struct pysock_addrbuf peer, me;
        /* by name, through getaddrinfo, with a timeout, or the module default */
        OK(pysock_create_connection(&(struct pysock_addr){.host = "localhost", .port = name.port},
                                    c % 2 ? 5.0 : PYSOCK_TIMEOUT_DEFAULT, NULL, &s, &err), &err);
        OK(pysock_getpeername(s, &peer, &err), &err);
        CHECK(peer.port == name.port && strcmp(peer.host, "127.0.0.1") == 0, &err);
        OK(pysock_getsockname(s, &me, &err), &err);
        CHECK(me.family == AF_INET && me.port != name.port, &err);
        double t;
        OK(pysock_gettimeout(s, &t, &err), &err);
        CHECK(c % 2 ? t == 5.0 : t == PYSOCK_TIMEOUT_NONE, &err);
        int family, type, proto;
        OK(pysock_sockinfo(s, &family, &type, &proto, &err), &err);
        CHECK(family == AF_INET && type == SOCK_STREAM && proto == IPPROTO_TCP, &err);
        int nodelay;
        OK(pysock_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, 1, &err), &err);
        OK(pysock_getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &nodelay, &err), &err);
        CHECK(nodelay == 1, &err);
        int fd = pysock_fileno(s, &err);
        CHECK(fd > 2, &err);
        echo(s);
        OK(pysock_close(s, &err), &err);
    }
    CHECK(pthread_join(server, NULL) == 0, &err);
    OK(pysock_close(listener, &err), &err);
}

static void unix_stream(const char *path, size_t len)
{
    struct pysock_error err;
    int64_t listener;
    pthread_t server;
    struct pysock_addr addr = {.host = path, .host_len = len};
    struct pysock_addrbuf name;

    OK(pysock_socket(AF_UNIX, SOCK_STREAM, 0, &listener, &err), &err);
    OK(pysock_bind(listener, &addr, &err), &err);
    OK(pysock_listen(listener, 8, &err), &err);
    OK(pysock_getsockname(listener, &name, &err), &err);
    CHECK(name.family == AF_UNIX && name.host_len == (len ? len : strlen(path)), &err);
    CHECK(memcmp(name.host, path, name.host_len) == 0, &err);
    CHECK(pthread_create(&server, NULL, serve, &listener) == 0, &err);
    for (int c = 0; c < CLIENTS; c++) {
        int64_t s;
        OK(pysock_socket(AF_UNIX, SOCK_STREAM, 0, &s, &err), &err);
        OK(pysock_connect(s, &addr, &err), &err);
        echo(s);
        OK(pysock_close(s, &err), &err);
    }
    CHECK(pthread_join(server, NULL) == 0, &err);
    OK(pysock_close(listener, &err), &err);
}

static void udp(void)
{
    struct pysock_error err;
    int64_t a, b;
    struct pysock_addrbuf an, from;
    char buf[64];

    OK(pysock_socket(AF_INET, SOCK_DGRAM, -1, &a, &err), &err);
    OK(pysock_socket(AF_INET, SOCK_DGRAM, -1, &b, &err), &err);
    OK(pysock_bind(a, &(struct pysock_addr){.host = "127.0.0.1"}, &err), &err);
    OK(pysock_getsockname(a, &an, &err), &err);
    CHECK(pysock_sendto(b, "ping", 4, 0, &(struct pysock_addr){.host = "vm", .port = an.port},
                        &err) == 4, &err);
    CHECK(pysock_recvfrom(a, buf, sizeof buf, 0, &from, &err) == 4, &err);
    CHECK(memcmp(buf, "ping", 4) == 0 && from.family == AF_INET, &err);
    CHECK(strcmp(from.host, "127.0.0.1") == 0 && from.port > 0, &err);
    OK(pysock_connect(b, &(struct pysock_addr){.host = "127.0.0.1", .port = an.port}, &err), &err);
    CHECK(pysock_send(b, "pong", 4, 0, &err) == 4, &err);
    CHECK(pysock_recv(a, buf, sizeof buf, 0, &err) == 4, &err);
    OK(pysock_close(a, &err), &err);
    OK(pysock_close(b, &err), &err);
}

static void modes(void)
{
    struct pysock_error err;
    int64_t p[2];
    char buf[8];
    double t;

    OK(pysock_socketpair(-1, -1, -1, p, &err), &err);
    CHECK(pysock_getblocking(p[0], &err) == 1, &err);
    OK(pysock_settimeout(p[0], 0.05, &err), &err);
    RAISES(pysock_recv(p[0], buf, sizeof buf, 0, &err), &err, "TimeoutError", NO_ERRNO);
    CHECK(strcmp(err.message, "timed out") == 0, &err);
    OK(pysock_setblocking(p[0], 0, &err), &err);
    CHECK(pysock_getblocking(p[0], &err) == 0, &err);
    OK(pysock_gettimeout(p[0], &t, &err), &err);
    CHECK(t == 0.0, &err);
    RAISES(pysock_recv(p[0], buf, sizeof buf, 0, &err), &err, "BlockingIOError", EAGAIN);
    CHECK(strcmp(err.message, "[Errno 11] Resource temporarily unavailable") == 0, &err);
    RAISES(pysock_settimeout(p[0], -0.5, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "Timeout value out of range") == 0, &err);
    OK(pysock_settimeout(p[0], PYSOCK_TIMEOUT_NONE, &err), &err);
    OK(pysock_gettimeout(p[0], &t, &err), &err);
    CHECK(t == PYSOCK_TIMEOUT_NONE, &err);
    /* recv_into's nbytes, and recv(0) */
    CHECK(pysock_send(p[1], "abcdef", 6, 0, &err) == 6, &err);
    CHECK(pysock_recv(p[0], buf, 0, 0, &err) == 0, &err);
    RAISES(pysock_recv_into(p[0], buf, 2, 3, 0, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "buffer too small for requested bytes") == 0, &err);
    CHECK(pysock_recv_into(p[0], buf, sizeof buf, 2, 0, &err) == 2, &err);
    CHECK(pysock_recv(p[0], buf + 2, sizeof buf - 2, MSG_PEEK, &err) == 4, &err);
    CHECK(pysock_recv(p[0], buf + 2, sizeof buf - 2, 0, &err) == 4, &err);
    CHECK(memcmp(buf, "abcdef", 6) == 0, &err);
    /* the module default timeout */
    CHECK(pysock_getdefaulttimeout() == PYSOCK_TIMEOUT_NONE, &err);
    OK(pysock_setdefaulttimeout(2.5, &err), &err);
    CHECK(pysock_getdefaulttimeout() == 2.5, &err);
    int64_t s;
    OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &s, &err), &err);
    OK(pysock_gettimeout(s, &t, &err), &err);
    CHECK(t == 2.5, &err);
    OK(pysock_setdefaulttimeout(PYSOCK_TIMEOUT_NONE, &err), &err);
    /* connect_ex: refused is an errno, not an error */
    int64_t l;
    struct pysock_addrbuf ln;
    OK(pysock_socket(AF_INET, SOCK_STREAM, 0, &l, &err), &err);
    OK(pysock_bind(l, &(struct pysock_addr){.host = "127.0.0.1"}, &err), &err);
    OK(pysock_getsockname(l, &ln, &err), &err);
    OK(pysock_close(l, &err), &err);
    CHECK(pysock_connect_ex(s, &(struct pysock_addr){.host = "127.0.0.1", .port = ln.port}, &err)
              == ECONNREFUSED && err.cls[0] == '\0', &err);
    OK(pysock_close(s, &err), &err);
    OK(pysock_close(p[0], &err), &err);
    OK(pysock_close(p[1], &err), &err);
}

int main(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/pysock_echo_%ld.sock", (long)getpid());
    unlink(path);

    tcp();
    unix_stream(path, 0);
    unlink(path);
    /* An abstract name of this process's own, so that concurrent runs never collide. */
    char abstract[64];
    int n = snprintf(abstract, sizeof abstract, "%cpysock_echo_abstract_%ld", 0, (long)getpid());
    unix_stream(abstract, (size_t)n);
    udp();
    modes();
    printf("pysock_echo: ok\n");
    return 0;
}
