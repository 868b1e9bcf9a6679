//go:build linux && !race

package facade

// raceEnabled reports whether the race detector is on: it adds allocations of its own,
// so the allocation tests only run without it.
const raceEnabled = false
