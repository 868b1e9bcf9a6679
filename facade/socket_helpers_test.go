//go:build linux

package facade

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/procstat"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/internal/testutil/pyexc"
	"github.com/csock/csock/py"
)

// msg is the payload CPython's socket tests send (test_socket.MSG).
var msg = []byte("Michael Gilfix was here\\u1234\r\n")

// loopback is the host CPython's tests use (socket_helper.HOST).
const loopback = "127.0.0.1"

// mustSocket makes a socket that the test closes when it ends.
func mustSocket(t testing.TB, family, typ, proto int) *Socket {
	t.Helper()
	s, err := New(AddressFamily(family), SocketKind(typ), proto)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// closeLater closes s when the test ends.
func closeLater(t testing.TB, s *Socket) *Socket {
	t.Cleanup(func() { s.Close() })
	return s
}

// tcpListener is CPython's SocketTCPTest fixture: a TCP socket on 127.0.0.1, port chosen
// by the kernel, listening.
func tcpListener(t testing.TB) (*Socket, InetAddress) {
	t.Helper()
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	require.NoError(t, s.Listen())
	a, err := s.GetSockName()
	require.NoError(t, err)
	return s, a.(InetAddress)
}

// udpSocket is CPython's SocketUDPTest fixture: a UDP socket bound on 127.0.0.1.
func udpSocket(t testing.TB) (*Socket, InetAddress) {
	t.Helper()
	s := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	a, err := s.GetSockName()
	require.NoError(t, err)
	return s, a.(InetAddress)
}

// connectedTCP is CPython's SocketConnectedTest fixture: the accepted socket (cli_conn)
// and the client (serv_conn).
func connectedTCP(t testing.TB) (conn, cli *Socket) {
	t.Helper()
	srv, addr := tcpListener(t)
	cli = mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, cli.Connect(addr))
	conn, _, err := srv.Accept()
	require.NoError(t, err)
	closeLater(t, conn)
	return conn, cli
}

// socketPair is CPython's SocketPairTest fixture.
func socketPair(t testing.TB) (a, b *Socket) {
	t.Helper()
	a, b, err := SocketPair(-1, -1, -1)
	require.NoError(t, err)
	closeLater(t, a)
	closeLater(t, b)
	return a, b
}

// withDefaultTimeout sets the module default timeout for the rest of the test.
func withDefaultTimeout(t testing.TB, v any) {
	t.Helper()
	old := GetDefaultTimeout()
	require.NoError(t, SetDefaultTimeout(v))
	t.Cleanup(func() { SetDefaultTimeout(old) })
}

// pyExc is an exception as CPython's traceback prints its last line: "Class: message".
func pyExc(err error) string { return pyexc.Line(err) }

// pythonPrelude defines exc(f), which runs f and returns the last line of the traceback
// CPython would print for what it raised (or "no exception").
const pythonPrelude = `
import json, socket, sys, os, errno, traceback` + pyexc.ExcDef

// The oracle programs of the tests, registered by oracleCase at package initialisation
// and run together in one python3 process (starting python3 through pyenv's shim takes
// seconds) the first time a test asks for a result.
var (
	oraclePrograms = map[string]string{}
	oracleOnce     sync.Once
	oracleResults  map[string]map[string]any
)

// oracleCase registers a python3 program under name and returns name. The program runs
// after pythonPrelude, inside a function of its own, and fills the dict out.
func oracleCase(name, program string) string {
	if _, dup := oraclePrograms[name]; dup {
		panic("oracle case registered twice: " + name)
	}
	oraclePrograms[name] = program
	return name
}

// python returns the dict the oracle program registered as name filled.
func python(t testing.TB, name string) map[string]any {
	t.Helper()
	oracleOnce.Do(func() {
		var script strings.Builder
		script.WriteString(pythonPrelude)
		script.WriteString("results = {}\n")
		names := make([]string, 0, len(oraclePrograms))
		for n := range oraclePrograms {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			fmt.Fprintf(&script, "def case_%d():\n    out = {}\n", i)
			for _, line := range strings.Split(oraclePrograms[n], "\n") {
				script.WriteString("    " + line + "\n")
			}
			fmt.Fprintf(&script, "    return out\n")
			fmt.Fprintf(&script, "try:\n    results[%q] = case_%d()\n", n, i)
			fmt.Fprintf(&script, "except BaseException:\n    results[%q] = {'__error__': traceback.format_exc()}\n", n)
		}
		script.WriteString("print(json.dumps(results))\n")
		var res map[string]map[string]any
		testutil.PythonJSON(t, script.String(), nil, &res)
		oracleResults = res
	})
	if oracleResults == nil {
		t.Fatal("the python3 oracle failed (see the first test that used it)")
	}
	out, ok := oracleResults[name]
	require.True(t, ok, "no oracle case %q", name)
	if e, failed := out["__error__"]; failed {
		t.Fatalf("oracle case %s failed in python3:\n%s", name, e)
	}
	return out
}

// pythonStrings is python for a program whose results are all strings.
func pythonStrings(t testing.TB, name string) map[string]string {
	t.Helper()
	res := map[string]string{}
	for k, v := range python(t, name) {
		s, ok := v.(string)
		require.True(t, ok, "python result %s is %T", k, v)
		res[k] = s
	}
	return res
}

// nonblockFlag reports the descriptor's O_NONBLOCK flag.
func nonblockFlag(t testing.TB, fd int) bool {
	t.Helper()
	nb, err := csock.GetNonblock(fd)
	require.NoError(t, err)
	return nb
}

// requireErrno checks that err is CPython's OSError for errno e.
func requireErrno(t testing.TB, err error, e syscall.Errno) {
	t.Helper()
	require.Error(t, err)
	var oe *OSError
	require.True(t, errors.As(err, &oe), "%T %v is not an *OSError", err, err)
	assert.Equal(t, int(e), oe.Errno, "errno of %v", err)
}

// requireTimedOut checks that err is CPython's TimeoutError('timed out').
func requireTimedOut(t testing.TB, err error) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, textTimedOut, pyExc(err))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

// within fails the test if f has not returned after d.
func within(t testing.TB, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still running after %v", what, d)
	}
}

// goAsync runs f in a goroutine and returns a function that waits for it (bounded) and
// returns its error.
func goAsync(t testing.TB, f func() error) func() error {
	t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return func() error {
		t.Helper()
		select {
		case err := <-ch:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("goroutine still running after 10s")
			return nil
		}
	}
}

// procStatus returns this process's thread count and memory (/proc/self/status).
func procStatus(t testing.TB) procstat.Status {
	t.Helper()
	st, err := procstat.Read()
	require.NoError(t, err)
	return st
}
