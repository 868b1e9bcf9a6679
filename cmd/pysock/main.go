//go:build linux

// Command pysock evaluates calls of Python's socket module with csock and prints exactly
// what CPython 3.11 prints:
//
//	pysock [--json] [--] EXPR...
//
// Each EXPR is written as in Python after `from socket import *`: a constant name
// (has_ipv6, AF_INET) or a call such as getaddrinfo('localhost', 80, AF_INET), with
// literal arguments. EXPRs are evaluated in order in one process, so state carries over
// (setdefaulttimeout, then getdefaulttimeout). For each EXPR pysock prints the line
// CPython prints for print(repr(EXPR)) on stdout, or, when CPython would raise, the last
// line of its traceback on stderr ("socket.gaierror: [Errno -2] Name or service not
// known").
//
// Exit status: 0 when every EXPR succeeded, 1 when any raised, 2 for a usage error (an
// unknown function or name, a malformed literal), reported before anything is evaluated.
// A usage error is printed on stderr as the message with its position, then the line of
// the EXPR that holds it and a caret line, both indented by two spaces:
//
//	pysock: usage error in EXPR 1: unexpected character '$' at column 7
//	  htons($)
//	        ^
//
// The carets stand under the column the message names and span the offending text.
// Columns count code points, as CPython counts the offset of a SyntaxError; an EXPR of
// several lines is located as "at line 2, column 3" and only that line is shown. A usage
// error found while evaluating (a result beyond pysock's bounds) is printed the same way,
// after the lines of the EXPRs before it.
//
// With --json, each result is one JSON object per line on stdout (see the README for the
// encoding of tuples, bytes and enums).
//
// An argument is an option only when it is "-h" or starts with "--" and a letter (--json,
// --help); any other argument is an EXPR, so "-1", "--1" and "-AF_INET" need nothing
// special. After "--" every argument is an EXPR: pysock -- --AF_INET.
package main

import (
	"fmt"

	"github.com/csock/csock/internal/pycall"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: pysock [--json] [--] EXPR...

Evaluates Python socket-module expressions with csock (libc through cgo) and prints what
CPython 3.11 prints: the repr of each result on stdout, or the last line of the traceback
on stderr. EXPR is a constant or a call written as after "from socket import *", e.g.

  pysock "getaddrinfo('localhost', 'http', AF_INET, SOCK_STREAM)" has_ipv6

A usage error (exit status 2) is printed with the line of the EXPR that holds it and a
caret under the offending column:

  pysock: usage error in EXPR 1: unexpected character '$' at column 7
    htons($)
          ^

Options:
  --json   one JSON object per EXPR on stdout: {"ok":true,"value":...,"repr":"..."}
           or {"ok":false,"error":{"class":...,"errno":...,"message":...}}
  --help   this text
  --       every argument after it is an EXPR

An argument is an option only when it is -h or starts with "--" and a letter; any other
one is an EXPR, so -1, --1 and -AF_INET are EXPRs as they are. An EXPR that starts with
"--" and a letter goes after "--":

  pysock -- --AF_INET

Functions:
`

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	jsonOut := false
	var exprs []string
	for i, a := range args {
		switch {
		case a == "--":
			exprs = append(exprs, args[i+1:]...)
			return evaluate(exprs, jsonOut, stdout, stderr)
		case a == "--json":
			jsonOut = true
		case a == "--help" || a == "-h":
			printHelp(stdout)
			return 0
		case isOption(a):
			fmt.Fprintf(stderr, "pysock: unknown option %q (an EXPR that starts with \"--\" and a letter goes after \"--\": pysock -- %s)\n", a, a)
			return 2
		default:
			exprs = append(exprs, a)
		}
	}
	if len(exprs) == 0 {
		fmt.Fprint(stderr, "pysock: no EXPR given (see pysock --help)\n")
		return 2
	}
	return evaluate(exprs, jsonOut, stdout, stderr)
}

// isOption reports whether the argument a is meant as an option: "--" and a letter. Any
// other argument starting with '-' ("-1", "--1", "-(1)", "-AF_INET") is a Python
// expression.
func isOption(a string) bool {
	if !strings.HasPrefix(a, "--") || len(a) < 3 {
		return false
	}
	c := a[2]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, usage)
	for _, f := range pycall.Functions() {
		fmt.Fprintf(w, "  %s\n", f)
	}
}
