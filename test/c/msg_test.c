/*
 * msg_test.c - the shim's messages section from C: sendmsg/recvmsg (gather and scatter,
 * SCM_RIGHTS with and without MSG_CMSG_CLOEXEC, SCM_CREDENTIALS, MSG_CTRUNC, the sender's
 * address), CMSG_LEN/CMSG_SPACE against the macros and at their overflow edges, sendfile
 * from a temporary file, and sethostname inside a UTS namespace of its own. Socketpairs
 * and loopback only. Built plain, and with -fsanitize=address,undefined by `make test`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csock.h"

static int failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
            failures++;                                                               \
        }                                                                             \
    } while (0)

/* A control buffer aligned for struct cmsghdr, room for a few descriptors or credentials. */
union control {
    struct cmsghdr align;
    unsigned char buf[256];
};

static void test_cmsg_macros(void)
{
    for (size_t n = 0; n <= 4096; n++) {
        CHECK(csock_cmsg_len(n) == CMSG_LEN(n));
        CHECK(csock_cmsg_space(n) == CMSG_SPACE(n));
    }
    /* the last lengths whose result fits in a size_t, and the first that do not */
    size_t len_max = SIZE_MAX - CMSG_LEN(0);
    CHECK(csock_cmsg_len(len_max) == SIZE_MAX);
    CHECK(csock_cmsg_len(len_max + 1) == 0);
    CHECK(csock_cmsg_len(SIZE_MAX) == 0);
    size_t space_max = SIZE_MAX - (CMSG_SPACE(1) - 1);
    CHECK(csock_cmsg_space(space_max) == CMSG_SPACE(space_max));
    CHECK(csock_cmsg_space(space_max) > space_max);
    CHECK(csock_cmsg_space(space_max) % (CMSG_SPACE(1) - CMSG_SPACE(0)) == 0);
    CHECK(csock_cmsg_space(space_max + 1) == 0);
    CHECK(csock_cmsg_space(SIZE_MAX) == 0);
    /* CPython's bounds, SOCKLEN_T_LIMIT = INT_MAX: CMSG_LEN up to INT_MAX - CMSG_LEN(0)
     * gives INT_MAX exactly; CMSG_SPACE up to INT_MAX - CMSG_SPACE(1). */
    CHECK(csock_cmsg_len((size_t)INT_MAX - CMSG_LEN(0)) == (size_t)INT_MAX);
    CHECK(csock_cmsg_space((size_t)INT_MAX - CMSG_SPACE(1)) <= (size_t)INT_MAX);
}

static void test_gather_scatter(void)
{
    int sp[2];
    CHECK(csock_socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
    char a[] = "ab", c[] = "cdefg";
    struct iovec out[3] = {{a, 2}, {NULL, 0}, {c, 5}};
    CHECK(csock_sendmsg(sp[0], out, 3, NULL, 0, NULL, 0, 0) == 7);

    char x[1], y[2], z[16];
    struct iovec in[3] = {{x, sizeof x}, {y, sizeof y}, {z, sizeof z}};
    int flags = -1;
    size_t clen = 0;
    csock_addr from;
    CHECK(csock_recvmsg(sp[1], in, 3, NULL, &clen, 0, &flags, &from) == 7);
    CHECK(memcmp(x, "a", 1) == 0 && memcmp(y, "bc", 2) == 0 && memcmp(z, "defg", 4) == 0);
    CHECK(flags == 0 && clen == 0);
    CHECK(from.rawlen == 0 && from.family == AF_UNSPEC); /* an unnamed peer */

    /* a message longer than the buffers: MSG_TRUNC */
    CHECK(csock_sendmsg(sp[0], out, 3, NULL, 0, NULL, 0, 0) == 7);
    CHECK(csock_recvmsg(sp[1], in, 1, NULL, NULL, 0, &flags, NULL) == 1);
    CHECK(flags & MSG_TRUNC);

    /* errors: a closed descriptor, more buffers than IOV_MAX */
    static struct iovec many[IOV_MAX + 1];
    for (size_t i = 0; i < sizeof many / sizeof many[0]; i++)
        many[i] = (struct iovec){a, 1};
    CHECK(csock_sendmsg(sp[0], many, IOV_MAX + 1, NULL, 0, NULL, 0, 0) == -EMSGSIZE);
    csock_close(sp[0]);
    csock_close(sp[1]);
    CHECK(csock_sendmsg(sp[0], out, 1, NULL, 0, NULL, 0, 0) == -EBADF);
    CHECK(csock_recvmsg(sp[1], in, 1, NULL, NULL, 0, NULL, NULL) == -EBADF);
}

/* The descriptors of the first SCM_RIGHTS message in control[0..len), into fds; returns
 * how many. */
static int rights(const void *control, size_t len, int *fds, int max)
{
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_control = (void *)control;
    msg.msg_controllen = len;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        if (n > max)
            n = max;
        memcpy(fds, CMSG_DATA(c), (size_t)n * sizeof(int));
        return n;
    }
    return 0;
}

/* Sends "x" with the descriptors fds[0..n) as SCM_RIGHTS. */
static ssize_t send_fds(int sock, const int *fds, int n)
{
    union control ctl;
    memset(&ctl, 0, sizeof ctl);
    struct cmsghdr *c = &ctl.align;
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
    memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
    struct iovec iov = {"x", 1};
    return csock_sendmsg(sock, &iov, 1, ctl.buf, CMSG_SPACE((size_t)n * sizeof(int)), NULL, 0, 0);
}

static void test_rights(void)
{
    int sp[2], p[2];
    CHECK(csock_socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    CHECK(pipe2(p, O_CLOEXEC) == 0);

    for (int pass = 0; pass < 2; pass++) {
        int flags = pass == 0 ? 0 : MSG_CMSG_CLOEXEC;
        CHECK(send_fds(sp[0], &p[1], 1) == 1);
        union control ctl;
        size_t clen = CMSG_SPACE(sizeof(int));
        char b;
        struct iovec iov = {&b, 1};
        int mflags = -1, got[1] = {-1};
        CHECK(csock_recvmsg(sp[1], &iov, 1, ctl.buf, &clen, flags, &mflags, NULL) == 1);
        CHECK(clen == CMSG_LEN(sizeof(int)) || clen == CMSG_SPACE(sizeof(int)));
        CHECK((mflags & MSG_CTRUNC) == 0);
        CHECK(rights(ctl.buf, clen, got, 1) == 1 && got[0] >= 0 && got[0] != p[1]);
        /* without MSG_CMSG_CLOEXEC the descriptor is inheritable, as in CPython */
        CHECK(csock_get_cloexec(got[0]) == (pass == 0 ? 0 : 1));
        CHECK(write(got[0], "y", 1) == 1);
        CHECK(read(p[0], &b, 1) == 1 && b == 'y');
        csock_close(got[0]);
    }

    /* too small a control buffer: MSG_CTRUNC, and the descriptors that did not fit are
     * closed by the kernel (only the first arrives) */
    int two[2] = {p[0], p[1]};
    CHECK(send_fds(sp[0], two, 2) == 1);
    union control ctl;
    size_t clen = CMSG_LEN(sizeof(int));
    char b;
    struct iovec iov = {&b, 1};
    int mflags = 0, got[2] = {-1, -1};
    CHECK(csock_recvmsg(sp[1], &iov, 1, ctl.buf, &clen, 0, &mflags, NULL) == 1);
    CHECK(mflags & MSG_CTRUNC);
    CHECK(rights(ctl.buf, clen, got, 2) == 1);
    csock_close(got[0]);

    /* no control buffer at all: MSG_CTRUNC, nothing received */
    CHECK(send_fds(sp[0], two, 1) == 1);
    clen = 0;
    CHECK(csock_recvmsg(sp[1], &iov, 1, NULL, &clen, 0, &mflags, NULL) == 1);
    CHECK((mflags & MSG_CTRUNC) && clen == 0);

    csock_close(p[0]);
    csock_close(p[1]);
    csock_close(sp[0]);
    csock_close(sp[1]);
}

static void test_credentials(void)
{
    int sp[2];
    CHECK(csock_socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) == 0);
    CHECK(csock_setsockopt_int(sp[1], SOL_SOCKET, SO_PASSCRED, 1) == 0);

    /* the kernel attaches the sender's credentials when none are sent */
    struct iovec iov = {"c", 1};
    CHECK(csock_sendmsg(sp[0], &iov, 1, NULL, 0, NULL, 0, 0) == 1);
    union control ctl;
    size_t clen = CMSG_SPACE(sizeof(struct ucred));
    char b;
    struct iovec in = {&b, 1};
    int mflags = -1;
    CHECK(csock_recvmsg(sp[1], &in, 1, ctl.buf, &clen, 0, &mflags, NULL) == 1);
    CHECK(mflags == 0);
    struct cmsghdr *c = &ctl.align;
    CHECK(clen >= CMSG_LEN(sizeof(struct ucred)));
    CHECK(c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS);
    struct ucred cred;
    memcpy(&cred, CMSG_DATA(c), sizeof cred);
    CHECK(cred.pid == getpid() && cred.uid == getuid() && cred.gid == getgid());

    /* explicit credentials, our own, are accepted and arrive as sent */
    union control out;
    memset(&out, 0, sizeof out);
    out.align.cmsg_level = SOL_SOCKET;
    out.align.cmsg_type = SCM_CREDENTIALS;
    out.align.cmsg_len = CMSG_LEN(sizeof cred);
    memcpy(CMSG_DATA(&out.align), &cred, sizeof cred);
    CHECK(csock_sendmsg(sp[0], &iov, 1, out.buf, CMSG_SPACE(sizeof cred), NULL, 0, 0) == 1);
    clen = sizeof ctl.buf;
    CHECK(csock_recvmsg(sp[1], &in, 1, ctl.buf, &clen, 0, &mflags, NULL) == 1);
    struct ucred back;
    memcpy(&back, CMSG_DATA(&ctl.align), sizeof back);
    CHECK(back.pid == cred.pid && back.uid == cred.uid && back.gid == cred.gid);
    csock_close(sp[0]);
    csock_close(sp[1]);
}

static void test_addresses(void)
{
    int u = csock_socket(AF_INET, SOCK_DGRAM, 0), v = csock_socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(u >= 0 && v >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(csock_bind(u, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(csock_bind(v, (struct sockaddr *)&a, sizeof a) == 0);
    csock_addr un, vn, from;
    CHECK(csock_getsockname(u, &un) == 0 && csock_getsockname(v, &vn) == 0);
    a.sin_port = htons((uint16_t)un.port);
    struct iovec iov = {"udp", 3};
    CHECK(csock_sendmsg(v, &iov, 1, NULL, 0, (struct sockaddr *)&a, sizeof a, 0) == 3);
    char buf[8];
    struct iovec in = {buf, sizeof buf};
    CHECK(csock_recvmsg(u, &in, 1, NULL, NULL, 0, NULL, &from) == 3);
    CHECK(from.family == AF_INET && strcmp(from.host, "127.0.0.1") == 0 && from.port == vn.port);
    CHECK(from.rawlen == sizeof(struct sockaddr_in));
    csock_close(u);
    csock_close(v);
}

/* Reads exactly n bytes of sock into buf. */
static int read_full(int sock, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = csock_recv(sock, buf + got, n - got, 0);
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

static void test_sendfile(void)
{
    char path[] = "/tmp/csock-sendfile-XXXXXX";
    int f = mkstemp(path);
    CHECK(f >= 0);
    unlink(path);
    static char data[3000], back[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    CHECK(write(f, data, sizeof data) == (ssize_t)sizeof data);

    int sp[2];
    CHECK(csock_socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    /* with an offset: the file position (at the end) stays where it is */
    int64_t off = 1000;
    CHECK(csock_sendfile(sp[0], f, &off, 1500) == 1500);
    CHECK(off == 2500);
    CHECK(lseek(f, 0, SEEK_CUR) == (off_t)sizeof data);
    CHECK(read_full(sp[1], back, 1500) == 0 && memcmp(back, data + 1000, 1500) == 0);
    CHECK(csock_sendfile(sp[0], f, &off, 1000) == 500); /* to the end of the file */
    CHECK(csock_sendfile(sp[0], f, &off, 1000) == 0);   /* at the end */
    CHECK(read_full(sp[1], back, 500) == 0 && memcmp(back, data + 2500, 500) == 0);
    /* without: from the file position, which advances */
    CHECK(lseek(f, 100, SEEK_SET) == 100);
    CHECK(csock_sendfile(sp[0], f, NULL, 200) == 200);
    CHECK(lseek(f, 0, SEEK_CUR) == 300);
    CHECK(read_full(sp[1], back, 200) == 0 && memcmp(back, data + 100, 200) == 0);
    /* never waiting: a full blocking socket gives -EAGAIN, its flag cleared again */
    static char big[1 << 20];
    char bigpath[] = "/tmp/csock-sendfile-XXXXXX";
    int fb = mkstemp(bigpath);
    CHECK(fb >= 0);
    unlink(bigpath);
    CHECK(write(fb, big, sizeof big) == (ssize_t)sizeof big);
    int64_t boff = 0;
    ssize_t k = csock_sendfile_nowait(sp[0], fb, &boff, sizeof big);
    CHECK(k > 0 && (size_t)k < sizeof big && boff == k);
    CHECK(csock_sendfile_nowait(sp[0], fb, &boff, sizeof big) == -EAGAIN);
    CHECK(!(fcntl(sp[0], F_GETFL) & O_NONBLOCK));
    CHECK(csock_sendfile_nowait(-1, fb, NULL, 1) == -EBADF);
    close(fb);
    char drain[65536];
    while (recv(sp[1], drain, sizeof drain, MSG_DONTWAIT) > 0)
        ;
    /* errors: a closed output, a socket as input */
    CHECK(csock_sendfile(-1, f, NULL, 1) == -EBADF);
    CHECK(csock_sendfile(sp[0], sp[1], NULL, 1) == -EINVAL);
    /* a gone peer with SIGPIPE ignored: -EPIPE (see csock.h: sendfile takes no flags) */
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    CHECK(sigaction(SIGPIPE, &ign, &old) == 0);
    csock_close(sp[1]);
    off = 0;
    CHECK(csock_sendfile(sp[0], f, &off, 10) == -EPIPE);
    CHECK(sigaction(SIGPIPE, &old, NULL) == 0);
    csock_close(sp[0]);
    close(f);
}

/* As root: a child that drops to nobody must get -EPERM (setting the current name, so
 * nothing changes should the drop fail). */
static void test_sethostname_unprivileged(const char *now)
{
    if (getuid() != 0)
        return;
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        int ok = setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0 &&
                 csock_sethostname(now, strlen(now)) == -EPERM;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_sethostname(void)
{
    char now[256], name[] = "csock-msg-test";
    CHECK(csock_gethostname(now, sizeof now) >= 0);
    test_sethostname_unprivileged(now);
    if (unshare(CLONE_NEWUTS) != 0) {
        /* no namespace of our own: setting the current name changes nothing either way */
        int r = csock_sethostname(now, strlen(now));
        CHECK(r == 0 || r == -EPERM);
        printf("sethostname: no UTS namespace (%s), checked %d only\n", strerror(errno), r);
        return;
    }
    CHECK(csock_sethostname(name, strlen(name)) == 0);
    CHECK(csock_gethostname(now, sizeof now) == (int)strlen(name) && strcmp(now, name) == 0);
    char longname[65];
    memset(longname, 'h', sizeof longname);
    CHECK(csock_sethostname(longname, 64) == 0);
    CHECK(csock_sethostname(longname, 65) == -EINVAL);
    CHECK(csock_sethostname(name, 4) == 0); /* only len bytes count: "csoc" */
    CHECK(csock_gethostname(now, sizeof now) == 4 && strcmp(now, "csoc") == 0);
}

int main(void)
{
    test_cmsg_macros();
    test_gather_scatter();
    test_rights();
    test_credentials();
    test_addresses();
    test_sendfile();
    test_sethostname();
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("msg_test: ok\n");
    return 0;
}
