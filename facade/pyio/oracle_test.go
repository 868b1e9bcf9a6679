package pyio

import (
	"sort"
	"sync"
	"testing"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// The tests compare with CPython through one python3 run, made the first time a test
// needs it, of what was registered at package initialisation: codec cases
// (addCodecCase), decoded or encoded by CPython's codecs module, and fake-socket
// scenarios (addFakeScenario, scenario_test.go), which CPython's own socket.makefile runs
// over a Python twin of fakeSocket. (package facade's makefile tests compare the file
// objects with CPython's over real sockets.)

// codecCase is a codec case: Bytes decoded (final, or in the pieces Split gives, the
// last one final), or Text (code points) encoded.
type codecCase struct {
	Name     string  `json:"name"`
	Encoding string  `json:"encoding"`
	Errors   string  `json:"errors"`
	Bytes    *string `json:"bytes,omitempty"` // hex
	Split    []int   `json:"split,omitempty"`
	Text     []rune  `json:"text,omitempty"`
}

const codecOracle = `
import json, sys, codecs, errno, io, re, socket
def exc(e):
    t = type(e)
    name = t.__name__ if t.__module__ == 'builtins' else t.__module__ + '.' + t.__name__
    s = str(e)
    return name + ': ' + s if s else name
def X(f):
    try:
        return repr(f())
    except BaseException as e:
        return '!' + exc(e)
def run_codec(c):
    if c.get('bytes') is not None:
        data = bytes.fromhex(c['bytes'])
        d = codecs.getincrementaldecoder(c['encoding'])(c['errors'])
        cuts = [0] + c.get('split', []) + [len(data)]
        outs = []
        for i in range(len(cuts) - 1):
            final = i == len(cuts) - 2
            outs.append(X(lambda: d.decode(data[cuts[i]:cuts[i+1]], final)))
        return outs
    text = ''.join(map(chr, c.get('text', [])))
    return [X(lambda: text.encode(c['encoding'], c['errors']))]
`

var (
	codecCases    = map[string]codecCase{}
	fakeScenarios = map[string]fakeScenario{}

	oracleOnce sync.Once
	oracle     *oracleOutput
)

// oracleOutput is what the python3 run prints: the results of each case and scenario,
// by name.
type oracleOutput struct {
	Codecs    map[string][]string `json:"codecs"`
	Scenarios map[string][]string `json:"scenarios"`
}

// addCodecCase registers a codec case and returns its name.
func addCodecCase(c codecCase) string {
	if _, dup := codecCases[c.Name]; dup {
		panic("codec case registered twice: " + c.Name)
	}
	codecCases[c.Name] = c
	return c.Name
}

// runOracle runs every registered case and scenario in python3, once.
func runOracle(t testing.TB) *oracleOutput {
	t.Helper()
	oracleOnce.Do(func() {
		program := codecOracle + fakeScenarioPython + `
inp = json.load(sys.stdin)
print(json.dumps({'codecs': {c['name']: run_codec(c) for c in inp['codecs']},
                  'scenarios': {sc['name']: run_fake(sc) for sc in inp['scenarios']}}))
`
		input := map[string]any{"codecs": sortedValues(codecCases), "scenarios": sortedValues(fakeScenarios)}
		var out oracleOutput
		testutil.PythonJSON(t, program, input, &out)
		oracle = &out
	})
	if oracle == nil {
		t.Fatal("the python3 oracle failed (see the first test that used it)")
	}
	return oracle
}

func sortedValues[V any](m map[string]V) []V {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vs := make([]V, len(keys))
	for i, k := range keys {
		vs[i] = m[k]
	}
	return vs
}

// pyExcLine is an error as CPython's traceback ends: "Class: message".
func pyExcLine(err error) string {
	if err == nil {
		return "no error"
	}
	if e, ok := py.AsException(err); ok {
		return py.FormatException(e)
	}
	return "Go error: " + err.Error()
}

// rRepr is the result string of a call that returned v (already a repr) or failed:
// "None" for ErrNone, "!Class: message" for an exception.
func rRepr(v string, err error) string {
	switch {
	case err == ErrNone:
		return "None"
	case err != nil:
		return "!" + pyExcLine(err)
	}
	return v
}
