//go:build linux

package hermetic

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file reads the small part of Python the lookup table and CPython's
// answers use: calls with positional arguments, str, int, None, tuples,
// lists, socket constants joined with |, and enum reprs such as
// <AddressFamily.AF_INET: 2>.

// Tuple is a Python tuple.
type Tuple []any

// List is a Python list.
type List []any

// Call is a parsed Python call: Func(Args...). An argument is a string, an
// int64, nil (None), a Tuple or a List; socket constants are resolved to
// their Linux values.
type Call struct {
	Func string
	Args []any
}

// Constants are the socket module's constants the table may use, with
// their values on Linux.
var Constants = map[string]int64{
	"AF_UNSPEC": 0, "AF_INET": 2, "AF_INET6": 10,
	"SOCK_STREAM": 1, "SOCK_DGRAM": 2, "SOCK_RAW": 3,
	"IPPROTO_IP": 0, "IPPROTO_TCP": 6, "IPPROTO_UDP": 17,
	"AI_PASSIVE": 0x1, "AI_CANONNAME": 0x2, "AI_NUMERICHOST": 0x4,
	"AI_V4MAPPED": 0x8, "AI_ALL": 0x10, "AI_ADDRCONFIG": 0x20, "AI_NUMERICSERV": 0x400,
	"NI_NUMERICHOST": 0x1, "NI_NUMERICSERV": 0x2, "NI_NOFQDN": 0x4, "NI_NAMEREQD": 0x8, "NI_DGRAM": 0x10,
}

type pyParser struct {
	s   string
	pos int
}

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("python %q at %d: %s", p.s, p.pos, fmt.Sprintf(format, args...))
}

func (p *pyParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

func (p *pyParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *pyParser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("want %q", c)
	}
	p.pos++
	return nil
}

func isIdentByte(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}

func (p *pyParser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && isIdentByte(p.s[p.pos], p.pos == start) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// value parses one value, with | between ints.
func (p *pyParser) value() (any, error) {
	v, err := p.atom()
	if err != nil {
		return nil, err
	}
	for p.peek() == '|' {
		p.pos++
		w, err := p.atom()
		if err != nil {
			return nil, err
		}
		a, ok1 := v.(int64)
		b, ok2 := w.(int64)
		if !ok1 || !ok2 {
			return nil, p.errorf("| between non-integers")
		}
		v = a | b
	}
	return v, nil
}

func (p *pyParser) atom() (any, error) {
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || '0' <= c && c <= '9':
		start := p.pos
		p.pos++
		for p.pos < len(p.s) && (isIdentByte(p.s[p.pos], false)) {
			p.pos++
		}
		n, err := strconv.ParseInt(p.s[start:p.pos], 0, 64)
		if err != nil {
			return nil, p.errorf("bad int: %v", err)
		}
		return n, nil
	case c == '(' || c == '[':
		p.pos++
		closer := byte(')')
		if c == '[' {
			closer = ']'
		}
		var items []any
		for p.peek() != closer {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			items = append(items, v)
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if p.peek() != closer {
				return nil, p.errorf("want , or %q", closer)
			}
		}
		p.pos++
		if c == '[' {
			return List(items), nil
		}
		return Tuple(items), nil
	case c == '<': // enum repr: <AddressFamily.AF_INET: 2>
		p.pos++
		p.ident()
		if err := p.expect('.'); err != nil {
			return nil, err
		}
		p.ident()
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		v, err := p.atom()
		if err != nil {
			return nil, err
		}
		return v, p.expect('>')
	case isIdentByte(c, true):
		id := p.ident()
		if id == "None" {
			return nil, nil
		}
		if v, ok := Constants[id]; ok {
			return v, nil
		}
		return nil, p.errorf("unknown name %q", id)
	}
	return nil, p.errorf("unexpected input")
}

// str parses a Python string literal with the escapes repr produces.
func (p *pyParser) str() (string, error) {
	q := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == q:
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.s):
			e := p.s[p.pos+1]
			p.pos += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'x', 'u', 'U':
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if p.pos+n > len(p.s) {
					return "", p.errorf("short \\%c escape", e)
				}
				r, err := strconv.ParseUint(p.s[p.pos:p.pos+n], 16, 32)
				if err != nil {
					return "", p.errorf("bad \\%c escape", e)
				}
				p.pos += n
				b.WriteRune(rune(r))
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			b.WriteRune(r)
			p.pos += size
		}
	}
	return "", p.errorf("unterminated string")
}

// ParseCall parses a call such as
// getaddrinfo('multi.test', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_CANONNAME).
func ParseCall(expr string) (Call, error) {
	p := &pyParser{s: expr}
	name := p.ident()
	if name == "" {
		return Call{}, p.errorf("want a function name")
	}
	args, err := p.atom()
	if err != nil {
		return Call{}, err
	}
	t, ok := args.(Tuple)
	if !ok {
		return Call{}, p.errorf("want (arguments)")
	}
	if p.peek() != 0 {
		return Call{}, p.errorf("trailing input")
	}
	return Call{Func: name, Args: t}, nil
}

// ParseValue parses the repr of a value: what CPython prints for a result.
func ParseValue(repr string) (any, error) {
	p := &pyParser{s: repr}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.peek() != 0 {
		return nil, p.errorf("trailing input")
	}
	return v, nil
}

// splitComment splits a table line into its expression and "# comment",
// ignoring # inside string literals.
func splitComment(line string) (expr, comment string) {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote == 0 && c == '#':
			return strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		}
	}
	return strings.TrimSpace(line), ""
}

// arg returns argument i of c, or def when the call has fewer.
func (c Call) arg(i int, def any) any {
	if i < len(c.Args) {
		return c.Args[i]
	}
	return def
}

// intArg returns argument i as an int64 (def when absent or not an int).
func (c Call) intArg(i int, def int64) int64 {
	if v, ok := c.arg(i, def).(int64); ok {
		return v
	}
	return def
}
