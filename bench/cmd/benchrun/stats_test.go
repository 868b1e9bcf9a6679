package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/bench/internal/benchspec"
)

func TestMedian(t *testing.T) {
	assert.Equal(t, 3.0, Median([]float64{5, 1, 3}), "odd count: the middle value")
	assert.Equal(t, 2.5, Median([]float64{4, 1, 3, 2}), "even count: mean of the two middle values")
	assert.Equal(t, 7.0, Median([]float64{7}))
	assert.True(t, math.IsNaN(Median(nil)))

	xs := []float64{9, 2, 5}
	Median(xs)
	assert.Equal(t, []float64{9, 2, 5}, xs, "Median must not reorder its input")
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{10, 30, 20, 40, 5})
	assert.Equal(t, Summary{Median: 20, Min: 5, Max: 40, N: 5}, s)
	assert.True(t, math.IsNaN(Summarize(nil).Median))
}

func TestCostRatio_InvertsThroughputUnits(t *testing.T) {
	// Costs: num/den, above 1 means num is slower.
	assert.Equal(t, 2.0, CostRatio(benchspec.UnitNsPerOp, 200, 100))
	assert.Equal(t, 2.0, CostRatio(benchspec.UnitUsPerRTT, 20, 10))
	assert.Equal(t, 2.0, CostRatio(benchspec.UnitRSSKiB, 2000, 1000))
	assert.Equal(t, 2.0, CostRatio(benchspec.UnitThreads, 20, 10))
	assert.Equal(t, 2.0, CostRatio(benchspec.UnitCPUPerGiB, 1, 0.5))
	// Throughput: num moving half as much is twice as costly.
	assert.Equal(t, 2.0, CostRatio(benchspec.UnitMBPerS, 500, 1000))
	assert.Equal(t, 2.0, CostRatio(benchspec.UnitConnPerS, 5000, 10000))
	assert.Equal(t, 0.5, CostRatio(benchspec.UnitMBPerS, 2000, 1000))
}

func TestPairedRatios_PairsByRound(t *testing.T) {
	num := []Sample{{3, 30}, {1, 10}, {2, 40}, {5, 1}}
	den := []Sample{{1, 5}, {2, 10}, {3, 10}, {4, 7}}
	// Rounds 1, 2, 3 have both; 4 and 5 have one side only.
	got := PairedRatios(benchspec.UnitNsPerOp, num, den)
	assert.Equal(t, []float64{2, 4, 3}, got, "ratios in round order, unpaired rounds skipped")

	s := Summarize(got)
	assert.Equal(t, 3.0, s.Median)
	assert.Equal(t, 2.0, s.Min)
	assert.Equal(t, 4.0, s.Max)
}

func TestPairedRatios_IsNotRatioOfMedians(t *testing.T) {
	// A machine that slows down in round 2 slows both sides: the paired
	// ratio stays 2 while the ratio of medians would not.
	num := []Sample{{1, 2}, {2, 200}, {3, 4}}
	den := []Sample{{1, 1}, {2, 100}, {3, 2}}
	assert.Equal(t, []float64{2, 2, 2}, PairedRatios(benchspec.UnitNsPerOp, num, den))
}

func TestPairedRatios_ThroughputIsInverted(t *testing.T) {
	num := []Sample{{1, 500}, {2, 1000}}
	den := []Sample{{1, 1000}, {2, 1000}}
	assert.Equal(t, []float64{2, 1}, PairedRatios(benchspec.UnitMBPerS, num, den))
}

func TestPairedRatios_SkipsUnusableValues(t *testing.T) {
	num := []Sample{{1, 0}, {2, 4}, {3, math.Inf(1)}}
	den := []Sample{{1, 1}, {2, 2}, {3, 1}}
	assert.Equal(t, []float64{2}, PairedRatios(benchspec.UnitNsPerOp, num, den))
	assert.Empty(t, PairedRatios(benchspec.UnitNsPerOp, nil, den))
}

func TestData_AddSplitsSecondaryFields(t *testing.T) {
	d := Data{}
	allocs, cpu := 3.0, 0.7
	d.Add(1, benchspec.Line{Impl: "go", Op: benchspec.BulkTCP, Unit: benchspec.UnitMBPerS,
		Value: 1200, Ops: 10, AllocsPerOp: &allocs, CPUSecPerGiB: &cpu})
	require.Len(t, d, 3)
	assert.Equal(t, []Sample{{1, 1200}}, d[MetricKey{benchspec.BulkTCP, benchspec.UnitMBPerS}]["go"])
	assert.Equal(t, []Sample{{1, 3}}, d[MetricKey{benchspec.BulkTCP, benchspec.UnitAllocsPerOp}]["go"])
	assert.Equal(t, []Sample{{1, 0.7}}, d[MetricKey{benchspec.BulkTCP, benchspec.UnitCPUPerGiB}]["go"])
}

func TestData_RatiosUseCostDirectionAndNames(t *testing.T) {
	d := Data{}
	for r, v := range []struct{ c, facade float64 }{{1000, 500}, {800, 400}, {900, 300}} {
		d.Add(r+1, benchspec.Line{Impl: "c", Op: benchspec.BulkTCP, Unit: benchspec.UnitMBPerS, Value: v.c, Ops: 1})
		d.Add(r+1, benchspec.Line{Impl: "facade", Op: benchspec.BulkTCP, Unit: benchspec.UnitMBPerS, Value: v.facade, Ops: 1})
		d.Add(r+1, benchspec.Line{Impl: "c", Op: benchspec.Idle10k, Unit: benchspec.UnitRSSKiB, Value: 100, Ops: 1})
		d.Add(r+1, benchspec.Line{Impl: "facade", Op: benchspec.Idle10k, Unit: benchspec.UnitRSSKiB, Value: 50, Ops: 1})
	}
	ratios := d.Ratios()
	require.Len(t, ratios, 2)
	assert.Equal(t, RatioRow{Op: "bulk_tcp", Num: "facade", Den: "c", Median: 2, Min: 2, Max: 3}, ratios[0],
		"half the MB/s is a cost ratio of 2")
	assert.Equal(t, RatioRow{Op: "idle_10k:rss_kib", Num: "facade", Den: "c", Median: 0.5, Min: 0.5, Max: 0.5}, ratios[1],
		"secondary metrics are named op:unit")
}

func TestMetricKeyName(t *testing.T) {
	assert.Equal(t, "pingpong_tcp_pinned", MetricKey{benchspec.PingPongTCPPinned, benchspec.UnitUsPerRTT}.Name())
	assert.Equal(t, "idle_10k", MetricKey{benchspec.Idle10k, benchspec.UnitThreads}.Name())
	assert.Equal(t, "bulk_tcp:cpu_s/GiB", MetricKey{benchspec.BulkTCP, benchspec.UnitCPUPerGiB}.Name())
}
