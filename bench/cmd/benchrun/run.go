package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/csock/csock/bench/internal/benchspec"
)

// RunSpec is how one cell is run.
type RunSpec struct {
	Target  time.Duration
	Quick   bool
	Timeout time.Duration
}

// commandLine is the benchmark protocol's command line for op: its timed phase is
// benchspec.TargetFor(op, spec.Target).
func commandLine(prefix []string, op string, spec RunSpec) []string {
	args := append([]string{}, prefix...)
	args = append(args, "--op", op, "--target-ms", strconv.FormatInt(benchspec.TargetFor(op, spec.Target).Milliseconds(), 10),
		"--max-s", strconv.Itoa(int(spec.Timeout.Seconds())))
	if spec.Quick {
		args = append(args, "--quick")
	}
	return args
}

// RunCell runs one measurement in a fresh process and returns its JSON
// lines, checked against the protocol.
func RunCell(ctx context.Context, prefix []string, impl, op string, spec RunSpec) ([]benchspec.Line, error) {
	ctx, cancel := context.WithTimeout(ctx, spec.Timeout+5*time.Second)
	defer cancel()
	argv := commandLine(prefix, op, spec)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, tail(errb.String(), 600))
	}
	lines, err := ParseLines(out.Bytes(), impl, op)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return lines, nil
}

// tail returns the last n bytes of s, trimmed.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// knownUnits are the units a program may print.
var knownUnits = map[string]bool{
	benchspec.UnitNsPerOp: true, benchspec.UnitUsPerRTT: true, benchspec.UnitMBPerS: true,
	benchspec.UnitConnPerS: true, benchspec.UnitThreads: true, benchspec.UnitRSSKiB: true,
}

// ParseLines decodes a program's standard output: one JSON object per
// non-empty line, each with exactly the protocol's fields, for impl and op,
// a known unit, a positive finite value and a positive op count.
func ParseLines(stdout []byte, impl, op string) ([]benchspec.Line, error) {
	var lines []benchspec.Line
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		var l benchspec.Line
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("bad JSON line %q: %w", text, err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &raw); err != nil {
			return nil, fmt.Errorf("bad JSON line %q: %w", text, err)
		}
		for _, key := range []string{"impl", "op", "unit", "value", "ops", "allocs_per_op", "cpu_s_per_gib"} {
			if _, ok := raw[key]; !ok {
				return nil, fmt.Errorf("JSON line %q lacks %q", text, key)
			}
		}
		switch {
		case l.Impl != impl || l.Op != op:
			return nil, fmt.Errorf("JSON line for %s/%s, want %s/%s", l.Impl, l.Op, impl, op)
		case !knownUnits[l.Unit]:
			return nil, fmt.Errorf("unknown unit %q", l.Unit)
		case !(l.Value > 0) || math.IsInf(l.Value, 0):
			return nil, fmt.Errorf("value %v is not positive and finite", l.Value)
		case l.Ops <= 0:
			return nil, fmt.Errorf("ops %d is not positive", l.Ops)
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, errors.New("no JSON line on standard output")
	}
	return lines, nil
}
