package idna

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNFKCSingleCodePoints compares nfkc of every code point, alone, with
// ucd_3_2_0.normalize("NFKC").
func TestNFKCSingleCodePoints(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive; skipped in -short mode")
	}
	var want []oracleMapping
	runOracle(t, map[string]any{"op": "nfkc_singles"}, &want)
	require.NotEmpty(t, want)
	changed := expandMapping(want)
	failures := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		w, ok := changed[r]
		if !ok {
			w = []rune{r}
		}
		if got := nfkc([]rune{r}); !equalRunes(got, w) {
			assert.Failf(t, "NFKC mismatch", "%U: got %U, want %U", r, got, w)
			failures++
			require.Less(t, failures, 25, "too many mismatches")
		}
	}
}

// combiningMarks are non-starters from several scripts, including ones that
// Unicode 3.2 did not have.
var combiningMarks = [][2]rune{
	{0x0300, 0x036F}, {0x0591, 0x05C7}, {0x064B, 0x065F}, {0x0E31, 0x0E4E}, {0x0F71, 0x0F84},
	{0x1DC0, 0x1DFF}, {0x20D0, 0x20F0}, {0x302A, 0x302F}, {0x3099, 0x309A}, {0x1B34, 0x1B44},
	{0x093C, 0x094D}, {0x09BC, 0x09D7}, {0x0B3C, 0x0B57}, {0x0BBE, 0x0BD7}, {0x0CBC, 0x0CD6},
	{0x102B, 0x103E}, {0x1D165, 0x1D1AD}, {0x110B9, 0x110BA}, {0x11127, 0x11134},
}

// bases are starters that compose, or decompose, with the marks above.
var bases = [][2]rune{
	{'A', 'Z'}, {'a', 'z'}, {0x00C0, 0x024F}, {0x0391, 0x03CE}, {0x0410, 0x04FF},
	{0x05D0, 0x05EA}, {0x0622, 0x064A}, {0x0905, 0x0939}, {0x0985, 0x09B9}, {0x0B05, 0x0B39},
	{0x0B92, 0x0BB9}, {0x0C85, 0x0CB9}, {0x0E01, 0x0E33}, {0x0F40, 0x0F6C}, {0x1000, 0x102A},
	{0x1B05, 0x1B33}, {0x1E00, 0x1FFF}, {0x3041, 0x30FF}, {0x1100, 0x11FF}, {0xAC00, 0xD7A3},
	{0x2ADD, 0x2ADD}, {0x11099, 0x110AF}, {0x1D157, 0x1D1BF}, {0xFB1D, 0xFB4F}, {0xF900, 0xFAFF},
}

// nfkcCases returns the inputs of TestNFKCSequences: every composition pair
// in several contexts, every decomposition fed back in, Hangul jamo
// sequences and random base + marks strings.
func nfkcCases() [][]rune {
	var cases [][]rune
	for _, p := range compositions {
		cases = append(cases,
			[]rune{p.first, p.second},
			[]rune{p.first, p.second, p.second},
			[]rune{p.first, 0x0323, p.second},
			[]rune{p.first, 0x0301, p.second},
			[]rune{p.first, 0x0334, p.second, 0x0301},
			append(decomposeCompat([]rune{p.first}), p.second),
			[]rune{p.composite, p.second},
		)
	}
	for _, m := range decompositions.multi {
		d := []rune(m.to)
		cases = append(cases, d, append([]rune{m.r}, d...), []rune{m.r, 0x0301, 0x0323})
	}
	for l := rune(0x10FF); l <= 0x1114; l++ {
		for v := rune(0x1160); v <= 0x1177; v++ {
			cases = append(cases, []rune{l, v}, []rune{l, v, 0x11A7}, []rune{l, v, 0x11A8},
				[]rune{l, v, 0x11C2}, []rune{l, v, 0x11C3}, []rune{l, 0x0301, v})
		}
	}
	rng := rand.New(rand.NewPCG(3491, 15))
	from := func(pool [][2]rune) rune {
		p := pool[rng.IntN(len(pool))]
		return p[0] + rune(rng.IntN(int(p[1]-p[0]+1)))
	}
	for range 20000 {
		s := []rune{from(bases)}
		for range rng.IntN(8) {
			if rng.IntN(5) == 0 {
				s = append(s, from(bases))
			} else {
				s = append(s, from(combiningMarks))
			}
		}
		cases = append(cases, s)
	}
	return cases
}

// TestNFKCSequences compares nfkc with ucd_3_2_0.normalize("NFKC") on
// strings where canonical ordering and composition matter.
func TestNFKCSequences(t *testing.T) {
	cases := nfkcCases()
	var want [][]rune
	runOracle(t, map[string]any{"op": "nfkc", "cases": cases}, &want)
	require.Len(t, want, len(cases))
	failures := 0
	for i, in := range cases {
		if got := nfkc(in); !equalRunes(got, want[i]) {
			assert.Failf(t, "NFKC mismatch", "%s: got %U, want %U", pyRepr(in), got, want[i])
			failures++
			require.Less(t, failures, 25, "too many mismatches")
		}
	}
	t.Logf("compared %d strings with ucd_3_2_0.normalize", len(cases))
}
