package external_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// publicPackages are the module's packages a user imports. TestPublicPackagesAreListed
// keeps the list complete.
var publicPackages = []string{"csock", "facade", "facade/pyio", "libcnet", "py"}

// notPublic are the top-level directories of the module that hold no public package.
var notPublic = map[string]bool{"bench": true, "cmd": true, "internal": true, "test": true, "build": true, "docs": true, "scripts": true, "bin": true}

var (
	externalTestPackage = regexp.MustCompile(`(?m)^package \w+_test$`)
	hasExample          = regexp.MustCompile(`(?m)^func Example`)
)

// TestPublicPackagesAreListed fails when the module gains a public package (a directory
// with Go files outside internal/, cmd/, test/ and bench/) that publicPackages lacks, so
// that its Examples are run from here too.
func TestPublicPackagesAreListed(t *testing.T) {
	var found []string
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && rel != "." {
			top := strings.Split(rel, string(filepath.Separator))[0]
			if notPublic[top] || strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") && filepath.Dir(rel) != "." {
			found = append(found, filepath.Dir(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(found)
	found = compact(found)
	want := append([]string(nil), publicPackages...)
	sort.Strings(want)
	if strings.Join(found, " ") != strings.Join(want, " ") {
		t.Fatalf("public packages are %v, publicPackages lists %v", found, want)
	}
}

func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// TestExamplesOfPublicPackagesRunFromOutside copies every external test file (package
// X_test) of a public package that holds Example functions into this module, where only
// public packages can be imported, and runs them there with their Output checks.
func TestExamplesOfPublicPackagesRunFromOutside(t *testing.T) {
	gen := "_examples"
	if err := os.RemoveAll(gen); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(gen) })
	copied := 0
	var dirs []string
	for _, pkg := range publicPackages {
		files, err := filepath.Glob(filepath.Join("../..", pkg, "*_test.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !externalTestPackage.Match(src) || !hasExample.Match(src) {
				continue
			}
			dir := filepath.Join(gen, pkg)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if len(dirs) == 0 || dirs[len(dirs)-1] != "./"+dir {
				dirs = append(dirs, "./"+dir)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), src, 0o644); err != nil {
				t.Fatal(err)
			}
			copied++
		}
	}
	if copied == 0 {
		t.Fatal("no Example file found in the public packages")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// -vet=off: an Example is named after an identifier of the package it documents, which
	// vet looks for in the copy's (empty) package.
	// (A directory whose name starts with "_" is left out of ./... patterns, so every
	// package is named.)
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-vet=off", "-count=1", "-v"}, dirs...)...)
	out, err := cmd.CombinedOutput()
	t.Logf("%d files with Examples copied; go test:\n%s", copied, out)
	if err != nil {
		t.Fatalf("the Examples do not compile or pass from another module: %v", err)
	}
	if n := strings.Count(string(out), "--- PASS: Example"); n == 0 {
		t.Fatal("no Example ran")
	}
}
