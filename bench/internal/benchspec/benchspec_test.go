package benchspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBaseOp(t *testing.T) {
	base, pinned := BaseOp(PingPongTCPPinned)
	assert.Equal(t, PingPongTCP, base)
	assert.True(t, pinned)
	base, pinned = BaseOp(BulkTCP)
	assert.Equal(t, BulkTCP, base)
	assert.False(t, pinned)
}

func TestUnits(t *testing.T) {
	assert.Equal(t, UnitUsPerRTT, PrimaryUnit(PingPongUnixPinned))
	assert.Equal(t, UnitMBPerS, PrimaryUnit(BulkTCP))
	assert.Equal(t, UnitMBPerS, PrimaryUnit(SendFileTCP))
	assert.True(t, HasCPUPerGiB(BulkTCP))
	assert.True(t, HasCPUPerGiB(SendFileTCP))
	assert.False(t, HasCPUPerGiB(PingPongTCP))
	assert.Equal(t, UnitConnPerS, PrimaryUnit(ConnectAcceptClose))
	assert.Equal(t, UnitThreads, PrimaryUnit(Idle10k))
	assert.Equal(t, UnitNsPerOp, PrimaryUnit(GetNameInfo))
	assert.Equal(t, UnitNsPerOp, PrimaryUnit(FDPass))
	assert.True(t, HigherIsBetter(UnitMBPerS))
	assert.True(t, HigherIsBetter(UnitConnPerS))
	assert.False(t, HigherIsBetter(UnitRSSKiB))
	assert.False(t, HigherIsBetter(UnitNsPerOp))
}

func TestOps_AreKnownAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, op := range Ops {
		assert.True(t, IsKnown(op))
		assert.False(t, seen[op], "duplicate %s", op)
		seen[op] = true
	}
	assert.Len(t, Ops, 17)
	assert.False(t, IsKnown("pingpong_udp"))
	assert.True(t, IsResolver(GetServByName))
	assert.False(t, IsResolver(GetHostName))
}
