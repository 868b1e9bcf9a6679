//go:build linux

package facade

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"

	"github.com/csock/csock/py"
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

// pyValue returns the Python value that the Go value v stands for, and true, when v is
// not already in the py package's conventions: an address of the facade is its tuple (or
// its str or bytes path), a Go slice other than []byte (such as []any) is a list, a Go
// map is a dict (its keys, sorted by their repr, as its items: Go maps have no order).
// The entry points that take a Python value as any convert with it before applying
// CPython's rules, so that such a value behaves, and is named in messages, as the Python
// value it stands for.
func pyValue(v any) (any, bool) {
	switch a := v.(type) {
	case nil, bool, int, string, []byte, float64, py.Tuple, py.List:
		return v, false
	case InetAddress:
		return py.Tuple{a.Host, a.Port}, true
	case *InetAddress:
		if a != nil {
			return py.Tuple{a.Host, a.Port}, true
		}
	case Inet6Address:
		return py.Tuple{a.Host, a.Port, int(a.FlowInfo), int(a.ScopeID)}, true
	case *Inet6Address:
		if a != nil {
			return py.Tuple{a.Host, a.Port, int(a.FlowInfo), int(a.ScopeID)}, true
		}
	case UnixAddress:
		return a.Value(), true
	case *UnixAddress:
		if a != nil {
			return a.Value(), true
		}
	case RawAddress:
		return py.Tuple{a.AF, a.Data}, true
	case *RawAddress:
		if a != nil {
			return py.Tuple{a.AF, a.Data}, true
		}
	case []any:
		return py.List(a), true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Slice, reflect.Array:
		l := make(py.List, rv.Len())
		for i := range l {
			l[i] = rv.Index(i).Interface()
		}
		return l, true
	case reflect.Map:
		keys := make(py.List, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.Interface())
		}
		sort.Slice(keys, func(i, j int) bool { return py.Repr(keys[i]) < py.Repr(keys[j]) })
		return dict{keys}, true
	}
	return v, false
}

// dict is a Go map as Python sees it where only its keys matter (iteration, truth,
// unpacking): a dict.
type dict struct{ keys py.List }

// PyTypeName returns "dict".
func (dict) PyTypeName() string { return "dict" }

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
