//go:build linux

package facade

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sendmsg and recvmsg on the engine: in blocking mode they wait on Go's poller with the
// descriptor left blocking (CPython's flag), Close wakes them, a context ends them.

func TestRecvMsg_BlockingWaitOnThePollerEndsWithClose(t *testing.T) {
	a, _ := socketPair(t)
	wait := goAsync(t, func() error {
		_, _, _, _, err := a.RecvMsg(10, 100, 0)
		return err
	})
	deadline := time.Now().Add(10 * time.Second)
	for a.pf.Load() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	require.NotNil(t, a.pf.Load(), "RecvMsg went to the poller")
	assert.False(t, nonblockFlag(t, a.Fileno()), "the descriptor stays blocking")
	require.NoError(t, a.Close())
	assert.Equal(t, textEBADF, pyExc(wait()))

	// And one that waits, then gets its message with ancillary data.
	c, d := socketPair(t)
	got := make(chan []Ancillary, 1)
	wait = goAsync(t, func() error {
		_, items, _, _, err := c.RecvMsgInto([][]byte{make([]byte, 10)}, 100, 0)
		got <- items
		return err
	})
	time.Sleep(20 * time.Millisecond)
	_, err := SendFDs(d, [][]byte{[]byte("x")}, []int{0}, 0, nil)
	require.NoError(t, err)
	require.NoError(t, wait())
	items := <-got
	require.Len(t, items, 1)
	closeSCMRights(items)
}

func TestRecvMsgContext_EndsWithTheContext(t *testing.T) {
	a, _ := socketPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, _, _, _, err := a.RecvMsgContext(ctx, 10, 0, 0)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, _, _, _, err = a.RecvMsgIntoContext(ctx2, [][]byte{make([]byte, 1)}, 0, 0)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = a.SendMsgContext(ctx2, [][]byte{[]byte("x")}, nil, 0, nil)
	assert.ErrorIs(t, err, context.Canceled)
}
