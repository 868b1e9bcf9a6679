//go:build linux

package hermetic

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/csock/csock/internal/testutil"
)

// envBrokenWorld makes TestMain enter a world that cannot be built, for
// TestBrokenWorldFails.
const envBrokenWorld = "HERMETIC_SELFTEST_BROKEN_WORLD"

// TestMain runs the tests inside the world and fails the run when they leave a descriptor
// open or a goroutine running; the world's own (its nameserver, opened before the tests)
// are not counted.
func TestMain(m *testing.M) {
	w := DefaultWorld()
	if os.Getenv(envBrokenWorld) != "" {
		w.Zone.Records = append(w.Zone.Records, "not a record")
	}
	os.Exit(Run(w, func() int { return testutil.Run(m, goleak.IgnoreCurrent()) }))
}
