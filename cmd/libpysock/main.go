//go:build linux

// Command libpysock is the csock facade — CPython 3.11's socket module — exported to C.
// It is built with
//
//	go build -buildmode=c-archive -o build/libpysock.a ./cmd/libpysock
//
// into a static archive and a generated header; C programs include the hand-written
// pysock.h (next to this file, copied to build/include), which documents every function:
// ownership of every buffer and string, thread-safety, blocking, and the error record.
//
// Each exported function is one Python-level call: it converts its C arguments into the
// Python values the facade takes (so CPython's parsing rules and messages apply
// unchanged), calls the facade, and converts the result or the exception back. Sockets are
// integer handles into a table (handles.go); no Go pointer ever reaches C. Every export
// recovers a Go panic into a SystemError record (errors.go).
//
// The functions C calls are C: pysock.c defines each pysock_F of pysock.h from the lists
// PYSOCK_CALLS and PYSOCK_SIGPIPE_CALLS of export.h, and it calls the Go export pysock_go_F
// unless the process is a child forked after the program was loaded, where the Go runtime
// cannot run (pysock.h, FORK); such a child gets an error record at once instead of a
// hang. The functions of the second list (sendfile, whose sendfile(2) cannot carry
// MSG_NOSIGNAL) run with SIGPIPE blocked in the calling thread (pysock.h, SIGNALS).
//
// The prototypes are checked at every build: pysock.c defines pysock_F under pysock.h's
// declaration, and export.h's declarations of pysock_go_F meet cgo's own in the generated
// header; a conflicting declaration does not compile. Where C needs a const pointer, the
// export's parameter has a typedef'd const type (pysock_caddr, pysock_cchar, pysock_cvoid,
// pysock_cfileopts, pysock_cbuf, ...), so the generated declaration matches the
// hand-written one.
// api_test.go checks that pysock.h has an export for every facade function and socket
// method C can have.
package main

/*
#include "export.h"
*/
import "C"

// main is never run: the archive's users have their own.
func main() {}
