//go:build linux

package facade

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// socket.sendfile: the behaviour of CPython 3.11's SendfileUsingSendTest and
// SendfileUsingSendfileTest (each test run through both of Lib/socket.py's paths, as
// CPython runs them through _sendfile_use_send and _sendfile_use_sendfile), and what
// python3 returns for the public method's corner cases.

// The file of CPython's SendfileUsingSendTest: 10 MiB of one 8 KiB chunk of letters.
const (
	sendfileSize  = 10 * 1024 * 1024
	sendfileChunk = 8192
)

var sendfileData = func() []byte {
	chunk := make([]byte, sendfileChunk)
	for i := range chunk {
		chunk[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[(i*7+i/13)%52]
	}
	return bytes.Repeat(chunk, sendfileSize/sendfileChunk)
}()

// sendfileMeth is one of the two paths of socket.sendfile (CPython's meth_from_sock).
type sendfileMeth func(s *Socket, f *os.File, offset int64, count any) (int, error)

var sendfileMeths = map[string]sendfileMeth{
	"UsingSend": func(s *Socket, f *os.File, offset int64, count any) (int, error) {
		return s.sendfileUseSend(context.Background(), f, offset, count)
	},
	"UsingSendfile": func(s *Socket, f *os.File, offset int64, count any) (int, error) {
		n, err := s.sendfileUseSendfile(context.Background(), f, offset, count)
		var g *giveUp
		if errors.As(err, &g) {
			return n, errors.New("_GiveupOnSendfile: " + g.Error())
		}
		return n, err
	},
}

// sendfileFile writes data to a file of the test's and opens it for reading.
func sendfileFile(t *testing.T, data []byte) *os.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sendfile")
	require.NoError(t, os.WriteFile(p, data, 0o600))
	f, err := os.Open(p)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// sendfileRun is CPython's ThreadedTCPSocketTest for one test: client runs in its own
// goroutine with the listener's address (CPython's _testXxx), server gets the accepted
// connection, with CPython's accept_conn timeouts (testXxx).
func sendfileRun(t *testing.T, client func(addr InetAddress) error, server func(conn *Socket)) {
	t.Helper()
	srv, addr := tcpListener(t)
	wait := goAsync(t, func() error { return client(addr) })
	require.NoError(t, srv.SetTimeout(30.0)) // support.LONG_TIMEOUT would be 5 minutes
	conn, _, err := srv.Accept()
	require.NoError(t, err)
	closeLater(t, conn)
	require.NoError(t, conn.SetTimeout(failTimeout))
	server(conn)
	require.NoError(t, wait())
}

// recvAll is CPython's recv_data: everything until the end of the stream.
func recvAll(t *testing.T, conn *Socket) []byte {
	t.Helper()
	var out []byte
	for i := 0; i < 1<<20; i++ {
		b, err := conn.Recv(sendfileChunk, 0)
		require.NoError(t, err)
		if len(b) == 0 {
			return out
		}
		out = append(out, b...)
	}
	t.Fatal("recvAll: the stream did not end")
	return nil
}

// position returns the file position (file.tell()).
func position(t *testing.T, f *os.File) int64 {
	t.Helper()
	p, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	return p
}

func forSendfileMeths(t *testing.T, test func(t *testing.T, meth sendfileMeth)) {
	for _, name := range []string{"UsingSend", "UsingSendfile"} {
		t.Run(name, func(t *testing.T) { test(t, sendfileMeths[name]) })
	}
}

// dial is socket.create_connection(address[, timeout]).
func dial(addr InetAddress, timeout any) (*Socket, error) {
	return CreateConnection(addr, timeout, nil, false)
}

func TestSendfile_RegularFileOffsetAndCount(t *testing.T) {
	// testRegularFile, testOffset, testCount, testCountSmall, testCountWithOffset,
	// testWithTimeout, testEmptyFileSend
	for _, c := range []struct {
		name           string
		data           []byte
		timeout        any // create_connection's; UseDefaultTimeout for none given
		offset         int64
		count          any
		sent, position int
		received       []byte
	}{
		{"RegularFile", sendfileData, UseDefaultTimeout, 0, nil, sendfileSize, sendfileSize, sendfileData},
		{"Offset", sendfileData, UseDefaultTimeout, 5000, nil, sendfileSize - 5000, sendfileSize, sendfileData[5000:]},
		{"Count", sendfileData, failTimeout, 0, 5000007, 5000007, 5000007, sendfileData[:5000007]},
		{"CountSmall", sendfileData, failTimeout, 0, 1, 1, 1, sendfileData[:1]},
		{"CountWithOffset", sendfileData, 2.0, 2007, 100007, 100007, 100007 + 2007, sendfileData[2007 : 2007+100007]},
		{"WithTimeout", sendfileData, failTimeout, 0, nil, sendfileSize, sendfileSize, sendfileData},
		{"EmptyFileSend", nil, UseDefaultTimeout, 0, nil, 0, 0, []byte(nil)},
	} {
		t.Run(c.name, func(t *testing.T) {
			forSendfileMeths(t, func(t *testing.T, meth sendfileMeth) {
				file := sendfileFile(t, c.data)
				var got []byte
				sendfileRun(t, func(addr InetAddress) error {
					s, err := dial(addr, c.timeout)
					if err != nil {
						return err
					}
					defer s.Close()
					sent, err := meth(s, file, c.offset, c.count)
					if err != nil {
						return err
					}
					assert.Equal(t, c.sent, sent)
					assert.Equal(t, int64(c.position), position(t, file))
					return nil
				}, func(conn *Socket) { got = recvAll(t, conn) })
				assert.Equal(t, len(c.received), len(got))
				assert.True(t, bytes.Equal(c.received, got), "the data received")
			})
		})
	}
}

func TestSendfile_NonRegularFile(t *testing.T) {
	// testNonRegularFile: CPython sends an io.BytesIO with send(), its sendfile path giving
	// up (no fileno). A pipe is Go's file that sendfile(2) cannot read: fstat says size 0,
	// so the sendfile path sends nothing and returns 0 (as python3 does for a pipe, see
	// TestSendFile_AsPython3), and the send path sends all of it.
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = w.Write([]byte("pipe data"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	a, b := socketPair(t)
	n, err := a.SendFile(r, 0, nil)
	require.NoError(t, err)
	assert.Zero(t, n)
	n, err = a.sendfileUseSend(context.Background(), r, 0, nil)
	assert.Equal(t, "OSError: [Errno 29] Illegal seek", pyExc(err), "the file position cannot be set afterwards")
	assert.Equal(t, len("pipe data"), n)
	got, err := b.Recv(100, 0)
	require.NoError(t, err)
	assert.Equal(t, "pipe data", string(got))

	_, err = a.sendfileUseSendfile(context.Background(), nil, 0, nil)
	var g *giveUp
	assert.True(t, errors.As(err, &g), "a file without a descriptor: _GiveupOnSendfile")
}

func TestSendfile_NonBlocking(t *testing.T) {
	forSendfileMeths(t, func(t *testing.T, meth sendfileMeth) {
		file := sendfileFile(t, sendfileData[:100000])
		sendfileRun(t, func(addr InetAddress) error {
			s, err := dial(addr, UseDefaultTimeout)
			if err != nil {
				return err
			}
			defer s.Close()
			require.NoError(t, s.SetBlocking(false))
			_, err = meth(s, file, 0, nil)
			assert.Equal(t, "ValueError: non-blocking sockets are not supported", pyExc(err))
			_, err = s.SendFile(file, 0, nil)
			assert.Equal(t, "ValueError: non-blocking sockets are not supported", pyExc(err))
			return nil
		}, func(conn *Socket) {
			b, err := conn.Recv(8192, 0)
			require.NoError(t, err)
			assert.Empty(t, b, "was not supposed to receive any data")
		})
	})
}

func TestSendfile_WithTimeoutTriggeredSend(t *testing.T) {
	forSendfileMeths(t, func(t *testing.T, meth sendfileMeth) {
		file := sendfileFile(t, sendfileData)
		done := make(chan struct{})
		sendfileRun(t, func(addr InetAddress) error {
			defer close(done)
			s, err := dial(addr, UseDefaultTimeout)
			if err != nil {
				return err
			}
			defer s.Close()
			require.NoError(t, s.SetTimeout(0.01))
			_, err = meth(s, file, 0, nil)
			requireTimedOut(t, err)
			return nil
		}, func(conn *Socket) {
			_, err := conn.Recv(88192, 0)
			require.NoError(t, err)
			// CPython sleeps a second here (bpo-45212); waiting for the client is enough.
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("the client did not time out")
			}
		})
	})
}

func TestSendfile_Errors(t *testing.T) {
	// test_errors, but for the text file, which *os.File cannot be.
	forSendfileMeths(t, func(t *testing.T, meth sendfileMeth) {
		file := sendfileFile(t, []byte("data"))
		d := mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1)
		_, err := meth(d, file, 0, nil)
		assert.Equal(t, "ValueError: only SOCK_STREAM type sockets are supported", pyExc(err))
		s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
		for count, want := range map[any]string{
			"2":  "TypeError: count must be a positive integer (got '2')",
			0.1:  "TypeError: count must be a positive integer (got 0.1)",
			0:    "ValueError: count must be a positive integer (got 0)",
			-1:   "ValueError: count must be a positive integer (got -1)",
			true: "", // Python's bool is an int: count 1
		} {
			_, err := meth(s, file, 0, count)
			if want == "" {
				var ve *ValueError
				var te *TypeError
				assert.False(t, errors.As(err, &ve) || errors.As(err, &te), "count True: %v", err)
				continue
			}
			assert.Equal(t, want, pyExc(err), "count %v", count)
		}
	})
}

var oracleSendFile = oracleCase("SendFile", `
import tempfile, io
d = tempfile.mkdtemp()
p = os.path.join(d, "f"); open(p, "wb").write(b"0123456789" * 100)
e = os.path.join(d, "e"); open(e, "wb").close()
a, b = socket.socketpair()
b.settimeout(0.02)
def rb():
    try: return b.recv(100000)
    except TimeoutError: return b"<nothing>"
def r(f):
    try:
        v = f()
    except BaseException as err:
        def again():
            raise err
        return exc(again)
    return repr(v)
def k(name, f, file=None):
    v = r(f)
    out[name] = repr((v, file.tell() if file is not None and not file.closed else None, rb()))
with open(p, "rb", buffering=0) as f:
    k("count '2'", lambda: a.sendfile(f, count='2'), f)
    k("count 0.1", lambda: a.sendfile(f, count=0.1), f)
    k("count 0", lambda: a.sendfile(f, count=0), f)
    k("count -1", lambda: a.sendfile(f, count=-1), f)
    k("count None", lambda: a.sendfile(f, 0, None), f)
    k("count True", lambda: a.sendfile(f, 0, True), f)
    k("count 5 offset 3", lambda: a.sendfile(f, 3, 5), f)
    k("count 2**70", lambda: a.sendfile(f, 990, 2**70), f)
    k("offset -1", lambda: a.sendfile(f, -1), f)
    f.seek(0)
    k("offset past end", lambda: a.sendfile(f, 2000), f)
    k("offset 995 count 100", lambda: a.sendfile(f, 995, 100), f)
    f.seek(7)
    k("position 7 offset 0 count 3", lambda: a.sendfile(f, 0, 3), f)
f = open(p, "rb", buffering=0); f.close()
k("closed file", lambda: a.sendfile(f))
a.setblocking(False)
with open(p, "rb", buffering=0) as f:
    k("non-blocking", lambda: a.sendfile(f), f)
with open(e, "rb", buffering=0) as f:
    k("non-blocking empty", lambda: a.sendfile(f), f)
a.settimeout(5.0)
with open(p, "rb", buffering=0) as f:
    k("timeout mode", lambda: a.sendfile(f, 500), f)
a.setblocking(True)
with open(e, "rb", buffering=0) as f:
    k("empty", lambda: a.sendfile(f), f)
c = socket.socket(); c.close()
with open(p, "rb", buffering=0) as f:
    k("closed socket", lambda: c.sendfile(f), f)
with open(e, "rb", buffering=0) as f:
    k("closed socket empty file", lambda: c.sendfile(f), f)
with socket.socket() as c, open(p, "rb", buffering=0) as f:
    k("unconnected tcp", lambda: c.sendfile(f), f)
with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as c, open(p, "rb", buffering=0) as f:
    k("unconnected seqpacket", lambda: c.sendfile(f), f)
with socket.socket(type=socket.SOCK_DGRAM) as c, open(p, "rb", buffering=0) as f:
    k("dgram", lambda: c.sendfile(f), f)
pr, pw = os.pipe(); os.write(pw, b"pipe data"); os.close(pw)
with os.fdopen(pr, "rb", buffering=0) as f:
    k("pipe", lambda: a.sendfile(f))
k("None file", lambda: a.sendfile(None))
k("None file offset 3", lambda: a.sendfile(None, 3))
a.close(); b.close()
`)

func TestSendFile_AsPython3(t *testing.T) {
	want := pythonStrings(t, oracleSendFile)
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, bytes.Repeat([]byte("0123456789"), 100), 0o600))
	e := filepath.Join(t.TempDir(), "e")
	require.NoError(t, os.WriteFile(e, nil, 0o600))
	open := func(path string) *os.File {
		f, err := os.Open(path)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b := socketPair(t)
	require.NoError(t, b.SetTimeout(0.02))
	rb := func() []byte {
		got, err := b.Recv(100000, 0)
		if err != nil {
			return []byte("<nothing>")
		}
		return got
	}
	got := map[string]string{}
	k := func(name string, file *os.File, n int, err error) {
		var pos any
		if file != nil {
			if p, serr := file.Seek(0, io.SeekCurrent); serr == nil {
				pos = int(p)
			}
		}
		got[name] = py.Repr(py.Tuple{pyResult(n, err), pos, rb()})
	}
	f := open(p)
	send := func(s *Socket, f *os.File, off int64, count any) (int, error) { return s.SendFile(f, off, count) }
	for _, c := range []struct {
		name   string
		off    int64
		count  any
		seekTo int64 // before the call; -1: leave the position
	}{
		{"count '2'", 0, "2", -1}, {"count 0.1", 0, 0.1, -1}, {"count 0", 0, 0, -1},
		{"count -1", 0, -1, -1}, {"count None", 0, nil, -1}, {"count True", 0, true, -1},
		{"count 5 offset 3", 3, 5, -1}, {"count 2**70", 990, pyBig(70), -1}, {"offset -1", -1, nil, -1},
		{"offset past end", 2000, nil, 0}, {"offset 995 count 100", 995, 100, -1},
		{"position 7 offset 0 count 3", 0, 3, 7},
	} {
		if c.seekTo >= 0 {
			_, err := f.Seek(c.seekTo, io.SeekStart)
			require.NoError(t, err)
		}
		n, err := send(a, f, c.off, c.count)
		k(c.name, f, n, err)
	}
	closed := open(p)
	require.NoError(t, closed.Close())
	n, err := a.SendFile(closed, 0, nil)
	k("closed file", nil, n, err)

	require.NoError(t, a.SetBlocking(false))
	f = open(p)
	n, err = a.SendFile(f, 0, nil)
	k("non-blocking", f, n, err)
	f = open(e)
	n, err = a.SendFile(f, 0, nil)
	k("non-blocking empty", f, n, err)
	require.NoError(t, a.SetTimeout(5.0))
	f = open(p)
	n, err = a.SendFile(f, 500, nil)
	k("timeout mode", f, n, err)
	require.NoError(t, a.SetBlocking(true))
	f = open(e)
	n, err = a.SendFile(f, 0, nil)
	k("empty", f, n, err)

	c := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, c.Close())
	f = open(p)
	n, err = c.SendFile(f, 0, nil)
	k("closed socket", f, n, err)
	f = open(e)
	n, err = c.SendFile(f, 0, nil)
	k("closed socket empty file", f, n, err)
	f = open(p)
	n, err = mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1).SendFile(f, 0, nil)
	k("unconnected tcp", f, n, err)
	f = open(p)
	n, err = mustSocket(t, csock.AF_UNIX, csock.SOCK_SEQPACKET, -1).SendFile(f, 0, nil)
	k("unconnected seqpacket", f, n, err)
	f = open(p)
	n, err = mustSocket(t, csock.AF_INET, csock.SOCK_DGRAM, -1).SendFile(f, 0, nil)
	k("dgram", f, n, err)

	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { pr.Close() })
	_, err = pw.Write([]byte("pipe data"))
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	n, err = a.SendFile(pr, 0, nil)
	k("pipe", nil, n, err)
	n, err = a.SendFile(nil, 0, nil)
	k("None file", nil, n, err)
	n, err = a.SendFile(nil, 3, nil)
	k("None file offset 3", nil, n, err)

	for name, w := range want {
		if assert.Contains(t, got, name) {
			assert.Equal(t, w, got[name], name)
		}
	}
	assert.Len(t, got, len(want))
}

// pyBig is the Python int 2**e.
func pyBig(e uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), e) }

func TestSendFile_BlockingModeWaitsOnThePoller(t *testing.T) {
	// In blocking mode the descriptor stays blocking (CPython's flag) while SendFile waits
	// for room on Go's poller; Close wakes it, and the file position tells what was sent.
	a, b := socketPair(t)
	require.Nil(t, a.GetTimeout())
	file := sendfileFile(t, sendfileData)
	wait := goAsync(t, func() error {
		_, err := a.SendFile(file, 0, nil)
		return err
	})
	// Wait until the socket buffer is full and SendFile waits.
	deadline := time.Now().Add(10 * time.Second)
	for a.pf.Load() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	require.NotNil(t, a.pf.Load(), "SendFile went to the poller")
	time.Sleep(20 * time.Millisecond)
	assert.False(t, nonblockFlag(t, a.Fileno()), "O_NONBLOCK stays clear between attempts")
	require.NoError(t, a.Close())
	err := wait()
	assert.Equal(t, textEBADF, pyExc(err))
	pos := position(t, file)
	assert.Greater(t, pos, int64(0))
	assert.Less(t, pos, int64(sendfileSize))
	got := make([]byte, 0, pos)
	for int64(len(got)) < pos {
		chunk, err := b.Recv(1<<16, 0)
		require.NoError(t, err)
		require.NotEmpty(t, chunk)
		got = append(got, chunk...)
	}
	assert.True(t, bytes.Equal(sendfileData[:pos], got), "the position is offset plus the bytes sent")
}

func TestSendFileContext_EndsWithTheContext(t *testing.T) {
	a, _ := socketPair(t)
	file := sendfileFile(t, sendfileData)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	n, err := a.SendFileContext(ctx, file, 100, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Greater(t, n, 0)
	assert.Equal(t, int64(100+n), position(t, file))
	assert.False(t, nonblockFlag(t, a.Fileno()))
}

var oracleComplexRepr = oracleCase("ComplexRepr", `
for i, c in enumerate([1j, 1.5j, 1+2j, -1-1j, complex(0, -0.0), complex(-0.0, 1), 1e20j,
                       complex(float('inf'), 1), complex(1, float('nan')), complex(0, -1)]):
    out[str(i)] = repr(c)
`)

func TestValueRepr_ComplexAsPython3(t *testing.T) {
	// sendfile's count message reprs its argument, a Go complex included.
	want := pythonStrings(t, oracleComplexRepr)
	negZero := math.Copysign(0, -1)
	for i, c := range []complex128{1i, 1.5i, 1 + 2i, -1 - 1i, complex(0, negZero), complex(negZero, 1), 1e20i,
		complex(math.Inf(1), 1), complex(1, math.NaN()), complex(0, -1)} {
		assert.Equal(t, want[strconv.Itoa(i)], valueRepr(c), "%v", c)
	}
	assert.Equal(t, "{'a': 1, 'b': [2]}", valueRepr(map[string]any{"b": []any{2}, "a": 1}))
}

// oracleSendFileWriteOnly: sendfile(2) cannot read a file open for writing only, so
// CPython falls back to reading it, and FileIO's read refuses (in blocking and timeout
// modes alike).
var oracleSendFileWriteOnly = oracleCase("SendFileWriteOnly", `
import tempfile
d = tempfile.mkdtemp()
p = os.path.join(d, 'wo')
with open(p, 'wb') as w:
    w.write(b'hello')
f = open(p, 'ab', buffering=0)
a, b = socket.socketpair()
out['blocking'] = exc(lambda: a.sendfile(f))
a.settimeout(1.0)
out['timeout'] = exc(lambda: a.sendfile(f))
f.close(); a.close(); b.close(); os.unlink(p); os.rmdir(d)
`)

func TestSendFile_WriteOnlyFileLikeCPython(t *testing.T) {
	want := pythonStrings(t, oracleSendFileWriteOnly)
	p := filepath.Join(t.TempDir(), "wo")
	require.NoError(t, os.WriteFile(p, []byte("hello"), 0o600))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	defer f.Close()
	a, _ := socketPair(t)
	got := map[string]string{}
	_, err = a.SendFile(f, 0, nil)
	got["blocking"] = pyExc(err)
	require.NoError(t, a.SetTimeout(1.0))
	_, err = a.SendFile(f, 0, nil)
	got["timeout"] = pyExc(err)
	assert.Equal(t, want, got)
}
