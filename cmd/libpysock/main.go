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
// The prototypes of pysock.h are checked against the exports at every build: the cgo
// preamble includes pysock.h, and a conflicting declaration does not compile. Where C needs
// a const pointer, the export's parameter has a typedef'd const type (pysock_caddr,
// pysock_cchar, pysock_cvoid), so the generated declaration matches the hand-written one.
package main

/*
#include "export.h"
*/
import "C"

// main is never run: the archive's users have their own.
func main() {}
