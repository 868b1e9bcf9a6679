package pyexpr

import (
	"fmt"
	"strings"

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
	// Col is the 1-based column, in code points, where Text starts in the
	// expression.
	Col int
}

// Error returns the message with its column: "unknown name 'X' at column 3".
func (e *UsageError) Error() string {
	return fmt.Sprintf("%s at column %d", e.Msg, e.Col)
}

// Pointer returns the expression src and, below it, a caret line marking
// the offending text, for display under the error message.
func (e *UsageError) Pointer(src string) string {
	width := py.Len(e.Text)
	if width < 1 {
		width = 1
	}
	return src + "\n" + strings.Repeat(" ", max(0, e.Col-1)) + strings.Repeat("^", width)
}

// quote writes text for an error message the way Python's repr() writes a
// str, so that control and invisible characters show.
func quote(text string) string { return py.StrRepr(text) }

func usageErr(kind Kind, pos int, text string, format string, args ...any) *UsageError {
	return &UsageError{Kind: kind, Msg: fmt.Sprintf(format, args...), Text: text, Col: pos + 1}
}
