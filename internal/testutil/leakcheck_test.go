package testutil

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleRoot is the repository root, two directories above this file.
func moduleRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// TestEveryTestPackageChecksForLeaks walks the module and requires, in every directory
// holding tests, a TestMain that runs them through Main or Run (this package's, called as
// testutil.Main/testutil.Run elsewhere), so that no package's tests can leave a descriptor
// open or a goroutine running unnoticed. testdata and build trees are not packages of the
// module and are skipped, and so are nested modules.
func TestEveryTestPackageChecksForLeaks(t *testing.T) {
	root := moduleRoot(t)
	checked := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		switch d.Name() {
		case "testdata", "build", ".git", "node_modules", "_examples":
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root {
			return filepath.SkipDir // another module (test/external): it cannot import testutil
		}
		tests, _ := filepath.Glob(filepath.Join(path, "*_test.go"))
		if len(tests) == 0 {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		checked++
		assert.True(t, leakCheckingTestMain(t, tests), "%s: no TestMain calling testutil.Main or testutil.Run", rel)
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 10, "the walk found the module's test packages")
}

// leakCheckingTestMain reports whether one of files declares a TestMain whose body calls
// testutil.Main or testutil.Run (Main or Run inside package testutil).
func leakCheckingTestMain(t *testing.T, files []string) bool {
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Name.Name != "TestMain" || fn.Recv != nil || fn.Body == nil {
				continue
			}
			found := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch fun := call.Fun.(type) {
				case *ast.SelectorExpr:
					if x, ok := fun.X.(*ast.Ident); ok && x.Name == "testutil" && (fun.Sel.Name == "Main" || fun.Sel.Name == "Run") {
						found = true
					}
				case *ast.Ident:
					if f.Name.Name == "testutil" && (fun.Name == "Main" || fun.Name == "Run") {
						found = true
					}
				}
				return !found
			})
			if found {
				return true
			}
		}
	}
	return false
}

// TestMain_FailsOnALeak runs testdata/leaky, whose test leaks on request, and requires
// Main to fail the run for a leaked descriptor and for a leaked goroutine, and to pass it
// when nothing leaks.
func TestMain_FailsOnALeak(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs another test binary")
	}
	exe := filepath.Join(t.TempDir(), "leaky.test")
	build := exec.Command("go", "test", "-c", "-o", exe, "./testdata/leaky")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, c := range []struct{ leak, want string }{
		{"", ""},
		{"fd", "FAIL: descriptors leaked by the tests:"},
		{"goroutine", "FAIL: goroutines leaked by the tests:"},
	} {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "LEAK="+c.leak)
		out, err := cmd.CombinedOutput()
		if c.want == "" {
			assert.NoError(t, err, "%s", out)
			continue
		}
		assert.Error(t, err, "a leaked %s must fail the run", c.leak)
		assert.True(t, strings.Contains(string(out), c.want), "LEAK=%s:\n%s", c.leak, out)
	}
}
