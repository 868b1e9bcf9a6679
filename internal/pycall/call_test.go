//go:build linux

package pycall

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/internal/testutil/pyexc"
	"github.com/csock/csock/py"
)

// TestMain fails the run when the tests leave a descriptor open or a goroutine running.
func TestMain(m *testing.M) { testutil.Main(m) }

// The dispatcher parses arguments as CPython does: arity, keywords, converters, each with
// CPython's message. Each call here is compared with python3's.
func TestCall_ArgumentParsingLikeCPython(t *testing.T) {
	big63 := new(big.Int).Lsh(big.NewInt(1), 63)
	calls := []struct {
		src    string
		name   string
		args   []any
		kwargs []Kwarg
	}{
		{"CMSG_LEN('x')", "CMSG_LEN", []any{"x"}, nil},
		{"CMSG_SPACE(2**63)", "CMSG_SPACE", []any{big63}, nil},
		{"CMSG_LEN()", "CMSG_LEN", nil, nil},
		{"CMSG_SPACE(True)", "CMSG_SPACE", []any{true}, nil},
		{"CMSG_LEN(4)", "CMSG_LEN", []any{4}, nil},
		{"htons(70000)", "htons", []any{70000}, nil},
		{"htonl(-1)", "htonl", []any{-1}, nil},
		{"getservbyname('http', 'tcp')", "getservbyname", []any{"http", "tcp"}, nil},
		{"getservbyname(b'http')", "getservbyname", []any{[]byte("http")}, nil},
		{"gethostname(1)", "gethostname", []any{1}, nil},
		{"getaddrinfo('127.0.0.1', 80, flags=AI_NUMERICHOST)", "getaddrinfo", []any{"127.0.0.1", 80}, []Kwarg{{"flags", 4}}},
		{"getaddrinfo('127.0.0.1', 80, bogus=1)", "getaddrinfo", []any{"127.0.0.1", 80}, []Kwarg{{"bogus", 1}}},
		{"getnameinfo(('127.0.0.1', 80), 'x')", "getnameinfo", []any{py.Tuple{"127.0.0.1", 80}, "x"}, nil},
		{"getnameinfo(['127.0.0.1', 80], 0)", "getnameinfo", []any{py.List{"127.0.0.1", 80}, 0}, nil},
		{"inet_aton('1.2.3.4 junk')", "inet_aton", []any{"1.2.3.4 junk"}, nil},
		{"has_dualstack_ipv6(1)", "has_dualstack_ipv6", []any{1}, nil},
		{"socketpair(1, 2, 3, 4)", "socketpair", []any{1, 2, 3, 4}, nil},
		{"create_server(('127.0.0.1', 0), 5)", "create_server", []any{py.Tuple{"127.0.0.1", 0}, 5}, nil},
	}
	srcs := make([]string, len(calls))
	for i, c := range calls {
		srcs[i] = c.src
	}
	var want []string
	testutil.PythonJSON(t, `
import json, sys
from socket import *
`+pyexc.ExcDef+`
out = []
for e in json.load(sys.stdin):
    r = []
    x = exc(lambda: r.append(repr(eval(e))))
    out.append(r[0] if r else x)
print(json.dumps(out))
`, srcs, &want)
	require.Len(t, want, len(calls))
	for i, c := range calls {
		v, err := Call(c.name, c.args, c.kwargs)
		got := pyexc.Line(err)
		if err == nil {
			got = py.Repr(v)
		}
		assert.Equal(t, want[i], got, c.src)
	}
}

func TestConstantsAndFunctions(t *testing.T) {
	v, ok := Constant("AF_INET")
	require.True(t, ok)
	assert.Equal(t, "<AddressFamily.AF_INET: 2>", py.Repr(v))
	_, ok = Constant("has_ipv6")
	assert.True(t, ok)
	_, ok = Constant("NOPE")
	assert.False(t, ok)
	assert.True(t, HasFunction("getaddrinfo"))
	assert.False(t, HasFunction("close"), "close, dup and sethostname are left out on purpose")
	assert.Contains(t, Functions(), "create_connection")
	_, err := Call("nope", nil, nil)
	assert.Error(t, err)
}
