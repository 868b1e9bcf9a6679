/*
 * example.c - the README's C example: resolve a name with libc through libcsock.a and
 * print every address the way libc formats it.
 *
 *   make build/libcsock.a && cc example.c build/libcsock.a -o example && ./example localhost http
 */
#include <stdio.h>

#include "csock.h"

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "localhost";
    const char *serv = argc > 2 ? argv[2] : "80";
    csock_addrinfo_list *list;
    csock_rstatus st;

    int rc = csock_getaddrinfo(host, serv, 0, SOCK_STREAM, 0, 0, NULL, 0, &list, &st);
    if (rc != 0) {
        fprintf(stderr, "getaddrinfo: [Errno %d] %s\n", rc, csock_gai_strerror(rc));
        return 1;
    }
    for (uint32_t i = 0; i < list->count; i++) {
        const csock_addr *a = &list->entry[i].addr;
        printf("family %d  %s port %d\n", a->family, a->host, a->port);
    }
    csock_free(list); /* one block, one free */
    return 0;
}
