package facade

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
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
