//go:build linux

package cpysock_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeSection returns docs/c.md's "Using the facade from C" section (the C page the
// README links): its cc lines and its C program.
func readmeSection(t *testing.T) (ccLines []string, program string) {
	b, err := os.ReadFile(filepath.Join(root(t), "docs", "c.md"))
	require.NoError(t, err)
	s := string(b)
	start := strings.Index(s, "## Using the facade from C\n")
	require.GreaterOrEqual(t, start, 0, "docs/c.md has no \"Using the facade from C\" section")
	s = s[start+1:]
	if end := strings.Index(s, "\n## "); end >= 0 {
		s = s[:end]
	}
	for _, block := range strings.Split(s, "```")[1:] {
		lang, body, _ := strings.Cut(block, "\n")
		switch lang {
		case "sh":
			for _, line := range strings.Split(body, "\n") {
				if strings.HasPrefix(line, "cc ") {
					ccLines = append(ccLines, line)
				}
			}
		case "c":
			program = body
		}
	}
	require.Len(t, ccLines, 2, "a dynamic and a static link line")
	require.NotEmpty(t, program)
	return ccLines, program
}

// TestREADMELinkLineHasEveryCgoLDFLAG: a c-archive does not carry its packages' #cgo
// LDFLAGS, so the link lines of docs/c.md must name every one of them.
func TestREADMELinkLineHasEveryCgoLDFLAG(t *testing.T) {
	ccLines, _ := readmeSection(t)
	cmd := exec.Command("go", "list", "-deps", "-f", `{{join .CgoLDFLAGS " "}}`, "./cmd/libpysock")
	cmd.Dir = root(t)
	out, err := cmd.Output()
	require.NoError(t, err)
	flags := strings.Fields(string(out))
	require.NotEmpty(t, flags)
	for _, line := range ccLines {
		for _, f := range flags {
			assert.Contains(t, strings.Fields(line), f, "%s", line)
		}
	}
}

// TestREADMEExampleBuildsAndRuns runs docs/c.md's two link lines, as written, on its
// program, in a directory laid out as `make build/libpysock.a` leaves build/.
func TestREADMEExampleBuildsAndRuns(t *testing.T) {
	ccLines, program := readmeSection(t)
	lib := plainArchive.build(t)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "build", "include"), 0o755))
	require.NoError(t, os.Symlink(lib, filepath.Join(dir, "build", "libpysock.a")))
	for _, h := range []string{
		filepath.Join(root(t), "cmd", "libpysock", "pysock.h"),
		filepath.Join(root(t), "cmd", "libpysock", "export.h"),
		filepath.Join(filepath.Dir(lib), "libpysock.h"),
	} {
		require.NoError(t, os.Symlink(h, filepath.Join(dir, "build", "include", filepath.Base(h))))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prog.c"), []byte(program), 0o644))

	for _, line := range ccLines {
		t.Run(line, func(t *testing.T) {
			args := strings.Fields(line)
			if strings.Contains(line, "-static") {
				if out, err := exec.Command("cc", "-static", "-print-file-name=libc.a").Output(); err != nil || !filepath.IsAbs(strings.TrimSpace(string(out))) {
					t.Skip("no static libc")
				}
			}
			cc := exec.Command(args[0], args[1:]...)
			cc.Dir = dir
			out, err := cc.CombinedOutput()
			require.NoError(t, err, "%s\n%s", line, out)

			prog := exec.Command(filepath.Join(dir, "prog"))
			got, err := prog.Output()
			lines := strings.Split(strings.TrimSpace(string(got)), "\n")
			assert.Equal(t, "127.0.0.1 port 80", lines[0])
			if err != nil {
				// Nothing listens on 127.0.0.1:9 (discard) here: the connect is refused.
				require.Len(t, lines, 2)
				assert.Equal(t, "ConnectionRefusedError: [Errno 111] Connection refused", lines[1])
			}
		})
	}
}
