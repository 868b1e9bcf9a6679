//go:build linux && cgo

package csock_test

import (
	"fmt"
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

	files := parsePackage(t)
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

// parsePackage parses the package's non-test files.
func parsePackage(t *testing.T) []*ast.File {
	t.Helper()
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
	require.NotEmpty(t, files)
	return files
}

// seamName matches the names test seams go by: Op, Ops and the Op constants, Hook and the
// hooks, HookFor, Call, and the counters of GetAddrInfoAsync.
var seamName = regexp.MustCompile(`^(Op|Ops|Op[A-Z]\w*|Hook\w*|\w+Hook|Call|(Read)?AsyncStats)$`)

// TestNoExportedIdentifierIsATestSeam checks the other half of what `go doc ./csock` must
// show: the shim and nothing else. Test seams live in internal/seam, as Go's net keeps
// its own unexported; none may come back as an exported name, as an exported variable (an
// importer could set it process-wide; the only ones are sentinel errors), or as a seam
// or atomic type in an exported signature or type.
func TestNoExportedIdentifierIsATestSeam(t *testing.T) {
	var seams []string
	flag := func(name, why string) { seams = append(seams, name+": "+why) }
	// uses reports the seam and atomic types the node names.
	uses := func(n ast.Node) (pkgs []string) {
		if n == nil {
			return nil
		}
		ast.Inspect(n, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && (x.Name == "seam" || x.Name == "atomic") {
					pkgs = append(pkgs, x.Name+"."+sel.Sel.Name)
				}
			}
			return true
		})
		return pkgs
	}
	for _, f := range parsePackage(t) {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				name := d.Name.Name
				if d.Recv != nil {
					name = "method " + name
				}
				if seamName.MatchString(d.Name.Name) {
					flag(name, "named like a seam")
				}
				if p := uses(d.Type); p != nil {
					flag(name, fmt.Sprintf("signature names %v", p))
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						if !spec.Name.IsExported() {
							continue
						}
						if seamName.MatchString(spec.Name.Name) {
							flag(spec.Name.Name, "named like a seam")
						}
						if p := uses(spec.Type); p != nil {
							flag(spec.Name.Name, fmt.Sprintf("type names %v", p))
						}
					case *ast.ValueSpec:
						for _, id := range spec.Names {
							if !id.IsExported() {
								continue
							}
							if seamName.MatchString(id.Name) {
								flag(id.Name, "named like a seam")
							}
							if d.Tok == token.VAR && !strings.HasPrefix(id.Name, "Err") {
								flag(id.Name, "exported variable that is not a sentinel error")
							}
						}
					}
				}
			}
		}
	}
	assert.Empty(t, seams, "exported test seams: `go doc ./csock` must show the shim and nothing else")
}
