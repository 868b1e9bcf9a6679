package seam

// AsyncStats counts this process's csock.GetAddrInfoAsync requests since it started.
type AsyncStats struct {
	Started     uint64 // requests glibc queued
	Notified    uint64 // completion callbacks received
	Canceled    uint64 // gai_cancel returned EAI_CANCELED: removed from the queue, never run
	NotCanceled uint64 // gai_cancel returned EAI_NOTCANCELED: running; its callback followed
	AllDone     uint64 // gai_cancel returned EAI_ALLDONE: finished; its callback came or followed
	Pending     uint64 // go-pointer handles not yet released (requests libc still holds)
}

// readAsyncStats is the binding's reader of its counters, handed over by its init.
var readAsyncStats func() AsyncStats

// RegisterAsyncStats is called once, by the csock package's init, with the function that
// reads its GetAddrInfoAsync counters. The counters stay where they are counted.
func RegisterAsyncStats(read func() AsyncStats) { readAsyncStats = read }

// ReadAsyncStats returns the counters of csock.GetAddrInfoAsync (all zero in a program
// that does not link the binding). When no request is in flight, Pending is 0 and
// Started == Notified + Canceled.
func ReadAsyncStats() AsyncStats {
	if readAsyncStats == nil {
		return AsyncStats{}
	}
	return readAsyncStats()
}
