package csock_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shimDecl matches a function declaration of csock.h: a return type, then csock_NAME(.
var shimDecl = regexp.MustCompile(`(?m)^[a-z][a-z0-9_ ]*[ *]\*?(csock_[a-z0-9_]+)\(`)

// TestEveryShimFunctionHasADocumentedGoFunction checks what `go doc ./csock` must show:
// every function csock.h declares is called (directly, or through the package's own
// unexported helpers or its static inline char * wrappers) by an exported Go function
// with a doc comment.
func TestEveryShimFunctionHasADocumentedGoFunction(t *testing.T) {
	h, err := os.ReadFile("csock.h")
	require.NoError(t, err)
	var shim []string
	for _, m := range shimDecl.FindAllStringSubmatch(string(h), -1) {
		shim = append(shim, m[1])
	}
	require.Greater(t, len(shim), 40, "csock.h's declarations were not found")

	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.ParseComments)
		require.NoError(t, err)
		files = append(files, f)
	}

	calls := map[string]map[string]bool{} // Go function -> names it calls (Go and C.)
	documented := map[string]bool{}       // exported Go functions and methods with a doc comment
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			name := fd.Name.Name
			if fd.Name.IsExported() && fd.Doc != nil {
				documented[name] = true
			}
			if calls[name] == nil {
				calls[name] = map[string]bool{}
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch fn := c.Fun.(type) {
				case *ast.Ident:
					calls[name][fn.Name] = true
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && x.Name == "C" {
						calls[name]["C."+strings.TrimSuffix(fn.Sel.Name, "_bytes")] = true
					} else {
						calls[name][fn.Sel.Name] = true
					}
				}
				return true
			})
		}
	}

	// reached: every name called, transitively, from a documented exported function.
	reached := map[string]bool{}
	var walk func(string)
	walk = func(fn string) {
		for callee := range calls[fn] {
			if !reached[callee] {
				reached[callee] = true
				walk(callee)
			}
		}
	}
	for fn := range documented {
		walk(fn)
	}
	var missing []string
	for _, s := range shim {
		if !reached["C."+s] {
			missing = append(missing, s)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "shim functions no documented exported Go function reaches")
}
