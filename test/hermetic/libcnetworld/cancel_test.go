//go:build linux

package libcnetworld

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/procstat"
	"github.com/csock/csock/internal/seam"
	"github.com/csock/csock/libcnet"
	"github.com/csock/csock/test/hermetic"
)

// namesSeen counts the distinct lookups (by their first label) whose queries reached the
// server; a lookup asks for its name and, through the search list, for longer ones.
func namesSeen(env *hermetic.Env, prefix string) int {
	seen := map[string]bool{}
	for _, q := range env.Server.Queries() {
		if first, _, ok := strings.Cut(q.Name, "."); ok && strings.HasPrefix(first, prefix) {
			seen[first] = true
		}
	}
	return len(seen)
}

// settled waits, at most 20 s (a lookup glibc had started ends at the resolver's 3 s
// timeout, after its search domains), until libcnet has no lookup in libc or waiting and
// libc holds no getaddrinfo_a request.
func settled(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		inLibc, waiting := libcnet.InFlight()
		if inLibc+waiting == 0 && seam.ReadAsyncStats().Pending == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	inLibc, waiting := libcnet.InFlight()
	t.Fatalf("still running after 20 s: %d in libc, %d waiting, async %+v", inLibc, waiting, seam.ReadAsyncStats())
}

// 10,000 lookups queued behind a name server that never answers, cancelled by one
// context: each returns at once with net's canceled error, the ones still queued (in
// libcnet's queue or glibc's) never reach the server, and once the few glibc had started
// end at libc's timeout nothing is left: no lookup in libc, no getaddrinfo_a request, no
// goroutine, and the OS threads stay within the bound.
func TestCancel_TenThousandQueuedLookupsLeaveNothingRunning(t *testing.T) {
	env := hermetic.Require(t)
	env.Server.Drop()
	env.Server.Reset()
	t.Cleanup(func() { env.Server.Resume(); env.Server.Reset() })
	base, err := procstat.Read()
	require.NoError(t, err)
	goroutines := runtime.NumGoroutine()
	before := seam.ReadAsyncStats()

	const n = 10000
	var r libcnet.Resolver
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ends := make([]time.Time, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.LookupHost(ctx, fmt.Sprintf("c%05d.cancel.test", i))
			ends[i] = time.Now()
		}()
	}
	require.Eventually(t, func() bool {
		_, waiting := libcnet.InFlight()
		return namesSeen(env, "c") > 0 && waiting > n/2
	}, 30*time.Second, time.Millisecond, "the lookups queue")
	time.Sleep(200 * time.Millisecond)
	peak, err := procstat.Read()
	require.NoError(t, err)
	at := time.Now()
	cancel()
	wgDone := make(chan struct{})
	go func() { wg.Wait(); close(wgDone) }()
	select {
	case <-wgDone:
	case <-time.After(30 * time.Second):
		t.Fatal("lookups still waiting 30 s after the cancel")
	}

	lat := make([]time.Duration, n)
	for i := range ends {
		lat[i] = ends[i].Sub(at)
		var de *net.DNSError
		if !assert.True(t, errors.As(errs[i], &de) && errors.Is(errs[i], context.Canceled), "lookup %d: %v", i, errs[i]) {
			break
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("cancel to return: p50 %v, p99 %v, max %v", lat[n/2], lat[n*99/100], lat[n-1])
	assert.Less(t, lat[n-1], 5*time.Second, "every lookup returns promptly after the cancel")

	settled(t)
	after := seam.ReadAsyncStats()
	started := after.Started - before.Started
	running := after.NotCanceled - before.NotCanceled + after.AllDone - before.AllDone
	seen := namesSeen(env, "c")
	t.Logf("in glibc %d (gai_cancel took %d out of its queue, %d were running); names the server saw: %d; threads %d before, %d queued",
		started, after.Canceled-before.Canceled, running, seen, base.Threads, peak.Threads)
	assert.LessOrEqual(t, started, uint64(28), "glibc's 20 helpers and a short queue, no more")
	assert.LessOrEqual(t, seen, int(running), "only lookups glibc had started reached the server")
	assert.LessOrEqual(t, peak.Threads, base.Threads+libcnet.DefaultMaxLookups+16, "OS threads while queued")

	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= goroutines+2 }, 10*time.Second, 10*time.Millisecond,
		"goroutines back to %d", goroutines)
	now, err := procstat.Read()
	require.NoError(t, err)
	assert.LessOrEqual(t, now.Threads, base.Threads+libcnet.DefaultMaxLookups+16, "OS threads after")
}
