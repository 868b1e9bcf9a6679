//go:build linux

package facade

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// Ports of CPython's BasicTCPTest, BasicTCPTest2, BasicUDPTest, BasicSocketPairTest,
// TCPCloserTest, BufferIOTest, ContextManagersTest, TestLinuxAbstractNamespace and
// TestUnixDomain. CPython runs the client half in a thread; here it is a goroutine.

// tcpClients are the two ways BasicTCPTest and BasicTCPTest2 make the client socket.
var tcpClients = map[string]func(t *testing.T, addr InetAddress) *Socket{
	"socket+connect": func(t *testing.T, addr InetAddress) *Socket {
		c := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
		require.NoError(t, c.Connect(addr))
		return c
	},
	"create_connection": func(t *testing.T, addr InetAddress) *Socket {
		c, err := CreateConnection(py.Tuple{loopback, addr.Port}, UseDefaultTimeout, nil, false)
		require.NoError(t, err)
		return closeLater(t, c)
	},
}

// forEachTCPClient runs a BasicTCPTest test for both client kinds, with conn the accepted
// socket (CPython's cli_conn) and cli the client (serv_conn).
func forEachTCPClient(t *testing.T, test func(t *testing.T, conn, cli *Socket)) {
	for name, client := range tcpClients {
		t.Run(name, func(t *testing.T) {
			srv, addr := tcpListener(t)
			cli := client(t, addr)
			conn, _, err := srv.Accept()
			require.NoError(t, err)
			closeLater(t, conn)
			test(t, conn, cli)
		})
	}
}

func TestBasicTCP_RecvReturnsWhatWasSent(t *testing.T) {
	// testRecv
	forEachTCPClient(t, func(t *testing.T, conn, cli *Socket) {
		wait := goAsync(t, func() error { _, err := cli.Send(msg, 0); return err })
		got, err := conn.Recv(1024, 0)
		require.NoError(t, err)
		assert.Equal(t, msg, got)
		require.NoError(t, wait())
	})
}

func TestBasicTCP_RecvInChunks(t *testing.T) {
	// testOverFlowRecv
	forEachTCPClient(t, func(t *testing.T, conn, cli *Socket) {
		wait := goAsync(t, func() error { _, err := cli.Send(msg, 0); return err })
		seg1, err := conn.Recv(len(msg)-3, 0)
		require.NoError(t, err)
		seg2, err := conn.Recv(1024, 0)
		require.NoError(t, err)
		assert.Equal(t, msg, append(seg1, seg2...))
		require.NoError(t, wait())
	})
}

func TestBasicTCP_RecvFromReturnsNoAddressOnAStream(t *testing.T) {
	// testRecvFrom, testOverFlowRecvFrom (the address of a TCP recvfrom is None)
	forEachTCPClient(t, func(t *testing.T, conn, cli *Socket) {
		wait := goAsync(t, func() error { _, err := cli.Send(msg, 0); return err })
		seg1, addr, err := conn.RecvFrom(len(msg)-3, 0)
		require.NoError(t, err)
		assert.Nil(t, addr)
		seg2, _, err := conn.RecvFrom(1024, 0)
		require.NoError(t, err)
		assert.Equal(t, msg, append(seg1, seg2...))
		require.NoError(t, wait())
	})
}

func TestBasicTCP_SendAll2048BytesThenEndOfStream(t *testing.T) {
	// testSendAll
	forEachTCPClient(t, func(t *testing.T, conn, cli *Socket) {
		wait := goAsync(t, func() error {
			if err := cli.SendAll(bytes.Repeat([]byte("f"), 2048), 0); err != nil {
				return err
			}
			return cli.Close()
		})
		var got []byte
		for i := 0; i < 100; i++ {
			b, err := conn.Recv(1024, 0)
			require.NoError(t, err)
			if len(b) == 0 {
				break
			}
			got = append(got, b...)
		}
		assert.Equal(t, bytes.Repeat([]byte("f"), 2048), got)
		require.NoError(t, wait())
	})
}

func TestBasicTCP_FromFDReceivesOnADuplicate(t *testing.T) {
	// testFromFd
	forEachTCPClient(t, func(t *testing.T, conn, cli *Socket) {
		s, err := FromFD(conn.Fileno(), csock.AF_INET, csock.SOCK_STREAM, 0)
		require.NoError(t, err)
		closeLater(t, s)
		assert.NotEqual(t, conn.Fileno(), s.Fileno())
		wait := goAsync(t, func() error { _, err := cli.Send(msg, 0); return err })
		got, err := s.Recv(1024, 0)
		require.NoError(t, err)
		assert.Equal(t, msg, got)
		require.NoError(t, wait())
	})
}

func TestBasicTCP_DupReceivesAndCopiesTimeout(t *testing.T) {
	// testDup (and B.13: dup copies the timeout, fromfd takes the default)
	forEachTCPClient(t, func(t *testing.T, conn, cli *Socket) {
		require.NoError(t, conn.SetTimeout(5.0))
		d, err := conn.Dup()
		require.NoError(t, err)
		closeLater(t, d)
		assert.Equal(t, 5.0, d.GetTimeout())
		f, err := FromFD(conn.Fileno(), csock.AF_INET, csock.SOCK_STREAM, 0)
		require.NoError(t, err)
		closeLater(t, f)
		assert.Nil(t, f.GetTimeout())
		wait := goAsync(t, func() error { _, err := cli.Send(msg, 0); return err })
		got, err := d.Recv(1024, 0)
		require.NoError(t, err)
		assert.Equal(t, msg, got)
		require.NoError(t, wait())
	})
}

func TestBasicTCP_ShutdownAfterSend(t *testing.T) {
	// testShutdown, testShutdown_overflow
	forEachTCPClient(t, func(t *testing.T, conn, cli *Socket) {
		wait := goAsync(t, func() error {
			if _, err := cli.Send(msg, 0); err != nil {
				return err
			}
			for _, how := range []int{1<<31 - 1 + 1, 2 + (1<<32 - 1 + 1)} {
				if got := pyExc(cli.Shutdown(how)); got != textCIntOverflow {
					return fmt.Errorf("shutdown(%d): %s", how, got)
				}
			}
			return cli.Shutdown(csock.SHUT_RDWR)
		})
		got, err := conn.Recv(1024, 0)
		require.NoError(t, err)
		assert.Equal(t, msg, got)
		require.NoError(t, wait())
		end, err := conn.Recv(1024, 0)
		require.NoError(t, err)
		assert.Empty(t, end)
	})
}

func TestBasicTCP_DetachReturnsFilenoAndTheDescriptorLivesOn(t *testing.T) {
	// testDetach
	forEachTCPClient(t, func(t *testing.T, conn, cli *Socket) {
		fileno := conn.Fileno()
		f := conn.Detach()
		assert.Equal(t, fileno, f)
		assert.True(t, conn.isPyClosed())
		_, err := conn.Recv(1024, 0)
		requireErrno(t, err, syscall.EBADF)
		require.NoError(t, conn.Close())
		s, err := NewFromFileno(f, csock.AF_INET, csock.SOCK_STREAM, -1)
		require.NoError(t, err)
		closeLater(t, s)
		wait := goAsync(t, func() error { _, err := cli.Send(msg, 0); return err })
		got, err := s.Recv(1024, 0)
		require.NoError(t, err)
		assert.Equal(t, msg, got)
		require.NoError(t, wait())
	})
}

func TestBasicTCP_DetachAfterWaitingReturnsTheSameNumber(t *testing.T) {
	// testDetach's assertion once the socket has registered with the poller: detaching
	// takes it off the poller without closing it, and the number is Fileno's.
	conn, cli := connectedTCP(t)
	wait := goAsync(t, func() error {
		time.Sleep(20 * time.Millisecond)
		_, err := cli.Send(msg, 0)
		return err
	})
	_, err := conn.Recv(1024, 0)
	require.NoError(t, err)
	require.NoError(t, wait())
	require.NotNil(t, conn.pf.Load(), "the receive waited, so the socket registered")
	fileno := conn.Fileno()
	fd := conn.Detach()
	assert.Equal(t, fileno, fd)
	s, err := NewFromFileno(fd, -1, -1, -1)
	require.NoError(t, err)
	require.NoError(t, s.Close())
}

func TestBasicUDP_SendToAndRecv(t *testing.T) {
	// testSendtoAndRecv, testRecvFrom, testRecvFromNegative
	serv, addr := udpSocket(t)
	cli := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
	n, err := cli.SendTo(msg, 0, py.Tuple{loopback, addr.Port})
	require.NoError(t, err)
	assert.Equal(t, len(msg), n)
	got, err := serv.Recv(len(msg), 0)
	require.NoError(t, err)
	assert.Equal(t, msg, got)

	_, err = cli.SendTo(msg, 0, addr)
	require.NoError(t, err)
	got, from, err := serv.RecvFrom(len(msg), 0)
	require.NoError(t, err)
	assert.Equal(t, msg, got)
	me, err := cli.GetSockName()
	require.NoError(t, err)
	assert.Equal(t, InetAddress{Host: loopback, Port: me.(InetAddress).Port}, from)

	_, _, err = serv.RecvFrom(-1, 0)
	assert.Equal(t, textRecvFromNeg, pyExc(err))
}

func TestBasicSocketPair_DefaultsAndBothDirections(t *testing.T) {
	// _check_defaults, testRecv, testSend
	serv, cli := socketPair(t)
	for _, s := range []*Socket{serv, cli} {
		assert.Equal(t, AF_UNIX, s.Family())
		assert.Equal(t, SOCK_STREAM, s.Type())
		assert.Equal(t, 0, s.Proto())
	}
	wait := goAsync(t, func() error { _, err := cli.Send(msg, 0); return err })
	got, err := serv.Recv(1024, 0)
	require.NoError(t, err)
	assert.Equal(t, msg, got)
	require.NoError(t, wait())

	wait = goAsync(t, func() error {
		got, err := cli.Recv(1024, 0)
		if err == nil && !bytes.Equal(got, msg) {
			err = fmt.Errorf("client got %q", got)
		}
		return err
	})
	_, err = serv.Send(msg, 0)
	require.NoError(t, err)
	require.NoError(t, wait())

	a, err := serv.GetSockName()
	require.NoError(t, err)
	assert.Equal(t, UnixAddress{}, a, "unnamed AF_UNIX ends are ''")
	p, err := serv.GetPeerName()
	require.NoError(t, err)
	assert.Equal(t, "''", p.PyRepr())
}

func TestTCPCloser_PeerCloseReadsAsEmptyAndCloseIsIdempotent(t *testing.T) {
	// testClose
	srv, addr := tcpListener(t)
	cli := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, cli.Connect(addr))
	conn, _, err := srv.Accept()
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	require.NoError(t, cli.SetTimeout(1.0))
	got, err := cli.Recv(1, 0)
	require.NoError(t, err)
	assert.Equal(t, []byte{}, got)
	assert.NoError(t, conn.Close())
	assert.NoError(t, conn.Close())
}

func TestBufferIO_RecvIntoAndRecvFromInto(t *testing.T) {
	// testRecvIntoArray, testRecvIntoBytearray, testRecvIntoMemoryview and the
	// recvfrom_into versions: in Go, an array, a bytearray and a memoryview are all []byte,
	// so the cases differ by where the slice comes from.
	bufs := map[string]func() []byte{
		"exact":    func() []byte { return make([]byte, len(msg)) },
		"larger":   func() []byte { return make([]byte, 1024) },
		"subslice": func() []byte { b := make([]byte, 2048); return b[512:1536] },
	}
	for name, mk := range bufs {
		t.Run(name, func(t *testing.T) {
			conn, cli := connectedTCP(t)
			_, err := cli.Send(msg, 0)
			require.NoError(t, err)
			buf := mk()
			n, err := conn.RecvInto(buf, 0, 0)
			require.NoError(t, err)
			assert.Equal(t, len(msg), n)
			assert.Equal(t, msg, buf[:n])

			_, err = cli.Send(msg, 0)
			require.NoError(t, err)
			buf = mk()
			n, addr, err := conn.RecvFromInto(buf, 0, 0)
			require.NoError(t, err)
			assert.Equal(t, len(msg), n)
			assert.Nil(t, addr)
			assert.Equal(t, msg, buf[:n])
		})
	}
}

func TestBufferIO_RecvIntoLeavesTheTailUntouched(t *testing.T) {
	conn, cli := connectedTCP(t)
	_, err := cli.Send([]byte("ab"), 0)
	require.NoError(t, err)
	buf := []byte("xxxxxx")
	n, err := conn.RecvInto(buf, 4, 0)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, "abxxxx", string(buf))
}

func TestBufferIO_RecvFromIntoSmallBufferAndEmptyBuffer(t *testing.T) {
	// testRecvFromIntoSmallBuffer, testRecvFromIntoEmptyBuffer
	conn, cli := connectedTCP(t)
	_, _, err := conn.RecvFromInto(make([]byte, 8), 1024, 0)
	assert.Equal(t, textNbytesTooBig, pyExc(err))
	_, err = cli.Send(msg, 0)
	require.NoError(t, err)
	require.NoError(t, conn.SetTimeout(5.0))
	// A zero-length recvfrom on a stream returns at once only when data is pending: wait
	// for it first.
	_, err = conn.Recv(1, csock.MSG_PEEK)
	require.NoError(t, err)
	n, _, err := conn.RecvFromInto([]byte{}, 0, 0)
	require.NoError(t, err)
	assert.Zero(t, n)
	n, _, err = conn.RecvFromInto(nil, 0, 0)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestContextManagers_CloseMarksClosedEvenAfterErrors(t *testing.T) {
	// _testSocketClass: "with socket()" is Close; _closed is observable through
	// isPyClosed and PyRepr.
	s, err := New(-1, -1, -1)
	require.NoError(t, err)
	assert.False(t, s.isPyClosed())
	require.NoError(t, s.Close())
	assert.True(t, s.isPyClosed())

	s, err = New(-1, -1, -1)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "the with block's own close after an explicit one")
	assert.True(t, s.isPyClosed())

	s, err = New(-1, -1, -1)
	require.NoError(t, err)
	assert.True(t, IsOSError(s.SendAll([]byte("foo"), 0)))
	require.NoError(t, s.Close())
	assert.True(t, s.isPyClosed())
}

func TestContextManagers_CreateConnectionEchoAndSendAllAfterClose(t *testing.T) {
	// testCreateConnectionBase, testCreateConnectionClose
	srv, addr := tcpListener(t)
	echo := func() error {
		conn, _, err := srv.Accept()
		if err != nil {
			return err
		}
		defer conn.Close()
		data, err := conn.Recv(1024, 0)
		if err != nil {
			return err
		}
		return conn.SendAll(data, 0)
	}
	wait := goAsync(t, echo)
	sock, err := CreateConnection(addr, UseDefaultTimeout, nil, false)
	require.NoError(t, err)
	assert.False(t, sock.isPyClosed())
	require.NoError(t, sock.SendAll([]byte("foo"), 0))
	got, err := sock.Recv(1024, 0)
	require.NoError(t, err)
	assert.Equal(t, "foo", string(got))
	require.NoError(t, sock.Close())
	assert.True(t, sock.isPyClosed())
	require.NoError(t, wait())

	wait = goAsync(t, func() error {
		conn, _, err := srv.Accept()
		if err == nil {
			conn.Close()
		}
		return err
	})
	sock, err = CreateConnection(addr, UseDefaultTimeout, nil, false)
	require.NoError(t, err)
	require.NoError(t, sock.Close())
	assert.True(t, sock.isPyClosed())
	requireErrno(t, sock.SendAll([]byte("foo"), 0), syscall.EBADF)
	require.NoError(t, wait())
}

func TestContextManagers_OpenFilesKeepTheDescriptorOpenAfterClose(t *testing.T) {
	// B.14's _io_refs protocol, through the hooks MakeFile's file objects will use:
	// close() with a file open only marks the socket closed; the last file's close closes
	// the descriptor.
	a, b := socketPair(t)
	a.retainIO()
	a.retainIO()
	fd := a.Fileno()
	require.NoError(t, a.Close())
	assert.True(t, a.isPyClosed())
	assert.Equal(t, fd, a.Fileno(), "the descriptor stays open while files are")
	assert.Contains(t, a.PyRepr(), fmt.Sprintf("[closed] fd=%d", fd))
	_, err := b.Send([]byte("x"), 0)
	require.NoError(t, err)
	got, err := a.Recv(1, 0)
	require.NoError(t, err, "file I/O keeps working")
	assert.Equal(t, "x", string(got))
	require.NoError(t, a.releaseIO())
	assert.Equal(t, fd, a.Fileno())
	require.NoError(t, a.releaseIO())
	assert.Equal(t, -1, a.Fileno(), "the last file's close closed the descriptor")

	// Without Close, releasing the files leaves the socket open.
	b.retainIO()
	require.NoError(t, b.releaseIO())
	assert.NotEqual(t, -1, b.Fileno())
}

func TestLinuxAbstractNamespace_ConnectAcceptAndNames(t *testing.T) {
	// testLinuxAbstractNamespace
	address := []byte(fmt.Sprintf("\x00python-test-hello-%d\x00\xff", os.Getpid()))
	s1 := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	require.NoError(t, s1.Bind(address))
	require.NoError(t, s1.Listen())
	s2 := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	name, err := s1.GetSockName()
	require.NoError(t, err)
	require.NoError(t, s2.Connect(name))
	s3, _, err := s1.Accept()
	require.NoError(t, err)
	defer s3.Close()
	assert.Equal(t, UnixAddress{Name: address, Abstract: true}, name)
	peer, err := s2.GetPeerName()
	require.NoError(t, err)
	assert.Equal(t, UnixAddress{Name: address, Abstract: true}, peer)
	assert.Equal(t, py.Repr(address), peer.PyRepr())
}

func TestLinuxAbstractNamespace_MaxNameAndOverflow(t *testing.T) {
	// testMaxName, testNameOverflow
	address := append([]byte{0}, bytes.Repeat([]byte("h"), 107)...)
	copy(address[1:], fmt.Sprintf("%d-", os.Getpid()))
	s := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	require.NoError(t, s.Bind(address))
	name, err := s.GetSockName()
	require.NoError(t, err)
	assert.Equal(t, UnixAddress{Name: address, Abstract: true}, name)

	s = mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	err = s.Bind("\x00" + string(bytes.Repeat([]byte("h"), 108)))
	assert.True(t, IsOSError(err), "%v", err)
	assert.Contains(t, err.Error(), "AF_UNIX path too long")
}

func TestLinuxAbstractNamespace_StrAndBytearrayNames(t *testing.T) {
	// testStrName, testBytearrayName
	for _, name := range []any{
		fmt.Sprintf("\x00python\x00test-%d\x00", os.Getpid()),
		[]byte(fmt.Sprintf("\x00python\x00test-%d\x00b", os.Getpid())),
	} {
		s := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
		require.NoError(t, s.Bind(name))
		got, err := s.GetSockName()
		require.NoError(t, err)
		var want []byte
		switch n := name.(type) {
		case string:
			want = []byte(n)
		case []byte:
			want = n
		}
		assert.Equal(t, UnixAddress{Name: want, Abstract: true}, got)
	}
}

func TestLinuxAbstractNamespace_AutobindPicksFiveHexDigits(t *testing.T) {
	// testAutobind
	re := regexp.MustCompile(`^\x00[0-9a-f]{5}$`)
	s1 := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	require.NoError(t, s1.Bind(""))
	n1, err := s1.GetSockName()
	require.NoError(t, err)
	assert.Regexp(t, re, string(n1.(UnixAddress).Name))
	s2 := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	require.NoError(t, s2.Bind(""))
	n2, err := s2.GetSockName()
	require.NoError(t, err)
	assert.Regexp(t, re, string(n2.(UnixAddress).Name))
	assert.NotEqual(t, n1, n2)
}

func TestUnixDomain_UnboundNameIsEmptyStr(t *testing.T) {
	// testUnbound
	s := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	a, err := s.GetSockName()
	require.NoError(t, err)
	assert.Equal(t, "''", a.PyRepr())
}

func TestUnixDomain_PathsRoundTripThroughGetSockName(t *testing.T) {
	// testStrAddr, testBytesAddr, testSurrogateescapeBind, testUnencodableAddr
	dir := t.TempDir()
	escaped := func(b []byte) string {
		// b.decode('ascii', 'surrogateescape')
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
			if c >= 0x80 {
				rs[i] = 0xdc00 + rune(c)
			}
		}
		return py.FromRunes(rs)
	}
	unicodePath := filepath.Join(dir, "@test_tmp-\u00e0\u00f2\u0258\u0141\u011f")
	cases := []struct {
		name string
		bind any
		want string
	}{
		{"str", filepath.Join(dir, "str"), filepath.Join(dir, "str")},
		{"bytes", []byte(filepath.Join(dir, "bytes")), filepath.Join(dir, "bytes")},
		{"surrogateescape", escaped([]byte(unicodePath)), unicodePath},
		{"unencodable", py.FromRunes(append([]rune(filepath.Join(dir, "@test_tmp-")), 0xdcff)),
			py.FromRunes(append([]rune(filepath.Join(dir, "@test_tmp-")), 0xdcff))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
			require.NoError(t, s.Bind(c.bind))
			a, err := s.GetSockName()
			require.NoError(t, err)
			assert.Equal(t, c.want, a.(UnixAddress).Value())
		})
	}
}

var oracleRecvFlags = oracleCase("RecvFlags", `
import threading, time
a, b = socket.socketpair()
out['dontwait'] = exc(lambda: a.recv(10, socket.MSG_DONTWAIT))
def later():
    time.sleep(0.1); b.send(b'abc'); time.sleep(0.1); b.send(b'defgh')
th = threading.Thread(target=later); th.start()
out['waitall'] = a.recv(8, socket.MSG_WAITALL).decode()
th.join()
b.send(b'xy'); b.shutdown(socket.SHUT_WR)
out['waitall_eof'] = a.recv(8, socket.MSG_WAITALL).decode()
a.settimeout(5)
c, d = socket.socketpair()
c.settimeout(5)
def later2():
    time.sleep(0.1); d.send(b'abc'); time.sleep(0.1); d.send(b'defgh')
th = threading.Thread(target=later2); th.start()
out['waitall_timeout_mode'] = c.recv(8, socket.MSG_WAITALL).decode()
th.join()
for s in (a, b, c, d):
    s.close()
`)

func TestRecvFlags_DontWaitAndWaitAllInBlockingModeLikeCPython(t *testing.T) {
	// A blocking recv(2) with MSG_DONTWAIT does not wait; with MSG_WAITALL it waits for
	// the whole buffer (or the end of the stream). In timeout mode CPython polls, then
	// gets what is there.
	want := python(t, oracleRecvFlags)
	a, b := socketPair(t)
	_, err := a.Recv(10, csock.MSG_DONTWAIT)
	assert.Equal(t, want["dontwait"], pyExc(err))

	later := func(s *Socket) func() error {
		return goAsync(t, func() error {
			time.Sleep(100 * time.Millisecond)
			if _, err := s.Send([]byte("abc"), 0); err != nil {
				return err
			}
			time.Sleep(100 * time.Millisecond)
			_, err := s.Send([]byte("defgh"), 0)
			return err
		})
	}
	wait := later(b)
	got, err := a.Recv(8, csock.MSG_WAITALL)
	require.NoError(t, err)
	assert.Equal(t, want["waitall"], string(got))
	require.NoError(t, wait())

	_, err = b.Send([]byte("xy"), 0)
	require.NoError(t, err)
	require.NoError(t, b.Shutdown(csock.SHUT_WR))
	buf := make([]byte, 8)
	n, err := a.RecvInto(buf, 0, csock.MSG_WAITALL)
	require.NoError(t, err)
	assert.Equal(t, want["waitall_eof"], string(buf[:n]))

	c, d := socketPair(t)
	require.NoError(t, c.SetTimeout(5))
	wait = later(d)
	got, err = c.Recv(8, csock.MSG_WAITALL)
	require.NoError(t, err)
	assert.Equal(t, want["waitall_timeout_mode"], string(got))
	require.NoError(t, wait())
}
