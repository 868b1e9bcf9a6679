package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/csock/csock/bench/internal/benchspec"
)

// The bulk transfers get BulkTargetScale times the timed phase; every other operation,
// pinned variants included, gets the target as given.
func TestCommandLine_BulkTransfersGetALongerTimedPhase(t *testing.T) {
	spec := RunSpec{Target: 300 * time.Millisecond, Timeout: 180 * time.Second}
	prefix := []string{"bench/build/gobench", "--impl", "go"}
	assert.Equal(t, []string{"bench/build/gobench", "--impl", "go", "--op", benchspec.BulkTCP,
		"--target-ms", "1500", "--max-s", "180"}, commandLine(prefix, benchspec.BulkTCP, spec))
	assert.Equal(t, []string{"bench/build/gobench", "--impl", "go", "--op", benchspec.SendFileTCP,
		"--target-ms", "1500", "--max-s", "180"}, commandLine(prefix, benchspec.SendFileTCP, spec))
	spec.Quick = true
	assert.Equal(t, []string{"bench/build/gobench", "--impl", "go", "--op", benchspec.PingPongTCP + "_pinned",
		"--target-ms", "300", "--max-s", "180", "--quick"}, commandLine(prefix, benchspec.PingPongTCP+"_pinned", spec))
}
