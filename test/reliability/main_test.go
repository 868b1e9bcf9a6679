//go:build linux

// Package reliability holds csock's fault catalogue and data-integrity checks: what the
// facade does when the peer resets, the pipe breaks, the socket closes under a waiting
// call, a timeout expires half-way, signals rain on the process, descriptors run out, a
// backlog is full, the name server goes silent, a port is taken, IPv6 is missing, and a
// system call fails in a way the kernel cannot be made to fail on demand (the seams of
// internal/seam). Each test compares with python3 (CPython 3.11) where CPython's text
// matters.
//
// The package runs inside the hermetic world (test/hermetic: private mount, network and
// UTS namespaces with a DNS server on loopback), with the leak checks of internal/testutil.
// Tests that need a process of their own (SIGPIPE at SIG_DFL, a lowered RLIMIT_NOFILE, a
// network namespace without IPv6) re-execute the test binary: see runChild.
package reliability

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/test/hermetic"
)

func TestMain(m *testing.M) {
	switch childName() {
	case "":
	case "TestChildColdPoller":
		// A child that must start with no descriptor spent on a warm-up, and so
		// no leak checks either.
		os.Exit(m.Run())
	default:
		// A child process (runChild): it is already where its parent put it.
		os.Exit(testutil.Run(m))
	}
	os.Exit(hermetic.Run(hermetic.DefaultWorld(), func() int {
		// The world's DNS server is running before the tests start: not a leak.
		return testutil.Run(m, goleak.IgnoreCurrent())
	}))
}
