/*
 * pysock.c - the C side of pysock.h: every function a C program calls is defined here.
 *
 * The functions that need no Go are written out: formatting an error record, and freeing
 * the result blocks (each one malloc(3) block, made by the Go side with C.malloc). Every
 * other one is generated from PYSOCK_CALLS (export.h): pysock_F checks that the process
 * may still enter the Go runtime and calls the Go export pysock_go_F.
 *
 * Fork: the Go runtime of a c-archive starts when the program is loaded, with threads of
 * its own, and fork(2) copies only the calling thread. In the child, the runtime's other
 * threads (the scheduler's, the garbage collector's workers, the network poller's waiters)
 * are gone, possibly with runtime locks held, so the first call that must wait, or that
 * allocates enough to need a collection, never returns. A pthread_atfork child handler,
 * registered when the program is loaded, marks the child; from then on every function
 * below fails at once with a RuntimeError record instead of entering Go (pysock.h, FORK).
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
