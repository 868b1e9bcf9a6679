package pyexpr

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/csock/csock/py"
)

// Kind classifies a [UsageError].
type Kind int

// The kinds of usage error.
const (
	// KindSyntax: the text is not an expression of the language (malformed
	// literal, unterminated string, unexpected token, trailing junk,
	// repeated keyword argument…).
	KindSyntax Kind = iota + 1
	// KindUnknownName: a name that the environment does not define.
	KindUnknownName
	// KindUnknownFunction: a call of a name that is not a function of the
	// environment.
	KindUnknownFunction
	// KindUnsupported: valid Python that pysock does not evaluate
	// (f-strings, \N{...} escapes, complex numbers, printf-style %
	// formatting, conditional expressions…).
	KindUnsupported
	// KindLimit: the expression exceeds one of pysock's bounds (nesting
	// depth, size of an int, str, bytes, tuple or list result) where
	// CPython might still succeed.
	KindLimit
)

var kindNames = map[Kind]string{
	KindSyntax:          "syntax error",
	KindUnknownName:     "unknown name",
	KindUnknownFunction: "unknown function",
	KindUnsupported:     "unsupported",
	KindLimit:           "limit exceeded",
}

// String returns a short description of the kind, e.g. "syntax error".
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// UsageError reports an expression that pysock cannot evaluate because of
// how it is written, as opposed to a Python exception raised while
// evaluating it. It is never a [py.Exception].
type UsageError struct {
	Kind Kind
	// Msg describes the problem and quotes the offending text, e.g.
	// "unknown name 'AF_INETT'".
	Msg string
	// Text is the offending text itself.
	Text string
	// Col is the 1-based position, in code points, where Text starts in the
	// expression: its column when the expression is one line. The code
	// points of earlier lines count too, a line break as one;
	// [UsageError.Position] turns Col into a line and a column. 0 means
	// no position.
	Col int
}

// Error returns the message with its column: "unknown name 'X' at column 3".
func (e *UsageError) Error() string {
	return fmt.Sprintf("%s at column %d", e.Msg, e.Col)
}

// ErrorIn returns the message with the position of the error in src, the
// expression it was found in: "... at column 7" as [UsageError.Error]
// says it when src is one line, "... at line 2, column 3" when src has
// several (a newline inside brackets or a triple-quoted string).
func (e *UsageError) ErrorIn(src string) string {
	if e.Col < 1 {
		return e.Msg
	}
	lines := splitLines(src)
	if len(lines) == 1 {
		return e.Error()
	}
	line, col := e.position(lines)
	return fmt.Sprintf("%s at line %d, column %d", e.Msg, line, col)
}

// Position returns the 1-based line and column of the error in src, the
// expression it was found in. Columns count code points, as CPython counts
// the offset of a SyntaxError (a tab, a combining mark or a wide character
// is one column); lines end at "\n", "\r\n" or "\r", as in CPython's
// tokenizer. An error without a position (Col 0) is at line 0, column 0.
func (e *UsageError) Position(src string) (line, col int) {
	if e.Col < 1 {
		return 0, 0
	}
	return e.position(splitLines(src))
}

func (e *UsageError) position(lines []srcLine) (line, col int) {
	off := e.Col - 1
	i := len(lines) - 1
	for i > 0 && lines[i].start > off {
		i--
	}
	return i + 1, off - lines[i].start + 1
}

// Pointer returns the line of src that holds the error and, below it, a
// caret line marking the offending text, for display under the error
// message (each line to be indented alike by the caller). The carets stand
// under the column [UsageError.Position] gives: one padding character per
// code point before it, a tab under a tab so that the caret lines up in a
// terminal, and a space under anything else. They span the offending text
// up to the end of its line, at least one column (an error at the end of
// the expression points just past it). An error without a position has no
// pointer: Pointer returns "".
func (e *UsageError) Pointer(src string) string {
	if e.Col < 1 {
		return ""
	}
	lines := splitLines(src)
	ln, col := e.position(lines)
	l := lines[ln-1]
	var pad strings.Builder
	for i := 0; i < col-1 && i < len(l.runes); i++ {
		if l.runes[i] == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	for i := len(l.runes); i < col-1; i++ {
		pad.WriteByte(' ')
	}
	width := min(py.Len(e.Text), len(l.runes)-(col-1))
	if width < 1 {
		width = 1
	}
	return l.text + "\n" + pad.String() + strings.Repeat("^", width)
}

// srcLine is one line of an expression: its text as given (without the
// line break), its code points, and the position of its first code point
// in the source as the lexer counts positions (after "\r\n" and "\r" are
// read as "\n", see translateNewlines).
type srcLine struct {
	text  string
	runes []rune
	start int
}

// splitLines cuts src into its lines, keeping the bytes of each line as
// given, stray bytes included, so that the line is printed as the user
// wrote it.
func splitLines(src string) []srcLine {
	var lines []srcLine
	cur := srcLine{}
	from, pos := 0, 0
	for i := 0; i < len(src); {
		n := runeLen(src[i:])
		switch src[i] {
		case '\r', '\n':
			cur.text = src[from:i]
			lines = append(lines, cur)
			if src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n' {
				n = 2
			}
			i += n
			pos++
			from, cur = i, srcLine{start: pos}
			continue
		}
		cur.runes = append(cur.runes, py.Runes(src[i:i+n])...)
		i += n
		pos++
	}
	cur.text = src[from:]
	return append(lines, cur)
}

// runeLen returns the number of bytes of the code point at the start of
// s (not empty) as py.Runes reads it: a UTF-8 sequence, an encoded lone
// surrogate (3 bytes), or one stray byte.
func runeLen(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 && len(s) >= 3 && s[0] == 0xED &&
		s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF {
		return 3
	}
	return n
}

// quote writes text for an error message the way Python's repr() writes a
// str, so that control and invisible characters show.
func quote(text string) string { return py.StrRepr(text) }

func usageErr(kind Kind, pos int, text string, format string, args ...any) *UsageError {
	return &UsageError{Kind: kind, Msg: fmt.Sprintf(format, args...), Text: text, Col: pos + 1}
}
