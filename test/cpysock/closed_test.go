//go:build linux

package cpysock_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// cpythonClosedRecords runs in python3 the calls pysock_closed.c's records mode runs
// through the archive, on closed sockets, and prints them the same way (a C int for each
// result: a bool as 0 or 1, a timeout in tenths of seconds, family*100 + type*10 + proto).
const cpythonClosedRecords = `
import math
from socket import *

def rec(name, f, show=lambda r: 0 if r is None else int(r)):
    try:
        r = f()
    except BaseException as e:
        cls = type(e).__name__
        if type(e).__module__ == 'socket':
            cls = 'socket.' + cls
        en = getattr(e, 'errno', None)
        print(f"{name}|{cls}|{0 if en is None else 1}|{0 if en is None else en}|{e}")
    else:
        print(f"{name}|ok|{show(r)}")

def closed_socket(family, type, timeout):
    s = socket(family, type, 0)
    s.settimeout(timeout)
    s.close()
    return s

tenths = lambda t: int(t * 10)
info = lambda s: int(s.family) * 100 + int(s.type) * 10 + s.proto
zero = lambda r: 0
buf = bytearray(2)
s = closed_socket(AF_INET, SOCK_STREAM, 2.5)
rec('bind_port', lambda: s.bind(('127.0.0.1', 70000)))
rec('bind_none_host', lambda: s.bind((None, 0)))
rec('bind_ok', lambda: s.bind(('127.0.0.1', 0)))
rec('connect_port', lambda: s.connect(('127.0.0.1', 70000)))
rec('connect_ex_port', lambda: s.connect_ex(('127.0.0.1', 70000)))
rec('connect_ex_ok', lambda: s.connect_ex(('127.0.0.1', 80)))
rec('connect_ex_none', lambda: s.connect_ex(None))
rec('sendto_port', lambda: s.sendto(b'x', 0, ('127.0.0.1', 70000)))
rec('recv_huge', lambda: s.recv(2**64 - 1))
rec('recvfrom_huge', lambda: s.recvfrom(2**63))
rec('settimeout_neg', lambda: s.settimeout(-5))
rec('settimeout_nan', lambda: s.settimeout(math.nan))
rec('gettimeout', lambda: s.gettimeout(), tenths)
rec('settimeout_ok', lambda: s.settimeout(1.5))
rec('gettimeout_after', lambda: s.gettimeout(), tenths)
rec('getblocking', lambda: s.getblocking())
rec('setblocking', lambda: s.setblocking(False))
rec('getblocking_after', lambda: s.getblocking())
rec('sockinfo', lambda: info(s))
rec('fileno', lambda: s.fileno())
rec('recv_into_nbytes', lambda: s.recv_into(buf, 5))
rec('recvfrom_into_nbytes', lambda: s.recvfrom_into(buf, 5))
rec('recv_into', lambda: s.recv_into(buf))
rec('getsockopt_buflen', lambda: s.getsockopt(SOL_SOCKET, SO_TYPE, 2000))
rec('getsockopt', lambda: s.getsockopt(SOL_SOCKET, SO_TYPE))
with open('/etc/hosts', 'rb') as f:
    rec('sendfile_count0', lambda: s.sendfile(f, 0, 0))
    rec('sendfile_count_neg', lambda: s.sendfile(f, 0, -5))
    rec('sendfile', lambda: s.sendfile(f))
rec('recvmsg_anc', lambda: s.recvmsg(16, 2**32))
rec('recvmsg_into_anc', lambda: s.recvmsg_into([buf], 2**32))
rec('recvmsg', lambda: s.recvmsg(16))
rec('sendmsg_port', lambda: s.sendmsg([b'x'], [], 0, ('127.0.0.1', 70000)))
rec('sendmsg', lambda: s.sendmsg([b'x']))
rec('shutdown', lambda: s.shutdown(SHUT_RDWR))
rec('listen', lambda: s.listen())
rec('accept', lambda: s.accept())
rec('dup', lambda: s.dup())
rec('getsockname', lambda: s.getsockname())
rec('getpeername', lambda: s.getpeername())
rec('get_inheritable', lambda: s.get_inheritable())
rec('set_inheritable', lambda: s.set_inheritable(True))
rec('setsockopt', lambda: s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1))
rec('setsockopt_bytes', lambda: s.setsockopt(SOL_SOCKET, SO_REUSEADDR, b'\1\0\0\0'))
rec('send', lambda: s.send(b'x'))
rec('sendall', lambda: s.sendall(b'x'))
rec('makefile_mode', lambda: s.makefile('x'))
f = s.makefile('rb')
rec('makefile', lambda: f, zero)
rec('file_read', lambda: f.read(16), len)
rec('file_close', lambda: f.close())
rec('send_fds', lambda: send_fds(s, [b'x'], [0]))
rec('recv_fds', lambda: recv_fds(s, 16, 0))
rec('detach', lambda: s.detach())
rec('close', lambda: s.close())
rec('fileno_after_detach', lambda: s.fileno())

u = closed_socket(AF_UNIX, SOCK_STREAM, 1.5)
rec('unix_bind', lambda: u.bind('/tmp/pysock-closed.sock'))
rec('unix_bind_none', lambda: u.bind(None))
rec('unix_sendto', lambda: u.sendto(b'x', 0, '/tmp/pysock-closed.sock'))
rec('unix_sockinfo', lambda: info(u))

d = closed_socket(AF_INET, SOCK_DGRAM, 1.5)
n = closed_socket(AF_INET, SOCK_STREAM, 0.0)
with open('/etc/hosts', 'rb') as f:
    rec('sendfile_dgram', lambda: d.sendfile(f, 0, 0))
    rec('sendfile_nonblocking', lambda: n.sendfile(f))
rec('getblocking_nonblocking', lambda: n.getblocking())

a, b = socketpair(AF_UNIX, SOCK_STREAM, 0)
f = a.makefile('rb')
rec('io_close', lambda: a.close())
rec('io_fileno_open', lambda: a.fileno() >= 0)
b.send(b'hello')
rec('io_recv', lambda: a.recv(5), len)
rec('io_send', lambda: a.send(b'x'))
rec('io_getsockname', lambda: a.getsockname(), zero)
rec('io_close_again', lambda: a.close())
rec('io_file_close', lambda: f.close())
rec('io_fileno_closed', lambda: a.fileno())
rec('io_recv_closed', lambda: a.recv(5), len)
b.close()

a, b = socketpair(AF_UNIX, SOCK_STREAM, 0)
f = a.makefile('rb')
a.close()
fd = a.detach()
rec('io_detach', lambda: fd >= 0)
rec('io_file_read', lambda: f.read(1), len)
f.close()
close(fd)
b.close()

rec('servbyname_null', lambda: getservbyname(None))
rec('servbyname_null_tcp', lambda: getservbyname(None, 'tcp'))
rec('protobyname_null', lambda: getprotobyname(None))
rec('gethostbyname_null', lambda: gethostbyname(None))
rec('gethostbyaddr_null', lambda: gethostbyaddr(None))
rec('nametoindex_null', lambda: if_nametoindex(None))
rec('inet_aton_null', lambda: inet_aton(None))
rec('inet_pton_null', lambda: inet_pton(AF_INET6, None))
`

func TestClosedHandleRecordsEqualCPython(t *testing.T) {
	got := recordsEqual(t, "pysock_closed", cpythonClosedRecords)
	// Argument errors come first; then the closed socket's [Errno 9]; some calls answer.
	for _, s := range []string{"bind_port|OverflowError|0|0|bind(): port must be 0-65535.",
		"recv_huge|OverflowError|0|0|Python int too large to convert to C ssize_t",
		"settimeout_nan|ValueError|0|0|Invalid value NaN (not a number)",
		"getsockopt_buflen|OSError|0|0|getsockopt buflen out of range",
		"sendfile_count0|ValueError|0|0|count must be a positive integer (got 0)",
		"recvmsg_anc|ValueError|0|0|invalid ancillary data buffer length",
		"bind_ok|OSError|1|9|", "gettimeout|ok|25", "fileno|ok|-1", "makefile|ok|0", "io_recv|ok|5",
		"servbyname_null|TypeError|0|0|getservbyname() argument 1 must be str, not None"} {
		assert.Contains(t, got, s)
	}
}
