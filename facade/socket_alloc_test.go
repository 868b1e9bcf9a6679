//go:build linux

package facade

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
)

// The hot path does not allocate: RecvInto, Send and SendAll on a connected socket in
// blocking mode, whether the call waits on the poller or not.

// registerBoth registers both sockets with the poller, as their first wait would: from
// then on every attempt runs in a RawConn callback.
func registerBoth(t testing.TB, a, b *Socket) {
	t.Helper()
	for _, s := range []*Socket{a, b} {
		if s.pf.Load() != nil {
			continue
		}
		_, err := s.poller()
		require.NoError(t, err)
	}
}

// echo serves s: receive up to len(buf) bytes, send them back, until the peer closes.
func echo(s *Socket, buf []byte) {
	for {
		n, err := s.RecvInto(buf, 0, 0)
		if err != nil || n == 0 {
			return
		}
		if err := s.SendAll(buf[:n], 0); err != nil {
			return
		}
	}
}

// pingPong sends msg on a and waits for its echo into buf.
func pingPong(a *Socket, msg, buf []byte) error {
	if _, err := a.Send(msg, 0); err != nil {
		return err
	}
	for got := 0; got < len(msg); {
		n, err := a.RecvInto(buf[got:], len(msg)-got, 0)
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		got += n
	}
	return nil
}

func TestAllocs_HotPathDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	pairs := map[string]func(t *testing.T) (*Socket, *Socket){
		"unix": func(t *testing.T) (*Socket, *Socket) { return socketPair(t) },
		"tcp": func(t *testing.T) (*Socket, *Socket) {
			conn, cli := connectedTCP(t)
			require.NoError(t, cli.SetSockOptInt(csock.IPPROTO_TCP, csock.TCP_NODELAY, 1))
			require.NoError(t, conn.SetSockOptInt(csock.IPPROTO_TCP, csock.TCP_NODELAY, 1))
			return cli, conn
		},
	}
	for name, mk := range pairs {
		t.Run(name+"/no_wait_unregistered", func(t *testing.T) {
			a, b := mk(t)
			data, buf := make([]byte, 64), make([]byte, 64)
			allocs := testing.AllocsPerRun(500, func() {
				if _, err := a.Send(data, 0); err != nil {
					panic(err)
				}
				if _, err := b.RecvInto(buf, 0, 0); err != nil {
					panic(err)
				}
				if err := b.SendAll(data, 0); err != nil {
					panic(err)
				}
				if _, err := a.RecvInto(buf, 0, 0); err != nil {
					panic(err)
				}
			})
			assert.Zero(t, allocs)
		})
		t.Run(name+"/no_wait_registered", func(t *testing.T) {
			a, b := mk(t)
			registerBoth(t, a, b)
			data, buf := make([]byte, 64), make([]byte, 64)
			allocs := testing.AllocsPerRun(500, func() {
				if _, err := a.Send(data, 0); err != nil {
					panic(err)
				}
				if _, err := b.RecvInto(buf, 0, 0); err != nil {
					panic(err)
				}
				if err := b.SendAll(data, 0); err != nil {
					panic(err)
				}
				if _, err := a.RecvInto(buf, 0, 0); err != nil {
					panic(err)
				}
			})
			assert.Zero(t, allocs)
		})
		t.Run(name+"/ping_pong_waiting", func(t *testing.T) {
			a, b := mk(t)
			registerBoth(t, a, b)
			done := make(chan struct{})
			go func() { defer close(done); echo(b, make([]byte, 64)) }()
			data, buf := make([]byte, 64), make([]byte, 64)
			require.NoError(t, pingPong(a, data, buf))
			allocs := testing.AllocsPerRun(500, func() {
				if err := pingPong(a, data, buf); err != nil {
					panic(err)
				}
			})
			assert.Zero(t, allocs)
			require.NoError(t, a.Shutdown(csock.SHUT_WR))
			waitDone(t, done)
		})
		t.Run(name+"/ping_pong_waiting_with_timeout", func(t *testing.T) {
			// Each call sets its deadline on the file: still nothing allocated.
			a, b := mk(t)
			require.NoError(t, a.SetTimeout(5))
			require.NoError(t, b.SetTimeout(5))
			registerBoth(t, a, b)
			done := make(chan struct{})
			go func() { defer close(done); echo(b, make([]byte, 64)) }()
			data, buf := make([]byte, 64), make([]byte, 64)
			require.NoError(t, pingPong(a, data, buf))
			allocs := testing.AllocsPerRun(500, func() {
				if err := pingPong(a, data, buf); err != nil {
					panic(err)
				}
			})
			assert.Zero(t, allocs)
			require.NoError(t, a.Shutdown(csock.SHUT_WR))
			waitDone(t, done)
		})
	}
}

func TestAllocs_SendAllThatWaitsDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	a, b := socketPair(t)
	registerBoth(t, a, b)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := b.RecvInto(buf, 0, 0)
			if err != nil || n == 0 {
				return
			}
		}
	}()
	data := make([]byte, 1<<20) // larger than the socket buffers: SendAll waits
	allocs := testing.AllocsPerRun(20, func() {
		if err := a.SendAll(data, 0); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs)
	require.NoError(t, a.Shutdown(csock.SHUT_WR))
	waitDone(t, done)
}

// benchPingPong measures round trips of size bytes between a and an echo goroutine on b.
func benchPingPong(b *testing.B, a, peer *Socket, size int) {
	registerBoth(b, a, peer)
	done := make(chan struct{})
	go func() { defer close(done); echo(peer, make([]byte, size)) }()
	data, buf := make([]byte, size), make([]byte, size)
	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := pingPong(a, data, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	a.Shutdown(csock.SHUT_WR)
	waitDone(b, done)
}

// BenchmarkRecvIntoSend_PingPong is one round trip (Send, the peer's RecvInto and SendAll,
// RecvInto) of 1 byte over an AF_UNIX socket pair in blocking mode; every receive waits on
// the poller.
func BenchmarkRecvIntoSend_PingPong(b *testing.B) {
	a, peer := socketPair(b)
	benchPingPong(b, a, peer, 1)
}

// BenchmarkRecvIntoSend_PingPongTCP is the same over TCP loopback (TCP_NODELAY).
func BenchmarkRecvIntoSend_PingPongTCP(b *testing.B) {
	conn, cli := connectedTCP(b)
	require.NoError(b, cli.SetSockOptInt(csock.IPPROTO_TCP, csock.TCP_NODELAY, 1))
	require.NoError(b, conn.SetSockOptInt(csock.IPPROTO_TCP, csock.TCP_NODELAY, 1))
	benchPingPong(b, cli, conn, 1)
}

// BenchmarkRecvIntoSend_NoWait is Send then RecvInto of data already there (no waiting),
// on a registered socket pair: the cost of the callback path without parking.
func BenchmarkRecvIntoSend_NoWait(b *testing.B) {
	a, peer := socketPair(b)
	registerBoth(b, a, peer)
	data, buf := make([]byte, 64), make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Send(data, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := peer.RecvInto(buf, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendAll_Stream sends 64 KiB per SendAll to a goroutine reading as fast as it
// can.
func BenchmarkSendAll_Stream(b *testing.B) {
	a, peer := socketPair(b)
	registerBoth(b, a, peer)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := peer.RecvInto(buf, 0, 0)
			if err != nil || n == 0 {
				return
			}
		}
	}()
	data := make([]byte, 64<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := a.SendAll(data, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	a.Shutdown(csock.SHUT_WR)
	waitDone(b, done)
}

// BenchmarkSocketClose is New followed by Close: two system calls.
func BenchmarkSocketClose(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s, err := New(csock.AF_INET, csock.SOCK_STREAM, -1)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// waitDone waits (at most 10 s) for a helper goroutine to close done.
func waitDone(t testing.TB, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("helper goroutine still running after 10s")
	}
}
