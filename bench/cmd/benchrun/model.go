package main

import (
	"github.com/csock/csock/bench/internal/benchspec"
)

// implOrder is the column order of every table.
var implOrder = []string{"c", "python", "go", "gocgo", "facade", "csock", "libcnet"}

// goImpls are the implementations inside bench/gobench.
var goImpls = []string{"go", "gocgo", "facade", "csock", "libcnet"}

// expects reports whether impl should implement op: gocgo covers the
// resolver operations only, libcnet the two its Resolver mirrors; csock, the
// binding, has no timeouts (no policy), so pingpong_tcp_timeout is not its;
// every other implementation covers them all.
func expects(impl, op string) bool {
	switch impl {
	case "gocgo":
		return benchspec.IsResolver(op)
	case "csock":
		return op != benchspec.PingPongTCPTimeout
	case "libcnet": // libcnet.Resolver's LookupHost and LookupPort
		return op == benchspec.GetAddrInfoLocalhost || op == benchspec.GetServByName
	}
	return true
}

// facadePeers are the implementations the facade is compared with in the
// main table and the chart.
var facadePeers = []string{"c", "go", "python"}

// ratioPairs lists every (num, den) cost ratio the driver computes.
var ratioPairs = [][2]string{
	{"facade", "c"}, {"facade", "go"}, {"facade", "python"},
	{"facade", "csock"}, {"csock", "c"}, {"csock", "go"},
	{"gocgo", "go"}, {"gocgo", "c"}, {"go", "c"}, {"python", "c"},
	{"libcnet", "c"}, {"libcnet", "gocgo"}, {"libcnet", "go"},
}

// MetricKey names one metric: an operation and a unit.
type MetricKey struct {
	Op, Unit string
}

// Name is how a metric appears in the ratios list and tables: the bare
// operation for its headline unit, "op:unit" for the others
// (bulk_tcp:cpu_s/GiB, idle_10k:rss_kib).
func (k MetricKey) Name() string {
	if k.Unit == benchspec.PrimaryUnit(k.Op) {
		return k.Op
	}
	return k.Op + ":" + k.Unit
}

// metricUnits lists, in display order, the units reported for op: the
// headline unit, then the secondary ones, then allocs/op (Go only).
func metricUnits(op string) []string {
	units := []string{benchspec.PrimaryUnit(op)}
	if benchspec.HasCPUPerGiB(op) {
		units = append(units, benchspec.UnitCPUPerGiB)
	}
	if base, _ := benchspec.BaseOp(op); base == benchspec.Idle10k {
		return append(units, benchspec.UnitRSSKiB) // no allocation count: not a timed loop
	}
	return append(units, benchspec.UnitAllocsPerOp)
}

// Data holds every sample of a run: metric -> implementation -> samples.
type Data map[MetricKey]map[string][]Sample

// Add records the metrics of one JSON line from round r: its value, and the
// allocs_per_op and cpu_s_per_gib fields as metrics of their own.
func (d Data) Add(r int, l benchspec.Line) {
	d.add(MetricKey{l.Op, l.Unit}, l.Impl, r, l.Value)
	if l.AllocsPerOp != nil {
		d.add(MetricKey{l.Op, benchspec.UnitAllocsPerOp}, l.Impl, r, *l.AllocsPerOp)
	}
	if l.CPUSecPerGiB != nil {
		d.add(MetricKey{l.Op, benchspec.UnitCPUPerGiB}, l.Impl, r, *l.CPUSecPerGiB)
	}
}

func (d Data) add(k MetricKey, impl string, r int, v float64) {
	if d[k] == nil {
		d[k] = map[string][]Sample{}
	}
	d[k][impl] = append(d[k][impl], Sample{Round: r, Value: v})
}

// ResultRow is one entry of "results" in latest.json.
type ResultRow struct {
	Op     string  `json:"op"`
	Impl   string  `json:"impl"`
	Unit   string  `json:"unit"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Runs   int     `json:"runs"`
}

// RatioRow is one entry of "ratios" in latest.json: the median, minimum and
// maximum over rounds of the per-round cost ratio num/den (see CostRatio).
// Op is a MetricKey.Name.
type RatioRow struct {
	Op     string  `json:"op"`
	Num    string  `json:"num"`
	Den    string  `json:"den"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Report is latest.json.
type Report struct {
	Machine map[string]any `json:"machine"`
	Results []ResultRow    `json:"results"`
	Ratios  []RatioRow     `json:"ratios"`
}

// metricOrder returns the metrics present in d in display order.
func (d Data) metricOrder() []MetricKey {
	var out []MetricKey
	for _, op := range benchspec.Ops {
		for _, u := range metricUnits(op) {
			if k := (MetricKey{op, u}); d[k] != nil {
				out = append(out, k)
			}
		}
	}
	return out
}

// Results summarizes every (metric, implementation) in display order.
func (d Data) Results() []ResultRow {
	out := []ResultRow{}
	for _, k := range d.metricOrder() {
		for _, impl := range implOrder {
			samples := d[k][impl]
			if len(samples) == 0 {
				continue
			}
			s := Summarize(values(samples))
			out = append(out, ResultRow{Op: k.Op, Impl: impl, Unit: k.Unit,
				Median: s.Median, Min: s.Min, Max: s.Max, Runs: s.N})
		}
	}
	return out
}

// Ratio returns the summary of per-round cost ratios num/den for k, and
// false when no round has both.
func (d Data) Ratio(k MetricKey, num, den string) (Summary, bool) {
	rs := PairedRatios(k.Unit, d[k][num], d[k][den])
	if len(rs) == 0 {
		return Summary{}, false
	}
	return Summarize(rs), true
}

// Ratios computes every pair in ratioPairs for every metric except
// allocations (whose zero counts make ratios meaningless).
func (d Data) Ratios() []RatioRow {
	out := []RatioRow{}
	for _, k := range d.metricOrder() {
		if k.Unit == benchspec.UnitAllocsPerOp {
			continue
		}
		for _, p := range ratioPairs {
			if s, ok := d.Ratio(k, p[0], p[1]); ok {
				out = append(out, RatioRow{Op: k.Name(), Num: p[0], Den: p[1],
					Median: s.Median, Min: s.Min, Max: s.Max})
			}
		}
	}
	return out
}
