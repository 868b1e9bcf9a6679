//go:build linux

package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/csock/csock/bench/internal/benchspec"
)

// Op performs one measurement of one operation and returns its metrics.
// Build Ops with the helpers in harness.go ([Call], [Loop], [PingPong],
// [Bulk], [Idle]) rather than by hand: they hold the warm-up, the timing
// loop, allocation counting and the teardown rules shared by every Go
// implementation.
type Op func(cfg Config) ([]Metric, error)

// Config is what the command line says about one measurement.
type Config struct {
	// Target is how long the timed phase should last (--target-ms).
	Target time.Duration
	// Quick shortens the warm-up and the idle settle time (--quick).
	Quick bool
	// Pinned is true for the *_pinned variants: the process (all of its
	// threads) is bound to a single CPU before the op runs.
	Pinned bool
}

// Metric is one number an Op reports. The harness turns it into a
// [benchspec.Line] by adding the implementation and operation names.
type Metric struct {
	Unit         string
	Value        float64
	Ops          int64
	AllocsPerOp  *float64
	CPUSecPerGiB *float64
}

// registry maps implementation name -> operation name -> Op.
var registry = map[string]map[string]Op{}

// Register adds the operations of one implementation to the table that
// --impl/--op select from. It is meant to be called from an init function
// in impl_<name>.go, once per implementation:
//
//	func init() {
//		Register("facade", map[string]Op{
//			benchspec.GetHostName: Call(func() error {
//				_, err := facade.GetHostName()
//				return err
//			}),
//			// ...
//		})
//	}
//
// Only base operations are registered: pingpong_unix_pinned and
// pingpong_tcp_pinned exist automatically wherever pingpong_unix and
// pingpong_tcp do. An operation left out is reported by the driver as a
// missing cell; never register a stand-in.
//
// Register panics on a duplicate implementation, an unknown operation name
// or a pinned name, so mistakes fail at start-up.
func Register(impl string, ops map[string]Op) {
	if _, dup := registry[impl]; dup {
		panic(fmt.Sprintf("gobench: implementation %q registered twice", impl))
	}
	for name, op := range ops {
		if !benchspec.IsKnown(name) {
			panic(fmt.Sprintf("gobench: %s: unknown operation %q", impl, name))
		}
		if _, pinned := benchspec.BaseOp(name); pinned {
			panic(fmt.Sprintf("gobench: %s: register %q without the %s suffix", impl, name, benchspec.PinnedSuffix))
		}
		if op == nil {
			panic(fmt.Sprintf("gobench: %s: nil Op for %q", impl, name))
		}
	}
	registry[impl] = ops
}

// lookup finds the Op for impl and op (pinned names resolve to their base).
func lookup(impl, op string) (Op, bool) {
	ops, ok := registry[impl]
	if !ok {
		return nil, false
	}
	base, _ := benchspec.BaseOp(op)
	fn, ok := ops[base]
	return fn, ok
}

// listings returns, for every registered implementation in name order, the
// operations it provides in report order (pinned variants included).
func listings() []benchspec.Listing {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]benchspec.Listing, 0, len(names))
	for _, name := range names {
		l := benchspec.Listing{Impl: name, Ops: []string{}}
		for _, op := range benchspec.Ops {
			if _, ok := lookup(name, op); ok {
				l.Ops = append(l.Ops, op)
			}
		}
		out = append(out, l)
	}
	return out
}
