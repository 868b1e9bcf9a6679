package testutil

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"
)

// Python3 returns the path of python3, skipping the test when there is none. CI machines
// always have it; only a developer machine without CPython skips the oracle comparisons.
func Python3(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the CPython oracle is unavailable")
	}
	return p
}

// PythonJSON runs a python3 program and decodes the JSON it prints on stdout into out.
// The program gets input (if not nil) as JSON on stdin.
func PythonJSON(t testing.TB, program string, input, out any) {
	t.Helper()
	py := Python3(t)
	cmd := exec.Command(py, "-c", program)
	if input != nil {
		in, err := json.Marshal(input)
		if err != nil {
			t.Fatalf("encoding the oracle's input: %v", err)
		}
		cmd.Stdin = bytes.NewReader(in)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 failed: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("decoding python3's output: %v\n%s", err, stdout)
	}
}
