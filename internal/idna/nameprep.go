package idna

import (
	"fmt"
	"unicode/utf8"
)

// nameprep applies the RFC 3491 profile of stringprep to a label the way
// CPython's codec does: map (B.1 to nothing, B.2 case folding), normalise with
// NFKC, reject prohibited code points, then check the bidi rules.
// Unassigned code points are allowed, as for queries.
//
// Runes that no Python str can hold (negative or above U+10FFFF) are treated
// as U+FFFD, which is prohibited.
func nameprep(label []rune) ([]rune, error) {
	mapped := make([]rune, 0, len(label))
	for _, r := range label {
		if r < 0 || r > utf8.MaxRune {
			r = utf8.RuneError
		}
		if inRanges(tableB1, r) {
			continue
		}
		mapped = tableB2.appendMapped(mapped, r)
	}
	prepped := nfkc(mapped)

	for _, r := range prepped {
		if inRanges(tableProhibited, r) {
			return nil, &Error{"Invalid character " + reprProhibited(r)}
		}
	}

	// RFC 3454 section 6: a label with any RandALCat character must not
	// contain LCat characters and must start and end with RandALCat.
	hasRandAL := false
	for _, r := range prepped {
		if inRanges(tableD1, r) {
			hasRandAL = true
			break
		}
	}
	if hasRandAL {
		for _, r := range prepped {
			if inRanges(tableD2, r) {
				return nil, &Error{reasonBidi2}
			}
		}
		if !inRanges(tableD1, prepped[0]) || !inRanges(tableD1, prepped[len(prepped)-1]) {
			return nil, &Error{reasonBidi3}
		}
	}
	return prepped, nil
}

// reprProhibited returns Python 3.11's repr of the one-character str r, for a
// prohibited (hence non-ASCII) code point: the character itself in single
// quotes when str.isprintable holds, otherwise a \x, \u or \U escape.
func reprProhibited(r rune) string {
	switch {
	case inRanges(printableProhibited, r):
		return "'" + string(r) + "'"
	case r < 0x100:
		return fmt.Sprintf(`'\x%02x'`, r)
	case r < 0x10000:
		return fmt.Sprintf(`'\u%04x'`, r)
	default:
		return fmt.Sprintf(`'\U%08x'`, r)
	}
}
