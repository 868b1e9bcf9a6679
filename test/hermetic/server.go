//go:build linux

package hermetic

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Query is one question the server received.
type Query struct {
	Name  string // as asked, lower-cased, with the trailing dot
	Type  uint16 // dns.TypeA, dns.TypeAAAA, ...
	Proto string // "udp" or "tcp"
	At    time.Time
}

type countKey struct {
	name  string
	qtype uint16
	proto string
}

// maxLog bounds the query log kept by a Server.
const maxLog = 10000

// Server is the world's DNS server. Its controls (SetDelay, Drop, Resume)
// and counters are safe for concurrent use while it serves.
type Server struct {
	zone  *zoneIndex
	delay atomic.Int64 // nanoseconds added before every answer
	drop  atomic.Bool  // when set, nothing is answered

	mu     sync.Mutex
	counts map[countKey]int
	total  int
	log    []Query

	servers []*dns.Server
	addrs   []string
	done    chan struct{}
	closed  sync.Once
	wg      sync.WaitGroup
}

// NewServer returns a server for the zone; Start makes it listen.
func NewServer(z Zone) (*Server, error) {
	ix, err := compileZone(z)
	if err != nil {
		return nil, err
	}
	return &Server{zone: ix, counts: map[countKey]int{}, done: make(chan struct{})}, nil
}

// Start listens on each host:port in addrs, over both UDP and TCP, and
// serves until Close. A port of 0 picks one free port used for both
// protocols. Start returns once every listener is serving.
func (s *Server) Start(addrs ...string) (err error) {
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	for _, a := range addrs {
		pc, ln, err := listenBoth(a)
		if err != nil {
			return err
		}
		s.addrs = append(s.addrs, pc.LocalAddr().String())
		for _, srv := range []*dns.Server{
			{PacketConn: pc, Handler: s, ReadTimeout: time.Second},
			{Listener: ln, Handler: s, ReadTimeout: time.Second, IdleTimeout: func() time.Duration { return 2 * time.Second }},
		} {
			started := make(chan struct{})
			srv.NotifyStartedFunc = func() { close(started) }
			errc := make(chan error, 1)
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				errc <- srv.ActivateAndServe()
			}()
			select {
			case <-started:
				s.servers = append(s.servers, srv)
			case err := <-errc:
				return fmt.Errorf("dns server on %s: %w", a, err)
			case <-time.After(5 * time.Second):
				return fmt.Errorf("dns server on %s did not start within 5s", a)
			}
		}
	}
	return nil
}

// listenBoth opens a UDP and a TCP socket on the same address and port.
func listenBoth(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	for try := 0; try < 20; try++ {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, port))
		if err != nil {
			return nil, nil, fmt.Errorf("listen udp %s: %w", addr, err)
		}
		_, p, _ := net.SplitHostPort(pc.LocalAddr().String())
		ln, err := net.Listen("tcp", net.JoinHostPort(host, p))
		if err == nil {
			return pc, ln, nil
		}
		_ = pc.Close()
		if port != "0" {
			return nil, nil, fmt.Errorf("listen tcp %s: %w", addr, err)
		}
	}
	return nil, nil, fmt.Errorf("no port free for both udp and tcp on %s", host)
}

// Addrs returns the addresses the server listens on (host:port).
func (s *Server) Addrs() []string { return append([]string(nil), s.addrs...) }

// Close stops every listener and waits, at most 5 seconds, for every
// goroutine of the server to end. It is safe to call more than once.
func (s *Server) Close() error {
	var errs []error
	s.closed.Do(func() {
		close(s.done)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, srv := range s.servers {
			if err := srv.ShutdownContext(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		waited := make(chan struct{})
		go func() { s.wg.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-ctx.Done():
			errs = append(errs, errors.New("hermetic: dns server goroutines did not end within 5s"))
		}
	})
	return errors.Join(errs...)
}

// SetDelay delays every answer by d (0 for none). Answers delayed past the
// resolver's timeout (1s in DefaultWorld) make lookups time out.
func (s *Server) SetDelay(d time.Duration) { s.delay.Store(int64(d)) }

// Delay returns the current delay.
func (s *Server) Delay() time.Duration { return time.Duration(s.delay.Load()) }

// Drop makes the server stop answering: queries are counted, never answered.
func (s *Server) Drop() { s.drop.Store(true) }

// Resume undoes Drop and SetDelay.
func (s *Server) Resume() {
	s.drop.Store(false)
	s.delay.Store(0)
}

// Dropping tells whether the server is dropping queries.
func (s *Server) Dropping() bool { return s.drop.Load() }

// Count returns how many queries for name (any case, dot optional) and
// qtype the server has seen since the last Reset, over UDP and TCP.
func (s *Server) Count(name string, qtype uint16) int {
	return s.CountProto(name, qtype, "udp") + s.CountProto(name, qtype, "tcp")
}

// CountProto is Count for one transport, "udp" or "tcp".
func (s *Server) CountProto(name string, qtype uint16, proto string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[countKey{dns.CanonicalName(name), qtype, proto}]
}

// CountName returns how many queries of any type for name were seen.
func (s *Server) CountName(name string) int {
	name = dns.CanonicalName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.counts {
		if k.name == name {
			n += v
		}
	}
	return n
}

// Total returns the number of queries seen since the last Reset.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// Queries returns the queries seen since the last Reset, oldest first
// (at most the last 10,000).
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Query(nil), s.log...)
}

// Reset clears the counters and the query log.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[countKey]int{}
	s.total = 0
	s.log = nil
}

// ServeDNS implements dns.Handler.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	proto := "udp"
	if strings.HasPrefix(w.LocalAddr().Network(), "tcp") {
		proto = "tcp"
	}
	if len(req.Question) == 1 {
		q := req.Question[0]
		name := dns.CanonicalName(q.Name)
		s.mu.Lock()
		s.counts[countKey{name, q.Qtype, proto}]++
		s.total++
		if len(s.log) >= maxLog {
			s.log = s.log[1:]
		}
		s.log = append(s.log, Query{Name: name, Type: q.Qtype, Proto: proto, At: time.Now()})
		s.mu.Unlock()
		if s.zone.isSilent(name, q.Qtype) {
			return
		}
	}
	if s.drop.Load() {
		return
	}
	if d := s.Delay(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-s.done:
			t.Stop()
			return
		}
		if s.drop.Load() {
			return
		}
	}
	m := s.zone.answer(req)
	if proto == "udp" {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
			m.SetEdns0(opt.UDPSize(), false)
		}
		m.Truncate(size)
	} else if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	_ = w.WriteMsg(m)
}
