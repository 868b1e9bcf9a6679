package pyexpr

import (
	"math"
	"math/big"

	"github.com/csock/csock/py"
)

// numKind classifies an operand for the numeric operators.
type numKind int

const (
	notNum numKind = iota
	intNum
	floatNum
)

// number is an operand read as a Python number.
type number struct {
	kind numKind
	i    *big.Int // intNum: the value (a fresh copy, safe to modify)
	f    float64  // floatNum
}

// asNumber reads v as an int (Go integers, *big.Int, bool, py.Indexer) or a
// float.
func asNumber(v any) number {
	switch x := v.(type) {
	case float64:
		return number{kind: floatNum, f: x}
	case float32:
		return number{kind: floatNum, f: float64(x)}
	}
	if i, ok := py.AsInt(v); ok {
		return number{kind: intNum, i: i}
	}
	return number{}
}

// isPlainInt reports whether v is of Python's exact type int (not bool, not
// an int subclass such as an enum).
func isPlainInt(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr, *big.Int:
		return true
	}
	return false
}

func pyErr(class, msg string) error { return py.NewError(class, msg) }

func typeErr(msg string) error { return py.NewError("TypeError", msg) }

// toFloat converts an int to a float as CPython does: correctly rounded,
// OverflowError when out of range.
func toFloat(i *big.Int) (float64, error) {
	if i.IsInt64() {
		if v := i.Int64(); v >= -1<<53 && v <= 1<<53 {
			return float64(v), nil
		}
	}
	f, _ := new(big.Float).SetInt(i).Float64()
	if math.IsInf(f, 0) {
		return 0, pyErr("OverflowError", "int too large to convert to float")
	}
	return f, nil
}

func (n number) float() (float64, error) {
	if n.kind == floatNum {
		return n.f, nil
	}
	return toFloat(n.i)
}

// trueDivide returns a / b for ints, correctly rounded as CPython does.
func trueDivide(a, b *big.Int) (any, error) {
	if b.Sign() == 0 {
		return nil, pyErr("ZeroDivisionError", "division by zero")
	}
	if a.IsInt64() && b.IsInt64() {
		x, y := a.Int64(), b.Int64()
		if x >= -1<<53 && x <= 1<<53 && y >= -1<<53 && y <= 1<<53 {
			return float64(x) / float64(y), nil
		}
	}
	neg := (a.Sign() < 0) != (b.Sign() < 0)
	num := new(big.Int).Abs(a)
	den := new(big.Int).Abs(b)
	if num.Sign() == 0 {
		if neg {
			return math.Copysign(0, -1), nil
		}
		return 0.0, nil
	}
	// Scale so that the quotient has at least 55 bits, then keep a sticky
	// bit for the remainder: one rounding of that to float64 is exact.
	s := 56 - (num.BitLen() - den.BitLen())
	if s >= 0 {
		num.Lsh(num, uint(s))
	} else {
		den.Lsh(den, uint(-s))
	}
	q, r := num.QuoRem(num, den, new(big.Int))
	q.Lsh(q, 1)
	if r.Sign() != 0 {
		q.SetBit(q, 0, 1)
	}
	f := new(big.Float).SetInt(q)
	f.SetMantExp(f, -s-1)
	if neg {
		f.Neg(f)
	}
	v, _ := f.Float64()
	if math.IsInf(v, 0) {
		return nil, pyErr("OverflowError", "integer division result too large for a float")
	}
	return v, nil
}

// floorDivMod returns Python's a // b and a % b for ints (b != 0): the
// quotient rounded toward minus infinity and the remainder with the sign
// of b.
func floorDivMod(a, b *big.Int) (*big.Int, *big.Int) {
	q, r := new(big.Int).QuoRem(a, b, new(big.Int))
	if r.Sign() != 0 && (r.Sign() < 0) != (b.Sign() < 0) {
		q.Sub(q, big.NewInt(1))
		r.Add(r, b)
	}
	return q, r
}

// floatDivMod returns Python's x // y and x % y for floats (y != 0).
func floatDivMod(x, y float64) (float64, float64) {
	mod := math.Mod(x, y)
	div := (x - mod) / y
	if mod != 0 {
		if (y < 0) != (mod < 0) {
			mod += y
			div -= 1
		}
	} else {
		mod = math.Copysign(0, y)
	}
	var floordiv float64
	if div != 0 {
		floordiv = math.Floor(div)
		if div-floordiv > 0.5 {
			floordiv++
		}
	} else {
		floordiv = math.Copysign(0, x/y)
	}
	return floordiv, mod
}

// isOddInteger reports whether the float y is an odd integer.
func isOddInteger(y float64) bool {
	if math.IsInf(y, 0) || y != math.Floor(y) {
		return false
	}
	return math.Mod(y, 2) != 0
}

// floatPow returns x ** y for floats with CPython's rules for the special
// cases and errors.
func floatPow(x, y float64) (float64, error) {
	switch {
	case y == 0:
		return 1, nil
	case math.IsNaN(x):
		return x, nil
	case math.IsNaN(y):
		if x == 1 {
			return 1, nil
		}
		return y, nil
	case math.IsInf(y, 0):
		ax := math.Abs(x)
		switch {
		case ax == 1:
			return 1, nil
		case (y > 0) == (ax > 1):
			return math.Inf(1), nil
		}
		return 0, nil
	case math.IsInf(x, 0):
		odd := isOddInteger(y)
		if x > 0 {
			if y > 0 {
				return x, nil
			}
			return 0, nil
		}
		if y > 0 {
			if odd {
				return x, nil
			}
			return math.Inf(1), nil
		}
		if odd {
			return math.Copysign(0, -1), nil
		}
		return 0, nil
	case x == 0:
		if y < 0 {
			return 0, pyErr("ZeroDivisionError", "0.0 cannot be raised to a negative power")
		}
		if isOddInteger(y) {
			return x, nil
		}
		return 0, nil
	}
	negate := false
	if x < 0 {
		if y != math.Floor(y) {
			return 0, errComplex
		}
		negate = isOddInteger(y)
		x = -x
	}
	var r float64
	if x == 1 {
		r = 1
	} else {
		r = powPositive(x, y)
		if math.IsInf(r, 0) {
			return 0, pyErr("OverflowError", "(34, 'Numerical result out of range')")
		}
	}
	if negate {
		r = -r
	}
	return r, nil
}

// errComplex marks a power whose result would be complex.
var errComplex = &UsageError{Kind: KindUnsupported, Msg: "complex results (a negative number to a fractional power) are not supported"}
