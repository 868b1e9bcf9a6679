//go:build linux

package reliability

import (
	"encoding/binary"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
)

// resetScenarios are the peer-reset sequences, run by python3 and by the facade alike:
// the peer closes with SO_LINGER {1, 0}, which sends a RST instead of a FIN; then the
// operations are made in order. "data" has the peer send 5 bytes before the reset.
var resetScenarios = []struct {
	name string
	data bool
	ops  []string
}{
	{"recv first", false, []string{"recv", "recv", "send"}},
	{"send first", false, []string{"send", "send", "recv"}},
	{"data then reset", true, []string{"recv", "recv", "recv"}},
}

const resetPython = `
import threading
def run(f):
    try:
        return 'ok ' + repr(f())
    except BaseException as e:
        return exc(lambda: (_ for _ in ()).throw(e))
def pair():
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
    c = socket.create_connection(l.getsockname()); s, _ = l.accept(); l.close()
    return s, c
def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); s.close()
for name, data, ops in SCENARIOS:
    s, c = pair()
    if data:
        s.sendall(b'hello'); time.sleep(0.05)
    reset(s); time.sleep(0.05)
    for i, op in enumerate(ops):
        out[name + ' ' + str(i) + ' ' + op] = run(lambda: c.recv(100) if op == 'recv' else c.send(b'x'))
    c.close()
for mode, timeout in (('blocking', None), ('timeout', 30.0)):
    for op in ('recv', 'sendall'):
        s, c = pair()
        c.settimeout(timeout)
        def later():
            time.sleep(0.3); reset(s)
        th = threading.Thread(target=later); th.start()
        out['waiting ' + op + ' ' + mode] = run(lambda: c.recv(10) if op == 'recv' else c.sendall(b'x' * (64 << 20)))
        th.join(); c.close()
`

// reset sends a RST to the peer of s and closes s: SO_LINGER with a zero timeout.
func reset(t testing.TB, s *facade.Socket) {
	t.Helper()
	linger := make([]byte, 8)
	binary.NativeEndian.PutUint32(linger[0:], 1)
	binary.NativeEndian.PutUint32(linger[4:], 0)
	require.NoError(t, s.SetSockOptBytes(facade.SOL_SOCKET, facade.SO_LINGER, linger))
	require.NoError(t, s.Close())
}

// outcome prints a result as the oracle program does: "ok <repr>" or the exception.
func outcome(v any, err error) string {
	if err != nil {
		return pyExc(err)
	}
	switch v := v.(type) {
	case []byte:
		return "ok " + pyBytes(v)
	case nil:
		return "ok None"
	case int:
		return "ok " + strconv.Itoa(v)
	}
	return "ok ?"
}

// pyBytes is repr of a bytes object holding printable ASCII.
func pyBytes(b []byte) string { return "b'" + string(b) + "'" }

// TestPeerReset_NextRecvOrSendIsConnectionResetError: after the peer's RST the next recv or
// send fails with ConnectionResetError [Errno 104], then the stream reads as ended and
// sends fail with BrokenPipeError; data that arrived before the RST is read first; a call
// waiting when the RST arrives (recv, sendall; blocking and timeout modes) wakes with
// [Errno 104]. Every outcome is python3's for the same sequence.
func TestPeerReset_NextRecvOrSendIsConnectionResetError(t *testing.T) {
	var scen strings.Builder
	scen.WriteString("SCENARIOS = [")
	for _, s := range resetScenarios {
		scen.WriteString("('" + s.name + "', " + map[bool]string{true: "True", false: "False"}[s.data] + ", ['" + strings.Join(s.ops, "', '") + "']),")
	}
	scen.WriteString("]\n")
	want := pyTexts(t, scen.String()+resetPython)

	got := map[string]string{}
	for _, sc := range resetScenarios {
		srv, cli := tcpPair(t)
		if sc.data {
			require.NoError(t, srv.SendAll([]byte("hello"), 0))
			time.Sleep(50 * time.Millisecond)
		}
		reset(t, srv)
		time.Sleep(50 * time.Millisecond)
		for i, op := range sc.ops {
			key := sc.name + " " + strconv.Itoa(i) + " " + op
			if op == "recv" {
				b, err := cli.Recv(100, 0)
				got[key] = outcome(b, err)
			} else {
				n, err := cli.Send([]byte("x"), 0)
				got[key] = outcome(n, err)
			}
		}
	}
	for _, mode := range []struct {
		name    string
		timeout any
	}{{"blocking", nil}, {"timeout", 30.0}} {
		for _, op := range []string{"recv", "sendall"} {
			srv, cli := tcpPair(t)
			require.NoError(t, cli.SetTimeout(mode.timeout))
			go func() {
				time.Sleep(300 * time.Millisecond)
				reset(t, srv)
			}()
			var v any
			var err error
			d := within(t, prompt, func() {
				if op == "recv" {
					v, err = cli.Recv(10, 0)
				} else {
					err = cli.SendAll(make([]byte, 64<<20), 0)
				}
			})
			assert.GreaterOrEqual(t, d, 250*time.Millisecond, "%s %s returned before the reset", op, mode.name)
			got["waiting "+op+" "+mode.name] = outcome(v, err)
		}
	}
	assert.Equal(t, want, got)
	// The oracle is not vacuous: it saw the reset.
	assert.Equal(t, errnoText(t, syscall.ECONNRESET), want["recv first 0 recv"])
}
