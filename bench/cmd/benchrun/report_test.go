package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/bench/internal/benchspec"
)

// sampleRun is a two-round run of c, go and python on two operations, with
// the facade and csock not registered.
func sampleRun() *Run {
	all := map[string]bool{}
	for _, op := range benchspec.Ops {
		all[op] = true
	}
	r := &Run{
		Ops:    benchspec.Ops,
		Listed: map[string]map[string]bool{"c": all, "go": all, "python": all},
		Failed: map[[2]string]int{}, Data: Data{},
		Machine: map[string]any{"cpu_model": "test cpu", "cores": 2, "mode": "quick",
			"rounds": 2, "target_ms": 30, "kernel": "6.x", "glibc": "glibc 2.36"},
	}
	allocs := 2.0
	for round := 1; round <= 2; round++ {
		for impl, v := range map[string]float64{"c": 100, "go": 150, "python": 400} {
			l := benchspec.Line{Impl: impl, Op: benchspec.GetHostName, Unit: benchspec.UnitNsPerOp, Value: v * float64(round), Ops: 10}
			if impl == "go" {
				l.AllocsPerOp = &allocs
			}
			r.Data.Add(round, l)
			r.Data.Add(round, benchspec.Line{Impl: impl, Op: benchspec.ConnectAcceptClose, Unit: benchspec.UnitConnPerS, Value: 1e6 / v, Ops: 10})
		}
	}
	return r
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestReportJSON_HasExactlyTheDocumentedShape(t *testing.T) {
	r := sampleRun()
	rep := &Report{Machine: r.Machine, Results: r.Data.Results(), Ratios: r.Data.Ratios()}
	b, err := MarshalReport(rep)
	require.NoError(t, err)

	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, []string{"machine", "ratios", "results"}, keysOf(doc))
	require.IsType(t, map[string]any{}, doc["machine"])

	results, ok := doc["results"].([]any)
	require.True(t, ok)
	require.NotEmpty(t, results)
	for _, row := range results {
		assert.Equal(t, []string{"impl", "max", "median", "min", "op", "runs", "unit"}, keysOf(row.(map[string]any)))
	}
	ratios, ok := doc["ratios"].([]any)
	require.True(t, ok)
	require.NotEmpty(t, ratios)
	for _, row := range ratios {
		assert.Equal(t, []string{"den", "max", "median", "min", "num", "op"}, keysOf(row.(map[string]any)))
	}

	// Spot-check values: gethostname go/c is 1.5 in both rounds; the
	// throughput op's ratio is inverted into a cost (go makes fewer conn/s).
	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	find := func(op, num, den string) RatioRow {
		for _, rr := range back.Ratios {
			if rr.Op == op && rr.Num == num && rr.Den == den {
				return rr
			}
		}
		t.Fatalf("no ratio %s %s/%s", op, num, den)
		return RatioRow{}
	}
	assert.InDelta(t, 1.5, find("gethostname", "go", "c").Median, 1e-9)
	assert.InDelta(t, 1.5, find("connect_accept_close", "go", "c").Median, 1e-9)
	assert.InDelta(t, 4, find("gethostname", "python", "c").Max, 1e-9)

	for _, row := range back.Results {
		if row.Op == "gethostname" && row.Impl == "c" && row.Unit == benchspec.UnitNsPerOp {
			assert.Equal(t, ResultRow{Op: "gethostname", Impl: "c", Unit: "ns/op", Median: 150, Min: 100, Max: 200, Runs: 2}, row)
		}
	}
}

func TestMissingCellsAreListedNotFaked(t *testing.T) {
	r := sampleRun()
	missing := r.Missing()
	require.Len(t, missing, 4)
	assert.Equal(t, "gocgo", missing[0][0])
	assert.Equal(t, "getaddrinfo_localhost, getaddrinfo_numeric, getnameinfo, getservbyname, gethostbyname_ex", missing[0][1],
		"gocgo is expected to have the resolver operations only")
	assert.Equal(t, "facade", missing[1][0])
	assert.Contains(t, missing[1][1], "all 17 operations")
	assert.Equal(t, "csock", missing[2][0])
	assert.Equal(t, []string{"libcnet", "getaddrinfo_localhost, getservbyname"}, missing[3][:2],
		"libcnet is expected to have its two rows only")

	assert.Equal(t, stateNA, r.State("gocgo", benchspec.BulkTCP))
	assert.Equal(t, "—", r.valueCell(MetricKey{benchspec.GetHostName, benchspec.UnitNsPerOp}, "facade"))
	assert.Equal(t, "n/a", r.valueCell(MetricKey{benchspec.GetHostName, benchspec.UnitNsPerOp}, "gocgo"))
	assert.Equal(t, "—", r.ratioCell(MetricKey{benchspec.GetHostName, benchspec.UnitNsPerOp}, "facade", "c"))

	text := TextReport(r, "bench/results")
	assert.Contains(t, text, "facade cost vs")
	assert.Contains(t, text, "facade: all 17 operations")
	assert.Contains(t, text, "bench/results/latest.md", "the terminal report says where the full tables are")
	md := Markdown(r)
	assert.Contains(t, md, "| gethostname | ns/op | 150 (100–200) | 600 (400–800) | 225 (150–300) | n/a | — | — | n/a | — | — | — |")
	assert.Contains(t, md, "![cost ratios](ratios.svg)")
}

func TestRatioSVG_IsWellFormedWithReferenceLine(t *testing.T) {
	r := sampleRun()
	svg := RatioSVG(r)
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	assert.Contains(t, svg, "facade not measured yet", "without facade data the chart says what it shows instead")
	assert.Contains(t, svg, `stroke-dasharray="4 2"`, "the 1.0 reference line")
	assert.Contains(t, svg, ">go/c<")

	// With facade data the facade's pairs are charted.
	for round := 1; round <= 2; round++ {
		r.Data.Add(round, benchspec.Line{Impl: "facade", Op: benchspec.GetHostName, Unit: benchspec.UnitNsPerOp, Value: 300, Ops: 1})
	}
	svg = RatioSVG(r)
	assert.NotContains(t, svg, "facade not measured yet")
	assert.Contains(t, svg, ">facade/python<")
}

func TestParseLines(t *testing.T) {
	good := `{"impl":"c","op":"idle_10k","unit":"threads","value":10001,"ops":10000,"allocs_per_op":null,"cpu_s_per_gib":null}` + "\n" +
		`{"impl":"c","op":"idle_10k","unit":"rss_kib","value":84160,"ops":10000,"allocs_per_op":null,"cpu_s_per_gib":null}` + "\n"
	lines, err := ParseLines([]byte(good), "c", "idle_10k")
	require.NoError(t, err)
	require.Len(t, lines, 2)
	assert.Equal(t, benchspec.UnitRSSKiB, lines[1].Unit)
	assert.Nil(t, lines[0].AllocsPerOp)

	for name, bad := range map[string]string{
		"empty":         "",
		"not JSON":      "hello\n",
		"extra field":   `{"impl":"c","op":"gethostname","unit":"ns/op","value":1,"ops":1,"allocs_per_op":null,"cpu_s_per_gib":null,"x":1}`,
		"missing field": `{"impl":"c","op":"gethostname","unit":"ns/op","value":1,"ops":1,"allocs_per_op":null}`,
		"other op":      `{"impl":"c","op":"socket_close","unit":"ns/op","value":1,"ops":1,"allocs_per_op":null,"cpu_s_per_gib":null}`,
		"bad unit":      `{"impl":"c","op":"gethostname","unit":"s","value":1,"ops":1,"allocs_per_op":null,"cpu_s_per_gib":null}`,
		"zero value":    `{"impl":"c","op":"gethostname","unit":"ns/op","value":0,"ops":1,"allocs_per_op":null,"cpu_s_per_gib":null}`,
		"zero ops":      `{"impl":"c","op":"gethostname","unit":"ns/op","value":1,"ops":0,"allocs_per_op":null,"cpu_s_per_gib":null}`,
	} {
		_, err := ParseLines([]byte(bad), "c", "gethostname")
		assert.Error(t, err, name)
	}
}

func TestFmtNum(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 0.5: "0.5", 1.234: "1.23", 12.34: "12.3", 123.4: "123", 9999: "9999",
		12345: "12.3k", 999_000: "999k", 12_345_678: "12.3M", 0.0001: "1.00e-04",
		// Before: "1.23e+03k", "1e+03k", "1.5e+03M".
		1_234_567: "1.23M", 999_999: "1M", 1.5e9: "1.5G",
	} {
		assert.Equal(t, want, fmtNum(v), "%v", v)
	}
}

func TestFmtCompact(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 0.5: "0.5", 1.234: "1.23", 12.34: "12.3", 99.96: "100", 123.4: "123", 9994: "9994",
		9996: "10k", 12345: "12.3k", 999_999: "1M", 1_234_567: "1.23M", 4.56e13: "45.6T",
		0.0123: "0.0123", 0.00996: "1.0e-2", 0.000612: "6.1e-4", 1e-12: "1e-12", 5e-324: "5e-324",
		2.6e15: "3e15", math.MaxFloat64: "2e308", math.Inf(1): "inf", math.NaN(): "?", -0.5: "-0.5",
	} {
		assert.Equal(t, want, fmtCompact(v), "%v", v)
	}
}

func TestFmtCompact_AtMostSixCharacters(t *testing.T) {
	// Every positive float64's magnitude, with mantissas that round up
	// across a boundary: the terminal table's widths assume this bound.
	for e := -324; e <= 308; e++ {
		for _, m := range []float64{1, 1.234, 4.9999, 9.9949, 9.9951, 9.99999} {
			v := m * math.Pow(10, float64(e))
			if v == 0 || math.IsInf(v, 0) {
				continue
			}
			s := fmtCompact(v)
			assert.LessOrEqual(t, len(s), compactWidth, "%v -> %q", v, s)
		}
	}
}

func TestExpects_SendFileAndFDPassAreNotResolverRows(t *testing.T) {
	for _, op := range []string{benchspec.SendFileTCP, benchspec.FDPass} {
		for _, impl := range []string{"c", "python", "go", "facade", "csock"} {
			assert.True(t, expects(impl, op), "%s should have %s", impl, op)
		}
		assert.False(t, expects("gocgo", op), "gocgo: resolver rows only (%s is n/a)", op)
		assert.False(t, expects("libcnet", op), "libcnet: its two rows only (%s is n/a)", op)
	}
	assert.Equal(t, []string{benchspec.UnitMBPerS, benchspec.UnitCPUPerGiB, benchspec.UnitAllocsPerOp},
		metricUnits(benchspec.SendFileTCP), "sendfile_tcp reports as bulk_tcp does")
	assert.Equal(t, []string{benchspec.UnitNsPerOp, benchspec.UnitAllocsPerOp}, metricUnits(benchspec.FDPass))
}
