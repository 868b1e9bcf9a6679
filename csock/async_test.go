//go:build linux && cgo

package csock_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/seam"
)

// releaseCounter counts the released calls of GetAddrInfoAsync.
type releaseCounter struct{ n atomic.Int32 }

func (r *releaseCounter) release() { r.n.Add(1) }

// waitAsyncSettled waits (at most 10 s) until no request holds a handle.
func waitAsyncSettled(t *testing.T) seam.AsyncStats {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := seam.ReadAsyncStats()
		if st.Pending == 0 || time.Now().After(deadline) {
			require.Zero(t, st.Pending, "requests still hold go-pointer handles: %+v", st)
			require.Equal(t, st.Started, st.Notified+st.Canceled, "every request notified or cancelled: %+v", st)
			return st
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGetAddrInfoAsync_SameAsSync(t *testing.T) {
	// Numeric hosts and /etc/hosts names only: nothing reaches the machine's nameserver.
	hosts := []*string{nil, strp("localhost"), strp("127.0.0.1"), strp("::1"), strp("::ffff:1.2.3.4"),
		strp("fe80::1%lo"), strp("127.1"), strp("2130706433"), strp("not numeric")}
	servs := []*string{nil, strp("80"), strp("http"), strp("no-such-service")}
	n := 0
	for _, h := range hosts {
		for _, s := range servs {
			for _, fam := range []int{csock.AF_UNSPEC, csock.AF_INET, 12345} {
				for _, typ := range []int{0, csock.SOCK_STREAM, csock.SOCK_RAW} {
					for _, flags := range []int{0, csock.AI_PASSIVE | csock.AI_CANONNAME, csock.AI_NUMERICHOST, -1} {
						if h == nil && s == nil || h != nil && *h == "not numeric" && flags&csock.AI_NUMERICHOST == 0 {
							continue
						}
						host, serv := bytesOrNil(h), bytesOrNil(s)
						want, wantErr := csock.GetAddrInfo(host, serv, fam, typ, 0, flags, nil)
						var rel releaseCounter
						got, err := csock.GetAddrInfoAsync(context.Background(), host, serv, fam, typ, 0, flags, rel.release)
						assert.Equal(t, wantErr, err, "%v %v %d %d %#x", h, s, fam, typ, flags)
						assert.Equal(t, want, got, "%v %v %d %d %#x", h, s, fam, typ, flags)
						assert.EqualValues(t, 1, rel.n.Load())
						n++
					}
				}
			}
		}
	}
	t.Logf("%d queries", n)
	waitAsyncSettled(t)
}

func TestGetAddrInfoAsync_ContextDoneBeforeStart(t *testing.T) {
	before := seam.ReadAsyncStats()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var rel releaseCounter
	res, err := csock.GetAddrInfoAsync(ctx, []byte("localhost"), nil, 0, 0, 0, 0, rel.release)
	assert.Nil(t, res)
	assert.Same(t, context.Canceled, err)
	assert.EqualValues(t, 1, rel.n.Load())
	assert.Equal(t, before.Started, seam.ReadAsyncStats().Started, "nothing queued")
}

func TestGetAddrInfoAsync_LongNameIsCopied(t *testing.T) {
	// A name longer than the stack scratch is copied from the heap, then by the shim;
	// getaddrinfo refuses it as the synchronous call does.
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a'
	}
	_, want := csock.GetAddrInfo(long, nil, 0, 0, 0, csock.AI_NUMERICHOST, nil)
	var rel releaseCounter
	_, err := csock.GetAddrInfoAsync(context.Background(), long, nil, 0, 0, 0, csock.AI_NUMERICHOST, rel.release)
	var gerr *csock.GaiError
	require.True(t, errors.As(err, &gerr), "%v", err)
	assert.Equal(t, want, err)
	assert.EqualValues(t, 1, rel.n.Load())
}

// TestGetAddrInfoAsync_CancelRacesCompletion cancels lookups at random moments around
// their completion, so that gai_cancel answers each of EAI_CANCELED, EAI_NOTCANCELED and
// EAI_ALLDONE, and the callback sometimes lands between the wait and gai_cancel. Every
// request must release its slot exactly once and leave no handle behind.
func TestGetAddrInfoAsync_CancelRacesCompletion(t *testing.T) {
	before := seam.ReadAsyncStats()
	const workers, rounds = 16, 150
	budget := time.Now().Add(20 * time.Second)
	var wg sync.WaitGroup
	var canceledErrs, results, badReleases atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds && time.Now().Before(budget); i++ {
				ctx, cancel := context.WithCancel(context.Background())
				delay := time.Duration((w*rounds+i)%200) * time.Microsecond
				timer := time.AfterFunc(delay, cancel)
				host := []byte("localhost")
				if i%3 == 0 {
					host = []byte("127.0.0.1")
				}
				var rel releaseCounter
				res, err := csock.GetAddrInfoAsync(ctx, host, []byte("80"), 0, csock.SOCK_STREAM, 0, 0, rel.release)
				switch {
				case err == nil && len(res) > 0:
					results.Add(1)
				case errors.Is(err, context.Canceled):
					canceledErrs.Add(1)
				default:
					t.Errorf("unexpected outcome: %v %v", res, err)
				}
				timer.Stop()
				cancel()
				// The release may come later, from glibc's notification thread.
				for j := 0; j < 5000 && rel.n.Load() == 0; j++ {
					time.Sleep(100 * time.Microsecond)
				}
				if rel.n.Load() != 1 {
					badReleases.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	after := waitAsyncSettled(t)
	assert.Zero(t, badReleases.Load(), "requests released other than exactly once")
	t.Logf("results %d, cancelled %d; gai_cancel: EAI_CANCELED %d, EAI_NOTCANCELED %d, EAI_ALLDONE %d",
		results.Load(), canceledErrs.Load(), after.Canceled-before.Canceled,
		after.NotCanceled-before.NotCanceled, after.AllDone-before.AllDone)
	assert.Positive(t, results.Load())
	assert.Positive(t, canceledErrs.Load())
}

// The steps of GetAddrInfoAsync one by one: a request taken to its result, one given up
// at once (its result dropped when glibc finishes it), and one cancelled or given up as
// gai_cancel decides. Each calls released exactly once, and no handle is left.
func TestGaiRequest_ResultAbandonAndCancel(t *testing.T) {
	want, err := csock.GetAddrInfo([]byte("localhost"), []byte("80"), 0, csock.SOCK_STREAM, 0, 0, nil)
	require.NoError(t, err)
	var rel releaseCounter
	r, err := csock.StartGetAddrInfo([]byte("localhost"), []byte("80"), 0, csock.SOCK_STREAM, 0, 0, rel.release)
	require.NoError(t, err)
	waitDone(t, r)
	got, err := r.Result()
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, int32(1), rel.n.Load())

	var abandoned releaseCounter
	r, err = csock.StartGetAddrInfo([]byte("localhost"), nil, 0, 0, 0, 0, abandoned.release)
	require.NoError(t, err)
	r.Abandon()

	var raced releaseCounter
	for i := 0; i < 50; i++ {
		r, err := csock.StartGetAddrInfo([]byte("localhost"), nil, 0, 0, 0, 0, raced.release)
		require.NoError(t, err)
		if !r.Cancel() {
			r.Abandon()
		}
	}
	waitAsyncSettled(t)
	assert.Equal(t, int32(1), abandoned.n.Load())
	assert.Equal(t, int32(50), raced.n.Load())

	// nil released is allowed.
	r, err = csock.StartGetAddrInfo([]byte("127.0.0.1"), nil, 0, 0, 0, csock.AI_NUMERICHOST, nil)
	require.NoError(t, err)
	waitDone(t, r)
	_, err = r.Result()
	require.NoError(t, err)
}

// waitDone waits at most 10 s for glibc to finish r.
func waitDone(t *testing.T, r *csock.GaiRequest) {
	t.Helper()
	select {
	case <-r.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("no completion in 10 s")
	}
}
