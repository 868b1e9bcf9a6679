//go:build linux

package facade

import (
	"fmt"
	"strings"
	"testing"
)

// Buffered binary I/O compared with CPython step by step: BufferedReader, BufferedWriter
// and BufferedRWPair with the default, one-byte, two-byte and odd buffer sizes, and the
// unbuffered SocketIO. Over SOCK_SEQPACKET a receive shorter than a packet drops the
// rest of it, so the size of every system call CPython makes shows in what is read.

// buffering values the scenarios run with (-1: None).
var scBufferings = []int{-1, 1, 2, 3, 5, 0}

// addBufferedScenarios registers a scenario for each mode and buffering.
func addBufferedScenarios(name, sock string, modes []string, bufferings []int, steps [][]any) []string {
	var names []string
	for _, mode := range modes {
		for _, b := range bufferings {
			names = append(names, addScenario(fileScenario{
				Name: fmt.Sprintf("%s %s %q/%d", name, sock, mode, b), Sock: sock, Mode: mode,
				Buffering: bufOpt(b), Steps: steps,
			}))
		}
	}
	return names
}

func runScenarios(t *testing.T, names []string) {
	t.Helper()
	for _, name := range names {
		t.Run(name, func(t *testing.T) { checkScenario(t, name) })
	}
}

var readModes = []string{"rb", "rwb"}

var scBufferedReads = append(append(
	addBufferedScenarios("reads", "stream", readModes, scBufferings, [][]any{
		stSend("abcdefghij\nklmnop\nqrstuvwxyz\n0123456789"), stEOF(),
		stRead(3), stPeek(), stRead1(4), stReadinto(6), stReadline(4), stReadline(nil), stRead(0),
		stReadinto1(5), stReadlines(3), stRead(2), stRead1(100), stRead(nil), stRead(nil), stRead1(nil),
		stReadline(nil), stReadlines(nil), stReadinto(3), stPeek(),
	}),
	addBufferedScenarios("read large", "stream", readModes, scBufferings, [][]any{
		stSend(strings.Repeat("0123456789", 2000) + "\n" + strings.Repeat("z", 9000)), stEOF(),
		stRead(7), stRead(10000), stReadline(nil), stRead1(20000), stReadinto(5000), stRead(nil),
	})...),
	addBufferedScenarios("readlines hint", "stream", readModes, []int{-1, 2, 0}, [][]any{
		stSend("a\nbb\nccc\ndddd\neeeee\nf\ng\nh\n"), stEOF(),
		stReadlines(2), stReadlines(3), stReadlines(0), stReadlines(-1),
	})...)

// Packets of various sizes: each system call's size shows.
var scPacketReads = append(append(append(
	addBufferedScenarios("packets read", "seqpacket", readModes, scBufferings, [][]any{
		stSend("abcde"), stSend("fghij"), stSend("klmno"), stSend("pq\nrs"), stSend("tuvwxyz\n"),
		stSend("ABCDEFGHIJ"), stSend("KLMNOPQRST"), stEOF(),
		stRead(3), stRead(4), stReadline(nil), stRead1(3), stRead1(3), stReadinto(7), stReadinto1(4), stPeek(),
		stRead(nil),
	}),
	addBufferedScenarios("packets readline", "seqpacket", readModes, scBufferings, [][]any{
		stSend("ab"), stSend("cdef\n"), stSend("ghij"), stSend("kl\nmn"), stSend("op"), stSend("\n"), stEOF(),
		stReadline(4), stReadline(nil), stReadline(3), stReadline(2), stReadline(nil), stReadline(nil),
	})...),
	addBufferedScenarios("packets readinto", "seqpacket", readModes, scBufferings, [][]any{
		stSend("0123456789"), stSend("abcdefghijklmnopqrstuvwxyz"), stSend("ABC"), stEOF(),
		stReadinto(4), stReadinto(20), stReadinto1(3), stReadinto1(30), stReadinto(2),
	})...),
	addBufferedScenarios("packets read generic", "seqpacket", readModes, []int{-1, 4, 8, 3}, [][]any{
		stSend("0123456789abcdef"), stSend("ghijklmnopqrstuvwxyz"), stSend("ABCDEFGHIJ"),
		stSend("KLMNOPQRSTUVWXYZ0123456789"), stEOF(),
		stRead(2), stRead(21), stRead(13), stRead(nil),
	})...)

func TestBufferedFile_ReadsLikeCPython(t *testing.T) { runScenarios(t, scBufferedReads) }

func TestBufferedFile_SystemCallSizesLikeCPython(t *testing.T) { runScenarios(t, scPacketReads) }

// Non-blocking reads: None, b"" or what there is, method by method.
var scNonBlockingReads = append(
	addBufferedScenarios("non-blocking empty", "stream", readModes, scBufferings, [][]any{
		stTimeout(0.0), stRead(5), stRead(nil), stReadline(nil), stReadline(3), stReadlines(nil), stRead1(5),
		stReadinto(4), stReadinto1(4), stPeek(), stRead(0),
	}),
	addBufferedScenarios("non-blocking partial", "stream", readModes, scBufferings, [][]any{
		stTimeout(0.0), stSend("ab\ncd"), stReadline(nil), stReadline(nil), stReadline(nil),
		stSend("ef"), stRead(10), stRead(10), stSend("gh"), stRead(nil), stRead(nil),
		stSend("ij\nkl"), stReadlines(nil), stSend("mn"), stReadinto(5), stSend("op"), stReadinto1(5),
		stSend("q"), stRead1(5), stEOF(), stRead(nil), stRead(3), stReadline(nil),
	})...)

func TestBufferedFile_NonBlockingReadsLikeCPython(t *testing.T) { runScenarios(t, scNonBlockingReads) }

// Timeouts: the first read that times out raises TimeoutError, every later one "cannot
// read from timed out object"; what the buffer holds is lost with the read that failed,
// as in CPython.
var scTimeoutReads = append(
	addBufferedScenarios("timeout reads", "stream", readModes, scBufferings, [][]any{
		stTimeout(0.05), stSend("abc\nde"), stReadline(nil), stRead(5), stRead(1), stReadline(nil),
		stPeek(), stRead1(3), stReadinto(3), stRead(0), stReadline(0), stSend("more"), stRead(nil),
	}),
	addBufferedScenarios("timeout read all", "stream", readModes, scBufferings, [][]any{
		stTimeout(0.05), stSend("abc\nde"), stRead(nil), stRead(1), stTimeout(nil), stRead(1),
	})...)

func TestBufferedFile_TimeoutPoisonsTheFileLikeCPython(t *testing.T) { runScenarios(t, scTimeoutReads) }

var writeModes = []string{"wb", "rwb"}

// Writes: when the data reaches the peer shows how CPython buffers (buffering=1 is a
// one-byte buffer, not line buffering).
var scWrites = append(append(
	addBufferedScenarios("writes", "stream", writeModes, scBufferings, [][]any{
		stWrite("a"), stRecv(), stWrite("b"), stRecv(), stWrite("cd"), stRecv(), stWrite("efg"), stRecv(),
		stWrite(strings.Repeat("x", 9000)), stRecv(), stWrite("y\n"), stRecv(), stWrite(strings.Repeat("z", 5000)),
		stRecv(), stWrite(strings.Repeat("w", 4000)), stRecv(), stWrite(""), stRecv(), stFlush(), stRecv(),
		stWriteLines("l1\n", "l2\n", "l3"), stRecv(), stWrite("tail"), stClose(), stRecv(), stAttr("closed"),
		stWrite("x"), stFlush(),
	}),
	addBufferedScenarios("write sizes", "stream", writeModes, []int{-1, 4, 7}, [][]any{
		stWrite("abc"), stWrite("defg"), stRecv(), stWrite("hijklmn"), stRecv(), stWrite("o"), stWrite("pqrstuvwxyz0123"),
		stRecv(), stWrite("45"), stWrite("6789"), stRecv(), stFlush(), stRecv(),
	})...),
	// The sizes of the sends show as packets.
	addBufferedScenarios("write packets", "seqpacket", writeModes, []int{-1, 1, 2, 5, 0}, [][]any{
		stWrite("ab"), stWrite("cde"), stWrite("fghijkl"), stWrite("m"), stWrite("nopqrs"), stFlush(),
		stRecv(), stRecv(), stRecv(), stRecv(), stRecv(), stRecv(),
	})...)

func TestBufferedFile_WritesLikeCPython(t *testing.T) { runScenarios(t, scWrites) }

// A "rw" file reads and writes independently, and its close leaves what the reader had
// buffered readable (CPython's BufferedRWPair closes its reader after its raw file).
var scRWPair = addBufferedScenarios("rw pair", "stream", []string{"rwb"}, scBufferings, [][]any{
	stSend("question?\nmore data\nlast"), stReadline(nil), stWrite("answer\n"), stRecv(), stFlush(), stRecv(),
	stRead(3), stClose(), stAttr("closed"), stRead(2), stRead1(2), stPeek(), stReadinto(2), stReadline(nil),
	stRead(nil), stRead(100), stRead(2), stReadlines(nil),
})

func TestBufferedFile_ReadWritePairLikeCPython(t *testing.T) { runScenarios(t, scRWPair) }

// The close protocol through the steps: socket close first, then file close.
var scCloseProtocol = addBufferedScenarios("close protocol", "stream", []string{"rb", "wb", "rwb"}, []int{-1, 0},
	[][]any{stSend("hello\n"), stSockClose(), stSockFileno(), stAttr("closed"), stAttr("name"),
		stSockRecv(), stClose(), stSockFileno(), stAttr("name"), stSockRecv(), stClose()})

func TestBufferedFile_SocketCloseWaitsForTheFileLikeCPython(t *testing.T) {
	runScenarios(t, scCloseProtocol)
}

// Writes that time out, and non-blocking writes that do not fit: TimeoutError does not
// poison writing; a buffered file's BlockingIOError says how much it took.
var scWriteLimits = append(
	addBufferedScenarios("write timeout", "stream", writeModes, []int{-1, 0, 7}, [][]any{
		stTimeout(0.05), stWriteX(300000), stWriteX(1), stWriteX(300000), stFlush(), stRecv(), stFlush(), stRecv(),
		stWriteX(5), stFlush(), stRecv(),
	}),
	addBufferedScenarios("write non-blocking", "stream", writeModes, []int{-1, 0, 7, 100000}, [][]any{
		stTimeout(0.0), stWriteX(300000), stWriteX(10), stWriteX(200000), stFlush(), stRecv(), stWriteX(10),
		stFlush(), stRecv(), stFlush(), stClose(), stRecv(),
	})...)

func TestBufferedFile_WriteTimeoutsAndFullSocketsLikeCPython(t *testing.T) {
	runScenarios(t, scWriteLimits)
}
