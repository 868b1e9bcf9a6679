package pyexpr

// Node is a node of the syntax tree that [Parse] returns. Pos is the
// 0-based index, in code points, of the node's first character in the
// source.
type Node interface {
	Pos() int
	node()
}

// Const is a literal: None, True, False, an int (*big.Int), a float
// (float64), a str (string) or bytes ([]byte). Adjacent string literals
// are already joined.
type Const struct {
	Start int
	Value any
}

// Name is a name to be resolved by the environment, such as AF_INET.
type Name struct {
	Start int
	Name  string
}

// TupleLit is a parenthesised tuple display: (), (x,), (x, y).
type TupleLit struct {
	Start int
	Elts  []Node
}

// ListLit is a list display: [], [x, y].
type ListLit struct {
	Start int
	Elts  []Node
}

// Unary is a unary operation; Op is "-", "+" or "~".
type Unary struct {
	Start int
	Op    string
	X     Node
}

// Binary is a binary operation; Op is one of | ^ & << >> + - * / // % **.
// OpPos locates the operator.
type Binary struct {
	Op    string
	OpPos int
	X, Y  Node
}

// Call is a call of the function Func with positional arguments Args and
// keyword arguments Keywords, in source order within each group.
type Call struct {
	Start    int
	Func     string
	Args     []Node
	Keywords []Keyword
}

// Keyword is a keyword argument name=value of a Call.
type Keyword struct {
	Start int // position of the name
	Name  string
	Value Node
}

// Pos returns the position of the literal.
func (n *Const) Pos() int { return n.Start }

// Pos returns the position of the name.
func (n *Name) Pos() int { return n.Start }

// Pos returns the position of the opening parenthesis.
func (n *TupleLit) Pos() int { return n.Start }

// Pos returns the position of the opening bracket.
func (n *ListLit) Pos() int { return n.Start }

// Pos returns the position of the operator.
func (n *Unary) Pos() int { return n.Start }

// Pos returns the position of the left operand.
func (n *Binary) Pos() int { return n.X.Pos() }

// Pos returns the position of the function name.
func (n *Call) Pos() int { return n.Start }

func (*Const) node()    {}
func (*Name) node()     {}
func (*TupleLit) node() {}
func (*ListLit) node()  {}
func (*Unary) node()    {}
func (*Binary) node()   {}
func (*Call) node()     {}
