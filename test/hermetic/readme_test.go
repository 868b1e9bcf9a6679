//go:build linux

package hermetic

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docs/resolver.md (the resolver page the README links) carries testdata/godiff.md
// between these two markers, its headings moved down one level to sit under the page's
// own.
const (
	readmePath        = "../../docs/resolver.md"
	readmeGoDiffBegin = "<!-- godiff begin: copied from test/hermetic/testdata/godiff.md by `" + regenerate + "`; do not edit -->\n"
	readmeGoDiffEnd   = "<!-- godiff end -->\n"
)

// spliceGoDiff returns readme with the text between the godiff markers
// replaced by md, less md's title line, with "## " headings made "### ".
func spliceGoDiff(readme, md []byte) ([]byte, error) {
	begin := bytes.Index(readme, []byte(readmeGoDiffBegin))
	end := bytes.Index(readme, []byte(readmeGoDiffEnd))
	if begin < 0 || end < begin {
		return nil, fmt.Errorf("docs/resolver.md has no %q ... %q section", readmeGoDiffBegin, readmeGoDiffEnd)
	}
	body := md
	if bytes.HasPrefix(body, []byte("# ")) {
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			body = bytes.TrimLeft(body[i+1:], "\n")
		}
	}
	var out bytes.Buffer
	out.Write(readme[:begin+len(readmeGoDiffBegin)])
	out.WriteByte('\n')
	for _, line := range bytes.SplitAfter(body, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("## ")) {
			out.WriteString("#")
		}
		out.Write(line)
	}
	if !bytes.HasSuffix(body, []byte("\n\n")) {
		out.WriteByte('\n')
	}
	out.Write(readme[end:])
	return out.Bytes(), nil
}

// TestReadmeGoDiff checks that docs/resolver.md shows the committed godiff.md;
// -update (with TestGenerateGoDiff, which rewrites godiff.md first) copies it in.
func TestReadmeGoDiff(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	md, err := os.ReadFile(goDiffPath)
	require.NoError(t, err)
	want, err := spliceGoDiff(readme, md)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(readmePath, want, 0o644))
		return
	}
	assert.Equal(t, goDiffSection(want), goDiffSection(readme), "docs/resolver.md's pure-Go table is not testdata/godiff.md: %s", regenerate)
	assert.Equal(t, len(want), len(readme), "docs/resolver.md's pure-Go table is not testdata/godiff.md: %s", regenerate)
}

// goDiffSection returns the text between the godiff markers of a README.
func goDiffSection(readme []byte) string {
	_, after, _ := bytes.Cut(readme, []byte(readmeGoDiffBegin))
	section, _, _ := bytes.Cut(after, []byte(readmeGoDiffEnd))
	return string(section)
}

func TestSpliceGoDiff(t *testing.T) {
	readme := []byte("intro\n" + readmeGoDiffBegin + "stale\n" + readmeGoDiffEnd + "outro\n")
	got, err := spliceGoDiff(readme, []byte("# Title\n\nText.\n\n## Part\n\n| a |\n"))
	require.NoError(t, err)
	assert.Equal(t, "intro\n"+readmeGoDiffBegin+"\nText.\n\n### Part\n\n| a |\n\n"+readmeGoDiffEnd+"outro\n", string(got))
	_, err = spliceGoDiff([]byte("no markers\n"), nil)
	assert.Error(t, err)
}
