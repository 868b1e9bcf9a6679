// Package leaky is a test package that leaks on request (LEAK=fd or LEAK=goroutine), for
// testutil's own test that Main catches both.
package leaky

import (
	"os"
	"testing"

	"github.com/csock/csock/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

var keep []*os.File

func TestLeak(t *testing.T) {
	switch os.Getenv("LEAK") {
	case "fd":
		f, err := os.Open("/dev/null")
		if err != nil {
			t.Fatal(err)
		}
		keep = append(keep, f)
	case "goroutine":
		go func() { select {} }()
	}
}
