//go:build linux

package facade

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// FuzzGetNameInfo calls socket.getnameinfo(sockaddr, flags) through Call, with both
// arguments written as Python expressions: tuples of every length holding values of every
// type (str, bytes, None, floats, big and negative ints, nested tuples), non-tuples, and
// flags of any type and size. Nothing may panic or hang; a failure is one of the
// exceptions CPython's getnameinfo raises; a success is a pair of str, and with
// NI_NUMERICSERV the service is the port's decimal text modulo 65536, as glibc prints it.
//
// Seeds: testdata/fuzz/FuzzGetNameInfo, compared with python3 by
// TestGetNameInfo_SeedsBehaveAsCPython. Without NI_NUMERICHOST, getnameinfo asks the
// resolver for the address's name, so `make fuzz` runs it in a network namespace with
// only loopback.
func FuzzGetNameInfo(f *testing.F) {
	f.Fuzz(func(t *testing.T, sockaddr, flags string) {
		sa, ok := literal(sockaddr)
		if !ok {
			return
		}
		fl, ok := literal(flags)
		if !ok {
			return
		}
		defer watchdog("getnameinfo(%s, %s)", sockaddr, flags)()
		v, err := getnameinfoCall(sa, fl)
		if err != nil {
			allowed := append([]string{"TypeError", "OverflowError", "ValueError", "UnicodeEncodeError", "socket.gaierror"}, oserrorClasses...)
			requirePyException(t, err, allowed...)
			return
		}
		res, ok := v.(py.Tuple)
		require.True(t, ok, "getnameinfo returned %T", v)
		require.Len(t, res, 2)
		host, ok1 := res[0].(string)
		serv, ok2 := res[1].(string)
		require.True(t, ok1 && ok2, "getnameinfo returned %s", py.Repr(v))
		assert.NotEmpty(t, host)
		// A success means flags was a C int and the port too.
		if n, _ := py.AsInt(fl); n.Int64()&csock.NI_NUMERICSERV != 0 {
			port, _ := py.AsInt(sa.(py.Tuple)[1])
			want := new(big.Int).Mod(port, big.NewInt(65536))
			assert.Equal(t, want.String(), serv, "numeric service of port %s", port)
		}
	})
}

// TestGetNameInfo_SeedsBehaveAsCPython runs every seed of FuzzGetNameInfo through the
// facade and through CPython's socket.getnameinfo and compares the outcomes. The seeds
// name only numeric hosts and addresses /etc/hosts knows (127.0.0.1), or ask
// NI_NUMERICHOST, so no seed asks a name server.
func TestGetNameInfo_SeedsBehaveAsCPython(t *testing.T) {
	type row struct {
		Sockaddr string `json:"sockaddr"`
		Flags    string `json:"flags"`
	}
	var rows []row
	for _, s := range seedCorpus(t, "FuzzGetNameInfo") {
		require.Len(t, s.Values, 2, s.Name)
		r := row{Sockaddr: s.Values[0].(string), Flags: s.Values[1].(string)}
		mustLiteral(t, r.Sockaddr)
		mustLiteral(t, r.Flags)
		rows = append(rows, r)
	}
	var want []string
	testutil.PythonJSON(t, pythonOutcome+`
print(json.dumps([outcome(lambda: socket.getnameinfo(value(r['sockaddr']), value(r['flags'])))
                  for r in json.load(sys.stdin)]))
`, rows, &want)
	require.Len(t, want, len(rows))
	for i, r := range rows {
		got := goOutcome(getnameinfoCall(mustLiteral(t, r.Sockaddr), mustLiteral(t, r.Flags)))
		assert.Equal(t, want[i], got, "getnameinfo(%s, %s)", r.Sockaddr, r.Flags)
		t.Logf("getnameinfo(%s, %s): %s", r.Sockaddr, r.Flags, got)
	}
}

// getnameinfoCall is socket.getnameinfo(sockaddr, flags) with Python values: the flags
// converted first ("Oi"), then GetNameInfo, whose result prints as CPython's tuple.
func getnameinfoCall(sockaddr, flags any) (any, error) {
	fl, err := asCInt(flags)
	if err != nil {
		return nil, err
	}
	h, p, err := GetNameInfo(sockaddr, fl)
	if err != nil {
		return nil, err
	}
	return py.Tuple{h, p}, nil
}
