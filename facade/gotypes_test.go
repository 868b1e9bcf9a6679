//go:build linux

package facade

import (
	"os"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// Every entry point that takes a Python value as a Go any names, in its errors, the Python
// type CPython would name: a Go []any is a list, a map a dict, a func a function, the
// facade's address structs tuples (or str/bytes), anything else an object (py.TypeName).
// Each Go value below is given with the Python value it stands for; each entry point is
// called with every value on both sides and the messages are compared. Names that would
// reach a name server are avoided (hosts are numeric, getnameinfo is numeric, and the
// resolver entry points are not given the str path).

var oracleGoValues = oracleCase("GoValues", `
vals = {
    'list': ['127.0.0.1', 0], 'dict': {}, 'struct': object(), 'func': (lambda: None),
    'chan': object(), 'nilptr': object(), 'complex': 1j,
    'inet': ('127.0.0.1', 0), 'inet6': ('::1', 0, 0, 0), 'unix': '/nonexistent-dir/sock',
    'raw': (17, b'\x00' * 14),
}
resolves = {'unix'}
def sock(f, t=socket.SOCK_STREAM):
    s = socket.socket(f, t)
    try:
        return s
    finally:
        pass
def closing(f, t, g):
    def h(v):
        s = socket.socket(f, t)
        try:
            g(s, v)
        finally:
            s.close()
    return h
def cc(v):
    s = socket.create_connection(v)
    s.close()
def cc_timeout(v):
    s = socket.create_connection(('127.0.0.1', 1), v)
    s.close()
def cc_source(v):
    s = socket.create_connection(('127.0.0.1', 1), 5, v)
    s.close()
def cs(v):
    s = socket.create_server(v)
    s.close()
def sdt(v):
    try:
        socket.setdefaulttimeout(v)
    finally:
        socket.setdefaulttimeout(None)
entries = {
    'bind4': closing(socket.AF_INET, socket.SOCK_STREAM, lambda s, v: s.bind(v)),
    'bind6': closing(socket.AF_INET6, socket.SOCK_STREAM, lambda s, v: s.bind(v)),
    'bindunix': closing(socket.AF_UNIX, socket.SOCK_STREAM, lambda s, v: s.bind(v)),
    'connect4': closing(socket.AF_INET, socket.SOCK_STREAM, lambda s, v: s.connect(v)),
    'connect_ex4': closing(socket.AF_INET, socket.SOCK_STREAM, lambda s, v: s.connect_ex(v)),
    'sendto4': closing(socket.AF_INET, socket.SOCK_DGRAM, lambda s, v: s.sendto(b'', v)),
    'sendtounix': closing(socket.AF_UNIX, socket.SOCK_DGRAM, lambda s, v: s.sendto(b'', v)),
    'settimeout': closing(socket.AF_INET, socket.SOCK_STREAM, lambda s, v: s.settimeout(v)),
    'setsockopt': closing(socket.AF_INET, socket.SOCK_STREAM,
                          lambda s, v: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, v)),
    'create_connection': cc,
    'create_connection_timeout': cc_timeout,
    'create_connection_source': cc_source,
    'create_server': cs,
    'getaddrinfo_host': lambda v: socket.getaddrinfo(v, 80),
    'getaddrinfo_port': lambda v: socket.getaddrinfo('127.0.0.1', v),
    'getfqdn': socket.getfqdn,
    'gethostbyaddr': socket.gethostbyaddr,
    'gethostbyname': socket.gethostbyname,
    'gethostbyname_ex': socket.gethostbyname_ex,
    'getnameinfo': lambda v: socket.getnameinfo(v, socket.NI_NUMERICHOST | socket.NI_NUMERICSERV),
    'if_nametoindex': socket.if_nametoindex,
    'setdefaulttimeout': sdt,
    'sendmsg4_addr': closing(socket.AF_INET, socket.SOCK_DGRAM, lambda s, v: s.sendmsg([b''], [], 0, v)),
    'sendmsg_buffers': closing(socket.AF_INET, socket.SOCK_DGRAM, lambda s, v: s.sendmsg(v)),
    'sendmsg_ancdata': closing(socket.AF_INET, socket.SOCK_DGRAM, lambda s, v: s.sendmsg([b''], v)),
    'recvmsg_into': closing(socket.AF_INET, socket.SOCK_DGRAM, lambda s, v: s.recvmsg_into(v, 0, socket.MSG_DONTWAIT)),
    'sendfile_count': closing(socket.AF_INET, socket.SOCK_STREAM, lambda s, v: s.sendfile(open(os.devnull, 'rb'), 0, v)),
}
resolver = {'create_connection', 'getaddrinfo_host', 'getfqdn', 'gethostbyaddr',
            'gethostbyname', 'gethostbyname_ex'}
reprs = {'struct', 'func', 'chan', 'nilptr'}  # their repr holds an address
for en, f in entries.items():
    for vn, v in vals.items():
        if en in resolver and vn in resolves:
            continue
        if en == 'sendfile_count' and vn in reprs:
            continue
        out[en + ' ' + vn] = exc(lambda: f(v))
`)

func TestGoValues_MessagesNamePythonTypesLikeCPython(t *testing.T) {
	want := python(t, oracleGoValues)
	var nilPtr *int
	vals := map[string]any{
		"list": []any{"127.0.0.1", 0}, "dict": map[string]int{}, "struct": struct{}{},
		"func": func() {}, "chan": make(chan int), "nilptr": nilPtr, "complex": complex(0, 1),
		"inet":  InetAddress{Host: "127.0.0.1"},
		"inet6": Inet6Address{Host: "::1"},
		"unix":  UnixAddress{Name: []byte("/nonexistent-dir/sock")},
		"raw":   RawAddress{AF: 17, Data: make([]byte, 14)},
	}
	resolves := map[string]bool{"unix": true}
	closing := func(family, typ int, g func(s *Socket, v any) error) func(any) error {
		return func(v any) error {
			s, err := newFromInts(family, typ, 0)
			if err != nil {
				return err
			}
			defer s.Close()
			return g(s, v)
		}
	}
	closed := func(s *Socket, err error) error {
		if s != nil {
			s.Close()
		}
		return err
	}
	entries := map[string]func(any) error{
		"bind4":       closing(csock.AF_INET, csock.SOCK_STREAM, func(s *Socket, v any) error { return s.Bind(v) }),
		"bind6":       closing(csock.AF_INET6, csock.SOCK_STREAM, func(s *Socket, v any) error { return s.Bind(v) }),
		"bindunix":    closing(csock.AF_UNIX, csock.SOCK_STREAM, func(s *Socket, v any) error { return s.Bind(v) }),
		"connect4":    closing(csock.AF_INET, csock.SOCK_STREAM, func(s *Socket, v any) error { return s.Connect(v) }),
		"connect_ex4": closing(csock.AF_INET, csock.SOCK_STREAM, func(s *Socket, v any) error { _, err := s.ConnectEx(v); return err }),
		"sendto4":     closing(csock.AF_INET, csock.SOCK_DGRAM, func(s *Socket, v any) error { _, err := s.SendTo(nil, 0, v); return err }),
		"sendtounix":  closing(csock.AF_UNIX, csock.SOCK_DGRAM, func(s *Socket, v any) error { _, err := s.SendTo(nil, 0, v); return err }),
		"settimeout":  closing(csock.AF_INET, csock.SOCK_STREAM, func(s *Socket, v any) error { return s.SetTimeout(v) }),
		"setsockopt": closing(csock.AF_INET, csock.SOCK_STREAM, func(s *Socket, v any) error {
			return s.SetSockOpt(csock.SOL_SOCKET, csock.SO_REUSEADDR, v)
		}),
		"create_connection": func(v any) error { return closed(CreateConnection(v, UseDefaultTimeout, nil, false)) },
		"create_connection_timeout": func(v any) error {
			return closed(CreateConnection(py.Tuple{"127.0.0.1", 1}, v, nil, false))
		},
		"create_connection_source": func(v any) error {
			return closed(CreateConnection(py.Tuple{"127.0.0.1", 1}, 5, v, false))
		},
		"create_server":     func(v any) error { return closed(CreateServer(v, ServerOptions{})) },
		"getaddrinfo_host":  func(v any) error { _, err := GetAddrInfo(v, 80, 0, 0, 0, 0); return err },
		"getaddrinfo_port":  func(v any) error { _, err := GetAddrInfo("127.0.0.1", v, 0, 0, 0, 0); return err },
		"getfqdn":           func(v any) error { _, err := GetFQDN(v); return err },
		"gethostbyaddr":     func(v any) error { _, err := GetHostByAddr(v); return err },
		"gethostbyname":     func(v any) error { _, err := GetHostByName(v); return err },
		"gethostbyname_ex":  func(v any) error { _, err := GetHostByNameEx(v); return err },
		"getnameinfo":       func(v any) error { _, _, err := GetNameInfo(v, csock.NI_NUMERICHOST|csock.NI_NUMERICSERV); return err },
		"if_nametoindex":    func(v any) error { _, err := IfNameToIndex(v); return err },
		"setdefaulttimeout": func(v any) error { defer SetDefaultTimeout(nil); return SetDefaultTimeout(v) },
		"sendmsg4_addr": closing(csock.AF_INET, csock.SOCK_DGRAM, func(s *Socket, v any) error {
			_, err := s.SendMsg([][]byte{{}}, nil, 0, v)
			return err
		}),
		"sendmsg_buffers": closing(csock.AF_INET, csock.SOCK_DGRAM, func(s *Socket, v any) error {
			_, err := s.SendMsg(v, nil, 0, nil)
			return err
		}),
		"sendmsg_ancdata": closing(csock.AF_INET, csock.SOCK_DGRAM, func(s *Socket, v any) error {
			_, err := s.SendMsg([][]byte{{}}, v, 0, nil)
			return err
		}),
		"recvmsg_into": closing(csock.AF_INET, csock.SOCK_DGRAM, func(s *Socket, v any) error {
			_, _, _, _, err := s.RecvMsgInto(v, 0, MSG_DONTWAIT)
			return err
		}),
		"sendfile_count": closing(csock.AF_INET, csock.SOCK_STREAM, func(s *Socket, v any) error {
			f, err := os.Open(os.DevNull)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = s.SendFile(f, 0, v)
			return err
		}),
	}
	reprs := map[string]bool{"struct": true, "func": true, "chan": true, "nilptr": true}
	resolver := map[string]bool{"create_connection": true, "getaddrinfo_host": true, "getfqdn": true,
		"gethostbyaddr": true, "gethostbyname": true, "gethostbyname_ex": true}
	got := map[string]any{}
	for en, f := range entries {
		for vn, v := range vals {
			if resolver[en] && resolves[vn] || en == "sendfile_count" && reprs[vn] {
				continue
			}
			got[en+" "+vn] = pyExc(f(v))
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		assert.Equal(t, want[k], got[k], k)
	}
	assert.Len(t, got, len(want))
}
