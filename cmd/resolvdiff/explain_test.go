//go:build linux

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fixture() *config {
	return &config{
		NSSwitch:   parseLines("# comment\nhosts:   files mdns4_minimal [NOTFOUND=return] dns myhostname\nservices: files\n"),
		GaiConf:    parseLines("label ::1/128 0\nprecedence ::ffff:0:0/96 100 # IPv4 first\nprecedence ::/0 40\n"),
		ResolvConf: parseLines("nameserver 127.0.0.1\ndomain old.test\nsearch a.test b.test\noptions ndots:2 rotate no-aaaa\n"),
		Hosts:      parseLines("127.0.0.1 localhost\n192.0.2.1 Files.Test files # alias\n192.0.2.2 other files.test\n"),
		HostConf:   parseLines("multi on\n"),
		Env:        map[string]string{},
	}
}

func TestConfig_ParsesWhatExplanationsNeed(t *testing.T) {
	c := fixture()
	l, srcs, ok := c.nssHosts()
	require.True(t, ok)
	assert.Equal(t, 2, l.N)
	assert.Equal(t, []nssSource{{Name: "files"}, {Name: "mdns4_minimal", Criteria: "[NOTFOUND=return]"}, {Name: "dns"}, {Name: "myhostname"}}, srcs)

	opts, search, sl, ndots := c.resolv()
	assert.Equal(t, []string{"a.test", "b.test"}, search, "the last search or domain line wins")
	assert.Equal(t, 3, sl.N)
	assert.Equal(t, 2, ndots)
	assert.Len(t, opts, 3)
	c.Env["RES_OPTIONS"] = "ndots:3"
	_, _, _, ndots = c.resolv()
	assert.Equal(t, 3, ndots, "RES_OPTIONS comes after resolv.conf")

	lines := c.hostsLines("files.test.")
	require.Len(t, lines, 2, "case and the final dot do not matter")
	assert.Equal(t, 2, lines[0].N)
	assert.Equal(t, "192.0.2.1 Files.Test files", lines[0].Text, "comments are dropped")

	rules := c.gaiRules()
	require.Len(t, rules, 3)
	assert.Equal(t, "precedence", rules[1].Kind)
}

func TestGoKnows_ResolvConfOptions(t *testing.T) {
	for _, o := range []string{"ndots:3", "timeout:1", "attempts:2", "rotate", "single-request", "edns0", "trust-ad", "use-vc"} {
		assert.True(t, goKnows(o), o)
	}
	for _, o := range []string{"no-aaaa", "inet6", "no-tld-query", "debug", "ndots"} {
		assert.False(t, goKnows(o), o)
	}
}

func TestExplain_PureGoDifferences(t *testing.T) {
	c := fixture()
	a := answer{Addrs: []string{"192.0.2.1", "192.0.2.2", "2001:db8::1"}, CNAME: "Files.Test."}
	b := answer{Addrs: []string{"2001:db8::1", "192.0.2.1", "192.0.2.2"}, CNAME: "files.test."}
	k := kinds(a, b)
	assert.Equal(t, []string{"order", "canonical name"}, k)
	ex := explain(c, "files.test", resGo, a, b, k)
	sources := map[string]int{}
	for _, e := range ex {
		sources[e.Source]++
	}
	assert.Equal(t, 2, sources[fileNSSwitch], "mdns4_minimal and myhostname; [NOTFOUND=return] follows a source Go skips: %+v", ex)
	assert.Equal(t, 2, sources[fileResolv], "no-aaaa (not rotate), and the search list (ndots:2): %+v", ex)
	assert.Equal(t, 1, sources[fileGaiConf], "precedence ::ffff:0:0/96 100 for the IPv4 addresses: %+v", ex)
	assert.Equal(t, 3, sources[fileHosts]+sources[fileHostConf], "canonical name, order, host.conf: %+v", ex)
}

func TestExplainGai_GlibcsBuiltInTableWhenGaiConfHasNone(t *testing.T) {
	c := &config{}
	ex := explainGai(c, []string{"fd00::1", "192.0.2.1", "2001:db8::1"})
	require.Len(t, ex, 2, "%+v", ex)
	assert.Contains(t, ex[0].Source, "built-in")
	assert.Contains(t, ex[0].Why, "fd00::1 precedence 40; Go's pure resolver gives 3 (RFC 6724's fc00::/7)")
	assert.Contains(t, ex[1].Why, "192.0.2.1 precedence 10; Go's pure resolver gives 35")
}

func TestKinds(t *testing.T) {
	ok := answer{Addrs: []string{"192.0.2.1"}, CNAME: "x."}
	notFound := answer{AddrsErr: &errInfo{Class: "not found"}, CNAMEErr: &errInfo{Class: "not found"}}
	temp := answer{AddrsErr: &errInfo{Class: "temporary"}, CNAMEErr: &errInfo{Class: "not found"}}
	assert.Empty(t, kinds(ok, answer{Addrs: []string{"192.0.2.1"}, CNAME: "x"}), "a final dot does not count")
	assert.Equal(t, []string{"addresses: fails where libc answers", "canonical name: fails where libc answers"}, kinds(ok, notFound))
	assert.Equal(t, []string{"addresses: another error (temporary, libc not found)"}, kinds(notFound, temp))
	assert.Equal(t, []string{"addresses"}, kinds(ok, answer{Addrs: []string{"192.0.2.2"}, CNAME: "x."}))
	assert.Equal(t, []string{"names"}, kinds(answer{Names: []string{"a."}}, answer{Names: []string{"a", "b"}}))
}

func TestExplainTimeouts(t *testing.T) {
	timeout := &errInfo{Class: "timeout"}
	libc := answer{AddrsErr: timeout, CNAMEErr: timeout}
	goAns := answer{AddrsErr: timeout, CNAME: "localhost"}
	k := kinds(libc, goAns)
	require.Equal(t, []string{"canonical name: answers where libc fails"}, k)
	ex, rest := explainTimeouts(libc, goAns, k, resGo, time.Nanosecond)
	assert.Empty(t, rest, "nothing is left for the configuration to explain")
	require.Len(t, ex, 1)
	assert.Equal(t, "--timeout", ex[0].Source)
	assert.Equal(t, "libc's lookup of the canonical name timed out (--timeout 1ns) where Go's pure resolver answered in time: the difference is the bound's, not the configuration's; run again with a longer --timeout", ex[0].Why)

	// The other resolver timed out while libc failed otherwise; a difference with no
	// timeout is left to explain().
	a := answer{Addrs: []string{"192.0.2.1"}, NamesErr: &errInfo{Class: "not found"}}
	b := answer{Addrs: []string{"192.0.2.2"}, NamesErr: timeout}
	k = kinds(a, b)
	require.Equal(t, []string{"addresses", "names: another error (timeout, libc not found)"}, k)
	ex, rest = explainTimeouts(a, b, k, resCgo, time.Second)
	assert.Equal(t, []string{"addresses"}, rest)
	require.Len(t, ex, 1)
	assert.Contains(t, ex[0].Why, "Go's cgo resolver's lookup of the names timed out (--timeout 1s) where libc failed otherwise in time")
}
