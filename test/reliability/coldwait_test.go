//go:build linux

package reliability

import (
	"bufio"
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestColdProcess_FirstWaitWithOneDescriptorFree runs testdata/coldwait: a process that
// has started no Go timer and no Go network I/O makes its first wait (a blocking Recv
// whose byte comes later) when exactly one descriptor is free. Starting Go's runtime
// poller takes two descriptors (epoll and its wake-up eventfd), so a poller started at
// that moment died with "fatal error: runtime: netpollinit failed" (exit 2). The facade
// starts the runtime poller when it initialises, so the wait needs no descriptor: it
// succeeds, and a failure could only be CPython's [Errno 24], never a fatal error.
func TestColdProcess_FirstWaitWithOneDescriptorFree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	bin := filepath.Join(t.TempDir(), "coldwait")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./testdata/coldwait")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	ln, err := net.Listen("tcp", loopback+":0")
	require.NoError(t, err)
	defer ln.Close()
	cmd := exec.CommandContext(ctx, bin, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()

	require.NoError(t, ln.(*net.TCPListener).SetDeadline(time.Now().Add(time.Minute)))
	conn, err := ln.Accept()
	require.NoError(t, err)
	defer conn.Close()
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the child printed nothing; stderr: %s", stderr.String())
	require.Equal(t, "ready", lines.Text())
	time.Sleep(200 * time.Millisecond) // let the child's Recv reach its wait
	_, err = conn.Write([]byte("x"))
	require.NoError(t, err)
	var rest []string
	for lines.Scan() {
		rest = append(rest, lines.Text())
	}
	err = cmd.Wait()
	require.NoError(t, err, "the child failed; stderr:\n%s", stderr.String())
	require.Len(t, rest, 1)
	if rest[0] != "ok x" {
		assert.Equal(t, "error [Errno 24] Too many open files", rest[0])
	}
}
