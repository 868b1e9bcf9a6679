package idna

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oracleMapping is a code point and its image when that differs from it.
type oracleMapping struct {
	R  rune   `json:"r"`
	To []rune `json:"to"`
}

// expandMapping returns m as a map.
func expandMapping(m []oracleMapping) map[rune][]rune {
	out := make(map[rune][]rune, len(m))
	for _, e := range m {
		out[e.R] = e.To
	}
	return out
}

// expandRanges returns, indexed by code point, membership in rs.
func expandRanges(rs [][2]rune) []bool {
	out := make([]bool, utf8.MaxRune+1)
	for _, r := range rs {
		for c := r[0]; c <= r[1]; c++ {
			out[c] = true
		}
	}
	return out
}

// TestTablesMatchStringprep checks every code point of the generated tables,
// and the lookups over them, against CPython's stringprep module.
func TestTablesMatchStringprep(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive; skipped in -short mode")
	}
	var want struct {
		B1         [][2]rune       `json:"b1"`
		B2         []oracleMapping `json:"b2"`
		Prohibited [][2]rune       `json:"prohibited"`
		D1         [][2]rune       `json:"d1"`
		D2         [][2]rune       `json:"d2"`
		Repr       []struct {
			R    rune   `json:"r"`
			Repr string `json:"repr"`
		} `json:"repr"`
	}
	runOracle(t, map[string]any{"op": "tables"}, &want)
	require.NotEmpty(t, want.B2)
	require.NotEmpty(t, want.Repr)

	sets := []struct {
		name  string
		table []runeRange
		want  []bool
	}{
		{"B.1", tableB1, expandRanges(want.B1)},
		{"C", tableProhibited, expandRanges(want.Prohibited)},
		{"D.1", tableD1, expandRanges(want.D1)},
		{"D.2", tableD2, expandRanges(want.D2)},
	}
	b2 := expandMapping(want.B2)
	for r := rune(0); r <= utf8.MaxRune; r++ {
		for _, s := range sets {
			if inRanges(s.table, r) != s.want[r] {
				assert.Failf(t, "set mismatch", "table %s, code point %U: got %v", s.name, r, !s.want[r])
			}
		}
		wantImage, ok := b2[r]
		if !ok {
			wantImage = []rune{r}
		}
		if got := tableB2.appendMapped(nil, r); !equalRunes(got, wantImage) {
			assert.Failf(t, "B.2 mismatch", "code point %U: got %U, want %U", r, got, wantImage)
		}
	}
	for _, e := range want.Repr {
		if got := reprProhibited(e.R); got != e.Repr {
			assert.Failf(t, "repr mismatch", "code point %U: got %s, want %s", e.R, got, e.Repr)
		}
	}
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
