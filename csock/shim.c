// The cgo build of the root C shim: csock.c is compiled into this package unchanged, so the
// binding and libcsock.a are built from the same source.
#include "../csock.c"
