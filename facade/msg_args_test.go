//go:build linux

package facade

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// The arguments of sendmsg, recvmsg, recvmsg_into, CMSG_LEN, CMSG_SPACE, send_fds,
// recv_fds, close, dup and sethostname, each call compared with what python3 returns or
// raises for the same call (the keys pair the Go call with the Python one).

// pyResult is a call's outcome as the oracle prints it: repr of the result, or the last
// line of the traceback.
func pyResult(v any, err error) string {
	if err != nil {
		return pyExc(err)
	}
	return py.Repr(v)
}

// object stands for Python's object(): a Go value of no Python type.
type object struct{}

var oracleMsgArgs = oracleCase("MsgArgs", `
def r(f):
    try:
        v = f()
    except BaseException as e:
        def again():
            raise e
        return exc(again)
    return repr(v)
import array
MSG = b"Michael Gilfix was here\\u1234\r\n"
a, b = socket.socketpair()
def k(name, f):
    out[name] = r(f)
k('sendmsg bytes', lambda: a.sendmsg(b"not in an iterable"))
k('sendmsg str', lambda: a.sendmsg("abc"))
k('sendmsg empty str', lambda: a.sendmsg(""))
k('sendmsg object', lambda: a.sendmsg(object()))
k('sendmsg None', lambda: a.sendmsg(None))
k('sendmsg int', lambda: a.sendmsg(5))
k('sendmsg [object]', lambda: a.sendmsg([object()]))
k('sendmsg [str]', lambda: a.sendmsg(["x"]))
k('sendmsg [None]', lambda: a.sendmsg([None]))
k('sendmsg [MSG, object]', lambda: a.sendmsg([MSG, object()]))
k('sendmsg (MSG,)', lambda: a.sendmsg((MSG,)))
k('sendmsg [MSG], object', lambda: a.sendmsg([MSG], object()))
k('sendmsg [MSG], 5', lambda: a.sendmsg([MSG], 5))
k('sendmsg [MSG], [], 2**31', lambda: a.sendmsg([MSG], [], 2**31))
k('sendmsg [MSG], [], -2**31-1', lambda: a.sendmsg([MSG], [], -2**31-1))
k('sendmsg [MSG], [], 0, object', lambda: a.sendmsg([MSG], [], 0, object()))
k('sendmsg [MSG], [], 0, 5', lambda: a.sendmsg([MSG], [], 0, 5))
k('sendmsg [MSG], [], 0, None', lambda: a.sendmsg([MSG], [], 0, None))
k('anc [object]', lambda: a.sendmsg([MSG], [object()]))
k('anc [(object, 0, data)]', lambda: a.sendmsg([MSG], [(object(), 0, b"data")]))
k('anc [(0, object, data)]', lambda: a.sendmsg([MSG], [(0, object(), b"data")]))
k('anc [(0, 0, object)]', lambda: a.sendmsg([MSG], [(0, 0, object())]))
k('anc [(0, 0)]', lambda: a.sendmsg([MSG], [(0, 0)]))
k('anc [(0, 0, data, 42)]', lambda: a.sendmsg([MSG], [(0, 0, b"data", 42)]))
k('anc [0, 0, b""]', lambda: a.sendmsg([MSG], [0, 0, b""]))
k('anc [(0, 0, b""), object]', lambda: a.sendmsg([MSG], [(0, 0, b""), object()]))
k('anc [(1, 2)]', lambda: a.sendmsg([MSG], [(1, 2)]))
k('anc [(2**31, 0, b"")]', lambda: a.sendmsg([MSG], [(2**31, 0, b"")]))
k('anc [(0, 2**31, b"")]', lambda: a.sendmsg([MSG], [(0, 2**31, b"")]))
k('anc [(0, 0, "s")]', lambda: a.sendmsg([MSG], [(0, 0, "s")]))
k('anc [(0, 0, None)]', lambda: a.sendmsg([MSG], [(0, 0, None)]))
k('anc [[1, 2, b"x"]]', lambda: a.sendmsg([MSG], [[1, 2, b"x"]]))
k('anc [(1.0, 2, b"x")]', lambda: a.sendmsg([MSG], [(1.0, 2, b"x")]))
k('anc "ab"', lambda: a.sendmsg([MSG], "ab"))
k('anc b"ab"', lambda: a.sendmsg([MSG], b"ab"))
k('anc [()]', lambda: a.sendmsg([MSG], [()]))
k('anc [b"abc"]', lambda: a.sendmsg([MSG], [b"abc"]))
k('anc [None]', lambda: a.sendmsg([MSG], [None]))
k('anc ["abc"]', lambda: a.sendmsg([MSG], ["abc"]))
k('anc [dict]', lambda: a.sendmsg([MSG], [{1: 2, 3: 4, 5: 6}]))
k('anc [(True, 2, b"")]', lambda: a.sendmsg([MSG], [(True, 2, b"")]))
k('anc unknown level', lambda: a.sendmsg([MSG], [(0, 0, b"")]))
k('anc scm_rights badfd', lambda: a.sendmsg([MSG], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [9999]))]))
k('order flags first', lambda: a.sendmsg(object(), [], 2**31))
k('order bufs then anc', lambda: a.sendmsg(object(), object()))
k('order [object] then [object]', lambda: a.sendmsg([object()], [object()]))
b.setblocking(False)
while True:
    try: b.recv(4096)
    except BlockingIOError: break
b.setblocking(True)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
k('udp no addr', lambda: u.sendmsg([MSG]))
k('udp None addr', lambda: u.sendmsg([MSG], [], 0, None))
k('udp list addr', lambda: u.sendmsg([MSG], [], 0, ["127.0.0.1", 1]))
k('udp port overflow', lambda: u.sendmsg([MSG], [], 0, ("127.0.0.1", 70000)))
k('udp tuple1', lambda: u.sendmsg([MSG], [], 0, ("127.0.0.1",)))
k('udp str addr', lambda: u.sendmsg([MSG], [], 0, "127.0.0.1"))
k('udp order addr before bufs', lambda: u.sendmsg(object(), [], 0, "127.0.0.1"))
k('udp order flags before addr', lambda: u.sendmsg([MSG], [], 2**31, "127.0.0.1"))
u.close()
c = socket.socket(); c.close()
k('sendmsg closed', lambda: c.sendmsg([MSG]))
k('sendmsg tcp unconnected', lambda: socket.socket().sendmsg([MSG]))
k('sendmsg tcp unconnected empty', lambda: socket.socket().sendmsg([]))
k('recvmsg -1', lambda: b.recvmsg(-1, 0, 0))
k('recvmsg anc -1', lambda: b.recvmsg(10, -1, 0))
k('recvmsg anc 2**31', lambda: b.recvmsg(10, 2**31, 0))
k('recvmsg flags 2**31', lambda: b.recvmsg(10, 0, 2**31))
k('recvmsg -1 anc -1', lambda: b.recvmsg(-1, -1, 0))
k('recvmsg flags 2**31 bufsize -1', lambda: b.recvmsg(-1, 0, 2**31))
k('recvmsg closed', lambda: c.recvmsg(10))
k('recvmsg closed -1', lambda: c.recvmsg(-1))
k('recvmsg closed anc -1', lambda: c.recvmsg(10, -1))
k('recvmsg_into closed', lambda: c.recvmsg_into([bytearray(1)]))
k('recvmsg dontwait', lambda: b.recvmsg(10, 0, socket.MSG_DONTWAIT))
k('recvmsg 0 dontwait', lambda: b.recvmsg(0, 0, socket.MSG_DONTWAIT))
k('into int', lambda: b.recvmsg_into(31, 0, 0))
k('into None', lambda: b.recvmsg_into(None))
k('into bytearray', lambda: b.recvmsg_into(bytearray(31), 0, 0))
k('into empty bytearray dontwait', lambda: b.recvmsg_into(bytearray(), 0, socket.MSG_DONTWAIT))
k('into [object]', lambda: b.recvmsg_into([object()], 0, 0))
k('into [str]', lambda: b.recvmsg_into(["abc"], 0, 0))
k('into [None]', lambda: b.recvmsg_into([None], 0, 0))
k('into [buf, object]', lambda: b.recvmsg_into([bytearray(3), object()], 0, 0))
k('into [buf] -1', lambda: b.recvmsg_into([bytearray(3)], -1, 0))
k('into str', lambda: b.recvmsg_into("abc"))
k('into [str] -1', lambda: b.recvmsg_into(["x"], -1))
k('into object -1', lambda: b.recvmsg_into(object(), -1))
k('into [] dontwait', lambda: b.recvmsg_into([], 0, socket.MSG_DONTWAIT))
for v in (0, 1, 4, 16, 255, -1, 2147483631, 2147483632, 2147483623, 2147483624, 2**62, -2**63):
    k('CMSG_LEN %d' % v, lambda: socket.CMSG_LEN(v))
    k('CMSG_SPACE %d' % v, lambda: socket.CMSG_SPACE(v))
k('close -1', lambda: socket.close(-1))
k('close 2**32+999', lambda: socket.close(2**32 + 999))
k('close 2**31+999', lambda: socket.close(2**31 + 999))
k('dup -1', lambda: socket.dup(-1))
k('dup 2**32+999', lambda: socket.dup(2**32 + 999))
k('sethostname 1', lambda: socket.sethostname(1))
k('sethostname None', lambda: socket.sethostname(None))
k('sethostname list', lambda: socket.sethostname([]))
k('sethostname NUL', lambda: socket.sethostname("a\0b"))
k('sethostname 65 bytes', lambda: socket.sethostname(b"x" * 65))
k('sethostname 65 str', lambda: socket.sethostname("x" * 65))
k('sethostname 80 utf-8', lambda: socket.sethostname("\xe9" * 40))
k('send_fds 2**31', lambda: socket.send_fds(a, [b"x"], [2**31]))
k('send_fds -2**31-1', lambda: socket.send_fds(a, [b"x"], [-2**31 - 1]))
k('send_fds badfd', lambda: socket.send_fds(a, [b"x"], [9999]))
k('send_fds -1', lambda: socket.send_fds(a, [b"x"], [-1]))
k('send_fds object buffers', lambda: socket.send_fds(a, object(), [0]))
k('recv_fds maxfds -1', lambda: socket.recv_fds(b, 10, -1))
k('recv_fds maxfds 2**29', lambda: socket.recv_fds(b, 10, 2**29))
k('recv_fds maxfds 536870907', lambda: socket.CMSG_LEN(536870907 * 4))
k('recv_fds bufsize -1', lambda: socket.recv_fds(b, -1, 1))
k('recv_fds maxfds 2**62', lambda: socket.recv_fds(b, 10, 2**62))
k('recv_fds maxfds -2**62', lambda: socket.recv_fds(b, 10, -2**62))
a.close(); b.close()
`)

func TestMsgArgs_AsPython3(t *testing.T) {
	want := pythonStrings(t, oracleMsgArgs)
	msg1 := append([]byte(nil), msg...)
	a, b := socketPair(t)
	c := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, c.Close())
	one := func(n int, err error) string { return pyResult(n, err) }
	recvmsg := func(data []byte, items []Ancillary, flags int, addr Address, err error) string {
		return pyResult(py.Tuple{data, py.ListOf(items), flags, addr}, err)
	}
	into := func(n int, items []Ancillary, flags int, addr Address, err error) string {
		return pyResult(py.Tuple{n, py.ListOf(items), flags, addr}, err)
	}
	got := map[string]string{}
	k := func(name, v string) { got[name] = v }
	send := func(bufs, anc any, flags MsgFlag, addr any) string {
		return one(a.SendMsg(bufs, anc, flags, addr))
	}
	M := []any{msg1}
	k("sendmsg bytes", send([]byte("not in an iterable"), nil, 0, nil))
	k("sendmsg str", send("abc", nil, 0, nil))
	k("sendmsg empty str", send("", nil, 0, nil))
	k("sendmsg object", send(object{}, nil, 0, nil))
	k("sendmsg None", send(nil, nil, 0, nil))
	k("sendmsg int", send(5, nil, 0, nil))
	k("sendmsg [object]", send([]any{object{}}, nil, 0, nil))
	k("sendmsg [str]", send([]any{"x"}, nil, 0, nil))
	k("sendmsg [None]", send([]any{nil}, nil, 0, nil))
	k("sendmsg [MSG, object]", send([]any{msg1, object{}}, nil, 0, nil))
	k("sendmsg (MSG,)", send(py.Tuple{msg1}, nil, 0, nil))
	k("sendmsg [MSG], object", send(M, object{}, 0, nil))
	k("sendmsg [MSG], 5", send(M, 5, 0, nil))
	k("sendmsg [MSG], [], 2**31", send(M, []any{}, 1<<31, nil))
	k("sendmsg [MSG], [], -2**31-1", send(M, []any{}, -1<<31-1, nil))
	k("sendmsg [MSG], [], 0, object", send(M, []any{}, 0, object{}))
	k("sendmsg [MSG], [], 0, 5", send(M, []any{}, 0, 5))
	k("sendmsg [MSG], [], 0, None", send(M, []any{}, 0, nil))
	k("anc [object]", send(M, []any{object{}}, 0, nil))
	k("anc [(object, 0, data)]", send(M, []any{py.Tuple{object{}, 0, []byte("data")}}, 0, nil))
	k("anc [(0, object, data)]", send(M, []any{py.Tuple{0, object{}, []byte("data")}}, 0, nil))
	k("anc [(0, 0, object)]", send(M, []any{py.Tuple{0, 0, object{}}}, 0, nil))
	k("anc [(0, 0)]", send(M, []any{py.Tuple{0, 0}}, 0, nil))
	k("anc [(0, 0, data, 42)]", send(M, []any{py.Tuple{0, 0, []byte("data"), 42}}, 0, nil))
	k(`anc [0, 0, b""]`, send(M, []any{0, 0, []byte{}}, 0, nil))
	k(`anc [(0, 0, b""), object]`, send(M, []any{py.Tuple{0, 0, []byte{}}, object{}}, 0, nil))
	k("anc [(1, 2)]", send(M, []any{py.Tuple{1, 2}}, 0, nil))
	k(`anc [(2**31, 0, b"")]`, send(M, []any{py.Tuple{1 << 31, 0, []byte{}}}, 0, nil))
	k(`anc [(0, 2**31, b"")]`, send(M, []any{py.Tuple{0, 1 << 31, []byte{}}}, 0, nil))
	k(`anc [(0, 0, "s")]`, send(M, []any{py.Tuple{0, 0, "s"}}, 0, nil))
	k(`anc [(0, 0, None)]`, send(M, []any{py.Tuple{0, 0, nil}}, 0, nil))
	k(`anc [[1, 2, b"x"]]`, send(M, []any{py.List{1, 2, []byte("x")}}, 0, nil))
	k(`anc [(1.0, 2, b"x")]`, send(M, []any{py.Tuple{1.0, 2, []byte("x")}}, 0, nil))
	k(`anc "ab"`, send(M, "ab", 0, nil))
	k(`anc b"ab"`, send(M, []byte("ab"), 0, nil))
	k(`anc [()]`, send(M, []any{py.Tuple{}}, 0, nil))
	k(`anc [b"abc"]`, send(M, []any{[]byte("abc")}, 0, nil))
	k(`anc [None]`, send(M, []any{nil}, 0, nil))
	k(`anc ["abc"]`, send(M, []any{"abc"}, 0, nil))
	k(`anc [dict]`, send(M, []any{map[int]int{1: 2, 3: 4, 5: 6}}, 0, nil))
	k(`anc [(True, 2, b"")]`, send(M, []any{py.Tuple{true, 2, []byte{}}}, 0, nil))
	k("anc unknown level", send(M, []Ancillary{{0, 0, nil}}, 0, nil))
	k("anc scm_rights badfd", send(M, []Ancillary{{SOL_SOCKET, SCM_RIGHTS, fdBytes(9999)}}, 0, nil))
	k("order flags first", one(a.SendMsg(object{}, []any{}, MsgFlag(math.MaxInt32+1), nil)))
	k("order bufs then anc", send(object{}, object{}, 0, nil))
	k("order [object] then [object]", send([]any{object{}}, []any{object{}}, 0, nil))
	drain(t, b)

	u := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
	usend := func(bufs, anc any, flags MsgFlag, addr any) string { return one(u.SendMsg(bufs, anc, flags, addr)) }
	k("udp no addr", usend(M, nil, 0, nil))
	k("udp None addr", usend(M, []any{}, 0, nil))
	k("udp list addr", usend(M, []any{}, 0, []any{"127.0.0.1", 1}))
	k("udp port overflow", usend(M, []any{}, 0, py.Tuple{"127.0.0.1", 70000}))
	k("udp tuple1", usend(M, []any{}, 0, py.Tuple{"127.0.0.1"}))
	k("udp str addr", usend(M, []any{}, 0, "127.0.0.1"))
	k("udp order addr before bufs", usend(object{}, []any{}, 0, "127.0.0.1"))
	k("udp order flags before addr", usend(M, []any{}, 1<<31, "127.0.0.1"))

	k("sendmsg closed", one(c.SendMsg(M, nil, 0, nil)))
	k("sendmsg tcp unconnected", one(mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1).SendMsg(M, nil, 0, nil)))
	k("sendmsg tcp unconnected empty", one(mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1).SendMsg([]any{}, nil, 0, nil)))
	k("recvmsg -1", recvmsg(b.RecvMsg(-1, 0, 0)))
	k("recvmsg anc -1", recvmsg(b.RecvMsg(10, -1, 0)))
	k("recvmsg anc 2**31", recvmsg(b.RecvMsg(10, 1<<31, 0)))
	k("recvmsg flags 2**31", recvmsg(b.RecvMsg(10, 0, 1<<31)))
	k("recvmsg -1 anc -1", recvmsg(b.RecvMsg(-1, -1, 0)))
	k("recvmsg flags 2**31 bufsize -1", recvmsg(b.RecvMsg(-1, 0, 1<<31)))
	k("recvmsg closed", recvmsg(c.RecvMsg(10, 0, 0)))
	k("recvmsg closed -1", recvmsg(c.RecvMsg(-1, 0, 0)))
	k("recvmsg closed anc -1", recvmsg(c.RecvMsg(10, -1, 0)))
	k("recvmsg_into closed", into(c.RecvMsgInto([]any{make([]byte, 1)}, 0, 0)))
	k("recvmsg dontwait", recvmsg(b.RecvMsg(10, 0, MSG_DONTWAIT)))
	k("recvmsg 0 dontwait", recvmsg(b.RecvMsg(0, 0, MSG_DONTWAIT)))
	k("into int", into(b.RecvMsgInto(31, 0, 0)))
	k("into None", into(b.RecvMsgInto(nil, 0, 0)))
	k("into bytearray", into(b.RecvMsgInto(make([]byte, 31), 0, 0)))
	k("into empty bytearray dontwait", into(b.RecvMsgInto([]byte{}, 0, MSG_DONTWAIT)))
	k("into [object]", into(b.RecvMsgInto([]any{object{}}, 0, 0)))
	k("into [str]", into(b.RecvMsgInto([]any{"abc"}, 0, 0)))
	k("into [None]", into(b.RecvMsgInto([]any{nil}, 0, 0)))
	k("into [buf, object]", into(b.RecvMsgInto([]any{make([]byte, 3), object{}}, 0, 0)))
	k("into [buf] -1", into(b.RecvMsgInto([]any{make([]byte, 3)}, -1, 0)))
	k("into str", into(b.RecvMsgInto("abc", 0, 0)))
	k("into [str] -1", into(b.RecvMsgInto([]any{"x"}, -1, 0)))
	k("into object -1", into(b.RecvMsgInto(object{}, -1, 0)))
	k("into [] dontwait", into(b.RecvMsgInto([]any{}, 0, MSG_DONTWAIT)))
	for _, v := range []int{0, 1, 4, 16, 255, -1, 2147483631, 2147483632, 2147483623, 2147483624, 1 << 62, math.MinInt64} {
		k("CMSG_LEN "+itoa(v), one(CMSGLen(v)))
		k("CMSG_SPACE "+itoa(v), one(CMSGSpace(v)))
	}
	k("close -1", pyResult(nil, Close(-1)))
	k("close 2**32+999", pyResult(nil, Close(1<<32+999)))
	k("close 2**31+999", pyResult(nil, Close(1<<31+999)))
	k("dup -1", one(Dup(-1)))
	k("dup 2**32+999", one(Dup(1<<32+999)))
	k("sethostname 1", pyResult(nil, SetHostName(1)))
	k("sethostname None", pyResult(nil, SetHostName(nil)))
	k("sethostname list", pyResult(nil, SetHostName([]any{})))
	k("sethostname NUL", pyResult(nil, SetHostName("a\x00b")))
	k("sethostname 65 bytes", pyResult(nil, SetHostName(bytes.Repeat([]byte("x"), 65))))
	k("sethostname 65 str", pyResult(nil, SetHostName(string(bytes.Repeat([]byte("x"), 65)))))
	k("sethostname 80 utf-8", pyResult(nil, SetHostName(string(bytes.Repeat([]byte("é"), 40)))))
	k("send_fds 2**31", one(SendFDs(a, []any{[]byte("x")}, []int{1 << 31}, 0, nil)))
	k("send_fds -2**31-1", one(SendFDs(a, []any{[]byte("x")}, []int{-1<<31 - 1}, 0, nil)))
	k("send_fds badfd", one(SendFDs(a, []any{[]byte("x")}, []int{9999}, 0, nil)))
	k("send_fds -1", one(SendFDs(a, []any{[]byte("x")}, []int{-1}, 0, nil)))
	k("send_fds object buffers", one(SendFDs(a, object{}, []int{0}, 0, nil)))
	recvfds := func(data []byte, fds []int, flags int, addr Address, err error) string {
		return pyResult(py.Tuple{data, py.ListOf(fds), flags, addr}, err)
	}
	k("recv_fds maxfds -1", recvfds(RecvFDs(b, 10, -1, 0)))
	k("recv_fds maxfds 2**29", recvfds(RecvFDs(b, 10, 1<<29, 0)))
	k("recv_fds maxfds 536870907", one(CMSGLen(536870907*4)))
	k("recv_fds bufsize -1", recvfds(RecvFDs(b, -1, 1, 0)))
	k("recv_fds maxfds 2**62", recvfds(RecvFDs(b, 10, 1<<62, 0)))
	k("recv_fds maxfds -2**62", recvfds(RecvFDs(b, 10, -1<<62, 0)))

	for name, w := range want {
		if assert.Contains(t, got, name, "no Go call for the python3 case") {
			assert.Equal(t, w, got[name], name)
		}
	}
	assert.Len(t, got, len(want), "every Go call has its python3 case")
}

// fdBytes is array.array("i", fds).tobytes().
func fdBytes(fds ...int) []byte {
	b := make([]byte, 4*len(fds))
	for i, fd := range fds {
		binary.NativeEndian.PutUint32(b[4*i:], uint32(int32(fd)))
	}
	return b
}

// drain receives whatever is waiting on s, without waiting.
func drain(t testing.TB, s *Socket) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if _, err := s.Recv(65536, MSG_DONTWAIT); err != nil {
			return
		}
	}
	t.Fatal("drain: data kept coming")
}
