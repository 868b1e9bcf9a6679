//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func runPysock(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestExitStatus(t *testing.T) {
	code, out, errOut := runPysock("has_ipv6", "getservbyname('http', 'tcp')")
	assert.Equal(t, 0, code)
	assert.Equal(t, "True\n80\n", out)
	assert.Empty(t, errOut)

	code, out, errOut = runPysock("inet_aton('1.2.3.4')", "inet_aton('x')", "htons(1)")
	assert.Equal(t, 1, code, "any EXPR raising gives status 1")
	assert.Equal(t, "b'\\x01\\x02\\x03\\x04'\n256\n", out)
	assert.Equal(t, "OSError: illegal IP address string passed to inet_aton\n", errOut)
}

func TestUsageErrorsQuoteTheTextAndEvaluateNothing(t *testing.T) {
	for _, c := range []struct{ expr, quoted string }{
		{"nosuchfunc(1)", "nosuchfunc"},
		{"AF_INETT", "AF_INETT"},
		{"getaddrinfo('x", "'x"},
		{"htons(1", "htons(1"},
	} {
		// A usage error anywhere stops the run before the first EXPR is evaluated.
		code, out, errOut := runPysock("setdefaulttimeout(5)", c.expr)
		assert.Equal(t, 2, code, c.expr)
		assert.Empty(t, out, c.expr)
		assert.Contains(t, errOut, c.quoted, c.expr)
	}
	code, _, errOut := runPysock()
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no EXPR")
	code, _, errOut = runPysock("--frobnicate", "has_ipv6")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--frobnicate")
}

func TestHelpListsTheFunctions(t *testing.T) {
	code, out, _ := runPysock("--help")
	assert.Equal(t, 0, code)
	for _, f := range []string{"getaddrinfo", "getnameinfo", "gethostbyname_ex", "inet_pton", "setdefaulttimeout"} {
		assert.Contains(t, out, "  "+f+"\n")
	}
}

func TestJSONOutput(t *testing.T) {
	exprs := []string{
		"getaddrinfo('127.0.0.1', 'http', AF_INET, SOCK_STREAM)",
		"inet_aton('127.1')",
		"gethostbyname_ex('localhost')",
		"getaddrinfo('127.0.0.1', 'nosuchservice', AF_INET, SOCK_STREAM)",
		"inet_aton('x')",
		"htons(-1)",
		"'\\udcff\"'",
	}
	var want []struct {
		OK    bool   `json:"ok"`
		Repr  string `json:"repr"`
		Class string `json:"class"`
		Errno *int   `json:"errno"`
		Msg   string `json:"message"`
	}
	testutil.PythonJSON(t, `
import json, socket, sys
from socket import *
out = []
for e in json.load(sys.stdin):
    try:
        out.append({"ok": True, "repr": repr(eval(e))})
    except Exception as x:
        cls = type(x).__name__ if type(x).__module__ == "builtins" else type(x).__module__ + "." + type(x).__name__
        out.append({"ok": False, "class": cls, "errno": getattr(x, "errno", None), "message": str(x)})
print(json.dumps(out))
`, exprs, &want)

	code, out, _ := runPysock(append([]string{"--json"}, exprs...)...)
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, len(exprs), "one JSON object per EXPR, errors included, on stdout")
	for i, l := range lines {
		var got struct {
			OK    bool            `json:"ok"`
			Value json.RawMessage `json:"value"`
			Repr  string          `json:"repr"`
			Error struct {
				Class string `json:"class"`
				Errno *int   `json:"errno"`
				Msg   string `json:"message"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &got), l)
		assert.Equal(t, want[i].OK, got.OK, exprs[i])
		if got.OK {
			assert.Equal(t, want[i].Repr, got.Repr, exprs[i])
			assert.NotEmpty(t, got.Value)
		} else {
			assert.Equal(t, want[i].Class, got.Error.Class, exprs[i])
			assert.Equal(t, want[i].Errno, got.Error.Errno, exprs[i])
			assert.Equal(t, want[i].Msg, got.Error.Msg, exprs[i])
		}
	}
	// The documented encodings.
	assert.Contains(t, lines[0], `{"enum":"AddressFamily","name":"AF_INET","value":2}`)
	assert.Contains(t, lines[0], `{"tuple":["127.0.0.1",80]}`)
	assert.Contains(t, lines[1], `"value":{"bytes":"fwAAAQ=="}`)
	assert.Contains(t, lines[6], `"value":"\udcff\""`)
}
