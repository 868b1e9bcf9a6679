package pyio

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/py"
)

func TestErrNone_IsEAGAINAndNotAnException(t *testing.T) {
	assert.ErrorIs(t, ErrNone, syscall.EAGAIN)
	assert.False(t, py.IsOSError(ErrNone))
	_, isExc := py.AsException(ErrNone)
	assert.False(t, isExc, "None is a result, not a Python exception")

	// A buffered write's BlockingIOError, unlike None, is an exception: an OSError.
	be := py.NewWriteBlocked(3)
	assert.ErrorIs(t, be, syscall.EAGAIN)
	var oe *py.OSError
	require.ErrorAs(t, be, &oe)
	assert.Equal(t, "BlockingIOError", oe.PyClass())
	assert.Equal(t, 3, be.CharactersWritten)
	assert.True(t, py.IsOSError(be))
	assert.True(t, py.IsOSError(&py.UnsupportedOperation{Msg: "read"}))
	assert.False(t, errors.Is(be, os.ErrDeadlineExceeded))
}
