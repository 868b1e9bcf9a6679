package pyexpr

import (
	"math/big"

	"github.com/csock/csock/py"
)

// Env supplies the names and functions of the module an expression is
// evaluated against, as `from socket import *` does for pysock.
type Env interface {
	// Lookup returns the value of a constant such as AF_INET.
	Lookup(name string) (any, bool)
	// Call calls the function name with positional arguments args and
	// keyword arguments kwargs (in source order). Its error is returned
	// by Eval as is: normally a py.Exception such as TypeError.
	Call(name string, args []any, kwargs []KeywordArg) (any, error)
	// HasFunc reports whether name is a function Call accepts.
	HasFunc(name string) bool
}

// KeywordArg is a keyword argument of a call, name=Value.
type KeywordArg struct {
	Name  string
	Value any
}

// Eval evaluates the tree n against env and returns its Python value, held
// by the conventions of package py (ints as int or *big.Int, tuples as
// py.Tuple…).
//
// Every name and called function is checked against env before anything
// is evaluated, so an unknown one is reported as a *UsageError (never as
// Python's NameError) and no function is called. Errors raised while
// evaluating are py.Exceptions from the operators or whatever env.Call
// returns; results beyond the bounds of this package (MaxIntBits, MaxLen,
// MaxItems, MaxSize) and unsupported operations are *UsageErrors.
func Eval(n Node, env Env) (any, error) {
	e := &evaluator{env: env, consts: map[string]any{}}
	if err := e.resolve(n, 0); err != nil {
		return nil, err
	}
	return e.eval(n, 0)
}

// Check reports, as Eval would before evaluating anything, the first name
// or called function of n that env lacks: a *UsageError locating it, or
// nil. It evaluates nothing, so a caller can check every expression of a
// batch before running the first.
func Check(n Node, env Env) error {
	e := &evaluator{env: env, consts: map[string]any{}}
	return e.resolve(n, 0)
}

type evaluator struct {
	env    Env
	consts map[string]any
	sizer
}

func (e *evaluator) resolve(n Node, depth int) error {
	if depth > MaxDepth {
		return usageErr(KindLimit, n.Pos(), "", "expression nested more than %d levels deep", MaxDepth)
	}
	switch n := n.(type) {
	case *Name:
		if _, ok := e.consts[n.Name]; ok {
			return nil
		}
		if e.env != nil {
			if v, ok := e.env.Lookup(n.Name); ok {
				e.consts[n.Name] = v
				return nil
			}
			if e.env.HasFunc(n.Name) {
				return usageErr(KindUnsupported, n.Start, n.Name,
					"%s is a function: call it, as in %s(...)", quote(n.Name), n.Name)
			}
		}
		return usageErr(KindUnknownName, n.Start, n.Name, "unknown name %s", quote(n.Name))
	case *Call:
		if e.env == nil || !e.env.HasFunc(n.Func) {
			if e.env != nil {
				if _, ok := e.env.Lookup(n.Func); ok {
					return usageErr(KindUnknownFunction, n.Start, n.Func, "%s is not a function", quote(n.Func))
				}
			}
			return usageErr(KindUnknownFunction, n.Start, n.Func, "unknown function %s", quote(n.Func))
		}
		for _, a := range n.Args {
			if err := e.resolve(a, depth+1); err != nil {
				return err
			}
		}
		seen := map[string]bool{}
		for _, k := range n.Keywords {
			if seen[k.Name] {
				return usageErr(KindSyntax, k.Start, k.Name, "keyword argument repeated: %s", quote(k.Name))
			}
			seen[k.Name] = true
			if err := e.resolve(k.Value, depth+1); err != nil {
				return err
			}
		}
	case *Unary:
		return e.resolve(n.X, depth+1)
	case *Binary:
		if err := e.resolve(n.X, depth+1); err != nil {
			return err
		}
		return e.resolve(n.Y, depth+1)
	case *TupleLit:
		for _, x := range n.Elts {
			if err := e.resolve(x, depth+1); err != nil {
				return err
			}
		}
	case *ListLit:
		for _, x := range n.Elts {
			if err := e.resolve(x, depth+1); err != nil {
				return err
			}
		}
	case *Const:
	case nil:
		return &UsageError{Kind: KindSyntax, Msg: "empty expression", Col: 1}
	default:
		return usageErr(KindSyntax, 0, "", "unknown node type %T", n)
	}
	return nil
}

// locate gives a usage error raised by an operator the position of the
// operator.
func locate(err error, pos int, text string) error {
	if u, ok := err.(*UsageError); ok && u.Col == 0 {
		c := *u
		c.Col, c.Text = pos+1, text
		if c.Text != "" {
			c.Msg += " (operator " + quote(text) + ")"
		}
		return &c
	}
	return err
}

func (e *evaluator) eval(n Node, depth int) (any, error) {
	switch n := n.(type) {
	case *Const:
		switch v := n.Value.(type) {
		case *big.Int:
			return py.Int(new(big.Int).Set(v)), nil
		case []byte:
			return append([]byte{}, v...), nil
		}
		return n.Value, nil
	case *Name:
		return e.consts[n.Name], nil
	case *Unary:
		x, err := e.eval(n.X, depth+1)
		if err != nil {
			return nil, err
		}
		r, err := UnaryOp(n.Op, x)
		return r, locate(err, n.Start, n.Op)
	case *Binary:
		x, err := e.eval(n.X, depth+1)
		if err != nil {
			return nil, err
		}
		y, err := e.eval(n.Y, depth+1)
		if err != nil {
			return nil, err
		}
		r, err := e.binary(n.Op, x, y)
		return r, locate(err, n.OpPos, n.Op)
	case *TupleLit:
		items, err := e.items(n.Elts, n.Start, depth)
		return py.Tuple(items), err
	case *ListLit:
		items, err := e.items(n.Elts, n.Start, depth)
		return py.List(items), err
	case *Call:
		args := make([]any, 0, len(n.Args))
		for _, a := range n.Args {
			v, err := e.eval(a, depth+1)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
		var kwargs []KeywordArg
		for _, k := range n.Keywords {
			v, err := e.eval(k.Value, depth+1)
			if err != nil {
				return nil, err
			}
			kwargs = append(kwargs, KeywordArg{Name: k.Name, Value: v})
		}
		return e.env.Call(n.Func, args, kwargs)
	}
	return nil, usageErr(KindSyntax, 0, "", "unknown node type %T", n)
}

func (e *evaluator) items(elts []Node, pos, depth int) ([]any, error) {
	items := make([]any, 0, len(elts))
	size := 2
	for _, x := range elts {
		v, err := e.eval(x, depth+1)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		size += e.size(v) + 2
		if size > MaxSize {
			return nil, usageErr(KindLimit, pos, "", "result of printed size over pysock's limit of %d", MaxSize)
		}
	}
	if err := e.charge(8 * int64(len(items))); err != nil {
		return nil, locate(err, pos, "")
	}
	e.remember(items, size)
	return items, nil
}

// EvalString parses src and evaluates it against env: Parse then Eval.
func EvalString(src string, env Env) (any, error) {
	n, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return Eval(n, env)
}
