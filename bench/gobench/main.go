//go:build linux

// Command gobench runs one measurement of one operation for one of the Go
// implementations (go, gocgo, and — once their files exist — facade and
// csock) and prints the result as JSON lines (see package benchspec):
//
//	gobench --impl go --op pingpong_tcp --target-ms 300 [--quick]
//	gobench --list
//
// Each implementation lives in its own impl_<name>.go file and registers its
// operations with [Register] from an init function; nothing else in the
// harness names an implementation except the two process-level rules below.
//
// Before running, gobench may re-execute itself once so that the whole
// process starts in the right state:
//   - *_pinned operations: the process is bound to one CPU (the lowest
//     allowed one, or --cpu) with sched_setaffinity before the exec, so every
//     runtime thread inherits it (and GOMAXPROCS becomes 1, as under taskset);
//   - impl gocgo: GODEBUG gains netdns=cgo, which package net reads at start.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/csock/csock/bench/internal/benchspec"
)

// reexecEnv marks a process that gobench has already re-executed.
const reexecEnv = "CSOCK_BENCH_REEXEC"

// cgoImpl is the implementation that needs GODEBUG=netdns=cgo.
const cgoImpl = "gocgo"

func main() {
	impl := flag.String("impl", "", "implementation: one of those --list prints")
	op := flag.String("op", "", "operation to measure")
	targetMS := flag.Int("target-ms", 300, "length of the timed phase in milliseconds")
	quick := flag.Bool("quick", false, "shorter warm-up and settle times (CI smoke runs)")
	list := flag.Bool("list", false, "print the registered implementations and operations as JSON lines")
	cpu := flag.Int("cpu", -1, "CPU for *_pinned operations (default: the lowest allowed)")
	maxS := flag.Int("max-s", 300, "watchdog: exit with status 3 after this many seconds")
	idlePeerConns := flag.Int("idle-peer", 0, "internal: run as the idle_10k peer holding this many connections")
	flag.Parse()

	time.AfterFunc(time.Duration(*maxS)*time.Second, func() {
		fmt.Fprintf(os.Stderr, "gobench: %s/%s: watchdog: still running after %ds\n", *impl, *op, *maxS)
		os.Exit(3)
	})
	if *idlePeerConns > 0 {
		if err := runIdlePeer(*idlePeerConns); err != nil {
			fatal(1, "idle peer: %v", err)
		}
		return
	}

	if *list {
		enc := json.NewEncoder(os.Stdout)
		for _, l := range listings() {
			if err := enc.Encode(l); err != nil {
				fatal(1, "write: %v", err)
			}
		}
		return
	}
	if *impl == "" || *op == "" || *targetMS <= 0 {
		fatal(2, "usage: gobench --impl NAME --op NAME [--target-ms N] [--quick] | --list")
	}
	fn, ok := lookup(*impl, *op)
	if !ok {
		fatal(2, "%s/%s: not registered (see --list)", *impl, *op)
	}
	_, pinned := benchspec.BaseOp(*op)
	if err := prepareProcess(*impl, pinned, *cpu); err != nil {
		fatal(1, "%s/%s: %v", *impl, *op, err)
	}
	metrics, err := fn(Config{
		Target: time.Duration(*targetMS) * time.Millisecond,
		Quick:  *quick,
		Pinned: pinned,
	})
	if err != nil {
		fatal(1, "%s/%s: %v", *impl, *op, err)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, m := range metrics {
		line := benchspec.Line{
			Impl: *impl, Op: *op, Unit: m.Unit, Value: m.Value, Ops: m.Ops,
			AllocsPerOp: m.AllocsPerOp, CPUSecPerGiB: m.CPUSecPerGiB,
		}
		if err := enc.Encode(line); err != nil {
			fatal(1, "write: %v", err)
		}
	}
}

// fatal prints a message to stderr and exits with code.
func fatal(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gobench: "+format+"\n", args...)
	os.Exit(code)
}

// cpuMask is a sched_{get,set}affinity mask for up to 1024 CPUs.
type cpuMask [16]uint64

func getAffinity() (cpuMask, error) {
	var m cpuMask
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(m), uintptr(unsafe.Pointer(&m)))
	if e != 0 {
		return m, fmt.Errorf("sched_getaffinity: %w", e)
	}
	return m, nil
}

func setAffinity(m cpuMask) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(m), uintptr(unsafe.Pointer(&m)))
	if e != 0 {
		return fmt.Errorf("sched_setaffinity: %w", e)
	}
	return nil
}

// cpus lists the CPUs set in m.
func (m cpuMask) cpus() []int {
	var out []int
	for i := 0; i < len(m)*64; i++ {
		if m[i/64]&(1<<(i%64)) != 0 {
			out = append(out, i)
		}
	}
	return out
}

// prepareProcess re-executes gobench pinned to one CPU and/or with
// GODEBUG=netdns=cgo when the measurement needs it, and checks the result
// after the re-exec.
func prepareProcess(impl string, pinned bool, cpu int) error {
	needCgo := impl == cgoImpl && !strings.Contains(os.Getenv("GODEBUG"), "netdns=cgo")
	cur, err := getAffinity()
	if err != nil {
		return err
	}
	needPin := pinned && len(cur.cpus()) != 1
	if !needCgo && !needPin {
		return nil
	}
	if os.Getenv(reexecEnv) != "" {
		return fmt.Errorf("re-exec did not take effect (pinned CPUs %v, GODEBUG=%q)", cur.cpus(), os.Getenv("GODEBUG"))
	}
	if needCgo {
		godebug := "netdns=cgo"
		if old := os.Getenv("GODEBUG"); old != "" {
			godebug = old + "," + godebug
		}
		if err := os.Setenv("GODEBUG", godebug); err != nil {
			return err
		}
	}
	// The affinity of the thread calling execve is what the new process
	// starts with, so stay on this thread from here on.
	runtime.LockOSThread()
	if needPin {
		allowed := cur.cpus()
		if cpu < 0 {
			cpu = allowed[0]
		}
		var m cpuMask
		m[cpu/64] |= 1 << (cpu % 64)
		if err := setAffinity(m); err != nil {
			return fmt.Errorf("pin to CPU %d: %w", cpu, err)
		}
	}
	if err := os.Setenv(reexecEnv, "1"); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, os.Environ())
}
