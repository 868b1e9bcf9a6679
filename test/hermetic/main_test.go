package hermetic

import (
	"os"
	"testing"
)

// envBrokenWorld makes TestMain enter a world that cannot be built, for
// TestBrokenWorldFails.
const envBrokenWorld = "HERMETIC_SELFTEST_BROKEN_WORLD"

func TestMain(m *testing.M) {
	w := DefaultWorld()
	if os.Getenv(envBrokenWorld) != "" {
		w.Zone.Records = append(w.Zone.Records, "not a record")
	}
	os.Exit(Main(m, w))
}
