//go:build linux

package bounded_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
	"github.com/csock/csock/test/hermetic"
)

// stormCall is one resolver call of the storm, with the context it is given.
type stormCall func(ctx context.Context, r *rand.Rand) error

// stormCalls are the Context functions the storm calls, on names from /etc/hosts, numeric
// names and blackhole.test, a name the world's server never answers (so a lookup of it
// runs in libc until the resolver's timeout, 3 s in this package's world).
var stormCalls = []stormCall{
	func(ctx context.Context, r *rand.Rand) error {
		host := []string{"localhost", "files.test", "127.0.0.1", "blackhole.test"}[r.IntN(4)]
		_, err := facade.GetAddrInfoContext(ctx, host, 80, 0, facade.SOCK_STREAM, 0, 0)
		return err
	},
	func(ctx context.Context, r *rand.Rand) error {
		host := []string{"localhost", "hermes", "192.0.2.1", "blackhole.test"}[r.IntN(4)]
		_, err := facade.GetHostByNameContext(ctx, host)
		return err
	},
	func(ctx context.Context, r *rand.Rand) error {
		host := []string{"127.0.0.1", "::1", "192.0.2.100"}[r.IntN(3)]
		_, _, err := facade.GetNameInfoContext(ctx, py.Tuple{host, 80}, 0)
		return err
	},
}

// storm runs 64 goroutines calling stormCalls with deadlines of 0-300 µs for d (each at
// most 100,000 calls), and returns how many calls were made. Every call must succeed or
// fail with its context's own error.
func storm(t *testing.T, d time.Duration) int {
	t.Helper()
	stop := time.Now().Add(d)
	var mu sync.Mutex
	total, wrong := 0, 0
	var first error
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 15))
			n := 0
			for ; n < 100000 && time.Now().Before(stop); n++ {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(r.IntN(300))*time.Microsecond)
				err := stormCalls[r.IntN(len(stormCalls))](ctx, r)
				// Every name of the storm resolves: an error can only be the context's own.
				if err != nil && err != ctx.Err() {
					mu.Lock()
					if wrong++; wrong == 1 {
						first = err
					}
					mu.Unlock()
				}
				cancel()
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}(g)
	}
	wg.Wait()
	assert.Zero(t, wrong, "calls that failed with another error than their context's, the first: %T: %v", first, first)
	return total
}

// A burst of cancelled lookups, some of them of a name the server never answers, leaves the
// resolver answering at once: GetAddrInfoContext of an /etc/hosts name right after it
// succeeds as GetAddrInfo does, well within a 2 s timeout, though the abandoned lookups of
// the silent name still run in libc for seconds. (Issue 15: they used to hold every
// getaddrinfo_a thread of glibc, and every lookup with a context waited behind them.)
func TestCancelledLookupStorm_ResolverAnswersAtOnceAfterwards(t *testing.T) {
	env := hermetic.Require(t)
	withSetting(t)
	resume(t, env)
	env.Server.Reset()
	defer settle(t)

	calls := storm(t, 500*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	res, err := facade.GetAddrInfoContext(ctx, "localhost", 80, 0, 0, 0, 0)
	took := time.Since(start)
	plain, plainErr := facade.GetAddrInfo("localhost", 80, 0, 0, 0, 0)
	t.Logf("%d calls; then GetAddrInfoContext(localhost) took %v; the server saw %d queries for blackhole.test",
		calls, took, env.Server.CountName("blackhole.test"))
	require.NoError(t, plainErr)
	require.NoError(t, err, "GetAddrInfoContext after the storm")
	assert.Equal(t, plain, res)
	assert.Less(t, took, time.Second, "the lookup waited for abandoned ones")
}
