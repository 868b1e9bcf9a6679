//go:build linux

package libcnet_test

import (
	"testing"

	"github.com/csock/csock/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }
