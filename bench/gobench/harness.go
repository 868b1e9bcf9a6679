//go:build linux

package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/csock/csock/bench/internal/benchspec"
	"github.com/csock/csock/internal/procstat"
)

// Bounds shared by every operation: no loop in the harness runs past them.
const (
	// maxOps caps the iterations of one timed phase.
	maxOps = 1 << 30
	// bulkChunk is the size of one sendall in bulk_tcp.
	bulkChunk = 64 << 10
	// bulkMin is the least bulk_tcp moves in its timed run.
	bulkMin = 256 << 20
	// bulkWarm is what the bulk_tcp warm-up run moves.
	bulkWarm = 32 << 20
	// bulkMax caps what one bulk_tcp or sendfile_tcp run moves.
	bulkMax = 16 << 30
	// sendFileSize is the size of the file sendfile_tcp sends, whole, per send.
	sendFileSize = 64 << 20
	// idleConns is the number of blocked receivers in idle_10k.
	idleConns = 10000
	// idleConnsQuick is idleConns in quick mode.
	idleConnsQuick = 1000
	// waitLimit bounds every wait for a peer goroutine.
	waitLimit = 60 * time.Second
)

// Stream is the part of a connected stream socket the harness drives. The
// facade's *Socket has these methods under these names (Python's sendall,
// recv_into, close); anything else needs a three-method adapter.
type Stream interface {
	// SendAll sends all of p, like Python's sendall.
	SendAll(p []byte) error
	// RecvInto receives at most len(p) bytes into p, like Python's
	// recv_into; it returns 0 and a nil error at end of stream.
	RecvInto(p []byte) (int, error)
	// Close closes the socket; the peer then sees end of stream.
	Close() error
}

// PairFunc returns two connected ends of a fresh stream connection: a
// socketpair for pingpong_unix, a loopback TCP connection with TCP_NODELAY
// on both ends for pingpong_tcp and bulk_tcp.
type PairFunc func() (a, b Stream, err error)

// loopResult is what one timed phase measured.
type loopResult struct {
	ops         int64
	elapsed     time.Duration
	allocsPerOp float64
}

// timeLoop warms body up, then calls it with growing batch sizes until the
// timed phase has lasted cfg.Target or run maxOps iterations. body(n) must
// perform exactly n iterations. Allocations are counted over the timed phase
// only, across all goroutines.
func timeLoop(cfg Config, body func(n int) error) (loopResult, error) {
	warm := cfg.Target / 10
	if cfg.Quick {
		warm = cfg.Target / 20
	}
	warm = min(max(warm, 2*time.Millisecond), 100*time.Millisecond)

	// Warm-up: doubling batches until the warm-up time is spent; the last
	// batch gives the per-op estimate used to size the timed batches.
	var warmOps int64
	batch := 1
	start := time.Now()
	for warmOps < maxOps {
		if err := body(batch); err != nil {
			return loopResult{}, fmt.Errorf("warm-up: %w", err)
		}
		warmOps += int64(batch)
		if time.Since(start) >= warm {
			break
		}
		batch = min(batch*2, 1<<20)
	}
	perOp := time.Since(start) / time.Duration(warmOps)
	batch = 1
	if perOp > 0 {
		batch = int(min(max(int64(cfg.Target/50/perOp), 1), 1<<20))
	}

	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	var ops int64
	start = time.Now()
	var elapsed time.Duration
	for {
		if err := body(batch); err != nil {
			return loopResult{}, err
		}
		ops += int64(batch)
		elapsed = time.Since(start)
		if elapsed >= cfg.Target || ops >= maxOps {
			break
		}
	}
	runtime.ReadMemStats(&m1)
	return loopResult{
		ops:         ops,
		elapsed:     elapsed,
		allocsPerOp: float64(m1.Mallocs-m0.Mallocs) / float64(ops),
	}, nil
}

// Call returns an Op that times fn, one call per iteration, in ns/op. Use it
// for the resolver operations and gethostname.
func Call(fn func() error) Op {
	return Loop(benchspec.UnitNsPerOp, func() (func() error, func() error, error) {
		return fn, nil, nil
	})
}

// Loop returns an Op that runs setup once, times body (one iteration per
// call) and then runs teardown (which may be nil). unit is
// benchspec.UnitNsPerOp (socket_close) or benchspec.UnitConnPerS
// (connect_accept_close).
func Loop(unit string, setup func() (body, teardown func() error, err error)) Op {
	return func(cfg Config) ([]Metric, error) {
		body, teardown, err := setup()
		if err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
		res, err := timeLoop(cfg, func(n int) error {
			for i := 0; i < n; i++ {
				if err := body(); err != nil {
					return err
				}
			}
			return nil
		})
		if teardown != nil {
			err = errors.Join(err, teardown())
		}
		if err != nil {
			return nil, err
		}
		m := Metric{Unit: unit, Ops: res.ops, AllocsPerOp: &res.allocsPerOp}
		switch unit {
		case benchspec.UnitNsPerOp:
			m.Value = float64(res.elapsed.Nanoseconds()) / float64(res.ops)
		case benchspec.UnitConnPerS:
			m.Value = float64(res.ops) / res.elapsed.Seconds()
		default:
			return nil, fmt.Errorf("Loop: unsupported unit %q", unit)
		}
		return []Metric{m}, nil
	}
}

// waitDone waits for done to be closed, at most waitLimit.
func waitDone(done <-chan struct{}, what string) error {
	select {
	case <-done:
		return nil
	case <-time.After(waitLimit):
		return fmt.Errorf("%s did not finish within %v", what, waitLimit)
	}
}

// PingPong returns an Op that measures a 1-byte round trip over a fresh
// pair, in us/rtt: the timing goroutine sends one byte on a and reads the
// echo; a peer goroutine reads each byte on b and sends it back. Closing a
// ends the peer, which is then joined.
func PingPong(pair PairFunc) Op {
	return func(cfg Config) ([]Metric, error) {
		a, b, err := pair()
		if err != nil {
			return nil, fmt.Errorf("pair: %w", err)
		}
		done := make(chan struct{})
		var peerErr error
		go func() {
			defer close(done)
			buf := make([]byte, 1)
			for i := 0; i < 2*maxOps; i++ {
				n, err := b.RecvInto(buf)
				if err != nil || n == 0 {
					peerErr = err
					return
				}
				if err := b.SendAll(buf[:n]); err != nil {
					peerErr = err
					return
				}
			}
		}()
		out, in := []byte{'x'}, make([]byte, 1)
		res, err := timeLoop(cfg, func(n int) error {
			for i := 0; i < n; i++ {
				if err := a.SendAll(out); err != nil {
					return err
				}
				if got, err := a.RecvInto(in); err != nil || got != 1 {
					return fmt.Errorf("ping: got %d bytes: %v", got, err)
				}
			}
			return nil
		})
		err = errors.Join(err, a.Close())
		err = errors.Join(err, waitDone(done, "pingpong peer"), peerErr, b.Close())
		if err != nil {
			return nil, err
		}
		return []Metric{{
			Unit:        benchspec.UnitUsPerRTT,
			Value:       float64(res.elapsed.Nanoseconds()) / 1e3 / float64(res.ops),
			Ops:         res.ops,
			AllocsPerOp: &res.allocsPerOp,
		}}, nil
	}
}

// cpuTime is the user+system CPU time of the whole process so far.
func cpuTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// bulkResult is one bulk transfer.
type bulkResult struct {
	bytes, sends int64
	elapsed, cpu time.Duration
	allocs       uint64
}

// sendFunc moves one unit of a bulk transfer over a (one 64 KiB SendAll in bulk_tcp,
// one whole file in sendfile_tcp) and returns the number of bytes it sent.
type sendFunc func(a Stream) (int64, error)

// transfer calls send on a fresh pair's first end until at least minBytes have gone
// and minDur has passed (or bulkMax bytes), closes a, and waits for the receiver
// goroutine to read to end of stream into one reused 64 KiB buffer, checking that it
// received every byte sent. The time and CPU run from the first send to the last
// byte received.
func transfer(pair PairFunc, send sendFunc, minBytes int64, minDur time.Duration) (bulkResult, error) {
	a, b, err := pair()
	if err != nil {
		return bulkResult{}, fmt.Errorf("pair: %w", err)
	}
	var (
		received int64
		recvErr  error
		done     = make(chan struct{})
	)
	go func() {
		defer close(done)
		buf := make([]byte, bulkChunk)
		for i := int64(0); i < bulkMax; i++ { // at least one byte per call
			n, err := b.RecvInto(buf)
			if err != nil {
				// Unblock the sender: its next send fails.
				recvErr = errors.Join(err, b.Close())
				return
			}
			if n == 0 {
				return
			}
			received += int64(n)
		}
	}()
	var res bulkResult
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0, err := cpuTime()
	start := time.Now()
	for err == nil && res.bytes < bulkMax {
		var n int64
		if n, err = send(a); err != nil {
			break
		}
		res.bytes += n
		res.sends++
		if res.bytes >= minBytes && time.Since(start) >= minDur {
			break
		}
	}
	err = errors.Join(err, a.Close(), waitDone(done, "bulk receiver"))
	res.elapsed = time.Since(start)
	cpu1, cerr := cpuTime()
	runtime.ReadMemStats(&m1)
	if recvErr == nil {
		cerr = errors.Join(cerr, b.Close())
	}
	if err = errors.Join(err, recvErr, cerr); err != nil {
		return bulkResult{}, err
	}
	if received != res.bytes {
		return bulkResult{}, fmt.Errorf("sent %d bytes, received %d", res.bytes, received)
	}
	res.cpu = cpu1 - cpu0
	res.allocs = m1.Mallocs - m0.Mallocs
	return res, nil
}

// bulkMetric is what a timed bulk transfer reports: MB/s (10^6 bytes/s), the
// allocations per send and the CPU seconds the whole process spent per GiB moved.
func bulkMetric(res bulkResult) Metric {
	allocs := float64(res.allocs) / float64(res.sends)
	cpuPerGiB := res.cpu.Seconds() / (float64(res.bytes) / (1 << 30))
	return Metric{
		Unit:         benchspec.UnitMBPerS,
		Value:        float64(res.bytes) / res.elapsed.Seconds() / 1e6,
		Ops:          res.sends,
		AllocsPerOp:  &allocs,
		CPUSecPerGiB: &cpuPerGiB,
	}
}

// Bulk returns an Op that measures bulk_tcp: 64 KiB SendAll calls from one
// goroutine, RecvInto a reused 64 KiB buffer in another, at least 256 MiB
// and at least cfg.Target per timed run, after a 32 MiB warm-up run on its
// own connection. It reports MB/s (10^6 bytes/s) with the CPU seconds the
// whole process spent per GiB moved, and allocations per 64 KiB chunk.
func Bulk(pair PairFunc) Op {
	return func(cfg Config) ([]Metric, error) {
		chunk := make([]byte, bulkChunk)
		for i := range chunk {
			chunk[i] = byte(i)
		}
		send := func(a Stream) (int64, error) { return bulkChunk, a.SendAll(chunk) }
		if _, err := transfer(pair, send, bulkWarm, 0); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
		runtime.GC()
		res, err := transfer(pair, send, bulkMin, cfg.Target)
		if err != nil {
			return nil, err
		}
		return []Metric{bulkMetric(res)}, nil
	}
}

// FileSender is a Stream that can also send a regular file, the way its package sends
// one (sendfile(2) underneath): sendfile_tcp's first end.
type FileSender interface {
	Stream
	// SendFile sends all of f, size bytes from its first byte to its end, whatever f's
	// file position, and returns the number of bytes sent. size is for the calls that
	// take a count; the others may send to the end of the file.
	SendFile(f *os.File, size int64) (int64, error)
}

// makeSendFile writes sendFileSize bytes (byte i is i mod 256, as bulk_tcp's chunk) to
// a new file in the temporary directory ($TMPDIR or /tmp) and unlinks it at once: the
// open *os.File is all that is left of it, so it is gone when closed or when the process
// ends, however it ends. Its pages stay in the page cache, as a file served again and
// again would.
func makeSendFile() (*os.File, error) {
	f, err := os.CreateTemp("", "csock-bench-sendfile-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	chunk := make([]byte, bulkChunk)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	for off := 0; off < sendFileSize; off += bulkChunk {
		if _, err := f.Write(chunk); err != nil {
			return nil, errors.Join(err, f.Close())
		}
	}
	return f, nil
}

// SendFile returns an Op that measures sendfile_tcp: like [Bulk], but each send is one
// call sending a whole 64 MiB regular file (made once per process by makeSendFile) from
// the pair's first end, which must be a [FileSender]. The peer goroutine reads and
// discards into a reused 64 KiB buffer and the byte count is checked; at least 256 MiB
// (four files) and at least cfg.Target per timed run, after a warm-up run of one file
// on its own connection. It reports MB/s with the CPU seconds the whole process spent
// per GiB, and allocations per file sent.
func SendFile(pair PairFunc) Op {
	return func(cfg Config) (_ []Metric, err error) {
		f, err := makeSendFile()
		if err != nil {
			return nil, fmt.Errorf("file: %w", err)
		}
		defer func() { err = errors.Join(err, f.Close()) }()
		send := func(a Stream) (int64, error) {
			fs, ok := a.(FileSender)
			if !ok {
				return 0, fmt.Errorf("%T has no SendFile method", a)
			}
			n, err := fs.SendFile(f, sendFileSize)
			if err == nil && n != sendFileSize {
				err = fmt.Errorf("SendFile sent %d bytes of %d", n, sendFileSize)
			}
			return n, err
		}
		if _, err := transfer(pair, send, bulkWarm, 0); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
		runtime.GC()
		res, err := transfer(pair, send, bulkMin, cfg.Target)
		if err != nil {
			return nil, err
		}
		return []Metric{bulkMetric(res)}, nil
	}
}

// fdSize is the size of one descriptor in SCM_RIGHTS data (a C int).
const fdSize = 4

// ReceivedFD returns the one descriptor an fdpass message carried: control is the
// ancillary data received into a control buffer for one descriptor, msgFlags the
// message's flags. It parses control as a Go program does, with
// syscall.ParseSocketControlMessage and syscall.ParseUnixRights, and fails on
// MSG_CTRUNC or a descriptor count other than one, closing whatever did arrive. The
// caller closes the descriptor returned.
func ReceivedFD(control []byte, msgFlags int) (int, error) {
	msgs, err := syscall.ParseSocketControlMessage(control)
	if err != nil {
		return -1, fmt.Errorf("control message: %w", err)
	}
	var fds []int
	for i := range msgs {
		if msgs[i].Header.Level != syscall.SOL_SOCKET || msgs[i].Header.Type != syscall.SCM_RIGHTS {
			continue
		}
		got, err := syscall.ParseUnixRights(&msgs[i])
		if err != nil {
			return -1, fmt.Errorf("SCM_RIGHTS: %w", err)
		}
		fds = append(fds, got...)
	}
	if len(fds) == 1 && msgFlags&syscall.MSG_CTRUNC == 0 {
		return fds[0], nil
	}
	for _, fd := range fds {
		err = errors.Join(err, syscall.Close(fd))
	}
	return -1, errors.Join(fmt.Errorf("received %d descriptors, message flags %#x", len(fds), msgFlags), err)
}

// raiseNoFile makes sure RLIMIT_NOFILE allows at least n descriptors,
// raising the hard limit too when needed (root may).
func raiseNoFile(n uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("getrlimit: %w", err)
	}
	if lim.Cur >= n {
		return nil
	}
	want := syscall.Rlimit{Cur: n, Max: max(lim.Max, n)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		return fmt.Errorf("setrlimit(RLIMIT_NOFILE, %d): %w (hard limit %d)", n, err, lim.Max)
	}
	return nil
}

// DialFunc connects a new stream socket to addr (a 127.0.0.1 port).
type DialFunc func(addr netip.AddrPort) (Stream, error)

// Idle returns an Op for idle_10k: it opens 10,000 (1,000 in quick mode)
// loopback TCP connections
// with dial, starts one goroutine per connection blocked in RecvInto, lets
// them settle, and reports this process's OS thread count and RSS from
// /proc/self/status.
//
// The peer ends live in a child process (gobench --idle-peer), which accepts
// the connections on a listener made here and holds them without writing.
// Two reasons: 20,000 descriptors do not fit under this machine's hard
// RLIMIT_NOFILE of 20,000 (root lacks CAP_SYS_RESOURCE here), and the peer's
// memory should not count in the RSS. Closing the control pipe makes the
// child exit, which closes every peer end and wakes every receiver with end
// of stream; all receivers are joined and the child reaped.
//
// Idle raises RLIMIT_NOFILE as far as it can and the runtime's thread limit
// (debug.SetMaxThreads), so an implementation that blocks one OS thread per
// receiver shows up as 10,000 threads instead of crashing.
func Idle(dial DialFunc) Op {
	return func(cfg Config) ([]Metric, error) {
		n := idleConns
		if cfg.Quick {
			n = idleConnsQuick
		}
		if err := raiseNoFile(uint64(n) + 256); err != nil {
			return nil, err
		}
		debug.SetMaxThreads(3 * idleConns)
		peer, err := startIdlePeer(n)
		if err != nil {
			return nil, err
		}
		conns := make([]Stream, 0, n)
		var (
			ready sync.WaitGroup
			wg    sync.WaitGroup
			woken atomic.Int64
		)
		// finish ends the child (closing every peer end), joins the
		// receivers, closes this side and reaps the child.
		finish := func(runErr error) error {
			runErr = errors.Join(runErr, peer.ctrl.Close())
			joined := make(chan struct{})
			go func() { wg.Wait(); close(joined) }()
			runErr = errors.Join(runErr, waitDone(joined, "idle receivers"))
			for _, c := range conns {
				runErr = errors.Join(runErr, c.Close())
			}
			return errors.Join(runErr, peer.wait())
		}
		for i := 0; i < n; i++ {
			c, err := dial(peer.addr)
			if err != nil {
				return nil, finish(fmt.Errorf("dial %d: %w", i, err))
			}
			conns = append(conns, c)
			ready.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 1)
				ready.Done()
				c.RecvInto(buf) // returns at end of stream; the result is irrelevant
				woken.Add(1)
			}()
		}
		allReady := make(chan struct{})
		go func() { ready.Wait(); close(allReady) }()
		if err := waitDone(allReady, "idle receivers start"); err != nil {
			return nil, finish(err)
		}
		settle := 300 * time.Millisecond
		if cfg.Quick {
			settle = 100 * time.Millisecond
		}
		time.Sleep(settle)
		st, err := procstat.Read()
		if early := woken.Load(); early != 0 && err == nil {
			err = fmt.Errorf("%d receivers returned before their peers closed", early)
		}
		if err = finish(err); err != nil {
			return nil, err
		}
		return []Metric{
			{Unit: benchspec.UnitThreads, Value: float64(st.Threads), Ops: int64(n)},
			{Unit: benchspec.UnitRSSKiB, Value: float64(st.RSS >> 10), Ops: int64(n)},
		}, nil
	}
}

// idlePeer is the child process holding the peer ends for idle_10k.
type idlePeer struct {
	addr netip.AddrPort
	ctrl *os.File // closing it tells the child to exit
	cmd  *exec.Cmd
}

// startIdlePeer makes a blocking loopback listener and hands it, with the
// read end of a control pipe, to a child gobench --idle-peer N.
func startIdlePeer(n int) (*idlePeer, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	ln := os.NewFile(uintptr(fd), "idle-listener")
	defer ln.Close()
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return nil, fmt.Errorf("bind: %w", err)
	}
	if err := syscall.Listen(fd, 4096); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return nil, fmt.Errorf("getsockname: %w", err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	ctrlR, ctrlW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer ctrlR.Close()
	exe, err := os.Executable()
	if err != nil {
		return nil, errors.Join(err, ctrlW.Close())
	}
	cmd := exec.Command(exe, "--idle-peer", strconv.Itoa(n))
	cmd.ExtraFiles = []*os.File{ln, ctrlR} // fds 3 and 4 in the child
	cmd.Stderr = os.Stderr
	// If this process dies, so does the child (it would otherwise hold
	// 10,000 connections until its watchdog fires).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(err, ctrlW.Close())
	}
	return &idlePeer{
		addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(port)),
		ctrl: ctrlW,
		cmd:  cmd,
	}, nil
}

// wait reaps the child, at most waitLimit after its control pipe closed.
func (p *idlePeer) wait() error {
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("idle peer: %w", err)
		}
		return nil
	case <-time.After(waitLimit):
		return errors.Join(errors.New("idle peer did not exit"), p.cmd.Process.Kill())
	}
}

// runIdlePeer is the child side (gobench --idle-peer N): accept n
// connections on fd 3 and hold them until fd 4 (the control pipe) reaches
// end of file, then return so that the process exits and closes them all.
// The parent closing the pipe early (after a failure) ends the child at
// once, even mid-accept; the caller's watchdog bounds the rest.
func runIdlePeer(n int) error {
	ln, ctrl := 3, os.NewFile(4, "idle-ctrl")
	acceptErr := make(chan error, 1)
	go func() {
		held := make([]int, 0, n) // kept until the process exits
		for len(held) < n {
			fd, _, err := syscall.Accept4(ln, syscall.SOCK_CLOEXEC)
			if err == syscall.EINTR || err == syscall.ECONNABORTED {
				continue
			}
			if err != nil {
				acceptErr <- fmt.Errorf("accept after %d: %w", len(held), err)
				return
			}
			held = append(held, fd)
		}
		select {} // hold the descriptors; main returns when the pipe closes
	}()
	ctrlDone := make(chan struct{})
	go func() {
		defer close(ctrlDone)
		buf := make([]byte, 1)
		for {
			if _, err := ctrl.Read(buf); err != nil { // io.EOF when the parent closes it
				return
			}
		}
	}()
	select {
	case err := <-acceptErr:
		return err
	case <-ctrlDone:
		return nil
	}
}
