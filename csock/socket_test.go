//go:build linux && cgo

package csock_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
)

// closeLater closes fd when the test ends.
func closeLater(t *testing.T, fd int) {
	t.Helper()
	t.Cleanup(func() { _ = csock.Close(fd) })
}

func newSocket(t *testing.T, family, typ, proto int) int {
	t.Helper()
	fd, err := csock.Socket(family, typ, proto)
	require.NoError(t, err)
	closeLater(t, fd)
	return fd
}

// loopback returns the loopback Addr of a family with port 0.
func loopback(family int) *csock.Addr {
	a := &csock.Addr{Family: family}
	if family == csock.AF_INET {
		copy(a.IP[:], []byte{127, 0, 0, 1})
	} else {
		a.IP[15] = 1
	}
	return a
}

// listener returns a listening TCP socket on the loopback address of family and its address.
func listener(t *testing.T, family int) (int, csock.Addr) {
	t.Helper()
	fd := newSocket(t, family, csock.SOCK_STREAM, 0)
	require.NoError(t, csock.Bind(fd, loopback(family)))
	require.NoError(t, csock.Listen(fd, 16))
	var a csock.Addr
	require.NoError(t, csock.GetSockName(fd, &a))
	return fd, a
}

func sendAll(t *testing.T, fd int, b []byte) {
	t.Helper()
	for len(b) > 0 {
		n, err := csock.Send(fd, b, 0)
		require.NoError(t, err)
		b = b[n:]
	}
}

func recvN(t *testing.T, fd int, n int) []byte {
	t.Helper()
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(out) < n {
		k, err := csock.Recv(fd, buf[:n-len(out)], 0)
		require.NoError(t, err)
		require.NotZero(t, k, "unexpected end of stream")
		out = append(out, buf[:k]...)
	}
	return out
}

func TestSocketPair_RoundTrip(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])

	sendAll(t, fds[0], []byte("ping"))
	assert.Equal(t, []byte("ping"), recvN(t, fds[1], 4))
	sendAll(t, fds[1], []byte("pong!"))
	assert.Equal(t, []byte("pong!"), recvN(t, fds[0], 5))

	for _, fd := range fds {
		cloexec, err := csock.GetCloexec(fd)
		require.NoError(t, err)
		assert.True(t, cloexec, "the shim creates every descriptor close-on-exec")
	}
}

func TestPoll_ReportsReadinessWithoutWaiting(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])

	ev, err := csock.Poll(fds[0], csock.POLLIN, 0)
	require.NoError(t, err)
	assert.Zero(t, ev, "nothing to read yet")
	ev, err = csock.Poll(fds[0], csock.POLLIN|csock.POLLOUT, 0)
	require.NoError(t, err)
	assert.Equal(t, csock.POLLOUT, ev)

	sendAll(t, fds[1], []byte("x"))
	ev, err = csock.Poll(fds[0], csock.POLLIN, 1000)
	require.NoError(t, err)
	assert.Equal(t, csock.POLLIN, ev)

	require.NoError(t, csock.Shutdown(fds[1], csock.SHUT_RDWR))
	ev, err = csock.Poll(fds[0], csock.POLLIN, 0)
	require.NoError(t, err)
	assert.NotZero(t, ev&csock.POLLHUP, "a hang-up is reported whatever events asks: %#x", ev)

	// A listening TCP socket is neither readable without a pending connection nor ever
	// writable.
	ln, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, ln)
	require.NoError(t, csock.Bind(ln, &csock.Addr{Family: csock.AF_INET, IP: [16]byte{127, 0, 0, 1}}))
	require.NoError(t, csock.Listen(ln, 1))
	ev, err = csock.Poll(ln, csock.POLLIN|csock.POLLOUT, 0)
	require.NoError(t, err)
	assert.Zero(t, ev)
}

func TestGetStatusFlags_AccessModeAndNonblock(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	fl, err := csock.GetStatusFlags(fds[0])
	require.NoError(t, err)
	assert.Equal(t, csock.O_RDWR, fl&csock.O_ACCMODE)
	require.NoError(t, csock.SetNonblock(fds[0], true))
	fl, err = csock.GetStatusFlags(fds[0])
	require.NoError(t, err)
	assert.NotZero(t, fl&syscall.O_NONBLOCK)

	f, err := os.OpenFile(filepath.Join(t.TempDir(), "w"), os.O_WRONLY|os.O_CREATE, 0o600)
	require.NoError(t, err)
	defer f.Close()
	fl, err = csock.GetStatusFlags(int(f.Fd()))
	require.NoError(t, err)
	assert.Equal(t, csock.O_WRONLY, fl&csock.O_ACCMODE)

	_, err = csock.GetStatusFlags(-1)
	assert.Equal(t, syscall.EBADF, err)
}

func TestTCP_LoopbackBothFamilies(t *testing.T) {
	for _, family := range []int{csock.AF_INET, csock.AF_INET6} {
		t.Run(fmt.Sprint(family), func(t *testing.T) {
			lfd, laddr := listener(t, family)
			assert.Equal(t, family, laddr.Family)
			assert.NotZero(t, laddr.Port)

			cfd := newSocket(t, family, csock.SOCK_STREAM, 0)
			require.NoError(t, csock.Connect(cfd, &laddr))

			var peer csock.Addr
			afd, err := csock.Accept(lfd, 0, &peer)
			require.NoError(t, err)
			closeLater(t, afd)

			var cname, cpeer, aname csock.Addr
			require.NoError(t, csock.GetSockName(cfd, &cname))
			require.NoError(t, csock.GetPeerName(cfd, &cpeer))
			require.NoError(t, csock.GetSockName(afd, &aname))
			assert.Equal(t, cname, peer, "accept's peer is the client's own name")
			assert.Equal(t, laddr.Port, cpeer.Port)
			assert.Equal(t, laddr.Port, aname.Port)
			if family == csock.AF_INET {
				assert.Equal(t, "127.0.0.1", cpeer.Host)
			} else {
				assert.Equal(t, "::1", cpeer.Host)
			}

			sendAll(t, cfd, []byte("hello"))
			assert.Equal(t, []byte("hello"), recvN(t, afd, 5))

			require.NoError(t, csock.Shutdown(cfd, csock.SHUT_WR))
			n, err := csock.Recv(afd, make([]byte, 8), 0)
			require.NoError(t, err)
			assert.Zero(t, n, "after the peer's SHUT_WR recv reads end of stream")
		})
	}
}

func TestUDP_SendToRecvFromReportsThePeer(t *testing.T) {
	for _, family := range []int{csock.AF_INET, csock.AF_INET6} {
		t.Run(fmt.Sprint(family), func(t *testing.T) {
			srv := newSocket(t, family, csock.SOCK_DGRAM, 0)
			require.NoError(t, csock.Bind(srv, loopback(family)))
			var saddr csock.Addr
			require.NoError(t, csock.GetSockName(srv, &saddr))

			cli := newSocket(t, family, csock.SOCK_DGRAM, 0)
			require.NoError(t, csock.Bind(cli, loopback(family)))
			var caddr csock.Addr
			require.NoError(t, csock.GetSockName(cli, &caddr))

			n, err := csock.SendTo(cli, []byte("datagram"), 0, &saddr)
			require.NoError(t, err)
			assert.Equal(t, 8, n)

			buf := make([]byte, 64)
			var from csock.Addr
			n, err = csock.RecvFrom(srv, buf, 0, &from)
			require.NoError(t, err)
			assert.Equal(t, "datagram", string(buf[:n]))
			assert.Equal(t, caddr, from)
		})
	}
}

func unixAddr(path []byte) *csock.Addr {
	return &csock.Addr{Family: csock.AF_UNIX, Path: path}
}

func TestUnix_PathAndAbstract(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	abstract := []byte("\x00csock-test-" + fmt.Sprint(os.Getpid()))
	cases := map[string][]byte{
		"path":     append([]byte(path), 0),
		"abstract": abstract,
	}
	for name, sun := range cases {
		t.Run(name, func(t *testing.T) {
			lfd := newSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, 0)
			require.NoError(t, csock.Bind(lfd, unixAddr(sun)))
			require.NoError(t, csock.Listen(lfd, 4))

			var got csock.Addr
			require.NoError(t, csock.GetSockName(lfd, &got))
			assert.Equal(t, csock.AF_UNIX, got.Family)
			assert.Equal(t, sun, got.Path, "the kernel reports the name as bound")

			cfd := newSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, 0)
			require.NoError(t, csock.Connect(cfd, unixAddr(sun)))
			var peer csock.Addr
			afd, err := csock.Accept(lfd, 0, &peer)
			require.NoError(t, err)
			closeLater(t, afd)
			assert.Equal(t, csock.AF_UNIX, peer.Family)
			assert.Empty(t, peer.Path, "an unbound client has an unnamed address")

			var cpeer csock.Addr
			require.NoError(t, csock.GetPeerName(cfd, &cpeer))
			assert.Equal(t, sun, cpeer.Path)
		})
	}
}

func TestUnix_SeqPacketKeepsRecordBoundaries(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_SEQPACKET, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])

	for _, m := range []string{"one", "two-two"} {
		_, err := csock.Send(fds[0], []byte(m), 0)
		require.NoError(t, err)
	}
	buf := make([]byte, 64)
	for _, want := range []string{"one", "two-two"} {
		n, err := csock.Recv(fds[1], buf, 0)
		require.NoError(t, err)
		assert.Equal(t, want, string(buf[:n]))
	}
	_, typ, _, err := csock.SockInfo(fds[0])
	require.NoError(t, err)
	assert.Equal(t, csock.SOCK_SEQPACKET, typ)
}

func TestSockOpt_RoundTrips(t *testing.T) {
	tcp4 := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
	tcp6 := newSocket(t, csock.AF_INET6, csock.SOCK_STREAM, 0)
	cases := []struct {
		name                string
		fd, level, opt, val int
	}{
		{"SO_REUSEADDR", tcp4, csock.SOL_SOCKET, csock.SO_REUSEADDR, 1},
		{"TCP_NODELAY", tcp4, csock.IPPROTO_TCP, csock.TCP_NODELAY, 1},
		{"IPV6_V6ONLY on", tcp6, csock.IPPROTO_IPV6, csock.IPV6_V6ONLY, 1},
		{"IPV6_V6ONLY off", tcp6, csock.IPPROTO_IPV6, csock.IPV6_V6ONLY, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, csock.SetSockOptInt(c.fd, c.level, c.opt, c.val))
			got, err := csock.GetSockOptInt(c.fd, c.level, c.opt)
			require.NoError(t, err)
			assert.Equal(t, c.val, got)
		})
	}

	t.Run("SO_RCVBUF doubled by the kernel", func(t *testing.T) {
		require.NoError(t, csock.SetSockOptInt(tcp4, csock.SOL_SOCKET, csock.SO_RCVBUF, 65536))
		got, err := csock.GetSockOptInt(tcp4, csock.SOL_SOCKET, csock.SO_RCVBUF)
		require.NoError(t, err)
		assert.Equal(t, 2*65536, got, "Linux doubles SO_RCVBUF for bookkeeping (socket(7))")
	})

	t.Run("SO_LINGER as bytes", func(t *testing.T) {
		in := make([]byte, 8)
		binary.NativeEndian.PutUint32(in[0:], 1)
		binary.NativeEndian.PutUint32(in[4:], 7)
		require.NoError(t, csock.SetSockOpt(tcp4, csock.SOL_SOCKET, csock.SO_LINGER, in))
		out := make([]byte, 64)
		n, err := csock.GetSockOpt(tcp4, csock.SOL_SOCKET, csock.SO_LINGER, out)
		require.NoError(t, err)
		assert.Equal(t, 8, n, "the kernel reports sizeof(struct linger)")
		assert.Equal(t, in, out[:n])
	})

	t.Run("NULL value is EFAULT, never a crash", func(t *testing.T) {
		err := csock.SetSockOptNull(tcp4, csock.SOL_SOCKET, csock.SO_LINGER, 8)
		assert.ErrorIs(t, err, syscall.EFAULT)
	})
}

func TestFlags_NonblockAndCloexec(t *testing.T) {
	fd := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
	nb, err := csock.GetNonblock(fd)
	require.NoError(t, err)
	assert.False(t, nb)
	require.NoError(t, csock.SetNonblock(fd, true))
	nb, err = csock.GetNonblock(fd)
	require.NoError(t, err)
	assert.True(t, nb)

	require.NoError(t, csock.SetCloexec(fd, false))
	ce, err := csock.GetCloexec(fd)
	require.NoError(t, err)
	assert.False(t, ce)
	require.NoError(t, csock.SetCloexec(fd, true))
	ce, err = csock.GetCloexec(fd)
	require.NoError(t, err)
	assert.True(t, ce)

	nfd, err := csock.Socket(csock.AF_INET, csock.SOCK_DGRAM|csock.SOCK_NONBLOCK, 0)
	require.NoError(t, err)
	closeLater(t, nfd)
	nb, err = csock.GetNonblock(nfd)
	require.NoError(t, err)
	assert.True(t, nb, "SOCK_NONBLOCK passes through")
}

func TestDup_IsCloexecAndSharesTheSocket(t *testing.T) {
	fd := newSocket(t, csock.AF_INET, csock.SOCK_DGRAM, 0)
	require.NoError(t, csock.SetCloexec(fd, false))
	d, err := csock.Dup(fd)
	require.NoError(t, err)
	closeLater(t, d)
	assert.NotEqual(t, fd, d)
	ce, err := csock.GetCloexec(d)
	require.NoError(t, err)
	assert.True(t, ce, "F_DUPFD_CLOEXEC")
	fam, typ, proto, err := csock.SockInfo(d)
	require.NoError(t, err)
	assert.Equal(t, []int{csock.AF_INET, csock.SOCK_DGRAM, csock.IPPROTO_UDP}, []int{fam, typ, proto})
}

func TestSockInfo_DetectsTheKind(t *testing.T) {
	for _, c := range []struct{ family, typ, proto int }{
		{csock.AF_INET, csock.SOCK_STREAM, csock.IPPROTO_TCP},
		{csock.AF_INET6, csock.SOCK_DGRAM, csock.IPPROTO_UDP},
		{csock.AF_UNIX, csock.SOCK_STREAM, 0},
	} {
		fd := newSocket(t, c.family, c.typ, 0)
		f, ty, p, err := csock.SockInfo(fd)
		require.NoError(t, err)
		assert.Equal(t, c, struct{ family, typ, proto int }{f, ty, p})
	}
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	_, _, _, err = csock.SockInfo(int(r.Fd()))
	assert.ErrorIs(t, err, syscall.ENOTSOCK)
}

func TestErrors_Errno(t *testing.T) {
	t.Run("ECONNREFUSED from connect", func(t *testing.T) {
		// A port that was just bound and released has no listener.
		lfd, addr := listener(t, csock.AF_INET)
		require.NoError(t, csock.Close(lfd))
		fd := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
		err := csock.Connect(fd, &addr)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
		assert.Equal(t, syscall.ECONNREFUSED, err, "errno comes back as a bare syscall.Errno")
	})

	t.Run("EAGAIN from a non-blocking recv", func(t *testing.T) {
		fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, 0)
		require.NoError(t, err)
		closeLater(t, fds[0])
		closeLater(t, fds[1])
		_, err = csock.Recv(fds[0], make([]byte, 1), 0)
		assert.ErrorIs(t, err, syscall.EAGAIN)
	})

	t.Run("EBADF after close", func(t *testing.T) {
		fd, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
		require.NoError(t, err)
		require.NoError(t, csock.Close(fd))
		_, err = csock.Send(fd, []byte("x"), 0)
		assert.ErrorIs(t, err, syscall.EBADF)
		assert.ErrorIs(t, csock.Close(fd), syscall.EBADF)
	})

	t.Run("EPIPE, not SIGPIPE, writing to a closed peer", func(t *testing.T) {
		// With SIGPIPE at its default action, a signal would kill the test binary.
		fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
		require.NoError(t, err)
		closeLater(t, fds[0])
		require.NoError(t, csock.Close(fds[1]))
		_, err = csock.Send(fds[0], []byte("x"), 0)
		assert.ErrorIs(t, err, syscall.EPIPE)
	})

	t.Run("EINVAL for an address that cannot be encoded", func(t *testing.T) {
		fd := newSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, 0)
		err := csock.Bind(fd, unixAddr(bytes.Repeat([]byte("x"), 200)))
		assert.ErrorIs(t, err, syscall.EINVAL)
	})
}

func TestAccept_NonblockFlag(t *testing.T) {
	lfd, addr := listener(t, csock.AF_INET)
	cfd := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
	require.NoError(t, csock.Connect(cfd, &addr))
	afd, err := csock.Accept(lfd, csock.SOCK_NONBLOCK, nil)
	require.NoError(t, err)
	closeLater(t, afd)
	nb, err := csock.GetNonblock(afd)
	require.NoError(t, err)
	assert.True(t, nb)
	ce, err := csock.GetCloexec(afd)
	require.NoError(t, err)
	assert.True(t, ce)
}

// AcceptNowait on blocking descriptors: EAGAIN only for a listening socket with nothing
// pending; a socket that is not listening gets accept4's own error at once, as a blocking
// accept would (it used to get EAGAIN, and a caller waiting for readability waited on).
func TestAcceptNowait_NotListeningFailsAtOnceAsBlockingAccept(t *testing.T) {
	lfd, _ := listener(t, csock.AF_INET)
	_, err := csock.AcceptNowait(lfd, 0, nil)
	assert.Equal(t, syscall.EAGAIN, err, "listening, nothing pending")

	udp := newSocket(t, csock.AF_INET, csock.SOCK_DGRAM, 0)
	_, err = csock.AcceptNowait(udp, 0, nil)
	assert.Equal(t, syscall.EOPNOTSUPP, err, "UDP")

	tcp := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
	_, err = csock.AcceptNowait(tcp, 0, nil)
	assert.Equal(t, syscall.EINVAL, err, "TCP, not listening")

	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	_, err = csock.AcceptNowait(fds[0], 0, nil)
	assert.Equal(t, syscall.EINVAL, err, "connected AF_UNIX stream")
}

func TestRecvFrom_ConnectedStreamHasNoAddress(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	sendAll(t, fds[0], []byte("zz"))
	from := csock.Addr{Family: 99, Host: "stale"}
	n, err := csock.RecvFrom(fds[1], make([]byte, 4), 0, &from)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, csock.Addr{Family: csock.AF_UNSPEC}, from, "length 0: no address, every field reset")
}

func TestSend_NonblockingFullBufferIsEAGAIN(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	chunk := make([]byte, 1<<16)
	deadline := time.Now().Add(10 * time.Second)
	var last error
	for i := 0; i < 10000 && time.Now().Before(deadline); i++ {
		if _, last = csock.Send(fds[0], chunk, 0); last != nil {
			break
		}
	}
	assert.True(t, errors.Is(last, syscall.EAGAIN), "got %v", last)
}

// holder is a struct whose memory holds Go pointers next to a byte buffer, like
// net/http's connReader. Passing the buffer to C must not trip cgo's pointer check, which
// inspects the whole object around an unsafe.Pointer argument.
type holder struct {
	next *holder
	name *string
	buf  [64]byte
}

func TestBuffers_InsideStructsWithGoPointersCrossToC(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_DGRAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	name := "x"
	h := &holder{name: &name}
	h.next = h
	copy(h.buf[:], "ping")
	_, err = csock.Send(fds[0], h.buf[:4], 0)
	require.NoError(t, err)
	n, err := csock.Recv(fds[1], h.buf[4:], 0)
	require.NoError(t, err)
	assert.Equal(t, "ping", string(h.buf[4:4+n]))
	_, err = csock.SendTo(fds[0], h.buf[:4], 0, &csock.Addr{Family: csock.AF_UNSPEC})
	assert.Error(t, err)
	_, err = csock.RecvFrom(fds[1], h.buf[8:], csock.MSG_DONTWAIT, nil)
	assert.ErrorIs(t, err, syscall.EAGAIN)
	binary.NativeEndian.PutUint32(h.buf[16:], 1)
	require.NoError(t, csock.SetSockOpt(fds[0], csock.SOL_SOCKET, csock.SO_REUSEADDR, h.buf[16:20]))
	_, err = csock.GetSockOpt(fds[0], csock.SOL_SOCKET, csock.SO_REUSEADDR, h.buf[20:24])
	require.NoError(t, err)
	copy(h.buf[32:], []byte{127, 0, 0, 1})
	s, err := csock.InetNtop(csock.AF_INET, h.buf[32:36])
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", s)
	_, err = csock.GetHostByAddr(h.buf[32:36], csock.AF_INET, 0, nil)
	require.NoError(t, err)
}
