//go:build linux

package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/test/hermetic"
)

// envRunMain makes the test binary run resolvdiff itself: the hermetic tests run it as a
// command, each in a mount namespace of its own with its own configuration files, and in
// a process of its own so that its GODEBUG setting is read before any lookup.
const envRunMain = "RESOLVDIFF_TEST_RUN_MAIN"

// TestMain enters the hermetic world (test/hermetic's DefaultWorld) and fails the run
// when the tests leave a goroutine running or a descriptor open.
func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) != "" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(hermetic.Run(hermetic.DefaultWorld(), func() int {
		return testutil.Run(m, goleak.IgnoreCurrent())
	}))
}
