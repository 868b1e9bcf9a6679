//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"

	"github.com/csock/csock/internal/pyexpr"
	"github.com/csock/csock/internal/pysock"
)

// evaluate parses every EXPR, then evaluates them in order, printing each result.
func evaluate(exprs []string, jsonOut bool, stdout, stderr io.Writer) int {
	nodes := make([]pyexpr.Node, len(exprs))
	for i, src := range exprs {
		n, err := pysock.Parse(src)
		if err != nil {
			fmt.Fprintf(stderr, "pysock: usage error in EXPR %d: %v\n", i+1, err)
			if u, ok := err.(*pyexpr.UsageError); ok {
				fmt.Fprintf(stderr, "  %s\n  %s\n", src, u.Pointer(src))
			}
			return 2
		}
		nodes[i] = n
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	status := 0
	for _, n := range nodes {
		o := pysock.Eval(n)
		switch {
		case o.Usage != nil:
			out.Flush()
			fmt.Fprintf(stderr, "pysock: usage error: %v\n", o.Usage)
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
