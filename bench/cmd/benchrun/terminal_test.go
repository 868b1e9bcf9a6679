package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/bench/internal/benchspec"
)

// worstCaseRun has every operation of benchspec.Ops measured by every
// implementation that should have it, with values and ratios at the widest
// fmtCompact prints, a failed cell, a long CPU model and a long failure.
func worstCaseRun() *Run {
	all := map[string]bool{}
	for _, op := range benchspec.Ops {
		all[op] = true
	}
	r := &Run{
		Ops:    benchspec.Ops,
		Listed: map[string]map[string]bool{},
		Failed: map[[2]string]int{{benchspec.Idle10k, "csock"}: 3}, Data: Data{},
		Machine: map[string]any{"cpu_model": "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz with a very long marketing name",
			"cores": 128, "mode": "full", "rounds": 3, "target_ms": 300, "kernel": "6.18.44-fc-v782-some-long-vendor-suffix",
			"glibc": "glibc 2.36"},
		Quick: true,
		Failures: []string{"round 1 idle_10k/csock: /work/wt/somewhere/bench/build/gobench --impl csock --op idle_10k " +
			"--target-ms 300 --max-s 180: exit status 1: " + strings.Repeat("x", 300) + " and then\nmore"},
	}
	for _, impl := range implOrder {
		r.Listed[impl] = all
	}
	// csock lists two operations only: a missing-cells note longer than a line.
	r.Listed["csock"] = map[string]bool{benchspec.SocketClose: true, benchspec.Idle10k: true}
	// Per-round cost ratios of the facade: medians print as "4.6e-3" and the
	// rounds straddle 1, so each ratio cell is "4.6e-3~", seven characters.
	ratios := []float64{0.00123, 0.00456, 5}
	for _, op := range benchspec.Ops {
		for _, unit := range metricUnits(op) {
			for round := 1; round <= 3; round++ {
				for _, impl := range implOrder {
					if r.State(impl, op) != stateOK || (op == benchspec.Idle10k && impl == "csock") {
						continue
					}
					v := 1.23e-5 // "1.2e-5"
					if impl == "facade" {
						v *= ratios[round-1] // median "5.6e-8"
					}
					r.Data.add(MetricKey{op, unit}, impl, round, v)
				}
			}
		}
	}
	return r
}

func TestTextReport_EveryLineFitsATerminalWithTheRealOpsAndWorstCaseNumbers(t *testing.T) {
	r := worstCaseRun()
	text := TextReport(r, "/a/rather/long/results/directory/somewhere/outside/the/working/tree/bench/results")
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		assert.LessOrEqual(t, utf8.RuneCountInString(line), reportWidth, "line %d: %q", i+1, line)
	}

	// The table itself is ASCII, so that bytes, runes and columns agree
	// (mawk's length counts bytes).
	tbl, groups := r.termTable()
	aligned := tbl.aligned(groups)
	for _, line := range aligned {
		assert.LessOrEqual(t, len(line), reportWidth, "%q", line)
		for _, c := range line {
			require.Less(t, c, rune(utf8.RuneSelf), "%q", line)
		}
	}
	assert.Contains(t, text, "4.6e-3~", "the widest ratio cell really is in the table")
	assert.Contains(t, text, "1.2e-5")
	assert.Contains(t, text, "FAILED")

	// Every metric of every operation has its row, with its unit.
	for _, k := range r.metricKeys(false) {
		found := false
		for _, line := range aligned {
			f := strings.Fields(line)
			found = found || (len(f) > 2 && f[0] == k.Op && f[1] == k.Unit)
		}
		assert.True(t, found, "no row for %s %s", k.Op, k.Unit)
	}
	for _, p := range []string{"latest.md", "ratios.svg", "Failed runs (1)", "Missing cells", "Quick mode"} {
		assert.Contains(t, text, p)
	}
	assert.Contains(t, strings.ReplaceAll(text, "\n", ""), strings.Repeat("x", 100), "a long failure is wrapped, not cut")
}

func TestTermTable_GroupLabelsSpanTheirColumns(t *testing.T) {
	r := sampleRun()
	tbl, groups := r.termTable()
	lines := tbl.aligned(groups)
	require.GreaterOrEqual(t, len(lines), 3)
	group, head := lines[0], lines[1]
	assert.Len(t, group, len(head), "the last group ends with the last column")
	last := implOrder[len(implOrder)-1]
	medianEnd := strings.Index(head, last) + len(last)
	assert.Equal(t, "-", group[medianEnd-1:medianEnd], "the median group ends over the last implementation's column")
	assert.Equal(t, " ", group[medianEnd:medianEnd+1])
	assert.Contains(t, group, " median per implementation ")
	assert.True(t, strings.HasSuffix(group, "-"), group)

	// Numbers are right-aligned: the medians of gethostname end where their
	// headers end.
	for _, line := range lines[2:] {
		if strings.HasPrefix(line, benchspec.GetHostName+" ") {
			cEnd := strings.Index(head, "  c ") + len("  c")
			assert.Equal(t, "150", strings.TrimSpace(line[cEnd-5:cEnd]), line)
		}
	}
}

func TestWrap(t *testing.T) {
	assert.Equal(t, "one two\nthree", wrap("one two three", 8))
	assert.Equal(t, "  one two\n      three", wrap("  one two three", 11), "an indented line's continuations hang deeper")
	assert.Equal(t, "abcdefgh\nijklmn", wrap("abcdefghijklmn", 8), "a word longer than a line is split")
	assert.Equal(t, " abcdefg\n     hij\n     klm", wrap(" abcdefghijklm", 8))
	assert.Equal(t, "a\n\nb", wrap("a\n\nb", 8), "blank lines stay")
	assert.Equal(t, "", wrap("", 8))
	for _, line := range strings.Split(wrap(strings.Repeat("word ", 100)+strings.Repeat("y", 500), 120), "\n") {
		assert.LessOrEqual(t, utf8.RuneCountInString(line), 120)
	}
}
