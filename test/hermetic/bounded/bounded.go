//go:build linux

// Package bounded measures the facade's resolver paths inside the hermetic world: how
// many OS threads and how much memory many concurrent lookups cost, how long a cancelled
// lookup takes to return, and what one lookup of localhost costs. Its tests (go test
// ./test/hermetic/bounded) check the bounds; cmd/resolverscale prints the table of the
// README's "Resolver: bounded threads and cancellation" section.
//
// Three paths are compared:
//
//   - Sync: facade.GetAddrInfo, the blocking getaddrinfo on the caller's thread, at most
//     facade.SetMaxLookups at once;
//   - Async: facade.GetAddrInfoContext with a context that can end: glibc's getaddrinfo_a;
//   - GoCgo: Go's net.Resolver with GODEBUG=netdns=cgo (its cgo resolver, at most 500
//     lookups in libc at once, abandoned at cancel).
package bounded

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/procstat"
)

// Path is a way to call libc's getaddrinfo.
type Path string

// The paths measured.
const (
	Sync  Path = "sync"
	Async Path = "async"
	GoCgo Path = "gocgo"
)

// Lookup returns a function that resolves name (port 80, AF_UNSPEC, SOCK_STREAM) on path
// p. Only the Async and GoCgo paths watch ctx; GoCgo needs GODEBUG=netdns=cgo in the
// process's environment to be Go's cgo resolver.
func Lookup(p Path) func(ctx context.Context, name string) error {
	switch p {
	case Sync:
		return func(_ context.Context, name string) error {
			_, err := facade.GetAddrInfo(name, 80, 0, facade.SOCK_STREAM, 0, 0)
			return err
		}
	case Async:
		return func(ctx context.Context, name string) error {
			if ctx.Done() == nil {
				// A context that can end, or the facade takes the synchronous path.
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
			}
			_, err := facade.GetAddrInfoContext(ctx, name, 80, 0, facade.SOCK_STREAM, 0, 0)
			return err
		}
	case GoCgo:
		r := &net.Resolver{PreferGo: false}
		return func(ctx context.Context, name string) error {
			_, err := r.LookupIPAddr(ctx, name)
			return err
		}
	}
	panic("bounded: unknown path " + string(p))
}

// ProcStatus is what /proc/self/status says of this process.
type ProcStatus = procstat.Status

// ReadProcStatus reads /proc/self/status.
func ReadProcStatus() (ProcStatus, error) { return procstat.Read() }

// Sampler follows the peak thread count and RSS of this process.
type Sampler struct {
	stop chan struct{}
	done chan struct{}
	peak ProcStatus
}

// StartSampler reads /proc/self/status every interval until Stop.
func StartSampler(interval time.Duration) *Sampler {
	s := &Sampler{stop: make(chan struct{}), done: make(chan struct{})}
	s.sample()
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				s.sample()
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *Sampler) sample() {
	st, err := ReadProcStatus()
	if err != nil {
		return
	}
	s.peak.Threads = max(s.peak.Threads, st.Threads)
	s.peak.RSS = max(s.peak.RSS, st.RSS)
	s.peak.HWM = max(s.peak.HWM, st.HWM)
}

// Stop ends the sampling and returns the peaks seen.
func (s *Sampler) Stop() ProcStatus {
	close(s.stop)
	<-s.done
	return s.peak
}

// ConcurrentResult is what n concurrent lookups cost.
type ConcurrentResult struct {
	Path        Path
	N           int
	Base        ProcStatus     // before the lookups
	Peak        ProcStatus     // sampled while they ran
	Wall        time.Duration  // from the first start to the last end
	Errors      map[string]int // error text -> count
	MaxInFlight int            // facade.SetMaxLookups during the run (Sync and Async)
}

// Concurrent starts n lookups of name(i) at once on path p and waits for all of them,
// sampling threads and RSS every millisecond.
func Concurrent(ctx context.Context, p Path, n int, name func(i int) string) ConcurrentResult {
	lookup := Lookup(p)
	base, _ := ReadProcStatus()
	s := StartSampler(time.Millisecond)
	var mu sync.Mutex
	errs := map[string]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := lookup(ctx, name(i)); err != nil {
				mu.Lock()
				errs[err.Error()]++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	wall := time.Since(start)
	peak := s.Stop()
	return ConcurrentResult{Path: p, N: n, Base: base, Peak: peak, Wall: wall, Errors: errs}
}

// Latencies is a sorted sample of durations.
type Latencies []time.Duration

// Quantile returns the q-quantile (0 <= q <= 1) by the nearest-rank method.
func (l Latencies) Quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(q*float64(len(l))+0.5) - 1
	return l[min(max(i, 0), len(l)-1)]
}

// String prints p50, p90, p99 and the maximum.
func (l Latencies) String() string {
	return fmt.Sprintf("p50 %v, p90 %v, p99 %v, max %v", l.Quantile(0.5).Round(time.Microsecond),
		l.Quantile(0.9).Round(time.Microsecond), l.Quantile(0.99).Round(time.Microsecond),
		l.Quantile(1).Round(time.Microsecond))
}

// CancelResult is how fast cancelled lookups return.
type CancelResult struct {
	Path Path
	N    int
	// Together: one cancel ends all n lookups at once; each latency is from that
	// cancel to the lookup's return.
	Together Latencies
	// OneByOne: each lookup has its own context, cancelled one after another; each
	// latency is from its cancel to its return.
	OneByOne Latencies
	// Errors are the texts of errors other than the context's.
	Errors map[string]int
}

// CancelLatency starts n lookups of name(i) on path p (Async or GoCgo) while the name
// server holds its answers back, waits until every lookup that is going to start has
// reached the server (queries, its count of queries, has stopped growing), cancels them,
// and measures how long each takes to return; then it does the same cancelling n more
// lookups one at a time.
func CancelLatency(p Path, n int, name func(i int) string, queries func() int) CancelResult {
	res := CancelResult{Path: p, N: n, Errors: map[string]int{}}
	lookup := Lookup(p)
	var mu sync.Mutex
	note := func(err error) {
		if err != nil && !isContextErr(err) {
			mu.Lock()
			res.Errors[err.Error()]++
			mu.Unlock()
		}
	}

	// Together.
	ctx, cancel := context.WithCancel(context.Background())
	ends := make([]time.Time, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			note(lookup(ctx, name(i)))
			ends[i] = time.Now()
		}(i)
	}
	waitUntil(func() bool { return queries() > 0 }, 10*time.Second)
	for last, deadline := -1, time.Now().Add(10*time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond) // also lets the rest queue up
		if q := queries(); q != last {
			last = q
			continue
		}
		break
	}
	at := time.Now()
	cancel()
	wg.Wait()
	for _, e := range ends {
		res.Together = append(res.Together, e.Sub(at))
	}

	// One by one.
	type one struct {
		cancel context.CancelFunc
		done   chan struct{}
	}
	all := make([]one, n)
	for i := range all {
		ctx, cancel := context.WithCancel(context.Background())
		all[i] = one{cancel, make(chan struct{})}
		go func(i int) {
			note(lookup(ctx, name(n+i)))
			close(all[i].done)
		}(i)
	}
	time.Sleep(500 * time.Millisecond) // let them all queue up
	for _, o := range all {
		at := time.Now()
		o.cancel()
		<-o.done
		res.OneByOne = append(res.OneByOne, time.Since(at))
	}
	sort.Slice(res.Together, func(i, j int) bool { return res.Together[i] < res.Together[j] })
	sort.Slice(res.OneByOne, func(i, j int) bool { return res.OneByOne[i] < res.OneByOne[j] })
	return res
}

// WakeFloor is the "all at once" half of CancelLatency without any lookup: n goroutines
// parked on one context's Done (and a mutex, as the facade's limiter takes one), and the
// time from its cancel to each goroutine's return. It is what the Go scheduler alone costs.
func WakeFloor(n int) Latencies {
	ctx, cancel := context.WithCancel(context.Background())
	never := make(chan struct{})
	var mu sync.Mutex
	ends := make([]time.Time, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			select {
			case <-never:
			case <-ctx.Done():
				mu.Lock()
				mu.Unlock()
			}
			ends[i] = time.Now()
		}(i)
	}
	time.Sleep(500 * time.Millisecond)
	at := time.Now()
	cancel()
	wg.Wait()
	l := make(Latencies, n)
	for i, e := range ends {
		l[i] = e.Sub(at)
	}
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l
}

// isContextErr tells a lookup ended by its context (Go's resolver wraps the context's
// error in a *net.DNSError, which unwraps to it).
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// waitUntil polls cond every millisecond for at most limit.
func waitUntil(cond func() bool, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// PerLookup measures one lookup of name on path p, one at a time, over at least d and
// at least 50 lookups; it returns the mean time per lookup and the error of the first
// failure.
func PerLookup(p Path, name string, d time.Duration) (time.Duration, error) {
	lookup := Lookup(p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < 10; i++ { // warm up: threads, caches, files
		if err := lookup(ctx, name); err != nil {
			return 0, err
		}
	}
	n := 0
	start := time.Now()
	for n < 50 || time.Since(start) < d {
		if err := lookup(ctx, name); err != nil {
			return 0, err
		}
		n++
	}
	return time.Since(start) / time.Duration(n), nil
}
