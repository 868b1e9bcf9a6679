package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/py"
	"github.com/csock/csock/internal/pyexpr"
)

// env is the module as `from socket import *` binds it, backed by the facade.
type env struct{}

func (env) Lookup(name string) (any, bool) { return facade.Constant(name) }
func (env) HasFunc(name string) bool       { return facade.HasFunction(name) }

func (env) Call(name string, args []any, kwargs []pyexpr.KeywordArg) (any, error) {
	kw := make([]facade.Kwarg, len(kwargs))
	for i, k := range kwargs {
		kw[i] = facade.Kwarg{Name: k.Name, Value: k.Value}
	}
	return facade.Call(name, args, kw)
}

// check reports the first unknown name or function in n, so that a usage error stops the
// run before anything is evaluated.
func check(n pyexpr.Node, e env) *pyexpr.UsageError {
	switch n := n.(type) {
	case *pyexpr.Name:
		if _, ok := e.Lookup(n.Name); !ok {
			return &pyexpr.UsageError{Kind: pyexpr.KindUnknownName, Msg: fmt.Sprintf("unknown name '%s'", n.Name), Text: n.Name, Col: n.Start}
		}
	case *pyexpr.Call:
		if !e.HasFunc(n.Func) {
			return &pyexpr.UsageError{Kind: pyexpr.KindUnknownFunction, Msg: fmt.Sprintf("unknown function '%s'", n.Func), Text: n.Func, Col: n.Start}
		}
		for _, a := range n.Args {
			if err := check(a, e); err != nil {
				return err
			}
		}
		for _, k := range n.Keywords {
			if err := check(k.Value, e); err != nil {
				return err
			}
		}
	case *pyexpr.TupleLit:
		for _, x := range n.Elts {
			if err := check(x, e); err != nil {
				return err
			}
		}
	case *pyexpr.ListLit:
		for _, x := range n.Elts {
			if err := check(x, e); err != nil {
				return err
			}
		}
	case *pyexpr.Unary:
		return check(n.X, e)
	case *pyexpr.Binary:
		if err := check(n.X, e); err != nil {
			return err
		}
		return check(n.Y, e)
	}
	return nil
}

// evaluate parses every EXPR, then evaluates them in order, printing each result.
func evaluate(exprs []string, jsonOut bool, stdout, stderr io.Writer) int {
	var e env
	nodes := make([]pyexpr.Node, len(exprs))
	for i, src := range exprs {
		n, err := pyexpr.Parse(src)
		if err == nil {
			if uerr := check(n, e); uerr != nil {
				err = uerr
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "pysock: usage error in EXPR %d: %v\n", i+1, err)
			if u, ok := err.(*pyexpr.UsageError); ok {
				fmt.Fprintf(stderr, "  %s\n  %s\n", src, u.Pointer(src))
			}
			return 2
		}
		nodes[i] = n
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	status := 0
	for _, n := range nodes {
		v, err := pyexpr.Eval(n, e)
		if err == nil {
			var s string
			if s, err = py.ReprChecked(v); err == nil {
				if jsonOut {
					writeJSONValue(out, v, s)
				} else {
					out.WriteString(s)
					out.WriteByte('\n')
				}
				continue
			}
		}
		status = 1
		exc, ok := py.AsException(err)
		if !ok {
			if u, isUsage := err.(*pyexpr.UsageError); isUsage {
				out.Flush()
				fmt.Fprintf(stderr, "pysock: usage error: %v\n", u)
				return 2
			}
			exc = py.NewError("SystemError", err.Error())
		}
		if jsonOut {
			writeJSONError(out, exc)
			continue
		}
		// stdout and stderr interleave in EXPR order.
		out.Flush()
		fmt.Fprintln(stderr, strings.ReplaceAll(py.FormatException(exc), "\n", " "))
	}
	return status
}
