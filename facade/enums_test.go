//go:build linux

package facade

import (
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
	"github.com/csock/csock/py"
)

// flagValue is what an IntFlag value offers the expression evaluator.
type flagValue interface {
	PyBinaryOp(op string, other any, reflected bool) (any, bool, error)
	PyUnaryOp(op string) (any, bool, error)
}

// flagOp computes `a op b` where a or b is an IntFlag value, dispatching as Python does
// for an int subclass: with a plain int on the left the flag's reflected method runs.
func flagOp(t *testing.T, a any, op string, b any) any {
	t.Helper()
	var r any
	var ok bool
	var err error
	if f, isFlag := a.(flagValue); isFlag {
		r, ok, err = f.PyBinaryOp(op, b, false)
	} else {
		r, ok, err = b.(flagValue).PyBinaryOp(op, a, true)
	}
	require.NoError(t, err)
	require.True(t, ok, "%v %s %v not handled", a, op, b)
	return r
}

func invert(t *testing.T, a any) any {
	t.Helper()
	r, ok, err := a.(flagValue).PyUnaryOp("~")
	require.NoError(t, err)
	require.True(t, ok)
	return r
}

func bigInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return n
}

// pow2 returns 2**n + add.
func pow2(n uint, add int64) *big.Int {
	v := new(big.Int).Lsh(big.NewInt(1), n)
	return v.Add(v, big.NewInt(add))
}

// TestIntFlag_KeepsUnknownBitsOfAnySizeLikeCPython pins CPython 3.11's reprs (recorded
// from python3) of IntFlag values whose unknown bits reach 2**63 and beyond, or come from
// negative ints of any size: IntFlag's boundary KEEP keeps them in a pseudo-member.
func TestIntFlag_KeepsUnknownBitsOfAnySizeLikeCPython(t *testing.T) {
	canon, peek, passive := AddressInfo(AI_CANONNAME), MsgFlag(MSG_PEEK), AddressInfo(AI_PASSIVE)
	allMsg := "MSG_OOB|MSG_PEEK|MSG_DONTROUTE|MSG_CTRUNC|MSG_TRUNC|MSG_DONTWAIT|MSG_EOR|MSG_WAITALL|MSG_CONFIRM|MSG_ERRQUEUE|MSG_NOSIGNAL|MSG_MORE|MSG_FASTOPEN|MSG_CMSG_CLOEXEC"
	allAI := "AI_PASSIVE|AI_CANONNAME|AI_NUMERICHOST|AI_V4MAPPED|AI_ALL|AI_ADDRCONFIG|AI_NUMERICSERV"
	tests := []struct {
		name string
		v    func(t *testing.T) any
		repr string
		str  string
	}{
		{"AI_CANONNAME|2**63", func(t *testing.T) any { return flagOp(t, canon, "|", pow2(63, 0)) },
			"<AddressInfo.AI_CANONNAME|9223372036854775808: 9223372036854775810>", "9223372036854775810"},
		{"AI_CANONNAME&2**63", func(t *testing.T) any { return flagOp(t, canon, "&", pow2(63, 0)) },
			"<AddressInfo: 0>", "0"},
		{"2**63|MSG_PEEK", func(t *testing.T) any { return flagOp(t, pow2(63, 0), "|", peek) },
			"<MsgFlag.MSG_PEEK|9223372036854775808: 9223372036854775810>", "9223372036854775810"},
		{"2**63^AI_CANONNAME", func(t *testing.T) any { return flagOp(t, pow2(63, 0), "^", canon) },
			"<AddressInfo.AI_CANONNAME|9223372036854775808: 9223372036854775810>", "9223372036854775810"},
		{"MSG_PEEK|-2**63-1", func(t *testing.T) any { return flagOp(t, peek, "|", pow2(63, 1).Neg(pow2(63, 1))) },
			"<MsgFlag." + allMsg + "|9223372035244103184: 9223372036854775807>", "9223372036854775807"},
		{"MSG_PEEK|-2**63", func(t *testing.T) any { return flagOp(t, peek, "|", int64(-1)<<63) },
			"<MsgFlag.MSG_PEEK: 2>", "2"},
		{"MSG_PEEK|-2**100", func(t *testing.T) any { return flagOp(t, peek, "|", pow2(100, 0).Neg(pow2(100, 0))) },
			"<MsgFlag.MSG_PEEK: 2>", "2"},
		{"AI_CANONNAME^-2**63", func(t *testing.T) any { return flagOp(t, canon, "^", int64(-1)<<63) },
			"<AddressInfo.AI_CANONNAME: 2>", "2"},
		{"~(AI_CANONNAME|2**63)", func(t *testing.T) any { return invert(t, flagOp(t, canon, "|", pow2(63, 0))) },
			"<AddressInfo.AI_PASSIVE|AI_NUMERICHOST|AI_V4MAPPED|AI_ALL|AI_ADDRCONFIG|AI_NUMERICSERV|9223372036854774720: 9223372036854775805>",
			"9223372036854775805"},
		{"~(MSG_PEEK|-2**63-1)", func(t *testing.T) any {
			return invert(t, flagOp(t, peek, "|", pow2(63, 1).Neg(pow2(63, 1))))
		}, "<MsgFlag: 9223372036854775808>", "9223372036854775808"},
		{"AI_PASSIVE|AI_CANONNAME|2**64", func(t *testing.T) any {
			return flagOp(t, flagOp(t, passive, "|", canon), "|", pow2(64, 0))
		}, "<AddressInfo.AI_PASSIVE|AI_CANONNAME|18446744073709551616: 18446744073709551619>", "18446744073709551619"},
		{"(AI_CANONNAME|2**63)|AI_PASSIVE", func(t *testing.T) any {
			return flagOp(t, flagOp(t, canon, "|", pow2(63, 0)), "|", passive)
		}, "<AddressInfo.AI_PASSIVE|AI_CANONNAME|9223372036854775808: 9223372036854775811>", "9223372036854775811"},
		{"(AI_CANONNAME|2**63)^2**63", func(t *testing.T) any {
			return flagOp(t, flagOp(t, canon, "|", pow2(63, 0)), "^", pow2(63, 0))
		}, "<AddressInfo.AI_CANONNAME: 2>", "2"},
		{"AI_CANONNAME|2**63|MSG_PEEK", func(t *testing.T) any {
			return flagOp(t, flagOp(t, canon, "|", pow2(63, 0)), "|", peek)
		}, "<AddressInfo.AI_CANONNAME|9223372036854775808: 9223372036854775810>", "9223372036854775810"},
		{"MSG_PEEK|(AI_CANONNAME|2**63)", func(t *testing.T) any {
			return flagOp(t, peek, "|", flagOp(t, canon, "|", pow2(63, 0)))
		}, "<MsgFlag.MSG_PEEK|9223372036854775808: 9223372036854775810>", "9223372036854775810"},
		{"(MSG_PEEK|2**70)&2**70", func(t *testing.T) any {
			return flagOp(t, flagOp(t, peek, "|", pow2(70, 0)), "&", pow2(70, 0))
		}, "<MsgFlag: 1180591620717411303424>", "1180591620717411303424"},
		{"(MSG_PEEK|2**70)&MSG_PEEK", func(t *testing.T) any {
			return flagOp(t, flagOp(t, peek, "|", pow2(70, 0)), "&", peek)
		}, "<MsgFlag.MSG_PEEK: 2>", "2"},
		// Negative ints beyond the flag's range within int64 were masked to the range
		// (the repr) or kept negative (the value): CPython adds 2**bit_length.
		{"AI_PASSIVE|-2**40-1", func(t *testing.T) any { return flagOp(t, passive, "|", int64(-1)<<40-1) },
			"<AddressInfo." + allAI + "|1099511626688: 1099511627775>", "1099511627775"},
		{"AI_PASSIVE|-2049", func(t *testing.T) any { return flagOp(t, passive, "|", -2049) },
			"<AddressInfo." + allAI + "|960: 2047>", "2047"},
		{"~(AI_PASSIVE|2046)", func(t *testing.T) any { return invert(t, flagOp(t, passive, "|", 2046)) },
			"<AddressInfo: 0>", "0"},
		{"MSG_PEEK|-2**31-1", func(t *testing.T) any { return flagOp(t, peek, "|", int64(-1)<<31-1) },
			"<MsgFlag." + allMsg + "|536811024: 2147483647>", "2147483647"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v(t)
			assert.Equal(t, tt.repr, py.Repr(v))
			assert.Equal(t, tt.str, py.Str(v))
			n, ok := py.AsInt(v)
			require.True(t, ok, "an IntFlag value is an int")
			assert.Equal(t, tt.str, n.String())
		})
	}
}

// TestIntFlag_OperatorsMatchCPython compares |, &, ^ (both ways round) and ~ on IntFlag
// values with CPython for ints around every boundary of the flag's range, of int64 and
// beyond, positive and negative.
func TestIntFlag_OperatorsMatchCPython(t *testing.T) {
	ints := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(3), big.NewInt(960), big.NewInt(1024),
		big.NewInt(2047), big.NewInt(2048), big.NewInt(2049), pow2(31, -1), pow2(31, 0), pow2(32, 1), pow2(62, 0),
		pow2(63, -1), pow2(63, 0), pow2(63, 2), pow2(64, -1), pow2(64, 0), pow2(100, 5)}
	for _, n := range append([]*big.Int(nil), ints...) {
		if n.Sign() != 0 {
			ints = append(ints, new(big.Int).Neg(n))
		}
	}
	ints = append(ints, pow2(63, 1).Neg(pow2(63, 1)), pow2(64, 1).Neg(pow2(64, 1)))
	type kase struct {
		Class     string
		A         *big.Int
		Op        string
		B         *big.Int
		Reflected bool
	}
	type answer struct{ Repr, Int string }
	var cases []kase
	for _, class := range []string{"MsgFlag", "AddressInfo"} {
		for _, a := range ints {
			cases = append(cases, kase{class, a, "~", nil, false})
			for _, op := range []string{"|", "&", "^"} {
				for _, b := range ints {
					cases = append(cases, kase{class, a, op, b, false}, kase{class, a, op, b, true})
				}
			}
		}
	}
	var want []answer
	testutil.PythonJSON(t, `
import json, socket, sys, operator
ops = {"|": operator.or_, "&": operator.and_, "^": operator.xor}
out = []
for c in json.load(sys.stdin):
    a = getattr(socket, c["Class"])(c["A"])
    if c["Op"] == "~":
        r = ~a
    elif c["Reflected"]:
        r = ops[c["Op"]](c["B"], a)
    else:
        r = ops[c["Op"]](a, c["B"])
    out.append({"Repr": repr(r), "Int": str(int(r))})
print(json.dumps(out))
`, cases, &want)
	classes := map[string]*flagClass{"MsgFlag": msgFlags, "AddressInfo": addressInfos}
	failures := 0
	for i, c := range cases {
		a, err := classes[c.Class].of(c.A)
		require.NoError(t, err)
		var r any
		switch {
		case c.Op == "~":
			r = invert(t, a)
		case c.Reflected:
			r = flagOp(t, c.B, c.Op, a)
		default:
			r = flagOp(t, a, c.Op, c.B)
		}
		n, _ := py.AsInt(r)
		if !assert.Equal(t, want[i], answer{py.Repr(r), n.String()}, "%s(%s) %s %s reflected=%v", c.Class, c.A, c.Op, c.B, c.Reflected) {
			if failures++; failures > 10 {
				t.FailNow()
			}
		}
	}
}

// mustOf returns c.of(v), which must not fail.
func mustOf(t *testing.T, c *flagClass, v *big.Int) any {
	t.Helper()
	r, err := c.of(v)
	require.NoError(t, err)
	return r
}

// TestIntFlag_ConstructorNormalisesLikeCPython checks that of(v) is Class(v).
func TestIntFlag_ConstructorNormalisesLikeCPython(t *testing.T) {
	assert.Equal(t, MsgFlag(MSG_PEEK), mustOf(t, msgFlags, big.NewInt(int64(MSG_PEEK))))
	assert.Equal(t, AddressInfo(2047), mustOf(t, addressInfos, big.NewInt(-1)))
	assert.Equal(t, AddressInfo(0), mustOf(t, addressInfos, big.NewInt(-2048)))
	assert.Equal(t, "<AddressInfo.AI_CANONNAME|9223372036854775808: 9223372036854775810>",
		py.Repr(mustOf(t, addressInfos, bigInt("9223372036854775810"))))
	assert.Equal(t, "AddressInfo", py.TypeName(mustOf(t, addressInfos, pow2(63, 0))))
	assert.Equal(t, "AI_CANONNAME|9223372036854775808", mustOf(t, addressInfos, pow2(63, 2)).(interface{ String() string }).String())
	// The Go values of the members' types print as CPython's values of the same int.
	assert.Equal(t, "<MsgFlag."+"MSG_OOB|MSG_PEEK|MSG_DONTROUTE|MSG_CTRUNC|MSG_TRUNC|MSG_DONTWAIT|MSG_EOR|MSG_WAITALL|MSG_CONFIRM|MSG_ERRQUEUE|MSG_NOSIGNAL|MSG_MORE|MSG_FASTOPEN|MSG_CMSG_CLOEXEC|536811024: 2147483647>",
		MsgFlag(-1).PyRepr())
}

// TestIntFlag_UnknownBitsBeyondTheDigitLimitRaiseLikeCPython: Flag._missing_ names the
// unknown bits of a pseudo-member with repr(int), so with members and more than 4300
// digits of unknown bits the operator itself raises CPython's ValueError.
func TestIntFlag_UnknownBitsBeyondTheDigitLimitRaiseLikeCPython(t *testing.T) {
	const msg = "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
	peek := MsgFlag(MSG_PEEK)
	huge := new(big.Int).Exp(big.NewInt(10), big.NewInt(4300), nil) // 4301 digits
	for _, c := range []struct {
		name  string
		other *big.Int
	}{{"MSG_PEEK|10**4300", huge}, {"MSG_PEEK|-2**20000-1", pow2(20000, 1).Neg(pow2(20000, 1))}} {
		_, ok, err := peek.PyBinaryOp("|", c.other, false)
		require.Error(t, err, c.name)
		assert.True(t, ok, c.name)
		exc, isExc := py.AsException(err)
		require.True(t, isExc, c.name)
		assert.Equal(t, "ValueError: "+msg, py.FormatException(exc), c.name)
	}
	// 4300 digits are fine, and so are flags whose huge value vanishes.
	nines := new(big.Int).Sub(huge, big.NewInt(1))
	r := flagOp(t, peek, "|", nines)
	repr := py.Repr(r)
	assert.True(t, strings.HasPrefix(repr, "<MsgFlag.MSG_OOB|MSG_PEEK|"), repr[:40])
	assert.True(t, strings.HasSuffix(repr, ": "+nines.String()+">"))
	assert.Equal(t, "<MsgFlag: 0>", py.Repr(flagOp(t, peek, "&", huge)))
	assert.Equal(t, "<MsgFlag.MSG_PEEK: 2>", py.Repr(flagOp(t, peek, "|", pow2(20000, 0).Neg(pow2(20000, 0)))))
}

// str() of a MsgFlag or AddressInfo made from a negative Go int is CPython's str of the
// member the constructor makes (its repr's value), never the negative number.
func TestIntFlag_StrOfNegativeGoValuesLikeCPython(t *testing.T) {
	vals := []int{-1, -871382, -2048, math.MinInt64, -1 << 31, 5}
	var want [][2]string
	testutil.PythonJSON(t, `
import json, socket, sys
print(json.dumps([[str(socket.MsgFlag(v)), str(socket.AddressInfo(v))] for v in json.load(sys.stdin)]))
`, vals, &want)
	for i, v := range vals {
		assert.Equal(t, want[i], [2]string{py.Str(MsgFlag(v)), py.Str(AddressInfo(v))}, "%d", v)
	}
}
