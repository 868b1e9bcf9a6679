//go:build linux

package facade

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/limiter"
	"github.com/csock/csock/internal/seam"
	"github.com/csock/csock/py"
)

// waitFor polls cond every 100µs for at most 5 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestSetMaxLookups_ReturnsThePreviousBoundAndZeroRestoresTheDefault(t *testing.T) {
	prev := SetMaxLookups(7)
	defer SetMaxLookups(prev)
	assert.Equal(t, 7, SetMaxLookups(0))
	assert.Equal(t, DefaultMaxLookups, SetMaxLookups(-3))
}

func TestGetAddrInfoContext_CancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, host := range []any{"localhost", "127.0.0.1", nil} {
		_, err := GetAddrInfoContext(ctx, host, 80, 0, 0, 0, 0)
		assert.ErrorIs(t, err, context.Canceled, "%v", host)
	}
	_, err := GetHostByNameContext(ctx, "localhost")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = GetHostByNameExContext(ctx, "localhost")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = GetHostByAddrContext(ctx, "127.0.0.1")
	assert.ErrorIs(t, err, context.Canceled)
	_, _, err = GetNameInfoContext(ctx, py.Tuple{"127.0.0.1", 80}, 0)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestGetAddrInfoContext_WaitForASlotEndsWithTheContext(t *testing.T) {
	prev := SetMaxLookups(1)
	defer SetMaxLookups(prev)
	require.NoError(t, lookups.Acquire(context.Background()))
	defer lookups.Release()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := GetAddrInfoContext(ctx, "localhost", 80, 0, 0, 0, 0)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	_, err = GetHostByAddrContext(ctx, "127.0.0.1") // the gethostbyaddr_r slot too
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	// A numeric host needs no slot.
	res, err := GetAddrInfoContext(context.Background(), "127.0.0.1", 80, AF_INET, 0, 0, 0)
	require.NoError(t, err)
	assert.NotEmpty(t, res)
}

// The Context functions give the answers and errors of the plain ones; a cancellable
// context sends getaddrinfo of a name through getaddrinfo_a.
func TestContextFunctions_SameAnswersAsThePlainOnes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type call struct {
		name string
		sync func() (any, error)
		ctx  func() (any, error)
	}
	gai := func(host, port any, fam, typ, proto, flags int) call {
		return call{"getaddrinfo", func() (any, error) {
			return GetAddrInfo(host, port, AddressFamily(fam), SocketKind(typ), proto, AddressInfo(flags))
		},
			func() (any, error) {
				return GetAddrInfoContext(ctx, host, port, AddressFamily(fam), SocketKind(typ), proto, AddressInfo(flags))
			}}
	}
	calls := []call{
		gai("localhost", 80, 0, 0, 0, 0),
		gai("localhost", "http", int(AF_INET), int(SOCK_STREAM), 0, int(AI_CANONNAME)),
		gai("localhost", "nosuchservice", 0, 0, 0, 0),
		gai("127.0.0.1", nil, 0, 0, 0, 0),
		gai(nil, 80, 0, 0, 0, int(AI_PASSIVE)),
		gai("localhost", 80, 12345, 0, 0, 0),
		gai("localhost", 80.5, 0, 0, 0, 0),
		gai("bad\u00e9name..", 80, 0, 0, 0, 0),
		{"gethostbyname", func() (any, error) { return GetHostByName("localhost") },
			func() (any, error) { return GetHostByNameContext(ctx, "localhost") }},
		{"gethostbyname_ex", func() (any, error) { return GetHostByNameEx("localhost") },
			func() (any, error) { return GetHostByNameExContext(ctx, "localhost") }},
		{"gethostbyaddr", func() (any, error) { return GetHostByAddr("127.0.0.1") },
			func() (any, error) { return GetHostByAddrContext(ctx, "127.0.0.1") }},
		{"gethostbyaddr", func() (any, error) { return GetHostByAddr(42) },
			func() (any, error) { return GetHostByAddrContext(ctx, 42) }},
		{"getnameinfo", func() (any, error) {
			h, p, err := GetNameInfo(py.Tuple{"127.0.0.1", 80}, 0)
			return [2]string{h, p}, err
		}, func() (any, error) {
			h, p, err := GetNameInfoContext(ctx, py.Tuple{"127.0.0.1", 80}, 0)
			return [2]string{h, p}, err
		}},
	}
	before := seam.ReadAsyncStats()
	for _, c := range calls {
		want, wantErr := c.sync()
		got, err := c.ctx()
		assert.Equal(t, want, got, c.name)
		assert.Equal(t, wantErr, err, c.name)
	}
	assert.Greater(t, seam.ReadAsyncStats().Started, before.Started, "names went through getaddrinfo_a")
	waitFor(t, "async lookups to settle", func() bool { return seam.ReadAsyncStats().Pending == 0 })
	// Every call has its answer: no slot may still be taken (a flight gives its slot back
	// before it hands the answer over).
	for _, l := range []*limiter.Limiter{lookups, asyncLookups} {
		active, waiting := l.InUse()
		assert.Zero(t, active)
		assert.Zero(t, waiting)
	}
}

// A resolver call whose context ends returns the context's own error, whether it was
// waiting for a slot or for libc.
func TestContextFunctions_ReturnTheContextsOwnError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := GetAddrInfoContext(ctx, "localhost", 80, 0, 0, 0, 0)
	assert.Same(t, context.Canceled, err)

	prev := SetMaxLookups(1)
	defer SetMaxLookups(prev)
	require.NoError(t, lookups.Acquire(context.Background()))
	defer lookups.Release()
	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, _, err = GetNameInfoContext(ctx, py.Tuple{"127.0.0.1", 80}, 0)
	assert.Equal(t, context.DeadlineExceeded, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
}

// fakeRequest is a getaddrinfo_a request whose life a test decides: Done is closed when
// the test closes finish; Cancel succeeds when canCancel is set (glibc had not started
// it); Result answers res, err.
type fakeRequest struct {
	finish    chan struct{}
	canCancel bool
	released  func()
	res       []csock.AddrInfo
	err       error
	// When set, Cancel closes inCancel and waits for cancelGate to be closed.
	inCancel, cancelGate chan struct{}
}

func (r *fakeRequest) Done() <-chan struct{} { return r.finish }
func (r *fakeRequest) Cancel() bool {
	if r.inCancel != nil {
		close(r.inCancel)
		<-r.cancelGate
	}
	if r.canCancel {
		r.released()
	}
	return r.canCancel
}
func (r *fakeRequest) Result() ([]csock.AddrInfo, error) {
	r.released()
	return r.res, r.err
}

// withFakeStarts makes startGetAddrInfo hand out requests from make for the test.
func withFakeStarts(t *testing.T, make func(host []byte, released func()) *fakeRequest) {
	prev := startGetAddrInfo
	startGetAddrInfo = func(host, _ []byte, _, _, _, _ int, released func()) (gaiRequest, error) {
		return make(host, released), nil
	}
	t.Cleanup(func() { startGetAddrInfo = prev })
}

// glibc keeps the errno of an EAI_SYSTEM on its helper thread; CPython reports it, so the
// facade asks again synchronously, where errno can be read.
func TestGetAddrInfoContext_AsyncSystemErrorIsAskedAgainSynchronously(t *testing.T) {
	calls := 0
	withFakeStarts(t, func(_ []byte, released func()) *fakeRequest {
		calls++
		done := make(chan struct{})
		close(done)
		return &fakeRequest{finish: done, released: released, err: &csock.GaiError{Code: csock.EAI_SYSTEM}}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	want, err := GetAddrInfo("localhost", 80, 0, 0, 0, 0)
	require.NoError(t, err)
	got, err := GetAddrInfoContext(ctx, "localhost", 80, 0, 0, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, 1, calls)
	waitFor(t, "the slots", func() bool {
		la, _ := lookups.InUse()
		aa, _ := asyncLookups.InUse()
		return la+aa == 0
	})
}

// The storm of issue 15, shortened: 64 goroutines calling the Context functions on
// /etc/hosts and numeric names with deadlines of 0-300 µs. Every call succeeds or fails with
// its context's own error (not a type of the facade's: err == ctx.Err()), and afterwards
// nothing is left in libc or in the bounds, and a lookup with a context answers at once.
func TestLookupStorm_ErrorsAreTheContextsAndNothingIsLeftBehind(t *testing.T) {
	calls := []func(ctx context.Context, r *rand.Rand) error{
		func(ctx context.Context, r *rand.Rand) error {
			_, err := GetAddrInfoContext(ctx, []string{"localhost", "127.0.0.1", "::1"}[r.IntN(3)], 80, 0, SOCK_STREAM, 0, 0)
			return err
		},
		func(ctx context.Context, r *rand.Rand) error {
			_, err := GetHostByNameContext(ctx, []string{"localhost", "127.0.0.1"}[r.IntN(2)])
			return err
		},
		func(ctx context.Context, _ *rand.Rand) error {
			_, _, err := GetNameInfoContext(ctx, py.Tuple{"127.0.0.1", 80}, 0)
			return err
		},
	}
	stop := time.Now().Add(time.Second)
	var mu sync.Mutex
	var wrong int
	var first error
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 15))
			for n := 0; n < 100000 && time.Now().Before(stop); n++ {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(r.IntN(300))*time.Microsecond)
				if err := calls[r.IntN(len(calls))](ctx, r); err != nil && err != ctx.Err() {
					mu.Lock()
					if wrong++; wrong == 1 {
						first = err
					}
					mu.Unlock()
				}
				cancel()
			}
		}(g)
	}
	wg.Wait()
	assert.Zero(t, wrong, "calls that failed with another error than their context's; the first: %T: %v", first, first)
	waitFor(t, "libc to finish the abandoned lookups", func() bool {
		la, lw := lookups.InUse()
		aa, aw := asyncLookups.InUse()
		return seam.ReadAsyncStats().Pending == 0 && la+lw+aa+aw == 0
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := GetAddrInfoContext(ctx, "localhost", 80, 0, 0, 0, 0)
	require.NoError(t, err)
}

// slowRequests hands out fake getaddrinfo_a requests that glibc "runs" until the test
// finishes them (a name the server never answers), counting the starts by host.
type slowRequests struct {
	mu     sync.Mutex
	starts map[string]int
	reqs   []*fakeRequest
	finish chan struct{}
}

func newSlowRequests(t *testing.T) *slowRequests {
	s := &slowRequests{starts: map[string]int{}, finish: make(chan struct{})}
	withFakeStarts(t, func(host []byte, released func()) *fakeRequest {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.starts[string(host)]++
		r := &fakeRequest{finish: s.finish, released: released,
			res: []csock.AddrInfo{{Family: csock.AF_INET, SockType: csock.SOCK_STREAM, Protocol: 6}}}
		s.reqs = append(s.reqs, r)
		return r
	})
	t.Cleanup(s.end)
	return s
}

func (s *slowRequests) count(host string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts[host]
}

// end lets glibc finish every request, and waits for the flights to end.
func (s *slowRequests) end() {
	select {
	case <-s.finish:
	default:
		close(s.finish)
	}
}

// waitSettled waits until no lookup holds a slot and none runs for no one.
func waitSettled(t *testing.T) {
	waitFor(t, "the lookups to end", func() bool {
		la, lw := lookups.InUse()
		aa, aw := asyncLookups.InUse()
		return la+lw+aa+aw == 0 && pinnedLookups.Load() == 0
	})
}

// abandon calls GetAddrInfoContext(host) with a context that ends after 1 ms, as the
// storm's callers do, and waits until glibc runs the lookup for no one.
func abandon(t *testing.T, host string, pinned int64) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err := GetAddrInfoContext(ctx, host, 80, 0, SOCK_STREAM, 0, 0)
	require.Equal(t, context.DeadlineExceeded, err)
	waitFor(t, "the lookup to run for no one", func() bool { return pinnedLookups.Load() == pinned })
}

// Callers asking the question of an abandoned lookup still in libc wait for its answer:
// one lookup in glibc, however many cancelled callers came and went, and every caller
// still waiting when it ends gets libc's answer.
func TestGetAddrInfoContext_AbandonedLookupIsJoinedNotRepeated(t *testing.T) {
	slow := newSlowRequests(t)
	abandon(t, "slow.test", 1)
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Microsecond)
		_, err := GetAddrInfoContext(ctx, "slow.test", 80, 0, SOCK_STREAM, 0, 0)
		cancel()
		require.Equal(t, context.DeadlineExceeded, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan error, 8)
	for i := 0; i < cap(got); i++ {
		go func() {
			res, err := GetAddrInfoContext(ctx, "slow.test", 80, 0, SOCK_STREAM, 0, 0)
			if err == nil && len(res) != 1 {
				err = fmt.Errorf("%d results", len(res))
			}
			got <- err
		}()
	}
	waitFor(t, "the callers to join", func() bool {
		gaiFlights.mu.Lock()
		defer gaiFlights.mu.Unlock()
		return len(gaiFlights.public) == 1 && gaiFlights.public[lookupKey(nil, 'a', []byte("slow.test"), []byte("80"), 0, int(SOCK_STREAM), 0, 0)].waiters == cap(got)
	})
	slow.end()
	for i := 0; i < cap(got); i++ {
		assert.NoError(t, <-got)
	}
	assert.Equal(t, 1, slow.count("slow.test"), "lookups started in glibc")
	waitSettled(t)
}

// While abandoned lookups hold all of glibc's getaddrinfo_a threads, a lookup of another
// name does not queue behind them: it runs synchronously, on a thread of its own, within
// the bound, and answers at once (issue 15).
func TestGetAddrInfoContext_DoesNotWaitBehindLookupsNoOneWaitsFor(t *testing.T) {
	slow := newSlowRequests(t)
	for i := 0; i < glibcHelpers; i++ {
		abandon(t, fmt.Sprintf("silent%d.test", i), int64(i+1))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	want, err := GetAddrInfo("localhost", 80, 0, 0, 0, 0)
	require.NoError(t, err)
	got, err := GetAddrInfoContext(ctx, "localhost", 80, 0, 0, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Zero(t, slow.count("localhost"), "the lookup went to glibc, behind the abandoned ones")
	slow.end()
	waitSettled(t)
}

// A caller joining an abandoned lookup just as gai_cancel takes it out of glibc's queue
// starts a lookup of its own, and gets its answer.
func TestGetAddrInfoContext_JoinRacingTheCancelStartsAnew(t *testing.T) {
	inCancel, gate := make(chan struct{}), make(chan struct{})
	var starts atomic.Int32
	withFakeStarts(t, func(_ []byte, released func()) *fakeRequest {
		if starts.Add(1) == 1 {
			// Queued in glibc; gai_cancel takes it out once the test has joined it.
			return &fakeRequest{finish: make(chan struct{}), canCancel: true, released: released,
				inCancel: inCancel, cancelGate: gate}
		}
		done := make(chan struct{})
		close(done)
		return &fakeRequest{finish: done, released: released,
			res: []csock.AddrInfo{{Family: csock.AF_INET, SockType: csock.SOCK_STREAM, Protocol: 6}}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err := GetAddrInfoContext(ctx, "queued.test", 80, 0, SOCK_STREAM, 0, 0)
	require.Equal(t, context.DeadlineExceeded, err)
	select {
	case <-inCancel:
	case <-time.After(5 * time.Second):
		t.Fatal("the abandoned lookup was not cancelled")
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan error, 1)
	go func() {
		res, err := GetAddrInfoContext(ctx, "queued.test", 80, 0, SOCK_STREAM, 0, 0)
		if err == nil && len(res) != 1 {
			err = fmt.Errorf("%d results", len(res))
		}
		got <- err
	}()
	key := lookupKey(nil, 'a', []byte("queued.test"), []byte("80"), 0, int(SOCK_STREAM), 0, 0)
	waitFor(t, "the caller to join", func() bool {
		gaiFlights.mu.Lock()
		defer gaiFlights.mu.Unlock()
		f := gaiFlights.public[key]
		return f != nil && f.waiters == 1
	})
	close(gate)
	require.NoError(t, <-got)
	assert.Equal(t, int32(2), starts.Load())
	waitSettled(t)
}

// A synchronous resolver call (getnameinfo here, held in libc by a hook) abandoned by
// callers whose contexts end is joined by the next ones asking the same question: one
// thread in libc, however many callers came and went, and the one still waiting at the end
// gets libc's answer.
func TestGetNameInfoContext_AbandonedCallIsJoinedNotRepeated(t *testing.T) {
	gate := make(chan struct{})
	var entered atomic.Int32
	restore := seam.GetNameInfoHook.Set(func(seam.Call) error {
		entered.Add(1)
		<-gate
		return nil
	})
	defer restore()
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		_, _, err := GetNameInfoContext(ctx, py.Tuple{"127.0.0.1", 80}, 0)
		cancel()
		require.Equal(t, context.DeadlineExceeded, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type hp struct {
		host, port string
		err        error
	}
	got := make(chan hp, 1)
	go func() {
		h, p, err := GetNameInfoContext(ctx, py.Tuple{"127.0.0.1", 80}, 0)
		got <- hp{h, p, err}
	}()
	waitFor(t, "the caller to join", func() bool {
		nameInfoFlights.mu.Lock()
		defer nameInfoFlights.mu.Unlock()
		for _, f := range nameInfoFlights.public {
			return f.waiters == 1
		}
		return false
	})
	close(gate)
	r := <-got
	require.NoError(t, r.err)
	restore()
	wantHost, wantPort, err := GetNameInfo(py.Tuple{"127.0.0.1", 80}, 0)
	require.NoError(t, err)
	assert.Equal(t, [2]string{wantHost, wantPort}, [2]string{r.host, r.port})
	assert.Equal(t, int32(1), entered.Load(), "getnameinfo calls made")
	waitSettled(t)
}
