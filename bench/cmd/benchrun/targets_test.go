package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/bench/internal/benchspec"
)

func TestTargets_NameMeasuredMetricsAndImplementations(t *testing.T) {
	for _, tg := range targets {
		assert.True(t, benchspec.IsKnown(tg.Op), "%s: unknown op", tg.name())
		assert.Contains(t, metricUnits(tg.Op), tg.Unit, "%s: the op has no such metric", tg.name())
		assert.True(t, slices.Contains(implOrder, tg.Num), "%s: unknown implementation", tg.name())
		if tg.Den != "" {
			assert.True(t, slices.Contains(ratioPairs, [2]string{tg.Num, tg.Den}), "%s: the driver computes no such ratio", tg.name())
		}
		assert.True(t, expects(tg.Num, tg.Op), "%s: not expected of %s", tg.name(), tg.Num)
	}
}

func TestTargets_MetAndMissedByTheMedianOfPairedRatios(t *testing.T) {
	r := sampleRun() // connect_accept_close: c 1e4, go 6667, python 2500 conn/s in round 1
	tgs := targets
	t.Cleanup(func() { targets = tgs })
	targets = []target{
		{benchspec.ConnectAcceptClose, benchspec.UnitConnPerS, "go", "c", 1.6, "test"},
		{benchspec.ConnectAcceptClose, benchspec.UnitConnPerS, "go", "c", 1.4, "test"},
		{benchspec.GetHostName, benchspec.UnitNsPerOp, "go", "", 225, "test"},
		{benchspec.PingPongTCP, benchspec.UnitUsPerRTT, "facade", "go", 1.15, "test"},
	}
	md := r.targetsMarkdown()
	lines := strings.Split(md, "\n")
	require.GreaterOrEqual(t, len(lines), 6)
	assert.Contains(t, lines[2], "connect_accept_close go/c ≤ 1.6")
	assert.Contains(t, lines[2], "met (margin 6%)") // go costs 1.5× c (conn/s inverted)
	assert.Contains(t, lines[3], "missed (over by 7%)")
	assert.Contains(t, lines[4], "gethostname go ≤ 225")
	assert.Contains(t, lines[4], "225 (150–300) | met (margin 0%)") // the median of 150 and 300
	assert.Contains(t, lines[5], "not measured")
	assert.Contains(t, md, "of 4 targets met by the median (3 measured)")
}
