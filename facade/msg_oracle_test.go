//go:build linux

package facade

import (
	"encoding/binary"
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// What recvmsg returns for real ancillary data (IP_TTL and IP_TOS, IPv6 packet info, hop
// limit and traffic class, SCM_CREDENTIALS, SCM_RIGHTS) cut at every buffer size, and
// what send_fds and recv_fds do, compared with what python3 returns on this machine for
// the same calls.

var oracleAncillary = oracleCase("Ancillary", `
import array, struct
MSG = b"x"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
u.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL (not in CPython 3.11's module)
u.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x10)
for n in range(0, 50):
    v.sendto(MSG, u.getsockname())
    r = u.recvmsg(100, n)
    out['ip %d' % n] = repr((r[0], r[1], r[2]))
v.sendmsg([MSG], [(socket.IPPROTO_IP, socket.IP_TTL, struct.pack("i", 7))], 0, u.getsockname())
out['ip ttl 7'] = repr(u.recvmsg(100, 1024)[1])
u.close(); v.close()
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("::1", 0))
for o in (socket.IPV6_RECVPKTINFO, socket.IPV6_RECVHOPLIMIT, socket.IPV6_RECVTCLASS):
    u6.setsockopt(socket.IPPROTO_IPV6, o, 1)
v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for n in (0, 16, 19, 20, 24, 35, 36, 40, 48, 52, 56, 60, 64, 70, 72, 80, 1024):
    v6.sendto(MSG, u6.getsockname())
    r = u6.recvmsg(100, n)
    out['ip6 %d' % n] = repr((r[1], r[2]))
v6.sendmsg([MSG], [(socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT, array.array("i", [2])),
                   (socket.IPPROTO_IPV6, socket.IPV6_TCLASS, array.array("i", [-1]))], 0, u6.getsockname())
out['ip6 set'] = repr(u6.recvmsg(100, 1024)[1])
u6.close(); v6.close()
a, b = socket.socketpair()
for n in (0, 1, 8, 15, 16, 17, 19, 20, 21, 23, 24, 28, 32, 40):
    r1, w1 = os.pipe()
    a.sendmsg([MSG], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [r1, w1]))])
    os.close(r1); os.close(w1)
    r = b.recvmsg(100, n)
    out['rights %d' % n] = repr(([(l, t, len(d)) for l, t, d in r[1]], r[2]))
    for l, t, d in r[1]:
        for fd in array.array('i', d[:len(d) // 4 * 4]):
            os.close(fd)
b.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
me = struct.pack("iII", os.getpid(), os.getuid(), os.getgid())
for n in (0, 8, 16, 27, 28, 32, 1024):
    a.send(MSG)
    r = b.recvmsg(100, n)
    out['creds %d' % n] = repr(([(l, t, len(d), d == me[:len(d)]) for l, t, d in r[1]], r[2]))
a.sendmsg([MSG], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack("iII", 1, 0, 0))])
out['creds pid 1'] = repr(b.recvmsg(100, 1024)[1])
a.close(); b.close()
a, b = socket.socketpair()
out['recvmsg repr'] = (a.send(b'abc'), repr(b.recvmsg(100, 100)))[1]
r1, w1 = os.pipe()
socket.send_fds(a, [b"hello"], [r1, w1])
m, fds, flags, addr = socket.recv_fds(b, 100, 1)
out['recv_fds partial'] = repr((m, len(fds), flags, addr, os.get_inheritable(fds[0])))
os.close(w1)
out['recv_fds dropped write end closed'] = repr(os.read(fds[0], 10))
os.close(fds[0]); os.close(r1)
socket.send_fds(a, [b"q"], [0])
out['recv_fds 0'] = repr(socket.recv_fds(b, 10, 0))
a.send(b"abc")
out['recv_fds peek ignored'] = repr(socket.recv_fds(b, 10, 1, socket.MSG_PEEK))
b.settimeout(0.05)
out['recv_fds dontwait ignored'] = exc(lambda: socket.recv_fds(b, 10, 1, socket.MSG_DONTWAIT))
socket.send_fds(a, [b"o"], [0], socket.MSG_OOB)
m, fds, flags, addr = socket.recv_fds(b, 10, 1)
os.close(fds[0])
out['send_fds flags ignored'] = repr((m, len(fds), flags, addr))
ud = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
out['send_fds address ignored'] = exc(lambda: socket.send_fds(ud, [b"x"], [0], 0, "/nonexistent"))
ud.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.bind(("127.0.0.1", 0))
v.sendmsg([b"Micha", b"el Gilfix"], [], 0, u.getsockname())
r = u.recvmsg(5)
out['udp trunc'] = repr((r[0], r[1], r[2], r[3] == v.getsockname()))
v.sendto(b"0123456789", u.getsockname())
buf = bytearray(4)
r = u.recvmsg_into([buf], 0, socket.MSG_TRUNC)
out['udp into MSG_TRUNC'] = repr((r[0], bytes(buf), r[2]))
v.sendto(b"0123456789", u.getsockname())
r = u.recvmsg(4, 0, socket.MSG_TRUNC)
out['udp recvmsg MSG_TRUNC'] = repr((r[0], r[2]))
u.close(); v.close(); a.close(); b.close()
`)

func TestAncillary_AsPython3(t *testing.T) {
	want := pythonStrings(t, oracleAncillary)
	got := map[string]string{}
	x := []byte("x")

	// IP_TTL and IP_TOS, at every buffer size from 0 to 49, through both methods.
	u, uaddr := udpSocket(t)
	require.NoError(t, u.SetSockOptInt(IPPROTO_IP, syscall.IP_RECVTTL, 1))
	require.NoError(t, u.SetSockOptInt(IPPROTO_IP, IP_RECVTOS, 1))
	v := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
	require.NoError(t, v.SetSockOptInt(IPPROTO_IP, IP_TOS, 0x10))
	for n := 0; n < 50; n++ {
		key := "ip " + strconv.Itoa(n)
		for _, into := range []bool{false, true} {
			_, err := v.SendTo(x, 0, uaddr)
			require.NoError(t, err)
			got[key] = recvmsgRepr(t, u, 100, n, into)
			assert.Equal(t, want[key], got[key], "%s (into %v)", key, into)
		}
	}
	_, err := v.SendMsg([][]byte{x}, []Ancillary{{IPPROTO_IP, IP_TTL, fdBytes(7)}}, 0, uaddr)
	require.NoError(t, err)
	_, items, _, _, err := u.RecvMsg(100, 1024, 0)
	require.NoError(t, err)
	got["ip ttl 7"] = py.Repr(py.ListOf(items))

	// IPv6 packet info, hop limit and traffic class.
	u6 := mustSocket(t, csock.AF_INET6, csock.SOCK_DGRAM, -1)
	require.NoError(t, u6.Bind(py.Tuple{"::1", 0}))
	u6addr, err := u6.GetSockName()
	require.NoError(t, err)
	for _, o := range []int{IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS} {
		require.NoError(t, u6.SetSockOptInt(IPPROTO_IPV6, o, 1))
	}
	v6 := mustSocket(t, csock.AF_INET6, csock.SOCK_DGRAM, -1)
	for _, n := range []int{0, 16, 19, 20, 24, 35, 36, 40, 48, 52, 56, 60, 64, 70, 72, 80, 1024} {
		_, err := v6.SendTo(x, 0, u6addr)
		require.NoError(t, err)
		_, items, flags, _, err := u6.RecvMsg(100, n, 0)
		require.NoError(t, err)
		got["ip6 "+strconv.Itoa(n)] = py.Repr(py.Tuple{py.ListOf(items), flags})
	}
	_, err = v6.SendMsg([]any{x}, []any{
		py.Tuple{IPPROTO_IPV6, IPV6_HOPLIMIT, fdBytes(2)}, py.Tuple{IPPROTO_IPV6, IPV6_TCLASS, fdBytes(-1)},
	}, 0, u6addr)
	require.NoError(t, err)
	_, items, _, _, err = u6.RecvMsg(100, 1024, 0)
	require.NoError(t, err)
	got["ip6 set"] = py.Repr(py.ListOf(items))

	// SCM_RIGHTS: two descriptors, the buffer too small for one, the other, or both.
	a, b := socketPair(t)
	for _, n := range []int{0, 1, 8, 15, 16, 17, 19, 20, 21, 23, 24, 28, 32, 40} {
		r, w, err := os.Pipe()
		require.NoError(t, err)
		_, err = a.SendMsg([]any{x}, []Ancillary{{SOL_SOCKET, SCM_RIGHTS, fdBytes(fileFD(t, r), fileFD(t, w))}}, 0, nil)
		require.NoError(t, err)
		r.Close()
		w.Close()
		_, items, flags, _, err := b.RecvMsg(100, n, 0)
		require.NoError(t, err)
		var shape py.List
		for _, it := range items {
			shape = append(shape, py.Tuple{it.Level, it.Type, len(it.Data)})
		}
		closeSCMRights(items)
		got["rights "+strconv.Itoa(n)] = py.Repr(py.Tuple{shape, flags})
	}

	// SCM_CREDENTIALS with SO_PASSCRED, at several buffer sizes; explicit ones.
	require.NoError(t, b.SetSockOptInt(SOL_SOCKET, SO_PASSCRED, 1))
	me := make([]byte, 12)
	binary.NativeEndian.PutUint32(me, uint32(os.Getpid()))
	binary.NativeEndian.PutUint32(me[4:], uint32(os.Getuid()))
	binary.NativeEndian.PutUint32(me[8:], uint32(os.Getgid()))
	for _, n := range []int{0, 8, 16, 27, 28, 32, 1024} {
		_, err := a.Send(x, 0)
		require.NoError(t, err)
		_, items, flags, _, err := b.RecvMsg(100, n, 0)
		require.NoError(t, err)
		var shape py.List
		for _, it := range items {
			shape = append(shape, py.Tuple{it.Level, it.Type, len(it.Data), string(it.Data) == string(me[:len(it.Data)])})
		}
		got["creds "+strconv.Itoa(n)] = py.Repr(py.Tuple{shape, flags})
	}
	creds := make([]byte, 12)
	binary.NativeEndian.PutUint32(creds, 1)
	_, err = a.SendMsg([]any{x}, []any{py.Tuple{SOL_SOCKET, SCM_CREDENTIALS, creds}}, 0, nil)
	require.NoError(t, err)
	_, items, _, _, err = b.RecvMsg(100, 1024, 0)
	require.NoError(t, err)
	got["creds pid 1"] = py.Repr(py.ListOf(items))

	// recvmsg's tuple, send_fds and recv_fds.
	a, b = socketPair(t)
	_, err = a.Send([]byte("abc"), 0)
	require.NoError(t, err)
	data, items, flags, addr, err := b.RecvMsg(100, 100, 0)
	require.NoError(t, err)
	got["recvmsg repr"] = py.Repr(py.Tuple{data, py.ListOf(items), flags, addr})

	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = SendFDs(a, []any{[]byte("hello")}, []int{fileFD(t, r), fileFD(t, w)}, 0, nil)
	require.NoError(t, err)
	data, fds, flags, addr, err := RecvFDs(b, 100, 1, 0)
	require.NoError(t, err)
	require.Len(t, fds, 1)
	cloexec, err := csock.GetCloexec(fds[0])
	require.NoError(t, err)
	got["recv_fds partial"] = py.Repr(py.Tuple{data, len(fds), flags, addr, !cloexec})
	require.NoError(t, w.Close())
	buf := make([]byte, 10)
	n, err := syscall.Read(fds[0], buf) // the write end's only copy left was the one dropped
	require.NoError(t, err)
	got["recv_fds dropped write end closed"] = py.Repr(buf[:n])
	require.NoError(t, Close(fds[0]))

	_, err = SendFDs(a, []any{[]byte("q")}, []int{0}, 0, nil)
	require.NoError(t, err)
	got["recv_fds 0"] = recvFDsRepr(RecvFDs(b, 10, 0, 0))
	_, err = a.Send([]byte("abc"), 0)
	require.NoError(t, err)
	got["recv_fds peek ignored"] = recvFDsRepr(RecvFDs(b, 10, 1, MSG_PEEK))
	require.NoError(t, b.SetTimeout(0.05))
	_, _, _, _, err = RecvFDs(b, 10, 1, MSG_DONTWAIT)
	got["recv_fds dontwait ignored"] = pyExc(err)
	_, err = SendFDs(a, []any{[]byte("o")}, []int{0}, MSG_OOB, nil)
	require.NoError(t, err)
	data, fds, flags, addr, err = RecvFDs(b, 10, 1, 0)
	require.NoError(t, err)
	require.NoError(t, Close(fds[0]))
	got["send_fds flags ignored"] = py.Repr(py.Tuple{data, len(fds), flags, addr})
	ud := mustSocket(t, csock.AF_UNIX, csock.SOCK_DGRAM, -1)
	_, err = SendFDs(ud, []any{x}, []int{0}, 0, "/nonexistent")
	got["send_fds address ignored"] = pyExc(err)

	// Datagrams cut short, and MSG_TRUNC.
	u, uaddr = udpSocket(t)
	v, vaddr := udpSocket(t)
	_, err = v.SendMsg([]any{[]byte("Micha"), []byte("el Gilfix")}, nil, 0, uaddr)
	require.NoError(t, err)
	data, items, flags, addr, err = u.RecvMsg(5, 0, 0)
	require.NoError(t, err)
	got["udp trunc"] = py.Repr(py.Tuple{data, py.ListOf(items), flags, addr == Address(vaddr)})
	_, err = v.SendTo([]byte("0123456789"), 0, uaddr)
	require.NoError(t, err)
	into := make([]byte, 4)
	n, _, flags, _, err = u.RecvMsgInto([][]byte{into}, 0, MSG_TRUNC)
	require.NoError(t, err)
	got["udp into MSG_TRUNC"] = py.Repr(py.Tuple{n, into, flags})
	_, err = v.SendTo([]byte("0123456789"), 0, uaddr)
	require.NoError(t, err)
	data, _, flags, _, err = u.RecvMsg(4, 0, MSG_TRUNC)
	require.NoError(t, err)
	got["udp recvmsg MSG_TRUNC"] = py.Repr(py.Tuple{data, flags})

	for name, w := range want {
		if assert.Contains(t, got, name) {
			assert.Equal(t, w, got[name], name)
		}
	}
	assert.Len(t, got, len(want))
}

// recvmsgRepr is repr((data, ancdata, msg_flags)) of a recvmsg, or of recvmsg_into into a
// buffer of bufsize bytes (its data then being the bytes received).
func recvmsgRepr(t *testing.T, s *Socket, bufsize, ancbufsize int, into bool) string {
	t.Helper()
	if into {
		buf := make([]byte, bufsize)
		n, items, flags, _, err := s.RecvMsgInto([][]byte{buf}, ancbufsize, 0)
		require.NoError(t, err)
		return py.Repr(py.Tuple{buf[:n], py.ListOf(items), flags})
	}
	data, items, flags, _, err := s.RecvMsg(bufsize, ancbufsize, 0)
	require.NoError(t, err)
	return py.Repr(py.Tuple{data, py.ListOf(items), flags})
}

func recvFDsRepr(data []byte, fds []int, flags int, addr Address, err error) string {
	for _, fd := range fds {
		Close(fd)
	}
	return pyResult(py.Tuple{data, py.ListOf(fds), flags, addr}, err)
}

// fileFD returns f's descriptor without changing its blocking mode (os.File.Fd would).
func fileFD(t *testing.T, f *os.File) int {
	t.Helper()
	rc, err := f.SyscallConn()
	require.NoError(t, err)
	fd := -1
	require.NoError(t, rc.Control(func(u uintptr) { fd = int(u) }))
	return fd
}
