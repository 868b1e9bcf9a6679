//go:build linux

package facade

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/csock/csock/py"
)

// A WarningHandler receives a warning the facade issues where CPython calls
// warnings.warn (PyErr_WarnEx): today only RecvMsg's and RecvMsgInto's *py.RuntimeWarning
// "received malformed or improperly-truncated ancillary data". Returning nil lets the call
// go on, as Python's "default", "always" and "ignore" filter actions do; returning an
// error makes the call fail with that error, as Python's "error" action raises the
// warning, after the clean-up CPython does in that case (RecvMsg closes the descriptors it
// received).
type WarningHandler func(w py.Exception) error

var (
	warningHandler atomic.Pointer[WarningHandler]
	warnedMu       sync.Mutex
	warned         = map[string]bool{}
)

// SetWarningHandler sets the function that receives the facade's warnings and returns
// the previous one (nil for the default). It is process-wide, like Python's warnings
// filters. nil restores the default, which writes the first warning of each text to
// os.Stderr as "RuntimeWarning: <text>" and lets the call go on (Python's default action
// shows a warning once per place in the code that issues it).
func SetWarningHandler(h WarningHandler) WarningHandler {
	var old *WarningHandler
	if h == nil {
		old = warningHandler.Swap(nil)
	} else {
		old = warningHandler.Swap(&h)
	}
	if old == nil {
		return nil
	}
	return *old
}

// warn issues the warning w: the handler's verdict, or the default's.
func warn(w py.Exception) error {
	if h := warningHandler.Load(); h != nil {
		return (*h)(w)
	}
	text := py.FormatException(w)
	warnedMu.Lock()
	first := !warned[text]
	warned[text] = true
	warnedMu.Unlock()
	if first {
		fmt.Fprintln(os.Stderr, text)
	}
	return nil
}
