//go:build linux

package reliability

import (
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// emfileSteps are the calls made with every descriptor taken, in order, by python3 and by
// the facade (emfilePython, emfileGo).
var emfileSteps = []string{
	"fill", "socket", "accept", "socketpair", "create_connection", "create_connection localhost",
	"getaddrinfo localhost", "gethostbyname localhost", "gethostbyname_ex localhost",
	"gethostbyaddr", "getnameinfo", "getservbyname", "getservbyport", "getprotobyname", "dup", "makefile", "fromfd", "create_server",
	"socketpair with one free", "accept with one free",
}

const emfilePython = `
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(); a = l.getsockname()
c = socket.create_connection(a); c.sendall(b'queued')
n = len(os.listdir('/proc/self/fd'))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 5, hard))
fill = []
def fill_up():
    for i in range(100):
        fill.append(socket.socket())
out['fill'] = exc(fill_up)
out['socket'] = exc(lambda: socket.socket())
out['accept'] = exc(lambda: l.accept())
out['socketpair'] = exc(lambda: socket.socketpair())
out['create_connection'] = exc(lambda: socket.create_connection(a))
out['create_connection localhost'] = exc(lambda: socket.create_connection(('localhost', a[1])))
out['getaddrinfo localhost'] = exc(lambda: socket.getaddrinfo('localhost', 80))
out['gethostbyname localhost'] = exc(lambda: socket.gethostbyname('localhost'))
out['gethostbyname_ex localhost'] = exc(lambda: socket.gethostbyname_ex('localhost'))
out['gethostbyaddr'] = exc(lambda: socket.gethostbyaddr('127.0.0.1'))
out['getnameinfo'] = exc(lambda: socket.getnameinfo(('127.0.0.1', 80), 0))
out['getservbyname'] = exc(lambda: socket.getservbyname('http'))
out['getservbyport'] = exc(lambda: socket.getservbyport(80))
out['getprotobyname'] = exc(lambda: socket.getprotobyname('tcp'))
out['dup'] = exc(lambda: l.dup())
out['makefile'] = exc(lambda: c.makefile('rb').close())
out['fromfd'] = exc(lambda: socket.fromfd(l.fileno(), socket.AF_INET, socket.SOCK_STREAM))
out['create_server'] = exc(lambda: socket.create_server(('127.0.0.1', 0)))
fill.pop().close()
out['socketpair with one free'] = exc(lambda: socket.socketpair())
def accept_one():
    s, _ = l.accept()
    assert s.recv(6) == b'queued'
    s.close()
out['accept with one free'] = exc(accept_one)
`

// TestDescriptorExhaustion_IsErrno24AndRecovers runs TestChildDescriptorExhaustion in a
// process of its own, whose RLIMIT_NOFILE it lowers: with every descriptor taken, socket,
// accept, socketpair, create_connection, dup, fromfd and create_server fail with CPython's
// OSError [Errno 24], the resolver calls fail as CPython's do in the same state (python3
// makes the same calls under the same limit), nothing is leaked by a failed call, the
// connection an accept could not take stays queued, and every call works again once
// descriptors are free.
func TestDescriptorExhaustion_IsErrno24AndRecovers(t *testing.T) {
	want := pyTexts(t, emfilePython)
	require.Equal(t, errnoText(t, syscall.EMFILE), want["socket"], "python3 did not run out of descriptors")
	enc, err := json.Marshal(want)
	require.NoError(t, err)
	out := requireChildPasses(t, "TestChildDescriptorExhaustion", childOptions{env: []string{"CSOCK_EMFILE_WANT=" + string(enc)}})
	t.Logf("child:\n%s", out)
}

// TestChildDescriptorExhaustion is the child of TestDescriptorExhaustion_IsErrno24AndRecovers.
func TestChildDescriptorExhaustion(t *testing.T) {
	inChild(t)
	var want map[string]string
	require.NoError(t, json.Unmarshal([]byte(getenv(t, "CSOCK_EMFILE_WANT")), &want))

	l, addr := listener(t, 8)
	c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
	require.NoError(t, c.Connect(addr))
	require.NoError(t, c.SendAll([]byte("queued"), 0))
	before := testutil.FDs()

	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	old := lim
	// As python3 does: room for five more descriptors than are open (the listing of
	// /proc/self/fd counted its own).
	lim.Cur = uint64(len(before) + 5)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
	restored := false
	restore := func() {
		if !restored {
			restored = true
			require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old))
		}
	}
	defer restore()

	var fill []*facade.Socket
	closeAll := func(ss []*facade.Socket) {
		for _, s := range ss {
			s.Close()
		}
	}
	defer func() { closeAll(fill) }()
	got := map[string]string{}
	fillUp := func() error {
		for i := 0; i < 100; i++ {
			s, err := facade.New(-1, -1, -1)
			if err != nil {
				return err
			}
			fill = append(fill, s)
		}
		return nil
	}
	var made []*facade.Socket // what an unexpected success made, closed at the end
	defer func() { closeAll(made) }()
	keep := func(ss ...*facade.Socket) {
		for _, s := range ss {
			if s != nil {
				made = append(made, s)
			}
		}
	}
	steps := map[string]func() error{
		"fill":   fillUp,
		"socket": func() error { s, err := facade.New(-1, -1, -1); keep(s); return err },
		"accept": func() error { s, _, err := l.Accept(); keep(s); return err },
		"socketpair": func() error {
			a, b, err := facade.SocketPair(-1, -1, -1)
			keep(a, b)
			return err
		},
		"create_connection": func() error {
			s, err := facade.CreateConnection(py.Tuple{addr.Host, addr.Port}, facade.UseDefaultTimeout, nil, false)
			keep(s)
			return err
		},
		"create_connection localhost": func() error {
			s, err := facade.CreateConnection(py.Tuple{"localhost", addr.Port}, facade.UseDefaultTimeout, nil, false)
			keep(s)
			return err
		},
		"getaddrinfo localhost": func() error {
			_, err := facade.GetAddrInfo("localhost", 80, 0, 0, 0, 0)
			return err
		},
		"gethostbyname localhost": func() error { _, err := facade.GetHostByName("localhost"); return err },
		"gethostbyname_ex localhost": func() error {
			_, err := facade.GetHostByNameEx("localhost")
			return err
		},
		"gethostbyaddr": func() error { _, err := facade.GetHostByAddr("127.0.0.1"); return err },
		"getnameinfo": func() error {
			_, _, err := facade.GetNameInfo(py.Tuple{"127.0.0.1", 80}, 0)
			return err
		},
		"getservbyname":  func() error { _, err := facade.GetServByName("http"); return err },
		"getservbyport":  func() error { _, err := facade.GetServByPort(80); return err },
		"getprotobyname": func() error { _, err := facade.GetProtoByName("tcp"); return err },
		"dup":            func() error { s, err := l.Dup(); keep(s); return err },
		"makefile": func() error {
			f, err := c.MakeFile("rb", facade.DefaultFileOptions())
			if err == nil {
				err = f.Close()
			}
			return err
		},
		"fromfd": func() error {
			s, err := facade.FromFD(l.Fileno(), facade.AF_INET, facade.SOCK_STREAM, 0)
			keep(s)
			return err
		},
		"create_server": func() error {
			s, err := facade.CreateServer(py.Tuple{loopback, 0}, facade.ServerOptions{})
			keep(s)
			return err
		},
		"socketpair with one free": func() error {
			fill[len(fill)-1].Close()
			fill = fill[:len(fill)-1]
			a, b, err := facade.SocketPair(-1, -1, -1)
			keep(a, b)
			return err
		},
		"accept with one free": func() error {
			s, _, err := l.Accept()
			if err != nil {
				return err
			}
			defer s.Close()
			b, err := s.Recv(6, facade.MSG_WAITALL)
			if err == nil && string(b) != "queued" {
				t.Errorf("the queued connection brought %q", b)
			}
			return err
		},
	}
	require.Len(t, steps, len(emfileSteps))
	for _, name := range emfileSteps {
		got[name] = pyExc(steps[name]())
	}
	assert.Equal(t, want, got)
	assert.Empty(t, made, "calls that should have failed made sockets")

	// Recovery: with the descriptors free again every call works.
	closeAll(fill)
	fill = nil
	closeAll(made)
	made = nil
	s, err := facade.New(-1, -1, -1)
	require.NoError(t, err)
	keep(s)
	a, b, err := facade.SocketPair(-1, -1, -1)
	require.NoError(t, err)
	keep(a, b)
	cc, err := facade.CreateConnection(py.Tuple{"localhost", addr.Port}, 5.0, nil, false)
	require.NoError(t, err)
	keep(cc)
	acc, _, err := l.Accept()
	require.NoError(t, err)
	keep(acc)
	_, err = facade.GetAddrInfo("localhost", 80, 0, 0, 0, 0)
	require.NoError(t, err)
	_, err = facade.GetHostByAddr("127.0.0.1")
	require.NoError(t, err)
	closeAll(made)
	made = nil

	// Nothing leaked: the descriptors are those of before the limit.
	restore()
	time.Sleep(10 * time.Millisecond)
	assert.Empty(t, testutil.LeakedFDs(before, testutil.FDs()))
}

// TestDescriptorExhaustion_PollerStartsOnceDescriptorsFree runs TestChildColdPoller in a
// process without the leak checks' warm-up: the first call that has to wait comes when
// descriptors are exhausted. Registering with Go's runtime poller takes no descriptor (the
// facade started the poller when it initialised), so the wait works and times out as its
// socket's timeout says, as CPython's poll(2) does; and it goes on working once
// descriptors are free again. (TestColdProcess_FirstWaitWithOneDescriptorFree checks the
// same in a process with no Go timer at all.)
func TestDescriptorExhaustion_PollerStartsOnceDescriptorsFree(t *testing.T) {
	out := requireChildPasses(t, "TestChildColdPoller", childOptions{})
	t.Logf("child:\n%s", out)
}

// TestChildColdPoller is the child of TestDescriptorExhaustion_PollerStartsOnceDescriptorsFree.
func TestChildColdPoller(t *testing.T) {
	inChild(t)
	timedOut := textTimedOut(t) // python3 cannot start later
	a, b := unixPair(t)
	require.NoError(t, a.SetTimeout(0.2))

	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	old := lim
	lim.Cur = uint64(len(testutil.FDs()) + 5)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
	var fill []*facade.Socket
	for i := 0; i < 100; i++ {
		s, err := facade.New(-1, -1, -1)
		if err != nil {
			requireErrno(t, err, syscall.EMFILE)
			break
		}
		fill = append(fill, s)
	}
	_, err := a.Recv(1, 0)
	t.Logf("the first wait, with no descriptor free: %s", pyExc(err))
	assert.Equal(t, timedOut, pyExc(err), "waiting needs no descriptor")
	for _, s := range fill {
		s.Close()
	}
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old))

	_, err = a.Recv(1, 0)
	requireTimedOut(t, err)
	require.NoError(t, b.SendAll([]byte("x"), 0))
	got, err := a.Recv(1, 0)
	require.NoError(t, err)
	assert.Equal(t, "x", string(got))
}
