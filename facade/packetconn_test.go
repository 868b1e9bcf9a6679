//go:build linux

package facade

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// The net.PacketConn adapter, tested in the manner of golang.org/x/net/nettest's
// TestConn (which covers net.Conn only): basic I/O, deadlines in the past, present and
// future, deadlines moved while a call waits, Close waking calls, concurrent methods;
// then what is the adapter's own (addresses, refusals, interoperation with the net
// package's own PacketConn).

// packetConnOf is s.PacketConn(), closed when the test ends.
func packetConnOf(t testing.TB, s *Socket) net.PacketConn {
	t.Helper()
	c, err := s.PacketConn()
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// packetPair makes two PacketConn adapters of the network ("udp", "udp6" or "unixgram"),
// bound to local addresses.
func packetPair(t *testing.T, network string) (net.PacketConn, net.PacketConn) {
	t.Helper()
	mk := func(i int) net.PacketConn {
		var s *Socket
		switch network {
		case "udp":
			s = mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
			require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
		case "udp6":
			s = mustSocket(t, csock.AF_INET6, csock.SOCK_DGRAM, -1)
			require.NoError(t, s.Bind(py.Tuple{"::1", 0}))
		case "unixgram":
			s = mustSocket(t, csock.AF_UNIX, csock.SOCK_DGRAM, -1)
			require.NoError(t, s.Bind(filepath.Join(t.TempDir(), fmt.Sprint("s", i))))
		}
		return packetConnOf(t, s)
	}
	return mk(1), mk(2)
}

var packetNetworks = []string{"udp", "udp6", "unixgram"}

func forPacketNetworks(t *testing.T, test func(t *testing.T, c1, c2 net.PacketConn)) {
	for _, network := range packetNetworks {
		t.Run(network, func(t *testing.T) {
			c1, c2 := packetPair(t, network)
			test(t, c1, c2)
		})
	}
}

func TestPacketConn_BasicIO(t *testing.T) {
	forPacketNetworks(t, func(t *testing.T, c1, c2 net.PacketConn) {
		require.NoError(t, c2.SetReadDeadline(time.Now().Add(10*time.Second)))
		for i := 0; i < 50; i++ {
			want := fmt.Sprintf("datagram %d", i)
			n, err := c1.WriteTo([]byte(want), c2.LocalAddr())
			require.NoError(t, err)
			assert.Equal(t, len(want), n)
			buf := make([]byte, 100)
			n, from, err := c2.ReadFrom(buf)
			require.NoError(t, err)
			assert.Equal(t, want, string(buf[:n]))
			assert.Equal(t, c1.LocalAddr().String(), from.String())
			assert.Equal(t, c1.LocalAddr().Network(), from.Network())
		}
		// A datagram longer than the buffer is cut; an empty one reads as 0.
		_, err := c1.WriteTo([]byte("0123456789"), c2.LocalAddr())
		require.NoError(t, err)
		buf := make([]byte, 4)
		n, _, err := c2.ReadFrom(buf)
		require.NoError(t, err)
		assert.Equal(t, "0123", string(buf[:n]))
		_, err = c1.WriteTo(nil, c2.LocalAddr())
		require.NoError(t, err)
		n, _, err = c2.ReadFrom(buf)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

func TestPacketConn_PastTimeout(t *testing.T) {
	forPacketNetworks(t, func(t *testing.T, c1, c2 net.PacketConn) {
		require.NoError(t, c1.SetDeadline(time.Now().Add(-time.Second)))
		_, _, err := c1.ReadFrom(make([]byte, 10))
		requireNetTimeout(t, err)
		_, err = c1.WriteTo([]byte("x"), c2.LocalAddr())
		requireNetTimeout(t, err)
	})
}

func TestPacketConn_PresentTimeoutAndMovedDeadline(t *testing.T) {
	forPacketNetworks(t, func(t *testing.T, c1, c2 net.PacketConn) {
		start := time.Now()
		require.NoError(t, c1.SetReadDeadline(start.Add(30*time.Millisecond)))
		_, _, err := c1.ReadFrom(make([]byte, 10))
		requireNetTimeout(t, err)
		assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

		// Moved while ReadFrom waits: first earlier, from none.
		require.NoError(t, c1.SetReadDeadline(time.Time{}))
		wait := goAsync(t, func() error {
			_, _, err := c1.ReadFrom(make([]byte, 10))
			return err
		})
		time.Sleep(20 * time.Millisecond)
		require.NoError(t, c1.SetReadDeadline(time.Now().Add(10*time.Millisecond)))
		requireNetTimeout(t, wait())

		// Then later: the datagram that arrives before it is read.
		require.NoError(t, c1.SetReadDeadline(time.Now().Add(20*time.Millisecond)))
		got := make(chan string, 1)
		wait = goAsync(t, func() error {
			buf := make([]byte, 10)
			n, _, err := c1.ReadFrom(buf)
			got <- string(buf[:n])
			return err
		})
		require.NoError(t, c1.SetReadDeadline(time.Now().Add(10*time.Second)))
		time.Sleep(40 * time.Millisecond)
		_, err = c2.WriteTo([]byte("late"), c1.LocalAddr())
		require.NoError(t, err)
		require.NoError(t, wait())
		assert.Equal(t, "late", <-got)
	})
}

func TestPacketConn_FutureTimeout(t *testing.T) {
	forPacketNetworks(t, func(t *testing.T, c1, c2 net.PacketConn) {
		require.NoError(t, c1.SetDeadline(time.Now().Add(time.Hour)))
		go c2.WriteTo([]byte("soon"), c1.LocalAddr())
		buf := make([]byte, 10)
		n, _, err := c1.ReadFrom(buf)
		require.NoError(t, err)
		assert.Equal(t, "soon", string(buf[:n]))
	})
}

func TestPacketConn_CloseWakesCallsAndIsErrClosed(t *testing.T) {
	forPacketNetworks(t, func(t *testing.T, c1, c2 net.PacketConn) {
		wait := goAsync(t, func() error {
			_, _, err := c1.ReadFrom(make([]byte, 10))
			return err
		})
		time.Sleep(20 * time.Millisecond)
		require.NoError(t, c1.Close())
		err := wait()
		assert.ErrorIs(t, err, net.ErrClosed)
		var oe *net.OpError
		require.True(t, errors.As(err, &oe))
		assert.Equal(t, "read", oe.Op)
		_, err = c1.WriteTo([]byte("x"), c2.LocalAddr())
		assert.ErrorIs(t, err, net.ErrClosed)
		assert.ErrorIs(t, c1.SetDeadline(time.Time{}), net.ErrClosed)
		assert.ErrorIs(t, c1.Close(), net.ErrClosed)
	})
}

func TestPacketConn_ConcurrentMethods(t *testing.T) {
	// nettest's testConcurrentMethods: every method at once, for the race detector.
	forPacketNetworks(t, func(t *testing.T, c1, c2 net.PacketConn) {
		require.NoError(t, c1.SetDeadline(time.Now().Add(5*time.Second)))
		require.NoError(t, c2.SetDeadline(time.Now().Add(5*time.Second)))
		var wg sync.WaitGroup
		const n = 20
		for i := 0; i < n; i++ {
			wg.Add(5)
			go func() { defer wg.Done(); c1.WriteTo([]byte("ping"), c2.LocalAddr()) }()
			go func() { defer wg.Done(); c2.ReadFrom(make([]byte, 10)) }()
			go func() { defer wg.Done(); c1.SetReadDeadline(time.Now().Add(5 * time.Second)) }()
			go func() { defer wg.Done(); c2.SetWriteDeadline(time.Now().Add(5 * time.Second)) }()
			go func() { defer wg.Done(); _ = c1.LocalAddr().String() }()
		}
		wg.Wait()
	})
}

func TestPacketConn_Addresses(t *testing.T) {
	t.Run("unnamed unixgram sender is nil", func(t *testing.T) {
		r, _ := packetPair(t, "unixgram")
		anon := mustSocket(t, csock.AF_UNIX, csock.SOCK_DGRAM, -1)
		_, err := anon.SendTo([]byte("who"), 0, r.LocalAddr().String())
		require.NoError(t, err)
		n, from, err := r.ReadFrom(make([]byte, 10))
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		assert.Nil(t, from)
	})
	t.Run("abstract names", func(t *testing.T) {
		s := mustSocket(t, csock.AF_UNIX, csock.SOCK_DGRAM, -1)
		require.NoError(t, s.Bind([]byte("\x00csock-pc-test")))
		c := packetConnOf(t, s)
		assert.Equal(t, "@csock-pc-test", c.LocalAddr().String())
		_, err := c.WriteTo([]byte("self"), &net.UnixAddr{Name: "@csock-pc-test", Net: "unixgram"})
		require.NoError(t, err)
		buf := make([]byte, 10)
		n, from, err := c.ReadFrom(buf)
		require.NoError(t, err)
		assert.Equal(t, "self", string(buf[:n]))
		assert.Equal(t, &net.UnixAddr{Name: "@csock-pc-test", Net: "unixgram"}, from)
	})
	t.Run("IPv4 to an AF_INET6 socket goes IPv4-mapped", func(t *testing.T) {
		s6 := mustSocket(t, csock.AF_INET6, csock.SOCK_DGRAM, -1)
		c6 := packetConnOf(t, s6)
		r, _ := packetPair(t, "udp")
		_, err := c6.WriteTo([]byte("mapped"), r.LocalAddr())
		require.NoError(t, err)
		require.NoError(t, r.SetReadDeadline(time.Now().Add(10*time.Second)))
		buf := make([]byte, 10)
		n, _, err := r.ReadFrom(buf)
		require.NoError(t, err)
		assert.Equal(t, "mapped", string(buf[:n]))
	})
	t.Run("CPython's checks of the destination", func(t *testing.T) {
		c, _ := packetPair(t, "udp")
		for _, tc := range []struct {
			addr net.Addr
			want string
		}{
			{nil, "TypeError: sendto(): AF_INET address must be tuple, not NoneType"},
			{&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 70000}, "OverflowError: sendto(): port must be 0-65535."},
			{&net.UnixAddr{Name: "/x", Net: "unixgram"}, "OSError: [Errno 22] Invalid argument"}, // as net
			{otherAddr{network: "x"}, "OSError: [Errno 22] Invalid argument"},
		} {
			_, err := c.WriteTo([]byte("x"), tc.addr)
			var oe *net.OpError
			require.True(t, errors.As(err, &oe), "%v", err)
			assert.Equal(t, "write", oe.Op)
			assert.Equal(t, tc.want, pyExc(err), "%v", tc.addr)
		}
	})
}

func TestPacketConn_Refusals(t *testing.T) {
	st := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	_, err := st.PacketConn()
	assert.Equal(t, "ValueError: PacketConn needs a datagram socket (SOCK_DGRAM or SOCK_RAW)", pyExc(err))
	a, b, err := SocketPair(AF_UNIX, SOCK_DGRAM, 0)
	require.NoError(t, err)
	closeLater(t, a)
	closeLater(t, b)
	_, err = a.PacketConn()
	requireErrno(t, err, syscall.EISCONN)
	c := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
	require.NoError(t, c.Close())
	_, err = c.PacketConn()
	assert.Equal(t, textEBADF, pyExc(err))
}

func TestPacketConn_InteroperatesWithNetListenPacket(t *testing.T) {
	theirs, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer theirs.Close()
	ours, _ := packetPair(t, "udp")
	require.NoError(t, theirs.SetDeadline(time.Now().Add(10*time.Second)))
	require.NoError(t, ours.SetDeadline(time.Now().Add(10*time.Second)))

	_, err = ours.WriteTo([]byte("to net"), theirs.LocalAddr())
	require.NoError(t, err)
	buf := make([]byte, 16)
	n, from, err := theirs.ReadFrom(buf)
	require.NoError(t, err)
	assert.Equal(t, "to net", string(buf[:n]))
	assert.Equal(t, ours.LocalAddr(), from)

	_, err = theirs.WriteTo([]byte("from net"), from)
	require.NoError(t, err)
	n, from, err = ours.ReadFrom(buf)
	require.NoError(t, err)
	assert.Equal(t, "from net", string(buf[:n]))
	assert.Equal(t, theirs.LocalAddr(), from)
}

func TestPacketConn_SocketTimeoutIsNotUsedNorChanged(t *testing.T) {
	s := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
	require.NoError(t, s.Bind(py.Tuple{loopback, 0}))
	require.NoError(t, s.SetBlocking(false))
	c := packetConnOf(t, s)
	go func() {
		time.Sleep(20 * time.Millisecond)
		peer := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
		a, _ := s.GetSockName()
		peer.SendTo([]byte("waited"), 0, a)
	}()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	buf := make([]byte, 10)
	n, _, err := c.ReadFrom(buf)
	require.NoError(t, err, "the adapter waits whatever the socket's timeout")
	assert.Equal(t, "waited", string(buf[:n]))
	assert.Equal(t, 0.0, s.GetTimeout())
}
