//go:build linux

package facade

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// The makefile tests compare with CPython through one python3 run (starting python3
// through pyenv's shim is slow), made the first time a test needs it. What it runs is
// registered at package initialisation:
//
//   - file scenarios: a mode, options and a list of steps (the peer sends, the file reads,
//     ...) that a Python interpreter (fileScenarioPython) and a Go one (runFileScenario)
//     both execute, each step giving a result string: the repr() of what Python returns, or
//     "!Class: message" for what it raises;
//   - free-form programs filling a dict out.
//
// The codecs alone are compared with CPython's codecs module in package pyio.

// fileMSG is CPython's test_socket.MSG (a bytes literal: "\u1234" is six characters).
var fileMSG = []byte("Michael Gilfix was here\\u1234\r\n")

// fileScenario is one scenario (see above).
type fileScenario struct {
	Name      string  `json:"name"`
	Sock      string  `json:"sock"` // "stream" (AF_UNIX socketpair) or "seqpacket"
	Mode      string  `json:"mode"`
	Buffering *int    `json:"buffering"`
	Encoding  *string `json:"encoding,omitempty"`
	Errors    *string `json:"errors,omitempty"`
	Newline   *string `json:"newline,omitempty"`
	Steps     [][]any `json:"steps"`
}

// Steps of a scenario. The peer end of the socket pair is non-blocking.
func stSend(s string) []any        { return []any{"send", hex.EncodeToString([]byte(s))} }
func stSendBytes(b []byte) []any   { return []any{"send", hex.EncodeToString(b)} }
func stEOF() []any                 { return []any{"eof"} }        // the peer shuts down writing
func stRecv() []any                { return []any{"recv"} }       // the peer receives what is there
func stTimeout(v any) []any        { return []any{"timeout", v} } // settimeout on the file's socket
func stRead(n any) []any           { return []any{"read", n} }    // nil: read()
func stRead1(n any) []any          { return []any{"read1", n} }
func stReadline(n any) []any       { return []any{"readline", n} }
func stReadlines(n any) []any      { return []any{"readlines", n} }
func stReadinto(n int) []any       { return []any{"readinto", n} }
func stReadinto1(n int) []any      { return []any{"readinto1", n} }
func stPeek() []any                { return []any{"peek"} }
func stWrite(s string) []any       { return []any{"write", hex.EncodeToString([]byte(s))} }
func stWriteText(s string) []any   { return []any{"writet", codePoints(s)} }
func stWriteX(n int) []any         { return []any{"writecw", n} } // n bytes "x"; BlockingIOError shows characters_written
func stWriteRunes(rs []rune) []any { return []any{"writet", rs} }
func stFlush() []any               { return []any{"flush"} }
func stClose() []any               { return []any{"close"} }
func stSockClose() []any           { return []any{"sockclose"} }
func stSockRecv() []any            { return []any{"sockrecv"} }   // recv(100) on the file's socket
func stSockFileno() []any          { return []any{"sockfileno"} } // "FD" while the descriptor is the first one
func stAttr(name string) []any     { return []any{name} }         // closed name mode readable writable seekable fileno isatty repr encoding errors newlines

func stWriteLines(lines ...string) []any {
	h := make([]any, len(lines))
	for i, l := range lines {
		h[i] = hex.EncodeToString([]byte(l))
	}
	return []any{"writelines", h}
}

func stWriteLinesText(lines ...string) []any {
	cps := make([]any, len(lines))
	for i, l := range lines {
		cps[i] = codePoints(l)
	}
	return []any{"writelinest", cps}
}

func codePoints(s string) []rune { return py.Runes(s) }

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }
func bufOpt(n int) *int     { return intp(n) }

// fileScenarioPython is the Python interpreter of scenarios; run_scenario returns the
// result strings.
const fileScenarioPython = `
def run_scenario(sc):
    typ = socket.SOCK_SEQPACKET if sc['sock'] == 'seqpacket' else socket.SOCK_STREAM
    a, b = socket.socketpair(socket.AF_UNIX, typ)
    b.setblocking(False)
    fd = a.fileno()
    kw = {k: sc[k] for k in ('encoding', 'errors', 'newline') if k in sc}
    binary = 'b' in sc['mode']
    def norm(s):
        s = re.sub(r' at 0x[0-9a-f]+', ' at 0xADDR', s)
        return s.replace('name=%d' % fd, 'name=FD')
    def R(f):
        try:
            return norm(repr(f()))
        except BaseException as e:
            return '!' + exc(e)
    out = []
    try:
        f = a.makefile(sc['mode'], sc.get('buffering'), **kw)
    except BaseException as e:
        a.close(); b.close()
        return ['!' + exc(e)]
    def readinto(one, n):
        buf = bytearray(n)
        r = f.readinto1(buf) if one else f.readinto(buf)
        if r is None:
            return None
        return Raw('%d %r' % (r, bytes(buf[:r])))
    def recv():
        got = b''
        while True:
            try:
                d = b.recv(1 << 20)
            except BlockingIOError:
                break
            if not d:
                break
            got += d
            if typ == socket.SOCK_SEQPACKET:
                break
        return got
    def name():
        n = f.name
        return Raw('FD') if n == fd and n != -1 else n
    def sockfileno():
        n = a.fileno()
        return Raw('FD') if n == fd else n
    for st in sc['steps']:
        op, args = st[0], st[1:]
        if op == 'send':
            b.sendall(bytes.fromhex(args[0])); r = 'ok'
        elif op == 'eof':
            b.shutdown(socket.SHUT_WR); r = 'ok'
        elif op == 'recv':
            r = R(recv)
        elif op == 'timeout':
            r = R(lambda: a.settimeout(args[0]))
        elif op in ('read', 'read1', 'readline', 'readlines'):
            r = R(lambda: getattr(f, op)()) if args[0] is None else R(lambda: getattr(f, op)(args[0]))
        elif op in ('readinto', 'readinto1'):
            r = R(lambda: readinto(op == 'readinto1', args[0]))
        elif op == 'peek':
            r = R(lambda: f.peek())
        elif op == 'write':
            r = R(lambda: f.write(bytes.fromhex(args[0])))
        elif op == 'writecw':
            def w():
                try:
                    return f.write(b'x' * args[0])
                except BlockingIOError as e:
                    return Raw('BlockingIOError characters_written=%d' % e.characters_written)
            r = R(w)
        elif op == 'writet':
            r = R(lambda: f.write(''.join(map(chr, args[0]))))
        elif op == 'writelines':
            r = R(lambda: f.writelines([bytes.fromhex(x) for x in args[0]]))
        elif op == 'writelinest':
            r = R(lambda: f.writelines([''.join(map(chr, x)) for x in args[0]]))
        elif op == 'fileno':
            r = R(lambda: (lambda n: Raw('FD') if n == fd else n)(f.fileno()))
        elif op in ('flush', 'close', 'readable', 'writable', 'seekable', 'isatty'):
            r = R(lambda: getattr(f, op)())
        elif op in ('closed', 'mode', 'encoding', 'errors', 'newlines'):
            r = R(lambda: getattr(f, op))
        elif op == 'name':
            r = R(name)
        elif op == 'repr':
            r = R(lambda: Raw(repr(f)))
        elif op == 'sockclose':
            r = R(a.close)
        elif op == 'sockrecv':
            r = R(lambda: a.recv(100))
        elif op == 'sockfileno':
            r = R(sockfileno)
        else:
            raise ValueError('unknown step ' + op)
        out.append(r)
    try:
        f.close()
    except BaseException:
        pass
    a.close(); b.close()
    return out

class Raw:
    def __init__(self, s): self.s = s
    def __repr__(self): return self.s
`

// fileOraclePrelude is the start of the oracle program.
const fileOraclePrelude = `
import json, socket, sys, os, errno, io, re, codecs, traceback, signal
signal.alarm(300)  # a scenario that blocks fails the run instead of hanging it
def exc(e):
    t = type(e)
    name = t.__name__ if t.__module__ == 'builtins' else t.__module__ + '.' + t.__name__
    s = str(e)
    return name + ': ' + s if s else name
def X(f):
    try:
        return repr(f())
    except BaseException as e:
        return '!' + exc(e)
`

var (
	fileScenarios = map[string]fileScenario{}
	filePrograms  = map[string]string{}

	fileOracleOnce sync.Once
	fileOracle     *fileOracleOutput
)

type fileOracleOutput struct {
	Scenarios map[string][]string       `json:"scenarios"`
	Programs  map[string]map[string]any `json:"programs"`
}

// addScenario registers a scenario and returns its name.
func addScenario(sc fileScenario) string {
	if _, dup := fileScenarios[sc.Name]; dup {
		panic("scenario registered twice: " + sc.Name)
	}
	if sc.Sock == "" {
		sc.Sock = "stream"
	}
	fileScenarios[sc.Name] = sc
	return sc.Name
}

// addProgram registers a program, run after fileOraclePrelude inside a function of its
// own that fills the dict out, and returns its name.
func addProgram(name, program string) string {
	if _, dup := filePrograms[name]; dup {
		panic("program registered twice: " + name)
	}
	filePrograms[name] = program
	return name
}

func runFileOracle(t testing.TB) *fileOracleOutput {
	t.Helper()
	fileOracleOnce.Do(func() {
		var script strings.Builder
		script.WriteString(fileOraclePrelude)
		script.WriteString(fileScenarioPython)
		script.WriteString("inp = json.load(sys.stdin)\nres = {'scenarios': {}, 'programs': {}}\n")
		script.WriteString("for sc in inp['scenarios']:\n    res['scenarios'][sc['name']] = run_scenario(sc)\n")
		names := make([]string, 0, len(filePrograms))
		for n := range filePrograms {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			fmt.Fprintf(&script, "def prog_%d():\n    out = {}\n", i)
			for _, line := range strings.Split(filePrograms[n], "\n") {
				script.WriteString("    " + line + "\n")
			}
			script.WriteString("    return out\n")
			fmt.Fprintf(&script, "try:\n    res['programs'][%q] = prog_%d()\n", n, i)
			fmt.Fprintf(&script, "except BaseException:\n    res['programs'][%q] = {'__error__': traceback.format_exc()}\n", n)
		}
		script.WriteString("print(json.dumps(res))\n")
		input := map[string]any{"scenarios": sortedValues(fileScenarios)}
		var out fileOracleOutput
		if dir := os.Getenv("CSOCK_ORACLE_DUMP"); dir != "" {
			// For debugging the oracle: the program and its input, to run by hand.
			in, _ := json.Marshal(input)
			os.WriteFile(filepath.Join(dir, "oracle.py"), []byte(script.String()), 0o644)
			os.WriteFile(filepath.Join(dir, "oracle.json"), in, 0o644)
		}
		testutil.PythonJSON(t, script.String(), input, &out)
		fileOracle = &out
	})
	if fileOracle == nil {
		t.Fatal("the python3 oracle failed (see the first test that used it)")
	}
	return fileOracle
}

func sortedValues[V any](m map[string]V) []V {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vs := make([]V, len(keys))
	for i, k := range keys {
		vs[i] = m[k]
	}
	return vs
}

// pythonProgram returns the dict the program registered as name filled.
func pythonProgram(t testing.TB, name string) map[string]any {
	t.Helper()
	out, ok := runFileOracle(t).Programs[name]
	require.True(t, ok, "no program %q", name)
	if e, failed := out["__error__"]; failed {
		t.Fatalf("program %s failed in python3:\n%s", name, e)
	}
	return out
}

// checkScenario runs the scenario in Go and compares each step's result with CPython's.
func checkScenario(t *testing.T, name string) {
	t.Helper()
	want, ok := runFileOracle(t).Scenarios[name]
	require.True(t, ok, "no scenario %q", name)
	sc := fileScenarios[name]
	got := runFileScenario(t, sc)
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
			t.Errorf("%s: step %d %s:\n  CPython: %s\n  Go:      %s", name, i, step, w, g)
		}
	}
}

// pyExcLine is an error as CPython's traceback ends: "Class: message".
func pyExcLine(err error) string {
	if e, ok := py.AsException(err); ok {
		return py.FormatException(e)
	}
	return "Go error: " + err.Error()
}

// rRepr is the result string of a step that returned v (already a repr) or failed.
func rRepr(v string, err error) string {
	switch {
	case err == ErrNone:
		return "None"
	case err != nil:
		return "!" + pyExcLine(err)
	}
	return v
}

func rBytes(b []byte, text bool, err error) string {
	if text {
		return rRepr(py.StrRepr(string(b)), err)
	}
	return rRepr(py.BytesRepr(b), err)
}

func rInt(n int, err error) string { return rRepr(strconv.Itoa(n), err) }
func rBool(v bool, err error) string {
	return rRepr(map[bool]string{true: "True", false: "False"}[v], err)
}
func rNone(err error) string { return rRepr("None", err) }

var reprAddress = regexp.MustCompile(` at 0x[0-9a-f]+`)

// runFileScenario is the Go interpreter of scenarios.
func runFileScenario(t *testing.T, sc fileScenario) []string {
	t.Helper()
	typ := SOCK_STREAM
	if sc.Sock == "seqpacket" {
		typ = SOCK_SEQPACKET
	}
	a, b, err := SocketPair(AF_UNIX, typ, 0)
	require.NoError(t, err)
	defer b.Close()
	defer a.Close()
	require.NoError(t, b.SetBlocking(false))
	fd := a.Fileno()
	opts := FileOptions{Buffering: sc.Buffering}
	if sc.Encoding != nil {
		opts.Encoding = *sc.Encoding
	}
	if sc.Errors != nil {
		opts.Errors = *sc.Errors
	}
	opts.Newline = sc.Newline
	f, err := a.MakeFile(sc.Mode, opts)
	if err != nil {
		return []string{"!" + pyExcLine(err)}
	}
	defer f.Close()
	text := !strings.Contains(sc.Mode, "b")
	rb := func(b []byte, err error) string { return rBytes(b, text, err) }
	norm := func(s string) string {
		s = reprAddress.ReplaceAllString(s, " at 0xADDR")
		return strings.ReplaceAll(s, fmt.Sprintf("name=%d", fd), "name=FD")
	}
	fdRepr := func(n int, err error) string {
		if err == nil && n == fd && n != -1 {
			return "FD"
		}
		return rInt(n, err)
	}
	hexArg := func(v any) []byte {
		b, err := hex.DecodeString(v.(string))
		require.NoError(t, err)
		return b
	}
	textArg := func(v any) []byte {
		return []byte(py.FromRunes(v.([]rune)))
	}
	intArg := func(v any, none int) int {
		if v == nil {
			return none
		}
		return v.(int)
	}
	var out []string
	for _, st := range sc.Steps {
		var r string
		switch op := st[0].(string); op {
		case "send":
			_, err := b.Send(hexArg(st[1]), 0)
			require.NoError(t, err)
			r = "ok"
		case "eof":
			require.NoError(t, b.Shutdown(SHUT_WR))
			r = "ok"
		case "recv":
			var got []byte
			for i := 0; i < 1000; i++ {
				d, err := b.Recv(1<<20, 0)
				if errors.Is(err, syscall.EAGAIN) {
					break
				}
				require.NoError(t, err)
				if len(d) == 0 {
					break
				}
				got = append(got, d...)
				if typ == SOCK_SEQPACKET {
					break
				}
			}
			r = py.BytesRepr(got)
		case "timeout":
			r = rNone(a.SetTimeout(st[1]))
		case "read":
			r = rb(f.ReadN(intArg(st[1], -1)))
		case "read1":
			r = rb(f.Read1(intArg(st[1], -1)))
		case "readline":
			r = rb(f.ReadLineN(intArg(st[1], -1)))
		case "readlines":
			lines, err := f.ReadLines(intArg(st[1], -1))
			reprs := make([]string, len(lines))
			for i, l := range lines {
				reprs[i] = rb(l, nil)
			}
			r = rRepr("["+strings.Join(reprs, ", ")+"]", err)
		case "readinto", "readinto1":
			buf := make([]byte, st[1].(int))
			read := f.ReadInto
			if op == "readinto1" {
				read = f.ReadInto1
			}
			n, err := read(buf)
			r = rRepr(fmt.Sprintf("%d %s", n, py.BytesRepr(buf[:n])), err)
		case "peek":
			r = rb(f.Peek(0))
		case "write":
			r = rInt(f.PyWrite(hexArg(st[1])))
		case "writecw":
			n, err := f.PyWrite(bytes.Repeat([]byte("x"), st[1].(int)))
			var be *BlockingIOError
			if errors.As(err, &be) {
				r = fmt.Sprintf("BlockingIOError characters_written=%d", be.CharactersWritten)
			} else {
				r = rInt(n, err)
			}
		case "writet":
			r = rInt(f.PyWrite(textArg(st[1])))
		case "writelines", "writelinest":
			var lines [][]byte
			for _, l := range st[1].([]any) {
				if op == "writelines" {
					lines = append(lines, hexArg(l))
				} else {
					lines = append(lines, textArg(l))
				}
			}
			r = rNone(f.WriteLines(lines))
		case "flush":
			r = rNone(f.Flush())
		case "close":
			r = rNone(f.Close())
		case "readable":
			r = rBool(f.Readable())
		case "writable":
			r = rBool(f.Writable())
		case "seekable":
			r = rBool(f.Seekable())
		case "isatty":
			r = rBool(f.IsATTY())
		case "fileno":
			r = fdRepr(f.Fileno())
		case "closed":
			r = rBool(f.Closed(), nil)
		case "mode":
			m, err := f.Mode()
			r = rRepr(py.StrRepr(m), err)
		case "encoding":
			e, err := f.Encoding()
			r = rRepr(py.StrRepr(e), err)
		case "errors":
			e, err := f.Errors()
			r = rRepr(py.StrRepr(e), err)
		case "newlines":
			nl, err := f.Newlines()
			r = rRepr(py.Repr(nl), err)
		case "name":
			r = fdRepr(f.Name())
		case "repr":
			r = norm(f.PyRepr())
		case "sockclose":
			r = rNone(a.Close())
		case "sockrecv":
			r = rRepr(func() (string, error) { d, err := a.Recv(100, 0); return py.BytesRepr(d), err }())
		case "sockfileno":
			r = fdRepr(a.Fileno(), nil)
		default:
			t.Fatalf("unknown step %v", st)
		}
		out = append(out, r)
	}
	return out
}

// fileTCPPair is CPython's SocketConnectedTest fixture: the accepted socket (cli_conn)
// and the connecting one (serv_conn), over loopback TCP.
func fileTCPPair(t testing.TB) (conn, cli *Socket) {
	t.Helper()
	srv, err := New(AF_INET, SOCK_STREAM, 0)
	require.NoError(t, err)
	defer srv.Close()
	require.NoError(t, srv.Bind(py.Tuple{"127.0.0.1", 0}))
	require.NoError(t, srv.Listen())
	addr, err := srv.GetSockName()
	require.NoError(t, err)
	cli, err = New(AF_INET, SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { cli.Close() })
	require.NoError(t, cli.Connect(addr))
	conn, _, err = srv.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn, cli
}

// fileSocketPair is an AF_UNIX stream socket pair closed when the test ends.
func fileSocketPair(t testing.TB) (a, b *Socket) {
	t.Helper()
	a, b, err := SocketPair(-1, -1, -1)
	require.NoError(t, err)
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// isText reports whether f is a text file (a TextIOWrapper, which has an encoding).
func isText(f *File) bool {
	_, err := f.Encoding()
	return err == nil
}

// lineLimit is File.ReadLine's longest line, as its doc gives it: 8192 bytes (characters
// in text mode).
const lineLimit = 8192

// mustMakeFile makes a file that the test closes when it ends.
func mustMakeFile(t testing.TB, s *Socket, mode string, opts FileOptions) *File {
	t.Helper()
	f, err := s.MakeFile(mode, opts)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// bufferingOpts is makefile(mode, n): the buffering CPython's test classes set (-1 is
// Python's default, as None).
func bufferingOpts(n int) FileOptions { return FileOptions{Buffering: &n} }
