package pyexpr

import (
	"fmt"
	"math/big"
	"unsafe"

	"github.com/csock/csock/py"
)

// BinaryOperand is implemented by values of Python types defined outside
// this package (enum and flag members, for instance) that take part in
// binary operators themselves, like Python's __or__ and __ror__.
//
// PyBinaryOp is called with op one of "|", "^", "&", "<<", ">>", "+", "-",
// "*", "/", "//", "%", "**". reflected is false for `v op other` (__op__)
// and true for `other op v` (__rop__). It returns handled=false, like
// Python's NotImplemented, to let the other operand or the built-in rules
// have a go, or a non-nil err (normally a py.Exception) to raise.
//
// The operands are tried in Python's order: when the other operand is a
// plain int (Python treats the implementing type as an int subclass) the
// reflected method of v goes first; otherwise the left operand's method,
// then the built-in numeric rules (which use [py.Indexer] to read
// int-like values), then the right operand's reflected method, then the
// built-in sequence rules. So an IntFlag member implements PyBinaryOp for
// "|", "&", "^" to return a flag of its own type (handled for ints and
// members of its type, not handled otherwise), and PyIndex so that every
// other operator treats it as an int; an IntEnum member needs only PyIndex.
type BinaryOperand interface {
	PyBinaryOp(op string, other any, reflected bool) (result any, handled bool, err error)
}

// UnaryOperand is implemented by values that define unary operators
// themselves: PyUnaryOp is called with op "-", "+" or "~" and returns
// handled=false to fall back to the built-in rules (which treat a
// [py.Indexer] as an int). An IntFlag member handles "~" to return the
// complement within its flag type.
type UnaryOperand interface {
	PyUnaryOp(op string) (result any, handled bool, err error)
}

// Bounds on the values that operators may build. Where CPython itself
// fails for sizes beyond a machine's reach, the same exception is raised;
// the rest are reported as usage errors of KindLimit.
const (
	// MaxIntBits is the largest int result, in bits.
	MaxIntBits = 1 << 20
	// MaxLen is the longest str (in code points) or bytes result.
	MaxLen = 1 << 22
	// MaxItems is the longest tuple or list result.
	MaxItems = 1 << 20
	// MaxSize bounds the printed size (roughly, the length of repr) of a
	// result, nested tuples and lists counted in full, so that a result
	// made of shared references cannot expand beyond reach when printed.
	MaxSize = 1 << 24
	// MaxWork bounds the total work of the operators of one expression, in
	// rough units of bytes built (bits for int arithmetic), so that many
	// operations on large values cannot add up to minutes.
	MaxWork = 1 << 28
	// memoryErrorBytes is the allocation from which CPython's MemoryError
	// is taken for granted: no machine pysock runs on grants that much.
	memoryErrorBytes = 1 << 36
	maxSsize         = 1<<63 - 1
	// maxLongDigits is CPython's limit on the 30-bit digits of an int.
	maxLongDigits = (maxSsize - 24) / 4
)

// sizer computes the printed size of values, remembering that of the
// tuples and lists it has seen (they may be shared many times).
type sizer struct {
	memo map[seqKey]int
	work int64
}

// charge adds n units of work, failing once the total exceeds MaxWork.
func (z *sizer) charge(n int64) error {
	z.work += n
	if z.work > MaxWork {
		return limitErr("the expression does more work than pysock's limit allows (large values used too many times)")
	}
	return nil
}

type seqKey struct {
	p *any
	n int
}

func limitErr(format string, args ...any) *UsageError {
	return &UsageError{Kind: KindLimit, Msg: fmt.Sprintf(format, args...)}
}

// size returns the approximate length of repr(v), or MaxSize+1 if it is
// larger than MaxSize.
func (z *sizer) size(v any) int {
	switch x := v.(type) {
	case string:
		return len(x) + 2
	case []byte:
		return len(x) + 3
	case *big.Int:
		return x.BitLen()*3/10 + 2
	case py.Tuple:
		return z.seqSize(x)
	case py.List:
		return z.seqSize(x)
	}
	return 8
}

func (z *sizer) seqSize(items []any) int {
	if len(items) == 0 {
		return 2
	}
	key := seqKey{unsafe.SliceData(items), len(items)}
	if n, ok := z.memo[key]; ok {
		return n
	}
	if z.memo == nil {
		z.memo = map[seqKey]int{}
	}
	z.memo[key] = MaxSize + 1 // a sequence that contains itself is endless
	n := 2
	for _, it := range items {
		n += z.size(it) + 2
		if n > MaxSize {
			n = MaxSize + 1
			break
		}
	}
	z.memo[key] = n
	return n
}

func (z *sizer) remember(items []any, n int) {
	if len(items) > 0 {
		if z.memo == nil {
			z.memo = map[seqKey]int{}
		}
		z.memo[seqKey{unsafe.SliceData(items), len(items)}] = n
	}
}

func opName(op string) string {
	if op == "**" {
		return "** or pow()"
	}
	return op
}

func unsupported(op string, a, b any) error {
	return typeErr(fmt.Sprintf("unsupported operand type(s) for %s: '%s' and '%s'", opName(op), py.TypeName(a), py.TypeName(b)))
}

// BinaryOp returns the Python value of `a op b` for op one of | ^ & << >> +
// - * / // % **, with CPython's semantics and error messages, trying the
// [BinaryOperand] hooks as described there. Errors are py.Exceptions,
// except *UsageError for results beyond the package's bounds and for what
// is not supported (printf-style % formatting, complex results); such a
// usage error has no position (Col 0), which Eval fills in.
func BinaryOp(op string, a, b any) (any, error) {
	var z sizer
	return z.binary(op, a, b)
}

// UnaryOp returns the Python value of `op a` for op one of - + ~, trying
// the [UnaryOperand] hook first.
func UnaryOp(op string, a any) (any, error) {
	if h, ok := a.(UnaryOperand); ok {
		if r, handled, err := h.PyUnaryOp(op); handled || err != nil {
			return r, err
		}
	}
	n := asNumber(a)
	switch {
	case n.kind == intNum:
		switch op {
		case "-":
			return py.Int(n.i.Neg(n.i)), nil
		case "+":
			return py.Int(n.i), nil
		case "~":
			return py.Int(n.i.Not(n.i)), nil
		}
	case n.kind == floatNum && op == "-":
		return -n.f, nil
	case n.kind == floatNum && op == "+":
		return n.f, nil
	}
	return nil, typeErr(fmt.Sprintf("bad operand type for unary %s: '%s'", op, py.TypeName(a)))
}

func (z *sizer) binary(op string, a, b any) (any, error) {
	ah, aHook := a.(BinaryOperand)
	bh, bHook := b.(BinaryOperand)
	triedB := false
	if bHook && isPlainInt(a) {
		triedB = true
		if r, ok, err := bh.PyBinaryOp(op, a, true); ok || err != nil {
			return r, err
		}
	}
	if aHook {
		if r, ok, err := ah.PyBinaryOp(op, b, false); ok || err != nil {
			return r, err
		}
	}
	if r, ok, err := z.numericOp(op, a, b); ok || err != nil {
		return r, err
	}
	if bHook && !triedB {
		if r, ok, err := bh.PyBinaryOp(op, a, true); ok || err != nil {
			return r, err
		}
	}
	return z.sequenceOp(op, a, b)
}

// numericOp applies op to two numbers; ok is false when an operand is not
// a number or op does not apply to floats.
func (z *sizer) numericOp(op string, a, b any) (any, bool, error) {
	x, y := asNumber(a), asNumber(b)
	if x.kind == notNum || y.kind == notNum {
		return nil, false, nil
	}
	if x.kind == intNum && y.kind == intNum {
		if ab, ok := a.(bool); ok {
			if bb, ok := b.(bool); ok {
				switch op {
				case "&":
					return ab && bb, true, nil
				case "|":
					return ab || bb, true, nil
				case "^":
					return ab != bb, true, nil
				}
			}
		}
		cost := int64(max(x.i.BitLen(), y.i.BitLen()))
		switch op {
		case "*", "/", "//", "%", "**":
			cost *= 8
		}
		if err := z.charge(cost); err != nil {
			return nil, true, err
		}
		r, err := intOp(op, x.i, y.i)
		if err == nil {
			if ri, ok := r.(*big.Int); ok {
				err = z.charge(int64(ri.BitLen()))
			}
		}
		return r, true, err
	}
	switch op {
	case "|", "^", "&", "<<", ">>":
		return nil, false, nil
	}
	fx, err := x.float()
	if err != nil {
		return nil, true, err
	}
	fy, err := y.float()
	if err != nil {
		return nil, true, err
	}
	r, err := floatOp(op, fx, fy)
	return r, true, err
}

func floatOp(op string, x, y float64) (any, error) {
	switch op {
	case "+":
		return x + y, nil
	case "-":
		return x - y, nil
	case "*":
		return x * y, nil
	case "/":
		if y == 0 {
			return nil, pyErr("ZeroDivisionError", "float division by zero")
		}
		return x / y, nil
	case "//":
		if y == 0 {
			return nil, pyErr("ZeroDivisionError", "float floor division by zero")
		}
		d, _ := floatDivMod(x, y)
		return d, nil
	case "%":
		if y == 0 {
			return nil, pyErr("ZeroDivisionError", "float modulo")
		}
		_, m := floatDivMod(x, y)
		return m, nil
	case "**":
		r, err := floatPow(x, y)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	panic("pyexpr: unknown operator " + op)
}

func checkIntBits(r *big.Int) (any, error) {
	if r.BitLen() > MaxIntBits {
		return nil, limitErr("int result of %d bits is over pysock's limit of %d bits", r.BitLen(), MaxIntBits)
	}
	return py.Int(r), nil
}

var bigMaxSsize = big.NewInt(maxSsize)

func intOp(op string, x, y *big.Int) (any, error) {
	switch op {
	case "+":
		return checkIntBits(x.Add(x, y))
	case "-":
		return checkIntBits(x.Sub(x, y))
	case "*":
		if x.BitLen()+y.BitLen() > MaxIntBits+1 {
			return nil, limitErr("int product of about %d bits is over pysock's limit of %d bits", x.BitLen()+y.BitLen(), MaxIntBits)
		}
		return checkIntBits(x.Mul(x, y))
	case "/":
		return trueDivide(x, y)
	case "//", "%":
		if y.Sign() == 0 {
			if op == "//" {
				return nil, pyErr("ZeroDivisionError", "integer division or modulo by zero")
			}
			return nil, pyErr("ZeroDivisionError", "integer modulo by zero")
		}
		q, r := floorDivMod(x, y)
		if op == "//" {
			return py.Int(q), nil
		}
		return py.Int(r), nil
	case "&":
		return py.Int(x.And(x, y)), nil
	case "|":
		return py.Int(x.Or(x, y)), nil
	case "^":
		return py.Int(x.Xor(x, y)), nil
	case ">>":
		if y.Sign() < 0 {
			return nil, pyErr("ValueError", "negative shift count")
		}
		if !y.IsInt64() || y.Int64() > int64(x.BitLen()) {
			if x.Sign() < 0 {
				return -1, nil
			}
			return 0, nil
		}
		return py.Int(x.Rsh(x, uint(y.Int64()))), nil
	case "<<":
		return leftShift(x, y)
	case "**":
		return intPow(x, y)
	}
	panic("pyexpr: unknown operator " + op)
}

// leftShift returns x << n, with CPython's errors for shift counts beyond
// any machine.
func leftShift(x, n *big.Int) (any, error) {
	if n.Sign() < 0 {
		return nil, pyErr("ValueError", "negative shift count")
	}
	if x.Sign() == 0 {
		return 0, nil
	}
	// CPython counts 30-bit digits: the result has size(x) + n/30 digits,
	// plus one if n%30 != 0; shift counts too large for that sum are
	// clipped so that the sum is always too large.
	word, rem := new(big.Int).QuoRem(n, big.NewInt(30), new(big.Int))
	if word.Cmp(big.NewInt(maxSsize/4)) >= 0 {
		return nil, pyErr("OverflowError", "too many digits in integer")
	}
	digits := new(big.Int).Add(word, big.NewInt(int64((x.BitLen()+29)/30)))
	if rem.Sign() != 0 {
		digits.Add(digits, big.NewInt(1))
	}
	if digits.Cmp(big.NewInt(maxLongDigits)) > 0 {
		return nil, pyErr("OverflowError", "too many digits in integer")
	}
	if digits.Cmp(big.NewInt(memoryErrorBytes/4)) >= 0 {
		return nil, pyErr("MemoryError", "")
	}
	bits := int64(x.BitLen()) + n.Int64()
	if bits > MaxIntBits {
		return nil, limitErr("int result of %d bits is over pysock's limit of %d bits", bits, MaxIntBits)
	}
	return py.Int(x.Lsh(x, uint(n.Int64()))), nil
}

// intPow returns x ** y for ints: an int for y >= 0, else a float.
func intPow(x, y *big.Int) (any, error) {
	if y.Sign() < 0 {
		fx, err := toFloat(x)
		if err != nil {
			return nil, err
		}
		fy, err := toFloat(y)
		if err != nil {
			return nil, err
		}
		r, err := floatPow(fx, fy)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	switch {
	case y.Sign() == 0:
		return 1, nil
	case x.Sign() == 0:
		return 0, nil
	case x.IsInt64() && x.Int64() == 1:
		return 1, nil
	case x.IsInt64() && x.Int64() == -1:
		if y.Bit(0) == 1 {
			return -1, nil
		}
		return 1, nil
	}
	// |x| >= 2: the result has more than (bits(x)-1)*y bits.
	if !y.IsInt64() || (int64(x.BitLen())-1)*y.Int64() > MaxIntBits || y.Int64() > MaxIntBits {
		return nil, limitErr("int power %s ** %s is over pysock's limit of %d bits", shortInt(x), shortInt(y), MaxIntBits)
	}
	return checkIntBits(x.Exp(x, y, nil))
}

// shortInt writes an int for an error message, abridging long ones.
func shortInt(x *big.Int) string {
	if x.BitLen() > 64 {
		return fmt.Sprintf("<int of %d bits>", x.BitLen())
	}
	return x.String()
}

// asIndex reads v as a sequence repetition count: ok is false when v is
// not an int.
func asIndex(v any) (*big.Int, bool) {
	return py.AsInt(v)
}

func (z *sizer) sequenceOp(op string, a, b any) (any, error) {
	switch op {
	case "+":
		return z.concat(a, b)
	case "*":
		if isSequence(a) {
			return z.repeatBy(a, b)
		}
		if isSequence(b) {
			return z.repeatBy(b, a)
		}
	case "%":
		switch a.(type) {
		case string, []byte:
			return nil, &UsageError{Kind: KindUnsupported, Msg: "printf-style formatting with '%' is not supported"}
		}
	}
	return nil, unsupported(op, a, b)
}

func isSequence(v any) bool {
	switch v.(type) {
	case string, []byte, py.Tuple, py.List:
		return true
	}
	return false
}

func (z *sizer) concat(a, b any) (any, error) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return nil, typeErr(fmt.Sprintf("can only concatenate str (not \"%s\") to str", py.TypeName(b)))
		}
		if err := z.charge(int64(len(x) + len(y))); err != nil {
			return nil, err
		}
		x, y = py.Canonical(x), py.Canonical(y)
		if n := py.Len(x) + py.Len(y); n > MaxLen {
			return nil, limitErr("str result of %d characters is over pysock's limit of %d", n, MaxLen)
		}
		return x + y, nil
	case []byte:
		y, ok := b.([]byte)
		if !ok {
			return nil, typeErr(fmt.Sprintf("can't concat %s to bytes", py.TypeName(b)))
		}
		if err := z.charge(int64(len(x) + len(y))); err != nil {
			return nil, err
		}
		if n := len(x) + len(y); n > MaxLen {
			return nil, limitErr("bytes result of %d bytes is over pysock's limit of %d", n, MaxLen)
		}
		return append(append(make([]byte, 0, len(x)+len(y)), x...), y...), nil
	case py.Tuple:
		y, ok := b.(py.Tuple)
		if !ok {
			return nil, typeErr(fmt.Sprintf("can only concatenate tuple (not \"%s\") to tuple", py.TypeName(b)))
		}
		r, err := z.joinItems(x, y)
		return py.Tuple(r), err
	case py.List:
		y, ok := b.(py.List)
		if !ok {
			return nil, typeErr(fmt.Sprintf("can only concatenate list (not \"%s\") to list", py.TypeName(b)))
		}
		r, err := z.joinItems(x, y)
		return py.List(r), err
	}
	return nil, unsupported("+", a, b)
}

func (z *sizer) joinItems(x, y []any) ([]any, error) {
	if err := z.charge(8 * int64(len(x)+len(y))); err != nil {
		return nil, err
	}
	if n := len(x) + len(y); n > MaxItems {
		return nil, limitErr("result of %d items is over pysock's limit of %d", n, MaxItems)
	}
	size := z.seqSize(x) + z.seqSize(y)
	if size > MaxSize {
		return nil, limitErr("result of printed size %d is over pysock's limit of %d", size, MaxSize)
	}
	r := append(append(make([]any, 0, len(x)+len(y)), x...), y...)
	z.remember(r, size)
	return r, nil
}

// strWidth returns the bytes per character CPython uses to store s.
func strWidth(s string) int64 {
	w := int64(1)
	// Ranging over s reads an encoded surrogate as U+FFFD: both are
	// stored in 2 bytes by CPython.
	for _, r := range s {
		switch {
		case r > 0xFFFF:
			return 4
		case r > 0xFF:
			w = 2
		}
	}
	return w
}

// repeatBy returns seq * count with CPython's checks, in CPython's order.
func (z *sizer) repeatBy(seq, count any) (any, error) {
	c, ok := asIndex(count)
	if !ok {
		return nil, typeErr(fmt.Sprintf("can't multiply sequence by non-int of type '%s'", py.TypeName(count)))
	}
	if c.Cmp(bigMaxSsize) > 0 || c.Cmp(new(big.Int).Neg(new(big.Int).Add(bigMaxSsize, big.NewInt(1)))) < 0 {
		return nil, pyErr("OverflowError", fmt.Sprintf("cannot fit '%s' into an index-sized integer", py.TypeName(count)))
	}
	n := c.Int64()
	if n < 0 {
		n = 0
	}
	var length, itemBytes int64
	var overflow error
	switch s := seq.(type) {
	case string:
		seq = py.Canonical(s)
		length = int64(py.Len(seq.(string)))
		itemBytes = strWidth(seq.(string))
		overflow = pyErr("OverflowError", "repeated string is too long")
	case []byte:
		length, itemBytes = int64(len(s)), 1
		overflow = pyErr("OverflowError", "repeated bytes are too long")
	case py.Tuple:
		length, itemBytes = int64(len(s)), 8
		overflow = pyErr("MemoryError", "")
	case py.List:
		length, itemBytes = int64(len(s)), 8
		overflow = pyErr("MemoryError", "")
	}
	if n == 0 || length == 0 {
		return emptyLike(seq), nil
	}
	if length > maxSsize/n {
		return nil, overflow
	}
	total := length * n
	if total > memoryErrorBytes/itemBytes {
		return nil, pyErr("MemoryError", "")
	}
	switch s := seq.(type) {
	case string:
		if total > MaxLen {
			return nil, limitErr("str result of %d characters is over pysock's limit of %d", total, MaxLen)
		}
		if err := z.charge(int64(len(s)) * n); err != nil {
			return nil, err
		}
		out := make([]byte, 0, int64(len(s))*n)
		for i := int64(0); i < n; i++ {
			out = append(out, s...)
		}
		return string(out), nil
	case []byte:
		if total > MaxLen {
			return nil, limitErr("bytes result of %d bytes is over pysock's limit of %d", total, MaxLen)
		}
		if err := z.charge(total); err != nil {
			return nil, err
		}
		out := make([]byte, 0, total)
		for i := int64(0); i < n; i++ {
			out = append(out, s...)
		}
		return out, nil
	case py.Tuple:
		r, err := z.repeatItems(s, n)
		return py.Tuple(r), err
	case py.List:
		r, err := z.repeatItems(s, n)
		return py.List(r), err
	}
	panic("unreachable")
}

func (z *sizer) repeatItems(s []any, n int64) ([]any, error) {
	total := int64(len(s)) * n
	if total > MaxItems {
		return nil, limitErr("result of %d items is over pysock's limit of %d", total, MaxItems)
	}
	size := int64(z.seqSize(s)) * n
	if size > MaxSize {
		return nil, limitErr("result of printed size %d is over pysock's limit of %d", size, MaxSize)
	}
	if err := z.charge(8 * total); err != nil {
		return nil, err
	}
	out := make([]any, 0, total)
	for i := int64(0); i < n; i++ {
		out = append(out, s...)
	}
	z.remember(out, int(size))
	return out, nil
}

func emptyLike(seq any) any {
	switch seq.(type) {
	case string:
		return ""
	case []byte:
		return []byte{}
	case py.Tuple:
		return py.Tuple{}
	}
	return py.List{}
}
