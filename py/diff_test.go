package py

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reprValues returns the values whose repr() is compared with CPython's.
func reprValues() []any {
	rng := rand.New(rand.NewSource(1))
	var vs []any

	// Strings: every code point, in chunks, so the printable table and every
	// escape class are checked exhaustively against CPython.
	const chunk = 4096
	for lo := 0; lo < 0x110000; lo += chunk {
		rs := make([]rune, 0, chunk)
		for r := lo; r < lo+chunk; r++ {
			rs = append(rs, rune(r))
		}
		vs = append(vs, FromRunes(rs))
	}
	// Each boundary of the printable table on its own.
	for _, rg := range printableRanges {
		for _, r := range []rune{rg[0] - 1, rg[0], rg[1], rg[1] + 1} {
			if r >= 0 && r <= 0x10FFFF {
				vs = append(vs, FromRunes([]rune{r}), FromRunes([]rune{'a', r, '\''}))
			}
		}
	}
	// Quote choice and escapes.
	vs = append(vs, "", "'", "\"", "'\"", "a'b", "a\"b", "it's \"x\"", "\\", "\\'", "\t\n\r\x00\x1f\x7f",
		"\x80\xff", "\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0", "\xc3", "\xf0\x9f\x98", "é", "\u00ad",
		"\u2028\u2029", "\U0001F600", "\U000E0001", "\U0010FFFF", "\ufeff", "\u3000", " \u00a0")
	vs = append(vs, FromRunes([]rune{0xD800, 0xDC00}), FromRunes([]rune{0xDBFF, 0xDFFF, 'x'}),
		FromRunes([]rune{0xDC80, 0xDCFF}))
	// Random strings over an alphabet of interesting code points.
	alphabet := []rune{'a', ' ', '\'', '"', '\\', '\n', 0, 0x7f, 0x85, 0xa0, 0xe9, 0x100, 0x378, 0x2028,
		0xD800, 0xDC80, 0xDFFF, 0xE000, 0xFFFD, 0xFFFF, 0x1F600, 0xE0000, 0x10FFFF}
	for i := 0; i < 300; i++ {
		rs := make([]rune, rng.Intn(8))
		for j := range rs {
			rs[j] = alphabet[rng.Intn(len(alphabet))]
		}
		vs = append(vs, FromRunes(rs))
	}

	// Bytes: every byte alone, all bytes together, quote choice.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
		vs = append(vs, []byte{byte(i)}, []byte{'a', byte(i), 'b'})
	}
	vs = append(vs, all, []byte{}, []byte("'"), []byte("\""), []byte("'\""), []byte("\"'"), []byte("it's"))
	for i := 0; i < 100; i++ {
		b := make([]byte, rng.Intn(6))
		for j := range b {
			b[j] = "'\"\\a\x00\x7f\x80\xff\t"[rng.Intn(9)]
		}
		vs = append(vs, b)
	}

	// Floats.
	fs := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1.5, 100, 1e22, 1e23,
		math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, math.SmallestNonzeroFloat64, -math.MaxFloat64,
		0x1p-1022, 0x1p-1022 - 0x1p-1074, 0x1p53, 0x1p53 + 2, 0x1p63, 0x1p64, 123456789012345678,
		9999999999999998, 1e16 - 2, 0.0001, 0.00011, 0.00009999999999999999, 5e-324, 2.5, 1e-7}
	for e := -330; e <= 310; e++ {
		f, _ := strconv.ParseFloat("1e"+strconv.Itoa(e), 64)
		g, _ := strconv.ParseFloat("1.2345e"+strconv.Itoa(e), 64)
		fs = append(fs, f, math.Nextafter(f, 0), math.Nextafter(f, math.Inf(1)), g, -g)
	}
	for i := 0; i < 3000; i++ {
		fs = append(fs, math.Float64frombits(rng.Uint64()))
	}
	for i := 0; i < 500; i++ {
		fs = append(fs, float64(rng.Int63n(1<<53))/float64(int64(1)<<rng.Intn(60)))
	}
	for _, f := range fs {
		vs = append(vs, f)
	}

	// Ints, bools, None.
	vs = append(vs, nil, true, false, 0, -1, 1, math.MaxInt64, math.MinInt64, uint64(math.MaxUint64),
		int8(-128), uint8(255), int16(-3), uint16(65535), int32(-1<<31), uint32(1<<32-1), uint(7), uintptr(9),
		bigInt("123456789012345678901234567890"), bigInt("-0x10000000000000000"), new(big.Int))
	for i := 0; i < 50; i++ {
		x := new(big.Int).Rand(rng, new(big.Int).Lsh(big.NewInt(1), uint(rng.Intn(400))+1))
		if rng.Intn(2) == 0 {
			x.Neg(x)
		}
		vs = append(vs, x)
	}

	// Containers.
	vs = append(vs, Tuple{}, Tuple{1}, Tuple{1, "a"}, Tuple{Tuple{}}, Tuple{Tuple{1}}, List{}, List{1},
		List{Tuple{"a", []byte("b")}, nil, 1.5, List{}}, Tuple{List{Tuple{true}}, math.Copysign(0, -1), "'"},
		Tuple{"127.0.0.1", 80}, Tuple{"::1", 80, 0, 0})
	return vs
}

var reprCases = reprValues()

func init() {
	oracleSections["repr"] = func() []oracleCase {
		cases := make([]oracleCase, len(reprCases))
		for i, v := range reprCases {
			cases[i] = oracleCase{Op: "repr", V: tag(v)}
		}
		return cases
	}
	oracleSections["str"] = func() []oracleCase {
		var cases []oracleCase
		for _, v := range strCases[:8] {
			cases = append(cases, oracleCase{Op: "str", V: tag(v)})
		}
		return cases
	}
	oracleSections["codec"] = codecCases
}

func TestReprMatchesCPython(t *testing.T) {
	vs := reprCases
	answers := askPython(t, "repr")
	for i, v := range vs {
		require.Nil(t, answers[i].Exc)
		var want string
		require.NoError(t, json.Unmarshal(answers[i].OK, &want))
		got := Repr(v)
		if got != want {
			assert.Equal(t, firstDiff(want, got), firstDiff(got, want), "repr of %#v (case %d)", v, i)
		}
	}
	t.Logf("%d repr cases compared with python3", len(vs))
}

// firstDiff returns a short window of a around the first byte where it
// differs from b, to keep failure messages on huge strings readable.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-20)
	for lo > 0 && !utf8.RuneStart(a[lo]) {
		lo--
	}
	return a[lo:min(len(a), i+40)]
}

var strCases = []any{"", "a'b", FromRunes([]rune{0xD800, 'x'}), []byte("x"), 1.5, Tuple{"a"}, nil, true,
	NewError("ValueError", "bad 'thing'"), NewError("socket.gaierror", "")}

func TestStrMatchesCPython(t *testing.T) {
	vs := strCases
	answers := askPython(t, "str")
	for i := range answers {
		var cps []rune
		require.NoError(t, json.Unmarshal(answers[i].OK, &cps))
		assert.Equal(t, FromRunes(cps), Canonical(Str(vs[i])), "str of %#v", vs[i])
	}
	assert.Equal(t, "bad 'thing'", Str(vs[8]))
	assert.Equal(t, "ValueError(\"bad 'thing'\")", Repr(vs[8]))
	assert.Equal(t, "gaierror()", Repr(vs[9]))
}

// codecStrs and codecBlobs are the inputs of the codec differential test.
var codecStrs, codecBlobs = codecInputs()

func codecInputs() ([]string, [][]byte) {
	rng := rand.New(rand.NewSource(2))
	alphabet := []rune{'a', 0xE9, 0x1F600, 0xD800, 0xDBFF, 0xDC00, 0xDC7F, 0xDC80, 0xDCFF, 0xDD00, 0xDFFF}
	var strs []string
	for i := 0; i < 1500; i++ {
		rs := make([]rune, rng.Intn(7))
		for j := range rs {
			rs[j] = alphabet[rng.Intn(len(alphabet))]
		}
		strs = append(strs, FromRunes(rs))
	}
	strs = append(strs, "\xff", "a\xed\xa0\x80b", "\xed\xa0", "\x80\x81")
	byteAlphabet := []byte{'a', 0x80, 0x90, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF}
	var blobs [][]byte
	for i := 0; i < 1500; i++ {
		b := make([]byte, rng.Intn(9))
		for j := range b {
			b[j] = byteAlphabet[rng.Intn(len(byteAlphabet))]
		}
		blobs = append(blobs, b)
	}
	blobs = append(blobs, []byte("\xed\xa0\x80"), []byte("\xed\xb2\x80"), []byte("\xf4\x90\x80\x80"), []byte("\xc0\xaf"))
	return strs, blobs
}

func codecCases() []oracleCase {
	strs, blobs := codecStrs, codecBlobs
	var cases []oracleCase
	for _, s := range strs {
		cases = append(cases, oracleCase{Op: "encode", V: tag(s)}, oracleCase{Op: "fsencode", V: tag(s)})
	}
	for _, b := range blobs {
		cases = append(cases, oracleCase{Op: "fsdecode", V: tag(b)})
	}
	return cases
}

func TestCodecsMatchCPython(t *testing.T) {
	strs, blobs := codecStrs, codecBlobs
	answers := askPython(t, "codec")
	check := func(a oracleAnswer, got []byte, err error, what string) {
		if a.Exc != nil {
			if assert.Error(t, err, what) {
				e, ok := AsException(err)
				require.True(t, ok, what)
				assert.Equal(t, *a.Exc, FormatException(e), what)
			}
			return
		}
		var want []byte
		var ints []int
		require.NoError(t, json.Unmarshal(a.OK, &ints))
		for _, c := range ints {
			want = append(want, byte(c))
		}
		if assert.NoError(t, err, what) {
			assert.Equal(t, string(want), string(got), what)
		}
	}
	for i, s := range strs {
		got, err := EncodeUTF8(s)
		check(answers[2*i], got, err, "encode "+StrRepr(s))
		got, err = FSEncode(s)
		check(answers[2*i+1], got, err, "fsencode "+StrRepr(s))
	}
	for i, b := range blobs {
		a := answers[2*len(strs)+i]
		var cps []rune
		require.NoError(t, json.Unmarshal(a.OK, &cps))
		d := FSDecode(b)
		assert.Equal(t, cps, Runes(d), "fsdecode %q", b)
		assert.Equal(t, FromRunes(cps), d, "fsdecode %q is canonical", b)
		back, err := FSEncode(d)
		if assert.NoError(t, err) {
			assert.Equal(t, b, back, "fsencode(fsdecode(%q))", b)
		}
	}
	t.Logf("%d codec cases compared with python3", len(answers))
}
