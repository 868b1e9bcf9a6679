package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/csock/csock/bench/internal/benchspec"
)

// otherPairs are the ratio columns of the second table.
var otherPairs = [][2]string{
	{"go", "c"}, {"gocgo", "go"}, {"python", "c"}, {"csock", "c"}, {"csock", "go"}, {"facade", "csock"},
	{"libcnet", "c"}, {"libcnet", "gocgo"}, {"libcnet", "go"},
}

// fmtNum prints v with three significant digits, using k/M/G/T suffixes
// for large values (the cells of latest.md).
func fmtNum(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return "?"
	case a >= 1e4:
		return fmtCompact(v)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a == 0:
		return "0"
	case a < 0.001:
		return fmt.Sprintf("%.2e", v)
	}
	return trimZeros(fmt.Sprintf("%.3g", v))
}

// trimZeros drops an exponent-free "%.3g" result's useless sign.
func trimZeros(s string) string { return strings.TrimPrefix(s, "+") }

// siScales are the suffixes of large numbers, largest first.
var siScales = []struct {
	scale  float64
	suffix string
}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}}

// compactWidth is the most characters fmtCompact prints for a positive value.
const compactWidth = 6

// fmtCompact prints v in at most compactWidth characters (seven when negative),
// which the terminal table relies on to fit its width: three significant
// digits with a k/M/G/T suffix from 10^4 up ("12.3k", "999k", "1.23M"),
// whole numbers from 100 ("9994"), plain decimals from 0.01 ("0.0123",
// "1.23"), and a short exponent beyond (two digits "1.2e-3" down to 10^-9,
// one digit "5e-324" below, "1e15" from 10^15).
func fmtCompact(v float64) string {
	switch {
	case math.IsNaN(v):
		return "?"
	case math.IsInf(v, 1):
		return "inf"
	case v < 0:
		return "-" + fmtCompact(-v)
	case v == 0:
		return "0"
	}
	// Choose the form by the value as printed, so that 999_999 is "1M"
	// rather than "1e+03k".
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	switch {
	case r >= 1e15:
		return shortExp(v, 0)
	case r >= 1e4:
		for _, s := range siScales {
			if r >= s.scale {
				return strconv.FormatFloat(r/s.scale, 'g', 3, 64) + s.suffix
			}
		}
	case r >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case r >= 0.01:
		return strconv.FormatFloat(r, 'g', 3, 64)
	case r >= 1e-9:
		return shortExp(v, 1)
	}
	return shortExp(v, 0)
}

// shortExp prints v in exponent form with prec digits after the point and
// the exponent without sign padding: "1.2e-3", "5e-324", "1e15".
func shortExp(v float64, prec int) string {
	mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', prec, 64), "e")
	e, _ := strconv.Atoi(exp)
	return mant + "e" + strconv.Itoa(e)
}

// fmtSummary prints "median (min–max)".
func fmtSummary(s Summary) string {
	if s.N <= 1 {
		return fmtNum(s.Median)
	}
	return fmt.Sprintf("%s (%s–%s)", fmtNum(s.Median), fmtNum(s.Min), fmtNum(s.Max))
}

// valueSummary returns impl's values for k, or the text that stands in for
// them: "n/a", "—" (not measured) or "FAILED".
func (r *Run) valueSummary(k MetricKey, impl string) (Summary, string) {
	switch r.State(impl, k.Op) {
	case stateNA:
		return Summary{}, "n/a"
	case stateMissing:
		return Summary{}, "—"
	}
	samples := r.Data[k][impl]
	if len(samples) == 0 {
		if r.Failed[[2]string{k.Op, impl}] > 0 {
			return Summary{}, "FAILED"
		}
		return Summary{}, "—"
	}
	return Summarize(values(samples)), ""
}

// valueCell is the table cell for one metric and implementation.
func (r *Run) valueCell(k MetricKey, impl string) string {
	s, text := r.valueSummary(k, impl)
	if text != "" {
		return text
	}
	return fmtSummary(s)
}

// ratioCell is the table cell for one ratio.
func (r *Run) ratioCell(k MetricKey, num, den string) string {
	s, ok := r.Data.Ratio(k, num, den)
	if !ok {
		return "—"
	}
	return fmtSummary(s)
}

// table is a header plus rows of cells.
type table struct {
	head []string
	rows [][]string
}

// mainTable is operation × implementation plus the facade's ratios.
func (r *Run) mainTable() table {
	t := table{head: []string{"operation", "unit"}}
	t.head = append(t.head, implOrder...)
	for _, p := range facadePeers {
		t.head = append(t.head, "facade/"+p)
	}
	for _, k := range r.metricKeys(false) {
		row := []string{k.Op, k.Unit}
		for _, impl := range implOrder {
			row = append(row, r.valueCell(k, impl))
		}
		for _, p := range facadePeers {
			row = append(row, r.ratioCell(k, "facade", p))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// ratioTable holds the other paired ratios.
func (r *Run) ratioTable() table {
	t := table{head: []string{"operation", "unit"}}
	for _, p := range otherPairs {
		t.head = append(t.head, p[0]+"/"+p[1])
	}
	for _, k := range r.metricKeys(false) {
		row := []string{k.Op, k.Unit}
		for _, p := range otherPairs {
			row = append(row, r.ratioCell(k, p[0], p[1]))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// allocTable holds allocations per op of the Go implementations.
func (r *Run) allocTable() table {
	t := table{head: []string{"operation"}}
	t.head = append(t.head, goImpls...)
	for _, k := range r.metricKeys(true) {
		row := []string{k.Op}
		for _, impl := range goImpls {
			row = append(row, r.valueCell(k, impl))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// metricKeys lists the metrics of the selected operations in display
// order: allocation counts only (allocs) or everything else.
func (r *Run) metricKeys(allocs bool) []MetricKey {
	var out []MetricKey
	for _, op := range r.Ops {
		for _, u := range metricUnits(op) {
			if (u == benchspec.UnitAllocsPerOp) == allocs {
				out = append(out, MetricKey{op, u})
			}
		}
	}
	return out
}

func (t table) markdown() string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(t.head, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat(" --- |", len(t.head)) + "\n")
	for _, row := range t.rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}

// legend explains how to read the tables.
const legend = `Values: median over rounds (min–max); each run is a fresh process. Ratios: num/den
taken pair by pair within each round (the implementations of one operation run back to
back, in shuffled order), then median (min–max) over rounds, always as a cost: above 1
means num is slower or more costly. For MB/s and conn/s (higher is better) the ratio is
den/num, so it still reads as a cost. "—" = not measured (missing implementation or
failed run), "n/a" = not applicable (gocgo covers the resolver operations only, libcnet
getaddrinfo_localhost and getservbyname; csock, which has no timeouts, not
pingpong_tcp_timeout).`

// writeNotes lists quick-mode caveats, missing cells and failures.
func (r *Run) writeNotes(b *strings.Builder, bullet string) {
	if r.Quick {
		fmt.Fprintf(b, "\n%sQuick mode: short timed phases; idle_10k holds 1,000 connections, not 10,000.\n", bullet)
	}
	if missing := r.Missing(); len(missing) > 0 {
		fmt.Fprintf(b, "\nMissing cells (expected, not implemented yet):\n")
		for _, m := range missing {
			fmt.Fprintf(b, "%s  %s: %s\n", bullet, m[0], m[1])
		}
	}
	if len(r.Failures) > 0 {
		fmt.Fprintf(b, "\nFailed runs (%d):\n", len(r.Failures))
		for _, f := range r.Failures {
			fmt.Fprintf(b, "%s  %s\n", bullet, strings.ReplaceAll(f, "\n", " "))
		}
	}
}

// Markdown renders latest.md.
func Markdown(r *Run) string {
	var b strings.Builder
	b.WriteString("# csock benchmark results\n\n")
	b.WriteString("Generated by `make bench` (bench/cmd/benchrun); do not edit by hand.\n\n")
	b.WriteString("## Machine and run\n\n| key | value |\n| --- | --- |\n")
	for _, k := range sortedKeys(r.Machine) {
		fmt.Fprintf(&b, "| %s | %v |\n", k, r.Machine[k])
	}
	b.WriteString("\n## Results\n\n")
	b.WriteString(r.mainTable().markdown())
	b.WriteString("\n" + legend + "\n")
	b.WriteString("\n## Targets\n\n")
	b.WriteString(r.targetsMarkdown())
	b.WriteString("\n## Facade cost ratios\n\n![cost ratios](ratios.svg)\n")
	b.WriteString("\n## Other paired cost ratios\n\n")
	b.WriteString(r.ratioTable().markdown())
	b.WriteString("\n## Allocations per op (Go implementations)\n\n")
	b.WriteString(r.allocTable().markdown())
	var notes strings.Builder
	r.writeNotes(&notes, "-")
	if notes.Len() > 0 {
		b.WriteString("\n## Notes\n")
		b.WriteString(notes.String())
	}
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MarshalReport renders latest.json.
func MarshalReport(rep *Report) ([]byte, error) {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// WriteReports writes latest.json, latest.md and ratios.svg into dir.
func WriteReports(dir string, r *Run, rep *Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := MarshalReport(rep)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"latest.json": js,
		"latest.md":   []byte(Markdown(r)),
		"ratios.svg":  []byte(RatioSVG(r)),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
