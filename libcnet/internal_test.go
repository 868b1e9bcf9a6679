//go:build linux

package libcnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
)

func TestDNSError_FlagsFromLibcsCode(t *testing.T) {
	for _, c := range []struct {
		err                          error
		text                         string
		notFound, temporary, timeout bool
	}{
		{&csock.GaiError{Code: csock.EAI_NONAME}, errNoSuchHost, true, false, false},
		{&csock.GaiError{Code: csock.EAI_NODATA}, errNoSuchHost, true, false, false},
		{&csock.GaiError{Code: csock.EAI_AGAIN}, csock.GaiStrerror(csock.EAI_AGAIN), false, true, false},
		{&csock.GaiError{Code: csock.EAI_FAIL}, csock.GaiStrerror(csock.EAI_FAIL), false, false, false},
		{&csock.GaiError{Code: csock.EAI_SYSTEM, Errno: syscall.EMFILE}, syscall.EMFILE.Error(), false, true, false},
		{&csock.GaiError{Code: csock.EAI_SYSTEM, Errno: syscall.ETIMEDOUT}, syscall.ETIMEDOUT.Error(), false, true, true},
		{&csock.GaiError{Code: csock.EAI_SYSTEM}, csock.GaiStrerror(csock.EAI_SYSTEM), false, false, false},
		{&csock.HError{Code: csock.HOST_NOT_FOUND}, errNoSuchHost, true, false, false},
		{&csock.HError{Code: csock.NO_DATA}, errNoSuchHost, true, false, false},
		{&csock.HError{Code: csock.TRY_AGAIN}, csock.HStrerror(csock.TRY_AGAIN), false, true, false},
		{&csock.HError{Code: csock.NO_RECOVERY}, csock.HStrerror(csock.NO_RECOVERY), false, false, false},
		{&csock.HError{Code: csock.NETDB_INTERNAL, Errno: syscall.ECONNREFUSED}, syscall.ECONNREFUSED.Error(), false, false, false},
		{syscall.ENOMEM, syscall.ENOMEM.Error(), false, false, false},
		{context.Canceled, errCanceled, false, false, false},
		{context.DeadlineExceeded, errTimeout, false, true, true},
	} {
		de := dnsError(c.err, "x.test")
		assert.Equal(t, c.text, de.Err, "%v", c.err)
		assert.Equal(t, "x.test", de.Name)
		assert.Equal(t, c.notFound, de.IsNotFound, "%v: IsNotFound", c.err)
		assert.Equal(t, c.temporary, de.Temporary(), "%v: Temporary", c.err)
		assert.Equal(t, c.timeout, de.Timeout(), "%v: Timeout", c.err)
		assert.ErrorIs(t, de, c.err, "libc's error stays reachable")
	}
}

func TestValidName_AsNetAcceptsNames(t *testing.T) {
	long := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a'
		}
		return string(b)
	}
	label63, label64 := long(63), long(64)
	name253 := label63 + "." + label63 + "." + label63 + "." + long(61)
	require.Len(t, name253, 253)
	for name, ok := range map[string]bool{
		".": true, "a.": true, "a": true, "multi.test.": true, "under_score.test.": true,
		"x-y.test.": true, "1a.test.": true, "a1.": true, "_srv._tcp.x.": true,
		label63 + ".": true, label64 + ".": false,
		name253: true, name253 + ".": true, name253 + "a": false,
		"": false, "..": false, "a..b": false, ".a": false, "-a.": false, "a-.": false,
		"a.-b.": false, "a b.": false, "bad\\032name.test.": false, "bücher.test.": false,
		"192.0.2.1.": false, "123": false, "1-2.": true,
	} {
		assert.Equal(t, ok, validName(name), "%q", name)
	}
}

func TestValidNames_FiltersAndSays(t *testing.T) {
	got, dropped := validNames([]string{"a.", "b c.", "d."})
	assert.Equal(t, []string{"a.", "d."}, got)
	assert.True(t, dropped)
	in := []string{"a.", "d."}
	got, dropped = validNames(in)
	assert.Equal(t, in, got)
	assert.False(t, dropped)
}

func TestSortSRV_ByPriorityThenWeightedDraws(t *testing.T) {
	mk := func() []*net.SRV {
		return []*net.SRV{
			{Target: "c.", Priority: 20, Weight: 0},
			{Target: "heavy.", Priority: 10, Weight: 90},
			{Target: "light.", Priority: 10, Weight: 10},
			{Target: "zero.", Priority: 10, Weight: 0},
			{Target: "a.", Priority: 5, Weight: 0},
		}
	}
	firsts := map[string]int{}
	const rounds = 2000
	for i := 0; i < rounds; i++ {
		s := mk()
		sortSRV(s)
		require.Equal(t, "a.", s[0].Target)
		require.Equal(t, "c.", s[4].Target)
		for _, x := range s[1:4] {
			require.EqualValues(t, 10, x.Priority)
		}
		firsts[s[1].Target]++
	}
	// RFC 2782: chances 90/101, 10/101 and 1/101 (a zero weight draws only on a 0).
	assert.InDelta(t, 0.89, float64(firsts["heavy."])/rounds, 0.05)
	assert.InDelta(t, 0.10, float64(firsts["light."])/rounds, 0.05)
	assert.Less(t, firsts["zero."], rounds/20)
}

func TestInterleave_AlternatesFamiliesFromLibcsFirst(t *testing.T) {
	ips := []netip.Addr{
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("2001:db8::3"),
		netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"),
	}
	addrs := make([]string, len(ips))
	for i, ip := range ips {
		addrs[i] = ip.String()
	}
	assert.Equal(t, []string{"2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "2001:db8::3"}, interleave(ips, addrs))
	assert.Equal(t, []string{"192.0.2.1", "2001:db8::1", "192.0.2.2", "2001:db8::2", "2001:db8::3"},
		interleave(append(ips[3:5:5], ips[:3]...), []string{"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2", "2001:db8::3"}))
}

func TestGetaddrinfo_AsyncEAISystemWithoutErrnoIsAskedAgain(t *testing.T) {
	old := getAddrInfoAsync
	t.Cleanup(func() { getAddrInfoAsync = old })
	calls := 0
	getAddrInfoAsync = func(_ context.Context, _, _ []byte, _, _, _, _ int, released func()) ([]csock.AddrInfo, error) {
		calls++
		released()
		return nil, &csock.GaiError{Code: csock.EAI_SYSTEM}
	}
	var r Resolver
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs, err := r.LookupHost(ctx, "localhost")
	require.NoError(t, err, "the blocking call answers")
	assert.NotEmpty(t, addrs)
	assert.Equal(t, 1, calls)
	active, waiting := lookups.InUse()
	assert.Zero(t, active+waiting)
}

func TestNumericHost_NoLookupForms(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "fe80::1%lo": true, "::ffff:1.2.3.4": true,
		"localhost": false, "127.1": false, "0x7f.0.0.1": false, "": false, "1.2.3.4.5": false, "a:b": false,
	} {
		assert.Equal(t, want, numericHost(host), host)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { numericHost("localhost") }))
}

func TestAllocs_LookupHostOfAHostsName(t *testing.T) {
	var r Resolver
	addrs, err := r.LookupHost(context.Background(), "localhost")
	require.NoError(t, err)
	n := testing.AllocsPerRun(50, func() { _, _ = r.LookupHost(context.Background(), "localhost") })
	t.Logf("LookupHost(localhost): %.0f allocations for %d addresses", n, len(addrs))
	// csock's list, one string per address (libc's text), the answer.
	assert.LessOrEqual(t, n, float64(2+len(addrs)))
}

func TestDialStaggered_NextAttemptAfterTheDelayWins(t *testing.T) {
	full := fullBacklog(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	d := &Dialer{FallbackDelay: 50 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	c, err := d.dialStaggered(ctx, "tcp4", []string{"127.0.0.1:" + full, ln.Addr().String()})
	elapsed := time.Since(start)
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, ln.Addr().String(), c.RemoteAddr().String())
	assert.GreaterOrEqual(t, elapsed, 50*time.Millisecond, "the second attempt waits for the delay")
	assert.Less(t, elapsed, 2*time.Second)
	<-accepted
}

func TestDialStaggered_AFailureStartsTheNextAtOnce(t *testing.T) {
	closed, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	refused := closed.Addr().String()
	closed.Close()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	d := &Dialer{FallbackDelay: 10 * time.Second}
	start := time.Now()
	c, err := d.dialStaggered(context.Background(), "tcp4", []string{refused, refused, ln.Addr().String()})
	require.NoError(t, err)
	c.Close()
	assert.Less(t, time.Since(start), 5*time.Second, "refusals do not wait for the delay")

	_, err = d.dialStaggered(context.Background(), "tcp4", []string{refused, refused})
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "all failed: the first error")
}

func TestDialSerial_UnderTwoSecondsLeftTheFirstAddressTakesThemAll(t *testing.T) {
	full := fullBacklog(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	d := &Dialer{FallbackDelay: -1}
	ctx, cancel := context.WithTimeout(context.Background(), 1*time.Second)
	defer cancel()
	c, err := d.dialSerial(ctx, "tcp4", []string{"127.0.0.1:" + full, ln.Addr().String()})
	// Under 2 s left, the first address may take it all (net's rule): the dial times out.
	if err == nil {
		c.Close()
	}
	assert.Error(t, err)
}

func TestAllocs_LookupPortOfAServiceName(t *testing.T) {
	var r Resolver
	n := testing.AllocsPerRun(50, func() { _, _ = r.LookupPort(context.Background(), "tcp", "domain") })
	t.Logf("LookupPort(tcp, domain): %.0f allocations", n)
	assert.Zero(t, n)
}

// fakeNames makes getaddrinfo_a (the path of a context that can end) answer the names of
// answers with those addresses, as a hosts file would, and any other name as libc does,
// until the test ends.
func fakeNames(t *testing.T, answers map[string][]netip.Addr) {
	t.Helper()
	old := getAddrInfoAsync
	t.Cleanup(func() { getAddrInfoAsync = old })
	getAddrInfoAsync = func(ctx context.Context, host, serv []byte, family, socktype, proto, flags int, released func()) ([]csock.AddrInfo, error) {
		ips, ok := answers[string(host)]
		if !ok {
			return old(ctx, host, serv, family, socktype, proto, flags, released)
		}
		released()
		var res []csock.AddrInfo
		for _, ip := range ips {
			ai := csock.AddrInfo{Family: csock.AF_INET6, SockType: socktype, Addr: csock.Addr{Family: csock.AF_INET6, IP: ip.As16(), Host: ip.String()}}
			if ip.Is4() {
				ai.Family, ai.Addr.Family = csock.AF_INET, csock.AF_INET
			}
			if family == csock.AF_UNSPEC || family == ai.Family {
				res = append(res, ai)
			}
		}
		if len(res) == 0 {
			return nil, &csock.GaiError{Code: csock.EAI_NODATA}
		}
		return res, nil
	}
}

// A hosts line "::ffff:127.0.0.10 mapped.test" gives libc's AF_INET6 lookup an
// IPv4-mapped address: net's "tcp6" drops it (ipv6only) and names the host in its error
// (checked with net itself under a bind-mounted /etc/hosts: "dial tcp6: address
// mapped.test: no suitable address found"), where dialing the literal would name the
// literal.
func TestDial_TCP6ToANameWithOnlyAnIPv4MappedAddressNamesTheHost(t *testing.T) {
	fakeNames(t, map[string][]netip.Addr{"mapped.test": {netip.MustParseAddr("::ffff:127.0.0.10")}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var d Dialer
	ips, err := d.resolver().LookupNetIP(ctx, "ip", "mapped.test")
	require.NoError(t, err)
	require.Equal(t, []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.10")}, ips, "the fake answers as libc would")
	_, err = d.resolver().LookupNetIP(ctx, "ip6", "mapped.test")
	assert.Equal(t, &net.AddrError{Err: "no suitable address found", Addr: "mapped.test"}, err,
		"net's ip6 counts the mapped address as IPv4")

	_, err = d.DialContext(ctx, "tcp6", "mapped.test:1")
	assert.Equal(t, &net.OpError{Op: "dial", Net: "tcp6", Err: &net.AddrError{Err: "no suitable address found", Addr: "mapped.test"}}, err)
	assert.EqualError(t, err, "dial tcp6: address mapped.test: no suitable address found")
}

// suitable filters as net.Dialer does: for each network, LocalAddr and address literal,
// net's own dial (its Control failing every attempt, so that nothing connects) either
// fails before any attempt, with the error suitable must return, or attempts the
// addresses suitable must keep, in that order.
func TestSuitable_FiltersAsNetDialerDoes(t *testing.T) {
	errStop := errors.New("stop")
	locals := []net.Addr{
		nil,
		&net.TCPAddr{IP: net.IPv6loopback}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1).To4()},
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, // 16 bytes, IPv4-mapped: IPv4 to net
		&net.TCPAddr{IP: net.IPv6unspecified}, &net.TCPAddr{IP: net.IPv4zero}, &net.TCPAddr{},
		&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, &net.UDPAddr{},
	}
	hosts := []string{"127.0.0.1", "::1", "::ffff:127.0.0.1", "::", "0.0.0.0", "fe80::1%lo"}
	for _, network := range []string{"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"} {
		for _, local := range locals {
			for _, host := range hosts {
				name := fmt.Sprintf("%s %v %s", network, local, host)
				var attempts []string
				nd := &net.Dialer{LocalAddr: local, FallbackDelay: -1, Control: func(_, address string, _ syscall.RawConn) error {
					attempts = append(attempts, address)
					return errStop
				}}
				_, netErr := nd.Dial(network, net.JoinHostPort(host, "9"))
				require.Error(t, netErr, name)

				d := &Dialer{LocalAddr: local}
				got, err := d.suitable(network, host, []netip.Addr{netip.MustParseAddr(host)})
				if !errors.Is(netErr, errStop) {
					var op *net.OpError
					require.ErrorAs(t, netErr, &op, name)
					assert.Equal(t, op.Err, err, name)
					continue
				}
				require.NoError(t, err, name)
				var kept []string
				for _, ip := range got {
					kept = append(kept, net.JoinHostPort(ipText(ip), "9"))
				}
				assert.Equal(t, attempts, kept, name)
			}
		}
	}
}

// ipText is ip as a net.IP prints it (an IPv4-mapped address as IPv4), with its zone.
func ipText(ip netip.Addr) string {
	s := net.IP(ip.AsSlice()).String()
	if ip.Zone() != "" {
		s += "%" + ip.Zone()
	}
	return s
}

// When the context has ended before an attempt, net's serial dial returns the context's
// error in its own words, naming LocalAddr and the address: so does dialSerial.
func TestDialSerial_EndedContextIsNetsError(t *testing.T) {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithTimeout(context.Background(), -1)
	defer cancel()
	for _, ctx := range []context.Context{canceled, expired} {
		_, want := (&net.Dialer{LocalAddr: local}).DialContext(ctx, "tcp4", "127.0.0.1:9")
		require.Error(t, want)
		d := &Dialer{LocalAddr: local, FallbackDelay: -1}
		_, err := d.dialSerial(ctx, "tcp4", []string{"127.0.0.1:9", "127.0.0.2:9"})
		assert.Equal(t, want, err)
		assert.EqualError(t, err, want.Error())
	}
}
