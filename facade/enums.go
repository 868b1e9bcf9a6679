//go:build linux

package facade

//go:generate python3 gen_consts.py

import (
	"fmt"

	"github.com/csock/csock/internal/py"
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

// MsgFlag is CPython's socket.MsgFlag, an IntFlag of the MSG_* constants.
type MsgFlag int

// AddressInfo is CPython's socket.AddressInfo, an IntFlag of the AI_* constants.
type AddressInfo int

func (f AddressFamily) String() string { return enumString(addressFamilyMembers, int(f)) }
func (k SocketKind) String() string    { return enumString(socketKindMembers, int(k)) }
func (f MsgFlag) String() string       { return flagNames(msgFlagMembers, int(f)) }
func (f AddressInfo) String() string   { return flagNames(addressInfoMembers, int(f)) }

// PyRepr returns CPython's repr, "<AddressFamily.AF_INET: 2>".
func (f AddressFamily) PyRepr() string {
	return enumRepr("AddressFamily", addressFamilyMembers, int(f))
}

// PyRepr returns CPython's repr, "<SocketKind.SOCK_STREAM: 1>".
func (k SocketKind) PyRepr() string { return enumRepr("SocketKind", socketKindMembers, int(k)) }

// PyRepr returns CPython's repr, "<MsgFlag.MSG_OOB|MSG_PEEK: 3>".
func (f MsgFlag) PyRepr() string { return flagRepr("MsgFlag", msgFlagMembers, int(f)) }

// PyRepr returns CPython's repr, "<AddressInfo.AI_PASSIVE|AI_CANONNAME: 3>".
func (f AddressInfo) PyRepr() string { return flagRepr("AddressInfo", addressInfoMembers, int(f)) }

// PyStr returns CPython 3.11's str of an IntEnum or IntFlag member: the number.
func (f AddressFamily) PyStr() string { return strconv.Itoa(int(f)) }

// PyStr returns the number, as CPython 3.11's str does.
func (k SocketKind) PyStr() string { return strconv.Itoa(int(k)) }

// PyStr returns the number, as CPython 3.11's str does.
func (f MsgFlag) PyStr() string { return strconv.Itoa(int(f)) }

// PyStr returns the number, as CPython 3.11's str does.
func (f AddressInfo) PyStr() string { return strconv.Itoa(int(f)) }

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

// flagMask is every bit up to the highest member's: the range of an IntFlag's values.
func flagMask(members []enumMember) int {
	hi := 0
	for _, m := range members {
		hi |= m.value
	}
	mask := 1
	for mask <= hi {
		mask <<= 1
	}
	return mask - 1
}

// flagNames decomposes v into member names in ascending value order, then the bits no
// member covers as a number: "AI_PASSIVE|AI_CANONNAME", "MSG_PEEK|1024", "" for 0.
func flagNames(members []enumMember, v int) string {
	var parts []string
	rest := v
	for _, m := range sortedByValue(members) {
		if m.value != 0 && v&m.value == m.value {
			parts = append(parts, m.name)
			rest &^= m.value
		}
	}
	if rest != 0 {
		parts = append(parts, strconv.Itoa(rest))
	}
	return strings.Join(parts, "|")
}

func flagRepr(class string, members []enumMember, v int) string {
	if v < 0 {
		v &= flagMask(members)
	}
	if names := flagNames(members, v); names != "" {
		return fmt.Sprintf("<%s.%s: %d>", class, names, v)
	}
	return fmt.Sprintf("<%s: %d>", class, v)
}

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

// normFlag brings a negative IntFlag value into the flag's range, as Python's IntFlag with
// the KEEP boundary does (~AI_PASSIVE is AddressInfo 2046, not -2).
func normFlag(members []enumMember, v int) int {
	if v < 0 {
		v += flagMask(members) + 1
	}
	return v
}

// flagOperand returns the int value of the other operand of an IntFlag operator: Python's
// IntFlag accepts members of its class and any int (bool and other enums included).
func flagOperand(other any) (int, bool) {
	n, ok := py.AsInt(other)
	if !ok || !n.IsInt64() {
		return 0, false
	}
	return int(n.Int64()), true
}

// flagBinary is IntFlag's __or__, __and__ and __xor__ (and their reflections).
func flagBinary(members []enumMember, v int, op string, other any) (int, bool) {
	o, ok := flagOperand(other)
	if !ok {
		return 0, false
	}
	switch op {
	case "|":
		return normFlag(members, v|o), true
	case "&":
		return normFlag(members, v&o), true
	case "^":
		return normFlag(members, v^o), true
	}
	return 0, false
}

// PyBinaryOp implements IntFlag's |, & and ^: the result is a MsgFlag.
func (f MsgFlag) PyBinaryOp(op string, other any, _ bool) (any, bool, error) {
	r, ok := flagBinary(msgFlagMembers, int(f), op, other)
	if !ok {
		return nil, false, nil
	}
	return MsgFlag(r), true, nil
}

// PyBinaryOp implements IntFlag's |, & and ^: the result is an AddressInfo.
func (f AddressInfo) PyBinaryOp(op string, other any, _ bool) (any, bool, error) {
	r, ok := flagBinary(addressInfoMembers, int(f), op, other)
	if !ok {
		return nil, false, nil
	}
	return AddressInfo(r), true, nil
}

// PyUnaryOp implements IntFlag's ~ (the complement within the flag's range).
func (f MsgFlag) PyUnaryOp(op string) (any, bool, error) {
	if op != "~" {
		return nil, false, nil
	}
	return MsgFlag(normFlag(msgFlagMembers, ^int(f))), true, nil
}

// PyUnaryOp implements IntFlag's ~ (the complement within the flag's range).
func (f AddressInfo) PyUnaryOp(op string) (any, bool, error) {
	if op != "~" {
		return nil, false, nil
	}
	return AddressInfo(normFlag(addressInfoMembers, ^int(f))), true, nil
}
