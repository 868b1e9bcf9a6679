package main

import (
	"math"
	"sort"

	"github.com/csock/csock/bench/internal/benchspec"
)

// Sample is one measured value of one metric from one round.
type Sample struct {
	Round int
	Value float64
}

// Summary is the median and range of a set of values.
type Summary struct {
	Median, Min, Max float64
	N                int
}

// Median returns the median of xs (the mean of the two middle values for an
// even count) without reordering xs; NaN for an empty slice.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// Summarize returns the median, minimum and maximum of xs.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	s := Summary{Median: Median(xs), Min: xs[0], Max: xs[0], N: len(xs)}
	for _, x := range xs[1:] {
		s.Min = math.Min(s.Min, x)
		s.Max = math.Max(s.Max, x)
	}
	return s
}

// values returns the sample values in order.
func values(samples []Sample) []float64 {
	out := make([]float64, len(samples))
	for i, s := range samples {
		out[i] = s.Value
	}
	return out
}

// CostRatio expresses num against den as a cost ratio for a metric in unit:
// above 1 means num is slower or more costly. For throughput units (MB/s,
// conn/s) a higher value is better, so the ratio is inverted: den/num.
func CostRatio(unit string, num, den float64) float64 {
	if benchspec.HigherIsBetter(unit) {
		return den / num
	}
	return num / den
}

// PairedRatios pairs num and den samples taken in the same round and returns
// the per-round cost ratios in round order. Rounds in which either side has
// no sample, or a value that would make the ratio meaningless (zero,
// negative, not finite), are skipped.
func PairedRatios(unit string, num, den []Sample) []float64 {
	byRound := make(map[int]float64, len(den))
	for _, d := range den {
		byRound[d.Round] = d.Value
	}
	var rounds []int
	seen := map[int]bool{}
	for _, n := range num {
		if _, ok := byRound[n.Round]; ok && !seen[n.Round] {
			rounds = append(rounds, n.Round)
			seen[n.Round] = true
		}
	}
	sort.Ints(rounds)
	numBy := make(map[int]float64, len(num))
	for _, n := range num {
		numBy[n.Round] = n.Value
	}
	out := make([]float64, 0, len(rounds))
	for _, r := range rounds {
		n, d := numBy[r], byRound[r]
		if !usable(n) || !usable(d) {
			continue
		}
		out = append(out, CostRatio(unit, n, d))
	}
	return out
}

// usable reports whether v can take part in a ratio.
func usable(v float64) bool {
	return v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v)
}
