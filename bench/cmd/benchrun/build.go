package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/csock/csock/bench/internal/benchspec"
)

// cFlags are the flags the C program is built with.
var cFlags = []string{"-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread"}

// Programs are the built benchmark programs, as command prefixes to which
// the driver appends --op NAME --target-ms N [--quick] --max-s N.
type Programs struct {
	// Argv maps an implementation to its command prefix.
	Argv map[string][]string
	// Unavailable maps an implementation whose program could not be
	// found to the reason.
	Unavailable map[string]string
}

// findRoot returns the repository root: dir if given, else the nearest
// directory at or above the working directory holding go.mod and bench/.
func findRoot(dir string) (string, error) {
	if dir != "" {
		return filepath.Abs(dir)
	}
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(d, "go.mod")) && fileExists(filepath.Join(d, "bench", "gobench")) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("no repository root (go.mod with bench/) at or above the working directory; use -root")
		}
		d = parent
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// runTool runs a build or probe command in dir and returns its trimmed
// standard output; errors carry its standard error.
func runTool(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// Build compiles bench/c/bench.c and bench/gobench into buildDir and
// locates the Python interpreter. A missing python3 makes the python
// implementation unavailable; a failed build is an error.
func Build(ctx context.Context, root, buildDir string) (*Programs, error) {
	if err := os.MkdirAll(buildDir, 0o755); err != nil {
		return nil, err
	}
	p := &Programs{Argv: map[string][]string{}, Unavailable: map[string]string{}}

	cBin := filepath.Join(buildDir, "bench_c")
	args := append(append([]string{}, cFlags...), "-o", cBin, filepath.Join(root, "bench", "c", "bench.c"))
	if _, err := runTool(ctx, root, nil, "gcc", args...); err != nil {
		return nil, fmt.Errorf("build C: %w", err)
	}
	p.Argv["c"] = []string{cBin}

	goBin := filepath.Join(buildDir, "gobench")
	if _, err := runTool(ctx, root, []string{"CGO_ENABLED=1"}, "go", "build", "-o", goBin, "./bench/gobench"); err != nil {
		return nil, fmt.Errorf("build gobench: %w", err)
	}
	for _, impl := range goImpls {
		p.Argv[impl] = []string{goBin, "--impl", impl}
	}

	// python3 is often a wrapper (pyenv shims cost seconds per start):
	// resolve the interpreter once and run it isolated (-I) and without
	// site-packages (-S), which the socket module does not need.
	py, err := runTool(ctx, root, nil, "python3", "-c", "import sys; print(sys.executable)")
	if err != nil || py == "" {
		p.Unavailable["python"] = fmt.Sprintf("python3 not found: %v", err)
	} else {
		p.Argv["python"] = []string{py, "-I", "-S", filepath.Join(root, "bench", "python", "bench.py")}
	}
	return p, nil
}

// Listings asks every program which operations it implements (--list) and
// returns impl -> set of operations. Go implementations that are not
// registered in gobench are simply absent.
func (p *Programs) Listings(ctx context.Context) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	done := map[string]bool{}
	for _, impl := range implOrder {
		argv, ok := p.Argv[impl]
		if !ok {
			continue
		}
		// The Go implementations share one binary: list it once.
		bin := argv[0]
		if done[bin] {
			continue
		}
		done[bin] = true
		listArgv := []string{bin, "--list"}
		if impl == "python" {
			listArgv = append(append([]string{}, argv...), "--list")
		}
		lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		stdout, err := runTool(lctx, "", nil, listArgv[0], listArgv[1:]...)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%s --list: %w", impl, err)
		}
		sc := bufio.NewScanner(strings.NewReader(stdout))
		for sc.Scan() {
			var l benchspec.Listing
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				return nil, fmt.Errorf("%s --list: %q: %w", impl, sc.Text(), err)
			}
			set := map[string]bool{}
			for _, op := range l.Ops {
				if !benchspec.IsKnown(op) {
					return nil, fmt.Errorf("%s --list: unknown operation %q", l.Impl, op)
				}
				set[op] = true
			}
			out[l.Impl] = set
		}
	}
	return out, nil
}
