//go:build linux

package facade

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
)

// inetPtonCorpus returns n texts, deterministically: random strings over the characters
// inet_pton looks at, and valid IPv4 and IPv6 texts in their many spellings, each also
// mutated (a character inserted, deleted or replaced, a part added or dropped, leading
// zeros, out-of-range values, an embedded NUL).
func inetPtonCorpus(n int) []string {
	r := rand.New(rand.NewPCG(15, 5))
	const alphabet = "0123456789abcdefABCDEFgG.:%x \x00\xff-+/[]"
	randText := func(max int) string {
		b := make([]byte, r.IntN(max+1))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	octet := func() string {
		switch r.IntN(8) {
		case 0:
			return fmt.Sprint(256 + r.IntN(800)) // out of range
		case 1:
			return "0" + fmt.Sprint(r.IntN(256)) // leading zero
		case 2:
			return "0"
		default:
			return fmt.Sprint(r.IntN(256))
		}
	}
	v4 := func() string {
		parts := 4
		if r.IntN(6) == 0 {
			parts = 1 + r.IntN(6)
		}
		p := make([]string, parts)
		for i := range p {
			p[i] = octet()
		}
		return strings.Join(p, ".")
	}
	v6 := func() string {
		var a [16]byte
		for i := range a {
			if r.IntN(3) == 0 { // runs of zeros, for "::"
				a[i] = byte(r.IntN(256))
			}
		}
		addr := netip.AddrFrom16(a)
		switch r.IntN(7) {
		case 0: // every group, leading zeros of random length
			var g []string
			for i := 0; i < 16; i += 2 {
				v := uint(a[i])<<8 | uint(a[i+1])
				g = append(g, fmt.Sprintf("%0*x", 1+r.IntN(4), v))
			}
			return strings.Join(g, ":")
		case 1: // a dotted quad at the end
			return addr.String()[:strings.LastIndexByte(addr.String(), ':')+1] + v4()
		case 2:
			return "::ffff:" + v4()
		case 3:
			return strings.ToUpper(addr.String())
		default:
			return addr.String()
		}
	}
	mutate := func(s string) string {
		if s == "" {
			return randText(4)
		}
		i := r.IntN(len(s) + 1)
		switch r.IntN(9) {
		case 0: // insert
			return s[:i] + string(alphabet[r.IntN(len(alphabet))]) + s[i:]
		case 1: // delete
			if i < len(s) {
				return s[:i] + s[i+1:]
			}
		case 2: // replace
			if i < len(s) {
				return s[:i] + string(alphabet[r.IntN(len(alphabet))]) + s[i+1:]
			}
		case 3:
			return s + ":" + fmt.Sprintf("%x", r.IntN(0x20000))
		case 4:
			return ":" + s
		case 5:
			return s + "::"
		case 6:
			return strings.Replace(s, "::", ":::", 1)
		case 7:
			return s[:i] + "\x00" + s[i:]
		}
		return s + "." + octet()
	}
	out := []string{"", "0.0.0.0", "255.255.255.255", "::", "::1", "1::", "::ffff:1.2.3.4",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4",
		"1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4", "1.2.3.4", "01.2.3.4", "1.2.3", "1.2.3.4.", "fe80::1%lo"}
	for len(out) < n {
		var s string
		switch r.IntN(5) {
		case 0:
			s = randText(45)
		case 1:
			s = v4()
		default:
			s = v6()
		}
		for m := r.IntN(3); m > 0; m-- {
			s = mutate(s)
		}
		out = append(out, s)
	}
	return out
}

// The Go parsers of inetpton.go answer as glibc's inet_pton does (through csock.InetPton),
// text for text: whether the text is an address, and which.
func TestInetPton_SameAsLibc(t *testing.T) {
	valid4, valid6 := 0, 0
	for _, s := range inetPtonCorpus(250000) {
		want4, ok4, err := csock.InetPton(csock.AF_INET, cString([]byte(s)))
		require.NoError(t, err)
		got4, gok4 := inetPton4([]byte(s))
		require.Equal(t, ok4, gok4, "inet_pton(AF_INET, %q)", s)
		if ok4 {
			valid4++
			require.Equal(t, want4[:4], got4[:], "inet_pton(AF_INET, %q)", s)
		}
		want6, ok6, err := csock.InetPton(csock.AF_INET6, cString([]byte(s)))
		require.NoError(t, err)
		got6, gok6 := inetPton6([]byte(s))
		require.Equal(t, ok6, gok6, "inet_pton(AF_INET6, %q)", s)
		if ok6 {
			valid6++
			require.Equal(t, want6, got6, "inet_pton(AF_INET6, %q)", s)
		}
	}
	t.Logf("valid for inet_pton: %d IPv4, %d IPv6 texts", valid4, valid6)
	require.Greater(t, valid4, 5000)
	require.Greater(t, valid6, 30000)
}

// getnameinfo's parse without the crossing (numericSockaddr) gives the address that
// getaddrinfo(host, port, AF_UNSPEC, SOCK_DGRAM, AI_NUMERICHOST) gives CPython's
// getnameinfo, for every strict numeric host of the corpus and ports across the range,
// and that call leaves h_errno alone, so skipping it changes nothing a later herror sees.
func TestGetNameInfo_ParsedAsGetAddrInfoParses(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 6))
	ports := []int{0, 1, 80, 443, 8080, 65534, 65535}
	checked := 0
	for _, s := range inetPtonCorpus(60000) {
		port := ports[r.IntN(len(ports))]
		if r.IntN(2) == 0 {
			port = r.IntN(65536)
		}
		got, ok := numericSockaddr([]byte(s), port)
		if !ok {
			continue
		}
		checked++
		var st csock.Status
		res, err := csock.GetAddrInfo(cString([]byte(s)), []byte(fmt.Sprint(port)), csock.AF_UNSPEC, csock.SOCK_DGRAM, 0, csock.AI_NUMERICHOST, &st)
		require.NoError(t, err, "%q", s)
		require.Len(t, res, 1, "%q", s)
		want := res[0].Addr
		require.Equal(t, want.Family, got.Family, "%q", s)
		require.Equal(t, want.IP, got.IP, "%q", s)
		require.Equal(t, want.Port, got.Port, "%q", s)
		require.Zero(t, want.FlowInfo, "%q", s)
		require.Zero(t, want.ScopeID, "%q", s)
		require.False(t, st.HErrnoSet, "getaddrinfo(%q) set h_errno", s)
	}
	t.Logf("%d numeric hosts checked", checked)
	require.Greater(t, checked, 10000)
	_, ok := numericSockaddr([]byte("127.0.0.1"), 65536)
	require.False(t, ok, "a port beyond 16 bits is glibc's to parse")
	_, ok = numericSockaddr([]byte("127.0.0.1"), -1)
	require.False(t, ok)
}
