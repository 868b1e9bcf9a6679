//go:build linux

package facade

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/libcref"
	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// FuzzInet is a differential fuzz target against libc: the same family, text and packed
// bytes go to the facade's InetPton, InetNtop and InetAton and, through package libcref,
// straight to glibc's inet_pton, inet_ntop and inet_aton, and the results (or the
// failures) must agree:
//
//   - inet_pton: glibc's -1 is the facade's OSError with glibc's errno, 0 its "illegal IP
//     address string" OSError, 1 the same bytes; a text the facade refuses before libc
//     (NUL, lone surrogates, a family beyond a C int) fails with CPython's ValueError,
//     UnicodeEncodeError or OverflowError;
//   - inet_ntop: of the packed bytes when their length suits the family, and of every
//     address inet_pton parsed, the same text;
//   - the shim's own IPv4 formatting (it writes the dotted quad itself, csock.c): the
//     address getaddrinfo(AI_NUMERICHOST) returns for glibc's text of the packed bytes
//     prints as glibc prints it, and so does the address parsed from text;
//   - inet_aton: the same 4 bytes, or both refuse.
//
// Seeds: testdata/fuzz/FuzzInet (also checked against python3 by
// TestInet_SeedsBehaveAsCPython). Nothing here leaves the process: numeric lookups only.
func FuzzInet(f *testing.F) {
	f.Fuzz(func(t *testing.T, family int64, text string, packed []byte) {
		checkInetPton(t, family, text)
		checkInetNtop(t, family, packed)
		checkInetAton(t, text)
		// The shim's formatting of every IPv4 and IPv6 address, whatever family was fuzzed.
		var ip [16]byte
		copy(ip[:], packed)
		checkShimFormats(t, csock.AF_INET, ip[:4])
		checkShimFormats(t, csock.AF_INET6, ip[:])
	})
}

func checkInetPton(t *testing.T, family int64, text string) {
	got, err := InetPton(AddressFamily(family), text)
	if family < math.MinInt32 || family > math.MaxInt32 {
		require.Error(t, err)
		requirePyException(t, err, "OverflowError")
		return
	}
	b, encErr := py.EncodeUTF8(text)
	switch {
	case encErr != nil:
		requirePyException(t, err, "UnicodeEncodeError")
		return
	case bytes.IndexByte(b, 0) >= 0:
		require.EqualError(t, err, "embedded null character")
		requirePyException(t, err, "ValueError")
		return
	}
	ret, want, errno := libcref.InetPton(int32(family), b)
	switch ret {
	case -1:
		var oe *OSError
		require.ErrorAs(t, err, &oe, "inet_pton(%d, %q): libc failed with %v", family, b, errno)
		assert.Equal(t, int(errno), oe.Errno)
	case 0:
		require.EqualError(t, err, "illegal IP address string passed to inet_pton", "inet_pton(%d, %q)", family, b)
	case 1:
		require.NoError(t, err, "inet_pton(%d, %q)", family, b)
		n := 16
		if family == csock.AF_INET {
			n = 4
		}
		require.Equal(t, want[:n], got, "inet_pton(%d, %q)", family, b)
		text, errno := libcref.InetNtop(int32(family), got)
		require.Zero(t, errno)
		back, err := InetNtop(AddressFamily(family), got)
		require.NoError(t, err)
		assert.Equal(t, text, back, "inet_ntop(inet_pton(%d, %q))", family, b)
		checkShimFormats(t, int(family), got)
	default:
		t.Fatalf("inet_pton returned %d", ret)
	}
}

func checkInetNtop(t *testing.T, family int64, packed []byte) {
	got, err := InetNtop(AddressFamily(family), packed)
	want := 0
	switch {
	case family < math.MinInt32 || family > math.MaxInt32:
		requirePyException(t, err, "OverflowError")
		return
	case family == csock.AF_INET:
		want = 4
	case family == csock.AF_INET6:
		want = 16
	default:
		require.EqualError(t, err, "unknown address family "+itoa(int(family)))
		requirePyException(t, err, "ValueError")
		return
	}
	if len(packed) != want {
		require.EqualError(t, err, "invalid length of packed IP address string")
		requirePyException(t, err, "ValueError")
		return
	}
	text, errno := libcref.InetNtop(int32(family), packed)
	require.Zero(t, errno)
	require.NoError(t, err)
	assert.Equal(t, text, got, "inet_ntop(%d, %x)", family, packed)
}

func checkInetAton(t *testing.T, text string) {
	got, err := InetAton(text)
	b, encErr := py.EncodeUTF8(text)
	switch {
	case encErr != nil:
		requirePyException(t, err, "UnicodeEncodeError")
		return
	case bytes.IndexByte(b, 0) >= 0:
		require.EqualError(t, err, "embedded null character")
		return
	}
	want, ok := libcref.InetAton(b)
	if !ok {
		require.EqualError(t, err, "illegal IP address string passed to inet_aton", "inet_aton(%q)", b)
		return
	}
	require.NoError(t, err, "inet_aton(%q)", b)
	assert.Equal(t, want[:], got, "inet_aton(%q)", b)
}

// checkShimFormats checks the shim's text of the address ip (4 or 16 bytes): glibc's
// inet_ntop text of ip, resolved with AI_NUMERICHOST, must come back as the same text.
func checkShimFormats(t *testing.T, family int, ip []byte) {
	text, errno := libcref.InetNtop(int32(family), ip)
	require.Zero(t, errno)
	res, err := GetAddrInfo(text, nil, AddressFamily(family), SOCK_DGRAM, 0, AI_NUMERICHOST)
	require.NoError(t, err, "getaddrinfo(%q, AI_NUMERICHOST)", text)
	require.Len(t, res, 1)
	var host string
	switch a := res[0].Addr.(type) {
	case InetAddress:
		host = a.Host
	case Inet6Address:
		host = a.Host
	default:
		t.Fatalf("getaddrinfo(%q) gave a %T", text, res[0].Addr)
	}
	assert.Equal(t, text, host, "the shim's text of %x", ip)
}

// TestInet_SeedsBehaveAsCPython runs the seeds of FuzzInet through CPython's inet_pton,
// inet_ntop and inet_aton and the facade's, and compares the outcomes.
func TestInet_SeedsBehaveAsCPython(t *testing.T) {
	type row struct {
		Family int64  `json:"family"`
		Text   string `json:"text"`   // a str, as generalised UTF-8 (see package py)
		Packed []int  `json:"packed"` // bytes
	}
	var rows []row
	for _, s := range seedCorpus(t, "FuzzInet") {
		require.Len(t, s.Values, 3, s.Name)
		r := row{Family: s.Values[0].(int64), Text: s.Values[1].(string), Packed: []int{}}
		for _, c := range s.Values[2].([]byte) {
			r.Packed = append(r.Packed, int(c))
		}
		rows = append(rows, r)
	}
	// JSON cannot carry lone surrogates in a Go string: the texts go as code point lists.
	type pyRow struct {
		Family int64 `json:"family"`
		Text   []int `json:"text"`
		Packed []int `json:"packed"`
	}
	in := make([]pyRow, len(rows))
	for i, r := range rows {
		in[i] = pyRow{Family: r.Family, Packed: r.Packed, Text: []int{}}
		for _, c := range py.Runes(r.Text) {
			in[i].Text = append(in[i].Text, int(c))
		}
	}
	var want [][3]string
	testutil.PythonJSON(t, pythonOutcome+`
out = []
for r in json.load(sys.stdin):
    text = ''.join(map(chr, r['text']))
    out.append([outcome(lambda: socket.inet_pton(r['family'], text)),
                outcome(lambda: socket.inet_ntop(r['family'], bytes(r['packed']))),
                outcome(lambda: socket.inet_aton(text))])
print(json.dumps(out))
`, in, &want)
	require.Len(t, want, len(rows))
	for i, r := range rows {
		packed := make([]byte, len(r.Packed))
		for j, c := range r.Packed {
			packed[j] = byte(c)
		}
		fam := AddressFamily(r.Family)
		pton, perr := InetPton(fam, r.Text)
		ntop, nerr := InetNtop(fam, packed)
		aton, aerr := InetAton(r.Text)
		got := [3]string{goOutcome(bytesOrNil(pton, perr)), goOutcome(strOrNil(ntop, nerr)), goOutcome(bytesOrNil(aton, aerr))}
		assert.Equal(t, want[i], got, "family %d, text %q, packed %x", r.Family, r.Text, packed)
		t.Logf("family %d, text %s, packed %x: %q", r.Family, py.Repr(r.Text), packed, got)
	}
}

func bytesOrNil(b []byte, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return b, nil
}

func strOrNil(s string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}
