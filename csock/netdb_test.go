//go:build linux && cgo

package csock_test

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
)

// gaiCase is one getaddrinfo input. Only numeric hosts and names from /etc/hosts are
// used: anything else would reach the machine's (slow, outside) nameserver.
type gaiCase struct {
	Host     *string `json:"host"`
	Serv     *string `json:"serv"`
	Family   int     `json:"family"`
	SockType int     `json:"type"`
	Proto    int     `json:"proto"`
	Flags    int     `json:"flags"`
}

func strp(s string) *string { return &s }

func bytesOrNil(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

// gaiOracle is how CPython reports one getaddrinfo: either rows of (family, type, proto,
// canonname, host, port, flowinfo, scope_id) or the error code and message.
type gaiOracle struct {
	Rows [][]any `json:"rows"`
	Code int     `json:"code"`
	Msg  string  `json:"msg"`
}

const gaiOracleProgram = `
import json, socket, sys
out = []
for c in json.load(sys.stdin):
    try:
        rows = []
        for fam, typ, proto, canon, sa in socket.getaddrinfo(c["host"], c["serv"], c["family"], c["type"], c["proto"], c["flags"]):
            sa = list(sa) + [0] * (4 - len(sa))
            rows.append([int(fam), int(typ), proto, canon] + sa)
        out.append({"rows": rows})
    except socket.gaierror as e:
        out.append({"code": e.errno, "msg": e.strerror})
print(json.dumps(out))
`

func TestGetAddrInfo_MatchesCPython(t *testing.T) {
	var cases []gaiCase
	// Names (not numeric hosts) are asked only for AF_UNSPEC and AF_INET: /etc/hosts has no
	// IPv6 line for them, so an AF_INET6 question would go on to DNS.
	names := map[string]bool{"localhost": true, "vm": true}
	hosts := []*string{nil, strp("localhost"), strp("vm"), strp("127.0.0.1"), strp("::1"), strp("::ffff:1.2.3.4"),
		strp("::1.2.3.4"), strp("fe80::1%lo"), strp("fe80::1%1"), strp("127.1"), strp("0"), strp("2130706433"),
		strp("1:0:0:1::1"), strp("FF02::1DE:C0:FACE:8D")}
	servs := []*string{nil, strp("80"), strp("http"), strp("70000"), strp("0")}
	for _, h := range hosts {
		for _, s := range servs {
			for _, fam := range []int{csock.AF_UNSPEC, csock.AF_INET, csock.AF_INET6} {
				for _, typ := range []int{0, csock.SOCK_STREAM, csock.SOCK_DGRAM} {
					for _, flags := range []int{0, csock.AI_PASSIVE, csock.AI_CANONNAME, csock.AI_NUMERICHOST,
						csock.AI_V4MAPPED | csock.AI_ALL} {
						if h == nil && s == nil || h != nil && names[*h] && fam == csock.AF_INET6 {
							continue
						}
						cases = append(cases, gaiCase{h, s, fam, typ, 0, flags})
					}
				}
			}
		}
	}
	// The EAI_* codes the binding must surface, each with glibc's own message.
	cases = append(cases,
		gaiCase{Host: strp("localhost"), Serv: strp("nosuchservice"), SockType: csock.SOCK_STREAM}, // EAI_SERVICE
		gaiCase{Host: strp("localhost"), Serv: strp("80"), Family: 12345},                          // EAI_FAMILY
		gaiCase{Host: strp("localhost"), Serv: strp("80"), SockType: 12345},                        // EAI_SOCKTYPE
		gaiCase{Host: strp("localhost"), Serv: strp("80"), Flags: 0x10000},                         // EAI_BADFLAGS
		gaiCase{Host: strp("localhost"), Flags: csock.AI_NUMERICHOST},                              // EAI_NONAME
		gaiCase{Host: strp("127.0.0.1"), Family: csock.AF_INET6},                                   // EAI_ADDRFAMILY
		gaiCase{Host: strp("http"), Serv: strp("x"), Flags: csock.AI_NUMERICHOST | csock.AI_NUMERICSERV},
	)

	var want []gaiOracle
	testutil.PythonJSON(t, gaiOracleProgram, cases, &want)
	require.Len(t, want, len(cases))

	codes := map[int]bool{}
	for i, c := range cases {
		label := fmt.Sprintf("getaddrinfo(%v, %v, %d, %d, %d, %#x)", deref(c.Host), deref(c.Serv), c.Family, c.SockType, c.Proto, c.Flags)
		res, err := csock.GetAddrInfo(bytesOrNil(c.Host), bytesOrNil(c.Serv), c.Family, c.SockType, c.Proto, c.Flags, nil)
		if want[i].Code != 0 {
			var gerr *csock.GaiError
			if assert.ErrorAs(t, err, &gerr, label) {
				assert.Equal(t, want[i].Code, gerr.Code, label)
				assert.Equal(t, want[i].Msg, gerr.Error(), label)
				codes[gerr.Code] = true
			}
			continue
		}
		if !assert.NoError(t, err, label) {
			continue
		}
		got := make([][]any, len(res))
		for j, r := range res {
			got[j] = []any{float64(r.Family), float64(r.SockType), float64(r.Protocol), r.CanonName,
				r.Addr.Host, float64(r.Addr.Port), float64(r.Addr.FlowInfo), float64(r.Addr.ScopeID)}
		}
		assert.Equal(t, want[i].Rows, got, label)
	}
	for _, code := range []int{csock.EAI_NONAME, csock.EAI_SERVICE, csock.EAI_FAMILY, csock.EAI_SOCKTYPE, csock.EAI_BADFLAGS, csock.EAI_ADDRFAMILY} {
		assert.True(t, codes[code], "the table exercises EAI code %d", code)
	}
}

func deref(s *string) any {
	if s == nil {
		return "NULL"
	}
	return fmt.Sprintf("%q", *s)
}

func TestGetAddrInfo_ManyResultsOverflowTheStackBlock(t *testing.T) {
	// type 0 and AF_UNSPEC with AI_PASSIVE and no host: 2 addresses x 3 socket types; the
	// loop asks for enough of them at once from many goroutines to exercise both block paths
	// concurrently.
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				res, err := csock.GetAddrInfo(nil, []byte("80"), csock.AF_UNSPEC, 0, 0, csock.AI_PASSIVE, nil)
				if !assert.NoError(t, err) || !assert.Len(t, res, 6) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestGetNameInfo_MatchesCPython(t *testing.T) {
	type nc struct {
		Host  string `json:"host"`
		Port  int    `json:"port"`
		Flags int    `json:"flags"`
	}
	cases := []nc{
		{"127.0.0.1", 80, 0}, {"127.0.0.1", 80, csock.NI_NUMERICHOST}, {"127.0.0.1", 80, csock.NI_NUMERICSERV},
		{"127.0.0.1", 513, 0}, {"127.0.0.1", 513, csock.NI_DGRAM}, {"127.0.0.1", 12345, 0},
		{"127.0.0.1", 80, 0x10000}, {"127.0.0.2", 22, csock.NI_NUMERICHOST | csock.NI_NUMERICSERV},
	}
	var want []struct {
		Host string `json:"host"`
		Serv string `json:"serv"`
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	testutil.PythonJSON(t, `
import json, socket, sys
out = []
for c in json.load(sys.stdin):
    try:
        h, s = socket.getnameinfo((c["host"], c["port"]), c["flags"])
        out.append({"host": h, "serv": s})
    except socket.gaierror as e:
        out.append({"code": e.errno, "msg": e.strerror})
print(json.dumps(out))
`, cases, &want)
	require.Len(t, want, len(cases))
	for i, c := range cases {
		ip, ok, err := csock.InetPton(csock.AF_INET, []byte(c.Host))
		require.NoError(t, err)
		require.True(t, ok)
		host, serv, err := csock.GetNameInfo(&csock.Addr{Family: csock.AF_INET, IP: ip, Port: c.Port}, c.Flags, nil)
		if want[i].Code != 0 {
			var gerr *csock.GaiError
			if assert.ErrorAs(t, err, &gerr) {
				assert.Equal(t, want[i].Code, gerr.Code)
				assert.Equal(t, want[i].Msg, gerr.Error())
			}
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, want[i].Host, host, "%+v", c)
		assert.Equal(t, want[i].Serv, serv, "%+v", c)
	}
}

func TestGetNameInfo_IPv6ScopeIsPrintedByLibc(t *testing.T) {
	var want []string
	testutil.PythonJSON(t, `
import json, socket
print(json.dumps(list(socket.getnameinfo(("fe80::1", 80, 0, 1), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV))))
`, nil, &want)
	ip, ok, err := csock.InetPton(csock.AF_INET6, []byte("fe80::1"))
	require.NoError(t, err)
	require.True(t, ok)
	host, serv, err := csock.GetNameInfo(&csock.Addr{Family: csock.AF_INET6, IP: ip, Port: 80, ScopeID: 1},
		csock.NI_NUMERICHOST|csock.NI_NUMERICSERV, nil)
	require.NoError(t, err)
	assert.Equal(t, want, []string{host, serv})
}

type hostentOracle struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
	Addrs   []string `json:"addrs"`
}

func TestGetHostBy_MatchesCPythonAndGrowsOnERANGE(t *testing.T) {
	var want []hostentOracle
	testutil.PythonJSON(t, `
import json, socket
out = []
for h, a, ips in [socket.gethostbyname_ex("localhost"), socket.gethostbyname_ex("vm"), socket.gethostbyaddr("127.0.0.1")]:
    out.append({"name": h, "aliases": a, "addrs": ips})
print(json.dumps(out))
`, nil, &want)
	require.Len(t, want, 3)

	for _, hint := range []int{0, 1, 7} {
		for i, name := range []string{"localhost", "vm"} {
			h, err := csock.GetHostByName([]byte(name), hint, nil)
			require.NoError(t, err, "bufhint %d", hint)
			assert.Equal(t, want[i], hostentOracle{h.Name, h.Aliases, h.Addrs}, "bufhint %d", hint)
			assert.Equal(t, csock.AF_INET, h.AddrType)
			assert.Equal(t, [][]byte{{127, 0, 0, 1}}, h.RawAddrs)
		}
		h, err := csock.GetHostByAddr([]byte{127, 0, 0, 1}, csock.AF_INET, hint, nil)
		require.NoError(t, err, "bufhint %d", hint)
		assert.Equal(t, want[2], hostentOracle{h.Name, h.Aliases, h.Addrs}, "bufhint %d", hint)
	}
}

// hostByNameOracle calls libc's gethostbyname_r through ctypes for each name and reports
// h_errnop's value and the thread's h_errno afterwards (None when the call left the
// sentinel untouched).
const hostByNameOracle = `
import ctypes, json, sys
libc = ctypes.CDLL(None, use_errno=True)
loc = libc.__h_errno_location
loc.restype = ctypes.POINTER(ctypes.c_int)
out = []
for name in json.load(sys.stdin):
    buf = ctypes.create_string_buffer(16384)
    he = ctypes.create_string_buffer(64)
    res = ctypes.c_void_p()
    herr = ctypes.c_int(0)
    loc()[0] = -12345
    rc = libc.gethostbyname_r(name.encode(), he, buf, len(buf), ctypes.byref(res), ctypes.byref(herr))
    tls = loc()[0]
    out.append({"found": bool(res.value), "herr": herr.value, "tls": None if tls == -12345 else tls})
print(json.dumps(out))
`

func TestGetHostByName_NotFoundIsHErrorWithLibcsHErrno(t *testing.T) {
	// Neither name is sent to DNS: "" and "<broadcast>" are not valid DNS names, so glibc
	// answers from the files backend and its own checks.
	names := []string{"", "<broadcast>", "localhost"}
	var want []struct {
		Found bool `json:"found"`
		HErr  int  `json:"herr"`
		TLS   *int `json:"tls"`
	}
	testutil.PythonJSON(t, hostByNameOracle, names, &want)
	require.Len(t, want, len(names))
	for i, name := range names {
		var st csock.Status
		_, err := csock.GetHostByName([]byte(name), 0, &st)
		if want[i].Found {
			assert.NoError(t, err, name)
		} else {
			var herr *csock.HError
			if assert.ErrorAs(t, err, &herr, name) {
				assert.Equal(t, want[i].HErr, herr.Code, name)
				assert.Equal(t, csock.HStrerror(want[i].HErr), herr.Error(), name)
			}
		}
		if want[i].TLS == nil {
			assert.False(t, st.HErrnoSet, "%q leaves h_errno alone", name)
		} else if assert.True(t, st.HErrnoSet, "%q sets h_errno", name) {
			assert.Equal(t, *want[i].TLS, st.HErrno, name)
		}
	}
}

func TestServicesAndProtocols_MatchCPythonAndGrowOnERANGE(t *testing.T) {
	var want struct {
		HTTP    int    `json:"http"`
		WWW     int    `json:"www"`
		Port80  string `json:"port80"`
		Port513 string `json:"port513udp"`
		TCP     int    `json:"tcp"`
		UDP     int    `json:"udp"`
	}
	testutil.PythonJSON(t, `
import json, socket
print(json.dumps({"http": socket.getservbyname("http", "tcp"), "www": socket.getservbyname("www"),
  "port80": socket.getservbyport(80), "port513udp": socket.getservbyport(513, "udp"),
  "tcp": socket.getprotobyname("tcp"), "udp": socket.getprotobyname("udp")}))
`, nil, &want)
	for _, hint := range []int{0, 1} {
		p, err := csock.GetServByName([]byte("http"), []byte("tcp"), hint)
		require.NoError(t, err)
		assert.Equal(t, want.HTTP, p)
		p, err = csock.GetServByName([]byte("www"), nil, hint)
		require.NoError(t, err)
		assert.Equal(t, want.WWW, p)
		s, err := csock.GetServByPort(80, nil, hint)
		require.NoError(t, err)
		assert.Equal(t, want.Port80, s)
		s, err = csock.GetServByPort(513, []byte("udp"), hint)
		require.NoError(t, err)
		assert.Equal(t, want.Port513, s)
		n, err := csock.GetProtoByName([]byte("tcp"), hint)
		require.NoError(t, err)
		assert.Equal(t, want.TCP, n)
		n, err = csock.GetProtoByName([]byte("udp"), hint)
		require.NoError(t, err)
		assert.Equal(t, want.UDP, n)
	}
	_, err := csock.GetServByName([]byte("nosuchservice"), nil, 0)
	assert.ErrorIs(t, err, csock.ErrNotFound)
	_, err = csock.GetServByPort(12345, []byte("tcp"), 0)
	assert.ErrorIs(t, err, csock.ErrNotFound)
	_, err = csock.GetProtoByName([]byte("nosuchproto"), 0)
	assert.ErrorIs(t, err, csock.ErrNotFound)
}

func TestServByName_ManyGoroutines(t *testing.T) {
	// The *_r entry points are reentrant: hammer them from many goroutines at once.
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				p, err := csock.GetServByName([]byte("http"), []byte("tcp"), 0)
				if !assert.NoError(t, err) || !assert.Equal(t, 80, p) {
					return
				}
				s, err := csock.GetServByPort(22, []byte("tcp"), 0)
				if !assert.NoError(t, err) || !assert.Equal(t, "ssh", s) {
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestHostNameAndMessages_MatchCPython(t *testing.T) {
	var want struct {
		Host   string   `json:"host"`
		Errors []string `json:"errors"`
		Gai    []string `json:"gai"`
		H      []string `json:"h"`
	}
	testutil.PythonJSON(t, `
import ctypes, json, os, socket
libc = ctypes.CDLL(None)
libc.gai_strerror.restype = ctypes.c_char_p
libc.hstrerror.restype = ctypes.c_char_p
print(json.dumps({"host": socket.gethostname(),
  "errors": [os.strerror(e) for e in range(0, 134)],
  "gai": [libc.gai_strerror(c).decode() for c in range(-12, 1)],
  "h": [libc.hstrerror(c).decode() for c in range(-1, 6)]}))
`, nil, &want)
	h, err := csock.GetHostName()
	require.NoError(t, err)
	assert.Equal(t, want.Host, h)
	for e, msg := range want.Errors {
		assert.Equal(t, msg, csock.Strerror(e))
	}
	for i, msg := range want.Gai {
		assert.Equal(t, msg, csock.GaiStrerror(i-12))
	}
	for i, msg := range want.H {
		assert.Equal(t, msg, csock.HStrerror(i-1))
	}
}

func TestInet_MatchesCPython(t *testing.T) {
	inputs := []string{"127.0.0.1", "127.1", "1.2.3", "0x7f.1", "017.0.0.1", "4294967295", "4294967296", "1.2.3.4 junk",
		" 1.2.3.4", "", "256.1.1.1", "::1", "::", "::ffff:1.2.3.4", "::1.2.3.4", "1:0:0:1::1", "FFFF::", "1::2::3",
		"12345::", "[::1]", "::1%lo", "1:2:3:4:5:6:7:8:9", "01.2.3.4", "fe80::1"}
	var want []struct {
		Aton *[]int `json:"aton"`
		P4   *[]int `json:"p4"`
		P6   *[]int `json:"p6"`
		N4   string `json:"n4"`
		N6   string `json:"n6"`
	}
	testutil.PythonJSON(t, `
import json, socket, sys
def tryit(f, *a):
    try:
        return list(f(*a))
    except OSError:
        return None
out = []
for s in json.load(sys.stdin):
    r = {"aton": tryit(socket.inet_aton, s), "p4": tryit(socket.inet_pton, socket.AF_INET, s),
         "p6": tryit(socket.inet_pton, socket.AF_INET6, s)}
    r["n4"] = socket.inet_ntop(socket.AF_INET, bytes(r["p4"])) if r["p4"] else ""
    r["n6"] = socket.inet_ntop(socket.AF_INET6, bytes(r["p6"])) if r["p6"] else ""
    out.append(r)
print(json.dumps(out))
`, inputs, &want)
	require.Len(t, want, len(inputs))
	ints := func(b []byte) *[]int {
		r := make([]int, len(b))
		for i, x := range b {
			r[i] = int(x)
		}
		return &r
	}
	for i, s := range inputs {
		ip4, ok := csock.InetAton([]byte(s))
		if want[i].Aton == nil {
			assert.False(t, ok, "inet_aton(%q)", s)
		} else if assert.True(t, ok, "inet_aton(%q)", s) {
			assert.Equal(t, want[i].Aton, ints(ip4[:]), "inet_aton(%q)", s)
		}
		for _, fc := range []struct {
			family, n int
			want      *[]int
			text      string
		}{{csock.AF_INET, 4, want[i].P4, want[i].N4}, {csock.AF_INET6, 16, want[i].P6, want[i].N6}} {
			ip, ok, err := csock.InetPton(fc.family, []byte(s))
			require.NoError(t, err)
			if fc.want == nil {
				assert.False(t, ok, "inet_pton(%d, %q)", fc.family, s)
				continue
			}
			if assert.True(t, ok, "inet_pton(%d, %q)", fc.family, s) {
				assert.Equal(t, fc.want, ints(ip[:fc.n]))
				text, err := csock.InetNtop(fc.family, ip[:fc.n])
				require.NoError(t, err)
				assert.Equal(t, fc.text, text, "inet_ntop of %q", s)
			}
		}
	}
	_, _, err := csock.InetPton(csock.AF_UNIX, []byte("1.2.3.4"))
	assert.ErrorIs(t, err, syscall.EAFNOSUPPORT)
	_, err = csock.InetNtop(csock.AF_INET6, []byte{1, 2, 3, 4})
	assert.ErrorIs(t, err, syscall.EINVAL, "a short source is refused before C reads it")
	_, err = csock.InetNtop(12345, []byte{1, 2, 3, 4})
	assert.ErrorIs(t, err, syscall.EAFNOSUPPORT)
}

func TestInterfaces_MatchCPython(t *testing.T) {
	var want [][]any
	testutil.PythonJSON(t, `
import json, socket
print(json.dumps(socket.if_nameindex()))
`, nil, &want)
	got, err := csock.IfNameIndex()
	require.NoError(t, err)
	require.Len(t, got, len(want))
	for i, w := range want {
		assert.Equal(t, int(w[0].(float64)), got[i].Index)
		assert.Equal(t, w[1], got[i].Name)
		idx, err := csock.IfNameToIndex([]byte(got[i].Name))
		require.NoError(t, err)
		assert.Equal(t, got[i].Index, idx)
		name, err := csock.IfIndexToName(uint32(got[i].Index))
		require.NoError(t, err)
		assert.Equal(t, got[i].Name, name)
	}
	_, err = csock.IfNameToIndex([]byte("nosuchif0"))
	assert.True(t, errors.Is(err, syscall.ENODEV) || errors.Is(err, csock.ErrNotFound), "got %v", err)
	_, err = csock.IfIndexToName(99999)
	assert.ErrorIs(t, err, syscall.ENXIO)
}

// shortAddrOracle calls libc's gethostbyaddr_r through ctypes with a 3-byte AF_INET
// address (the socket module cannot pass one) and reports h_errnop's value and errno.
const shortAddrOracle = `
import ctypes, json, socket
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(16384)
he = ctypes.create_string_buffer(64)
res = ctypes.c_void_p()
herr = ctypes.c_int(0)
ctypes.set_errno(0)
libc.gethostbyaddr_r(bytes([1, 2, 3]), 3, socket.AF_INET, he, buf, len(buf), ctypes.byref(res), ctypes.byref(herr))
print(json.dumps({"found": bool(res.value), "herr": herr.value, "errno": ctypes.get_errno()}))
`

func TestGetHostByAddr_ShortAddressIsNetdbInternalThatUnwrapsToErrno(t *testing.T) {
	// glibc refuses an AF_INET address shorter than 4 bytes with h_errno NETDB_INTERNAL
	// (-1), which means "see errno", and errno EAFNOSUPPORT: the HError carries both and
	// unwraps to the errno, so errors.Is(err, syscall.EAFNOSUPPORT) holds.
	var want struct {
		Found bool `json:"found"`
		HErr  int  `json:"herr"`
		Errno int  `json:"errno"`
	}
	testutil.PythonJSON(t, shortAddrOracle, nil, &want)
	require.False(t, want.Found)
	require.Equal(t, -1, want.HErr, "libc's h_errno is NETDB_INTERNAL")
	require.Equal(t, int(syscall.EAFNOSUPPORT), want.Errno, "libc's errno")

	_, err := csock.GetHostByAddr([]byte{1, 2, 3}, csock.AF_INET, 0, nil)
	var herr *csock.HError
	require.ErrorAs(t, err, &herr)
	assert.Equal(t, &csock.HError{Code: want.HErr, Errno: syscall.Errno(want.Errno)}, herr)
	assert.ErrorIs(t, err, syscall.EAFNOSUPPORT, "NETDB_INTERNAL unwraps to its errno")
	assert.Equal(t, syscall.EAFNOSUPPORT, errors.Unwrap(err))
	assert.Equal(t, csock.HStrerror(-1), err.Error())

	// Only NETDB_INTERNAL says "see errno": an HError of any other h_errno does not unwrap.
	for _, code := range []int{1, 2, 3, 4} {
		other := &csock.HError{Code: code, Errno: syscall.EAFNOSUPPORT}
		assert.NoError(t, errors.Unwrap(other), "h_errno %d", code)
		assert.NotErrorIs(t, other, syscall.EAFNOSUPPORT, "h_errno %d", code)
	}
}

// An entry's lists share one allocation when small: each raw address is its own
// AddrLen-long slice (appending to one cannot overwrite the next), and each text is
// inet_ntop's of its raw address.
func TestGetHostByName_EntryListsAreIndependent(t *testing.T) {
	h, err := csock.GetHostByName([]byte("localhost"), 0, nil)
	require.NoError(t, err)
	require.NotEmpty(t, h.RawAddrs)
	require.Len(t, h.Addrs, len(h.RawAddrs))
	for i, raw := range h.RawAddrs {
		assert.Len(t, raw, h.AddrLen)
		assert.Equal(t, h.AddrLen, cap(raw), "raw address %d", i)
		text, err := csock.InetNtop(h.AddrType, raw)
		require.NoError(t, err)
		assert.Equal(t, text, h.Addrs[i])
	}
	assert.Equal(t, len(h.Addrs), cap(h.Addrs))
	assert.Equal(t, len(h.RawAddrs), cap(h.RawAddrs))
}
