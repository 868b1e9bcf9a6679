package pyexpr

import "github.com/csock/csock/py"

// Bounds on the shape of an expression.
const (
	// MaxNesting is the deepest nesting of parentheses and brackets. CPython's
	// tokenizer allows 200 levels; pysock's expression stands inside
	// print(repr(...)), which takes two of them.
	MaxNesting = 198
	// MaxDepth bounds the depth of the syntax tree (chains of operators
	// included), so that neither parsing nor evaluation can exhaust the
	// stack.
	MaxDepth = 1000
)

// pythonKeywords are the reserved words of Python 3.11 other than None,
// True and False, which the language knows.
var pythonKeywords = map[string]bool{
	"and": true, "as": true, "assert": true, "async": true, "await": true, "break": true, "class": true,
	"continue": true, "def": true, "del": true, "elif": true, "else": true, "except": true, "finally": true,
	"for": true, "from": true, "global": true, "if": true, "import": true, "in": true, "is": true,
	"lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true, "return": true,
	"try": true, "while": true, "with": true, "yield": true,
}

// unsupportedOps are Python's expression operators that the language lacks.
var unsupportedOps = map[string]bool{
	"<": true, ">": true, "==": true, "!=": true, "<=": true, ">=": true, "@": true, ":=": true,
}

// binaryLevels lists the binary operators from the loosest to the tightest
// binding; all are left-associative. ** is handled apart.
var binaryLevels = [][]string{
	{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%"},
}

type parser struct {
	src     []rune
	toks    []token
	i       int
	nesting int
	depth   int
}

// Parse parses src, an expression of pysock's language: a Python
// expression made of literals, names, calls, tuple and list displays and
// the operators | ^ & << >> + - * / // % ** and unary - + ~. It returns a
// *UsageError if src is not such an expression.
func Parse(src string) (Node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: translateNewlines(py.Runes(src)), toks: toks}
	if p.cur().kind == tEOF {
		return nil, usageErr(KindSyntax, 0, "", "empty expression")
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.cur(); t.kind != tEOF {
		switch t.text {
		case ",":
			return nil, usageErr(KindSyntax, t.pos, t.text, "unexpected ',' after a complete expression (write a tuple in parentheses)")
		case "(", "[", ".":
			return nil, p.postfixErr(t)
		}
		if unsupportedOps[t.text] {
			return nil, usageErr(KindUnsupported, t.pos, t.text, "the operator %s is not supported", quote(t.text))
		}
		return nil, p.unexpected(t, "after a complete expression")
	}
	if err := checkDepth(n); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) cur() token { return p.toks[p.i] }

func (p *parser) isOp(s string) bool {
	t := p.cur()
	return t.kind == tOp && t.text == s
}

func (p *parser) unexpected(t token, context string) error {
	if t.kind == tEOF {
		return usageErr(KindSyntax, t.pos, "", "unexpected end of expression %s", context)
	}
	if t.kind == tName && pythonKeywords[t.text] {
		return usageErr(KindUnsupported, t.pos, t.text, "the keyword %s is not supported", quote(t.text))
	}
	return usageErr(KindSyntax, t.pos, t.text, "unexpected %s %s", quote(t.text), context)
}

func (p *parser) postfixErr(t token) error {
	switch t.text {
	case "[":
		return usageErr(KindUnsupported, t.pos, t.text, "subscripts (%s) are not supported", quote(t.text))
	case ".":
		return usageErr(KindUnsupported, t.pos, t.text, "attribute access (%s) is not supported", quote(t.text))
	}
	return usageErr(KindUnsupported, t.pos, t.text, "only a function name can be called; unexpected %s", quote(t.text))
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > MaxDepth {
		return usageErr(KindLimit, pos, "", "expression nested more than %d levels deep", MaxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) expr() (Node, error) { return p.binary(0) }

func (p *parser) binary(level int) (Node, error) {
	if level == len(binaryLevels) {
		return p.factor()
	}
	x, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.cur()
		matched := false
		if t.kind == tOp {
			for _, op := range binaryLevels[level] {
				if t.text == op {
					matched = true
				}
			}
		}
		if !matched {
			return x, nil
		}
		p.i++
		y, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		x = &Binary{Op: t.text, OpPos: t.pos, X: x, Y: y}
	}
}

func (p *parser) factor() (Node, error) {
	t := p.cur()
	if t.kind == tOp && (t.text == "-" || t.text == "+" || t.text == "~") {
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer p.leave()
		p.i++
		x, err := p.factor()
		if err != nil {
			return nil, err
		}
		return &Unary{Start: t.pos, Op: t.text, X: x}, nil
	}
	return p.power()
}

func (p *parser) power() (Node, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	if t := p.cur(); p.isOp("**") {
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer p.leave()
		p.i++
		y, err := p.factor()
		if err != nil {
			return nil, err
		}
		return &Binary{Op: "**", OpPos: t.pos, X: x, Y: y}, nil
	}
	return x, nil
}

func (p *parser) primary() (Node, error) {
	x, err := p.atom()
	if err != nil {
		return nil, err
	}
	if t := p.cur(); t.kind == tOp && (t.text == "(" || t.text == "[" || t.text == ".") {
		return nil, p.postfixErr(t)
	}
	return x, nil
}

func (p *parser) open(t token) error {
	p.nesting++
	if p.nesting > MaxNesting {
		return usageErr(KindLimit, t.pos, t.text, "too many nested parentheses: %s opens level %d, over the limit of %d", quote(t.text), p.nesting, MaxNesting)
	}
	return p.enter(t.pos)
}

func (p *parser) close() {
	p.nesting--
	p.leave()
}

func (p *parser) atom() (Node, error) {
	t := p.cur()
	switch t.kind {
	case tInt, tFloat:
		p.i++
		return &Const{Start: t.pos, Value: t.val}, nil
	case tString:
		return p.strings()
	case tName:
		p.i++
		switch t.text {
		case "None":
			return &Const{Start: t.pos, Value: nil}, nil
		case "True":
			return &Const{Start: t.pos, Value: true}, nil
		case "False":
			return &Const{Start: t.pos, Value: false}, nil
		}
		if pythonKeywords[t.text] {
			p.i--
			return nil, p.unexpected(t, "")
		}
		if p.isOp("(") {
			return p.call(t)
		}
		return &Name{Start: t.pos, Name: t.text}, nil
	case tOp:
		switch t.text {
		case "(":
			return p.display(t, ")")
		case "[":
			return p.display(t, "]")
		case "*":
			return nil, usageErr(KindUnsupported, t.pos, t.text, "starred expressions (%s) are not supported", quote(t.text))
		case "{":
			return nil, usageErr(KindUnsupported, t.pos, t.text, "dict and set displays (%s) are not supported", quote(t.text))
		}
	}
	return nil, p.unexpected(t, "where an expression was expected")
}

// strings joins adjacent string literals, which must be all str or all
// bytes.
func (p *parser) strings() (Node, error) {
	first := p.cur()
	p.i++
	if _, isBytes := first.val.([]byte); isBytes {
		b := append([]byte(nil), first.val.([]byte)...)
		for p.cur().kind == tString {
			t := p.cur()
			more, ok := t.val.([]byte)
			if !ok {
				return nil, usageErr(KindSyntax, t.pos, t.text, "cannot mix bytes and nonbytes literals: %s follows a bytes literal", quote(t.text))
			}
			b = append(b, more...)
			p.i++
		}
		return &Const{Start: first.pos, Value: b}, nil
	}
	s := first.val.(string)
	for p.cur().kind == tString {
		t := p.cur()
		more, ok := t.val.(string)
		if !ok {
			return nil, usageErr(KindSyntax, t.pos, t.text, "cannot mix bytes and nonbytes literals: %s follows a str literal", quote(t.text))
		}
		s += more
		p.i++
	}
	return &Const{Start: first.pos, Value: s}, nil
}

// display parses a parenthesised expression, a tuple or a list, whose
// opening token open is current.
func (p *parser) display(open token, closer string) (Node, error) {
	if err := p.open(open); err != nil {
		return nil, err
	}
	defer p.close()
	p.i++
	var elts []Node
	sawComma := false
	for !p.isOp(closer) {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		elts = append(elts, x)
		if p.isOp(",") {
			sawComma = true
			p.i++
			continue
		}
		if !p.isOp(closer) {
			if t := p.cur(); unsupportedOps[t.text] {
				return nil, usageErr(KindUnsupported, t.pos, t.text, "the operator %s is not supported", quote(t.text))
			}
			return nil, p.unexpected(p.cur(), "in "+map[string]string{")": "parentheses", "]": "a list"}[closer]+
				", expected ',' or "+quote(closer))
		}
	}
	p.i++
	if closer == "]" {
		return &ListLit{Start: open.pos, Elts: elts}, nil
	}
	if len(elts) == 1 && !sawComma {
		return elts[0], nil
	}
	return &TupleLit{Start: open.pos, Elts: elts}, nil
}

// call parses the arguments of a call of the function named by name; the
// opening parenthesis is current.
func (p *parser) call(name token) (Node, error) {
	open := p.cur()
	if err := p.open(open); err != nil {
		return nil, err
	}
	defer p.close()
	p.i++
	c := &Call{Start: name.pos, Func: name.text}
	seen := map[string]bool{}
	for !p.isOp(")") {
		t := p.cur()
		if t.kind == tOp && (t.text == "*" || t.text == "**") {
			return nil, usageErr(KindUnsupported, t.pos, t.text, "argument unpacking (%s) is not supported", quote(t.text))
		}
		if t.kind == tName && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].text == "=" {
			if t.text == "None" || t.text == "True" || t.text == "False" || pythonKeywords[t.text] {
				return nil, usageErr(KindSyntax, t.pos, t.text, "%s cannot be a keyword argument", quote(t.text))
			}
			if seen[t.text] {
				return nil, usageErr(KindSyntax, t.pos, t.text, "keyword argument repeated: %s", quote(t.text))
			}
			seen[t.text] = true
			p.i += 2
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			c.Keywords = append(c.Keywords, Keyword{Start: t.pos, Name: t.text, Value: v})
		} else {
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			if len(c.Keywords) > 0 {
				text := string(p.src[t.pos:p.toks[p.i-1].end])
				return nil, usageErr(KindSyntax, t.pos, text,
					"positional argument %s follows keyword argument", quote(text))
			}
			c.Args = append(c.Args, v)
		}
		if p.isOp(",") {
			p.i++
			continue
		}
		if !p.isOp(")") {
			if t := p.cur(); unsupportedOps[t.text] {
				return nil, usageErr(KindUnsupported, t.pos, t.text, "the operator %s is not supported", quote(t.text))
			}
			return nil, p.unexpected(p.cur(), "in the arguments of "+quote(name.text)+", expected ',' or ')'")
		}
	}
	p.i++
	return c, nil
}

// checkDepth rejects trees deeper than MaxDepth (long operator chains),
// without recursion.
func checkDepth(root Node) error {
	type item struct {
		n Node
		d int
	}
	stack := []item{{root, 1}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.d > MaxDepth {
			return usageErr(KindLimit, it.n.Pos(), "", "expression nested more than %d levels deep", MaxDepth)
		}
		push := func(n Node) { stack = append(stack, item{n, it.d + 1}) }
		switch n := it.n.(type) {
		case *Unary:
			push(n.X)
		case *Binary:
			push(n.X)
			push(n.Y)
		case *TupleLit:
			for _, e := range n.Elts {
				push(e)
			}
		case *ListLit:
			for _, e := range n.Elts {
				push(e)
			}
		case *Call:
			for _, e := range n.Args {
				push(e)
			}
			for _, k := range n.Keywords {
				push(k.Value)
			}
		}
	}
	return nil
}
