package py

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type named struct{}

func (named) PyTypeName() string { return "AddressFamily" }
func (named) PyRepr() string     { return "<AddressFamily.AF_INET: 2>" }
func (named) PyIndex() *big.Int  { return big.NewInt(2) }

func TestTypeName(t *testing.T) {
	for v, want := range map[any]string{
		nil: "NoneType", true: "bool", 1: "int", int8(1): "int", uint64(1): "int", uintptr(1): "int",
		1.5: "float", float32(1): "float", "s": "str", named{}: "AddressFamily",
	} {
		assert.Equal(t, want, TypeName(v), "%#v", v)
	}
	assert.Equal(t, "int", TypeName(big.NewInt(1)))
	assert.Equal(t, "bytes", TypeName([]byte("x")))
	assert.Equal(t, "tuple", TypeName(Tuple{}))
	assert.Equal(t, "list", TypeName(List{}))
	assert.Equal(t, "gaierror", TypeName(NewError("socket.gaierror", "x")))
	// Go values of no Python type are never named after their Go type.
	var nilPtr *int
	for _, c := range []struct {
		v    any
		want string
	}{
		{[]any{"127.0.0.1", 0}, "list"}, {[]int{1}, "list"}, {[2]string{}, "list"},
		{map[string]int{}, "dict"}, {func() {}, "function"}, {complex(1, 2), "complex"},
		{struct{}{}, "object"}, {make(chan int), "object"}, {nilPtr, "object"}, {&struct{}{}, "object"},
	} {
		assert.Equal(t, c.want, TypeName(c.v), "%#v", c.v)
	}
}

func TestAsIntAndInt(t *testing.T) {
	for _, v := range []any{3, int8(3), int16(3), int32(3), int64(3), uint(3), uint8(3), uint16(3),
		uint32(3), uint64(3), uintptr(3), big.NewInt(3)} {
		i, ok := AsInt(v)
		require.True(t, ok, "%#v", v)
		assert.Equal(t, "3", i.String(), "%#v", v)
	}
	i, ok := AsInt(named{})
	require.True(t, ok)
	assert.Equal(t, "2", i.String())
	i, ok = AsInt(true)
	require.True(t, ok)
	assert.Equal(t, "1", i.String())
	for _, v := range []any{1.0, "1", nil, (*big.Int)(nil), []byte{1}} {
		_, ok := AsInt(v)
		assert.False(t, ok, "%#v", v)
	}
	i, _ = AsInt(false)
	assert.Zero(t, i.Sign())
	assert.Equal(t, 5, Int(big.NewInt(5)))
	huge := new(big.Int).Lsh(big.NewInt(1), 64)
	assert.Same(t, huge, Int(huge))
	assert.Equal(t, math.MinInt64, Int(big.NewInt(math.MinInt64)))
}

func TestReprOfOtherValues(t *testing.T) {
	assert.Equal(t, "<AddressFamily.AF_INET: 2>", Repr(named{}))
	assert.Equal(t, "(<AddressFamily.AF_INET: 2>, 'a')", Repr(Tuple{named{}, "a"}))
	assert.Equal(t, "None", Repr((*big.Int)(nil)))
	assert.Equal(t, "<object object>", Repr(struct{}{}), "no Go type name in a repr")
	assert.Equal(t, "<object object>", Repr(make(chan int)))
	assert.Equal(t, "1.5", Repr(float32(1.5)))
	// A list that contains itself prints as CPython prints it.
	l := List{1, nil}
	l[1] = l
	assert.Equal(t, "[1, [...]]", Repr(l))
	tup := Tuple{l}
	assert.Equal(t, "([1, [...]],)", Repr(tup))
}

func TestReprChecked(t *testing.T) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(MaxStrDigits), nil) // 4301 digits
	ok := new(big.Int).Sub(limit, big.NewInt(1))                             // 4300 digits
	s, err := ReprChecked(new(big.Int).Neg(ok))
	require.NoError(t, err)
	assert.Len(t, s, MaxStrDigits+1)
	_, err = ReprChecked(Tuple{1, List{limit}})
	require.Error(t, err)
	e, isExc := AsException(err)
	require.True(t, isExc)
	assert.Equal(t, "ValueError: Exceeds the limit (4300 digits) for integer string conversion; "+
		"use sys.set_int_max_str_digits() to increase the limit", FormatException(e))
	assert.Len(t, Repr(limit), MaxStrDigits+1)
}

func TestExceptions(t *testing.T) {
	e := NewError("socket.gaierror", "[Errno -2] Name or service not known")
	assert.Equal(t, "socket.gaierror: [Errno -2] Name or service not known", FormatException(e))
	assert.Equal(t, "MemoryError", FormatException(NewError("MemoryError", "")))
	wrapped := fmt.Errorf("context: %w", e)
	got, ok := AsException(wrapped)
	require.True(t, ok)
	assert.Same(t, e, got)
	_, ok = AsException(errors.New("plain"))
	assert.False(t, ok)

	_, err := EncodeUTF8(FromRunes([]rune{'a', 0xD800}))
	require.Error(t, err)
	u, ok := AsException(err)
	require.True(t, ok)
	assert.Equal(t, "UnicodeEncodeError", u.PyClass())
	assert.Equal(t, "UnicodeEncodeError('utf-8', 'a\\ud800', 1, 2, 'surrogates not allowed')", Repr(u))
	assert.Equal(t, "UnicodeEncodeError", TypeName(u))
}

func TestStringConventions(t *testing.T) {
	raw := "a\xffé\xed\xa0\x80"
	assert.Equal(t, []rune{'a', 0xDCFF, 'é', 0xD800}, Runes(raw))
	assert.Equal(t, 4, Len(raw))
	c := Canonical(raw)
	assert.Equal(t, "a\xed\xb3\xbfé\xed\xa0\x80", c)
	assert.Equal(t, Runes(raw), Runes(c))
	assert.Equal(t, "abc", Canonical("abc"))
	assert.Equal(t, "\uFFFD\uFFFD", FromRunes([]rune{-1, 0x110000}))
	b, err := FSEncode(raw[:4])
	require.NoError(t, err)
	assert.Equal(t, []byte("a\xffé"), b)
	assert.Equal(t, "a\xed\xb3\xbfé", FSDecode([]byte("a\xffé")))
	assert.Equal(t, "plain", FSDecode([]byte("plain")))
	assert.True(t, IsPrintable('a'))
	assert.False(t, IsPrintable(-1))
	assert.False(t, IsPrintable(0x110000))
	assert.True(t, IsPrintable(0x1F600))
}

// A Go slice, array or map prints as the list or dict TypeName calls it, each item by
// its own repr; the expected texts are python3's repr of the same list or dict.
func TestReprOfGoCollections(t *testing.T) {
	assert.Equal(t, "[1, 2]", Repr([]int{1, 2}))
	assert.Equal(t, "['a', b'b', None]", Repr([]any{"a", []byte("b"), nil}))
	assert.Equal(t, "[1.5, True]", Repr([2]any{1.5, true}))
	assert.Equal(t, "[]", Repr([]string{}))
	assert.Equal(t, "[(1, 'x')]", Repr([]Tuple{{1, "x"}}))
	assert.Equal(t, "{'a': 1, 'b': [2]}", Repr(map[string]any{"b": []int{2}, "a": 1}))
	assert.Equal(t, "{}", Repr(map[int]int{}))
	// Self-containing collections end, as CPython's recursive list and dict do.
	s := []any{1, nil}
	s[1] = s
	assert.Equal(t, "[1, [...]]", Repr(s))
	m := map[string]any{}
	m["self"] = m
	assert.Equal(t, "{'self': {...}}", Repr(m))
}
