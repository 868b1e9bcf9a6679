// Command benchrun is the driver behind `make bench`: it builds the
// benchmark programs, runs every (operation, implementation) cell in a fresh
// process for several rounds, and reports medians and paired cost ratios.
//
//	go run ./bench/cmd/benchrun [-quick] [-rounds N] [-target-ms N] [-ops a,b] [-impls a,b]
//
// Each round visits the operations in order and, for each operation, runs
// the implementations in a freshly shuffled order, so slow drifts of a
// shared machine hit every implementation alike. Ratios are taken pair by
// pair within a round and summarized by their median over rounds.
//
// Progress goes to stderr: on a terminal one line rewritten in place per
// measurement, elsewhere (CI logs, pipes) a line per measurement. A compact
// table that fits 120 columns goes to stdout; bench/results/ gets the full
// tables in latest.json and latest.md, and the chart in ratios.svg. The
// exit status is 1 when a cell failed (after the reports are written), 2 on
// a usage or build error.
// Cells of implementations not registered yet are listed as missing, never
// measured or faked.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/csock/csock/bench/internal/benchspec"
)

// Run is everything a report needs.
type Run struct {
	Ops         []string
	Listed      map[string]map[string]bool // impl -> operations it implements
	Unavailable map[string]string          // impl -> why its program is absent
	Failed      map[[2]string]int          // (op, impl) -> failed rounds
	Failures    []string
	Data        Data
	Machine     map[string]any
	Quick       bool
}

// Cell states shown in the tables.
const (
	stateOK      = "ok"
	stateMissing = "missing" // expected but not registered: "—"
	stateNA      = "n/a"     // not expected of this implementation
)

// State says whether impl has, lacks, or need not have op.
func (r *Run) State(impl, op string) string {
	if !expects(impl, op) {
		return stateNA
	}
	if r.Listed[impl][op] {
		return stateOK
	}
	return stateMissing
}

// Missing lists, per implementation in table order, the operations it is
// expected to have but does not.
func (r *Run) Missing() [][2]string {
	var out [][2]string
	for _, impl := range implOrder {
		var ops []string
		for _, op := range r.Ops {
			if r.State(impl, op) == stateMissing {
				ops = append(ops, op)
			}
		}
		switch {
		case len(ops) == 0:
		case len(ops) == len(r.Ops):
			why := "not registered in bench/gobench (impl_" + impl + ".go)"
			if reason, ok := r.Unavailable[impl]; ok {
				why = reason
			} else if impl == "c" || impl == "python" {
				why = "program does not list them"
			}
			out = append(out, [2]string{impl, fmt.Sprintf("all %d operations — %s", len(ops), why)})
		default:
			out = append(out, [2]string{impl, strings.Join(ops, ", ")})
		}
	}
	return out
}

type cellKey struct{ op, impl string }

func main() {
	quick := flag.Bool("quick", false, "smoke mode: every op briefly (also QUICK=1 in the environment)")
	rounds := flag.Int("rounds", 0, "rounds (default 5, quick 2)")
	targetMS := flag.Int("target-ms", 0, "timed phase per measurement in ms (default 300, quick 30)")
	opsFlag := flag.String("ops", "", "comma-separated operations (default all)")
	implsFlag := flag.String("impls", "", "comma-separated implementations (default all)")
	seed := flag.Uint64("seed", 0, "shuffle seed (default: from the clock)")
	rootFlag := flag.String("root", "", "repository root (default: found from the working directory)")
	outFlag := flag.String("out", "", "results directory (default ROOT/bench/results)")
	buildFlag := flag.String("build-dir", "", "build directory (default ROOT/bench/build)")
	flag.Parse()
	status = NewProgress(os.Stderr)

	if v := os.Getenv("QUICK"); v != "" && v != "0" && v != "false" {
		*quick = true
	}
	if *rounds <= 0 {
		*rounds = 5
		if *quick {
			*rounds = 2
		}
	}
	if *targetMS <= 0 {
		*targetMS = 300
		if *quick {
			*targetMS = 30
		}
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	spec := RunSpec{Target: time.Duration(*targetMS) * time.Millisecond, Quick: *quick, Timeout: 180 * time.Second}
	if *quick {
		spec.Timeout = 60 * time.Second
	}

	ops, err := selectOps(*opsFlag)
	if err != nil {
		fatal(2, "%v", err)
	}
	impls, err := selectImpls(*implsFlag)
	if err != nil {
		fatal(2, "%v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()

	root, err := findRoot(*rootFlag)
	if err != nil {
		fatal(2, "%v", err)
	}
	buildDir := *buildFlag
	if buildDir == "" {
		buildDir = filepath.Join(root, "bench", "build")
	}
	outDir := *outFlag
	if outDir == "" {
		outDir = filepath.Join(root, "bench", "results")
	}
	progress("building into %s", buildDir)
	progs, err := Build(ctx, root, buildDir)
	if err != nil {
		fatal(2, "%v", err)
	}
	listed, err := progs.Listings(ctx)
	if err != nil {
		fatal(2, "%v", err)
	}
	progress("built in %s", time.Since(start).Round(100*time.Millisecond))

	mode := "full"
	if *quick {
		mode = "quick"
	}
	run := &Run{
		Ops: ops, Listed: listed, Unavailable: progs.Unavailable,
		Failed: map[[2]string]int{}, Data: Data{}, Quick: *quick,
		Machine: Machine(ctx, root, progs, map[string]any{
			"mode": mode, "rounds": *rounds, "target_ms": *targetMS, "seed": *seed,
			"c_flags": strings.Join(cFlags, " "),
		}),
	}

	// The plan: per round, per op, the runnable implementations.
	var perRound []cellKey
	for _, op := range ops {
		for _, impl := range impls {
			if run.State(impl, op) == stateOK {
				if _, ok := progs.Argv[impl]; ok {
					perRound = append(perRound, cellKey{op, impl})
				}
			}
		}
	}
	total := len(perRound) * *rounds
	rng := rand.New(rand.NewPCG(*seed, 0x63736f636b))
	durs := map[cellKey]time.Duration{}
	var doneN int
	var doneDur time.Duration
	runStart := time.Now()

rounds:
	for r := 1; r <= *rounds; r++ {
		for _, op := range ops {
			var cells []cellKey
			for _, c := range perRound {
				if c.op == op {
					cells = append(cells, c)
				}
			}
			rng.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
			for _, c := range cells {
				if ctx.Err() != nil {
					progress("interrupted: reporting what was measured")
					break rounds
				}
				status.Status("round %d/%d  %-22s %-7s (%d/%d)  elapsed %s  ETA %s", r, *rounds, c.op, c.impl,
					doneN+1, total, fmtDur(time.Since(runStart)), fmtDur(eta(durs, doneN, doneDur, perRound, r, *rounds)))
				t0 := time.Now()
				lines, err := RunCell(ctx, progs.Argv[c.impl], c.impl, c.op, spec)
				d := time.Since(t0)
				durs[c] = d
				doneN++
				doneDur += d
				if err != nil {
					run.Failed[[2]string{c.op, c.impl}]++
					msg := fmt.Sprintf("round %d %s/%s: %v", r, c.op, c.impl, err)
					run.Failures = append(run.Failures, msg)
					progress("FAILED %s", msg)
					continue
				}
				for _, l := range lines {
					run.Data.Add(r, l)
				}
			}
		}
	}
	status.Logf("measured %d of %d in %s, %d failed", doneN, total, fmtDur(time.Since(runStart)), len(run.Failures))
	run.Machine["duration_s"] = time.Since(start).Round(time.Second).Seconds()
	run.Machine["loadavg_end"] = loadAvg()

	report := &Report{Machine: run.Machine, Results: run.Data.Results(), Ratios: run.Data.Ratios()}
	if err := WriteReports(outDir, run, report); err != nil {
		fatal(2, "%v", err)
	}
	fmt.Print(TextReport(run, displayPath(outDir)))
	progress("done in %s; wrote %s", fmtDur(time.Since(start)), filepath.Join(outDir, "latest.{json,md}, ratios.svg"))
	if len(run.Failures) > 0 || ctx.Err() != nil {
		os.Exit(1)
	}
}

// eta estimates the time left in the run, during round r: each remaining
// cell costs what it cost last round, or the mean cell time so far.
func eta(durs map[cellKey]time.Duration, doneN int, doneDur time.Duration, perRound []cellKey, r, rounds int) time.Duration {
	if doneN == 0 {
		return 0
	}
	mean := doneDur / time.Duration(doneN)
	est := func(c cellKey) time.Duration {
		if d, ok := durs[c]; ok {
			return d
		}
		return mean
	}
	var left time.Duration
	for _, c := range perRound {
		left += est(c) * time.Duration(rounds-r) // the rounds after this one
	}
	// This round: the cells not yet run in it (the shuffle only reorders
	// cells within one operation, so position in the plan is close enough).
	doneThisRound := doneN - (r-1)*len(perRound)
	for i := doneThisRound; i < len(perRound); i++ {
		left += est(perRound[i])
	}
	return left
}

func selectOps(list string) ([]string, error) {
	if list == "" {
		return benchspec.Ops, nil
	}
	var out []string
	for _, op := range strings.Split(list, ",") {
		if !benchspec.IsKnown(op) {
			return nil, fmt.Errorf("unknown operation %q (known: %s)", op, strings.Join(benchspec.Ops, ", "))
		}
		out = append(out, op)
	}
	return out, nil
}

func selectImpls(list string) ([]string, error) {
	if list == "" {
		return implOrder, nil
	}
	var out []string
	for _, impl := range strings.Split(list, ",") {
		found := false
		for _, known := range implOrder {
			found = found || known == impl
		}
		if !found {
			return nil, fmt.Errorf("unknown implementation %q (known: %s)", impl, strings.Join(implOrder, ", "))
		}
		out = append(out, impl)
	}
	return out, nil
}

// status is where progress goes: stderr, one line per status until main
// finds out whether stderr is a terminal.
var status = &Progress{w: os.Stderr, width: func() int { return 0 }}

// progress prints a line that stays on stderr (the per-measurement status
// goes through status.Status instead).
func progress(format string, args ...any) { status.Logf(format, args...) }

func fatal(code int, format string, args ...any) {
	status.Logf(format, args...)
	os.Exit(code)
}

func fmtDur(d time.Duration) string {
	return d.Round(time.Second).String()
}
