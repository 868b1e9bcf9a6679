package idna

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// decodeSurrogateEscape decodes b as UTF-8 the way Python's surrogateescape
// handler does: each byte of an invalid sequence becomes U+DC00 plus the byte,
// which lets the fuzzer reach lone surrogates.
func decodeSurrogateEscape(b []byte) []rune {
	out := make([]rune, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			r = 0xDC00 + rune(b[0])
			size = 1
		}
		out = append(out, r)
		b = b[size:]
	}
	return out
}

// knownReasons are the prefixes of every message Encode may report.
var knownReasons = []string{
	reasonEmptyOrTooLong, reasonTooLong, reasonACEPrefix, reasonBidi2, reasonBidi3,
	"Invalid character '",
}

func FuzzEncode(f *testing.F) {
	for _, s := range []string{
		"", "example.com", "Bücher.example.", "a..b", "ü。ｘｎ－－", "\u0627\u0661",
		"\xed\xb3\xbf", "\xff", strings.Repeat("ü", 70), "a\u0301\u0323.\u1100\u1161",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := decodeSurrogateEscape(data)
		out, err := Encode(in)
		if utf8.Valid(data) {
			sout, serr := EncodeString(string(data))
			if !bytes.Equal(out, sout) || (err == nil) != (serr == nil) || (err != nil && err.Error() != serr.Error()) {
				t.Fatalf("EncodeString(%q) = %q, %v; Encode gave %q, %v", data, sout, serr, out, err)
			}
			aout, aerr := AppendString([]byte("pre"), string(data))
			if (err == nil) != (aerr == nil) || (err != nil && err.Error() != aerr.Error()) || (err == nil && string(aout) != "pre"+string(out)) {
				t.Fatalf("AppendString(%q) = %q, %v; Encode gave %q, %v", data, aout, aerr, out, err)
			}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Encode(%s) returned %T, want *Error", pyRepr(in), err)
			}
			if out != nil {
				t.Fatalf("Encode(%s) returned both %q and %v", pyRepr(in), out, err)
			}
			for _, prefix := range knownReasons {
				if strings.HasPrefix(e.Reason, prefix) {
					return
				}
			}
			t.Fatalf("Encode(%s): unexpected reason %q", pyRepr(in), e.Reason)
		}
		for _, c := range out {
			if c >= 0x80 {
				t.Fatalf("Encode(%s) = %q, not ASCII", pyRepr(in), out)
			}
		}
	})
}
