//go:build linux

package hermetic

import (
	"context"
	"errors"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/libcnet"
)

// The record types getaddrinfo does not ask for: libcnet asks libc's res_nsearch, whose
// replies come from the world's name server through resolv.conf's search list.

func dnsCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func srvKeys(srvs []*net.SRV) []string {
	var out []string
	for _, s := range srvs {
		out = append(out, s.Target+" "+itoa(int(s.Port))+" "+itoa(int(s.Priority))+" "+itoa(int(s.Weight)))
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestLibcnetSRV_TheZonesRecordsSortedByPriority(t *testing.T) {
	env := Require(t)
	env.Server.Reset()
	var r libcnet.Resolver
	cname, srvs, err := r.LookupSRV(dnsCtx(t), "http", "tcp", "srv.test")
	require.NoError(t, err)
	assert.Equal(t, "_http._tcp.srv.test.", cname)
	require.Len(t, srvs, 3)
	assert.Equal(t, "backup.test.", srvs[0].Target, "priority 5 first")
	assert.Equal(t, []string{"backup.test. 8081 5 0", "web1.test. 8080 10 60", "web2.test. 8080 10 40"}, srvKeys(srvs))
	assert.Positive(t, env.Server.Count("_http._tcp.srv.test.", dns.TypeSRV), "asked the world's server")

	// The same records as Go's pure resolver reads from the same server.
	_, goSrvs, err := (&net.Resolver{PreferGo: true}).LookupSRV(dnsCtx(t), "http", "tcp", "srv.test")
	require.NoError(t, err)
	assert.Equal(t, srvKeys(goSrvs), srvKeys(srvs))

	// Both weights of priority 10 come first, over enough draws (RFC 2782: 60:40).
	first := map[string]int{}
	for i := 0; i < 200; i++ {
		_, s, err := r.LookupSRV(dnsCtx(t), "", "", "_http._tcp.srv.test")
		require.NoError(t, err)
		first[s[1].Target]++
	}
	assert.Positive(t, first["web1.test."])
	assert.Positive(t, first["web2.test."])
}

func TestLibcnetSRV_InvalidTargetLeftOutWithAnError(t *testing.T) {
	Require(t)
	var r libcnet.Resolver
	_, srvs, err := r.LookupSRV(dnsCtx(t), "bad", "tcp", "srv.test")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "DNS response contained records which contain invalid names", de.Err)
	assert.Equal(t, []string{"good.test. 1 0 0"}, srvKeys(srvs))
	_, goSrvs, goErr := (&net.Resolver{PreferGo: true}).LookupSRV(dnsCtx(t), "bad", "tcp", "srv.test")
	assert.Equal(t, srvKeys(goSrvs), srvKeys(srvs), "as net does")
	assert.Error(t, goErr)
}

func TestLibcnetMX_SortedByPreference(t *testing.T) {
	Require(t)
	var r libcnet.Resolver
	mxs, err := r.LookupMX(dnsCtx(t), "mail.test")
	require.NoError(t, err)
	require.Len(t, mxs, 3)
	assert.EqualValues(t, 10, mxs[0].Pref)
	assert.EqualValues(t, 10, mxs[1].Pref)
	assert.Equal(t, &net.MX{Host: "mx2.test.", Pref: 20}, mxs[2])
	assert.ElementsMatch(t, []string{"mx1.test.", "mx1b.test."}, []string{mxs[0].Host, mxs[1].Host})
}

func TestLibcnetTXT_InTheReplysOrderStringsJoined(t *testing.T) {
	Require(t)
	var r libcnet.Resolver
	txts, err := r.LookupTXT(dnsCtx(t), "txt.test")
	require.NoError(t, err)
	assert.Equal(t, []string{"v=spf1 -all", "part one part two"}, txts)
	goTxts, err := (&net.Resolver{PreferGo: true}).LookupTXT(dnsCtx(t), "txt.test")
	require.NoError(t, err)
	assert.Equal(t, goTxts, txts)
}

func TestLibcnetTXT_TooLargeForUDPComesOverTCP(t *testing.T) {
	env := Require(t)
	env.Server.Reset()
	var r libcnet.Resolver
	txts, err := r.LookupTXT(dnsCtx(t), "bigtxt.test")
	require.NoError(t, err)
	assert.Len(t, txts, 20)
	assert.True(t, strings.HasPrefix(txts[0], "record 01: "), txts[0])
	assert.Positive(t, env.Server.CountProto("bigtxt.test.", dns.TypeTXT, "tcp"), "libc retried over TCP")
}

func TestLibcnetTXT_ShortNameGoesThroughTheSearchList(t *testing.T) {
	env := Require(t)
	env.Server.Reset()
	var r libcnet.Resolver
	txts, err := r.LookupTXT(dnsCtx(t), "searchtxt")
	require.NoError(t, err)
	assert.Equal(t, []string{"found through the search list"}, txts)
	assert.Positive(t, env.Server.Count("searchtxt.corp.test.", dns.TypeTXT), "corp.test asked first")
}

func TestLibcnetNS(t *testing.T) {
	Require(t)
	var r libcnet.Resolver
	nss, err := r.LookupNS(dnsCtx(t), "delegated.test")
	require.NoError(t, err)
	assert.Equal(t, []*net.NS{{Host: "ns1.test."}, {Host: "ns2.test."}}, nss)
}

// The errors of res_nsearch: NXDOMAIN and NODATA are not found, SERVFAIL temporary, each
// a *net.DNSError wrapping libc's h_errno.
func TestLibcnetDNS_ErrorsCarryLibcsHErrno(t *testing.T) {
	Require(t)
	var r libcnet.Resolver
	for _, c := range []struct {
		name                string
		herr                int
		notFound, temporary bool
	}{
		{"nonexistent.test", csock.HOST_NOT_FOUND, true, false},
		{"multi.test", csock.NO_DATA, true, false},
		{"servfail.test", csock.TRY_AGAIN, false, true},
	} {
		_, err := r.LookupMX(dnsCtx(t), c.name)
		var de *net.DNSError
		require.ErrorAs(t, err, &de, c.name)
		var he *csock.HError
		require.True(t, errors.As(err, &he), "%s: %v", c.name, err)
		assert.Equal(t, c.herr, he.Code, c.name)
		assert.Equal(t, c.notFound, de.IsNotFound, c.name)
		assert.Equal(t, c.temporary, de.Temporary(), c.name)
		assert.Equal(t, c.name, de.Name)
	}
}

// A TXT lookup that the server never answers returns when its context ends, and the
// abandoned res_nsearch gives its slot back when libc gives up.
func TestLibcnetDNS_ContextEndsASilentLookup(t *testing.T) {
	env := Require(t)
	env.Server.Drop()
	defer env.Server.Resume()
	var r libcnet.Resolver
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := r.LookupTXT(ctx, "txt.test")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 900*time.Millisecond, "before libc's 1 s timeout")
	require.Eventually(t, func() bool { inLibc, waiting := libcnet.InFlight(); return inLibc+waiting == 0 },
		10*time.Second, 10*time.Millisecond, "the abandoned call ends at libc's timeout")
}
