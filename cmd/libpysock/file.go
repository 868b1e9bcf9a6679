//go:build linux

package main

/*
#include "export.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/csock/csock/facade"
)

// The file functions of pysock.h: socket.makefile() and the file's read, readline, write,
// flush and close, over the facade's *facade.File. A file is a handle of the files
// table (handles.go).

// cString is a C string as a Go string, "" for NULL.
func cString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

//export pysock_go_makefile
func pysock_go_makefile(h C.int64_t, mode *C.pysock_cchar, opts *C.pysock_cfileopts, file *C.int64_t,
	e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_makefile", e, &r)
	if file == nil {
		return failRecord(e, nullArg("pysock_makefile", "file"))
	}
	m := "r"
	if mode != nil {
		m = C.GoString((*C.char)(mode))
	}
	var o facade.FileOptions // makefile(mode): every option None
	if opts != nil {
		o.Buffering = new(int(opts.buffering)) // Python's number: PYSOCK_BUFFERING_DEFAULT (-1) is None's default
		o.Encoding = cString(opts.encoding)
		o.Errors = cString(opts.errors)
		if opts.newline != nil {
			nl := C.GoString(opts.newline)
			o.Newline = &nl
		}
	}
	var f *facade.File
	if st := withSock(h, e, func(s *facade.Socket) (err error) {
		f, err = s.MakeFile(m, o)
		return err
	}); st != 0 {
		return st
	}
	*file = C.int64_t(files.add(openFile{f: f, sock: int64(h)}))
	succeed(e)
	return 0
}

// errClosedFile is the error of a file handle that was closed: what CPython's text and
// unbuffered files raise on a closed file (its buffered binary ones word it per method,
// "read of closed file"; the closed object is gone here, so its class is not known).
func errClosedFile() error {
	return &facade.ValueError{Msg: "I/O operation on closed file."}
}

// withFile runs f on the file of handle h: a closed file is errClosedFile, a handle never
// issued as a file [Errno 9].
func withFile(h C.int64_t, f func(*facade.File) (int, error)) (int, error) {
	file, err := files.get(int64(h))
	if err != nil {
		if files.issued(int64(h)) {
			return 0, errClosedFile()
		}
		return 0, err
	}
	return f(file.f)
}

// fileCount reports the result of a file call: a count, PYSOCK_NONE for Python's None, or
// -1 and the error.
func fileCount(n int, err error, e *C.struct_pysock_error) C.int64_t {
	switch {
	case errors.Is(err, facade.ErrNone):
		succeed(e)
		return C.PYSOCK_NONE
	case err != nil:
		return fail64(e, err)
	}
	succeed(e)
	return C.int64_t(n)
}

// isText reports whether f is a text file (a TextIOWrapper, which has an encoding).
func isText(f *facade.File) bool {
	_, err := f.Encoding()
	return err == nil
}

// textLimit is the number of characters whose UTF-8 fits in n bytes: n / 4 (a character
// held as package py holds a str takes at most 4 bytes, a lone surrogate 3). A buffer too
// small for one character is a ValueError.
func textLimit(fn string, n int) (int, error) {
	if n < 4 {
		return 0, &facade.ValueError{Msg: fmt.Sprintf("%s: a text file needs a buffer of at least 4 bytes (one character), not %d", fn, n)}
	}
	return n / 4, nil
}

// readInto writes the result of a read into b, which was sized for it.
func readInto(b []byte, v []byte, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	if len(v) > len(b) {
		return 0, fmt.Errorf("read %d bytes for a buffer of %d", len(v), len(b))
	}
	return copy(b, v), nil
}

//export pysock_go_file_read
func pysock_go_file_read(h C.int64_t, buf unsafe.Pointer, n C.size_t, e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_file_read"
	defer guard(fn, e, &r)
	k, err := withFile(h, func(f *facade.File) (int, error) {
		b, err := inBuffer(fn, "buf", buf, n)
		if err != nil {
			return 0, err
		}
		if !isText(f) {
			return f.ReadInto(b) // read(len(b)), straight into the caller's memory
		}
		chars, err := textLimit(fn, len(b))
		if err != nil {
			return 0, err
		}
		v, err := f.ReadN(chars)
		return readInto(b, v, err)
	})
	return fileCount(k, err, e)
}

//export pysock_go_file_readline
func pysock_go_file_readline(h C.int64_t, buf unsafe.Pointer, n C.size_t, e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_file_readline"
	defer guard(fn, e, &r)
	k, err := withFile(h, func(f *facade.File) (int, error) {
		b, err := inBuffer(fn, "buf", buf, n)
		if err != nil {
			return 0, err
		}
		limit := len(b)
		if isText(f) {
			if limit, err = textLimit(fn, len(b)); err != nil {
				return 0, err
			}
		}
		v, err := f.ReadLineN(limit)
		return readInto(b, v, err)
	})
	return fileCount(k, err, e)
}

//export pysock_go_file_write
func pysock_go_file_write(h C.int64_t, data *C.pysock_cvoid, n C.size_t, e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_file_write"
	defer guard(fn, e, &r)
	k, err := withFile(h, func(f *facade.File) (int, error) {
		b, err := inBuffer(fn, "data", unsafe.Pointer(data), n)
		if err != nil {
			return 0, err
		}
		return f.PyWrite(b)
	})
	return fileCount(k, err, e)
}

//export pysock_go_file_flush
func pysock_go_file_flush(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_file_flush", e, &r)
	_, err := withFile(h, func(f *facade.File) (int, error) { return 0, f.Flush() })
	if err != nil {
		return fail(e, err)
	}
	succeed(e)
	return 0
}

//export pysock_go_file_close
func pysock_go_file_close(h C.int64_t, e *C.struct_pysock_error) (r C.int) {
	defer guard("pysock_file_close", e, &r)
	f, ok, issued := files.remove(int64(h))
	switch {
	case ok:
		err := f.f.Close()
		// The socket's last file closed the descriptor of a socket closed before it
		// (CPython's _io_refs): its handle, kept open until now, is closed as any other.
		handles.recheck(f.sock)
		if err != nil {
			return fail(e, err)
		}
	case !issued:
		return fail(e, errBadHandle())
	}
	succeed(e)
	return 0
}
