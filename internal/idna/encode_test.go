package idna

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handPicked are inputs chosen to exercise every branch of the codec and the
// corners of nameprep.  Lone surrogates are added separately because Go
// strings cannot hold them.
var handPicked = []string{
	// Pure ASCII: the fast path.
	"", "a", "example.com", "example.com.", "EXAMPLE.COM", "Example.Com.",
	".", "..", "a..b", ".a", "a.", "a..", "-", "a b", "\x00", "\x7f", "a\tb.c",
	"xn--abc", "XN--abc.example", "xn--", "a_b.c-d", "@", "a..b.",
	strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a", 63) + ".",
	strings.Repeat("a", 64) + ".", strings.Repeat("a", 64) + ".b", "b." + strings.Repeat("a", 64),
	"b." + strings.Repeat("a", 63) + ".", strings.Repeat("a", 300),
	strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63),

	// Non-ASCII names, separators and trailing dots.
	"ü", "Ü", "ü.", "ü..", "ü..b", ".ü", "ü.a", "a.ü", "ü。b", "ü．b", "ü｡b", "ü。",
	"。", "．", "｡", "。。", "a。b", "a．b.", "ü.." + "a", "ü." + strings.Repeat("a", 63),
	"ü." + strings.Repeat("a", 64), "ü." + strings.Repeat("a", 64) + ".", strings.Repeat("a", 64) + ".ü",
	"ü.ABC", "ü.ABC.", "Bücher.example", "bücher.example.", "MÜNCHEN.de", "münchen.DE",
	"ß", "straße.de", "STRASSE.ß", "ς", "σ", "Σ", "ΣΑΣ", "όσος", "ΌΣΟΣ.gr",
	"ﬁ", "ﬃ.example", "Ⅻ", "①", "㍿", "㈱", "℡", "™", "Ω", "K", "Å", "İ", "ẞ", "ŉ",
	"ｘｎ－－ａ", "ｘｎ－－ü", "xn--ü", "XN--ü", "Xn--ü", "xn-ü", "ü-xn--",
	"ｅｘａｍｐｌｅ．ｃｏｍ", "ＥＸＡＭＰＬＥ", "例え.テスト", "中国", "中国.cn", "日本語。ｊｐ",
	"правительство.рф", "ПРЕЗИДЕНТ.РФ", "ελληνικά", "한국", "\u1100\u1161\u11a8", "\u1100\u1161",
	"\u1112\u1175\u11c2", "\u1100\u1176", "\u1113\u1161", "\u1100\u1161\u11a7", "\u1100\u1161\u11c3",
	"\u3131", "\u3164", "\uffa0", "\uac00\u11a8", "\u1100\uac00",

	// Bidi.
	"\u0627\u0628", "\u0627a", "a\u0627", "1\u0627", "\u06271", "\u0627\u0661", "\u0627\u0661\u0628",
	"\u05d0\u05d1", "\u05d0\u05b0", "\u05d0\u05b0\u05d1", "\u05d0-\u05d1", "\u05d0 \u05d1",
	"\u05d0.\u0627", "\u05d0.a", "a\u05d0b", "\u0627\u200d\u0628", "\u0627\u200e\u0628",
	"\u0627\u202b\u0628", "\u05d0\u0300\u05d1", "\U0001e900", "\U0001e922\U0001e923", "\u0860\u0861",
	"\u08a0", "a\U0001e900", "ABC.ü", "\u07c0\u07c1", "\u0710\u0712", "\ufb1d", "\ufb50",

	// Mapped to nothing, spaces and other prohibited code points.
	"\u00ad", "a\u00adb", "\u00ad.com", "ü\u00ad", "\u200b", "a\u200bb", "\u200c", "\u200d",
	"\ufeff", "a\ufeffb", "\u034f", "\ufe00", "a\ufe0fb", "\u1806", "\u180b", "\u2060",
	"ü b", "ü\u3000b", "\u3000", "a\u3000b", "\u00a0", "a\u00a0b", "\u1680", "\u2000", "\u200a",
	"\u202f", "\u205f", "\u2028", "\u2029", "\u0080", "\u009f", "a\u0085", "\u06dd", "\u070f",
	"\u180e", "\u200e", "\u200f", "\u202a", "\u202e", "\u206a", "\u206f", "\u2061", "\u2064",
	"\ue000", "\uf8ff", "\U000f0000", "\U0010fffd", "\U0010ffff", "\ufdd0", "\ufdef", "\ufffe",
	"\uffff", "\U0001fffe", "\U0010fffe", "\ufff9", "\ufffb", "\ufffc", "\ufffd", "\u2ff0",
	"\u2ffb", "\U000e0001", "\U000e0041", "\U000e007f", "\U000e0100", "\U0001d173", "\U0001d17a",
	"\u0340", "\u0341", "a\u0340", "\u0374", "\u037e", "ü\x01", "ü\x00", "\x01ü", "ü\x7f",

	// Composition, decomposition and canonical ordering.
	"a\u0301", "A\u0301", "e\u0301\u0323", "e\u0323\u0301", "a\u0323\u0302", "a\u0302\u0323",
	"o\u031b\u0301", "\u1e9b\u0323", "\u017f\u0307\u0323", "\u0301", "\u0301a", "a\u0301\u0301",
	"\u212b", "\u2126", "\u1b05\u1b35", "\u1b05", "\u2add\u0338", "\u0308\u0301", "\u0f71\u0f72",
	"\u0f73", "\u0344", "\u0e33", "\u0eb3", "\u0915\u093c", "\u0958", "\u09c7\u09be", "\u0b47\u0b3e",
	"\u0bc6\u0bd7", "\u0cc6\u0cc2\u0cd5", "\u1025\u102e", "\U00011099\U000110ba", "\U0001d15e",
	"\U0001d164", "a\u1dc0\u0323", "\ufb2c", "\u2474", "\u2488", "\u2024", "a\u2024b", "\ufe52",
	"ü\u2024b", "\u2024\u2024", "\u33a1", "\u00bd", "\u2155",

	// Case mapping that CPython takes from its current Unicode database.
	"\u2c00", "\ua640", "\u10a0", "\u13a0", "\uab70", "\U00010400", "\U00010c80", "\U0001e900",
	"\u0370", "\u1e9e", "\u2183", "\ua7c0", "\u023a", "\u0130", "\u03f4", "\u1fbc", "\u1f88",

	// Emoji and symbols.
	"😀", "😀.com", "a😀", "\U0001f1fa\U0001f1f8", "👍🏽", "☃", "♥.example", "\U0001f468\u200d\U0001f469",

	// ACE prefix and punycode length limits.
	"xn--bücher", "bücher-xn--", strings.Repeat("ü", 58), strings.Repeat("ü", 59),
	strings.Repeat("ü", 60), strings.Repeat("ü", 100), strings.Repeat("ü", 300),
	strings.Repeat("\u0301", 50), "a" + strings.Repeat("\u0301", 100),
	strings.Repeat("a", 55) + "ü", strings.Repeat("a", 56) + "ü", strings.Repeat("a", 57) + "ü",
	strings.Repeat("a", 58) + "ü", strings.Repeat("a", 62) + "ü", strings.Repeat("a", 63) + "ü",
	"ü" + strings.Repeat("a", 53), "ü" + strings.Repeat("a", 54), "ü" + strings.Repeat("a", 55),
	strings.Repeat("中", 17), strings.Repeat("中", 18), strings.Repeat("中", 19), strings.Repeat("中", 20),
	strings.Repeat("\U0010fffd", 5), "Hello-Another-Way-それぞれの場所",
}

// surrogateCases are inputs with lone surrogates, which only []rune can hold.
var surrogateCases = [][]rune{
	{0xdcff}, {0xd800}, {0xdfff}, {0xdbff}, {0xd800, 0xdc00}, {'a', 0xd800},
	{'a', '.', 0xdcff}, {0xdcff, '.', 'a'}, {0xdc80, 0x3002}, {'x', 'n', '-', '-', 0xdcff},
	{0x00fc, '.', 0xdcff}, {0xdcff, 0x00ad}, {0x0627, 0xd800}, {0xd83d, 0xde00},
}

// pools are the code point ranges random inputs are drawn from, with weights.
var pools = []struct {
	weight int
	lo, hi rune
}{
	{30, 'a', 'z'}, {6, '0', '9'}, {4, '-', '-'}, {6, 'A', 'Z'}, {4, '.', '.'},
	{2, 0x3002, 0x3002}, {1, 0xFF0E, 0xFF0E}, {1, 0xFF61, 0xFF61}, {2, 0x00, 0x7F},
	{6, 0x00A0, 0x00FF}, {5, 0x0100, 0x024F}, {6, 0x0300, 0x036F}, {4, 0x0370, 0x03FF},
	{3, 0x0400, 0x04FF}, {4, 0x0590, 0x05FF}, {5, 0x0600, 0x06FF}, {2, 0x0700, 0x08FF},
	{3, 0x0900, 0x0DFF}, {2, 0x0E00, 0x0FFF}, {2, 0x1000, 0x10FF}, {5, 0x1100, 0x11FF},
	{2, 0x1B00, 0x1B7F}, {2, 0x1D00, 0x1DFF}, {3, 0x1E00, 0x1FFF}, {4, 0x2000, 0x206F},
	{3, 0x2070, 0x24FF}, {2, 0x2C00, 0x2FFF}, {3, 0x3000, 0x33FF}, {4, 0xAC00, 0xD7A3},
	{3, 0x4E00, 0x9FFF}, {2, 0xA640, 0xABFF}, {3, 0xD800, 0xDFFF}, {2, 0xE000, 0xF8FF},
	{3, 0xF900, 0xFAFF}, {3, 0xFB00, 0xFDFF}, {3, 0xFE00, 0xFFFF}, {2, 0x10000, 0x1FFFF},
	{2, 0x1D400, 0x1D7FF}, {3, 0x1F300, 0x1FAFF}, {2, 0x1E800, 0x1EFFF}, {1, 0xE0000, 0xE01EF},
	{1, 0xF0000, 0x10FFFF}, {3, 0x0000, 0x10FFFF},
}

// randomCases returns n pseudo-random names from a fixed seed.
func randomCases(n int) [][]rune {
	rng := rand.New(rand.NewPCG(0x1d4a, 3490))
	total := 0
	for _, p := range pools {
		total += p.weight
	}
	pick := func() rune {
		w := rng.IntN(total)
		for _, p := range pools {
			if w < p.weight {
				return p.lo + rune(rng.IntN(int(p.hi-p.lo+1)))
			}
			w -= p.weight
		}
		panic("unreachable")
	}
	cases := make([][]rune, 0, n)
	for range n {
		var length int
		switch rng.IntN(10) {
		case 0:
			length = 1 + rng.IntN(3)
		case 1:
			length = 55 + rng.IntN(15) // around the label limit
		default:
			length = 1 + rng.IntN(20)
		}
		s := make([]rune, length)
		for i := range s {
			s[i] = pick()
		}
		cases = append(cases, s)
	}
	return cases
}

// scripts are code point ranges from which whole labels are drawn, so that
// random names are often valid and reach punycode.
var scripts = [][2]rune{
	{'a', 'z'}, {0x00E0, 0x00FF}, {0x0100, 0x017F}, {0x03B1, 0x03C9}, {0x0391, 0x03A9},
	{0x0430, 0x044F}, {0x0410, 0x042F}, {0x05D0, 0x05EA}, {0x0621, 0x064A}, {0x0905, 0x0939},
	{0x0E01, 0x0E2E}, {0x3041, 0x3096}, {0x30A1, 0x30FA}, {0x4E00, 0x9FA5}, {0xAC00, 0xD7A3},
	{0x1100, 0x1175}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x1D400, 0x1D6A3}, {0x1F600, 0x1F64F},
	{0x2460, 0x24FF}, {0x3300, 0x33FF}, {0xFB50, 0xFDFF}, {0xFE70, 0xFEFC},
}

// labelCases returns n pseudo-random names made of single-script labels
// joined by any of the four separators.
func labelCases(n int) [][]rune {
	rng := rand.New(rand.NewPCG(0x3491, 3492))
	seps := []rune{'.', '.', 0x3002, 0xFF0E, 0xFF61}
	cases := make([][]rune, 0, n)
	for range n {
		var name []rune
		labels := 1 + rng.IntN(4)
		for l := range labels {
			if l > 0 {
				name = append(name, seps[rng.IntN(len(seps))])
			}
			script := scripts[rng.IntN(len(scripts))]
			length := 1 + rng.IntN(15)
			if rng.IntN(8) == 0 {
				length = 1 + rng.IntN(64)
			}
			for range length {
				name = append(name, script[0]+rune(rng.IntN(int(script[1]-script[0]+1))))
			}
		}
		if rng.IntN(4) == 0 {
			name = append(name, seps[rng.IntN(len(seps))])
		}
		cases = append(cases, name)
	}
	return cases
}

// differentialCases returns every input of TestEncodeMatchesPython.
func differentialCases() [][]rune {
	var cases [][]rune
	for _, s := range handPicked {
		cases = append(cases, []rune(s))
	}
	cases = append(cases, surrogateCases...)
	// Sweep the 63-octet limit for ASCII and punycoded labels.
	for n := 50; n <= 66; n++ {
		for _, tail := range []string{"", "ü", "ä\u0308", "\u0627", "中"} {
			label := strings.Repeat("x", n-len([]rune(tail))) + tail
			cases = append(cases, []rune(label), []rune(label+"."), []rune("a."+label), []rune(label+"。"))
		}
	}
	cases = append(cases, labelCases(2000)...)
	return append(cases, randomCases(4000)...)
}

// oracleEncode is the oracle's answer for one input.
type oracleEncode struct {
	OK      *string `json:"ok"`      // hex of the encoded bytes
	Err     *string `json:"err"`     // reason of the UnicodeError
	Wrapped string  `json:"wrapped"` // message of the wrapped exception
}

func TestEncodeMatchesPython(t *testing.T) {
	cases := differentialCases()
	var want []oracleEncode
	runOracle(t, map[string]any{"op": "encode", "cases": cases}, &want)
	require.Len(t, want, len(cases))

	failures := 0
	outcomes := map[string]int{}
	for i, in := range cases {
		got, err := Encode(in)
		if s := string(in); slices.Equal([]rune(s), in) {
			// The string path (ASCII checked in place) must agree with the rune path.
			sgot, serr := EncodeString(s)
			assert.Equal(t, got, sgot, "EncodeString(%s)", pyRepr(in))
			assert.Equal(t, err, serr, "EncodeString(%s)", pyRepr(in))
			// AppendString appends the same bytes, or fails the same way.
			agot, aerr := AppendString([]byte("pre"), s)
			assert.Equal(t, err, aerr, "AppendString(%s)", pyRepr(in))
			if err == nil {
				assert.Equal(t, "pre"+string(sgot), string(agot), "AppendString(%s)", pyRepr(in))
			}
		}
		ok := true
		if w := want[i]; w.OK != nil {
			outcomes["ok"]++
			wantBytes, decErr := hex.DecodeString(*w.OK)
			require.NoError(t, decErr)
			ok = assert.NoError(t, err, "input %s", pyRepr(in)) &&
				assert.Equal(t, string(wantBytes), string(got), "input %s", pyRepr(in))
		} else {
			require.NotNil(t, w.Err, "input %s: Python raised %q without a cause", pyRepr(in), w.Wrapped)
			reason, _, _ := strings.Cut(*w.Err, "'")
			outcomes[reason]++
			assert.Equal(t, "encoding with 'idna' codec failed (UnicodeError: "+*w.Err+")", w.Wrapped)
			var e *Error
			ok = assert.True(t, errors.As(err, &e), "input %s: want error %q, got %q, %v", pyRepr(in), *w.Err, got, err) &&
				assert.Equal(t, *w.Err, e.Reason, "input %s", pyRepr(in))
		}
		if !ok {
			failures++
			require.Less(t, failures, 25, "too many mismatches")
		}
	}
	t.Logf("compared %d inputs with CPython; outcomes: %v", len(cases), outcomes)
}

func TestEncodeExamples(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  string
	}{
		{"", "", ""},
		{"Bücher.example", "xn--bcher-kva.example", ""},
		{"ü。", "xn--tda.", ""},
		{"EXAMPLE.com.", "EXAMPLE.com.", ""},
		{"ÜBER.COM", "xn--ber-goa.COM", ""},
		{strings.Repeat("a", 64), "", "label too long"},
		{strings.Repeat("a", 64) + ".", "", "label empty or too long"},
		{"a..b", "", "label empty or too long"},
		{"\u0627a", "", "Violation of BIDI requirement 2"},
		{"\u0627\u0661", "", "Violation of BIDI requirement 3"},
		{"xn--ü", "", "Label starts with ACE prefix"},
		{"ü\u1680", "", `Invalid character '\u1680'`},
		{"\ufffd", "", "Invalid character '\ufffd'"},
	}
	for _, tt := range tests {
		got, err := EncodeString(tt.in)
		if tt.err != "" {
			var e *Error
			require.ErrorAs(t, err, &e, "input %q", tt.in)
			assert.Equal(t, tt.err, e.Reason, "input %q", tt.in)
			assert.Equal(t, tt.err, err.Error(), "input %q", tt.in)
			assert.Nil(t, got, "input %q", tt.in)
			continue
		}
		require.NoError(t, err, "input %q", tt.in)
		assert.Equal(t, tt.want, string(got), "input %q", tt.in)
	}
}

func TestEncodeSurrogates(t *testing.T) {
	_, err := Encode([]rune{'a', 0xdcff})
	assert.EqualError(t, err, `Invalid character '\udcff'`)
	_, err = Encode([]rune{0xd800, '.', 'a'})
	assert.EqualError(t, err, `Invalid character '\ud800'`)
}

func TestEncodeInvalidRunes(t *testing.T) {
	for _, r := range []rune{-1, 0x110000, 0x7fffffff} {
		_, err := Encode([]rune{'a', r})
		assert.EqualError(t, err, "Invalid character '\ufffd'", "rune %#x", r)
	}
}
