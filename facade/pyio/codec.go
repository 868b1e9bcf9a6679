package pyio

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/csock/csock/py"
)

// The text codecs of MakeFile's text mode: UTF-8, Latin-1 and ASCII, with CPython 3.11's
// names, aliases, incremental decoding, error handlers and error messages. Text is held
// as package py holds a str: generalised UTF-8, where a lone surrogate (which
// surrogateescape and surrogatepass produce) is its 3-byte sequence and a stray byte b ≥
// 0x80 of a Go string reads as U+DC00+b.

// textCodec is one of the supported codecs.
type textCodec struct {
	name  string // as CPython's codec errors name it
	limit rune   // the first code point it cannot encode (0: UTF-8, which encodes all but surrogates)
}

var (
	codecUTF8   = &textCodec{name: "utf-8"}
	codecLatin1 = &textCodec{name: "latin-1", limit: 0x100}
	codecASCII  = &textCodec{name: "ascii", limit: 0x80}
)

// codecModules are the modules of CPython's encodings package this file implements.
var codecModules = map[string]*textCodec{"utf_8": codecUTF8, "latin_1": codecLatin1, "ascii": codecASCII}

// encodingAliases are the entries of CPython 3.11's encodings.aliases that name those
// modules.
var encodingAliases = map[string]string{
	"646": "ascii", "ansi_x3.4_1968": "ascii", "ansi_x3.4_1986": "ascii", "ansi_x3_4_1968": "ascii",
	"cp367": "ascii", "csascii": "ascii", "ibm367": "ascii", "iso646_us": "ascii",
	"iso_646.irv_1991": "ascii", "iso_ir_6": "ascii", "us": "ascii", "us_ascii": "ascii",
	"8859": "latin_1", "cp819": "latin_1", "csisolatin1": "latin_1", "ibm819": "latin_1",
	"iso8859": "latin_1", "iso8859_1": "latin_1", "iso_8859_1": "latin_1",
	"iso_8859_1_1987": "latin_1", "iso_ir_100": "latin_1", "l1": "latin_1", "latin": "latin_1",
	"latin1":  "latin_1",
	"cp65001": "utf_8", "u8": "utf_8", "utf": "utf_8", "utf8": "utf_8", "utf8_ucs2": "utf_8",
	"utf8_ucs4": "utf_8",
	// The codecs that are not text encodings.
	"base64": "base64_codec", "base_64": "base64_codec", "bz2": "bz2_codec", "hex": "hex_codec",
	"quopri": "quopri_codec", "quoted_printable": "quopri_codec", "quotedprintable": "quopri_codec",
	"rot13": "rot_13", "uu": "uu_codec", "zip": "zlib_codec", "zlib": "zlib_codec",
}

// binaryCodecs are CPython's codecs that are not text encodings, which TextIOWrapper
// refuses by name.
var binaryCodecs = map[string]bool{
	"base64_codec": true, "bz2_codec": true, "hex_codec": true, "quopri_codec": true,
	"rot_13": true, "uu_codec": true, "zlib_codec": true,
}

// lookupTextEncoding finds the codec of an encoding name as CPython's codecs.lookup does:
// the name is normalised (ASCII letters and digits lowered, runs of other characters but
// '.' made one '_', none leading or trailing), looked up among the aliases, then taken as
// a module name. CPython's codecs that are not text encodings (base64, rot13, ...) are
// refused with CPython's message; every other name, including text codecs CPython has and
// this file does not (utf-16, cp1252, ...), is "LookupError: unknown encoding: <name>".
func lookupTextEncoding(encoding string) (*textCodec, error) {
	norm := normalizeEncoding(encoding)
	alias := encodingAliases[norm]
	if alias == "" {
		alias = encodingAliases[strings.ReplaceAll(norm, ".", "_")]
	}
	for _, name := range [...]string{alias, norm} {
		if name == "" || strings.Contains(name, ".") {
			continue
		}
		if c, ok := codecModules[name]; ok {
			return c, nil
		}
		if binaryCodecs[name] {
			return nil, &py.LookupError{Msg: fmt.Sprintf("'%s' is not a text encoding; use codecs.open() to handle arbitrary codecs", encoding)}
		}
	}
	return nil, &py.LookupError{Msg: "unknown encoding: " + encoding}
}

func normalizeEncoding(s string) string {
	var b strings.Builder
	punct := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.':
		default:
			punct = true
			continue
		}
		if punct && b.Len() > 0 {
			b.WriteByte('_')
		}
		punct = false
		b.WriteByte(c)
	}
	return b.String()
}

// errorHandler is an error handler name as CPython's codecs know it.
type errorHandler int

const (
	ehUnknown errorHandler = iota
	ehStrict
	ehIgnore
	ehReplace
	ehBackslashReplace
	ehSurrogateEscape
	ehSurrogatePass
	ehXMLCharRefReplace
	ehNameReplace
)

var errorHandlers = map[string]errorHandler{
	"strict": ehStrict, "ignore": ehIgnore, "replace": ehReplace,
	"backslashreplace": ehBackslashReplace, "surrogateescape": ehSurrogateEscape,
	"surrogatepass": ehSurrogatePass, "xmlcharrefreplace": ehXMLCharRefReplace,
	"namereplace": ehNameReplace,
}

// unknownHandler is CPython's failure to find an error handler, raised only when one is
// needed.
func unknownHandler(name string) error {
	return &py.LookupError{Msg: fmt.Sprintf("unknown error handler name '%s'", name)}
}

func isSurrogate(r rune) bool { return r >= 0xD800 && r <= 0xDFFF }

// appendPyRune appends r in generalised UTF-8 (a surrogate as its 3-byte sequence).
func appendPyRune(b []byte, r rune) []byte {
	if isSurrogate(r) {
		return append(b, 0xED, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

// decodePyRune reads the code point at the start of s as package py reads a str (s is not
// empty): valid UTF-8, an encoded lone surrogate, or a stray byte b as U+DC00+b.
func decodePyRune(s []byte) (rune, int) {
	c := s[0]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	r, n := utf8.DecodeRune(s)
	if r != utf8.RuneError || n > 1 {
		return r, n
	}
	if c == 0xED && len(s) >= 3 && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF {
		return rune(c&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	}
	return 0xDC00 + rune(c), 1
}

// pyRunes returns the code points of the str s holds.
func pyRunes(s []byte) []rune {
	rs := make([]rune, 0, len(s))
	for len(s) > 0 {
		r, n := decodePyRune(s)
		rs = append(rs, r)
		s = s[n:]
	}
	return rs
}

// Newline kinds seen by a universal-newlines decoder (CPython's seennl bits).
const (
	seenCR = 1 << iota
	seenLF
	seenCRLF
)

// textDecoder is the decoder of a readable text file: the codec's incremental decoder,
// wrapped in the universal newline modes (newline None or ”) in CPython's
// IncrementalNewlineDecoder, which holds back a final '\r' until it knows whether '\n'
// follows and, for newline None, translates "\r\n" and "\r" to "\n".
type textDecoder struct {
	codec   *textCodec
	errors  string
	handler errorHandler
	pending []byte // UTF-8: the bytes of an incomplete sequence kept for the next input

	universal, translate bool
	pendingCR            bool
	seen                 int
}

func newTextDecoder(c *textCodec, errors string, universal, translate bool) *textDecoder {
	return &textDecoder{codec: c, errors: errors, handler: errorHandlers[errors],
		universal: universal, translate: translate}
}

// decodeNone is the error of decoding None, which is what a non-blocking read() of the
// buffer gives a text file's read(): the codec's own TypeError.
func (d *textDecoder) decodeNone() error {
	if d.codec == codecUTF8 {
		// codecs.BufferedIncrementalDecoder concatenates its buffer with the input.
		return &py.TypeError{Msg: "can't concat NoneType to bytes"}
	}
	return &py.TypeError{Msg: "a bytes-like object is required, not 'NoneType'"}
}

// decode decodes in (final at the end of the stream) and returns the text. On an error
// the decoder's state is left as it was, as CPython's is.
func (d *textDecoder) decode(in []byte, final bool) ([]byte, error) {
	out, err := d.decodeCodec(in, final)
	if err != nil || !d.universal {
		return out, err
	}
	if d.pendingCR && (final || len(out) > 0) {
		out = append([]byte{'\r'}, out...)
		d.pendingCR = false
	}
	if !final && len(out) > 0 && out[len(out)-1] == '\r' {
		out = out[:len(out)-1]
		d.pendingCR = true
	}
	cr := false
	for i := 0; i < len(out); i++ {
		switch out[i] {
		case '\n':
			d.seen |= seenLF
		case '\r':
			cr = true
			if i+1 < len(out) && out[i+1] == '\n' {
				d.seen |= seenCRLF
				i++
			} else {
				d.seen |= seenCR
			}
		}
	}
	if !d.translate || !cr {
		return out, nil
	}
	t := out[:0]
	for i := 0; i < len(out); i++ {
		c := out[i]
		if c == '\r' {
			c = '\n'
			if i+1 < len(out) && out[i+1] == '\n' {
				i++
			}
		}
		t = append(t, c)
	}
	return t, nil
}

// newlines is TextIOWrapper.newlines: nil (None), one kind as a string or a py.Tuple of
// the kinds seen, in CPython's order.
func (d *textDecoder) newlines() any {
	if !d.universal {
		return nil
	}
	var kinds py.Tuple
	for _, k := range [...]struct {
		bit int
		s   string
	}{{seenCR, "\r"}, {seenLF, "\n"}, {seenCRLF, "\r\n"}} {
		if d.seen&k.bit != 0 {
			kinds = append(kinds, k.s)
		}
	}
	switch len(kinds) {
	case 0:
		return nil
	case 1:
		return kinds[0]
	}
	return kinds
}

func (d *textDecoder) decodeCodec(in []byte, final bool) ([]byte, error) {
	out := make([]byte, 0, len(in)+len(d.pending))
	if d.codec != codecUTF8 {
		var err error
		for i := 0; i < len(in); {
			c := in[i]
			if c < 0x80 || d.codec == codecLatin1 {
				out = utf8.AppendRune(out, rune(c))
				i++
				continue
			}
			out, i, err = d.decodeError(in, i, i+1, "ordinal not in range(128)", out)
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	data := in
	if len(d.pending) > 0 {
		data = append(append([]byte(nil), d.pending...), in...)
	}
	i := 0
	for i < len(data) {
		if c := data[i]; c < utf8.RuneSelf {
			j := i + 1
			for j < len(data) && data[j] < utf8.RuneSelf {
				j++
			}
			out = append(out, data[i:j]...)
			i = j
			continue
		}
		n, bad, reason := utf8Sequence(data[i:], final)
		if bad == 0 {
			if n == 0 {
				break // an incomplete sequence, kept for the next input
			}
			out = append(out, data[i:i+n]...)
			i += n
			continue
		}
		var err error
		if out, i, err = d.decodeError(data, i, i+bad, reason, out); err != nil {
			return nil, err
		}
	}
	d.pending = append(d.pending[:0:0], data[i:]...)
	return out, nil
}

// utf8Sequence examines the sequence starting s (s[0] ≥ 0x80) as CPython's UTF-8 decoder
// does: it returns its length n if it is valid, n = 0 and bad = 0 if it is incomplete and
// more input may complete it (not final), or the number of bad bytes CPython reports with
// its reason (the maximal valid prefix of a broken sequence is one error).
func utf8Sequence(s []byte, final bool) (n, bad int, reason string) {
	const (
		invalidStart = "invalid start byte"
		invalidCont  = "invalid continuation byte"
	)
	cont := func(b byte) bool { return b >= 0x80 && b <= 0xBF }
	incomplete := func() (int, int, string) {
		if final {
			return 0, len(s), "unexpected end of data"
		}
		return 0, 0, ""
	}
	c := s[0]
	switch {
	case c < 0xC2:
		return 0, 1, invalidStart
	case c < 0xE0:
		if len(s) < 2 {
			return incomplete()
		}
		if !cont(s[1]) {
			return 0, 1, invalidCont
		}
		return 2, 0, ""
	case c < 0xF0:
		lo, hi := byte(0x80), byte(0xBF)
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F // ED A0..BF would be a surrogate
		}
		if len(s) >= 2 && (s[1] < lo || s[1] > hi) {
			if !final && c == 0xED && len(s) == 2 && cont(s[1]) {
				// CPython keeps a truncated surrogate at the end of non-final input, so
				// that surrogatepass sees all of it with the next input.
				return 0, 0, ""
			}
			return 0, 1, invalidCont
		}
		if len(s) < 3 {
			return incomplete()
		}
		if !cont(s[2]) {
			return 0, 2, invalidCont
		}
		return 3, 0, ""
	case c < 0xF5:
		lo, hi := byte(0x80), byte(0xBF)
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
		if len(s) >= 2 && (s[1] < lo || s[1] > hi) {
			return 0, 1, invalidCont
		}
		if len(s) >= 3 && !cont(s[2]) {
			return 0, 2, invalidCont
		}
		if len(s) < 4 {
			return incomplete()
		}
		if !cont(s[3]) {
			return 0, 3, invalidCont
		}
		return 4, 0, ""
	}
	return 0, 1, invalidStart
}

// decodeError applies the error handler to the bad bytes data[start:end] and returns the
// output and where decoding resumes.
func (d *textDecoder) decodeError(data []byte, start, end int, reason string, out []byte) ([]byte, int, error) {
	fail := func() ([]byte, int, error) {
		return nil, 0, &py.UnicodeDecodeError{Encoding: d.codec.name,
			Object: append([]byte(nil), data...), Start: start, End: end, Reason: reason}
	}
	switch d.handler {
	case ehStrict:
		return fail()
	case ehIgnore:
		return out, end, nil
	case ehReplace:
		return utf8.AppendRune(out, utf8.RuneError), end, nil
	case ehBackslashReplace:
		for _, b := range data[start:end] {
			out = fmt.Appendf(out, "\\x%02x", b)
		}
		return out, end, nil
	case ehSurrogateEscape:
		k := start
		for k < end && k-start < 4 && data[k] >= 0x80 {
			out = appendPyRune(out, 0xDC00+rune(data[k]))
			k++
		}
		if k == start {
			return fail()
		}
		return out, k, nil
	case ehSurrogatePass:
		if d.codec == codecUTF8 && len(data)-start >= 3 && data[start]&0xF0 == 0xE0 &&
			data[start+1]&0xC0 == 0x80 && data[start+2]&0xC0 == 0x80 {
			r := rune(data[start]&0x0F)<<12 | rune(data[start+1]&0x3F)<<6 | rune(data[start+2]&0x3F)
			if isSurrogate(r) {
				return appendPyRune(out, r), start + 3, nil
			}
		}
		return fail()
	case ehXMLCharRefReplace, ehNameReplace:
		return nil, 0, &py.TypeError{Msg: "don't know how to handle UnicodeDecodeError in error callback"}
	}
	return nil, 0, unknownHandler(d.errors)
}

// encodeText encodes the str text with the codec and error handler, as CPython's encoders
// do: the unencodable characters (surrogates for UTF-8, code points from the codec's
// limit up for the others) are handled a run at a time, and a strict failure is a
// UnicodeEncodeError whose positions count code points of text.
func encodeText(c *textCodec, errors string, text []byte) ([]byte, error) {
	if c == codecUTF8 && utf8.Valid(text) {
		return append([]byte(nil), text...), nil
	}
	if c != codecUTF8 && asciiOnly(text) {
		return append([]byte(nil), text...), nil
	}
	reason := "surrogates not allowed"
	encodable := func(r rune) bool { return !isSurrogate(r) }
	if c != codecUTF8 {
		reason = "ordinal not in range(" + strconv.Itoa(int(c.limit)) + ")"
		encodable = func(r rune) bool { return r < c.limit }
	}
	rs := pyRunes(text)
	out := make([]byte, 0, len(text))
	fail := func(start, end int) error {
		return &py.UnicodeEncodeError{Encoding: c.name, Object: string(text), Start: start, End: end, Reason: reason}
	}
	handler := errorHandlers[errors]
	for i := 0; i < len(rs); {
		r := rs[i]
		if encodable(r) {
			if c == codecUTF8 {
				out = utf8.AppendRune(out, r)
			} else {
				out = append(out, byte(r))
			}
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && !encodable(rs[j]) {
			j++
		}
		switch handler {
		case ehStrict:
			return nil, fail(i, j)
		case ehReplace:
			out = append(out, strings.Repeat("?", j-i)...)
		case ehIgnore:
		case ehBackslashReplace:
			out = appendBackslashEscapes(out, rs[i:j])
		case ehXMLCharRefReplace:
			for _, r := range rs[i:j] {
				out = fmt.Appendf(out, "&#%d;", r)
			}
		case ehSurrogateEscape:
			for k := i; k < j; k++ {
				if rs[k] < 0xDC80 || rs[k] > 0xDCFF {
					return nil, fail(k, j)
				}
				out = append(out, byte(rs[k]-0xDC00))
			}
		case ehSurrogatePass:
			if c != codecUTF8 {
				return nil, fail(i, j)
			}
			for _, r := range rs[i:j] {
				out = appendPyRune(out, r)
			}
		case ehNameReplace:
			// Surrogates have no name, so CPython escapes them; other characters would
			// need the Unicode name table, which this package does not carry.
			for _, r := range rs[i:j] {
				if !isSurrogate(r) {
					return nil, &py.LookupError{Msg: "error handler 'namereplace' is not supported here for characters other than surrogates"}
				}
			}
			out = appendBackslashEscapes(out, rs[i:j])
		default:
			return nil, unknownHandler(errors)
		}
		i = j
	}
	return out, nil
}

func appendBackslashEscapes(out []byte, rs []rune) []byte {
	for _, r := range rs {
		switch {
		case r >= 0x10000:
			out = fmt.Appendf(out, "\\U%08x", r)
		case r >= 0x100:
			out = fmt.Appendf(out, "\\u%04x", r)
		default:
			out = fmt.Appendf(out, "\\x%02x", r)
		}
	}
	return out
}

func asciiOnly(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
