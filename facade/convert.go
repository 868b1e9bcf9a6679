//go:build linux

package facade

import (
	"fmt"
	"math"
	"math/big"

	"github.com/csock/csock/internal/py"
)

// This file holds CPython's argument converters, with their exact messages: what
// PyArg_ParseTuple's "i", "I", "n", "l" formats and PyLong_AsInt do to an argument.

var (
	bigLongMin = big.NewInt(math.MinInt64)
	bigLongMax = big.NewInt(math.MaxInt64)
	big2to32   = new(big.Int).Lsh(big.NewInt(1), 32)
)

// typeName is Python's type(v).__name__.
func typeName(v any) string { return py.TypeName(v) }

// notInteger is the TypeError of a value that has no __index__.
func notInteger(v any) error {
	return &TypeError{Msg: fmt.Sprintf("'%s' object cannot be interpreted as an integer", typeName(v))}
}

// asIndex returns the integer value of v, as Python's __index__ would: bool, every Go
// integer kind, *big.Int and py.Indexer values (enum members). Floats and everything else
// are a TypeError.
func asIndex(v any) (*big.Int, error) {
	if n, ok := py.AsInt(v); ok {
		return n, nil
	}
	return nil, notInteger(v)
}

// asLong is the "l" format (C long): TypeError for a non-int, OverflowError beyond 64 bits.
func asLong(v any) (int64, error) {
	n, err := asIndex(v)
	if err != nil {
		return 0, err
	}
	if n.Cmp(bigLongMin) < 0 || n.Cmp(bigLongMax) > 0 {
		return 0, &OverflowError{Msg: "Python int too large to convert to C long"}
	}
	return n.Int64(), nil
}

// asCInt is the "i" format (C int): a C long first, then the int range, with CPython's
// "signed integer is greater than maximum" / "less than minimum".
func asCInt(v any) (int, error) {
	l, err := asLong(v)
	if err != nil {
		return 0, err
	}
	return checkCInt(l)
}

// checkCInt applies the "i" format's range check to a value already known to be a C long.
func checkCInt(l int64) (int, error) {
	switch {
	case l > math.MaxInt32:
		return 0, &OverflowError{Msg: "signed integer is greater than maximum"}
	case l < math.MinInt32:
		return 0, &OverflowError{Msg: "signed integer is less than minimum"}
	}
	return int(l), nil
}

// asUintMask is the "I" format (C unsigned int, no overflow check): any int, reduced
// modulo 2**32.
func asUintMask(v any) (uint32, error) {
	n, err := asIndex(v)
	if err != nil {
		return 0, err
	}
	return uint32(new(big.Int).Mod(n, big2to32).Uint64()), nil
}

// asBuffer is the "y*" format: a bytes-like object (bytes; bytearray and memoryview are
// []byte too in Go). Anything else is "a bytes-like object is required, not 'str'".
func asBuffer(v any) ([]byte, error) {
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	return nil, &TypeError{Msg: fmt.Sprintf("a bytes-like object is required, not '%s'", typeName(v))}
}

// asStr is the "s" format for argument argn of fn: a str without NUL, returned UTF-8
// encoded (a str holding lone surrogates fails like CPython's UTF-8 encoder).
func asStr(v any, fn string, argn int) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, &TypeError{Msg: fmt.Sprintf("%s() argument %d must be str, not %s", fn, argn, noneName(v))}
	}
	b, err := py.EncodeUTF8(s)
	if err != nil {
		return nil, unicodeError(err)
	}
	for _, c := range b {
		if c == 0 {
			return nil, &ValueError{Msg: "embedded null character"}
		}
	}
	return b, nil
}

// noneName is typeName, except that CPython's "must be X, not Y" messages say "None".
func noneName(v any) string {
	if v == nil {
		return "None"
	}
	return typeName(v)
}

// unicodeError turns an encoding error of package py into the facade's UnicodeError.
func unicodeError(err error) error {
	if e, ok := py.AsException(err); ok {
		return &UnicodeError{Class: e.PyClass(), Msg: e.Error()}
	}
	return err
}

// goInt converts a Go int given to the typed API to the C int range with the "i" format's
// messages.
func goInt(v int) (int, error) { return checkCInt(int64(v)) }
