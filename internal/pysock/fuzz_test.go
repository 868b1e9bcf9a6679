//go:build linux

package pysock

import (
	"flag"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/pyexpr"
)

// exceptionLine is the shape of a traceback's last line: a class name, optionally
// qualified by its module, then ": message" unless the message is empty.
var exceptionLine = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?(: .*)?$`)

// FuzzEval feeds arbitrary text to the parser and the facade: no input may panic, and every
// outcome is a value with a repr, a usage error, or a well-formed Python exception line.
//
// Generated calls may name hosts that are not in /etc/hosts, which the machine's resolver
// would send to a slow outside nameserver; so fuzzing (not the seed corpus, which is
// hermetic) runs only in a network namespace with nothing but loopback: `make fuzz` runs
// it under `unshare -n`.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		"getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM)",
		"getaddrinfo(None, 'http', flags=AI_PASSIVE)",
		"getnameinfo(('::1', 80, 0, 1), NI_NUMERICHOST|NI_NUMERICSERV)",
		"gethostbyname('127.1')",
		"inet_ntop(AF_INET6, inet_pton(AF_INET6, '::ffff:1.2.3.4'))",
		"inet_aton('1.2.3.4 junk')",
		"htons(2**16)",
		"setdefaulttimeout(1/3)",
		"getservbyport(80, 'tcp')",
		"AI_PASSIVE|AI_CANONNAME",
		"~MSG_PEEK",
		"getaddrinfo('\\udcff', 80, flags=AI_NUMERICHOST)",
		"getfqdn(b'')",
		"if_indextoname(2**32)",
		"'a'*64",
		"getaddrinfo(",
		"((((1,),),),)",
	} {
		f.Add(s)
	}
	if flag.Lookup("test.fuzz").Value.String() != "" {
		ifs, err := csock.IfNameIndex()
		require.NoError(f, err)
		if len(ifs) != 1 {
			f.Skip("fuzzing resolves arbitrary names: run it in a namespace with only loopback (make fuzz uses unshare -n)")
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<12 {
			return
		}
		n, err := Parse(src)
		if err != nil {
			var u *pyexpr.UsageError
			assert.ErrorAs(t, err, &u, "a parse failure is a usage error")
			return
		}
		o := Eval(n)
		switch {
		case o.Exc != nil:
			line := o.Line()
			assert.Regexp(t, exceptionLine, line)
			assert.NotEqual(t, "SystemError", o.Exc.PyClass(), "every failure is an exception CPython raises: %s", line)
		case o.Usage != nil:
			var u *pyexpr.UsageError
			assert.ErrorAs(t, o.Usage, &u)
		default:
			assert.NotEmpty(t, o.Repr)
		}
	})
}
