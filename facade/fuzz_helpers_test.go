//go:build linux

package facade

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/pyexpr"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// The fuzz targets of this package take Python values as the text of a Python expression
// (literals, operators and the module's constants, no calls), so that the committed seeds
// are also the rows of a differential table: the seed test evaluates the same text with
// python3's eval and compares what CPython does with what the facade does.

// literalEnv is the environment of those expressions: the module's constants and no
// functions, so that evaluating one has no side effect.
type literalEnv struct{}

func (literalEnv) Lookup(name string) (any, bool) {
	if name == "has_ipv6" {
		return HasIPv6, true
	}
	v, ok := testConstants[name]
	return v, ok
}
func (literalEnv) HasFunc(string) bool { return false }
func (literalEnv) Call(name string, _ []any, _ []pyexpr.KeywordArg) (any, error) {
	return nil, fmt.Errorf("no function %s", name)
}

// literal evaluates the Python expression src; ok is false when src is not one pyexpr
// evaluates (a usage error, or an exception such as ZeroDivisionError).
func literal(src string) (v any, ok bool) {
	if len(src) > 1<<12 {
		return nil, false
	}
	n, err := pyexpr.Parse(src)
	if err != nil {
		return nil, false
	}
	v, err = pyexpr.Eval(n, literalEnv{})
	return v, err == nil
}

// mustLiteral is literal for a seed, which must evaluate.
func mustLiteral(t testing.TB, src string) any {
	t.Helper()
	v, ok := literal(src)
	require.True(t, ok, "seed expression %q does not evaluate", src)
	return v
}

// seedCorpus returns the committed corpus of the fuzz target name.
func seedCorpus(t testing.TB, name string) []testutil.CorpusEntry {
	t.Helper()
	seeds := testutil.ReadCorpus(t, filepath.Join("testdata", "fuzz", name))
	require.NotEmpty(t, seeds, "no seeds for %s", name)
	return seeds
}

// requirePyException checks that err is a Python exception of one of the classes allowed
// and carries a message (never a bare Go error, never a SystemError), and returns its
// class.
func requirePyException(t testing.TB, err error, allowed ...string) string {
	t.Helper()
	e, ok := py.AsException(err)
	if !ok {
		t.Fatalf("%T %v is not a Python exception", err, err)
	}
	if !slices.Contains(allowed, e.PyClass()) {
		t.Fatalf("%s is not one of the classes CPython raises here (%s)", py.FormatException(e), strings.Join(allowed, ", "))
	}
	if e.Error() == "" {
		t.Fatalf("%s has no message", e.PyClass())
	}
	return e.PyClass()
}

// oserrorClasses are OSError and the subclasses an errno maps to (PEP 3151), which a
// system call may raise anywhere.
var oserrorClasses = []string{"OSError", "BlockingIOError", "ChildProcessError", "ConnectionError",
	"BrokenPipeError", "ConnectionAbortedError", "ConnectionRefusedError", "ConnectionResetError",
	"FileExistsError", "FileNotFoundError", "InterruptedError", "IsADirectoryError",
	"NotADirectoryError", "PermissionError", "ProcessLookupError", "TimeoutError"}

// watchdog turns a call that hangs into a crash that the fuzzer saves: a stalled fuzzer
// says nothing about the input that stalled it.
func watchdog(what string, args ...any) func() bool {
	tm := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("too slow: "+what, args...)) })
	return tm.Stop
}

// pythonOutcome is the prelude of the seed tables' python3 programs: outcome(f) runs f and
// returns 'ok', 'returns <repr>' or the last line of CPython's traceback, the same forms
// goOutcome gives.
const pythonOutcome = `
import json, os, socket, sys, tempfile
NS = {k: getattr(socket, k) for k in dir(socket) if k.isupper()}
NS['has_ipv6'] = socket.has_ipv6
def value(src):
    return eval(src, {'__builtins__': {}}, NS)
def outcome(f):
    try:
        r = f()
    except BaseException as e:
        t = type(e)
        name = t.__name__ if t.__module__ == 'builtins' else t.__module__ + '.' + t.__name__
        s = str(e)
        return name + ': ' + s if s else name
    return 'ok' if r is None else 'returns ' + repr(r)
`

// goOutcome is pythonOutcome's outcome for a facade call's result and error.
func goOutcome(v any, err error) string {
	if err != nil {
		if e, ok := py.AsException(err); ok {
			return py.FormatException(e)
		}
		return "Go error: " + err.Error()
	}
	if v == nil {
		return "ok"
	}
	return "returns " + py.Repr(v)
}
