//go:build linux

package hermetic

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

//go:embed testdata/lookups.txt testdata/cpython.golden testdata/eval.py
var testdata embed.FS

// Case is one line of the lookup table.
type Case struct {
	Line    int    // line number in testdata/lookups.txt
	Expr    string // the Python call, as written
	Comment string // the line's "# comment", if any
	Group   string // the "# @group" the line is in
	Call    Call   // Expr parsed
}

// Lookups returns the lookup table (testdata/lookups.txt).
func Lookups() ([]Case, error) {
	b, err := testdata.ReadFile("testdata/lookups.txt")
	if err != nil {
		return nil, err
	}
	return ParseLookups(b)
}

// ParseLookups parses a lookup table: one Python call per line, an
// optional trailing "# comment", blank lines and comment lines ignored,
// "# @group text" lines naming the group of the lines after them.
func ParseLookups(b []byte) ([]Case, error) {
	var cases []Case
	group := ""
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "# @") {
			group, _, _ = strings.Cut(strings.TrimPrefix(line, "# @"), " ")
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		expr, comment := splitComment(line)
		call, err := ParseCall(expr)
		if err != nil {
			return nil, fmt.Errorf("lookups.txt:%d: %w", n, err)
		}
		if prev, dup := seen[expr]; dup {
			return nil, fmt.Errorf("lookups.txt:%d: %s is already on line %d", n, expr, prev)
		}
		seen[expr] = n
		cases = append(cases, Case{Line: n, Expr: expr, Comment: comment, Group: group, Call: call})
	}
	return cases, sc.Err()
}

// GoldenCase is a case with CPython's answer in DefaultWorld.
type GoldenCase struct {
	Expr   string
	Output string // repr(result), or the last traceback line
}

// goldenPrompt starts an expression line in cpython.golden.
const goldenPrompt = ">>> "

// Golden returns CPython's answers to the lookup table in DefaultWorld, in
// table order (testdata/cpython.golden).
func Golden() ([]GoldenCase, error) {
	b, err := testdata.ReadFile("testdata/cpython.golden")
	if err != nil {
		return nil, err
	}
	return ParseGolden(b)
}

// ParseGolden parses cpython.golden: "# " comment lines, then for each
// case a line ">>> expr" and a line with the output.
func ParseGolden(b []byte) ([]GoldenCase, error) {
	var out []GoldenCase
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		if !strings.HasPrefix(l, goldenPrompt) || i+1 >= len(lines) {
			return nil, fmt.Errorf("cpython.golden:%d: want %q and an output line", i+1, goldenPrompt)
		}
		out = append(out, GoldenCase{Expr: strings.TrimPrefix(l, goldenPrompt), Output: lines[i+1]})
		i++
	}
	return out, nil
}

// FormatGolden renders cases as cpython.golden.
func FormatGolden(header string, cases []GoldenCase) []byte {
	var b bytes.Buffer
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		fmt.Fprintf(&b, "# %s\n", l)
	}
	for _, c := range cases {
		fmt.Fprintf(&b, "%s%s\n%s\n", goldenPrompt, c.Expr, c.Output)
	}
	return b.Bytes()
}

var pythonPath struct {
	once sync.Once
	path string
}

// Python returns the python3 to run: $HERMETIC_PYTHON, or the interpreter
// that python3 on $PATH runs (resolved once: a pyenv shim costs a second
// and a half a start), or python3.
func Python() string {
	if p := os.Getenv("HERMETIC_PYTHON"); p != "" {
		return p
	}
	pythonPath.once.Do(func() {
		pythonPath.path = "python3"
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "python3", "-c", "import sys; print(sys.executable)").Output()
		if p := strings.TrimSpace(string(out)); err == nil && filepath.IsAbs(p) {
			pythonPath.path = p
		}
	})
	return pythonPath.path
}

// EvalPython evaluates every expression with one python3 process, as the
// pysock CLI does (testdata/eval.py), and returns one output per
// expression. It must run inside the world for the answers to mean
// anything.
func EvalPython(ctx context.Context, exprs []string) ([]string, error) {
	script, err := testdata.ReadFile("testdata/eval.py")
	if err != nil {
		return nil, err
	}
	for _, e := range exprs {
		if strings.ContainsAny(e, "\n\r") {
			return nil, fmt.Errorf("expression %q has a newline", e)
		}
	}
	cmd := exec.CommandContext(ctx, Python(), "-c", string(script))
	cmd.Stdin = strings.NewReader(strings.Join(exprs, "\n") + "\n")
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", Python(), err, stderr.String())
	}
	out := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(out) != len(exprs) {
		return nil, fmt.Errorf("%s printed %d lines for %d expressions: %s", Python(), len(out), len(exprs), stderr.String())
	}
	return out, nil
}

// CompareWithCPython checks an evaluator against CPython's answers to the
// lookup table, line by line, one subtest per case. eval gets an
// expression such as "getaddrinfo('multi.test', 80)" and must return what
// pysock prints for it: repr(result), or the last line of the traceback
// ("socket.gaierror: [Errno -2] Name or service not known").
//
// The answers hold in DefaultWorld only: the calling package's TestMain
// must enter it with Main(m, DefaultWorld()).
func CompareWithCPython(t *testing.T, eval func(expr string) string) {
	t.Helper()
	env := Require(t)
	require.True(t, reflect.DeepEqual(env.World, DefaultWorld()),
		"CompareWithCPython: CPython's answers hold in DefaultWorld only; TestMain entered another world")
	golden, err := Golden()
	require.NoError(t, err)
	cases, err := Lookups()
	require.NoError(t, err)
	require.Len(t, golden, len(cases), "cpython.golden is stale: regenerate it (see lookups.txt)")
	for i, c := range cases {
		require.Equal(t, c.Expr, golden[i].Expr, "cpython.golden is stale: regenerate it (see lookups.txt)")
		want := golden[i].Output
		t.Run(fmt.Sprintf("L%03d", c.Line), func(t *testing.T) {
			assert.Equal(t, want, eval(c.Expr), "lookups.txt:%d: %s", c.Line, c.Expr)
		})
	}
}
