//go:build linux && cgo

package csock_test

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
)

// pair returns a socketpair of the given type, both ends closed when the test ends.
func pair(t *testing.T, typ int) [2]int {
	t.Helper()
	fds, err := csock.SocketPair(csock.AF_UNIX, typ, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	closeLater(t, fds[1])
	return fds
}

func TestSendMsgRecvMsg_GatherAndScatterOneMessage(t *testing.T) {
	sp := pair(t, csock.SOCK_SEQPACKET)
	n, err := csock.SendMsg(sp[0], [][]byte{[]byte("ab"), nil, {}, []byte("cdefg")}, nil, nil, 0)
	require.NoError(t, err)
	assert.Equal(t, 7, n)

	x, y, z := make([]byte, 1), make([]byte, 2), make([]byte, 16)
	var from csock.Addr
	n, clen, flags, err := csock.RecvMsg(sp[1], [][]byte{x, y, z}, nil, 0, &from)
	require.NoError(t, err)
	assert.Equal(t, 7, n)
	assert.Equal(t, "a", string(x))
	assert.Equal(t, "bc", string(y))
	assert.Equal(t, "defg", string(z[:4]))
	assert.Zero(t, clen)
	assert.Zero(t, flags)
	assert.Zero(t, from.Len, "an unnamed peer has no address")
	assert.Equal(t, csock.AF_UNSPEC, from.Family)

	// A message longer than the buffers is cut, and says so.
	_, err = csock.SendMsg(sp[0], [][]byte{[]byte("0123456789")}, nil, nil, 0)
	require.NoError(t, err)
	n, _, flags, err = csock.RecvMsg(sp[1], [][]byte{x}, nil, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, "0", string(x))
	assert.NotZero(t, flags&csock.MSG_TRUNC)
}

func TestSendMsgRecvMsg_MoreBuffersThanTheStackArray(t *testing.T) {
	sp := pair(t, csock.SOCK_SEQPACKET)
	var out, in [][]byte
	var want []byte
	for i := range 20 { // beyond the 8 iovecs kept on the stack
		b := bytes.Repeat([]byte{byte('a' + i)}, i+1)
		out = append(out, b)
		want = append(want, b...)
		in = append(in, make([]byte, i+1))
	}
	n, err := csock.SendMsg(sp[0], out, nil, nil, 0)
	require.NoError(t, err)
	assert.Equal(t, len(want), n)
	n, _, _, err = csock.RecvMsg(sp[1], in, nil, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, len(want), n)
	assert.Equal(t, want, bytes.Join(in, nil))
}

func TestSendMsg_MoreBuffersThanIOVMaxIsEMSGSIZE(t *testing.T) {
	sp := pair(t, csock.SOCK_STREAM)
	bufs := make([][]byte, 1025) // IOV_MAX is 1024 on Linux
	for i := range bufs {
		bufs[i] = []byte{'x'}
	}
	_, err := csock.SendMsg(sp[0], bufs, nil, nil, 0)
	assert.ErrorIs(t, err, syscall.EMSGSIZE)
}

func TestSendMsgRecvMsg_ClosedDescriptorIsEBADF(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	require.NoError(t, csock.Close(fds[0]))
	require.NoError(t, csock.Close(fds[1]))
	_, err = csock.SendMsg(fds[0], [][]byte{[]byte("x")}, nil, nil, 0)
	assert.Equal(t, syscall.EBADF, err)
	_, _, _, err = csock.RecvMsg(fds[1], [][]byte{make([]byte, 1)}, nil, 0, nil)
	assert.Equal(t, syscall.EBADF, err)
}

func TestSendMsg_DeadPeerIsEPIPENotSIGPIPE(t *testing.T) {
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	require.NoError(t, csock.Close(fds[1]))
	_, err = csock.SendMsg(fds[0], [][]byte{[]byte("x")}, nil, nil, 0)
	assert.Equal(t, syscall.EPIPE, err)
}

// fdsIn returns the descriptors of the SCM_RIGHTS messages in control, parsed by the
// standard library (an independent reading of the cmsg(3) layout).
func fdsIn(t *testing.T, control []byte) []int {
	t.Helper()
	msgs, err := syscall.ParseSocketControlMessage(control)
	require.NoError(t, err)
	var fds []int
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_RIGHTS {
			got, err := syscall.ParseUnixRights(&m)
			require.NoError(t, err)
			fds = append(fds, got...)
		}
	}
	return fds
}

// pipeFDs returns a close-on-exec pipe, both ends closed when the test ends.
func pipeFDs(t *testing.T) (r, w int) {
	t.Helper()
	var p [2]int
	require.NoError(t, syscall.Pipe2(p[:], syscall.O_CLOEXEC))
	closeLater(t, p[0])
	closeLater(t, p[1])
	return p[0], p[1]
}

func TestRecvMsg_SCMRightsDescriptorIsInheritableLikeCPython(t *testing.T) {
	// CPython's recvmsg passes its flags as given, without MSG_CMSG_CLOEXEC, so a received
	// descriptor has FD_CLOEXEC clear (socket.recv_fds: os.get_inheritable(fd) is True).
	for _, c := range []struct {
		name    string
		flags   int
		cloexec bool
	}{
		{"flags 0", 0, false},
		{"MSG_CMSG_CLOEXEC", csock.MSG_CMSG_CLOEXEC, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			sp := pair(t, csock.SOCK_STREAM)
			r, w := pipeFDs(t)
			space, ok := csock.CMSGSpace(4)
			require.True(t, ok)
			n, err := csock.SendMsg(sp[0], [][]byte{[]byte("x")}, syscall.UnixRights(w), nil, 0)
			require.NoError(t, err)
			require.Equal(t, 1, n)

			buf, control := make([]byte, 1), make([]byte, space)
			n, clen, flags, err := csock.RecvMsg(sp[1], [][]byte{buf}, control, c.flags, nil)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			assert.Zero(t, flags&csock.MSG_CTRUNC)
			got := fdsIn(t, control[:clen])
			require.Len(t, got, 1)
			closeLater(t, got[0])
			assert.NotEqual(t, w, got[0])
			cloexec, err := csock.GetCloexec(got[0])
			require.NoError(t, err)
			assert.Equal(t, c.cloexec, cloexec)

			// It is the pipe's write end.
			_, err = syscall.Write(got[0], []byte("y"))
			require.NoError(t, err)
			b := make([]byte, 1)
			_, err = syscall.Read(r, b)
			require.NoError(t, err)
			assert.Equal(t, "y", string(b))
		})
	}
}

func TestRecvMsg_SCMCredentialsWithSOPassCred(t *testing.T) {
	sp := pair(t, csock.SOCK_DGRAM)
	require.NoError(t, csock.SetSockOptInt(sp[1], csock.SOL_SOCKET, csock.SO_PASSCRED, 1))
	space, ok := csock.CMSGSpace(uint64(syscall.SizeofUcred))
	require.True(t, ok)
	self := syscall.Ucred{Pid: int32(os.Getpid()), Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}

	// Without credentials in the message the kernel attaches the sender's; with our own
	// explicit ones, they arrive as sent.
	for _, control := range [][]byte{nil, syscall.UnixCredentials(&self)} {
		_, err := csock.SendMsg(sp[0], [][]byte{[]byte("c")}, control, nil, 0)
		require.NoError(t, err)
		buf, in := make([]byte, 1), make([]byte, space)
		n, clen, flags, err := csock.RecvMsg(sp[1], [][]byte{buf}, in, 0, nil)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Zero(t, flags)
		msgs, err := syscall.ParseSocketControlMessage(in[:clen])
		require.NoError(t, err)
		require.Len(t, msgs, 1)
		cred, err := syscall.ParseUnixCredentials(&msgs[0])
		require.NoError(t, err)
		assert.Equal(t, self, *cred)
	}
}

func TestRecvMsg_TooSmallControlBufferIsMSGCTRUNC(t *testing.T) {
	sp := pair(t, csock.SOCK_STREAM)
	r, w := pipeFDs(t)
	one, ok := csock.CMSGLen(4)
	require.True(t, ok)

	// Two descriptors, room for one: the kernel delivers the first, closes the other and
	// reports MSG_CTRUNC.
	_, err := csock.SendMsg(sp[0], [][]byte{[]byte("x")}, syscall.UnixRights(r, w), nil, 0)
	require.NoError(t, err)
	control := make([]byte, one)
	n, clen, flags, err := csock.RecvMsg(sp[1], [][]byte{make([]byte, 1)}, control, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.NotZero(t, flags&csock.MSG_CTRUNC)
	got := fdsIn(t, control[:clen])
	require.Len(t, got, 1)
	closeLater(t, got[0])

	// No control buffer at all: MSG_CTRUNC, no descriptor.
	_, err = csock.SendMsg(sp[0], [][]byte{[]byte("x")}, syscall.UnixRights(r), nil, 0)
	require.NoError(t, err)
	n, clen, flags, err = csock.RecvMsg(sp[1], [][]byte{make([]byte, 1)}, nil, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Zero(t, clen)
	assert.NotZero(t, flags&csock.MSG_CTRUNC)
}

func TestSendMsgRecvMsg_AddressesOverUDP(t *testing.T) {
	for _, family := range []int{csock.AF_INET, csock.AF_INET6} {
		t.Run(fmt.Sprint(family), func(t *testing.T) {
			u := newSocket(t, family, csock.SOCK_DGRAM, 0)
			if err := csock.Bind(u, loopback(family)); err != nil {
				t.Skipf("no loopback for family %d: %v", family, err)
			}
			v := newSocket(t, family, csock.SOCK_DGRAM, 0)
			require.NoError(t, csock.Bind(v, loopback(family)))
			var un, vn csock.Addr
			require.NoError(t, csock.GetSockName(u, &un))
			require.NoError(t, csock.GetSockName(v, &vn))

			n, err := csock.SendMsg(v, [][]byte{[]byte("u"), []byte("dp")}, nil, &un, 0)
			require.NoError(t, err)
			assert.Equal(t, 3, n)
			buf := make([]byte, 8)
			var from csock.Addr
			n, _, _, err = csock.RecvMsg(u, [][]byte{buf}, nil, 0, &from)
			require.NoError(t, err)
			assert.Equal(t, "udp", string(buf[:n]))
			assert.Equal(t, vn, from)
		})
	}
}

func TestSendMsgRecvMsg_AllocateNothing(t *testing.T) {
	sp := pair(t, csock.SOCK_SEQPACKET)
	out := [][]byte{[]byte("head"), []byte("body"), []byte("tail")}
	a, b, c := make([]byte, 4), make([]byte, 4), make([]byte, 8)
	in := [][]byte{a, b, c}
	control := make([]byte, 64)
	var from csock.Addr
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := csock.SendMsg(sp[0], out, nil, nil, 0); err != nil {
			panic(err)
		}
		if _, _, _, err := csock.RecvMsg(sp[1], in, control, 0, &from); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs)
}

func TestCMSGLenAndSpace_EqualTheStandardLibraryForEveryLength(t *testing.T) {
	for n := range 1 << 16 {
		l, ok := csock.CMSGLen(uint64(n))
		require.True(t, ok)
		require.Equal(t, uint64(syscall.CmsgLen(n)), l, "CMSG_LEN(%d)", n)
		s, ok := csock.CMSGSpace(uint64(n))
		require.True(t, ok)
		require.Equal(t, uint64(syscall.CmsgSpace(n)), s, "CMSG_SPACE(%d)", n)
	}
}

func TestCMSGLenAndSpace_OverflowEdges(t *testing.T) {
	hdr, ok := csock.CMSGLen(0)
	require.True(t, ok)
	space0, _ := csock.CMSGSpace(0)
	space1, _ := csock.CMSGSpace(1)
	align := space1 - space0

	l, ok := csock.CMSGLen(math.MaxUint64 - hdr)
	assert.True(t, ok)
	assert.Equal(t, uint64(math.MaxUint64), l)
	for _, n := range []uint64{math.MaxUint64 - hdr + 1, math.MaxUint64} {
		_, ok = csock.CMSGLen(n)
		assert.False(t, ok, "CMSG_LEN(%d)", n)
	}

	last := uint64(math.MaxUint64) - (space1 - 1)
	s, ok := csock.CMSGSpace(last)
	assert.True(t, ok)
	assert.Equal(t, last+space0, s, "the last length is a multiple of the alignment")
	assert.Zero(t, s%align)
	for _, n := range []uint64{last + 1, last + align, math.MaxUint64} {
		_, ok = csock.CMSGSpace(n)
		assert.False(t, ok, "CMSG_SPACE(%d)", n)
	}
}

func TestCMSGLenAndSpace_AgreeWithCPythonInsideItsBounds(t *testing.T) {
	// CPython answers within [0, INT_MAX - CMSG_LEN(0)] and [0, INT_MAX - CMSG_SPACE(1)]
	// (its SOCKLEN_T_LIMIT); the binding answers for every size_t, the same there.
	const program = `
import json, socket
ns = [0, 1, 7, 8, 9, 255, 4096, 2147483623, 2147483624, 2147483631, 2147483632]
def f(g, n):
    try: return g(n)
    except OverflowError: return None
print(json.dumps({str(n): [f(socket.CMSG_LEN, n), f(socket.CMSG_SPACE, n)] for n in ns}))
`
	var want map[string][2]*uint64
	testutil.PythonJSON(t, program, nil, &want)
	require.NotEmpty(t, want)
	for key, w := range want {
		var n uint64
		_, err := fmt.Sscan(key, &n)
		require.NoError(t, err)
		l, ok := csock.CMSGLen(n)
		require.True(t, ok)
		s, ok := csock.CMSGSpace(n)
		require.True(t, ok)
		if w[0] != nil {
			assert.Equal(t, *w[0], l, "CMSG_LEN(%d)", n)
		} else {
			assert.Greater(t, l, uint64(math.MaxInt32), "CPython refuses CMSG_LEN(%d): beyond INT_MAX", n)
		}
		if w[1] != nil {
			assert.Equal(t, *w[1], s, "CMSG_SPACE(%d)", n)
		}
	}
}

// tempFile returns a file holding data, closed and removed when the test ends.
func tempFile(t *testing.T, data []byte) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "sendfile")
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	_, err = f.Write(data)
	require.NoError(t, err)
	return f
}

func TestSendFile_FromATempFileToASocketPair(t *testing.T) {
	data := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz"), 100)
	f := tempFile(t, data)
	in := int(f.Fd())
	sp := pair(t, csock.SOCK_STREAM)

	// With an offset: it advances, the file position (at the end) does not move.
	off := int64(1000)
	n, err := csock.SendFile(sp[0], in, &off, 1500)
	require.NoError(t, err)
	assert.Equal(t, 1500, n)
	assert.Equal(t, int64(2500), off)
	pos, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), pos)
	assert.Equal(t, data[1000:2500], recvN(t, sp[1], 1500))

	n, err = csock.SendFile(sp[0], in, &off, 1000)
	require.NoError(t, err)
	assert.Equal(t, len(data)-2500, n, "up to the end of the file")
	n, err = csock.SendFile(sp[0], in, &off, 1000)
	require.NoError(t, err)
	assert.Zero(t, n, "at the end of the file")
	assert.Equal(t, data[2500:], recvN(t, sp[1], len(data)-2500))

	// Without: from the file position, which advances.
	_, err = f.Seek(100, io.SeekStart)
	require.NoError(t, err)
	n, err = csock.SendFile(sp[0], in, nil, 200)
	require.NoError(t, err)
	assert.Equal(t, 200, n)
	pos, err = f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	assert.Equal(t, int64(300), pos)
	assert.Equal(t, data[100:300], recvN(t, sp[1], 200))
}

func TestSendFile_ToLoopbackTCP(t *testing.T) {
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	f := tempFile(t, data)
	lfd, addr := listener(t, csock.AF_INET)
	c := newSocket(t, csock.AF_INET, csock.SOCK_STREAM, 0)
	require.NoError(t, csock.Connect(c, &addr))
	s, err := csock.Accept(lfd, 0, nil)
	require.NoError(t, err)
	closeLater(t, s)

	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, len(data))
		k := 0
		for k < len(buf) {
			n, err := csock.Recv(s, buf[k:], 0)
			if err != nil || n == 0 {
				break
			}
			k += n
		}
		got <- buf[:k]
	}()
	var off int64
	deadline := time.Now().Add(10 * time.Second)
	for off < int64(len(data)) && time.Now().Before(deadline) {
		_, err := csock.SendFile(c, int(f.Fd()), &off, len(data)-int(off))
		require.NoError(t, err)
	}
	require.Equal(t, int64(len(data)), off)
	select {
	case b := <-got:
		assert.True(t, bytes.Equal(data, b), "the peer received the file")
	case <-time.After(10 * time.Second):
		t.Fatal("the peer did not receive the file in 10 s")
	}
}

func TestSendFile_Errors(t *testing.T) {
	f := tempFile(t, []byte("x"))
	sp := pair(t, csock.SOCK_STREAM)
	_, err := csock.SendFile(-1, int(f.Fd()), nil, 1)
	assert.Equal(t, syscall.EBADF, err)
	_, err = csock.SendFile(sp[0], sp[1], nil, 1) // a socket is no file to read from
	assert.Equal(t, syscall.EINVAL, err)
}

func TestSendFile_DeadPeerIsEPIPEInAGoProgram(t *testing.T) {
	// sendfile cannot carry MSG_NOSIGNAL: the SIGPIPE it raises is ignored by the Go
	// runtime, and the call reports EPIPE; the test process lives.
	f := tempFile(t, []byte("data"))
	fds, err := csock.SocketPair(csock.AF_UNIX, csock.SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, fds[0])
	require.NoError(t, csock.Close(fds[1]))
	var off int64
	_, err = csock.SendFile(fds[0], int(f.Fd()), &off, 4)
	assert.Equal(t, syscall.EPIPE, err)
}

// inNewUTSNamespace runs f on an OS thread moved into a UTS namespace of its own, so
// that sethostname changes nothing outside it; the thread ends with f (it stays locked).
// It reports false when the namespace could not be made (not root, or unshare refused).
func inNewUTSNamespace(t *testing.T, f func()) bool {
	t.Helper()
	ok := make(chan bool, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := syscall.Unshare(syscall.CLONE_NEWUTS); err != nil {
			t.Logf("unshare(CLONE_NEWUTS): %v", err)
			ok <- false
			return
		}
		defer func() { ok <- true }()
		f()
	}()
	return <-ok
}

func TestSetHostName(t *testing.T) {
	before, err := csock.GetHostName()
	require.NoError(t, err)
	ran := inNewUTSNamespace(t, func() {
		assert.NoError(t, csock.SetHostName([]byte("csock-sethostname")))
		name, err := csock.GetHostName()
		assert.NoError(t, err)
		assert.Equal(t, "csock-sethostname", name)
		assert.NoError(t, csock.SetHostName([]byte(strings.Repeat("h", 64))))
		assert.Equal(t, syscall.EINVAL, csock.SetHostName([]byte(strings.Repeat("h", 65))))
		assert.NoError(t, csock.SetHostName(nil))
		name, err = csock.GetHostName()
		assert.NoError(t, err)
		assert.Equal(t, "", name)
	})
	if !ran {
		// Setting the name the host already has changes nothing, allowed or not.
		err := csock.SetHostName([]byte(before))
		if err != nil {
			assert.Equal(t, syscall.EPERM, err)
		}
	}
	after, err := csock.GetHostName()
	require.NoError(t, err)
	assert.Equal(t, before, after, "the host's own name is untouched")
}

func TestSendFileNowait_NeverBlocksAndRestoresTheFlag(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, beyond a socket buffer
	f := tempFile(t, data)
	sp := pair(t, csock.SOCK_STREAM)
	nb, err := csock.GetNonblock(sp[0])
	require.NoError(t, err)
	require.False(t, nb, "the pair starts blocking")

	// The first call sends what fits; a blocking sendfile(2) would wait for the rest.
	var off int64
	n, err := csock.SendFileNowait(sp[0], int(f.Fd()), &off, len(data))
	require.NoError(t, err)
	assert.Greater(t, n, 0)
	assert.Less(t, n, len(data), "a socket buffer holds less than 1 MiB")
	assert.Equal(t, int64(n), off)
	_, err = csock.SendFileNowait(sp[0], int(f.Fd()), &off, len(data)-int(off))
	assert.Equal(t, syscall.EAGAIN, err, "no room left")
	nb, err = csock.GetNonblock(sp[0])
	require.NoError(t, err)
	assert.False(t, nb, "O_NONBLOCK is cleared again")

	// A non-blocking descriptor keeps its flag.
	require.NoError(t, csock.SetNonblock(sp[0], true))
	_, err = csock.SendFileNowait(sp[0], int(f.Fd()), &off, 1)
	assert.Equal(t, syscall.EAGAIN, err)
	nb, err = csock.GetNonblock(sp[0])
	require.NoError(t, err)
	assert.True(t, nb)

	_, err = csock.SendFileNowait(-1, int(f.Fd()), nil, 1)
	assert.Equal(t, syscall.EBADF, err)
}
