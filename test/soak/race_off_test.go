//go:build linux && !race

package soak

// raceEnabled reports a -race build, whose shadow memory the runtime never returns.
const raceEnabled = false
