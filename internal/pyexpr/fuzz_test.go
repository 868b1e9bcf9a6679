package pyexpr

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/csock/csock/py"
)

// FuzzParseEval checks that no input makes the parser or the evaluator
// panic or hang, and that every outcome is a value, a *UsageError or a
// py.Exception. Seeds: testdata/fuzz/FuzzParseEval and the hand cases.
func FuzzParseEval(f *testing.F) {
	for _, src := range handCases {
		if len(src) < 200 {
			f.Add(src)
		}
	}
	for _, src := range unsupportedCases {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		// A hang would otherwise only show as a stalled fuzzer: make it a
		// crash, so that the input is saved.
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("too slow: %q", src)) })
		defer tm.Stop()
		n, err := Parse(src)
		if err != nil {
			var u *UsageError
			if !errors.As(err, &u) {
				t.Fatalf("Parse(%q): %T %v is not a usage error", src, err, err)
			}
			if u.Col < 1 {
				t.Fatalf("Parse(%q): usage error without a column: %v", src, u)
			}
			return
		}
		v, err := Eval(n, testEnv{})
		if err != nil {
			var u *UsageError
			if errors.As(err, &u) {
				if u.Col < 1 {
					t.Fatalf("Eval(%q): usage error without a column: %v", src, u)
				}
				return
			}
			if _, ok := py.AsException(err); !ok {
				t.Fatalf("Eval(%q): %T %v is neither a usage error nor a py.Exception", src, err, err)
			}
			return
		}
		_, _ = py.ReprChecked(v)
	})
}
