package py

import (
	"math"
	"math/big"
	"reflect"
)

// Tuple is a Python tuple.
type Tuple []any

// List is a Python list.
type List []any

// Indexer is implemented by values that Python treats as ints although
// their type is not int, such as IntEnum and IntFlag members: PyIndex
// returns the integer value (Python's __index__). The returned *big.Int
// must not be modified by the caller.
type Indexer interface {
	PyIndex() *big.Int
}

// TypeNamer is implemented by values of Python types that this package does
// not know: PyTypeName returns type(v).__name__, e.g. "AddressFamily".
type TypeNamer interface {
	PyTypeName() string
}

// Reprer is implemented by values that print themselves: PyRepr returns
// exactly Python's repr(v).
type Reprer interface {
	PyRepr() string
}

// Stringer is implemented by values whose Python str() differs from their
// repr(): PyStr returns exactly Python's str(v).
type Stringer interface {
	PyStr() string
}

// TypeName returns Python's type(v).__name__ for a value held by the
// package's conventions ("NoneType", "bool", "int", "float", "str",
// "bytes", "tuple", "list", "complex"); a value implementing [TypeNamer] names
// itself. Any other Go value gets the name of the Python type closest to it,
// never its Go type's: a Go slice or array (such as []any) is "list", a map
// "dict", a func "function", and anything else (a struct, a pointer, a
// channel) "object".
func TypeName(v any) string {
	if t, ok := v.(TypeNamer); ok {
		return t.PyTypeName()
	}
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr, *big.Int:
		return "int"
	case float64, float32:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case Tuple:
		return "tuple"
	case List:
		return "list"
	case complex64, complex128:
		return "complex"
	case Exception:
		return exceptionName(x)
	}
	// A Go value of no Python type is named after the Python type it is closest to, never
	// after its Go type: a Go slice or array ([]any, []int...) is a list, a map a dict, a
	// func a function, anything else (a struct, a pointer, a channel) an object.
	switch reflect.ValueOf(v).Kind() {
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map:
		return "dict"
	case reflect.Func:
		return "function"
	}
	return "object"
}

// AsInt returns the value of v as a new *big.Int when v is a Python int:
// any Go integer kind, *big.Int, bool (Python's bool is an int), or an
// [Indexer]. It reports false for anything else, floats included.
func AsInt(v any) (*big.Int, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return big.NewInt(1), true
		}
		return new(big.Int), true
	case int:
		return big.NewInt(int64(x)), true
	case int8:
		return big.NewInt(int64(x)), true
	case int16:
		return big.NewInt(int64(x)), true
	case int32:
		return big.NewInt(int64(x)), true
	case int64:
		return big.NewInt(x), true
	case uint:
		return new(big.Int).SetUint64(uint64(x)), true
	case uint8:
		return new(big.Int).SetUint64(uint64(x)), true
	case uint16:
		return new(big.Int).SetUint64(uint64(x)), true
	case uint32:
		return new(big.Int).SetUint64(uint64(x)), true
	case uint64:
		return new(big.Int).SetUint64(x), true
	case uintptr:
		return new(big.Int).SetUint64(uint64(x)), true
	case *big.Int:
		if x == nil {
			return nil, false
		}
		return new(big.Int).Set(x), true
	case Indexer:
		i := x.PyIndex()
		if i == nil {
			return nil, false
		}
		return new(big.Int).Set(i), true
	}
	return nil, false
}

// Int returns x in the package's normal form for a Python int: a Go int
// when it fits, otherwise x itself.
func Int(x *big.Int) any {
	if x.IsInt64() {
		if i := x.Int64(); i >= math.MinInt && i <= math.MaxInt {
			return int(i)
		}
	}
	return x
}

// ListOf returns xs as a Python list (each item as it is).
func ListOf[T any](xs []T) List {
	l := make(List, len(xs))
	for i, x := range xs {
		l[i] = x
	}
	return l
}
