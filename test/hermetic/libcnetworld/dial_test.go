//go:build linux

package libcnetworld

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/libcnet"
	"github.com/csock/csock/test/hermetic"
)

// withBlackhole makes blackhole swallow every packet for the test.
func withBlackhole(t *testing.T) {
	t.Helper()
	hermetic.Require(t)
	ip(t, "-6", "neigh", "replace", blackhole, "lladdr", blackholeMAC, "dev", hermetic.Interface, "nud", "permanent")
	t.Cleanup(func() { ip(t, "-6", "neigh", "del", blackhole, "dev", hermetic.Interface) })
	// The address really never answers.
	c, err := net.DialTimeout("tcp6", net.JoinHostPort(blackhole, "80"), 300*time.Millisecond)
	if c != nil {
		c.Close()
	}
	var ne net.Error
	require.ErrorAs(t, err, &ne, "a connect to the blackhole must hang until its timeout")
	require.True(t, ne.Timeout(), "%v", err)
}

// listen4 serves HTTP on 127.0.0.1 until the test ends and returns its port.
func listen4(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "via ", r.Context().Value(http.LocalAddrContextKey))
	})}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close(); <-done })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// libc puts he.test's IPv6 address first (glibc's RFC 6724 table); it never answers, so
// the Dialer's second attempt, to 127.0.0.1, starts FallbackDelay later and wins.
func TestHappyEyeballs_SilentIPv6FallsBackToIPv4AfterFallbackDelay(t *testing.T) {
	withBlackhole(t)
	port := listen4(t)
	var r libcnet.Resolver
	ips, err := r.LookupNetIP(context.Background(), "ip", "he.test")
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{netip.MustParseAddr(blackhole), netip.MustParseAddr("127.0.0.1")}, ips,
		"libc's order puts the silent IPv6 address first")

	for _, delay := range []time.Duration{100 * time.Millisecond, 300 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			d := &libcnet.Dialer{FallbackDelay: delay, Timeout: 20 * time.Second}
			start := time.Now()
			c, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort("he.test", port))
			elapsed := time.Since(start)
			require.NoError(t, err)
			defer c.Close()
			_, ok := c.(*net.TCPConn)
			assert.True(t, ok, "%T", c)
			assert.Equal(t, "127.0.0.1:"+port, c.RemoteAddr().String())
			assert.GreaterOrEqual(t, elapsed, delay, "the IPv4 attempt waits for FallbackDelay")
			assert.Less(t, elapsed, delay+1500*time.Millisecond, "and starts then (slack for a loaded machine)")
			t.Logf("connected to 127.0.0.1 after %v (FallbackDelay %v)", elapsed.Round(time.Millisecond), delay)
		})
	}
}

// Without Happy Eyeballs the silent address takes its share of the time first (net's
// serial dialing: with under 2 s each, the first address may take up to 2 s).
func TestHappyEyeballs_OffTriesTheSilentAddressFirst(t *testing.T) {
	withBlackhole(t)
	port := listen4(t)
	d := &libcnet.Dialer{FallbackDelay: -1, Timeout: 3 * time.Second}
	start := time.Now()
	c, err := d.Dial("tcp", net.JoinHostPort("he.test", port))
	elapsed := time.Since(start)
	require.NoError(t, err)
	c.Close()
	assert.GreaterOrEqual(t, elapsed, 1900*time.Millisecond)
	t.Logf("connected after %v", elapsed.Round(time.Millisecond))
}

// An http.Client dialing with libcnet reaches he.test through the fallback, and an
// IPv4-only Dialer (tcp4) never tries the silent address.
func TestHappyEyeballs_HTTPClient(t *testing.T) {
	withBlackhole(t)
	port := listen4(t)
	for _, network := range []string{"tcp", "tcp4"} {
		d := &libcnet.Dialer{Timeout: 10 * time.Second}
		tr := &http.Transport{DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}}
		client := &http.Client{Transport: tr, Timeout: 15 * time.Second}
		start := time.Now()
		resp, err := client.Get("http://he.test:" + port + "/")
		require.NoError(t, err, network)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		require.NoError(t, err)
		assert.Equal(t, "via 127.0.0.1:"+port, string(body), network)
		if network == "tcp4" {
			assert.Less(t, time.Since(start), 300*time.Millisecond, "no IPv6 attempt, no delay")
		}
	}
}
