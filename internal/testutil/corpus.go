package testutil

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// CorpusEntry is one file of a Go fuzz corpus (testdata/fuzz/FuzzX/NAME): the file's name
// and the fuzz function's arguments in order.
type CorpusEntry struct {
	Name   string
	Values []any
}

// ReadCorpus reads the seed corpus of a fuzz target (dir is testdata/fuzz/FuzzX), so that a
// normal test can run the same inputs through another oracle (python3, libc) and the seeds
// double as a differential table. It understands the "go test fuzz v1" lines the fuzz
// targets of csock use: string, []byte, bool and the integer kinds; anything else fails t.
// Entries are sorted by name.
func ReadCorpus(t testing.TB, dir string) []CorpusEntry {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading the corpus: %v", err)
	}
	var out []CorpusEntry
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatalf("reading the corpus: %v", err)
		}
		vals, err := ParseCorpusFile(data)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Join(dir, e.Name()), err)
		}
		out = append(out, CorpusEntry{Name: e.Name(), Values: vals})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ParseCorpusFile decodes one corpus file in the "go test fuzz v1" format: an int is
// returned as int64 whatever its kind (int, int8 ... uint64), a string as string, a
// []byte as []byte, a bool as bool.
func ParseCorpusFile(data []byte) ([]any, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	if !sc.Scan() || strings.TrimSpace(sc.Text()) != "go test fuzz v1" {
		return nil, fmt.Errorf("not a go test fuzz v1 file")
	}
	var vals []any
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		open := strings.IndexByte(line, '(')
		if open < 0 || !strings.HasSuffix(line, ")") {
			return nil, fmt.Errorf("malformed line %q", line)
		}
		typ, lit := line[:open], line[open+1:len(line)-1]
		switch typ {
		case "string":
			s, err := strconv.Unquote(lit)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, s)
		case "[]byte":
			s, err := strconv.Unquote(lit)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, []byte(s))
		case "bool":
			b, err := strconv.ParseBool(lit)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, b)
		case "int", "int8", "int16", "int32", "int64":
			n, err := strconv.ParseInt(lit, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, n)
		case "uint", "uint16", "uint32", "uint64":
			n, err := strconv.ParseUint(lit, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, int64(n))
		case "byte", "uint8", "rune":
			s, err := strconv.Unquote(lit)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			if typ != "rune" && len(s) == 1 {
				vals = append(vals, int64(s[0])) // '\xff' is the byte 0xff, not U+00FF
				break
			}
			r, _ := utf8.DecodeRuneInString(s)
			vals = append(vals, int64(r))
		default:
			return nil, fmt.Errorf("line %q: type %s is not supported", line, typ)
		}
	}
	return vals, sc.Err()
}
