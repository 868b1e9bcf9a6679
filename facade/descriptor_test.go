//go:build linux

package facade

import (
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
)

// Module-level close(fd), dup(fd) and sethostname(name) (their argument errors are in
// msg_args_test.go, against python3).

func TestDupAndClose_ABareDescriptorLikeCPython(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	d, err := Dup(fileFD(t, r)) // not a socket: dup() does not care
	require.NoError(t, err)
	cloexec, err := csock.GetCloexec(d)
	require.NoError(t, err)
	assert.True(t, cloexec, "socket.dup's duplicate is not inheritable")
	require.NoError(t, Close(d))
	assert.Equal(t, textEBADF, pyExc(Close(d)), "closed twice")

	// A socket's descriptor, taken over from a detached socket.
	s := mustSocket(t, csock.AF_INET, csock.SOCK_STREAM, -1)
	fd := s.Detach()
	require.NoError(t, Close(fd))
	assert.Equal(t, textEBADF, pyExc(Close(fd)))
}

// inNewUTSNamespace runs f on an OS thread moved into a UTS namespace of its own, so that
// sethostname changes nothing outside it; the thread ends with f. It reports false when
// the namespace could not be made (not root, or unshare refused).
func inNewUTSNamespace(t *testing.T, f func()) bool {
	t.Helper()
	ok := make(chan bool, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := syscall.Unshare(syscall.CLONE_NEWUTS); err != nil {
			t.Logf("unshare(CLONE_NEWUTS): %v", err)
			ok <- false
			return
		}
		defer func() { ok <- true }()
		f()
	}()
	return <-ok
}

func TestSetHostName_InAUTSNamespaceAsPython3(t *testing.T) {
	// python3 runs under unshare -u, so neither side changes the machine's name.
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare(1)")
	}
	prog := `
import json, socket
out = {}
class P:
    def __fspath__(self): return 'pathlike'
for name, v in (('bytes with NUL', b'ab\x00cd'), ('64 chars', 'x' * 64), ('empty', ''),
                ('surrogate', 'h\udcff'), ('bytes', b'host-b')):
    socket.sethostname(v)
    out[name] = repr(socket.gethostname())
print(json.dumps(out))
`
	cmd := exec.Command(unshare, "-u", testutil.Python3(t), "-c", prog)
	outb, err := cmd.Output()
	if err != nil {
		t.Skipf("python3 under unshare -u: %v", err)
	}
	var want map[string]string
	require.NoError(t, json.Unmarshal(outb, &want))

	got := map[string]string{}
	ran := inNewUTSNamespace(t, func() {
		for _, c := range []struct {
			name string
			v    any
		}{
			{"bytes with NUL", []byte("ab\x00cd")}, {"64 chars", strings.Repeat("x", 64)}, {"empty", ""},
			{"surrogate", "h\xed\xb3\xbf"}, {"bytes", []byte("host-b")}, // U+DCFF: an encoded lone surrogate
		} {
			if err := SetHostName(c.v); err != nil {
				got[c.name] = pyExc(err)
				continue
			}
			h, err := GetHostName()
			got[c.name] = pyResult(h, err)
		}
	})
	if !ran {
		t.Skip("no UTS namespace of our own")
	}
	assert.Equal(t, want, got)
}

func TestSetHostName_UnprivilegedIsPermissionError(t *testing.T) {
	if os.Getuid() != 0 {
		err := SetHostName("csock-test")
		assert.Equal(t, "PermissionError: [Errno 1] Operation not permitted", pyExc(err))
		return
	}
	// As root: a thread that dropped CAP_SYS_ADMIN's user (setresuid on one thread only,
	// as a raw system call) in a UTS namespace of its own.
	ran := inNewUTSNamespace(t, func() {
		if _, _, e := syscall.RawSyscall(syscall.SYS_SETRESUID, 65534, 65534, 65534); e != 0 {
			t.Logf("setresuid: %v", e)
			return
		}
		assert.Equal(t, "PermissionError: [Errno 1] Operation not permitted", pyExc(SetHostName("csock-test")))
	})
	if !ran {
		t.Skip("no UTS namespace of our own")
	}
}
