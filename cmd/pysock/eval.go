//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/csock/csock/internal/pyexpr"
	"github.com/csock/csock/internal/pysock"
)

// evaluate parses every EXPR, then evaluates them in order, printing each result.
func evaluate(exprs []string, jsonOut bool, stdout, stderr io.Writer) int {
	nodes := make([]pyexpr.Node, len(exprs))
	for i, src := range exprs {
		n, err := pysock.Parse(src)
		if err != nil {
			usageError(stderr, i, src, err)
			return 2
		}
		nodes[i] = n
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	status := 0
	for i, n := range nodes {
		o := pysock.Eval(n)
		switch {
		case o.Usage != nil:
			out.Flush()
			usageError(stderr, i, exprs[i], o.Usage)
			return 2
		case o.Exc != nil:
			status = 1
			if jsonOut {
				writeJSONError(out, o.Exc)
				continue
			}
			// stdout and stderr interleave in EXPR order.
			out.Flush()
			fmt.Fprintln(stderr, o.Line())
		case jsonOut:
			writeJSONValue(out, o.Value, o.Repr)
		default:
			out.WriteString(o.Repr)
			out.WriteByte('\n')
		}
	}
	return status
}

// usageError reports the usage error err of the i-th EXPR, src: the message with its
// position, then the offending line of src and a caret line under the column, both
// indented by two spaces (see the command's doc).
func usageError(w io.Writer, i int, src string, err error) {
	var u *pyexpr.UsageError
	if !errors.As(err, &u) {
		fmt.Fprintf(w, "pysock: usage error in EXPR %d: %v\n", i+1, err)
		return
	}
	fmt.Fprintf(w, "pysock: usage error in EXPR %d: %s\n", i+1, u.ErrorIn(src))
	if p := u.Pointer(src); p != "" {
		fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(p, "\n", "\n  "))
	}
}
