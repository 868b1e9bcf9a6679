package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/bench/internal/benchspec"
)

// TestSmoke_ProgramsSpeakTheProtocol builds the C program and gobench and
// runs one cheap operation in quick mode for c, go and python (when python3
// exists), checking the JSON lines parse; then checks --list.
func TestSmoke_ProgramsSpeakTheProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the benchmark programs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := findRoot("")
	require.NoError(t, err)
	progs, err := Build(ctx, root, t.TempDir())
	require.NoError(t, err)

	impls := []string{"c", "go"}
	if _, ok := progs.Argv["python"]; ok {
		impls = append(impls, "python")
	}
	spec := RunSpec{Target: 20 * time.Millisecond, Quick: true, Timeout: 60 * time.Second}
	for _, impl := range impls {
		lines, err := RunCell(ctx, progs.Argv[impl], impl, benchspec.GetHostName, spec)
		require.NoError(t, err, impl)
		require.Len(t, lines, 1, impl)
		l := lines[0]
		assert.Equal(t, impl, l.Impl)
		assert.Equal(t, benchspec.UnitNsPerOp, l.Unit)
		assert.Greater(t, l.Value, 0.0)
		assert.Positive(t, l.Ops)
		assert.Nil(t, l.CPUSecPerGiB)
		if impl == "go" {
			assert.NotNil(t, l.AllocsPerOp, "Go implementations report allocations")
		} else {
			assert.Nil(t, l.AllocsPerOp)
		}
	}

	listed, err := progs.Listings(ctx)
	require.NoError(t, err)
	assert.Len(t, listed["c"], len(benchspec.Ops))
	assert.Len(t, listed["go"], len(benchspec.Ops))
	for op := range listed["gocgo"] {
		assert.True(t, benchspec.IsResolver(op), op)
	}
}
