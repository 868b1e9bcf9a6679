//go:build linux

package facade

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/nettest"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// netConnOf is s.NetConn(), closed when the test ends.
func netConnOf(t testing.TB, s *Socket) net.Conn {
	t.Helper()
	c, err := s.NetConn()
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// tcpNetPipe makes two adapters over a TCP connection on 127.0.0.1: the client made by
// CreateConnection, the server end by a NetListener's Accept.
func tcpNetPipe() (c1, c2 net.Conn, stop func(), err error) {
	srv, err := CreateServer(InetAddress{Host: loopback, Port: 0}, ServerOptions{})
	if err != nil {
		return nil, nil, nil, err
	}
	ln, err := srv.NetListener()
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	defer ln.Close()
	cli, err := CreateConnection(py.Tuple{loopback, ln.Addr().(*net.TCPAddr).Port}, UseDefaultTimeout, nil, false)
	if err != nil {
		return nil, nil, nil, err
	}
	if c1, err = cli.NetConn(); err != nil {
		cli.Close()
		return nil, nil, nil, err
	}
	if c2, err = ln.Accept(); err != nil {
		c1.Close()
		return nil, nil, nil, err
	}
	return c1, c2, func() { c1.Close(); c2.Close() }, nil
}

// unixNetPipe makes two adapters over a socketpair(AF_UNIX, SOCK_STREAM).
func unixNetPipe() (c1, c2 net.Conn, stop func(), err error) {
	a, b, err := SocketPair(AF_UNIX, SOCK_STREAM, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	if c1, err = a.NetConn(); err != nil {
		a.Close()
		b.Close()
		return nil, nil, nil, err
	}
	if c2, err = b.NetConn(); err != nil {
		c1.Close()
		b.Close()
		return nil, nil, nil, err
	}
	return c1, c2, func() { c1.Close(); c2.Close() }, nil
}

// The net.Conn conformance suite of golang.org/x/net/nettest, over TCP and over a Unix
// socket pair; and over sockets whose own timeout mode (non-blocking, a short timeout)
// the adapter must not use.
func TestNetConn_NettestConformance(t *testing.T) {
	t.Run("tcp", func(t *testing.T) { nettest.TestConn(t, tcpNetPipe) })
	t.Run("unix", func(t *testing.T) { nettest.TestConn(t, unixNetPipe) })
	t.Run("unix_socket_timeouts_ignored", func(t *testing.T) {
		nettest.TestConn(t, func() (net.Conn, net.Conn, func(), error) {
			c1, c2, stop, err := unixNetPipe()
			if err == nil {
				err = errors.Join(
					c1.(*netConn).Socket().SetBlocking(false),
					c2.(*netConn).Socket().SetTimeout(time.Millisecond))
			}
			return c1, c2, stop, err
		})
	})
}

func TestNetConn_CompileTimeInterfaces(t *testing.T) {
	a, _ := socketPair(t)
	c := netConnOf(t, a)
	assert.Implements(t, (*syscall.Conn)(nil), c)
	cw, ok := c.(interface {
		CloseRead() error
		CloseWrite() error
		Socket() *Socket
	})
	require.True(t, ok)
	assert.Same(t, a, cw.Socket())
}

func TestNetConn_ReadIsEOFAfterCloseWriteOfThePeer(t *testing.T) {
	a, b := socketPair(t)
	ca, cb := netConnOf(t, a), netConnOf(t, b)
	_, err := ca.Write([]byte("last words"))
	require.NoError(t, err)
	require.NoError(t, ca.(interface{ CloseWrite() error }).CloseWrite())
	got, err := io.ReadAll(testutil.BoundedReader(cb, 100, 10*time.Second))
	require.NoError(t, err, "ReadAll stops at io.EOF")
	assert.Equal(t, "last words", string(got))
	n, err := cb.Read(make([]byte, 8))
	assert.Zero(t, n)
	assert.Same(t, io.EOF, err, "io.EOF itself, not wrapped")
}

func TestNetConn_EmptyDatagramIsNotEOF(t *testing.T) {
	a, b, err := SocketPair(AF_UNIX, SOCK_DGRAM, 0)
	require.NoError(t, err)
	closeLater(t, a)
	closeLater(t, b)
	ca, cb := netConnOf(t, a), netConnOf(t, b)
	_, err = ca.Write(nil)
	require.NoError(t, err)
	n, err := cb.Read(make([]byte, 8))
	assert.Zero(t, n)
	assert.NoError(t, err, "as net.UnixConn: an empty datagram is 0, nil")
	assert.Equal(t, "unixgram", cb.LocalAddr().Network())
}

func TestNetConn_ZeroLengthReadDoesNotWait(t *testing.T) {
	a, _ := socketPair(t)
	c := netConnOf(t, a)
	within(t, 5*time.Second, "Read(nil)", func() {
		n, err := c.Read(nil)
		assert.Zero(t, n)
		assert.NoError(t, err)
	})
}

// A deadline moved while Read waits takes effect at once: into the past wakes it, further
// away or cleared keeps it waiting, nearer makes it time out then.
func TestNetConn_DeadlineMovedWhileReadWaits(t *testing.T) {
	t.Run("into_the_past_wakes_it", func(t *testing.T) {
		a, _ := socketPair(t)
		c := netConnOf(t, a)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(time.Hour)))
		wait := goAsync(t, func() error { _, err := c.Read(make([]byte, 8)); return err })
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		require.NoError(t, c.SetReadDeadline(time.Unix(1, 0)))
		requireNetTimeout(t, wait())
		assert.Less(t, time.Since(start), 5*time.Second)
	})
	t.Run("nearer_times_out_then", func(t *testing.T) {
		a, _ := socketPair(t)
		c := netConnOf(t, a)
		wait := goAsync(t, func() error { _, err := c.Read(make([]byte, 8)); return err })
		time.Sleep(50 * time.Millisecond)
		set := time.Now()
		require.NoError(t, c.SetReadDeadline(set.Add(100*time.Millisecond)))
		requireNetTimeout(t, wait())
		assert.GreaterOrEqual(t, time.Since(set), 100*time.Millisecond)
	})
	for name, later := range map[string]time.Time{"cleared": {}, "extended": time.Now().Add(time.Hour)} {
		t.Run(name+"_keeps_it_waiting", func(t *testing.T) {
			a, b := socketPair(t)
			c := netConnOf(t, a)
			require.NoError(t, c.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
			buf := make([]byte, 8)
			wait := goAsync(t, func() error {
				n, err := c.Read(buf)
				if err == nil && string(buf[:n]) != "late" {
					err = errors.New("read " + strconv.Quote(string(buf[:n])))
				}
				return err
			})
			time.Sleep(50 * time.Millisecond)
			require.NoError(t, c.SetReadDeadline(later))
			time.Sleep(400 * time.Millisecond) // past the first deadline
			_, err := b.Send([]byte("late"), 0)
			require.NoError(t, err)
			assert.NoError(t, wait())
		})
	}
}

func TestNetConn_DeadlineInThePastFailsBeforeTrying(t *testing.T) {
	a, b := socketPair(t)
	c := netConnOf(t, a)
	_, err := b.Send([]byte("ready"), 0)
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(-time.Second)))
	n, err := c.Read(make([]byte, 8))
	assert.Zero(t, n)
	requireNetTimeout(t, err)
	n, err = c.Write([]byte("x"))
	assert.Zero(t, n)
	requireNetTimeout(t, err)
	require.NoError(t, c.SetDeadline(time.Time{}))
	n, err = c.Read(make([]byte, 8))
	require.NoError(t, err)
	assert.Equal(t, 5, n)
}

// A Write blocked on a full buffer fails when its deadline passes and reports what it sent.
func TestNetConn_WriteTimeoutReportsTheCountSent(t *testing.T) {
	a, b := socketPair(t)
	c := netConnOf(t, a)
	big := make([]byte, 16<<20)
	var n int
	wait := goAsync(t, func() (err error) { n, err = c.Write(big); return err })
	// Once the peer sees bytes, the Write has sent some and waits for room for the rest.
	require.NoError(t, b.SetTimeout(10.0))
	_, err := b.Recv(1, csock.MSG_PEEK)
	require.NoError(t, err)
	require.NoError(t, c.SetWriteDeadline(time.Now()))
	requireNetTimeout(t, wait())
	assert.Positive(t, n)
	assert.Less(t, n, len(big))
}

// requireNetTimeout checks that err is what a net.Conn returns when a deadline passes.
func requireNetTimeout(t testing.TB, err error) {
	t.Helper()
	require.Error(t, err)
	var ne net.Error
	require.True(t, errors.As(err, &ne), "%T %v is not a net.Error", err, err)
	assert.True(t, ne.Timeout(), "Timeout() of %v", err)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var oe *net.OpError
	assert.ErrorAs(t, err, &oe)
	var te *TimeoutError
	assert.ErrorAs(t, err, &te, "the facade's TimeoutError is reachable")
	assert.Contains(t, err.Error(), "i/o timeout")
}

// Close of the net.Conn wakes a Read and a Write blocked in it with net.ErrClosed, and
// closes the socket.
func TestNetConn_CloseWakesBlockedCallsWithErrClosed(t *testing.T) {
	a, _ := socketPair(t)
	c := netConnOf(t, a)
	read := goAsync(t, func() error { _, err := c.Read(make([]byte, 8)); return err })
	write := goAsync(t, func() error {
		for {
			if _, err := c.Write(make([]byte, 1<<20)); err != nil {
				return err
			}
		}
	})
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, c.Close())
	for _, err := range []error{read(), write()} {
		requireNetClosed(t, err)
	}
	assert.Equal(t, -1, a.Fileno(), "the socket is closed")

	requireNetClosed(t, c.Close())
	_, err := c.Read(make([]byte, 1))
	requireNetClosed(t, err)
	_, err = c.Write([]byte("x"))
	requireNetClosed(t, err)
	requireNetClosed(t, c.SetDeadline(time.Now()))
	requireNetClosed(t, c.SetReadDeadline(time.Now()))
	requireNetClosed(t, c.SetWriteDeadline(time.Now()))
	requireNetClosed(t, c.(interface{ CloseWrite() error }).CloseWrite())
}

// Closing the Socket itself is a close of the adapter too.
func TestNetConn_SocketCloseIsErrClosed(t *testing.T) {
	a, _ := socketPair(t)
	c := netConnOf(t, a)
	read := goAsync(t, func() error { _, err := c.Read(make([]byte, 8)); return err })
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, a.Close())
	requireNetClosed(t, read())
	_, err := c.Write([]byte("x"))
	requireNetClosed(t, err)
}

// requireNetClosed checks that err is what a net.Conn returns once closed, and that the
// facade's [Errno 9] is reachable.
func requireNetClosed(t testing.TB, err error) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, net.ErrClosed)
	assert.ErrorIs(t, err, syscall.EBADF)
	var oe *OSError
	assert.ErrorAs(t, err, &oe)
	var op *net.OpError
	assert.ErrorAs(t, err, &op)
	assert.Contains(t, err.Error(), "use of closed network connection")
}

// A reset connection is the facade's ConnectionResetError inside a *net.OpError.
func TestNetConn_ResetIsTheFacadesError(t *testing.T) {
	conn, cli := connectedTCP(t)
	c := netConnOf(t, cli)
	require.NoError(t, conn.SetSockOptBytes(csock.SOL_SOCKET, csock.SO_LINGER, []byte{1, 0, 0, 0, 0, 0, 0, 0}))
	require.NoError(t, conn.Close())
	var err error
	within(t, 5*time.Second, "Read", func() { _, err = c.Read(make([]byte, 8)) })
	require.Error(t, err)
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "read", op.Op)
	assert.Equal(t, "tcp", op.Net)
	assert.Equal(t, c.LocalAddr(), op.Source)
	assert.Equal(t, c.RemoteAddr(), op.Addr)
	assert.ErrorIs(t, err, syscall.ECONNRESET)
	var oe *OSError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "ConnectionResetError", oe.PyClass())
	assert.False(t, op.Timeout())
	assert.NotErrorIs(t, err, net.ErrClosed)
}

// The adapter waits whatever the socket's timeout, and leaves that timeout alone.
func TestNetConn_SocketTimeoutIsNotUsedNorChanged(t *testing.T) {
	for _, timeout := range []any{0.0, 0.01, nil} {
		a, b := socketPair(t)
		require.NoError(t, a.SetTimeout(timeout))
		c := netConnOf(t, a)
		read := goAsync(t, func() error {
			buf := make([]byte, 8)
			n, err := c.Read(buf)
			if err == nil && string(buf[:n]) != "hi" {
				err = errors.New("read " + strconv.Quote(string(buf[:n])))
			}
			return err
		})
		time.Sleep(100 * time.Millisecond)
		_, err := b.Send([]byte("hi"), 0)
		require.NoError(t, err)
		assert.NoError(t, read(), "timeout %v", timeout)
		assert.Equal(t, timeout, a.GetTimeout())
		// The Socket's own methods still follow it.
		if timeout == 0.0 {
			_, err := a.Recv(8, 0)
			requireErrno(t, err, syscall.EAGAIN)
		}
	}
}

func TestNetConn_Addresses(t *testing.T) {
	t.Run("tcp", func(t *testing.T) {
		conn, cli := connectedTCP(t)
		c := netConnOf(t, cli)
		la, ra := c.LocalAddr().(*net.TCPAddr), c.RemoteAddr().(*net.TCPAddr)
		sn, _ := cli.GetSockName()
		pn, _ := cli.GetPeerName()
		assert.Equal(t, sn.(InetAddress).Port, la.Port)
		assert.Equal(t, pn.(InetAddress).Port, ra.Port)
		assert.Equal(t, "127.0.0.1", la.IP.String())
		assert.Len(t, la.IP, net.IPv4len)
		assert.Equal(t, "tcp", la.Network())
		cc := netConnOf(t, conn)
		assert.Equal(t, la.String(), cc.RemoteAddr().String())
	})
	t.Run("tcp6", func(t *testing.T) {
		srv, err := CreateServer(py.Tuple{"::1", 0}, ServerOptions{Family: AF_INET6})
		if err != nil {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		closeLater(t, srv)
		ln, err := srv.NetListener()
		require.NoError(t, err)
		port := ln.Addr().(*net.TCPAddr).Port
		cli, err := CreateConnection(py.Tuple{"::1", port}, UseDefaultTimeout, nil, false)
		require.NoError(t, err)
		c := netConnOf(t, cli)
		assert.Equal(t, "[::1]:"+strconv.Itoa(port), c.RemoteAddr().String())
		sc, err := ln.Accept()
		require.NoError(t, err)
		defer sc.Close()
		assert.Equal(t, c.LocalAddr().String(), sc.RemoteAddr().String())
	})
	t.Run("udp", func(t *testing.T) {
		u, addr := udpSocket(t)
		v := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
		require.NoError(t, v.Connect(addr))
		c := netConnOf(t, v)
		assert.Equal(t, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: addr.Port}, c.RemoteAddr())
		_, err := c.Write([]byte("dgram"))
		require.NoError(t, err)
		got, _, err := u.RecvFrom(16, 0)
		require.NoError(t, err)
		assert.Equal(t, "dgram", string(got))
	})
	t.Run("unix_path_and_abstract", func(t *testing.T) {
		path := t.TempDir() + "/sock"
		for name, addr := range map[string]any{path: path, "@csock-netconn-" + strconv.Itoa(os.Getpid()): []byte("\x00csock-netconn-" + strconv.Itoa(os.Getpid()))} {
			srv := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
			require.NoError(t, srv.Bind(addr))
			require.NoError(t, srv.Listen())
			ln, err := srv.NetListener()
			require.NoError(t, err)
			assert.Equal(t, &net.UnixAddr{Name: name, Net: "unix"}, ln.Addr())
			cli := mustSocket(t, csock.AF_UNIX, csock.SOCK_STREAM, -1)
			require.NoError(t, cli.Connect(addr))
			c := netConnOf(t, cli)
			assert.Equal(t, &net.UnixAddr{Name: name, Net: "unix"}, c.RemoteAddr())
			// An unnamed socket is "@", as the net package names it.
			nc, err := net.Dial("unix", name)
			require.NoError(t, err)
			assert.Equal(t, nc.LocalAddr(), c.LocalAddr(), "unnamed, not nil")
			sc, err := ln.Accept()
			require.NoError(t, err)
			assert.Equal(t, nc.LocalAddr().String(), sc.RemoteAddr().String())
			sc.Close()
			nc.Close()
		}
	})
}

func TestNetConn_RefusesWhatIsNotConnected(t *testing.T) {
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	_, err := s.NetConn()
	requireErrno(t, err, syscall.ENOTCONN)
	srv, _ := tcpListener(t)
	_, err = srv.NetConn()
	requireErrno(t, err, syscall.ENOTCONN)

	_, err = s.NetListener()
	requireErrno(t, err, syscall.EINVAL)

	require.NoError(t, s.Close())
	_, err = s.NetConn()
	requireErrno(t, err, syscall.EBADF)
	_, err = s.NetListener()
	requireErrno(t, err, syscall.EBADF)
}

// What net.Listener users rely on: Accept returns adapters, Close wakes a pending Accept
// with net.ErrClosed, Addr is the bound address.
func TestNetListener_Contract(t *testing.T) {
	srv, addr := tcpListener(t)
	require.NoError(t, srv.SetTimeout(0.0)) // not used by the listener
	ln, err := srv.NetListener()
	require.NoError(t, err)
	assert.Equal(t, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: addr.Port}, ln.Addr())
	assert.Same(t, srv, ln.(interface{ Socket() *Socket }).Socket())

	// Accept waits (the socket is non-blocking) and returns an adapter.
	accepted := make(chan net.Conn, 1)
	wait := goAsync(t, func() error {
		c, err := ln.Accept()
		accepted <- c
		return err
	})
	time.Sleep(50 * time.Millisecond)
	cli, err := CreateConnection(addr, UseDefaultTimeout, nil, false)
	require.NoError(t, err)
	cc := netConnOf(t, cli)
	require.NoError(t, wait())
	sc := <-accepted
	defer sc.Close()
	assert.Equal(t, cc.LocalAddr(), sc.RemoteAddr())
	assert.Equal(t, cc.RemoteAddr(), sc.LocalAddr())
	ss := sc.(*netConn).Socket()
	assert.Equal(t, AF_INET, ss.Family())
	assert.Equal(t, SOCK_STREAM, ss.Type())
	_, err = cc.Write([]byte("ping"))
	require.NoError(t, err)
	buf := make([]byte, 4)
	_, err = io.ReadFull(sc, buf)
	require.NoError(t, err)
	assert.Equal(t, "ping", string(buf))

	// Close wakes a pending Accept.
	wait = goAsync(t, func() error { _, err := ln.Accept(); return err })
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, ln.Close())
	err = wait()
	requireNetClosed(t, err)
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, "accept", op.Op)
	assert.False(t, op.Temporary(), "http.Server must not retry it")
	assert.Equal(t, -1, srv.Fileno())

	_, err = ln.Accept()
	requireNetClosed(t, err)
	requireNetClosed(t, ln.Close())
}

// Accept and Close racing: no data race, no leak, Accept ends.
func TestNetListener_CloseRacesAccept(t *testing.T) {
	for i := 0; i < 20; i++ {
		srv, _ := tcpListener(t)
		ln, err := srv.NetListener()
		require.NoError(t, err)
		var wg sync.WaitGroup
		for j := 0; j < 4; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if c, err := ln.Accept(); err == nil {
					c.Close()
				}
			}()
		}
		ln.Close()
		within(t, 5*time.Second, "Accept after Close", wg.Wait)
	}
}

func TestNetListener_AcceptErrorsAreTemporaryAsNetSaysSo(t *testing.T) {
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	op := &net.OpError{Op: "accept", Net: "tcp", Err: netErr(s, syscall.EMFILE)}
	assert.True(t, op.Temporary(), "http.Server backs off and retries EMFILE")
	assert.ErrorIs(t, op, syscall.EMFILE)
	var oe *OSError
	require.ErrorAs(t, op, &oe)
	assert.Equal(t, "[Errno 24] Too many open files", oe.Error())
}

// facadeTransport is an http.Transport that connects with CreateConnection and talks over
// the NetConn adapter; dials counts its connections.
func facadeTransport(dials *atomic.Int32) *http.Transport {
	return &http.Transport{
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(address)
			if err != nil {
				return nil, err
			}
			p, err := strconv.Atoi(port)
			if err != nil {
				return nil, err
			}
			s, err := CreateConnection(py.Tuple{host, p}, UseDefaultTimeout, nil, false)
			if err != nil {
				return nil, err
			}
			c, err := s.NetConn()
			if err != nil {
				s.Close()
				return nil, err
			}
			dials.Add(1)
			return c, nil
		},
	}
}

// serveAndFetch serves pages on ln with an http.Server and fetches them with tr, then
// shuts both down.
func serveAndFetch(t *testing.T, ln net.Listener, tr *http.Transport) {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		io.WriteString(w, "hello from "+host)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, r.Body)
	})
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second, // read deadlines on the server's connections
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	base := "http://" + ln.Addr().String()

	for i := 0; i < 3; i++ {
		resp, err := client.Get(base + "/hello")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "hello from 127.0.0.1", string(body))
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB each way
	resp, err := client.Post(base+"/echo", "application/octet-stream", bytes.NewReader(big))
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(big, body), "echoed body differs (%d bytes)", len(body))

	tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	select {
	case err := <-served:
		assert.ErrorIs(t, err, http.ErrServerClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still running after Shutdown")
	}
}

// net/http over the adapters: a client dialling CreateConnection(...).NetConn(), against
// the net package's server and against a server on the NetListener of a CreateServer
// socket.
func TestNetConn_HTTPOverAdapters(t *testing.T) {
	t.Run("facade_client", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		var dials atomic.Int32
		serveAndFetch(t, ln, facadeTransport(&dials))
		assert.EqualValues(t, 1, dials.Load(), "keep-alive reuses the one adapter")
	})
	t.Run("facade_server_and_client", func(t *testing.T) {
		// net/http's server reads into a buffer inside a struct holding Go pointers
		// (connReader.byteBuf): the binding must hand it to C as a char *, which cgo's
		// pointer check looks at alone.
		srvSock, err := CreateServer(InetAddress{Host: loopback, Port: 0}, ServerOptions{})
		require.NoError(t, err)
		ln, err := srvSock.NetListener()
		require.NoError(t, err)
		var dials atomic.Int32
		serveAndFetch(t, ln, facadeTransport(&dials))
		assert.EqualValues(t, 1, dials.Load(), "keep-alive reuses the one adapter")
		assert.Equal(t, -1, srvSock.Fileno(), "Shutdown closed the listener's socket")
	})
}

// The adapter's Read and Write do not allocate, with a deadline set or not, waiting or not.
func TestAllocs_NetConnDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	a, b := socketPair(t)
	registerBoth(t, a, b)
	ca, cb := netConnOf(t, a), netConnOf(t, b)
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.CopyBuffer(struct{ io.Writer }{cb}, struct{ io.Reader }{cb}, make([]byte, 64))
	}()
	data, buf := make([]byte, 64), make([]byte, 64)
	pingPong := func() {
		if _, err := ca.Write(data); err != nil {
			panic(err)
		}
		if _, err := io.ReadFull(ca, buf); err != nil {
			panic(err)
		}
	}
	pingPong()
	assert.Zero(t, testing.AllocsPerRun(300, pingPong), "no deadline")
	require.NoError(t, ca.SetDeadline(time.Now().Add(time.Hour)))
	pingPong()
	assert.Zero(t, testing.AllocsPerRun(300, pingPong), "a deadline")
	assert.Zero(t, testing.AllocsPerRun(300, func() {
		ca.SetDeadline(time.Now().Add(time.Hour))
	}), "setting a deadline while no call is in flight")
	require.NoError(t, ca.(interface{ CloseWrite() error }).CloseWrite())
	waitDone(t, done)
}
