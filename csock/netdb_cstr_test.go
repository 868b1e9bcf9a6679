//go:build linux && cgo

package csock_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
)

// The binding copies a name into a stack buffer when it fits with its NUL and into a heap
// copy when it does not: 256 bytes for a host (or any other name), 64 for a service or a
// protocol (netdb.go's scratch, async.go's start). These are the lengths on each side of
// that boundary: the longest that fits, the shortest that does not, and one more.
var (
	hostLengths = []int{255, 256, 257}
	servLengths = []int{63, 64, 65}
)

// paddedHost is 127.0.0.1 written in n bytes ("127.0.0.0…01": inet_aton reads the last
// part as octal 1). libc accepts it as a number everywhere, and gethostbyname_r echoes it
// as h_name, so a name cut short on its way to libc shows.
func paddedHost(n int) string { return "127.0.0." + strings.Repeat("0", n-9) + "1" }

// paddedPort is port 80 written in n bytes ("0…080").
func paddedPort(n int) string { return strings.Repeat("0", n-2) + "80" }

// cstrOracle asks CPython the same questions at the same lengths, through the socket
// module, and through ctypes where the module adds rules of its own (gethostbyname_r).
const cstrOracle = `
import ctypes, json, socket, sys
inp = json.load(sys.stdin)
libc = ctypes.CDLL(None, use_errno=True)
def padded_host(n): return '127.0.0.' + '0' * (n - 9) + '1'
def padded_port(n): return '0' * (n - 2) + '80'
def ex(f):
    try:
        return str(f())
    except socket.gaierror as e:
        return 'gaierror %d' % e.errno
    except OSError as e:
        return 'OSError ' + str(e)
def gai(host, port, flags=0):
    return ex(lambda: ' '.join('%s:%d' % r[4][:2] for r in
        socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM, 0, flags)))
def ghbn(name):
    buf = ctypes.create_string_buffer(16384)
    he = ctypes.create_string_buffer(64)
    res = ctypes.c_void_p()
    herr = ctypes.c_int(0)
    libc.gethostbyname_r(name.encode(), he, buf, len(buf), ctypes.byref(res), ctypes.byref(herr))
    if not res.value:
        return 'herror %d' % herr.value
    return ctypes.cast(he, ctypes.POINTER(ctypes.c_char_p))[0].decode()
out = {}
for n in inp['host']:
    h, a = padded_host(n), 'a' * n
    out['getaddrinfo host %d' % n] = gai(h.encode(), 80, socket.AI_NUMERICHOST)
    out['getaddrinfo name %d' % n] = gai(a.encode(), 80, socket.AI_NUMERICHOST)
    out['gethostbyname_r %d' % n] = ghbn(h)
    out['inet_aton %d' % n] = ex(lambda: socket.inet_aton(h).hex())
    out['inet_pton %d' % n] = ex(lambda: socket.inet_pton(socket.AF_INET, h).hex())
    out['getservbyname name %d' % n] = ex(lambda: socket.getservbyname(a))
    out['getprotobyname %d' % n] = ex(lambda: socket.getprotobyname(a))
    out['if_nametoindex %d' % n] = ex(lambda: socket.if_nametoindex(a))
for n in inp['serv']:
    a = 'a' * n
    out['getaddrinfo service %d' % n] = gai(b'127.0.0.1', padded_port(n).encode())
    out['getaddrinfo name service %d' % n] = gai(b'localhost', a.encode())
    out['getservbyname proto %d' % n] = ex(lambda: socket.getservbyname('http', a))
    out['getservbyport proto %d' % n] = ex(lambda: socket.getservbyport(80, a))
print(json.dumps(out))
`

// cstrGai formats a GetAddrInfo outcome as cstrOracle does.
func cstrGai(res []csock.AddrInfo, err error) string {
	var gerr *csock.GaiError
	if errors.As(err, &gerr) {
		return fmt.Sprintf("gaierror %d", gerr.Code)
	}
	if err != nil {
		return "Go error " + err.Error()
	}
	var rows []string
	for _, r := range res {
		rows = append(rows, fmt.Sprintf("%s:%d", r.Addr.Host, r.Addr.Port))
	}
	return strings.Join(rows, " ")
}

// cstrLookup formats the outcome of getservbyname, getservbyport, getprotobyname and
// if_nametoindex as the socket module words their failures.
func cstrLookup(v any, err error, notFound string) string {
	if err != nil {
		return "OSError " + notFound
	}
	return fmt.Sprint(v)
}

// failed is the error of a call that reports failure as a false ok.
func failed(ok bool) error {
	if ok {
		return nil
	}
	return errors.New("failed")
}

// cstrHostEnt formats a GetHostByName outcome as cstrOracle does.
func cstrHostEnt(he *csock.HostEnt, err error) string {
	var herr *csock.HError
	switch {
	case errors.As(err, &herr):
		return fmt.Sprintf("herror %d", herr.Code)
	case err != nil:
		return "Go error " + err.Error()
	}
	return he.Name
}

// noPanic runs f and returns what it returns, or the panic it raised as text, so that one
// broken call site is reported with all the others rather than ending the test binary.
func noPanic(f func() string) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("Go panic: %v", r)
		}
	}()
	return f()
}

func TestLookups_NamesAroundTheStackBufferSizesReachLibcWholeLikeCPython(t *testing.T) {
	var want map[string]string
	testutil.PythonJSON(t, cstrOracle, map[string][]int{"host": hostLengths, "serv": servLengths}, &want)
	require.NotEmpty(t, want)

	const stream = csock.SOCK_STREAM
	gai := func(host, serv []byte, flags int) string {
		return cstrGai(csock.GetAddrInfo(host, serv, csock.AF_INET, stream, 0, flags, nil))
	}
	// getaddrinfo_a copies the names into buffers of its own (async.go's start), and must
	// answer as getaddrinfo does.
	gaiAsync := func(host, serv []byte, flags int) string {
		return cstrGai(csock.GetAddrInfoAsync(context.Background(), host, serv, csock.AF_INET, stream, 0, flags, func() {}))
	}
	got := map[string]string{}
	for _, n := range hostLengths {
		h, a := []byte(paddedHost(n)), []byte(strings.Repeat("a", n))
		require.Len(t, h, n)
		for key, call := range map[string]func() string{
			"getaddrinfo host":   func() string { return gai(h, []byte("80"), csock.AI_NUMERICHOST) },
			"getaddrinfo name":   func() string { return gai(a, []byte("80"), csock.AI_NUMERICHOST) },
			"getaddrinfo_a host": func() string { return gaiAsync(h, []byte("80"), csock.AI_NUMERICHOST) },
			"getaddrinfo_a name": func() string { return gaiAsync(a, []byte("80"), csock.AI_NUMERICHOST) },
			"gethostbyname_r":    func() string { return cstrHostEnt(csock.GetHostByName(h, 0, nil)) },
			"inet_aton": func() string {
				ip, ok := csock.InetAton(h)
				return cstrLookup(fmt.Sprintf("%x", ip), failed(ok), "illegal IP address string passed to inet_aton")
			},
			"inet_pton": func() string {
				ip, ok, err := csock.InetPton(csock.AF_INET, h)
				if err != nil {
					return "Go error " + err.Error()
				}
				return cstrLookup(fmt.Sprintf("%x", ip[:4]), failed(ok), "illegal IP address string passed to inet_pton")
			},
			"getservbyname name": func() string {
				port, err := csock.GetServByName(a, nil, 0)
				return cstrLookup(port, err, "service/proto not found")
			},
			"getprotobyname": func() string {
				proto, err := csock.GetProtoByName(a, 0)
				return cstrLookup(proto, err, "protocol not found")
			},
			"if_nametoindex": func() string {
				index, err := csock.IfNameToIndex(a)
				return cstrLookup(index, err, "no interface with this name")
			},
		} {
			got[fmt.Sprintf("%s %d", key, n)] = noPanic(call)
		}
		want[fmt.Sprintf("getaddrinfo_a host %d", n)] = want[fmt.Sprintf("getaddrinfo host %d", n)]
		want[fmt.Sprintf("getaddrinfo_a name %d", n)] = want[fmt.Sprintf("getaddrinfo name %d", n)]
	}
	for _, n := range servLengths {
		s, a := []byte(paddedPort(n)), []byte(strings.Repeat("a", n))
		require.Len(t, s, n)
		for key, call := range map[string]func() string{
			"getaddrinfo service":        func() string { return gai([]byte("127.0.0.1"), s, 0) },
			"getaddrinfo name service":   func() string { return gai([]byte("localhost"), a, 0) },
			"getaddrinfo_a service":      func() string { return gaiAsync([]byte("127.0.0.1"), s, 0) },
			"getaddrinfo_a name service": func() string { return gaiAsync([]byte("localhost"), a, 0) },
			"getservbyname proto": func() string {
				port, err := csock.GetServByName([]byte("http"), a, 0)
				return cstrLookup(port, err, "service/proto not found")
			},
			"getservbyport proto": func() string {
				name, err := csock.GetServByPort(80, a, 0)
				return cstrLookup(name, err, "port/proto not found")
			},
		} {
			got[fmt.Sprintf("%s %d", key, n)] = noPanic(call)
		}
		want[fmt.Sprintf("getaddrinfo_a service %d", n)] = want[fmt.Sprintf("getaddrinfo service %d", n)]
		want[fmt.Sprintf("getaddrinfo_a name service %d", n)] = want[fmt.Sprintf("getaddrinfo name service %d", n)]
	}
	assert.Equal(t, want, got)
	waitAsyncSettled(t)
}
