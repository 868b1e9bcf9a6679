// Package procstat reads this process's OS thread count and memory from
// /proc/self/status: the figures of the scale, soak, load, resolver and benchmark runs.
package procstat

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strconv"
)

// Status is what /proc/self/status says of the process.
type Status struct {
	Threads int   // Threads: OS threads
	RSS     int64 // VmRSS: resident set, bytes
	HWM     int64 // VmHWM: peak resident set, bytes
}

// Read reads /proc/self/status.
func Read() (Status, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return Status{}, err
	}
	return Parse(b)
}

// Parse reads the Threads, VmRSS and VmHWM lines of a /proc/PID/status text; it fails
// when the Threads or VmRSS line is missing.
func Parse(text []byte) (Status, error) {
	var st Status
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		key, val, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		fields := bytes.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			continue
		}
		switch string(key) {
		case "Threads":
			st.Threads = int(n)
			seen++
		case "VmRSS":
			st.RSS = n << 10
			seen++
		case "VmHWM":
			st.HWM = n << 10
		}
	}
	if err := sc.Err(); err != nil {
		return Status{}, err
	}
	if seen < 2 {
		return Status{}, errors.New("procstat: no Threads or VmRSS line")
	}
	return st, nil
}
