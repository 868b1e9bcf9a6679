//go:build linux

package cpysock_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// cpythonModuleRecords runs in python3 the calls pysock_module.c's records mode runs
// through the archive, and prints them the same way.
const cpythonModuleRecords = `
from socket import *

def rec(name, f, show=str):
    try:
        r = f()
    except BaseException as e:
        cls = type(e).__name__
        en = getattr(e, 'errno', None)
        print(f"{name}|{cls}|{0 if en is None else 1}|{0 if en is None else en}|{e}")
    else:
        print(f"{name}|ok|{show(r)}")

hexed = lambda b: b.hex()
rec('aton_short', lambda: inet_aton('127.1'), hexed)
rec('aton_junk', lambda: inet_aton('1.2.3.4 junk'), hexed)
rec('aton_bad', lambda: inet_aton('x'), hexed)
rec('aton_none', lambda: inet_aton(None), hexed)
rec('ntoa', lambda: inet_ntoa(b'\1\2\3\4'))
rec('ntoa_len', lambda: inet_ntoa(b'abc'))
rec('pton6', lambda: inet_pton(AF_INET6, '::1.2.3.4'), hexed)
rec('pton_bad', lambda: inet_pton(AF_INET, 'x'), hexed)
rec('pton_family', lambda: inet_pton(12345, '1.2.3.4'), hexed)
rec('pton_none', lambda: inet_pton(AF_INET, None), hexed)
rec('ntop6', lambda: inet_ntop(AF_INET6, bytes(12) + b'\1\2\3\4'))
rec('ntop6_loop', lambda: inet_ntop(AF_INET6, bytes(15) + b'\1'))
rec('ntop_len', lambda: inet_ntop(AF_INET, b'abc'))
rec('ntop_family', lambda: inet_ntop(12345, b'abcd'))
rec('htons', lambda: htons(1))
rec('htons_big', lambda: htons(70000))
rec('htons_neg', lambda: htons(-1))
rec('htons_huge', lambda: htons(1 << 40))
rec('ntohs', lambda: ntohs(0x1234))
rec('htonl', lambda: htonl(1))
rec('htonl_big', lambda: htonl(1 << 32))
rec('htonl_neg', lambda: htonl(-1))
rec('ntohl', lambda: ntohl(0x01020304))
rec('nametoindex_lo', lambda: if_nametoindex('lo'))
rec('nametoindex_none', lambda: if_nametoindex('nosuchif0'))
rec('indextoname_1', lambda: if_indextoname(1))
rec('indextoname_0', lambda: if_indextoname(0))
rec('indextoname_neg', lambda: if_indextoname(-1))
rec('indextoname_wrap', lambda: if_indextoname((1 << 32) + 1))
rec('cmsg_len', lambda: CMSG_LEN(4))
rec('cmsg_len_max', lambda: CMSG_LEN(2147483631))
rec('cmsg_len_big', lambda: CMSG_LEN(2147483632))
rec('cmsg_len_neg', lambda: CMSG_LEN(-1))
rec('cmsg_space', lambda: CMSG_SPACE(1))
rec('cmsg_space_max', lambda: CMSG_SPACE(2147483623))
rec('cmsg_space_big', lambda: CMSG_SPACE(2147483624))
rec('close_bad', lambda: close(-1))
rec('close_wrap', lambda: close((1 << 32) + 999))
rec('dup_bad', lambda: dup(-1))
rec('sethostname_long', lambda: sethostname(b'x' * 65))
rec('nameindex', if_nameindex, lambda l: ','.join(f'({i},{n})' for i, n in l))
`

func TestModuleRecordsEqualCPython(t *testing.T) {
	got := recordsEqual(t, "pysock_module", cpythonModuleRecords)
	for _, s := range []string{"|OSError|0|0|", "|OverflowError|0|0|", "|ValueError|0|0|", "|TypeError|0|0|",
		"|OSError|1|6|", "|OSError|1|97|", "aton_short|ok|7f000001"} {
		assert.Contains(t, got, s)
	}
}
