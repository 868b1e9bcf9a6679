package pyexpr

import (
	"errors"
	"strings"
	"testing"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// evalString parses and evaluates src against testEnv.
func evalString(src string) (any, error) {
	n, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return Eval(n, testEnv{})
}

func usageOf(t *testing.T, src string) *UsageError {
	t.Helper()
	_, err := evalString(src)
	require.Error(t, err, "%q", src)
	var u *UsageError
	require.True(t, errors.As(err, &u), "%q: want a usage error, got %T %v", src, err, err)
	_, isExc := err.(py.Exception)
	assert.False(t, isExc, "a usage error must not be a py.Exception")
	return u
}

func TestUsageErrorsQuoteTheOffendingText(t *testing.T) {
	tests := []struct {
		src    string
		kind   Kind
		quoted string // must appear in the message
		col    int
	}{
		{"0b2", KindSyntax, "'0b2'", 1},
		{"1 + 09", KindSyntax, "'09'", 5},
		{"1 + 1__0", KindSyntax, "'1__0'", 5},
		{"0x", KindSyntax, "'0x'", 1},
		{"1e+", KindSyntax, "'1e+'", 1},
		{"12abc", KindSyntax, "'12abc'", 1},
		{"tup('abc", KindSyntax, `"'abc"`, 5},
		{`tup("abc`, KindSyntax, `'"abc'`, 5},
		{"'''abc", KindSyntax, `"'''abc"`, 1},
		{"r'\\'", KindSyntax, `"r'\\'"`, 1},
		{"'a\nb'", KindSyntax, `"'a"`, 1},
		{"1 2", KindSyntax, "'2'", 3},
		{"tup(1) tup(2)", KindSyntax, "'tup'", 8},
		{"1 +", KindSyntax, "end of expression", 4},
		{"(1, 2", KindSyntax, "end of expression", 6},
		{"(1 2)", KindSyntax, "'2'", 4},
		{"[1 2]", KindSyntax, "'2'", 4},
		{"1, 2", KindSyntax, "','", 2},
		{"$", KindSyntax, "'$'", 1},
		{"1 = 2", KindSyntax, "'='", 3},
		{"", KindSyntax, "empty expression", 1},
		{"'\\x4'", KindSyntax, `'\\x4'`, 2},
		{"'ab\\u12'", KindSyntax, `'\\u12'`, 4},
		{"'\\U00110000'", KindSyntax, `'\\U00110000'`, 2},
		{"b'é'", KindSyntax, "'é'", 3},
		{"'a' b'b'", KindSyntax, `"b'b'"`, 5},
		{"b'a' 'b'", KindSyntax, `"'b'"`, 6},
		{"AF_INETT", KindUnknownName, "'AF_INETT'", 1},
		{"tup(1, FOO)", KindUnknownName, "'FOO'", 8},
		{"A | NOPE", KindUnknownName, "'NOPE'", 5},
		{"tup", KindUnsupported, "'tup'", 1},
		{"foo(1)", KindUnknownFunction, "'foo'", 1},
		{"tup(bar())", KindUnknownFunction, "'bar'", 5},
		{"A(1)", KindUnknownFunction, "'A'", 1},
		{"kw(a=1, a=2)", KindSyntax, "'a'", 9},
		{"kw(a=1, 2)", KindSyntax, "'2'", 9},
		{"kw(a=1, tup(2))", KindSyntax, "'tup(2)'", 9},
		{"kw(None=1)", KindSyntax, "'None'", 4},
		{"kw(1 2)", KindSyntax, "'2'", 6},
		{"kw(,)", KindSyntax, "','", 4},
		{"not 1", KindUnsupported, "'not'", 1},
		{"1 < 2", KindUnsupported, "'<'", 3},
		{"f'x'", KindUnsupported, `"f'x'"`, 1},
		{"'\\N{DASH}'", KindUnsupported, `'\\N{DASH}'`, 2},
		{"2j", KindUnsupported, "'2j'", 1},
		{"'%s' % 1", KindUnsupported, "'%'", 6},
		{"(-8) ** 0.5", KindUnsupported, "'**'", 6},
		{"'a'[0]", KindUnsupported, "'['", 4},
		{"'a'.upper", KindUnsupported, "'.'", 4},
		{"'a' * 2**25", KindLimit, "'*'", 5},
		{"b'ab' * 2**24", KindLimit, "'*'", 7},
		{"[0] * 2**23", KindLimit, "'*'", 5},
		{"[[0] * 1000] * 100000", KindLimit, "'*'", 14},
		{"2 ** 2**30", KindLimit, "'**'", 3},
		{"7 ** 10**100", KindLimit, "'**'", 3},
		{"1 << 2**30", KindLimit, "'<<'", 3},
		{"2**(2**19) * 2**(2**19) * 4", KindLimit, "'*'", 12},
		{"2**(2**19) * 2**(2**18) * 2**(2**18)", KindLimit, "'*'", 25},
		{strings.Repeat("(", MaxNesting+1) + "1" + strings.Repeat(")", MaxNesting+1), KindLimit, "'('", MaxNesting + 1},
		{strings.Repeat("-", MaxDepth+1) + "1", KindLimit, "levels deep", MaxDepth + 1},
		{strings.Repeat("1+", MaxDepth+1) + "1", KindLimit, "levels deep", 5},
		{"'\xff'", KindSyntax, "'\\udcff'", 2},
		{"'\x00'", KindSyntax, "null", 2},
	}
	for _, tt := range tests {
		u := usageOf(t, tt.src)
		assert.Equal(t, tt.kind, u.Kind, "%q: %v", tt.src, u)
		assert.Contains(t, u.Msg, tt.quoted, "%q", tt.src)
		assert.Equal(t, tt.col, u.Col, "%q: %v", tt.src, u)
		assert.Contains(t, u.Error(), "column", "%q", tt.src)
	}
}

func TestUnsupportedPython(t *testing.T) {
	for _, src := range unsupportedCases {
		u := usageOf(t, src)
		assert.Contains(t, []Kind{KindUnsupported, KindUnknownFunction}, u.Kind, "%q: %v", src, u)
	}
}

func TestPointer_ShowsTheLineOnceWithTheCaretUnderTheColumn(t *testing.T) {
	tests := []struct {
		name, src string
		line, col int
		pointer   string // the offending line, then the caret line
		errorIn   string // the end of ErrorIn(src)
	}{
		{"unclosed paren", "htons(", 1, 7, "htons(\n      ^", "at column 7"},
		{"unclosed paren, trailing blanks", "htons(1,  ", 1, 9, "htons(1,  \n        ^", "at column 9"},
		{"unclosed list", "[1, 2", 1, 6, "[1, 2\n     ^", "at column 6"},
		{"bad token", "htons($)", 1, 7, "htons($)\n      ^", "at column 7"},
		{"bad character after an operator", "1 + ?", 1, 5, "1 + ?\n    ^", "at column 5"},
		{"trailing garbage", "AF_INET AF_INET6", 1, 9, "AF_INET AF_INET6\n        ^^^^^^^^", "at column 9"},
		{"unmatched paren", "htons(1))", 1, 9, "htons(1))\n        ^", "at column 9"},
		{"unterminated string", "getaddrinfo('x", 1, 13, "getaddrinfo('x\n            ^^", "at column 13"},
		{"malformed literal", "htons(0x)", 1, 7, "htons(0x)\n      ^^", "at column 7"},
		{"empty", "", 1, 1, "\n^", "at column 1"},
		{"blank", "   ", 1, 1, "   \n^", "at column 1"},
		{"accented letter before", "'é' + $", 1, 7, "'é' + $\n      ^", "at column 7"},
		{"wide characters before", "'日本' + $", 1, 8, "'日本' + $\n       ^", "at column 8"},
		{"astral character before", "'\U0001F600' + $", 1, 7, "'\U0001F600' + $\n      ^", "at column 7"},
		{"combining mark before", "'e\u0301' + $", 1, 8, "'e\u0301' + $\n       ^", "at column 8"},
		{"unicode in the offending text", "1 éé", 1, 3, "1 éé\n  ^^", "at column 3"},
		{"tab before", "htons(\t$)", 1, 8, "htons(\t$)\n      \t^", "at column 8"},
		{"stray byte", "'\xff'", 1, 2, "'\xff'\n ^", "at column 2"},
		{"second line", "htons(1,\n $)", 2, 2, " $)\n ^", "at line 2, column 2"},
		{"second line after CRLF", "(x\r\n+ $)", 2, 3, "+ $)\n  ^", "at line 2, column 3"},
		{"second line after CR", "(x\r+ $)", 2, 3, "+ $)\n  ^", "at line 2, column 3"},
		{"end of a line", "1 +\n", 1, 4, "1 +\n   ^", "at line 1, column 4"},
		{"end on the last line", "(1,\n 2", 2, 3, " 2\n  ^", "at line 2, column 3"},
		{"string across lines", "'''abc\ndef", 1, 1, "'''abc\n^^^^^^", "at line 1, column 1"},
		{"string on the second line", "tup(1,\n'x", 2, 1, "'x\n^^", "at line 2, column 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			var u *UsageError
			require.ErrorAs(t, err, &u, "%q", tt.src)
			line, col := u.Position(tt.src)
			assert.Equal(t, []int{tt.line, tt.col}, []int{line, col}, "%q: %v", tt.src, u)
			assert.Equal(t, tt.pointer, u.Pointer(tt.src), "%q", tt.src)
			assert.Equal(t, u.Msg+" "+tt.errorIn, u.ErrorIn(tt.src), "%q", tt.src)
		})
	}
}

// TestPosition_CountsAsCPython compares the line and column of syntax errors that
// pysock and CPython find at the same token with the lineno and offset of CPython's
// SyntaxError.
func TestPosition_CountsAsCPython(t *testing.T) {
	srcs := []string{
		"htons($)", "1 2", "AF_INET AF_INET6", "htons(1))", "getaddrinfo('x", "tup('abc", "'''abc",
		"'é' + $", "'日本' + $", "'\U0001F600' + $", "'e\u0301' + $", "é $", "htons(\t$)",
		"htons(1,\n $)", "(x\r\n+ $)", "(x\r+ $)", "1 +\n", "1 +\n\n", "(1,\n'a' $)", "[1,\n\t2, $]",
		"tup(1) tup(2)", "1 = 2", "kw(,)",
	}
	var want []struct{ Line, Offset int }
	testutil.PythonJSON(t, `
import json, sys
out = []
for src in json.load(sys.stdin):
    try:
        compile(src, "<string>", "eval")
        out.append({"Line": 0, "Offset": 0})
    except SyntaxError as e:
        out.append({"Line": e.lineno, "Offset": e.offset})
print(json.dumps(out))
`, srcs, &want)
	for i, src := range srcs {
		_, err := Parse(src)
		var u *UsageError
		require.ErrorAs(t, err, &u, "%q", src)
		line, col := u.Position(src)
		assert.Equal(t, []int{want[i].Line, want[i].Offset}, []int{line, col}, "%q: %v", src, u)
	}
}

func TestPointer(t *testing.T) {
	u := usageOf(t, "tup(1, FOO)")
	assert.Equal(t, "tup(1, FOO)\n       ^^^", u.Pointer("tup(1, FOO)"))
	u = usageOf(t, "'é' + NOPE")
	assert.Equal(t, "'é' + NOPE\n      ^^^^", u.Pointer("'é' + NOPE"))
	assert.Equal(t, "syntax error", KindSyntax.String())
	assert.Equal(t, "Kind(99)", Kind(99).String())
}

// countingEnv counts the calls made through it.
type countingEnv struct {
	testEnv
	calls int
}

func (c *countingEnv) Call(name string, args []any, kwargs []KeywordArg) (any, error) {
	c.calls++
	return c.testEnv.Call(name, args, kwargs)
}

func TestNamesAreCheckedBeforeAnyCall(t *testing.T) {
	env := &countingEnv{}
	n, err := Parse("tup(tup(1), kw(a=1), NOPE)")
	require.NoError(t, err)
	_, err = Eval(n, env)
	var u *UsageError
	require.ErrorAs(t, err, &u)
	assert.Equal(t, KindUnknownName, u.Kind)
	assert.Zero(t, env.calls)

	n, err = Parse("tup(fail(), 1 // 0)")
	require.NoError(t, err)
	_, err = Eval(n, env)
	e, ok := py.AsException(err)
	require.True(t, ok)
	assert.Equal(t, "OSError: [Errno 22] Invalid argument", py.FormatException(e))
	assert.Equal(t, 1, env.calls)
}

func TestEvalValuesFollowPyConventions(t *testing.T) {
	v, err := evalString("5")
	require.NoError(t, err)
	assert.Equal(t, 5, v)
	v, err = evalString("2**64")
	require.NoError(t, err)
	assert.Equal(t, "18446744073709551616", py.Repr(v))
	assert.Equal(t, "int", py.TypeName(v))
	v, err = evalString("tup(1, 'a', b'b', 1.5, None, True, [2])")
	require.NoError(t, err)
	assert.Equal(t, py.Tuple{1, "a", []byte("b"), 1.5, nil, true, py.List{2}}, v)
	v, err = evalString("kw(1, a=2, b=S)")
	require.NoError(t, err)
	assert.Equal(t, py.Tuple{py.Tuple{1}, py.Tuple{py.Tuple{"a", 2}, py.Tuple{"b", "abc"}}}, v)
	// A constant's tree can be evaluated again with the same result.
	n, err := Parse("b'x' * 2 + BS")
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		v, err = Eval(n, testEnv{})
		require.NoError(t, err)
		assert.Equal(t, []byte("xxxy"), v)
		v.([]byte)[0] = 'z'
	}
	_, err = Eval(n, nil)
	var u *UsageError
	assert.ErrorAs(t, err, &u)
}

func TestOperatorsOnRawStrings(t *testing.T) {
	// Stray bytes from the OS are surrogate escapes: joining two of them
	// must not make a UTF-8 character.
	r, err := BinaryOp("+", "\xc3", "\xa9")
	require.NoError(t, err)
	assert.Equal(t, []rune{0xDCC3, 0xDCA9}, py.Runes(r.(string)))
	r, err = BinaryOp("*", "\xc3", 2)
	require.NoError(t, err)
	assert.Equal(t, []rune{0xDCC3, 0xDCC3}, py.Runes(r.(string)))
}

// hookOrder records which hook ran.
type hookOrder struct {
	name  string
	log   *[]string
	taken bool
}

func (h hookOrder) PyBinaryOp(op string, other any, reflected bool) (any, bool, error) {
	*h.log = append(*h.log, h.name+map[bool]string{true: ".r", false: ""}[reflected])
	if h.taken {
		return h.name, true, nil
	}
	return nil, false, nil
}

func (h hookOrder) PyTypeName() string { return h.name }

func TestBinaryHookOrder(t *testing.T) {
	var log []string
	a := hookOrder{name: "a", log: &log}
	b := hookOrder{name: "b", log: &log}
	_, err := BinaryOp("+", a, b)
	require.Error(t, err)
	assert.Equal(t, []string{"a", "b.r"}, log)
	assert.Equal(t, "TypeError: unsupported operand type(s) for +: 'a' and 'b'", py.FormatException(err.(py.Exception)))

	// A plain int on the left: the hooked right operand goes first.
	log = nil
	_, _ = BinaryOp("|", 1, b)
	assert.Equal(t, []string{"b.r"}, log)

	// A bool on the left is not a plain int.
	log = nil
	_, _ = BinaryOp("|", true, b)
	assert.Equal(t, []string{"b.r"}, log)

	log = nil
	r, err := BinaryOp("*", hookOrder{name: "a", log: &log, taken: true}, b)
	require.NoError(t, err)
	assert.Equal(t, "a", r)
	assert.Equal(t, []string{"a"}, log)

	boom := py.NewError("ValueError", "boom")
	_, err = BinaryOp("-", errHook{boom}, 1)
	assert.Same(t, boom, err)
	_, err = UnaryOp("-", errHook{boom})
	assert.Same(t, boom, err)
}

type errHook struct{ err error }

func (e errHook) PyBinaryOp(string, any, bool) (any, bool, error) { return nil, false, e.err }
func (e errHook) PyUnaryOp(string) (any, bool, error)             { return nil, false, e.err }

func TestCheck_LocatesWhatTheEnvLacksWithoutCalling(t *testing.T) {
	for _, tt := range []struct {
		src  string
		kind Kind
		col  int
	}{
		{"NOPE", KindUnknownName, 1},
		{"tup(1, kw(a=NOPE))", KindUnknownName, 13},
		{"A | nope(1)", KindUnknownFunction, 5},
		{"A(1)", KindUnknownFunction, 1},
		{"tup", KindUnsupported, 1},
	} {
		n, err := Parse(tt.src)
		require.NoError(t, err)
		env := &countingEnv{}
		var u *UsageError
		require.ErrorAs(t, Check(n, env), &u, "%q", tt.src)
		assert.Equal(t, tt.kind, u.Kind, "%q: %v", tt.src, u)
		assert.Equal(t, tt.col, u.Col, "%q: %v", tt.src, u)
		assert.Zero(t, env.calls)
	}
	n, err := Parse("tup(fail(), A)")
	require.NoError(t, err)
	env := &countingEnv{}
	assert.NoError(t, Check(n, env))
	assert.Zero(t, env.calls)
}
