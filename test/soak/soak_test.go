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
	sockets  = flag.Int("soak.sockets", 5000, "sockets to open and close (make soak: 100000)")
	lookups  = flag.Int("soak.lookups", 5000, "names to resolve (make soak: 100000)")
	workers  = flag.Int("soak.workers", 16, "goroutines per phase")
	deadline = flag.Duration("soak.deadline", 60*time.Second, "bound on the whole soak")
	slack    = flag.Int("soak.threadslack", -1, "OS threads the end may have beyond the warm level (-1: 2, or 8 with -race)")
)

// TestMain fails the run when the tests leave a descriptor open or a goroutine running.
func TestMain(m *testing.M) { testutil.Main(m) }

// TestSoak opens and closes -soak.sockets sockets (socket/close, socketpair, TCP
// connect/accept on loopback, MakeFile, NetConn) and resolves -soak.lookups names
// (numeric and /etc/hosts only), then requires descriptors, goroutines and OS threads back
// at their level after the warm-up, and the resident set within the tolerance, and prints
// the figures.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak is not short")
	}
	cfg := Config{Sockets: *sockets, Lookups: *lookups, Workers: *workers, Deadline: *deadline,
		ThreadSlack: 2, RSSSlack: 8 << 20, RSSSlackRatio: 0.25}
	if raceEnabled {
		// The race detector's shadow memory grows with every heap address touched and is
		// never given back, and its slower calls make the runtime start more threads.
		cfg.ThreadSlack, cfg.RSSSlackRatio = 8, 1
	}
	if *slack >= 0 {
		cfg.ThreadSlack = *slack
	}
	r := Run(cfg)
	r.Format(os.Stdout)
	assert.Empty(t, r.Errors, "every operation succeeds, within the deadline")
	assert.Empty(t, r.Leaks(), "the process is back at its level after the warm-up")
}
