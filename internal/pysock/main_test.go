//go:build linux

package pysock

import (
	"testing"

	"github.com/csock/csock/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }
