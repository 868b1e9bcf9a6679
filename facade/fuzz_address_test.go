//go:build linux

package facade

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
)

// addressCallers are the callers whose names CPython's getsockaddrarg puts in its messages.
var addressCallers = []string{"bind", "connect", "connect_ex", "sendto"}

// FuzzParseAddress feeds parseAddress (CPython's getsockaddrarg) a family, a caller and an
// address written as a Python expression: tuples of every length for csock.AF_INET and
// csock.AF_INET6 with str, bytes and other hosts and ports, flowinfo and scope ids of any
// size and sign; str (surrogates included) and bytes paths for csock.AF_UNIX, abstract and
// over-long; and families without a parser. Nothing may panic or hang; every failure is a
// Python exception of a class CPython raises there; every success is an address of the
// socket's family within the kernel's limits.
//
// Seeds: testdata/fuzz/FuzzParseAddress, compared with python3 by
// TestParseAddress_SeedsBehaveAsCPython. Fuzzing resolves arbitrary host names, so
// `make fuzz` runs it in a network namespace with only loopback.
func FuzzParseAddress(f *testing.F) {
	f.Fuzz(func(t *testing.T, family int64, caller int64, src string) {
		v, ok := literal(src)
		if !ok {
			return
		}
		name := addressCallers[uint64(caller)%uint64(len(addressCallers))]
		defer watchdog("%s(%d, %q)", name, family, src)()
		a, err := parseAddress(int(family), v, name)
		checkParsedAddress(t, int(family), a, err)
	})
}

// checkParsedAddress holds FuzzParseAddress's checks of one outcome.
func checkParsedAddress(t *testing.T, family int, a csock.Addr, err error) {
	switch family {
	case csock.AF_INET, csock.AF_INET6:
		if err != nil {
			allowed := append([]string{"TypeError", "OverflowError", "socket.gaierror"}, oserrorClasses...)
			requirePyException(t, err, allowed...)
			return
		}
		require.Equal(t, family, a.Family)
		assert.True(t, a.Port >= 0 && a.Port <= 0xffff, "port %d", a.Port)
		if family == csock.AF_INET {
			assert.Equal(t, [12]byte{}, [12]byte(a.IP[4:]), "an IPv4 address is 4 bytes")
		} else {
			assert.LessOrEqual(t, a.FlowInfo, uint32(0xfffff))
		}
	case csock.AF_UNIX:
		if err != nil {
			requirePyException(t, err, "TypeError", "OSError", "UnicodeEncodeError")
			return
		}
		require.Equal(t, csock.AF_UNIX, a.Family)
		if len(a.Path) == 0 || a.Path[0] == 0 {
			assert.LessOrEqual(t, len(a.Path), 108, "an abstract name fits sun_path")
		} else {
			assert.LessOrEqual(t, len(a.Path), 108, "a path and its NUL fit sun_path")
			assert.Equal(t, byte(0), a.Path[len(a.Path)-1], "a path ends with its NUL")
		}
	default:
		require.Error(t, err, "family %d has no parser", family)
		requirePyException(t, err, "OSError")
		assert.Contains(t, err.Error(), "(): bad family")
	}
}

// TestParseAddress_SeedsBehaveAsCPython runs every seed of FuzzParseAddress through a real
// socket of the family, in the facade and in CPython, and compares the outcomes (the
// result or the exception line): the seeds are the differential table of address
// parsing. connect and connect_ex use a datagram socket (no packet leaves), sendto an
// unconnected stream socket (the parsed address is then refused by the kernel: nothing is
// sent) or, for csock.AF_UNIX, a datagram socket (sent to a path or name nobody binds),
// bind a datagram socket in a fresh working directory. Families without a parser
// get a UDP descriptor adopted under that family, as CPython's socket(family, fileno=...)
// trusts an explicit family.
func TestParseAddress_SeedsBehaveAsCPython(t *testing.T) {
	type row struct {
		Family int64  `json:"family"`
		Caller string `json:"caller"`
		Expr   string `json:"expr"`
	}
	var rows []row
	for _, s := range seedCorpus(t, "FuzzParseAddress") {
		require.Len(t, s.Values, 3, s.Name)
		r := row{Family: s.Values[0].(int64), Caller: addressCallers[uint64(s.Values[1].(int64))%4], Expr: s.Values[2].(string)}
		mustLiteral(t, r.Expr)
		rows = append(rows, r)
	}

	var want []string
	testutil.PythonJSON(t, pythonOutcome+`
os.chdir(tempfile.mkdtemp())
out = []
for r in json.load(sys.stdin):
    fam, caller = r['family'], r['caller']
    kind = socket.SOCK_STREAM if caller == 'sendto' and fam != socket.AF_UNIX else socket.SOCK_DGRAM
    def call():
        if fam in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
            s = socket.socket(fam, kind)
        else:
            u = socket.socket(socket.AF_INET, kind)
            s = socket.socket(fam, kind, 0, os.dup(u.fileno()))
            u.close()
        with s:
            a = value(r['expr'])
            if caller == 'sendto':
                return s.sendto(b'x', a)
            return getattr(s, caller)(a)
    out.append(outcome(call))
print(json.dumps(out))
`, rows, &want)
	require.Len(t, want, len(rows))

	t.Chdir(t.TempDir())
	for i, r := range rows {
		got := goOutcome(addressCall(t, int(r.Family), r.Caller, mustLiteral(t, r.Expr)))
		assert.Equal(t, want[i], got, "%s(%s) on family %d", r.Caller, r.Expr, r.Family)
		t.Logf("%d %s(%s): %s", r.Family, r.Caller, r.Expr, got)
	}
}

// addressCall is the facade's side of TestParseAddress_SeedsBehaveAsCPython.
func addressCall(t *testing.T, family int, caller string, addr any) (any, error) {
	kind := SOCK_DGRAM
	if caller == "sendto" && family != csock.AF_UNIX {
		kind = SOCK_STREAM
	}
	var s *Socket
	var err error
	switch family {
	case csock.AF_INET, csock.AF_INET6, csock.AF_UNIX:
		s, err = New(AddressFamily(family), kind, 0)
	default:
		u, uerr := New(AF_INET, kind, 0)
		require.NoError(t, uerr)
		s, err = FromFD(u.Fileno(), AddressFamily(family), kind, 0)
		u.Close()
	}
	require.NoError(t, err)
	defer s.Close()
	switch caller {
	case "bind":
		return nil, s.Bind(addr)
	case "connect":
		return nil, s.Connect(addr)
	case "connect_ex":
		n, err := s.ConnectEx(addr)
		if err != nil {
			return nil, err
		}
		return n, nil
	}
	n, err := s.SendTo([]byte("x"), 0, addr)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// TestParseAddress_UnixPathsAtTheLimit pins the lengths at which csock.AF_UNIX paths stop
// fitting, for str and bytes, abstract and not: what the seeds of FuzzParseAddress probe
// one value at a time.
func TestParseAddress_UnixPathsAtTheLimit(t *testing.T) {
	for _, c := range []struct {
		path any
		ok   bool
	}{
		{bytes.Repeat([]byte("a"), 107), true},
		{bytes.Repeat([]byte("a"), 108), false},
		{string(bytes.Repeat([]byte("a"), 107)), true},
		{append([]byte{0}, bytes.Repeat([]byte("a"), 107)...), true},
		{append([]byte{0}, bytes.Repeat([]byte("a"), 108)...), false},
		{"\x00" + string(bytes.Repeat([]byte("é"), 53)) + "a", true}, // 108 bytes
		{"\x00" + string(bytes.Repeat([]byte("é"), 54)), false},      // 109 bytes
	} {
		_, err := parseAddress(csock.AF_UNIX, c.path, "bind")
		if c.ok {
			assert.NoError(t, err, "%q", c.path)
		} else {
			assert.EqualError(t, err, "AF_UNIX path too long", "%q", c.path)
		}
	}
}
