/*
 * export.h - what the cgo preambles of cmd/libpysock include: the public header, and the
 * const-qualified types the exported functions' parameters are declared with, so that the
 * declarations cgo generates in libpysock.h match pysock.h's exactly.
 */
#ifndef PYSOCK_EXPORT_H
#define PYSOCK_EXPORT_H

#include <stdlib.h>
#include "pysock.h"

typedef const struct pysock_addr pysock_caddr;
typedef const char pysock_cchar;
typedef const void pysock_cvoid;

#endif
