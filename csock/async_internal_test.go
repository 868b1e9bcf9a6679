//go:build linux && cgo

package csock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handleLedger follows every go-pointer handle from Save to Unref.
type handleLedger struct {
	mu       sync.Mutex
	live     map[unsafe.Pointer]bool
	saved    int
	released int
	bad      []string
}

func (l *handleLedger) save(h unsafe.Pointer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.live[h] {
		l.bad = append(l.bad, "handle saved while live")
	}
	l.live[h] = true
	l.saved++
}

func (l *handleLedger) unref(h unsafe.Pointer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.live[h] {
		l.bad = append(l.bad, "handle released twice, or never saved")
	}
	delete(l.live, h)
	l.released++
}

// TestAsyncHandles_ReleasedExactlyOnce runs lookups that complete, lookups cancelled
// before glibc reaches them, and lookups whose cancellation races their completion, many
// times over, and checks that every go-pointer handle is Unref'd exactly once, after the
// last callback that could use it.
func TestAsyncHandles_ReleasedExactlyOnce(t *testing.T) {
	ledger := &handleLedger{live: map[unsafe.Pointer]bool{}}
	save, unref := ledger.save, ledger.unref
	testHookSave.Store(&save)
	testHookUnref.Store(&unref)
	defer testHookSave.Store(nil)
	defer testHookUnref.Store(nil)

	before := readAsyncStats()
	const workers, rounds = 24, 250
	var wg sync.WaitGroup
	budget := time.Now().Add(30 * time.Second)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds && time.Now().Before(budget); i++ {
				ctx, cancel := context.WithCancel(context.Background())
				switch i % 4 {
				case 0: // completes
				case 1: // cancelled as soon as it is queued: often still in glibc's queue
					time.AfterFunc(0, cancel)
				default: // cancelled around its completion
					time.AfterFunc(time.Duration((w+i)%150)*time.Microsecond, cancel)
				}
				_, err := GetAddrInfoAsync(ctx, []byte("localhost"), nil, 0, SOCK_STREAM, 0, 0, func() {})
				if err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("lookup: %v", err)
				}
				cancel()
			}
		}(w)
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for readAsyncStats().Pending != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	after := readAsyncStats()

	ledger.mu.Lock()
	defer ledger.mu.Unlock()
	require.Empty(t, ledger.bad)
	assert.Empty(t, ledger.live, "handles never released")
	assert.Equal(t, ledger.saved, ledger.released)
	started := after.Started - before.Started
	assert.EqualValues(t, ledger.saved, started)
	assert.Equal(t, started, after.Notified-before.Notified+after.Canceled-before.Canceled)
	t.Logf("%d requests: %d notified; gai_cancel: EAI_CANCELED %d, EAI_NOTCANCELED %d, EAI_ALLDONE %d",
		started, after.Notified-before.Notified, after.Canceled-before.Canceled,
		after.NotCanceled-before.NotCanceled, after.AllDone-before.AllDone)
	// Each path that releases a handle ran: the callback, and the waiter after EAI_CANCELED.
	assert.Positive(t, after.Canceled-before.Canceled)
	assert.Positive(t, after.AllDone-before.AllDone+after.NotCanceled-before.NotCanceled)
}

func TestGetAddrInfoAsync_QueueFailure(t *testing.T) {
	testHookStartFails.Store(true)
	defer testHookStartFails.Store(false)
	before := readAsyncStats()
	released := 0
	res, err := GetAddrInfoAsync(context.Background(), []byte("localhost"), nil, 0, 0, 0, 0, func() { released++ })
	assert.Nil(t, res)
	assert.Equal(t, &GaiError{Code: EAI_AGAIN}, err)
	assert.Equal(t, 1, released)
	after := readAsyncStats()
	assert.Equal(t, before.Started, after.Started)
	assert.Zero(t, after.Pending)
}
