//go:build linux

package hermetic

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(ents)
}

// TestServerAnswers drives a server of its own on a free loopback port:
// it needs no namespace, and checks that Close leaves no goroutine and no
// descriptor behind.
func TestServerAnswers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	// The runtime's poller opens its descriptors on first use: use it
	// before counting.
	warm, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, warm.Close())
	fds := openFDs(t)

	srv, err := NewServer(DefaultZone())
	require.NoError(t, err)
	require.NoError(t, srv.Start("127.0.0.1:0"))
	addr := srv.Addrs()[0]

	ask := func(proto, name string, qtype uint16, edns uint16) (*dns.Msg, error) {
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		if edns > 0 {
			m.SetEdns0(edns, false)
		}
		c := &dns.Client{Net: proto, Timeout: 500 * time.Millisecond}
		r, _, err := c.Exchange(m, addr)
		return r, err
	}
	answers := func(r *dns.Msg) []string {
		var out []string
		for _, rr := range r.Answer {
			out = append(out, rr.String())
		}
		return out
	}

	r, err := ask("udp", "multi.test.", dns.TypeA, 0)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeSuccess, r.Rcode)
	assert.True(t, r.Authoritative)
	assert.Equal(t, []string{
		"multi.test.\t60\tIN\tA\t192.0.2.3",
		"multi.test.\t60\tIN\tA\t192.0.2.1",
		"multi.test.\t60\tIN\tA\t192.0.2.2",
	}, answers(r), "records keep the zone's order")

	r, err = ask("udp", "Alias.TEST.", dns.TypeAAAA, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"Alias.TEST.\t60\tIN\tCNAME\thop1.test.",
		"hop1.test.\t60\tIN\tCNAME\thop2.test.",
		"hop2.test.\t60\tIN\tAAAA\t2001:db8::20",
	}, answers(r), "a chain is followed; the owner keeps the question's case")

	r, err = ask("udp", "dangling.test.", dns.TypeA, 0)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeNameError, r.Rcode)
	assert.Len(t, r.Answer, 2, "the CNAMEs to the missing name are in the answer")

	for name, rcode := range map[string]int{
		"nonexistent.test.": dns.RcodeNameError,
		"servfail.test.":    dns.RcodeServerFailure,
		"refused.test.":     dns.RcodeRefused,
		"notimp.test.":      dns.RcodeNotImplemented,
	} {
		r, err = ask("udp", name, dns.TypeA, 0)
		require.NoError(t, err)
		assert.Equal(t, rcode, r.Rcode, name)
	}

	r, err = ask("udp", "v4only.test.", dns.TypeAAAA, 0)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeSuccess, r.Rcode)
	assert.Empty(t, r.Answer)
	require.Len(t, r.Ns, 1, "NODATA carries the SOA")
	assert.Equal(t, "test.", r.Ns[0].Header().Name)

	r, err = ask("udp", "corp.test.", dns.TypeA, 0)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeSuccess, r.Rcode, "an empty non-terminal is NODATA, not NXDOMAIN")

	r, err = ask("udp", "halfbroken.test.", dns.TypeA, 0)
	require.NoError(t, err)
	assert.Len(t, r.Answer, 1)
	r, err = ask("udp", "halfbroken.test.", dns.TypeAAAA, 0)
	require.NoError(t, err)
	assert.Equal(t, dns.RcodeServerFailure, r.Rcode)

	_, err = ask("udp", "blackhole.test.", dns.TypeA, 0)
	assert.Error(t, err, "blackhole.test is never answered")
	_, err = ask("udp", "halfsilent.test.", dns.TypeAAAA, 0)
	assert.Error(t, err, "halfsilent.test AAAA is never answered")

	r, err = ask("udp", "big.test.", dns.TypeA, 0)
	require.NoError(t, err)
	assert.True(t, r.Truncated, "100 A records do not fit 512 bytes")
	r, err = ask("udp", "big.test.", dns.TypeA, 1232)
	require.NoError(t, err)
	assert.True(t, r.Truncated, "nor 1232")
	r, err = ask("tcp", "big.test.", dns.TypeA, 0)
	require.NoError(t, err)
	assert.False(t, r.Truncated)
	assert.Len(t, r.Answer, 100)

	r, err = ask("udp", reverseName("192.0.2.71"), dns.TypePTR, 0)
	require.NoError(t, err)
	require.Len(t, r.Answer, 2, "a CNAME into a classless reverse zone, then the PTR")
	assert.Equal(t, "xn--bcher-kva.test.", r.Answer[1].(*dns.PTR).Ptr)

	// Counters: per name, type and transport.
	assert.Equal(t, 1, srv.Count("MULTI.test", dns.TypeA))
	assert.Equal(t, 3, srv.CountProto("big.test.", dns.TypeA, "udp")+srv.CountProto("big.test.", dns.TypeA, "tcp"))
	assert.Equal(t, 1, srv.CountProto("big.test", dns.TypeA, "tcp"))
	assert.Equal(t, 2, srv.CountName("halfbroken.test"))
	total := srv.Total()
	assert.Len(t, srv.Queries(), total)

	// Controls: drop, delay, resume.
	srv.Drop()
	assert.True(t, srv.Dropping())
	_, err = ask("udp", "multi.test.", dns.TypeA, 0)
	assert.Error(t, err)
	assert.Equal(t, total+1, srv.Total(), "a dropped query is counted")
	srv.Resume()
	srv.SetDelay(700 * time.Millisecond)
	_, err = ask("udp", "multi.test.", dns.TypeA, 0)
	assert.Error(t, err, "answer later than the client's 500ms")
	srv.SetDelay(100 * time.Millisecond)
	start := time.Now()
	_, err = ask("tcp", "multi.test.", dns.TypeA, 0)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	srv.Resume()
	assert.Zero(t, srv.Delay())
	srv.Reset()
	assert.Zero(t, srv.Total())

	// A delayed answer in flight does not hold Close up.
	srv.SetDelay(time.Minute)
	go func() { _, _ = ask("udp", "multi.test.", dns.TypeA, 0) }()
	time.Sleep(50 * time.Millisecond)
	closed := time.Now()
	require.NoError(t, srv.Close())
	assert.Less(t, time.Since(closed), 3*time.Second)
	require.NoError(t, srv.Close(), "Close twice")
	time.Sleep(600 * time.Millisecond) // let the client above time out
	assert.Equal(t, fds, openFDs(t), "descriptors leaked")
}

func TestZoneErrors(t *testing.T) {
	_, err := NewServer(Zone{Records: []string{"bad"}})
	assert.Error(t, err)
	_, err = NewServer(Zone{Rcodes: map[string]int{"a.test. NOPE": 2}})
	assert.Error(t, err)
	_, err = NewServer(Zone{SOAs: []string{"a.test. 60 IN A 192.0.2.1"}})
	assert.Error(t, err)
	assert.Error(t, World{}.validate())
}
