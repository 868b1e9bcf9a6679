/*
 * pysock_sendfile.c - pysock_sendfile: socket.sendfile for a file descriptor the caller
 * keeps, and SIGPIPE (pysock.h, SIGNALS).
 *
 * With no arguments it checks: the results and the file position; that the caller's
 * descriptor stays open and its own (a thousand calls leave no descriptor behind); the
 * errors, in CPython's order; and that a peer going away in the middle of a transfer is
 * BrokenPipeError and never a SIGPIPE, on the main thread and on a thread of the
 * program's, with the program's own SIGPIPE handler installed (which must see nothing),
 * that the thread's signal mask is as it was, and that a SIGPIPE the program had pending
 * stays pending. Then it runs itself (posix_spawn) as "child <disposition> <guarded|
 * unguarded>" for each SIGPIPE disposition, to show what the guard is for: with SIG_DFL,
 * the unguarded Go export kills the child with SIGPIPE; the guarded call never does.
 * It prints "pysock_sendfile: ok".
 *
 * With "records" it prints one line per call of the table in records(), compared with
 * python3's answers by test/cpysock (records14c_test.go).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "testing.h"

/* The Go export behind pysock_sendfile, without the SIGPIPE guard (internal: export.h). */
int64_t pysock_go_sendfile(int64_t sock, int fd, int64_t offset, int64_t count,
                           struct pysock_error *err);

extern char **environ;

static struct pysock_error err;

/* SIGPIPEs the program's handler saw. */
static volatile sig_atomic_t sigpipes;

static void count_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static void install(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGPIPE, &sa, NULL) == 0, &err);
}

/* temp_file returns a descriptor of a new unlinked file holding n bytes: i % 251. */
static int temp_file(size_t n)
{
    char path[] = "/tmp/pysock_sendfileXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, &err);
    unlink(path);
    unsigned char chunk[4096];
    for (size_t at = 0; at < n;) {
        size_t k = n - at < sizeof chunk ? n - at : sizeof chunk;
        for (size_t i = 0; i < k; i++)
            chunk[i] = (unsigned char)((at + i) % 251);
        CHECK(write(fd, chunk, k) == (ssize_t)k, &err);
        at += k;
    }
    CHECK(lseek(fd, 0, SEEK_SET) == 0, &err);
    return fd;
}

static int64_t position(int fd)
{
    return (int64_t)lseek(fd, 0, SEEK_CUR);
}

/* open_fds counts the process's open descriptors. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    CHECK(d != NULL, &err);
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

/* The peer of a broken transfer: reads `want` bytes, then closes its socket. */
struct peer {
    int64_t sock;
    size_t want;
};

static void *read_then_close(void *arg)
{
    struct peer *p = arg;
    struct pysock_error e;
    char buf[16384];
    size_t got = 0;
    while (got < p->want) {
        int64_t n = pysock_recv(p->sock, buf, sizeof buf, 0, &e);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    pysock_close(p->sock, &e);
    return NULL;
}

/* The size of the file of a broken transfer: far more than a socket buffer holds. */
#define BIG ((size_t)4 << 20)

/* broken_transfer_on is broken_transfer on the socketpair p, made by the caller. */
static int64_t broken_transfer_on(int64_t p[2], int guarded, struct pysock_error *e, int64_t *pos)
{
    pthread_t t;
    int fd = temp_file(BIG);
    struct peer peer = {p[1], 65536};
    CHECK(pthread_create(&t, NULL, read_then_close, &peer) == 0, e);
    int64_t r = guarded ? pysock_sendfile(p[0], fd, 0, PYSOCK_COUNT_NONE, e)
                        : pysock_go_sendfile(p[0], fd, 0, PYSOCK_COUNT_NONE, e);
    CHECK(pthread_join(t, NULL) == 0, e);
    *pos = position(fd);
    struct pysock_error ignored;
    pysock_close(p[0], &ignored);
    close(fd);
    return r;
}

/*
 * broken_transfer sends a 4 MiB file over a socketpair whose peer reads 64 KiB and closes,
 * so the call waits on the poller with bytes sent, and its next sendfile(2) after the
 * wait meets the closed peer: EPIPE and a SIGPIPE. guarded: through pysock_sendfile, else
 * the Go export directly. Returns the call's result; *pos the file position after it.
 */
static int64_t broken_transfer(int guarded, struct pysock_error *e, int64_t *pos)
{
    int64_t p[2];
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, e), e);
    return broken_transfer_on(p, guarded, e, pos);
}

/* sigpipe_blocked reports whether the calling thread blocks SIGPIPE. */
static int sigpipe_blocked(void)
{
    sigset_t cur;
    CHECK(pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0, &err);
    return sigismember(&cur, SIGPIPE) == 1;
}

static int sigpipe_pending(void)
{
    sigset_t pend;
    CHECK(sigpending(&pend) == 0, &err);
    return sigismember(&pend, SIGPIPE) == 1;
}

/* check_broken: a guarded broken transfer fails with BrokenPipeError after sending part
 * of the file, the handler sees nothing, the thread's mask and pending set are unchanged. */
static void check_broken(void)
{
    struct pysock_error e;
    int64_t pos;
    int blocked = sigpipe_blocked();
    sig_atomic_t before = sigpipes;
    RAISES(broken_transfer(1, &e, &pos), &e, "BrokenPipeError", 32);
    CHECK(strcmp(e.message, "[Errno 32] Broken pipe") == 0, &e);
    CHECK(pos > 0 && (size_t)pos < BIG, &e); /* offset + the bytes sent, as Python leaves it */
    CHECK(sigpipes == before, &e);
    CHECK(sigpipe_blocked() == blocked, &e);
    CHECK(!sigpipe_pending(), &e);
}

static void *check_broken_thread(void *arg)
{
    (void)arg;
    check_broken();
    return NULL;
}

/* A thread whose first call into the library is pysock_sendfile: the Go runtime gives
 * the thread its M while SIGPIPE is blocked (runtime.needm saves that mask). */
static void *first_call_thread(void *arg)
{
    int64_t *p = arg;
    struct pysock_error e;
    int64_t pos;
    RAISES(broken_transfer_on(p, 1, &e, &pos), &e, "BrokenPipeError", 32);
    CHECK(!sigpipe_blocked() && !sigpipe_pending() && sigpipes == 0, &e);
    /* and the thread's later calls go on as before */
    int64_t q[2];
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, q, &e), &e);
    OK(pysock_close(q[0], &e), &e);
    OK(pysock_close(q[1], &e), &e);
    CHECK(!sigpipe_blocked(), &e);
    return NULL;
}

/* conventions: everything but the SIGPIPE children. */
static void conventions(void)
{
    int64_t p[2], u;
    char buf[64];
    int fd = temp_file(10); /* 00 01 02 ... 09 */

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);

    /* count bytes from offset; the position is offset + count; fd stays open, cloexec as it was */
    int fdflags = fcntl(fd, F_GETFD);
    CHECK(pysock_sendfile(p[0], fd, 2, 5, &err) == 5 && err.cls[0] == '\0', &err);
    CHECK(pysock_recv(p[1], buf, sizeof buf, 0, &err) == 5 && memcmp(buf, "\2\3\4\5\6", 5) == 0, &err);
    CHECK(position(fd) == 7 && fcntl(fd, F_GETFD) == fdflags, &err);
    /* to the end of the file */
    CHECK(pysock_sendfile(p[0], fd, 0, PYSOCK_COUNT_NONE, &err) == 10, &err);
    CHECK(pysock_recv(p[1], buf, 10, MSG_WAITALL, &err) == 10 && buf[9] == 9, &err);
    CHECK(position(fd) == 10, &err);
    /* beyond the end: nothing, and the position is not moved */
    CHECK(lseek(fd, 3, SEEK_SET) == 3, &err);
    CHECK(pysock_sendfile(p[0], fd, 100, PYSOCK_COUNT_NONE, &err) == 0 && position(fd) == 3, &err);

    /* a thousand calls: no descriptor left behind, fd still the caller's */
    int nfds = open_fds();
    for (int i = 0; i < 1000; i++) {
        CHECK(pysock_sendfile(p[0], fd, i % 10, 1, &err) == 1, &err);
        CHECK(pysock_recv(p[1], buf, 1, 0, &err) == 1 && buf[0] == i % 10, &err);
    }
    CHECK(open_fds() == nfds, &err);
    CHECK(fcntl(fd, F_GETFD) == fdflags && position(fd) == 10, &err);

    /* errors, in CPython's order: socket type, count, non-blocking mode, then the file */
    RAISES(pysock_sendfile(p[0], fd, 0, 0, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "count must be a positive integer (got 0)") == 0, &err);
    RAISES(pysock_sendfile(p[0], fd, 0, -5, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "count must be a positive integer (got -5)") == 0, &err);
    RAISES(pysock_sendfile(p[0], -1, 0, PYSOCK_COUNT_NONE, &err), &err, "OSError", 9);
    RAISES(pysock_sendfile(p[0], -1, 0, 0, &err), &err, "ValueError", NO_ERRNO);
    OK(pysock_setblocking(p[0], 0, &err), &err);
    RAISES(pysock_sendfile(p[0], fd, 0, PYSOCK_COUNT_NONE, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "non-blocking sockets are not supported") == 0, &err);
    RAISES(pysock_sendfile(p[0], -1, 0, PYSOCK_COUNT_NONE, &err), &err, "ValueError", NO_ERRNO);
    OK(pysock_setblocking(p[0], 1, &err), &err);
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &u, &err), &err);
    RAISES(pysock_sendfile(u, fd, 0, PYSOCK_COUNT_NONE, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "only SOCK_STREAM type sockets are supported") == 0, &err);
    OK(pysock_close(u, &err), &err);
    /* closed, it is still a datagram socket, CPython's first check */
    RAISES(pysock_sendfile(u, fd, 0, PYSOCK_COUNT_NONE, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "only SOCK_STREAM type sockets are supported") == 0, &err);
    /* a pipe: fstat's size is 0, nothing is sent */
    int pfd[2];
    CHECK(pipe(pfd) == 0 && write(pfd[1], "abc", 3) == 3, &err);
    CHECK(pysock_sendfile(p[0], pfd[0], 0, PYSOCK_COUNT_NONE, &err) == 0, &err);
    close(pfd[0]);
    close(pfd[1]);
    OK(pysock_close(p[0], &err), &err);
    OK(pysock_close(p[1], &err), &err);
    close(fd);

    /* SIGPIPE: the program's own handler, which must see nothing */
    install(count_sigpipe);
    check_broken();
    pthread_t t;
    CHECK(pthread_create(&t, NULL, check_broken_thread, NULL) == 0, &err);
    CHECK(pthread_join(t, NULL) == 0, &err);
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    CHECK(pthread_create(&t, NULL, first_call_thread, p) == 0, &err);
    CHECK(pthread_join(t, NULL) == 0, &err);
    /* the program blocks SIGPIPE: the call's own is not left pending for it ... */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    CHECK(pthread_sigmask(SIG_BLOCK, &set, &old) == 0, &err);
    check_broken();
    /* ... and one pending before the call stays pending */
    CHECK(pthread_kill(pthread_self(), SIGPIPE) == 0 && sigpipe_pending(), &err);
    struct pysock_error e;
    int64_t pos;
    RAISES(broken_transfer(1, &e, &pos), &e, "BrokenPipeError", 32);
    CHECK(sigpipe_blocked() && sigpipe_pending(), &e);
    struct timespec zero = {0, 0};
    CHECK(sigtimedwait(&set, NULL, &zero) == SIGPIPE && !sigpipe_pending(), &e);
    CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL) == 0, &err);
    CHECK(sigpipes == 0, &err);
}

/*
 * child runs one broken transfer with SIGPIPE's disposition: "dfl" (SIG_DFL, set by the
 * program after the Go runtime installed its handler), "handler" (the program's), "ignore"
 * (SIG_IGN) or "runtime" (left as the Go runtime set it when the program was loaded).
 * Exit status: 0 for BrokenPipeError and no SIGPIPE seen, 3 when the handler saw one,
 * 4 for another outcome; SIG_DFL may end it by the signal.
 */
static int child(const char *disposition, const char *mode)
{
    struct pysock_error e;
    int64_t pos;
    if (strcmp(disposition, "dfl") == 0)
        install(SIG_DFL);
    else if (strcmp(disposition, "handler") == 0)
        install(count_sigpipe);
    else if (strcmp(disposition, "ignore") == 0)
        install(SIG_IGN);
    int64_t r = broken_transfer(strcmp(mode, "guarded") == 0, &e, &pos);
    if (r != -1 || strcmp(e.cls, "BrokenPipeError") != 0)
        return 4;
    return sigpipes ? 3 : 0;
}

/* spawn runs this program as "child disposition mode" and returns its wait status. */
static int spawn(const char *self, const char *disposition, const char *mode)
{
    char *argv[] = {(char *)self, "child", (char *)disposition, (char *)mode, NULL};
    pid_t pid;
    int status;
    CHECK(posix_spawn(&pid, self, NULL, NULL, argv, environ) == 0, &err);
    CHECK(waitpid(pid, &status, 0) == pid, &err);
    return status;
}

static void children(const char *self)
{
    static const char *const dispositions[] = {"dfl", "handler", "ignore", "runtime"};
    for (size_t i = 0; i < sizeof dispositions / sizeof dispositions[0]; i++) {
        int st = spawn(self, dispositions[i], "guarded");
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "guarded child with SIGPIPE %s: status %#x\n", dispositions[i], st);
            exit(1);
        }
    }
    /* Unguarded, what the guard is for: the signal reaches the program's disposition. */
    int st = spawn(self, "dfl", "unguarded");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, &err);
    st = spawn(self, "handler", "unguarded");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, &err);
    /* Left to the runtime's handler, it is ignored: the thread is in Go (pysock.h). */
    st = spawn(self, "runtime", "unguarded");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, &err);
}

static void rec_int(const char *name, int64_t r)
{
    if (r == -1)
        printf("%s|%s|%d|%d|%s\n", name, err.cls, err.has_errno, err.errno_, err.message);
    else
        printf("%s|ok|%lld\n", name, (long long)r);
}

/* rec_sent prints a result with the file position and what the peer received. */
static void rec_sent(const char *name, int64_t r, int fd, int64_t peer)
{
    unsigned char buf[64];
    if (r == -1) {
        rec_int(name, r);
        return;
    }
    int64_t n = r > 0 ? pysock_recv(peer, buf, (size_t)r, MSG_WAITALL, &err) : 0;
    printf("%s|ok|%lld|pos=%lld|data=", name, (long long)r, (long long)position(fd));
    for (int64_t i = 0; i < n; i++)
        printf("%02x", buf[i]);
    printf("\n");
}

static void records(void)
{
    int64_t p[2], u, q[2];
    int fd = temp_file(10);
    int pfd[2];

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    rec_sent("count", pysock_sendfile(p[0], fd, 2, 5, &err), fd, p[1]);
    rec_sent("all", pysock_sendfile(p[0], fd, 0, PYSOCK_COUNT_NONE, &err), fd, p[1]);
    rec_sent("offset_count", pysock_sendfile(p[0], fd, 7, 100, &err), fd, p[1]);
    CHECK(lseek(fd, 4, SEEK_SET) == 4, &err);
    rec_sent("past_end", pysock_sendfile(p[0], fd, 100, PYSOCK_COUNT_NONE, &err), fd, p[1]);
    rec_sent("negative_offset", pysock_sendfile(p[0], fd, -1, PYSOCK_COUNT_NONE, &err), fd, p[1]);
    rec_int("count0", pysock_sendfile(p[0], fd, 0, 0, &err));
    rec_int("count_negative", pysock_sendfile(p[0], fd, 0, -5, &err));
    OK(pysock_setblocking(p[0], 0, &err), &err);
    rec_int("nonblocking", pysock_sendfile(p[0], fd, 0, PYSOCK_COUNT_NONE, &err));
    OK(pysock_setblocking(p[0], 1, &err), &err);
    OK(pysock_socket(AF_INET, SOCK_DGRAM, 0, &u, &err), &err);
    rec_int("dgram", pysock_sendfile(u, fd, 0, PYSOCK_COUNT_NONE, &err));
    OK(pysock_close(u, &err), &err);
    CHECK(pipe(pfd) == 0 && write(pfd[1], "abc", 3) == 3, &err);
    rec_int("pipe", pysock_sendfile(p[0], pfd[0], 0, PYSOCK_COUNT_NONE, &err));
    /* a descriptor that is not open: Python's file whose descriptor was closed */
    int closed = dup(fd);
    close(closed);
    rec_int("bad_fd", pysock_sendfile(p[0], closed, 0, PYSOCK_COUNT_NONE, &err));
    rec_int("bad_fd_count0", pysock_sendfile(p[0], closed, 0, 0, &err));
    OK(pysock_setblocking(p[0], 0, &err), &err);
    rec_int("bad_fd_nonblocking", pysock_sendfile(p[0], closed, 0, PYSOCK_COUNT_NONE, &err));
    OK(pysock_close(p[1], &err), &err);
    rec_int("broken_pipe", pysock_sendfile(p[0], fd, 0, PYSOCK_COUNT_NONE, &err));
    OK(pysock_setblocking(p[0], 1, &err), &err);
    rec_int("broken_pipe_blocking", pysock_sendfile(p[0], fd, 0, PYSOCK_COUNT_NONE, &err));
    OK(pysock_close(p[0], &err), &err);
    /* a timeout while the peer does not read */
    int big = temp_file(BIG);
    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, q, &err), &err);
    OK(pysock_settimeout(q[0], 0.05, &err), &err);
    rec_int("timeout", pysock_sendfile(q[0], big, 0, PYSOCK_COUNT_NONE, &err));
    OK(pysock_close(q[0], &err), &err);
    OK(pysock_close(q[1], &err), &err);
    close(big);
    close(pfd[0]);
    close(pfd[1]);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "records") == 0) {
        records();
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "child") == 0)
        return child(argv[2], argv[3]);
    conventions();
    children(argv[0]);
    printf("pysock_sendfile: ok\n");
    return 0;
}
