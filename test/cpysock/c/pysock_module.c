/*
 * pysock_module.c - the module functions for address text, byte order and interfaces:
 * inet_aton, inet_ntoa, inet_pton, inet_ntop, htons, ntohs, htonl, ntohl, if_nameindex,
 * if_nametoindex, if_indextoname.
 *
 * With no arguments it checks the C conventions (results into caller buffers, cut as
 * snprintf cuts, the if_nameindex block) and prints "pysock_module: ok". With "records"
 * it prints one line per call of the table below, "name|ok|value" or "name|class|
 * has_errno|errno|message", which test/cpysock compares with python3's answers to the
 * same calls (records14_test.go).
 */
#define _POSIX_C_SOURCE 200809L

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#include "testing.h"

static struct pysock_error err;

static void print_error(const char *name)
{
    printf("%s|%s|%d|%d|%s\n", name, err.cls, err.has_errno, err.errno_, err.message);
}

/* An int result. */
static void rec_int(const char *name, int64_t r)
{
    if (r == -1 && err.cls[0] != '\0')
        print_error(name);
    else
        printf("%s|ok|%lld\n", name, (long long)r);
}

/* A text result in buf. */
static void rec_text(const char *name, int r, const char *buf)
{
    if (r == -1)
        print_error(name);
    else
        printf("%s|ok|%s\n", name, buf);
}

/* A packed result: n bytes of buf in hex. */
static void rec_packed(const char *name, int n, const unsigned char *buf)
{
    if (n == -1) {
        print_error(name);
        return;
    }
    printf("%s|ok|", name);
    for (int i = 0; i < n; i++)
        printf("%02x", buf[i]);
    printf("\n");
}

static void records(void)
{
    unsigned char p[16];
    char t[64];

    rec_packed("aton_short", pysock_inet_aton("127.1", p, sizeof p, &err), p);
    rec_packed("aton_junk", pysock_inet_aton("1.2.3.4 junk", p, sizeof p, &err), p);
    rec_packed("aton_bad", pysock_inet_aton("x", p, sizeof p, &err), p);
    rec_packed("aton_none", pysock_inet_aton(NULL, p, sizeof p, &err), p);
    rec_text("ntoa", pysock_inet_ntoa("\1\2\3\4", 4, t, sizeof t, &err), t);
    rec_text("ntoa_len", pysock_inet_ntoa("abc", 3, t, sizeof t, &err), t);
    rec_packed("pton6", pysock_inet_pton(AF_INET6, "::1.2.3.4", p, sizeof p, &err), p);
    rec_packed("pton_bad", pysock_inet_pton(AF_INET, "x", p, sizeof p, &err), p);
    rec_packed("pton_family", pysock_inet_pton(12345, "1.2.3.4", p, sizeof p, &err), p);
    rec_packed("pton_none", pysock_inet_pton(AF_INET, NULL, p, sizeof p, &err), p);
    rec_text("ntop6", pysock_inet_ntop(AF_INET6, "\0\0\0\0\0\0\0\0\0\0\0\0\1\2\3\4", 16, t, sizeof t, &err), t);
    rec_text("ntop6_loop", pysock_inet_ntop(AF_INET6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16, t, sizeof t, &err), t);
    rec_text("ntop_len", pysock_inet_ntop(AF_INET, "abc", 3, t, sizeof t, &err), t);
    rec_text("ntop_family", pysock_inet_ntop(12345, "abcd", 4, t, sizeof t, &err), t);
    rec_int("htons", pysock_htons(1, &err));
    rec_int("htons_big", pysock_htons(70000, &err));
    rec_int("htons_neg", pysock_htons(-1, &err));
    rec_int("htons_huge", pysock_htons(INT64_C(1) << 40, &err));
    rec_int("ntohs", pysock_ntohs(0x1234, &err));
    rec_int("htonl", pysock_htonl(1, &err));
    rec_int("htonl_big", pysock_htonl(INT64_C(1) << 32, &err));
    rec_int("htonl_neg", pysock_htonl(-1, &err));
    rec_int("ntohl", pysock_ntohl(0x01020304, &err));
    rec_int("nametoindex_lo", pysock_if_nametoindex("lo", &err));
    rec_int("nametoindex_none", pysock_if_nametoindex("nosuchif0", &err));
    rec_text("indextoname_1", pysock_if_indextoname(1, t, sizeof t, &err), t);
    rec_text("indextoname_0", pysock_if_indextoname(0, t, sizeof t, &err), t);
    rec_text("indextoname_neg", pysock_if_indextoname(-1, t, sizeof t, &err), t);
    rec_text("indextoname_wrap", pysock_if_indextoname((INT64_C(1) << 32) + 1, t, sizeof t, &err), t);
    rec_int("cmsg_len", pysock_cmsg_len(4, &err));
    rec_int("cmsg_len_max", pysock_cmsg_len(2147483631, &err));
    rec_int("cmsg_len_big", pysock_cmsg_len(2147483632, &err));
    rec_int("cmsg_len_neg", pysock_cmsg_len(-1, &err));
    rec_int("cmsg_space", pysock_cmsg_space(1, &err));
    rec_int("cmsg_space_max", pysock_cmsg_space(2147483623, &err));
    rec_int("cmsg_space_big", pysock_cmsg_space(2147483624, &err));
    rec_int("close_bad", pysock_close_fd(-1, &err));
    rec_int("close_wrap", pysock_close_fd((INT64_C(1) << 32) + 999, &err));
    rec_int("dup_bad", pysock_dup_fd(-1, &err));
    rec_int("sethostname_long", pysock_sethostname(
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 65, &err));

    struct pysock_if_nameindex *ifs;
    int n = pysock_if_nameindex(&ifs, &err);
    if (n == -1) {
        print_error("nameindex");
    } else {
        printf("nameindex|ok|");
        for (int i = 0; i < n; i++)
            printf("%s(%u,%s)", i ? "," : "", ifs[i].index, ifs[i].name);
        printf("\n");
        pysock_if_freenameindex(ifs);
    }
}

static void conventions(void)
{
    unsigned char p[16];
    char t[64];

    /* packed results: the full length returned, at most len bytes written */
    memset(p, 0xee, sizeof p);
    CHECK(pysock_inet_pton(AF_INET6, "::1", p, 4, &err) == 16 && err.cls[0] == '\0', &err);
    CHECK(p[0] == 0 && p[3] == 0 && p[4] == 0xee, &err);
    CHECK(pysock_inet_aton("10.0.0.1", p, sizeof p, &err) == 4 && p[0] == 10 && p[3] == 1, &err);
    /* text results: as snprintf */
    CHECK(pysock_inet_ntoa("\xc0\xa8\x01\x01", 4, t, 8, &err) == 11 && strcmp(t, "192.168") == 0, &err);
    CHECK(pysock_inet_ntop(AF_INET, "\x7f\0\0\1", 4, t, sizeof t, &err) == 9 && strcmp(t, "127.0.0.1") == 0, &err);
    /* byte order */
    CHECK(pysock_htons(0x0102, &err) == 0x0201 && pysock_ntohs(0x0201, &err) == 0x0102, &err);
    CHECK(pysock_htonl(0x01020304, &err) == 0x04030201, &err);
    CHECK(pysock_ntohl(0xffffffff, &err) == 0xffffffff, &err);
    RAISES(pysock_htonl(-1, &err), &err, "OverflowError", NO_ERRNO);
    /* interfaces: lo is in the list, and the three agree */
    struct pysock_if_nameindex *ifs;
    int n = pysock_if_nameindex(&ifs, &err);
    CHECK(n >= 1, &err);
    int lo = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(ifs[i].name, "lo") == 0)
            lo = (int)ifs[i].index;
    CHECK(lo > 0, &err);
    pysock_if_freenameindex(ifs);
    pysock_if_freenameindex(NULL);
    CHECK(pysock_if_nametoindex("lo", &err) == lo, &err);
    CHECK(pysock_if_indextoname(lo, t, sizeof t, &err) == 2 && strcmp(t, "lo") == 0, &err);
    RAISES(pysock_if_nametoindex("nosuchif0", &err), &err, "OSError", NO_ERRNO);
    RAISES(pysock_if_indextoname(0, t, sizeof t, &err), &err, "OSError", 6);
    RAISES(pysock_if_nameindex(NULL, &err), &err, "SystemError", NO_ERRNO);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "records") == 0) {
        records();
        return 0;
    }
    conventions();
    printf("pysock_module: ok\n");
    return 0;
}
