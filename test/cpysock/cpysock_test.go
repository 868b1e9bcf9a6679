//go:build linux

// Package cpysock_test builds libpysock.a from cmd/libpysock as the Makefile does, into a
// temporary directory, links the C programs of test/cpysock/c against it and runs them:
// plain, with AddressSanitizer, under valgrind, and linked statically. It compares what
// the resolver printer prints with what pysock answers for the same Python calls, and the
// error records with the exceptions python3 raises for the same failures.
package cpysock_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
)

// work holds the archives and programs of one run of the tests.
var work string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cpysock")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	work = dir
	code := testutil.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// root is the repository root.
func root(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Flags of the Makefile: CSTRICT, CSAN, PYSOCK_LIBS.
var (
	cstrict = []string{"-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"}
	csan    = []string{"-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"}
	libs    = []string{"-lpthread", "-lresolv"}
	sanEnv  = []string{"ASAN_OPTIONS=detect_leaks=1:abort_on_error=0", "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"}
)

// archive is one build of libpysock.a, made once per run.
type archive struct {
	name string   // its directory under work
	env  []string // added to go build's environment
	args []string // added to go build's arguments
	once sync.Once
	lib  string
	err  error
	out  []byte
}

var (
	plainArchive = &archive{name: "plain"}
	// The Makefile's build/valgrind/libpysock.a: see valgrind.supp.
	valgrindArchive = &archive{name: "valgrind", env: []string{"GOEXPERIMENT=nodwarf5"}, args: []string{"-tags", "valgrind"}}
)

// build returns the archive's path, building it on first use.
func (a *archive) build(t testing.TB) string {
	t.Helper()
	a.once.Do(func() {
		dir := filepath.Join(work, a.name)
		a.lib = filepath.Join(dir, "libpysock.a")
		args := append([]string{"build", "-buildmode=c-archive"}, a.args...)
		cmd := exec.Command("go", append(args, "-o", a.lib, "./cmd/libpysock")...)
		cmd.Dir = root(t)
		cmd.Env = append(os.Environ(), a.env...)
		a.out, a.err = cmd.CombinedOutput()
	})
	require.NoError(t, a.err, "go build -buildmode=c-archive:\n%s", a.out)
	return a.lib
}

// compile links the C program src (under test/cpysock/c) against lib into dir and returns
// the executable and what the compiler and linker printed.
func compile(t testing.TB, lib, src, dir string, flags ...string) (string, string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	exe := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".c"))
	args := append(append([]string{}, cstrict...), flags...)
	args = append(args, "-I", filepath.Join(root(t), "cmd", "libpysock"), "-I", filepath.Dir(lib), src, lib)
	args = append(args, libs...)
	cmd := exec.Command("gcc", append(args, "-o", exe)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "gcc %s\n%s", strings.Join(args, " "), out)
	return exe, string(out)
}

// programs lists the C programs of test/cpysock/c.
func programs(t testing.TB) []string {
	srcs, err := filepath.Glob(filepath.Join(root(t), "test", "cpysock", "c", "*.c"))
	require.NoError(t, err)
	require.NotEmpty(t, srcs)
	return srcs
}

// run runs exe (under the given runner command, if any) with the program's .in file as
// stdin, and returns its stdout; any failure, or anything on stderr, fails the test.
func run(t testing.TB, env []string, exe, src string, runner ...string) string {
	t.Helper()
	argv := append(append([]string{}, runner...), exe)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	if in, err := os.ReadFile(strings.TrimSuffix(src, ".c") + ".in"); err == nil {
		cmd.Stdin = bytes.NewReader(in)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, err, "%s\nstdout:\n%s\nstderr:\n%s", strings.Join(argv, " "), stdout.String(), stderr.String())
	assert.Empty(t, stderr.String(), "%s wrote to stderr", strings.Join(argv, " "))
	return stdout.String()
}

// checkOutput checks the programs that report "<name>: ok".
func checkOutput(t *testing.T, src, out string) {
	name := strings.TrimSuffix(filepath.Base(src), ".c")
	if name != "pysock_resolve" {
		assert.Equal(t, name+": ok\n", out)
	}
}

func TestPrograms(t *testing.T) {
	lib := plainArchive.build(t)
	for _, src := range programs(t) {
		t.Run(filepath.Base(src), func(t *testing.T) {
			exe, _ := compile(t, lib, src, filepath.Join(work, "plain-bin"), "-O2")
			checkOutput(t, src, run(t, nil, exe, src))
		})
	}
}

func TestProgramsWithAddressSanitizer(t *testing.T) {
	lib := plainArchive.build(t)
	for _, src := range programs(t) {
		t.Run(filepath.Base(src), func(t *testing.T) {
			exe, _ := compile(t, lib, src, filepath.Join(work, "san-bin"), csan...)
			checkOutput(t, src, run(t, sanEnv, exe, src))
		})
	}
}

// valgrindArgs is the Makefile's VALGRIND.
func valgrindArgs(t testing.TB) []string {
	vg, err := exec.LookPath("valgrind")
	if err != nil {
		t.Skip("valgrind is not installed")
	}
	if testing.Short() {
		t.Skip("valgrind runs take a minute: not with -short")
	}
	return []string{vg, "-q", "--leak-check=full", "--errors-for-leak-kinds=definite,possible", "--read-inline-info=no",
		"--error-exitcode=99", "--suppressions=" + filepath.Join(root(t), "test", "cpysock", "valgrind.supp")}
}

// valgrindEnv is the Makefile's: valgrind 3.19 cannot decode RDTSCP, which the runtime's
// cputicks uses, and the runtime's asynchronous preemption (a signal handler that pushes
// a call to asyncPreempt, which saves registers below the interrupted goroutine's stack
// pointer) looks to valgrind like writes to an unallocated part of the goroutine's stack.
var valgrindEnv = []string{"GODEBUG=cpu.rdtscp=off,asyncpreemptoff=1"}

func TestProgramsUnderValgrind(t *testing.T) {
	vg := valgrindArgs(t)
	lib := valgrindArchive.build(t)
	for _, src := range programs(t) {
		t.Run(filepath.Base(src), func(t *testing.T) {
			t.Parallel()
			exe, _ := compile(t, lib, src, filepath.Join(work, "valgrind-bin"), "-O1", "-g")
			checkOutput(t, src, run(t, valgrindEnv, exe, src, vg...))
		})
	}
}

// leaker forgets to free four getaddrinfo results: both leak checkers must see them
// through the Go runtime suppressions. (The lookups run in a function of their own and the
// stack is scrubbed after, so no stale copy of a pointer keeps a block reachable.)
const leaker = `#include "pysock.h"
#include <stdio.h>
#include <string.h>
static int lookup(int i)
{
    struct pysock_addrinfo *ai;
    char port[16];
    snprintf(port, sizeof port, "%d", 80 + i);
    int n = pysock_getaddrinfo("127.0.0.1", port, 2, 1, 0, 0, &ai, NULL);
    return n + ai[0].addr.port; /* no pysock_freeaddrinfo(ai) */
}
int main(void)
{
    int sum = 0;
    for (int i = 0; i < 4; i++)
        sum += lookup(i);
    char scrub[4096];
    memset(scrub, 0, sizeof scrub);
    printf("%d %d\n", sum, scrub[100]);
    return 0;
}
`

func TestLeakCheckersSeeAForgottenFree(t *testing.T) {
	src := filepath.Join(work, "leaker.c")
	require.NoError(t, os.WriteFile(src, []byte(leaker), 0o644))

	t.Run("asan", func(t *testing.T) {
		exe, _ := compile(t, plainArchive.build(t), src, filepath.Join(work, "leak-san"), csan...)
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), sanEnv...)
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "LeakSanitizer saw nothing:\n%s", out)
		assert.Contains(t, string(out), "ERROR: LeakSanitizer: detected memory leaks")
		// ASan's unwinder stops at the Go frames: the block is C.malloc's, the result block.
		assert.Regexp(t, `Direct leak of \d+ byte\(s\) in [1-4] object\(s\)`, string(out))
		assert.Contains(t, string(out), "Cfunc__Cmalloc")
	})
	t.Run("valgrind", func(t *testing.T) {
		vg := valgrindArgs(t)
		exe, _ := compile(t, valgrindArchive.build(t), src, filepath.Join(work, "leak-valgrind"), "-O1", "-g")
		cmd := exec.Command(vg[0], append(vg[1:], exe)...)
		cmd.Env = append(os.Environ(), valgrindEnv...)
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "valgrind saw nothing:\n%s", out)
		assert.Regexp(t, `bytes in [1-4] blocks are definitely lost`, string(out))
		// The call's frame: pysock_getaddrinfo, or the Go export it tail-calls (pysock.c).
		assert.Regexp(t, `pysock_(go_)?getaddrinfo`, string(out))
		// Only the forgotten blocks: each record is a C.malloc'd result block (valgrind
		// splits them by how far it could unwind through the Go stacks).
		records := strings.Count(string(out), "in loss record")
		assert.Positive(t, records)
		assert.Equal(t, records, strings.Count(string(out), "Cfunc__Cmalloc"), "only the forgotten blocks:\n%s", out)
	})
}

func TestHeaders(t *testing.T) {
	lib := plainArchive.build(t)
	// pysock.h and the header cgo generated, together, in strict C11: the prototypes agree
	// (the build checks this too, in cgo's own compilation) and both are pedantic-clean.
	src := filepath.Join(work, "headers.c")
	require.NoError(t, os.WriteFile(src, []byte("#include \"pysock.h\"\n#include \"libpysock.h\"\nint main(void) { return 0; }\n"), 0o644))
	compile(t, lib, src, filepath.Join(work, "headers"))
	// pysock.c, compiled by cgo with its own flags, in strict C11 too.
	out, err := exec.Command("gcc", append(cstrict, "-fsyntax-only", filepath.Join(root(t), "cmd", "libpysock", "pysock.c"))...).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// The glibc functions whose static link glibc warns about: they load NSS modules.
var nssWarnings = []string{"getaddrinfo", "gethostbyname_r", "gethostbyaddr_r", "getservbyname_r", "getservbyport_r", "getprotobyname_r"}

func TestStaticLink(t *testing.T) {
	lib := plainArchive.build(t)
	dir := filepath.Join(work, "static")
	for _, src := range programs(t) {
		t.Run(filepath.Base(src), func(t *testing.T) {
			if out, err := exec.Command("gcc", "-static", "-print-file-name=libc.a").Output(); err != nil || !filepath.IsAbs(strings.TrimSpace(string(out))) {
				t.Skip("no static libc")
			}
			exe, warnings := compile(t, lib, src, dir, "-O2", "-static")
			for _, f := range nssWarnings {
				assert.Contains(t, warnings, "Using '"+f+"' in statically linked applications requires at runtime the shared libraries")
			}
			checkOutput(t, src, run(t, nil, exe, src))
		})
	}
}

func TestStaticLinkAnswersLikeDynamic(t *testing.T) {
	lib := plainArchive.build(t)
	src := filepath.Join(root(t), "test", "cpysock", "c", "pysock_resolve.c")
	dynamic, _ := compile(t, lib, src, filepath.Join(work, "resolve-dynamic"), "-O2")
	static, _ := compile(t, lib, src, filepath.Join(work, "resolve-static"), "-O2", "-static")
	assert.Equal(t, run(t, nil, dynamic, src), run(t, nil, static, src))
}

// freePorts returns a TCP port of 127.0.0.1 with a listener (closed by the test's end) and
// one without.
func freePorts(t *testing.T) (inuse, closed int) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	c, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	closed = c.Addr().(*net.TCPAddr).Port
	require.NoError(t, c.Close())
	return l.Addr().(*net.TCPAddr).Port, closed
}

// cpythonRecords runs in python3 the failures pysock_errors.c's records mode runs through
// the archive, and prints them the same way.
const cpythonRecords = `
import sys
from socket import *
inuse, closed = int(sys.argv[1]), int(sys.argv[2])

def rec(name, f):
    try:
        r = f()
    except BaseException as e:
        cls = type(e).__name__
        if type(e).__module__ == 'socket':
            cls = 'socket.' + cls
        en = getattr(e, 'errno', None)
        print(f"{name}|{cls}|{0 if en is None else 1}|{0 if en is None else en}|{e}")
    else:
        print(f"{name}|ok|{0 if r is None else r}")

rec('create_connection_refused', lambda: create_connection(('127.0.0.1', closed)))
s = socket(AF_INET, SOCK_STREAM, 0)
rec('connect_refused', lambda: s.connect(('127.0.0.1', closed)))
s.close()
rec('gai_numeric', lambda: getaddrinfo('vm', None, 0, 0, 0, AI_NUMERICHOST))
rec('gai_service', lambda: getaddrinfo('localhost', 'nosuchservice', 0, 0, 0, 0))
rec('gai_none', lambda: getaddrinfo(None, None, 0, 0, 0, 0))
rec('gni_name', lambda: getnameinfo(('vm', 80), 0))
rec('gni_4tuple', lambda: getnameinfo(('127.0.0.1', 80, 1, 0), 0))
s = socket(AF_INET, SOCK_STREAM, 0)
rec('bind_port_range', lambda: s.bind(('127.0.0.1', 70000)))
rec('bind_nul', lambda: s.bind(('127.0.0.1\0x', 0)))
rec('bind_not_local', lambda: s.bind(('192.0.2.1', 0)))
rec('bind_in_use', lambda: s.bind(('127.0.0.1', inuse)))
rec('bind_none', lambda: s.bind(None))
rec('getpeername_unconnected', lambda: s.getpeername())
rec('settimeout_negative', lambda: s.settimeout(-0.5))
s.close()
rec('create_server_in_use', lambda: create_server(('127.0.0.1', inuse)))
rec('socket_family', lambda: socket(12345, SOCK_STREAM, 0))
s = socket(AF_UNIX, SOCK_STREAM, 0)
rec('unix_missing', lambda: s.connect('/nonexistent/pysock.sock'))
s.close()
a, b = socketpair(AF_UNIX, SOCK_STREAM, 0)
a.settimeout(0.01)
rec('recv_timeout', lambda: a.recv(256))
a.setblocking(False)
rec('recv_nonblocking', lambda: a.recv(256))
rec('shutdown_bad', lambda: a.shutdown(5))
b.close()
rec('send_broken_pipe', lambda: a.send(b'x'))
a.close()
rec('recv_closed', lambda: a.recv(256))
s = socket(AF_INET, SOCK_STREAM, 0)
s.close()
rec('connect_ex_closed', lambda: s.connect_ex(('127.0.0.1', 80)))
u = socket(AF_INET, SOCK_DGRAM, 0)
rec('listen_udp', lambda: u.listen())
rec('sendto_port_range', lambda: u.sendto(b'x', 0, ('127.0.0.1', -1)))
u.close()
rec('servbyname', lambda: getservbyname('nosuchservice', 'tcp'))
rec('servbyport_range', lambda: getservbyport(70000))
rec('servbyport_proto', lambda: getservbyport(1, 'nosuchproto'))
rec('protobyname', lambda: getprotobyname('nosuchproto'))
rec('gethostbyname_idna', lambda: gethostbyname('a..b'))
rec('gethostbyname_ex_none', lambda: gethostbyname_ex(None))
rec('getfqdn_none', lambda: getfqdn(None))
`

func TestErrorRecordsEqualCPython(t *testing.T) {
	python := testutil.Python3(t)
	lib := plainArchive.build(t)
	src := filepath.Join(root(t), "test", "cpysock", "c", "pysock_errors.c")
	exe, _ := compile(t, lib, src, filepath.Join(work, "records"), "-O2")
	inuse, closed := freePorts(t)
	ports := []string{fmt.Sprint(inuse), fmt.Sprint(closed)}

	got, err := exec.Command(exe, append([]string{"records"}, ports...)...).Output()
	require.NoError(t, err)
	want, err := exec.Command(python, append([]string{"-c", cpythonRecords}, ports...)...).Output()
	require.NoError(t, err)

	gotLines := strings.Split(strings.TrimSpace(string(got)), "\n")
	wantLines := strings.Split(strings.TrimSpace(string(want)), "\n")
	require.Len(t, gotLines, len(wantLines), "C:\n%s\npython3:\n%s", got, want)
	for i := range wantLines {
		assert.Equal(t, wantLines[i], gotLines[i])
	}
	// The table holds every kind of record: errno, EAI code, no number, a PEP 3151 class.
	for _, s := range []string{"|ConnectionRefusedError|1|111|", "|socket.gaierror|1|-2|", "|OverflowError|0|0|",
		"|TimeoutError|0|0|timed out", "|BrokenPipeError|1|32|", "|OSError|1|9|", "connect_ex_closed|ok|9"} {
		assert.Contains(t, string(got), s)
	}
}
