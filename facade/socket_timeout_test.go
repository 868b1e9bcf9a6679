//go:build linux

package facade

import (
	"bytes"
	"context"
	"errors"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// Ports of CPython's TCPTimeoutTest and UDPTimeoutTest (test_socket.py) and of
// test_timeout.py's CreationTestCase, TCPTimeoutTestCase and UDPTimeoutTestCase. The
// timeouts are shorter than CPython's (which uses 1.0-1.5 s) to keep the suite fast; the
// fuzz is CPython's 2 s.

const timeoutFuzz = 2 * time.Second

// timesOut runs op up to count times with the socket's timeout set to timeout, and checks
// that one of them fails with TimeoutError within [timeout - 1 s, timeout + fuzz] (CPython's
// TimeoutTestCase._sock_operation).
func timesOut(t *testing.T, s *Socket, timeout float64, count int, op func() error) {
	t.Helper()
	require.NoError(t, s.SetTimeout(timeout))
	for i := 0; i < count; i++ {
		start := time.Now()
		err := op()
		if err == nil {
			continue
		}
		d := time.Since(start)
		requireTimedOut(t, err)
		limit := time.Duration(timeout * float64(time.Second))
		assert.Less(t, d, limit+timeoutFuzz)
		assert.GreaterOrEqual(t, d, limit-10*time.Millisecond, "a timeout does not fire early")
		return
	}
	t.Fatalf("no TimeoutError in %d tries", count)
}

func TestTCPTimeout_AcceptTimesOut(t *testing.T) {
	// testTCPTimeout, test_timeout's testAcceptTimeout
	serv, _ := tcpListener(t)
	timesOut(t, serv, 0.25, 1, func() error { _, _, err := serv.Accept(); return err })
}

func TestTCPTimeout_ZeroTimeoutIsNotATimeout(t *testing.T) {
	// testTimeoutZero
	serv, _ := tcpListener(t)
	require.NoError(t, serv.SetTimeout(0.0))
	_, _, err := serv.Accept()
	require.Error(t, err)
	assert.False(t, errors.Is(err, errTimedOut))
	assert.Equal(t, textEAGAIN, pyExc(err))
}

func TestTCPTimeout_CancellationBeatsTheTimeout(t *testing.T) {
	// testInterruptedTimeout: CPython's SIGALRM handler raising during accept(); the Go
	// counterpart of "a handler raised" is a context ending.
	serv, _ := tcpListener(t)
	require.NoError(t, serv.SetTimeout(5.0))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := serv.AcceptContext(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, errors.Is(err, errTimedOut), "not the socket's timeout")
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestUDPTimeout_RecvTimesOut(t *testing.T) {
	// testUDPTimeout, test_timeout's testRecvfromTimeout
	serv, _ := udpSocket(t)
	timesOut(t, serv, 0.25, 1, func() error { _, err := serv.Recv(1024, 0); return err })
	timesOut(t, serv, 0.25, 1, func() error { _, _, err := serv.RecvFrom(1024, 0); return err })
}

func TestUDPTimeout_ZeroTimeoutIsBlockingIOError(t *testing.T) {
	// testTimeoutZero
	serv, _ := udpSocket(t)
	require.NoError(t, serv.SetTimeout(0.0))
	_, err := serv.Recv(1024, 0)
	requireErrno(t, err, syscall.EAGAIN)
	assert.False(t, errors.Is(err, errTimedOut))
}

func TestTimeoutCreation_DefaultsAndReturnTypes(t *testing.T) {
	// testObjectCreation, testFloatReturnValue, testReturnType
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	assert.Nil(t, s.GetTimeout())
	require.NoError(t, s.SetTimeout(7.345))
	assert.Equal(t, 7.345, s.GetTimeout())
	require.NoError(t, s.SetTimeout(3))
	assert.Equal(t, 3.0, s.GetTimeout(), "an int timeout reads back as a float")
	require.NoError(t, s.SetTimeout(nil))
	assert.Nil(t, s.GetTimeout())
	require.NoError(t, s.SetTimeout(1))
	assert.IsType(t, 1.0, s.GetTimeout())
	require.NoError(t, s.SetTimeout(3.9))
	assert.IsType(t, 1.0, s.GetTimeout())
	require.NoError(t, s.SetTimeout(1500*time.Millisecond))
	assert.Equal(t, 1.5, s.GetTimeout(), "a time.Duration is exact nanoseconds")
}

var oracleTimeoutArguments = oracleCase("TimeoutArguments", `
s = socket.socket()
for name, v in [('empty_str', ''), ('tuple', ()), ('list', []), ('minus1', -1), ('minus1f', -1.0),
                ('nan', float('nan')), ('inf', float('inf')), ('huge', 10**10), ('tiny_neg', -1e-10)]:
    out[name] = exc(lambda: s.settimeout(v))
for name, v in [('third', 1/3), ('tiny', 1e-10), ('true', True), ('neg_zero', -0.0), ('big', 1.0000000001)]:
    s.settimeout(v)
    out[name] = repr(s.gettimeout())
    out[name + '_blocking'] = s.getblocking()
s.close()
`)

func TestTimeoutCreation_ArgumentChecksLikeCPython(t *testing.T) {
	// testTypeCheck, testRangeCheck (dict and complex have no Go counterpart), and B.1's
	// rounding
	want := python(t, oracleTimeoutArguments)
	s := mustSocket(t, -1, -1, -1)
	for name, v := range map[string]any{
		"empty_str": "", "tuple": py.Tuple{}, "list": py.List{}, "minus1": -1, "minus1f": -1.0,
		"nan": nanValue(), "inf": infValue(), "huge": 10_000_000_000, "tiny_neg": -1e-10,
	} {
		assert.Equal(t, want[name], pyExc(s.SetTimeout(v)), name)
	}
	for name, v := range map[string]any{
		"third": 1.0 / 3, "tiny": 1e-10, "true": true, "neg_zero": negZero(), "big": 1.0000000001,
	} {
		require.NoError(t, s.SetTimeout(v))
		assert.Equal(t, want[name], py.Repr(s.GetTimeout()), name)
		assert.Equal(t, want[name+"_blocking"], s.GetBlocking(), name)
	}
}

func TestTimeoutCreation_SetTimeoutAndSetBlockingInterplay(t *testing.T) {
	// testTimeoutThenBlocking, testBlockingThenTimeout
	s := mustSocket(t, -1, -1, -1)
	require.NoError(t, s.SetTimeout(10))
	require.NoError(t, s.SetBlocking(true))
	assert.Nil(t, s.GetTimeout())
	require.NoError(t, s.SetBlocking(false))
	assert.Equal(t, 0.0, s.GetTimeout())
	require.NoError(t, s.SetTimeout(10))
	require.NoError(t, s.SetBlocking(false))
	assert.Equal(t, 0.0, s.GetTimeout())
	require.NoError(t, s.SetBlocking(true))
	assert.Nil(t, s.GetTimeout())

	require.NoError(t, s.SetBlocking(false))
	require.NoError(t, s.SetTimeout(1))
	assert.Equal(t, 1.0, s.GetTimeout())
	require.NoError(t, s.SetBlocking(true))
	require.NoError(t, s.SetTimeout(1))
	assert.Equal(t, 1.0, s.GetTimeout())
}

func TestTCPTimeoutCase_ConnectToBlackholeTimesOut(t *testing.T) {
	// testConnectTimeout, against a loopback listener whose backlog is full instead of
	// pythontest.net's blackhole; connect_ex reports the timeout as 11 (B.4).
	_, addr := fullListener(t)
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	timesOut(t, s, 0.25, 1, func() error { return s.Connect(addr) })
	e := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, e.SetTimeout(0.1))
	n, err := e.ConnectEx(addr)
	require.NoError(t, err)
	assert.Equal(t, int(syscall.EAGAIN), n)
}

func TestTCPTimeoutCase_RecvTimesOut(t *testing.T) {
	// testRecvTimeout, against a local server that never sends
	srv, addr := tcpListener(t)
	_ = srv
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, s.Connect(addr))
	timesOut(t, s, 0.25, 1, func() error { _, err := s.Recv(1024, 0); return err })
	buf := make([]byte, 16)
	timesOut(t, s, 0.1, 1, func() error { _, err := s.RecvInto(buf, 0, 0); return err })
	timesOut(t, s, 0.1, 1, func() error { _, _, err := s.RecvFromInto(buf, 0, 0); return err })
}

func TestTCPTimeoutCase_SendSendToAndSendAllTimeOut(t *testing.T) {
	// testSend, testSendto, testSendall: 200000 bytes at a time to a peer that never reads
	data := bytes.Repeat([]byte("X"), 200000)
	for name, op := range map[string]func(s *Socket, addr InetAddress) error{
		"send":    func(s *Socket, _ InetAddress) error { _, err := s.Send(data, 0); return err },
		"sendto":  func(s *Socket, a InetAddress) error { _, err := s.SendTo(data, 0, a); return err },
		"sendall": func(s *Socket, _ InetAddress) error { return s.SendAll(data, 0) },
	} {
		t.Run(name, func(t *testing.T) {
			srv, addr := tcpListener(t)
			_ = srv
			s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
			require.NoError(t, s.Connect(addr))
			timesOut(t, s, 0.25, 100, func() error { return op(s, addr) })
		})
	}
}

func TestTCPTimeoutCase_SendAllDeadlineCoversTheWholeCall(t *testing.T) {
	// B.5: the peer reads 2 KiB every 20 ms, so each send makes progress well within the
	// timeout, yet sendall of 8 MiB with a 0.3 s timeout fails after about 0.3 s in all.
	conn, cli := connectedTCP(t)
	require.NoError(t, cli.SetSockOptInt(csock.SOL_SOCKET, csock.SO_SNDBUF, 4096))
	require.NoError(t, conn.SetSockOptInt(csock.SOL_SOCKET, csock.SO_RCVBUF, 4096))
	ctx, stop := context.WithCancel(context.Background())
	reader := goAsync(t, func() error {
		buf := make([]byte, 2048)
		for i := 0; i < 1000 && ctx.Err() == nil; i++ {
			if _, err := conn.RecvIntoContext(ctx, buf, 0, 0); err != nil {
				return nil
			}
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	})
	require.NoError(t, cli.SetTimeout(0.3))
	start := time.Now()
	err := cli.SendAll(make([]byte, 8<<20), 0)
	d := time.Since(start)
	stop()
	require.NoError(t, reader())
	requireTimedOut(t, err)
	assert.Less(t, d, 300*time.Millisecond+timeoutFuzz)
	assert.GreaterOrEqual(t, d, 290*time.Millisecond)
}

func TestTCPTimeoutCase_RefusedConnectOnATimeoutSocket(t *testing.T) {
	// B.4: refused while waiting in timeout mode comes back through SO_ERROR.
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, s.SetTimeout(5))
	err := s.Connect(py.Tuple{loopback, 1})
	assert.Equal(t, textECONNREFUSED, pyExc(err))
	e := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	require.NoError(t, e.SetTimeout(5))
	n, err := e.ConnectEx(py.Tuple{loopback, 1})
	require.NoError(t, err)
	assert.Equal(t, int(syscall.ECONNREFUSED), n)
}

func TestTimeout_TinyTimeoutStillReceivesReadyData(t *testing.T) {
	// B.1: any positive timeout, however small, is a timeout; CPython polls before its
	// first attempt and finds the data ready.
	a, b := socketPair(t)
	_, err := b.Send([]byte("x"), 0)
	require.NoError(t, err)
	require.NoError(t, a.SetTimeout(1e-9))
	got, err := a.Recv(1, 0)
	require.NoError(t, err)
	assert.Equal(t, "x", string(got))
	_, err = a.Recv(1, 0)
	requireTimedOut(t, err)
}

func TestTimeout_SocketsThatNeverWaitNeverRegister(t *testing.T) {
	// The lazy registration: a socket whose calls never wait never touches the poller.
	a, b := socketPair(t)
	_, err := b.Send([]byte("x"), 0)
	require.NoError(t, err)
	_, err = a.Recv(1, 0)
	require.NoError(t, err)
	assert.Nil(t, a.pf.Load())
	assert.Nil(t, b.pf.Load())
	require.NoError(t, a.SetTimeout(0.05))
	_, err = a.Recv(1, 0)
	requireTimedOut(t, err)
	assert.NotNil(t, a.pf.Load(), "a call that waited registered")
}

func TestTimeout_DeadlineIsClearedForALaterBlockingCall(t *testing.T) {
	// A call with a deadline followed by one without: the second must not inherit it.
	a, b := socketPair(t)
	require.NoError(t, a.SetTimeout(0.05))
	_, err := a.Recv(1, 0)
	requireTimedOut(t, err)
	require.NoError(t, a.SetTimeout(nil))
	wait := goAsync(t, func() error {
		time.Sleep(150 * time.Millisecond)
		_, err := b.Send([]byte("y"), 0)
		return err
	})
	got, err := a.Recv(1, 0)
	require.NoError(t, err)
	assert.Equal(t, "y", string(got))
	require.NoError(t, wait())
}

func nanValue() float64 { return math.NaN() }
func infValue() float64 { return math.Inf(1) }
func negZero() float64  { return math.Copysign(0, -1) }

// The first wait registers the descriptor with the poller, which needs O_NONBLOCK set for
// os.NewFile; a SetTimeout or SetBlocking racing with it must neither make the wait fail
// (an unpollable file reads as [Errno 17]) nor leave the flag other than CPython's for the
// final mode. Each round is a fresh pair, since a socket registers once.
func TestTimeout_ModeChangesRacingTheFirstWait(t *testing.T) {
	for _, start := range []any{1.0, nil} {
		for round := 0; round < 200; round++ {
			a, b := socketPair(t)
			require.NoError(t, a.SetTimeout(start))
			got := make(chan error, 1)
			go func() {
				data, err := a.Recv(1, 0)
				if err == nil && string(data) != "x" {
					err = errors.New("recv got " + string(data))
				}
				got <- err
			}()
			for i := 0; i < 20; i++ {
				if i%2 == 0 {
					require.NoError(t, a.SetBlocking(true))
				} else {
					require.NoError(t, a.SetTimeout(5.0))
				}
			}
			require.NoError(t, a.SetTimeout(5.0))
			_, err := b.Send([]byte("x"), 0)
			require.NoError(t, err)
			select {
			case err := <-got:
				require.NoError(t, err, "start %v, round %d", start, round)
			case <-time.After(10 * time.Second):
				t.Fatalf("start %v, round %d: recv still waiting after 10 s", start, round)
			}
			nonblock, err := csock.GetNonblock(a.Fileno())
			require.NoError(t, err)
			assert.True(t, nonblock, "start %v, round %d: timeout mode with O_NONBLOCK clear", start, round)
			require.NoError(t, a.Close())
			require.NoError(t, b.Close())
		}
	}
}
