//go:build linux

package facade

// CPython behaviours found by probing the facade from outside: timeout mode polling
// first, argument conversions, sizes and descriptor numbers, each compared with python3.

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/py"
)

// oracleTimeoutPollsFirst: in timeout mode CPython's sock_call polls before each attempt,
// so a call the kernel would answer at once, but on a descriptor poll(2) does not call
// ready, times out instead: recv and send on a listening socket, accept on a datagram
// socket, recv(0) without data, a recv of urgent data. Errors a socket reports once
// (a datagram's ECONNREFUSED) are ready by POLLERR and stand; blocking and non-blocking
// modes never poll.
var oracleTimeoutPollsFirst = oracleCase("TimeoutPollsFirst", `
import time
def res(f):
    try:
        return repr(f())
    except BaseException as e:
        def again():
            raise e
        return exc(again)
T = 0.05
ln = socket.socket(); ln.bind(('127.0.0.1', 0)); ln.listen()
ln.settimeout(T)
out['listen recv'] = res(lambda: ln.recv(1))
out['listen recv_into'] = res(lambda: ln.recv_into(bytearray(1)))
out['listen recvfrom'] = res(lambda: ln.recvfrom(1))
out['listen recvmsg'] = res(lambda: ln.recvmsg(1))
out['listen send'] = res(lambda: ln.send(b'x'))
out['listen sendall'] = res(lambda: ln.sendall(b'x'))
out['listen sendmsg'] = res(lambda: ln.sendmsg([b'x']))
ln.settimeout(None)
out['listen recv blocking'] = res(lambda: ln.recv(1))
ln.settimeout(0)
out['listen recv nonblocking'] = res(lambda: ln.recv(1))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))
u.settimeout(T)
out['udp accept'] = res(lambda: u.accept())
a, b = socket.socketpair()
a.settimeout(T)
out['recv 0 no data'] = res(lambda: a.recv(0))
out['recv_into 0 no data'] = res(lambda: a.recv_into(bytearray(0)))
b.send(b'z')
out['recv 0 data'] = res(lambda: a.recv(0))
out['recv 1 data'] = res(lambda: a.recv(1))
c = socket.create_connection(ln.getsockname()); d, _ = (ln.settimeout(None), ln.accept())[1]
c.send(b'!', socket.MSG_OOB)
time.sleep(0.05)
d.settimeout(T)
out['oob 1'] = res(lambda: d.recv(1, socket.MSG_OOB))
out['oob 2'] = res(lambda: d.recv(1, socket.MSG_OOB))
d.settimeout(None)
out['oob blocking'] = res(lambda: d.recv(1, socket.MSG_OOB))
p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); p.bind(('127.0.0.1', 0)); closed = p.getsockname(); p.close()
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.settimeout(0.5); r.connect(closed)
r.send(b'x'); time.sleep(0.05)
out['udp refused'] = res(lambda: r.recv(1))
f, g = socket.socketpair()
f.setblocking(False)
try:
    while True:
        f.send(b'x' * 65536)
except BlockingIOError:
    pass
f.settimeout(T)
out['send empty full'] = res(lambda: f.send(b''))
out['sendall empty full'] = res(lambda: f.sendall(b''))
out['sendmsg empty full'] = res(lambda: f.sendmsg([]))
out['sendmsg emptybuf full'] = res(lambda: f.sendmsg([b'']))
h, i = socket.socketpair()
h.settimeout(T)
out['send empty room'] = res(lambda: h.send(b''))
out['recvfrom 0'] = res(lambda: h.recvfrom(0))
out['recvfrom_into 0'] = res(lambda: h.recvfrom_into(bytearray(0)))
out['recvmsg 0'] = res(lambda: h.recvmsg(0))
out['recvmsg_into empty'] = res(lambda: h.recvmsg_into([bytearray(0)]))
u.settimeout(T)
out['udp recv 0'] = res(lambda: u.recv(0))
out['udp recvfrom 0'] = res(lambda: u.recvfrom(0))
for s in (ln, u, a, b, c, d, r, f, g, h, i): s.close()
`)

func TestTimeoutMode_PollsBeforeEachAttemptLikeCPython(t *testing.T) {
	want := pythonStrings(t, oracleTimeoutPollsFirst)
	got := map[string]string{}
	res := func(v any, err error) string {
		if err != nil {
			return pyExc(err)
		}
		return py.Repr(v)
	}
	const T = 0.05
	ln, err := New(AF_INET, SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, ln)
	require.NoError(t, ln.Bind(py.Tuple{loopback, 0}))
	require.NoError(t, ln.Listen())
	require.NoError(t, ln.SetTimeout(T))
	got["listen recv"] = res(ln.Recv(1, 0))
	_, err = ln.RecvInto(make([]byte, 1), 0, 0)
	got["listen recv_into"] = res(nil, err)
	_, _, err = ln.RecvFrom(1, 0)
	got["listen recvfrom"] = res(nil, err)
	_, _, _, _, err = ln.RecvMsg(1, 0, 0)
	got["listen recvmsg"] = res(nil, err)
	_, err = ln.Send([]byte("x"), 0)
	got["listen send"] = res(nil, err)
	got["listen sendall"] = res(nil, ln.SendAll([]byte("x"), 0))
	_, err = ln.SendMsg(py.List{[]byte("x")}, nil, 0, nil)
	got["listen sendmsg"] = res(nil, err)
	require.NoError(t, ln.SetTimeout(nil))
	got["listen recv blocking"] = res(ln.Recv(1, 0))
	require.NoError(t, ln.SetTimeout(0.0))
	got["listen recv nonblocking"] = res(ln.Recv(1, 0))

	u, err := New(AF_INET, SOCK_DGRAM, 0)
	require.NoError(t, err)
	closeLater(t, u)
	require.NoError(t, u.Bind(py.Tuple{loopback, 0}))
	require.NoError(t, u.SetTimeout(T))
	_, _, err = u.Accept()
	got["udp accept"] = res(nil, err)

	a, b := socketPair(t)
	require.NoError(t, a.SetTimeout(T))
	got["recv 0 no data"] = res(a.Recv(0, 0))
	got["recv_into 0 no data"] = res(a.RecvInto([]byte{}, 0, 0))
	_, err = b.Send([]byte("z"), 0)
	require.NoError(t, err)
	got["recv 0 data"] = res(a.Recv(0, 0))
	got["recv 1 data"] = res(a.Recv(1, 0))

	require.NoError(t, ln.SetTimeout(nil))
	addr, err := ln.GetSockName()
	require.NoError(t, err)
	c, err := CreateConnection(addr, UseDefaultTimeout, nil, false)
	require.NoError(t, err)
	closeLater(t, c)
	d, _, err := ln.Accept()
	require.NoError(t, err)
	closeLater(t, d)
	_, err = c.Send([]byte("!"), MSG_OOB)
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, d.SetTimeout(T))
	got["oob 1"] = res(d.Recv(1, MSG_OOB))
	got["oob 2"] = res(d.Recv(1, MSG_OOB))
	require.NoError(t, d.SetTimeout(nil))
	got["oob blocking"] = res(d.Recv(1, MSG_OOB))

	p, err := New(AF_INET, SOCK_DGRAM, 0)
	require.NoError(t, err)
	require.NoError(t, p.Bind(py.Tuple{loopback, 0}))
	closed, err := p.GetSockName()
	require.NoError(t, err)
	require.NoError(t, p.Close())
	r, err := New(AF_INET, SOCK_DGRAM, 0)
	require.NoError(t, err)
	closeLater(t, r)
	require.NoError(t, r.SetTimeout(0.5))
	require.NoError(t, r.Connect(closed))
	_, err = r.Send([]byte("x"), 0)
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	got["udp refused"] = res(r.Recv(1, 0))

	f, _ := socketPair(t)
	require.NoError(t, f.SetBlocking(false))
	for i := 0; i < 10000; i++ {
		if _, err := f.Send(make([]byte, 65536), 0); err != nil {
			require.Equal(t, "BlockingIOError: [Errno 11] Resource temporarily unavailable", pyExc(err))
			break
		}
	}
	require.NoError(t, f.SetTimeout(T))
	got["send empty full"] = res(f.Send([]byte{}, 0))
	got["sendall empty full"] = res(nil, f.SendAll([]byte{}, 0))
	got["sendmsg empty full"] = res(f.SendMsg(py.List{}, nil, 0, nil))
	got["sendmsg emptybuf full"] = res(f.SendMsg(py.List{[]byte{}}, nil, 0, nil))
	h, _ := socketPair(t)
	require.NoError(t, h.SetTimeout(T))
	got["send empty room"] = res(h.Send([]byte{}, 0))
	_, _, err = h.RecvFrom(0, 0)
	got["recvfrom 0"] = res(nil, err)
	_, _, err = h.RecvFromInto([]byte{}, 0, 0)
	got["recvfrom_into 0"] = res(nil, err)
	_, _, _, _, err = h.RecvMsg(0, 0, 0)
	got["recvmsg 0"] = res(nil, err)
	_, _, _, _, err = h.RecvMsgInto(py.List{[]byte{}}, 0, 0)
	got["recvmsg_into empty"] = res(nil, err)
	require.NoError(t, u.SetTimeout(T))
	got["udp recv 0"] = res(u.Recv(0, 0))
	_, _, err = u.RecvFrom(0, 0)
	got["udp recvfrom 0"] = res(nil, err)

	assert.Equal(t, want, got)
}

// oracleHugeBufsize: CPython makes the bytes object before receiving, so a bufsize past
// the largest bytes object is an OverflowError, before any other check.
var oracleHugeBufsize = oracleCase("HugeBufsize", `
a, b = socket.socketpair()
for n in (2**63 - 1, 2**63 - 33):
    out['recv %d' % n] = exc(lambda: a.recv(n))
    out['recvfrom %d' % n] = exc(lambda: a.recvfrom(n))
    out['recvmsg %d' % n] = exc(lambda: a.recvmsg(n, -1))
a.close(); b.close()
`)

func TestRecv_BufsizePastTheLargestBytesObjectLikeCPython(t *testing.T) {
	want := pythonStrings(t, oracleHugeBufsize)
	got := map[string]string{}
	a, _ := socketPair(t)
	for _, n := range []int{math.MaxInt64, math.MaxInt64 - 32} {
		_, err := a.Recv(n, 0)
		got[fmt.Sprintf("recv %d", n)] = pyExc(err)
		_, _, err = a.RecvFrom(n, 0)
		got[fmt.Sprintf("recvfrom %d", n)] = pyExc(err)
		_, _, _, _, err = a.RecvMsg(n, -1, 0)
		got[fmt.Sprintf("recvmsg %d", n)] = pyExc(err)
	}
	assert.Equal(t, want, got)
}

// -1 stands for a Python default Go cannot leave out (docs/differences.md): CPython's
// socketpair(-1, -1, -1) passes them to socketpair(2), which fails with EINVAL.
func TestSocketPair_MinusOneIsPythonsDefault(t *testing.T) {
	a, b := socketPair(t)
	for _, s := range []*Socket{a, b} {
		assert.Equal(t, AF_UNIX, s.Family())
		assert.Equal(t, SOCK_STREAM, s.Type())
		assert.Equal(t, 0, s.Proto())
	}
}

// A new socket gets the lowest descriptor number free, as in CPython; the numbers in a
// repr (fd=N) differ from CPython's only by the descriptors a Go process already holds
// (the runtime keeps its cgroup CPU files and its poller open: docs/differences.md).
func TestNewSocket_TakesTheLowestFreeDescriptor(t *testing.T) {
	open := map[int]bool{}
	dir, err := os.Open("/proc/self/fd")
	require.NoError(t, err)
	names, err := dir.Readdirnames(-1)
	require.NoError(t, err)
	for _, name := range names {
		n, err := strconv.Atoi(name)
		require.NoError(t, err)
		open[n] = true
	}
	delete(open, int(dir.Fd())) // the listing's own, closed below
	require.NoError(t, dir.Close())
	lowest := 0
	for open[lowest] {
		lowest++
	}
	s, err := New(AF_INET, SOCK_STREAM, 0)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, lowest, s.Fileno())
}

// oracleCIntArguments: arguments CPython reads as a C int first, and extra arguments.
var oracleCIntArguments = oracleCase("CIntArguments", `
for v in (2**31, -2**31 - 1, 2**31 - 1, -2**31):
    out['htons %d' % v] = exc(lambda: socket.htons(v))
    out['ntohs %d' % v] = exc(lambda: socket.ntohs(v))
out['getservbyname 3'] = exc(lambda: socket.getservbyname('http', 'tcp', 'udp'))
out['getservbyport 3'] = exc(lambda: socket.getservbyport(80, 'tcp', 'udp'))
s = socket.socket()
for a in ((2**31, 1), (1, 2**31), (-2**31 - 1, 1)):
    out['setsockopt none %d %d' % a] = exc(lambda: s.setsockopt(a[0], a[1], None, 4))
s.close()
`)

func TestCIntArgumentsAndExtraArgumentsLikeCPython(t *testing.T) {
	want := pythonStrings(t, oracleCIntArguments)
	got := map[string]string{}
	for _, v := range []int{1 << 31, -(1 << 31) - 1, 1<<31 - 1, -(1 << 31)} {
		_, err := Htons(v)
		got[fmt.Sprintf("htons %d", v)] = pyExc(err)
		_, err = Ntohs(v)
		got[fmt.Sprintf("ntohs %d", v)] = pyExc(err)
	}
	_, err := GetServByName("http", "tcp", "udp")
	got["getservbyname 3"] = pyExc(err)
	_, err = GetServByPort(80, "tcp", "udp")
	got["getservbyport 3"] = pyExc(err)
	s, err := New(AF_INET, SOCK_STREAM, 0)
	require.NoError(t, err)
	defer s.Close()
	for _, a := range [][2]int{{1 << 31, 1}, {1, 1 << 31}, {-(1 << 31) - 1, 1}} {
		got[fmt.Sprintf("setsockopt none %d %d", a[0], a[1])] = pyExc(s.SetSockOptNull(a[0], a[1], 4))
	}
	assert.Equal(t, want, got)
}
