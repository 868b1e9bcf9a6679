//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
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

// TestUsageError_ShowsTheExpressionOnceWithTheCaretUnderTheColumn pins pysock's own format
// for a usage error (documented in the command's doc): the message with the column, then
// the offending line of the EXPR and a caret line, both indented by two spaces, the carets
// under the column the message names. Columns count code points as CPython counts the
// offset of a SyntaxError (internal/pyexpr compares them with python3's).
func TestUsageError_ShowsTheExpressionOnceWithTheCaretUnderTheColumn(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unclosed paren", []string{"htons("}, "" +
			"pysock: usage error in EXPR 1: unexpected end of expression where an expression was expected at column 7\n" +
			"  htons(\n" +
			"        ^\n"},
		{"unclosed paren after an argument", []string{"htons(1  "}, "" +
			"pysock: usage error in EXPR 1: unexpected end of expression in the arguments of 'htons', expected ',' or ')' at column 8\n" +
			"  htons(1  \n" +
			"         ^\n"},
		{"bad token", []string{"htons($)"}, "" +
			"pysock: usage error in EXPR 1: unexpected character '$' at column 7\n" +
			"  htons($)\n" +
			"        ^\n"},
		{"trailing garbage", []string{"AF_INET AF_INET6"}, "" +
			"pysock: usage error in EXPR 1: unexpected 'AF_INET6' after a complete expression at column 9\n" +
			"  AF_INET AF_INET6\n" +
			"          ^^^^^^^^\n"},
		{"unmatched paren", []string{"htons(1))"}, "" +
			"pysock: usage error in EXPR 1: unexpected ')' after a complete expression at column 9\n" +
			"  htons(1))\n" +
			"          ^\n"},
		{"unterminated string", []string{"getaddrinfo('x"}, "" +
			"pysock: usage error in EXPR 1: unterminated string literal \"'x\" at column 13\n" +
			"  getaddrinfo('x\n" +
			"              ^^\n"},
		{"empty", []string{""}, "" +
			"pysock: usage error in EXPR 1: empty expression at column 1\n" +
			"  \n" +
			"  ^\n"},
		{"unicode before the column", []string{"'日本é' + htons("}, "" +
			"pysock: usage error in EXPR 1: unexpected end of expression where an expression was expected at column 15\n" +
			"  '日本é' + htons(\n" +
			"                ^\n"},
		{"tab before the column", []string{"htons(\t$)"}, "" +
			"pysock: usage error in EXPR 1: unexpected character '$' at column 8\n" +
			"  htons(\t$)\n" +
			"        \t^\n"},
		{"second line", []string{"getaddrinfo('localhost', 80,\n  $)"}, "" +
			"pysock: usage error in EXPR 1: unexpected character '$' at line 2, column 3\n" +
			"    $)\n" +
			"    ^\n"},
		{"unknown name", []string{"AF_INETT"}, "" +
			"pysock: usage error in EXPR 1: unknown name 'AF_INETT' at column 1\n" +
			"  AF_INETT\n" +
			"  ^^^^^^^^\n"},
		{"unknown function", []string{"htons(1) | nosuchfunc(1)"}, "" +
			"pysock: usage error in EXPR 1: unknown function 'nosuchfunc' at column 12\n" +
			"  htons(1) | nosuchfunc(1)\n" +
			"             ^^^^^^^^^^\n"},
		{"in a later EXPR", []string{"has_ipv6", "htons(1 2)"}, "" +
			"pysock: usage error in EXPR 2: unexpected '2' in the arguments of 'htons', expected ',' or ')' at column 9\n" +
			"  htons(1 2)\n" +
			"          ^\n"},
		{"while evaluating", []string{"'a' * 2**25"}, "" +
			"pysock: usage error in EXPR 1: str result of 33554432 characters is over pysock's limit of 4194304 (operator '*') at column 5\n" +
			"  'a' * 2**25\n" +
			"      ^\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPysock(tt.args...)
			assert.Equal(t, 2, code)
			if tt.name != "while evaluating" {
				assert.Empty(t, out)
			}
			assert.Equal(t, tt.stderr, errOut)
		})
	}
}

func TestHelp_ShowsAUsageErrorAsPysockPrintsIt(t *testing.T) {
	_, _, errOut := runPysock("htons($)")
	_, help, _ := runPysock("--help")
	indented := "  " + strings.ReplaceAll(strings.TrimSuffix(errOut, "\n"), "\n", "\n  ") + "\n"
	assert.Contains(t, help, indented)
}

// TestIntFlag_IntsOfAnySizeGiveCPythonsPseudoMembers compares pysock's lines with python3's
// for IntFlag arithmetic with ints of 2**63 and beyond and with negative ints of any size
// (test/pysock's constants.txt has the same expressions in the differential suite).
func TestIntFlag_IntsOfAnySizeGiveCPythonsPseudoMembers(t *testing.T) {
	exprs := []string{
		"AI_CANONNAME|2**63", "AI_CANONNAME&2**63", "2**63|MSG_PEEK", "MSG_PEEK|-2**63-1",
		"AI_CANONNAME^2**63", "2**63&AI_CANONNAME", "2**63^MSG_PEEK", "~(AI_CANONNAME|2**63)",
		"AI_PASSIVE|AI_CANONNAME|2**64", "(AI_CANONNAME|2**63)|MSG_PEEK", "MSG_PEEK|(AI_CANONNAME|2**63)",
		"(MSG_PEEK|2**70)&2**70", "~(MSG_PEEK|-2**63-1)", "MSG_PEEK|-2**100", "AI_CANONNAME^-2**63",
		"AI_PASSIVE|-2049", "(AI_PASSIVE|-2049)+0", "(AI_CANONNAME|2**63)+1", "-(AI_CANONNAME|2**63)",
		"AF_INET|(AI_CANONNAME|2**63)", "True|(AI_CANONNAME|2**63)", "(AI_CANONNAME|2**63)|1.5",
		"[1]*(AI_CANONNAME|2**63)", "getaddrinfo(None, 80, flags=AI_PASSIVE|2**63)",
	}
	var want []string
	testutil.PythonJSON(t, `
import json, socket, sys
from socket import *
out = []
for e in json.load(sys.stdin):
    try:
        out.append(repr(eval(e)))
    except Exception as x:
        out.append(type(x).__name__ + ": " + str(x))
print(json.dumps(out))
`, exprs, &want)
	for i, e := range exprs {
		_, out, errOut := runPysock(e)
		assert.Equal(t, want[i], strings.TrimSuffix(out+errOut, "\n"), e)
	}

	_, out, _ := runPysock("--json", "AI_CANONNAME|2**63", "MSG_PEEK|1024")
	assert.Equal(t, ""+
		`{"ok":true,"value":{"enum":"AddressInfo","name":"AI_CANONNAME|9223372036854775808","value":9223372036854775810},"repr":"<AddressInfo.AI_CANONNAME|9223372036854775808: 9223372036854775810>"}`+"\n"+
		`{"ok":true,"value":{"enum":"MsgFlag","name":"MSG_PEEK|1024","value":1026},"repr":"<MsgFlag.MSG_PEEK|1024: 1026>"}`+"\n", out)
}

// TestJSON_SocketValuesAreTheOpenSocketsCPythonPrints: a result holding sockets is closed
// after it is printed, and its "value" must describe the object "repr" describes (the open
// socket, as CPython's repr shows it), not the closed one.
func TestJSON_SocketValuesAreTheOpenSocketsCPythonPrints(t *testing.T) {
	exprs := []string{"socketpair()", "create_server(('127.0.0.1', 0))", "[socketpair(AF_UNIX, SOCK_DGRAM)]"}
	var want []string
	testutil.PythonJSON(t, `
import json, sys
from socket import *
print(json.dumps([repr(eval(e)) for e in json.load(sys.stdin)]))
`, exprs, &want)
	shape := regexp.MustCompile(`fd=\d+|, \d+\)>`)
	norm := func(s string) string { return shape.ReplaceAllString(s, "N") }
	code, out, _ := runPysock(append([]string{"--json"}, exprs...)...)
	assert.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, len(exprs))
	for i, l := range lines {
		var got struct {
			Value any    `json:"value"`
			Repr  string `json:"repr"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &got), l)
		assert.Equal(t, norm(want[i]), norm(got.Repr), exprs[i])
		assert.NotContains(t, l, "[closed]", exprs[i])
		assert.NotContains(t, l, "fd=-1", exprs[i])
		// Each socket's JSON value is the string of its repr, as in the repr of the result.
		assert.Equal(t, got.Repr, valueReprAny(got.Value), "value and repr describe the same objects: %s", l)
	}
}

// valueReprAny rebuilds the repr of a decoded --json value made of tuples, lists and
// sockets (sockets are encoded as the string of their repr).
func valueReprAny(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			parts[i] = valueReprAny(item)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		items, _ := x["tuple"].([]any)
		parts := make([]string, len(items))
		for i, item := range items {
			parts[i] = valueReprAny(item)
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return "?"
}

// TestJSON_ExceptionGroupHasNoErrno: CPython's ExceptionGroup has no errno attribute, so
// its "errno" is null even when the exceptions it holds have one.
func TestJSON_ExceptionGroupHasNoErrno(t *testing.T) {
	srv, err := facade.CreateServer(py.Tuple{"127.0.0.1", 0}, facade.ServerOptions{})
	require.NoError(t, err)
	name, err := srv.GetSockName()
	require.NoError(t, err)
	srv.Close() // a port nothing listens on
	port := name.(facade.InetAddress).Port
	exprs := []string{
		fmt.Sprintf("create_connection(('127.0.0.1', %d), all_errors=True)", port),
		fmt.Sprintf("create_connection(('127.0.0.1', %d))", port),
	}
	var want []struct {
		Class string `json:"class"`
		Errno *int   `json:"errno"`
		Msg   string `json:"message"`
	}
	testutil.PythonJSON(t, `
import json, sys
from socket import *
out = []
for e in json.load(sys.stdin):
    try:
        eval(e)
    except Exception as x:
        out.append({"class": type(x).__name__, "errno": getattr(x, "errno", None), "message": str(x)})
print(json.dumps(out))
`, exprs, &want)
	require.Len(t, want, len(exprs))
	code, out, _ := runPysock(append([]string{"--json"}, exprs...)...)
	assert.Equal(t, 1, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, len(exprs))
	for i, l := range lines {
		var got struct {
			Error struct {
				Class string `json:"class"`
				Errno *int   `json:"errno"`
				Msg   string `json:"message"`
			} `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &got), l)
		assert.Equal(t, want[i].Class, got.Error.Class, exprs[i])
		assert.Equal(t, want[i].Errno, got.Error.Errno, exprs[i])
		assert.Equal(t, want[i].Msg, got.Error.Msg, exprs[i])
	}
}

// TestArgumentsStartingWithADash: only "-h" and "--" followed by a letter are options;
// other arguments starting with '-' are EXPRs (python3 evaluates each the same), and after
// "--" every argument is one.
func TestArgumentsStartingWithADash(t *testing.T) {
	exprs := []string{"--1", "-1", "---1", "--(1)", "-AF_INET", "--2**3", "--AF_INET", "--has_ipv6"}
	var want []string
	testutil.PythonJSON(t, `
import json, sys
from socket import *
print(json.dumps([repr(eval(e)) for e in json.load(sys.stdin)]))
`, exprs, &want)
	for i, e := range exprs {
		if isOption(e) {
			code, out, errOut := runPysock(e)
			assert.Equal(t, 2, code, e)
			assert.Empty(t, out, e)
			assert.Contains(t, errOut, "pysock -- "+e, "the message says how to pass it")
			code, out, errOut = runPysock("--", e)
			assert.Equal(t, 0, code, e)
			assert.Equal(t, want[i]+"\n", out, e)
			assert.Empty(t, errOut, e)
			continue
		}
		code, out, errOut := runPysock(e)
		assert.Equal(t, 0, code, e)
		assert.Equal(t, want[i]+"\n", out, e)
		assert.Empty(t, errOut, e)
	}
	assert.False(t, isOption("--1"))
	assert.True(t, isOption("--AF_INET"), "ambiguous: taken as an option, as --json is")

	// Options and EXPRs mix until "--".
	code, out, _ := runPysock("--1", "--json", "-1")
	assert.Equal(t, 0, code)
	assert.Equal(t, `{"ok":true,"value":1,"repr":"1"}`+"\n"+`{"ok":true,"value":-1,"repr":"-1"}`+"\n", out)
	_, help, _ := runPysock("--help")
	assert.Contains(t, help, "pysock -- --AF_INET")
}
