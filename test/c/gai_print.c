/*
 * gai_print.c - prints getaddrinfo(3) results as formatted by libc itself, and checks that
 * libcsock.a's csock_getaddrinfo reports exactly the same. Reads one query per line on
 * stdin: "host serv family socktype flags" ("-" for NULL; numbers in decimal). Writes one
 * line per result, "family socktype protocol host port flowinfo scope_id canonname", or
 * "error <code> <gai_strerror>", then "end". Exits 1 on any difference between the two.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "csock.h"

static int mismatches;

static void query(const char *host, const char *serv, int family, int socktype, int flags)
{
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_flags = flags;
    int rc = getaddrinfo(host, serv, &hints, &res);

    csock_addrinfo_list *list;
    int crc = csock_getaddrinfo(host, serv, family, socktype, 0, flags, NULL, 0, &list, NULL);
    if (rc != crc) {
        fprintf(stderr, "MISMATCH: getaddrinfo %d, csock_getaddrinfo %d\n", rc, crc);
        mismatches++;
    }
    if (rc != 0) {
        printf("error %d %s\n", rc, gai_strerror(rc));
        if (crc == 0)
            csock_free(list);
        printf("end\n");
        return;
    }
    uint32_t i = 0;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next, i++) {
        char text[INET6_ADDRSTRLEN] = "";
        int port = 0;
        unsigned flow = 0, scope = 0;
        if (ai->ai_family == AF_INET) {
            const struct sockaddr_in *sin = (const struct sockaddr_in *)ai->ai_addr;
            inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
            port = ntohs(sin->sin_port);
        } else if (ai->ai_family == AF_INET6) {
            const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ai->ai_addr;
            inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
            port = ntohs(sin6->sin6_port);
            flow = ntohl(sin6->sin6_flowinfo);
            scope = sin6->sin6_scope_id;
        }
        const char *canon = ai->ai_canonname != NULL ? ai->ai_canonname : "";
        printf("%d %d %d %s %d %u %u %s\n", ai->ai_family, ai->ai_socktype, ai->ai_protocol,
               text, port, flow, scope, canon);
        if (crc != 0 || i >= list->count) {
            mismatches++;
            continue;
        }
        const csock_addrinfo *e = &list->entry[i];
        const char *ccanon = CSOCK_STR(list, e->canonname);
        if (e->family != ai->ai_family || e->socktype != ai->ai_socktype ||
            e->protocol != ai->ai_protocol || strcmp(e->addr.host, text) != 0 ||
            e->addr.port != port || e->addr.flowinfo != flow || e->addr.scope_id != scope ||
            strcmp(ccanon != NULL ? ccanon : "", canon) != 0 ||
            e->addr.rawlen != ai->ai_addrlen || memcmp(&e->addr.raw, ai->ai_addr, ai->ai_addrlen) != 0) {
            fprintf(stderr, "MISMATCH at entry %u\n", i);
            mismatches++;
        }
    }
    if (crc == 0) {
        if (list->count != i)
            mismatches++;
        csock_free(list);
    }
    freeaddrinfo(res);
    printf("end\n");
}

int main(void)
{
    char line[1024], host[512], serv[128];
    int family, socktype, flags;
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (sscanf(line, "%511s %127s %d %d %d", host, serv, &family, &socktype, &flags) != 5) {
            fprintf(stderr, "bad query: %s", line);
            return 2;
        }
        query(strcmp(host, "-") == 0 ? NULL : host, strcmp(serv, "-") == 0 ? NULL : serv,
              family, socktype, flags);
    }
    return mismatches != 0;
}
