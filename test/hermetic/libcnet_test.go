//go:build linux

package hermetic

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/libcnet"
)

// The libcnet column: libcnet.Resolver is libc's resolver in net.Resolver's shape, so for
// every lookup of the table that one of its methods asks libc exactly (the same libc call
// with the same arguments, or one glibc makes the same way), its answer must be libc's:
// the same addresses in the same order, the same canonical name and host names, and the
// same EAI_* or h_errno class of error. Those mappings:
//
//	getaddrinfo(h, p, fam, type, proto, flags), h an ASCII str, flags 0 or AI_CANONNAME
//	    → LookupHost(h) (fam AF_UNSPEC) or LookupNetIP("ip4"/"ip6", h), its error's
//	      EAI_* code; with AI_CANONNAME also LookupCNAME(h); p a service name → also
//	      LookupPort("tcp"/"udp", p) (the socket type's protocol), EAI_SERVICE if unknown
//	gethostbyaddr(a), a an address literal
//	    → LookupAddr(a): the names without their final dot, its error's h_errno
//	getnameinfo((a, port, ...), flags), flags without NI_NUMERICHOST and NI_NOFQDN
//	    → LookupAddr(a)[0], as glibc's getnameinfo uses gethostbyaddr_r: HOST_NOT_FOUND
//	      is the address itself (EAI_NONAME with NI_NAMEREQD), TRY_AGAIN EAI_AGAIN
//
// Every other case (gethostbyname*, which CPython answers with gethostbyname_r; IDNA
// names, which CPython encodes before libc sees them; flags net.Resolver has no word for;
// getfqdn, gethostname) has no exact mapping: libcnetExact says why.

// libcnetCase is one case answered by libcnet, when it maps exactly.
type libcnetCase struct {
	Norm  norm
	Call  string // the libcnet calls
	Exact bool
	Why   string // when not Exact: why no libcnet call asks libc the same
}

// libcErrKind reduces a libcnet error to the kind of libc's code inside it.
func libcErrKind(err error) string {
	if k := libcKindIn(err); k != "" {
		return k
	}
	return "GO:" + err.Error()
}

// libcKindIn returns the kind of the libc error inside err, "" if it holds none.
func libcKindIn(err error) string {
	var ge *csock.GaiError
	var he *csock.HError
	switch {
	case errors.As(err, &ge):
		if k, ok := gaiErrors[ge.Code]; ok {
			return k
		}
		return fmt.Sprintf("gaierror(%d)", ge.Code)
	case errors.As(err, &he):
		if k, ok := hErrors[he.Code]; ok {
			return k
		}
		return fmt.Sprintf("herror(%d)", he.Code)
	case errors.Is(err, csock.ErrNotFound):
		return "SERVICE"
	}
	return ""
}

// libcnetExact answers c with libcnet when a libcnet call asks libc exactly what c does.
func libcnetExact(ctx context.Context, r *libcnet.Resolver, c Call, libc string) libcnetCase {
	if strings.HasPrefix(libc, "PY:") {
		return libcnetCase{Why: "CPython raised before libc was asked"}
	}
	host, _ := c.arg(0, nil).(string)
	switch c.Func {
	case "getaddrinfo":
		if _, ok := c.arg(0, nil).(string); !ok {
			return libcnetCase{Why: "no host: net.Resolver has no lookup without one"}
		}
		if !isASCII(host) {
			return libcnetCase{Why: "CPython encodes the name with IDNA 2003 before libc sees it"}
		}
		fam, socktype, proto, flags := c.intArg(2, 0), c.intArg(3, 0), c.intArg(4, 0), c.intArg(5, 0)
		if flags&^Constants["AI_CANONNAME"] != 0 {
			return libcnetCase{Why: "flags net.Resolver has no word for"}
		}
		var calls []string
		if svc, ok := c.arg(1, nil).(string); ok {
			network := "ip"
			switch {
			case socktype == Constants["SOCK_STREAM"] || proto == Constants["IPPROTO_TCP"]:
				network = "tcp"
			case socktype == Constants["SOCK_DGRAM"] || proto == Constants["IPPROTO_UDP"]:
				network = "udp"
			}
			calls = append(calls, fmt.Sprintf("LookupPort(%q, %q)", network, svc))
			if _, err := r.LookupPort(ctx, network, svc); err != nil {
				return libcnetCase{Norm: norm{Err: libcErrKind(err)}, Call: strings.Join(calls, " + "), Exact: true}
			}
		}
		network := map[int64]string{0: "ip", 2: "ip4", 10: "ip6"}[fam]
		var addrs []string
		var err error
		if network == "ip" {
			calls = append(calls, fmt.Sprintf("LookupHost(%q)", host))
			addrs, err = r.LookupHost(ctx, host)
		} else {
			calls = append(calls, fmt.Sprintf("LookupNetIP(%q, %q)", network, host))
			var ips []netip.Addr
			ips, err = r.LookupNetIP(ctx, network, host)
			for _, ip := range ips {
				addrs = append(addrs, ip.String())
			}
		}
		call := strings.Join(calls, " + ")
		if err != nil {
			return libcnetCase{Norm: norm{Err: libcErrKind(err)}, Call: call, Exact: true}
		}
		n := norm{Addrs: []string{}}
		seen := map[string]bool{}
		for _, a := range addrs {
			a, _, _ = strings.Cut(a, "%") // CPython's tuple keeps the scope apart
			if !seen[a] {
				seen[a] = true
				n.Addrs = append(n.Addrs, a)
			}
		}
		if flags&Constants["AI_CANONNAME"] != 0 {
			call += fmt.Sprintf(" + LookupCNAME(%q)", host)
			cn, err := r.LookupCNAME(ctx, host)
			if err != nil {
				return libcnetCase{Norm: norm{Err: libcErrKind(err)}, Call: call, Exact: true}
			}
			n.Canon = ptr(strings.TrimSuffix(cn, "."))
		}
		return libcnetCase{Norm: n, Call: call, Exact: true}
	case "gethostbyaddr":
		if _, err := netip.ParseAddr(host); err != nil {
			return libcnetCase{Why: "a name: CPython resolves it with gethostbyname_r first"}
		}
		call := fmt.Sprintf("LookupAddr(%q)", host)
		names, err := r.LookupAddr(ctx, host)
		if err != nil {
			return libcnetCase{Norm: norm{Err: libcErrKind(err)}, Call: call, Exact: true}
		}
		return libcnetCase{Norm: norm{Names: trimDots(names)}, Call: call, Exact: true}
	case "getnameinfo":
		sa, _ := c.arg(0, nil).(Tuple)
		addr, _ := sa[0].(string)
		flags := c.intArg(1, 0)
		if flags&(Constants["NI_NUMERICHOST"]|Constants["NI_NOFQDN"]) != 0 {
			return libcnetCase{Why: "flags net.Resolver has no word for"}
		}
		if _, err := netip.ParseAddr(addr); err != nil {
			return libcnetCase{Why: "a name: getnameinfo resolves it with getaddrinfo first"}
		}
		call := fmt.Sprintf("LookupAddr(%q)[0]", addr)
		names, err := r.LookupAddr(ctx, addr)
		if err == nil {
			return libcnetCase{Norm: norm{Value: ptr(strings.TrimSuffix(names[0], "."))}, Call: call, Exact: true}
		}
		// glibc's getnameinfo: TRY_AGAIN is EAI_AGAIN, NETDB_INTERNAL EAI_SYSTEM, any other
		// failure (HOST_NOT_FOUND, NO_RECOVERY, NO_DATA) no name.
		switch kind := libcErrKind(err); {
		case kind == "AGAIN":
			return libcnetCase{Norm: norm{Err: kind}, Call: call, Exact: true}
		case strings.HasPrefix(kind, "herror("):
			return libcnetCase{Norm: norm{Err: "SYSTEM"}, Call: call, Exact: true}
		case flags&Constants["NI_NAMEREQD"] != 0:
			return libcnetCase{Norm: norm{Err: "NONAME"}, Call: call, Exact: true}
		default:
			return libcnetCase{Norm: norm{Value: ptr(addr)}, Call: call + ", else the address", Exact: true}
		}
	case "gethostbyname", "gethostbyname_ex":
		return libcnetCase{Why: "CPython calls gethostbyname_r, which net.Resolver has no method for"}
	}
	return libcnetCase{Why: "no net.Resolver method for " + c.Func}
}

// TestLibcnetAnswersAsLibc checks every case of the table that a libcnet call maps onto
// exactly (see libcnetExact) against libc's answer in this world (CPython's, through the
// same libc calls: cpython.golden), one subtest per case.
func TestLibcnetAnswersAsLibc(t *testing.T) {
	Require(t)
	libc := libcAnswers(t)
	cases, err := Lookups()
	require.NoError(t, err)
	var r libcnet.Resolver
	exact := 0
	whys := map[string]int{}
	for _, c := range cases {
		ln, err := libcNorm(c.Call, libc[c.Expr])
		require.NoError(t, err, "lookups.txt:%d", c.Line)
		if c.Call.Func == "gethostbyaddr" && ln.Err != "" {
			ln.Err = herrnop(t, c.Call, ln.Err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		got := libcnetExact(ctx, &r, c.Call, ln.Err)
		cancel()
		if !got.Exact {
			whys[got.Why]++
			continue
		}
		exact++
		t.Run(fmt.Sprintf("L%03d", c.Line), func(t *testing.T) {
			assert.Equal(t, ln.String(), got.Norm.String(), "lookups.txt:%d: %s vs %s", c.Line, c.Expr, got.Call)
		})
	}
	assert.GreaterOrEqual(t, exact, 150, "too few cases map onto libcnet")
	t.Logf("%d of %d cases map onto libcnet exactly; the others: %v", exact, len(cases), whys)
}

// herrnop returns the kind of the h_errno gethostbyaddr_r returns for the address of c
// when CPython's herror shows another: CPython reports the thread's h_errno, which glibc
// leaves stale when it fails through h_errnop alone (gethostbyaddr of a PTR record with an
// invalid name: NO_RECOVERY in h_errnop, h_errno untouched; see the README's "socket.herror's
// code"). libcnet reports h_errnop, which is libc's answer.
func herrnop(_ *testing.T, c Call, cpython string) string {
	host, _ := c.arg(0, nil).(string)
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return cpython
	}
	family := csock.AF_INET6
	if ip.Is4() {
		family = csock.AF_INET
	}
	var st csock.Status
	_, err = csock.GetHostByAddr(ip.AsSlice(), family, 0, &st)
	var he *csock.HError
	if st.HErrnoSet || !errors.As(err, &he) {
		return cpython
	}
	return hErrors[he.Code]
}

// TestLibcnetAgreesWithGetent asks getent(1) every case it can ask too (see getentFor)
// and checks libcnet's LookupHost/LookupNetIP (ahosts, ahostsv4) and LookupAddr (hosts
// of an address) against it: the same addresses in the same order, the same names, or
// both failing.
func TestLibcnetAgreesWithGetent(t *testing.T) {
	Require(t)
	cases, err := Lookups()
	require.NoError(t, err)
	var r libcnet.Resolver
	compared := 0
	for _, c := range cases {
		q, ok := getentFor(c)
		if !ok || q.db == "ahostsv6" || (q.db == "hosts") != (c.Call.Func == "gethostbyaddr") {
			// ahostsv6 adds AI_V4MAPPED, and getent hosts of a name calls gethostbyname2_r:
			// no libcnet call asks either.
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var got []string
		var lerr error
		switch q.db {
		case "ahosts":
			got, lerr = r.LookupHost(ctx, q.key)
		case "ahostsv4":
			var ips []netip.Addr
			ips, lerr = r.LookupNetIP(ctx, "ip4", q.key)
			for _, ip := range ips {
				got = append(got, ip.String())
			}
		case "hosts":
			got, lerr = r.LookupAddr(ctx, q.key)
			got = trimDots(got)
		}
		cancel()
		lines, found, err := runGetent(q)
		require.NoError(t, err)
		compared++
		what := fmt.Sprintf("lookups.txt:%d getent %s %s", c.Line, q.db, q.key)
		if lerr != nil {
			var de *net.DNSError
			require.ErrorAs(t, lerr, &de, what)
			assert.False(t, found, "%s: libcnet fails (%v), getent answers %v", what, lerr, lines)
			continue
		}
		if !assert.True(t, found, "%s: libcnet answers %v, getent finds nothing", what, got) {
			continue
		}
		var want []string
		if q.db == "hosts" {
			want = lines[0][1:]
		} else {
			seen := map[string]bool{}
			for _, l := range lines {
				if !seen[l[0]] {
					seen[l[0]] = true
					want = append(want, l[0])
				}
			}
			// libc's list may name an address twice (with "multi on", a "::1 localhost" line
			// is 127.0.0.1 for AF_INET); getent prints each address once per socket type.
			seen = map[string]bool{}
			var dedup []string
			for _, a := range got {
				a, _, _ = strings.Cut(a, "%")
				if !seen[a] {
					seen[a] = true
					dedup = append(dedup, a)
				}
			}
			got = dedup
		}
		assert.Equal(t, want, got, what)
	}
	assert.GreaterOrEqual(t, compared, 80, "too few cases compared with getent")
	t.Logf("%d cases compared with getent", compared)
}

// lookupResolver is what goEval asks of a resolver: *net.Resolver and *libcnet.Resolver both
// have it.
type lookupResolver interface {
	LookupIP(ctx context.Context, network, host string) ([]net.IP, error)
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
	LookupPort(ctx context.Context, network, service string) (int, error)
}

var (
	_ lookupResolver = (*net.Resolver)(nil)
	_ lookupResolver = (*libcnet.Resolver)(nil)
)

// libcnetColumnText introduces the libcnet column of godiff.md.
const libcnetColumnText = "The last column asks `libcnet.Resolver` the same Go calls (the program's only change: the resolver's type).\n" +
	"`= libc` is libc's answer; any other answer says why the Go call cannot ask libc what the Python call asks\n" +
	"(CPython's own processing before libc, or a flag with no word in net.Resolver's API); `TestLibcnetColumn` holds it to that.\n\n"

// libcnetCell answers c with libcnet.Resolver through the Go calls of the pure-Go column
// and says how that compares with libc's answer l.
func libcnetCell(c Case, l norm) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := goEval(ctx, &libcnet.Resolver{}, c.Call)
	if a.NoGo {
		return ""
	}
	if a.Norm.String() == l.String() {
		return "= libc"
	}
	return a.Norm.String() + " (" + goCallLimit(c.Call, l, a.Norm) + ")"
}

// goCallLimit says why the Go calls of the pure-Go column cannot ask libc what the Python
// call c asks, which made libcnet answer g where libc answered l; "" when nothing does.
func goCallLimit(c Call, l, g norm) string {
	host, _ := c.arg(0, nil).(string)
	if sa, ok := c.arg(0, nil).(Tuple); ok {
		host, _ = sa[0].(string)
	}
	var flags []string
	switch c.Func {
	case "getaddrinfo":
		f := c.intArg(5, 0)
		for _, n := range []string{"AI_NUMERICHOST", "AI_V4MAPPED", "AI_ALL"} {
			if f&Constants[n] != 0 {
				flags = append(flags, n)
			}
		}
	case "getnameinfo":
		f := c.intArg(1, 0)
		for _, n := range []string{"NI_NUMERICHOST", "NI_NOFQDN"} {
			if f&Constants[n] != 0 {
				flags = append(flags, n)
			}
		}
	}
	switch {
	case strings.HasPrefix(l.Err, "PY:"):
		return "CPython raised before asking libc"
	case !isASCII(host):
		return "CPython encodes the name with IDNA 2003 before asking libc"
	case c.Func == "gethostbyname" && (host == "" || host == "<broadcast>"):
		return "CPython's own name for the " + map[bool]string{true: "any", false: "broadcast"}[host == ""] + " address"
	case len(flags) > 0:
		return "the Go call has no " + strings.Join(flags, "|")
	case c.Func == "gethostbyname" || c.Func == "gethostbyname_ex" || c.Func == "getfqdn":
		return "CPython asks gethostbyname_r, the Go call getaddrinfo"
	case c.Func == "gethostbyaddr" && l.Err != "" && herrnop(nil, c, l.Err) == g.Err:
		return "CPython's herror shows a stale h_errno; gethostbyaddr_r said " + g.Err
	case c.Func == "getnameinfo" && l.Err != "" && g.Value != nil && *g.Value == host:
		return "the Go call falls back to the address on any error, glibc's getnameinfo only when there is no name"
	case c.Func == "getaddrinfo" && len(l.Addrs) == len(g.Addrs) && len(l.Addrs) > 0 && mappedAsIPv4(l.Addrs, g.Addrs):
		return "net.IP prints an IPv4-mapped address as IPv4"
	}
	return ""
}

// mappedAsIPv4 tells whether got is want with IPv4-mapped IPv6 addresses written as IPv4.
func mappedAsIPv4(want, got []string) bool {
	for i := range want {
		if want[i] != got[i] && want[i] != "::ffff:"+got[i] {
			return false
		}
	}
	return true
}

// TestLibcnetColumn checks the libcnet column of the pure-Go comparison: through the same
// Go calls as the pure-Go column, libcnet.Resolver answers as libc does, except where the
// Go calls cannot ask libc what the Python call asks, and then goCallLimit says why.
func TestLibcnetColumn(t *testing.T) {
	rows := goRows(t)
	same := 0
	for _, r := range rows {
		if r.NoGo {
			continue
		}
		if r.Libcnet == "= libc" {
			same++
			continue
		}
		assert.NotContains(t, r.Libcnet, "()", "lookups.txt:%d: %s: libcnet answers %s, libc %s, and no limit of the Go call explains it",
			r.Line, r.Expr, r.Libcnet, r.Libc)
	}
	t.Logf("libcnet answers as libc on %d of %d rows with a Go counterpart", same, len(rows))
}
