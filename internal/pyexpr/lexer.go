package pyexpr

import (
	"math/big"
	"strconv"
	"strings"
	"unicode"

	"github.com/csock/csock/py"
)

type tokKind int

const (
	tEOF tokKind = iota
	tName
	tInt    // val: *big.Int
	tFloat  // val: float64
	tString // val: string or []byte
	tOp
)

// token is a lexical token; pos and end index code points of the source.
type token struct {
	kind     tokKind
	pos, end int
	text     string // source text of the token
	val      any
}

// operators, longest first so that the scanner takes the longest match.
// Python operators the language lacks are scanned too, to be reported by
// name.
var operators = []string{
	"**=", "//=", ">>=", "<<=", "...",
	"**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
	"+", "-", "*", "/", "%", "|", "&", "^", "~", "(", ")", "[", "]", "{", "}",
	",", "=", ".", ":", ";", "@", "<", ">",
}

// MaxIntLiteralDigits is CPython's limit on the digits of a decimal int
// literal (sys.get_int_max_str_digits()).
const MaxIntLiteralDigits = py.MaxStrDigits

type lexer struct {
	src  []rune
	pos  int
	toks []token
}

func lex(src string) ([]token, error) {
	l := &lexer{src: translateNewlines(py.Runes(src))}
	for i, r := range l.src {
		switch {
		case r >= 0xD800 && r <= 0xDFFF:
			return nil, usageErr(KindSyntax, i, string(py.FromRunes([]rune{r})),
				"the expression is not valid UTF-8: %s (write it as an escape in a string literal)",
				quote(py.FromRunes([]rune{r})))
		case r == 0:
			return nil, usageErr(KindSyntax, i, "\x00", "the expression contains a null character")
		}
	}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		l.toks = append(l.toks, t)
		if t.kind == tEOF {
			return l.toks, nil
		}
	}
}

// translateNewlines turns "\r\n" and "\r" into "\n", as CPython's
// tokenizer does (so a literal cannot hold a carriage return from the
// source). Columns are counted after this translation.
func translateNewlines(rs []rune) []rune {
	out := rs[:0:0]
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\r' {
			if i+1 < len(rs) && rs[i+1] == '\n' {
				i++
			}
			out = append(out, '\n')
			continue
		}
		out = append(out, rs[i])
	}
	return out
}

func (l *lexer) peek(off int) rune {
	if l.pos+off < len(l.src) {
		return l.src[l.pos+off]
	}
	return -1
}

func (l *lexer) text(from, to int) string { return string(l.src[from:to]) }

func isIdentStart(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7F && unicode.IsLetter(r)
}

func isIdentCont(r rune) bool {
	return isIdentStart(r) || r >= '0' && r <= '9' ||
		r > 0x7F && (unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Pc))
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\f', '\n':
			l.pos++
			continue
		case '\\':
			// Explicit line joining.
			if l.peek(1) == '\n' {
				l.pos += 2
				continue
			}
		}
		break
	}
	start := l.pos
	if start >= len(l.src) {
		// The end is just past the last token, not after trailing blanks
		// or newlines, so that "unexpected end of expression" points
		// where the expression stops (on its last line), as CPython's
		// SyntaxError for "1 +\n" does.
		end := 0
		if len(l.toks) > 0 {
			end = l.toks[len(l.toks)-1].end
		}
		return token{kind: tEOF, pos: end, end: end}, nil
	}
	r := l.src[start]
	switch {
	case isIdentStart(r):
		for l.pos < len(l.src) && isIdentCont(l.src[l.pos]) {
			l.pos++
		}
		name := l.text(start, l.pos)
		if q := l.peek(0); (q == '\'' || q == '"') && isStringPrefix(name) {
			return l.stringLit(start, strings.ToLower(name))
		}
		return token{kind: tName, pos: start, end: l.pos, text: name}, nil
	case r == '\'' || r == '"':
		return l.stringLit(start, "")
	case isDigit(r) || r == '.' && isDigit(l.peek(1)):
		return l.number()
	}
	for _, op := range operators {
		if l.hasPrefix(op) {
			l.pos += len(op)
			return token{kind: tOp, pos: start, end: l.pos, text: op}, nil
		}
	}
	return token{}, usageErr(KindSyntax, start, string(r), "unexpected character %s", quote(string(r)))
}

func (l *lexer) hasPrefix(s string) bool {
	i := l.pos
	for _, r := range s {
		if i >= len(l.src) || l.src[i] != r {
			return false
		}
		i++
	}
	return true
}

func isStringPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "r", "u", "b", "br", "rb", "f", "fr", "rf":
		return true
	}
	return false
}

// number scans an int or float literal by Python's grammar.
func (l *lexer) number() (token, error) {
	start := l.pos
	bad := func(what string) (token, error) {
		// Take the rest of the alphanumeric run, to quote it whole.
		for l.pos < len(l.src) && (isIdentCont(l.src[l.pos]) || l.src[l.pos] == '.') {
			l.pos++
		}
		t := l.text(start, l.pos)
		return token{}, usageErr(KindSyntax, start, t, "invalid %s literal %s", what, quote(t))
	}
	// digits scans digit ( ["_"] digit )* and reports whether it scanned any
	// and whether the underscores were well placed.
	digits := func(ok func(rune) bool) (bool, bool) {
		if !ok(l.peek(0)) {
			return false, true
		}
		for {
			l.pos++
			c := l.peek(0)
			if c == '_' {
				if !ok(l.peek(1)) {
					return true, false
				}
				l.pos++
				continue
			}
			if !ok(c) {
				return true, true
			}
		}
	}
	if l.peek(0) == '0' {
		var base int
		var ok func(rune) bool
		var what string
		switch l.peek(1) {
		case 'x', 'X':
			base, what, ok = 16, "hexadecimal", func(r rune) bool {
				return isDigit(r) || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
			}
		case 'o', 'O':
			base, what, ok = 8, "octal", func(r rune) bool { return r >= '0' && r <= '7' }
		case 'b', 'B':
			base, what, ok = 2, "binary", func(r rune) bool { return r == '0' || r == '1' }
		}
		if base != 0 {
			l.pos += 2
			if l.peek(0) == '_' {
				l.pos++
			}
			any, good := digits(ok)
			if !any || !good || isIdentCont(l.peek(0)) {
				return bad(what)
			}
			t := l.text(start, l.pos)
			v, _ := new(big.Int).SetString(strings.ReplaceAll(t[2:], "_", ""), base)
			return token{kind: tInt, pos: start, end: l.pos, text: t, val: v}, nil
		}
	}
	isFloat := false
	if _, good := digits(isDigit); !good {
		return bad("decimal")
	}
	if l.peek(0) == '.' {
		isFloat = true
		l.pos++
		if _, good := digits(isDigit); !good {
			return bad("decimal")
		}
	}
	if c := l.peek(0); c == 'e' || c == 'E' {
		l.pos++
		if c := l.peek(0); c == '+' || c == '-' {
			l.pos++
		}
		if any, good := digits(isDigit); !any || !good {
			return bad("decimal")
		}
		isFloat = true
	}
	if c := l.peek(0); c == 'j' || c == 'J' {
		l.pos++
		t := l.text(start, l.pos)
		return token{}, usageErr(KindUnsupported, start, t, "complex literal %s is not supported", quote(t))
	}
	if isIdentCont(l.peek(0)) {
		return bad("decimal")
	}
	t := l.text(start, l.pos)
	clean := strings.ReplaceAll(t, "_", "")
	if isFloat {
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil && !isRangeErr(err) {
			return bad("decimal")
		}
		return token{kind: tFloat, pos: start, end: l.pos, text: t, val: f}, nil
	}
	if len(clean) > 1 && clean[0] == '0' && strings.Trim(clean, "0") != "" {
		return token{}, usageErr(KindSyntax, start, t,
			"leading zeros in decimal integer literal %s are not permitted; use an 0o prefix for octal integers", quote(t))
	}
	if len(clean) > MaxIntLiteralDigits {
		return token{}, usageErr(KindSyntax, start, t,
			"int literal has %d digits, over the limit of %d for decimal literals (as in CPython); write it in hexadecimal",
			len(clean), MaxIntLiteralDigits)
	}
	v, _ := new(big.Int).SetString(clean, 10)
	return token{kind: tInt, pos: start, end: l.pos, text: t, val: v}, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// stringLit scans one string or bytes literal whose prefix (lower-cased)
// starts at start and whose opening quote is at l.pos.
func (l *lexer) stringLit(start int, prefix string) (token, error) {
	raw := strings.Contains(prefix, "r")
	isBytes := strings.Contains(prefix, "b")
	q := l.src[l.pos]
	triple := l.peek(1) == q && l.peek(2) == q
	qlen := 1
	if triple {
		qlen = 3
	}
	l.pos += qlen
	bodyStart := l.pos
	for {
		if l.pos >= len(l.src) || !triple && l.src[l.pos] == '\n' {
			l.pos = min(l.pos, len(l.src))
			what := "string"
			if triple {
				what = "triple-quoted string"
			}
			t := l.text(start, l.pos)
			return token{}, usageErr(KindSyntax, start, t, "unterminated %s literal %s", what, quote(t))
		}
		c := l.src[l.pos]
		if c == '\\' {
			l.pos += 2
			continue
		}
		if c == q && (!triple || l.peek(1) == q && l.peek(2) == q) {
			break
		}
		l.pos++
	}
	body := l.src[bodyStart:l.pos]
	l.pos += qlen
	t := l.text(start, l.pos)
	if strings.Contains(prefix, "f") {
		return token{}, usageErr(KindUnsupported, start, t, "f-string %s is not supported", quote(t))
	}
	var val any
	var err error
	if isBytes {
		val, err = decodeBytes(body, raw, bodyStart)
	} else {
		val, err = decodeStr(body, raw, bodyStart)
	}
	if err != nil {
		return token{}, err
	}
	return token{kind: tString, pos: start, end: l.pos, text: t, val: val}, nil
}

func hexVal(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	case r >= 'A' && r <= 'F':
		return int(r-'A') + 10
	}
	return -1
}

var simpleEscapes = map[rune]rune{
	'\\': '\\', '\'': '\'', '"': '"', 'a': 7, 'b': 8, 'f': 12, 'n': '\n', 'r': '\r', 't': '\t', 'v': 11,
}

// unescape decodes the escapes of a literal body. It appends code points
// (str) or byte values (bytes) to out. base is the position of body[0] in
// the source.
func unescape(body []rune, isBytes bool, base int) ([]rune, error) {
	out := make([]rune, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(body) {
			out = append(out, c)
			continue
		}
		e := body[i+1]
		if v, ok := simpleEscapes[e]; ok {
			out = append(out, v)
			i++
			continue
		}
		switch {
		case e == '\n':
			i++
		case e >= '0' && e <= '7':
			v, j := 0, i+1
			for ; j < len(body) && j < i+4 && body[j] >= '0' && body[j] <= '7'; j++ {
				v = v*8 + int(body[j]-'0')
			}
			if isBytes {
				v &= 0xFF
			}
			out = append(out, rune(v))
			i = j - 1
		case e == 'x' || !isBytes && (e == 'u' || e == 'U'):
			n := map[rune]int{'x': 2, 'u': 4, 'U': 8}[e]
			v := 0
			for k := 0; k < n; k++ {
				if i+2+k >= len(body) || hexVal(body[i+2+k]) < 0 {
					end := min(len(body), i+2+k)
					t := string(body[i:end])
					return nil, usageErr(KindSyntax, base+i, t, "truncated %s escape %s",
						map[rune]string{'x': `\xXX`, 'u': `\uXXXX`, 'U': `\UXXXXXXXX`}[e], quote(t))
				}
				v = v*16 + hexVal(body[i+2+k])
			}
			if v > 0x10FFFF {
				t := string(body[i : i+2+n])
				return nil, usageErr(KindSyntax, base+i, t, "illegal Unicode character in escape %s", quote(t))
			}
			out = append(out, rune(v))
			i += 1 + n
		case e == 'N' && !isBytes:
			end := i + 2
			for end < len(body) && body[end] != '}' {
				end++
			}
			t := string(body[i:min(end+1, len(body))])
			return nil, usageErr(KindUnsupported, base+i, t, "named Unicode escape %s is not supported", quote(t))
		default:
			// Unknown escapes are kept as they are.
			out = append(out, c)
		}
	}
	return out, nil
}

func decodeStr(body []rune, raw bool, base int) (string, error) {
	if raw {
		return py.FromRunes(body), nil
	}
	rs, err := unescape(body, false, base)
	if err != nil {
		return "", err
	}
	return py.FromRunes(rs), nil
}

func decodeBytes(body []rune, raw bool, base int) ([]byte, error) {
	for i, c := range body {
		if c > 0x7F {
			t := string(c)
			return nil, usageErr(KindSyntax, base+i, t,
				"bytes can only contain ASCII literal characters, not %s", quote(t))
		}
	}
	rs := body
	if !raw {
		var err error
		if rs, err = unescape(body, true, base); err != nil {
			return nil, err
		}
	}
	b := make([]byte, len(rs))
	for i, r := range rs {
		b[i] = byte(r)
	}
	return b, nil
}
