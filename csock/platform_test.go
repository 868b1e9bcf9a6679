//go:build linux && cgo

package csock_test

import (
	"errors"
	"go/build"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const modulePath = "github.com/csock/csock"

// TestPackagesOverTheShimBuildOnlyOnLinux: the shim is glibc's (getaddrinfo_a, the *_r
// lookups, accept4), so every package of the module that uses cgo or imports csock — directly,
// through another package, or from its tests — carries a linux build constraint on every
// file. Another platform's go build, go vet or go test then says "build constraints exclude
// all Go files" instead of stopping in the C compiler, and `GOOS=freebsd go vet ./...` checks
// the portable packages alone. csock also requires cgo, so a build without a C compiler
// (CGO_ENABLED=0) says the same rather than "undefined: Status".
func TestPackagesOverTheShimBuildOnlyOnLinux(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(mod), "module "+modulePath+"\n"), "%s is not the module's root", root)

	linux := build.Default
	linux.GOOS, linux.GOARCH, linux.CgoEnabled = "linux", "amd64", true
	pkgs := map[string]*build.Package{} // import path -> the package on linux
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, "go.mod")); path != root && err == nil {
			return filepath.SkipDir // another module
		}
		p, err := linux.ImportDir(path, 0)
		if errors.As(err, new(*build.NoGoError)) {
			return nil
		}
		require.NoError(t, err, path)
		rel, err := filepath.Rel(root, path)
		require.NoError(t, err)
		pkgs[modulePath+"/"+filepath.ToSlash(rel)] = p
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, pkgs, modulePath+"/csock")
	require.Contains(t, pkgs, modulePath+"/facade")

	// linuxOnly: the packages using cgo or reaching csock, found by following imports
	// (of the package and of its tests) to a fixed point.
	linuxOnly := map[string]bool{modulePath + "/csock": true}
	for changed := true; changed; {
		changed = false
		for path, p := range pkgs {
			if linuxOnly[path] {
				continue
			}
			imports := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
			reaches := len(p.CgoFiles) > 0
			for _, imp := range imports {
				reaches = reaches || linuxOnly[imp]
			}
			if reaches {
				linuxOnly[path], changed = true, true
			}
		}
	}
	require.Contains(t, linuxOnly, modulePath+"/facade")
	require.Contains(t, linuxOnly, modulePath+"/cmd/libpysock")

	var buildable []string // "package on platform": files another platform would compile
	for path := range linuxOnly {
		dir := pkgs[path].Dir
		for _, goos := range []string{"darwin", "freebsd", "windows", "linux"} {
			for _, cgo := range []bool{true, false} {
				if goos == "linux" && (cgo || path != modulePath+"/csock") {
					continue // linux without cgo: only csock itself must be empty
				}
				ctx := build.Default
				ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = goos, "amd64", cgo
				_, err := ctx.ImportDir(dir, 0)
				if !errors.As(err, new(*build.NoGoError)) {
					buildable = append(buildable, strings.TrimPrefix(path, modulePath+"/")+" on "+goos+map[bool]string{true: "", false: " without cgo"}[cgo])
				}
			}
		}
	}
	sort.Strings(buildable)
	assert.Empty(t, buildable, "files without //go:build linux (csock: linux && cgo)")
}
