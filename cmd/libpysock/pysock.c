/*
 * pysock.c - the C side of pysock.h: every function a C program calls is defined here.
 *
 * The functions that need no Go are written out: formatting an error record, and freeing
 * the result blocks (each one malloc(3) block, made by the Go side with C.malloc). Every
 * other one is generated from PYSOCK_CALLS and PYSOCK_SIGPIPE_CALLS (export.h): pysock_F
 * checks that the process may still enter the Go runtime and calls the Go export
 * pysock_go_F (for the second list, with SIGPIPE blocked around the call).
 *
 * Fork: the Go runtime of a c-archive starts when the program is loaded, with threads of
 * its own, and fork(2) copies only the calling thread. In the child, the runtime's other
 * threads (the scheduler's, the garbage collector's workers, the network poller's waiters)
 * are gone, possibly with runtime locks held, so the first call that must wait, or that
 * allocates enough to need a collection, never returns. A pthread_atfork child handler,
 * registered when the program is loaded, marks the child; from then on every function
 * below fails at once with a RuntimeError record instead of entering Go (pysock.h, FORK).
 *
 * SIGPIPE: the functions of PYSOCK_SIGPIPE_CALLS make system calls that raise SIGPIPE when
 * the peer has gone (sendfile(2) takes no MSG_NOSIGNAL). The kernel sends that SIGPIPE to
 * the thread that made the call, and every system call of a call into Go runs on the
 * calling thread: runtime.cgocallbackg locks the goroutine of a call from C to the calling
 * thread's M until it returns, so the attempts made after a wait on the runtime's poller
 * run there too. So blocking SIGPIPE in the calling thread around the call keeps it from
 * the program's handler (or SIG_DFL); a SIGPIPE it made pending is then taken away with
 * sigtimedwait before the mask is restored (as libcurl does). The Go runtime keeps the
 * caller's mask: a c-archive treats every signal but the few it needs unblocked (SIGSEGV,
 * SIGBUS, SIGFPE, its preemption signal) as blockable (runtime.blockableSig), so the M it
 * gives the thread (runtime.needm, minitSignalMask) starts from the thread's own mask.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"

/* Set in the child of every fork(2) of the process (never in the parent), never cleared:
 * written only by the one thread a child starts with, before it can call anything. */
static volatile sig_atomic_t forked;

static void mark_forked_child(void)
{
    forked = 1;
}

/* Runs when the program is loaded, before main, as the Go runtime's own start does. If
 * pthread_atfork fails (out of memory at load), forks go undetected, as before. */
__attribute__((constructor)) static void register_fork_handler(void)
{
    (void)pthread_atfork(NULL, NULL, mark_forked_child);
}

/* The record of any call made in a forked child: fn names the function. */
static int fork_failure(const char *fn, struct pysock_error *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof *err);
        snprintf(err->cls, sizeof err->cls, "RuntimeError");
        snprintf(err->message, sizeof err->message,
                 "%s: libpysock cannot be used in a child process made by fork() without "
                 "exec: the Go runtime it runs on does not survive fork",
                 fn);
    }
    return -1;
}

#define PYSOCK_DEFINE(type, name, params, args)                                            \
    type pysock_##name params                                                              \
    {                                                                                      \
        if (forked)                                                                        \
            return (type)fork_failure("pysock_" #name, err);                               \
        return pysock_go_##name args;                                                      \
    }
PYSOCK_CALLS(PYSOCK_DEFINE)

/* sigpipe_guard is the state sigpipe_block saves for sigpipe_restore. */
struct sigpipe_guard {
    sigset_t old;    /* the thread's signal mask before the call */
    int blocked;     /* pthread_sigmask succeeded (it fails only for a bad argument) */
    int was_pending; /* SIGPIPE was pending (blocked by the program) before the call */
};

static void sigpipe_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGPIPE);
}

/* sigpipe_block blocks SIGPIPE in the calling thread and notes whether one was pending. */
static void sigpipe_block(struct sigpipe_guard *g)
{
    sigset_t set, pending;
    sigpipe_set(&set);
    g->blocked = pthread_sigmask(SIG_BLOCK, &set, &g->old) == 0;
    g->was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

/* sigpipe_restore takes away a SIGPIPE that became pending since sigpipe_block, and
 * restores the thread's signal mask; errno is left as it was. */
static void sigpipe_restore(struct sigpipe_guard *g)
{
    static const struct timespec zero = {0, 0};
    sigset_t set, pending;
    int saved = errno;

    if (!g->blocked)
        return;
    sigpipe_set(&set);
    if (!g->was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
        while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
    errno = saved;
}

#define PYSOCK_DEFINE_NOSIGPIPE(type, name, params, args)                                  \
    type pysock_##name params                                                              \
    {                                                                                      \
        struct sigpipe_guard g;                                                            \
        type r;                                                                            \
        if (forked)                                                                        \
            return (type)fork_failure("pysock_" #name, err);                               \
        sigpipe_block(&g);                                                                 \
        r = pysock_go_##name args;                                                         \
        sigpipe_restore(&g);                                                               \
        return r;                                                                          \
    }
PYSOCK_SIGPIPE_CALLS(PYSOCK_DEFINE_NOSIGPIPE)

double pysock_getdefaulttimeout(void)
{
    if (forked)
        return NAN;
    return pysock_go_getdefaulttimeout();
}

size_t pysock_strerror(const struct pysock_error *err, char *buf, size_t len)
{
    const char *parts[3] = {"", "", ""};
    size_t need = 0, at = 0;

    if (err != NULL && err->cls[0] != '\0') {
        parts[0] = err->cls;
        if (err->message[0] != '\0') {
            parts[1] = ": ";
            parts[2] = err->message;
        }
    }
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(parts[i]);
        need += n;
        if (len > 0 && at < len - 1) {
            size_t room = len - 1 - at;
            size_t k = n < room ? n : room;
            memcpy(buf + at, parts[i], k);
            at += k;
        }
    }
    if (len > 0)
        buf[at] = '\0';
    return need;
}

void pysock_freeaddrinfo(struct pysock_addrinfo *res)
{
    free(res);
}

void pysock_freehostent(struct pysock_hostent *h)
{
    free(h);
}

void pysock_if_freenameindex(struct pysock_if_nameindex *list)
{
    free(list);
}

void pysock_freeancdata(struct pysock_cmsg *ancdata)
{
    free(ancdata);
}
