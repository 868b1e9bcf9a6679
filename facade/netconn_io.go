//go:build linux

package facade

import (
	"context"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/csock/csock/csock"
)

// This file holds the adapters' fast paths and message calls, in the net package's shape:
// ReadFrom by sendfile(2) from a regular file (as *net.TCPConn's), WriteTo, WriteBuffers
// (net.Buffers as sendmsg(2) calls), and ReadMsgUnix and WriteMsgUnix for descriptor
// passing (as *net.UnixConn's).

// The net.Conn adapter's optional interfaces.
var (
	_ io.ReaderFrom = (*netConn)(nil)
	_ io.WriterTo   = (*netConn)(nil)
)

// maxIOV is the most buffers one sendmsg(2) takes (IOV_MAX on Linux; the net package's
// maxVec).
const maxIOV = 1024

// ReadFrom sends what r holds until its end (io.ReaderFrom, used by io.Copy), waiting
// until the write deadline as Write does. When r is an *os.File of a regular file, or an
// *io.LimitedReader of one, the bytes go by sendfile(2) from the file's position, which
// advances (as *net.TCPConn's ReadFrom does); other readers, and files sendfile(2) cannot
// read, are copied by io.Copy through Write. Errors are *net.OpError values with Op
// "readfrom" (wrapping, on the io.Copy path, Write's own *net.OpError, as the net package
// does).
func (c *netConn) ReadFrom(r io.Reader) (int64, error) {
	n, err, handled := c.sendFile(r)
	if !handled {
		n, err = io.Copy(writerOnly{c}, r) // hides ReadFrom from io.Copy: no recursion
	}
	if err != nil && err != io.EOF {
		err = c.wrapOp("readfrom", err)
	}
	return n, err
}

// writerOnly hides every method of an io.Writer but Write.
type writerOnly struct{ io.Writer }

// readerOnly hides every method of an io.Reader but Read.
type readerOnly struct{ io.Reader }

// sendFile is ReadFrom's sendfile(2) path (the net package's sendFile for Linux): handled
// is false when r is no regular file, or sendfile(2) refused the file before sending
// anything, and ReadFrom copies instead. The error is the engine's (opError converts it).
func (c *netConn) sendFile(r io.Reader) (written int64, err error, handled bool) {
	remain := int64(1<<63 - 1) // to the end of the file
	lr, ok := r.(*io.LimitedReader)
	if ok {
		remain, r = lr.N, lr.R
		if remain <= 0 {
			return 0, nil, true
		}
	}
	f, ok := r.(*os.File)
	if !ok {
		return 0, nil, false
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return 0, nil, false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, nil, false
	}
	handled = true
	if cerr := rc.Control(func(fd uintptr) {
		written, err, handled = c.sendFileFrom(int(fd), remain)
	}); cerr != nil {
		return 0, nil, false // closed meanwhile: io.Copy's Read reports it
	}
	if lr != nil {
		lr.N = remain - written
	}
	return written, err, handled
}

// sendFileFrom sends up to remain bytes of the file fd from its position.
func (c *netConn) sendFileFrom(fd int, remain int64) (written int64, err error, handled bool) {
	for remain > 0 {
		dl, err := c.ready(&c.wd)
		if err != nil {
			return written, err, true
		}
		x := opExt{inFD: fd, filePos: true, count: int(min(remain, sendfileBlock))}
		a := opArgs{kind: opSendFile, x: &x}
		c.s.doTimeout(context.Background(), &a, true, noTimeout, dl, &c.wd)
		switch a.err {
		case nil:
		case errTimedOut:
			continue // the deadline moved or passed, or the adapter closed: ready says which
		case syscall.EINVAL, syscall.ENOSYS, syscall.EOPNOTSUPP:
			if written == 0 {
				return 0, nil, false // a file sendfile(2) cannot read: copy it instead
			}
			return written, a.err, true
		default:
			return written, a.err, true
		}
		if a.n == 0 {
			break // the end of the file
		}
		written += int64(a.n)
		remain -= int64(a.n)
	}
	return written, nil, true
}

// WriteTo receives until the end of the stream and writes what it receives to w
// (io.WriterTo, used by io.Copy), by io.Copy through Read: the bytes go through memory,
// whatever w is (the shim has no splice(2) yet). Errors are *net.OpError values with Op
// "writeto", as the net package's.
func (c *netConn) WriteTo(w io.Writer) (int64, error) {
	n, err := io.Copy(w, readerOnly{c}) // hides WriteTo from io.Copy: no recursion
	if err != nil && err != io.EOF {
		err = c.wrapOp("writeto", err)
	}
	return n, err
}

// wrapOp is opError, except that an error that is already a *net.OpError (Read's or
// Write's, on io.Copy's path) is wrapped as it is, as the net package wraps it.
func (c *adapter) wrapOp(op string, err error) error {
	if _, ok := err.(*net.OpError); ok {
		return &net.OpError{Op: op, Net: c.net, Source: c.laddr, Addr: c.raddr, Err: err}
	}
	return c.opError(op, err)
}

// WriteBuffers sends the buffers of v in order, gathered by sendmsg(2): one call per
// round until all is sent (1024 buffers at most per call, IOV_MAX), so that a datagram
// socket sends them as one datagram. It is the fast path the net package gives
// net.Buffers on its own connections (their unexported writeBuffers method, which
// net.Buffers.WriteTo looks for); a program writes a net.Buffers through the adapter with
//
//	conn.(interface{ WriteBuffers(net.Buffers) (int64, error) }).WriteBuffers(v)
//
// It waits until the write deadline as Write does, returns the count sent (also with an
// error, a *net.OpError with Op "writev" as the net package's), makes at least one call
// (an empty v is an empty datagram on a datagram socket) and, unlike net.Buffers.WriteTo,
// leaves v as it was.
func (c *netConn) WriteBuffers(v net.Buffers) (int64, error) {
	bufs := make([][]byte, len(v)) // the copy that is consumed, not the caller's
	copy(bufs, v)
	var n int64
	for first := true; first || len(bufs) > 0; {
		dl, err := c.ready(&c.wd)
		if err != nil {
			return n, c.opError("writev", err)
		}
		x := opExt{bufs: bufs[:min(len(bufs), maxIOV)]}
		a := opArgs{kind: opSendMsg, x: &x}
		c.s.doTimeout(context.Background(), &a, true, noTimeout, dl, &c.wd)
		switch a.err {
		case nil:
		case errTimedOut:
			continue
		default:
			return n, c.opError("writev", a.err)
		}
		first = false
		n += int64(a.n)
		consume(&bufs, int64(a.n))
	}
	return n, nil
}

// consume drops the first n bytes of *v, and the buffers emptied (net.Buffers.consume).
func consume(v *[][]byte, n int64) {
	for len(*v) > 0 {
		l := int64(len((*v)[0]))
		if l > n {
			(*v)[0] = (*v)[0][n:]
			return
		}
		n -= l
		(*v)[0] = nil
		*v = (*v)[1:]
	}
}

// ReadMsgUnix receives into b and its ancillary data into oob, as *net.UnixConn's
// ReadMsgUnix does: one recvmsg(2) with MSG_CMSG_CLOEXEC (so descriptors received with
// SCM_RIGHTS are close-on-exec, as Go's are; syscall.ParseUnixRights reads them), waiting
// until the read deadline. It returns the bytes received, the bytes of oob used, the
// message's flags (MSG_CTRUNC when oob was too small), and the sender's address when the
// kernel reports a named one (nil otherwise). With an empty b and a non-empty oob on a
// stream socket it receives one byte into a buffer of its own (as Go's syscall.Recvmsg
// does), since the ancillary data come with normal data. A zero-byte read is no io.EOF.
func (c *adapter) ReadMsgUnix(b, oob []byte) (n, oobn, flags int, addr *net.UnixAddr, err error) {
	var dummy [1]byte
	bufs := [][]byte{b}
	if len(b) == 0 && len(oob) > 0 && c.s.typ != csock.SOCK_DGRAM {
		bufs[0] = dummy[:]
	}
	for {
		dl, err := c.ready(&c.rd)
		if err != nil {
			return 0, 0, 0, nil, c.opError("read", err)
		}
		x := opExt{bufs: bufs, control: oob}
		a := opArgs{kind: opRecvMsg, flags: csock.MSG_CMSG_CLOEXEC, x: &x}
		c.s.doTimeout(context.Background(), &a, false, noTimeout, dl, &c.rd)
		switch a.err {
		case nil:
		case errTimedOut:
			continue
		default:
			return 0, 0, 0, nil, c.opError("read", a.err)
		}
		if ua, ok := makeAddress(&x.addr).(UnixAddress); ok && len(ua.Name) > 0 {
			addr = toNetAddr(c.net, c.s.family, ua).(*net.UnixAddr)
		}
		return a.n, x.cn, x.mflags, addr, nil
	}
}

// WriteMsgUnix sends b with the ancillary data oob (syscall.UnixRights(fds...) passes
// descriptors), to addr, or to the connected peer when addr is nil, as *net.UnixConn's
// WriteMsgUnix does: one sendmsg(2) (MSG_NOSIGNAL added), waiting until the write
// deadline. It returns the bytes of b sent and len(oob). On a stream socket addr must be
// nil (net.ErrWriteToConnected), and an empty b with a non-empty oob sends one zero byte
// (reported as 0), since ancillary data need normal data to travel with, as Go's
// syscall.SendmsgN does. An address error is the facade's (parsed as sendto's).
func (c *adapter) WriteMsgUnix(b, oob []byte, addr *net.UnixAddr) (n, oobn int, err error) {
	var to csock.Addr
	if addr != nil {
		if c.s.typ == csock.SOCK_STREAM {
			return 0, 0, c.writeMsgError(addr, net.ErrWriteToConnected)
		}
		if to, err = parseAddress(c.s.family, unixAddrValue(addr), "sendto"); err != nil {
			return 0, 0, c.writeMsgError(addr, err)
		}
	}
	var dummy [1]byte
	bufs := [][]byte{b}
	if len(b) == 0 && len(oob) > 0 && c.s.typ != csock.SOCK_DGRAM {
		bufs[0] = dummy[:]
	}
	for {
		dl, err := c.ready(&c.wd)
		if err != nil {
			return 0, 0, c.writeMsgError(addr, err)
		}
		x := opExt{bufs: bufs, control: oob, addr: to}
		a := opArgs{kind: opSendMsg, x: &x}
		c.s.doTimeout(context.Background(), &a, true, noTimeout, dl, &c.wd)
		switch a.err {
		case nil:
		case errTimedOut:
			continue
		default:
			return 0, 0, c.writeMsgError(addr, a.err)
		}
		if len(b) == 0 {
			a.n = 0
		}
		return a.n, len(oob), nil
	}
}

// writeMsgError wraps an error of WriteMsgUnix as *net.UnixConn's does: Addr is the
// address given (none for nil), not the peer's.
func (c *adapter) writeMsgError(addr *net.UnixAddr, err error) error {
	e := &net.OpError{Op: "write", Net: c.net, Source: c.laddr, Err: netErr(c.s, err)}
	if addr != nil {
		e.Addr = addr
	}
	return e
}

// unixAddrValue is the Python value of a *net.UnixAddr: its name as bytes, an '@' at its
// start standing for the NUL of Linux's abstract namespace (as in the net package).
func unixAddrValue(a *net.UnixAddr) []byte {
	name := []byte(a.Name)
	if len(name) > 0 && name[0] == '@' {
		name[0] = 0
	}
	return name
}
