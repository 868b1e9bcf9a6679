package pyexpr

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/csock/csock/py"
)

// testFlag mimics a member (or combination) of the Python IntFlag
// `class Flag(IntFlag): X = 1; Y = 2; Z = 4` of testdata/oracle.py, to
// check the operator hooks against real enums. Like Python's, it keeps
// bits beyond its members and masks negative values to its members.
type testFlag struct{ v *big.Int }

func newFlag(v *big.Int) testFlag {
	if v.Sign() < 0 {
		v = new(big.Int).And(v, big.NewInt(7))
	}
	return testFlag{v}
}

func flagOf(v int64) testFlag { return newFlag(big.NewInt(v)) }

var flagNames = []struct {
	name string
	v    int64
}{{"X", 1}, {"Y", 2}, {"Z", 4}}

func (f testFlag) PyIndex() *big.Int  { return f.v }
func (f testFlag) PyTypeName() string { return "Flag" }
func (f testFlag) PyUnaryOp(op string) (any, bool, error) {
	if op == "~" {
		return newFlag(new(big.Int).And(new(big.Int).Not(f.v), big.NewInt(7))), true, nil
	}
	return nil, false, nil
}

func (f testFlag) PyRepr() string {
	if f.v.Sign() == 0 {
		return "<Flag: 0>"
	}
	var parts []string
	rest := new(big.Int).Set(f.v)
	for _, m := range flagNames {
		if new(big.Int).And(f.v, big.NewInt(m.v)).Sign() != 0 {
			parts = append(parts, m.name)
			rest.AndNot(rest, big.NewInt(m.v))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("<Flag: %s>", f.v)
	}
	if rest.Sign() != 0 {
		parts = append(parts, rest.String())
	}
	return fmt.Sprintf("<Flag.%s: %s>", strings.Join(parts, "|"), f.v)
}

// PyBinaryOp implements IntFlag's | & ^: with another Flag or an int the
// result is a Flag; anything else is left to the int rules.
func (f testFlag) PyBinaryOp(op string, other any, reflected bool) (any, bool, error) {
	if op != "|" && op != "&" && op != "^" {
		return nil, false, nil
	}
	if _, isFloat := other.(float64); isFloat {
		return nil, false, nil
	}
	o, ok := py.AsInt(other)
	if !ok {
		return nil, false, nil
	}
	r := new(big.Int)
	switch op {
	case "|":
		r.Or(f.v, o)
	case "&":
		r.And(f.v, o)
	default:
		r.Xor(f.v, o)
	}
	return newFlag(r), true, nil
}

// testEnum mimics a member of `class Fam(IntEnum): P = 2; Q = 10`: an int
// for every operator, so it implements only py.Indexer.
type testEnum struct {
	name string
	v    int64
}

func (e testEnum) PyIndex() *big.Int  { return big.NewInt(e.v) }
func (e testEnum) PyTypeName() string { return "Fam" }
func (e testEnum) PyRepr() string     { return fmt.Sprintf("<Fam.%s: %d>", e.name, e.v) }

// testEnv is the environment of testdata/oracle.py.
type testEnv struct{}

var testConsts = map[string]any{
	"A": 1, "B": 2, "NEG": -5, "BIG": new(big.Int).Lsh(big.NewInt(1), 100), "S": "abc", "BS": []byte("xy"),
	"T": py.Tuple{1, "a"}, "L": py.List{1, 2}, "F": 1.5, "N": nil, "YES": true,
	"FX": flagOf(1), "FY": flagOf(2), "FZ": flagOf(4), "FAM_P": testEnum{"P", 2}, "FAM_Q": testEnum{"Q", 10},
}

func (testEnv) Lookup(name string) (any, bool) {
	v, ok := testConsts[name]
	return v, ok
}

func (testEnv) HasFunc(name string) bool {
	return name == "tup" || name == "kw" || name == "fail"
}

func (testEnv) Call(name string, args []any, kwargs []KeywordArg) (any, error) {
	switch name {
	case "tup":
		return py.Tuple(args), nil
	case "kw":
		pairs := py.Tuple{}
		for _, k := range kwargs {
			pairs = append(pairs, py.Tuple{k.Name, k.Value})
		}
		return py.Tuple{py.Tuple(args), pairs}, nil
	case "fail":
		return nil, py.NewError("OSError", "[Errno 22] Invalid argument")
	}
	return nil, fmt.Errorf("no function %s", name)
}
