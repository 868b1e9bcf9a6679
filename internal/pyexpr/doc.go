// Package pyexpr parses and evaluates the expressions that pysock takes on
// its command line, with the semantics of CPython 3.11: `pysock EXPR`
// prints what `python3 -c 'from socket import *; print(repr(EXPR))'`
// prints.
//
// # Language
//
// An expression is a Python expression built from:
//
//   - literals: str ('…' or "…", also triple-quoted, with the escapes \\ \' \"
//     \a \b \f \n \r \t \v \ooo \xNN \uNNNN \UNNNNNNNN and line joining;
//     r'…' raw strings; u'…'), bytes (b'…', br'…'; ASCII only, no \u),
//     adjacent literals joined ('a' 'b'), int (decimal, 0x, 0o, 0b,
//     underscores, any size up to CPython's 4300-digit limit for decimal
//     literals), float (1.5, .5, 5., 1e-10), None, True, False;
//   - tuple and list displays: (), (x,), (x, y), [x, y], trailing commas;
//   - names, resolved by the [Env] (AF_INET);
//   - calls of functions of the Env, with positional then keyword
//     arguments, nested freely: gethostbyname(gethostname());
//   - the operators, by increasing precedence: |, ^, &, then << and >>,
//     then + and -, then *, /, // and %, then unary -, + and ~, and **
//     (right-associative, and binding tighter than a unary operator on its
//     left: -2**2 == -4).
//
// Everything else that Python allows (attributes, subscripts, comparisons,
// boolean operators, f-strings, \N{…} escapes, complex numbers, printf-style
// % formatting, argument unpacking…) is reported as a [UsageError] of
// [KindUnsupported].
//
// # Semantics
//
// Operators follow CPython exactly, error texts included: big ints, floor
// division and modulo, true division correctly rounded, ** giving a float
// for negative exponents, shifts, str/bytes/tuple/list concatenation and
// repetition, bool arithmetic, float special values. Float powers are
// computed correctly rounded; CPython calls the C library's pow, which
// (glibc) misrounds about one random case in a few thousand, so such
// results may differ from python3 in the last digit.
//
// Values defined outside this package (enum and flag members) take part in
// operators through [BinaryOperand], [UnaryOperand] and [py.Indexer].
//
// # Errors
//
// [Parse] and [Eval] return either a *[UsageError] — the expression is
// malformed, names something the Env lacks, uses what is not supported, or
// exceeds a bound — or, from Eval, a Python exception ([py.Exception]) raised
// while evaluating, such as ZeroDivisionError or whatever Env.Call raises.
//
// # Bounds
//
// Hostile input cannot make parsing or evaluation hang, panic or exhaust
// memory: nesting is bounded by [MaxNesting] and [MaxDepth], results by
// [MaxIntBits], [MaxLen], [MaxItems] and [MaxSize], and the total work of
// one expression by [MaxWork]. Where CPython fails deterministically for
// sizes beyond any machine (sequence repetition by counts that do not fit
// a Py_ssize_t, shifts by astronomical counts, allocations of 64 GiB or
// more) the same OverflowError or MemoryError is raised; other results
// beyond the bounds are usage errors of [KindLimit].
package pyexpr
