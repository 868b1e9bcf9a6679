package py

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/csock/csock/internal/testutil"
)

// repr(), str() and type(e).__name__ of the exceptions csock raises, and repr() of
// complex numbers, against python3 building the same values.
func TestExceptionsAndComplex_ReprStrTypeNameAsCPython(t *testing.T) {
	cases := []struct {
		expr string // builds the value in Python
		v    any
	}{
		{"ConnectionRefusedError(111, 'Connection refused')", NewOSError(111, "Connection refused")},
		{"OSError(22, 'Invalid argument')", NewOSError(22, "Invalid argument")},
		{"OSError('illegal IP address string passed to inet_aton')", OSMessage("illegal IP address string passed to inet_aton")},
		{"TimeoutError('timed out')", &TimeoutError{}},
		{"socket.gaierror(-2, 'Name or service not known')", &GaiError{Code: -2, Strerror: "Name or service not known"}},
		{"socket.herror(1, 'Unknown host')", &HError{Code: 1, Strerror: "Unknown host"}},
		{"ValueError(\"it's\")", &ValueError{Msg: "it's"}},
		{"TypeError('x')", &TypeError{Msg: "x"}},
		{"OverflowError('signed integer is greater than maximum')", &OverflowError{Msg: "signed integer is greater than maximum"}},
		{"AttributeError(\"'NoneType' object has no attribute 'fileno'\")", &AttributeError{Msg: "'NoneType' object has no attribute 'fileno'"}},
		{"LookupError('unknown encoding: x')", &LookupError{Msg: "unknown encoding: x"}},
		{"io.UnsupportedOperation('not readable')", &UnsupportedOperation{Msg: "not readable"}},
		{"RuntimeWarning('w')", &RuntimeWarning{Msg: "w"}},
		{"BlockingIOError(11, 'write could not complete without blocking', 5)", NewWriteBlocked(5)},
		{"UnicodeDecodeError('utf-8', b'a\\xff', 1, 2, 'invalid start byte')",
			&UnicodeDecodeError{Encoding: "utf-8", Object: []byte("a\xff"), Start: 1, End: 2, Reason: "invalid start byte"}},
		{"ExceptionGroup('g', [ConnectionRefusedError(111, 'Connection refused'), TimeoutError('timed out')])",
			&ExceptionGroup{Msg: "g", Errors: []error{NewOSError(111, "Connection refused"), &TimeoutError{}}}},
		{"ExceptionGroup('g', [Exception('plain go error')])",
			&ExceptionGroup{Msg: "g", Errors: []error{errors.New("plain go error")}}},
		{"1j", complex(0, 1)},
		{"complex(1, 2)", complex(1, 2)},
		{"complex(-1.5, -2)", complex(-1.5, -2)},
		{"complex(-0.0, 1)", complex(math.Copysign(0, -1), 1)},
		{"complex(-0.0, -0.0)", complex(math.Copysign(0, -1), math.Copysign(0, -1))},
		{"complex(0, -0.0)", complex(0, math.Copysign(0, -1))},
		{"complex(1e16, 1e-7)", complex(1e16, 1e-7)},
		{"complex(float('inf'), float('nan'))", complex(math.Inf(1), math.NaN())},
		{"complex(float('nan'), -float('inf'))", complex(math.NaN(), math.Inf(-1))},
		{"complex(1, 2)", complex64(complex(1, 2))},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.expr
	}
	var want [][3]string
	testutil.PythonJSON(t, `
import io, json, socket, sys
out = []
for e in json.load(sys.stdin):
    v = eval(e)
    out.append([repr(v), str(v), type(v).__name__])
print(json.dumps(out))
`, exprs, &want)
	for i, c := range cases {
		assert.Equal(t, want[i], [3]string{Repr(c.v), Str(c.v), TypeName(c.v)}, c.expr)
	}
}
