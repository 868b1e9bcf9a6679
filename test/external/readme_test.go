package external_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csock/csock/libcnet"
)

// The README's Go code, as a user's module compiles it. Each ```go block of README.md and
// docs/*.md must appear, line for line (white space aside), in a Go file of this module or
// in an Example file of a public package (TestDocsGoBlocksAreInThisModule), and all of
// those run here: the blocks that are whole programs under readme/, the fragments inside
// the Example functions below or inside the public packages' Examples, which
// TestExamplesOfPublicPackagesRunFromOutside runs from this module (the README's
// Python/Go table is facade's ExampleCreateServer).

// Example_libcnet is the README's libcnet fragment.
func Example_libcnet() {
	ctx := context.Background()

	var r libcnet.Resolver                       // was: net.Resolver; the zero value is ready to use
	addrs, err := r.LookupHost(ctx, "localhost") // getaddrinfo: nsswitch, /etc/hosts, gai.conf's order

	d := &libcnet.Dialer{Timeout: 5 * time.Second} // Timeout, Deadline, LocalAddr, FallbackDelay, KeepAlive, Control, ...
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}

	fmt.Println(addrs, err, client.Transport != nil)
	// Output: [127.0.0.1] <nil> true
}

// TestREADMEProgramsRun builds and runs each whole program under readme/.
func TestREADMEProgramsRun(t *testing.T) {
	dirs, err := filepath.Glob("readme/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no programs under readme/: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, "go", "run", "./"+dir).CombinedOutput()
			if err != nil {
				t.Fatalf("go run ./%s: %v\n%s", dir, err, out)
			}
			t.Logf("%s", out)
		})
	}
}

// TestDocsGoBlocksAreInThisModule checks that every ```go block of the README and of
// docs/*.md is code of this module, so the documents cannot drift from what compiles.
func TestDocsGoBlocksAreInThisModule(t *testing.T) {
	docs, _ := filepath.Glob("../../docs/*.md")
	docs = append([]string{"../../README.md"}, docs...)
	var code [][]string
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("readme/*/*.go")
	files = append(files, more...)
	for _, pkg := range publicPackages {
		tests, _ := filepath.Glob(filepath.Join("../..", pkg, "*_test.go"))
		for _, f := range tests {
			if src, err := os.ReadFile(f); err == nil && externalTestPackage.Match(src) && hasExample.Match(src) {
				files = append(files, f)
			}
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		code = append(code, trimmedLines(string(b)))
	}
	blocks := 0
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, block := range goBlocks(string(b)) {
			blocks++
			lines := trimmedLines(block)
			found := false
			for _, c := range code {
				if containsRun(c, lines) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: Go block %d is neither code of test/external nor of a public package's Example:\n%s", doc, i+1, block)
			}
		}
	}
	if blocks == 0 {
		t.Fatal("no Go block found in the README")
	}
}

// goBlocks returns the contents of the ```go fences of a Markdown text.
func goBlocks(md string) []string {
	var blocks []string
	var cur []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// trimmedLines splits s into lines with every run of white space made one space (gofmt
// aligns comments differently in a fragment), dropping empty lines.
func trimmedLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun reports whether want appears in have as consecutive lines.
func containsRun(have, want []string) bool {
	for i := 0; i+len(want) <= len(have); i++ {
		ok := true
		for j := range want {
			if have[i+j] != want[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
