//go:build linux

package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/internal/testutil/pyexc"
	"github.com/csock/csock/py"
	"github.com/csock/csock/test/hermetic"
)

// prompt is how soon a call that must not wait has to return: generous, for a loaded
// machine; the tests never depend on anything finishing faster than this.
const prompt = 5 * time.Second

// slack is how late a timeout may fire on a loaded machine.
const slack = 2 * time.Second

// loopback is the IPv4 loopback address the tests use.
const loopback = "127.0.0.1"

// pyExc is an error as the last line of CPython's traceback prints it: "Class: message".
func pyExc(err error) string { return pyexc.Line(err) }

// pythonPrelude defines, for the oracle programs: exc(f), the last line of the traceback
// of what f raises ("no exception" if nothing); raised(e), what raising the OSError of
// errno e prints (CPython picks the PEP 3151 subclass); and out, the dict printed as JSON
// at the end.
const pythonPrelude = `
import json, socket, sys, os, errno, time, resource, struct, ctypes` + pyexc.ExcDef + `
def raised(e):
    def f():
        raise OSError(e, os.strerror(e))
    return exc(f)
out = {}
`

// pyTexts runs program (after pythonPrelude) with python3 and returns the dict out it
// fills, every value as a string. The interpreter is hermetic.Python's (the real binary,
// not a pyenv shim, which costs a second and a half a start).
func pyTexts(t testing.TB, program string) map[string]string {
	t.Helper()
	testutil.Python3(t) // skips where there is no python3
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, hermetic.Python(), "-c",
		pythonPrelude+program+"\nprint(json.dumps({k: str(v) for k, v in out.items()}))\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	require.NoError(t, err, "python3:\n%s", stderr.String())
	var out map[string]string
	require.NoError(t, json.Unmarshal(stdout, &out), "python3's output:\n%s", stdout)
	return out
}

var (
	errnoTextsOnce sync.Once
	errnoTexts     map[string]string
)

// errnoText is CPython's text for an OSError raised with errno e (PEP 3151 class,
// "[Errno N] strerror"), asked of python3 once for all the errnos the tests use.
func errnoText(t testing.TB, e syscall.Errno) string {
	t.Helper()
	errnoTextsOnce.Do(func() {
		errnoTexts = pyTexts(t, `
for e in (errno.EINTR, errno.EAGAIN, errno.EBADF, errno.EPIPE, errno.ECONNRESET, errno.EMFILE,
          errno.ENFILE, errno.ENOBUFS, errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.ENETUNREACH,
          errno.ECONNREFUSED, errno.EAFNOSUPPORT, errno.EINVAL, errno.EIO):
    out[str(e)] = raised(e)
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); s.settimeout(0.001)
out['timeout'] = exc(lambda: s.accept())
s.close()
out['closed'] = exc(lambda: s.recv(1))
`)
	})
	text, ok := errnoTexts[strconv.Itoa(int(e))]
	require.True(t, ok, "errno %d is not in errnoText's list", int(e))
	return text
}

// textTimedOut and textClosed are CPython's TimeoutError for a socket timeout and its
// error for an operation on a closed socket, from python3.
func textTimedOut(t testing.TB) string {
	errnoText(t, syscall.EBADF)
	return errnoTexts["timeout"]
}

func textClosed(t testing.TB) string {
	errnoText(t, syscall.EBADF)
	return errnoTexts["closed"]
}

// requireErrno checks that err is an OSError of errno e.
func requireErrno(t testing.TB, err error, e syscall.Errno) {
	t.Helper()
	require.Error(t, err)
	var oe *facade.OSError
	require.True(t, errors.As(err, &oe), "%T %v is not an *OSError", err, err)
	require.Equal(t, int(e), oe.Errno, "errno of %v", err)
}

// requireTimedOut checks that err is CPython's TimeoutError('timed out').
func requireTimedOut(t testing.TB, err error) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, textTimedOut(t), pyExc(err))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

// newSocket makes a facade socket that the test closes when it ends.
func newSocket(t testing.TB, family facade.AddressFamily, typ facade.SocketKind) *facade.Socket {
	t.Helper()
	s, err := facade.New(family, typ, 0)
	require.NoError(t, err)
	return closeLater(t, s)
}

// closeLater closes s when the test ends.
func closeLater(t testing.TB, s *facade.Socket) *facade.Socket {
	t.Cleanup(func() { s.Close() })
	return s
}

// listener is a TCP socket listening on 127.0.0.1 with the given backlog.
func listener(t testing.TB, backlog int) (*facade.Socket, facade.InetAddress) {
	t.Helper()
	s := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	require.NoError(t, s.Listen(backlog))
	a, err := s.GetSockName()
	require.NoError(t, err)
	return s, a.(facade.InetAddress)
}

// tcpPair is a connected TCP pair on loopback: the accepted end and the client.
func tcpPair(t testing.TB) (srv, cli *facade.Socket) {
	t.Helper()
	l, addr := listener(t, 8)
	cli = newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	require.NoError(t, cli.Connect(addr))
	srv, _, err := l.Accept()
	require.NoError(t, err)
	return closeLater(t, srv), cli
}

// unixPair is a connected AF_UNIX stream pair (socketpair).
func unixPair(t testing.TB) (a, b *facade.Socket) {
	t.Helper()
	a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
	require.NoError(t, err)
	return closeLater(t, a), closeLater(t, b)
}

// fullListener is a listener with listen(0) whose backlog has been filled: a further
// connection attempt gets no answer to its SYN (the kernel drops it), so it stays pending.
func fullListener(t testing.TB) (*facade.Socket, facade.InetAddress) {
	t.Helper()
	l, addr := listener(t, 0)
	for i := 0; i < 16; i++ {
		c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
		require.NoError(t, c.SetTimeout(0.2))
		err := c.Connect(addr)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return l, addr
		}
		require.NoError(t, err)
	}
	t.Fatal("the backlog of listen(0) never filled")
	return nil, addr
}

// async runs f on a goroutine and returns a function that waits for its error, failing the
// test if it takes longer than d.
func async(t testing.TB, d time.Duration, f func() error) func() error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return func() error {
		t.Helper()
		select {
		case err := <-ch:
			return err
		case <-time.After(d):
			t.Fatalf("still running after %v", d)
			return nil
		}
	}
}

// within checks that f returns within d and returns how long it took.
func within(t testing.TB, d time.Duration, f func()) time.Duration {
	t.Helper()
	start := time.Now()
	wait := async(t, d, func() error { f(); return nil })
	_ = wait()
	return time.Since(start)
}

// childEnv names the test a re-executed test binary runs (see runChild).
const childEnv = "CSOCK_RELIABILITY_CHILD"

// childName is the child test this process runs, or "" in the parent.
func childName() string { return os.Getenv(childEnv) }

// inChild reports whether this process is the child runChild started for the test; in
// the parent the child test is skipped (its parent test runs it).
func inChild(t *testing.T) bool {
	if childName() != t.Name() {
		t.Skip("runs in a child process of its own (see runChild)")
	}
	return true
}

// childOptions say how runChild starts the child.
type childOptions struct {
	env  []string             // added to the environment
	attr *syscall.SysProcAttr // namespaces, ...
}

// runChild runs the test named name (a Test function that begins with inChild) in a new
// process of this test binary, and returns its combined output and its end: nil when it
// passed, else an *exec.ExitError (a signal that killed it shows there). The child runs
// the same TestMain, with the leak checks, but not the hermetic set-up: it inherits the
// parent's namespaces unless opts say otherwise.
func runChild(t *testing.T, name string, opts childOptions) (string, error) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^"+name+"$", "-test.v", "-test.count=1", "-test.timeout=90s")
	cmd.Env = append(append(os.Environ(), childEnv+"="+name), opts.env...)
	cmd.SysProcAttr = opts.attr
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if err == nil && !strings.Contains(out.String(), "--- PASS: "+name) {
		err = errors.New("the child did not run " + name)
	}
	return out.String(), err
}

// requireChildPasses runs the child test and fails with its output unless it passed.
func requireChildPasses(t *testing.T, name string, opts childOptions) string {
	t.Helper()
	out, err := runChild(t, name, opts)
	require.NoError(t, err, "child %s:\n%s", name, out)
	return out
}

// getenv returns the environment variable a parent passed to its child, which must be set.
func getenv(t testing.TB, name string) string {
	t.Helper()
	v, ok := os.LookupEnv(name)
	require.True(t, ok, "%s is not set", name)
	return v
}
