//go:build linux

package libcnet_test

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
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

func TestDial_LocalAddrOfTheOtherFamilyLeavesNoAddress(t *testing.T) {
	d := &libcnet.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("::1")}}
	_, err := d.Dial("tcp4", "localhost:80")
	var ae *net.AddrError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "no suitable address found", ae.Err)
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
