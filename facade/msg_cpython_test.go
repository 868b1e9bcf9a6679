//go:build linux

package facade

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// The behaviour of CPython 3.11's Lib/test/test_socket.py classes SendmsgTests,
// SendmsgStreamTests, SendmsgConnectionlessTests, RecvmsgGenericTests,
// RecvmsgGenericStreamTests, RecvmsgTests, RecvmsgIntoTests, CmsgMacroTests,
// SCMRightsTest, RFC3542AncillaryTest and SendRecvFdsTests, ported test by test. Like
// CPython's concrete classes (SendmsgUDPTest, RecvmsgIntoTCPTest, RecvmsgSCMRightsStreamTest,
// RecvmsgRFC3542AncillaryUDP6Test, ...) each runs on the socket kinds its class runs on,
// through recvmsg and through recvmsg_into (RecvmsgIntoMixin). CPython's client thread
// becomes the sends made before the receive (loopback queues them), or a goroutine where
// the two must overlap.

// failTimeout is CPython's SendrecvmsgBase.fail_timeout (support.LOOPBACK_TIMEOUT).
const failTimeout = 10.0

// sizeofInt is test_socket's SIZEOF_INT.
const sizeofInt = 4

// msgFixture is CPython's SendrecvmsgBase with one of its concrete socket bases.
type msgFixture struct {
	serv, cli      *Socket // serv_sock, cli_sock
	servAddr       Address // the destination of a connectionless client
	cliAddr        Address // the sender's address a connectionless server sees
	connectionless bool
	dgram          bool // MSG_TRUNC marks a record received in part
	into           bool // doRecvmsg is recvmsg_into's emulation (RecvmsgIntoMixin)
}

// The socket kinds of CPython's concrete classes.
const (
	kindUDP        = "UDP"
	kindUDP6       = "UDP6"
	kindTCP        = "TCP"
	kindUnixStream = "UnixStream"
)

func newMsgFixture(t *testing.T, kind string, into bool) *msgFixture {
	t.Helper()
	f := &msgFixture{into: into}
	switch kind {
	case kindUDP, kindUDP6:
		family, host := csock.AF_INET, loopback
		if kind == kindUDP6 {
			family, host = csock.AF_INET6, "::1"
		}
		f.serv = mustSocket(t, family, csock.SOCK_DGRAM, -1)
		require.NoError(t, f.serv.Bind(py.Tuple{host, 0}))
		f.cli = mustSocket(t, family, csock.SOCK_DGRAM, -1)
		require.NoError(t, f.cli.Bind(py.Tuple{host, 0}))
		var err error
		f.servAddr, err = f.serv.GetSockName()
		require.NoError(t, err)
		f.cliAddr, err = f.cli.GetSockName()
		require.NoError(t, err)
		f.connectionless, f.dgram = true, true
	case kindTCP:
		f.serv, f.cli = connectedTCP(t)
	case kindUnixStream:
		f.serv, f.cli = socketPair(t)
	default:
		t.Fatalf("no fixture %q", kind)
	}
	require.NoError(t, f.serv.SetTimeout(failTimeout)) // SendrecvmsgServerTimeoutBase
	return f
}

// forMsgKinds runs test on each kind, through recvmsg and, if into, through recvmsg_into
// too (CPython's Recvmsg*Test and RecvmsgInto*Test classes).
func forMsgKinds(t *testing.T, kinds []string, into bool, test func(t *testing.T, f *msgFixture)) {
	for _, kind := range kinds {
		variants := []bool{false}
		if into {
			variants = append(variants, true)
		}
		for _, v := range variants {
			name := kind
			if v {
				name += "_into"
			}
			t.Run(name, func(t *testing.T) {
				if kind == kindUDP6 && !HasIPv6 {
					t.Skip("no IPv6")
				}
				test(t, newMsgFixture(t, kind, v))
			})
		}
	}
}

var allMsgKinds = []string{kindUDP, kindUDP6, kindTCP, kindUnixStream}
var streamMsgKinds = []string{kindTCP, kindUnixStream}
var dgramMsgKinds = []string{kindUDP, kindUDP6}

// sendToServer is CPython's sendToServer: send, or sendto for a connectionless client.
func (f *msgFixture) sendToServer(t *testing.T, b []byte) {
	t.Helper()
	var err error
	if f.connectionless {
		_, err = f.cli.SendTo(b, 0, f.servAddr)
	} else {
		_, err = f.cli.Send(b, 0)
	}
	require.NoError(t, err)
}

// sendmsgToServer is CPython's sendmsgToServer: sendmsg with the server's address for a
// connectionless client (sendmsg_to_server_defaults).
func (f *msgFixture) sendmsgToServer(bufs, anc any, flags MsgFlag) (int, error) {
	var addr any
	if f.connectionless {
		addr = f.servAddr
	}
	return f.cli.SendMsg(bufs, anc, flags, addr)
}

// recvmsgResult is recvmsg's 4-tuple.
type recvmsgResult struct {
	data  []byte
	anc   []Ancillary
	flags int
	addr  Address
}

// doRecvmsg is CPython's doRecvmsg: recvmsg, or recvmsg_into into a bytearray(bufsize)
// returning the bytes received (RecvmsgIntoMixin). Descriptors received are closed when
// the test ends (SCMRightsTest's registerRecvmsgResult).
func (f *msgFixture) doRecvmsg(t *testing.T, s *Socket, bufsize, ancbufsize int, flags MsgFlag) (recvmsgResult, error) {
	t.Helper()
	var r recvmsgResult
	var err error
	if f.into {
		buf := make([]byte, bufsize)
		var n int
		n, r.anc, r.flags, r.addr, err = s.RecvMsgInto([][]byte{buf}, ancbufsize, flags)
		if err == nil {
			assert.GreaterOrEqual(t, n, 0)
			assert.LessOrEqual(t, n, bufsize)
			r.data = buf[:n]
		}
	} else {
		r.data, r.anc, r.flags, r.addr, err = s.RecvMsg(bufsize, ancbufsize, flags)
	}
	if err == nil {
		t.Cleanup(func() { closeSCMRights(r.anc) })
	}
	return r, err
}

func (f *msgFixture) mustRecvmsg(t *testing.T, bufsize, ancbufsize int, flags MsgFlag) recvmsgResult {
	t.Helper()
	r, err := f.doRecvmsg(t, f.serv, bufsize, ancbufsize, flags)
	require.NoError(t, err)
	return r
}

// checkRecvmsgAddress compares the sender's address for connectionless sockets; it is
// unspecified for connected ones (SendrecvmsgConnectedBase).
func (f *msgFixture) checkRecvmsgAddress(t *testing.T, addr Address) {
	t.Helper()
	if f.connectionless {
		assert.Equal(t, f.cliAddr, addr)
	}
}

// checkFlags is CPython's checkFlags. eor is nil (no check), or whether a whole record
// was received.
func (f *msgFixture) checkFlags(t *testing.T, flags int, eor *bool, checkset, checkunset, ignore MsgFlag) {
	t.Helper()
	defaultset, defaultunset := MsgFlag(0), MSG_CTRUNC|MSG_OOB
	var eorInd, nonEor MsgFlag
	if f.dgram {
		nonEor = MSG_TRUNC
	}
	if eor != nil && *eor {
		defaultset |= eorInd
		defaultunset |= nonEor
	} else if eor != nil {
		defaultset |= nonEor
		defaultunset |= eorInd
	}
	defaultset &^= checkunset
	defaultunset &^= checkset
	checkset |= defaultset
	checkunset |= defaultunset
	require.Zero(t, checkset&checkunset&^ignore, "contradictory flag requirements")
	mask := (checkset | checkunset) &^ ignore
	assert.Equal(t, int(checkset&mask), flags&int(mask), "msg_flags %#x", flags)
}

var yes, no = func() *bool { v := true; return &v }(), func() *bool { v := false; return &v }()

// closeSCMRights closes the descriptors of SCM_RIGHTS items (CPython's closeRecvmsgFDs).
func closeSCMRights(items []Ancillary) {
	for _, it := range items {
		if it.Level == SOL_SOCKET && it.Type == SCM_RIGHTS {
			for d := it.Data; len(d) >= 4; d = d[4:] {
				csock.Close(int(int32(binary.NativeEndian.Uint32(d))))
			}
		}
	}
}

// ---- SendmsgTests, SendmsgStreamTests, SendmsgConnectionlessTests ----

func TestSendmsg_Simple(t *testing.T) {
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		n, err := f.sendmsgToServer([]any{msg}, nil, 0)
		require.NoError(t, err)
		assert.Equal(t, len(msg), n)
		got, err := f.serv.Recv(len(msg), 0)
		require.NoError(t, err)
		assert.Equal(t, msg, got)
	})
}

func TestSendmsg_DataFromAnIterableThatIsNoList(t *testing.T) {
	// testSendmsgDataGenerator: a tuple and a net.Buffers stand for the generator.
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		for _, bufs := range []any{py.Tuple{msg}, [][]byte{msg}} {
			n, err := f.sendmsgToServer(bufs, nil, 0)
			require.NoError(t, err)
			assert.Equal(t, len(msg), n)
			got, err := f.serv.Recv(len(msg), 0)
			require.NoError(t, err)
			assert.Equal(t, msg, got)
		}
	})
}

func TestSendmsg_EmptyAncillaryFromAnIterable(t *testing.T) {
	// testSendmsgAncillaryGenerator
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		n, err := f.sendmsgToServer([]any{msg}, py.Tuple{}, 0)
		require.NoError(t, err)
		assert.Equal(t, len(msg), n)
		got, err := f.serv.Recv(len(msg), 0)
		require.NoError(t, err)
		assert.Equal(t, msg, got)
	})
}

func TestSendmsg_ArrayAndGather(t *testing.T) {
	// testSendmsgArray (an array.array("B") is a []byte) and testSendmsgGather.
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		for _, bufs := range []any{[]any{bytes.Clone(msg)}, []any{msg[:3], msg[3:]}} {
			n, err := f.sendmsgToServer(bufs, nil, 0)
			require.NoError(t, err)
			assert.Equal(t, len(msg), n)
			got, err := f.serv.Recv(len(msg), 0)
			require.NoError(t, err)
			assert.Equal(t, msg, got)
		}
	})
}

func requireTypeError(t *testing.T, err error) {
	t.Helper()
	var te *TypeError
	require.True(t, errors.As(err, &te), "want a TypeError, got %v", err)
}

func TestSendmsg_BadArgs(t *testing.T) {
	// testSendmsgBadArgs, but for sendmsg() without arguments and a flags object(),
	// which Go's types rule out.
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		for _, args := range [][2]any{
			{[]byte("not in an iterable"), nil}, {object{}, nil}, {[]any{object{}}, nil},
			{[]any{msg, object{}}, nil}, {[]any{msg}, object{}},
		} {
			_, err := f.sendmsgToServer(args[0], args[1], 0)
			requireTypeError(t, err)
		}
		_, err := f.cli.SendMsg([]any{msg}, []any{}, 0, object{})
		requireTypeError(t, err)
		f.sendToServer(t, []byte("done"))
		got, err := f.serv.Recv(1000, 0)
		require.NoError(t, err)
		assert.Equal(t, []byte("done"), got)
	})
}

func TestSendmsg_BadCmsg(t *testing.T) {
	// testSendmsgBadCmsg and testSendmsgBadMultiCmsg; testSendmsgExcessCmsgReject has
	// nothing to reject where CMSG_SPACE exists.
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		for _, anc := range []any{
			[]any{object{}}, []any{py.Tuple{object{}, 0, []byte("data")}},
			[]any{py.Tuple{0, object{}, []byte("data")}}, []any{py.Tuple{0, 0, object{}}},
			[]any{py.Tuple{0, 0}}, []any{py.Tuple{0, 0, []byte("data"), 42}},
			[]any{0, 0, []byte("")}, []any{py.Tuple{0, 0, []byte("")}, object{}},
		} {
			_, err := f.sendmsgToServer([]any{msg}, anc, 0)
			requireTypeError(t, err)
		}
		f.sendToServer(t, []byte("done"))
		got, err := f.serv.Recv(1000, 0)
		require.NoError(t, err)
		assert.Equal(t, []byte("done"), got)
	})
}

func TestSendmsg_AfterClose(t *testing.T) {
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		require.NoError(t, f.cli.Close())
		_, err := f.sendmsgToServer([]any{msg}, nil, 0)
		requireErrno(t, err, syscall.EBADF)
	})
}

func TestSendmsg_ExplicitNoneAddrOnAStream(t *testing.T) {
	forMsgKinds(t, streamMsgKinds, false, func(t *testing.T, f *msgFixture) {
		n, err := f.cli.SendMsg([]any{msg}, []any{}, 0, nil)
		require.NoError(t, err)
		assert.Equal(t, len(msg), n)
		got, err := f.serv.Recv(len(msg), 0)
		require.NoError(t, err)
		assert.Equal(t, msg, got)
	})
}

func TestSendmsg_TimeoutOnAStream(t *testing.T) {
	forMsgKinds(t, streamMsgKinds, false, func(t *testing.T, f *msgFixture) {
		require.NoError(t, f.cli.SetTimeout(0.03))
		chunk := [][]byte{bytes.Repeat([]byte("a"), 512)}
		var err error
		for i := 0; i < 1<<16 && err == nil; i++ {
			_, err = f.cli.SendMsg(chunk, nil, 0, nil)
		}
		requireTimedOut(t, err)
		got, err := f.serv.Recv(512, 0)
		require.NoError(t, err)
		assert.Equal(t, chunk[0], got)
	})
}

func TestSendmsg_DontWaitOnAStream(t *testing.T) {
	forMsgKinds(t, streamMsgKinds, false, func(t *testing.T, f *msgFixture) {
		chunk := [][]byte{bytes.Repeat([]byte("a"), 512)}
		var err error
		within(t, 10*time.Second, "sendmsg with MSG_DONTWAIT", func() {
			for i := 0; i < 1<<16 && err == nil; i++ {
				_, err = f.cli.SendMsg(chunk, []any{}, MSG_DONTWAIT, nil)
			}
		})
		requireErrno(t, err, syscall.EAGAIN)
		got, err := f.serv.Recv(512, 0)
		require.NoError(t, err)
		assert.Equal(t, chunk[0], got)
	})
}

func TestSendmsg_NoDestAddrOnAConnectionlessSocket(t *testing.T) {
	forMsgKinds(t, dgramMsgKinds, false, func(t *testing.T, f *msgFixture) {
		_, err := f.cli.SendMsg([]any{msg}, nil, 0, nil)
		requireErrno(t, err, syscall.EDESTADDRREQ)
		_, err = f.cli.SendMsg([]any{msg}, []any{}, 0, nil)
		requireErrno(t, err, syscall.EDESTADDRREQ)
	})
}

// ---- RecvmsgGenericTests, RecvmsgGenericStreamTests, RecvmsgTests, RecvmsgIntoTests ----

func TestRecvmsg_Generic(t *testing.T) {
	cases := []struct {
		name       string
		bufsize    func() int
		ancbufsize int
		want       []byte
		eor        *bool
	}{
		{"Recvmsg", func() int { return len(msg) }, 0, msg, yes},
		{"ExplicitDefaults", func() int { return len(msg) }, 0, msg, yes},
		{"Shorter", func() int { return len(msg) + 42 }, 0, msg, yes},
		{"Trunc", func() int { return len(msg) - 3 }, 0, msg[:len(msg)-3], no},
		{"ShortAncillaryBuf", func() int { return len(msg) }, 1, msg, yes},
		{"LongAncillaryBuf", func() int { return len(msg) }, 10240, msg, yes},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forMsgKinds(t, allMsgKinds, true, func(t *testing.T, f *msgFixture) {
				f.sendToServer(t, msg)
				r := f.mustRecvmsg(t, c.bufsize(), c.ancbufsize, 0)
				assert.Equal(t, c.want, r.data)
				f.checkRecvmsgAddress(t, r.addr)
				assert.Empty(t, r.anc)
				f.checkFlags(t, r.flags, c.eor, 0, 0, 0)
			})
		})
	}
}

func TestRecvmsg_AfterClose(t *testing.T) {
	forMsgKinds(t, allMsgKinds, true, func(t *testing.T, f *msgFixture) {
		require.NoError(t, f.serv.Close())
		_, err := f.doRecvmsg(t, f.serv, 1024, 0, 0)
		requireErrno(t, err, syscall.EBADF)
	})
}

func TestRecvmsg_Timeout(t *testing.T) {
	forMsgKinds(t, allMsgKinds, true, func(t *testing.T, f *msgFixture) {
		require.NoError(t, f.serv.SetTimeout(0.03))
		_, err := f.doRecvmsg(t, f.serv, len(msg), 0, 0)
		requireTimedOut(t, err)
	})
}

func TestRecvmsg_Peek(t *testing.T) {
	forMsgKinds(t, allMsgKinds, true, func(t *testing.T, f *msgFixture) {
		f.sendToServer(t, msg)
		r := f.mustRecvmsg(t, len(msg)-3, 0, MSG_PEEK)
		assert.Equal(t, msg[:len(msg)-3], r.data)
		f.checkRecvmsgAddress(t, r.addr)
		assert.Empty(t, r.anc)
		f.checkFlags(t, r.flags, no, 0, 0, MSG_TRUNC)

		r = f.mustRecvmsg(t, len(msg), 0, MSG_PEEK)
		assert.Equal(t, msg, r.data)
		f.checkRecvmsgAddress(t, r.addr)
		assert.Empty(t, r.anc)
		f.checkFlags(t, r.flags, yes, 0, 0, 0)

		r = f.mustRecvmsg(t, len(msg), 0, 0)
		assert.Equal(t, msg, r.data)
		f.checkFlags(t, r.flags, yes, 0, 0, 0)
	})
}

func TestRecvmsg_FromSendmsg(t *testing.T) {
	forMsgKinds(t, allMsgKinds, true, func(t *testing.T, f *msgFixture) {
		n, err := f.sendmsgToServer([]any{msg[:3], msg[3:]}, nil, 0)
		require.NoError(t, err)
		assert.Equal(t, len(msg), n)
		r := f.mustRecvmsg(t, len(msg), 0, 0)
		assert.Equal(t, msg, r.data)
		f.checkRecvmsgAddress(t, r.addr)
		assert.Empty(t, r.anc)
		f.checkFlags(t, r.flags, yes, 0, 0, 0)
	})
}

func TestRecvmsg_EOFOnAStream(t *testing.T) {
	forMsgKinds(t, streamMsgKinds, true, func(t *testing.T, f *msgFixture) {
		require.NoError(t, f.cli.Close())
		r := f.mustRecvmsg(t, 1024, 0, 0)
		assert.Equal(t, []byte{}, r.data)
		assert.Empty(t, r.anc)
		f.checkFlags(t, r.flags, nil, 0, 0, 0)
	})
}

func TestRecvmsg_OverflowOnAStream(t *testing.T) {
	forMsgKinds(t, streamMsgKinds, true, func(t *testing.T, f *msgFixture) {
		f.sendToServer(t, msg)
		r1 := f.mustRecvmsg(t, len(msg)-3, 0, 0)
		assert.Empty(t, r1.anc)
		f.checkFlags(t, r1.flags, no, 0, 0, 0)
		r2 := f.mustRecvmsg(t, 1024, 0, 0)
		assert.Empty(t, r2.anc)
		f.checkFlags(t, r2.flags, yes, 0, 0, 0)
		assert.Equal(t, msg, append(r1.data, r2.data...))
	})
}

func TestRecvmsg_BadArgs(t *testing.T) {
	// RecvmsgTests.testRecvmsgBadArgs, without the calls Go's types rule out
	// (recvmsg() without arguments, and objects for the ints).
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		f.sendToServer(t, msg)
		var ve *ValueError
		_, _, _, _, err := f.serv.RecvMsg(-1, 0, 0)
		assert.True(t, errors.As(err, &ve), "%v", err)
		_, _, _, _, err = f.serv.RecvMsg(len(msg), -1, 0)
		assert.True(t, errors.As(err, &ve), "%v", err)
		data, anc, flags, addr, err := f.serv.RecvMsg(len(msg), 0, 0)
		require.NoError(t, err)
		assert.Equal(t, msg, data)
		f.checkRecvmsgAddress(t, addr)
		assert.Empty(t, anc)
		f.checkFlags(t, flags, yes, 0, 0, 0)
	})
}

func TestRecvmsgInto_BadArgs(t *testing.T) {
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		f.sendToServer(t, msg)
		buf := make([]byte, len(msg))
		for _, bufs := range []any{len(msg), buf, []any{object{}}, []any{"I'm not writable"}, []any{buf, object{}}} {
			_, _, _, _, err := f.serv.RecvMsgInto(bufs, 0, 0)
			requireTypeError(t, err)
		}
		var ve *ValueError
		_, _, _, _, err := f.serv.RecvMsgInto([]any{buf}, -1, 0)
		assert.True(t, errors.As(err, &ve), "%v", err)
		n, anc, flags, addr, err := f.serv.RecvMsgInto([]any{buf}, 0, 0)
		require.NoError(t, err)
		assert.Equal(t, len(msg), n)
		assert.Equal(t, msg, buf)
		f.checkRecvmsgAddress(t, addr)
		assert.Empty(t, anc)
		f.checkFlags(t, flags, yes, 0, 0, 0)
	})
}

func TestRecvmsgInto_IterableArrayAndScatter(t *testing.T) {
	// testRecvmsgIntoGenerator (a tuple for the generator), testRecvmsgIntoArray (an
	// array.array("B") is a []byte) and testRecvmsgIntoScatter.
	forMsgKinds(t, allMsgKinds, false, func(t *testing.T, f *msgFixture) {
		for _, wrap := range []func([]byte) any{
			func(b []byte) any { return py.Tuple{b} },
			func(b []byte) any { return [][]byte{b} },
		} {
			f.sendToServer(t, msg)
			buf := make([]byte, len(msg))
			n, anc, flags, addr, err := f.serv.RecvMsgInto(wrap(buf), 0, 0)
			require.NoError(t, err)
			assert.Equal(t, len(msg), n)
			assert.Equal(t, msg, buf)
			f.checkRecvmsgAddress(t, addr)
			assert.Empty(t, anc)
			f.checkFlags(t, flags, yes, 0, 0, 0)
		}

		f.sendToServer(t, []byte("Mary had a little lamb"))
		b1, b2, b3 := []byte("----"), []byte("0123456789"), []byte("--------------")
		n, anc, flags, addr, err := f.serv.RecvMsgInto([]any{b1, b2[2:9], b3}, 0, 0)
		require.NoError(t, err)
		assert.Equal(t, len("Mary had a little lamb"), n)
		assert.Equal(t, "Mary", string(b1))
		assert.Equal(t, "01 had a 9", string(b2))
		assert.Equal(t, "little lamb---", string(b3))
		f.checkRecvmsgAddress(t, addr)
		assert.Empty(t, anc)
		f.checkFlags(t, flags, yes, 0, 0, 0)
	})
}

// ---- CmsgMacroTests ----

func TestCMSG_LEN(t *testing.T) {
	const limit = 0x7fffffff // socklen_t_limit
	l0, err := CMSGLen(0)
	require.NoError(t, err)
	toobig := limit - l0 + 1
	assert.Greater(t, l0, 2*sizeofInt)
	var values []int
	for n := 0; n < 257; n++ {
		values = append(values, n, toobig-257+n)
	}
	for _, n := range values {
		ret, err := CMSGLen(n)
		require.NoError(t, err, n)
		assert.Equal(t, n, ret-l0, "recvmsg's data size")
		assert.LessOrEqual(t, ret, limit)
	}
	for _, n := range []int{-1, toobig, 1<<63 - 1} {
		_, err := CMSGLen(n)
		assert.Equal(t, "OverflowError: CMSG_LEN() argument out of range", pyExc(err), n)
	}
}

func TestCMSG_SPACE(t *testing.T) {
	const limit = 0x7fffffff
	s1, err := CMSGSpace(1)
	require.NoError(t, err)
	toobig := limit - s1 + 1
	last, err := CMSGSpace(0)
	require.NoError(t, err)
	assert.Greater(t, last, 2*sizeofInt)
	l0, _ := CMSGLen(0)
	var values []int
	for n := 0; n < 257; n++ {
		values = append(values, n)
	}
	for n := toobig - 257; n < toobig; n++ {
		values = append(values, n)
	}
	for _, n := range values {
		ret, err := CMSGSpace(n)
		require.NoError(t, err, n)
		ln, err := CMSGLen(min(n, limit-l0))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, ret, last)
		assert.GreaterOrEqual(t, ret, ln)
		assert.GreaterOrEqual(t, ret, n+l0)
		assert.LessOrEqual(t, ret, limit)
		last = ret
	}
	for _, n := range []int{-1, toobig, 1<<63 - 1} {
		_, err := CMSGSpace(n)
		assert.Equal(t, "OverflowError: CMSG_SPACE() argument out of range", pyExc(err), n)
	}
}

// ---- SCMRightsTest ----

// badFD is SCMRightsTest.badfd.
const badFD = -0x5555

// newFDs is CPython's newFDs: n temporary files holding their index, open for the test.
func newFDs(t *testing.T, n int) []int {
	t.Helper()
	fds := make([]int, n)
	for i := range fds {
		f, err := os.CreateTemp(t.TempDir(), "fd")
		require.NoError(t, err)
		_, err = f.WriteString(strconv.Itoa(i))
		require.NoError(t, err)
		fd, err := Dup(int(f.Fd()))
		require.NoError(t, err)
		require.NoError(t, f.Close())
		t.Cleanup(func() { csock.Close(fd) })
		fds[i] = fd
	}
	return fds
}

// checkFDs is CPython's checkFDs: each descriptor reads as its index.
func checkFDs(t *testing.T, fds []int) {
	t.Helper()
	for i, fd := range fds {
		_, err := syscall.Seek(fd, 0, 0)
		require.NoError(t, err)
		buf := make([]byte, 1024)
		n, err := syscall.Read(fd, buf)
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(i), string(buf[:n]), "descriptor %d", i)
	}
}

// createAndSendFDs is CPython's createAndSendFDs.
func (f *msgFixture) createAndSendFDs(t *testing.T, n int) {
	t.Helper()
	sent, err := f.sendmsgToServer([]any{msg}, []any{py.Tuple{SOL_SOCKET, SCM_RIGHTS, fdBytes(newFDs(t, n)...)}}, 0)
	require.NoError(t, err)
	assert.Equal(t, len(msg), sent)
}

// checkRecvmsgFDs is CPython's checkRecvmsgFDs.
func (f *msgFixture) checkRecvmsgFDs(t *testing.T, numfds int, r recvmsgResult, maxcmsgs int, ignoreflags MsgFlag) {
	t.Helper()
	assert.Equal(t, msg, r.data)
	f.checkRecvmsgAddress(t, r.addr)
	f.checkFlags(t, r.flags, yes, 0, MSG_CTRUNC, ignoreflags)
	assert.LessOrEqual(t, len(r.anc), maxcmsgs)
	var fds []int
	for _, it := range r.anc {
		assert.Equal(t, SOL_SOCKET, it.Level)
		assert.Equal(t, SCM_RIGHTS, it.Type)
		assert.Zero(t, len(it.Data)%sizeofInt)
		fds = append(fds, intsOf(it.Data)...)
	}
	assert.Len(t, fds, numfds)
	checkFDs(t, fds)
}

// intsOf is array.array("i").frombytes of data cut to whole ints.
func intsOf(data []byte) []int {
	var v []int
	for ; len(data) >= 4; data = data[4:] {
		v = append(v, int(int32(binary.NativeEndian.Uint32(data))))
	}
	return v
}

func forSCMRights(t *testing.T, test func(t *testing.T, f *msgFixture)) {
	forMsgKinds(t, []string{kindUnixStream}, true, test)
}

func TestSCMRights_FDPass(t *testing.T) {
	// testFDPassSimple, testMultipleFDPass, testFDPassCMSG_SPACE, testFDPassCMSG_LEN
	space4, _ := CMSGSpace(4 * sizeofInt)
	len4, _ := CMSGLen(4 * sizeofInt)
	for _, c := range []struct {
		name       string
		send, want int
		ancbufsize int
		ignore     MsgFlag
		bytesAnc   bool
	}{
		{"Simple", 1, 1, 10240, 0, true},
		{"Multiple", 4, 4, 10240, 0, false},
		{"CMSG_SPACE", 4, 4, space4, 0, false},
		{"CMSG_LEN", 1, 1, len4, MSG_CTRUNC, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			forSCMRights(t, func(t *testing.T, f *msgFixture) {
				f.createAndSendFDs(t, c.send)
				f.checkRecvmsgFDs(t, c.want, f.mustRecvmsg(t, len(msg), c.ancbufsize, 0), 1, c.ignore)
			})
		})
	}
}

func TestSCMRights_FDPassSeparate(t *testing.T) {
	// testFDPassSeparate and testFDPassSeparateMinSpace: two arrays, which the kernel
	// may join into one message.
	s1, _ := CMSGSpace(sizeofInt)
	l2, _ := CMSGLen(2 * sizeofInt)
	for _, c := range []struct {
		name       string
		ancbufsize int
		ignore     MsgFlag
	}{{"Separate", 10240, 0}, {"SeparateMinSpace", s1 + l2, MSG_CTRUNC}} {
		t.Run(c.name, func(t *testing.T) {
			forSCMRights(t, func(t *testing.T, f *msgFixture) {
				fds := newFDs(t, 2)
				n, err := f.sendmsgToServer([]any{msg}, []any{
					py.Tuple{SOL_SOCKET, SCM_RIGHTS, fdBytes(fds[0])},
					py.Tuple{SOL_SOCKET, SCM_RIGHTS, fdBytes(fds[1])},
				}, 0)
				require.NoError(t, err)
				assert.Equal(t, len(msg), n)
				f.checkRecvmsgFDs(t, 2, f.mustRecvmsg(t, len(msg), c.ancbufsize, 0), 2, c.ignore)
			})
		})
	}
}

// sendAncillaryIfPossible is CPython's: sendmsg with ancdata, or without when the system
// call refuses it.
func (f *msgFixture) sendAncillaryIfPossible(t *testing.T, anc any) {
	t.Helper()
	n, err := f.sendmsgToServer([]any{msg}, anc, 0)
	if err != nil {
		var oe *OSError
		require.True(t, errors.As(err, &oe) && oe.Errno != 0, "the system call failed: %v", err)
		n, err = f.sendmsgToServer([]any{msg}, nil, 0)
		require.NoError(t, err)
	}
	assert.Equal(t, len(msg), n)
}

func TestSCMRights_FDPassEmptyAndPartial(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		forSCMRights(t, func(t *testing.T, f *msgFixture) {
			f.sendAncillaryIfPossible(t, []any{py.Tuple{SOL_SOCKET, SCM_RIGHTS, []byte{}}})
			f.checkRecvmsgFDs(t, 0, f.mustRecvmsg(t, len(msg), 10240, 0), 1, MSG_CTRUNC)
		})
	})
	t.Run("PartialInt", func(t *testing.T) {
		forSCMRights(t, func(t *testing.T, f *msgFixture) {
			f.sendAncillaryIfPossible(t, []any{py.Tuple{SOL_SOCKET, SCM_RIGHTS, fdBytes(badFD)[:3]}})
			r := f.mustRecvmsg(t, len(msg), 10240, 0)
			assert.Equal(t, msg, r.data)
			f.checkFlags(t, r.flags, yes, 0, 0, MSG_CTRUNC)
			assert.LessOrEqual(t, len(r.anc), 1)
			for _, it := range r.anc {
				assert.Equal(t, SOL_SOCKET, it.Level)
				assert.Equal(t, SCM_RIGHTS, it.Type)
				assert.Less(t, len(it.Data), sizeofInt)
			}
		})
	})
	t.Run("PartialIntInMiddle", func(t *testing.T) {
		forSCMRights(t, func(t *testing.T, f *msgFixture) {
			fds := newFDs(t, 2)
			f.sendAncillaryIfPossible(t, []any{
				py.Tuple{SOL_SOCKET, SCM_RIGHTS, fdBytes(fds[0], badFD)[:7]},
				py.Tuple{SOL_SOCKET, SCM_RIGHTS, fdBytes(fds[1])},
			})
			r := f.mustRecvmsg(t, len(msg), 10240, 0)
			assert.Equal(t, msg, r.data)
			f.checkFlags(t, r.flags, yes, 0, 0, MSG_CTRUNC)
			assert.LessOrEqual(t, len(r.anc), 2)
			var got []int
			for _, it := range r.anc {
				assert.Equal(t, SOL_SOCKET, it.Level)
				assert.Equal(t, SCM_RIGHTS, it.Type)
				got = append(got, intsOf(it.Data)...)
			}
			assert.LessOrEqual(t, len(got), 2)
			checkFDs(t, got)
		})
	})
}

func TestSCMRights_TruncatedHeader(t *testing.T) {
	// testCmsgTruncNoBufSize, testCmsgTrunc0, testCmsgTrunc1, testCmsgTrunc2Int,
	// testCmsgTruncLen0Minus1: no item, MSG_CTRUNC set.
	l0, _ := CMSGLen(0)
	for _, c := range []struct {
		name       string
		ancbufsize int
		ignore     MsgFlag
	}{
		{"NoBufSize", 0, MSG_CTRUNC}, {"0", 0, MSG_CTRUNC}, {"1", 1, 0},
		{"2Int", 2 * sizeofInt, 0}, {"Len0Minus1", l0 - 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			forSCMRights(t, func(t *testing.T, f *msgFixture) {
				f.createAndSendFDs(t, 1)
				r := f.mustRecvmsg(t, len(msg), c.ancbufsize, 0)
				assert.Equal(t, msg, r.data)
				assert.Empty(t, r.anc)
				f.checkFlags(t, r.flags, yes, MSG_CTRUNC, 0, c.ignore)
			})
		})
	}
}

func TestSCMRights_TruncatedArray(t *testing.T) {
	// testCmsgTruncLen0, testCmsgTruncLen0Plus1, testCmsgTruncLen1,
	// testCmsgTruncLen2Minus1 (CPython's checkTruncatedArray).
	l0, _ := CMSGLen(0)
	l1, _ := CMSGLen(sizeofInt)
	l2, _ := CMSGLen(2 * sizeofInt)
	for _, c := range []struct {
		name            string
		send            int
		ancbuf, maxdata int
	}{
		{"Len0", 1, l0, 0}, {"Len0Plus1", 2, l0 + 1, 1}, {"Len1", 2, l1, sizeofInt},
		{"Len2Minus1", 2, l2 - 1, 2*sizeofInt - 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			forSCMRights(t, func(t *testing.T, f *msgFixture) {
				f.createAndSendFDs(t, c.send)
				r := f.mustRecvmsg(t, len(msg), c.ancbuf, 0)
				assert.Equal(t, msg, r.data)
				f.checkFlags(t, r.flags, yes, MSG_CTRUNC, 0, 0)
				if len(r.anc) == 0 {
					return // mindata is 0
				}
				require.Len(t, r.anc, 1)
				it := r.anc[0]
				assert.Equal(t, SOL_SOCKET, it.Level)
				assert.Equal(t, SCM_RIGHTS, it.Type)
				assert.LessOrEqual(t, len(it.Data), c.maxdata)
				checkFDs(t, intsOf(it.Data))
			})
		})
	}
}

// ---- RFC3542AncillaryTest (Linux: IPv6 hop limit and traffic class on UDP) ----

// hopLimit and trafficClass are RFC3542AncillaryTest's hop_limit and traffic_class.
const (
	hopLimit     = 2
	trafficClass = -1
)

func forRFC3542(t *testing.T, test func(t *testing.T, f *msgFixture)) {
	forMsgKinds(t, []string{kindUDP6}, true, test)
}

func (f *msgFixture) setRecv(t *testing.T, opts ...int) {
	t.Helper()
	for _, o := range opts {
		require.NoError(t, f.serv.SetSockOptInt(IPPROTO_IPV6, o, 1))
	}
}

// checkHopLimit is CPython's checkHopLimit, once the datagram is sent.
func (f *msgFixture) checkHopLimit(t *testing.T, r recvmsgResult, maxhop int, ignore MsgFlag) {
	t.Helper()
	assert.Equal(t, msg, r.data)
	f.checkRecvmsgAddress(t, r.addr)
	f.checkFlags(t, r.flags, yes, 0, MSG_CTRUNC, ignore)
	require.Len(t, r.anc, 1)
	assert.Equal(t, IPPROTO_IPV6, r.anc[0].Level)
	assert.Equal(t, IPV6_HOPLIMIT, r.anc[0].Type)
	require.Len(t, r.anc[0].Data, sizeofInt)
	v := intsOf(r.anc[0].Data)[0]
	assert.GreaterOrEqual(t, v, 0)
	assert.LessOrEqual(t, v, maxhop)
}

func TestRFC3542_HopLimit(t *testing.T) {
	// testRecvHopLimit, testRecvHopLimitCMSG_SPACE, testSetHopLimit
	space, _ := CMSGSpace(sizeofInt)
	t.Run("Recv", func(t *testing.T) {
		forRFC3542(t, func(t *testing.T, f *msgFixture) {
			f.setRecv(t, IPV6_RECVHOPLIMIT)
			f.sendToServer(t, msg)
			f.checkHopLimit(t, f.mustRecvmsg(t, len(msg), 10240, 0), 255, 0)
		})
	})
	t.Run("RecvCMSG_SPACE", func(t *testing.T) {
		forRFC3542(t, func(t *testing.T, f *msgFixture) {
			f.setRecv(t, IPV6_RECVHOPLIMIT)
			f.sendToServer(t, msg)
			f.checkHopLimit(t, f.mustRecvmsg(t, len(msg), space, 0), 255, 0)
		})
	})
	t.Run("Set", func(t *testing.T) {
		forRFC3542(t, func(t *testing.T, f *msgFixture) {
			f.setRecv(t, IPV6_RECVHOPLIMIT)
			n, err := f.sendmsgToServer([]any{msg}, []any{py.Tuple{IPPROTO_IPV6, IPV6_HOPLIMIT, fdBytes(hopLimit)}}, 0)
			require.NoError(t, err)
			assert.Equal(t, len(msg), n)
			f.checkHopLimit(t, f.mustRecvmsg(t, len(msg), 10240, 0), hopLimit, 0)
		})
	})
}

// checkTrafficClassAndHopLimit is CPython's, once the datagram is sent.
func (f *msgFixture) checkTrafficClassAndHopLimit(t *testing.T, r recvmsgResult, maxhop int) {
	t.Helper()
	assert.Equal(t, msg, r.data)
	f.checkRecvmsgAddress(t, r.addr)
	f.checkFlags(t, r.flags, yes, 0, MSG_CTRUNC, 0)
	require.Len(t, r.anc, 2)
	m := map[[2]int][]byte{}
	for _, it := range r.anc {
		k := [2]int{it.Level, it.Type}
		assert.NotContains(t, m, k)
		m[k] = it.Data
	}
	tc := m[[2]int{IPPROTO_IPV6, IPV6_TCLASS}]
	require.Len(t, tc, sizeofInt)
	assert.True(t, intsOf(tc)[0] >= 0 && intsOf(tc)[0] <= 255)
	hl := m[[2]int{IPPROTO_IPV6, IPV6_HOPLIMIT}]
	require.Len(t, hl, sizeofInt)
	assert.True(t, intsOf(hl)[0] >= 0 && intsOf(hl)[0] <= maxhop)
}

func TestRFC3542_TrafficClassAndHopLimit(t *testing.T) {
	// testRecvTrafficClassAndHopLimit, ...CMSG_SPACE, testSetTrafficClassAndHopLimit,
	// testOddCmsgSize
	space, _ := CMSGSpace(sizeofInt)
	both := []any{
		py.Tuple{IPPROTO_IPV6, IPV6_TCLASS, fdBytes(trafficClass)},
		py.Tuple{IPPROTO_IPV6, IPV6_HOPLIMIT, fdBytes(hopLimit)},
	}
	odd := []any{
		py.Tuple{IPPROTO_IPV6, IPV6_TCLASS, append(fdBytes(trafficClass), 0)},
		py.Tuple{IPPROTO_IPV6, IPV6_HOPLIMIT, fdBytes(hopLimit)},
	}
	for _, c := range []struct {
		name       string
		anc        []any // nil: a plain send
		ancbufsize int
		maxhop     int
	}{
		{"Recv", nil, 10240, 255}, {"RecvCMSG_SPACE", nil, 2 * space, 255},
		{"Set", both, 10240, hopLimit}, {"OddCmsgSize", odd, 10240, hopLimit},
	} {
		t.Run(c.name, func(t *testing.T) {
			forRFC3542(t, func(t *testing.T, f *msgFixture) {
				f.setRecv(t, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS)
				switch {
				case c.anc == nil:
					f.sendToServer(t, msg)
				case c.name == "OddCmsgSize":
					if _, err := f.sendmsgToServer([]any{msg}, c.anc, 0); err != nil {
						var oe *OSError
						require.True(t, errors.As(err, &oe) && oe.Errno != 0, "%v", err)
						n, err := f.sendmsgToServer([]any{msg}, both, 0)
						require.NoError(t, err)
						assert.Equal(t, len(msg), n)
					}
				default:
					n, err := f.sendmsgToServer([]any{msg}, c.anc, 0)
					require.NoError(t, err)
					assert.Equal(t, len(msg), n)
				}
				f.checkTrafficClassAndHopLimit(t, f.mustRecvmsg(t, len(msg), c.ancbufsize, 0), c.maxhop)
			})
		})
	}
}

func TestRFC3542_TruncatedHeader(t *testing.T) {
	// testCmsgTruncNoBufSize, testSingleCmsgTrunc0, ...Trunc1, ...Trunc2Int,
	// ...TruncLen0Minus1 (checkHopLimitTruncatedHeader).
	l0, _ := CMSGLen(0)
	for _, c := range []struct {
		name       string
		ancbufsize int
		ignore     MsgFlag
	}{
		{"NoBufSize", 0, MSG_CTRUNC}, {"0", 0, MSG_CTRUNC}, {"1", 1, 0},
		{"2Int", 2 * sizeofInt, 0}, {"Len0Minus1", l0 - 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			forRFC3542(t, func(t *testing.T, f *msgFixture) {
				f.setRecv(t, IPV6_RECVHOPLIMIT)
				f.sendToServer(t, msg)
				r := f.mustRecvmsg(t, len(msg), c.ancbufsize, 0)
				assert.Equal(t, msg, r.data)
				f.checkRecvmsgAddress(t, r.addr)
				assert.Empty(t, r.anc)
				f.checkFlags(t, r.flags, yes, MSG_CTRUNC, 0, c.ignore)
			})
		})
	}
}

func TestRFC3542_SingleCmsgTruncInData(t *testing.T) {
	l1, _ := CMSGLen(sizeofInt)
	forRFC3542(t, func(t *testing.T, f *msgFixture) {
		f.setRecv(t, IPV6_RECVHOPLIMIT)
		f.sendToServer(t, msg)
		r := f.mustRecvmsg(t, len(msg), l1-1, 0)
		assert.Equal(t, msg, r.data)
		f.checkRecvmsgAddress(t, r.addr)
		f.checkFlags(t, r.flags, yes, MSG_CTRUNC, 0, 0)
		assert.LessOrEqual(t, len(r.anc), 1)
		for _, it := range r.anc {
			assert.Equal(t, IPPROTO_IPV6, it.Level)
			assert.Equal(t, IPV6_HOPLIMIT, it.Type)
			assert.Less(t, len(it.Data), sizeofInt)
		}
	})
}

func TestRFC3542_TruncatedSecondHeader(t *testing.T) {
	// testSecondCmsgTrunc0, ...Trunc1, ...Trunc2Int, ...TruncLen0Minus1
	// (checkTruncatedSecondHeader).
	space, _ := CMSGSpace(sizeofInt)
	l0, _ := CMSGLen(0)
	for _, c := range []struct {
		name       string
		ancbufsize int
		ignore     MsgFlag
	}{
		{"0", space, MSG_CTRUNC}, {"1", space + 1, 0}, {"2Int", space + 2*sizeofInt, 0},
		{"Len0Minus1", space + l0 - 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			forRFC3542(t, func(t *testing.T, f *msgFixture) {
				f.setRecv(t, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS)
				f.sendToServer(t, msg)
				r := f.mustRecvmsg(t, len(msg), c.ancbufsize, 0)
				assert.Equal(t, msg, r.data)
				f.checkRecvmsgAddress(t, r.addr)
				f.checkFlags(t, r.flags, yes, MSG_CTRUNC, 0, c.ignore)
				require.Len(t, r.anc, 1)
				it := r.anc[0]
				assert.Equal(t, IPPROTO_IPV6, it.Level)
				assert.Contains(t, []int{IPV6_TCLASS, IPV6_HOPLIMIT}, it.Type)
				require.Len(t, it.Data, sizeofInt)
				v := intsOf(it.Data)[0]
				assert.True(t, v >= 0 && v <= 255, "%d", v)
			})
		})
	}
}

func TestRFC3542_SecondCmsgTruncInData(t *testing.T) {
	space, _ := CMSGSpace(sizeofInt)
	l1, _ := CMSGLen(sizeofInt)
	forRFC3542(t, func(t *testing.T, f *msgFixture) {
		f.setRecv(t, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS)
		f.sendToServer(t, msg)
		r := f.mustRecvmsg(t, len(msg), space+l1-1, 0)
		assert.Equal(t, msg, r.data)
		f.checkRecvmsgAddress(t, r.addr)
		f.checkFlags(t, r.flags, yes, MSG_CTRUNC, 0, 0)
		types := map[int]bool{IPV6_TCLASS: true, IPV6_HOPLIMIT: true}
		require.NotEmpty(t, r.anc)
		first := r.anc[0]
		assert.Equal(t, IPPROTO_IPV6, first.Level)
		assert.True(t, types[first.Type])
		delete(types, first.Type)
		require.Len(t, first.Data, sizeofInt)
		v := intsOf(first.Data)[0]
		assert.True(t, v >= 0 && v <= 255)
		if len(r.anc) > 1 {
			second := r.anc[1]
			assert.Equal(t, IPPROTO_IPV6, second.Level)
			assert.True(t, types[second.Type])
			assert.Less(t, len(second.Data), sizeofInt)
		}
		assert.LessOrEqual(t, len(r.anc), 2)
	})
}

// ---- SendRecvFdsTests ----

func TestSendRecvFds_TenPipes(t *testing.T) {
	var pipes [][2]*os.File
	var fds []int
	for i := 0; i < 10; i++ {
		r, w, err := os.Pipe()
		require.NoError(t, err)
		t.Cleanup(func() { r.Close(); w.Close() })
		pipes = append(pipes, [2]*os.File{r, w})
		rc, err := r.SyscallConn()
		require.NoError(t, err)
		require.NoError(t, rc.Control(func(fd uintptr) { fds = append(fds, int(fd)) }))
	}
	s1, s2, err := SocketPair(AF_UNIX, SOCK_STREAM, -1)
	require.NoError(t, err)
	closeLater(t, s1)
	closeLater(t, s2)
	_, err = SendFDs(s1, []any{msg}, fds, 0, nil)
	require.NoError(t, err)
	data, fds2, flags, _, err := RecvFDs(s2, len(msg)*2, len(fds)*2, 0)
	require.NoError(t, err)
	for _, fd := range fds2 {
		t.Cleanup(func() { csock.Close(fd) })
	}
	require.NoError(t, s1.Close())
	require.NoError(t, s2.Close())

	assert.Equal(t, msg, data)
	assert.Len(t, fds2, len(fds))
	assert.Equal(t, 0, flags)
	for i, p := range pipes {
		_, err := fmt.Fprint(p[1], i)
		require.NoError(t, err)
	}
	for i, fd := range fds2 {
		buf := make([]byte, 100)
		n, err := syscall.Read(fd, buf)
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(i), string(buf[:n]))
	}
}
