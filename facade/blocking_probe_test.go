//go:build linux

package facade

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// accept() in blocking mode on a socket that is not listening fails at once, as
// CPython's blocking accept4 does, instead of waiting on the poller for a connection that
// cannot come.
func TestAccept_BlockingModeNotListeningFailsAtOnceAsCPython(t *testing.T) {
	var want []string
	testutil.PythonJSON(t, `
import json, socket
out = []
def rec(f):
    try:
        f()
        out.append("ok")
    except Exception as e:
        out.append(type(e).__name__ + ": " + str(e))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rec(u.accept)
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
rec(d.accept)
a, b = socket.socketpair()
rec(a.accept)
print(json.dumps(out))
`, nil, &want)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []string
	acceptOn := func(s *Socket) {
		defer s.Close()
		_, _, err := s.AcceptContext(ctx)
		require.Error(t, err)
		got = append(got, pyExc(err))
	}
	u, err := New(AF_INET, SOCK_DGRAM, 0)
	require.NoError(t, err)
	acceptOn(u)
	d, err := New(AF_UNIX, SOCK_DGRAM, 0)
	require.NoError(t, err)
	acceptOn(d)
	a, b, err := SocketPair(-1, -1, -1)
	require.NoError(t, err)
	defer b.Close()
	acceptOn(a)
	assert.Equal(t, want, got)
}

// A descriptor adopted with SOCK_NONBLOCK in the type gets timeout 0.0 and keeps its
// O_NONBLOCK flag, as CPython's init_sockobject does; a blocking one then blocks: recv
// waits for the data (CPython's recv(2) blocks in the kernel).
func TestNewFromFileno_SockNonblockTypeLeavesTheFlagAsCPython(t *testing.T) {
	var want []string
	testutil.PythonJSON(t, `
import json, os, socket, threading
a, b = socket.socketpair()
s = socket.socket(fileno=a.detach(), type=socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
out = [repr(s.gettimeout()), repr(os.get_blocking(s.fileno()))]
threading.Timer(0.1, lambda: b.send(b"x")).start()
out.append(repr(s.recv(1)))
print(json.dumps(out))
`, nil, &want)
	a, b, err := SocketPair(-1, -1, -1)
	require.NoError(t, err)
	defer b.Close()
	fd := a.Detach()
	s, err := NewFromFileno(fd, -1, SOCK_STREAM|SOCK_NONBLOCK, -1)
	require.NoError(t, err)
	defer s.Close()
	nonblock, err := csock.GetNonblock(fd)
	require.NoError(t, err)
	got := []string{py.Repr(s.GetTimeout()), py.Repr(!nonblock)}
	time.AfterFunc(100*time.Millisecond, func() { _, _ = b.Send([]byte("x"), 0) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	data, err := s.RecvContext(ctx, 1, 0)
	require.NoError(t, err)
	got = append(got, py.Repr(data))
	assert.Equal(t, want, got)
}

// Documented differences (docs/differences.md), pinned:
//   - a descriptor a live Socket adopted is on Go's poller from then on, so a second
//     NewFromFileno of the same number is [Errno 17] (CPython gives a second object);
//   - bind/connect parse AF_INET, AF_INET6 and AF_UNIX addresses only: another family's
//     is CPython's message for a family it has no parser for.
func TestDifferences_SecondAdoptionAndOtherFamiliesAddresses(t *testing.T) {
	s, err := New(AF_INET, SOCK_STREAM, 0)
	require.NoError(t, err)
	defer s.Close()
	first, err := NewFromFileno(s.Fileno(), -1, -1, -1)
	require.NoError(t, err, "the first adoption: s never waited")
	defer first.Detach()
	_, err = NewFromFileno(s.Fileno(), -1, -1, -1)
	requireErrno(t, err, syscall.EEXIST)

	nl, err := New(AF_NETLINK, SOCK_RAW, 0)
	require.NoError(t, err)
	defer nl.Close()
	assert.Equal(t, "OSError: bind(): bad family", pyExc(nl.Bind(py.Tuple{0, 0})))
	assert.Equal(t, "OSError: connect(): bad family", pyExc(nl.Connect(py.Tuple{0, 0})))
}
