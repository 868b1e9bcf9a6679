//go:build linux

package reliability

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/seam"
	"github.com/csock/csock/py"
	"github.com/csock/csock/test/hermetic"
)

// lookupCalls are the resolver calls the DNS test makes, each for a name only the world's
// name server knows (the world's resolv.conf: timeout:1 attempts:1).
var lookupCalls = map[string]func(ctx context.Context) error{
	"getaddrinfo": func(context.Context) error {
		_, err := facade.GetAddrInfo("multi.test", 80, 0, facade.SOCK_STREAM, 0, 0)
		return err
	},
	"getaddrinfo async": func(ctx context.Context) error {
		_, err := facade.GetAddrInfoContext(ctx, "v4only.test", 80, facade.AF_INET, 0, 0, 0)
		return err
	},
	"gethostbyname": func(context.Context) error {
		_, err := facade.GetHostByName("hop2.test")
		return err
	},
	"gethostbyname_ex": func(context.Context) error {
		_, err := facade.GetHostByNameEx("alias.test")
		return err
	},
	"create_connection": func(context.Context) error {
		// The name has no address this namespace can reach: resolution is all that counts.
		s, err := facade.CreateConnection(py.Tuple{"to-v4only.test", 9}, 0.2, nil, false)
		if err == nil {
			s.Close()
		}
		return err
	},
}

// TestDNSServerGoesSilent_TemporaryFailureAndNothingStuck: the world's name server stops
// answering in the middle of a run of lookups (sync, getaddrinfo_a, gethostbyname,
// gethostbyname_ex, create_connection). Each call then fails with python3's text for the
// same call in the same state ("socket.gaierror: [Errno -3] Temporary failure in name
// resolution"), never with anything else; lookups started before the silence succeed;
// after the server resumes they succeed again; a lookup whose context ends while the
// server is silent returns at once; and when it is over no goroutine and no request
// inside glibc is left behind.
func TestDNSServerGoesSilent_TemporaryFailureAndNothingStuck(t *testing.T) {
	env := hermetic.Require(t)
	defer env.Server.Resume()
	goroutines := runtime.NumGoroutine()

	env.Server.Drop()
	want := pyTexts(t, `
import concurrent.futures
calls = {
    'getaddrinfo': lambda: socket.getaddrinfo('multi.test', 80, 0, socket.SOCK_STREAM),
    'getaddrinfo async': lambda: socket.getaddrinfo('v4only.test', 80, socket.AF_INET),
    'gethostbyname': lambda: socket.gethostbyname('hop2.test'),
    'gethostbyname_ex': lambda: socket.gethostbyname_ex('alias.test'),
    'create_connection': lambda: socket.create_connection(('to-v4only.test', 9), 0.2),
}
with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
    futures = {name: pool.submit(exc, f) for name, f in calls.items()}
for name, f in futures.items():
    out[name] = f.result()
# What CPython raises for a gethostbyname_r(3) that ends with h_errno TRY_AGAIN: its
# set_herror, with libc's hstrerror.
libc = ctypes.CDLL(None); libc.hstrerror.restype = ctypes.c_char_p
def try_again():
    raise socket.herror(2, libc.hstrerror(2).decode())
out['herror TRY_AGAIN'] = exc(try_again)
`)
	env.Server.Resume()
	require.Equal(t, "socket.gaierror: [Errno -3] Temporary failure in name resolution", want["getaddrinfo"],
		"python3 in the silent world")

	// Before: every call resolves.
	for name, call := range lookupCalls {
		err := call(context.Background())
		if name == "create_connection" {
			// Resolved, then the connection itself failed (nothing listens there).
			require.Error(t, err)
			var gai *facade.GaiError
			require.False(t, errors.As(err, &gai), "%v", err)
			continue
		}
		require.NoError(t, err, name)
	}

	// During: workers keep looking up while the server goes silent under them.
	const workers = 2 // per call
	var mu sync.Mutex
	silentSeen := map[string]int{}
	others := map[string][]string{}
	silent := make(chan struct{})
	var wg sync.WaitGroup
	deadline := time.Now().Add(60 * time.Second)
	for name, call := range lookupCalls {
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Bounded by the deadline, and in count: as many lookups as it takes
				// until the silence (answered ones take a millisecond or less on a quiet
				// machine, so a fixed count could end before the server goes silent), then
				// at most 200 more.
				for before, after := 0, 0; before < 100000 && after < 200 && time.Now().Before(deadline); {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					err := call(ctx)
					cancel()
					text := pyExc(err)
					mu.Lock()
					switch {
					case text == want[name]:
						silentSeen[name]++
					case err == nil, name == "create_connection" && !isGai(err):
						// Answered before the silence (or resolved, then not connected).
					case name == "gethostbyname_ex" && text == want["herror TRY_AGAIN"]:
						// Silenced between its two lookups: getaddrinfo answered, then
						// gethostbyname_r(3) timed out with TRY_AGAIN, which CPython
						// reports as socket.herror [Errno 2] the same way.
					default:
						others[name] = append(others[name], text)
					}
					enough := silentSeen[name] >= workers
					mu.Unlock()
					select {
					case <-silent:
						if enough {
							return
						}
						after++
					default:
						before++
					}
				}
			}()
		}
	}
	time.Sleep(300 * time.Millisecond)
	env.Server.Drop()
	close(silent)

	// A lookup whose context ends while the server is silent returns then.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	var err error
	d := within(t, prompt, func() {
		_, err = facade.GetAddrInfoContext(ctx, "multi.test", 443, 0, 0, 0, 0)
	})
	cancel()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, d, 200*time.Millisecond+slack)

	wg.Wait()
	env.Server.Resume()
	for name := range lookupCalls {
		assert.Positive(t, silentSeen[name], "%s never saw the silence", name)
		assert.Empty(t, others[name], "%s failed otherwise than CPython", name)
	}

	// After: answers again.
	for name, call := range lookupCalls {
		if name != "create_connection" {
			require.NoError(t, call(context.Background()), name)
		}
	}

	// Nothing stuck: the abandoned lookup ends at the resolver's timeout; every goroutine
	// the calls used is gone.
	for i := 0; i < 200 && (seam.ReadAsyncStats().Pending != 0 || runtime.NumGoroutine() > goroutines); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	assert.Zero(t, seam.ReadAsyncStats().Pending, "requests still inside glibc")
	assert.LessOrEqual(t, runtime.NumGoroutine(), goroutines, "goroutines left behind")
}

// isGai reports whether err is a socket.gaierror.
func isGai(err error) bool {
	var gai *facade.GaiError
	return errors.As(err, &gai)
}
