//go:build linux

package libcnet_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/libcnet"
)

// outcome is a call's result as a comparable line: the values, or the error's type and
// text (a *net.OpError with the type of what it wraps).
func outcome(v any, err error) string {
	if err == nil {
		return fmt.Sprint(v)
	}
	if op, ok := err.(*net.OpError); ok {
		return fmt.Sprintf("%T{%s %s %v %v} %T: %v", op, op.Op, op.Net, op.Source, op.Addr, op.Err, op.Err)
	}
	if de, ok := err.(*net.DNSError); ok {
		return fmt.Sprintf("%T{Err %q Name %q NotFound %v Temporary %v Timeout %v}", de, de.Err, de.Name,
			de.IsNotFound, de.IsTemporary, de.IsTimeout)
	}
	return fmt.Sprintf("%T: %v", err, err)
}

// LookupIP and LookupNetIP take "ip4:icmp" as net does (the protocol checked, then left
// out), and refuse the other networks with net's error.
func TestLookupIP_NetworksWithAProtocolAsNet(t *testing.T) {
	var r libcnet.Resolver
	ctx := context.Background()
	for _, network := range []string{"ip", "ip4", "ip6", "ip4:icmp", "ip4:1", "ip:tcp", "ip6:58", "ip4:foo",
		"ip4:", "ip:99999999999", "tcp:1", "tcp", "", "IP4", "udp6", "foo:icmp"} {
		want, wantErr := net.DefaultResolver.LookupIP(ctx, network, "127.0.0.1")
		got, err := r.LookupIP(ctx, network, "127.0.0.1")
		if wantErr == nil && network != "ip6" {
			// libc's 4-byte form, net's 16-byte one for a literal (documented).
			for i := range want {
				want[i] = want[i].To4()
			}
		}
		if network == "ip6" || strings.HasPrefix(network, "ip6:") {
			// libc's EAI_ADDRFAMILY for a literal of the other family (documented).
			require.Error(t, err, network)
			continue
		}
		assert.Equal(t, outcome(want, wantErr), outcome(got, err), network)
		_, err = r.LookupNetIP(ctx, network, "127.0.0.1")
		assert.Equal(t, wantErr == nil, err == nil, network)
	}
}

// Names that are not domain names are net's "no such host" for the DNS lookups, and no
// query leaves (a query would wait for the machine's nameserver: the context bounds it,
// and the answer would be a timeout or a temporary failure, not this).
func TestLookupDNS_NamesThatAreNotDomainNamesAsNet(t *testing.T) {
	var r libcnet.Resolver
	long := strings.Repeat("a", 64) + ".example"
	for _, name := range []string{"", "local host", "127.0.0.1", "a..b", "-foo", "foo-.example", long, "a\x00b",
		strings.Repeat("abc.", 64) + "x"} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, wantErr := net.DefaultResolver.LookupMX(ctx, name)
		require.Error(t, wantErr)
		_, err := r.LookupMX(ctx, name)
		assert.Equal(t, outcome(nil, wantErr), outcome(nil, err), "MX %q", name)
		_, err = r.LookupTXT(ctx, name)
		assert.Equal(t, outcome(nil, wantErr), outcome(nil, err), "TXT %q", name)
		_, err = r.LookupNS(ctx, name)
		assert.Equal(t, outcome(nil, wantErr), outcome(nil, err), "NS %q", name)
		cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _, wantErr := net.DefaultResolver.LookupSRV(ctx, "x y", "tcp", "localhost")
	require.Error(t, wantErr)
	_, _, err := r.LookupSRV(ctx, "x y", "tcp", "localhost")
	assert.Equal(t, outcome(nil, wantErr), outcome(nil, err))
}

// The Dialer checks the network first, as net.Dialer does: an IP network needs a
// protocol, a known one, and a network with a colon must be an IP network.
func TestDial_NetworkCheckedFirstAsNet(t *testing.T) {
	var d libcnet.Dialer
	var nd net.Dialer
	ctx := context.Background()
	for _, c := range []struct{ network, address string }{
		{"ip4", "localhost"}, {"ip", "127.0.0.1"}, {"ip6", "localhost:1"}, {"ip:foo", "localhost"},
		{"ip4:foo", "no such name"}, {"tcp:80", "localhost"}, {"tcp:80", "127.0.0.1:1"}, {"udp:x", "localhost:1"},
		{"foo", "localhost:1"}, {"", "127.0.0.1:1"}, {"TCP", "127.0.0.1:1"}, {"unix:1", "/nonexistent"},
	} {
		_, wantErr := nd.DialContext(ctx, c.network, c.address)
		require.Error(t, wantErr, "%+v", c)
		_, err := d.DialContext(ctx, c.network, c.address)
		assert.Equal(t, outcome(nil, wantErr), outcome(nil, err), "%+v", c)
	}
}
