package testutil

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endless is a reader that never reports the end: every Read returns (0, nil).
type endless struct{}

func (endless) Read([]byte) (int, error) { return 0, nil }

func TestBoundedReader_PassesAStreamThatEnds(t *testing.T) {
	got, err := io.ReadAll(BoundedReader(strings.NewReader("hello"), 3, time.Minute))
	require.NoError(t, err)
	assert.Equal(t, "hello", string(got))
}

func TestBoundedReader_FailsAReaderThatNeverEndsAfterCalls(t *testing.T) {
	var out bytes.Buffer
	_, err := out.ReadFrom(BoundedReader(io.MultiReader(strings.NewReader("hi"), endless{}), 10, time.Minute))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no io.EOF after 10 Read calls (bound 10)")
	assert.Contains(t, err.Error(), "2 bytes read")
	assert.Equal(t, "hi", out.String())
}

func TestBoundedReader_FailsAReaderThatNeverEndsAfterTime(t *testing.T) {
	r := BoundedReader(endless{}, 1<<30, 20*time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	_, err := io.ReadAll(r)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no io.EOF after 0 Read calls")
	assert.Contains(t, err.Error(), "(bound 20ms)")
}
