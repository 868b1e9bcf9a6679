//go:build linux && cgo

package csock_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
)

// beyond is v plus 2^32: a C int conversion keeps v's low 32 bits, so before the checks C
// saw v itself.
func beyond(v int) int {
	s := 32
	return 1<<s + v
}

func skipUnless64(t *testing.T) {
	t.Helper()
	if strconv.IntSize < 64 {
		t.Skip("a Go int is a C int here")
	}
}

// childEnv names the test a child process of inChild runs.
const childEnv = "CSOCK_TEST_CHILD"

// inChild runs f in a child test process (this binary, -test.run naming only t) and fails
// t unless it returns there: a fault in C or glibc's abort on a double free then fails this
// test instead of ending the binary with every test after it.
func inChild(t *testing.T, f func()) {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		f()
		if !t.Failed() {
			os.Stdout.WriteString("csock-child-returned\n")
		}
		return
	}
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run="+strings.Join(parts, "/"), "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if !assert.NoError(t, err) || !strings.Contains(string(out), "csock-child-returned") {
		const most = 4000 // the failure and the crashing goroutine, not every stack
		if len(out) > most {
			out = append(out[:most:most], "\n[...]"...)
		}
		t.Errorf("the child running %s did not return:\n%s", t.Name(), out)
	}
}

// mustNotPanic fails t if f panics, and goes on: a nil dereference then fails this test alone.
func mustNotPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("panicked: %v", r)
		}
	}()
	f()
}

func TestIntArgs_BeyondCIntAreRefusedNotTruncated(t *testing.T) {
	skipUnless64(t)
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	fd, peer := fds[0], fds[1]
	udp := newSocket(t, csock.AF_INET, csock.SOCK_DGRAM, 0)
	lfd, laddr := listener(t, csock.AF_INET)
	require.NoError(t, csock.SetNonblock(lfd, true)) // an Accept that got through says EAGAIN
	file, err := os.Open("csock.h")
	require.NoError(t, err)
	defer file.Close()
	in := int(file.Fd())
	buf := make([]byte, 8)
	big := beyond(fd)
	cases := []struct {
		name string
		want error
		call func() error
	}{
		{"Close", syscall.EBADF, func() error { return csock.Close(big) }},
		{"Close 1<<40", syscall.EBADF, func() error { return csock.Close(beyond(0) << 8) }},
		{"Shutdown fd", syscall.EBADF, func() error { return csock.Shutdown(big, csock.SHUT_RD) }},
		{"Shutdown how", syscall.EINVAL, func() error { return csock.Shutdown(fd, beyond(csock.SHUT_RD)) }},
		{"Socket family", syscall.EINVAL, func() error { _, err := csock.Socket(beyond(csock.AF_INET), csock.SOCK_STREAM, 0); return err }},
		{"Socket type", syscall.EINVAL, func() error { _, err := csock.Socket(csock.AF_INET, beyond(csock.SOCK_STREAM), 0); return err }},
		{"Socket proto", syscall.EINVAL, func() error { _, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, beyond(0)); return err }},
		{"SocketPair family", syscall.EINVAL, func() error { _, err := csock.SocketPair(beyond(csock.AF_UNIX), csock.SOCK_STREAM, 0); return err }},
		{"Bind", syscall.EBADF, func() error { return csock.Bind(beyond(udp), loopback(csock.AF_INET)) }},
		{"Listen fd", syscall.EBADF, func() error { return csock.Listen(beyond(lfd), 5) }},
		{"Listen backlog", syscall.EINVAL, func() error { return csock.Listen(lfd, beyond(5)) }},
		{"Connect", syscall.EBADF, func() error { return csock.Connect(beyond(udp), &laddr) }},
		{"ConnectNowait", syscall.EBADF, func() error { return csock.ConnectNowait(beyond(udp), &laddr) }},
		{"Accept fd", syscall.EBADF, func() error { _, err := csock.Accept(beyond(lfd), 0, nil); return err }},
		{"Accept flags", syscall.EINVAL, func() error { _, err := csock.Accept(lfd, beyond(0), nil); return err }},
		{"AcceptNowait", syscall.EBADF, func() error { _, err := csock.AcceptNowait(beyond(lfd), 0, nil); return err }},
		{"Poll fd", syscall.EBADF, func() error { _, err := csock.Poll(big, csock.POLLIN, 0); return err }},
		{"Poll events", syscall.EINVAL, func() error { _, err := csock.Poll(fd, beyond(csock.POLLIN), 0); return err }},
		{"Poll events beyond short", syscall.EINVAL, func() error { _, err := csock.Poll(fd, 1<<16|csock.POLLIN, 0); return err }},
		{"Poll timeout", syscall.EINVAL, func() error { _, err := csock.Poll(fd, csock.POLLIN, beyond(200)); return err }},
		{"FDID", syscall.EBADF, func() error { _, _, err := csock.FDID(big); return err }},
		{"GetSockName", syscall.EBADF, func() error { return csock.GetSockName(big, &csock.Addr{}) }},
		{"GetPeerName", syscall.EBADF, func() error { return csock.GetPeerName(big, &csock.Addr{}) }},
		{"GetSockOptInt fd", syscall.EBADF, func() error { _, err := csock.GetSockOptInt(big, csock.SOL_SOCKET, csock.SO_TYPE); return err }},
		{"GetSockOptInt level", syscall.EINVAL, func() error {
			_, err := csock.GetSockOptInt(fd, beyond(csock.SOL_SOCKET), csock.SO_TYPE)
			return err
		}},
		{"SetSockOptInt level", syscall.EINVAL, func() error {
			return csock.SetSockOptInt(fd, beyond(csock.SOL_SOCKET), csock.SO_RCVBUF, 4096)
		}},
		{"SetSockOptInt option", syscall.EINVAL, func() error {
			return csock.SetSockOptInt(fd, csock.SOL_SOCKET, beyond(csock.SO_RCVBUF), 4096)
		}},
		{"SetSockOptInt value", syscall.EINVAL, func() error {
			return csock.SetSockOptInt(fd, csock.SOL_SOCKET, csock.SO_RCVBUF, beyond(4096))
		}},
		{"GetSockOpt", syscall.EBADF, func() error { _, err := csock.GetSockOpt(big, csock.SOL_SOCKET, csock.SO_TYPE, buf); return err }},
		{"SetSockOpt", syscall.EINVAL, func() error { return csock.SetSockOpt(fd, beyond(csock.SOL_SOCKET), csock.SO_RCVBUF, buf[:4]) }},
		{"SetSockOptNull", syscall.EBADF, func() error { return csock.SetSockOptNull(big, csock.SOL_SOCKET, csock.SO_RCVBUF, 0) }},
		{"Recv fd", syscall.EBADF, func() error { _, err := csock.Recv(big, buf, 0); return err }},
		{"Recv flags", syscall.EINVAL, func() error { _, err := csock.Recv(fd, buf, beyond(csock.MSG_DONTWAIT)); return err }},
		{"RecvFrom", syscall.EBADF, func() error { _, err := csock.RecvFrom(big, buf, 0, nil); return err }},
		{"Send fd", syscall.EBADF, func() error { _, err := csock.Send(big, buf, 0); return err }},
		{"Send flags", syscall.EINVAL, func() error { _, err := csock.Send(fd, buf, beyond(0)); return err }},
		{"SendTo", syscall.EBADF, func() error { _, err := csock.SendTo(beyond(udp), buf, 0, &laddr); return err }},
		{"SendMsg fd", syscall.EBADF, func() error { _, err := csock.SendMsg(big, [][]byte{buf}, nil, nil, 0); return err }},
		{"SendMsg flags", syscall.EINVAL, func() error { _, err := csock.SendMsg(fd, [][]byte{buf}, nil, nil, beyond(0)); return err }},
		{"RecvMsg", syscall.EBADF, func() error { _, _, _, err := csock.RecvMsg(big, [][]byte{buf}, nil, 0, nil); return err }},
		{"SendFile out", syscall.EBADF, func() error { _, err := csock.SendFile(big, in, nil, 8); return err }},
		{"SendFile in", syscall.EBADF, func() error { _, err := csock.SendFile(fd, beyond(in), nil, 8); return err }},
		{"SendFile count", syscall.EINVAL, func() error { _, err := csock.SendFile(fd, in, nil, -1); return err }},
		{"SendFileNowait", syscall.EBADF, func() error { _, err := csock.SendFileNowait(big, in, nil, 8); return err }},
		{"Dup", syscall.EBADF, func() error { _, err := csock.Dup(big); return err }},
		{"GetNonblock", syscall.EBADF, func() error { _, err := csock.GetNonblock(big); return err }},
		{"SetNonblock", syscall.EBADF, func() error { return csock.SetNonblock(big, true) }},
		{"GetStatusFlags", syscall.EBADF, func() error { _, err := csock.GetStatusFlags(big); return err }},
		{"GetCloexec", syscall.EBADF, func() error { _, err := csock.GetCloexec(big); return err }},
		{"SetCloexec", syscall.EBADF, func() error { return csock.SetCloexec(big, false) }},
		{"SockInfo", syscall.EBADF, func() error { _, _, _, err := csock.SockInfo(big); return err }},
		{"InetPton", syscall.EINVAL, func() error { _, _, err := csock.InetPton(beyond(csock.AF_INET), []byte("1.2.3.4")); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.call())
		})
	}

	// None of them acted on the descriptor whose number is the low 32 bits.
	nb, err := csock.GetNonblock(fd)
	require.NoError(t, err, "fd is still open")
	assert.False(t, nb, "SetNonblock(1<<32+fd) left fd alone")
	_, err = csock.Recv(peer, buf, csock.MSG_DONTWAIT)
	assert.Equal(t, syscall.EAGAIN, err, "nothing was sent")
	n, err := csock.Send(peer, []byte("x"), 0)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = csock.Recv(fd, buf, 0)
	require.NoError(t, err, "fd was not shut down for reading")
	assert.Equal(t, 1, n)
	v, err := csock.GetSockOptInt(fd, csock.SOL_SOCKET, csock.SO_TYPE)
	require.NoError(t, err)
	assert.Equal(t, csock.SOCK_STREAM, v)
	require.NoError(t, csock.GetSockName(lfd, &csock.Addr{}), "the listener is open")
}

func TestIntArgs_PollTimeoutBeyondCIntDoesNotWait(t *testing.T) {
	skipUnless64(t)
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	start := time.Now()
	_, err = csock.Poll(fds[0], csock.POLLIN, beyond(200))
	assert.Equal(t, syscall.EINVAL, err)
	assert.Less(t, time.Since(start), 200*time.Millisecond, "a timeout of 2^32+200 ms is not 200 ms")
}

func TestIntArgs_ResolverCallsAnswerInTheirOwnErrors(t *testing.T) {
	skipUnless64(t)
	host := []byte("127.0.0.1")
	gai := []struct {
		name                           string
		family, socktype, proto, flags int
		code                           int
	}{
		{"family", beyond(csock.AF_INET), 0, 0, 0, csock.EAI_FAMILY},
		{"socktype", 0, beyond(csock.SOCK_STREAM), 0, 0, csock.EAI_SOCKTYPE},
		{"proto", 0, 0, beyond(0), 0, csock.EAI_SERVICE},
		{"flags", 0, 0, 0, beyond(0), csock.EAI_BADFLAGS},
		{"flags first, as glibc checks them", beyond(2), beyond(1), 0, beyond(0), csock.EAI_BADFLAGS},
	}
	for _, c := range gai {
		t.Run("GetAddrInfo "+c.name, func(t *testing.T) {
			st := csock.Status{HErrnoSet: true, HErrno: 3}
			_, err := csock.GetAddrInfo(host, nil, c.family, c.socktype, c.proto, c.flags, &st)
			assert.Equal(t, &csock.GaiError{Code: c.code}, err)
			assert.Equal(t, csock.Status{}, st, "no call, no h_errno")

			var released atomic.Int32
			r, err := csock.StartGetAddrInfo(host, nil, c.family, c.socktype, c.proto, c.flags, func() { released.Add(1) })
			assert.Equal(t, &csock.GaiError{Code: c.code}, err)
			assert.Nil(t, r)
			assert.EqualValues(t, 1, released.Load())

			_, err = csock.GetAddrInfoAsync(context.Background(), host, nil, c.family, c.socktype, c.proto, c.flags, func() { released.Add(1) })
			assert.Equal(t, &csock.GaiError{Code: c.code}, err)
			assert.EqualValues(t, 2, released.Load())
		})
	}

	t.Run("GetNameInfo flags", func(t *testing.T) {
		_, _, err := csock.GetNameInfo(loopback(csock.AF_INET), beyond(csock.NI_NUMERICHOST), nil)
		assert.Equal(t, &csock.GaiError{Code: csock.EAI_BADFLAGS}, err)
	})
	t.Run("GetHostByAddr family", func(t *testing.T) {
		var st csock.Status
		_, err := csock.GetHostByAddr([]byte{127, 0, 0, 1}, beyond(csock.AF_INET), 0, &st)
		assert.Equal(t, &csock.HError{Code: csock.NETDB_INTERNAL, Errno: syscall.EAFNOSUPPORT}, err)
		assert.Equal(t, csock.Status{HErrnoSet: true, HErrno: csock.NETDB_INTERNAL}, st)
	})
	t.Run("negative bufhint", func(t *testing.T) {
		st := csock.Status{HErrnoSet: true, HErrno: 3}
		_, err := csock.GetHostByName([]byte("localhost"), -1, &st)
		assert.Equal(t, syscall.EINVAL, err)
		assert.Equal(t, csock.Status{}, st)
		_, err = csock.GetHostByAddr([]byte{127, 0, 0, 1}, csock.AF_INET, -1, nil)
		assert.Equal(t, syscall.EINVAL, err)
		_, err = csock.GetServByName([]byte("http"), nil, -1)
		assert.Equal(t, syscall.EINVAL, err)
		_, err = csock.GetServByPort(80, nil, -1)
		assert.Equal(t, syscall.EINVAL, err)
		_, err = csock.GetProtoByName([]byte("tcp"), -1)
		assert.Equal(t, syscall.EINVAL, err)
	})
	t.Run("ResSearch class and type", func(t *testing.T) {
		var st csock.Status
		answer := make([]byte, 512)
		_, err := csock.ResSearch([]byte("localhost"), beyond(1), 1, answer, &st)
		assert.Equal(t, &csock.HError{Code: csock.NO_RECOVERY}, err)
		assert.Equal(t, csock.Status{HErrnoSet: true, HErrno: csock.NO_RECOVERY}, st)
		_, err = csock.ResSearch([]byte("localhost"), 1, beyond(1), answer, nil)
		assert.Equal(t, &csock.HError{Code: csock.NO_RECOVERY}, err)
	})
}

func TestGetServByPort_PortOutside16BitsHasNoService(t *testing.T) {
	name, err := csock.GetServByPort(80, []byte("tcp"), 0)
	require.NoError(t, err)
	require.Equal(t, "http", name)
	for _, port := range []int{65536 + 80, -65536 + 80, -1, beyond(80)} {
		name, err := csock.GetServByPort(port, []byte("tcp"), 0)
		assert.Equal(t, csock.ErrNotFound, err, "port %d", port)
		assert.Empty(t, name, "port %d", port)
	}
}

func TestStrerror_CodesBeyondCIntHaveLibcsUnknownText(t *testing.T) {
	skipUnless64(t)
	assert.Equal(t, "Connection refused", csock.Strerror(int(syscall.ECONNREFUSED)))
	assert.Equal(t, "Unknown error 4294967407", csock.Strerror(beyond(int(syscall.ECONNREFUSED))))
	assert.Equal(t, "Unknown error -4294967185", csock.Strerror(-beyond(-int(syscall.ECONNREFUSED))))
	assert.Equal(t, "Unknown error", csock.GaiStrerror(beyond(csock.EAI_NONAME)))
	assert.Equal(t, "Unknown error", csock.GaiStrerror(-beyond(-csock.EAI_NONAME)))
	assert.Equal(t, "Unknown resolver error", csock.HStrerror(beyond(csock.HOST_NOT_FOUND)))
	assert.Equal(t, "Resolver internal error", csock.HStrerror(-beyond(0)))
}

func TestInetNtop_FamilyBeyondCIntIsRefusedBeforeCReadsSrc(t *testing.T) {
	skipUnless64(t)
	// Before the check, C saw AF_INET6 and read 16 bytes of a 4-byte slice (and of nil).
	inChild(t, func() {
		s, err := csock.InetNtop(beyond(csock.AF_INET6), []byte{1, 2, 3, 4})
		assert.Equal(t, syscall.EINVAL, err)
		assert.Empty(t, s)
		s, err = csock.InetNtop(beyond(csock.AF_INET6), nil)
		assert.Equal(t, syscall.EINVAL, err)
		assert.Empty(t, s)
		s, err = csock.InetNtop(beyond(csock.AF_INET), nil)
		assert.Equal(t, syscall.EINVAL, err)
		assert.Empty(t, s)
	})
}

func TestAddr_PortOutside16BitsIsEINVAL(t *testing.T) {
	udp := newSocket(t, csock.AF_INET, csock.SOCK_DGRAM, 0)
	udp6 := newSocket(t, csock.AF_INET6, csock.SOCK_DGRAM, 0)
	rx := newSocket(t, csock.AF_INET, csock.SOCK_DGRAM, 0)
	require.NoError(t, csock.Bind(rx, loopback(csock.AF_INET)))
	var rxAddr csock.Addr
	require.NoError(t, csock.GetSockName(rx, &rxAddr))
	// Cut to 16 bits, the first two name rx's port.
	for _, port := range []int{65536 + rxAddr.Port, beyond(rxAddr.Port), 70000, -1} {
		for _, family := range []int{csock.AF_INET, csock.AF_INET6} {
			fd := udp
			if family == csock.AF_INET6 {
				fd = udp6
			}
			a := loopback(family)
			a.Port = port
			name := strconv.Itoa(family) + "/" + strconv.Itoa(a.Port)
			_, err := csock.SendTo(fd, []byte("x"), 0, a)
			assert.Equal(t, syscall.EINVAL, err, name)
			_, err = csock.SendMsg(fd, [][]byte{[]byte("x")}, nil, a, 0)
			assert.Equal(t, syscall.EINVAL, err, name)
			assert.Equal(t, syscall.EINVAL, csock.Connect(fd, a), name)
			assert.Equal(t, syscall.EINVAL, csock.Bind(fd, a), name)
			_, _, err = csock.GetNameInfo(a, csock.NI_NUMERICHOST|csock.NI_NUMERICSERV, nil)
			assert.Equal(t, &csock.GaiError{Code: csock.EAI_SYSTEM, Errno: syscall.EINVAL}, err, name)
			assert.ErrorIs(t, err, syscall.EINVAL, name)
		}
	}
	_, err := csock.Recv(rx, make([]byte, 4), csock.MSG_DONTWAIT)
	assert.Equal(t, syscall.EAGAIN, err, "no datagram reached the port the low 16 bits name")

	a := loopback(csock.AF_INET)
	a.Port = 65535
	host, serv, err := csock.GetNameInfo(a, csock.NI_NUMERICHOST|csock.NI_NUMERICSERV, nil)
	require.NoError(t, err)
	assert.Equal(t, [2]string{"127.0.0.1", "65535"}, [2]string{host, serv})
}

func TestNilAddr_InputIsRefusedOutputIsNotDecoded(t *testing.T) {
	lfd, laddr := listener(t, csock.AF_INET)
	tcp := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
	mustNotPanic(t, func() { assert.Equal(t, syscall.EINVAL, csock.Bind(tcp, nil)) })
	mustNotPanic(t, func() { assert.Equal(t, syscall.EINVAL, csock.Connect(tcp, nil)) })
	mustNotPanic(t, func() { assert.Equal(t, syscall.EINVAL, csock.ConnectNowait(tcp, nil)) })
	mustNotPanic(t, func() {
		st := csock.Status{HErrnoSet: true}
		_, _, err := csock.GetNameInfo(nil, 0, &st)
		assert.Equal(t, &csock.GaiError{Code: csock.EAI_FAMILY}, err)
		assert.Equal(t, csock.Status{}, st)
	})
	// The calls are made: their errors are reported, their addresses dropped.
	mustNotPanic(t, func() { assert.Equal(t, syscall.ENOTCONN, csock.GetPeerName(tcp, nil)) })
	mustNotPanic(t, func() { assert.NoError(t, csock.GetSockName(lfd, nil)) })
	require.NoError(t, csock.Connect(tcp, &laddr))
	mustNotPanic(t, func() { assert.NoError(t, csock.GetPeerName(tcp, nil)) })
	nfd, err := csock.Accept(lfd, 0, nil)
	require.NoError(t, err)
	closeLater(t, nfd)

	// SendTo's nil is sendto(2)'s NULL address: the connected peer, as for SendMsg.
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_DGRAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	mustNotPanic(t, func() {
		n, err := csock.SendTo(fds[0], []byte("hi"), 0, nil)
		assert.NoError(t, err)
		assert.Equal(t, 2, n)
	})
	buf := make([]byte, 4)
	n, err := csock.Recv(fds[1], buf, csock.MSG_DONTWAIT)
	require.NoError(t, err)
	assert.Equal(t, "hi", string(buf[:n]))
	udp := newSocket(t, csock.AF_INET, csock.SOCK_DGRAM, 0)
	mustNotPanic(t, func() {
		_, err := csock.SendTo(udp, []byte("hi"), 0, nil)
		assert.Equal(t, syscall.EDESTADDRREQ, err)
	})
}

func TestGaiRequest_EveryFinishAfterTheFirstIsHarmless(t *testing.T) {
	// Before, each of these freed the request again: glibc aborted the process.
	start := func(t *testing.T, released *atomic.Int32) *csock.GaiRequest {
		t.Helper()
		r, err := csock.StartGetAddrInfo([]byte("127.0.0.1"), nil, csock.AF_INET, csock.SOCK_STREAM, 0, 0,
			func() { released.Add(1) })
		require.NoError(t, err)
		waitDone(t, r)
		return r
	}
	t.Run("Result twice", func(t *testing.T) {
		inChild(t, func() {
			var released atomic.Int32
			r := start(t, &released)
			res, err := r.Result()
			require.NoError(t, err)
			assert.Len(t, res, 1)
			res, err = r.Result()
			assert.Equal(t, csock.ErrGaiRequestEnded, err)
			assert.Nil(t, res)
			assert.False(t, r.Cancel())
			r.Abandon()
			assert.EqualValues(t, 1, released.Load())
		})
	})
	t.Run("Abandon twice, then Result", func(t *testing.T) {
		inChild(t, func() {
			var released atomic.Int32
			r := start(t, &released)
			r.Abandon()
			r.Abandon()
			_, err := r.Result()
			assert.Equal(t, csock.ErrGaiRequestEnded, err)
			assert.False(t, r.Cancel())
			assert.EqualValues(t, 1, released.Load())
		})
	})
	t.Run("Abandon before Done, then everything", func(t *testing.T) {
		inChild(t, func() {
			var released atomic.Int32
			r, err := csock.StartGetAddrInfo([]byte("localhost"), nil, 0, 0, 0, 0, func() { released.Add(1) })
			require.NoError(t, err)
			if r.Cancel() {
				assert.EqualValues(t, 1, released.Load())
			} else {
				r.Abandon() // the callback frees it, maybe at once
			}
			r.Abandon()
			_, err = r.Result()
			assert.Equal(t, csock.ErrGaiRequestEnded, err)
			assert.False(t, r.Cancel())
			waitAsyncSettled(t)
			assert.EqualValues(t, 1, released.Load())
		})
	})
	t.Run("Result before Done", func(t *testing.T) {
		inChild(t, func() {
			early := 0
			for range 20 {
				var released atomic.Int32
				r, err := csock.StartGetAddrInfo([]byte("127.0.0.1"), nil, csock.AF_INET, csock.SOCK_STREAM, 0, 0,
					func() { released.Add(1) })
				require.NoError(t, err)
				if _, err := r.Result(); err != nil {
					// Still running: said so, and the request is still the caller's.
					assert.Equal(t, &csock.GaiError{Code: csock.EAI_INPROGRESS}, err)
					early++
					assert.Zero(t, released.Load())
					waitDone(t, r)
					res, err := r.Result()
					assert.NoError(t, err)
					assert.Len(t, res, 1)
				}
				assert.EqualValues(t, 1, released.Load())
			}
			assert.Positive(t, early, "no Result came before Done in 20 tries")
		})
	})
	t.Run("nil", func(t *testing.T) {
		var r *csock.GaiRequest
		mustNotPanic(t, func() {
			assert.False(t, r.Cancel())
			r.Abandon()
			_, err := r.Result()
			assert.Equal(t, csock.ErrGaiRequestEnded, err)
			select {
			case <-r.Done():
			default:
				t.Error("a nil request's Done is not closed")
			}
		})
	})
	t.Run("concurrent finishes", func(t *testing.T) {
		inChild(t, func() {
			for range 50 {
				var released atomic.Int32
				r := start(t, &released)
				var wg sync.WaitGroup
				var results atomic.Int32
				for g := range 6 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						switch g % 3 {
						case 0:
							if _, err := r.Result(); err == nil {
								results.Add(1)
							} else if !errors.Is(err, csock.ErrGaiRequestEnded) {
								t.Errorf("Result: %v", err)
							}
						case 1:
							r.Abandon()
						default:
							r.Cancel()
						}
					}()
				}
				wg.Wait()
				assert.LessOrEqual(t, results.Load(), int32(1))
				assert.EqualValues(t, 1, released.Load())
			}
		})
	})
	waitAsyncSettled(t)
}

func TestNUL_ACStringWithANULIsANameLibcCannotFind(t *testing.T) {
	t.Run("GetAddrInfo", func(t *testing.T) {
		long := []byte(paddedHost(300) + "\x00x")
		for _, c := range []struct {
			host, serv []byte
			flags      int
			code       int
		}{
			{[]byte("127.0.0.1\x00evil"), nil, 0, csock.EAI_NONAME},
			{[]byte("127.0.0.1\x00evil"), nil, csock.AI_NUMERICHOST, csock.EAI_NONAME},
			{long, nil, 0, csock.EAI_NONAME},
			{[]byte("127.0.0.1"), []byte("80\x00x"), 0, csock.EAI_SERVICE},
			{[]byte("127.0.0.1"), []byte("80\x00x"), csock.AI_NUMERICSERV, csock.EAI_NONAME},
			{[]byte("\x00"), []byte("http\x00"), 0, csock.EAI_SERVICE},
		} {
			_, err := csock.GetAddrInfo(c.host, c.serv, csock.AF_INET, csock.SOCK_STREAM, 0, c.flags, nil)
			assert.Equal(t, &csock.GaiError{Code: c.code}, err, "%q %q", c.host, c.serv)
			var released atomic.Int32
			_, err = csock.GetAddrInfoAsync(context.Background(), c.host, c.serv, csock.AF_INET, csock.SOCK_STREAM, 0, c.flags,
				func() { released.Add(1) })
			assert.Equal(t, &csock.GaiError{Code: c.code}, err, "%q %q", c.host, c.serv)
			assert.EqualValues(t, 1, released.Load())
		}
	})
	t.Run("GetHostByName", func(t *testing.T) {
		var st csock.Status
		h, err := csock.GetHostByName([]byte("127.0.0.1\x00evil"), 0, &st)
		assert.Equal(t, &csock.HError{Code: csock.HOST_NOT_FOUND}, err)
		assert.Nil(t, h)
		assert.Equal(t, csock.Status{HErrnoSet: true, HErrno: csock.HOST_NOT_FOUND}, st)
	})
	t.Run("ResSearch", func(t *testing.T) {
		_, err := csock.ResSearch([]byte("localhost\x00evil"), 1, 1, make([]byte, 512), nil)
		assert.Equal(t, &csock.HError{Code: csock.HOST_NOT_FOUND}, err)
	})
	t.Run("netdb", func(t *testing.T) {
		_, err := csock.GetServByName([]byte("http\x00x"), []byte("tcp"), 0)
		assert.Equal(t, csock.ErrNotFound, err)
		_, err = csock.GetServByName([]byte("http"), []byte("tcp\x00x"), 0)
		assert.Equal(t, csock.ErrNotFound, err)
		_, err = csock.GetServByPort(80, []byte("tcp\x00x"), 0)
		assert.Equal(t, csock.ErrNotFound, err)
		_, err = csock.GetProtoByName([]byte("tcp\x00x"), 0)
		assert.Equal(t, csock.ErrNotFound, err)
		_, err = csock.IfNameToIndex([]byte("lo\x00x"))
		assert.Equal(t, syscall.ENODEV, err)
	})
	t.Run("address texts", func(t *testing.T) {
		ip, ok, err := csock.InetPton(csock.AF_INET, []byte("1.2.3.4\x00junk"))
		assert.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, [16]byte{}, ip)
		_, ok, err = csock.InetPton(csock.AF_INET6, []byte("::1\x00"))
		assert.NoError(t, err)
		assert.False(t, ok)
		ip4, ok := csock.InetAton([]byte("1.2.3.4\x00junk"))
		assert.False(t, ok)
		assert.Equal(t, [4]byte{}, ip4)
	})
	t.Run("without the NUL they are found", func(t *testing.T) {
		_, err := csock.GetAddrInfo([]byte("127.0.0.1"), []byte("80"), csock.AF_INET, csock.SOCK_STREAM, 0, 0, nil)
		assert.NoError(t, err)
		p, err := csock.GetProtoByName([]byte("tcp"), 0)
		assert.NoError(t, err)
		assert.Equal(t, 6, p)
		i, err := csock.IfNameToIndex([]byte("lo"))
		assert.NoError(t, err)
		assert.Positive(t, i)
		_, ok, _ := csock.InetPton(csock.AF_INET, []byte("1.2.3.4"))
		assert.True(t, ok)
	})
}

func TestArgChecks_AllocateNothing(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	buf := make([]byte, 64)
	name := []byte("tcp\x00x")
	var errs [5]error
	allocs := testing.AllocsPerRun(100, func() {
		_, errs[0] = csock.Send(fds[0], buf, 0)
		_, errs[1] = csock.Recv(fds[1], buf, 0)
		_, errs[2] = csock.Poll(fds[0], csock.POLLOUT, 0)
		_, errs[3] = csock.GetProtoByName(name, 0)
		_, errs[4] = csock.Recv(-1, buf, beyond(0))
	})
	assert.Equal(t, [5]error{nil, nil, nil, csock.ErrNotFound, syscall.EINVAL}, errs)
	assert.Zero(t, allocs)
}
