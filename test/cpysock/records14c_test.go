//go:build linux

package cpysock_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
)

// cpythonMsgRecords runs in python3 the calls pysock_msg.c's records mode runs through
// the archive, and prints them the same way: an SCM_RIGHTS item as its number of
// descriptors (which it closes), the sender's port as SENDER.
const cpythonMsgRecords = `
import array, os
from socket import *

def error(name, e):
    en = getattr(e, 'errno', None)
    print(f"{name}|{type(e).__name__}|{0 if en is None else 1}|{0 if en is None else en}|{e}")

def rec(name, f, show=str):
    try:
        r = f()
    except BaseException as e:
        error(name, e)
    else:
        print(f"{name}|ok|{show(r)}")

def anc(items):
    parts = []
    for level, typ, data in items:
        if (level, typ) == (SOL_SOCKET, SCM_RIGHTS):
            fds = array.array('i')
            fds.frombytes(data[:len(data) - len(data) % 4])
            for fd in fds:
                os.close(fd)
            parts.append(f"({level}, {typ}, {len(fds)} fds)")
        else:
            parts.append(f"({level}, {typ}, {data.hex()})")
    return "[" + ", ".join(parts) + "]"

sender = None
def addr(a):
    if a is None:
        return "None"
    host, port = a[:2]
    return f"('{host}', {'SENDER' if port == sender else port})"

def msg(r):
    data, items, flags, address = r
    return f"{data.hex()}|{anc(items)}|{flags}|{addr(address)}"

def msg_into(r):
    n, items, flags, address = r
    return f"{n}|{anc(items)}|{flags}|{addr(address)}"

def fds_msg(r, with_addr=True):
    data, fds, flags, address = r
    for fd in fds:
        os.close(fd)
    s = f"{data.hex()}|{len(fds)} fds|{flags}"
    return s + f"|{addr(address)}" if with_addr else s

r, w = os.pipe()
a, b = socketpair(AF_UNIX, SOCK_STREAM, 0)
rec('sendmsg_gather', lambda: a.sendmsg([b'ab', b'', b'cde']))
rec('recvmsg_plain', lambda: b.recvmsg(16), msg)
rec('sendmsg_hello', lambda: a.sendmsg([b'hello world']))
x, y, z = bytearray(3), bytearray(4), bytearray(10)
rec('recvmsg_into_scatter', lambda: b.recvmsg_into([x, y, z]), msg_into)
print(f"recvmsg_into_scatter_bufs|{x.hex()}|{y.hex()}|{z[:4].hex()}")
rights = [(SOL_SOCKET, SCM_RIGHTS, array.array('i', [r, w]))]
rec('sendmsg_fds', lambda: a.sendmsg([b'x'], rights))
rec('recvmsg_fds', lambda: b.recvmsg(16, CMSG_SPACE(8)), msg)
rec('sendmsg_fds_again', lambda: a.sendmsg([b'y'], rights))
rec('recvmsg_ctrunc', lambda: b.recvmsg(16, CMSG_LEN(4)), msg)
rec('send_fds', lambda: send_fds(a, [b'fd'], [r]))
rec('recv_fds', lambda: recv_fds(b, 16, 4), fds_msg)
rec('send_fds_three', lambda: send_fds(a, [b'z'], [r, w, r]))
rec('recv_fds_ctrunc', lambda: recv_fds(b, 16, 1), lambda v: fds_msg(v, False))
rec('send_fds_bad', lambda: send_fds(a, [b'z'], [-1]))
rec('send_fds_none', lambda: send_fds(a, [b'n'], []))
rec('recvmsg_no_fds', lambda: b.recvmsg(16, 64), msg)
rec('recvmsg_anc_big', lambda: b.recvmsg(16, 1 << 31), msg)
rec('recv_fds_maxfds_big', lambda: recv_fds(b, 16, 536870908), fds_msg)
b.settimeout(0.01)
rec('recvmsg_timeout', lambda: b.recvmsg(16), msg)
b.settimeout(0.0)
rec('recvmsg_nonblocking', lambda: b.recvmsg(16), msg)
rec('recvmsg_into_nonblocking', lambda: b.recvmsg_into([bytearray(4)]), msg_into)
b.close()
rec('sendmsg_broken_pipe', lambda: a.sendmsg([b'x']))
a.close()
rec('sendmsg_closed', lambda: a.sendmsg([b'x']))
rec('recvmsg_closed', lambda: a.recvmsg(16), msg)

u = socket(AF_INET, SOCK_DGRAM, 0)
v = socket(AF_INET, SOCK_DGRAM, 0)
u.bind(('127.0.0.1', 0))
v.bind(('127.0.0.1', 0))
sender = u.getsockname()[1]
to_v = v.getsockname()
v.setsockopt(IPPROTO_IP, 12, 1)  # IP_RECVTTL, which the socket module of 3.11 does not name
rec('udp_sendmsg_noaddr', lambda: u.sendmsg([b'x']))
rec('udp_sendmsg_port', lambda: u.sendmsg([b'x'], [], 0, ('127.0.0.1', 70000)))
rec('udp_sendmsg_to', lambda: u.sendmsg([b'ab', b'cd'], [], 0, to_v))
rec('udp_recvmsg_ttl_trunc', lambda: v.recvmsg(2, CMSG_SPACE(4)), msg)
rec('udp_sendmsg_again', lambda: u.sendmsg([b'ab', b'cd'], [], 0, to_v))
rec('udp_recvmsg_into_trunc', lambda: v.recvmsg_into([bytearray(3)]), msg_into)
rec('udp_send_fds_unconnected', lambda: send_fds(u, [b'x'], [r, w], 0, to_v))
u.close()
v.close()
os.close(r)
os.close(w)
`

// cpythonSendfileRecords runs in python3 the calls pysock_sendfile.c's records mode runs
// through the archive, on an unbuffered binary file (io.FileIO, whose descriptor is what
// C passes), and prints them the same way.
const cpythonSendfileRecords = `
import io, os, tempfile
from socket import *

def error(name, e):
    en = getattr(e, 'errno', None)
    print(f"{name}|{type(e).__name__}|{0 if en is None else 1}|{0 if en is None else en}|{e}")

def rec(name, f):
    try:
        r = f()
    except BaseException as e:
        error(name, e)
    else:
        print(f"{name}|ok|{r}")

def recv_exactly(s, n):
    data = b''
    while len(data) < n:
        data += s.recv(n - len(data))
    return data

def rec_sent(name, f, file, peer):
    try:
        r = f()
    except BaseException as e:
        error(name, e)
    else:
        data = recv_exactly(peer, r) if r else b''
        print(f"{name}|ok|{r}|pos={file.tell()}|data={data.hex()}")

def temp_file(n):
    fd, path = tempfile.mkstemp(prefix='pysock_sendfile')
    os.unlink(path)
    os.write(fd, bytes(i % 251 for i in range(n)))
    os.lseek(fd, 0, os.SEEK_SET)
    return io.FileIO(fd, 'rb')

f = temp_file(10)
p0, p1 = socketpair(AF_UNIX, SOCK_STREAM, 0)
rec_sent('count', lambda: p0.sendfile(f, 2, 5), f, p1)
rec_sent('all', lambda: p0.sendfile(f, 0, None), f, p1)
rec_sent('offset_count', lambda: p0.sendfile(f, 7, 100), f, p1)
f.seek(4)
rec_sent('past_end', lambda: p0.sendfile(f, 100, None), f, p1)
rec_sent('negative_offset', lambda: p0.sendfile(f, -1, None), f, p1)
rec('count0', lambda: p0.sendfile(f, 0, 0))
rec('count_negative', lambda: p0.sendfile(f, 0, -5))
p0.setblocking(False)
rec('nonblocking', lambda: p0.sendfile(f, 0, None))
p0.setblocking(True)
u = socket(AF_INET, SOCK_DGRAM, 0)
rec('dgram', lambda: u.sendfile(f, 0, None))
u.close()
r, w = os.pipe()
os.write(w, b'abc')
rec('pipe', lambda: p0.sendfile(io.FileIO(r, 'rb', closefd=False), 0, None))
closed = os.dup(f.fileno())
g = io.FileIO(closed, 'rb', closefd=False)
os.close(closed)
rec('bad_fd', lambda: p0.sendfile(g, 0, None))
rec('bad_fd_count0', lambda: p0.sendfile(g, 0, 0))
p0.setblocking(False)
rec('bad_fd_nonblocking', lambda: p0.sendfile(g, 0, None))
p1.close()
rec('broken_pipe', lambda: p0.sendfile(f, 0, None))
p0.setblocking(True)
rec('broken_pipe_blocking', lambda: p0.sendfile(f, 0, None))
p0.close()
big = temp_file(4 << 20)
q0, q1 = socketpair(AF_UNIX, SOCK_STREAM, 0)
q0.settimeout(0.05)
rec('timeout', lambda: q0.sendfile(big, 0, None))
`

// recordsEqual runs the program's records mode and the python3 script, and compares them
// line by line.
func recordsEqual(t *testing.T, program, script string) string {
	python := testutil.Python3(t)
	lib := plainArchive.build(t)
	src := filepath.Join(root(t), "test", "cpysock", "c", program+".c")
	exe, _ := compile(t, lib, src, filepath.Join(work, program+"-records"), "-O2")

	got, err := exec.Command(exe, "records").Output()
	require.NoError(t, err)
	want, err := exec.Command(python, "-c", script).Output()
	require.NoError(t, err)

	gotLines := strings.Split(strings.TrimSpace(string(got)), "\n")
	wantLines := strings.Split(strings.TrimSpace(string(want)), "\n")
	require.Len(t, gotLines, len(wantLines), "C:\n%s\npython3:\n%s", got, want)
	for i := range wantLines {
		assert.Equal(t, wantLines[i], gotLines[i])
	}
	return string(got)
}

func TestMsgRecordsEqualCPython(t *testing.T) {
	got := recordsEqual(t, "pysock_msg", cpythonMsgRecords)
	// The table holds what it is for: descriptors passed, cut short, ancillary data read,
	// and each kind of error.
	for _, s := range []string{"recvmsg_fds|ok|78|[(1, 1, 2 fds)]|0|None", "recvmsg_ctrunc|ok|79|[(1, 1, 1 fds)]|8|",
		"recv_fds|ok|6664|1 fds|0|None", "udp_recvmsg_ttl_trunc|ok|6162|[(0, 2, ", "|BrokenPipeError|1|32|",
		"|TimeoutError|0|0|timed out", "|OverflowError|0|0|", "|ValueError|0|0|", "|OSError|1|9|"} {
		assert.Contains(t, got, s)
	}
}

func TestSendfileRecordsEqualCPython(t *testing.T) {
	got := recordsEqual(t, "pysock_sendfile", cpythonSendfileRecords)
	for _, s := range []string{"count|ok|5|pos=7|data=0203040506", "bad_fd|OSError|1|9|",
		"bad_fd_count0|ValueError|", "broken_pipe_blocking|BrokenPipeError|1|32|", "timeout|TimeoutError|0|0|timed out"} {
		assert.Contains(t, got, s)
	}
}
