// Package pyarg holds CPython's argument converters, with their exact messages: what
// PyArg_ParseTuple's "i", "I", "l", "s" and "y*" formats and PyLong_AsInt do to an argument
// held as package py holds Python values. The facade and the dispatcher of its functions by
// Python name (internal/pycall) share them.
package pyarg

import (
	"fmt"
	"math"
	"math/big"

	"github.com/csock/csock/py"
)

var (
	bigLongMin = big.NewInt(math.MinInt64)
	bigLongMax = big.NewInt(math.MaxInt64)
	big2to32   = new(big.Int).Lsh(big.NewInt(1), 32)
)

// NotInteger is the TypeError of a value that has no __index__.
func NotInteger(v any) error {
	return &py.TypeError{Msg: fmt.Sprintf("'%s' object cannot be interpreted as an integer", py.TypeName(v))}
}

// AsIndex returns the integer value of v, as Python's __index__ would: bool, every Go
// integer kind, *big.Int and py.Indexer values (enum members). Floats and everything else
// are a TypeError.
func AsIndex(v any) (*big.Int, error) {
	if n, ok := py.AsInt(v); ok {
		return n, nil
	}
	return nil, NotInteger(v)
}

// AsLong is the "l" format (C long): TypeError for a non-int, OverflowError beyond 64 bits.
func AsLong(v any) (int64, error) {
	n, err := AsIndex(v)
	if err != nil {
		return 0, err
	}
	if n.Cmp(bigLongMin) < 0 || n.Cmp(bigLongMax) > 0 {
		return 0, &py.OverflowError{Msg: "Python int too large to convert to C long"}
	}
	return n.Int64(), nil
}

// AsCInt is the "i" format (C int): a C long first, then the int range, with CPython's
// "signed integer is greater than maximum" / "less than minimum".
func AsCInt(v any) (int, error) {
	l, err := AsLong(v)
	if err != nil {
		return 0, err
	}
	return CheckCInt(l)
}

// CheckCInt applies the "i" format's range check to a value already known to be a C long.
func CheckCInt(l int64) (int, error) {
	switch {
	case l > math.MaxInt32:
		return 0, &py.OverflowError{Msg: "signed integer is greater than maximum"}
	case l < math.MinInt32:
		return 0, &py.OverflowError{Msg: "signed integer is less than minimum"}
	}
	return int(l), nil
}

// AsUintMask is the "I" format (C unsigned int, no overflow check): any int, reduced
// modulo 2**32.
func AsUintMask(v any) (uint32, error) {
	n, err := AsIndex(v)
	if err != nil {
		return 0, err
	}
	return uint32(new(big.Int).Mod(n, big2to32).Uint64()), nil
}

// AsBuffer is the "y*" format: a bytes-like object (bytes; bytearray and memoryview are
// []byte too in Go). Anything else is "a bytes-like object is required, not 'str'".
func AsBuffer(v any) ([]byte, error) {
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	return nil, &py.TypeError{Msg: fmt.Sprintf("a bytes-like object is required, not '%s'", py.TypeName(v))}
}

// AsStr is the "s" format for argument argn of fn: a str without NUL, returned UTF-8
// encoded (a str holding lone surrogates fails like CPython's UTF-8 encoder).
func AsStr(v any, fn string, argn int) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, &py.TypeError{Msg: fmt.Sprintf("%s() argument %d must be str, not %s", fn, argn, NoneName(v))}
	}
	b, err := py.EncodeUTF8(s)
	if err != nil {
		return nil, UnicodeError(err)
	}
	for _, c := range b {
		if c == 0 {
			return nil, &py.ValueError{Msg: "embedded null character"}
		}
	}
	return b, nil
}

// NoneName is typeName, except that CPython's "must be X, not Y" messages say "None".
func NoneName(v any) string {
	if v == nil {
		return "None"
	}
	return py.TypeName(v)
}

// UnicodeError turns an encoding error of package py into a UnicodeError exception.
func UnicodeError(err error) error {
	if e, ok := py.AsException(err); ok {
		return &py.UnicodeError{Class: e.PyClass(), Msg: e.Error()}
	}
	return err
}

// GoInt converts a Go int given to the typed API to the C int range with the "i" format's
// messages.
func GoInt(v int) (int, error) { return CheckCInt(int64(v)) }

// Truthy is Python's truth value of a value held as package py holds them: None, False,
// zero, and empty str, bytes, tuples and lists are false; everything else is true.
func Truthy(v any) bool {
	switch a := v.(type) {
	case nil:
		return false
	case bool:
		return a
	case string:
		return a != ""
	case []byte:
		return len(a) > 0
	case py.Tuple:
		return len(a) > 0
	case py.List:
		return len(a) > 0
	}
	if n, ok := py.AsInt(v); ok {
		return n.Sign() != 0
	}
	if f, ok := v.(float64); ok {
		return f != 0
	}
	return true
}
