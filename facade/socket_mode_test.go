//go:build linux

package facade

import (
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// Ports of CPython's NonBlockingTCPTests, NonblockConstantTest, InheritanceTest and
// TestExceptions, plus the accept timeout-inheritance matrix of B.6.
//
// checkMode asserts the socket's timeout mode and its descriptor's O_NONBLOCK flag, which
// is CPython's: clear when the timeout is None, set otherwise.
func checkMode(t *testing.T, s *Socket, timeout any) {
	t.Helper()
	assert.Equal(t, timeout, s.GetTimeout())
	assert.Equal(t, timeout != 0.0, s.GetBlocking(), "getblocking for timeout %v", timeout)
	assert.Equal(t, timeout != nil, nonblockFlag(t, s.Fileno()), "O_NONBLOCK for timeout %v", timeout)
	assert.Equal(t, SOCK_STREAM, s.Type())
}

var oracleBlockingFlag = oracleCase("BlockingFlag", `
import os
def flag(s):
    return os.get_blocking(s.fileno())
for d in (None, 0.0, 2.0):
    socket.setdefaulttimeout(d)
    k = repr(d)
    s = socket.socket()
    out[k + ' socket()'] = flag(s)
    s.settimeout(0)
    out[k + ' settimeout(0)'] = flag(s)
    s.settimeout(1)
    out[k + ' settimeout(1)'] = flag(s)
    s.setblocking(True)
    out[k + ' setblocking(True)'] = flag(s)
    s.setblocking(False)
    out[k + ' setblocking(False)'] = flag(s)
    s.settimeout(None)
    out[k + ' settimeout(None)'] = flag(s)
    s.close()
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen()
    socket.setdefaulttimeout(None)
    cli = socket.create_connection(srv.getsockname())
    socket.setdefaulttimeout(d)
    conn, _ = srv.accept()
    out[k + ' accept()'] = flag(conn)
    for t in (None, 0.0, 1.0):
        srv.settimeout(t)
        d2 = srv.dup()
        out[k + ' dup() of %r' % t] = flag(d2)
        d2.close()
    srv.settimeout(None)
    srv.setblocking(True)
    f = socket.fromfd(srv.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    out[k + ' fromfd() of blocking'] = flag(f)
    f.close()
    srv.setblocking(False)
    f = socket.fromfd(srv.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    out[k + ' fromfd() of non-blocking'] = flag(f)
    f.close()
    for s in (conn, cli, srv):
        s.close()
    a, b = socket.socketpair()
    out[k + ' socketpair()'] = [flag(a), flag(b)]
    a.close()
    b.close()
    n = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    out[k + ' socket(SOCK_NONBLOCK)'] = flag(n)
    n.close()
socket.setdefaulttimeout(None)
`)

// osBlocking is os.get_blocking(s.fileno()).
func osBlocking(t *testing.T, s *Socket) bool { t.Helper(); return !nonblockFlag(t, s.Fileno()) }

func TestBlockingFlag_IsCPythonsInEveryModeLikeCPython(t *testing.T) {
	want := python(t, oracleBlockingFlag)
	got := map[string]any{}
	for _, d := range []any{nil, 0.0, 2.0} {
		withDefaultTimeout(t, d)
		k := py.Repr(d)
		s := mustSocket(t, -1, -1, -1)
		got[k+" socket()"] = osBlocking(t, s)
		require.NoError(t, s.SetTimeout(0))
		got[k+" settimeout(0)"] = osBlocking(t, s)
		require.NoError(t, s.SetTimeout(1))
		got[k+" settimeout(1)"] = osBlocking(t, s)
		require.NoError(t, s.SetBlocking(true))
		got[k+" setblocking(True)"] = osBlocking(t, s)
		require.NoError(t, s.SetBlocking(false))
		got[k+" setblocking(False)"] = osBlocking(t, s)
		require.NoError(t, s.SetTimeout(nil))
		got[k+" settimeout(None)"] = osBlocking(t, s)

		srv, addr := tcpListener(t)
		withDefaultTimeout(t, nil)
		cli, err := CreateConnection(addr, UseDefaultTimeout, nil, false)
		require.NoError(t, err)
		closeLater(t, cli)
		withDefaultTimeout(t, d)
		var conn *Socket
		for i := 0; i < 200; i++ { // a non-blocking listener may see the connection late
			if conn, _, err = srv.Accept(); !errors.Is(err, syscall.EAGAIN) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		require.NoError(t, err)
		closeLater(t, conn)
		got[k+" accept()"] = osBlocking(t, conn)
		for _, lt := range []any{nil, 0.0, 1.0} {
			require.NoError(t, srv.SetTimeout(lt))
			d2, err := srv.Dup()
			require.NoError(t, err)
			got[k+" dup() of "+py.Repr(lt)] = osBlocking(t, d2)
			require.NoError(t, d2.Close())
		}
		require.NoError(t, srv.SetTimeout(nil))
		f, err := FromFD(srv.Fileno(), AF_INET, SOCK_STREAM, -1)
		require.NoError(t, err)
		got[k+" fromfd() of blocking"] = osBlocking(t, f)
		require.NoError(t, f.Close())
		require.NoError(t, srv.SetBlocking(false))
		f, err = FromFD(srv.Fileno(), AF_INET, SOCK_STREAM, -1)
		require.NoError(t, err)
		got[k+" fromfd() of non-blocking"] = osBlocking(t, f)
		require.NoError(t, f.Close())

		a, b, err := SocketPair(-1, -1, -1)
		require.NoError(t, err)
		closeLater(t, a)
		closeLater(t, b)
		got[k+" socketpair()"] = []any{osBlocking(t, a), osBlocking(t, b)}
		n := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, -1)
		got[k+" socket(SOCK_NONBLOCK)"] = osBlocking(t, n)
	}
	require.NoError(t, SetDefaultTimeout(nil))
	assert.Equal(t, want, got)
}

func TestNonBlockingTCP_SetBlockingAndSetTimeoutStates(t *testing.T) {
	// testSetBlocking
	serv, _ := tcpListener(t)
	steps := []struct {
		set  func() error
		want any
	}{
		{func() error { return serv.SetBlocking(true) }, nil},
		{func() error { return serv.SetBlocking(false) }, 0.0},
		{func() error { return serv.SetTimeout(nil) }, nil},
		{func() error { return serv.SetTimeout(0) }, 0.0},
		{func() error { return serv.SetTimeout(10) }, 10.0},
		{func() error { return serv.SetTimeout(0) }, 0.0},
	}
	for _, st := range steps {
		require.NoError(t, st.set())
		checkMode(t, serv, st.want)
	}
}

func TestNonBlockingTCP_SockNonblockAtCreationIsNonBlocking(t *testing.T) {
	// testInitNonBlocking
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, -1)
	checkMode(t, s, 0.0)
}

func TestNonBlockingTCP_AcceptedSocketTakesTheDefaultTimeout(t *testing.T) {
	// testInheritFlagsBlocking, testInheritFlagsTimeout (bpo-7995)
	for _, def := range []any{nil, 20.0} {
		t.Run(fmt.Sprint(def), func(t *testing.T) {
			withDefaultTimeout(t, def)
			serv, addr := tcpListener(t)
			require.NoError(t, serv.SetTimeout(10))
			cli := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
			require.NoError(t, cli.Connect(addr))
			conn, _, err := serv.Accept()
			require.NoError(t, err)
			closeLater(t, conn)
			assert.Equal(t, def, conn.GetTimeout())
		})
	}
}

var oracleAcceptTimeoutMatrix = oracleCase("AcceptTimeoutMatrix", `
for lt in (None, 0.0, 5.0):
    for d in (None, 0.0, 3.0):
        socket.setdefaulttimeout(None)
        srv = socket.socket()
        srv.bind(('127.0.0.1', 0))
        srv.listen()
        cli = socket.create_connection(srv.getsockname())
        srv.settimeout(lt)
        socket.setdefaulttimeout(d)
        conn, _ = srv.accept()
        out['%r/%r' % (lt, d)] = [conn.gettimeout(), conn.getblocking(), conn.proto]
        for s in (conn, cli, srv):
            s.close()
socket.setdefaulttimeout(None)
`)

func TestNonBlockingTCP_AcceptTimeoutInheritanceMatrixLikeCPython(t *testing.T) {
	// B.6: the accepted socket's (gettimeout, getblocking, proto) for every listener
	// timeout and default timeout.
	want := python(t, oracleAcceptTimeoutMatrix)
	for _, lt := range []any{nil, 0.0, 5.0} {
		for _, d := range []any{nil, 0.0, 3.0} {
			key := fmt.Sprintf("%s/%s", py.Repr(lt), py.Repr(d))
			require.NoError(t, SetDefaultTimeout(nil))
			srv, addr := tcpListener(t)
			cli, err := CreateConnection(addr, UseDefaultTimeout, nil, false)
			require.NoError(t, err)
			closeLater(t, cli)
			require.NoError(t, srv.SetTimeout(lt))
			require.NoError(t, SetDefaultTimeout(d))
			var conn *Socket
			for i := 0; i < 200; i++ { // a non-blocking listener may see the connection late
				if conn, _, err = srv.Accept(); !errors.Is(err, syscall.EAGAIN) {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			require.NoError(t, err)
			closeLater(t, conn)
			require.NoError(t, SetDefaultTimeout(nil))
			got := []any{conn.GetTimeout(), conn.GetBlocking(), float64(conn.Proto())}
			assert.Equal(t, want[key], got, key)
			assert.Equal(t, d != nil, nonblockFlag(t, conn.Fileno()), "O_NONBLOCK as CPython's")
		}
	}
}

func TestNonBlockingTCP_AcceptFailsAtOnceThenSucceedsOnceReady(t *testing.T) {
	// testAccept
	serv, addr := tcpListener(t)
	require.NoError(t, serv.SetBlocking(false))
	start := time.Now()
	_, _, err := serv.Accept()
	requireErrno(t, err, syscall.EAGAIN)
	assert.Equal(t, textEAGAIN, pyExc(err))
	assert.Less(t, time.Since(start), time.Second)

	cli := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, cli.Connect(addr))
	var conn *Socket
	for i := 0; i < 200; i++ {
		if conn, _, err = serv.Accept(); !errors.Is(err, syscall.EAGAIN) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, err)
	closeLater(t, conn)
	assert.Nil(t, conn.GetTimeout())
}

func TestNonBlockingTCP_RecvFailsAtOnceThenReturnsTheData(t *testing.T) {
	// testRecv
	conn, cli := connectedTCP(t)
	require.NoError(t, conn.SetBlocking(false))
	_, err := conn.Recv(len(msg), 0)
	requireErrno(t, err, syscall.EAGAIN)
	require.NoError(t, cli.SendAll(msg, 0))
	var got []byte
	for i := 0; i < 200; i++ {
		if got, err = conn.Recv(len(msg), 0); !errors.Is(err, syscall.EAGAIN) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.NoError(t, err)
	assert.Equal(t, msg, got)
}

func TestNonBlockingTCP_ConnectInProgressThenAlreadyLikeCPython(t *testing.T) {
	// A.3/B.4: a non-blocking connect is EINPROGRESS, then EALREADY while pending. The
	// listener's backlog is full, so the connection stays pending.
	srv, addr := fullListener(t)
	_ = srv
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, s.SetBlocking(false))
	err := s.Connect(addr)
	assert.Equal(t, textEINPROGRESS, pyExc(err))
	err = s.Connect(addr)
	assert.Equal(t, textEALREADY, pyExc(err))
	n, err := s.ConnectEx(addr)
	require.NoError(t, err)
	assert.Equal(t, int(syscall.EALREADY), n)
}

func TestNonBlockingTCP_ConnectExReturnsErrnoValuesLikeCPython(t *testing.T) {
	// A.3's connect_ex: 0, 111, 115, 106, and 2 for a missing AF_UNIX path.
	_, addr := tcpListener(t)
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	n, err := s.ConnectEx(addr)
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	n, err = s.ConnectEx(addr)
	require.NoError(t, err)
	assert.Equal(t, int(syscall.EISCONN), n)

	r := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	n, err = r.ConnectEx(py.Tuple{loopback, 1})
	require.NoError(t, err)
	assert.Equal(t, int(syscall.ECONNREFUSED), n)

	u := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	n, err = u.ConnectEx(t.TempDir() + "/missing")
	require.NoError(t, err)
	assert.Equal(t, int(syscall.ENOENT), n)
	assert.Equal(t, textECONNREFUSED,
		pyExc(mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1).Connect(py.Tuple{loopback, 1})))
}

func TestNonblockConstant_EveryCombinationOfModesAndDefaults(t *testing.T) {
	// test_SOCK_NONBLOCK
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, -1)
	checkMode(t, s, 0.0)
	for _, st := range []struct {
		set  func() error
		want any
	}{
		{func() error { return s.SetBlocking(true) }, nil},
		{func() error { return s.SetBlocking(false) }, 0.0},
		{func() error { return s.SetTimeout(nil) }, nil},
		{func() error { return s.SetTimeout(2.0) }, 2.0},
		{func() error { return s.SetBlocking(true) }, nil},
	} {
		require.NoError(t, st.set())
		checkMode(t, s, st.want)
	}
	for _, def := range []any{0.0, nil, 2.0, nil} {
		withDefaultTimeout(t, def)
		checkMode(t, mustSocket(t, -1, -1, -1), def)
	}
}

func TestInheritance_SocketsAreNotInheritableAndCloexecIsMasked(t *testing.T) {
	// test_SOCK_CLOEXEC, test_default_inheritable, test_dup, test_socketpair
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_CLOEXEC, -1)
	assert.Equal(t, SOCK_STREAM, s.Type())
	inh, err := s.GetInheritable()
	require.NoError(t, err)
	assert.False(t, inh)

	d, err := s.Dup()
	require.NoError(t, err)
	require.NoError(t, s.Close())
	inh, err = d.GetInheritable()
	require.NoError(t, err)
	assert.False(t, inh)
	require.NoError(t, d.Close())

	a, b := socketPair(t)
	for _, p := range []*Socket{a, b} {
		inh, err := p.GetInheritable()
		require.NoError(t, err)
		assert.False(t, inh)
	}

	conn, _ := connectedTCP(t)
	inh, err = conn.GetInheritable()
	require.NoError(t, err)
	assert.False(t, inh, "accepted sockets are close-on-exec")
}

func TestInheritance_SetInheritableTogglesCloexec(t *testing.T) {
	// test_set_inheritable, test_get_inheritable_cloexec, test_set_inheritable_cloexec
	s := mustSocket(t, -1, -1, -1)
	require.NoError(t, s.SetInheritable(true))
	inh, err := s.GetInheritable()
	require.NoError(t, err)
	assert.True(t, inh)
	cloexec, err := csock.GetCloexec(s.Fileno())
	require.NoError(t, err)
	assert.False(t, cloexec)
	require.NoError(t, s.SetInheritable(false))
	inh, err = s.GetInheritable()
	require.NoError(t, err)
	assert.False(t, inh)

	require.NoError(t, csock.SetCloexec(s.Fileno(), false))
	inh, err = s.GetInheritable()
	require.NoError(t, err)
	assert.True(t, inh, "get_inheritable reads the descriptor's flag")
}

func TestExceptions_SocketErrorsAreOSErrors(t *testing.T) {
	// testExceptionTree
	for _, err := range []error{
		&OSError{Errno: 1, Strerror: "x"}, &GaiError{Code: -2}, &HError{Code: 1}, errTimedOut,
	} {
		assert.True(t, IsOSError(err), "%T", err)
	}
	assert.Equal(t, "TimeoutError", errTimedOut.(*TimeoutError).PyClass())
}

func TestExceptions_SetBlockingOnDescriptorClosedBehindRaises(t *testing.T) {
	// test_setblocking_invalidfd
	sock0, err := New(csock.AF_INET, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	sock, err := NewFromFileno(sock0.Fileno(), csock.AF_INET, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	require.NoError(t, sock0.Close())
	defer sock.Detach()
	requireErrno(t, sock.SetBlocking(false), syscall.EBADF)
}

func TestDetach_RestoresBlockingModeForTimeoutNone(t *testing.T) {
	// A.3 detach: the descriptor comes back with the O_NONBLOCK flag CPython would have
	// left: cleared for timeout None, set for a timeout or non-blocking mode.
	for _, c := range []struct {
		timeout any
		nonblk  bool
	}{{nil, false}, {0.0, true}, {3.0, true}} {
		s, err := New(-1, -1, -1)
		require.NoError(t, err)
		require.NoError(t, s.SetTimeout(c.timeout))
		fd := s.Detach()
		assert.Equal(t, c.nonblk, nonblockFlag(t, fd), "timeout %v", c.timeout)
		assert.Equal(t, c.timeout, s.GetTimeout(), "gettimeout keeps the old value")
		require.NoError(t, csock.Close(fd))
	}

	// socket(fileno=fd) of a non-blocking descriptor with the default None: CPython keeps
	// the descriptor non-blocking, so detach hands it back that way.
	s, err := New(-1, -1, -1)
	require.NoError(t, err)
	require.NoError(t, s.SetTimeout(3))
	a, err := NewFromFileno(s.Detach(), -1, -1, -1)
	require.NoError(t, err)
	assert.Nil(t, a.GetTimeout())
	fd := a.Detach()
	assert.True(t, nonblockFlag(t, fd))
	require.NoError(t, csock.Close(fd))
}

// fullListener returns a TCP listener whose accept queue is full, so that a further
// connect stays pending (SYNs are dropped): CPython's blackhole, on loopback. A later
// connection attempt that does not complete at once is the sign it is full.
func fullListener(t *testing.T) (*Socket, InetAddress) {
	t.Helper()
	srv := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, srv.Bind(py.Tuple{loopback, 0}))
	require.NoError(t, srv.Listen(0))
	a, err := srv.GetSockName()
	require.NoError(t, err)
	addr := a.(InetAddress)
	for i := 0; i < 16; i++ {
		c := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
		require.NoError(t, c.SetTimeout(0.2))
		err := c.Connect(addr)
		if errors.Is(err, errTimedOut) {
			return srv, addr
		}
		require.NoError(t, err)
	}
	t.Skip("the listener's backlog never filled up: no blackhole on this kernel")
	return nil, InetAddress{}
}

var oracleConnectTwice = oracleCase("ConnectTwice", `
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()
for t in (None, 5.0):
    s = socket.socket(); s.settimeout(t)
    out[repr(t)] = [s.connect_ex(srv.getsockname()) for i in range(3)]
    s.close()
srv.close()
`)

func TestNonBlockingTCP_SecondConnectAfterSuccessLikeCPython(t *testing.T) {
	// Linux reports EISCONN for a second connect after a blocking one, but 0 once after a
	// connect that completed asynchronously (CPython's timeout mode).
	want := python(t, oracleConnectTwice)
	_, addr := tcpListener(t)
	for _, timeout := range []any{nil, 5.0} {
		s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
		require.NoError(t, s.SetTimeout(timeout))
		var got []any
		for i := 0; i < 3; i++ {
			n, err := s.ConnectEx(addr)
			require.NoError(t, err)
			got = append(got, float64(n))
		}
		assert.Equal(t, want[py.Repr(timeout)], got, "timeout %v", timeout)
	}
}
