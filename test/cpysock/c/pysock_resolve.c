/*
 * pysock_resolve.c - prints what the resolver functions of libpysock.a return, one line per
 * query read from stdin, for test/cpysock to compare with pysock's answers for the same
 * Python calls. A field "-" is NULL (Python's None). Queries:
 *
 *   gai HOST PORT FAMILY TYPE PROTO FLAGS   getaddrinfo
 *   gni HOST PORT FLOWINFO SCOPE_ID FLAGS   getnameinfo
 *   ghbn HOST                               gethostbyname
 *   ghbnx HOST                              gethostbyname_ex
 *   ghba HOST                               gethostbyaddr
 *   fqdn NAME                               getfqdn
 *   sbn NAME PROTO                          getservbyname
 *   sbp PORT PROTO                          getservbyport
 *   pbn NAME                                getprotobyname
 *   hostname                                gethostname
 *
 * A failure prints "error " and pysock_strerror's line.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>

#include "testing.h"

static const char *arg(const char *s) { return strcmp(s, "-") == 0 ? NULL : s; }

static void print_hostent(struct pysock_hostent *h)
{
    printf("%s [", h->name);
    for (size_t i = 0; i < h->naliases; i++)
        printf("%s%s", i ? "," : "", h->aliases[i]);
    printf("] [");
    for (size_t i = 0; h->addrs[i] != NULL; i++)
        printf("%s%s", i ? "," : "", h->addrs[i]);
    printf("]");
    CHECK(h->aliases[h->naliases] == NULL, NULL);
    pysock_freehostent(h);
}

static void query(char *line)
{
    struct pysock_error err;
    char a[6][256], buf[1100];
    int n = sscanf(line, "%255s %255s %255s %255s %255s %255s %255s", buf, a[0], a[1], a[2], a[3], a[4], a[5]);
    int r = 0;

    if (n < 1)
        return;
    if (strcmp(buf, "gai") == 0 && n == 7) {
        struct pysock_addrinfo *ai;
        r = pysock_getaddrinfo(arg(a[0]), arg(a[1]), atoi(a[2]), atoi(a[3]), atoi(a[4]), atoi(a[5]), &ai, &err);
        for (int i = 0; i < r; i++)
            printf("%s%d %d %d '%s' %s %d %u %u", i ? "; " : "", ai[i].family, ai[i].type, ai[i].proto,
                   ai[i].canonname, ai[i].addr.host, ai[i].addr.port, (unsigned)ai[i].addr.flowinfo,
                   (unsigned)ai[i].addr.scope_id);
        pysock_freeaddrinfo(ai);
    } else if (strcmp(buf, "gni") == 0 && n == 6) {
        struct pysock_nameinfo ni;
        struct pysock_addr sa = {.host = arg(a[0]), .port = atoi(a[1]),
                                 .flowinfo = (uint32_t)strtoul(a[2], NULL, 10),
                                 .scope_id = (uint32_t)strtoul(a[3], NULL, 10)};
        r = pysock_getnameinfo(&sa, atoi(a[4]), &ni, &err);
        if (r == 0)
            printf("%s %s", ni.host, ni.serv);
    } else if (strcmp(buf, "ghbn") == 0 && n == 2) {
        r = pysock_gethostbyname(arg(a[0]), buf, sizeof buf, &err);
        if (r >= 0)
            printf("%s", buf);
    } else if ((strcmp(buf, "ghbnx") == 0 || strcmp(buf, "ghba") == 0) && n == 2) {
        struct pysock_hostent *h;
        if (buf[3] == 'n')
            r = pysock_gethostbyname_ex(arg(a[0]), &h, &err);
        else
            r = pysock_gethostbyaddr(arg(a[0]), &h, &err);
        if (r == 0)
            print_hostent(h);
        else
            CHECK(h == NULL, &err);
    } else if (strcmp(buf, "fqdn") == 0 && n == 2) {
        r = pysock_getfqdn(arg(a[0]), buf, sizeof buf, &err);
        if (r >= 0)
            printf("%s", buf);
    } else if (strcmp(buf, "sbn") == 0 && n == 3) {
        r = pysock_getservbyname(a[0], arg(a[1]), &err);
        if (r >= 0)
            printf("%d", r);
    } else if (strcmp(buf, "sbp") == 0 && n == 3) {
        r = pysock_getservbyport(atoi(a[0]), arg(a[1]), buf, sizeof buf, &err);
        if (r >= 0)
            printf("%s", buf);
    } else if (strcmp(buf, "pbn") == 0 && n == 2) {
        r = pysock_getprotobyname(a[0], &err);
        if (r >= 0)
            printf("%d", r);
    } else if (strcmp(buf, "hostname") == 0 && n == 1) {
        char small[2];
        r = pysock_gethostname(buf, sizeof buf, &err);
        if (r >= 0) {
            /* snprintf's contract: the full length, whatever the room */
            CHECK(pysock_gethostname(small, sizeof small, &err) == r && strlen(small) == (r > 0), &err);
            printf("%s", buf);
        }
    } else {
        fprintf(stderr, "pysock_resolve: bad query: %s", line);
        exit(2);
    }
    if (r == -1) {
        pysock_strerror(&err, buf, sizeof buf);
        printf("error %s", buf);
    }
    printf("\n");
}

int main(void)
{
    char line[2048];
    while (fgets(line, sizeof line, stdin) != NULL)
        query(line);
    return 0;
}
