//go:build linux

package hermetic

import (
	"testing"

	"github.com/csock/csock/internal/pysock"
)

// TestCsockMatchesCPython evaluates the whole lookup table with csock (the facade, in
// this process, in table order as CPython did in one process) and compares every answer
// with CPython's, in the same world.
func TestCsockMatchesCPython(t *testing.T) {
	CompareWithCPython(t, pysock.EvalLine)
}
