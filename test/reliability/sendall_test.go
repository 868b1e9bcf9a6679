//go:build linux

package reliability

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
)

// randomBytes returns n bytes of a seeded pseudo-random stream.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	var key [32]byte
	key[0] = byte(seed)
	key[1] = byte(seed >> 8)
	rand.NewChaCha8(key).Read(b)
	return b
}

// drain reads s until the end of the stream (or an error) and returns what it read.
func drain(t testing.TB, s *facade.Socket) []byte {
	t.Helper()
	var got bytes.Buffer
	buf := make([]byte, 64<<10)
	for i := 0; i < 1<<20; i++ {
		n, err := s.RecvInto(buf, 0, 0)
		require.NoError(t, err)
		if n == 0 {
			return got.Bytes()
		}
		got.Write(buf[:n])
	}
	t.Fatal("the stream did not end")
	return nil
}

// slowReader reads s a little at a time (16 KiB every 10 ms) until ctx ends or the stream
// does; it returns how many bytes it read.
func slowReader(ctx context.Context, s *facade.Socket) func() int {
	done := make(chan int, 1)
	go func() {
		total := 0
		buf := make([]byte, 16<<10)
		for i := 0; i < 100000 && ctx.Err() == nil; i++ {
			n, err := s.RecvIntoContext(ctx, buf, 0, 0)
			if err != nil || n == 0 {
				break
			}
			total += n
			time.Sleep(10 * time.Millisecond)
		}
		done <- total
	}()
	return func() int { return <-done }
}

// smallBuffers gives the sender and the receiver 32 KiB buffers (no autotuning), so that
// the stream advances a little at a time as the slow reader reads, and the sender is woken
// every few reads.
func smallBuffers(t testing.TB, snd, rcv *facade.Socket) {
	t.Helper()
	require.NoError(t, snd.SetSockOptInt(facade.SOL_SOCKET, facade.SO_SNDBUF, 32<<10))
	require.NoError(t, rcv.SetSockOptInt(facade.SOL_SOCKET, facade.SO_RCVBUF, 32<<10))
}

// TestSendAllTimeout_OneDeadlineForTheWholeCall is CPython's B.5: sendall's timeout bounds
// the whole call, not each send. With a peer that reads 16 KiB every 10 ms every send makes
// progress well within the timeout, yet sendall of 32 MiB with a 0.4 s timeout fails with
// TimeoutError after about 0.4 s, as python3's does (measured alongside); with a peer that
// does not read at all it fails the same way, having sent exactly a prefix of the data.
func TestSendAllTimeout_OneDeadlineForTheWholeCall(t *testing.T) {
	const timeout = 0.4
	py := pyTexts(t, `
import threading
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 << 10); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 10)
stop = False
def reader():
    while not stop:
        try:
            if not s.recv(16 << 10): break
        except OSError: break
        time.sleep(0.01)
th = threading.Thread(target=reader); th.start()
c.settimeout(`+strconv.FormatFloat(timeout, 'f', -1, 64)+`)
t0 = time.monotonic()
out['slow'] = exc(lambda: c.sendall(b'x' * (32 << 20)))
out['elapsed'] = time.monotonic() - t0
stop = True; c.close(); th.join(); s.close(); l.close()
`)
	pyElapsed, err := strconv.ParseFloat(py["elapsed"], 64)
	require.NoError(t, err)
	require.Equal(t, textTimedOut(t), py["slow"])
	require.Less(t, pyElapsed, timeout+slack.Seconds(), "python3 itself does not bound sendall by one deadline")

	t.Run("slow reader", func(t *testing.T) {
		srv, cli := tcpPair(t)
		smallBuffers(t, cli, srv)
		ctx, stop := context.WithCancel(context.Background())
		read := slowReader(ctx, srv)
		require.NoError(t, cli.SetTimeout(timeout))
		var err error
		d := within(t, prompt, func() { err = cli.SendAll(make([]byte, 32<<20), 0) })
		stop()
		got := read()
		assert.Equal(t, py["slow"], pyExc(err))
		assert.GreaterOrEqual(t, d, time.Duration(timeout*float64(time.Second)))
		assert.Less(t, d, time.Duration(timeout*float64(time.Second))+slack)
		assert.Positive(t, got, "the reader made no progress: the test proves nothing")
		t.Logf("sendall timed out after %v (python3: %.3fs); the reader had taken %d bytes", d, pyElapsed, got)
	})

	t.Run("peer not reading", func(t *testing.T) {
		for _, via := range []string{"sendall", "write"} {
			// Default buffers: a few MiB leave before the call blocks (small ones would make
			// the drain below crawl through zero-window probes).
			srv, cli := tcpPair(t)
			data := randomBytes(16<<20, 7)
			require.NoError(t, cli.SetTimeout(timeout))
			var err error
			var n int
			d := within(t, prompt, func() {
				if via == "sendall" {
					err = cli.SendAll(data, 0)
				} else {
					n, err = cli.Write(data)
				}
			})
			requireTimedOut(t, err)
			assert.GreaterOrEqual(t, d, time.Duration(timeout*float64(time.Second)))
			assert.Less(t, d, time.Duration(timeout*float64(time.Second))+slack)
			// What left is exactly a prefix of the data: nothing lost, nothing twice.
			require.NoError(t, cli.Shutdown(facade.SHUT_WR))
			got := drain(t, srv)
			require.NotEmpty(t, got)
			require.Less(t, len(got), len(data))
			assert.True(t, bytes.Equal(data[:len(got)], got), "%s: the bytes received are not a prefix of the bytes sent", via)
			if via == "write" {
				assert.Equal(t, n, len(got), "Write's count is not what the peer received")
			}
		}
	})

	t.Run("context and timeout", func(t *testing.T) {
		// The earlier of a context's end and the socket's deadline ends the call.
		srv, cli := tcpPair(t)
		smallBuffers(t, cli, srv)
		require.NoError(t, cli.SetTimeout(30))
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		var err error
		d := within(t, prompt, func() { err = cli.SendAllContext(ctx, make([]byte, 8<<20), 0) })
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		assert.Less(t, d, 300*time.Millisecond+slack)
	})
}
