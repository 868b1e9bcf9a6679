package pyio

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/csock/csock/py"
)

// Fake-socket scenarios: the same script of receives and sends is played by fakeSocket
// under this package's file objects and by a Python twin of it under CPython's own
// socket.makefile (which asks of its socket only recv_into, send, fileno and the _io_refs
// protocol, as Socket does), and each step's result is compared, down to the sizes of the
// receives and sends the layers make. So the layers are compared with CPython's without
// the kernel, with events a real socket gives only by chance (a timeout between two
// chunks, a send that takes 3 bytes).

// fakeScenario is one scenario: a file of Mode with the options over a fake socket whose
// receives find Recvs and whose sends take Sends, and the Steps made on it.
type fakeScenario struct {
	Name      string  `json:"name"`
	Mode      string  `json:"mode"`
	Buffering *int    `json:"buffering"`
	Encoding  *string `json:"encoding,omitempty"`
	Newline   *string `json:"newline,omitempty"`
	Recvs     [][]any `json:"recvs"` // {"data", hex}, {"again"} (EAGAIN), {"timeout"}
	Sends     [][]any `json:"sends"` // {"take", n}, {"again"}, {"timeout"}
	Steps     [][]any `json:"steps"`
}

// Script events and steps.
func evData(s string) []any { return []any{"data", hex.EncodeToString([]byte(s))} }
func evAgain() []any        { return []any{"again"} }
func evTimeout() []any      { return []any{"timeout"} }
func evTake(n int) []any    { return []any{"take", n} }

func fsRead(n int) []any       { return []any{"read", n} } // n < 0: read()
func fsRead1(n int) []any      { return []any{"read1", n} }
func fsReadline(n int) []any   { return []any{"readline", n} }
func fsReadinto(n int) []any   { return []any{"readinto", n} }
func fsPeek() []any            { return []any{"peek"} }
func fsWrite(s string) []any   { return []any{"write", s} } // bytes or str as the mode has it
func fsFlush() []any           { return []any{"flush"} }
func fsClose() []any           { return []any{"close"} }
func fsSockClose() []any       { return []any{"sockclose"} } // the socket's close()
func fsState() []any           { return []any{"state"} }     // "refs=N fd=closed|open"
func fsCalls() []any           { return []any{"calls"} }     // the sizes of every receive and send so far
func fsSent() []any            { return []any{"sent"} }
func fsAttr(name string) []any { return []any{name} } // name fileno closed repr
func intp(n int) *int          { return &n }

// fakeScenarioPython is the Python side: FakeSock is fakeSocket's twin, run_fake plays a
// scenario with CPython's socket.makefile over it.
const fakeScenarioPython = `
class FakeSock:
    def __init__(self, recvs, sends):
        self.recvs = [list(e) for e in recvs]
        self.sends = [list(e) for e in sends]
        self.recv_sizes, self.send_sizes, self.sent = [], [], b''
        self._io_refs, self._closed, self.fd_closed = 0, False, False
    def _event_error(self, ev):
        if ev[0] == 'again':
            return BlockingIOError(errno.EAGAIN, 'Resource temporarily unavailable')
        return TimeoutError('timed out')
    def recv_into(self, b):
        if self.fd_closed:
            raise OSError(errno.EBADF, 'Bad file descriptor')
        n = memoryview(b).nbytes
        self.recv_sizes.append(n)
        if not self.recvs:
            return 0
        ev = self.recvs[0]
        if ev[0] != 'data':
            self.recvs.pop(0)
            raise self._event_error(ev)
        data = bytes.fromhex(ev[1])
        k = min(n, len(data))
        memoryview(b).cast('B')[:k] = data[:k]
        if k == len(data):
            self.recvs.pop(0)
        else:
            ev[1] = data[k:].hex()
        return k
    def send(self, b):
        if self.fd_closed:
            raise OSError(errno.EBADF, 'Bad file descriptor')
        b = bytes(b)
        self.send_sizes.append(len(b))
        n = len(b)
        if self.sends:
            ev = self.sends.pop(0)
            if ev[0] != 'take':
                raise self._event_error(ev)
            n = min(n, ev[1])
        self.sent += b[:n]
        return n
    def fileno(self):
        return -1 if self.fd_closed else 7
    def _decref_socketios(self):
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self.close()
    def close(self):
        self._closed = True
        if self._io_refs <= 0:
            self.fd_closed = True

def run_fake(sc):
    s = FakeSock(sc['recvs'], sc['sends'])
    kw = {k: sc[k] for k in ('encoding', 'newline') if k in sc}
    text = 'b' not in sc['mode']
    def R(f):
        try:
            return repr(f())
        except BlockingIOError as e:
            cw = getattr(e, 'characters_written', None)
            if cw is None:
                return '!' + exc(e)
            # A buffered write's BlockingIOError takes the C errno of the moment
            # (_set_BlockingIOError): a real socket's failed send left EAGAIN there, the
            # fake no system call at all.
            e.errno = errno.EAGAIN
            return '!' + exc(e) + ' cw=%d' % cw
        except BaseException as e:
            return '!' + exc(e)
    class Raw:
        def __init__(self, s): self.s = s
        def __repr__(self): return self.s
    try:
        f = socket.socket.makefile(s, sc['mode'], sc.get('buffering'), **kw)
    except BaseException as e:
        return ['!' + exc(e)]
    def readinto(n):
        buf = bytearray(n)
        r = f.readinto(buf)
        return None if r is None else Raw('%d %r' % (r, bytes(buf[:r])))
    out = []
    for st in sc['steps']:
        op, args = st[0], st[1:]
        if op == 'read':
            r = R(lambda: f.read() if args[0] < 0 else f.read(args[0]))
        elif op in ('read1', 'readline'):
            r = R(lambda: getattr(f, op)(args[0]))
        elif op == 'readinto':
            r = R(lambda: readinto(args[0]))
        elif op == 'peek':
            r = R(lambda: f.peek())
        elif op == 'write':
            r = R(lambda: f.write(args[0] if text else args[0].encode()))
        elif op in ('flush', 'close'):
            r = R(getattr(f, op))
        elif op == 'sockclose':
            r = R(s.close)
        elif op == 'state':
            r = 'refs=%d fd=%s' % (s._io_refs, 'closed' if s.fd_closed else 'open')
        elif op == 'calls':
            r = 'recv=%s send=%s' % (s.recv_sizes, s.send_sizes)
        elif op == 'sent':
            r = repr(s.sent)
        elif op in ('name', 'closed'):
            r = R(lambda: getattr(f, op))
        elif op == 'fileno':
            r = R(f.fileno)
        elif op == 'repr':
            r = re.sub(r' at 0x[0-9a-f]+', ' at 0xADDR', repr(f))
        else:
            raise ValueError('unknown step ' + op)
        out.append(r)
    return out
`

// addFakeScenario registers a scenario and returns its name.
func addFakeScenario(sc fakeScenario) string {
	if _, dup := fakeScenarios[sc.Name]; dup {
		panic("scenario registered twice: " + sc.Name)
	}
	if sc.Recvs == nil {
		sc.Recvs = [][]any{}
	}
	if sc.Sends == nil {
		sc.Sends = [][]any{}
	}
	fakeScenarios[sc.Name] = sc
	return sc.Name
}

// newScriptedSocket is the fakeSocket of a scenario's script.
func newScriptedSocket(t *testing.T, sc fakeScenario) *fakeSocket {
	s := newFakeSocket()
	event := func(ev []any) error {
		switch ev[0] {
		case "again":
			return errAgain
		case "timeout":
			return errTimedOut
		}
		return nil
	}
	for _, ev := range sc.Recvs {
		if ev[0] == "data" {
			b, err := hex.DecodeString(ev[1].(string))
			require.NoError(t, err)
			s.peer(string(b))
		} else {
			s.recvFails(event(ev))
		}
	}
	for _, ev := range sc.Sends {
		if ev[0] == "take" {
			s.sendTakes(ev[1].(int))
		} else {
			s.sendFails(event(ev))
		}
	}
	return s
}

// runFakeScenario is the Go side of a scenario.
func runFakeScenario(t *testing.T, sc fakeScenario) []string {
	s := newScriptedSocket(t, sc)
	f, err := MakeFile(s, sc.Mode, FileOptions{Buffering: sc.Buffering, Encoding: deref(sc.Encoding), Newline: sc.Newline})
	if err != nil {
		return []string{"!" + pyExcLine(err)}
	}
	defer f.Close()
	text := !strings.Contains(sc.Mode, "b")
	data := func(b []byte, err error) string {
		if text {
			return rRepr(py.StrRepr(string(b)), err)
		}
		return rRepr(py.BytesRepr(b), err)
	}
	result := func(v string, err error) string {
		var be *py.BlockingIOError
		if errors.As(err, &be) {
			return fmt.Sprintf("!%s cw=%d", pyExcLine(err), be.CharactersWritten)
		}
		return rRepr(v, err)
	}
	count := func(n int, err error) string { return result(strconv.Itoa(n), err) }
	var out []string
	for _, st := range sc.Steps {
		var r string
		switch op := st[0].(string); op {
		case "read":
			r = data(f.ReadN(st[1].(int)))
		case "read1":
			r = data(f.Read1(st[1].(int)))
		case "readline":
			r = data(f.ReadLineN(st[1].(int)))
		case "readinto":
			buf := make([]byte, st[1].(int))
			n, err := f.ReadInto(buf)
			r = rRepr(fmt.Sprintf("%d %s", n, py.BytesRepr(buf[:n])), err)
		case "peek":
			r = data(f.Peek(0))
		case "write":
			r = count(f.PyWrite([]byte(st[1].(string))))
		case "flush":
			r = result("None", f.Flush())
		case "close":
			r = result("None", f.Close())
		case "sockclose":
			s.Close()
			r = "None"
		case "state":
			refs, closed := s.state()
			r = fmt.Sprintf("refs=%d fd=%s", refs, map[bool]string{true: "closed", false: "open"}[closed])
		case "calls":
			recvs, sends := s.calls()
			r = fmt.Sprintf("recv=%s send=%s", pyInts(recvs), pyInts(sends))
		case "sent":
			r = py.BytesRepr([]byte(s.sentString()))
		case "name":
			n, err := f.Name()
			r = rRepr(strconv.Itoa(n), err)
		case "fileno":
			n, err := f.Fileno()
			r = rRepr(strconv.Itoa(n), err)
		case "closed":
			r = map[bool]string{true: "True", false: "False"}[f.Closed()]
		case "repr":
			r = strings.NewReplacer(fmt.Sprintf("%p", f), "0xADDR").Replace(f.PyRepr())
		default:
			t.Fatalf("unknown step %v", st)
		}
		out = append(out, r)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// pyInts is the repr of a Python list of ints.
func pyInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// checkFakeScenarios plays each scenario in Go and compares each step with CPython's.
func checkFakeScenarios(t *testing.T, names ...string) {
	t.Helper()
	results := runOracle(t).Scenarios
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want, ok := results[name]
			require.True(t, ok, "no scenario %q", name)
			sc := fakeScenarios[name]
			got := runFakeScenario(t, sc)
			for i := range max(len(want), len(got)) {
				var w, g, step string
				if i < len(want) {
					w = want[i]
				}
				if i < len(got) {
					g = got[i]
				}
				if i < len(sc.Steps) {
					step = fmt.Sprint(sc.Steps[i])
				}
				if w != g {
					t.Errorf("step %d %s:\n  CPython: %s\n  Go:      %s", i, step, w, g)
				}
			}
		})
	}
}
