//go:build linux

package facade

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// CPython's getservbyname calls the non-reentrant getservbyname(3) under the GIL; ours
// uses getservbyname_r and must give every goroutine the right answer at once.
func TestGetServBy_ThreadSafeAcrossManyGoroutines(t *testing.T) {
	var want struct {
		Names map[string]int `json:"names"`
		Ports map[string]string
	}
	testutil.PythonJSON(t, `
import json, socket
names = ["http", "https", "ssh", "smtp", "domain", "ntp", "telnet", "ftp"]
print(json.dumps({"names": {n: socket.getservbyname(n) for n in names},
                  "Ports": {str(p): socket.getservbyport(p) for p in [21, 22, 23, 25, 53, 80, 443]}}))
`, nil, &want)
	require.NotEmpty(t, want.Names)

	var wg sync.WaitGroup
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				for name, port := range want.Names {
					got, err := GetServByName(name)
					if !assert.NoError(t, err) || !assert.Equal(t, port, got, name) {
						return
					}
				}
				for port, name := range want.Ports {
					p := 0
					for _, c := range port {
						p = p*10 + int(c-'0')
					}
					got, err := GetServByPort(p)
					if !assert.NoError(t, err) || !assert.Equal(t, name, got, port) {
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
}

// The h_errno CPython's herror reports is whatever the last resolver call of the thread
// left, which glibc often leaves stale; the facade keeps the same process-wide history.
func TestHError_ReportsTheLastHErrnoLikeCPython(t *testing.T) {
	var want []string
	testutil.PythonJSON(t, `
import json, socket
out = []
for f in [lambda: socket.gethostbyname_ex("<broadcast>"), lambda: socket.gethostbyname_ex(""),
          lambda: socket.gethostbyname_ex("<broadcast>"), lambda: socket.getaddrinfo("localhost", 80, socket.AF_INET),
          lambda: socket.gethostbyname_ex("<broadcast>")]:
    try:
        f()
        out.append("ok")
    except OSError as e:
        out.append(str(e))
print(json.dumps(out))
`, nil, &want)
	lastHErrno.Store(0) // a fresh process
	calls := []func() error{
		func() error { _, err := GetHostByNameEx("<broadcast>"); return err },
		func() error { _, err := GetHostByNameEx(""); return err },
		func() error { _, err := GetHostByNameEx("<broadcast>"); return err },
		func() error { _, err := GetAddrInfo("localhost", 80, AF_INET, 0, 0, 0); return err },
		func() error { _, err := GetHostByNameEx("<broadcast>"); return err },
	}
	require.Len(t, want, len(calls))
	for i, call := range calls {
		got := "ok"
		if err := call(); err != nil {
			got = err.Error()
		}
		assert.Equal(t, want[i], got, "call %d", i)
	}
}

// The binding copies a name into a stack buffer of 256 bytes (a host, or any other name)
// or 64 (a service or protocol) when it fits with its NUL, and onto the heap when it does
// not: these are the lengths on each side.
var (
	nameLengths    = []int{255, 256, 257}
	serviceLengths = []int{63, 64, 65}
)

// pyInts is a Python list of ints.
func pyInts(ns []int) string {
	return "[" + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ns)), ", "), "[]") + "]"
}

// oracleNamesAroundTheStackBuffers asks python3 for every module function that passes a
// name to libc, at those lengths. Bytes hosts skip IDNA (a str label of 64 characters is a
// UnicodeError before libc); "127.0.0.0…01" is 127.0.0.1 to libc, which echoes it as
// gethostbyname_ex's name, and "0…080" is port 80. Nothing here reaches a nameserver:
// numeric names are answered by libc, and a label over 63 bytes is never sent.
var oracleNamesAroundTheStackBuffers = oracleCase("NamesAroundTheStackBuffers", `
def res(f):
    r = []
    line = exc(lambda: r.append(f()))
    return repr(r[0]) if r else line
for n in `+pyInts(nameLengths)+`:
    h, a = '127.0.0.' + '0' * (n - 9) + '1', 'a' * n
    out['getaddrinfo host %d' % n] = res(lambda: socket.getaddrinfo(h.encode(), 80, socket.AF_INET, socket.SOCK_STREAM))
    out['getaddrinfo name %d' % n] = res(lambda: socket.getaddrinfo(a.encode(), 80))
    out['gethostbyname %d' % n] = res(lambda: socket.gethostbyname(h.encode()))
    out['gethostbyname_ex %d' % n] = res(lambda: socket.gethostbyname_ex(h.encode()))
    out['inet_aton %d' % n] = res(lambda: socket.inet_aton(h))
    out['inet_pton %d' % n] = res(lambda: socket.inet_pton(socket.AF_INET, h))
    out['getservbyname %d' % n] = res(lambda: socket.getservbyname(a))
    out['getprotobyname %d' % n] = res(lambda: socket.getprotobyname(a))
    out['if_nametoindex %d' % n] = res(lambda: socket.if_nametoindex(a))
for n in `+pyInts(serviceLengths)+`:
    p, a = '0' * (n - 2) + '80', 'x' * n
    out['getaddrinfo service %d' % n] = res(lambda: socket.getaddrinfo('127.0.0.1', p, socket.AF_INET, socket.SOCK_STREAM))
    out['getaddrinfo name service %d' % n] = res(lambda: socket.getaddrinfo('localhost', a))
    out['getservbyname proto %d' % n] = res(lambda: socket.getservbyname('http', a))
    out['getservbyport proto %d' % n] = res(lambda: socket.getservbyport(80, a))
`)

func TestLookups_NamesAroundTheStackBufferSizesAnswerLikeCPython(t *testing.T) {
	// CPython: getaddrinfo(b'a'*256, 80) is "[Errno -2] Name or service not known" and
	// getaddrinfo('localhost', 'x'*64) "[Errno -8] Servname not supported for ai_socktype".
	want := pythonStrings(t, oracleNamesAroundTheStackBuffers)
	res := func(v any, err error) string {
		if err != nil {
			return pyExc(err)
		}
		if ais, ok := v.([]AddrInfo); ok {
			l := make(py.List, len(ais))
			for i, ai := range ais {
				l[i] = ai
			}
			v = l
		}
		return py.Repr(v)
	}
	// A context that can end sends a non-numeric name through getaddrinfo_a, which copies
	// the names into buffers of its own.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got := map[string]string{}
	for _, n := range nameLengths {
		h, a := "127.0.0."+strings.Repeat("0", n-9)+"1", strings.Repeat("a", n)
		require.Len(t, h, n)
		got[fmt.Sprintf("getaddrinfo host %d", n)] = res(GetAddrInfo([]byte(h), 80, AF_INET, SOCK_STREAM, 0, 0))
		got[fmt.Sprintf("getaddrinfo name %d", n)] = res(GetAddrInfo([]byte(a), 80, 0, 0, 0, 0))
		assert.Equal(t, want[fmt.Sprintf("getaddrinfo name %d", n)], res(GetAddrInfoContext(ctx, []byte(a), 80, 0, 0, 0, 0)),
			"getaddrinfo through getaddrinfo_a, name %d", n)
		got[fmt.Sprintf("gethostbyname %d", n)] = res(GetHostByName([]byte(h)))
		got[fmt.Sprintf("gethostbyname_ex %d", n)] = res(GetHostByNameEx([]byte(h)))
		got[fmt.Sprintf("inet_aton %d", n)] = res(InetAton(h))
		got[fmt.Sprintf("inet_pton %d", n)] = res(InetPton(AF_INET, h))
		got[fmt.Sprintf("getservbyname %d", n)] = res(GetServByName(a))
		got[fmt.Sprintf("getprotobyname %d", n)] = res(GetProtoByName(a))
		got[fmt.Sprintf("if_nametoindex %d", n)] = res(IfNameToIndex(a))
	}
	for _, n := range serviceLengths {
		p, a := strings.Repeat("0", n-2)+"80", strings.Repeat("x", n)
		require.Len(t, p, n)
		got[fmt.Sprintf("getaddrinfo service %d", n)] = res(GetAddrInfo("127.0.0.1", p, AF_INET, SOCK_STREAM, 0, 0))
		got[fmt.Sprintf("getaddrinfo name service %d", n)] = res(GetAddrInfo("localhost", a, 0, 0, 0, 0))
		assert.Equal(t, want[fmt.Sprintf("getaddrinfo name service %d", n)], res(GetAddrInfoContext(ctx, "localhost", a, 0, 0, 0, 0)),
			"getaddrinfo through getaddrinfo_a, service %d", n)
		got[fmt.Sprintf("getservbyname proto %d", n)] = res(GetServByName("http", a))
		got[fmt.Sprintf("getservbyport proto %d", n)] = res(GetServByPort(80, a))
	}
	assert.Equal(t, want, got)
}
