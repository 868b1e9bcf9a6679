/*
 * pysock_makefile.c - socket.makefile() from C: buffered, unbuffered and text files over a
 * socketpair, read/readline/write/flush/close with Python's results (the buffer held until
 * flush, readline's limit, characters counted in text mode, None from a non-blocking
 * socket, the timed-out-object rule), the socket kept open by its file after pysock_close,
 * and the handle rules of files.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

#include "testing.h"

static struct pysock_error err;

/* Reads exactly n bytes from socket s into buf (5 s timeout). */
static void recv_exactly(int64_t s, char *buf, size_t n)
{
    size_t got = 0;
    OK(pysock_settimeout(s, 5.0, &err), &err);
    while (got < n) {
        int64_t k = pysock_recv(s, buf + got, n - got, 0, &err);
        CHECK(k > 0, &err);
        got += (size_t)k;
    }
}

static void test_binary(void)
{
    int64_t p[2], f;
    char buf[64];

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_makefile(p[0], "rwb", NULL, &f, &err), &err);
    CHECK(f != p[0] && f != p[1], &err);

    /* writes wait in the buffer until flush */
    CHECK(pysock_file_write(f, "line one\n", 9, &err) == 9, &err);
    CHECK(pysock_file_write(f, "line two\n", 9, &err) == 9, &err);
    OK(pysock_settimeout(p[1], 0.0, &err), &err);
    RAISES(pysock_recv(p[1], buf, sizeof buf, 0, &err), &err, "BlockingIOError", EAGAIN);
    OK(pysock_file_flush(f, &err), &err);
    recv_exactly(p[1], buf, 18);
    CHECK(memcmp(buf, "line one\nline two\n", 18) == 0, &err);

    /* read(n) waits for n bytes or the end; readline stops at the line end or its limit */
    CHECK(pysock_sendall(p[1], "abc\ndefgh0123456789\n", 20, 0, &err) == 0, &err);
    OK(pysock_shutdown(p[1], SHUT_WR, &err), &err);
    CHECK(pysock_file_readline(f, buf, sizeof buf, &err) == 4 && memcmp(buf, "abc\n", 4) == 0, &err);
    CHECK(pysock_file_read(f, buf, 3, &err) == 3 && memcmp(buf, "def", 3) == 0, &err);
    CHECK(pysock_file_read(f, buf, 2, &err) == 2 && memcmp(buf, "gh", 2) == 0, &err);
    CHECK(pysock_file_readline(f, buf, 4, &err) == 4 && memcmp(buf, "0123", 4) == 0, &err);
    CHECK(pysock_file_readline(f, buf, 4, &err) == 4 && memcmp(buf, "4567", 4) == 0, &err);
    CHECK(pysock_file_readline(f, buf, 4, &err) == 3 && memcmp(buf, "89\n", 3) == 0, &err);
    CHECK(pysock_file_read(f, buf, sizeof buf, &err) == 0 && err.cls[0] == '\0', &err); /* end */
    CHECK(pysock_file_readline(f, buf, sizeof buf, &err) == 0 && err.cls[0] == '\0', &err);

    /* the file keeps the socket open after pysock_close; its close closes it */
    OK(pysock_close(p[0], &err), &err);
    CHECK(pysock_file_write(f, "late", 4, &err) == 4, &err);
    OK(pysock_file_close(f, &err), &err); /* flushes */
    recv_exactly(p[1], buf, 4);
    CHECK(memcmp(buf, "late", 4) == 0, &err);
    CHECK(pysock_recv(p[1], buf, sizeof buf, 0, &err) == 0, &err); /* now closed */

    /* a closed file, and handles that name no file */
    RAISES(pysock_file_read(f, buf, sizeof buf, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "I/O operation on closed file.") == 0, &err);
    RAISES(pysock_file_write(f, "x", 1, &err), &err, "ValueError", NO_ERRNO);
    RAISES(pysock_file_flush(f, &err), &err, "ValueError", NO_ERRNO);
    OK(pysock_file_close(f, &err), &err); /* twice: harmless */
    RAISES(pysock_file_read(p[1], buf, sizeof buf, &err), &err, "OSError", EBADF); /* a socket */
    RAISES(pysock_file_close(p[1], &err), &err, "OSError", EBADF);
    RAISES(pysock_recv(f, buf, sizeof buf, 0, &err), &err, "OSError", EBADF); /* a file */
    RAISES(pysock_close(f, &err), &err, "OSError", EBADF);
    /* a closed socket makes a file, as CPython's does; reading it is [Errno 9] */
    OK(pysock_makefile(p[0], "rb", NULL, &f, &err), &err);
    RAISES(pysock_file_read(f, buf, sizeof buf, &err), &err, "OSError", EBADF);
    OK(pysock_file_close(f, &err), &err);
    OK(pysock_close(p[1], &err), &err);
}

static void test_text(void)
{
    int64_t p[2], f, l;
    char buf[64];

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    OK(pysock_makefile(p[0], "rw", NULL, &f, &err), &err);
    /* "h\xc3\xa9llo\nw\xc3\xb6rld": read(n) and readline(limit) count characters,
     * n = len / 4 */
    CHECK(pysock_sendall(p[1], "h\xc3\xa9llo\nw\xc3\xb6rld", 13, 0, &err) == 0, &err);
    OK(pysock_shutdown(p[1], SHUT_WR, &err), &err);
    CHECK(pysock_file_readline(f, buf, sizeof buf, &err) == 7 && memcmp(buf, "h\xc3\xa9llo\n", 7) == 0, &err);
    CHECK(pysock_file_read(f, buf, 8, &err) == 3 && memcmp(buf, "w\xc3\xb6", 3) == 0, &err); /* 2 chars */
    RAISES(pysock_file_read(f, buf, 3, &err), &err, "ValueError", NO_ERRNO); /* not one character */
    CHECK(pysock_file_read(f, buf, sizeof buf, &err) == 3 && memcmp(buf, "rld", 3) == 0, &err);
    /* write counts characters and encodes */
    CHECK(pysock_file_write(f, "\xe2\x82\xacuro", 6, &err) == 4, &err);
    OK(pysock_file_flush(f, &err), &err);
    recv_exactly(p[1], buf, 6);
    CHECK(memcmp(buf, "\xe2\x82\xacuro", 6) == 0, &err);
    OK(pysock_file_close(f, &err), &err);

    /* latin-1, and the newline option */
    struct pysock_fileopts o = {.buffering = PYSOCK_BUFFERING_DEFAULT, .encoding = "latin-1", .newline = "\r\n"};
    OK(pysock_makefile(p[0], "w", &o, &l, &err), &err);
    CHECK(pysock_file_write(l, "\xc3\xa9\n", 3, &err) == 2, &err);
    OK(pysock_file_flush(l, &err), &err);
    recv_exactly(p[1], buf, 3);
    CHECK(memcmp(buf, "\xe9\r\n", 3) == 0, &err);
    OK(pysock_file_close(l, &err), &err);

    /* makefile's argument errors, in CPython's words */
    RAISES(pysock_makefile(p[0], "x", NULL, &f, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "invalid mode 'x' (only r, w, b allowed)") == 0, &err);
    o = (struct pysock_fileopts){.buffering = 0};
    RAISES(pysock_makefile(p[0], "r", &o, &f, &err), &err, "ValueError", NO_ERRNO);
    CHECK(strcmp(err.message, "unbuffered streams must be binary") == 0, &err);
    o = (struct pysock_fileopts){.buffering = PYSOCK_BUFFERING_DEFAULT, .encoding = "nope"};
    RAISES(pysock_makefile(p[0], NULL, &o, &f, &err), &err, "LookupError", NO_ERRNO);
    CHECK(strcmp(err.message, "unknown encoding: nope") == 0, &err);
    RAISES(pysock_makefile(p[0], "r", NULL, NULL, &err), &err, "SystemError", NO_ERRNO);
    OK(pysock_close(p[0], &err), &err);
    OK(pysock_close(p[1], &err), &err);
}

static void test_modes(void)
{
    int64_t p[2], f;
    char buf[16];
    struct pysock_fileopts unbuffered = {.buffering = 0};

    OK(pysock_socketpair(AF_UNIX, SOCK_STREAM, 0, p, &err), &err);
    /* unbuffered: one receive, whatever it brings */
    OK(pysock_makefile(p[0], "rb", &unbuffered, &f, &err), &err);
    CHECK(pysock_send(p[1], "xyz", 3, 0, &err) == 3, &err);
    CHECK(pysock_file_read(f, buf, sizeof buf, &err) == 3 && memcmp(buf, "xyz", 3) == 0, &err);
    OK(pysock_file_close(f, &err), &err);

    /* non-blocking with nothing to read: Python's None */
    OK(pysock_settimeout(p[0], 0.0, &err), &err);
    OK(pysock_makefile(p[0], "rb", NULL, &f, &err), &err);
    CHECK(pysock_file_read(f, buf, sizeof buf, &err) == PYSOCK_NONE && err.cls[0] == '\0', &err);
    OK(pysock_file_close(f, &err), &err);

    /* a timeout, then CPython's bpo-7322 rule */
    OK(pysock_settimeout(p[0], 0.05, &err), &err);
    OK(pysock_makefile(p[0], "rb", NULL, &f, &err), &err);
    RAISES(pysock_file_read(f, buf, sizeof buf, &err), &err, "TimeoutError", NO_ERRNO);
    RAISES(pysock_file_read(f, buf, sizeof buf, &err), &err, "OSError", NO_ERRNO);
    CHECK(strcmp(err.message, "cannot read from timed out object") == 0, &err);
    OK(pysock_file_close(f, &err), &err);

    /* a write-only file cannot read */
    OK(pysock_makefile(p[0], "wb", NULL, &f, &err), &err);
    RAISES(pysock_file_read(f, buf, sizeof buf, &err), &err, "io.UnsupportedOperation", NO_ERRNO);
    OK(pysock_file_close(f, &err), &err);
    OK(pysock_close(p[0], &err), &err);
    OK(pysock_close(p[1], &err), &err);
}

int main(void)
{
    test_binary();
    test_text();
    test_modes();
    printf("pysock_makefile: ok\n");
    return 0;
}
