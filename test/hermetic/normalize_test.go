//go:build linux

package hermetic

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The pure-Go column.
//
// Each Python call maps to the nearest call of net.Resolver{PreferGo: true};
// both answers are then reduced to a norm, which keeps only what both sides
// can express:
//
//	getaddrinfo(h, p, fam, type, proto, flags)
//	    fam AF_UNSPEC/AF_INET/AF_INET6 → LookupIP(ctx, "ip"/"ip4"/"ip6", h)
//	    flags & AI_NUMERICHOST         → netip.ParseAddr(h)
//	    flags & AI_CANONNAME           → also LookupCNAME(ctx, h)
//	    p a service name               → also LookupPort(ctx, "tcp"/"udp", p)
//	    AI_V4MAPPED, AI_ALL, AI_ADDRCONFIG, AI_PASSIVE: no Go counterpart, ignored
//	    h None: no Go counterpart, the case is listed apart
//	    norm: the distinct addresses in order, and the canonical name
//	gethostbyname(h)     → LookupIP(ctx, "ip4", h)[0]; norm: the address
//	gethostbyname_ex(h)  → LookupIP(ctx, "ip4", h) and LookupCNAME(ctx, h);
//	                       norm: canonical name and addresses (Go has no
//	                       alias list, so aliases are not compared)
//	gethostbyaddr(a)     → LookupAddr(ctx, a) (a name is first resolved with
//	                       LookupIP(ctx, "ip", a)[0]); norm: host name, aliases
//	getnameinfo((a, port, ...), flags)
//	                     → LookupAddr(ctx, a)[0], a itself on failure unless
//	                       NI_NAMEREQD, a itself with NI_NUMERICHOST; norm:
//	                       the host only (Go has no port → service lookup);
//	                       NI_NOFQDN and NI_DGRAM have no Go counterpart
//	getfqdn(n)           → CPython's algorithm on Go calls: os.Hostname for
//	                       "" and "0.0.0.0", LookupIP "ip" then LookupAddr,
//	                       the first name with a dot
//	gethostname()        → os.Hostname()
//
// Errors reduce to a kind: EAI_NONAME and HOST_NOT_FOUND → NONAME, EAI_AGAIN
// and TRY_AGAIN → AGAIN, EAI_FAIL and NO_RECOVERY → FAIL, EAI_NODATA and
// NO_DATA → NODATA, other EAI_* by name, an exception raised by CPython
// itself → PY:Type. A Go *net.DNSError is NONAME when IsNotFound, AGAIN when
// IsTimeout or IsTemporary, FAIL otherwise.

// norm is an answer reduced to what libc and Go can both express.
type norm struct {
	Err   string
	Addrs []string
	Canon *string
	Names []string
	Value *string
}

func (n norm) String() string {
	if n.Err != "" {
		return "error " + n.Err
	}
	var parts []string
	if n.Addrs != nil {
		parts = append(parts, "addrs ["+strings.Join(n.Addrs, " ")+"]")
	}
	if n.Canon != nil {
		parts = append(parts, "canon "+*n.Canon)
	}
	if n.Names != nil {
		parts = append(parts, "names ["+strings.Join(n.Names, " ")+"]")
	}
	if n.Value != nil {
		parts = append(parts, strconv.Quote(*n.Value))
	}
	return strings.Join(parts, " ")
}

func ptr(s string) *string { return &s }

var (
	gaiErrors = map[int]string{-1: "BADFLAGS", -2: "NONAME", -3: "AGAIN", -4: "FAIL", -5: "NODATA",
		-6: "FAMILY", -7: "SOCKTYPE", -8: "SERVICE", -9: "ADDRFAMILY", -10: "MEMORY", -11: "SYSTEM"}
	hErrors  = map[int]string{1: "NONAME", 2: "AGAIN", 3: "FAIL", 4: "NODATA"}
	errnoRe  = regexp.MustCompile(`^socket\.(gaierror|herror): \[Errno (-?\d+)\]`)
	pyExcRe  = regexp.MustCompile(`^([A-Za-z_][\w.]*): `)
	trimDots = func(l []string) []string {
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = strings.TrimSuffix(s, ".")
		}
		return out
	}
)

// libcNorm reduces CPython's output for call c.
func libcNorm(c Call, out string) (norm, error) {
	if m := errnoRe.FindStringSubmatch(out); m != nil {
		n, _ := strconv.Atoi(m[2])
		kinds := gaiErrors
		if m[1] == "herror" {
			kinds = hErrors
		}
		if k, ok := kinds[n]; ok {
			return norm{Err: k}, nil
		}
		return norm{Err: fmt.Sprintf("%s(%d)", m[1], n)}, nil
	}
	if m := pyExcRe.FindStringSubmatch(out); m != nil {
		return norm{Err: "PY:" + m[1]}, nil
	}
	v, err := ParseValue(out)
	if err != nil {
		return norm{}, err
	}
	bad := fmt.Errorf("%s: unexpected result shape %s", c.Func, out)
	switch c.Func {
	case "getaddrinfo":
		l, ok := v.(List)
		if !ok {
			return norm{}, bad
		}
		n := norm{Addrs: []string{}}
		seen := map[string]bool{}
		for i, e := range l {
			t, ok := e.(Tuple)
			if !ok || len(t) != 5 {
				return norm{}, bad
			}
			sa, ok := t[4].(Tuple)
			if !ok || len(sa) < 2 {
				return norm{}, bad
			}
			a, _ := sa[0].(string)
			if !seen[a] {
				seen[a] = true
				n.Addrs = append(n.Addrs, a)
			}
			if i == 0 && c.intArg(5, 0)&Constants["AI_CANONNAME"] != 0 {
				cn, _ := t[3].(string)
				n.Canon = ptr(cn)
			}
		}
		return n, nil
	case "gethostbyname", "getfqdn", "gethostname":
		s, ok := v.(string)
		if !ok {
			return norm{}, bad
		}
		return norm{Value: ptr(s)}, nil
	case "gethostbyname_ex", "gethostbyaddr":
		t, ok := v.(Tuple)
		if !ok || len(t) != 3 {
			return norm{}, bad
		}
		name, _ := t[0].(string)
		aliases, _ := t[1].(List)
		addrs, _ := t[2].(List)
		if c.Func == "gethostbyaddr" {
			n := norm{Names: []string{name}}
			for _, a := range aliases {
				n.Names = append(n.Names, a.(string))
			}
			return n, nil
		}
		n := norm{Canon: ptr(name), Addrs: []string{}}
		for _, a := range addrs {
			n.Addrs = append(n.Addrs, a.(string))
		}
		return n, nil
	case "getnameinfo":
		t, ok := v.(Tuple)
		if !ok || len(t) != 2 {
			return norm{}, bad
		}
		h, _ := t[0].(string)
		return norm{Value: ptr(h)}, nil
	}
	return norm{}, fmt.Errorf("no normalisation for %s", c.Func)
}

// goErrKind reduces an error of the pure-Go resolver. An error with libc's code inside
// (libcnet's) is reduced as libc's is.
func goErrKind(err error) string {
	if k := libcKindIn(err); k != "" {
		return k
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return "NONAME"
		case de.IsTimeout, de.IsTemporary:
			return "AGAIN"
		}
	}
	return "FAIL"
}

func ipString(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.String()
}

// goAnswer is the pure-Go column for one case.
type goAnswer struct {
	Norm  norm
	Call  string // the Go calls the case maps to
	Raw   string // Go's raw answers and errors, for the table
	NoGo  bool   // no Go counterpart
	Notes string
}

// goEval answers c with the pure-Go resolver (or any resolver with its methods: the
// libcnet column asks libcnet.Resolver the same calls).
func goEval(ctx context.Context, r lookupResolver, c Call) goAnswer {
	var raw []string
	note := func(format string, args ...any) { raw = append(raw, fmt.Sprintf(format, args...)) }
	lookupIP := func(network, host string) ([]string, error) {
		ips, err := r.LookupIP(ctx, network, host)
		if err != nil {
			note("LookupIP: %v", err)
			return nil, err
		}
		out := make([]string, 0, len(ips))
		for _, ip := range ips {
			out = append(out, ipString(ip))
		}
		return out, nil
	}
	// LookupCNAME races a CNAME query against the A and AAAA queries and
	// keeps the first answer read: on a chain of two hops it returns the
	// first hop or the last one, from call to call. It is asked up to 60
	// times (3s at most) and every answer seen is kept, "a or b".
	lookupCNAME := func(host string) *string {
		seen := map[string]bool{}
		deadline := time.Now().Add(3 * time.Second)
		for i := 0; i < 60 && time.Now().Before(deadline); i++ {
			cn, err := r.LookupCNAME(ctx, host)
			if err != nil {
				if len(seen) == 0 {
					note("LookupCNAME: %v", err)
					return ptr("(LookupCNAME error " + goErrKind(err) + ")")
				}
				break
			}
			seen[strings.TrimSuffix(cn, ".")] = true
			if len(seen) > 1 {
				break
			}
		}
		names := make([]string, 0, len(seen))
		for n := range seen {
			names = append(names, n)
		}
		sort.Strings(names)
		if len(names) > 1 {
			note("LookupCNAME(%q) answered %s on repeated calls", host, strings.Join(names, " and "))
		}
		return ptr(strings.Join(names, " or "))
	}
	lookupAddr := func(addr string) ([]string, error) {
		names, err := r.LookupAddr(ctx, addr)
		if err != nil {
			note("LookupAddr: %v", err)
			return nil, err
		}
		return trimDots(names), nil
	}
	done := func(n norm, call string) goAnswer {
		return goAnswer{Norm: n, Call: call, Raw: strings.Join(raw, "; ")}
	}
	switch c.Func {
	case "getaddrinfo":
		host, ok := c.arg(0, nil).(string)
		if !ok {
			return goAnswer{NoGo: true, Call: "none: Go has no lookup without a host name"}
		}
		fam, socktype, proto, flags := c.intArg(2, 0), c.intArg(3, 0), c.intArg(4, 0), c.intArg(5, 0)
		var calls []string
		if svc, ok := c.arg(1, nil).(string); ok {
			network := "tcp"
			if socktype == Constants["SOCK_DGRAM"] || proto == Constants["IPPROTO_UDP"] {
				network = "udp"
			}
			calls = append(calls, fmt.Sprintf("LookupPort(%q, %q)", network, svc))
			if _, err := r.LookupPort(ctx, network, svc); err != nil {
				note("LookupPort: %v", err)
				return done(norm{Err: "SERVICE"}, strings.Join(calls, " + "))
			}
		}
		if flags&Constants["AI_NUMERICHOST"] != 0 {
			calls = append(calls, fmt.Sprintf("netip.ParseAddr(%q)", host))
			a, err := netip.ParseAddr(host)
			if err != nil {
				note("ParseAddr: %v", err)
				return done(norm{Err: "NONAME"}, strings.Join(calls, " + "))
			}
			return done(norm{Addrs: []string{a.WithZone("").String()}}, strings.Join(calls, " + "))
		}
		network := map[int64]string{0: "ip", 2: "ip4", 10: "ip6"}[fam]
		calls = append(calls, fmt.Sprintf("LookupIP(%q, %q)", network, host))
		addrs, err := lookupIP(network, host)
		if err != nil {
			return done(norm{Err: goErrKind(err)}, strings.Join(calls, " + "))
		}
		n := norm{Addrs: distinct(addrs)}
		if flags&Constants["AI_CANONNAME"] != 0 {
			calls = append(calls, fmt.Sprintf("LookupCNAME(%q)", host))
			n.Canon = lookupCNAME(host)
		}
		return done(n, strings.Join(calls, " + "))
	case "gethostbyname":
		host, _ := c.arg(0, "").(string)
		call := fmt.Sprintf("LookupIP(\"ip4\", %q)[0]", host)
		addrs, err := lookupIP("ip4", host)
		if err != nil {
			return done(norm{Err: goErrKind(err)}, call)
		}
		return done(norm{Value: ptr(addrs[0])}, call)
	case "gethostbyname_ex":
		host, _ := c.arg(0, "").(string)
		call := fmt.Sprintf("LookupIP(\"ip4\", %q) + LookupCNAME(%q)", host, host)
		addrs, err := lookupIP("ip4", host)
		if err != nil {
			return done(norm{Err: goErrKind(err)}, call)
		}
		return done(norm{Addrs: addrs, Canon: lookupCNAME(host)}, call)
	case "gethostbyaddr":
		host, _ := c.arg(0, "").(string)
		call := fmt.Sprintf("LookupAddr(%q)", host)
		addr := host
		if _, err := netip.ParseAddr(host); err != nil {
			call = fmt.Sprintf("LookupIP(\"ip\", %q)[0] + LookupAddr", host)
			addrs, err := lookupIP("ip", host)
			if err != nil {
				return done(norm{Err: goErrKind(err)}, call)
			}
			addr = addrs[0]
		}
		names, err := lookupAddr(addr)
		if err != nil {
			return done(norm{Err: goErrKind(err)}, call)
		}
		return done(norm{Names: names}, call)
	case "getnameinfo":
		sa, _ := c.arg(0, nil).(Tuple)
		host, _ := sa[0].(string)
		flags := c.intArg(1, 0)
		a, err := netip.ParseAddr(host)
		if err != nil {
			note("ParseAddr: %v", err)
			return done(norm{Err: "NONAME"}, fmt.Sprintf("netip.ParseAddr(%q)", host))
		}
		if flags&Constants["NI_NUMERICHOST"] != 0 {
			return done(norm{Value: ptr(a.String())}, fmt.Sprintf("netip.ParseAddr(%q).String()", host))
		}
		call := fmt.Sprintf("LookupAddr(%q)[0]", host)
		names, err := lookupAddr(host)
		if err != nil {
			if flags&Constants["NI_NAMEREQD"] != 0 {
				return done(norm{Err: goErrKind(err)}, call)
			}
			return done(norm{Value: ptr(a.String())}, call+", else the address")
		}
		return done(norm{Value: ptr(names[0])}, call)
	case "getfqdn":
		name, _ := c.arg(0, "").(string)
		name = strings.TrimSpace(name)
		call := "CPython's getfqdn on LookupIP(\"ip\") + LookupAddr"
		if name == "" || name == "0.0.0.0" {
			h, err := os.Hostname()
			if err != nil {
				return done(norm{Err: "FAIL"}, call)
			}
			name = h
		}
		addr := name
		if _, err := netip.ParseAddr(name); err != nil {
			addrs, err := lookupIP("ip", name)
			if err != nil {
				return done(norm{Value: ptr(name)}, call)
			}
			addr = addrs[0]
		}
		names, err := lookupAddr(addr)
		if err != nil {
			return done(norm{Value: ptr(name)}, call)
		}
		for _, n := range names {
			if strings.Contains(n, ".") {
				return done(norm{Value: ptr(n)}, call)
			}
		}
		return done(norm{Value: ptr(names[0])}, call)
	case "gethostname":
		h, err := os.Hostname()
		if err != nil {
			return done(norm{Err: "FAIL"}, "os.Hostname()")
		}
		return done(norm{Value: ptr(h)}, "os.Hostname()")
	}
	return goAnswer{NoGo: true, Call: "none: no mapping for " + c.Func}
}

// diffKinds names how a Go answer differs from libc's, "" when it does not.
func diffKinds(l, g norm) string {
	if l.String() == g.String() {
		return ""
	}
	switch {
	case l.Err != "" && g.Err != "":
		return "error kind"
	case l.Err != "":
		return "Go answers where libc fails"
	case g.Err != "":
		return "Go fails where libc answers"
	}
	var kinds []string
	if strings.Join(l.Addrs, " ") != strings.Join(g.Addrs, " ") {
		if sameSet(l.Addrs, g.Addrs) {
			kinds = append(kinds, "order")
		} else {
			kinds = append(kinds, "addresses")
		}
	}
	if (l.Canon == nil) != (g.Canon == nil) || l.Canon != nil && *l.Canon != *g.Canon {
		kinds = append(kinds, "canonical name")
	}
	if strings.Join(l.Names, " ") != strings.Join(g.Names, " ") {
		switch {
		case len(l.Names) > 0 && len(g.Names) > 0 && l.Names[0] != g.Names[0]:
			kinds = append(kinds, "host name")
		case sameSet(l.Names, g.Names):
			kinds = append(kinds, "alias order")
		default:
			kinds = append(kinds, "aliases")
		}
	}
	if (l.Value == nil) != (g.Value == nil) || l.Value != nil && *l.Value != *g.Value {
		kinds = append(kinds, "answer")
	}
	return strings.Join(kinds, ", ")
}

// distinct returns the distinct strings of l in order: a getaddrinfo norm keeps each
// address once, as libcNorm does (libc's list may repeat one, libcnet's too).
func distinct(l []string) []string {
	out := make([]string, 0, len(l))
	seen := map[string]bool{}
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}
