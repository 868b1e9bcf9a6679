/*
 * testing.h - the checks the C programs of test/cpysock share. Each program prints
 * "<name>: ok" and exits 0 when every check passed; a failed check prints the file, line,
 * the expression and the last error record, and exits 1.
 */
#ifndef PYSOCK_TESTING_H
#define PYSOCK_TESTING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pysock.h"

/* fail_at reports a failed check and ends the program. */
static inline void fail_at(const char *file, int line, const char *what,
                           const struct pysock_error *err)
{
    char msg[PYSOCK_CLS_MAX + PYSOCK_MESSAGE_MAX + 2];
    pysock_strerror(err, msg, sizeof msg);
    fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", file, line, what, msg);
    exit(1);
}

/* CHECK(cond, err): cond must hold; err is the record to show if it does not. */
#define CHECK(cond, err)                                                                   \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fail_at(__FILE__, __LINE__, #cond, (err));                                     \
    } while (0)

/* OK(call, err): call must return >= 0 and leave no exception in *err. */
#define OK(call, err) CHECK((call) >= 0 && (err)->cls[0] == '\0', (err))

/* RAISES(call, err, cls, errno): call must fail with that class (and errno, if >= -1000). */
#define RAISES(call, err, klass, num)                                                      \
    do {                                                                                   \
        CHECK((call) == -1, (err));                                                        \
        CHECK(strcmp((err)->cls, (klass)) == 0, (err));                                    \
        if ((num) > -1000)                                                                 \
            CHECK((err)->has_errno && (err)->errno_ == (num), (err));                      \
    } while (0)

/* NO_ERRNO for RAISES: the exception has no errno. */
#define NO_ERRNO (-1001)

#endif
