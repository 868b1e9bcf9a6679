/*
 * pysock.c - the functions of pysock.h that need no Go: formatting an error record, and
 * freeing the result blocks (each one malloc(3) block, made by the Go side with C.malloc).
 */
#include <stdlib.h>
#include <string.h>

#include "pysock.h"

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
