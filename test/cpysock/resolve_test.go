//go:build linux

package cpysock_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/pysock"
	"github.com/csock/csock/py"
)

// query is one line of pysock_resolve's input and the Python call it stands for.
type query struct {
	line string // what pysock_resolve reads
	expr string // the same call, as pysock evaluates it
}

// pyArg is a field of a query as a Python argument: "-" is None, anything else a str.
func pyArg(s string) string {
	if s == "-" {
		return "None"
	}
	return py.StrRepr(s)
}

// queries are the resolver calls compared. No query needs DNS: hosts are numeric or in
// /etc/hosts (localhost, vm), names are looked up only for AF_UNSPEC and AF_INET (an
// AF_INET6 lookup of a name with only an IPv4 entry in /etc/hosts would go on to DNS),
// reverse lookups only of 127.0.0.1.
func queries() []query {
	var qs []query
	add := func(line, expr string) { qs = append(qs, query{line, expr}) }

	numeric := []string{"127.0.0.1", "127.1", "0x7f.1", "2130706433", "0", "::1", "::", "::1.2.3.4", "::ffff:1.2.3.4",
		"fe80::1%lo", "fe80::1%1", "2001:db8::1", "-"}
	ports := []string{"-", "80", "http", "70000", "65536", "nosuchservice"}
	gai := func(h, p string, fam, typ, proto, flags int) {
		if h == "-" && p == "-" {
			return
		}
		add(fmt.Sprintf("gai %s %s %d %d %d %d", h, p, fam, typ, proto, flags),
			fmt.Sprintf("getaddrinfo(%s, %s, %d, %d, %d, %d)", pyArg(h), pyArg(p), fam, typ, proto, flags))
	}
	for _, h := range numeric {
		for _, p := range ports {
			for _, fam := range []int{0, int(facade.AF_INET), int(facade.AF_INET6)} {
				for _, flags := range []int{0, int(facade.AI_CANONNAME), int(facade.AI_PASSIVE),
					int(facade.AI_V4MAPPED | facade.AI_ALL), int(facade.AI_NUMERICHOST)} {
					gai(h, p, fam, 0, 0, flags)
				}
			}
			gai(h, p, 0, int(facade.SOCK_STREAM), 0, 0)
		}
	}
	for _, h := range []string{"localhost", "vm"} {
		for _, p := range []string{"-", "80", "http", "domain"} {
			for _, fam := range []int{0, int(facade.AF_INET)} {
				for _, flags := range []int{0, int(facade.AI_CANONNAME), int(facade.AI_NUMERICHOST)} {
					gai(h, p, fam, 0, 0, flags)
					gai(h, p, fam, int(facade.SOCK_DGRAM), 0, flags)
				}
			}
		}
	}
	// IDNA: an empty label fails before any lookup; a non-ASCII name is encoded, then
	// refused by AI_NUMERICHOST.
	gai("a..b", "80", 0, 0, 0, 0)
	gai("b\u00fccher", "80", 0, 0, 0, int(facade.AI_NUMERICHOST))
	gai("127.0.0.1", "80", 0, 0, 0, -1)

	gni := func(h string, port int, flow, scope uint32, flags int) {
		tuple := fmt.Sprintf("(%s, %d)", pyArg(h), port)
		if flow != 0 || scope != 0 {
			tuple = fmt.Sprintf("(%s, %d, %d, %d)", pyArg(h), port, flow, scope)
		}
		add(fmt.Sprintf("gni %s %d %d %d %d", h, port, flow, scope, flags), fmt.Sprintf("getnameinfo(%s, %d)", tuple, flags))
	}
	for _, flags := range []int{facade.NI_NUMERICHOST, facade.NI_NUMERICHOST | facade.NI_NUMERICSERV,
		facade.NI_NUMERICHOST | facade.NI_DGRAM} {
		for _, h := range []string{"127.0.0.1", "::1", "fe80::1", "::ffff:1.2.3.4", "vm"} {
			for _, port := range []int{0, 22, 53, 80, 65535, 70000, -1} {
				gni(h, port, 0, 0, flags)
			}
			gni(h, 80, 1, 0, flags)
			gni(h, 80, 0, 1, flags)
			gni(h, 80, 0x100000, 0, flags)
		}
	}
	gni("127.0.0.1", 80, 0, 0, 0)
	gni("127.0.0.1", 80, 0, 0, facade.NI_NAMEREQD)
	gni("-", 80, 0, 0, 0)

	for _, h := range []string{"localhost", "vm", "127.0.0.1", "127.1", "<broadcast>", "", "a..b", "::1", "-"} {
		if h == "" {
			// an empty field cannot be read by pysock_resolve's sscanf
			continue
		}
		add("ghbn "+h, "gethostbyname("+pyArg(h)+")")
	}
	for _, h := range []string{"localhost", "vm", "127.0.0.1", "-"} {
		add("ghbnx "+h, "gethostbyname_ex("+pyArg(h)+")")
	}
	for _, h := range []string{"127.0.0.1", "vm", "localhost", "-"} {
		add("ghba "+h, "gethostbyaddr("+pyArg(h)+")")
	}
	for _, h := range []string{"vm", "localhost", "127.0.0.1", "-"} {
		add("fqdn "+h, "getfqdn("+pyArg(h)+")")
	}
	for _, q := range [][2]string{{"http", "tcp"}, {"domain", "udp"}, {"http", "-"}, {"nosuchservice", "tcp"},
		{"http", "nosuchproto"}, {"ssh", "udp"}} {
		expr := fmt.Sprintf("getservbyname(%s, %s)", pyArg(q[0]), pyArg(q[1]))
		if q[1] == "-" {
			expr = fmt.Sprintf("getservbyname(%s)", pyArg(q[0]))
		}
		add("sbn "+q[0]+" "+q[1], expr)
	}
	for _, q := range []struct {
		port  int
		proto string
	}{{80, "tcp"}, {53, "udp"}, {22, "-"}, {70000, "-"}, {-1, "-"}, {1, "nosuchproto"}, {9999, "tcp"}} {
		expr := fmt.Sprintf("getservbyport(%d, %s)", q.port, pyArg(q.proto))
		if q.proto == "-" {
			expr = fmt.Sprintf("getservbyport(%d)", q.port)
		}
		add(fmt.Sprintf("sbp %d %s", q.port, q.proto), expr)
	}
	for _, n := range []string{"tcp", "udp", "icmp", "ipv6-icmp", "nosuchproto"} {
		add("pbn "+n, "getprotobyname("+pyArg(n)+")")
	}
	add("hostname", "gethostname()")
	return qs
}

// format renders pysock's outcome the way pysock_resolve prints the archive's answer.
func format(t *testing.T, kind string, o pysock.Outcome) string {
	if o.Exc != nil {
		return "error " + py.FormatException(o.Exc)
	}
	require.Nil(t, o.Usage)
	switch kind {
	case "gai":
		var parts []string
		for _, v := range o.Value.(py.List) {
			ai := v.(facade.AddrInfo)
			var host string
			var port int
			var flow, scope uint32
			switch a := ai.Addr.(type) {
			case facade.InetAddress:
				host, port = a.Host, a.Port
			case facade.Inet6Address:
				host, port, flow, scope = a.Host, a.Port, a.FlowInfo, a.ScopeID
			default:
				t.Fatalf("address %#v", a)
			}
			parts = append(parts, fmt.Sprintf("%d %d %d '%s' %s %d %d %d", ai.Family, ai.Type, ai.Proto, ai.CanonName,
				host, port, flow, scope))
		}
		return strings.Join(parts, "; ")
	case "gni":
		tu := o.Value.(py.Tuple)
		return fmt.Sprintf("%s %s", tu[0], tu[1])
	case "ghbnx", "ghba":
		h := o.Value.(facade.HostEntry)
		return fmt.Sprintf("%s [%s] [%s]", h.Name, strings.Join(h.Aliases, ","), strings.Join(h.Addrs, ","))
	}
	return fmt.Sprint(o.Value)
}

func TestResolverAnswersEqualPysock(t *testing.T) {
	lib := plainArchive.build(t)
	src := filepath.Join(root(t), "test", "cpysock", "c", "pysock_resolve.c")
	exe, _ := compile(t, lib, src, filepath.Join(work, "resolve"), "-O2")

	qs := queries()
	var in bytes.Buffer
	for _, q := range qs {
		in.WriteString(q.line + "\n")
	}
	cmd := exec.Command(exe)
	cmd.Stdin = &in
	out, err := cmd.Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.Len(t, lines, len(qs))

	kinds := map[string]int{}
	for i, q := range qs {
		n, err := pysock.Parse(q.expr)
		require.NoError(t, err, q.expr)
		kind := strings.Fields(q.line)[0]
		want := format(t, kind, pysock.Eval(n))
		assert.Equal(t, want, lines[i], "%s  (%s)", q.line, q.expr)
		if strings.HasPrefix(want, "error ") {
			kinds["error"]++
		} else {
			kinds[kind]++
		}
	}
	t.Logf("%d queries compared: %v", len(qs), kinds)
}
