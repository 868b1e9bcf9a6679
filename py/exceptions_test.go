package py

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOSError_ClassAndUnwrapFollowTheErrno(t *testing.T) {
	e := NewOSError(int(syscall.ECONNREFUSED), "Connection refused")
	assert.Equal(t, "ConnectionRefusedError: [Errno 111] Connection refused", FormatException(e))
	assert.True(t, errors.Is(e, syscall.ECONNREFUSED))
	assert.True(t, IsOSError(fmt.Errorf("wrapped: %w", e)))
	m := OSMessage("service/proto not found")
	assert.Equal(t, "OSError: service/proto not found", FormatException(m))
	assert.Nil(t, m.Unwrap())
}

func TestTimeoutError_IsANetErrorMatchingDeadlineExceeded(t *testing.T) {
	var err error = fmt.Errorf("recv: %w", &TimeoutError{})
	var ne net.Error
	require.True(t, errors.As(err, &ne), "a TimeoutError is a net.Error")
	assert.True(t, ne.Timeout())
	assert.True(t, errors.Is(err, os.ErrDeadlineExceeded))
	assert.Equal(t, "TimeoutError: timed out", FormatException(&TimeoutError{}))
	assert.True(t, IsOSError(err))
}

func TestGaiErrorAndHError_MatchByCodeWithErrorsIs(t *testing.T) {
	err := fmt.Errorf("lookup: %w", &GaiError{Code: -2, Strerror: "Name or service not known"})
	assert.True(t, errors.Is(err, &GaiError{Code: -2}))
	assert.False(t, errors.Is(err, &GaiError{Code: -3}))
	assert.False(t, errors.Is(err, &HError{Code: -2}))
	herr := fmt.Errorf("lookup: %w", &HError{Code: 1, Strerror: "Unknown host"})
	assert.True(t, errors.Is(herr, &HError{Code: 1}))
	assert.False(t, errors.Is(herr, &HError{Code: 2}))
	assert.Equal(t, "socket.gaierror: [Errno -2] Name or service not known", FormatException(&GaiError{Code: -2, Strerror: "Name or service not known"}))
}

func TestExceptionGroup_PluralAndMembers(t *testing.T) {
	a := NewOSError(int(syscall.ECONNREFUSED), "Connection refused")
	g := &ExceptionGroup{Msg: "create_connection failed", Errors: []error{a}}
	assert.Equal(t, "create_connection failed (1 sub-exception)", g.Error())
	g.Errors = append(g.Errors, &TimeoutError{})
	assert.Equal(t, "create_connection failed (2 sub-exceptions)", g.Error())
	assert.True(t, errors.Is(g, syscall.ECONNREFUSED))
	assert.True(t, errors.Is(g, os.ErrDeadlineExceeded))
}

func TestBlockingIOError_IsAnEAGAINOSError(t *testing.T) {
	e := NewWriteBlocked(3)
	assert.Equal(t, "BlockingIOError: [Errno 11] write could not complete without blocking", FormatException(e))
	assert.Equal(t, 3, e.CharactersWritten)
	assert.True(t, errors.Is(e, syscall.EAGAIN))
	assert.True(t, IsOSError(e))
	assert.True(t, IsOSError(&UnsupportedOperation{Msg: "not readable"}))
	assert.False(t, IsOSError(&ValueError{Msg: "x"}))
}
