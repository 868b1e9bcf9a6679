//go:build linux

// Package soak opens and closes many facade sockets and resolves many names, then checks
// that the process is back where it started: the same descriptors, the same goroutines,
// no more OS threads, and a resident set within a stated tolerance after a garbage
// collection. `make soak` runs 100,000 of each (bounded to 60 s); `make test` runs a
// scaled-down soak through go test.
//
// The lookups ask only for numeric addresses and for the names /etc/hosts holds
// (localhost, and the machine's own name when /etc/hosts lists it): no name server is
// asked. `make soak` runs inside a network namespace with only loopback, so a lookup that
// tried DNS would fail the soak instead of reaching the network.
package soak

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/procstat"
	"github.com/csock/csock/py"
)

// Config says how much the soak does.
type Config struct {
	Sockets  int           // sockets to open and close (each socket of a pair counts)
	Lookups  int           // names to resolve
	Workers  int           // goroutines per phase
	Deadline time.Duration // the whole soak, warm-up and settling included
	// GoThreads bounds the threads the Go runtime owns at the end. The runtime keeps every
	// thread it made for blocking calls (cgo calls into libc among them) and never ends
	// one, so their number follows the concurrency of blocking calls, not the count of
	// operations: a leak that grows with the operations cannot hide under the bound.
	// Zero means Workers + GOMAXPROCS + 4 (sysmon, the template thread, the netpoller,
	// one spare). Threads the Go runtime does not own (glibc's, for asynchronous lookups)
	// must all be gone.
	GoThreads int
	// RSSSlack is how far the resident set may end above its level after the warm-up,
	// after a garbage collection; RSSSlackRatio the same as a fraction of that level.
	// The larger of the two applies.
	RSSSlack      int64
	RSSSlackRatio float64
}

// Usage is a snapshot of what the soak must give back.
type Usage struct {
	FDs        int   // open descriptors (/proc/self/fd)
	Goroutines int   // runtime.NumGoroutine
	Threads    int   // OS threads (/proc/self/status Threads)
	GoThreads  int   // of which the Go runtime owns (/sched/threads/total:threads)
	RSS        int64 // resident set in bytes (/proc/self/status VmRSS), after a GC
}

func (u Usage) String() string {
	return fmt.Sprintf("fds %d, goroutines %d, threads %d (Go's %d, others %d), rss %.1f MiB",
		u.FDs, u.Goroutines, u.Threads, u.GoThreads, u.Threads-u.GoThreads, float64(u.RSS)/(1<<20))
}

// Report is what a soak did and saw.
type Report struct {
	Config
	Start, Warm, End Usage
	SocketsDone      int64
	LookupsDone      int64
	SocketTime       time.Duration
	LookupTime       time.Duration
	SettleTime       time.Duration    // from the last operation to the end snapshot
	Ops              map[string]int64 // operations of each kind
	Errors           []string         // the first failures (empty when all went well)
}

// Format prints the report as a small table.
func (r *Report) Format(w io.Writer) {
	fmt.Fprintf(w, "soak: %d workers, deadline %v\n", r.Workers, r.Deadline)
	fmt.Fprintf(w, "  sockets opened and closed: %d of %d in %v (%.0f/s)\n", r.SocketsDone, r.Sockets,
		r.SocketTime.Round(time.Millisecond), rate(r.SocketsDone, r.SocketTime))
	fmt.Fprintf(w, "  names resolved:            %d of %d in %v (%.0f/s)\n", r.LookupsDone, r.Lookups,
		r.LookupTime.Round(time.Millisecond), rate(r.LookupsDone, r.LookupTime))
	for _, k := range []string{"socket/close", "socketpair", "tcp connect/accept", "makefile", "netconn",
		"getaddrinfo numeric", "getaddrinfo hosts", "getaddrinfo_a hosts", "gethostbyname", "gethostbyaddr", "getnameinfo"} {
		if n, ok := r.Ops[k]; ok {
			fmt.Fprintf(w, "    %-22s %d\n", k, n)
		}
	}
	fmt.Fprintf(w, "  start:       %v\n", r.Start)
	fmt.Fprintf(w, "  after warm-up (the level to return to): %v\n", r.Warm)
	fmt.Fprintf(w, "  end:         %v, %v after the last operation\n", r.End, r.SettleTime.Round(time.Millisecond))
	fmt.Fprintf(w, "  bounds: rss %.1f MiB over the warm level; Go's threads at most %d, others back to the warm level\n",
		float64(r.RSSTolerance())/(1<<20), r.GoThreadBound())
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
}

// GoThreadBound is the most threads the Go runtime may own at the end (Config.GoThreads).
func (r *Report) GoThreadBound() int {
	if r.GoThreads > 0 {
		return r.GoThreads
	}
	return r.Workers + runtime.GOMAXPROCS(0) + 4
}

// RSSTolerance is how far the resident set may end above the warm level.
func (r *Report) RSSTolerance() int64 {
	t := int64(float64(r.Warm.RSS) * r.RSSSlackRatio)
	if t < r.RSSSlack {
		t = r.RSSSlack
	}
	return t
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Measure takes a Usage snapshot after a garbage collection that returns freed memory to
// the system.
func Measure() Usage {
	runtime.GC()
	debug.FreeOSMemory()
	ents, _ := os.ReadDir("/proc/self/fd")
	u := Usage{FDs: len(ents) - 1, Goroutines: runtime.NumGoroutine()} // -1: ReadDir's own
	m := []metrics.Sample{{Name: "/sched/threads/total:threads"}}
	metrics.Read(m)
	if m[0].Value.Kind() == metrics.KindUint64 {
		u.GoThreads = int(m[0].Value.Uint64())
	}
	if st, err := procstat.Read(); err == nil {
		u.Threads, u.RSS = st.Threads, st.RSS
	}
	return u
}

// hostNames are the names the lookups resolve: localhost, and the host's own name when
// /etc/hosts has it (so that no lookup goes to a name server).
func hostNames() []string {
	names := []string{"localhost"}
	host, err := os.Hostname()
	if err != nil || host == "localhost" {
		return names
	}
	data, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return names
	}
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) >= 2 && strings.HasPrefix(f[0], "127.") {
			for _, n := range f[1:] {
				if n == host {
					return append(names, host)
				}
			}
		}
	}
	return names
}

// soaker runs the operations and records their outcome.
type soaker struct {
	listener *facade.Socket
	addr     py.Tuple
	names    []string

	mu     sync.Mutex
	ops    map[string]int64
	errors []string
	failed atomic.Bool
}

func (s *soaker) count(op string) {
	s.mu.Lock()
	s.ops[op]++
	s.mu.Unlock()
}

func (s *soaker) fail(op string, err error) {
	s.failed.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errors) < 10 {
		s.errors = append(s.errors, fmt.Sprintf("%s: %v", op, err))
	}
}

// socketOp runs the i-th socket operation of the mix and returns how many sockets it
// opened and closed.
func (s *soaker) socketOp(i int) (int, error) {
	switch i % 5 {
	case 0:
		c, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
		if err != nil {
			return 0, err
		}
		s.count("socket/close")
		return 1, c.Close()
	case 1:
		a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
		if err != nil {
			return 0, err
		}
		err = exchange(a, b)
		a.Close()
		b.Close()
		s.count("socketpair")
		return 2, err
	case 2:
		return s.tcp()
	case 3:
		return s.makefile()
	default:
		return s.netconn()
	}
}

// exchange sends a byte from a to b and back.
func exchange(a, b *facade.Socket) error {
	if err := a.SendAll([]byte{'x'}, 0); err != nil {
		return err
	}
	got, err := b.Recv(1, 0)
	if err != nil {
		return err
	}
	if string(got) != "x" {
		return fmt.Errorf("got %q, want \"x\"", got)
	}
	return b.SendAll(got, 0)
}

// tcp connects to the listener, accepts, exchanges a byte and closes both ends.
func (s *soaker) tcp() (int, error) {
	c, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Connect(s.addr); err != nil {
		return 1, err
	}
	srv, _, err := s.listener.Accept()
	if err != nil {
		return 1, err
	}
	defer srv.Close()
	if err := exchange(c, srv); err != nil {
		return 2, err
	}
	if _, err := c.Recv(1, 0); err != nil {
		return 2, err
	}
	s.count("tcp connect/accept")
	return 2, nil
}

// makefile writes a line through a buffered file on one end of a pair and reads it back
// through a file on the other.
func (s *soaker) makefile() (int, error) {
	a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
	if err != nil {
		return 0, err
	}
	defer a.Close()
	defer b.Close()
	w, err := a.MakeFile("wb", facade.DefaultFileOptions())
	if err != nil {
		return 2, err
	}
	defer w.Close()
	r, err := b.MakeFile("rb", facade.DefaultFileOptions())
	if err != nil {
		return 2, err
	}
	defer r.Close()
	if _, err := w.Write([]byte("soak line\n")); err != nil {
		return 2, err
	}
	if err := w.Flush(); err != nil {
		return 2, err
	}
	line, err := r.ReadLineN(-1)
	if err != nil {
		return 2, err
	}
	if string(line) != "soak line\n" {
		return 2, fmt.Errorf("makefile read %q", line)
	}
	s.count("makefile")
	return 2, nil
}

// netconn exchanges bytes through net.Conn adapters on both ends of a pair.
func (s *soaker) netconn() (int, error) {
	a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
	if err != nil {
		return 0, err
	}
	ca, err := a.NetConn()
	if err != nil {
		a.Close()
		b.Close()
		return 2, err
	}
	defer ca.Close()
	cb, err := b.NetConn()
	if err != nil {
		b.Close()
		return 2, err
	}
	defer cb.Close()
	if _, err := ca.Write([]byte("ping")); err != nil {
		return 2, err
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(cb, buf); err != nil {
		return 2, err
	}
	if string(buf) != "ping" {
		return 2, fmt.Errorf("netconn read %q", buf)
	}
	s.count("netconn")
	return 2, nil
}

// lookupOp runs the i-th lookup of the mix.
func (s *soaker) lookupOp(i int) error {
	name := s.names[i%len(s.names)]
	switch i % 6 {
	case 0:
		_, err := facade.GetAddrInfo("127.0.0.1", 80, facade.AF_INET, facade.SOCK_STREAM, 0, 0)
		s.count("getaddrinfo numeric")
		return err
	case 1:
		_, err := facade.GetAddrInfo(name, "http", facade.AF_INET, facade.SOCK_STREAM, 0, 0)
		s.count("getaddrinfo hosts")
		return err
	case 2:
		// The asynchronous path (getaddrinfo_a, glibc's own threads) for a context that
		// can end.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := facade.GetAddrInfoContext(ctx, name, nil, facade.AF_INET, facade.SOCK_DGRAM, 0, 0)
		s.count("getaddrinfo_a hosts")
		return err
	case 3:
		_, err := facade.GetHostByName(name)
		s.count("gethostbyname")
		return err
	case 4:
		_, err := facade.GetHostByAddr("127.0.0.1")
		s.count("gethostbyaddr")
		return err
	default:
		_, _, err := facade.GetNameInfo(py.Tuple{"127.0.0.1", 80}, 0)
		s.count("getnameinfo")
		return err
	}
}

// phase runs op on workers goroutines until total units are done or the deadline
// passes, and returns the units done. op returns the units of one call.
func phase(workers, total int, deadline time.Time, failed *atomic.Bool, op func(i int) (int, error), fail func(error)) int64 {
	var done, next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done.Load() < int64(total) && time.Now().Before(deadline) && !failed.Load() {
				n, err := op(int(next.Add(1) - 1))
				done.Add(int64(n))
				if err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return done.Load()
}

// Run runs the soak: a warm-up that starts everything that lives as long as the process
// (poller, resolver threads, Go's threads for cgo calls) with the same concurrency, a
// snapshot, the socket phase, the lookup phase, and a final snapshot taken once
// descriptors, goroutines and threads have settled (or the deadline passed).
func Run(cfg Config) *Report {
	r := &Report{Config: cfg, Start: Measure(), Ops: map[string]int64{}}
	deadline := time.Now().Add(cfg.Deadline)
	s := &soaker{names: hostNames(), ops: map[string]int64{}}
	var err error
	s.listener, err = facade.CreateServer(py.Tuple{"127.0.0.1", 0}, facade.ServerOptions{Backlog: 4096})
	if err != nil {
		r.Errors = append(r.Errors, "create_server: "+err.Error())
		return r
	}
	a, err := s.listener.GetSockName()
	if err != nil {
		s.listener.Close()
		r.Errors = append(r.Errors, "getsockname: "+err.Error())
		return r
	}
	s.addr = py.Tuple{"127.0.0.1", a.(facade.InetAddress).Port}
	socketFail := func(err error) { s.fail("sockets", err) }
	lookupFail := func(err error) { s.fail("lookups", err) }

	// Warm-up: rounds of a tenth of a second of each phase at full concurrency, until the
	// OS threads stop growing for three rounds (at most 3 s).
	for round, stable, threads := 0, 0, 0; round < 15 && stable < 3; round++ {
		phase(cfg.Workers, 1<<30, time.Now().Add(100*time.Millisecond), &s.failed, s.socketOp, socketFail)
		phase(cfg.Workers, 1<<30, time.Now().Add(100*time.Millisecond), &s.failed,
			func(i int) (int, error) { return 1, s.lookupOp(i) }, lookupFail)
		if n := Measure().Threads; n > threads {
			threads, stable = n, 0
		} else {
			stable++
		}
	}
	r.Warm = quiesce(time.Now().Add(5 * time.Second))
	s.ops = map[string]int64{}

	t0 := time.Now()
	r.SocketsDone = phase(cfg.Workers, cfg.Sockets, deadline, &s.failed, s.socketOp, socketFail)
	r.SocketTime = time.Since(t0)
	t0 = time.Now()
	r.LookupsDone = phase(cfg.Workers, cfg.Lookups, deadline, &s.failed,
		func(i int) (int, error) { return 1, s.lookupOp(i) }, lookupFail)
	r.LookupTime = time.Since(t0)

	s.listener.Close()
	// The listener was open at the warm snapshot; the end is compared with that level
	// less the listener.
	r.Warm.FDs--
	// Settle for up to 10 s, within the deadline but never less than 3 s.
	settleBy := time.Now().Add(10 * time.Second)
	if settleBy.After(deadline) {
		settleBy = deadline
	}
	if min := time.Now().Add(3 * time.Second); settleBy.Before(min) {
		settleBy = min
	}
	settled := time.Now()
	r.End = settle(r.Warm, r.GoThreadBound(), settleBy)
	r.SettleTime = time.Since(settled)
	r.Ops = s.ops
	r.Errors = append(r.Errors, s.errors...)
	if r.SocketsDone < int64(cfg.Sockets) {
		r.Errors = append(r.Errors, fmt.Sprintf("only %d of %d sockets within the deadline", r.SocketsDone, cfg.Sockets))
	}
	if r.LookupsDone < int64(cfg.Lookups) {
		r.Errors = append(r.Errors, fmt.Sprintf("only %d of %d lookups within the deadline", r.LookupsDone, cfg.Lookups))
	}
	return r
}

// quiesce waits until descriptors, goroutines and threads have stayed the same for a
// second (glibc's idle lookup threads exit after a while) or until the deadline, and
// returns the last snapshot.
func quiesce(deadline time.Time) Usage {
	last, same := Measure(), 0
	for same < 5 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		u := Measure()
		if u.FDs == last.FDs && u.Goroutines == last.Goroutines && u.Threads == last.Threads {
			same++
		} else {
			same = 0
		}
		last = u
	}
	return last
}

// settle waits until descriptors, goroutines and the threads that are not Go's are back
// to the warm level and Go's threads within their bound (glibc's idle lookup threads exit
// after a while, goroutines that are finishing take a moment), or until the deadline, and
// returns the last snapshot.
func settle(warm Usage, goThreads int, deadline time.Time) Usage {
	for {
		u := Measure()
		if (u.FDs <= warm.FDs && u.Goroutines <= warm.Goroutines && u.others() <= warm.others() &&
			u.GoThreads <= goThreads) || time.Now().After(deadline) {
			return u
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// others is the number of OS threads the Go runtime does not own: glibc's, for
// asynchronous lookups.
func (u Usage) others() int { return u.Threads - u.GoThreads }

// Leaks compares the end with the warm level and describes what was not given back.
func (r *Report) Leaks() []string {
	var out []string
	if r.End.FDs != r.Warm.FDs {
		out = append(out, fmt.Sprintf("descriptors: %d at the end, %d before", r.End.FDs, r.Warm.FDs))
	}
	if r.End.Goroutines != r.Warm.Goroutines {
		out = append(out, fmt.Sprintf("goroutines: %d at the end, %d before", r.End.Goroutines, r.Warm.Goroutines))
	}
	if r.End.others() > r.Warm.others() {
		out = append(out, fmt.Sprintf("OS threads not owned by Go: %d at the end, %d before", r.End.others(), r.Warm.others()))
	}
	if r.End.GoThreads > r.GoThreadBound() {
		out = append(out, fmt.Sprintf("Go's OS threads: %d at the end (%d before), more than the bound %d", r.End.GoThreads, r.Warm.GoThreads, r.GoThreadBound()))
	}
	if r.End.RSS > r.Warm.RSS+r.RSSTolerance() {
		out = append(out, fmt.Sprintf("RSS: %.1f MiB at the end, %.1f MiB before (tolerance %.1f MiB)",
			float64(r.End.RSS)/(1<<20), float64(r.Warm.RSS)/(1<<20), float64(r.RSSTolerance())/(1<<20)))
	}
	return out
}
