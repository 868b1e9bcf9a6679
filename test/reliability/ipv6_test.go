//go:build linux

package reliability

import (
	"encoding/binary"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// TestNoIPv6_ErrorsAreCPythons runs TestChildNoIPv6 in a network namespace of its own whose
// only interface, lo, is up with IPv6 disabled (the disable_ipv6 sysctls, so it has
// 127.0.0.1 and no ::1): what a host without IPv6 looks like. As root it must be able to
// build that namespace; a failure to is a failure, not a skip.
func TestNoIPv6_ErrorsAreCPythons(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a network namespace needs root")
	}
	out := requireChildPasses(t, "TestChildNoIPv6", childOptions{attr: &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNET,
		Pdeathsig:  syscall.SIGKILL,
	}})
	t.Logf("child:\n%s", out)
}

// noIPv6Python makes the calls of TestChildNoIPv6 in python3. p is the port of a TCP
// listener on 127.0.0.1.
const noIPv6Python = `
def run(f):
    try:
        return 'ok ' + repr(f())
    except BaseException as e:
        return exc(lambda: (_ for _ in ()).throw(e))
def closing(s):
    s.close()
def on6(typ, f):
    s = socket.socket(socket.AF_INET6, typ)
    try:
        return f(s)
    finally:
        s.close()
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(); p = l.getsockname()[1]
out['socket'] = run(lambda: closing(socket.socket(socket.AF_INET6)))
out['bind ::1'] = run(lambda: on6(socket.SOCK_STREAM, lambda s: s.bind(('::1', 0))))
out['bind ::'] = run(lambda: on6(socket.SOCK_STREAM, lambda s: s.bind(('::', 0))))
out['connect ::1'] = run(lambda: on6(socket.SOCK_STREAM, lambda s: s.connect(('::1', 9))))
out['connect_ex ::1'] = run(lambda: on6(socket.SOCK_STREAM, lambda s: s.connect_ex(('::1', 9))))
out['connect v4-mapped'] = run(lambda: on6(socket.SOCK_STREAM, lambda s: s.connect(('::ffff:127.0.0.1', p))))
out['sendto ::1'] = run(lambda: on6(socket.SOCK_DGRAM, lambda s: s.sendto(b'x', ('::1', 9))))
out['create_connection ::1'] = run(lambda: closing(socket.create_connection(('::1', p))))
out['create_connection localhost'] = run(lambda: closing(socket.create_connection(('localhost', p))))
out['create_server ::1'] = run(lambda: closing(socket.create_server(('::1', 0), family=socket.AF_INET6)))
out['create_server dualstack'] = run(lambda: closing(socket.create_server(('', 0), family=socket.AF_INET6, dualstack_ipv6=True)))
out['has_dualstack_ipv6'] = run(socket.has_dualstack_ipv6)
out['getaddrinfo localhost AF_INET6'] = run(lambda: socket.getaddrinfo('localhost', 80, socket.AF_INET6, socket.SOCK_STREAM))
out['getaddrinfo localhost AI_ADDRCONFIG'] = run(lambda: socket.getaddrinfo('localhost', 80, 0, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG))
out['getaddrinfo ::1 AI_ADDRCONFIG'] = run(lambda: socket.getaddrinfo('::1', 80, 0, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG))
out['gethostbyaddr ::1'] = run(lambda: socket.gethostbyaddr('::1'))
out['getnameinfo ::1'] = run(lambda: socket.getnameinfo(('::1', 80), 0))
`

// disableIPv6 turns IPv6 off in this process's network namespace before its loopback
// comes up, so that lo never gets ::1, and brings lo up.
func disableIPv6(t *testing.T) {
	for _, scope := range []string{"all", "default", "lo"} {
		require.NoError(t, os.WriteFile("/proc/sys/net/ipv6/conf/"+scope+"/disable_ipv6", []byte("1\n"), 0o644))
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	defer syscall.Close(fd)
	var ifr [40]byte // struct ifreq: the name, then the flags (a short)
	copy(ifr[:syscall.IFNAMSIZ-1], "lo")
	ioctl := func(req uintptr) {
		_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&ifr[0])))
		require.Zero(t, e, "ioctl %#x: %v", req, e)
	}
	ioctl(syscall.SIOCGIFFLAGS)
	flags := binary.NativeEndian.Uint16(ifr[syscall.IFNAMSIZ:])
	binary.NativeEndian.PutUint16(ifr[syscall.IFNAMSIZ:], flags|syscall.IFF_UP)
	ioctl(syscall.SIOCSIFFLAGS)
	v6, err := os.ReadFile("/proc/net/if_inet6")
	require.NoError(t, err)
	require.Empty(t, strings.TrimSpace(string(v6)), "the namespace still has IPv6 addresses")
}

// TestChildNoIPv6 is the child of TestNoIPv6_ErrorsAreCPythons: each call that needs IPv6
// fails as python3's fails in the same namespace ([Errno 99] for ::1, create_server's
// "(while attempting to bind on address ...)"), and those that do not (the IPv4 fallback
// of create_connection, AI_ADDRCONFIG, the hosts file, an IPv4-mapped connect) work as
// they do there.
func TestChildNoIPv6(t *testing.T) {
	inChild(t)
	disableIPv6(t)
	want := pyTexts(t, noIPv6Python)

	l, addr := listener(t, 8)
	_ = l
	run := func(v any, err error) string {
		if err != nil {
			return pyExc(err)
		}
		return "ok " + repr(v)
	}
	closing := func(s *facade.Socket, err error) (any, error) {
		if err == nil {
			s.Close()
		}
		return nil, err
	}
	on6 := func(typ facade.SocketKind, f func(s *facade.Socket) (any, error)) (any, error) {
		s, err := facade.New(facade.AF_INET6, typ, 0)
		require.NoError(t, err)
		defer s.Close()
		return f(s)
	}
	got := map[string]string{
		"socket": run(closing(facade.New(facade.AF_INET6, facade.SOCK_STREAM, 0))),
		"bind ::1": run(on6(facade.SOCK_STREAM, func(s *facade.Socket) (any, error) {
			return nil, s.Bind(py.Tuple{"::1", 0})
		})),
		"bind ::": run(on6(facade.SOCK_STREAM, func(s *facade.Socket) (any, error) {
			return nil, s.Bind(py.Tuple{"::", 0})
		})),
		"connect ::1": run(on6(facade.SOCK_STREAM, func(s *facade.Socket) (any, error) {
			return nil, s.Connect(py.Tuple{"::1", 9})
		})),
		"connect_ex ::1": run(on6(facade.SOCK_STREAM, func(s *facade.Socket) (any, error) {
			return s.ConnectEx(py.Tuple{"::1", 9})
		})),
		"connect v4-mapped": run(on6(facade.SOCK_STREAM, func(s *facade.Socket) (any, error) {
			return nil, s.Connect(py.Tuple{"::ffff:127.0.0.1", addr.Port})
		})),
		"sendto ::1": run(on6(facade.SOCK_DGRAM, func(s *facade.Socket) (any, error) {
			return s.SendTo([]byte("x"), 0, py.Tuple{"::1", 9})
		})),
		"create_connection ::1": run(closing(facade.CreateConnection(py.Tuple{"::1", addr.Port},
			facade.UseDefaultTimeout, nil, false))),
		"create_connection localhost": run(closing(facade.CreateConnection(py.Tuple{"localhost", addr.Port},
			facade.UseDefaultTimeout, nil, false))),
		"create_server ::1": run(closing(facade.CreateServer(py.Tuple{"::1", 0},
			facade.ServerOptions{Family: facade.AF_INET6}))),
		"create_server dualstack": run(closing(facade.CreateServer(py.Tuple{"", 0},
			facade.ServerOptions{Family: facade.AF_INET6, DualStackIPv6: true}))),
		"has_dualstack_ipv6": run(facade.HasDualStackIPv6(), nil),
		"getaddrinfo localhost AF_INET6": run(facade.GetAddrInfo("localhost", 80, facade.AF_INET6,
			facade.SOCK_STREAM, 0, 0)),
		"getaddrinfo localhost AI_ADDRCONFIG": run(facade.GetAddrInfo("localhost", 80, 0,
			facade.SOCK_STREAM, 0, facade.AI_ADDRCONFIG)),
		"getaddrinfo ::1 AI_ADDRCONFIG": run(facade.GetAddrInfo("::1", 80, 0,
			facade.SOCK_STREAM, 0, facade.AI_ADDRCONFIG)),
		"gethostbyaddr ::1": run(facade.GetHostByAddr("::1")),
		"getnameinfo ::1": func() string {
			h, p, err := facade.GetNameInfo(py.Tuple{"::1", 80}, 0)
			return run(py.Tuple{h, p}, err)
		}(),
	}
	assert.Equal(t, want, got)
	for _, k := range sortedKeys(got) {
		t.Logf("%-36s %s", k, got[k])
	}
	// Not vacuous: ::1 really is missing.
	assert.Equal(t, errnoText(t, syscall.EADDRNOTAVAIL), got["bind ::1"])
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// repr is Python's repr of a result the facade returns.
func repr(v any) string {
	switch v := v.(type) {
	case []facade.AddrInfo:
		parts := make([]string, len(v))
		for i, ai := range v {
			parts[i] = ai.PyRepr()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case int:
		return strconv.Itoa(v)
	}
	return py.Repr(v)
}
