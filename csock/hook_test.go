//go:build linux && cgo

package csock_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/seam"
)

// failNext makes the next n calls on op's hook fail with err, and counts every call the
// hook saw; the hook is removed when the test ends.
func failNext(t *testing.T, op seam.Op, err error, n int) *atomic.Int64 {
	t.Helper()
	var seen atomic.Int64
	restore := seam.HookFor(op).Set(func(c seam.Call) error {
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
		op   seam.Op
		err  syscall.Errno
		call func() error
	}{
		{seam.OpSocket, syscall.EMFILE, func() error { _, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0); return err }},
		{seam.OpSocketPair, syscall.ENFILE, func() error { _, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0); return err }},
		{seam.OpAccept, syscall.EMFILE, func() error { _, err := csock.Accept(lfd, csock.SOCK_NONBLOCK, nil); return err }},
		{seam.OpConnect, syscall.ENOBUFS, func() error {
			fd, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_NONBLOCK, 0)
			require.NoError(t, err)
			defer csock.Close(fd)
			return csock.Connect(fd, &laddr)
		}},
		{seam.OpRecv, syscall.EINTR, func() error { _, err := csock.Recv(fds[0], buf, 0); return err }},
		{seam.OpRecvFrom, syscall.EAGAIN, func() error { _, err := csock.RecvFrom(fds[0], buf, 0, nil); return err }},
		{seam.OpSend, syscall.ENOBUFS, func() error { _, err := csock.Send(fds[0], buf, 0); return err }},
		{seam.OpSendTo, syscall.EINTR, func() error { _, err := csock.SendTo(fds[0], buf, 0, to); return err }},
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
	outer := seam.RecvHook.Set(func(seam.Call) error { return syscall.EIO })
	defer outer()
	inner := seam.RecvHook.Set(nil)
	assert.False(t, seam.RecvHook.Active())
	inner()
	assert.True(t, seam.RecvHook.Active())
	_, err := csock.Recv(-1, nil, 0)
	assert.Equal(t, syscall.EIO, err)
	outer()
	assert.False(t, seam.RecvHook.Active())
	_, err = csock.Recv(-1, nil, 0)
	assert.Equal(t, syscall.EBADF, err)
}

func TestHook_AcceptFaultLeavesTheConnectionInTheBacklog(t *testing.T) {
	lfd, laddr := listener(t, csock.AF_INET)
	c := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
	require.NoError(t, csock.Connect(c, &laddr))
	failNext(t, seam.OpAccept, syscall.EMFILE, 1)
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
	seen := failNext(t, seam.OpConnect, syscall.EINTR, 1)
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
	failNext(t, seam.OpConnect, syscall.EINTR, 1)
	err = csock.Connect(u, &csock.Addr{Family: csock.AF_UNIX, Path: []byte("/nonexistent/csock-hook\x00")})
	assert.Equal(t, syscall.ENOENT, err)
}

func TestHook_ResolverFaults(t *testing.T) {
	t.Run("getaddrinfo errno is EAI_SYSTEM", func(t *testing.T) {
		failNext(t, seam.OpGetAddrInfo, syscall.EMFILE, 1)
		st := csock.Status{HErrnoSet: true, HErrno: 3}
		_, err := csock.GetAddrInfo([]byte("localhost"), nil, 0, 0, 0, 0, &st)
		assert.Equal(t, &csock.GaiError{Code: csock.EAI_SYSTEM, Errno: syscall.EMFILE}, err)
		assert.ErrorIs(t, err, syscall.EMFILE)
		assert.Equal(t, csock.Status{}, st)
	})
	t.Run("getaddrinfo EAI code as is", func(t *testing.T) {
		failNext(t, seam.OpGetAddrInfo, &csock.GaiError{Code: csock.EAI_AGAIN}, 1)
		_, err := csock.GetAddrInfo([]byte("localhost"), nil, 0, 0, 0, 0, nil)
		assert.Equal(t, &csock.GaiError{Code: csock.EAI_AGAIN}, err)
		res, err := csock.GetAddrInfo([]byte("127.0.0.1"), nil, csock.AF_INET, csock.SOCK_STREAM, 0, 0, nil)
		require.NoError(t, err)
		assert.Len(t, res, 1)
	})
	t.Run("getnameinfo", func(t *testing.T) {
		failNext(t, seam.OpGetNameInfo, syscall.ENOBUFS, 1)
		_, _, err := csock.GetNameInfo(loopback(csock.AF_INET), csock.NI_NUMERICHOST, nil)
		assert.Equal(t, &csock.GaiError{Code: csock.EAI_SYSTEM, Errno: syscall.ENOBUFS}, err)
	})
	for _, op := range []seam.Op{seam.OpGetHostByName, seam.OpGetHostByAddr} {
		t.Run(op.String(), func(t *testing.T) {
			failNext(t, op, syscall.EMFILE, 1)
			var st csock.Status
			var err error
			if op == seam.OpGetHostByName {
				_, err = csock.GetHostByName([]byte("localhost"), 0, &st)
			} else {
				_, err = csock.GetHostByAddr([]byte{127, 0, 0, 1}, csock.AF_INET, 0, &st)
			}
			assert.Equal(t, &csock.HError{Code: -1, Errno: syscall.EMFILE}, err)
			assert.Equal(t, csock.Status{HErrnoSet: true, HErrno: -1}, st)
		})
	}
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

// TestHook_CheckIsInlinedAtEveryCallSite pins what an unset hook costs a path: the
// compiler inlines seam's Check wherever the binding asks a hook, leaving one atomic load
// and a nil check in front of the C call.
func TestHook_CheckIsInlinedAtEveryCallSite(t *testing.T) {
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	site := regexp.MustCompile(`\bseam\.\w+Hook\.Check\(`)
	sites := 0
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		src, err := os.ReadFile(n)
		require.NoError(t, err)
		sites += len(site.FindAll(src, -1))
	}
	require.Greater(t, sites, 10, "the hooks' call sites were not found")
	out, err := exec.Command("go", "build", "-gcflags=github.com/csock/csock/csock=-m", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	inlined := strings.Count(string(out), "inlining call to seam.(*Hook).Check")
	assert.Equal(t, sites, inlined, "call sites of seam.(*Hook).Check that are not inlined")
}
