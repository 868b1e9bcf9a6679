package pyexpr

import (
	"math"
	"math/big"
	"sync"
)

// C's pow(), which CPython calls, is correctly rounded in practice on the
// platforms csock targets (glibc's pow is accurate to well within half an
// ulp plus a tiny margin); Go's math.Pow is not, and differs in the last
// digit for many arguments. So powers are computed here with extra
// precision and rounded once.

// powPrec is the working precision, in bits, of the general case.
const powPrec = 192

// maxExactExponent bounds the integer exponents computed exactly.
const maxExactExponent = 2048

var (
	ln2Once sync.Once
	ln2     *big.Float
)

func newFloat() *big.Float { return new(big.Float).SetPrec(powPrec) }

// powPositive returns x ** y, correctly rounded, for a finite x > 0,
// x != 1 and a finite y != 0. Overflow gives +Inf, underflow 0 or a
// subnormal.
func powPositive(x, y float64) float64 {
	if y == math.Trunc(y) && math.Abs(y) <= maxExactExponent {
		return powInt(x, int(y))
	}
	ln2Once.Do(func() { ln2 = logSeries(new(big.Float).SetPrec(powPrec + 64).SetInt64(2)) })
	// t = y * ln(x)
	t := newFloat().Mul(newFloat().SetFloat64(y), logFloat(x))
	if tf, _ := t.Float64(); tf > 1000 {
		return math.Inf(1)
	} else if tf < -1000 {
		return 0
	}
	return expFloat(t)
}

// powInt returns x ** n exactly rounded: the power is exact in big.Float
// for n >= 0, and a 1/x**-n quotient far more precise than a float64
// otherwise.
func powInt(x float64, n int) float64 {
	neg := n < 0
	if neg {
		n = -n
	}
	base := new(big.Float).SetFloat64(x) // exact, 53 bits
	prec := uint(53*n + 64)
	acc := new(big.Float).SetPrec(prec).SetInt64(1)
	b := new(big.Float).SetPrec(prec).Set(base)
	for k := n; k > 0; k >>= 1 {
		if k&1 == 1 {
			acc.Mul(acc, b)
		}
		if k > 1 {
			b.Mul(b, b)
		}
	}
	if neg {
		acc = new(big.Float).SetPrec(256).Quo(new(big.Float).SetPrec(256).SetInt64(1), acc)
	}
	f, _ := acc.Float64()
	return f
}

// logFloat returns ln(x) for x > 0 at powPrec bits.
func logFloat(x float64) *big.Float {
	frac, exp := math.Frexp(x) // x = frac * 2**exp, frac in [0.5, 1)
	if frac < math.Sqrt2/2 {
		frac *= 2
		exp--
	}
	m := new(big.Float).SetPrec(powPrec + 64).SetFloat64(frac)
	r := logSeries(m)
	r.Add(r, new(big.Float).SetPrec(powPrec+64).Mul(ln2, new(big.Float).SetInt64(int64(exp))))
	return r
}

// logSeries returns ln(m) = 2 atanh((m-1)/(m+1)) at m's precision; it
// converges quickly for m near 1.
func logSeries(m *big.Float) *big.Float {
	prec := m.Prec()
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	num := new(big.Float).SetPrec(prec).Sub(m, one)
	den := new(big.Float).SetPrec(prec).Add(m, one)
	z := new(big.Float).SetPrec(prec).Quo(num, den)
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	sum := new(big.Float).SetPrec(prec).Set(z)
	term := new(big.Float).SetPrec(prec).Set(z)
	limit := -int(prec) - 8
	for k := int64(3); ; k += 2 {
		term.Mul(term, z2)
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < limit {
			break
		}
		sum.Add(sum, new(big.Float).SetPrec(prec).Quo(term, new(big.Float).SetInt64(k)))
	}
	return sum.Mul(sum, new(big.Float).SetInt64(2))
}

// expFloat returns e**t rounded to float64, for |t| <= 1000.
func expFloat(t *big.Float) float64 {
	prec := uint(powPrec)
	// t = k ln2 + r with |r| <= ln2/2.
	q := new(big.Float).SetPrec(prec).Quo(t, ln2)
	qf, _ := q.Float64()
	k := math.Round(qf)
	r := new(big.Float).SetPrec(prec).Sub(t, new(big.Float).SetPrec(prec).Mul(ln2, new(big.Float).SetFloat64(k)))
	// e**r = (e**(r/2**s))**(2**s), the inner one by its Taylor series.
	const s = 16
	r.SetMantExp(r, -s)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for i := int64(1); ; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(i))
		if term.Sign() == 0 || term.MantExp(nil) < -int(prec)-8 {
			break
		}
		sum.Add(sum, term)
	}
	for i := 0; i < s; i++ {
		sum.Mul(sum, sum)
	}
	sum.SetMantExp(sum, int(k))
	f, _ := sum.Float64()
	return f
}
