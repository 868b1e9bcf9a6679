//go:build linux

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/bench/internal/benchspec"
)

func TestRegister_RejectsMistakes(t *testing.T) {
	ok := Call(func() error { return nil })
	assert.PanicsWithValue(t, `gobench: implementation "go" registered twice`, func() {
		Register("go", map[string]Op{benchspec.GetHostName: ok})
	})
	assert.Panics(t, func() { Register("x1", map[string]Op{"no_such_op": ok}) })
	assert.Panics(t, func() { Register("x2", map[string]Op{benchspec.PingPongTCPPinned: ok}) })
	assert.Panics(t, func() { Register("x3", map[string]Op{benchspec.GetHostName: nil}) })
}

func TestLookup_PinnedVariantsComeFromTheBaseOp(t *testing.T) {
	_, found := lookup("go", benchspec.PingPongUnixPinned)
	assert.True(t, found)
	_, found = lookup("gocgo", benchspec.PingPongUnixPinned)
	assert.False(t, found, "gocgo has no pingpong")
	_, found = lookup("nobody", benchspec.GetHostName)
	assert.False(t, found)
}

func TestListings_InReportOrder(t *testing.T) {
	ls := listings()
	require.NotEmpty(t, ls)
	for _, l := range ls {
		if l.Impl == "go" {
			assert.Equal(t, benchspec.Ops, l.Ops)
		}
	}
}

func TestCall_MeasuresNsPerOpAndAllocs(t *testing.T) {
	var sink []byte
	ms, err := Call(func() error { sink = make([]byte, 64); return nil })(Config{Target: 20 * time.Millisecond, Quick: true})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.Equal(t, benchspec.UnitNsPerOp, ms[0].Unit)
	assert.Positive(t, ms[0].Value)
	assert.Positive(t, ms[0].Ops)
	require.NotNil(t, ms[0].AllocsPerOp)
	assert.InDelta(t, 1, *ms[0].AllocsPerOp, 0.1)
	_ = sink
}

func TestPingPong_OverSocketpair(t *testing.T) {
	ms, err := PingPong(netUnixPair)(Config{Target: 20 * time.Millisecond, Quick: true})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.Equal(t, benchspec.UnitUsPerRTT, ms[0].Unit)
	assert.Positive(t, ms[0].Value)
}

func TestSendFile_MovesWholeFilesAndReportsCPU(t *testing.T) {
	ms, err := SendFile(netTCPPair)(Config{Target: 20 * time.Millisecond, Quick: true})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	m := ms[0]
	assert.Equal(t, benchspec.UnitMBPerS, m.Unit)
	assert.Positive(t, m.Value)
	assert.GreaterOrEqual(t, m.Ops, int64(bulkMin/sendFileSize), "at least 256 MiB in whole files")
	require.NotNil(t, m.AllocsPerOp)
	require.NotNil(t, m.CPUSecPerGiB)
	assert.Positive(t, *m.CPUSecPerGiB)
}

func TestSendFile_NeedsAFileSender(t *testing.T) {
	_, err := SendFile(netUnixPair)(Config{Target: 20 * time.Millisecond, Quick: true})
	assert.ErrorContains(t, err, "SendFile over")
	plain := func() (Stream, Stream, error) {
		a, b, err := netUnixPair()
		return struct{ Stream }{a}, b, err
	}
	_, err = SendFile(plain)(Config{Target: 20 * time.Millisecond, Quick: true})
	assert.ErrorContains(t, err, "has no SendFile method")
}
