package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProgress_NotATerminalPrintsALinePerStatus(t *testing.T) {
	var b bytes.Buffer
	p := &Progress{w: &b, width: func() int { return 0 }}
	p.Status("round %d/%d  %s", 1, 2, "gethostname")
	p.Status("round %d/%d  %s", 1, 2, "socket_close")
	p.Logf("FAILED %s", "x")
	p.End()
	assert.Equal(t, "benchrun: round 1/2  gethostname\nbenchrun: round 1/2  socket_close\nbenchrun: FAILED x\n", b.String())
	assert.NotContains(t, b.String(), "\r")
}

func TestProgress_TerminalRewritesOneLineAndEndsWithANewline(t *testing.T) {
	var b bytes.Buffer
	p := &Progress{w: &b, inPlace: true, width: func() int { return 30 }}
	p.Status("round 1/2  gethostname  c")
	p.Status("round 1/2  gethostname  python  (2/20)  elapsed 0s  ETA 1s")
	p.Logf("FAILED round 1 gethostname/python")
	p.Status("round 1/2  socket_close  go")
	p.End()
	p.End()
	want := []string{
		"",
		"benchrun: round 1/2  gethostn", // 29 columns: one short of the width
		"benchrun: round 1/2  gethostn",
		"benchrun: FAILED round 1 gethostname/python\n", // a lasting line replaces the status
		"benchrun: round 1/2  socket_c\n",               // End: one newline, once
	}
	assert.Equal(t, strings.Join(want, clearLine), b.String())

	// Nothing shown in place: End adds nothing, Logf clears nothing.
	b.Reset()
	p.Logf("done")
	p.End()
	assert.Equal(t, "benchrun: done\n", b.String())
}
