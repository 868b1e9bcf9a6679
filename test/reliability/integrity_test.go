//go:build linux

package reliability

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// integritySize is how many bytes each integrity stream carries: 32 MiB in make test,
// 1 GiB in make integrity.
var integritySize = flag.String("integrity.size", "32MiB",
	"bytes each data-integrity stream carries (a number with an optional KiB, MiB or GiB suffix)")

// streamSize parses -integrity.size.
func streamSize(t testing.TB) int64 {
	t.Helper()
	s := strings.TrimSpace(*integritySize)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	require.NoError(t, err, "-integrity.size %q", *integritySize)
	require.Positive(t, n)
	return n * mult
}

// stream is a reproducible pseudo-random byte stream: the sender writes it, the receiver
// regenerates it to find the first byte that differs, and both hash it.
type stream struct {
	rng *rand.ChaCha8
	buf []byte
}

func newStream(seed uint64) *stream {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return &stream{rng: rand.NewChaCha8(key)}
}

// next returns the next n bytes of the stream (valid until the next call).
func (s *stream) next(n int) []byte {
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	b := s.buf[:n]
	s.rng.Read(b)
	return b
}

// chunkSize draws a chunk size: mostly up to 64 KiB, often tiny, sometimes up to 1 MiB.
func chunkSize(r *rand.Rand) int {
	switch p := r.IntN(10); {
	case p < 3:
		return 1 + r.IntN(16)
	case p < 9:
		return 1 + r.IntN(64<<10)
	default:
		return 1 + r.IntN(1<<20)
	}
}

// minimumBuffers asks for the smallest SO_SNDBUF and SO_RCVBUF (the kernel raises 1 to its
// minimum) and returns what the kernel granted.
func minimumBuffers(t testing.TB, s *facade.Socket) (snd, rcv int) {
	t.Helper()
	require.NoError(t, s.SetSockOptInt(facade.SOL_SOCKET, facade.SO_SNDBUF, 1))
	require.NoError(t, s.SetSockOptInt(facade.SOL_SOCKET, facade.SO_RCVBUF, 1))
	snd, err := s.GetSockOpt(facade.SOL_SOCKET, facade.SO_SNDBUF)
	require.NoError(t, err)
	rcv, err = s.GetSockOpt(facade.SOL_SOCKET, facade.SO_RCVBUF)
	require.NoError(t, err)
	return snd, rcv
}

// minimalPair is a connected pair of the network ("tcp" or "unix") whose both ends have
// their smallest buffers from the start (a TCP listener's are inherited by the accepted
// socket, and set before connect they shape the window from the handshake on).
func minimalPair(t testing.TB, network string) (snd, rcv *facade.Socket) {
	t.Helper()
	if network == "unix" {
		path := filepath.Join(t.TempDir(), "s")
		l := newSocket(t, facade.AF_UNIX, facade.SOCK_STREAM)
		minimumBuffers(t, l)
		require.NoError(t, l.Bind(path))
		require.NoError(t, l.Listen())
		c := newSocket(t, facade.AF_UNIX, facade.SOCK_STREAM)
		minimumBuffers(t, c)
		require.NoError(t, c.Connect(path))
		s, _, err := l.Accept()
		require.NoError(t, err)
		minimumBuffers(t, s)
		return c, closeLater(t, s)
	}
	l := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	minimumBuffers(t, l)
	require.NoError(t, l.Bind(py.Tuple{loopback, 0}))
	require.NoError(t, l.Listen())
	addr, err := l.GetSockName()
	require.NoError(t, err)
	c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	minimumBuffers(t, c)
	require.NoError(t, c.Connect(addr))
	s, _, err := l.Accept()
	require.NoError(t, err)
	return c, closeLater(t, s)
}

// transfer is one direction of an integrity run: what each end counted and hashed.
type transfer struct {
	bytes    int64
	sum      [32]byte
	mismatch int64 // the receiver's first offset that differs from the stream, or -1
}

// send writes size bytes of the stream seeded seed with write, in random chunk sizes, and
// hashes what it wrote.
func send(size int64, seed uint64, write func([]byte) error) (transfer, error) {
	r := rand.New(rand.NewPCG(seed, 1))
	st := newStream(seed)
	h := sha256.New()
	var sent int64
	for sent < size {
		b := st.next(int(min(int64(chunkSize(r)), size-sent)))
		h.Write(b)
		if err := write(b); err != nil {
			return transfer{bytes: sent}, err
		}
		sent += int64(len(b))
	}
	return transfer{bytes: sent, sum: [32]byte(h.Sum(nil)), mismatch: -1}, nil
}

// receive reads with read (into a buffer of the size it is given, returning 0 at the end of
// the stream) until the end, hashing what arrives and comparing it with the regenerated
// stream seeded seed.
func receive(seed uint64, read func([]byte) (int, error)) (transfer, error) {
	r := rand.New(rand.NewPCG(seed, 2))
	st := newStream(seed)
	h := sha256.New()
	buf := make([]byte, 1<<20)
	tr := transfer{mismatch: -1}
	for {
		n, err := read(buf[:chunkSize(r)])
		if err != nil {
			return tr, err
		}
		if n == 0 {
			tr.sum = [32]byte(h.Sum(nil))
			return tr, nil
		}
		got := buf[:n]
		h.Write(got)
		if want := st.next(n); tr.mismatch < 0 && !bytes.Equal(want, got) {
			for i := range got {
				if got[i] != want[i] {
					tr.mismatch = tr.bytes + int64(i)
					break
				}
			}
		}
		tr.bytes += int64(n)
	}
}

// checkTransfer compares the two ends of a run and logs its throughput.
func checkTransfer(t *testing.T, what string, size int64, sent, got transfer, d time.Duration) {
	t.Helper()
	assert.Equal(t, size, sent.bytes, "%s: bytes sent", what)
	assert.Equal(t, sent.bytes, got.bytes, "%s: bytes received", what)
	assert.EqualValues(t, -1, got.mismatch, "%s: the received stream differs from byte %d on", what, got.mismatch)
	assert.Equal(t, fmt.Sprintf("%x", sent.sum), fmt.Sprintf("%x", got.sum), "%s: SHA-256 of the two ends", what)
	t.Logf("%s: %d bytes in %v (%.1f MB/s), sha256 %x", what, got.bytes, d.Round(time.Millisecond),
		float64(got.bytes)/d.Seconds()/1e6, got.sum[:8])
}

// TestIntegrity_RandomStreamThroughSendAllAndRecvInto sends -integrity.size bytes of a
// random stream through SendAll and receives it with RecvInto, both in random chunk sizes
// (1 byte to 1 MiB), over TCP and over an AF_UNIX stream with both ends' SO_SNDBUF and
// SO_RCVBUF at their minimum, in blocking and in timeout mode; the SHA-256 of both ends
// agree and every byte is where the stream puts it.
func TestIntegrity_RandomStreamThroughSendAllAndRecvInto(t *testing.T) {
	size := streamSize(t)
	for i, network := range []string{"tcp", "unix"} {
		for j, timeout := range []any{nil, 60.0} {
			name := network + " " + modeName(timeout)
			t.Run(name, func(t *testing.T) {
				snd, rcv := minimalPair(t, network)
				sb, rb := minimumBuffers(t, snd)
				t.Logf("SO_SNDBUF %d, SO_RCVBUF %d", sb, rb)
				require.NoError(t, snd.SetTimeout(timeout))
				require.NoError(t, rcv.SetTimeout(timeout))
				seed := uint64(100 + 10*i + j)
				start := time.Now()
				var sent transfer
				done := async(t, 30*time.Minute, func() error {
					var err error
					sent, err = send(size, seed, func(b []byte) error { return snd.SendAll(b, 0) })
					if err == nil {
						err = snd.Shutdown(facade.SHUT_WR)
					}
					return err
				})
				got, err := receive(seed, func(b []byte) (int, error) { return rcv.RecvInto(b, 0, 0) })
				require.NoError(t, err)
				require.NoError(t, done())
				checkTransfer(t, name, size, sent, got, time.Since(start))
			})
		}
	}
}

// TestIntegrity_RandomStreamThroughMakeFile is the same through MakeFile's buffered writer
// (random writes, flushed now and then and at the end) and buffered reader (read(n),
// read1(n), readinto and Go's Read in turn), over TCP and AF_UNIX with minimal buffers.
func TestIntegrity_RandomStreamThroughMakeFile(t *testing.T) {
	size := streamSize(t)
	for i, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			snd, rcv := minimalPair(t, network)
			w, err := snd.MakeFile("wb", facade.DefaultFileOptions())
			require.NoError(t, err)
			defer w.Close()
			r, err := rcv.MakeFile("rb", facade.DefaultFileOptions())
			require.NoError(t, err)
			defer r.Close()
			seed := uint64(200 + i)
			start := time.Now()
			var sent transfer
			done := async(t, 30*time.Minute, func() error {
				flushes := rand.New(rand.NewPCG(seed, 3))
				var err error
				sent, err = send(size, seed, func(b []byte) error {
					n, err := w.Write(b)
					if err == nil && n != len(b) {
						err = fmt.Errorf("short write: %d of %d", n, len(b))
					}
					if err == nil && flushes.IntN(8) == 0 {
						err = w.Flush()
					}
					return err
				})
				if err == nil {
					err = w.Close()
				}
				if err == nil {
					err = snd.Shutdown(facade.SHUT_WR)
				}
				return err
			})
			calls := 0
			got, err := receive(seed, func(b []byte) (int, error) {
				calls++
				switch calls % 4 {
				case 0:
					data, err := r.ReadN(len(b))
					return copy(b, data), err
				case 1:
					data, err := r.Read1(len(b))
					return copy(b, data), err
				case 2:
					return r.ReadInto(b)
				default:
					n, err := r.Read(b)
					if err == io.EOF {
						return 0, nil
					}
					return n, err
				}
			})
			require.NoError(t, err)
			require.NoError(t, done())
			checkTransfer(t, "makefile "+network, size, sent, got, time.Since(start))
		})
	}
}

// udpDrops returns the kernel's drop count for the UDP socket bound to port (the "drops"
// column of /proc/self/net/udp).
func udpDrops(t testing.TB, port int) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/net/udp")
	require.NoError(t, err)
	want := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) >= 13 && strings.HasSuffix(f[1], want) {
			n, err := strconv.ParseInt(f[len(f)-1], 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no UDP socket on port %d in /proc/self/net/udp", port)
	return 0
}

// datagram builds datagram seq: a header (sequence number, payload length, the payload's
// SHA-256 prefix) and a random payload of the given length.
func datagram(seq uint64, payload []byte) []byte {
	sum := sha256.Sum256(payload)
	d := make([]byte, 0, 20+len(payload))
	d = binary.BigEndian.AppendUint64(d, seq)
	d = binary.BigEndian.AppendUint32(d, uint32(len(payload)))
	d = append(d, sum[:8]...)
	return append(d, payload...)
}

// checkDatagram parses a received datagram and reports what is wrong with it, if anything.
func checkDatagram(d []byte) (seq uint64, problem string) {
	if len(d) < 20 {
		return 0, fmt.Sprintf("%d bytes: shorter than the header", len(d))
	}
	seq = binary.BigEndian.Uint64(d)
	n := int(binary.BigEndian.Uint32(d[8:]))
	if len(d) != 20+n {
		return seq, fmt.Sprintf("seq %d: %d bytes, the header says %d (truncated without MSG_TRUNC?)", seq, len(d), 20+n)
	}
	sum := sha256.Sum256(d[20:])
	if !bytes.Equal(sum[:8], d[12:20]) {
		return seq, fmt.Sprintf("seq %d: payload corrupted", seq)
	}
	return seq, ""
}

// TestIntegrity_UDPDatagramsArriveWholeOrNotAtAll sends numbered datagrams of random sizes
// (0 to 16 KiB of payload) as fast as SendTo goes to a receiver with the smallest
// SO_RCVBUF: each datagram that arrives is whole and uncorrupted, in order, and every one
// missing is one the kernel counted as dropped. Then truncation: a datagram larger than the
// buffer comes back cut to the buffer, and with MSG_TRUNC the call says the datagram's real
// length (recv_into returns it, recv and recvfrom return that many bytes, as CPython does).
func TestIntegrity_UDPDatagramsArriveWholeOrNotAtAll(t *testing.T) {
	rcv, addr := udpPair(t)
	_, rb := minimumBuffers(t, rcv)
	snd := newSocket(t, facade.AF_INET, facade.SOCK_DGRAM)
	require.NoError(t, snd.Connect(addr))
	count := int(max(2000, min(streamSize(t)/(8<<10), 200000)))
	dropsBefore := udpDrops(t, addr.Port)

	r := rand.New(rand.NewPCG(5, 6))
	st := newStream(5)
	received, lastSeq := 0, int64(-1)
	var problems []string
	buf := make([]byte, 64<<10)
	require.NoError(t, rcv.SetTimeout(0.0))
	drain := func() {
		for {
			n, err := rcv.RecvInto(buf, 0, 0)
			if err != nil {
				requireErrno(t, err, 11) // nothing more queued
				return
			}
			seq, problem := checkDatagram(buf[:n])
			switch {
			case problem != "":
				problems = append(problems, problem)
			case int64(seq) <= lastSeq:
				problems = append(problems, fmt.Sprintf("seq %d after %d", seq, lastSeq))
			}
			lastSeq = int64(seq)
			received++
		}
	}
	start := time.Now()
	for seq := 0; seq < count; seq++ {
		payload := st.next(r.IntN(16<<10 + 1))
		_, err := snd.Send(datagram(uint64(seq), payload), 0)
		require.NoError(t, err)
		if r.IntN(4) == 0 {
			drain()
		}
	}
	time.Sleep(50 * time.Millisecond)
	drain()
	drops := udpDrops(t, addr.Port) - dropsBefore
	t.Logf("%d datagrams sent in %v, %d received, %d dropped by the kernel (SO_RCVBUF %d)",
		count, time.Since(start).Round(time.Millisecond), received, drops, rb)
	assert.Empty(t, problems)
	assert.EqualValues(t, count, int64(received)+drops, "datagrams lost without the kernel counting them")
	assert.Positive(t, received)

	// Truncation, with and without MSG_TRUNC, on a receiver with room for the datagrams.
	rcv, addr = udpPair(t)
	require.NoError(t, rcv.SetTimeout(5.0))
	snd = newSocket(t, facade.AF_INET, facade.SOCK_DGRAM)
	require.NoError(t, snd.Connect(addr))
	whole := datagram(1, st.next(100))
	for i := 0; i < 4; i++ {
		_, err := snd.Send(whole, 0)
		require.NoError(t, err)
	}
	small := make([]byte, 16)
	n, err := rcv.RecvInto(small, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, 16, n, "recv_into without MSG_TRUNC")
	assert.Equal(t, whole[:16], small)
	n, err = rcv.RecvInto(small, 0, facade.MSG_TRUNC)
	require.NoError(t, err)
	assert.Equal(t, len(whole), n, "recv_into with MSG_TRUNC returns the datagram's length")
	assert.Equal(t, whole[:16], small)
	var got []byte
	assert.NotPanics(t, func() { got, err = rcv.Recv(16, facade.MSG_TRUNC) })
	require.NoError(t, err)
	require.Len(t, got, len(whole), "recv with MSG_TRUNC is as long as the datagram")
	assert.Equal(t, whole[:16], got[:16])
	assert.NotPanics(t, func() { got, _, err = rcv.RecvFrom(16, facade.MSG_TRUNC) })
	require.NoError(t, err)
	require.Len(t, got, len(whole), "recvfrom with MSG_TRUNC is as long as the datagram")
	assert.Equal(t, whole[:16], got[:16])
}
