package idna

import "slices"

// Hangul syllable arithmetic of Unicode section 3.12.
const (
	hangulSBase  = 0xAC00
	hangulLBase  = 0x1100
	hangulVBase  = 0x1161
	hangulTBase  = 0x11A7
	hangulLCount = 19
	hangulVCount = 21
	hangulTCount = 28
	hangulNCount = hangulVCount * hangulTCount
	hangulSCount = hangulLCount * hangulNCount
)

// nfkc returns s in Normalization Form KC exactly as CPython 3.11's
// unicodedata.ucd_3_2_0.normalize("NFKC", ...) computes it, quirks included:
// combining classes and composition pairs are those of CPython's own
// database (see gen/gen_tables.py), and composition follows CPython's
// algorithm step by step.
func nfkc(s []rune) []rune {
	return composeCanonical(decomposeCompat(s))
}

// decomposeCompat returns the full compatibility decomposition of s in
// canonical order (NFKD).
func decomposeCompat(s []rune) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if hangulSBase <= r && r < hangulSBase+hangulSCount {
			i := r - hangulSBase
			out = append(out, hangulLBase+i/hangulNCount, hangulVBase+i%hangulNCount/hangulTCount)
			if t := i % hangulTCount; t != 0 {
				out = append(out, hangulTBase+t)
			}
			continue
		}
		out = decompositions.appendMapped(out, r)
	}

	// Canonical ordering: each maximal run of non-starters is stably sorted
	// by combining class.  CPython uses an insertion sort; a stable sort
	// gives the same order without its quadratic worst case.
	for i := 0; i < len(out); {
		if combiningClass(out[i]) == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(out) && combiningClass(out[j]) != 0 {
			j++
		}
		if j-i > 1 {
			slices.SortStableFunc(out[i:j], func(a, b rune) int {
				return int(combiningClass(a)) - int(combiningClass(b))
			})
		}
		i = j
	}
	return out
}

// composeCanonical performs canonical composition on decomposed s with the
// algorithm of CPython's nfc_nfkc: Hangul L+V(+T) is composed only from
// adjacent jamo; otherwise every character that starts some composition pair
// scans ahead for the next unblocked characters it composes with.
func composeCanonical(s []rune) []rune {
	out := make([]rune, 0, len(s))
	var used []bool // used[j]: s[j] was absorbed into an earlier composite
	for i := 0; i < len(s); i++ {
		if used != nil && used[i] {
			continue
		}
		c := s[i]
		if hangulLBase <= c && c < hangulLBase+hangulLCount && i+1 < len(s) &&
			hangulVBase <= s[i+1] && s[i+1] < hangulVBase+hangulVCount {
			c = hangulSBase + ((c-hangulLBase)*hangulVCount+s[i+1]-hangulVBase)*hangulTCount
			i++
			if i+1 < len(s) && hangulTBase < s[i+1] && s[i+1] < hangulTBase+hangulTCount {
				c += s[i+1] - hangulTBase
				i++
			}
			out = append(out, c)
			continue
		}
		if !composesFirst(c) {
			out = append(out, c)
			continue
		}
		// last is the combining class of the latest character that stayed
		// uncombined, 0 while only composed characters were met.
		var last uint8
		for j := i + 1; j < len(s); j++ {
			cc := combiningClass(s[j])
			if last != 0 {
				if cc == 0 {
					break
				}
				if last >= cc {
					continue // blocked
				}
			}
			if composite, ok := compose(c, s[j]); ok {
				c = composite
				if used == nil {
					used = make([]bool, len(s))
				}
				used[j] = true
				if !composesFirst(c) {
					break
				}
				continue
			}
			if cc == 0 {
				break
			}
			last = cc
		}
		out = append(out, c)
	}
	return out
}
