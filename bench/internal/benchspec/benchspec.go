// Package benchspec is the contract shared by every benchmark program and the
// driver (bench/cmd/benchrun): the operation names, their units, and the JSON
// line each implementation prints for one measurement.
//
// The C program (bench/c/bench.c) and the Python program
// (bench/python/bench.py) repeat these names by hand; the driver checks them
// against [Ops] when it lists what each program implements.
package benchspec

import (
	"strings"
	"time"
)

// Operation names, as they appear on the command line (--op NAME) and in the
// reports. The pinned variants are derived from the unpinned ones by every
// program: they run the same code with the whole process bound to one CPU.
const (
	GetAddrInfoLocalhost = "getaddrinfo_localhost"
	GetAddrInfoNumeric   = "getaddrinfo_numeric"
	GetNameInfo          = "getnameinfo"
	GetServByName        = "getservbyname"
	GetHostByNameEx      = "gethostbyname_ex"
	GetHostName          = "gethostname"
	SocketClose          = "socket_close"
	PingPongUnix         = "pingpong_unix"
	PingPongTCP          = "pingpong_tcp"
	PingPongUnixPinned   = "pingpong_unix_pinned"
	PingPongTCPPinned    = "pingpong_tcp_pinned"
	// PingPongTCPTimeout is pingpong_tcp with a timeout on every call: Python's
	// settimeout(5) on both ends, a deadline set before each Read and Write in Go,
	// SO_RCVTIMEO/SO_SNDTIMEO of 5 s in C.
	PingPongTCPTimeout = "pingpong_tcp_timeout"
	BulkTCP            = "bulk_tcp"
	// SendFileTCP is bulk_tcp with the payload read from a 64 MiB regular file by
	// the kernel: sendfile(2) in C, socket.sendfile in Python, (*net.TCPConn).ReadFrom
	// of an *os.File in Go.
	SendFileTCP        = "sendfile_tcp"
	ConnectAcceptClose = "connect_accept_close"
	// FDPass is descriptor passing over a socketpair(AF_UNIX, SOCK_STREAM), in one
	// thread: one byte carrying one descriptor in SCM_RIGHTS sent on one end,
	// received on the other, the received descriptor closed.
	FDPass  = "fdpass"
	Idle10k = "idle_10k"
)

// PinnedSuffix marks an operation run with both ends on one CPU.
const PinnedSuffix = "_pinned"

// Ops lists every operation in report order.
var Ops = []string{
	GetAddrInfoLocalhost,
	GetAddrInfoNumeric,
	GetNameInfo,
	GetServByName,
	GetHostByNameEx,
	GetHostName,
	SocketClose,
	PingPongUnix,
	PingPongUnixPinned,
	PingPongTCP,
	PingPongTCPPinned,
	PingPongTCPTimeout,
	BulkTCP,
	SendFileTCP,
	ConnectAcceptClose,
	FDPass,
	Idle10k,
}

// resolverOps are the operations answered by libc's resolver (or Go's
// replacement for it); the gocgo implementation only covers these.
var resolverOps = map[string]bool{
	GetAddrInfoLocalhost: true,
	GetAddrInfoNumeric:   true,
	GetNameInfo:          true,
	GetServByName:        true,
	GetHostByNameEx:      true,
}

// IsResolver reports whether op is a name-service lookup.
func IsResolver(op string) bool { return resolverOps[op] }

// IsKnown reports whether op is one of [Ops].
func IsKnown(op string) bool {
	for _, o := range Ops {
		if o == op {
			return true
		}
	}
	return false
}

// BaseOp strips the pinned suffix: BaseOp("pingpong_tcp_pinned") is
// ("pingpong_tcp", true).
func BaseOp(op string) (base string, pinned bool) {
	if b, ok := strings.CutSuffix(op, PinnedSuffix); ok {
		return b, true
	}
	return op, false
}

// Units of measurement. Throughput units (see [HigherIsBetter]) are inverted
// when the driver forms cost ratios.
const (
	UnitNsPerOp     = "ns/op"
	UnitUsPerRTT    = "us/rtt"
	UnitMBPerS      = "MB/s" // 10^6 bytes per second
	UnitConnPerS    = "conn/s"
	UnitThreads     = "threads"
	UnitRSSKiB      = "rss_kib"
	UnitAllocsPerOp = "allocs/op" // derived by the driver from allocs_per_op
	UnitCPUPerGiB   = "cpu_s/GiB" // derived by the driver from cpu_s_per_gib
)

// HigherIsBetter reports whether a larger value of unit is better
// (throughput) rather than a cost.
func HigherIsBetter(unit string) bool {
	return unit == UnitMBPerS || unit == UnitConnPerS
}

// HasCPUPerGiB reports whether op also reports the CPU time per GiB moved
// (cpu_s_per_gib): the bulk transfers, bulk_tcp and sendfile_tcp.
func HasCPUPerGiB(op string) bool {
	base, _ := BaseOp(op)
	return base == BulkTCP || base == SendFileTCP
}

// BulkTargetScale is how many times the driver's timed phase a bulk transfer (see
// [HasCPUPerGiB]) is given. At 5 GB/s the 256 MiB minimum takes 50 ms, so in a 300 ms
// window the ramp of TCP's receive-buffer autotuning on the fresh connection and where the
// scheduler first puts the two threads decide the figure; five times as long averages them
// out. Measured here over 7 rounds, bulk_tcp facade/go CPU per GiB: 1.12 (0.88–1.19) at
// 300 ms, 1.02 (0.91–1.16) and 0.95 (0.83–1.14) in two runs at 1.5 s.
const BulkTargetScale = 5

// TargetFor is the timed phase the driver gives op when a measurement is given target.
func TargetFor(op string, target time.Duration) time.Duration {
	if HasCPUPerGiB(op) {
		return target * BulkTargetScale
	}
	return target
}

// PrimaryUnit is the unit of the headline metric of op.
func PrimaryUnit(op string) string {
	base, _ := BaseOp(op)
	switch base {
	case PingPongUnix, PingPongTCP, PingPongTCPTimeout:
		return UnitUsPerRTT
	case BulkTCP, SendFileTCP:
		return UnitMBPerS
	case ConnectAcceptClose:
		return UnitConnPerS
	case Idle10k:
		return UnitThreads
	}
	return UnitNsPerOp
}

// Line is the JSON line a benchmark program prints for one metric of one
// measurement. A program prints one line per metric (idle_10k prints two:
// threads and rss_kib). AllocsPerOp is set by Go implementations only;
// CPUSecPerGiB by the bulk transfers only (see [HasCPUPerGiB]). Both are JSON
// null otherwise.
type Line struct {
	Impl         string   `json:"impl"`
	Op           string   `json:"op"`
	Unit         string   `json:"unit"`
	Value        float64  `json:"value"`
	Ops          int64    `json:"ops"`
	AllocsPerOp  *float64 `json:"allocs_per_op"`
	CPUSecPerGiB *float64 `json:"cpu_s_per_gib"`
}

// Listing is the JSON line a program prints for --list: one per
// implementation it contains, naming the operations registered for it
// (pinned variants included).
type Listing struct {
	Impl string   `json:"impl"`
	Ops  []string `json:"ops"`
}
