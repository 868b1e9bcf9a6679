package main

import (
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// clearLine returns the cursor to the start of the line and clears it
// (carriage return, then ECMA-48 "erase in line" to its end).
const clearLine = "\r\x1b[K"

// Progress reports how far a run has got on one stream (stderr). On a
// terminal the status of the run is a single line rewritten in place; on
// anything else (a CI log, a pipe, a file) every status is a line of its
// own, so that the log keeps them all.
type Progress struct {
	w io.Writer
	// inPlace says whether the status line is rewritten in place.
	inPlace bool
	// width returns the terminal's columns (0 if unknown): a status line
	// that wrapped could not be rewritten in place.
	width func() int
	// live says whether a status line is shown without its newline.
	live bool
}

// NewProgress reports on f: in place when f is a terminal that can erase
// a line (TERM is not "dumb"), one line per status otherwise.
func NewProgress(f *os.File) *Progress {
	p := &Progress{w: f, width: func() int { return 0 }}
	if isTerminal(f) && os.Getenv("TERM") != "dumb" {
		p.inPlace = true
		p.width = func() int { return termColumns(f) }
	}
	return p
}

// Status shows where the run is: on a terminal it replaces the previous
// status, cut to the terminal's width; elsewhere it is printed as a line.
func (p *Progress) Status(format string, args ...any) {
	line := "benchrun: " + fmt.Sprintf(format, args...)
	if !p.inPlace {
		fmt.Fprintln(p.w, line)
		return
	}
	width := p.width()
	if width <= 0 {
		width = 80
	}
	// One column short of the width: a line that fills the last column
	// leaves some terminals' cursor on the next line.
	fmt.Fprint(p.w, clearLine+cut(line, width-1))
	p.live = true
}

// Logf prints a line that stays (a failure, the end of the run). On a
// terminal it takes the status line's place; the next Status draws a new
// one below it.
func (p *Progress) Logf(format string, args ...any) {
	p.clear()
	fmt.Fprintf(p.w, "benchrun: "+format+"\n", args...)
}

// End finishes a status line left on the terminal with a newline, so that
// what is printed next starts on a line of its own.
func (p *Progress) End() {
	if p.live {
		fmt.Fprint(p.w, "\n")
		p.live = false
	}
}

func (p *Progress) clear() {
	if p.live {
		fmt.Fprint(p.w, clearLine)
		p.live = false
	}
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:max(n, 0)])
}
