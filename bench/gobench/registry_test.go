//go:build linux

package main

import (
	"syscall"
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

func TestFDPass_GoAndCsockCloseWhatTheyReceive(t *testing.T) {
	// TestMain fails the run if a received descriptor (or the pair) stays open.
	for _, impl := range []string{"go", "csock", "facade"} {
		op, ok := lookup(impl, benchspec.FDPass)
		require.True(t, ok, impl)
		ms, err := op(Config{Target: 20 * time.Millisecond, Quick: true})
		require.NoError(t, err, impl)
		require.Len(t, ms, 1, impl)
		assert.Equal(t, benchspec.UnitNsPerOp, ms[0].Unit, impl)
		assert.Positive(t, ms[0].Value, impl)
		require.NotNil(t, ms[0].AllocsPerOp, impl)
	}
}

func TestReceivedFD_ClosesWhatArrivesOnAMismatch(t *testing.T) {
	var p [2]int
	require.NoError(t, syscall.Pipe2(p[:], syscall.O_CLOEXEC))
	defer syscall.Close(p[1])
	fd, err := ReceivedFD(nil, 0)
	assert.ErrorContains(t, err, "received 0 descriptors")
	assert.Equal(t, -1, fd)

	// Two descriptors (dups of one end) where one was expected: both are closed.
	a, err := syscall.Dup(p[0])
	require.NoError(t, err)
	b, err := syscall.Dup(p[0])
	require.NoError(t, err)
	_, err = ReceivedFD(syscall.UnixRights(a, b), 0)
	assert.ErrorContains(t, err, "received 2 descriptors")
	assert.True(t, isClosed(a), "descriptor %d", a)
	assert.True(t, isClosed(b), "descriptor %d", b)

	// One descriptor but a truncated control buffer: closed too.
	c, err := syscall.Dup(p[0])
	require.NoError(t, err)
	_, err = ReceivedFD(syscall.UnixRights(c), syscall.MSG_CTRUNC)
	assert.ErrorContains(t, err, "flags 0x8")
	assert.True(t, isClosed(c), "descriptor %d", c)
	require.NoError(t, syscall.Close(p[0]))
}

func TestSendFile_Csock(t *testing.T) {
	op, ok := lookup("csock", benchspec.SendFileTCP)
	require.True(t, ok)
	ms, err := op(Config{Target: 20 * time.Millisecond, Quick: true})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.GreaterOrEqual(t, ms[0].Ops, int64(bulkMin/sendFileSize))
}

// isClosed reports whether fd is not an open descriptor (fcntl F_GETFD fails with EBADF);
// it only looks, so it cannot close a descriptor that reused the number.
func isClosed(fd int) bool {
	_, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	return e == syscall.EBADF
}
