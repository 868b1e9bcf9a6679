//go:build linux

package soak

import (
	"flag"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/csock/csock/internal/testutil"
)

var (
	sockets   = flag.Int("soak.sockets", 5000, "sockets to open and close (make soak: 100000)")
	lookups   = flag.Int("soak.lookups", 5000, "names to resolve (make soak: 100000)")
	workers   = flag.Int("soak.workers", 16, "goroutines per phase")
	deadline  = flag.Duration("soak.deadline", 60*time.Second, "bound on the whole soak")
	goThreads = flag.Int("soak.gothreads", 0, "bound on the Go runtime's threads at the end (0: workers + GOMAXPROCS + 4)")
)

// TestMain fails the run when the tests leave a descriptor open or a goroutine running.
func TestMain(m *testing.M) { testutil.Main(m) }

// TestSoak opens and closes -soak.sockets sockets (socket/close, socketpair, TCP
// connect/accept on loopback, MakeFile, NetConn) and resolves -soak.lookups names
// (numeric and /etc/hosts only), then requires descriptors, goroutines and the OS threads
// not owned by Go back at their level after the warm-up, Go's own threads within a bound
// set by the concurrency (Config.GoThreads) and the resident set within the tolerance,
// and prints the figures.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak is not short")
	}
	cfg := Config{Sockets: *sockets, Lookups: *lookups, Workers: *workers, Deadline: *deadline,
		GoThreads: *goThreads, RSSSlack: 8 << 20, RSSSlackRatio: 0.25}
	if raceEnabled {
		// The race detector's shadow memory grows with every heap address touched and is
		// never given back.
		cfg.RSSSlackRatio = 1
	}
	r := Run(cfg)
	r.Format(os.Stdout)
	assert.Empty(t, r.Errors, "every operation succeeds, within the deadline")
	assert.Empty(t, r.Leaks(), "the process is back at its level after the warm-up")
}

// TestLeaks_NamesWhatWasNotGivenBack checks the soak's verdict on made-up figures: every
// kind of leak is reported, and levels within the bounds are not.
func TestLeaks_NamesWhatWasNotGivenBack(t *testing.T) {
	warm := Usage{FDs: 10, Goroutines: 3, Threads: 18, GoThreads: 18, RSS: 100 << 20}
	r := &Report{Config: Config{Workers: 16, GoThreads: 22, RSSSlack: 8 << 20, RSSSlackRatio: 0.25}, Warm: warm}
	r.End = Usage{FDs: 10, Goroutines: 3, Threads: 22, GoThreads: 22, RSS: 125 << 20}
	assert.Empty(t, r.Leaks())
	r.End = Usage{FDs: 11, Goroutines: 4, Threads: 25, GoThreads: 23, RSS: 126 << 20}
	leaks := r.Leaks()
	assert.Len(t, leaks, 5, "%q", leaks)
}
