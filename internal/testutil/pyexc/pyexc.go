// Package pyexc lets tests compare an error of the facade with what CPython raises: Line
// formats the Go side as the last line of CPython's traceback, and ExcDef defines the
// Python side's exc(f). It is for tests only (it lives apart from testutil because the py
// package's own tests use testutil, and this package uses py).
package pyexc

import "github.com/csock/csock/py"

// Line returns err as the last line of CPython's traceback prints it ("Class: message"),
// "no exception" for nil, and "Go error: ..." for an error that is no Python exception (so
// a comparison with CPython's text fails visibly).
func Line(err error) string {
	if err == nil {
		return "no exception"
	}
	if e, ok := py.AsException(err); ok {
		return py.FormatException(e)
	}
	return "Go error: " + err.Error()
}

// ExcDef is Python source defining exc(f): it runs f and returns the last line of the
// traceback of what f raised, as Line formats it on the Go side, or "no exception".
const ExcDef = `
def exc(f):
    try:
        f()
    except BaseException as e:
        t = type(e)
        name = t.__name__ if t.__module__ == 'builtins' else t.__module__ + '.' + t.__name__
        s = str(e)
        return name + ': ' + s if s else name
    return 'no exception'
`
