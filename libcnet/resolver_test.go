//go:build linux

package libcnet_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/libcnet"
)

// libcAddrs is what csock's getaddrinfo gives host: the oracle of the Lookup* tests.
func libcAddrs(t *testing.T, host string, family int) []string {
	t.Helper()
	res, err := csock.GetAddrInfo([]byte(host), nil, family, csock.SOCK_STREAM, 0, 0, nil)
	require.NoError(t, err)
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = r.Addr.Host
	}
	return out
}

func TestLookupHost_IsLibcsGetAddrInfoInItsOrder(t *testing.T) {
	var r libcnet.Resolver
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "127.1", "0x7f.0.0.1"} {
		got, err := r.LookupHost(context.Background(), host)
		require.NoError(t, err, host)
		assert.Equal(t, libcAddrs(t, host, csock.AF_UNSPEC), got, host)
	}
}

func TestLookupHost_ScopedAddressKeepsItsZone(t *testing.T) {
	var r libcnet.Resolver
	got, err := r.LookupHost(context.Background(), "fe80::1%lo")
	require.NoError(t, err)
	assert.Equal(t, []string{"fe80::1%lo"}, got)
	ips, err := r.LookupNetIP(context.Background(), "ip6", "fe80::1%lo")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("fe80::1%lo")}, ips)

	// A zone libc does not take is its "no such host" (documented: net answers these).
	for _, host := range []string{"::1%lo", "fe80::1%no-such-interface"} {
		_, err = r.LookupHost(context.Background(), host)
		var de *net.DNSError
		require.ErrorAs(t, err, &de, host)
		assert.True(t, de.IsNotFound, host)
	}
}

func TestLookupIP_FamiliesAndSizes(t *testing.T) {
	var r libcnet.Resolver
	ctx := context.Background()
	v4, err := r.LookupIP(ctx, "ip4", "localhost")
	require.NoError(t, err)
	require.NotEmpty(t, v4)
	for _, ip := range v4 {
		assert.Len(t, ip, net.IPv4len, "AF_INET answers are 4-byte IPs, as from Go's cgo resolver")
	}
	n, err := r.LookupNetIP(ctx, "ip4", "localhost")
	require.NoError(t, err)
	for _, a := range n {
		assert.True(t, a.Is4(), a.String())
	}
	mapped, err := r.LookupNetIP(ctx, "ip", "::ffff:127.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.1")}, mapped, "an AF_INET6 answer stays IPv6")

	ipaddrs, err := r.LookupIPAddr(ctx, "localhost")
	require.NoError(t, err)
	texts := make([]string, len(ipaddrs))
	for i, a := range ipaddrs {
		texts[i] = a.String()
	}
	assert.Equal(t, libcAddrs(t, "localhost", csock.AF_UNSPEC), texts)
}

func TestLookupIP_UnknownNetworkIsNetsError(t *testing.T) {
	var r libcnet.Resolver
	_, err := r.LookupIP(context.Background(), "tcp", "localhost")
	assert.Equal(t, net.UnknownNetworkError("tcp"), err)
	_, err = r.LookupNetIP(context.Background(), "ip5", "localhost")
	assert.Equal(t, net.UnknownNetworkError("ip5"), err)
}

func TestLookup_FailureIsDNSErrorWrappingTheGaiError(t *testing.T) {
	var r libcnet.Resolver
	// AF_INET6 of an IPv4 literal: libc answers EAI_ADDRFAMILY without any lookup.
	_, err := r.LookupIP(context.Background(), "ip6", "127.0.0.1")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	var ge *csock.GaiError
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, csock.EAI_ADDRFAMILY, ge.Code)
	assert.Equal(t, "127.0.0.1", de.Name)
	assert.Equal(t, csock.GaiStrerror(csock.EAI_ADDRFAMILY), de.Err)
	assert.False(t, de.IsNotFound || de.IsTemporary || de.IsTimeout)
}

func TestLookup_NulByteIsNotFoundWithoutALookup(t *testing.T) {
	var r libcnet.Resolver
	_, err := r.LookupHost(context.Background(), "localhost\x00.evil")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsNotFound)
}

func TestLookup_EndedContextIsNetsCanceledError(t *testing.T) {
	var r libcnet.Resolver
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.LookupHost(ctx, "localhost")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "lookup localhost: operation was canceled", err.Error())

	ctx, cancel = context.WithTimeout(context.Background(), -1)
	defer cancel()
	_, err = r.LookupAddr(ctx, "127.0.0.1")
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, de.Timeout())
	assert.Equal(t, "lookup 127.0.0.1: i/o timeout", err.Error())
}

func TestLookupCNAME_LibcsCanonicalNameWithADot(t *testing.T) {
	var r libcnet.Resolver
	res, err := csock.GetAddrInfo([]byte("localhost"), nil, csock.AF_UNSPEC, csock.SOCK_STREAM, 0, csock.AI_CANONNAME, nil)
	require.NoError(t, err)
	cname, err := r.LookupCNAME(context.Background(), "localhost")
	require.NoError(t, err)
	assert.Equal(t, res[0].CanonName+".", cname)
	cname, err = r.LookupCNAME(context.Background(), "127.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1.", cname, "libc's canonical name of a literal is the literal")
}

func TestLookupAddr_IsGetHostByAddr(t *testing.T) {
	var r libcnet.Resolver
	h, err := csock.GetHostByAddr([]byte{127, 0, 0, 1}, csock.AF_INET, 0, nil)
	require.NoError(t, err)
	// A final dot only for a name with a dot inside, as net returns names: "localhost"
	// stays so.
	dotted := func(n string) string {
		if strings.Contains(n, ".") {
			return n + "."
		}
		return n
	}
	want := []string{dotted(h.Name)}
	for _, a := range h.Aliases {
		want = append(want, dotted(a))
	}
	got, err := r.LookupAddr(context.Background(), "127.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	netNames, err := net.DefaultResolver.LookupAddr(context.Background(), "127.0.0.1")
	require.NoError(t, err)
	require.NotEmpty(t, netNames)
	assert.Equal(t, netNames[0], got[0], "net's first name for the first /etc/hosts line")

	// An IPv4-mapped address is looked up as its IPv4 address, as Go's cgo resolver does
	// (AF_INET6 with the mapped form finds no /etc/hosts line).
	got, err = r.LookupAddr(context.Background(), "::ffff:127.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, want, got)

	_, err = r.LookupAddr(context.Background(), "localhost")
	assert.EqualError(t, err, "lookup localhost: unrecognized address")
}

func TestLookupPort_NumbersAsNetParsesThem(t *testing.T) {
	var r libcnet.Resolver
	goRes := &net.Resolver{PreferGo: true}
	ctx := context.Background()
	for _, svc := range []string{"", "0", "80", "+80", "-0", "65535", "65536", "-1", "99999999999999999999", "+", "-"} {
		for _, network := range []string{"tcp", "udp6", "ip", "", "sctp"} {
			want, wantErr := goRes.LookupPort(ctx, network, svc)
			got, err := r.LookupPort(ctx, network, svc)
			assert.Equal(t, want, got, "%s/%q", network, svc)
			assert.Equal(t, wantErr, err, "%s/%q", network, svc)
		}
	}
}

// Past 2^30 net stops reading (what follows is ignored, the number is invalid), and it
// accumulates in 32 bits (a long number can wrap into the port range); numbers that end
// in a letter before that are names. The same services, the same answers.
func TestLookupPort_LongNumbersAsNetParsesThem(t *testing.T) {
	var r libcnet.Resolver
	goRes := &net.Resolver{PreferGo: true}
	ctx := context.Background()
	for _, svc := range []string{"12345678901x", "99999999999999999999x", "-99999999999x", "1073741823",
		"1073741824x", "1234567890x", "5000000000x", "50000000000x", "4294967376", "-4294967376", "+4294967296"} {
		for _, network := range []string{"tcp", "udp", "sctp"} {
			want, wantErr := goRes.LookupPort(ctx, network, svc)
			got, err := r.LookupPort(ctx, network, svc)
			assert.Equal(t, want, got, "%s/%q", network, svc)
			assert.Equal(t, fmt.Sprint(wantErr), fmt.Sprint(err), "%s/%q", network, svc)
		}
	}
	port, err := r.LookupPort(ctx, "tcp", "4294967376")
	require.NoError(t, err)
	assert.Equal(t, 80, port, "2^32+80 wraps to 80 in net's reading")
}

func TestLookupPort_NamesAreGetServByName(t *testing.T) {
	var r libcnet.Resolver
	ctx := context.Background()
	for _, c := range []struct{ network, proto string }{{"tcp", "tcp"}, {"udp4", "udp"}, {"ip", ""}, {"", ""}} {
		var proto []byte
		if c.proto != "" {
			proto = []byte(c.proto)
		}
		want, err := csock.GetServByName([]byte("domain"), proto, 0)
		require.NoError(t, err)
		got, err := r.LookupPort(ctx, c.network, "domain")
		require.NoError(t, err)
		assert.Equal(t, want, got, c.network)
	}
	_, err := r.LookupPort(ctx, "sctp", "http")
	assert.Equal(t, &net.AddrError{Err: "unknown network", Addr: "sctp"}, err)
	_, err = r.LookupPort(ctx, "udp", "no-such-service")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "udp/no-such-service", de.Name)
	assert.True(t, de.IsNotFound)
	assert.ErrorIs(t, err, csock.ErrNotFound)
}

func TestSetMaxLookups_DefaultAndRestore(t *testing.T) {
	old := libcnet.SetMaxLookups(3)
	assert.Equal(t, libcnet.DefaultMaxLookups, old)
	assert.Equal(t, 3, libcnet.SetMaxLookups(0))
	assert.Equal(t, libcnet.DefaultMaxLookups, libcnet.SetMaxLookups(0))
	inLibc, waiting := libcnet.InFlight()
	assert.Zero(t, inLibc+waiting)
}

func TestLookup_ManyConcurrentUnderASmallBound(t *testing.T) {
	defer libcnet.SetMaxLookups(libcnet.SetMaxLookups(2))
	var r libcnet.Resolver
	errs := make(chan error, 50)
	for i := 0; i < cap(errs); i++ {
		go func() {
			addrs, err := r.LookupHost(context.Background(), "localhost")
			if err == nil && len(addrs) == 0 {
				err = errors.New("no address")
			}
			errs <- err
		}()
	}
	for i := 0; i < cap(errs); i++ {
		assert.NoError(t, <-errs)
	}
	inLibc, waiting := libcnet.InFlight()
	assert.Zero(t, inLibc+waiting)
}

func TestResolver_HasNetResolversMethodSet(t *testing.T) {
	netT := reflect.TypeFor[*net.Resolver]()
	ours := reflect.TypeFor[*libcnet.Resolver]()
	for i := 0; i < netT.NumMethod(); i++ {
		m := netT.Method(i)
		o, ok := ours.MethodByName(m.Name)
		if !assert.True(t, ok, "no %s", m.Name) {
			continue
		}
		assert.Equal(t, strings.Replace(m.Type.String(), "*net.Resolver", "*libcnet.Resolver", 1), o.Type.String(), m.Name)
	}
	assert.Equal(t, netT.NumMethod(), ours.NumMethod(), "the same methods, no more")
}

func TestLookupCNAME_AnInetAtonFormIsItsOwnName(t *testing.T) {
	var r libcnet.Resolver
	cname, err := r.LookupCNAME(context.Background(), "127.1")
	require.NoError(t, err)
	assert.Equal(t, "127.1.", cname, "libc echoes the literal; it is not validated as a name")
}

// lookuper is the part of *net.Resolver's method set these tests call on both resolvers.
type lookuper interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupIP(ctx context.Context, network, host string) ([]net.IP, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupPort(ctx context.Context, network, service string) (int, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// endedContexts are a cancelled context and one past its deadline.
func endedContexts(t *testing.T) map[string]context.Context {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), -1)
	t.Cleanup(cancel2)
	return map[string]context.Context{"canceled": canceled, "expired": expired}
}

// An address literal needs no lookup: net answers it whatever the context says, and so
// does libcnet (libc's answer, the same as with a live context).
func TestLookup_EndedContextStillAnswersAddressLiterals(t *testing.T) {
	var lib libcnet.Resolver
	goRes := &net.Resolver{PreferGo: true}
	calls := map[string]func(l lookuper, ctx context.Context, host string) (any, error){
		"LookupHost":   func(l lookuper, ctx context.Context, h string) (any, error) { return l.LookupHost(ctx, h) },
		"LookupIPAddr": func(l lookuper, ctx context.Context, h string) (any, error) { return l.LookupIPAddr(ctx, h) },
	}
	for _, network := range []string{"ip", "ip4", "ip6"} {
		calls["LookupIP/"+network] = func(l lookuper, ctx context.Context, h string) (any, error) { return l.LookupIP(ctx, network, h) }
		calls["LookupNetIP/"+network] = func(l lookuper, ctx context.Context, h string) (any, error) { return l.LookupNetIP(ctx, network, h) }
	}
	for ctxName, ctx := range endedContexts(t) {
		for _, host := range []string{"127.0.0.1", "::1", "fe80::1%lo", "::ffff:127.0.0.1", ""} {
			for name, call := range calls {
				what := fmt.Sprintf("%s(%q), %s", name, host, ctxName)
				want, wantErr := call(&lib, context.Background(), host)
				got, err := call(&lib, ctx, host)
				assert.Equal(t, want, got, what)
				assert.Equal(t, fmt.Sprint(wantErr), fmt.Sprint(err), what)
				assert.NotErrorIs(t, err, ctx.Err(), what)
				_, netErr := call(goRes, ctx, host)
				assert.Equal(t, netErr == nil, err == nil, "%s: net says %v, libcnet %v", what, netErr, err)
			}
		}
		for _, svc := range []string{"80", "", "+443", "65536", "-1"} {
			want, wantErr := goRes.LookupPort(ctx, "tcp", svc)
			got, err := lib.LookupPort(ctx, "tcp", svc)
			assert.Equal(t, want, got, "%q, %s", svc, ctxName)
			assert.Equal(t, wantErr, err, "%q, %s", svc, ctxName)
		}
	}
}

// What libcnet asks libc about fails with the context's error once the context has
// ended, where net's pure-Go resolver reads /etc/hosts and /etc/services itself, ignoring
// the context, and answers (the difference the Resolver's doc states).
func TestLookup_EndedContextFailsWhatLibcWouldLookUp(t *testing.T) {
	var lib libcnet.Resolver
	goRes := &net.Resolver{PreferGo: true}
	for ctxName, ctx := range endedContexts(t) {
		calls := map[string]func(l lookuper) error{
			`LookupHost("localhost")`: func(l lookuper) error { _, err := l.LookupHost(ctx, "localhost"); return err },
			`LookupPort("tcp", "http")`: func(l lookuper) error {
				_, err := l.LookupPort(ctx, "tcp", "http")
				return err
			},
			`LookupAddr("127.0.0.1")`: func(l lookuper) error { _, err := l.LookupAddr(ctx, "127.0.0.1"); return err },
		}
		for name, call := range calls {
			require.NoError(t, call(goRes), "%s, %s: net reads the file", name, ctxName)
			err := call(&lib)
			var de *net.DNSError
			require.ErrorAs(t, err, &de, "%s, %s", name, ctxName)
			assert.ErrorIs(t, err, ctx.Err(), "%s, %s", name, ctxName)
		}
	}
}

// net counts an IPv4-mapped address as IPv4, so "ip6" has none to give for one; libc's
// AF_INET6 answer would be the mapped address itself.
func TestLookupIP_IP6DropsIPv4MappedAddressesAsNet(t *testing.T) {
	var lib libcnet.Resolver
	goRes := &net.Resolver{PreferGo: true}
	ctx := context.Background()
	for _, host := range []string{"::ffff:1.2.3.4", "::ffff:127.0.0.1"} {
		want, wantErr := goRes.LookupIP(ctx, "ip6", host)
		got, err := lib.LookupIP(ctx, "ip6", host)
		assert.Equal(t, want, got, host)
		assert.Equal(t, wantErr, err, host)
		wantN, wantErr := goRes.LookupNetIP(ctx, "ip6", host)
		gotN, err := lib.LookupNetIP(ctx, "ip6", host)
		assert.Equal(t, wantN, gotN, host)
		assert.Equal(t, wantErr, err, host)
	}
	ips, err := lib.LookupIP(ctx, "ip6", "::1")
	require.NoError(t, err)
	assert.Equal(t, []net.IP{net.IPv6loopback}, ips, "a plain IPv6 address stays")
}

// The empty host is libc's EAI_NONAME, given without a lookup (so an ended context does
// not change it): "no such host" with IsNotFound, as net says, and the EAI code reachable.
func TestLookup_EmptyHostIsLibcsNoName(t *testing.T) {
	var lib libcnet.Resolver
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []context.Context{context.Background(), ctx} {
		_, err := lib.LookupNetIP(c, "ip4", "")
		var de *net.DNSError
		require.ErrorAs(t, err, &de)
		assert.True(t, de.IsNotFound)
		assert.EqualError(t, err, "lookup : no such host")
		var ge *csock.GaiError
		require.ErrorAs(t, err, &ge)
		assert.Equal(t, csock.EAI_NONAME, ge.Code)
	}
}
