package main

import (
	"fmt"
	"strings"

	"github.com/csock/csock/bench/internal/benchspec"
)

// A target is a limit an issue set on one measured figure: the cost ratio num/den of a
// metric (den empty: num's own median) must stay at or below Max. latest.md lists each
// with the run's median (min–max) and whether the median meets it.
type target struct {
	Op, Unit string
	Num, Den string
	Max      float64
	Why      string // the issue that set it
}

// targets are the open limits, in the order the issues give them.
var targets = []target{
	// The I/O engine on Go's runtime poller (issue 12).
	{benchspec.PingPongTCP, benchspec.UnitUsPerRTT, "facade", "go", 1.15, "I/O engine"},
	{benchspec.PingPongUnix, benchspec.UnitUsPerRTT, "facade", "go", 1.15, "I/O engine"},
	{benchspec.PingPongTCPPinned, benchspec.UnitUsPerRTT, "facade", "go", 1.15, "I/O engine"},
	{benchspec.PingPongUnixPinned, benchspec.UnitUsPerRTT, "facade", "go", 1.15, "I/O engine"},
	{benchspec.PingPongTCPTimeout, benchspec.UnitUsPerRTT, "facade", "go", 1.25, "I/O engine"},
	{benchspec.BulkTCP, benchspec.UnitMBPerS, "facade", "go", 1.05, "I/O engine"},
	{benchspec.BulkTCP, benchspec.UnitCPUPerGiB, "facade", "go", 1.05, "I/O engine"},
	{benchspec.ConnectAcceptClose, benchspec.UnitConnPerS, "facade", "go", 0.6, "I/O engine"},
	{benchspec.ConnectAcceptClose, benchspec.UnitConnPerS, "facade", "c", 1.15, "I/O engine"},
	{benchspec.Idle10k, benchspec.UnitThreads, "facade", "", 64, "I/O engine"},
	{benchspec.Idle10k, benchspec.UnitRSSKiB, "facade", "go", 1.5, "I/O engine"},
	// Messages, descriptor passing, sendfile (issue 14).
	{benchspec.SendFileTCP, benchspec.UnitMBPerS, "facade", "go", 1.10, "messages"},
	{benchspec.SendFileTCP, benchspec.UnitMBPerS, "facade", "python", 0.90, "messages"},
	{benchspec.FDPass, benchspec.UnitNsPerOp, "facade", "go", 1.10, "messages"},
	{benchspec.FDPass, benchspec.UnitNsPerOp, "facade", "python", 0.90, "messages"},
	// The cost of the layers over libc (issue 15).
	{benchspec.GetAddrInfoLocalhost, benchspec.UnitNsPerOp, "facade", "csock", 1.04, "resolver"},
	{benchspec.GetNameInfo, benchspec.UnitNsPerOp, "facade", "csock", 1.04, "resolver"},
	{benchspec.GetServByName, benchspec.UnitNsPerOp, "facade", "csock", 1.04, "resolver"},
	{benchspec.GetAddrInfoLocalhost, benchspec.UnitNsPerOp, "facade", "python", 1.0, "resolver"},
	{benchspec.GetAddrInfoNumeric, benchspec.UnitNsPerOp, "facade", "python", 1.0, "resolver"},
	{benchspec.GetNameInfo, benchspec.UnitNsPerOp, "facade", "python", 1.0, "resolver"},
	{benchspec.GetServByName, benchspec.UnitNsPerOp, "facade", "python", 1.0, "resolver"},
	{benchspec.GetHostByNameEx, benchspec.UnitNsPerOp, "facade", "python", 1.0, "resolver"},
	{benchspec.GetAddrInfoNumeric, benchspec.UnitNsPerOp, "csock", "c", 2.5, "resolver"},
	{benchspec.GetAddrInfoNumeric, benchspec.UnitNsPerOp, "facade", "c", 4, "resolver"},
	{benchspec.GetAddrInfoLocalhost, benchspec.UnitNsPerOp, "libcnet", "c", 1.10, "resolver"},
	{benchspec.GetAddrInfoLocalhost, benchspec.UnitNsPerOp, "libcnet", "gocgo", 0.6, "resolver"},
	{benchspec.GetServByName, benchspec.UnitNsPerOp, "libcnet", "c", 1.10, "resolver"},
	{benchspec.GetServByName, benchspec.UnitNsPerOp, "libcnet", "gocgo", 0.6, "resolver"},
}

// name is how the target reads: "pingpong_tcp facade/go ≤ 1.15".
func (t target) name() string {
	m := t.Op
	if t.Unit != benchspec.PrimaryUnit(t.Op) {
		m += " " + t.Unit
	}
	if t.Den == "" {
		return fmt.Sprintf("%s %s ≤ %s", m, t.Num, fmtNum(t.Max))
	}
	return fmt.Sprintf("%s %s/%s ≤ %s", m, t.Num, t.Den, fmtNum(t.Max))
}

// evaluate returns the target's figure in r, and false when r did not measure it.
func (t target) evaluate(r *Run) (Summary, bool) {
	k := MetricKey{t.Op, t.Unit}
	if t.Den == "" {
		samples := r.Data[k][t.Num]
		if len(samples) == 0 {
			return Summary{}, false
		}
		return Summarize(values(samples)), true
	}
	return r.Data.Ratio(k, t.Num, t.Den)
}

// targetsMarkdown is latest.md's Targets section.
func (r *Run) targetsMarkdown() string {
	var b strings.Builder
	b.WriteString("| target | set by | measured: median (min–max) | |\n| --- | --- | --- | --- |\n")
	met, measured := 0, 0
	for _, t := range targets {
		s, ok := t.evaluate(r)
		verdict, cell := "not measured", "—"
		if ok {
			measured++
			cell = fmtSummary(s)
			if s.Median <= t.Max {
				met++
				verdict = fmt.Sprintf("met (margin %.0f%%)", 100*(t.Max-s.Median)/t.Max)
			} else {
				verdict = fmt.Sprintf("missed (over by %.0f%%)", 100*(s.Median-t.Max)/t.Max)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.name(), t.Why, cell, verdict)
	}
	fmt.Fprintf(&b, "\n%d of %d targets met by the median (%d measured). Ratios are costs, as above.\n", met, len(targets), measured)
	return b.String()
}
