// Package idna reproduces the encoding direction of CPython 3.11's "idna"
// codec, the one CPython's socket module applies to every str host name
// before resolving it (getaddrinfo, gethostbyname and friends).
//
// That codec implements IDNA 2003: RFC 3490 ToASCII with AllowUnassigned on
// and UseSTD3ASCIIRules off, RFC 3491 nameprep and RFC 3492 punycode.  Its
// Unicode data is the one CPython 3.11 really uses, which is not exactly
// Unicode 3.2 (see gen/gen_tables.py), so this package carries its own
// generated tables instead of relying on golang.org/x/net/idna or
// golang.org/x/text.
//
// Encode returns the same bytes as Python's s.encode("idna") and, on failure,
// an *Error whose Reason is the message of the UnicodeError the codec raises.
package idna

//go:generate python3 gen/gen_tables.py

// Error is the failure Encode reports.  Its Reason is the text CPython's codec
// raises, for example "label too long", "label empty or too long",
// "Invalid character '\udcff'", "Violation of BIDI requirement 2" or
// "Label starts with ACE prefix".
//
// Python callers see it wrapped by the codec machinery; a caller emulating
// CPython should report it as
//
//	encoding with 'idna' codec failed (UnicodeError: <Reason>)
type Error struct {
	// Reason is the message of CPython's UnicodeError, without any wrapping.
	Reason string
}

// Error returns e.Reason.
func (e *Error) Error() string { return e.Reason }

// Messages CPython raises while encoding; the "Invalid character" message is
// built per character by nameprep.
const (
	reasonEmptyOrTooLong = "label empty or too long"
	reasonTooLong        = "label too long"
	reasonACEPrefix      = "Label starts with ACE prefix"
	reasonBidi2          = "Violation of BIDI requirement 2"
	reasonBidi3          = "Violation of BIDI requirement 3"
)

// maxLabel is the largest label length, in octets, the codec accepts.
const maxLabel = 63

// acePrefix is the RFC 3490 ACE prefix.
const acePrefix = "xn--"

// Encode returns what Python's s.encode("idna") returns for the str whose
// code points are s.  The runes may be any value Python's str can hold,
// including lone surrogates (U+D800 to U+DFFF).
//
// Names made only of ASCII are split at "." and returned unchanged, provided
// every label but the last has 1 to 63 characters and the last has fewer than
// 64.  Other names are split at U+002E, U+3002, U+FF0E and U+FF61, a final
// empty label is kept as a trailing ".", and every label goes through ToASCII.
// The only error type returned is *Error.
//
// Runes no Python str can hold (negative or above U+10FFFF) are treated as
// U+FFFD, which nameprep prohibits.
func Encode(s []rune) ([]byte, error) {
	if len(s) == 0 {
		return []byte{}, nil
	}
	if isASCII(s) {
		return encodeASCII(s)
	}
	labels := splitLabels(s)
	trailingDot := false
	if len(labels[len(labels)-1]) == 0 {
		trailingDot = true
		labels = labels[:len(labels)-1]
	}
	var out []byte
	for i, label := range labels {
		if i > 0 {
			out = append(out, '.')
		}
		ace, err := toASCII(label)
		if err != nil {
			return nil, err
		}
		out = append(out, ace...)
	}
	if trailingDot {
		out = append(out, '.')
	}
	return out, nil
}

// encodeASCII is the codec's fast path for names without non-ASCII code
// points.  Only "." separates labels here and nothing is normalised; note
// that the last label may be empty (a trailing dot) and has its own message.
func encodeASCII(s []rune) ([]byte, error) {
	out := make([]byte, len(s))
	for i, r := range s {
		out[i] = byte(r)
	}
	return checkASCIILabels(out)
}

// EncodeString is Encode for a Go string, decoded as UTF-8.  Invalid UTF-8
// bytes become U+FFFD; use Encode to pass lone surrogates.  An ASCII s (the
// common host name) is checked in place, without a rune slice.
func EncodeString(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return Encode([]rune(s))
		}
	}
	if len(s) == 0 {
		return []byte{}, nil
	}
	return checkASCIILabels([]byte(s))
}

// AppendString appends EncodeString(s) to dst and returns the extended slice. An ASCII s
// (the common host name) is checked and copied without allocating, so that a caller
// passing a buffer on its stack resolves a name without a heap allocation for it.
func AppendString(dst []byte, s string) ([]byte, error) {
	if out, ok, err := AppendASCII(dst, s); ok {
		return out, err
	}
	enc, err := Encode([]rune(s))
	if err != nil {
		return nil, err
	}
	return append(dst, enc...), nil
}

// AppendASCII is AppendString for an ASCII s, in one pass over it: ok is false, and
// nothing is appended, when s is not ASCII (the caller encodes it another way).
func AppendASCII(dst []byte, s string) (out []byte, ok bool, err error) {
	start := 0
	var labelErr error
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80:
			return dst, false, nil
		case c == '.' && labelErr == nil:
			// The first bad label decides, as checkASCIILabels does; the scan goes on,
			// since a non-ASCII byte later sends s down the other path.
			if n := i - start; n == 0 || n > maxLabel {
				labelErr = &Error{reasonEmptyOrTooLong}
			}
			start = i + 1
		}
	}
	if labelErr != nil {
		return nil, true, labelErr
	}
	if len(s)-start > maxLabel {
		return nil, true, &Error{reasonTooLong}
	}
	return append(dst, s...), true, nil
}

// checkASCIILabels returns out, an ASCII name, if every label but the last has 1 to 63
// bytes and the last fewer than 64, as the codec checks ASCII names.
func checkASCIILabels(out []byte) ([]byte, error) {
	start := 0
	for i, c := range out {
		if c == '.' {
			if n := i - start; n == 0 || n > maxLabel {
				return nil, &Error{reasonEmptyOrTooLong}
			}
			start = i + 1
		}
	}
	if len(out)-start > maxLabel {
		return nil, &Error{reasonTooLong}
	}
	return out, nil
}

// isDot reports whether r is one of the label separators of RFC 3490
// section 3.1.
func isDot(r rune) bool {
	return r == '.' || r == '\u3002' || r == '\uFF0E' || r == '\uFF61'
}

// splitLabels splits s at every separator; like Python's re.split it returns
// len(separators)+1 labels, some possibly empty.
func splitLabels(s []rune) [][]rune {
	var labels [][]rune
	start := 0
	for i, r := range s {
		if isDot(r) {
			labels = append(labels, s[start:i])
			start = i + 1
		}
	}
	return append(labels, s[start:])
}

// toASCII is RFC 3490 ToASCII as the codec implements it: ASCII labels are
// only length-checked (not even lower-cased), the others are nameprepped and,
// unless that makes them ASCII, punycoded behind the ACE prefix.
func toASCII(label []rune) ([]byte, error) {
	if isASCII(label) {
		return asciiLabel(label)
	}
	prepped, err := nameprep(label)
	if err != nil {
		return nil, err
	}
	if isASCII(prepped) {
		return asciiLabel(prepped)
	}
	if hasACEPrefix(prepped) {
		return nil, &Error{reasonACEPrefix}
	}
	// Punycode emits at least one octet per code point, so with the prefix
	// such a label cannot fit; CPython computes it and fails the same way.
	if len(prepped)+len(acePrefix) > maxLabel {
		return nil, &Error{reasonEmptyOrTooLong}
	}
	encoded, ok := punycodeEncode(prepped)
	if !ok || len(encoded)+len(acePrefix) > maxLabel {
		return nil, &Error{reasonEmptyOrTooLong}
	}
	return append([]byte(acePrefix), encoded...), nil
}

// asciiLabel converts an ASCII label to bytes after the ToASCII step 8 length
// check.
func asciiLabel(label []rune) ([]byte, error) {
	if len(label) == 0 || len(label) > maxLabel {
		return nil, &Error{reasonEmptyOrTooLong}
	}
	out := make([]byte, len(label))
	for i, r := range label {
		out[i] = byte(r)
	}
	return out, nil
}

// hasACEPrefix reports whether label starts with "xn--", case-sensitively as
// CPython checks it after nameprep.
func hasACEPrefix(label []rune) bool {
	if len(label) < len(acePrefix) {
		return false
	}
	for i := 0; i < len(acePrefix); i++ {
		if label[i] != rune(acePrefix[i]) {
			return false
		}
	}
	return true
}

// isASCII reports whether every rune of s is below U+0080.
func isASCII(s []rune) bool {
	for _, r := range s {
		if r < 0 || r >= 0x80 {
			return false
		}
	}
	return true
}
