//go:build linux

package libcnetworld

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/test/hermetic"
)

// TestMain enters the world and fails the run when the tests leave a goroutine running or
// a descriptor open (the world's own server runs before they start).
func TestMain(m *testing.M) {
	os.Exit(hermetic.Run(world(), func() int {
		return testutil.Run(m, goleak.IgnoreCurrent())
	}))
}

// blackhole is an IPv6 address that never answers: it is on the link of the world's veth
// (the default IPv6 route is on-link), and a permanent neighbour entry sends its frames to
// a MAC address no interface has, so the peer end drops them. A connect to it neither
// succeeds nor fails until its own timeout.
const (
	blackhole    = "2001:db8:dead::1"
	blackholeMAC = "02:00:00:00:de:ad"
)

func world() hermetic.World {
	w := hermetic.DefaultWorld()
	w.GaiConf = nil // glibc's built-in table: IPv6 (precedence 40) before IPv4 (10)
	w.Hosts = append(w.Hosts,
		blackhole+"\the.test",
		"127.0.0.1\the.test",
	)
	w.ResolvOptions = []string{"timeout:3", "attempts:1", "ndots:1"}
	return w
}

// ip runs ip(8) in the world, bounded to 10 s.
func ip(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}
