package py

import (
	"fmt"
	"unicode/utf8"
)

// Surrogate code point bounds, and the block used by surrogateescape.
const (
	surrogateMin = 0xD800
	surrogateMax = 0xDFFF
	escapeMin    = 0xDC80 // U+DC80..U+DCFF stand for the bytes 0x80..0xFF
	escapeMax    = 0xDCFF
)

func isSurrogate(r rune) bool { return r >= surrogateMin && r <= surrogateMax }

// decodeRune reads the code point at the start of s by the package's
// generalised UTF-8 rules and returns it with the number of bytes used.
// s must not be empty.
func decodeRune(s string) (rune, int) {
	c := s[0]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	r, n := utf8.DecodeRuneInString(s)
	if r != utf8.RuneError || n > 1 {
		return r, n
	}
	// Encoded lone surrogate: ED A0..BF 80..BF.
	if c == 0xED && len(s) >= 3 && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF {
		return rune(c&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	}
	// Stray byte: read as its surrogateescape code point.
	return 0xDC00 + rune(c), 1
}

// Runes returns the code points of the Python str that s holds, decoded by
// the package's generalised UTF-8 rules: valid UTF-8, encoded lone
// surrogates, and any other byte b ≥ 0x80 read as U+DC00+b.
func Runes(s string) []rune {
	out := make([]rune, 0, len(s))
	for len(s) > 0 {
		r, n := decodeRune(s)
		out = append(out, r)
		s = s[n:]
	}
	return out
}

// Len returns len() of the Python str that s holds: its number of code
// points.
func Len(s string) int {
	n := 0
	for len(s) > 0 {
		_, k := decodeRune(s)
		s = s[k:]
		n++
	}
	return n
}

// appendRune appends the generalised UTF-8 encoding of r. Surrogates get
// their 3-byte sequence; values outside 0..0x10FFFF become U+FFFD.
func appendRune(b []byte, r rune) []byte {
	if isSurrogate(r) {
		return append(b, 0xED, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

// FromRunes returns the Go string, in canonical generalised UTF-8, for the
// Python str made of the code points rs. Lone surrogates are written as
// their 3-byte sequences; a value outside 0..0x10FFFF, which no Python str
// can hold, is written as U+FFFD.
func FromRunes(rs []rune) string {
	b := make([]byte, 0, len(rs))
	for _, r := range rs {
		b = appendRune(b, r)
	}
	return string(b)
}

// Canonical returns s in canonical generalised UTF-8: stray bytes are
// replaced by the encodings of their surrogateescape code points. The
// result denotes the same Python str as s.
func Canonical(s string) string {
	for i := 0; i < len(s); {
		r, n := decodeRune(s[i:])
		if n == 1 && r >= escapeMin {
			return FromRunes(Runes(s))
		}
		i += n
	}
	return s
}

// UnicodeEncodeError is Python's UnicodeEncodeError. Start and End delimit,
// in code points, the run of Object that could not be encoded.
type UnicodeEncodeError struct {
	Encoding string // codec name, e.g. "utf-8"
	Object   string // the str being encoded
	Start    int    // index of the first code point that failed
	End      int    // index just past the last code point that failed
	Reason   string // e.g. "surrogates not allowed"
}

// PyClass returns "UnicodeEncodeError".
func (e *UnicodeEncodeError) PyClass() string { return "UnicodeEncodeError" }

// PyTypeName returns "UnicodeEncodeError".
func (e *UnicodeEncodeError) PyTypeName() string { return "UnicodeEncodeError" }

// Error returns CPython's str() of the exception.
func (e *UnicodeEncodeError) Error() string {
	if e.End == e.Start+1 {
		rs := Runes(e.Object)
		var ch string
		if e.Start >= 0 && e.Start < len(rs) {
			ch = escapeCodePoint(rs[e.Start])
		}
		return fmt.Sprintf("'%s' codec can't encode character '%s' in position %d: %s",
			e.Encoding, ch, e.Start, e.Reason)
	}
	return fmt.Sprintf("'%s' codec can't encode characters in position %d-%d: %s",
		e.Encoding, e.Start, e.End-1, e.Reason)
}

// escapeCodePoint writes r the way UnicodeEncodeError names a character:
// always escaped, with the shortest of \xNN, \uNNNN, \UNNNNNNNN.
func escapeCodePoint(r rune) string {
	switch {
	case r <= 0xFF:
		return fmt.Sprintf(`\x%02x`, r)
	case r <= 0xFFFF:
		return fmt.Sprintf(`\u%04x`, r)
	default:
		return fmt.Sprintf(`\U%08x`, r)
	}
}

// encodeUTF8 encodes s as UTF-8; with escape, surrogateescape code points
// become their bytes. Like CPython, a failure reports the whole run of
// consecutive surrogates from the first one that cannot be handled.
func encodeUTF8(s string, escape bool) ([]byte, error) {
	out := make([]byte, 0, len(s))
	rs := Runes(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !isSurrogate(r) {
			out = utf8.AppendRune(out, r)
			continue
		}
		end := i + 1
		for end < len(rs) && isSurrogate(rs[end]) {
			end++
		}
		start := i
		if escape {
			for start < end && rs[start] >= escapeMin && rs[start] <= escapeMax {
				out = append(out, byte(rs[start]))
				start++
			}
			if start == end {
				i = end - 1
				continue
			}
		}
		return nil, &UnicodeEncodeError{Encoding: "utf-8", Object: s, Start: start, End: end, Reason: "surrogates not allowed"}
	}
	return out, nil
}

// EncodeUTF8 returns Python's s.encode('utf-8'): strict, so any surrogate
// (including the surrogateescape code points that stray bytes of s read as)
// fails with CPython's *UnicodeEncodeError, which names the whole run of
// consecutive surrogates starting at the first one.
func EncodeUTF8(s string) ([]byte, error) { return encodeUTF8(s, false) }

// FSEncode returns Python's os.fsencode(s) on Linux: UTF-8 with the
// surrogateescape error handler, so U+DC80..U+DCFF become the bytes
// 0x80..0xFF. Any other surrogate fails as in EncodeUTF8; the error's range
// starts at the first surrogate that is not an escape and runs to the end
// of that run of surrogates, as CPython reports it.
func FSEncode(s string) ([]byte, error) { return encodeUTF8(s, true) }

// FSDecode returns Python's os.fsdecode(b) on Linux: UTF-8 with the
// surrogateescape error handler. Bytes that strict UTF-8 rejects (including
// encoded surrogates such as ED A0 80, which Python does not decode) become
// U+DC00+byte. The result is canonical: those code points are written as
// their 3-byte sequences rather than kept as raw bytes, so that the result
// never depends on how a reader resynchronises after a stray byte. It
// therefore differs from string(b) when b is not valid UTF-8, but
// FSEncode(FSDecode(b)) always returns b.
func FSDecode(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = appendRune(out, 0xDC00+rune(b[0]))
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}

// PyRepr returns CPython's repr() of the exception, e.g.
// UnicodeEncodeError('utf-8', '\ud800', 0, 1, 'surrogates not allowed').
func (e *UnicodeEncodeError) PyRepr() string {
	return fmt.Sprintf("UnicodeEncodeError(%s, %s, %d, %d, %s)",
		StrRepr(e.Encoding), StrRepr(e.Object), e.Start, e.End, StrRepr(e.Reason))
}
