//go:build linux

package facade

//go:generate python3 gen_consts.py

import (
	"fmt"

	"github.com/csock/csock/py"
	"math/big"
	"strconv"
	"strings"
)

// enumMember is one member of a CPython enum: its name and value.
type enumMember struct {
	name  string
	value int
}

// enumName returns the canonical member name of value in members.
func enumName(members []enumMember, value int) (string, bool) {
	for _, m := range members {
		if m.value == value {
			return m.name, true
		}
	}
	return "", false
}

// AddressFamily is CPython's socket.AddressFamily, an IntEnum of the AF_* constants.
// String returns the member name ("AF_INET"); in Python, repr is
// "<AddressFamily.AF_INET: 2>" and, in 3.11, str is "2".
type AddressFamily int

// SocketKind is CPython's socket.SocketKind, an IntEnum of the SOCK_* constants.
type SocketKind int

// MsgFlag is CPython's socket.MsgFlag, an IntFlag of the MSG_* constants. As in Python,
// | & ^ and ~ with an int give a MsgFlag that keeps the bits no member has; a result of
// 2**63 or more (MSG_PEEK|2**63) is held by an unexported type that is a MsgFlag to
// Python (its PyTypeName, PyRepr and PyIndex), since it does not fit in a MsgFlag.
type MsgFlag int

// AddressInfo is CPython's socket.AddressInfo, an IntFlag of the AI_* constants, with
// MsgFlag's arithmetic.
type AddressInfo int

func (f AddressFamily) String() string { return enumString(addressFamilyMembers, int(f)) }
func (k SocketKind) String() string    { return enumString(socketKindMembers, int(k)) }
func (f MsgFlag) String() string       { return msgFlags.goString(f.PyIndex()) }
func (f AddressInfo) String() string   { return addressInfos.goString(f.PyIndex()) }

// PyRepr returns CPython's repr, "<AddressFamily.AF_INET: 2>".
func (f AddressFamily) PyRepr() string {
	return enumRepr("AddressFamily", addressFamilyMembers, int(f))
}

// PyRepr returns CPython's repr, "<SocketKind.SOCK_STREAM: 1>".
func (k SocketKind) PyRepr() string { return enumRepr("SocketKind", socketKindMembers, int(k)) }

// PyRepr returns CPython's repr, "<MsgFlag.MSG_OOB|MSG_PEEK: 3>", of MsgFlag(f) (a
// negative f is brought into range as CPython's constructor brings it).
func (f MsgFlag) PyRepr() string { return msgFlags.repr(f.PyIndex()) }

// PyRepr returns CPython's repr, "<AddressInfo.AI_PASSIVE|AI_CANONNAME: 3>", of
// AddressInfo(f).
func (f AddressInfo) PyRepr() string { return addressInfos.repr(f.PyIndex()) }

// PyStr returns CPython 3.11's str of an IntEnum or IntFlag member: the number.
func (f AddressFamily) PyStr() string { return strconv.Itoa(int(f)) }

// PyStr returns the number, as CPython 3.11's str does.
func (k SocketKind) PyStr() string { return strconv.Itoa(int(k)) }

// PyStr returns the number, as CPython 3.11's str does (of MsgFlag(f): a negative f is
// brought into range as in PyRepr).
func (f MsgFlag) PyStr() string { return msgFlags.normalize(f.PyIndex()).String() }

// PyStr returns the number, as CPython 3.11's str does (of AddressInfo(f), as PyRepr).
func (f AddressInfo) PyStr() string { return addressInfos.normalize(f.PyIndex()).String() }

// PyTypeName returns "AddressFamily".
func (AddressFamily) PyTypeName() string { return "AddressFamily" }

// PyTypeName returns "SocketKind".
func (SocketKind) PyTypeName() string { return "SocketKind" }

// PyTypeName returns "MsgFlag".
func (MsgFlag) PyTypeName() string { return "MsgFlag" }

// PyTypeName returns "AddressInfo".
func (AddressInfo) PyTypeName() string { return "AddressInfo" }

// PyIndex returns the value: the members are ints to Python.
func (f AddressFamily) PyIndex() *big.Int { return big.NewInt(int64(f)) }

// PyIndex returns the value.
func (k SocketKind) PyIndex() *big.Int { return big.NewInt(int64(k)) }

// PyIndex returns the value.
func (f MsgFlag) PyIndex() *big.Int { return big.NewInt(int64(f)) }

// PyIndex returns the value.
func (f AddressInfo) PyIndex() *big.Int { return big.NewInt(int64(f)) }

func enumString(members []enumMember, v int) string {
	if name, ok := enumName(members, v); ok {
		return name
	}
	return strconv.Itoa(v)
}

func enumRepr(class string, members []enumMember, v int) string {
	if name, ok := enumName(members, v); ok {
		return fmt.Sprintf("<%s.%s: %d>", class, name, v)
	}
	return strconv.Itoa(v)
}

// flagClass is one of CPython's IntFlag classes of the socket module (MsgFlag,
// AddressInfo): what Python's enum machinery computes for it once, and the Go type that
// holds its values when they fit in an int.
//
// Its values follow CPython 3.11's enum.py, where IntFlag has the boundary KEEP: an int
// with bits no member has becomes a pseudo-member that keeps them (repr
// "<AddressInfo.AI_CANONNAME|9223372036854775808: 9223372036854775810>"), however big,
// and a negative int is brought to a non-negative one by Flag._missing_.
type flagClass struct {
	name    string
	members []enumMember // single-bit members, in ascending value order
	// allBits is CPython's _all_bits_, 2**(bit length of the highest member) - 1;
	// flagMask its _flag_mask_, the members' bits; skipped the bits in between.
	allBits, flagMask, skipped *big.Int
	// small returns the Go value of the class for v (MsgFlag(v)).
	small func(v int) any
}

// msgFlags and addressInfos are the socket module's IntFlag classes.
var (
	msgFlags     = newFlagClass("MsgFlag", msgFlagMembers, func(v int) any { return MsgFlag(v) })
	addressInfos = newFlagClass("AddressInfo", addressInfoMembers, func(v int) any { return AddressInfo(v) })
)

func newFlagClass(name string, members []enumMember, small func(int) any) *flagClass {
	c := &flagClass{name: name, members: sortedByValue(members), small: small, flagMask: new(big.Int)}
	for _, m := range members {
		if m.value&(m.value-1) != 0 || m.value <= 0 {
			// CPython lists multi-bit members after the single bits, in definition order;
			// no IntFlag of Linux's socket module has one.
			panic(fmt.Sprintf("facade: %s.%s = %d is not a single bit", name, m.name, m.value))
		}
		c.flagMask.Or(c.flagMask, big.NewInt(int64(m.value)))
	}
	c.allBits = new(big.Int).Lsh(big.NewInt(1), uint(c.flagMask.BitLen()))
	c.allBits.Sub(c.allBits, big.NewInt(1))
	c.skipped = new(big.Int).Xor(c.allBits, c.flagMask)
	return c
}

// normalize returns the value of Class(v) (v is not modified): Flag._missing_ with the
// KEEP boundary. A negative v outside the range -(allBits+1)..allBits, or with a skipped
// bit, becomes max(allBits+1, 2**v.bit_length()) + v; any other negative v becomes
// allBits+1 + v; a non-negative v stays as it is, unknown bits included.
func (c *flagClass) normalize(v *big.Int) *big.Int {
	if v.Sign() >= 0 {
		return v
	}
	r := new(big.Int).Add(c.allBits, big.NewInt(1))
	outside := new(big.Int).Not(c.allBits).Cmp(v) > 0 || new(big.Int).And(v, c.skipped).Sign() != 0
	if outside {
		// Python's bit_length of a negative int is that of its absolute value.
		if p := new(big.Int).Lsh(big.NewInt(1), uint(v.BitLen())); p.Cmp(r) > 0 {
			r = p
		}
	}
	return r.Add(r, v)
}

// maxStrInt is the least int whose decimal form has more digits than CPython's
// sys.get_int_max_str_digits() allows (10**4300).
var maxStrInt = new(big.Int).Exp(big.NewInt(10), big.NewInt(py.MaxStrDigits), nil)

// of returns Class(v): a value of the class's Go type when it fits in an int (as every
// member and most pseudo-members do), else a pseudo-member held as a big int.
//
// Flag._missing_ names a pseudo-member's unknown bits with repr(int) when it builds it,
// so Class(v) raises ValueError when v has a member's bit and unknown bits of more than
// 4300 digits. Without a member's bit CPython builds the pseudo-member and raises only
// when its repr is taken; of raises at once there too (py.ReprChecked cannot fail for a
// value that prints itself), which differs only for such a value that a later operator
// reduces: (MSG_PEEK&0|2**20000)&MSG_PEEK is <MsgFlag: 0> in CPython.
func (c *flagClass) of(v *big.Int) (any, error) {
	v = c.normalize(v)
	if v.IsInt64() {
		return c.small(int(v.Int64())), nil
	}
	if unknown := new(big.Int).AndNot(v, c.flagMask); unknown.Cmp(maxStrInt) >= 0 {
		return nil, py.NewError("ValueError", fmt.Sprintf("Exceeds the limit (%d digits) for integer string conversion; "+
			"use sys.set_int_max_str_digits() to increase the limit", py.MaxStrDigits))
	}
	return bigFlag{c, new(big.Int).Set(v)}, nil
}

// names returns the _name_ of the (normalized) value v: the names of its members in
// ascending value order, then its other bits as one decimal number; "" when no member's
// bit is set (CPython's name None: the repr then shows only the value).
func (c *flagClass) names(v *big.Int) string {
	var parts []string
	rest := new(big.Int).Set(v)
	for _, m := range c.members {
		if v.Bit(bitIndex(m.value)) == 1 {
			parts = append(parts, m.name)
			rest.SetBit(rest, bitIndex(m.value), 0)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if rest.Sign() != 0 {
		parts = append(parts, rest.String())
	}
	return strings.Join(parts, "|")
}

// goString is the String of Class(v): its member names in ascending value order, then
// the bits no member covers as a number ("AI_PASSIVE|AI_CANONNAME", "MSG_PEEK|1024",
// "1024"); "" for 0.
func (c *flagClass) goString(v *big.Int) string {
	v = c.normalize(v)
	if names := c.names(v); names != "" || v.Sign() == 0 {
		return names
	}
	return v.String()
}

// repr is Flag.__repr__ of Class(v).
func (c *flagClass) repr(v *big.Int) string {
	v = c.normalize(v)
	if names := c.names(v); names != "" {
		return fmt.Sprintf("<%s.%s: %s>", c.name, names, v)
	}
	return fmt.Sprintf("<%s: %s>", c.name, v)
}

// binary is Flag.__or__, __and__ and __xor__ (the reflected ones are the same): with an
// int (bool, IntEnum and IntFlag values included) the result is Class(v op other);
// anything else is not handled.
func (c *flagClass) binary(v *big.Int, op string, other any) (any, bool, error) {
	o, ok := py.AsInt(other)
	if !ok {
		return nil, false, nil
	}
	switch op {
	case "|":
		o.Or(v, o)
	case "&":
		o.And(v, o)
	case "^":
		o.Xor(v, o)
	default:
		return nil, false, nil
	}
	r, err := c.of(o)
	return r, true, err
}

// unary is Flag.__invert__ with the KEEP boundary: Class(~v).
func (c *flagClass) unary(v *big.Int, op string) (any, bool, error) {
	if op != "~" {
		return nil, false, nil
	}
	r, err := c.of(new(big.Int).Not(v))
	return r, true, err
}

func bitIndex(single int) int {
	i := 0
	for single > 1 {
		single >>= 1
		i++
	}
	return i
}

// bigFlag is a pseudo-member of an IntFlag class whose value does not fit in an int
// (2**63 and up): AI_CANONNAME|2**63. It is a Python int of its class's type in every
// other respect.
type bigFlag struct {
	class *flagClass
	v     *big.Int // normalized, never modified
}

// PyRepr returns CPython's repr, "<AddressInfo.AI_CANONNAME|9223372036854775808: 9223372036854775810>".
func (f bigFlag) PyRepr() string { return f.class.repr(f.v) }

// PyStr returns the number, as CPython 3.11's str of an IntFlag does.
func (f bigFlag) PyStr() string { return f.v.String() }

// String returns the member names and the unknown bits, as MsgFlag's String does.
func (f bigFlag) String() string { return f.class.goString(f.v) }

// PyTypeName returns the class's name.
func (f bigFlag) PyTypeName() string { return f.class.name }

// PyIndex returns the value.
func (f bigFlag) PyIndex() *big.Int { return f.v }

// PyBinaryOp implements IntFlag's |, & and ^.
func (f bigFlag) PyBinaryOp(op string, other any, _ bool) (any, bool, error) {
	return f.class.binary(f.v, op, other)
}

// PyUnaryOp implements IntFlag's ~.
func (f bigFlag) PyUnaryOp(op string) (any, bool, error) { return f.class.unary(f.v, op) }

func sortedByValue(members []enumMember) []enumMember {
	s := append([]enumMember(nil), members...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].value < s[j-1].value; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// familyValue returns v as an AddressFamily when it is a member, else as a plain int: what
// CPython's _intenum_converter returns for the family of a result.
func familyValue(v int) any {
	if _, ok := enumName(addressFamilyMembers, v); ok {
		return AddressFamily(v)
	}
	return v
}

// kindValue is familyValue for SocketKind.
func kindValue(v int) any {
	if _, ok := enumName(socketKindMembers, v); ok {
		return SocketKind(v)
	}
	return v
}

// PyBinaryOp implements IntFlag's |, & and ^: with an int of any size the result is a
// MsgFlag, or a pseudo-member of MsgFlag's type when it does not fit in an int.
func (f MsgFlag) PyBinaryOp(op string, other any, _ bool) (any, bool, error) {
	return msgFlags.binary(f.PyIndex(), op, other)
}

// PyBinaryOp implements IntFlag's |, & and ^: the result is an AddressInfo (see MsgFlag's).
func (f AddressInfo) PyBinaryOp(op string, other any, _ bool) (any, bool, error) {
	return addressInfos.binary(f.PyIndex(), op, other)
}

// PyUnaryOp implements IntFlag's ~: MsgFlag(~f), whose value CPython brings into range.
func (f MsgFlag) PyUnaryOp(op string) (any, bool, error) { return msgFlags.unary(f.PyIndex(), op) }

// PyUnaryOp implements IntFlag's ~: AddressInfo(~f).
func (f AddressInfo) PyUnaryOp(op string) (any, bool, error) {
	return addressInfos.unary(f.PyIndex(), op)
}
