//go:build linux

package facade

import (
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// shape is what the adapters must share with the net package about an outcome: the
// count, and for an error its *net.OpError's Op, Net, Source and Addr, and what errors.Is
// finds (the wrapped error's own text is the facade's).
func shape(n int, err error) string {
	if err == nil {
		return fmt.Sprintf("%d ok", n)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) {
		return fmt.Sprintf("%d %T", n, err)
	}
	str := func(a net.Addr) string {
		if a == nil || reflect.ValueOf(a).Kind() == reflect.Pointer && reflect.ValueOf(a).IsNil() {
			return "<none>"
		}
		return a.Network() + " " + a.String()
	}
	return fmt.Sprintf("%d op=%s net=%s src=%s addr=%s closed=%v einval=%v timeout=%v missing=%v", n, oe.Op, oe.Net,
		str(oe.Source), str(oe.Addr), errors.Is(err, net.ErrClosed), errors.Is(err, syscall.EINVAL),
		errors.Is(err, os.ErrDeadlineExceeded), oe.Err != nil && oe.Err.Error() == "missing address")
}

// The adapters' conn calls against a *net.TCPConn's, the same calls on each: a zero-byte
// Read after the read deadline passed, the deadline setters and the raw connection after
// Close, a listener's second Close.
func TestAdapters_ErrorsShapedAsNetsConns(t *testing.T) {
	netLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer netLn.Close()
	netC, err := net.Dial("tcp", netLn.Addr().String())
	require.NoError(t, err)
	defer netC.Close()
	facadeC, facadePeer, stop, err := tcpNetPipe()
	require.NoError(t, err)
	defer stop()
	defer facadePeer.Close()

	run := func(c net.Conn) []string {
		local, remote := c.LocalAddr().String(), c.RemoteAddr().String()
		var out []string
		require.NoError(t, c.SetReadDeadline(time.Now().Add(-time.Second)))
		n, err := c.Read(nil)
		out = append(out, "read0 past deadline: "+shape(n, err))
		rc, err := c.(syscall.Conn).SyscallConn()
		require.NoError(t, err)
		require.NoError(t, c.Close())
		n, err = c.Read(nil)
		out = append(out, "read0 closed: "+shape(n, err))
		out = append(out, "set: "+shape(0, c.SetDeadline(time.Now())),
			"setread: "+shape(0, c.SetReadDeadline(time.Now())),
			"setwrite: "+shape(0, c.SetWriteDeadline(time.Now())))
		rc2, err := c.(syscall.Conn).SyscallConn()
		out = append(out, "syscallconn closed: "+shape(0, err))
		if rc2 != nil {
			out = append(out, "raw-control: "+shape(0, rc2.Control(func(uintptr) {})))
		}
		out = append(out, "raw-read: "+shape(0, rc.Read(func(uintptr) bool { return true })))
		for i := range out {
			out[i] = strings.ReplaceAll(strings.ReplaceAll(out[i], local, "LOCAL"), remote, "REMOTE")
		}
		return out
	}
	want := run(netC)
	got := run(facadeC)
	assert.Equal(t, want, got)

	fl, err := CreateServer(py.Tuple{"127.0.0.1", 0}, ServerOptions{})
	require.NoError(t, err)
	ln, err := fl.NetListener()
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	require.NoError(t, netLn.Close())
	assert.Equal(t, strings.ReplaceAll(shape(0, netLn.Close()), netLn.Addr().String(), "L"), strings.ReplaceAll(shape(0, ln.Close()), ln.Addr().String(), "L"))
}

// PacketConn.WriteTo with nil pointers and addresses of the other family's kind answers
// as a *net.UDPConn's or *net.UnixConn's WriteTo (it panicked on a nil *net.UDPAddr).
func TestPacketConn_WriteToNilAndForeignAddressesAsNet(t *testing.T) {
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer udp.Close()
	path := t.TempDir() + "/g"
	ugram, err := net.ListenPacket("unixgram", path)
	require.NoError(t, err)
	defer ugram.Close()

	fu := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
	require.NoError(t, fu.Bind(py.Tuple{"127.0.0.1", 0}))
	fpu, err := fu.PacketConn()
	require.NoError(t, err)
	fg := mustSocket(t, csock.AF_UNIX, csock.SOCK_DGRAM, -1)
	require.NoError(t, fg.Bind(t.TempDir()+"/f"))
	fpg, err := fg.PacketConn()
	require.NoError(t, err)

	addrs := []net.Addr{(*net.UDPAddr)(nil), (*net.IPAddr)(nil), (*net.UnixAddr)(nil),
		&net.UnixAddr{Name: "/x", Net: "unixgram"}, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}}
	for _, pair := range []struct {
		name      string
		net, ours net.PacketConn
	}{{"udp", udp, fpu}, {"unixgram", ugram, fpg}} {
		for _, a := range addrs {
			switch x := a.(type) {
			case *net.UDPAddr:
				if pair.name == "udp" && x != nil {
					continue // a real send: not the point here
				}
			case *net.IPAddr:
				if pair.name == "udp" {
					continue // documented: UDP's WriteTo takes a *net.IPAddr too
				}
			}
			n, err := pair.net.WriteTo([]byte("x"), a)
			want := strings.ReplaceAll(shape(n, err), pair.net.LocalAddr().String(), "L")
			var got string
			require.NotPanics(t, func() {
				n, err = pair.ours.WriteTo([]byte("x"), a)
				got = strings.ReplaceAll(shape(n, err), pair.ours.LocalAddr().String(), "L")
			}, "%s %#v", pair.name, a)
			assert.Equal(t, want, got, "%s %T %v", pair.name, a, a)
		}
	}

	// WriteMsgUnix after Close: Addr is the address given (none here), not the peer's.
	type msgWriter interface {
		WriteMsgUnix(b, oob []byte, addr *net.UnixAddr) (int, int, error)
	}
	require.NoError(t, ugram.Close())
	require.NoError(t, fpg.Close())
	_, _, err = ugram.(msgWriter).WriteMsgUnix([]byte("x"), nil, nil)
	want := strings.ReplaceAll(shape(0, err), ugram.LocalAddr().String(), "L")
	_, _, err = fpg.(msgWriter).WriteMsgUnix([]byte("x"), nil, nil)
	assert.Equal(t, want, strings.ReplaceAll(shape(0, err), fpg.LocalAddr().String(), "L"))
}
