package main

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strings"
	"time"
)

// Machine records where and how a run was made.
func Machine(ctx context.Context, root string, progs *Programs, extra map[string]any) map[string]any {
	m := map[string]any{
		"cpu_model": cpuModel(),
		"cores":     runtime.NumCPU(),
		"kernel":    readTrim("/proc/sys/kernel/osrelease"),
		"os":        osName(),
		"date":      time.Now().UTC().Format(time.RFC3339),
	}
	probe := func(key string, name string, args ...string) {
		pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if out, err := runTool(pctx, root, nil, name, args...); err == nil {
			m[key] = firstLine(out)
		} else {
			m[key] = "unknown"
		}
	}
	probe("glibc", "getconf", "GNU_LIBC_VERSION")
	probe("go", "go", "env", "GOVERSION")
	probe("gcc", "gcc", "-dumpfullversion")
	probe("git_commit", "git", "rev-parse", "--short", "HEAD")
	if argv, ok := progs.Argv["python"]; ok {
		probe("python", argv[0], "-c", "import sys; print(sys.version.split()[0])")
	} else {
		m["python"] = "unavailable"
	}
	m["loadavg_start"] = loadAvg()
	if h, err := os.Hostname(); err == nil {
		m["hostname"] = h
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func osName() string {
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "unknown"
}

// loadAvg is the 1-, 5- and 15-minute load average: a loaded machine
// explains wide min–max ranges.
func loadAvg() string {
	f := strings.Fields(readTrim("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
