//go:build linux

package hermetic

import (
	"fmt"
	"sort"
	"strings"

	"github.com/miekg/dns"
)

// Zone is the data the world's DNS server answers from.
//
// The server is authoritative for every name: a name with no record at or
// below it is NXDOMAIN, a name that exists without the asked type is
// NODATA. CNAME chains are followed inside the zone and every hop is put in
// the answer, as an authoritative server does.
type Zone struct {
	// Records are RRs in master-file syntax with absolute owner names,
	// e.g. "multi.test. 60 IN A 192.0.2.1". Their order is kept in answers.
	Records []string
	// Rcodes forces a response code. A key is an owner name ("servfail.test.")
	// for every type, or an owner name and a type ("halfbroken.test. AAAA").
	Rcodes map[string]int
	// Silent lists keys, in the form of Rcodes, that are never answered.
	Silent []string
	// SOAs are the SOA records put in the authority section of negative
	// answers; the one whose owner is the longest suffix of the name is used.
	SOAs []string
}

// zoneIndex is a Zone parsed for answering.
type zoneIndex struct {
	byName map[string][]dns.RR // lower-case owner → records in order
	exists map[string]bool     // owners and all their ancestors
	rcodes map[string]int
	silent map[string]bool
	soas   []*dns.SOA
}

func compileZone(z Zone) (*zoneIndex, error) {
	ix := &zoneIndex{
		byName: map[string][]dns.RR{},
		exists: map[string]bool{},
		rcodes: map[string]int{},
		silent: map[string]bool{},
	}
	for _, line := range z.Records {
		rr, err := dns.NewRR(line)
		if err != nil {
			return nil, fmt.Errorf("zone record %q: %w", line, err)
		}
		if rr == nil {
			continue
		}
		owner := strings.ToLower(rr.Header().Name)
		ix.byName[owner] = append(ix.byName[owner], rr)
		for n := owner; ; {
			ix.exists[n] = true
			off, end := dns.NextLabel(n, 0)
			if end || n == "." {
				break
			}
			n = n[off:]
		}
	}
	for k, v := range z.Rcodes {
		key, err := zoneKey(k)
		if err != nil {
			return nil, err
		}
		ix.rcodes[key] = v
	}
	for _, k := range z.Silent {
		key, err := zoneKey(k)
		if err != nil {
			return nil, err
		}
		ix.silent[key] = true
	}
	for _, line := range z.SOAs {
		rr, err := dns.NewRR(line)
		if err != nil {
			return nil, fmt.Errorf("zone SOA %q: %w", line, err)
		}
		soa, ok := rr.(*dns.SOA)
		if !ok {
			return nil, fmt.Errorf("zone SOA %q is not an SOA record", line)
		}
		ix.soas = append(ix.soas, soa)
	}
	sort.SliceStable(ix.soas, func(i, j int) bool {
		return dns.CountLabel(ix.soas[i].Hdr.Name) > dns.CountLabel(ix.soas[j].Hdr.Name)
	})
	return ix, nil
}

// zoneKey normalises "Name" or "Name TYPE" to "name. TYPE" / "name.".
func zoneKey(k string) (string, error) {
	f := strings.Fields(k)
	switch len(f) {
	case 1:
		return dns.CanonicalName(f[0]), nil
	case 2:
		t, ok := dns.StringToType[strings.ToUpper(f[1])]
		if !ok {
			return "", fmt.Errorf("zone key %q: unknown type %q", k, f[1])
		}
		return dns.CanonicalName(f[0]) + " " + dns.TypeToString[t], nil
	}
	return "", fmt.Errorf("zone key %q: want NAME or NAME TYPE", k)
}

func (ix *zoneIndex) lookupKey(m map[string]int, name string, qtype uint16) (int, bool) {
	if v, ok := m[name+" "+dns.TypeToString[qtype]]; ok {
		return v, true
	}
	v, ok := m[name]
	return v, ok
}

// isSilent tells whether a question must never be answered.
func (ix *zoneIndex) isSilent(name string, qtype uint16) bool {
	name = dns.CanonicalName(name)
	return ix.silent[name+" "+dns.TypeToString[qtype]] || ix.silent[name]
}

func (ix *zoneIndex) soaFor(name string) []dns.RR {
	for _, soa := range ix.soas {
		if dns.IsSubDomain(soa.Hdr.Name, name) {
			return []dns.RR{dns.Copy(soa)}
		}
	}
	return nil
}

// answer builds the authoritative reply to req.
func (ix *zoneIndex) answer(req *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	m.RecursionAvailable = true
	if len(req.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		return m
	}
	q := req.Question[0]
	cur := dns.CanonicalName(q.Name)
	if rc, ok := ix.lookupKey(ix.rcodes, cur, q.Qtype); ok {
		m.Rcode = rc
		return m
	}
	for hop := 0; hop < 16; hop++ {
		owner := cur
		if hop == 0 {
			owner = q.Name // keep the case of the question, as servers do
		}
		rrs := ix.byName[cur]
		if len(rrs) == 0 {
			if !ix.exists[cur] {
				m.Rcode = dns.RcodeNameError
			}
			m.Ns = ix.soaFor(cur)
			return m
		}
		var matched []dns.RR
		var cname *dns.CNAME
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Qtype || q.Qtype == dns.TypeANY {
				c := dns.Copy(rr)
				c.Header().Name = owner
				matched = append(matched, c)
			}
			if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if len(matched) > 0 {
			m.Answer = append(m.Answer, matched...)
			return m
		}
		if cname == nil {
			m.Ns = ix.soaFor(cur)
			return m
		}
		c := dns.Copy(cname).(*dns.CNAME)
		c.Hdr.Name = owner
		m.Answer = append(m.Answer, c)
		cur = dns.CanonicalName(cname.Target)
		if rc, ok := ix.lookupKey(ix.rcodes, cur, q.Qtype); ok {
			m.Rcode = rc
			return m
		}
	}
	m.Answer = nil
	m.Rcode = dns.RcodeServerFailure // CNAME loop
	return m
}

// reverseName returns the in-addr.arpa or ip6.arpa name of an address.
func reverseName(addr string) string {
	name, err := dns.ReverseAddr(addr)
	if err != nil {
		panic(err)
	}
	return name
}

// DefaultZone returns the zone of DefaultWorld, under the made-up TLD .test
// and the search domains corp.test and lab.test. The comments in its body
// say what each name is for.
func DefaultZone() Zone {
	var rr []string
	add := func(format string, args ...any) { rr = append(rr, fmt.Sprintf(format, args...)) }

	// Several A and AAAA records: the order on the wire is the order here.
	for _, a := range []string{"192.0.2.3", "192.0.2.1", "192.0.2.2"} {
		add("multi.test. 60 IN A %s", a)
	}
	for _, a := range []string{"2001:db8::2", "2001:db8::1", "2001:db8:1::5", "2001:db8:ffff::99"} {
		add("multi.test. 60 IN AAAA %s", a)
	}
	add("v4only.test. 60 IN A 192.0.2.10")
	add("v4only.test. 60 IN A 192.0.2.11")
	add("v6only.test. 60 IN AAAA 2001:db8::10")
	add("v6only.test. 60 IN AAAA 2001:db8::11")
	add("mx-only.test. 60 IN MX 10 multi.test.")

	// CNAME chains: two hops to an answer, two hops to NXDOMAIN.
	add("alias.test. 60 IN CNAME hop1.test.")
	add("hop1.test. 60 IN CNAME hop2.test.")
	add("hop2.test. 60 IN A 192.0.2.20")
	add("hop2.test. 60 IN AAAA 2001:db8::20")
	add("dangling.test. 60 IN CNAME gone.test.")
	add("gone.test. 60 IN CNAME missing.test.")
	add("to-v4only.test. 60 IN CNAME v4only.test.")

	// Half-broken names: A answers, AAAA fails or never comes.
	add("halfbroken.test. 60 IN A 192.0.2.30")
	add("halfsilent.test. 60 IN A 192.0.2.31")

	// Too large for UDP: 100 A records (over 1,600 bytes) → TC → TCP.
	for i := 1; i <= 100; i++ {
		add("big.test. 60 IN A 198.18.0.%d", i)
	}

	// IDNA: bücher.test, strasse.test and straße.test (IDNA 2008 form).
	add("xn--bcher-kva.test. 60 IN A 192.0.2.40")
	add("strasse.test. 60 IN A 192.0.2.41")
	add("xn--strae-oqa.test. 60 IN A 192.0.2.42")

	// Reachable only through the search list corp.test, lab.test.
	add("printer.corp.test. 60 IN A 192.0.2.50")
	add("db.lab.test. 60 IN A 192.0.2.51")
	add("db.lab.test. 60 IN AAAA 2001:db8::51")
	add("host.sub.corp.test. 60 IN A 192.0.2.52")
	add("shadow.corp.test. 60 IN A 192.0.2.53")
	add("shadow.lab.test. 60 IN A 192.0.2.54")
	add("www.corp.test. 60 IN CNAME multi.test.")
	// The first search domain fails (SERVFAIL, no answer, REFUSED), the
	// second answers.
	add("flaky.lab.test. 60 IN A 192.0.2.56")
	add("slow.lab.test. 60 IN A 192.0.2.57")
	add("picky.lab.test. 60 IN A 192.0.2.58")

	// Names that /etc/hosts also has (files must win, per family or not).
	add("dual.test. 60 IN A 192.0.2.200")
	add("dual.test. 60 IN AAAA 2001:db8::200")
	add("shadowed.test. 60 IN A 192.0.2.201")
	add("under_score.test. 60 IN A 192.0.2.60")

	// Other record types, for libcnet's res_nsearch lookups (LookupSRV, LookupMX,
	// LookupTXT, LookupNS): SRV records of two priorities, one with a target that is not
	// a valid name; MX records with a shared preference; TXT records, one of two strings;
	// TXT records too large for UDP; a delegation's NS records; a TXT record found only
	// through the search list.
	add("_http._tcp.srv.test. 60 IN SRV 10 60 8080 web1.test.")
	add("_http._tcp.srv.test. 60 IN SRV 10 40 8080 web2.test.")
	add("_http._tcp.srv.test. 60 IN SRV 5 0 8081 backup.test.")
	add("_bad._tcp.srv.test. 60 IN SRV 0 0 1 good.test.")
	add("_bad._tcp.srv.test. 60 IN SRV 0 0 2 bad\\032target.test.")
	add("mail.test. 60 IN MX 20 mx2.test.")
	add("mail.test. 60 IN MX 10 mx1.test.")
	add("mail.test. 60 IN MX 10 mx1b.test.")
	add("txt.test. 60 IN TXT \"v=spf1 -all\"")
	add("txt.test. 60 IN TXT \"part one \" \"part two\"")
	for i := 1; i <= 20; i++ {
		add("bigtxt.test. 60 IN TXT \"record %02d: %s\"", i, strings.Repeat("x", 60))
	}
	add("delegated.test. 60 IN NS ns1.test.")
	add("delegated.test. 60 IN NS ns2.test.")
	add("searchtxt.lab.test. 60 IN TXT \"found through the search list\"")

	// Reverse zone, IPv4.
	add("%s 60 IN PTR multi.test.", reverseName("192.0.2.1"))
	add("%s 60 IN PTR v4only.test.", reverseName("192.0.2.10"))
	add("%s 60 IN PTR hop2.test.", reverseName("192.0.2.20"))
	add("%s 60 IN PTR one.test.", reverseName("192.0.2.70"))
	add("%s 60 IN PTR two.test.", reverseName("192.0.2.70"))
	add("%s 60 IN CNAME 71.64-127.2.0.192.in-addr.arpa.", reverseName("192.0.2.71"))
	add("71.64-127.2.0.192.in-addr.arpa. 60 IN PTR xn--bcher-kva.test.")
	add("%s 60 IN PTR printer.corp.test.", reverseName("192.0.2.50"))
	add("%s 60 IN PTR under_score.test.", reverseName("192.0.2.60"))
	add("%s 60 IN PTR bad\\032name.test.", reverseName("192.0.2.72"))
	add("%s 60 IN PTR multi.test.", reverseName("198.18.0.1"))
	// Reverse zone, IPv6.
	add("%s 60 IN PTR multi.test.", reverseName("2001:db8::1"))
	add("%s 60 IN PTR v6only.test.", reverseName("2001:db8::10"))
	add("%s 60 IN PTR hop2.test.", reverseName("2001:db8::20"))
	add("%s 60 IN PTR db.lab.test.", reverseName("2001:db8::51"))

	return Zone{
		Records: rr,
		Rcodes: map[string]int{
			"servfail.test.":          dns.RcodeServerFailure,
			"refused.test.":           dns.RcodeRefused,
			"halfbroken.test. AAAA":   dns.RcodeServerFailure,
			"notimp.test.":            dns.RcodeNotImplemented,
			reverseName("192.0.2.66"): dns.RcodeServerFailure,
		},
		Silent: []string{
			"blackhole.test.",
			"halfsilent.test. AAAA",
			"slow.corp.test.",
		},
		SOAs: []string{
			". 60 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60",
			"test. 60 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60",
			"in-addr.arpa. 60 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60",
			"ip6.arpa. 60 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60",
		},
	}
}
