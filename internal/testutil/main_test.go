package testutil

import "testing"

// TestMain fails the run when the tests leave a descriptor open or a goroutine running.
func TestMain(m *testing.M) { Main(m) }
