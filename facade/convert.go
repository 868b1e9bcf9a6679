//go:build linux

package facade

import (
	"reflect"
	"sort"

	"github.com/csock/csock/internal/pyarg"
	"github.com/csock/csock/py"
)

// This file holds how the facade reads a Python value given as a Go any: the Go values
// that stand for Python values (pyValue), and the argument converters of internal/pyarg.

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

// The converters are internal/pyarg's, shared with the dispatcher of the module's functions
// by Python name; the facade calls them by these short names.
func notInteger(v any) error                           { return pyarg.NotInteger(v) }
func asCInt(v any) (int, error)                        { return pyarg.AsCInt(v) }
func checkCInt(l int64) (int, error)                   { return pyarg.CheckCInt(l) }
func asUintMask(v any) (uint32, error)                 { return pyarg.AsUintMask(v) }
func asBuffer(v any) ([]byte, error)                   { return pyarg.AsBuffer(v) }
func asStr(v any, fn string, argn int) ([]byte, error) { return pyarg.AsStr(v, fn, argn) }
func noneName(v any) string                            { return pyarg.NoneName(v) }
func unicodeError(err error) error                     { return pyarg.UnicodeError(err) }
func goInt(v int) (int, error)                         { return pyarg.GoInt(v) }
