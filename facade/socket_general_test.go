//go:build linux

package facade

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// Ports of the socket-object tests of CPython's GeneralModuleTests
// (Lib/test/test_socket.py), and differential checks of what they touch.

// reprTemplate fills a repr template printed by the python side: {fd}, {port}, {rport}
// and {name} stand for what differs between the two processes.
func reprTemplate(tmpl string, s *Socket, name string) string {
	r := strings.ReplaceAll(tmpl, "{fd}", strconv.Itoa(s.Fileno()))
	if a, err := s.GetSockName(); err == nil {
		switch a := a.(type) {
		case InetAddress:
			r = strings.ReplaceAll(r, "{port}", strconv.Itoa(a.Port))
		case Inet6Address:
			r = strings.ReplaceAll(r, "{port}", strconv.Itoa(a.Port))
		}
	}
	if a, err := s.GetPeerName(); err == nil {
		if a, ok := a.(InetAddress); ok {
			r = strings.ReplaceAll(r, "{rport}", strconv.Itoa(a.Port))
		}
	}
	return strings.ReplaceAll(r, "{name}", name)
}

var oracleReprMatchesCPythonInEveryState = oracleCase("TestSocket_ReprMatchesCPythonInEveryState", `
import tempfile, uuid
def tmpl(s, name=None):
    r = repr(s)
    fd = s.fileno()
    r = r.replace('fd=%d,' % fd, 'fd={fd},')
    if not getattr(s, '_closed', False):
        try:
            la = s.getsockname()
            if isinstance(la, tuple) and la[1]:
                r = r.replace(', %d' % la[1], ', {port}', 1)
        except OSError:
            pass
        try:
            ra = s.getpeername()
            if isinstance(ra, tuple) and ra[1]:
                r = r.replace(', %d' % ra[1], ', {rport}')
        except OSError:
            pass
    if name:
        r = r.replace(name, '{name}')
    return r
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
out['inet_unbound'] = tmpl(s)
s.bind(('127.0.0.1', 0))
out['inet_bound'] = tmpl(s)
s.listen()
c = socket.socket()
c.connect(s.getsockname())
out['inet_connected'] = tmpl(c)
c.close()
s.close()
out['inet_closed'] = tmpl(s)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
out['inet6_unbound'] = tmpl(s)
s.close()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
out['unix_unbound'] = tmpl(s)
d = tempfile.mkdtemp()
p = os.path.join(d, 'sock')
s.bind(p)
out['unix_path'] = tmpl(s, p)
s.close(); os.unlink(p); os.rmdir(d)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
name = 'csock-' + uuid.uuid4().hex
s.bind(b'\0' + name.encode())
out['unix_abstract'] = tmpl(s, name)
s.close()
a, b = socket.socketpair()
out['pair'] = tmpl(a)
a.close(); b.close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK | socket.SOCK_CLOEXEC)
out['flags_masked'] = tmpl(s)
fd = s.detach()
out['detached'] = tmpl(s)
s = socket.socket(44, 6, 23, fd)
out['unknown_family'] = tmpl(s)
s.close()
`)

func TestSocket_ReprMatchesCPythonInEveryState(t *testing.T) {
	want := pythonStrings(t, oracleReprMatchesCPythonInEveryState)

	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	assert.Equal(t, reprTemplate(want["inet_unbound"], s, ""), s.PyRepr())
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	assert.Equal(t, reprTemplate(want["inet_bound"], s, ""), s.PyRepr())
	require.NoError(t, s.Listen())
	c := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	addr, err := s.GetSockName()
	require.NoError(t, err)
	require.NoError(t, c.Connect(addr))
	assert.Equal(t, reprTemplate(want["inet_connected"], c, ""), c.PyRepr())
	assert.Equal(t, c.PyRepr(), c.String())
	require.NoError(t, s.Close())
	assert.Equal(t, reprTemplate(want["inet_closed"], s, ""), s.PyRepr())

	s6 := mustSocket(t, csock.AF_INET6, csock.SOCK_DGRAM, -1)
	assert.Equal(t, reprTemplate(want["inet6_unbound"], s6, ""), s6.PyRepr())

	u := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
	assert.Equal(t, reprTemplate(want["unix_unbound"], u, ""), u.PyRepr())
	path := filepath.Join(t.TempDir(), "sock")
	require.NoError(t, u.Bind(path))
	assert.Equal(t, reprTemplate(want["unix_path"], u, path), u.PyRepr())

	ab := mustSocket(t, csock.AF_UNIX, csock.SOCK_DGRAM, -1)
	name := fmt.Sprintf("csock-%032x", os.Getpid())
	require.NoError(t, ab.Bind([]byte("\x00"+name)))
	assert.Equal(t, reprTemplate(want["unix_abstract"], ab, name), ab.PyRepr())

	a, _ := socketPair(t)
	assert.Equal(t, reprTemplate(want["pair"], a, ""), a.PyRepr())

	f := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_NONBLOCK|csock.SOCK_CLOEXEC, -1)
	assert.Equal(t, reprTemplate(want["flags_masked"], f, ""), f.PyRepr())
	fd := f.Detach()
	assert.Equal(t, reprTemplate(want["detached"], f, ""), f.PyRepr())
	unknown, err := NewFromFileno(fd, 44, 6, 23)
	require.NoError(t, err)
	defer unknown.Close()
	assert.Equal(t, reprTemplate(want["unknown_family"], unknown, ""), unknown.PyRepr())
}

func TestSocket_ReprShowsClosedAndDropsLaddrAfterCloseLikeCPython(t *testing.T) {
	// test_repr
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	r := s.PyRepr()
	assert.Contains(t, r, fmt.Sprintf("fd=%d", s.Fileno()))
	assert.Contains(t, r, "family=2")
	assert.Contains(t, r, "type=1")
	assert.Contains(t, r, "proto=0")
	assert.NotContains(t, r, "raddr")
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	a, err := s.GetSockName()
	require.NoError(t, err)
	assert.Contains(t, s.PyRepr(), "laddr="+a.PyStr())
	require.NoError(t, s.Close())
	assert.Contains(t, s.PyRepr(), "[closed]")
	assert.NotContains(t, s.PyRepr(), "laddr")
}

func TestSocket_UnknownFamilyAndTypeReportedAsNumbersLikeCPython(t *testing.T) {
	// test_unknown_socket_family_repr
	s, err := New(csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, err)
	fd := s.Detach()
	u, err := NewFromFileno(fd, 44, 6, 23)
	require.NoError(t, err)
	defer u.Close()
	assert.Equal(t, AddressFamily(44), u.Family())
	assert.Equal(t, SocketKind(6), u.Type())
	assert.Equal(t, 23, u.Proto())
	assert.Equal(t, "44", u.Family().String())
	_, err = u.GetSockName()
	assert.Equal(t, textBadFamily, pyExc(err))
}

var oracleSendToAddressErrorsLikeCPython = oracleCase("TestSocket_SendToAddressErrorsLikeCPython", `
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('', 0))
out['none2'] = exc(lambda: s.sendto(b'foo', None))
out['none3'] = exc(lambda: s.sendto(b'foo', 0, None))
out['list'] = exc(lambda: s.sendto(b'foo', ['127.0.0.1', 80]))
out['triple'] = exc(lambda: s.sendto(b'foo', ('127.0.0.1', 80, 0)))
out['port'] = exc(lambda: s.sendto(b'foo', ('127.0.0.1', 70000)))
out['portstr'] = exc(lambda: s.sendto(b'foo', ('127.0.0.1', '80')))
out['host'] = exc(lambda: s.sendto(b'foo', (None, 80)))
out['nul'] = exc(lambda: s.sendto(b'foo', ('a\0b', 80)))
out['bigflags'] = exc(lambda: s.sendto(b'foo', 2**31, ('127.0.0.1', 80)))
s.close()
`)

func TestSocket_SendToAddressErrorsLikeCPython(t *testing.T) {
	// testSendtoErrors: in Go the data and flags are typed, so only the address can be
	// of the wrong type.
	want := pythonStrings(t, oracleSendToAddressErrorsLikeCPython)
	s, _ := udpSocket(t)
	cases := map[string]func() error{
		"none2":    func() error { _, err := s.SendTo([]byte("foo"), 0, nil); return err },
		"list":     func() error { _, err := s.SendTo([]byte("foo"), 0, py.List{loopback, 80}); return err },
		"triple":   func() error { _, err := s.SendTo([]byte("foo"), 0, py.Tuple{loopback, 80, 0}); return err },
		"port":     func() error { _, err := s.SendTo([]byte("foo"), 0, py.Tuple{loopback, 70000}); return err },
		"portstr":  func() error { _, err := s.SendTo([]byte("foo"), 0, py.Tuple{loopback, "80"}); return err },
		"host":     func() error { _, err := s.SendTo([]byte("foo"), 0, py.Tuple{nil, 80}); return err },
		"nul":      func() error { _, err := s.SendTo([]byte("foo"), 0, py.Tuple{"a\x00b", 80}); return err },
		"bigflags": func() error { _, err := s.SendTo([]byte("foo"), 1<<31, py.Tuple{loopback, 80}); return err },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			got := pyExc(f())
			assert.Equal(t, want[name], got)
		})
	}
	assert.Equal(t, want["none2"], want["none3"])
}

func TestSocket_GetSockNameAfterBindLikeCPython(t *testing.T) {
	// testSockName
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, s.Bind(py.Tuple{"0.0.0.0", 0}))
	a, err := s.GetSockName()
	require.NoError(t, err)
	in := a.(InetAddress)
	assert.Equal(t, "0.0.0.0", in.Host)
	assert.NotZero(t, in.Port)
}

func TestSocket_SocketOptionsRoundTripLikeCPython(t *testing.T) {
	// testGetSockOpt, testSetSockOpt
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	v, err := s.GetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR)
	require.NoError(t, err)
	assert.Zero(t, v, "a new socket starts without SO_REUSEADDR")
	require.NoError(t, s.SetSockOptInt(csock.SOL_SOCKET, csock.SO_REUSEADDR, 1))
	v, err = s.GetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR)
	require.NoError(t, err)
	assert.NotZero(t, v)

	b, err := s.GetSockOptBytes(csock.SOL_SOCKET, csock.SO_REUSEADDR, 1024)
	require.NoError(t, err)
	assert.Len(t, b, 4, "truncated to the length the kernel reports")
	b, err = s.GetSockOptBytes(csock.SOL_SOCKET, csock.SO_LINGER, 8)
	require.NoError(t, err)
	assert.Len(t, b, 8)
	require.NoError(t, s.SetSockOptBytes(csock.SOL_SOCKET, csock.SO_LINGER, []byte{1, 0, 0, 0, 5, 0, 0, 0}))
	b, err = s.GetSockOptBytes(csock.SOL_SOCKET, csock.SO_LINGER, 8)
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 0, 0, 0, 5, 0, 0, 0}, b)
	require.NoError(t, s.SetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR, false))
	v, err = s.GetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR)
	require.NoError(t, err)
	assert.Zero(t, v)
}

var oracleSocketOptionErrorsLikeCPython = oracleCase("TestSocket_SocketOptionErrorsLikeCPython", `
s = socket.socket()
out['big_int'] = exc(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 2**31))
out['float'] = exc(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1.5))
out['none3'] = exc(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, None))
out['str'] = exc(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 'x'))
out['big_level'] = exc(lambda: s.setsockopt(2**31, socket.SO_REUSEADDR, 1))
out['bad_size'] = exc(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'xx'))
out['null'] = exc(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, None, 4))
out['unknown_opt'] = exc(lambda: s.getsockopt(socket.SOL_SOCKET, 12345))
out['bad_level'] = exc(lambda: s.getsockopt(12345, 1))
out['buflen_neg'] = exc(lambda: s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, -1))
out['buflen_big'] = exc(lambda: s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1025))
out['big_opt'] = exc(lambda: s.getsockopt(socket.SOL_SOCKET, 2**31))
s.close()
out['closed'] = exc(lambda: s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
`)

func TestSocket_SocketOptionErrorsLikeCPython(t *testing.T) {
	want := pythonStrings(t, oracleSocketOptionErrorsLikeCPython)
	s, err := New(-1, -1, -1)
	require.NoError(t, err)
	got := map[string]error{
		"big_int":   s.SetSockOptInt(csock.SOL_SOCKET, csock.SO_REUSEADDR, 1<<31),
		"float":     s.SetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR, 1.5),
		"none3":     s.SetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR, nil),
		"str":       s.SetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR, "x"),
		"big_level": s.SetSockOpt(1<<31, csock.SO_REUSEADDR, 1),
		"bad_size":  s.SetSockOptBytes(csock.SOL_SOCKET, csock.SO_LINGER, []byte("xx")),
		"null":      s.SetSockOptNull(csock.SOL_SOCKET, csock.SO_REUSEADDR, 4),
	}
	_, got["unknown_opt"] = s.GetSockOpt(csock.SOL_SOCKET, 12345)
	_, got["bad_level"] = s.GetSockOpt(12345, 1)
	_, got["buflen_neg"] = s.GetSockOptBytes(csock.SOL_SOCKET, csock.SO_REUSEADDR, -1)
	_, got["buflen_big"] = s.GetSockOptBytes(csock.SOL_SOCKET, csock.SO_REUSEADDR, 1025)
	_, got["big_opt"] = s.GetSockOpt(csock.SOL_SOCKET, 1<<31)
	require.NoError(t, s.Close())
	_, got["closed"] = s.GetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR)
	for name, err := range got {
		assert.Equal(t, want[name], pyExc(err), name)
	}
}

func TestSocket_SendAfterCloseRaisesLikeCPython(t *testing.T) {
	// testSendAfterClose
	s, err := New(csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, err)
	require.NoError(t, s.SetTimeout(1))
	require.NoError(t, s.Close())
	_, err = s.Send([]byte("spam"), 0)
	requireErrno(t, err, syscall.EBADF)
}

func TestSocket_CloseOfDescriptorClosedElsewhereRaisesEBADFLikeCPython(t *testing.T) {
	// testCloseException
	s, err := New(-1, -1, -1)
	require.NoError(t, err)
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	other, err := NewFromFileno(s.Fileno(), -1, -1, -1)
	require.NoError(t, err)
	require.NoError(t, other.Close())
	requireErrno(t, s.Close(), syscall.EBADF)
}

func TestSocket_CallsOnDescriptorClosedBehindItFailLikeCPython(t *testing.T) {
	// test_socket_close (the module's close(fd) is the shim's close here)
	s, err := New(-1, -1, -1)
	require.NoError(t, err)
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	require.NoError(t, csock.Close(s.Fileno()))
	requireErrno(t, s.Listen(1), syscall.EBADF)
	requireErrno(t, s.Close(), syscall.EBADF)
}

func TestSocket_FamilyTypeProtoAttributesLikeCPython(t *testing.T) {
	// testNewAttributes
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	assert.Equal(t, AF_INET, s.Family())
	assert.Equal(t, SOCK_STREAM, s.Type())
	assert.Equal(t, 0, s.Proto())
	require.NoError(t, s.Close())
	assert.Equal(t, AF_INET, s.Family(), "attributes stay readable after close")
	assert.Equal(t, SOCK_STREAM, s.Type())
}

func TestSocket_BindRejectsPortsOutOfRangeLikeCPython(t *testing.T) {
	// test_getsockaddrarg
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	for _, port := range []int{65536 + 80, 80 - 65536} {
		err := s.Bind(py.Tuple{loopback, port})
		assert.Equal(t, textBindPort, pyExc(err), "port %d", port)
	}
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
}

var oracleListenBacklogLikeCPython = oracleCase("TestSocket_ListenBacklogLikeCPython", `
s = socket.socket()
s.bind(('127.0.0.1', 0))
out['overflow'] = exc(lambda: s.listen(2**31))
out['two'] = exc(lambda: s.listen(1, 2))
s.close()
`)

func TestSocket_ListenBacklogLikeCPython(t *testing.T) {
	// test_listen_backlog, test_listen_backlog_overflow
	for _, backlog := range [][]int{{0}, {-1}, nil} {
		s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
		require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
		assert.NoError(t, s.Listen(backlog...), "listen%v", backlog)
	}
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	want := pythonStrings(t, oracleListenBacklogLikeCPython)
	assert.Equal(t, want["overflow"], pyExc(s.Listen(1<<31)))
	assert.Equal(t, want["two"], pyExc(s.Listen(1, 2)))
}

func TestSocket_TypeMasksNonblockAndCloexecInEveryModeLikeCPython(t *testing.T) {
	// test_socket_consistent_sock_type
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM|csock.SOCK_NONBLOCK|csock.SOCK_CLOEXEC, -1)
	assert.Equal(t, SOCK_STREAM, s.Type())
	for _, set := range []func() error{
		func() error { return s.SetTimeout(1) },
		func() error { return s.SetTimeout(0) },
		func() error { return s.SetBlocking(true) },
		func() error { return s.SetBlocking(false) },
	} {
		require.NoError(t, set())
		assert.Equal(t, SOCK_STREAM, s.Type())
	}
}

func TestSocket_FilenoAdoptionDetectsFamilyAndTypeLikeCPython(t *testing.T) {
	// test_socket_fileno
	cases := []struct {
		family, typ int
		addr        any
	}{
		{csock.AF_INET, csock.SOCK_STREAM, py.Tuple{loopback, 0}},
		{csock.AF_INET, csock.SOCK_DGRAM, py.Tuple{loopback, 0}},
		{csock.AF_INET6, csock.SOCK_STREAM, py.Tuple{"::1", 0, 0, 0}},
		{csock.AF_UNIX, csock.SOCK_STREAM, filepath.Join(t.TempDir(), "socket")},
	}
	for _, c := range cases {
		s, err := New(AddressFamily(c.family), SocketKind(c.typ), -1)
		require.NoError(t, err)
		require.NoError(t, s.Bind(c.addr))
		fd := s.Fileno()
		s2, err := NewFromFileno(fd, -1, -1, -1)
		require.NoError(t, err)
		assert.Equal(t, fd, s.Detach())
		assert.Equal(t, AddressFamily(c.family), s2.Family())
		assert.Equal(t, SocketKind(c.typ), s2.Type())
		assert.Equal(t, fd, s2.Fileno())
		require.NoError(t, s2.Close())
	}
}

var oracleFilenoAdoptionDetectsProtocolLikeCPython = oracleCase("TestSocket_FilenoAdoptionDetectsProtocolLikeCPython", `
s = socket.socket()
t = socket.socket(fileno=s.detach())
out['proto'] = t.proto
t.close()
`)

func TestSocket_FilenoAdoptionDetectsProtocolLikeCPython(t *testing.T) {
	// A.2: socket(fileno=tcp_fd).proto is the kernel's 6 although the original says 0.
	want := python(t, oracleFilenoAdoptionDetectsProtocolLikeCPython)
	s, err := New(-1, -1, -1)
	require.NoError(t, err)
	adopted, err := NewFromFileno(s.Detach(), -1, -1, -1)
	require.NoError(t, err)
	assert.EqualValues(t, want["proto"], adopted.Proto())
	lie, err := NewFromFileno(adopted.Detach(), csock.AF_INET6, csock.SOCK_DGRAM, 17)
	require.NoError(t, err)
	defer lie.Close()
	assert.Equal(t, AF_INET6, lie.Family(), "explicit values are trusted")
	assert.Equal(t, SOCK_DGRAM, lie.Type())
	assert.Equal(t, 17, lie.Proto())
}

var oracleFilenoRejectsNegativeBadAndNonSocketDescriptorsLikeCPython = oracleCase("TestSocket_FilenoRejectsNegativeBadAndNonSocketDescriptorsLikeCPython", `
import tempfile
out['minus1'] = exc(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, fileno=-1))
out['minus42'] = exc(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, fileno=-42))
out['wrap'] = exc(lambda: socket.socket(fileno=2**31))
r, w = os.pipe(); os.close(r); os.close(w)
out['bad'] = exc(lambda: socket.socket(fileno=r))
out['bad_explicit'] = exc(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, fileno=r))
with tempfile.NamedTemporaryFile() as f:
    out['file'] = exc(lambda: socket.socket(fileno=f.fileno()))
    out['file_explicit'] = exc(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, fileno=f.fileno()))
`)

func TestSocket_FilenoRejectsNegativeBadAndNonSocketDescriptorsLikeCPython(t *testing.T) {
	// test_socket_fileno_rejects_invalid_socket, _rejects_negative,
	// _requires_valid_fd, _requires_socket_fd (float/str fileno are Go type errors)
	want := pythonStrings(t, oracleFilenoRejectsNegativeBadAndNonSocketDescriptorsLikeCPython)
	_, err := NewFromFileno(-1, csock.AF_INET, csock.SOCK_STREAM, -1)
	assert.Equal(t, want["minus1"], pyExc(err))
	_, err = NewFromFileno(-42, csock.AF_INET, csock.SOCK_STREAM, -1)
	assert.Equal(t, want["minus42"], pyExc(err))
	_, err = NewFromFileno(1<<31, -1, -1, -1)
	assert.Equal(t, want["wrap"], pyExc(err))

	r, w, err := os.Pipe()
	require.NoError(t, err)
	bad := int(r.Fd())
	require.NoError(t, r.Close())
	require.NoError(t, w.Close())
	_, err = NewFromFileno(bad, -1, -1, -1)
	assert.Equal(t, want["bad"], pyExc(err))
	_, err = NewFromFileno(bad, csock.AF_INET, csock.SOCK_STREAM, -1)
	assert.Equal(t, want["bad_explicit"], pyExc(err))

	f, err := os.CreateTemp(t.TempDir(), "notasocket")
	require.NoError(t, err)
	defer f.Close()
	_, err = NewFromFileno(int(f.Fd()), -1, -1, -1)
	assert.Equal(t, want["file"], pyExc(err))
	_, err = NewFromFileno(int(f.Fd()), csock.AF_INET, csock.SOCK_STREAM, -1)
	assert.Equal(t, want["file_explicit"], pyExc(err))
}

func TestSocket_DefaultTimeoutPropagatesToNewSocketsLikeCPython(t *testing.T) {
	// testDefaultTimeout (and B.12)
	require.Nil(t, GetDefaultTimeout())
	s := mustSocket(t, -1, -1, -1)
	assert.Nil(t, s.GetTimeout())
	withDefaultTimeout(t, 10)
	assert.Equal(t, 10.0, GetDefaultTimeout())
	s = mustSocket(t, -1, -1, -1)
	assert.Equal(t, 10.0, s.GetTimeout())
	a, b := socketPair(t)
	assert.Equal(t, 10.0, a.GetTimeout())
	assert.Equal(t, 10.0, b.GetTimeout())
	require.NoError(t, SetDefaultTimeout(nil))
	s = mustSocket(t, -1, -1, -1)
	assert.Nil(t, s.GetTimeout())
	assert.Equal(t, textTimeoutRange, pyExc(SetDefaultTimeout(-1)))
	assert.Equal(t, textNotInteger, pyExc(SetDefaultTimeout("spam")))
}

var oracleConstructorArgumentErrorsLikeCPython = oracleCase("TestSocket_ConstructorArgumentErrorsLikeCPython", `
out['family'] = exc(lambda: socket.socket(12345))
out['neg_family'] = exc(lambda: socket.socket(-5))
out['zero_family'] = exc(lambda: socket.socket(0))
out['type'] = exc(lambda: socket.socket(socket.AF_INET, 12345))
out['proto'] = exc(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, 12345))
out['proto256'] = exc(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM, 256))
out['udp_tcp'] = exc(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_TCP))
out['overflow'] = exc(lambda: socket.socket(2**31))
out['pair_inet'] = exc(lambda: socket.socketpair(socket.AF_INET))
out['pair_family'] = exc(lambda: socket.socketpair(12345))
out['pair_type'] = exc(lambda: socket.socketpair(socket.AF_UNIX, 12345))
out['pair_proto'] = exc(lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM, 12345))
out['pair_overflow'] = exc(lambda: socket.socketpair(2**31))
out['fromfd_bad'] = exc(lambda: socket.fromfd(-1, socket.AF_INET, socket.SOCK_STREAM))
`)

func TestSocket_ConstructorArgumentErrorsLikeCPython(t *testing.T) {
	want := pythonStrings(t, oracleConstructorArgumentErrorsLikeCPython)
	try := func(family, typ, proto int) error {
		s, err := New(AddressFamily(family), SocketKind(typ), proto)
		if err == nil {
			s.Close()
		}
		return err
	}
	pair := func(family, typ, proto int) error {
		a, b, err := SocketPair(AddressFamily(family), SocketKind(typ), proto)
		if err == nil {
			a.Close()
			b.Close()
		}
		return err
	}
	_, fromfdErr := FromFD(-1, csock.AF_INET, csock.SOCK_STREAM, 0)
	got := map[string]error{
		"family":        try(12345, -1, -1),
		"neg_family":    try(-5, -1, -1),
		"zero_family":   try(0, -1, -1),
		"type":          try(csock.AF_INET, 12345, -1),
		"proto":         try(csock.AF_INET, csock.SOCK_STREAM, 12345),
		"proto256":      try(csock.AF_INET, csock.SOCK_STREAM, 256),
		"udp_tcp":       try(csock.AF_INET, csock.SOCK_DGRAM, csock.IPPROTO_TCP),
		"overflow":      try(1<<31, -1, -1),
		"pair_inet":     pair(csock.AF_INET, -1, -1),
		"pair_family":   pair(12345, -1, -1),
		"pair_type":     pair(csock.AF_UNIX, 12345, -1),
		"pair_proto":    pair(csock.AF_UNIX, csock.SOCK_STREAM, 12345),
		"pair_overflow": pair(1<<31, -1, -1),
		"fromfd_bad":    fromfdErr,
	}
	for name, err := range got {
		assert.Equal(t, want[name], pyExc(err), name)
	}
}

var oracleClosedSocketMethodsLikeCPython = oracleCase("TestSocket_ClosedSocketMethodsLikeCPython", `
s = socket.socket(); s.close()
out['recv0'] = repr(s.recv(0))
out['recv_into_empty'] = s.recv_into(bytearray(0))
out['recv_into'] = exc(lambda: s.recv_into(bytearray(10)))
out['recvfrom0'] = exc(lambda: s.recvfrom(0))
out['recvfrom_into_empty'] = exc(lambda: s.recvfrom_into(bytearray(0)))
out['send'] = exc(lambda: s.send(b''))
out['sendall'] = exc(lambda: s.sendall(b''))
out['sendto'] = exc(lambda: s.sendto(b'', ('127.0.0.1', 9)))
out['getsockname'] = exc(lambda: s.getsockname())
out['getpeername'] = exc(lambda: s.getpeername())
out['settimeout'] = exc(lambda: s.settimeout(3))
out['timeout_after'] = s.gettimeout()
out['setblocking'] = exc(lambda: s.setblocking(True))
out['listen'] = exc(lambda: s.listen())
out['bind'] = exc(lambda: s.bind(('127.0.0.1', 0)))
out['shutdown'] = exc(lambda: s.shutdown(0))
out['fileno'] = s.fileno()
out['detach'] = s.detach()
out['inheritable'] = exc(lambda: s.get_inheritable())
out['set_inheritable'] = exc(lambda: s.set_inheritable(True))
out['connect'] = exc(lambda: s.connect(('127.0.0.1', 1)))
out['connect_ex'] = s.connect_ex(('127.0.0.1', 1))
out['connect_ex_bad'] = exc(lambda: s.connect_ex(('127.0.0.1', 70000)))
out['dup'] = exc(lambda: s.dup())
out['accept'] = exc(lambda: s.accept())
out['close'] = exc(lambda: s.close())
`)

func TestSocket_ClosedSocketMethodsLikeCPython(t *testing.T) {
	// A.3: after close the descriptor is -1 and calls fail with [Errno 9], except the
	// zero-size receives, fileno, detach, connect_ex and close.
	want := python(t, oracleClosedSocketMethodsLikeCPython)
	s, err := New(-1, -1, -1)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	b, err := s.Recv(0, 0)
	require.NoError(t, err)
	assert.Equal(t, want["recv0"], py.Repr(b))
	n, err := s.RecvInto([]byte{}, 0, 0)
	require.NoError(t, err)
	assert.EqualValues(t, want["recv_into_empty"], n)
	_, err = s.RecvInto(make([]byte, 10), 0, 0)
	assert.Equal(t, want["recv_into"], pyExc(err))
	_, _, err = s.RecvFrom(0, 0)
	assert.Equal(t, want["recvfrom0"], pyExc(err))
	_, _, err = s.RecvFromInto([]byte{}, 0, 0)
	assert.Equal(t, want["recvfrom_into_empty"], pyExc(err))
	_, err = s.Send(nil, 0)
	assert.Equal(t, want["send"], pyExc(err))
	assert.Equal(t, want["sendall"], pyExc(s.SendAll(nil, 0)))
	_, err = s.SendTo(nil, 0, py.Tuple{loopback, 9})
	assert.Equal(t, want["sendto"], pyExc(err))
	_, err = s.GetSockName()
	assert.Equal(t, want["getsockname"], pyExc(err))
	_, err = s.GetPeerName()
	assert.Equal(t, want["getpeername"], pyExc(err))
	assert.Equal(t, want["settimeout"], pyExc(s.SetTimeout(3)))
	assert.Equal(t, want["timeout_after"], s.GetTimeout())
	assert.Equal(t, want["setblocking"], pyExc(s.SetBlocking(true)))
	assert.Equal(t, want["listen"], pyExc(s.Listen()))
	assert.Equal(t, want["bind"], pyExc(s.Bind(py.Tuple{loopback, 0})))
	assert.Equal(t, want["shutdown"], pyExc(s.Shutdown(0)))
	assert.EqualValues(t, want["fileno"], s.Fileno())
	assert.EqualValues(t, want["detach"], s.Detach())
	_, err = s.GetInheritable()
	assert.Equal(t, want["inheritable"], pyExc(err))
	assert.Equal(t, want["set_inheritable"], pyExc(s.SetInheritable(true)))
	assert.Equal(t, want["connect"], pyExc(s.Connect(py.Tuple{loopback, 1})))
	n, err = s.ConnectEx(py.Tuple{loopback, 1})
	require.NoError(t, err)
	assert.EqualValues(t, want["connect_ex"], n)
	_, err = s.ConnectEx(py.Tuple{loopback, 70000})
	assert.Equal(t, want["connect_ex_bad"], pyExc(err))
	_, err = s.Dup()
	assert.Equal(t, want["dup"], pyExc(err))
	_, _, err = s.Accept()
	assert.Equal(t, want["accept"], pyExc(err))
	assert.Equal(t, want["close"], pyExc(s.Close()))
	_, err = s.SyscallConn()
	requireErrno(t, err, syscall.EBADF)
}

var oracleArgumentValidationOfReceivesLikeCPython = oracleCase("TestSocket_ArgumentValidationOfReceivesLikeCPython", `
s = socket.socket()
out['recv_neg'] = exc(lambda: s.recv(-1))
out['recv_flags'] = exc(lambda: s.recv(1, 2**31))
out['recv_into_neg'] = exc(lambda: s.recv_into(bytearray(4), -1))
out['recv_into_small'] = exc(lambda: s.recv_into(bytearray(4), 5))
out['recvfrom_neg'] = exc(lambda: s.recvfrom(-1))
out['recvfrom_into_neg'] = exc(lambda: s.recvfrom_into(bytearray(4), -1))
out['recvfrom_into_small'] = exc(lambda: s.recvfrom_into(bytearray(8), 1024))
out['send_flags'] = exc(lambda: s.send(b'x', 2**31))
out['shutdown_big'] = exc(lambda: s.shutdown(2**31))
out['shutdown_bad'] = exc(lambda: s.shutdown(5))
out['shutdown_unconnected'] = exc(lambda: s.shutdown(socket.SHUT_RDWR))
out['peername'] = exc(lambda: s.getpeername())
out['send_unconnected'] = exc(lambda: s.send(b'x'))
out['sendall_unconnected'] = exc(lambda: s.sendall(b''))
out['recv_unconnected'] = exc(lambda: s.recv(1))
out['accept_unlistening'] = exc(lambda: s.accept())
s.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
out['udp_send'] = exc(lambda: u.send(b'x'))
out['udp_big'] = exc(lambda: u.sendto(b'x' * 70000, ('127.0.0.1', 9)))
out['udp_broadcast'] = exc(lambda: u.sendto(b'x', ('<broadcast>', 9)))
u.close()
`)

func TestSocket_ArgumentValidationOfReceivesLikeCPython(t *testing.T) {
	// A.3's recv/recv_into/recvfrom/recvfrom_into argument rules, and BufferIOTest's
	// testRecvFromIntoSmallBuffer.
	want := pythonStrings(t, oracleArgumentValidationOfReceivesLikeCPython)
	s := mustSocket(t, -1, -1, -1)
	u := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
	got := map[string]error{}
	_, got["recv_neg"] = s.Recv(-1, 0)
	_, got["recv_flags"] = s.Recv(1, 1<<31)
	_, got["recv_into_neg"] = s.RecvInto(make([]byte, 4), -1, 0)
	_, got["recv_into_small"] = s.RecvInto(make([]byte, 4), 5, 0)
	_, _, got["recvfrom_neg"] = s.RecvFrom(-1, 0)
	_, _, got["recvfrom_into_neg"] = s.RecvFromInto(make([]byte, 4), -1, 0)
	_, _, got["recvfrom_into_small"] = s.RecvFromInto(make([]byte, 8), 1024, 0)
	_, got["send_flags"] = s.Send([]byte("x"), 1<<31)
	got["shutdown_big"] = s.Shutdown(1 << 31)
	got["shutdown_bad"] = s.Shutdown(5)
	got["shutdown_unconnected"] = s.Shutdown(csock.SHUT_RDWR)
	_, got["peername"] = s.GetPeerName()
	_, got["send_unconnected"] = s.Send([]byte("x"), 0)
	got["sendall_unconnected"] = s.SendAll(nil, 0)
	_, got["recv_unconnected"] = s.Recv(1, 0)
	_, _, got["accept_unlistening"] = s.Accept()
	_, got["udp_send"] = u.Send([]byte("x"), 0)
	_, got["udp_big"] = u.SendTo(make([]byte, 70000), 0, py.Tuple{loopback, 9})
	_, got["udp_broadcast"] = u.SendTo([]byte("x"), 0, py.Tuple{"<broadcast>", 9})
	for name, err := range got {
		assert.Equal(t, want[name], pyExc(err), name)
	}
}

func TestSocket_ZeroLengthReceivesSkipTheSystemCallLikeCPython(t *testing.T) {
	// Summary item 14: recv(0) and recv_into of an empty buffer return at once; recvfrom(0)
	// makes the call (on an idle socket in non-blocking mode: BlockingIOError).
	a, _ := socketPair(t)
	b, err := a.Recv(0, 0)
	require.NoError(t, err)
	assert.Equal(t, []byte{}, b)
	n, err := a.RecvInto(nil, 0, 0)
	require.NoError(t, err)
	assert.Zero(t, n)
	require.NoError(t, a.SetBlocking(false))
	_, _, err = a.RecvFrom(0, 0)
	requireErrno(t, err, syscall.EAGAIN)
	_, _, err = a.RecvFromInto(nil, 0, 0)
	requireErrno(t, err, syscall.EAGAIN)
}

func TestSocket_FamilyAndTypeAreEnumsLikeCPython(t *testing.T) {
	// test_str_for_enums
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	assert.Equal(t, textReprAFINET, s.Family().PyRepr())
	assert.Equal(t, textReprSTREAM, s.Type().PyRepr())
	assert.Equal(t, "2", s.Family().PyStr())
	assert.Equal(t, "1", s.Type().PyStr())
	assert.Equal(t, "socket", s.PyTypeName())
}

// ipv6FlowInfoSend is IPV6_FLOWINFO_SEND from linux/in6.h, which CPython does not export:
// with it set, connect sends the flowinfo of its address and getpeername reports it back.
const ipv6FlowInfoSend = 33

// flowInfos are flow labels with a different byte in each position that a flow label
// occupies, so a byte out of place shows.
var flowInfos = []int{0x1, 0x10000, 0x12345, 0xfffff}

var oracleFlowInfoRoundTrip = oracleCase("TestSocket_FlowInfoRoundTripLikeCPython", `
srv = socket.socket(socket.AF_INET6); srv.bind(('::1', 0)); srv.listen()
port = srv.getsockname()[1]
def peer(c):
    r = []
    line = exc(lambda: r.append(c.getpeername()))
    return repr(r[0]).replace(', %d, ' % port, ', {port}, ', 1) if r else line
for send in (0, 1):
    for flow in `+pyInts(flowInfos)+`:
        c = socket.socket(socket.AF_INET6)
        c.setsockopt(socket.IPPROTO_IPV6, 33, send)
        key = '%d %d' % (send, flow)
        out['connect ' + key] = exc(lambda: c.connect(('::1', port, flow, 0)))
        out['getpeername ' + key] = peer(c)
        if out['connect ' + key] == 'no exception':
            srv.accept()[0].close()
        c.close()
srv.close()
`)

func TestSocket_FlowInfoRoundTripLikeCPython(t *testing.T) {
	// connect(('::1', port, flowinfo, 0)) with IPV6_FLOWINFO_SEND set, then getpeername():
	// CPython prints ('::1', port, flowinfo, 0); without the option the flowinfo is 0.
	want := pythonStrings(t, oracleFlowInfoRoundTrip)
	srv := mustSocket(t, csock.AF_INET6, csock.SOCK_STREAM, -1)
	require.NoError(t, srv.Bind(py.Tuple{"::1", 0}))
	require.NoError(t, srv.Listen())
	a, err := srv.GetSockName()
	require.NoError(t, err)
	port := a.(Inet6Address).Port
	got := map[string]string{}
	for _, send := range []int{0, 1} {
		for _, flow := range flowInfos {
			c := mustSocket(t, csock.AF_INET6, csock.SOCK_STREAM, -1)
			require.NoError(t, c.SetSockOptInt(csock.IPPROTO_IPV6, ipv6FlowInfoSend, send))
			key := fmt.Sprintf("%d %d", send, flow)
			err := c.Connect(py.Tuple{"::1", port, flow, 0})
			got["connect "+key] = pyExc(err)
			if p, perr := c.GetPeerName(); perr != nil {
				got["getpeername "+key] = pyExc(perr)
			} else {
				got["getpeername "+key] = strings.Replace(py.Repr(p), fmt.Sprintf(", %d, ", port), ", {port}, ", 1)
			}
			if err == nil {
				conn, _, err := srv.Accept()
				require.NoError(t, err)
				require.NoError(t, conn.Close())
			}
			require.NoError(t, c.Close())
		}
	}
	assert.Equal(t, want, got)
}
