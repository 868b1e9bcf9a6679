//go:build linux

package reliability

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// TestFullBacklog_ConnectTimesOutAndConnectExSays11 is CPython's B.4 against a listener whose
// listen(0) backlog is full (the kernel drops the SYNs): connect with a timeout raises
// TimeoutError when it expires, connect_ex on a timeout socket returns 11 (EAGAIN, not
// 110), a second connect on the timed-out socket is BlockingIOError [Errno 114] (the
// attempt is still pending), create_connection with a timeout raises TimeoutError, and a
// non-blocking connect_ex says 115 and then 114. python3 does the same steps against the
// same kind of listener.
func TestFullBacklog_ConnectTimesOutAndConnectExSays11(t *testing.T) {
	want := pyTexts(t, `
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(0); a = l.getsockname()
keep = []
for i in range(16):
    c = socket.socket(); c.settimeout(0.2); keep.append(c)
    try:
        c.connect(a)
    except TimeoutError:
        break
c = socket.socket(); c.settimeout(0.3); keep.append(c)
t0 = time.monotonic()
out['connect'] = exc(lambda: c.connect(a))
out['connect elapsed ok'] = 0.3 <= time.monotonic() - t0 < 2.3
out['connect again'] = exc(lambda: c.connect(a))
e = socket.socket(); e.settimeout(0.3); keep.append(e)
out['connect_ex'] = e.connect_ex(a)
out['create_connection'] = exc(lambda: keep.append(socket.create_connection(a, timeout=0.3)))
n = socket.socket(); n.setblocking(False); keep.append(n)
out['nonblocking connect_ex 1'] = n.connect_ex(a)
time.sleep(0.1)
out['nonblocking connect_ex 2'] = n.connect_ex(a)
`)
	require.Equal(t, "True", want["connect elapsed ok"], "python3's own timing")

	_, addr := fullListener(t)
	got := map[string]string{"connect elapsed ok": "True"}
	c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	require.NoError(t, c.SetTimeout(0.3))
	var err error
	d := within(t, prompt, func() { err = c.Connect(addr) })
	got["connect"] = pyExc(err)
	assert.GreaterOrEqual(t, d, 300*time.Millisecond)
	assert.Less(t, d, 300*time.Millisecond+slack)
	got["connect again"] = pyExc(c.Connect(addr))

	e := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	require.NoError(t, e.SetTimeout(0.3))
	n, err := e.ConnectEx(addr)
	require.NoError(t, err)
	got["connect_ex"] = strconv.Itoa(n)

	s, err := facade.CreateConnection(py.Tuple{addr.Host, addr.Port}, 0.3, nil, false)
	if err == nil {
		s.Close()
	}
	got["create_connection"] = pyExc(err)

	nb := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	require.NoError(t, nb.SetBlocking(false))
	for i := 1; i <= 2; i++ {
		n, err := nb.ConnectEx(addr)
		require.NoError(t, err)
		got["nonblocking connect_ex "+strconv.Itoa(i)] = strconv.Itoa(n)
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, textTimedOut(t), got["connect"])
	assert.Equal(t, "11", got["connect_ex"])
}
