// Package testutil holds what the test suites of csock share: the leak checks every
// TestMain runs, and the python3 oracle.
package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// FDs returns the open descriptors of this process, each with what it refers to.
func FDs() map[int]string {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		panic(fmt.Sprintf("testutil: reading /proc/self/fd: %v", err))
	}
	fds := make(map[int]string, len(ents))
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		fds[fd] = target
	}
	return fds
}

// LeakedFDs compares two FDs snapshots and describes the descriptors open in after but
// not in before (or reused for something else), sorted; the descriptor ReadDir itself
// had open is ignored.
func LeakedFDs(before, after map[int]string) []string {
	var leaked []string
	for fd, target := range after {
		if strings.HasPrefix(target, "/proc/") && strings.HasSuffix(target, "/fd") {
			continue
		}
		if old, ok := before[fd]; !ok || old != target {
			leaked = append(leaked, fmt.Sprintf("fd %d -> %s", fd, target))
		}
	}
	sort.Strings(leaked)
	return leaked
}

// warmRuntime opens the descriptors that live as long as the process — the Go runtime's
// network poller (epoll and wake-up descriptors) — so that they are not taken for leaks.
func warmRuntime() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(fmt.Sprintf("testutil: pipe: %v", err))
	}
	r.Close()
	w.Close()
}

// Main runs the tests of a package and fails the run when they leave a descriptor open or
// a goroutine running. Use it as TestMain: func TestMain(m *testing.M) { testutil.Main(m) }.
func Main(m *testing.M, opts ...goleak.Option) {
	os.Exit(Run(m, opts...))
}

// Run is Main without the exit: it returns the exit code.
func Run(m *testing.M, opts ...goleak.Option) int {
	warmRuntime()
	before := FDs()
	code := m.Run()
	if code != 0 {
		return code
	}
	if err := goleak.Find(opts...); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: goroutines leaked by the tests: %v\n", err)
		return 1
	}
	if leaked := LeakedFDs(before, FDs()); len(leaked) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: descriptors leaked by the tests:\n  %s\n", strings.Join(leaked, "\n  "))
		return 1
	}
	return 0
}
