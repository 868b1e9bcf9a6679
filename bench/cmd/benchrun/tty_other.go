//go:build !linux

package main

import "os"

// isTerminal reports whether f is a character device: on Linux the driver
// asks the terminal driver (TCGETS); elsewhere this is close enough for a
// progress line.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// termColumns is unknown here.
func termColumns(*os.File) int { return 0 }
