/*
 * pysock_threads.c - calls from many pthreads at once (threads the Go runtime did not
 * make): client threads that connect, echo and resolve while server threads accept on one
 * shared listener; closing the listener from main wakes the server threads blocked in
 * accept; closing a handle wakes a thread blocked in recv on it.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "testing.h"

enum { SERVERS = 4, CLIENTS = 8, ITERATIONS = 25, MSG = 1000 };

static int64_t listener;
static int port;

/* server accepts and echoes connections until the listener is closed under it. */
static void *server(void *arg)
{
    struct pysock_error err;
    char buf[4096];
    (void)arg;

    for (;;) {
        int64_t c;
        if (pysock_accept(listener, &c, NULL, &err) == -1) {
            /* woken by pysock_close(listener) in main */
            CHECK(strcmp(err.cls, "OSError") == 0 && err.errno_ == EBADF, &err);
            return NULL;
        }
        int64_t n;
        while ((n = pysock_recv(c, buf, sizeof buf, 0, &err)) > 0)
            OK(pysock_sendall(c, buf, (size_t)n, 0, &err), &err);
        OK(n, &err);
        OK(pysock_close(c, &err), &err);
    }
}

/* client connects, echoes and resolves ITERATIONS times. */
static void *client(void *arg)
{
    int id = (int)(intptr_t)arg;
    struct pysock_error err;
    unsigned char out[MSG], in[MSG];

    for (int i = 0; i < ITERATIONS; i++) {
        int64_t s;
        OK(pysock_create_connection(&(struct pysock_addr){.host = "127.0.0.1", .port = port}, 10.0,
                                    NULL, &s, &err), &err);
        memset(out, id * 31 + i, sizeof out);
        OK(pysock_sendall(s, out, sizeof out, 0, &err), &err);
        size_t got = 0;
        while (got < sizeof in) {
            int64_t n = pysock_recv(s, in + got, sizeof in - got, 0, &err);
            OK(n, &err);
            CHECK(n > 0, &err);
            got += (size_t)n;
        }
        CHECK(memcmp(in, out, sizeof in) == 0, &err);
        OK(pysock_close(s, &err), &err);
        OK(pysock_close(s, &err), &err);

        struct pysock_addrinfo *ai;
        int n = pysock_getaddrinfo("localhost", "http", AF_INET, SOCK_STREAM, 0, 0, &ai, &err);
        CHECK(n == 1 && ai[0].addr.port == 80 && strcmp(ai[0].addr.host, "127.0.0.1") == 0, &err);
        pysock_freeaddrinfo(ai);
        char addr[16];
        CHECK(pysock_gethostbyname("vm", addr, sizeof addr, &err) == 9 && strcmp(addr, "127.0.0.1") == 0, &err);
        struct pysock_nameinfo ni;
        OK(pysock_getnameinfo(&(struct pysock_addr){.host = "127.0.0.1", .port = 80}, NI_NUMERICHOST, &ni, &err), &err);
        CHECK(strcmp(ni.host, "127.0.0.1") == 0 && strcmp(ni.serv, "http") == 0, &err);
        RAISES(pysock_getaddrinfo("vm", NULL, 0, 0, 0, AI_NUMERICHOST, &ai, &err), &err, "socket.gaierror", EAI_NONAME);
        CHECK(ai == NULL, &err);
    }
    return NULL;
}

static int64_t blocked;

/* reader blocks in recv until main closes the handle. */
static void *reader(void *arg)
{
    struct pysock_error err;
    char b;
    (void)arg;
    RAISES(pysock_recv(blocked, &b, 1, 0, &err), &err, "OSError", EBADF);
    return NULL;
}

int main(void)
{
    struct pysock_error err;
    struct pysock_addrbuf name;
    pthread_t servers[SERVERS], clients[CLIENTS], r;

    OK(pysock_create_server(&(struct pysock_addr){.host = "127.0.0.1"}, AF_INET, 128, 0, &listener, &err), &err);
    OK(pysock_getsockname(listener, &name, &err), &err);
    port = name.port;
    for (int i = 0; i < SERVERS; i++)
        CHECK(pthread_create(&servers[i], NULL, server, NULL) == 0, &err);
    for (int i = 0; i < CLIENTS; i++)
        CHECK(pthread_create(&clients[i], NULL, client, (void *)(intptr_t)i) == 0, &err);
    for (int i = 0; i < CLIENTS; i++)
        CHECK(pthread_join(clients[i], NULL) == 0, &err);
    OK(pysock_close(listener, &err), &err);
    for (int i = 0; i < SERVERS; i++)
        CHECK(pthread_join(servers[i], NULL) == 0, &err);

    int64_t p[2];
    OK(pysock_socketpair(-1, -1, -1, p, &err), &err);
    blocked = p[0];
    CHECK(pthread_create(&r, NULL, reader, NULL) == 0, &err);
    nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    OK(pysock_close(p[0], &err), &err);
    CHECK(pthread_join(r, NULL) == 0, &err);
    OK(pysock_close(p[1], &err), &err);

    printf("pysock_threads: ok\n");
    return 0;
}
