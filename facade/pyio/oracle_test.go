package pyio

import (
	"sort"
	"sync"
	"testing"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// The codec tests compare with CPython through one python3 run, made the first time a
// test needs it: the cases registered at package initialisation (addCodecCase) are
// decoded or encoded by CPython's codecs module. (The file objects themselves are
// compared with CPython over real sockets in package facade's makefile tests.)

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
import json, sys, codecs
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
print(json.dumps({c['name']: run_codec(c) for c in json.load(sys.stdin)}))
`

var (
	codecCases = map[string]codecCase{}

	codecOracleOnce sync.Once
	codecResults    map[string][]string
)

// addCodecCase registers a codec case and returns its name.
func addCodecCase(c codecCase) string {
	if _, dup := codecCases[c.Name]; dup {
		panic("codec case registered twice: " + c.Name)
	}
	codecCases[c.Name] = c
	return c.Name
}

// runCodecOracle returns CPython's results of every registered case, by name.
func runCodecOracle(t testing.TB) map[string][]string {
	t.Helper()
	codecOracleOnce.Do(func() {
		names := make([]string, 0, len(codecCases))
		for n := range codecCases {
			names = append(names, n)
		}
		sort.Strings(names)
		input := make([]codecCase, len(names))
		for i, n := range names {
			input[i] = codecCases[n]
		}
		var out map[string][]string
		testutil.PythonJSON(t, codecOracle, input, &out)
		codecResults = out
	})
	if codecResults == nil {
		t.Fatal("the python3 oracle failed (see the first test that used it)")
	}
	return codecResults
}

// pyExcLine is an error as CPython's traceback ends: "Class: message".
func pyExcLine(err error) string {
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
