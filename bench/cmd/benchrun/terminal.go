package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// reportWidth is the widest line TextReport prints, so that the report reads
// on a 120-column terminal; latest.md keeps the full tables.
const reportWidth = 120

// colGroup labels the columns [from, to) of a table with a line above their
// headers.
type colGroup struct {
	label    string
	from, to int
}

// termTable is the table for the terminal: per metric, the median of each
// implementation and the facade's cost ratio against c, go and python
// (median; "~" marks a ratio whose rounds disagree on which side costs
// more). Cells come from fmtCompact, so that every op fits reportWidth.
func (r *Run) termTable() (table, []colGroup) {
	t := table{head: []string{"operation", "unit"}}
	t.head = append(t.head, implOrder...)
	t.head = append(t.head, facadePeers...)
	for _, k := range r.metricKeys(false) {
		row := []string{k.Op, k.Unit}
		for _, impl := range implOrder {
			s, text := r.valueSummary(k, impl)
			if text == "" {
				text = fmtCompact(s.Median)
			}
			row = append(row, termPlaceholder(text))
		}
		for _, p := range facadePeers {
			cell := "-"
			if s, ok := r.Data.Ratio(k, "facade", p); ok {
				cell = fmtCompact(s.Median)
				if s.Min < 1 && s.Max > 1 {
					cell += "~"
				}
			}
			row = append(row, cell)
		}
		t.rows = append(t.rows, row)
	}
	n := len(implOrder)
	return t, []colGroup{
		{"median per implementation", 2, 2 + n},
		{"facade cost vs", 2 + n, 2 + n + len(facadePeers)},
	}
}

// termPlaceholder keeps the terminal report ASCII: a not-measured cell is
// "-" there, "—" in latest.md.
func termPlaceholder(text string) string {
	if text == "—" {
		return "-"
	}
	return text
}

// aligned lays t out for a terminal: the first two columns (operation,
// unit) left-aligned, the others right-aligned, two spaces apart, under a
// line that names each group of columns.
func (t table) aligned(groups []colGroup) []string {
	const gap = 2
	w := make([]int, len(t.head))
	for _, row := range append([][]string{t.head}, t.rows...) {
		for i, c := range row {
			w[i] = max(w[i], utf8.RuneCountInString(c))
		}
	}
	span := func(from, to int) int {
		n := gap * (to - from - 1)
		for _, x := range w[from:to] {
			n += x
		}
		return n
	}
	// A label (with a space and two dashes each side) wider than its
	// columns widens the first of them (numbers are right-aligned, so the
	// extra space goes to their left).
	for _, g := range groups {
		if need := utf8.RuneCountInString(g.label) + 6 - span(g.from, g.to); need > 0 {
			w[g.from] += need
		}
	}
	line := func(row []string) string {
		var b strings.Builder
		for i, c := range row {
			if i > 0 {
				b.WriteString(strings.Repeat(" ", gap))
			}
			pad := strings.Repeat(" ", w[i]-utf8.RuneCountInString(c))
			if i < 2 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		return strings.TrimRight(b.String(), " ")
	}
	var g strings.Builder
	for _, grp := range groups {
		g.WriteString(strings.Repeat(" ", span(0, grp.from)+gap-g.Len()))
		fill := span(grp.from, grp.to) - utf8.RuneCountInString(grp.label) - 2
		g.WriteString(strings.Repeat("-", fill/2) + " " + grp.label + " " + strings.Repeat("-", fill-fill/2))
	}
	out := []string{g.String(), line(t.head)}
	for _, row := range t.rows {
		out = append(out, line(row))
	}
	return out
}

// termLegend explains the terminal table; %v is the number of rounds.
const termLegend = `Medians over %v rounds, each run a fresh process. "facade cost vs X": the facade's cost divided by X's, ` +
	`paired within each round, median over rounds; above 1 the facade is slower or more costly (for MB/s and conn/s ` +
	`the ratio is inverted, so this still holds). "~": the rounds disagree (the ratio's min-max spans 1). ` +
	`"-": not measured; "n/a": not applicable.`

// TextReport renders run for the terminal, every line at most reportWidth
// columns: the compact table, where the full tables are (latest.md in
// outDir), and the notes.
func TextReport(r *Run, outDir string) string {
	var b strings.Builder
	b.WriteString("\n")
	b.WriteString(wrap(fmt.Sprintf("csock benchmarks: %v mode, %v rounds of %v ms; %v, %v cores; kernel %v; %v",
		r.Machine["mode"], r.Machine["rounds"], r.Machine["target_ms"], r.Machine["cpu_model"],
		r.Machine["cores"], r.Machine["kernel"], r.Machine["glibc"]), reportWidth))
	b.WriteString("\n\n")
	t, groups := r.termTable()
	for _, line := range t.aligned(groups) {
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + wrap(fmt.Sprintf(termLegend, r.Machine["rounds"]), reportWidth) + "\n")
	b.WriteString(wrap(fmt.Sprintf("Full tables, with min-max ranges, the other paired ratios (go/c, gocgo/go, csock/c, ...) "+
		"and allocations: %s; chart: %s",
		filepath.Join(outDir, "latest.md"), filepath.Join(outDir, "ratios.svg")), reportWidth) + "\n")
	var notes strings.Builder
	r.writeNotes(&notes, "")
	b.WriteString(wrap(notes.String(), reportWidth))
	return b.String()
}

// displayPath shortens path to one relative to the working directory when
// it lies below it.
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return rel
	}
	return path
}

// wrap breaks each line of text at spaces so that none is wider than width
// runes. The continuation lines of an indented line (a list item) hang
// four spaces deeper; a word longer than a line is split.
func wrap(text string, width int) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		cont := indent
		if indent != "" {
			cont += "    "
		}
		cur, n, empty := indent, len(indent), true
		flush := func() {
			out = append(out, cur)
			cur, n, empty = cont, len(cont), true
		}
		for _, word := range strings.Fields(line) {
			for word != "" {
				wn := utf8.RuneCountInString(word)
				sep := 1
				if empty {
					sep = 0
				}
				switch {
				case n+sep+wn <= width:
					cur += strings.Repeat(" ", sep) + word
					n += sep + wn
					empty, word = false, ""
				case !empty:
					flush()
				default:
					head := string([]rune(word)[:max(width-n, 1)])
					cur += head
					word = word[len(head):]
					flush()
				}
			}
		}
		if empty { // a blank line
			cur = ""
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}
