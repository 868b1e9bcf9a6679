//go:build linux

package main

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/csock/csock/csock"
)

// explanation is one piece of configuration (or one known behaviour of a resolver) that
// explains a difference.
type explanation struct {
	Source string `json:"source"`         // a file, an environment variable, or the resolver
	Line   int    `json:"line,omitempty"` // the file's line, when it is one
	Text   string `json:"text,omitempty"` // the line as written
	Why    string `json:"why"`
}

// goKnownOptions are the resolv.conf options Go's pure resolver implements (its
// dnsconfig_unix.go); it ignores any other, and its default resolver then uses cgo.
var goKnownOptions = []string{"ndots:", "timeout:", "attempts:", "rotate", "single-request",
	"single-request-reopen", "use-vc", "usevc", "tcp", "trust-ad", "edns0", "no-reload"}

// optionEffects say what some of the options Go ignores make libc do.
var optionEffects = map[string]string{
	"no-aaaa":        "libc sends no AAAA query, so DNS gives it no IPv6 address",
	"inet6":          "libc looks IPv6 addresses up first and maps IPv4 ones",
	"no-tld-query":   "libc does not look a single-label name up as it is",
	"no-check-names": "libc accepts names with characters host names may not have",
}

func goKnows(opt string) bool {
	for _, k := range goKnownOptions {
		if opt == k || strings.HasSuffix(k, ":") && strings.HasPrefix(opt, k) {
			return true
		}
	}
	return false
}

// explain finds what explains the differences (kinds) between libc's answer a and the
// answer b of resolver other (resGo or resCgo) for name.
func explain(cfg *config, name, other string, a, b answer, kinds []string) []explanation {
	if other == resCgo {
		return explainCgo(cfg, name, a, b, kinds)
	}
	var out []explanation
	add := func(e explanation) { out = append(out, e) }
	has := func(prefix string) bool {
		for _, k := range kinds {
			if strings.HasPrefix(k, prefix) {
				return true
			}
		}
		return false
	}

	// nsswitch.conf: sources Go's pure resolver does not know, criteria it ignores.
	if l, srcs, ok := cfg.nssHosts(); ok {
		for _, s := range srcs {
			if s.Name != "files" && s.Name != "dns" {
				add(explanation{Source: fileNSSwitch, Line: l.N, Text: l.Text, Why: fmt.Sprintf(
					"libc also asks the nsswitch source %q for hosts; Go's pure resolver knows only files and dns", s.Name)})
			}
			if s.Criteria != "" && (s.Name == "files" || s.Name == "dns") {
				what := "acts on " + s.Criteria + " after " + s.Name
				if strings.Contains(strings.ToUpper(s.Criteria), "NOTFOUND=RETURN") {
					what = "stops when " + s.Name + " has no entry (" + s.Criteria + ")"
				}
				add(explanation{Source: fileNSSwitch, Line: l.N, Text: l.Text, Why: "libc " + what + "; Go's pure resolver ignores nsswitch criteria"})
			}
		}
	}

	// The environment.
	for _, k := range []string{"LOCALDOMAIN", "RES_OPTIONS", "HOSTALIASES"} {
		if v, ok := cfg.Env[k]; ok {
			add(explanation{Source: "environment", Text: k + "=" + v, Why: "libc reads " + k + "; Go's pure resolver ignores it"})
		}
	}

	// resolv.conf options Go does not implement.
	opts, search, searchLine, ndots := cfg.resolv()
	for _, o := range opts {
		if goKnows(o.Word) {
			continue
		}
		why := "libc applies the resolv.conf option " + o.Word + "; Go's pure resolver does not know it"
		if eff, ok := optionEffects[o.Word]; ok {
			why += " (" + eff + ")"
		}
		src := fileResolv
		if o.Line.N == 0 {
			src = "environment"
		}
		add(explanation{Source: src, Line: o.Line.N, Text: o.Line.Text, Why: why})
	}

	// gai.conf: the order of addresses.
	if has("order") {
		out = append(out, explainGai(cfg, a.Addrs)...)
	}

	// /etc/hosts and host.conf.
	hosts := cfg.hostsLines(name)
	if len(hosts) > 0 {
		if has("canonical name") {
			first := strings.Fields(hosts[0].Text)[1]
			add(explanation{Source: fileHosts, Line: hosts[0].N, Text: hosts[0].Text, Why: fmt.Sprintf(
				"%s is on this line: libc's canonical name is the line's first name as written, %s; Go's pure resolver answers otherwise",
				name, first)})
		}
		if has("order") || has("addresses") {
			why := fmt.Sprintf("%s is on /etc/hosts line(s) %s: libc returns those lines' addresses in file order, then sorts them by RFC 6724 and gai.conf",
				name, lineNumbers(hosts))
			add(explanation{Source: fileHosts, Line: hosts[0].N, Text: hosts[0].Text, Why: why})
			if m, ok := cfg.hostConfMulti(); ok && len(hosts) > 1 {
				add(explanation{Source: fileHostConf, Line: m.N, Text: m.Text, Why: "host.conf's multi setting decides whether libc returns the addresses of every /etc/hosts line naming " + name + " or of the first only"})
			}
		}
	}

	// Reverse lookups: /etc/hosts lines of the address, or several PTR records.
	if has("names") {
		if addr, err := netip.ParseAddr(name); err == nil {
			if lines := cfg.hostsLinesFor(addr); len(lines) > 0 {
				add(explanation{Source: fileHosts, Line: lines[0].N, Text: lines[0].Text, Why: fmt.Sprintf(
					"%s is on /etc/hosts line(s) %s: libc's gethostbyaddr_r answers with the first of them (its name and aliases); Go's pure resolver gives the names of every one",
					name, lineNumbers(lines))})
			} else if len(b.Names) > len(a.Names) {
				add(explanation{Source: "DNS", Why: "the name server gave several PTR records: glibc's gethostbyaddr_r keeps the first, Go's pure resolver returns them all"})
			}
		}
	}

	// The search list: for a name it applies to, when one resolver found an answer the
	// other did not, or another canonical name.
	bare := strings.TrimSuffix(name, ".")
	searched := !strings.HasSuffix(name, ".") && len(search) > 0 && strings.Count(bare, ".") < ndots && !reverse(name)
	if searched && (has("addresses:") || has("canonical name")) {
		add(explanation{Source: fileResolv, Line: searchLine.N, Text: searchLine.Text, Why: fmt.Sprintf(
			"%s has fewer dots than ndots:%d, so both resolvers try the search list (%s) first; they end the search differently when a domain fails or does not answer (glibc gives up at a timeout, Go tries the next domain)",
			name, ndots, strings.Join(search, " "))})
	}

	// Names no configuration is involved in.
	if ip, ok := csock.InetAton([]byte(bare)); ok && !reverse(bare) {
		add(explanation{Source: "libc", Why: fmt.Sprintf(
			"%s is an IPv4 address in one of inet_aton's forms (here %d.%d.%d.%d): libc reads it as an address; Go looks it up as a name",
			name, ip[0], ip[1], ip[2], ip[3])})
	}
	if !isASCII(name) {
		add(explanation{Source: "libc", Why: name + " is not ASCII: libc looks its bytes up as they are (no IDNA unless AI_IDN); Go's resolver does not accept it as a host name"})
	}
	if slices.Contains(kinds, "canonical name") && len(hosts) == 0 {
		add(explanation{Source: "Go's pure resolver", Why: "its LookupCNAME races a CNAME query against the A and AAAA queries: on a chain of two hops or more it returns the first hop or the last, from call to call; libc's AI_CANONNAME returns the end of the chain"})
	}
	return out
}

// policy is one line of an RFC 6724 precedence table: from gai.conf (Line.N > 0) or a
// built-in table.
type policy struct {
	Prefix netip.Prefix
	Value  int
	Line   line
}

func table(entries ...string) []policy {
	out := make([]policy, len(entries))
	for i, e := range entries {
		p, v, _ := strings.Cut(e, " ")
		out[i] = policy{Prefix: netip.MustParsePrefix(p), Value: atoi(v), Line: line{Text: "precedence " + e}}
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

var (
	// rfc6724Precedence is RFC 6724's default table (section 2.1), which Go's pure resolver
	// always sorts with.
	rfc6724Precedence = table("::1/128 50", "::ffff:0:0/96 35", "::/96 1", "2001::/32 5", "2002::/16 30",
		"3ffe::/16 1", "fec0::/10 1", "fc00::/7 3", "::/0 40")
	// glibcPrecedence is glibc's built-in table (RFC 3484's, in sysdeps/posix/getaddrinfo.c),
	// which it sorts with when gai.conf has no precedence line.
	glibcPrecedence = table("::1/128 50", "::/0 40", "2002::/16 30", "::/96 20", "::ffff:0:0/96 10")
)

// precedenceOf returns the entry of t with the longest prefix holding addr (an IPv4
// address as IPv4-mapped IPv6, as RFC 6724 compares them).
func precedenceOf(t []policy, addr netip.Addr) (policy, bool) {
	a := addr.WithZone("")
	if a.Is4() {
		a = netip.AddrFrom16(a.As16())
	}
	best, found := policy{}, false
	for _, p := range t {
		if p.Prefix.Contains(a) && (!found || p.Prefix.Bits() > best.Prefix.Bits()) {
			best, found = p, true
		}
	}
	return best, found
}

// explainGai names the precedences that order addrs otherwise in libc (gai.conf's
// precedence lines, or glibc's built-in table when it has none) than in Go's pure
// resolver (RFC 6724's table): RFC 6724's rule 6 puts the higher precedence first.
func explainGai(cfg *config, addrs []string) []explanation {
	libcTable := []policy{}
	for _, r := range cfg.gaiRules() {
		if r.Kind == "precedence" {
			f := strings.Fields(r.Line.Text)
			libcTable = append(libcTable, policy{Prefix: r.Prefix, Value: atoi(f[2]), Line: r.Line})
		}
	}
	source := fileGaiConf
	if len(libcTable) == 0 {
		libcTable, source = glibcPrecedence, "glibc's built-in precedence table (gai.conf has no precedence line)"
	}
	type key struct{ libc, gop string }
	var order []key
	groups := map[key][]string{}
	rules := map[key][2]policy{}
	for _, s := range addrs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		lp, ok1 := precedenceOf(libcTable, a)
		gp, ok2 := precedenceOf(rfc6724Precedence, a)
		if !ok1 || !ok2 || lp.Value == gp.Value {
			continue
		}
		k := key{lp.Line.Text, gp.Line.Text}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
			rules[k] = [2]policy{lp, gp}
		}
		groups[k] = append(groups[k], a.String())
	}
	var out []explanation
	for _, k := range order {
		lp, gp := rules[k][0], rules[k][1]
		out = append(out, explanation{Source: source, Line: lp.Line.N, Text: lp.Line.Text, Why: fmt.Sprintf(
			"libc gives %s precedence %d; Go's pure resolver gives %d (RFC 6724's %s): the higher precedence is tried first",
			strings.Join(groups[k], ", "), lp.Value, gp.Value, strings.Fields(gp.Line.Text)[1])})
	}
	return out
}

// explainCgo explains a difference between libc and Go's cgo resolver, which calls libc
// too: the differences come from which calls it makes and how it reads them.
func explainCgo(_ *config, name string, _, _ answer, kinds []string) []explanation {
	var out []explanation
	for _, k := range kinds {
		switch {
		case strings.HasPrefix(k, "canonical name"):
			out = append(out, explanation{Source: "Go's cgo resolver", Why: "its LookupCNAME asks res_search for a CNAME record of " + name +
				" and returns that record's target (the first hop of a chain), falling back to Go's own lookup when there is none; getaddrinfo's AI_CANONNAME, which libc programs use, gives the end of the chain or the /etc/hosts line's first name"})
		case strings.HasPrefix(k, "names"):
			out = append(out, explanation{Source: "Go's cgo resolver", Why: "its LookupAddr calls getnameinfo(NI_NAMEREQD), which gives one name; gethostbyaddr_r gives the host name and its aliases"})
		case k == "order" || k == "addresses":
			out = append(out, explanation{Source: "Go's cgo resolver", Why: "it calls getaddrinfo with AI_CANONNAME|AI_V4MAPPED|AI_ALL and SOCK_STREAM, libcnet with no flag"})
		default:
			out = append(out, explanation{Source: "Go's cgo resolver", Why: "it reads libc's error code its own way (EAI_NONAME and EAI_NODATA are \"no such host\", EAI_AGAIN temporary, others as gai_strerror says)"})
		}
	}
	return out
}

func lineNumbers(lines []line) string {
	ns := make([]string, len(lines))
	for i, l := range lines {
		ns[i] = fmt.Sprint(l.N)
	}
	return strings.Join(ns, ", ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
