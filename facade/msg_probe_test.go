//go:build linux

package facade

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// sendmsg's ancillary items, checked as CPython checks them: an Ancillary's Level and Type
// are C ints like a tuple's (a level of 2**32+1 must not become SOL_SOCKET), and each item
// is parsed and sized before the next is looked at.
func TestSendMsg_AncillaryItemsCheckedOneByOneAsCPython(t *testing.T) {
	var want map[string]string
	testutil.PythonJSON(t, `
import json, socket
out = {}
a, b = socket.socketpair()
def rec(name, f):
    try:
        out[name] = repr(f())
    except Exception as e:
        out[name] = type(e).__name__ + ": " + str(e)
for lv, ty in ((2**32 + 1, 1), (1, 2**32 + 1), (2**31, 1), (-2**31 - 1, 1), (1, -2**31 - 1)):
    rec("%d %d" % (lv, ty), lambda: a.sendmsg([b"x"], [(lv, ty, b"\0\0\0\0")]))
rec("big then None", lambda: a.sendmsg([b"x"], [(0, 0, bytes(2**31 - 23)), None]))
print(json.dumps(out))
`, nil, &want)
	a, b, err := SocketPair(-1, -1, -1)
	require.NoError(t, err)
	defer a.Close()
	defer b.Close()
	got := map[string]string{}
	rec := func(name string, n int, err error) {
		if err != nil {
			got[name] = pyExc(err)
		} else {
			got[name] = py.Repr(n)
		}
	}
	for _, c := range [][2]int{{1<<32 + 1, 1}, {1, 1<<32 + 1}, {1 << 31, 1}, {-1<<31 - 1, 1}, {1, -1<<31 - 1}} {
		name := py.Repr(c[0]) + " " + py.Repr(c[1])
		n, err := a.SendMsg([][]byte{{'x'}}, []Ancillary{{Level: c[0], Type: c[1], Data: make([]byte, 4)}}, 0, nil)
		rec(name, n, err)
		n, err = a.SendMsg([][]byte{{'x'}}, py.List{Ancillary{Level: c[0], Type: c[1], Data: make([]byte, 4)}}, 0, nil)
		rec(name+" in a list", n, err)
		want[name+" in a list"] = want[name]
	}
	big := make([]byte, 1<<31-23) // never touched: the item is refused for its size
	n, err := a.SendMsg([][]byte{{'x'}}, py.List{py.Tuple{0, 0, big}, nil}, 0, nil)
	rec("big then None", n, err)
	assert.Equal(t, want, got)
}

// recvmsg with MSG_ERRQUEUE in blocking mode answers at once, as the kernel does for a
// blocking socket: BlockingIOError when the error queue is empty (it used to wait on
// the poller for a readiness that never comes).
func TestRecvMsg_ErrQueueInBlockingModeAnswersAtOnceAsCPython(t *testing.T) {
	var want []string
	testutil.PythonJSON(t, `
import json, socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.IPPROTO_IP, 11, 1)  # IP_RECVERR
out = []
try:
    u.recvmsg(100, 1024, socket.MSG_ERRQUEUE)
except Exception as e:
    out.append(type(e).__name__ + ": " + str(e))
try:
    u.recv(100, socket.MSG_ERRQUEUE)
except Exception as e:
    out.append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))
`, nil, &want)
	u, err := New(AF_INET, SOCK_DGRAM, 0)
	require.NoError(t, err)
	defer u.Close()
	require.NoError(t, u.SetSockOpt(IPPROTO_IP, 11, 1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, _, _, err = u.RecvMsgContext(ctx, 100, 1024, MSG_ERRQUEUE)
	require.Error(t, err)
	got := []string{pyExc(err)}
	_, err = u.RecvContext(ctx, 100, MSG_ERRQUEUE)
	require.Error(t, err)
	got = append(got, pyExc(err))
	assert.Equal(t, want, got)
}
