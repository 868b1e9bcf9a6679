// Package pysock_test runs the differential suite: every case file of cases/ is evaluated
// by pysock in one process and by CPython (live when python3 3.11 is installed, else the
// committed golden answers), and the two are compared line by line, per stream.
package pysock_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// record is one line of a golden file or of gen_golden.py --emit.
type record struct {
	Src     int    `json:"src"`
	Expr    string `json:"expr"`
	Stream  string `json:"stream"`
	Line    string `json:"line"`
	Machine bool   `json:"machine"`
	Format  string `json:"format"`
}

func here(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Dir(file)
}

// buildPysock builds cmd/pysock into a temporary directory.
func buildPysock(t *testing.T) string {
	exe := filepath.Join(t.TempDir(), "pysock")
	cmd := exec.Command("go", "build", "-o", exe, "github.com/csock/csock/cmd/pysock")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return exe
}

func readRecords(t *testing.T, r []byte) []record {
	var recs []record
	sc := bufio.NewScanner(bytes.NewReader(r))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var rec record
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "%s", sc.Text())
		if rec.Format != "" {
			continue
		}
		recs = append(recs, rec)
	}
	require.NoError(t, sc.Err())
	return recs
}

// livePython reports whether python3 is CPython 3.11, the version the suite targets.
func livePython() bool {
	out, err := exec.Command("python3", "--version").Output()
	return err == nil && strings.HasPrefix(string(out), "Python 3.11.")
}

// pysockLines runs pysock with exprs and returns its stdout and stderr lines.
func pysockLines(t *testing.T, exe string, exprs []string) (stdout, stderr []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, append([]string{"--"}, exprs...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		err = nil // some EXPR raised, as expected
	}
	require.NoError(t, err, "pysock failed: %s", e.String())
	return lines(o.String()), lines(e.String())
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func TestPysockMatchesCPython(t *testing.T) {
	dir := here(t)
	exe := buildPysock(t)
	goldens, err := filepath.Glob(filepath.Join(dir, "golden", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, goldens)
	live := livePython()
	if !live {
		t.Log("python3 3.11 not found: comparing with the committed golden answers")
	}
	total := 0
	for _, golden := range goldens {
		name := filepath.Base(golden)
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			var recs []record
			if live {
				cmd := exec.Command("python3", filepath.Join(dir, "gen_golden.py"), "--emit", filepath.Join(dir, "cases", name))
				out, err := cmd.Output()
				require.NoError(t, err)
				recs = readRecords(t, out)
			} else {
				data, err := os.ReadFile(golden)
				require.NoError(t, err)
				for _, r := range readRecords(t, data) {
					if !r.Machine {
						recs = append(recs, r)
					}
				}
			}
			exprs := make([]string, len(recs))
			var wantOut, wantErr []record
			for i, r := range recs {
				exprs[i] = r.Expr
				if r.Stream == "out" {
					wantOut = append(wantOut, r)
				} else {
					wantErr = append(wantErr, r)
				}
			}
			gotOut, gotErr := pysockLines(t, exe, exprs)
			compare(t, name, "stdout", wantOut, gotOut)
			compare(t, name, "stderr", wantErr, gotErr)
			total += len(recs)
		})
	}
	t.Logf("%d cases compared", total)
}

func compare(t *testing.T, file, stream string, want []record, got []string) {
	t.Helper()
	for i, r := range want {
		if i >= len(got) {
			assert.Fail(t, "missing line", "%s cases/%s:%d %s: CPython printed %q, pysock nothing more", stream, file, r.Src, r.Expr, r.Line)
			return
		}
		if got[i] != r.Line {
			assert.Fail(t, "mismatch", "%s cases/%s:%d %s\n  CPython: %s\n  pysock:  %s", stream, file, r.Src, r.Expr, r.Line, got[i])
			return // later lines shift after the first difference; one report per stream
		}
	}
	assert.Len(t, got, len(want), "%s of %s: pysock printed more lines than CPython", stream, file)
}
