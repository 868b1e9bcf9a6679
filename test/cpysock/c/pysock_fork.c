/*
 * pysock_fork.c - a child made by fork() after the library was loaded (pysock.h, FORK):
 * every call fails at once with the RuntimeError record that says why, calls that would
 * wait forever in Go (a receive on a silent socket, a lookup) included; the functions
 * that never enter Go still work there; the parent goes on using the library. The child
 * gets 10 seconds, then it is killed and the test fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testing.h"

static const char *const limitation =
    "libpysock cannot be used in a child process made by fork() without exec: the Go runtime "
    "it runs on does not survive fork";

static int child_failures;

/* In the child: r must be -1 and *err the fork record of function fn. */
static void forked_call(const char *fn, int64_t r, const struct pysock_error *err)
{
    char want[PYSOCK_MESSAGE_MAX];
    snprintf(want, sizeof want, "%s: %s", fn, limitation);
    if (r != -1 || strcmp(err->cls, "RuntimeError") != 0 || err->has_errno != 0 ||
        strcmp(err->message, want) != 0 || err->truncated != 0) {
        fprintf(stderr, "child: %s returned %lld with %s: %s\n", fn, (long long)r, err->cls,
                err->message);
        child_failures++;
    }
}

#define FORKED(fn, call) forked_call(#fn, (call), &err)

/* Everything the child tries; its exit status is the number of failures. */
static int child(int64_t quiet, int64_t listener)
{
    struct pysock_error err;
    struct pysock_addrinfo *ai = NULL;
    char buf[64];
    int64_t h = 0, f = 0;
    double t = 0;

    FORKED(pysock_recv, pysock_recv(quiet, buf, sizeof buf, 0, &err)); /* Go would wait */
    FORKED(pysock_accept, pysock_accept(listener, &h, NULL, &err));
    FORKED(pysock_getaddrinfo, pysock_getaddrinfo("localhost", "80", 0, 0, 0, 0, &ai, &err));
    CHECK(ai == NULL, &err);
    FORKED(pysock_socket, pysock_socket(AF_INET, SOCK_STREAM, 0, &h, &err));
    FORKED(pysock_send, pysock_send(quiet, "x", 1, 0, &err));
    FORKED(pysock_gettimeout, pysock_gettimeout(quiet, &t, &err));
    FORKED(pysock_makefile, pysock_makefile(quiet, "rb", NULL, &f, &err));
    FORKED(pysock_htonl, pysock_htonl(1, &err));
    FORKED(pysock_has_dualstack_ipv6, pysock_has_dualstack_ipv6(&err));
    struct pysock_cmsg *anc = (struct pysock_cmsg *)buf;
    size_t nanc = 5;
    FORKED(pysock_recvmsg, pysock_recvmsg(quiet, buf, sizeof buf, 64, 0, &anc, &nanc, NULL, NULL, &err));
    CHECK(nanc == 5, &err); /* not entered: the out-parameters are left alone */
    FORKED(pysock_sendfile, pysock_sendfile(quiet, 0, 0, PYSOCK_COUNT_NONE, &err)); /* the guarded kind */
    FORKED(pysock_close, pysock_close(quiet, &err));
    CHECK(pysock_close(quiet, NULL) == -1, &err); /* without a record: the status alone */
    if (!isnan(pysock_getdefaulttimeout())) {
        fprintf(stderr, "child: pysock_getdefaulttimeout is not a NaN\n");
        child_failures++;
    }
    /* the plain C functions work: pysock_strerror prints the record */
    char line[PYSOCK_CLS_MAX + PYSOCK_MESSAGE_MAX];
    pysock_strerror(&err, line, sizeof line);
    if (strncmp(line, "RuntimeError: pysock_close: libpysock cannot", 44) != 0) {
        fprintf(stderr, "child: pysock_strerror: %s\n", line);
        child_failures++;
    }
    pysock_freeaddrinfo(NULL);
    return child_failures;
}

/* Waits up to 10 s for pid; kills it after that. Returns its wait status, or -1. */
static int wait_bounded(pid_t pid)
{
    int status;
    for (int i = 0; i < 1000; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

int main(void)
{
    struct pysock_error err;
    int64_t p[2], l;
    char buf[8];

    /* The runtime is up and has been used: sockets, a timeout, a lookup. */
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_create_server(&(struct pysock_addr){.host = "127.0.0.1"}, AF_INET,
                            PYSOCK_BACKLOG_DEFAULT, 0, &l, &err),
       &err);
    OK(pysock_settimeout(p[1], 5.0, &err), &err);
    struct pysock_addrinfo *ai;
    OK(pysock_getaddrinfo("127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, 0, &ai, &err), &err);
    pysock_freeaddrinfo(ai);

    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, &err);
    if (pid == 0)
        _exit(child(p[0], l));
    int status = wait_bounded(pid);
    CHECK(status != -1, &err); /* the child did not hang */
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, &err);

    /* The parent is unaffected: its sockets and the resolver work. */
    CHECK(pysock_send(p[1], "after", 5, 0, &err) == 5, &err);
    CHECK(pysock_recv(p[0], buf, sizeof buf, 0, &err) == 5 && memcmp(buf, "after", 5) == 0, &err);
    OK(pysock_getaddrinfo("127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, 0, &ai, &err), &err);
    pysock_freeaddrinfo(ai);
    CHECK(!isnan(pysock_getdefaulttimeout()), &err);
    OK(pysock_close(p[0], &err), &err);
    OK(pysock_close(p[1], &err), &err);
    OK(pysock_close(l, &err), &err);
    printf("pysock_fork: ok\n");
    return 0;
}
