//go:build linux

package facade

import (
	"context"
	"fmt"
	"io"
	"math"
	"syscall"
	"time"

	"github.com/csock/csock/csock"
)

// The methods of this file may wait: they follow the socket's timeout mode (CPython's
// B.2; poll.go has the machinery). In blocking mode they wait without limit, in timeout
// mode until the deadline ("TimeoutError: timed out", errors.Is(err,
// os.ErrDeadlineExceeded)), in non-blocking mode not at all
// ("BlockingIOError: [Errno 11] Resource temporarily unavailable"). Close wakes a waiting
// call, which then fails with "[Errno 9] Bad file descriptor".
//
// In blocking mode, the flags keep the meaning they have for a blocking recv(2) or
// send(2): MSG_DONTWAIT makes the call non-blocking (BlockingIOError instead of a wait),
// and MSG_WAITALL on a stream socket waits until the buffer is full or the stream ends
// (except with MSG_PEEK, and for recvfrom, where it returns what is there).
//
// Each has a ...Context variant: when ctx ends, the waiting call returns at once with an
// error wrapping ctx.Err() (errors.Is(err, context.Canceled) holds). The socket's own
// timeout still applies; the earlier of the two wins. A context is looked at only while
// the call waits, and before it starts: a call that needs no wait is not interrupted, and
// the address resolution of Connect and SendTo is not either.

// maxRW is the most a single read or write transfers on Linux (MAX_RW_COUNT): Recv never
// allocates more than that, whatever bufsize asks.
const maxRW = 0x7ffff000

// maxBytes is the longest bytes object CPython can make: PY_SSIZE_T_MAX less the 33
// bytes of a PyBytesObject's header and terminator.
const maxBytes = math.MaxInt64 - 33

// recvBuffer is the buffer of a receive of bufsize (not negative) bytes. CPython makes a
// bytes object of bufsize first, so past maxBytes it raises "OverflowError: byte string is
// too large" (and MemoryError where malloc fails, which the facade never reproduces: it
// allocates at most maxRW, all one read can return).
func recvBuffer(bufsize int) ([]byte, error) {
	if bufsize > maxBytes {
		return nil, &OverflowError{Msg: "byte string is too large"}
	}
	return make([]byte, min(bufsize, maxRW)), nil
}

// ioError converts the outcome of an operation into the error CPython raises for it: an
// errno becomes its OSError, a context's error is wrapped with the operation's name.
func ioError(op string, err error) error {
	switch err {
	case nil:
		return nil
	case errTimedOut:
		return err
	case context.Canceled, context.DeadlineExceeded:
		return fmt.Errorf("%s: %w", op, err)
	}
	return fromBinding(err)
}

// Recv receives at most bufsize bytes: CPython's socket.recv(bufsize[, flags]). An empty
// result means the peer closed the connection (or sent an empty datagram). bufsize 0
// returns an empty slice without a system call, even on a closed socket; a negative one is
// "ValueError: negative buffersize in recv". With MSG_TRUNC the result is as long as the
// datagram, even a longer one than bufsize (only bufsize bytes of it are received; the rest
// is zeros), as CPython's is.
func (s *Socket) Recv(bufsize int, flags MsgFlag) ([]byte, error) {
	return s.recv(context.Background(), bufsize, int(flags))
}

// RecvContext is Recv that also returns when ctx ends.
func (s *Socket) RecvContext(ctx context.Context, bufsize int, flags MsgFlag) ([]byte, error) {
	return s.recv(ctx, bufsize, int(flags))
}

func (s *Socket) recv(ctx context.Context, bufsize, flags int) ([]byte, error) {
	if _, err := goInt(flags); err != nil {
		return nil, err
	}
	if bufsize < 0 {
		return nil, &ValueError{Msg: "negative buffersize in recv"}
	}
	if bufsize == 0 {
		return []byte{}, nil
	}
	buf, err := recvBuffer(bufsize)
	if err != nil {
		return nil, err
	}
	a := opArgs{kind: opRecv, buf: buf, flags: flags}
	s.do(ctx, &a, false)
	if a.err != nil {
		return nil, ioError("recv", a.err)
	}
	return received(buf, a.n), nil
}

// received is the result of a receive into buf that returned n. With MSG_TRUNC, n is the
// length of a datagram that may be longer than buf, and CPython returns a bytes object
// that long: buf's bytes, then the rest of its buffer as memory left it (zeros here).
func received(buf []byte, n int) []byte {
	if n > len(buf) {
		long := make([]byte, n)
		copy(long, buf)
		return long
	}
	return buf[:n:n]
}

// RecvInto receives into buf and returns the byte count: CPython's
// socket.recv_into(buffer[, nbytes[, flags]]). nbytes 0 means len(buf); a negative nbytes
// is "ValueError: negative buffersize in recv_into", one beyond len(buf) "ValueError:
// buffer too small for requested bytes". When there is nothing to receive into it returns
// 0 without a system call. Bytes of buf past the count are left as they were.
//
// On a connected socket in blocking mode it does not allocate. buf is retained only during
// the call (but escapes to the heap).
func (s *Socket) RecvInto(buf []byte, nbytes int, flags MsgFlag) (int, error) {
	return s.recvInto(context.Background(), buf, nbytes, int(flags))
}

// RecvIntoContext is RecvInto that also returns when ctx ends.
func (s *Socket) RecvIntoContext(ctx context.Context, buf []byte, nbytes int, flags MsgFlag) (int, error) {
	return s.recvInto(ctx, buf, nbytes, int(flags))
}

func (s *Socket) recvInto(ctx context.Context, buf []byte, nbytes, flags int) (int, error) {
	if _, err := goInt(flags); err != nil {
		return 0, err
	}
	if nbytes < 0 {
		return 0, &ValueError{Msg: "negative buffersize in recv_into"}
	}
	if nbytes == 0 {
		nbytes = len(buf)
	}
	if len(buf) < nbytes {
		return 0, &ValueError{Msg: "buffer too small for requested bytes"}
	}
	if nbytes == 0 {
		return 0, nil
	}
	a := opArgs{kind: opRecv, buf: buf[:nbytes], flags: flags}
	s.do(ctx, &a, false)
	if a.err != nil {
		return 0, ioError("recv_into", a.err)
	}
	return a.n, nil
}

// RecvFrom receives at most bufsize bytes and the sender's address: CPython's
// socket.recvfrom(bufsize[, flags]). The address is nil (None) when the kernel reports
// none (a connected stream). Unlike Recv, bufsize 0 makes the system call (and may wait).
// A negative bufsize is "ValueError: negative buffersize in recvfrom". MSG_TRUNC as for Recv.
func (s *Socket) RecvFrom(bufsize int, flags MsgFlag) ([]byte, Address, error) {
	return s.recvFrom(context.Background(), bufsize, int(flags))
}

// RecvFromContext is RecvFrom that also returns when ctx ends.
func (s *Socket) RecvFromContext(ctx context.Context, bufsize int, flags MsgFlag) ([]byte, Address, error) {
	return s.recvFrom(ctx, bufsize, int(flags))
}

func (s *Socket) recvFrom(ctx context.Context, bufsize, flags int) ([]byte, Address, error) {
	if _, err := goInt(flags); err != nil {
		return nil, nil, err
	}
	if bufsize < 0 {
		return nil, nil, &ValueError{Msg: "negative buffersize in recvfrom"}
	}
	buf, err := recvBuffer(bufsize)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkAddrLen(); err != nil {
		return nil, nil, err
	}
	x := opExt{}
	a := opArgs{kind: opRecvFrom, buf: buf, flags: flags, x: &x}
	s.do(ctx, &a, false)
	if a.err != nil {
		return nil, nil, ioError("recvfrom", a.err)
	}
	return received(buf, a.n), makeAddress(&x.addr), nil
}

// RecvFromInto receives into buf and returns the byte count and the sender's address:
// CPython's socket.recvfrom_into(buffer[, nbytes[, flags]]). nbytes 0 means len(buf); a
// negative nbytes is "ValueError: negative buffersize in recvfrom_into", one beyond
// len(buf) "ValueError: nbytes is greater than the length of the buffer" (not RecvInto's
// text). Unlike RecvInto, an empty buffer still makes the system call.
func (s *Socket) RecvFromInto(buf []byte, nbytes int, flags MsgFlag) (int, Address, error) {
	if _, err := goInt(int(flags)); err != nil {
		return 0, nil, err
	}
	if nbytes < 0 {
		return 0, nil, &ValueError{Msg: "negative buffersize in recvfrom_into"}
	}
	if nbytes == 0 {
		nbytes = len(buf)
	}
	if nbytes > len(buf) {
		return 0, nil, &ValueError{Msg: "nbytes is greater than the length of the buffer"}
	}
	if err := s.checkAddrLen(); err != nil {
		return 0, nil, err
	}
	x := opExt{}
	a := opArgs{kind: opRecvFrom, buf: buf[:nbytes], flags: int(flags), x: &x}
	s.do(context.Background(), &a, false)
	if a.err != nil {
		return 0, nil, ioError("recvfrom_into", a.err)
	}
	return a.n, makeAddress(&x.addr), nil
}

// Send sends data and returns how many bytes were sent, possibly fewer than len(data):
// CPython's socket.send(data[, flags]). Sending empty data is still a system call. An
// unconnected TCP socket fails with "BrokenPipeError: [Errno 32] Broken pipe", an
// unconnected UDP one with "[Errno 89] Destination address required". MSG_NOSIGNAL is
// always added (a dead peer is EPIPE, never SIGPIPE: CPython ignores SIGPIPE instead).
//
// On a connected socket in blocking mode it does not allocate.
func (s *Socket) Send(data []byte, flags MsgFlag) (int, error) {
	return s.send(context.Background(), data, int(flags))
}

// SendContext is Send that also returns when ctx ends.
func (s *Socket) SendContext(ctx context.Context, data []byte, flags MsgFlag) (int, error) {
	return s.send(ctx, data, int(flags))
}

func (s *Socket) send(ctx context.Context, data []byte, flags int) (int, error) {
	if _, err := goInt(flags); err != nil {
		return 0, err
	}
	a := opArgs{kind: opSend, buf: data, flags: flags}
	s.do(ctx, &a, true)
	if a.err != nil {
		return 0, ioError("send", a.err)
	}
	return a.n, nil
}

// SendAll sends all of data: CPython's socket.sendall(data[, flags]). It sends at least
// once, even for empty data. In timeout mode the timeout bounds the whole call, not each
// send (CPython's B.5). On an error (a timeout, EPIPE, or BlockingIOError in non-blocking
// mode) some of the data may have been sent; as in CPython, the error does not say how
// much (Write does).
//
// On a connected socket in blocking mode it does not allocate.
func (s *Socket) SendAll(data []byte, flags MsgFlag) error {
	_, err := s.sendAll(context.Background(), data, int(flags))
	return err
}

// SendAllContext is SendAll that also returns when ctx ends.
func (s *Socket) SendAllContext(ctx context.Context, data []byte, flags MsgFlag) error {
	_, err := s.sendAll(ctx, data, int(flags))
	return err
}

func (s *Socket) sendAll(ctx context.Context, data []byte, flags int) (int, error) {
	if _, err := goInt(flags); err != nil {
		return 0, err
	}
	a := opArgs{kind: opSendAll, buf: data, flags: flags}
	s.do(ctx, &a, true)
	if a.err != nil {
		return a.n, ioError("sendall", a.err)
	}
	return len(data), nil
}

// SendTo sends data to address and returns the byte count: CPython's
// socket.sendto(data, address) (flags 0) and socket.sendto(data, flags, address).
// address is parsed like Bind's, with "sendto" in the messages
// ("TypeError: sendto(): AF_INET address must be tuple, not NoneType").
func (s *Socket) SendTo(data []byte, flags MsgFlag, address any) (int, error) {
	return s.sendTo(context.Background(), data, int(flags), address)
}

// SendToContext is SendTo that also returns when ctx ends (while it waits to send, not
// while the address is resolved).
func (s *Socket) SendToContext(ctx context.Context, data []byte, flags MsgFlag, address any) (int, error) {
	return s.sendTo(ctx, data, int(flags), address)
}

func (s *Socket) sendTo(ctx context.Context, data []byte, flags int, address any) (int, error) {
	if _, err := goInt(flags); err != nil {
		return 0, err
	}
	addr, err := parseAddress(s.family, address, "sendto")
	if err != nil {
		return 0, err
	}
	x := opExt{addr: addr}
	a := opArgs{kind: opSendTo, buf: data, flags: flags, x: &x}
	s.do(ctx, &a, true)
	if a.err != nil {
		return 0, ioError("sendto", a.err)
	}
	return a.n, nil
}

// Accept accepts a connection and returns the new socket and the peer's address:
// CPython's socket.accept(). The new socket has the listener's family, type and protocol
// (so proto is usually 0, not 6), a close-on-exec descriptor and the module default
// timeout, not the listener's (B.6). A socket that is not listening fails with
// "[Errno 22] Invalid argument".
func (s *Socket) Accept() (*Socket, Address, error) {
	return s.accept(context.Background())
}

// AcceptContext is Accept that also returns when ctx ends.
func (s *Socket) AcceptContext(ctx context.Context) (*Socket, Address, error) {
	return s.accept(ctx)
}

func (s *Socket) accept(ctx context.Context) (*Socket, Address, error) {
	if err := s.checkAddrLen(); err != nil {
		return nil, nil, err
	}
	x := opExt{}
	a := opArgs{kind: opAccept, x: &x}
	s.do(ctx, &a, false)
	if a.err != nil {
		return nil, nil, ioError("accept", a.err)
	}
	// CPython wraps the descriptor as socket(self.family, self.type, self.proto,
	// fileno=fd): the default timeout, and blocking if the default is None (bpo-7995).
	c := newSocket(a.n, s.family, s.typ, s.proto)
	if rt, st := s.rcvTimeo.Load(), s.sndTimeo.Load(); rt|st != 0 {
		// The kernel copies the listener's SO_RCVTIMEO and SO_SNDTIMEO to the new socket.
		c.rcvTimeo.Store(rt)
		c.sndTimeo.Store(st)
		c.unusual.Store(true)
	}
	return c, makeAddress(&x.addr), nil
}

// Connect connects the socket to address: CPython's socket.connect(address), address as
// for Bind. A refused connection is "ConnectionRefusedError: [Errno 111] Connection
// refused"; in non-blocking mode "BlockingIOError: [Errno 115] Operation now in progress"
// (then [Errno 114] while it is pending, [Errno 106] once connected).
//
// Difference: blocking mode waits for the connection on the poller instead of in the
// kernel; for an AF_UNIX listener whose backlog is full (where connect(2) says EAGAIN) it
// retries every few milliseconds, as the kernel would have waited.
func (s *Socket) Connect(address any) error {
	return s.connectCtx(context.Background(), address, "connect")
}

// ConnectContext is Connect that also returns when ctx ends (while the connection is in
// progress, not while the address is resolved).
func (s *Socket) ConnectContext(ctx context.Context, address any) error {
	return s.connectCtx(ctx, address, "connect")
}

func (s *Socket) connectCtx(ctx context.Context, address any, caller string) error {
	addr, err := parseAddress(s.family, address, caller)
	if err != nil {
		return err
	}
	return ioError(caller, s.connect(ctx, &addr))
}

// ConnectEx is CPython's socket.connect_ex(address): Connect, except that a failure of the
// connection itself is returned as its errno (0 on success), not as an error. A timeout is
// 11 (EAGAIN, as CPython returns, not 110) and a closed socket 9. Errors in the address
// (its type, its resolution) are still returned as errors.
func (s *Socket) ConnectEx(address any) (int, error) {
	addr, err := parseAddress(s.family, address, "connect_ex")
	if err != nil {
		return 0, err
	}
	switch err := s.connect(context.Background(), &addr).(type) {
	case nil:
		return 0, nil
	case syscall.Errno:
		return int(err), nil
	default:
		if err == errTimedOut {
			return int(syscall.EWOULDBLOCK), nil
		}
		return 0, ioError("connect_ex", err)
	}
}

// connect is CPython's internal_connect (B.4) on a parsed address; it returns nil, a
// syscall.Errno, errTimedOut or ctx's error.
func (s *Socket) connect(ctx context.Context, addr *csock.Addr) error {
	t := s.callTimeout()
	dl := deadlineFor(t)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var err error
	for backoff := time.Millisecond; ; backoff = min(2*backoff, 50*time.Millisecond) {
		if !s.ref.incref() {
			return syscall.EBADF
		}
		err = s.connectOnce(addr)
		s.ref.decref()
		// A blocking AF_UNIX connect(2) waits for room in the listener's backlog; a
		// non-blocking one says EAGAIN, and the poller has no event for "room".
		if err != syscall.EAGAIN || t >= 0 || s.family != csock.AF_UNIX {
			break
		}
		if err := sleepCtx(ctx, backoff); err != nil {
			return err
		}
	}
	switch {
	case err == nil:
		return nil
	case t == 0, err != syscall.EINPROGRESS && err != syscall.EINTR:
		return err
	}
	if t < 0 && err == syscall.EINPROGRESS && s.osNonblock.Load() {
		// Blocking mode: ask connect(2) itself how it went before registering with the
		// poller. A loopback handshake has usually completed by the time the first call
		// returns EINPROGRESS (the kernel runs it before connect returns), and then this
		// call returns 0 and leaves the socket connected at the socket layer, as a
		// blocking connect(2) does (see below); a failed connection returns its error,
		// as a blocking connect(2) would. Only EALREADY (still in progress) and the
		// like go on to wait. One system call instead of registering, SO_ERROR,
		// getpeername(2), connect(2) and deregistering at close.
		if !s.ref.incref() {
			return syscall.EBADF
		}
		again := s.connectOnce(addr)
		s.ref.decref()
		switch again {
		case nil:
			return nil
		case syscall.EALREADY, syscall.EINPROGRESS, syscall.EINTR, syscall.EISCONN:
		default:
			return again
		}
	}
	// The connection proceeds asynchronously: wait until it is writable, then read its
	// outcome (SO_ERROR).
	if !dl.IsZero() && !time.Now().Before(dl) {
		return errTimedOut
	}
	if _, err := s.poller(); err != nil {
		return err
	}
	x := opExt{}
	a := opArgs{kind: opConnect, x: &x}
	s.doTimeout(ctx, &a, true, t, dl, nil) // registered: straight to the wait
	if a.err == nil && t < 0 && s.ref.incref() {
		// A blocking connect(2) leaves the socket "connected" at the socket layer; after
		// a non-blocking one Linux does that only at the next connect(2), which returns
		// 0 once (then EISCONN). Make that call now, so that a second Connect fails with
		// EISCONN as it does in CPython. (In timeout mode CPython does not, and neither
		// does this.)
		s.connectOnce(addr)
		s.ref.decref()
	}
	return a.err
}

// connectOnce calls connect(2) without waiting, whatever the descriptor's flag (the
// caller holds the descriptor). On a blocking descriptor that is csock.ConnectNowait,
// which has already asked a second time when the first said EINPROGRESS.
func (s *Socket) connectOnce(addr *csock.Addr) error {
	if s.osNonblock.Load() {
		return csock.Connect(s.ref.fd, addr)
	}
	return csock.ConnectNowait(s.ref.fd, addr)
}

// sleepCtx sleeps for d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if ctx.Done() == nil {
		time.Sleep(d)
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Read receives into p, for Go programs (io.Reader): RecvInto in the socket's timeout
// mode, except that a zero-byte result for a non-empty p is io.EOF (end of stream; an
// empty datagram reads as io.EOF too).
func (s *Socket) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	a := opArgs{kind: opRecv, buf: p}
	s.do(context.Background(), &a, false)
	if a.err != nil {
		return 0, ioError("recv", a.err)
	}
	if a.n == 0 {
		return 0, io.EOF
	}
	return a.n, nil
}

// Write sends all of p, for Go programs (io.Writer): SendAll, except that on an error it
// reports how many bytes were sent before it.
func (s *Socket) Write(p []byte) (int, error) {
	return s.sendAll(context.Background(), p, 0)
}
