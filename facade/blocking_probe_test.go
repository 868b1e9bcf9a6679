//go:build linux

package facade

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
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
