//go:build linux

package bounded_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/seam"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
	"github.com/csock/csock/test/hermetic"
	"github.com/csock/csock/test/hermetic/bounded"
)

// TestMain enters the hermetic world and fails the run when the tests leave a goroutine
// running or a descriptor open (the world's own server is running before they start).
func TestMain(m *testing.M) {
	os.Exit(hermetic.Run(world(), func() int {
		return testutil.Run(m, goleak.IgnoreCurrent())
	}))
}

// world is DefaultWorld with a resolver timeout of 3 s instead of 1 s: a lookup the
// server does not answer must still be running when a loaded machine gets to cancel it.
func world() hermetic.World {
	w := hermetic.DefaultWorld()
	w.ResolvOptions = []string{"timeout:3", "attempts:1", "ndots:1"}
	return w
}

// setting is the bound the tests run with.
const setting = 64

// withSetting sets facade.SetMaxLookups(setting) for the test.
func withSetting(t *testing.T) {
	prev := facade.SetMaxLookups(setting)
	t.Cleanup(func() { facade.SetMaxLookups(prev) })
}

// settle waits (at most 20 s: a lookup left running ends at the resolver's timeouts)
// until libc holds no asynchronous request, and checks the go-pointer accounting.
func settle(t *testing.T) seam.AsyncStats {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for seam.ReadAsyncStats().Pending != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	st := seam.ReadAsyncStats()
	require.Zero(t, st.Pending, "go-pointer handles still held: %+v", st)
	require.Equal(t, st.Started, st.Notified+st.Canceled, "every request notified or cancelled, never both: %+v", st)
	return st
}

// serverIdle waits until the server has given up on every query it is holding back for
// delay, so that its goroutines are gone before the leak check.
func serverIdle(env *hermetic.Env, delay time.Duration) {
	if qs := env.Server.Queries(); len(qs) > 0 {
		if d := time.Until(qs[len(qs)-1].At.Add(delay + 100*time.Millisecond)); d > 0 && d < time.Minute {
			time.Sleep(d)
		}
	}
}

func resume(t *testing.T, env *hermetic.Env) {
	t.Cleanup(func() {
		env.Server.Resume()
		env.Server.Reset()
	})
}

// glibcHelpersGone waits until glibc's idle getaddrinfo_a threads have ended (they wait
// one second for work) and the thread count has stopped falling, at most 5 s.
func glibcHelpersGone() {
	deadline := time.Now().Add(5 * time.Second)
	time.Sleep(1100 * time.Millisecond)
	last, _ := bounded.ReadProcStatus()
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		now, _ := bounded.ReadProcStatus()
		if now.Threads >= last.Threads {
			return
		}
		last = now
	}
}

// 10,000 lookups at once while every answer is 10 ms late: the threads they add stay
// within the bound on both paths. (Run one after the other, as here, the sync run starts after
// glibc's idle helpers of the async run have ended: a process using both paths at once
// has up to 20 of them on top, for a second after their last lookup.)
func TestThreads_TenThousandLookupsStayWithinTheSetting(t *testing.T) {
	env := hermetic.Require(t)
	withSetting(t)
	resume(t, env)
	env.Server.SetDelay(10 * time.Millisecond)
	for _, p := range []bounded.Path{bounded.Async, bounded.Sync} {
		t.Run(string(p), func(t *testing.T) {
			glibcHelpersGone()
			r := bounded.Concurrent(context.Background(), p, 10000, func(int) string { return "multi.test" })
			t.Logf("%s: 10,000 lookups in %v; threads %d before, peak %d; RSS %d MiB before, peak %d MiB",
				p, r.Wall.Round(time.Millisecond), r.Base.Threads, r.Peak.Threads, r.Base.RSS>>20, r.Peak.RSS>>20)
			assert.Empty(t, r.Errors)
			// Counted from the thread count before the run: the Go runtime keeps the threads
			// an earlier run made (idle, for reuse), so with -count=2 the next run starts
			// with them.
			assert.LessOrEqual(t, r.Peak.Threads-r.Base.Threads, setting+16, "OS threads added by the lookups")
		})
	}
	settle(t)
}

// lookupNames are unique names, so the server's log tells which lookups reached it.
func lookupName(prefix string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s%05d.bounded.test", prefix, i) }
}

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

// Cancelling 10,000 queued lookups returns each at once, and the ones still queued (in the
// facade, or in glibc's queue, from which gai_cancel takes them) never reach the name
// server: only those glibc had started do.
func TestCancel_QueuedLookupsReturnAtOnceAndNeverReachTheServer(t *testing.T) {
	env := hermetic.Require(t)
	withSetting(t)
	resume(t, env)
	const delay = 4 * time.Second // longer than the resolver's timeout: nothing is answered
	env.Server.SetDelay(delay)
	defer serverIdle(env, delay)
	env.Server.Reset()
	before := seam.ReadAsyncStats()

	const n = 10000
	name := lookupName("q")
	lookup := bounded.Lookup(bounded.Async)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ends := make([]time.Time, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = lookup(ctx, name(i))
			ends[i] = time.Now()
		}(i)
	}
	require.Eventually(t, func() bool { return namesSeen(env, "q") > 0 }, 10*time.Second, time.Millisecond)
	time.Sleep(300 * time.Millisecond) // the rest queue in glibc and in the facade
	at := time.Now()
	cancel()
	wg.Wait()

	var lat bounded.Latencies
	for i := range ends {
		lat = append(lat, ends[i].Sub(at))
		if !assert.ErrorIs(t, errs[i], context.Canceled, "lookup %d", i) {
			break
		}
	}
	sortDurations(lat)
	t.Logf("cancel to return, %d lookups cancelled together: %v", n, lat)
	assert.Less(t, lat.Quantile(1), 2*time.Second, "every lookup returns promptly after the cancel")

	// Wait for the lookups glibc had started to end (at the resolver's timeout), then
	// count what reached the server.
	after := settle(t)
	started := after.Started - before.Started
	canceled := after.Canceled - before.Canceled
	running := after.NotCanceled - before.NotCanceled + after.AllDone - before.AllDone
	seen := namesSeen(env, "q")
	t.Logf("queued in glibc %d: gai_cancel EAI_CANCELED %d, EAI_NOTCANCELED or EAI_ALLDONE %d; names seen by the server: %d",
		started, canceled, running, seen)
	assert.Equal(t, started, canceled+running)
	// The facade lets 20 + 8 asynchronous lookups into glibc: as many as its helper
	// threads run, and a short queue.
	assert.LessOrEqual(t, started, uint64(28), "no more than glibc runs, and its short queue")
	assert.Positive(t, canceled, "some lookups were still in glibc's queue")
	assert.LessOrEqual(t, seen, int(running), "only lookups glibc had started reached the server")
	assert.Positive(t, seen)
}

func sortDurations(l bounded.Latencies) {
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
}

// With the server dropping every query, both paths end with CPython's EAI_AGAIN error,
// and leave no goroutine behind.
func TestDrop_LookupsEndWithCPythonsTemporaryFailure(t *testing.T) {
	env := hermetic.Require(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	withSetting(t)
	resume(t, env)
	env.Server.Drop()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	want := "socket.gaierror: [Errno -3] Temporary failure in name resolution"
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // CPython's answer, meanwhile
		defer wg.Done()
		py3, err := hermetic.EvalPython(ctx, []string{"getaddrinfo('multi.test', 80)"})
		if assert.NoError(t, err) {
			assert.Equal(t, []string{want}, py3, "CPython, with the server dropping everything")
		}
	}()
	for i := 0; i < 24; i++ {
		p := bounded.Async
		if i%2 == 1 {
			p = bounded.Sync
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := bounded.Lookup(p)(ctx, "multi.test")
			var gerr *facade.GaiError
			if assert.True(t, errors.As(err, &gerr), "%s: %v", p, err) {
				assert.Equal(t, csock.EAI_AGAIN, gerr.Code)
				assert.Equal(t, want, py.FormatException(gerr), p)
			}
		}()
	}
	wg.Wait()
	settle(t)
}

// The asynchronous path returns what the synchronous one does, name for name: numeric
// hosts, /etc/hosts, zone names with several A and AAAA records, CNAME chains, the search
// list, NODATA, NXDOMAIN, SERVFAIL, REFUSED, and an answer truncated over UDP.
func TestAsyncAndSync_SameAnswers(t *testing.T) {
	hermetic.Require(t)
	names := []string{
		"192.0.2.1", "2001:db8::1", "127.1", "fe80::1%lo",
		"localhost", "files.test", "files6.test", "dual.test", "shadowed.test", "mixed.case.test", "hermes",
		"linklocal.test",
		"multi.test", "v4only.test", "v6only.test", "big.test", "xn--bcher-kva.test",
		"alias.test", "to-v4only.test", "www.corp.test", "printer", "db", "flaky", "picky",
		"mx-only.test", "dangling.test", "no-such-name.test", "servfail.test", "refused.test", "notimp.test",
		"halfbroken.test",
	}
	type hints struct{ family, socktype, flags int }
	var hs []hints
	for _, fam := range []int{csock.AF_UNSPEC, csock.AF_INET, csock.AF_INET6} {
		for _, flags := range []int{0, csock.AI_CANONNAME, csock.AI_ADDRCONFIG, csock.AI_V4MAPPED | csock.AI_ALL} {
			hs = append(hs, hints{fam, csock.SOCK_STREAM, flags})
		}
	}
	before := seam.ReadAsyncStats()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, name := range names {
		for _, h := range hs {
			// The binding: getaddrinfo and getaddrinfo_a, flattened by the same shim code.
			want, wantErr := csock.GetAddrInfo([]byte(name), []byte("80"), h.family, h.socktype, 0, h.flags, nil)
			got, err := csock.GetAddrInfoAsync(ctx, []byte(name), []byte("80"), h.family, h.socktype, 0, h.flags, func() {})
			assert.Equal(t, wantErr, err, "%s %+v", name, h)
			assert.Equal(t, want, got, "%s %+v", name, h)
			// The facade: GetAddrInfo and GetAddrInfoContext with a context that can end.
			fwant, fwantErr := facade.GetAddrInfo(name, 80, facade.AddressFamily(h.family), facade.SocketKind(h.socktype), 0, facade.AddressInfo(h.flags))
			fgot, ferr := facade.GetAddrInfoContext(ctx, name, 80, facade.AddressFamily(h.family), facade.SocketKind(h.socktype), 0, facade.AddressInfo(h.flags))
			assert.Equal(t, fwantErr, ferr, "%s %+v", name, h)
			assert.Equal(t, fwant, fgot, "%s %+v", name, h)
		}
	}
	after := settle(t)
	assert.Greater(t, after.Started-before.Started, uint64(len(names)*len(hs)), "the facade went through getaddrinfo_a")
}

// Lookups cancelled at moments spread around their completion, while the server answers
// after 2 ms: gai_cancel finds them queued, running and done, over and over, and every
// go-pointer handle is released exactly once (no handle left, each request notified or
// cancelled, never both). Batches run until each gai_cancel outcome has been seen.
func TestAsyncHandles_ReleasedOnceThroughTheCancelRace(t *testing.T) {
	env := hermetic.Require(t)
	withSetting(t)
	resume(t, env)
	env.Server.SetDelay(2 * time.Millisecond)
	before := seam.ReadAsyncStats()
	budget := time.Now().Add(60 * time.Second)
	// No more workers than the facade lets into glibc (28), so that every lookup gets there.
	const workers, rounds = 24, 50
	for batch := 0; batch < 20 && time.Now().Before(budget); batch++ {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < rounds; i++ {
					ctx, cancel := context.WithCancel(context.Background())
					at := time.Duration((w*131+i*37+batch*17)%4000) * time.Microsecond
					timer := time.AfterFunc(at, cancel)
					_, err := facade.GetAddrInfoContext(ctx, "multi.test", 80, 0, 0, 0, 0)
					if err != nil && !errors.Is(err, context.Canceled) {
						t.Errorf("lookup: %v", err)
					}
					timer.Stop()
					cancel()
				}
			}(w)
		}
		wg.Wait()
		now := seam.ReadAsyncStats()
		if now.Canceled > before.Canceled && now.NotCanceled > before.NotCanceled && now.AllDone > before.AllDone {
			break
		}
	}
	after := settle(t)
	canceled := after.Canceled - before.Canceled
	notCanceled := after.NotCanceled - before.NotCanceled
	allDone := after.AllDone - before.AllDone
	t.Logf("%d requests: %d notified; gai_cancel: EAI_CANCELED %d, EAI_NOTCANCELED %d, EAI_ALLDONE %d",
		after.Started-before.Started, after.Notified-before.Notified, canceled, notCanceled, allDone)
	assert.Positive(t, canceled)
	assert.Positive(t, notCanceled)
	assert.Positive(t, allDone)
}
