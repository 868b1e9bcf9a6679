//go:build linux

package reliability

import (
	"crypto/sha256"
	"io"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/seam"
	"github.com/csock/csock/py"
)

// The faults the kernel and libc cannot be made to produce on demand, injected through
// csock's seams (internal/seam) into each path, and what the facade must make of them:
// EINTR is retried on every call PEP 475 covers (never InterruptedError), with the
// remaining timeout; EAGAIN in blocking or timeout mode means "wait for readiness"; EMFILE,
// ENOBUFS and EAI_SYSTEM are reported as CPython reports them (EAI_SYSTEM as the errno's
// OSError, not socket.gaierror). The expected texts come from python3.

// faults counts the calls a fault function saw and failed.
type faults struct {
	seen, failed atomic.Int64
}

// inject sets a fault function on op's hook for the rest of the test: calls on fd (any fd
// if fd is -1) are failed with err while fail(n) is true for the n-th such call (from 1).
func inject(t testing.TB, op seam.Op, fd int, err error, fail func(n int64) bool) *faults {
	f := &faults{}
	t.Cleanup(seam.HookFor(op).Set(func(c seam.Call) error {
		if fd != -1 && c.FD != fd {
			return nil
		}
		if fail(f.seen.Add(1)) {
			f.failed.Add(1)
			return err
		}
		return nil
	}))
	return f
}

// firstN fails the first n calls; everyOther fails every odd call, forever.
func firstN(n int64) func(int64) bool { return func(i int64) bool { return i <= n } }
func everyOther(i int64) bool         { return i%2 == 1 }

// TestInjectedEINTR_IsRetriedNeverRaised: 100 EINTRs in a row, then success, on every path
// PEP 475 retries, in blocking and in timeout mode; EINTR on every other call in the middle
// of a 16 MiB SendAll/RecvInto stream loses and repeats nothing; and with EINTR on every
// other call and nothing to read, a timeout still fires on time.
func TestInjectedEINTR_IsRetriedNeverRaised(t *testing.T) {
	for _, timeout := range []any{nil, 30.0} {
		name := "blocking"
		if timeout != nil {
			name = "timeout"
		}
		t.Run(name, func(t *testing.T) {
			for _, c := range eintrCases {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, timeout)
				})
			}
		})
	}

	t.Run("sendall stream", func(t *testing.T) {
		a, b := unixPair(t)
		// A small send buffer: each send moves little, so the stream takes many of them.
		require.NoError(t, a.SetSockOptInt(facade.SOL_SOCKET, facade.SO_SNDBUF, 16<<10))
		data := randomBytes(16<<20, 11)
		send := inject(t, seam.OpSend, a.Fileno(), syscall.EINTR, everyOther)
		recv := inject(t, seam.OpRecv, b.Fileno(), syscall.EINTR, everyOther)
		done := async(t, 60*time.Second, func() error { return a.SendAll(data, 0) })
		h := sha256.New()
		buf := make([]byte, 48<<10)
		for total := 0; total < len(data); {
			n, err := b.RecvInto(buf, 0, 0)
			require.NoError(t, err)
			require.Positive(t, n)
			h.Write(buf[:n])
			total += n
		}
		require.NoError(t, done())
		assert.Equal(t, sha256.Sum256(data), [32]byte(h.Sum(nil)))
		assert.Greater(t, send.failed.Load(), int64(10))
		assert.Greater(t, recv.failed.Load(), int64(10))
	})

	t.Run("timeout still fires", func(t *testing.T) {
		a, _ := unixPair(t)
		f := inject(t, seam.OpRecv, a.Fileno(), syscall.EINTR, everyOther)
		require.NoError(t, a.SetTimeout(0.3))
		var err error
		d := within(t, prompt, func() { _, err = a.Recv(1, 0) })
		requireTimedOut(t, err)
		assert.GreaterOrEqual(t, d, 300*time.Millisecond)
		assert.Less(t, d, 300*time.Millisecond+slack)
		assert.Positive(t, f.failed.Load())
	})

	t.Run("non-blocking connect raises it as CPython does", func(t *testing.T) {
		// CPython's internal_connect (issue #23618): a connect interrupted on a
		// non-blocking socket raises InterruptedError, and the caller connects again; the
		// attempt goes on meanwhile.
		_, addr := listener(t, 8)
		s := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
		require.NoError(t, s.SetBlocking(false))
		inject(t, seam.OpConnect, s.Fileno(), syscall.EINTR, firstN(1))
		assert.Equal(t, errnoText(t, syscall.EINTR), pyExc(s.Connect(addr)))
		e := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
		require.NoError(t, e.SetBlocking(false))
		inject(t, seam.OpConnect, e.Fileno(), syscall.EINTR, firstN(1))
		n, err := e.ConnectEx(addr)
		require.NoError(t, err)
		assert.Equal(t, int(syscall.EINTR), n)
	})
}

// eintrCases are the PEP 475 paths, each set up, hit by 100 EINTRs, and checked.
var eintrCases = []struct {
	name string
	run  func(t *testing.T, timeout any)
}{
	{"recv", func(t *testing.T, timeout any) {
		a, b := unixPair(t)
		require.NoError(t, a.SetTimeout(timeout))
		f := inject(t, seam.OpRecv, a.Fileno(), syscall.EINTR, firstN(100))
		require.NoError(t, b.SendAll([]byte("data"), 0))
		got, err := a.Recv(10, 0)
		require.NoError(t, err)
		assert.Equal(t, "data", string(got))
		assert.EqualValues(t, 100, f.failed.Load())
	}},
	{"recv_into waiting", func(t *testing.T, timeout any) {
		// The EINTRs come while the call waits for data that arrives later.
		a, b := unixPair(t)
		require.NoError(t, a.SetTimeout(timeout))
		f := inject(t, seam.OpRecv, a.Fileno(), syscall.EINTR, firstN(100))
		go func() {
			time.Sleep(50 * time.Millisecond)
			b.SendAll([]byte("late"), 0)
		}()
		buf := make([]byte, 10)
		n, err := a.RecvInto(buf, 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "late", string(buf[:n]))
		assert.EqualValues(t, 100, f.failed.Load())
	}},
	{"recvfrom", func(t *testing.T, timeout any) {
		u, addr := udpPair(t)
		require.NoError(t, u.SetTimeout(timeout))
		f := inject(t, seam.OpRecvFrom, u.Fileno(), syscall.EINTR, firstN(100))
		s := newSocket(t, facade.AF_INET, facade.SOCK_DGRAM)
		_, err := s.SendTo([]byte("dgram"), 0, addr)
		require.NoError(t, err)
		got, from, err := u.RecvFrom(10, 0)
		require.NoError(t, err)
		assert.Equal(t, "dgram", string(got))
		assert.NotNil(t, from)
		assert.EqualValues(t, 100, f.failed.Load())
	}},
	{"send", func(t *testing.T, timeout any) {
		a, b := unixPair(t)
		require.NoError(t, a.SetTimeout(timeout))
		f := inject(t, seam.OpSend, a.Fileno(), syscall.EINTR, firstN(100))
		n, err := a.Send([]byte("data"), 0)
		require.NoError(t, err)
		assert.Equal(t, 4, n)
		got, err := b.Recv(10, 0)
		require.NoError(t, err)
		assert.Equal(t, "data", string(got))
		assert.EqualValues(t, 100, f.failed.Load())
	}},
	{"sendall", func(t *testing.T, timeout any) {
		a, b := unixPair(t)
		require.NoError(t, a.SetTimeout(timeout))
		f := inject(t, seam.OpSend, a.Fileno(), syscall.EINTR, firstN(100))
		require.NoError(t, a.SendAll([]byte("data"), 0))
		got, err := b.Recv(10, 0)
		require.NoError(t, err)
		assert.Equal(t, "data", string(got))
		assert.EqualValues(t, 100, f.failed.Load())
	}},
	{"sendto", func(t *testing.T, timeout any) {
		u, addr := udpPair(t)
		s := newSocket(t, facade.AF_INET, facade.SOCK_DGRAM)
		require.NoError(t, s.SetTimeout(timeout))
		f := inject(t, seam.OpSendTo, s.Fileno(), syscall.EINTR, firstN(100))
		n, err := s.SendTo([]byte("dgram"), 0, addr)
		require.NoError(t, err)
		assert.Equal(t, 5, n)
		got, err := u.Recv(10, 0)
		require.NoError(t, err)
		assert.Equal(t, "dgram", string(got))
		assert.EqualValues(t, 100, f.failed.Load())
	}},
	{"accept", func(t *testing.T, timeout any) {
		l, addr := listener(t, 8)
		require.NoError(t, l.SetTimeout(timeout))
		f := inject(t, seam.OpAccept, l.Fileno(), syscall.EINTR, firstN(100))
		c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
		require.NoError(t, c.Connect(addr))
		s, _, err := l.Accept()
		require.NoError(t, err)
		s.Close()
		assert.EqualValues(t, 100, f.failed.Load())
	}},
	{"connect", func(t *testing.T, timeout any) {
		// The seam models connect(2)'s EINTR: the attempt goes on asynchronously and the
		// call waits for it (CPython's internal_connect).
		l, addr := listener(t, 8)
		c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
		require.NoError(t, c.SetTimeout(timeout))
		f := inject(t, seam.OpConnect, c.Fileno(), syscall.EINTR, firstN(1))
		require.NoError(t, c.Connect(addr))
		s, _, err := l.Accept()
		require.NoError(t, err)
		s.Close()
		peer, err := c.GetPeerName()
		require.NoError(t, err)
		assert.Equal(t, addr.Port, peer.(facade.InetAddress).Port)
		assert.EqualValues(t, 1, f.failed.Load())
	}},
	{"makefile", func(t *testing.T, timeout any) {
		a, b := unixPair(t)
		require.NoError(t, a.SetTimeout(timeout))
		require.NoError(t, b.SetTimeout(timeout))
		w, err := a.MakeFile("wb", facade.DefaultFileOptions())
		require.NoError(t, err)
		defer w.Close()
		r, err := b.MakeFile("rb", facade.DefaultFileOptions())
		require.NoError(t, err)
		defer r.Close()
		fs := inject(t, seam.OpSend, a.Fileno(), syscall.EINTR, firstN(100))
		fr := inject(t, seam.OpRecv, b.Fileno(), syscall.EINTR, firstN(100))
		_, err = w.Write([]byte("line one\nline two\n"))
		require.NoError(t, err)
		require.NoError(t, w.Flush())
		line, err := r.ReadLineN(-1)
		require.NoError(t, err)
		assert.Equal(t, "line one\n", string(line))
		assert.EqualValues(t, 100, fs.failed.Load())
		assert.EqualValues(t, 100, fr.failed.Load())
	}},
	{"netconn", func(t *testing.T, timeout any) {
		a, b := unixPair(t)
		ca, err := a.NetConn()
		require.NoError(t, err)
		cb, err := b.NetConn()
		require.NoError(t, err)
		fs := inject(t, seam.OpSend, a.Fileno(), syscall.EINTR, firstN(100))
		fr := inject(t, seam.OpRecv, b.Fileno(), syscall.EINTR, firstN(100))
		_, err = ca.Write([]byte("data"))
		require.NoError(t, err)
		got := make([]byte, 4)
		_, err = io.ReadFull(cb, got)
		require.NoError(t, err)
		assert.Equal(t, "data", string(got))
		assert.EqualValues(t, 100, fs.failed.Load())
		assert.EqualValues(t, 100, fr.failed.Load())
	}},
}

// udpPair is a UDP socket bound on 127.0.0.1 and its address.
func udpPair(t testing.TB) (*facade.Socket, facade.InetAddress) {
	t.Helper()
	u := newSocket(t, facade.AF_INET, facade.SOCK_DGRAM)
	require.NoError(t, u.Bind(py.Tuple{loopback, 0}))
	a, err := u.GetSockName()
	require.NoError(t, err)
	return u, a.(facade.InetAddress)
}

// TestInjectedEAGAIN_MeansWaitInBlockingMode: a spurious EAGAIN (the kernel had nothing
// when asked) makes a blocking or timeout-mode call wait for readiness and then succeed —
// recv and accept until the peer acts, send, sendto and connect until the poller reports the
// socket writable, an AF_UNIX connect until the listener has room — where a non-blocking
// call raises CPython's BlockingIOError [Errno 11].
func TestInjectedEAGAIN_MeansWaitInBlockingMode(t *testing.T) {
	for _, timeout := range []any{nil, 30.0} {
		t.Run("recv "+modeName(timeout), func(t *testing.T) {
			a, b := unixPair(t)
			require.NoError(t, a.SetTimeout(timeout))
			// The peer sends only once the call has been told EAGAIN, as a real peer might.
			var sent atomic.Bool
			t.Cleanup(seam.RecvHook.Set(func(c seam.Call) error {
				if c.FD == a.Fileno() && sent.CompareAndSwap(false, true) {
					go func() {
						time.Sleep(50 * time.Millisecond)
						b.SendAll([]byte("data"), 0)
					}()
					return syscall.EAGAIN
				}
				return nil
			}))
			got, err := a.Recv(10, 0)
			require.NoError(t, err)
			assert.Equal(t, "data", string(got))
		})
		t.Run("accept "+modeName(timeout), func(t *testing.T) {
			l, addr := listener(t, 8)
			require.NoError(t, l.SetTimeout(timeout))
			cli := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
			var once atomic.Bool
			t.Cleanup(seam.AcceptHook.Set(func(c seam.Call) error {
				if c.FD == l.Fileno() && once.CompareAndSwap(false, true) {
					go func() {
						time.Sleep(50 * time.Millisecond)
						cli.Connect(addr)
					}()
					return syscall.EAGAIN
				}
				return nil
			}))
			s, _, err := l.Accept()
			require.NoError(t, err)
			s.Close()
		})
		t.Run("send "+modeName(timeout), func(t *testing.T) {
			// A socket that has never waited: its registration with the poller reports it
			// writable (a send's EAGAIN is spurious only once per registration: after that,
			// only room made in a full buffer would wake it).
			a, b := unixPair(t)
			require.NoError(t, a.SetTimeout(timeout))
			f := inject(t, seam.OpSend, a.Fileno(), syscall.EAGAIN, firstN(1))
			require.NoError(t, a.SendAll([]byte("data"), 0))
			got, err := b.Recv(10, 0)
			require.NoError(t, err)
			assert.Equal(t, "data", string(got))
			assert.EqualValues(t, 1, f.failed.Load())
		})
		t.Run("sendto "+modeName(timeout), func(t *testing.T) {
			u, addr := udpPair(t)
			s := newSocket(t, facade.AF_INET, facade.SOCK_DGRAM)
			require.NoError(t, s.SetTimeout(timeout))
			inject(t, seam.OpSendTo, s.Fileno(), syscall.EAGAIN, firstN(1))
			_, err := s.SendTo([]byte("dgram"), 0, addr)
			require.NoError(t, err)
			got, err := u.Recv(10, 0)
			require.NoError(t, err)
			assert.Equal(t, "dgram", string(got))
		})
	}
	t.Run("unix connect blocking", func(t *testing.T) {
		// connect(2) on AF_UNIX says EAGAIN when the listener's backlog is full; a blocking
		// connect waits for room.
		path := t.TempDir() + "/l"
		l := newSocket(t, facade.AF_UNIX, facade.SOCK_STREAM)
		require.NoError(t, l.Bind(path))
		require.NoError(t, l.Listen())
		c := newSocket(t, facade.AF_UNIX, facade.SOCK_STREAM)
		f := inject(t, seam.OpConnect, c.Fileno(), syscall.EAGAIN, firstN(3))
		require.NoError(t, c.Connect(path))
		assert.EqualValues(t, 3, f.failed.Load())
	})
	t.Run("non-blocking is BlockingIOError", func(t *testing.T) {
		want := errnoText(t, syscall.EAGAIN)
		a, b := unixPair(t)
		require.NoError(t, a.SetBlocking(false))
		require.NoError(t, b.SendAll([]byte("data"), 0))
		inject(t, seam.OpRecv, a.Fileno(), syscall.EAGAIN, firstN(1))
		_, err := a.Recv(10, 0)
		assert.Equal(t, want, pyExc(err))
		got, err := a.Recv(10, 0)
		require.NoError(t, err)
		assert.Equal(t, "data", string(got))
		inject(t, seam.OpSend, a.Fileno(), syscall.EAGAIN, firstN(1))
		assert.Equal(t, want, pyExc(a.SendAll([]byte("x"), 0)))
	})
}

func modeName(timeout any) string {
	if timeout == nil {
		return "blocking"
	}
	return "timeout"
}

// TestInjectedErrors_AreReportedAsCPythonDoes: EMFILE, ENFILE and ENOBUFS on socket,
// socketpair, accept, connect, create_connection, send, sendto and sendall, and
// EAI_SYSTEM (with the errno), EAI_AGAIN and NETDB_INTERNAL on the resolver calls, come out
// as the exceptions CPython raises for them (python3 raises each with its errno, or
// formats the resolver's error with libc's texts). A failed accept leaves the connection
// queued for the next one.
func TestInjectedErrors_AreReportedAsCPythonDoes(t *testing.T) {
	want := pyTexts(t, `
libc = ctypes.CDLL(None)
libc.gai_strerror.restype = ctypes.c_char_p
libc.hstrerror.restype = ctypes.c_char_p
def gaierror(code):
    raise socket.gaierror(code, libc.gai_strerror(code).decode())
def herror(code):
    raise socket.herror(code, libc.hstrerror(code).decode())
out['EAI_AGAIN'] = exc(lambda: gaierror(socket.EAI_AGAIN))
out['NETDB_INTERNAL'] = exc(lambda: herror(-1))
`)
	emfile, enfile, enobufs, eintr := errnoText(t, syscall.EMFILE), errnoText(t, syscall.ENFILE),
		errnoText(t, syscall.ENOBUFS), errnoText(t, syscall.EINTR)
	l, addr := listener(t, 8)
	u, uaddr := udpPair(t)
	_ = u
	a, _ := unixPair(t)

	cases := []struct {
		name string
		op   seam.Op
		err  error
		want string
		call func() error
	}{
		{"socket EMFILE", seam.OpSocket, syscall.EMFILE, emfile, func() error {
			s, err := facade.New(-1, -1, -1)
			closeIf(s)
			return err
		}},
		{"socket ENFILE", seam.OpSocket, syscall.ENFILE, enfile, func() error {
			s, err := facade.New(facade.AF_INET6, facade.SOCK_DGRAM, 0)
			closeIf(s)
			return err
		}},
		{"socket ENOBUFS", seam.OpSocket, syscall.ENOBUFS, enobufs, func() error {
			s, err := facade.New(-1, -1, -1)
			closeIf(s)
			return err
		}},
		{"socketpair EMFILE", seam.OpSocketPair, syscall.EMFILE, emfile, func() error {
			x, y, err := facade.SocketPair(-1, -1, -1)
			closeIf(x)
			closeIf(y)
			return err
		}},
		{"create_connection EMFILE", seam.OpSocket, syscall.EMFILE, emfile, func() error {
			s, err := facade.CreateConnection(py.Tuple{addr.Host, addr.Port}, facade.UseDefaultTimeout, nil, false)
			closeIf(s)
			return err
		}},
		{"create_server EMFILE", seam.OpSocket, syscall.EMFILE, emfile, func() error {
			s, err := facade.CreateServer(py.Tuple{loopback, 0}, facade.ServerOptions{})
			closeIf(s)
			return err
		}},
		{"accept EMFILE", seam.OpAccept, syscall.EMFILE, emfile, func() error {
			s, _, err := l.Accept()
			closeIf(s)
			return err
		}},
		{"connect ENOBUFS", seam.OpConnect, syscall.ENOBUFS, enobufs, func() error {
			s, err := facade.New(-1, -1, -1)
			require.NoError(t, err)
			defer s.Close()
			return s.Connect(addr)
		}},
		{"send ENOBUFS", seam.OpSend, syscall.ENOBUFS, enobufs, func() error {
			_, err := a.Send([]byte("x"), 0)
			return err
		}},
		{"sendall ENOBUFS", seam.OpSend, syscall.ENOBUFS, enobufs, func() error {
			return a.SendAll([]byte("x"), 0)
		}},
		{"sendto ENOBUFS", seam.OpSendTo, syscall.ENOBUFS, enobufs, func() error {
			s, err := facade.New(facade.AF_INET, facade.SOCK_DGRAM, 0)
			require.NoError(t, err)
			defer s.Close()
			_, err = s.SendTo([]byte("x"), 0, uaddr)
			return err
		}},
		{"recv EMFILE", seam.OpRecv, syscall.EMFILE, emfile, func() error {
			_, err := a.Recv(1, 0)
			return err
		}},
		{"getaddrinfo EAI_SYSTEM EMFILE", seam.OpGetAddrInfo, syscall.EMFILE, emfile, func() error {
			_, err := facade.GetAddrInfo("localhost", 80, 0, 0, 0, 0)
			return err
		}},
		{"getaddrinfo EAI_SYSTEM ENOBUFS", seam.OpGetAddrInfo, syscall.ENOBUFS, enobufs, func() error {
			_, err := facade.GetAddrInfo("localhost", 80, 0, 0, 0, 0)
			return err
		}},
		{"getaddrinfo EAI_SYSTEM EINTR", seam.OpGetAddrInfo, syscall.EINTR, eintr, func() error {
			// Not a PEP 475 call: CPython raises what getaddrinfo reports.
			_, err := facade.GetAddrInfo("localhost", 80, 0, 0, 0, 0)
			return err
		}},
		{"getaddrinfo EAI_AGAIN", seam.OpGetAddrInfo, &csock.GaiError{Code: csock.EAI_AGAIN}, want["EAI_AGAIN"], func() error {
			_, err := facade.GetAddrInfo("localhost", 80, 0, 0, 0, 0)
			return err
		}},
		{"gethostbyname EAI_SYSTEM", seam.OpGetAddrInfo, syscall.EMFILE, emfile, func() error {
			_, err := facade.GetHostByName("localhost")
			return err
		}},
		{"create_connection EAI_SYSTEM", seam.OpGetAddrInfo, syscall.EMFILE, emfile, func() error {
			s, err := facade.CreateConnection(py.Tuple{"localhost", addr.Port}, facade.UseDefaultTimeout, nil, false)
			closeIf(s)
			return err
		}},
		{"getnameinfo EAI_SYSTEM", seam.OpGetNameInfo, syscall.EMFILE, emfile, func() error {
			_, _, err := facade.GetNameInfo(py.Tuple{loopback, 80}, 0)
			return err
		}},
		{"gethostbyname_ex NETDB_INTERNAL", seam.OpGetHostByName, syscall.EMFILE, want["NETDB_INTERNAL"], func() error {
			_, err := facade.GetHostByNameEx("localhost")
			return err
		}},
		{"gethostbyaddr NETDB_INTERNAL", seam.OpGetHostByAddr, syscall.ENOBUFS, want["NETDB_INTERNAL"], func() error {
			_, err := facade.GetHostByAddr(loopback)
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := inject(t, c.op, -1, c.err, firstN(1))
			assert.Equal(t, c.want, pyExc(c.call()))
			assert.EqualValues(t, 1, f.failed.Load(), "the fault was not injected")
			if c.op == seam.OpGetAddrInfo {
				assert.NotContains(t, pyExc(c.call()), "Error", "the next lookup fails too")
			}
		})
	}
	// The connection the failed accept did not take is still there.
	c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	require.NoError(t, c.Connect(addr))
	inject(t, seam.OpAccept, l.Fileno(), syscall.EMFILE, firstN(1))
	_, _, err := l.Accept()
	assert.Equal(t, emfile, pyExc(err))
	s, _, err := l.Accept()
	require.NoError(t, err)
	s.Close()
}

// closeIf closes s if it is not nil (a call that should have failed made it).
func closeIf(s *facade.Socket) {
	if s != nil {
		s.Close()
	}
}
