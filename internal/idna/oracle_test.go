package idna

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// runOracle sends one request to testdata/oracle.py, run by a single python3
// process, and decodes the "result" member of its answer into result.
// Strings travel as code point lists so that lone surrogates survive JSON.
//
// The test is skipped when no python3 is on PATH.  An interpreter other than
// CPython 3.11 fails the test instead: its Unicode data differs, so it is not
// a valid reference.
func runOracle(t *testing.T, req map[string]any, result any) {
	t.Helper()
	python := ""
	for _, name := range []string{"python3.11", "python3"} {
		if p, err := exec.LookPath(name); err == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Skip("python3 is not in PATH; skipping the differential test")
	}
	in, err := json.Marshal(req)
	require.NoError(t, err)
	cmd := exec.Command(python, "testdata/oracle.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python oracle failed: %s", stderr.String())
	var resp struct {
		Version []int           `json:"version"`
		Result  json.RawMessage `json:"result"`
	}
	require.NoError(t, json.Unmarshal(out, &resp))
	require.Equal(t, []int{3, 11}, resp.Version,
		"the reference is CPython 3.11 (Unicode 14); %s is another version", python)
	require.NoError(t, json.Unmarshal(resp.Result, result))
}

// pyRepr renders s as Python's ascii() would, for failure messages.
func pyRepr(s []rune) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7F && r != '\'' && r != '\\':
			b.WriteRune(r)
		case r < 0 || r > utf8.MaxRune:
			fmt.Fprintf(&b, "<invalid %#x>", r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
