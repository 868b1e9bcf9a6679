//go:build linux

package hermetic

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pyEval evaluates a few expressions with python3 in the world.
func pyEval(t *testing.T, exprs ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := EvalPython(ctx, exprs)
	require.NoError(t, err)
	return out
}

func goResolver() *net.Resolver { return &net.Resolver{PreferGo: true} }

func TestNamespaceIsPrivate(t *testing.T) {
	env := Require(t)
	outer := strings.Split(env.OuterNamespaces, ",")
	for _, ns := range []string{"mnt", "net", "uts"} {
		self, err := os.Readlink("/proc/self/ns/" + ns)
		require.NoError(t, err)
		assert.NotContains(t, outer, self, "%s namespace is the outer one", ns)
	}
	h, err := os.Hostname()
	require.NoError(t, err)
	assert.Equal(t, env.World.Hostname, h)

	files := env.World.Files()
	for path, want := range files {
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, want, string(got), path)
	}
	inside, err := os.ReadFile("/etc/resolv.conf")
	require.NoError(t, err)
	assert.NotEqual(t, env.HostResolvConf, string(inside), "resolv.conf inside must differ from the host's")
	assert.Equal(t, []string{"127.0.0.1"}, nameservers(string(inside)))
	// The host's own file, seen through the root of the outer process (our
	// parent, in the host's mount namespace), is untouched.
	host, err := os.ReadFile(fmt.Sprintf("/proc/%d/root/etc/resolv.conf", os.Getppid()))
	require.NoError(t, err)
	assert.Equal(t, env.HostResolvConf, string(host), "the host's resolv.conf changed")
}

func nameservers(resolvConf string) []string {
	var ns []string
	for _, l := range strings.Split(resolvConf, "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "nameserver" {
			ns = append(ns, f[1])
		}
	}
	return ns
}

func TestOnlyLoopbackAndTheWorldsVeth(t *testing.T) {
	Require(t)
	ifs, err := net.Interfaces()
	require.NoError(t, err)
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	assert.ElementsMatch(t, []string{"lo", Interface, PeerInterface}, names)
	// Both ends of the veth are here: ip(8) names a peer in another
	// namespace "@ifN", a peer in this one by its name.
	out, err := exec.Command("ip", "-o", "link", "show", Interface).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), Interface+"@"+PeerInterface+":")
}

// sniffDNS counts DNS packets (UDP or TCP, port 53) that go out of the
// world's veth, the namespace's only interface besides loopback, until
// stop is called.
func sniffDNS(t *testing.T) (stop func() int) {
	t.Helper()
	const ethPAll = 0x0300 // htons(ETH_P_ALL): every protocol
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, ethPAll)
	require.NoError(t, err)
	ifi, err := net.InterfaceByName(Interface)
	require.NoError(t, err)
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: ethPAll, Ifindex: ifi.Index}))
	tv := syscall.NsecToTimeval((100 * time.Millisecond).Nanoseconds())
	require.NoError(t, syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv))
	var n atomic.Int64
	var quit atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		deadline := time.Now().Add(2 * time.Minute)
		for !quit.Load() && time.Now().Before(deadline) {
			m, _, err := syscall.Recvfrom(fd, buf, 0)
			if err != nil {
				continue // timeout: look at quit again
			}
			if isDNS(buf[:m]) {
				n.Add(1)
			}
		}
	}()
	return func() int {
		quit.Store(true)
		<-done
		_ = syscall.Close(fd)
		return int(n.Load())
	}
}

// isDNS tells whether an Ethernet frame carries UDP or TCP to or from port 53.
func isDNS(f []byte) bool {
	if len(f) < 14 {
		return false
	}
	et, p := binary.BigEndian.Uint16(f[12:14]), f[14:]
	var l4proto byte
	switch {
	case et == 0x0800 && len(p) >= 20:
		l4proto, p = p[9], p[int(p[0]&0x0f)*4:]
	case et == 0x86dd && len(p) >= 40:
		l4proto, p = p[6], p[40:]
	default:
		return false
	}
	if (l4proto != 6 && l4proto != 17) || len(p) < 4 {
		return false
	}
	return binary.BigEndian.Uint16(p[0:2]) == 53 || binary.BigEndian.Uint16(p[2:4]) == 53
}

func TestIsDNS(t *testing.T) {
	udp4 := append(make([]byte, 12), 0x08, 0x00)
	ip := make([]byte, 20)
	ip[0], ip[9] = 0x45, 17
	udp4 = append(append(udp4, ip...), 0xc0, 0x00, 0x00, 53)
	assert.True(t, isDNS(udp4))
	udp4[len(udp4)-1] = 54
	assert.False(t, isDNS(udp4))
	assert.False(t, isDNS([]byte{1, 2, 3}))
}

// TestUnknownNameReachesOurServer proves a name the zone does not have is
// asked of the world's server, by libc and by Go, and of nothing else.
func TestUnknownNameReachesOurServer(t *testing.T) {
	env := Require(t)
	srv := env.Server
	stop := sniffDNS(t)
	probe := fmt.Sprintf("probe-%d.test", time.Now().UnixNano())
	srv.Reset()
	out := pyEval(t, fmt.Sprintf("getaddrinfo(%q, 80, AF_UNSPEC, SOCK_STREAM)", probe))
	assert.Equal(t, "socket.gaierror: [Errno -2] Name or service not known", out[0])
	assert.Positive(t, srv.Count(probe, dns.TypeA), "libc's A query did not reach the world's server")
	assert.Positive(t, srv.Count(probe, dns.TypeAAAA), "libc's AAAA query did not reach the world's server")
	libcQueries := srv.Total()

	_, err := goResolver().LookupIPAddr(context.Background(), probe+".")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsNotFound)
	assert.Greater(t, srv.Total(), libcQueries, "Go's queries did not reach the world's server")

	for _, q := range srv.Queries() {
		assert.True(t, strings.HasPrefix(q.Name, probe+"."), "unexpected query %+v", q)
	}
	assert.Zero(t, stop(), "DNS packets left through %s", Interface)
}

func TestDelayAndDrop(t *testing.T) {
	env := Require(t)
	srv := env.Server
	t.Cleanup(srv.Resume)
	r := goResolver()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// A delay under the resolvers' timeout (1s) only slows answers down.
	srv.SetDelay(300 * time.Millisecond)
	start := time.Now()
	ips, err := r.LookupIP(ctx, "ip4", "v4only.test.")
	require.NoError(t, err)
	assert.Len(t, ips, 2)
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)

	// A delay past it makes lookups time out, in libc and in Go. Rooted
	// names keep the search list out: one timeout per lookup.
	srv.SetDelay(1500 * time.Millisecond)
	srv.Reset()
	out := pyEval(t, "getaddrinfo('v4only.test.', 80, AF_INET, SOCK_STREAM)")
	assert.Contains(t, out[0], "socket.gaierror: [Errno -", "a delayed answer must make libc fail")
	assert.Positive(t, srv.Count("v4only.test", dns.TypeA))
	_, err = r.LookupIP(ctx, "ip4", "v4only.test.")
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTimeout, "Go: %v", err)

	// Dropped queries are counted and never answered.
	srv.Resume()
	srv.Drop()
	srv.Reset()
	_, err = r.LookupIP(ctx, "ip4", "multi.test.")
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsTimeout, "Go: %v", err)
	assert.Positive(t, srv.Count("multi.test", dns.TypeA))
	out = pyEval(t, "gethostbyname('multi.test.')")
	assert.Contains(t, out[0], "socket.gaierror")

	srv.Resume()
	ips, err = r.LookupIP(ctx, "ip4", "multi.test")
	require.NoError(t, err)
	assert.Len(t, ips, 3)
	out = pyEval(t, "gethostbyname('multi.test')")
	assert.Equal(t, "'192.0.2.3'", out[0])
}

func TestTruncatedAnswersFallBackToTCP(t *testing.T) {
	env := Require(t)
	srv := env.Server
	srv.Reset()
	ips, err := goResolver().LookupIP(context.Background(), "ip4", "big.test")
	require.NoError(t, err)
	assert.Len(t, ips, 100)
	assert.Positive(t, srv.CountProto("big.test", dns.TypeA, "udp"), "Go asked over UDP first")
	assert.Positive(t, srv.CountProto("big.test", dns.TypeA, "tcp"), "Go retried over TCP")

	srv.Reset()
	out := pyEval(t, "len(gethostbyname_ex('big.test')[2])")
	assert.Equal(t, "100", out[0])
	assert.Positive(t, srv.CountProto("big.test", dns.TypeA, "udp"))
	assert.Positive(t, srv.CountProto("big.test", dns.TypeA, "tcp"), "libc retried over TCP")
}

func TestSearchListQueries(t *testing.T) {
	env := Require(t)
	srv := env.Server
	srv.Reset()
	out := pyEval(t, "gethostbyname('printer')")
	assert.Equal(t, "'192.0.2.50'", out[0])
	assert.Positive(t, srv.Count("printer.corp.test", dns.TypeA))
	assert.Zero(t, srv.Count("printer.lab.test", dns.TypeA), "the first search domain answered")
}

// rerun runs this test binary again for one test, as another user or with
// more environment, and returns its output and exit code.
func rerun(t *testing.T, cred *syscall.Credential, extraEnv ...string) (string, int) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	bin := filepath.Join(dir, "hermetic.test")
	b, err := os.ReadFile(exe)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, b, 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^TestNamespaceIsPrivate$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, EnvInside+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), 0
}

func TestNotRootSkips(t *testing.T) {
	Require(t)
	out, code := rerun(t, &syscall.Credential{Uid: 65534, Gid: 65534})
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "--- SKIP: TestNamespaceIsPrivate")
	assert.Contains(t, out, "hermetic: not root (euid 65534)")
}

func TestBrokenWorldFails(t *testing.T) {
	Require(t)
	out, code := rerun(t, nil, envBrokenWorld+"=1")
	assert.NotEqual(t, 0, code, out)
	assert.Contains(t, out, "--- FAIL: TestNamespaceIsPrivate")
	assert.Contains(t, out, "the world could not be built")
}

func TestServerListensOnBothLoopbacks(t *testing.T) {
	env := Require(t)
	env.Server.Reset()
	for _, proto := range []string{"udp", "tcp"} {
		for _, addr := range []string{"127.0.0.1:53", "[::1]:53"} {
			m := new(dns.Msg)
			m.SetQuestion("v6only.test.", dns.TypeAAAA)
			c := &dns.Client{Net: proto, Timeout: 2 * time.Second}
			r, _, err := c.Exchange(m, addr)
			require.NoError(t, err, "%s %s", proto, addr)
			assert.Len(t, r.Answer, 2, "%s %s", proto, addr)
		}
		assert.Equal(t, 2, env.Server.CountProto("v6only.test", dns.TypeAAAA, proto))
	}
}
