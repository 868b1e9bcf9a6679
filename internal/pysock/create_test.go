//go:build linux

package pysock

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// numbers replaces the parts of a socket repr that differ between two processes (the
// descriptor number and the local port) by placeholders.
var numbers = regexp.MustCompile(`fd=\d+|laddr=\('127\.0\.0\.1', \d+\)`)

func shape(s string) string {
	return numbers.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == 'f' {
			return "fd=N"
		}
		return "laddr=('127.0.0.1', P)"
	})
}

// assertPrintsLikeCPython evaluates each expression with pysock and with python3 (as after
// `from socket import *`) and compares the printed lines, descriptor numbers and ports
// aside.
func assertPrintsLikeCPython(t *testing.T, exprs []string) {
	t.Helper()
	var want []string
	testutil.PythonJSON(t, `
import json, sys, traceback
from socket import *
out = []
for e in json.load(sys.stdin):
    try:
        out.append(repr(eval(e)))
    except BaseException as x:
        out.append(traceback.format_exception_only(x)[-1].rstrip("\n"))
print(json.dumps(out))
`, exprs, &want)
	require.Len(t, want, len(exprs))
	for i, e := range exprs {
		assert.Equal(t, shape(want[i]), shape(EvalLine(e)), e)
	}
}

func TestCreateConnection_PrintsTheSocketLikeCPython(t *testing.T) {
	srv, err := facade.CreateServer(py.Tuple{"127.0.0.1", 0}, facade.ServerOptions{Backlog: 16})
	require.NoError(t, err)
	defer srv.Close()
	name, err := srv.GetSockName()
	require.NoError(t, err)
	port := name.(facade.InetAddress).Port
	// A port nothing listens on: bound and released.
	tmp, err := facade.CreateServer(py.Tuple{"127.0.0.1", 0}, facade.ServerOptions{})
	require.NoError(t, err)
	tname, err := tmp.GetSockName()
	require.NoError(t, err)
	tmp.Close()
	closed := tname.(facade.InetAddress).Port

	exprs := []string{
		fmt.Sprintf("create_connection(('127.0.0.1', %d))", port),
		fmt.Sprintf("create_connection(('127.0.0.1', %d), 5)", port),
		fmt.Sprintf("create_connection(('localhost', %d), timeout=None, source_address=('127.0.0.1', 0))", port),
		fmt.Sprintf("create_connection(('127.0.0.1', %d))", closed),
		fmt.Sprintf("create_connection(('127.0.0.1', %d), all_errors=True)", closed),
		fmt.Sprintf("create_connection(('127.0.0.1', %d), 1, None, True)", closed),
		"create_connection(('127.0.0.1',))",
		"create_connection(('127.0.0.1', 80), -1)",
		"create_connection()",
	}
	assertPrintsLikeCPython(t, exprs)
	// Accepted connections were made and closed again by the evaluator.
	for i := 0; i < 6; i++ {
		srv.SetTimeout(0.0)
		c, _, err := srv.Accept()
		if err != nil {
			break
		}
		c.Close()
	}
}

func TestSocketPairCreateServerAndDualStack_PrintLikeCPython(t *testing.T) {
	// Their results are printed, then closed (both sockets of a pair).
	exprs := []string{
		"socketpair()",
		"socketpair(AF_UNIX, SOCK_DGRAM)",
		"socketpair(None, SOCK_SEQPACKET, 0)",
		"socketpair(family=AF_UNIX, proto=0)",
		"socketpair(AF_INET)",
		"socketpair('x')",
		"socketpair(AF_UNIX, 2**31)",
		"socketpair(1, 2, 3, 4)",
		// An explicit -1 goes to socketpair(2) as it is: it is no "default" in CPython.
		"socketpair(-1)",
		"socketpair(AF_UNIX, -1)",
		"socketpair(AF_UNIX, SOCK_STREAM, -1)",
		"socketpair(None, -1)",
		"socketpair(family=-1)",
		"socketpair(type=-1)",
		"socketpair(proto=-1)",
		"socketpair(AF_INET, SOCK_STREAM, -1)",
		"socketpair(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK, -1)",
		"socketpair(-1, -1, -1)",
		"socketpair(-1, 2**31)",
		"socketpair(AF_UNIX, SOCK_DGRAM|SOCK_NONBLOCK)",
		"create_server(('127.0.0.1', 0))",
		"create_server(('127.0.0.1', 0), backlog=0, reuse_port=True)",
		"create_server(('127.0.0.1', 0), backlog=None)",
		"create_server(('127.0.0.1', 0), family=0)",
		"create_server(('127.0.0.1', 0), family=-1)",
		"create_server(('127.0.0.1', 0), backlog=-1)",
		"create_server(('127.0.0.1', 0), family=-1, dualstack_ipv6=True)",
		// create_server's own order: the dualstack_ipv6 checks compare family as given,
		// socket() maps a family equal to -1 and converts the rest as a C int, and the
		// backlog is converted by listen(), after bind.
		"create_server(('127.0.0.1', 0), family=-1.0)",
		"create_server(('127.0.0.1', 0), family=0.0)",
		"create_server(('127.0.0.1', 0), family=2**31)",
		"create_server(('127.0.0.1', 0), family=-2**31-1)",
		"create_server(('127.0.0.1', 0), family=2**64)",
		"create_server(('127.0.0.1', 0), family='x', dualstack_ipv6=True)",
		"create_server(('127.0.0.1', 0), family=2**31, dualstack_ipv6=True)",
		"create_server(('::1', 0), family=10.0, dualstack_ipv6=True)",
		"create_server(('192.0.2.1', 0), backlog='x')",
		"create_server(('192.0.2.1', 0), backlog=2**31)",
		"create_server(('127.0.0.1',), backlog='x')",
		"create_server(('127.0.0.1', 0), family=0, backlog='x')",
		"create_server(('127.0.0.1', 0), family=AF_INET6)",
		"create_server(('::1', 0))",
		"create_server(('127.0.0.1', 0), dualstack_ipv6=True)",
		"create_server(('127.0.0.1', 0), 5)",
		"create_server(('127.0.0.1', 0), backlog='x')",
		"create_server(('127.0.0.1', 0), flags=1)",
		"create_server()",
		"has_dualstack_ipv6()",
		"has_dualstack_ipv6(1)",
	}
	assertPrintsLikeCPython(t, exprs)
}
