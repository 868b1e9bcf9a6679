package csock_test

import (
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
)

// failNext makes the next n calls on op's hook fail with err, and counts every call the
// hook saw; the hook is removed when the test ends.
func failNext(t *testing.T, op csock.Op, err error, n int) *atomic.Int64 {
	t.Helper()
	var seen atomic.Int64
	restore := csock.HookFor(op).Set(func(c csock.Call) error {
		assert.Equal(t, op, c.Op)
		if seen.Add(1) <= int64(n) {
			return err
		}
		return nil
	})
	t.Cleanup(restore)
	return &seen
}

func TestHook_EverySocketPathReturnsTheFaultWithoutMakingTheCall(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_DGRAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	lfd, laddr := listener(t, csock.AF_INET)
	to := &csock.Addr{Family: csock.AF_UNIX}
	require.NoError(t, csock.GetSockName(fds[1], to))
	buf := make([]byte, 8)
	cases := []struct {
		op   csock.Op
		err  syscall.Errno
		call func() error
	}{
		{csock.OpSocket, syscall.EMFILE, func() error { _, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0); return err }},
		{csock.OpSocketPair, syscall.ENFILE, func() error { _, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0); return err }},
		{csock.OpAccept, syscall.EMFILE, func() error { _, err := csock.Accept(lfd, csock.SOCK_NONBLOCK, nil); return err }},
		{csock.OpConnect, syscall.ENOBUFS, func() error {
			fd, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, 0)
			require.NoError(t, err)
			defer csock.Close(fd)
			return csock.Connect(fd, &laddr)
		}},
		{csock.OpRecv, syscall.EINTR, func() error { _, err := csock.Recv(fds[0], buf, 0); return err }},
		{csock.OpRecvFrom, syscall.EAGAIN, func() error { _, err := csock.RecvFrom(fds[0], buf, 0, nil); return err }},
		{csock.OpSend, syscall.ENOBUFS, func() error { _, err := csock.Send(fds[0], buf, 0); return err }},
		{csock.OpSendTo, syscall.EINTR, func() error { _, err := csock.SendTo(fds[0], buf, 0, to); return err }},
	}
	for _, c := range cases {
		t.Run(c.op.String(), func(t *testing.T) {
			seen := failNext(t, c.op, c.err, 1)
			assert.Equal(t, c.err, c.call())
			assert.EqualValues(t, 1, seen.Load())
		})
	}
	// Nothing moved: no datagram was sent, none is waiting, and no connection was accepted
	// or made (the accept would find the backlog empty).
	_, err = csock.Recv(fds[1], buf, csock.MSG_DONTWAIT)
	assert.Equal(t, syscall.EAGAIN, err)
	_, err = csock.Recv(fds[0], buf, csock.MSG_DONTWAIT)
	assert.Equal(t, syscall.EAGAIN, err)
	require.NoError(t, csock.SetNonblock(lfd, true))
	_, err = csock.Accept(lfd, 0, nil)
	assert.Equal(t, syscall.EAGAIN, err)
}

func TestHook_RestorePutsBackThePreviousFunction(t *testing.T) {
	outer := csock.RecvHook.Set(func(csock.Call) error { return syscall.EIO })
	defer outer()
	inner := csock.RecvHook.Set(nil)
	assert.False(t, csock.RecvHook.Active())
	inner()
	assert.True(t, csock.RecvHook.Active())
	_, err := csock.Recv(-1, nil, 0)
	assert.Equal(t, syscall.EIO, err)
	outer()
	assert.False(t, csock.RecvHook.Active())
	_, err = csock.Recv(-1, nil, 0)
	assert.Equal(t, syscall.EBADF, err)
}

func TestHook_AcceptFaultLeavesTheConnectionInTheBacklog(t *testing.T) {
	lfd, laddr := listener(t, csock.AF_INET)
	c := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
	require.NoError(t, csock.Connect(c, &laddr))
	failNext(t, csock.OpAccept, syscall.EMFILE, 1)
	_, err := csock.Accept(lfd, 0, nil)
	require.Equal(t, syscall.EMFILE, err)
	var peer csock.Addr
	fd, err := csock.Accept(lfd, 0, &peer)
	require.NoError(t, err)
	closeLater(t, fd)
	assert.Equal(t, csock.AF_INET, peer.Family)
}

func TestHook_ConnectEINTRStartsTheConnectionAsConnect2Does(t *testing.T) {
	// connect(2): "If the connection is interrupted by a signal that is caught, ... the
	// connection is established asynchronously." The fault is reported, the handshake goes
	// on, and the listener sees the connection.
	lfd, laddr := listener(t, csock.AF_INET)
	fd := newSocket(t, csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, 0)
	seen := failNext(t, csock.OpConnect, syscall.EINTR, 1)
	require.Equal(t, syscall.EINTR, csock.Connect(fd, &laddr))
	assert.EqualValues(t, 1, seen.Load())
	nfd, err := csock.Accept(lfd, 0, nil)
	require.NoError(t, err)
	closeLater(t, nfd)
	var peer csock.Addr
	require.NoError(t, csock.GetPeerName(fd, &peer))
	assert.Equal(t, laddr.Port, peer.Port)

	// A connection that fails at once reports its own error, not the EINTR.
	u := newSocket(t, csock.AF_UNIX, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, 0)
	failNext(t, csock.OpConnect, syscall.EINTR, 1)
	err = csock.Connect(u, &csock.Addr{Family: csock.AF_UNIX, Path: []byte("/nonexistent/csock-hook\x00")})
	assert.Equal(t, syscall.ENOENT, err)
}

func TestHook_ResolverFaults(t *testing.T) {
	t.Run("getaddrinfo errno is EAI_SYSTEM", func(t *testing.T) {
		failNext(t, csock.OpGetAddrInfo, syscall.EMFILE, 1)
		st := csock.Status{HErrnoSet: true, HErrno: 3}
		_, err := csock.GetAddrInfo([]byte("localhost"), nil, 0, 0, 0, 0, &st)
		assert.Equal(t, &csock.GaiError{Code: csock.EAI_SYSTEM, Errno: syscall.EMFILE}, err)
		assert.ErrorIs(t, err, syscall.EMFILE)
		assert.Equal(t, csock.Status{}, st)
	})
	t.Run("getaddrinfo EAI code as is", func(t *testing.T) {
		failNext(t, csock.OpGetAddrInfo, &csock.GaiError{Code: csock.EAI_AGAIN}, 1)
		_, err := csock.GetAddrInfo([]byte("localhost"), nil, 0, 0, 0, 0, nil)
		assert.Equal(t, &csock.GaiError{Code: csock.EAI_AGAIN}, err)
		res, err := csock.GetAddrInfo([]byte("127.0.0.1"), nil, csock.AF_INET, csock.SOCK_STREAM, 0, 0, nil)
		require.NoError(t, err)
		assert.Len(t, res, 1)
	})
	t.Run("getnameinfo", func(t *testing.T) {
		failNext(t, csock.OpGetNameInfo, syscall.ENOBUFS, 1)
		_, _, err := csock.GetNameInfo(loopback(csock.AF_INET), csock.NI_NUMERICHOST, nil)
		assert.Equal(t, &csock.GaiError{Code: csock.EAI_SYSTEM, Errno: syscall.ENOBUFS}, err)
	})
	for _, op := range []csock.Op{csock.OpGetHostByName, csock.OpGetHostByAddr} {
		t.Run(op.String(), func(t *testing.T) {
			failNext(t, op, syscall.EMFILE, 1)
			var st csock.Status
			var err error
			if op == csock.OpGetHostByName {
				_, err = csock.GetHostByName([]byte("localhost"), 0, &st)
			} else {
				_, err = csock.GetHostByAddr([]byte{127, 0, 0, 1}, csock.AF_INET, 0, &st)
			}
			assert.Equal(t, &csock.HError{Code: -1, Errno: syscall.EMFILE}, err)
			assert.Equal(t, csock.Status{HErrnoSet: true, HErrno: -1}, st)
		})
	}
}

func TestHook_OpsHaveNamesAndHooks(t *testing.T) {
	ops := csock.Ops()
	require.Len(t, ops, 12)
	seen := map[*csock.Hook]bool{}
	for _, op := range ops {
		h := csock.HookFor(op)
		require.NotNil(t, h, "%v", op)
		assert.False(t, seen[h], "%v shares a hook", op)
		seen[h] = true
		assert.NotContains(t, op.String(), "Op(")
	}
	assert.Nil(t, csock.HookFor(0))
	assert.Equal(t, "Op(200)", csock.Op(200).String())
}

func TestHook_UnsetCostsNoAllocation(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	buf := make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := csock.Send(fds[0], buf, 0); err != nil {
			panic(err)
		}
		if _, err := csock.Recv(fds[1], buf, 0); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs)
}
