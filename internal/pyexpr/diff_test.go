package pyexpr

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/csock/csock/py"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type pyAnswer struct {
	OK     *string `json:"ok"`
	Exc    *string `json:"exc"`
	Syntax *string `json:"syntax"`
}

// askPython evaluates every source with testdata/oracle.py in one python3
// process. It skips the test when python3 is absent.
func askPython(t *testing.T, srcs []string) []pyAnswer {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: differential test skipped")
	}
	in := make([][]rune, len(srcs))
	for i, s := range srcs {
		in[i] = py.Runes(s)
	}
	data, err := json.Marshal(in)
	require.NoError(t, err)
	cmd := exec.Command(python, "testdata/oracle.py")
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "oracle: %s", stderr.String())
	var answers []pyAnswer
	require.NoError(t, json.Unmarshal(out, &answers))
	require.Len(t, answers, len(srcs))
	return answers
}

// outcome is what pysock would print for src: the repr, the exception
// line, or the usage error.
type outcome struct {
	repr  string
	exc   string
	usage *UsageError
}

func run(src string) outcome {
	n, err := Parse(src)
	if err == nil {
		var v any
		v, err = Eval(n, testEnv{})
		if err == nil {
			s, rerr := py.ReprChecked(v)
			if rerr == nil {
				return outcome{repr: s}
			}
			err = rerr
		}
	}
	var u *UsageError
	if errors.As(err, &u) {
		return outcome{usage: u}
	}
	if e, ok := py.AsException(err); ok {
		return outcome{exc: py.FormatException(e)}
	}
	panic("neither a usage error nor a Python exception: " + err.Error())
}

func TestEvalMatchesCPython(t *testing.T) {
	srcs := append(append(append([]string{}, handCases...), matrixCases()...), randomCases()...)
	answers := askPython(t, srcs)
	unsupported := 0
	for i, src := range srcs {
		a, got := answers[i], run(src)
		switch {
		case got.usage != nil && got.usage.Kind == KindUnsupported && a.Syntax == nil:
			// Valid Python that pysock declines: only complex results and
			// printf-style formatting may land here.
			unsupported++
			assert.True(t, strings.Contains(src, "**") || strings.Contains(src, "%"),
				"%q: pysock declines (%v) what python3 evaluates: %+v", src, got.usage, a)
		case a.Syntax != nil:
			if assert.NotNil(t, got.usage, "%q: python3 says SyntaxError %q, pysock gives %+v", src, *a.Syntax, got) {
				assert.Contains(t, []Kind{KindSyntax, KindUnsupported, KindLimit}, got.usage.Kind, "%q", src)
			}
		case a.Exc != nil:
			assert.Equal(t, *a.Exc, got.exc, "%q (pysock usage error: %v)", src, got.usage)
		default:
			assert.Equal(t, *a.OK, got.repr, "%q (pysock: exc %q, usage error %v)", src, got.exc, got.usage)
		}
	}
	t.Logf("%d expressions compared with python3 (%d declined as unsupported)", len(srcs), unsupported)
}
