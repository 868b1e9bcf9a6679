//go:build linux

package main

/*
#include "export.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unicode/utf8"
	"unsafe"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// record is the content of a struct pysock_error: a Python exception as C sees it.
type record struct {
	Class    string // as CPython's traceback prints it: "ConnectionRefusedError"
	HasErrno bool   // whether Errno is the exception's number
	Errno    int    // errno, EAI_* code or h_errno
	Message  string // str() of the exception
}

// describe turns an error of the facade into the record of the exception CPython would
// raise. An error that is no Python exception (there should be none) is a SystemError
// carrying its text.
func describe(err error) record {
	exc, ok := py.AsException(err)
	if !ok {
		return record{Class: "SystemError", Message: err.Error()}
	}
	r := record{Class: exc.PyClass(), Message: exc.Error()}
	var (
		oserr *facade.OSError
		gai   *facade.GaiError
		herr  *facade.HError
	)
	switch {
	case errors.As(exc, &oserr):
		r.HasErrno, r.Errno = oserr.Errno != 0, oserr.Errno
	case errors.As(exc, &gai):
		r.HasErrno, r.Errno = true, gai.Code
	case errors.As(exc, &herr):
		r.HasErrno, r.Errno = true, herr.Code
	}
	return r
}

// panicRecord is the record of a Go panic recovered in the export fn: CPython's
// SystemError, its class for "the interpreter found an internal error".
func panicRecord(fn string, p any) record {
	return record{Class: "SystemError", Message: fmt.Sprintf("%s: Go panic: %v", fn, p)}
}

// nullArg is the record of a NULL pointer where the header says one must not be.
func nullArg(fn, arg string) record {
	return record{Class: "SystemError", Message: fmt.Sprintf("%s: %s must not be NULL", fn, arg)}
}

// put writes r into *e (nothing when e is NULL).
func (r record) put(e *C.struct_pysock_error) {
	if e == nil {
		return
	}
	putCString(e.cls[:], r.Class)
	e.has_errno, e.errno_ = 0, 0
	if r.HasErrno {
		e.has_errno, e.errno_ = 1, C.int(r.Errno)
	}
	e.truncated = 0
	if putCString(e.message[:], r.Message) {
		e.truncated = 1
	}
}

// putCString copies s into the C array dst, NUL-terminated, cut at the last whole UTF-8
// character that fits; it reports whether s was cut.
func putCString(dst []C.char, s string) (cut bool) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst))
	s, cut = cutUTF8(s, len(b)-1)
	b[copy(b, s)] = 0
	return cut
}

// cutUTF8 returns the longest prefix of s of at most room bytes that does not split a UTF-8
// character, and whether it is shorter than s.
func cutUTF8(s string, room int) (string, bool) {
	if len(s) <= room {
		return s, false
	}
	n := room
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// fail reports err in *e and returns -1, the status of every failed call.
func fail(e *C.struct_pysock_error, err error) C.int {
	describe(err).put(e)
	return -1
}

// fail64 is fail for the calls that return a count.
func fail64(e *C.struct_pysock_error, err error) C.int64_t {
	describe(err).put(e)
	return -1
}

// failRecord reports r and returns -1.
func failRecord(e *C.struct_pysock_error, r record) C.int {
	r.put(e)
	return -1
}

// succeed marks *e as holding no exception (the one field a successful call writes).
func succeed(e *C.struct_pysock_error) {
	if e != nil {
		e.cls[0] = 0
	}
}

// guard, deferred first in every export, turns a panic of the calling goroutine into a
// SystemError record and the status -1.
func guard[T ~int32 | ~int64](fn string, e *C.struct_pysock_error, status *T) {
	if p := recover(); p != nil {
		panicRecord(fn, p).put(e)
		*status = -1
	}
}

// pysock_go_selftest_panic panics inside an export, so that test/cpysock can check from C
// that a Go panic comes back as a SystemError record and that the library goes on
// working. It is not part of pysock.h.
//
//export pysock_go_selftest_panic
func pysock_go_selftest_panic(e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_go_selftest_panic", e, &r)
	panic("a deliberate panic")
}
