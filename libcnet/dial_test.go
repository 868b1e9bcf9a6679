//go:build linux

package libcnet_test

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/seam"
	"github.com/csock/csock/libcnet"
)

// echoListener serves one echo per connection on 127.0.0.1 until the test ends.
func echoListener(t *testing.T) (port string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// A plain loop: io.Copy between TCP conns splices through pipes Go keeps
			// cached, which the descriptor check would take for leaks.
			buf := make([]byte, 64)
			for {
				n, err := c.Read(buf)
				if err != nil {
					break
				}
				if _, err := c.Write(buf[:n]); err != nil {
					break
				}
			}
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port
}

func roundTrip(t *testing.T, c net.Conn) {
	t.Helper()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	_, err := c.Write([]byte("ping"))
	require.NoError(t, err)
	buf := make([]byte, 4)
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	assert.Equal(t, "ping", string(buf))
}

func TestDial_TCPByNameIsGosTCPConn(t *testing.T) {
	port := echoListener(t)
	d := &libcnet.Dialer{Timeout: 5 * time.Second}
	c, err := d.Dial("tcp4", net.JoinHostPort("localhost", port))
	require.NoError(t, err)
	defer c.Close()
	tc, ok := c.(*net.TCPConn)
	require.True(t, ok, "%T", c)
	assert.Equal(t, "127.0.0.1:"+port, tc.RemoteAddr().String())
	roundTrip(t, c)
}

func TestDial_ServiceNameIsLookedUpInLibc(t *testing.T) {
	// Nothing listens on 127.0.0.1:domain (53) outside the hermetic world: the port is
	// what matters.
	d := &libcnet.Dialer{Timeout: 5 * time.Second}
	_, err := d.Dial("tcp4", "localhost:domain")
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "127.0.0.1:53", op.Addr.String())
}

func TestDial_UDPAndUnixAreGosConns(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer pc.Close()
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	var d libcnet.Dialer
	c, err := d.DialContext(context.Background(), "udp", net.JoinHostPort("localhost", port))
	require.NoError(t, err)
	defer c.Close()
	_, ok := c.(*net.UDPConn)
	assert.True(t, ok, "%T", c)

	path := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	defer ln.Close()
	u, err := d.Dial("unix", path)
	require.NoError(t, err)
	defer u.Close()
	_, ok = u.(*net.UnixConn)
	assert.True(t, ok, "%T", u)
}

func TestDial_RefusedIsNetsOpError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	var d libcnet.Dialer
	_, err = d.Dial("tcp4", net.JoinHostPort("localhost", port))
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "dial", op.Op)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
}

func TestDial_ResolverFailureIsOpErrorAroundDNSError(t *testing.T) {
	defer seam.GetAddrInfoHook.Set(func(seam.Call) error { return &csock.GaiError{Code: csock.EAI_NONAME} })()
	var d libcnet.Dialer
	_, err := d.Dial("tcp", "name.invalid:80")
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	var de *net.DNSError
	require.ErrorAs(t, err, &de)
	assert.True(t, de.IsNotFound)
	assert.Equal(t, "dial tcp: lookup name.invalid: no such host", err.Error())
}

// With a LocalAddr of the other family nothing is left to try: the error is net's own,
// field for field (no Source, no Addr, the AddrError naming LocalAddr), as net gives it
// for the address the name resolves to.
func TestDial_LocalAddrOfTheOtherFamilyIsNetsErrorExactly(t *testing.T) {
	for _, c := range []struct {
		network string
		local   net.Addr
	}{
		{"tcp4", &net.TCPAddr{IP: net.IPv6loopback}},
		{"tcp", &net.TCPAddr{IP: net.IPv6loopback}},
		{"udp", &net.UDPAddr{IP: net.IPv6loopback}},
		{"tcp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}}, // "mismatched local address type"
	} {
		_, want := (&net.Dialer{LocalAddr: c.local}).Dial(c.network, "127.0.0.1:80")
		require.Error(t, want)
		_, err := (&libcnet.Dialer{LocalAddr: c.local}).Dial(c.network, "localhost:80")
		assert.Equal(t, want, err, "%s from %v", c.network, c.local)
		assert.EqualError(t, err, want.Error())
	}
	_, err := (&libcnet.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv6loopback}}).Dial("tcp4", "localhost:80")
	assert.EqualError(t, err, "dial tcp4: address [::1]:0: no suitable address found")
}

// A wildcard LocalAddr (::, 0.0.0.0, no IP) filters nothing: net binds the wildcard, a
// dual-stack socket for ::, and connects to the IPv4 listener localhost resolves to.
func TestDial_WildcardLocalAddrKeepsEveryFamilyAsNet(t *testing.T) {
	port := echoListener(t)
	for _, local := range []net.Addr{
		&net.TCPAddr{IP: net.IPv6unspecified}, &net.TCPAddr{IP: net.IPv4zero}, &net.TCPAddr{},
		(*net.TCPAddr)(nil),
	} {
		nc, err := (&net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}).Dial("tcp", "localhost:"+port)
		require.NoError(t, err, "net from %v", local)
		nc.Close()
		c, err := (&libcnet.Dialer{LocalAddr: local, Timeout: 5 * time.Second}).Dial("tcp", "localhost:"+port)
		if !assert.NoError(t, err, "libcnet from %v", local) {
			continue
		}
		assert.Equal(t, nc.RemoteAddr().String(), c.RemoteAddr().String())
		roundTrip(t, c)
		c.Close()
	}
}

// A service name is libc's whatever the host: with an address literal too, it is looked
// up as given (getservbyname_r, case-sensitive), not by net's case-folding table.
func TestDial_ServiceNameWithAnAddressLiteralIsLibcs(t *testing.T) {
	http, err := csock.GetServByName([]byte("http"), []byte("tcp"), 0)
	require.NoError(t, err)
	var seen []string
	d := &libcnet.Dialer{Control: func(_, address string, _ syscall.RawConn) error {
		seen = append(seen, address)
		return errors.New("stop")
	}}
	for _, address := range []string{"127.0.0.1:http", "[::1]:http"} {
		seen = nil
		_, err := d.Dial("tcp", address)
		require.Error(t, err)
		host, _, _ := net.SplitHostPort(address)
		assert.Equal(t, []string{net.JoinHostPort(host, strconv.Itoa(http))}, seen, address)
	}

	_, byName := d.Dial("tcp", "localhost:HTTP")
	var de *net.DNSError
	require.ErrorAs(t, byName, &de, "glibc's services lookup is case-sensitive")
	for _, address := range []string{"127.0.0.1:HTTP", ":HTTP"} {
		seen = nil
		_, err := d.Dial("tcp", address)
		assert.Equal(t, byName, err, address)
		assert.Empty(t, seen, "no attempt")
	}
	assert.EqualError(t, byName, "dial tcp: lookup tcp/HTTP: unknown port")
}

func TestDial_ControlSeesEachAttempt(t *testing.T) {
	port := echoListener(t)
	var seen []string
	d := &libcnet.Dialer{Control: func(network, address string, _ syscall.RawConn) error {
		seen = append(seen, network+" "+address)
		return nil
	}}
	c, err := d.Dial("tcp4", "localhost:"+port)
	require.NoError(t, err)
	c.Close()
	assert.Equal(t, []string{"tcp4 127.0.0.1:" + port}, seen)

	d.ControlContext = func(context.Context, string, string, syscall.RawConn) error { return errors.New("no") }
	_, err = d.Dial("tcp4", "localhost:"+port)
	assert.EqualError(t, err, "dial tcp4 127.0.0.1:"+port+": no", "ControlContext wins over Control, as in net")
}

func TestDial_TimeoutCoversTheConnect(t *testing.T) {
	full := libcnet.FullBacklog(t)
	d := &libcnet.Dialer{Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err := d.Dial("tcp4", "localhost:"+full)
	require.Error(t, err)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "%v", err)
	assert.Less(t, time.Since(start), 3*time.Second)
}
