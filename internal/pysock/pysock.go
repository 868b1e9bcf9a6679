//go:build linux

// Package pysock evaluates pysock expressions — Python socket-module calls written as
// after `from socket import *` — against the facade, and renders each outcome as the line
// CPython prints. The pysock command and the differential tests share it.
package pysock

import (
	"io"
	"strings"

	"github.com/csock/csock/internal/pycall"
	"github.com/csock/csock/internal/pyexpr"
	"github.com/csock/csock/py"
)

// Env is the module as `from socket import *` binds it, backed by the facade.
type Env struct{}

// Lookup returns a module constant.
func (Env) Lookup(name string) (any, bool) { return pycall.Constant(name) }

// HasFunc reports whether name is a module function.
func (Env) HasFunc(name string) bool { return pycall.HasFunction(name) }

// Call calls a module function through pycall.Call.
func (Env) Call(name string, args []any, kwargs []pyexpr.KeywordArg) (any, error) {
	kw := make([]pycall.Kwarg, len(kwargs))
	for i, k := range kwargs {
		kw[i] = pycall.Kwarg{Name: k.Name, Value: k.Value}
	}
	return pycall.Call(name, args, kw)
}

// Parse parses src and checks that every name and function in it exists, so that a usage
// error is reported before anything is evaluated.
func Parse(src string) (pyexpr.Node, error) {
	n, err := pyexpr.Parse(src)
	if err != nil {
		return nil, err
	}
	if err := pyexpr.Check(n, Env{}); err != nil {
		return nil, err
	}
	return n, nil
}

// Outcome is the result of evaluating one expression.
type Outcome struct {
	Value any          // the result, when Exc and Usage are nil (its sockets as Printed)
	Repr  string       // repr(Value)
	Exc   py.Exception // the Python exception raised, if any
	Usage error        // a usage error found while evaluating (not a Python exception)
}

// Line is what pysock prints for the outcome: the repr, or the traceback's last line.
func (o Outcome) Line() string {
	if o.Exc != nil {
		return strings.ReplaceAll(py.FormatException(o.Exc), "\n", " ")
	}
	if o.Usage != nil {
		return "usage error: " + o.Usage.Error()
	}
	return o.Repr
}

// Eval evaluates a parsed expression. A result that holds a resource (the socket of
// create_connection or create_server, the two of socketpair) is printed, then closed, as
// CPython's garbage collector closes an unreferenced socket once print(repr(...)) is done
// with it; Outcome.Value holds each such resource as Printed, the object as it was when
// Repr was taken (open), not the closed socket.
func Eval(n pyexpr.Node) Outcome {
	v, err := pyexpr.Eval(n, Env{})
	if err == nil {
		s, rerr := py.ReprChecked(v)
		shown := printed(v)
		closeAll(v)
		if rerr == nil {
			return Outcome{Value: shown, Repr: s}
		}
		err = rerr
	}
	if exc, ok := py.AsException(err); ok {
		return Outcome{Exc: exc}
	}
	if u, ok := err.(*pyexpr.UsageError); ok {
		return Outcome{Usage: u}
	}
	return Outcome{Exc: py.NewError("SystemError", err.Error())}
}

// Printed is a resource of a result (a socket) as it was printed, before Eval closed it:
// its repr is the open socket's.
type Printed struct{ repr string }

// PyRepr returns the resource's repr from before it was closed.
func (p Printed) PyRepr() string { return p.repr }

// printed returns v with each resource in it (v itself, or items of a tuple or list) replaced by
// its Printed snapshot.
func printed(v any) any {
	switch x := v.(type) {
	case io.Closer:
		return Printed{py.Repr(x)}
	case py.Tuple:
		out := make(py.Tuple, len(x))
		for i, item := range x {
			out[i] = printed(item)
		}
		return out
	case py.List:
		out := make(py.List, len(x))
		for i, item := range x {
			out[i] = printed(item)
		}
		return out
	}
	return v
}

// closeAll closes v if it holds a resource, and the items of a tuple or list that do
// (socketpair's two sockets).
func closeAll(v any) {
	switch x := v.(type) {
	case io.Closer:
		x.Close()
	case py.Tuple:
		for _, item := range x {
			closeAll(item)
		}
	case py.List:
		for _, item := range x {
			closeAll(item)
		}
	}
}

// EvalLine parses and evaluates src and returns the line pysock prints for it.
func EvalLine(src string) string {
	n, err := Parse(src)
	if err != nil {
		return "usage error: " + err.Error()
	}
	return Eval(n).Line()
}
