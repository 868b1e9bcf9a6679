/*
 * gai_async.c - the asynchronous getaddrinfo of libcsock.a from C: results equal to the
 * synchronous call's byte for byte, every request notified exactly once unless gai_cancel
 * removed it (then never), and a notify callback that frees its own request. Numeric
 * hosts and /etc/hosts names only: no query leaves the machine. Built plain, and with
 * -fsanitize=address,undefined by `make test`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "csock.h"

static int failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* One request of a batch: its handle and how often notify ran for it. */
typedef struct slot {
    csock_gai_req *req;
    atomic_int notified;
    int free_in_notify;
    sem_t *done;
} slot;

static void on_done(void *arg)
{
    slot *s = arg;
    atomic_fetch_add(&s->notified, 1);
    if (s->free_in_notify)
        CHECK(csock_gai_finish(s->req, NULL, 0, NULL, NULL) != EAI_CANCELED);
    sem_post(s->done);
}

/* Waits for n posts of sem, at most 20 seconds in all. Returns how many arrived. */
static int wait_posts(sem_t *sem, int n)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 20;
    int got = 0;
    while (got < n) {
        if (sem_timedwait(sem, &deadline) == 0)
            got++;
        else if (errno != EINTR)
            break;
    }
    return got;
}

struct query {
    const char *host, *serv;
    int family, socktype, flags;
};

static const struct query queries[] = {
    {"localhost", "80", AF_UNSPEC, 0, 0},
    {"localhost", "http", AF_INET, SOCK_STREAM, AI_CANONNAME},
    {"127.0.0.1", NULL, AF_UNSPEC, 0, 0},
    {"::1", "443", AF_INET6, SOCK_DGRAM, 0},
    {"fe80::1%lo", "80", AF_INET6, 0, AI_CANONNAME},
    {"::ffff:1.2.3.4", "80", AF_UNSPEC, 0, 0},
    {"127.1", "80", AF_INET, 0, AI_V4MAPPED},
    {NULL, "80", AF_UNSPEC, SOCK_STREAM, AI_PASSIVE},
    {"not-a-number", "80", AF_UNSPEC, 0, AI_NUMERICHOST},
    {"127.0.0.1", "no-such-service", AF_UNSPEC, 0, 0},
    {"127.0.0.1", "80", AF_UNSPEC, 0, 0x7fff0000},
    {"127.0.0.1", "80", 12345, 0, 0},
};

/* Runs one query asynchronously into buf (NULL: an allocated block). Returns its code. */
static int async_query(const struct query *q, void *buf, size_t buflen,
                       csock_addrinfo_list **out)
{
    sem_t done;
    sem_init(&done, 0, 0);
    slot s = {.done = &done};
    atomic_init(&s.notified, 0);
    int rc = csock_gai_start(q->host, q->serv, q->family, q->socktype, 0, q->flags, on_done,
                             &s, &s.req, NULL);
    if (rc == 0) {
        CHECK(wait_posts(&done, 1) == 1);
        csock_rstatus st;
        rc = csock_gai_finish(s.req, buf, buflen, out, &st);
        CHECK(st.syserr == 0 && st.h_errno_tls == CSOCK_HERRNO_UNSET);
    }
    sem_destroy(&done);
    return rc;
}

static void test_same_blocks(void)
{
    _Alignas(max_align_t) char mine[2][4096];
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const struct query *q = &queries[i];
        csock_addrinfo_list *sync, *async;
        int rs = csock_getaddrinfo(q->host, q->serv, q->family, q->socktype, 0, q->flags,
                                   NULL, 0, &sync, NULL);
        int ra = async_query(q, NULL, 0, &async);
        CHECK(rs == ra);
        if (rs != ra) {
            fprintf(stderr, "query %zu: sync %d, async %d\n", i, rs, ra);
            continue;
        }
        if (rs == 0) {
            CHECK(sync->size == async->size && memcmp(sync, async, sync->size) == 0);
            csock_free(sync);
            csock_free(async);
        }
        /* In the caller's buffers too. */
        memset(mine, 0xa5, sizeof mine[0]);
        memset(mine[1], 0x5a, sizeof mine[1]);
        rs = csock_getaddrinfo(q->host, q->serv, q->family, q->socktype, 0, q->flags,
                               mine[0], sizeof mine[0], &sync, NULL);
        ra = async_query(q, mine[1], sizeof mine[1], &async);
        CHECK(rs == ra);
        if (rs == 0) {
            CHECK((void *)sync == mine[0] && (void *)async == mine[1]);
            CHECK(sync->size == async->size && memcmp(sync, async, sync->size) == 0);
        }
    }
}

enum { BATCH = 256 };

/* Starts a batch and cancels every request at once: each is either cancelled (never
 * notified) or notified exactly once, and every request is finished exactly once. */
static void test_cancel_batch(int free_in_notify)
{
    static slot slots[BATCH];
    sem_t done;
    sem_init(&done, 0, 0);
    int started = 0, canceled = 0, notcanceled = 0, alldone = 0;
    for (int i = 0; i < BATCH; i++) {
        slots[i] = (slot){.done = &done, .free_in_notify = free_in_notify};
        atomic_init(&slots[i].notified, 0);
        int rc = csock_gai_start(i % 2 ? "localhost" : "127.0.0.1", "80", AF_UNSPEC,
                                 SOCK_STREAM, 0, 0, on_done, &slots[i], &slots[i].req, NULL);
        CHECK(rc == 0);
        if (rc == 0)
            started++;
    }
    int canceled_slot[BATCH] = {0};
    for (int i = 0; i < started; i++) {
        if (free_in_notify)
            break; /* the callback frees: cancelling could race with it */
        switch (csock_gai_cancel(slots[i].req)) {
        case EAI_CANCELED:
            canceled++;
            canceled_slot[i] = 1;
            break;
        case EAI_NOTCANCELED:
            notcanceled++;
            break;
        case EAI_ALLDONE:
            alldone++;
            break;
        default:
            CHECK(!"gai_cancel returned something else");
        }
    }
    CHECK(wait_posts(&done, started - canceled) == started - canceled);
    /* Nothing more may arrive: give a late duplicate a moment to show itself. */
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    CHECK(sem_trywait(&done) == -1 && errno == EAGAIN);
    for (int i = 0; i < started; i++) {
        CHECK(atomic_load(&slots[i].notified) == (canceled_slot[i] ? 0 : 1));
        if (free_in_notify)
            continue;
        csock_addrinfo_list *list;
        int rc = csock_gai_finish(slots[i].req, NULL, 0, &list, NULL);
        CHECK(canceled_slot[i] ? rc == EAI_CANCELED : rc == 0);
        if (rc == 0) {
            CHECK(list->count > 0);
            csock_free(list);
        }
    }
    sem_destroy(&done);
    if (!free_in_notify)
        printf("cancel batch of %d: %d canceled, %d not canceled, %d all done\n", started,
               canceled, notcanceled, alldone);
}

int main(void)
{
    test_same_blocks();
    test_cancel_batch(0);
    test_cancel_batch(1);
    if (failures != 0) {
        fprintf(stderr, "gai_async: %d checks failed\n", failures);
        return 1;
    }
    printf("gai_async: ok\n");
    return 0;
}
