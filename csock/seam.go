//go:build linux && cgo

package csock

import (
	"syscall"

	"github.com/csock/csock/internal/seam"
)

// The binding's side of its test seams (internal/seam, out of the API as Go's net keeps
// hook_unix.go unexported): each path a test may need to fail on demand asks its seam.Hook
// first (an unset hook costs one atomic load and a nil check), and the counters of
// GetAddrInfoAsync are read through seam.ReadAsyncStats.

func init() { seam.RegisterAsyncStats(readAsyncStats) }

// readAsyncStats returns the counters of GetAddrInfoAsync (asyncCounters).
func readAsyncStats() seam.AsyncStats {
	unrefs := asyncCounters.unrefs.Load() // before refs: Pending is never negative
	return seam.AsyncStats{
		Started:     asyncCounters.started.Load(),
		Notified:    asyncCounters.notified.Load(),
		Canceled:    asyncCounters.canceled.Load(),
		NotCanceled: asyncCounters.notCanceled.Load(),
		AllDone:     asyncCounters.allDone.Load(),
		Pending:     asyncCounters.refs.Load() - unrefs,
	}
}

// gaiFault turns the fault of a getaddrinfo or getnameinfo hook into the lookup's error.
func gaiFault(err error, st *Status) error {
	if st != nil {
		*st = Status{}
	}
	if e, ok := err.(syscall.Errno); ok {
		return &GaiError{Code: EAI_SYSTEM, Errno: e}
	}
	return err
}

// hostFault turns the fault of a gethostby* hook into the lookup's error.
func hostFault(err error, st *Status) error {
	herr, ok := err.(*HError)
	if e, isErrno := err.(syscall.Errno); isErrno {
		herr, ok = &HError{Code: netdbInternal, Errno: e}, true
	}
	if st != nil {
		*st = Status{}
		if ok {
			*st = Status{HErrnoSet: true, HErrno: herr.Code}
		}
	}
	if ok {
		return herr
	}
	return err
}

// netdbInternal is glibc's NETDB_INTERNAL h_errno: "see errno".
const netdbInternal = -1
