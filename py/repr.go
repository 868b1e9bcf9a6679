package py

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxStrDigits is CPython's default sys.get_int_max_str_digits(): repr()
// of an int with more decimal digits raises ValueError (see [ReprChecked]).
const MaxStrDigits = 4300

// Repr returns exactly CPython 3.11's repr(v) for a value held by the
// package's conventions. A value implementing [Reprer] prints itself. An
// int with more than [MaxStrDigits] digits, which CPython refuses to print,
// is printed in full here; use [ReprChecked] to get CPython's ValueError.
// An [Exception] prints as BaseException.__repr__ does, with the args CPython
// raises it with ("ConnectionRefusedError(111, 'Connection refused')"), and a
// Go complex as a Python complex ("(1+2j)").
// A Go value of no Python type prints as the Python value closest to it (see
// [TypeName]), never with its Go type's name: a Go slice or array as a list, a map as a
// dict with its items sorted by their repr (a Go map has no order, a dict keeps the order
// of insertion), anything else as a plain object without its address: "<object object>".
func Repr(v any) string {
	var p printer
	p.repr(v)
	return string(p.b)
}

// ReprChecked is Repr, except that, as CPython does, it fails with
// ValueError if v is or contains an int with more than [MaxStrDigits]
// decimal digits.
func ReprChecked(v any) (string, error) {
	p := printer{checked: true}
	p.repr(v)
	if p.err != nil {
		return "", p.err
	}
	return string(p.b), nil
}

// Str returns CPython's str(v): a str is itself, a value implementing
// [Stringer] prints itself, an [Exception] is its message (Error), and
// everything else is its [Repr].
func Str(v any) string {
	switch x := v.(type) {
	case Stringer:
		return x.PyStr()
	case string:
		return x
	case Exception:
		return x.Error() // BaseException.__str__: what a traceback prints after "Class: "
	}
	return Repr(v)
}

// printer accumulates a repr. It tracks the lists and tuples being printed
// so that a Go slice that contains itself prints as "[...]", as CPython
// prints a recursive list, instead of recursing forever.
type printer struct {
	b       []byte
	active  []seqID
	checked bool
	err     error
}

type seqID struct {
	p    *any    // a list's or tuple's first item
	addr uintptr // a Go slice's first element, or a Go map
	n    int     // the length (-1 for a map)
}

func (p *printer) repr(v any) {
	if r, ok := v.(Reprer); ok {
		p.writeString(r.PyRepr())
		return
	}
	switch x := v.(type) {
	case nil:
		p.writeString("None")
	case bool:
		if x {
			p.writeString("True")
		} else {
			p.writeString("False")
		}
	case int:
		p.writeString(strconv.FormatInt(int64(x), 10))
	case int8:
		p.writeString(strconv.FormatInt(int64(x), 10))
	case int16:
		p.writeString(strconv.FormatInt(int64(x), 10))
	case int32:
		p.writeString(strconv.FormatInt(int64(x), 10))
	case int64:
		p.writeString(strconv.FormatInt(x, 10))
	case uint:
		p.writeString(strconv.FormatUint(uint64(x), 10))
	case uint8:
		p.writeString(strconv.FormatUint(uint64(x), 10))
	case uint16:
		p.writeString(strconv.FormatUint(uint64(x), 10))
	case uint32:
		p.writeString(strconv.FormatUint(uint64(x), 10))
	case uint64:
		p.writeString(strconv.FormatUint(x, 10))
	case uintptr:
		p.writeString(strconv.FormatUint(uint64(x), 10))
	case *big.Int:
		if x == nil {
			p.writeString("None")
			return
		}
		s := x.String()
		if p.checked && p.err == nil && len(strings.TrimPrefix(s, "-")) > MaxStrDigits {
			p.err = &Error{Class: "ValueError", Msg: fmt.Sprintf(
				"Exceeds the limit (%d digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit",
				MaxStrDigits)}
		}
		p.writeString(s)
	case float64:
		p.writeString(FloatRepr(x))
	case float32:
		p.writeString(FloatRepr(float64(x)))
	case string:
		p.b = appendStrRepr(p.b, x)
	case []byte:
		p.writeString(BytesRepr(x))
	case Tuple:
		p.seq(x, "(", ")", len(x) == 1)
	case List:
		p.seq(x, "[", "]", false)
	case []any:
		p.seq(x, "[", "]", false)
	case complex128:
		p.complex(x)
	case complex64:
		p.complex(complex128(x))
	case Exception:
		p.exception(x)
	default:
		p.goValue(v)
	}
}

// goValue prints a Go value of no Python type as the Python value it stands for (see
// TypeName), never with its Go type's name: a slice or array as a list, a map as a dict
// (its items sorted by their repr, since a Go map has no order), anything else as CPython
// prints a plain object, without the address: "<object object>". A slice or map that
// contains itself prints as "[...]" or "{...}", as CPython prints a recursive one.
func (p *printer) goValue(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Len() > 0 {
			id := seqID{addr: rv.Pointer(), n: rv.Len()}
			if p.isActive(id) {
				p.writeString("[...]")
				return
			}
			p.active = append(p.active, id)
			defer func() { p.active = p.active[:len(p.active)-1] }()
		}
		p.writeString("[")
		for i := 0; i < rv.Len(); i++ {
			if i > 0 {
				p.writeString(", ")
			}
			p.repr(rv.Index(i).Interface())
		}
		p.writeString("]")
	case reflect.Map:
		id := seqID{addr: rv.Pointer(), n: -1}
		if p.isActive(id) {
			p.writeString("{...}")
			return
		}
		p.active = append(p.active, id)
		defer func() { p.active = p.active[:len(p.active)-1] }()
		start := len(p.b)
		items := make([]string, 0, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			p.repr(it.Key().Interface())
			p.writeString(": ")
			p.repr(it.Value().Interface())
			items = append(items, string(p.b[start:]))
			p.b = p.b[:start]
		}
		sort.Strings(items)
		p.writeString("{" + strings.Join(items, ", ") + "}")
	default:
		p.writeString("<object object>")
	}
}

func (p *printer) isActive(id seqID) bool {
	for _, a := range p.active {
		if a == id {
			return true
		}
	}
	return false
}

func (p *printer) writeString(s string) { p.b = append(p.b, s...) }

func (p *printer) seq(items []any, open, close string, oneTuple bool) {
	if len(items) == 0 {
		p.writeString(open + close)
		return
	}
	id := seqID{p: &items[0], n: len(items)}
	if p.isActive(id) {
		p.writeString(open + "..." + close)
		return
	}
	p.active = append(p.active, id)
	p.writeString(open)
	for i, it := range items {
		if i > 0 {
			p.writeString(", ")
		}
		p.repr(it)
	}
	if oneTuple {
		p.writeString(",")
	}
	p.writeString(close)
	p.active = p.active[:len(p.active)-1]
}

const hexDigits = "0123456789abcdef"

// StrRepr returns CPython's repr() of the str s: single quotes unless s
// contains a single quote and no double quote; backslash, the quote, \t,
// \n and \r escaped; other characters kept when str.isprintable() (see
// [IsPrintable]) and otherwise written as \xNN, \uNNNN or \UNNNNNNNN.
func StrRepr(s string) string {
	return string(appendStrRepr(make([]byte, 0, len(s)+2), s))
}

func appendStrRepr(b []byte, s string) []byte {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b = append(b, quote)
	for len(s) > 0 {
		r, n := decodeRune(s)
		switch {
		case r == rune(quote) || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case IsPrintable(r):
			b = utf8.AppendRune(b, r)
		case r <= 0xFF:
			b = append(b, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xF])
		case r <= 0xFFFF:
			b = append(b, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
		default:
			b = append(b, '\\', 'U')
			for sh := 28; sh >= 0; sh -= 4 {
				b = append(b, hexDigits[r>>uint(sh)&0xF])
			}
		}
		s = s[n:]
	}
	return append(b, quote)
}

// BytesRepr returns CPython's repr() of the bytes b: b'…' (or b"…" when b
// contains a single quote and no double quote), with backslash, the quote,
// \t, \n, \r escaped, other bytes outside 0x20..0x7E written as \xNN.
func BytesRepr(b []byte) string {
	quote := byte('\'')
	for _, c := range b {
		if c == '"' {
			quote = '\''
			break
		}
		if c == '\'' {
			quote = '"'
		}
	}
	out := make([]byte, 0, len(b)+3)
	out = append(out, 'b', quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			out = append(out, '\\', c)
		case c == '\t':
			out = append(out, '\\', 't')
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\r':
			out = append(out, '\\', 'r')
		case c < 0x20 || c >= 0x7F:
			out = append(out, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			out = append(out, c)
		}
	}
	out = append(out, quote)
	return string(out)
}

// FloatRepr returns CPython's repr() of the float f: the shortest digits
// that read back as f, in fixed notation when the decimal exponent is in
// [-4, 16) ("0.0001", "1e+16", "1.5e-05"), with ".0" added to integral
// fixed values; "inf", "-inf", "nan"; "-0.0" for negative zero.
func FloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// Shortest round-trip digits, as "-d.ddde±XX".
	e := strconv.FormatFloat(f, 'e', -1, 64)
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if exp >= -4 && exp < 16 {
		decpt := exp + 1 // digits before the decimal point
		switch {
		case decpt <= 0:
			return sign + "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			return sign + digits[:decpt] + "." + digits[decpt:]
		}
	}
	var b strings.Builder
	b.WriteString(sign)
	b.WriteByte(digits[0])
	if len(digits) > 1 {
		b.WriteByte('.')
		b.WriteString(digits[1:])
	}
	b.WriteByte('e')
	if exp < 0 {
		b.WriteByte('-')
		exp = -exp
	} else {
		b.WriteByte('+')
	}
	if exp < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(exp))
	return b.String()
}

// complex writes complex.__repr__: "1j" or "(1+2j)", each part as float's repr but
// without ".0" for an integral value, "-0" kept, and "(-0-1j)" for a negative zero real
// part.
func (p *printer) complex(c complex128) {
	re, im := real(c), imag(c)
	part := func(f float64) string {
		return strings.TrimSuffix(FloatRepr(f), ".0")
	}
	imText := part(im)
	if re == 0 && !math.Signbit(re) {
		p.writeString(imText + "j")
		return
	}
	sign := "+"
	if strings.HasPrefix(imText, "-") || math.IsNaN(im) && math.Signbit(im) {
		sign = ""
	}
	p.writeString("(" + part(re) + sign + imText + "j)")
}

// exception writes BaseException.__repr__ of e: its class (without the module) and its
// args, "Class(arg)" for one, "Class(a, b)" for more, "Class()" for none. The classes of
// this package know their args; another Exception is taken as built from its message.
func (p *printer) exception(e Exception) {
	var args []any
	if a, ok := e.(interface{ pyArgs() []any }); ok {
		args = a.pyArgs()
	} else if msg := e.Error(); msg != "" {
		args = []any{msg}
	}
	p.writeString(exceptionName(e))
	if len(args) == 1 {
		p.writeString("(")
		p.repr(args[0])
		p.writeString(")")
		return
	}
	p.seq(args, "(", ")", false)
}
