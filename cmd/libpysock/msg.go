//go:build linux

package main

/*
#include <stddef.h>
#include "export.h"

// The alignment of each item's data in the block pysock_recvmsg returns: malloc's.
enum { pysock_data_align = _Alignof(max_align_t) };
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"os"
	"syscall"
	"unsafe"

	"github.com/csock/csock/facade"
)

// The message functions of pysock.h: sendmsg, recvmsg, recvmsg_into, send_fds, recv_fds
// and sendfile. Buffers and ancillary items come from C as arrays of structs and reach the
// facade as Go slices over the caller's memory (nothing is copied); the ancillary items
// received go back in one malloc(3) block.

// validBuffer reports whether p[0..n) is a buffer inBuffer accepts, without building the
// name of the argument (done only for the error).
func validBuffer(p unsafe.Pointer, n C.size_t) bool {
	return uint64(n) <= math.MaxInt64 && (n == 0 || p != nil && uintptr(p)+uintptr(n) >= uintptr(p))
}

// inArray is the Go view of the caller's array p[0..n) of T, argument arg of the export
// fn: inBuffer's rules for n elements (a count above PTRDIFF_MAX is an OverflowError, NULL
// with a count a ValueError, and so is an array that would not fit in memory). No copy.
func inArray[T any](fn, arg string, p *T, n C.size_t) ([]T, error) {
	size := uint64(unsafe.Sizeof(*p))
	switch {
	case uint64(n) > math.MaxInt64:
		return nil, errTooLarge()
	case n == 0:
		return []T{}, nil
	case p == nil:
		return nil, nullBuffer(fn, arg, n)
	case uint64(n) > math.MaxInt64/size || uintptr(unsafe.Pointer(p))+uintptr(uint64(n)*size) < uintptr(unsafe.Pointer(p)):
		return nil, &facade.ValueError{Msg: fmt.Sprintf("%s: %s runs past the end of memory (length %d)", fn, arg, uint64(n))}
	}
	return unsafe.Slice(p, int(n)), nil
}

// sendBuffers is the [][]byte over the caller's buffers[0..n).
func sendBuffers(fn string, buffers *C.pysock_cbuf, n C.size_t) ([][]byte, error) {
	arr, err := inArray(fn, "buffers", buffers, n)
	if err != nil {
		return nil, err
	}
	bufs := make([][]byte, len(arr))
	for i := range arr {
		p, l := unsafe.Pointer(arr[i].data), arr[i].len
		if !validBuffer(p, l) {
			_, err := inBuffer(fn, fmt.Sprintf("buffers[%d].data", i), p, l)
			return nil, err
		}
		bufs[i], _ = inBuffer(fn, "", p, l)
	}
	return bufs, nil
}

// recvBuffers is the [][]byte over the caller's buffers[0..n), to receive into.
func recvBuffers(fn string, buffers *C.pysock_crecvbuf, n C.size_t) ([][]byte, error) {
	arr, err := inArray(fn, "buffers", buffers, n)
	if err != nil {
		return nil, err
	}
	bufs := make([][]byte, len(arr))
	for i := range arr {
		p, l := arr[i].data, arr[i].len
		if !validBuffer(p, l) {
			_, err := inBuffer(fn, fmt.Sprintf("buffers[%d].data", i), p, l)
			return nil, err
		}
		bufs[i], _ = inBuffer(fn, "", p, l)
	}
	return bufs, nil
}

// ancillaryItems is the facade's form of the caller's ancdata[0..n); each item's data is
// the caller's memory (the facade copies it into the control buffer).
func ancillaryItems(fn string, ancdata *C.pysock_ccmsg, n C.size_t) ([]facade.Ancillary, error) {
	arr, err := inArray(fn, "ancdata", ancdata, n)
	if err != nil {
		return nil, err
	}
	items := make([]facade.Ancillary, len(arr))
	for i := range arr {
		p, l := unsafe.Pointer(arr[i].data), arr[i].len
		if !validBuffer(p, l) {
			_, err := inBuffer(fn, fmt.Sprintf("ancdata[%d].data", i), p, l)
			return nil, err
		}
		data, _ := inBuffer(fn, "", p, l)
		items[i] = facade.Ancillary{Level: int(arr[i].level), Type: int(arr[i]._type), Data: data}
	}
	return items, nil
}

// ancBlock copies items into one malloc'd block: the array of pysock_cmsg, then each
// item's data, at pysock_data_align boundaries (malloc's alignment). No items is no block
// (NULL).
func ancBlock(items []facade.Ancillary) *C.struct_pysock_cmsg {
	if len(items) == 0 {
		return nil
	}
	const align = uintptr(C.pysock_data_align)
	up := func(n uintptr) uintptr { return (n + align - 1) &^ (align - 1) }
	head := up(uintptr(len(items)) * unsafe.Sizeof(C.struct_pysock_cmsg{}))
	size := head
	for _, it := range items {
		size += up(uintptr(len(it.Data)))
	}
	block := C.malloc(C.size_t(size))
	arr := unsafe.Slice((*C.struct_pysock_cmsg)(block), len(items))
	at := head
	for i, it := range items {
		p := unsafe.Add(block, at)
		copy(unsafe.Slice((*byte)(p), len(it.Data)), it.Data)
		arr[i] = C.struct_pysock_cmsg{
			level: C.int(it.Level),
			_type: C.int(it.Type),
			data:  p, // one past the block's end for the last item when it is empty: never read
			len:   C.size_t(len(it.Data)),
		}
		at += up(uintptr(len(it.Data)))
	}
	return (*C.struct_pysock_cmsg)(block)
}

// ancillaryOut checks recvmsg's out-parameters for the ancillary data and clears them:
// they may be NULL only when no ancillary buffer is asked for, so that no received
// descriptor can be lost.
func ancillaryOut(fn string, ancbufsize C.size_t, ancdata **C.pysock_mcmsg, n *C.size_t) (ok bool, r record) {
	if ancdata != nil {
		*ancdata = nil
	}
	if n != nil {
		*n = 0
	}
	switch {
	case ancbufsize != 0 && ancdata == nil:
		return false, nullArg(fn, "ancdata")
	case ancdata != nil && n == nil:
		return false, nullArg(fn, "nancdata")
	}
	return true, record{}
}

// ancillarySize is ancbufsize as the facade takes it.
func ancillarySize(ancbufsize C.size_t) (int, error) {
	if uint64(ancbufsize) > math.MaxInt64 {
		return 0, errTooLarge()
	}
	return int(ancbufsize), nil
}

// putMessage writes a received message's ancillary data, flags and sender into the
// out-parameters that are not NULL.
func putMessage(items []facade.Ancillary, mflags int, addr facade.Address,
	ancdata **C.pysock_mcmsg, nanc *C.size_t, msgFlags *C.int, address *C.struct_pysock_addrbuf) {
	if ancdata != nil {
		*ancdata = ancBlock(items)
		*nanc = C.size_t(len(items))
	}
	if msgFlags != nil {
		*msgFlags = C.int(mflags)
	}
	if address != nil {
		putAddr(address, addr)
	}
}

//export pysock_go_sendmsg
func pysock_go_sendmsg(h C.int64_t, buffers *C.pysock_cbuf, nbuffers C.size_t, ancdata *C.pysock_ccmsg, nanc C.size_t,
	flags C.int, address *C.pysock_caddr, e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_sendmsg"
	defer guard(fn, e, &r)
	addr, err := readAddr(fn, address)
	if err != nil {
		return fail64(e, err)
	}
	bufs, err := sendBuffers(fn, buffers, nbuffers)
	if err != nil {
		return fail64(e, err)
	}
	items, err := ancillaryItems(fn, ancdata, nanc)
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) {
		return s.SendMsg(bufs, items, facade.MsgFlag(flags), addr.value(s.Family()))
	})
}

//export pysock_go_recvmsg
func pysock_go_recvmsg(h C.int64_t, buf unsafe.Pointer, n, ancbufsize C.size_t, flags C.int,
	ancdata **C.pysock_mcmsg, nanc *C.size_t, msgFlags *C.int, address *C.struct_pysock_addrbuf,
	e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_recvmsg"
	defer guard(fn, e, &r)
	if ok, rec := ancillaryOut(fn, ancbufsize, ancdata, nanc); !ok {
		return C.int64_t(failRecord(e, rec))
	}
	b, err := inBuffer(fn, "buf", buf, n)
	if err != nil {
		return fail64(e, err)
	}
	anc, err := ancillarySize(ancbufsize)
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) {
		// recvmsg(bufsize) into the caller's memory: recvmsg_into with that one buffer
		// makes the same call, without recvmsg's new bytes object.
		k, items, mflags, addr, err := s.RecvMsgInto([][]byte{b}, anc, facade.MsgFlag(flags))
		if err != nil {
			return 0, err
		}
		putMessage(items, mflags, addr, ancdata, nanc, msgFlags, address)
		return min(k, len(b)), nil // recvmsg's data is never longer than bufsize
	})
}

//export pysock_go_recvmsg_into
func pysock_go_recvmsg_into(h C.int64_t, buffers *C.pysock_crecvbuf, nbuffers, ancbufsize C.size_t, flags C.int,
	ancdata **C.pysock_mcmsg, nanc *C.size_t, msgFlags *C.int, address *C.struct_pysock_addrbuf,
	e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_recvmsg_into"
	defer guard(fn, e, &r)
	if ok, rec := ancillaryOut(fn, ancbufsize, ancdata, nanc); !ok {
		return C.int64_t(failRecord(e, rec))
	}
	bufs, err := recvBuffers(fn, buffers, nbuffers)
	if err != nil {
		return fail64(e, err)
	}
	anc, err := ancillarySize(ancbufsize)
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) {
		k, items, mflags, addr, err := s.RecvMsgInto(bufs, anc, facade.MsgFlag(flags))
		if err != nil {
			return 0, err
		}
		putMessage(items, mflags, addr, ancdata, nanc, msgFlags, address)
		return k, nil
	})
}

//export pysock_go_send_fds
func pysock_go_send_fds(h C.int64_t, buffers *C.pysock_cbuf, nbuffers C.size_t, fds *C.pysock_cint, nfds C.size_t,
	flags C.int, address *C.pysock_caddr, e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_send_fds"
	defer guard(fn, e, &r)
	_ = address // CPython 3.11's send_fds ignores it: not read (pysock.h)
	bufs, err := sendBuffers(fn, buffers, nbuffers)
	if err != nil {
		return fail64(e, err)
	}
	arr, err := inArray(fn, "fds", fds, nfds)
	if err != nil {
		return fail64(e, err)
	}
	list := make([]int, len(arr))
	for i, fd := range arr {
		list[i] = int(fd)
	}
	return count(h, e, func(s *facade.Socket) (int, error) {
		return facade.SendFDs(s, bufs, list, facade.MsgFlag(flags), nil)
	})
}

//export pysock_go_recv_fds
func pysock_go_recv_fds(h C.int64_t, buf unsafe.Pointer, n C.size_t, fds *C.int, maxfds C.size_t, nfds *C.size_t,
	flags C.int, msgFlags *C.int, address *C.struct_pysock_addrbuf, e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_recv_fds"
	defer guard(fn, e, &r)
	if nfds == nil {
		return C.int64_t(failRecord(e, nullArg(fn, "nfds")))
	}
	*nfds = 0
	b, err := inBuffer(fn, "buf", buf, n)
	if err != nil {
		return fail64(e, err)
	}
	out, err := inArray(fn, "fds", fds, maxfds)
	if err != nil {
		return fail64(e, err)
	}
	return count(h, e, func(s *facade.Socket) (int, error) {
		msg, got, mflags, addr, err := facade.RecvFDs(s, len(b), len(out), facade.MsgFlag(flags))
		if err != nil {
			return 0, err
		}
		k := copy(b, msg)
		for i, fd := range got {
			if i < len(out) {
				out[i] = C.int(fd)
			} else {
				// Never: the ancillary buffer, CMSG_LEN(maxfds * 4), holds no more. Closed
				// rather than leaked, as the kernel closes what did not fit.
				facade.Close(fd)
			}
		}
		*nfds = C.size_t(min(len(got), len(out)))
		putMessage(nil, mflags, addr, nil, nil, msgFlags, address)
		return k, nil
	})
}

//export pysock_go_sendfile
func pysock_go_sendfile(h C.int64_t, fd C.int, offset, cnt C.int64_t, e *C.struct_pysock_error) (r C.int64_t) {
	const fn = "pysock_sendfile"
	defer guard(fn, e, &r)
	return count(h, e, func(s *facade.Socket) (int, error) {
		var n any // count: None, or the Python int (CPython's checks apply to it)
		if cnt != C.PYSOCK_COUNT_NONE {
			n = int64(cnt)
		}
		// The caller keeps fd: the call works on a duplicate, which shares fd's open file
		// description (its position) and is closed here; no finalizer can close fd.
		dup, err := facade.Dup(int(fd))
		if err != nil {
			return 0, badFile(s, int64(offset), n, err)
		}
		f := os.NewFile(uintptr(dup), "pysock_sendfile")
		sent, err := s.SendFile(f, int64(offset), n)
		f.Close()
		return sent, err
	})
}

// badFile is sendfile's error for a descriptor that could not be duplicated: dupErr,
// reported where CPython reports a closed file's (its os.fstat fails, it gives up on
// sendfile(2) and the send() path's seek or read raises), after the checks of the socket
// type, the count and the non-blocking mode, which SendFile makes before it looks at a nil
// file (then an AttributeError).
func badFile(s *facade.Socket, offset int64, count any, dupErr error) error {
	var oserr *facade.OSError
	if !errors.As(dupErr, &oserr) || oserr.Errno != int(syscall.EBADF) {
		return dupErr // EMFILE and such: no fault of the file
	}
	_, err := s.SendFile(nil, offset, count)
	var attr *facade.AttributeError
	if err == nil || errors.As(err, &attr) {
		return dupErr
	}
	return err
}
