package pyexpr

import (
	"fmt"
	"math/rand"
	"strings"
)

// handCases are expressions written to cover the language: literals,
// escapes, operators, precedence, calls and the errors of each.
var handCases = []string{
	// ints
	"0", "00", "0_0", "7", "-1", "+1", "~0", "1_000_000", "0x_ff", "0XfF", "0o17", "0O17", "0b_1", "0b1010",
	"123456789012345678901234567890", "0xffffffffffffffffffffffffffffffff", "-0x8000000000000000",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
	"18446744073709551615", "18446744073709551616", "2**63", "-2**63", "2**64", "2**100", "10**4299",
	"10**4300", "-10**4300", "-(10**4300-1)", "1__0", "1_", "0_1", "01", "09", "0x", "0b2", "0o8", "0xg",
	"1if", "1.real", "0b", "0o", "0x_", "0b1_", "1e", "1e+", "1e_1", "1_e1",
	// floats
	"1.5", ".5", "5.", "1e-10", "1E5", "1_0e1_0", "1.e5", ".5e-3", "1_000.000_1", "09.5", "09e1", "0e0",
	"1e16", "1e15", "123456789012345678.0", "1e-4", "1e-5", "0.0001", "0.00001", "1e308", "1e309", "-1e309",
	"1e-323", "1e-324", "2e-324", "3e-324", "0.1+0.2", "1/3", "2/3", "-0.0", "0.0*-1", "1e400-1e400",
	"4.35", "0.30000000000000004", "9007199254740993.0", "1.7976931348623157e308", "5e-324",
	"2.2250738585072011e-308", "2.2250738585072014e-308", "1e22", "1e23", "123.456e-7",
	// None, bools
	"None", "True", "False", "-True", "+False", "~True", "~False", "True+True", "True*3", "True|False",
	"True&True", "True^True", "False|False", "True|2", "True<<3", "True**2", "True/True", "True//True",
	"True%True", "True-False",
	// strings
	"''", "\"\"", "'a'", "\"a\"", "'it''s'", "\"it's\"", "'say \"hi\"'", "'it\\'s \"x\"'", "'\\\\'",
	"'\\n\\t\\r\\a\\b\\f\\v\\0'", "'\\x41\\x7f\\x80\\xff'", "'\\u00e9\\u2028\\uffff'", "'\\U0001F600'",
	"'\\U0010FFFF'", "'\\U00110000'", "'\\ud800'", "'\\udc80\\udfff'", "'\\ud83d\\ude00'", "'\\777'",
	"'\\400'", "'\\08'", "'\\18'", "'\\1234'", "'\\q'", "'\\%'", "'\\x4'", "'\\x'", "'\\u12'", "'\\U0001'",
	"'a' 'b'", "'a' \"b\" 'c'", "'a' r'\\n'", "r'\\n'", "R'\\x'", "r'\\''", "r\"\\\"\"", "u'a'", "U'a'",
	"'''a'''", "\"\"\"a'b\"\"\"", "'''a\nb'''", "'a\nb'", "'a", "\"a", "'''a''", "r'\\'", "'\\'",
	"'a\\\nb'", "'é'", "'日本'", "'\U0001F600'", "'\u00ad'", "'\u0378'", "'a\tb'", "' '", "'\u3000'",
	"ur'a'", "bu'a'", "'a' b'b'", "b'a' 'b'", "'a' 1",
	// bytes
	"b''", "b'a'", "B'a'", "b\"a'\"", "b'\\x00\\xff'", "b'\\777'", "b'\\400'", "b'\\u1234'", "b'\\N{x}'",
	"b'\\q'", "b'\\n\\t'", "br'\\n'", "Rb'\\n'", "bR'\\n'", "rB'\\x'", "b'a' b'b'", "b'é'", "b'\\x4'",
	"b'''a\nb'''", "b'\"'", "b'\\''", "b'\\'\"'",
	// tuples and lists
	"()", "(1,)", "(1)", "(1, 2)", "(1, 2,)", "((1,),)", "[]", "[1]", "[1,]", "[1, 2, (3,)]", "[[]]",
	"([], ())", "(,)", "[,]", "(1,,)", "(1 2)", "[1 2]", "(", ")", "[", "]", "(1", "[1", "((((1))))",
	// operators and precedence
	"-2**2", "(-2)**2", "2**-1", "2**-1**2", "2**3**2", "(2**3)**2", "-2**-2", "~2**2", "-~2", "--1",
	"- - 1", "+-+1", "1+2*3", "(1+2)*3", "1-2-3", "1-(2-3)", "2*3//4", "2*(3//4)", "7//2*2", "1|2^3&4",
	"1<<2+3", "(1<<2)+3", "1+2<<3", "16>>2>>1", "5&3|8", "5^3&1", "6|1^3", "-7//2", "-7%2", "7%-2",
	"-7//-2", "7//0", "7%0", "0//0", "7/0", "7.0/0", "7.0//0", "7.0%0", "0.0/0.0", "1/2**2000",
	"2**2000/2**1999", "2**1024/2", "2**1025/2", "(2**1024-2**970)/1", "(2**1024-2**970-1)/1",
	"10**30/7", "-10**30/7", "(2**53+1)/1", "(2**54+3)/2", "1/(2**1074)", "1/(2**1075)", "3/(2**1076)",
	"2**1023*2.0", "2**1024*1.0", "2**1024-2**970+0.0", "(2**1024-2**970-1)+0.0", "2**2000+1.0",
	"1 << -1", "1 >> -1", "0 << 2**100", "1 >> 2**100", "-1 >> 2**100", "-5 >> 1", "-5 >> 100",
	"1 << 2**100", "1 << 10**30", "1 << 2**62", "1 << 2**63", "3 << 2**64", "1 << 2**40", "5 << 70",
	"-5 << 70", "2**-1", "0**-1", "0**0", "0.0**-1", "(-8)**(1/3)", "(-2.0)**2", "(-2.0)**3", "(-2)**-3",
	"2.0**10000", "1e300**2", "(2**2000)**-1", "2**-(2**2000)", "10**-400", "2**0.5", "1.5**2.5",
	"0.5**-1074", "2.0**-1074", "2.0**-1075", "2.0**1023", "2.0**1024", "(-1)**(2**100+1)",
	"1**(2**100)", "0**(2**100)", "1.0**(2**100)", "2.0**(2**100)", "0.5**(2**100)", "(-0.5)**(2**100)",
	"(-1.0)**(2**100)", "(-1.0)**(2**100+1)", "1e308*10", "-1e308*10", "1e308+1e308", "1e-320/1e10",
	"7.5%-2", "-7.5%2", "-7.5//2", "0.0%-1", "-0.0//1", "1.0//1e-300", "5.0%1e300", "-5.0%1e300",
	"1e300//1e-300", "(1e308*10)//1", "1//(1e308*10)", "-1//(1e308*10)", "1%(1e308*10)", "-1%(1e308*10)",
	"(1e308*10)%1", "(1e308*10)-(1e308*10)", "(1e308*10)*0", "-(1e308*10)", "(1e308*10)**0",
	"(1e400-1e400)**0", "1**(1e400-1e400)", "(1e400-1e400)**1", "2**(1e308*10)", "0.5**(1e308*10)",
	"(-1e309)**3", "(-1e309)**2", "(-1e309)**-3", "(-1e309)**-2", "0.0**(1e309)", "(-0.0)**3", "(-0.0)**-3",
	"(-0.0)**2",
	// type errors
	"1 + 'a'", "'a' + 1", "b'a' + 'a'", "'a' + b'a'", "b'a' + 1", "[1] + (1,)", "(1,) + [1]", "None + 1",
	"1 + None", "'a' * 1.5", "1.5 * 'a'", "'a' * 'b'", "None * 'a'", "'a' * None", "[1] * [1]", "'a' | 1",
	"1 | 1.5", "1.5 & 1", "1.5 << 1", "~1.5", "-'a'", "+'a'", "~'a'", "-None", "-()", "~[]", "[1] % 2",
	"'a' - 'b'", "'a' ** 2", "2 ** 'a'", "(1,2) * True", "None ** None", "b'a' / 2", "[] // 1",
	"() - ()", "1 - []", "1.5 % 'a'", "'a' / 'b'", "1 >> 'a'",
	// sequences
	"'ab' * 3", "3 * 'ab'", "'ab' * 0", "'ab' * -1", "'a' * -2**63", "'a' * -2**64", "'a' * 2**63",
	"'a' * 2**62", "'ab' * 2**62", "'ab' * 2**61", "'' * 2**62", "b'' * 2**63", "'\\u0100' * 2**61",
	"b'ab' * 2**62", "b'a' * 2**62", "[1,2] * 2**62", "(1,2) * 2**62", "[1] * 2**62", "() * 2**62",
	"[] * 2**70", "'a' * 64", "'a.' * 200 + 'invalid'", "'x' + 'y' * 3", "('a',) * 3", "[0] * 5",
	"[1] + [2]", "(1,) + (2,)", "b'a' + b'b'", "b'ab' * 3", "'ab' * True", "'ab' * False", "[1] * FY",
	"FAM_P * 'a'", "'a' * FAM_P", "'é' * 3", "'\\ud800' + '\\udc00'", "[1, 'a'] * 2", "((),) * 3",
	// names, enums, calls
	"A", "B", "A + B", "NEG", "BIG", "BIG * BIG", "-BIG", "S", "S + 'd'", "S * 2", "BS", "BS + b'z'", "T",
	"T + (2,)", "L", "L + [3]", "L * 2", "F", "F * 2", "N", "YES", "YES + 1", "FX", "FY", "FX | FY",
	"FX | 8", "~FX", "~FY", "FX | 1", "1 | FX", "True | FX", "FX | True", "FX + 1", "FX * 2", "-FX", "+FX",
	"FX << 1", "FX & 3", "FAM_P | FX", "FX | FAM_P", "FAM_P + 1", "FAM_P / 2", "FX | 1.5", "FX + 1.5",
	"~FAM_P", "FX | FY | FZ", "~(FX | 8)", "FX ^ FX", "FX | 2**40", "FX | 'a'", "'a' + FX", "FX ** 2",
	"FZ // FY", "FY & FY", "FAM_Q % 3", "FAM_Q // FAM_P", "FAM_Q ** FAM_P", "2 ** FAM_P", "FAM_P << FAM_P",
	"FAM_P * 1.5", "1.5 * FAM_P", "FAM_P & FAM_Q", "FAM_P | FAM_Q", "-FAM_Q", "FX * 'ab'", "FX * FY",
	"FX | 2**63", "2**63 | FX", "(FX | 2**64) & 2**64", "[1] * (FX | 2**63)", "'a' * (FX | 2**64)", "(FX | 2**63) * b'a'",
	"tup()", "tup(1)", "tup(1, 'a', None)", "tup(1,)", "tup((1,))", "tup(tup(1), [2])", "kw()",
	"kw(1, b=2)", "kw(a=1, b=2)", "kw(b=2, a=1)", "kw(1, 2, c=A | B, d=tup(3))", "kw(x='y' * 3)",
	"fail()", "fail(1, a=2)", "tup(fail())", "tup(1 // 0, fail())", "tup(-2**2, ~A)",
	"kw(a=1, a=2)", "kw(a=1, 2)", "kw(1 2)", "kw(1,,2)", "kw(,)", "kw(=1)", "kw(a=)", "tup(",
	"tup(1", "tup(1,", "kw(None=1)", "kw(True=1)", "kw(if=1)",
	// syntax errors
	"1 +", "+", "1 2", "1 +* 2", "1 ** ",
	"1 = 2", "a b",
	"1;2", "1:2", "$", "?", "1 !", "'a' 'b", "`1`", "1 # comment",
	"0xffj",
	// whitespace and line joining
	" 1", "1 ", "\t1", "1\n+2", "1\r+2", "1\r\n+2", "'a\rb'", "1\f+2", "\f1", "1\v+2", "1\u00a0+2",
	"1\u3000+2", "'''a\r\nb'''", "'a\\\r\nb'", "1 \\\r\n+ 2", "1 \\ + 2", "1 \\", "(1\n+2)", "1 \\\n+ 2", "[1,\n2]", "tup(1,\n 2)",
	// unary chains and nesting
	"-" + strings.Repeat("-", 99) + "1", "~" + strings.Repeat("~", 98) + "1",
	strings.Repeat("(", 199) + "1" + strings.Repeat(")", 199),
	strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200),
	strings.Repeat("(", 201) + "1" + strings.Repeat(")", 201),
	strings.Repeat("[", 150) + strings.Repeat("]", 150),
	strings.Repeat("1+", 500) + "1", strings.Repeat("2**", 3) + "2",
}

// unsupportedCases are valid Python that pysock declines with a usage error
// of KindUnsupported (or KindUnknownFunction for calling a constant).
var unsupportedCases = []string{
	"1.5.real", "'a'.upper", "'a'[0]", "None < 1", "tup(1, 2)[0]", "kw(a==1)", "tup(*T)", "kw(**{})",
	"* 1", "()()", "1(2)", "(1)(2)", "A(1)", "not 1", "1 and 2", "1 if 1 else 2", "lambda: 1", "1 < 2",
	"1 == 1", "{}", "{1}", "1 @ 2", "f'a'", "F'{A}'", "'\\N{LATIN SMALL LETTER A}'", "1j", "1.5j", "1e5J",
	"'%d' % 5", "b'%d' % 5", "(-8)**0.5", "(-2.0)**0.5", "[x for x in T]", "1 in T", "A is None",
	"A if B else 1", "{'a': 1}", "tup(x=1, *T)", "T[0:1]", "(A := 1)",
}

// operands of the generated operator matrix.
var matrixOperands = []string{
	"0", "1", "-1", "7", "-7", "3", "2**64", "-2**64", "2**100+1", "1.5", "-2.5", "0.0", "-0.0", "1e308",
	"True", "False", "None", "'ab'", "b'x'", "()", "(1,)", "[1]", "''", "F", "BIG", "FX", "FAM_P", "0.1",
	"1e-300", "2**-1", "1e309", "-1e309", "1e400-1e400",
}

var matrixOperators = []string{"|", "^", "&", "<<", ">>", "+", "-", "*", "/", "//", "%", "**"}

// matrixCases applies every operator to every pair of operands, leaving out
// the powers and shifts that would make CPython itself run for ever.
func matrixCases() []string {
	bigOperand := map[string]bool{"2**64": true, "-2**64": true, "2**100+1": true, "BIG": true}
	var out []string
	for _, a := range matrixOperands {
		for _, op := range matrixOperators {
			for _, b := range matrixOperands {
				if (op == "**" || op == "<<") && bigOperand[b] {
					continue
				}
				out = append(out, fmt.Sprintf("(%s) %s (%s)", a, op, b))
			}
		}
	}
	for _, op := range []string{"-", "+", "~"} {
		for _, a := range matrixOperands {
			out = append(out, fmt.Sprintf("%s(%s)", op, a))
		}
	}
	return out
}

// randomCases returns random numeric literals and small random
// expressions.
func randomCases() []string {
	rng := rand.New(rand.NewSource(3))
	digits := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte(byte('0' + rng.Intn(10)))
		}
		return b.String()
	}
	var out []string
	for i := 0; i < 400; i++ {
		s := digits(1+rng.Intn(20)) + "." + digits(rng.Intn(20))
		if rng.Intn(2) == 0 {
			s += fmt.Sprintf("e%d", rng.Intn(700)-350)
		}
		out = append(out, s)
	}
	for i := 0; i < 100; i++ {
		out = append(out, fmt.Sprintf("%d", rng.Int63()>>uint(rng.Intn(60))))
		out = append(out, fmt.Sprintf("0x%x", rng.Uint64()))
	}
	// String and bytes literals made of random pieces: escapes of every
	// kind, quotes, non-ASCII characters, with random prefixes and quotes.
	pieces := []string{"a", " ", "\\\\", "\\'", "\\\"", "\\n", "\\t", "\\0", "\\12", "\\777", "\\x41",
		"\\xff", "\\u00e9", "\\u2028", "\\U0001F600", "\\U000E0001", "\\q", "\\N", "\\u12", "\\x4", "é",
		"\u00a0", "\U0001F600", "'", "\"", "\\\n", "\\a\\b\\f\\v", "\\8", "\\ud800", "\\udcff"}
	prefixes := []string{"", "", "r", "b", "rb", "Br", "u", "R"}
	quotes := []string{"'", "\"", "'''", "\"\"\""}
	for i := 0; i < 600; i++ {
		var b strings.Builder
		for j := rng.Intn(3); j >= 0; j-- {
			if b.Len() > 0 {
				b.WriteString(" ")
			}
			q := quotes[rng.Intn(len(quotes))]
			b.WriteString(prefixes[rng.Intn(len(prefixes))] + q)
			for k := rng.Intn(6); k > 0; k-- {
				b.WriteString(pieces[rng.Intn(len(pieces))])
			}
			b.WriteString(q)
		}
		out = append(out, b.String())
	}
	atoms := []string{"1", "2", "3", "-4", "0", "7", "2.5", "0.1", "A", "B", "NEG", "True", "FX", "FAM_P"}
	ops := []string{"|", "^", "&", "+", "-", "*", "/", "//", "%", "**", "<<", ">>"}
	for i := 0; i < 600; i++ {
		var b strings.Builder
		n := 2 + rng.Intn(4)
		for j := 0; j < n; j++ {
			if j > 0 {
				b.WriteString(" " + ops[rng.Intn(len(ops))] + " ")
			}
			if rng.Intn(5) == 0 {
				b.WriteString([]string{"-", "~", "+"}[rng.Intn(3)])
			}
			b.WriteString(atoms[rng.Intn(len(atoms))])
		}
		out = append(out, b.String())
	}
	return out
}
