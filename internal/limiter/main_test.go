package limiter

import (
	"testing"

	"github.com/csock/csock/internal/testutil"
)

// TestMain fails the run when the tests leave a descriptor open or a goroutine running.
func TestMain(m *testing.M) { testutil.Main(m) }
