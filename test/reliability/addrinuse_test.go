//go:build linux

package reliability

import (
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// TestAddressInUse_BindAndCreateServerSayErrno98: binding a port a listener holds fails with
// OSError [Errno 98] — with and without SO_REUSEADDR, for TCP and UDP, and for an AF_UNIX
// path that exists — and create_server words it as CPython does ("... (while attempting to
// bind on address ...)"). python3 tries the same addresses while this process holds them.
// The failed sockets stay usable: binding them elsewhere works.
func TestAddressInUse_BindAndCreateServerSayErrno98(t *testing.T) {
	tcp, taddr := listener(t, 8)
	_ = tcp
	udp := newSocket(t, facade.AF_INET, facade.SOCK_DGRAM)
	require.NoError(t, udp.Bind(py.Tuple{loopback, 0}))
	ua, err := udp.GetSockName()
	require.NoError(t, err)
	uaddr := ua.(facade.InetAddress)
	path := filepath.Join(t.TempDir(), "sock")
	unix := newSocket(t, facade.AF_UNIX, facade.SOCK_STREAM)
	require.NoError(t, unix.Bind(path))
	require.NoError(t, unix.Listen())

	want := pyTexts(t, `
tp, up, path = `+strconv.Itoa(taddr.Port)+`, `+strconv.Itoa(uaddr.Port)+`, `+strconv.Quote(path)+`
def bind(family, typ, addr, reuse=False):
    s = socket.socket(family, typ)
    try:
        if reuse:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(addr)
    finally:
        s.close()
out['tcp'] = exc(lambda: bind(socket.AF_INET, socket.SOCK_STREAM, ('127.0.0.1', tp)))
out['tcp reuseaddr'] = exc(lambda: bind(socket.AF_INET, socket.SOCK_STREAM, ('127.0.0.1', tp), True))
out['tcp any'] = exc(lambda: bind(socket.AF_INET, socket.SOCK_STREAM, ('', tp)))
out['udp'] = exc(lambda: bind(socket.AF_INET, socket.SOCK_DGRAM, ('127.0.0.1', up)))
out['unix'] = exc(lambda: bind(socket.AF_UNIX, socket.SOCK_STREAM, path))
out['create_server'] = exc(lambda: socket.create_server(('127.0.0.1', tp)).close())
out['create_server reuse_port'] = exc(lambda: socket.create_server(('127.0.0.1', tp), reuse_port=True).close())
`)
	bind := func(family facade.AddressFamily, typ facade.SocketKind, addr any, reuse bool) error {
		s := newSocket(t, family, typ)
		if reuse {
			require.NoError(t, s.SetSockOptInt(facade.SOL_SOCKET, facade.SO_REUSEADDR, 1))
		}
		err := s.Bind(addr)
		if err != nil {
			// The socket is still usable after the failure.
			if family == facade.AF_INET {
				assert.NoError(t, s.Bind(py.Tuple{loopback, 0}))
			} else {
				assert.NoError(t, s.Bind(path+"2"))
			}
		}
		return err
	}
	createServer := func(opts facade.ServerOptions) error {
		s, err := facade.CreateServer(py.Tuple{loopback, taddr.Port}, opts)
		if err == nil {
			s.Close()
		}
		return err
	}
	got := map[string]string{
		"tcp":                      pyExc(bind(facade.AF_INET, facade.SOCK_STREAM, py.Tuple{loopback, taddr.Port}, false)),
		"tcp reuseaddr":            pyExc(bind(facade.AF_INET, facade.SOCK_STREAM, py.Tuple{loopback, taddr.Port}, true)),
		"tcp any":                  pyExc(bind(facade.AF_INET, facade.SOCK_STREAM, py.Tuple{"", taddr.Port}, false)),
		"udp":                      pyExc(bind(facade.AF_INET, facade.SOCK_DGRAM, py.Tuple{loopback, uaddr.Port}, false)),
		"unix":                     pyExc(bind(facade.AF_UNIX, facade.SOCK_STREAM, path, false)),
		"create_server":            pyExc(createServer(facade.ServerOptions{})),
		"create_server reuse_port": pyExc(createServer(facade.ServerOptions{ReusePort: true})),
	}
	assert.Equal(t, want, got)
	assert.Equal(t, errnoText(t, syscall.EADDRINUSE), got["tcp"])
}
