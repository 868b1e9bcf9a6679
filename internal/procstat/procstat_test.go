package procstat

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestParse(t *testing.T) {
	st, err := Parse([]byte("Name:\tx\nVmHWM:\t   2048 kB\nVmRSS:\t   1024 kB\nThreads:\t7\n"))
	require.NoError(t, err)
	assert.Equal(t, Status{Threads: 7, RSS: 1 << 20, HWM: 2 << 20}, st)
	_, err = Parse([]byte("Name:\tx\nThreads:\t7\n"))
	assert.Error(t, err, "no VmRSS line")
}

func TestRead(t *testing.T) {
	st, err := Read()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, st.Threads, 1)
	assert.LessOrEqual(t, st.Threads, runtime.NumGoroutine()+64)
	assert.Positive(t, st.RSS)
	assert.GreaterOrEqual(t, st.HWM, st.RSS)
}
