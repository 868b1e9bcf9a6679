//go:build linux

package facade

import (
	"math"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/csock/csock/py"
)

// A timeout as CPython stores it: integer nanoseconds, -1 for None (blocking), 0 for
// non-blocking, > 0 for a timeout.
type timeoutNS int64

const noTimeout timeoutNS = -1

// defaultTimeout is the module's default timeout (CPython's defaulttimeout), shared by the
// whole process like CPython's.
var defaultTimeout atomic.Int64

func init() { defaultTimeout.Store(int64(noTimeout)) }

// parseTimeout converts settimeout's argument the way CPython 3.11 does: None; a float,
// multiplied by 1e9 and rounded away from zero; an int (or anything with __index__) as
// whole seconds; a time.Duration as exact nanoseconds (a Go extension). The errors and
// their texts are CPython's.
func parseTimeout(v any) (timeoutNS, error) {
	switch t := v.(type) {
	case nil:
		return noTimeout, nil
	case time.Duration:
		if t < 0 {
			return 0, &ValueError{Msg: "Timeout value out of range"}
		}
		return timeoutNS(t), nil
	case float32:
		return floatTimeout(float64(t))
	case float64:
		return floatTimeout(t)
	}
	n, ok := py.AsInt(v)
	if !ok {
		return 0, notInteger(v)
	}
	ns := new(big.Int).Mul(n, big.NewInt(1e9))
	if !ns.IsInt64() {
		return 0, &OverflowError{Msg: "timestamp too large to convert to C _PyTime_t"}
	}
	if ns.Sign() < 0 {
		return 0, &ValueError{Msg: "Timeout value out of range"}
	}
	return timeoutNS(ns.Int64()), nil
}

func floatTimeout(f float64) (timeoutNS, error) {
	if math.IsNaN(f) {
		return 0, &ValueError{Msg: "Invalid value NaN (not a number)"}
	}
	d := f * 1e9
	// _PyTime_ROUND_TIMEOUT rounds away from zero, so any positive value is a timeout.
	if d >= 0 {
		d = math.Ceil(d)
	} else {
		d = math.Floor(d)
	}
	if !(d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
		return 0, &OverflowError{Msg: "timestamp out of range for platform time_t"}
	}
	if d < 0 {
		return 0, &ValueError{Msg: "Timeout value out of range"}
	}
	return timeoutNS(d), nil
}

// seconds returns the timeout as gettimeout() does: nil for None, else float seconds
// computed like _PyTime_AsSecondsDouble.
func (t timeoutNS) seconds() any {
	if t < 0 {
		return nil
	}
	if t%1e9 == 0 {
		return float64(t / 1e9)
	}
	return float64(t) / 1e9
}

// GetDefaultTimeout returns the default timeout of new sockets: nil (None, blocking) or
// float64 seconds. It mirrors socket.getdefaulttimeout().
func GetDefaultTimeout() any { return timeoutNS(defaultTimeout.Load()).seconds() }

// SetDefaultTimeout sets the default timeout of sockets created afterwards; v is nil
// (blocking), a number of seconds (float64 or an int) or a time.Duration. It mirrors
// socket.setdefaulttimeout(), errors included.
func SetDefaultTimeout(v any) error {
	t, err := parseTimeout(v)
	if err != nil {
		return err
	}
	defaultTimeout.Store(int64(t))
	return nil
}
