//go:build linux

// Package load runs many concurrent loopback TCP echo clients against an echo server made
// of facade sockets and checks that nothing fails, no byte is corrupted and the server
// holds few OS threads. `make load` runs 10,000 clients for 30 s; go test runs a small
// load.
//
// Ten thousand clients and ten thousand server sockets need more descriptors than the
// 20,000 a process may have here, so the clients run in a child process (the test binary
// re-executed) and each process stays under the limit. The clients are facade sockets
// too by default (Go's net package with -load.client=net). Everything is on 127.0.0.1.
package load

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/procstat"
	"github.com/csock/csock/py"
)

// MaxMessage is the largest message a client sends; sizes cycle through 1..MaxMessage.
const MaxMessage = 1024

// Server is the echo server: a listening facade socket on 127.0.0.1 and one goroutine per
// connection that sends back what it receives.
type Server struct {
	ln   *facade.Socket
	Port int

	conns    sync.Map // *facade.Socket -> struct{}
	wg       sync.WaitGroup
	accepted atomic.Int64
	bytes    atomic.Int64
	errs     atomic.Int64
	firstErr atomic.Value // string
	closing  atomic.Bool
}

// Listen starts the server with the given listen backlog.
func Listen(backlog int) (*Server, error) {
	ln, err := facade.CreateServer(py.Tuple{"127.0.0.1", 0}, facade.ServerOptions{Backlog: backlog})
	if err != nil {
		return nil, err
	}
	a, err := ln.GetSockName()
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{ln: ln, Port: a.(facade.InetAddress).Port}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

func (s *Server) fail(err error) {
	s.errs.Add(1)
	s.firstErr.CompareAndSwap(nil, err.Error())
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, _, err := s.ln.Accept()
		if err != nil {
			if !s.closing.Load() {
				s.fail(fmt.Errorf("accept: %w", err))
			}
			return
		}
		s.accepted.Add(1)
		s.conns.Store(c, struct{}{})
		s.wg.Add(1)
		go s.echo(c)
	}
}

// echo sends back everything c receives until the client closes its end.
func (s *Server) echo(c *facade.Socket) {
	defer s.wg.Done()
	defer s.conns.Delete(c)
	defer c.Close()
	buf := make([]byte, 4096)
	for {
		n, err := c.RecvInto(buf, 0, 0)
		if err != nil {
			if !s.closing.Load() {
				s.fail(fmt.Errorf("recv: %w", err))
			}
			return
		}
		if n == 0 {
			return // the client closed its end
		}
		if err := c.SendAll(buf[:n], 0); err != nil {
			if !s.closing.Load() {
				s.fail(fmt.Errorf("send: %w", err))
			}
			return
		}
		s.bytes.Add(int64(n))
	}
}

// ServerStats are the server's counts.
type ServerStats struct {
	Accepted int64
	Bytes    int64
	Errors   int64
	FirstErr string
	Open     int // connections still open
}

// Stats returns the server's counts so far.
func (s *Server) Stats() ServerStats {
	st := ServerStats{Accepted: s.accepted.Load(), Bytes: s.bytes.Load(), Errors: s.errs.Load()}
	if e, ok := s.firstErr.Load().(string); ok {
		st.FirstErr = e
	}
	s.conns.Range(func(any, any) bool { st.Open++; return true })
	return st
}

// Close closes the listener and every connection and waits for the goroutines.
func (s *Server) Close() {
	s.closing.Store(true)
	s.ln.Close()
	s.conns.Range(func(k, _ any) bool { k.(*facade.Socket).Close(); return true })
	s.wg.Wait()
}

// ClientConfig says what the client process does.
type ClientConfig struct {
	Addr        string        // the server, host:port
	Clients     int           // concurrent connections
	Duration    time.Duration // how long every client keeps sending, once all are connected
	MaxRounds   int           // bound on each client's round trips
	Dial        string        // "facade" or "net"
	DialWorkers int           // connections being opened at once
}

// ClientResult is what the client process reports.
type ClientResult struct {
	Connected  int64
	RoundTrips int64
	Bytes      int64 // bytes sent and received back intact
	Corrupted  int64 // bytes that came back different
	Errors     int64
	FirstErr   string
	P50, P99   time.Duration
	Max        time.Duration
	MaxRSS     int64
	MaxThreads int
	Elapsed    time.Duration // sending time, all clients connected
	ConnectDur time.Duration // time to open every connection
}

// conn is the client side of one connection: a facade socket or a net.Conn.
type conn interface {
	io.ReadWriter
	Close() error
}

func dial(how, addr string) (conn, error) {
	if how == "net" {
		return net.DialTimeout("tcp", addr, 30*time.Second)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil, err
	}
	s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
	if err != nil {
		return nil, err
	}
	if err := s.SetTimeout(30.0); err != nil { // bounds a stuck connect or recv
		s.Close()
		return nil, err
	}
	if err := s.Connect(py.Tuple{host, p}); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// message fills buf with client id's message number seq and returns it: an 8-byte
// header (id, seq) and bytes derived from both, 1..MaxMessage bytes in all.
func message(buf []byte, id, seq int) []byte {
	n := 8 + (id*7919+seq*104729)%(MaxMessage-8)
	m := buf[:n]
	binary.LittleEndian.PutUint32(m, uint32(id))
	binary.LittleEndian.PutUint32(m[4:], uint32(seq))
	x := uint32(id)*2654435761 ^ uint32(seq)*40503
	for i := 8; i < n; i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		m[i] = byte(x)
	}
	return m
}

// histogram counts round trips in buckets of about 2% width, from 1 µs.
type histogram struct{ b [1200]atomic.Int64 }

func bucket(d time.Duration) int {
	us := float64(d) / float64(time.Microsecond)
	if us < 1 {
		return 0
	}
	i := int(math.Log(us) / math.Log(1.02))
	if i >= len(histogram{}.b) {
		i = len(histogram{}.b) - 1
	}
	return i
}

func (h *histogram) add(d time.Duration) { h.b[bucket(d)].Add(1) }

// quantile returns the upper bound of the bucket holding quantile q.
func (h *histogram) quantile(q float64) time.Duration {
	var total int64
	for i := range h.b {
		total += h.b[i].Load()
	}
	if total == 0 {
		return 0
	}
	want := int64(math.Ceil(q * float64(total)))
	var seen int64
	for i := range h.b {
		seen += h.b[i].Load()
		if seen >= want {
			return time.Duration(math.Pow(1.02, float64(i+1)) * float64(time.Microsecond))
		}
	}
	return 0
}

// RunClients opens cfg.Clients connections (cfg.DialWorkers at a time), then lets every
// client send messages and check their echoes for cfg.Duration (at most cfg.MaxRounds
// round trips each), closes them all and reports. A client stops at its first error.
func RunClients(cfg ClientConfig) *ClientResult {
	r := &ClientResult{}
	var (
		mu       sync.Mutex
		firstErr string
		errs     atomic.Int64
	)
	fail := func(err error) {
		errs.Add(1)
		mu.Lock()
		if firstErr == "" {
			firstErr = err.Error()
		}
		mu.Unlock()
	}

	stopSampling := sample(&r.MaxThreads, &r.MaxRSS)
	defer stopSampling()

	// Connect, bounded in concurrency and in time (each connect has a 30 s timeout).
	conns := make([]conn, cfg.Clients)
	t0 := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < cfg.DialWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= cfg.Clients || errs.Load() > 0 {
					return
				}
				c, err := dial(cfg.Dial, cfg.Addr)
				if err != nil {
					fail(fmt.Errorf("connect %d: %w", i, err))
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	r.ConnectDur = time.Since(t0)
	for _, c := range conns {
		if c != nil {
			r.Connected++
		}
	}

	var hist histogram
	var rounds, good, bad atomic.Int64
	start := time.Now()
	end := start.Add(cfg.Duration)
	if errs.Load() == 0 {
		for id, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out := make([]byte, MaxMessage)
				in := make([]byte, MaxMessage)
				for seq := 0; seq < cfg.MaxRounds && time.Now().Before(end); seq++ {
					m := message(out, id, seq)
					t := time.Now()
					if _, err := c.Write(m); err != nil {
						fail(fmt.Errorf("client %d send: %w", id, err))
						return
					}
					got := in[:len(m)]
					if _, err := io.ReadFull(c, got); err != nil {
						fail(fmt.Errorf("client %d recv: %w", id, err))
						return
					}
					hist.add(time.Since(t))
					rounds.Add(1)
					if diff := differing(m, got); diff > 0 {
						bad.Add(int64(diff))
						fail(fmt.Errorf("client %d message %d: %d bytes of %d came back different", id, seq, diff, len(m)))
						return
					}
					good.Add(int64(len(m)))
				}
			}()
		}
		wg.Wait()
	}
	r.Elapsed = time.Since(start)
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	r.RoundTrips, r.Bytes, r.Corrupted = rounds.Load(), good.Load(), bad.Load()
	r.P50, r.P99, r.Max = hist.quantile(0.50), hist.quantile(0.99), hist.quantile(1)
	r.Errors, r.FirstErr = errs.Load(), firstErr
	return r
}

// differing counts the bytes at which a and b differ.
func differing(a, b []byte) int {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// sample records the highest OS thread count and resident set of this process every
// 100 ms until the returned function is called.
func sample(maxThreads *int, maxRSS *int64) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if st, err := procstat.Read(); err == nil {
				*maxThreads = max(*maxThreads, st.Threads)
				*maxRSS = max(*maxRSS, st.RSS)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Sample records this process's highest OS thread count and resident set every 100 ms
// until the returned function is called (after which both may be read).
func Sample(maxThreads *int, maxRSS *int64) func() { return sample(maxThreads, maxRSS) }
