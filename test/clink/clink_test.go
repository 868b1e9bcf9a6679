//go:build linux

// Package clink_test builds libcsock.a from the shim alone, links the C programs of
// test/c and the README's example.c against it, runs them, and compares what libc prints
// with what the Go binding returns for the same queries.
package clink_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// root is the repository root.
func root(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

// libcsock builds libcsock.a exactly as the Makefile does, with the strict flags, into a
// temporary directory, and returns its path.
func libcsock(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	obj := filepath.Join(dir, "csock.o")
	lib := filepath.Join(dir, "libcsock.a")
	run(t, root(t), "gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-c", "csock.c", "-o", obj)
	run(t, dir, "ar", "rcs", lib, obj)
	return lib
}

// link builds one C program against lib.
func link(t *testing.T, lib, src string) string {
	t.Helper()
	exe := filepath.Join(filepath.Dir(lib), strings.TrimSuffix(filepath.Base(src), ".c"))
	run(t, root(t), "gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-I.", src, lib, "-o", exe)
	return exe
}

func TestShimFromC(t *testing.T) {
	lib := libcsock(t)
	out := run(t, root(t), link(t, lib, "test/c/shim_test.c"))
	assert.Contains(t, out, "shim_test: ok")
}

func TestREADMEExampleBuildsWithPlainCC(t *testing.T) {
	lib := libcsock(t)
	exe := filepath.Join(filepath.Dir(lib), "example")
	// The README's line, from the repository root: cc example.c build/libcsock.a.
	run(t, root(t), "cc", "example.c", lib, "-o", exe)
	out := run(t, root(t), exe, "127.0.0.1", "http")
	assert.Equal(t, "family 2  127.0.0.1 port 80\n", out)
}

// gaiQuery is one line of gai_print's input.
type gaiQuery struct {
	host, serv              string // "-" for NULL
	family, socktype, flags int
}

func (q gaiQuery) bytes(s string) []byte {
	if s == "-" {
		return nil
	}
	return []byte(s)
}

// format renders the binding's answer the way gai_print renders libc's.
func format(res []csock.AddrInfo, err error) string {
	var b strings.Builder
	if err != nil {
		gerr := err.(*csock.GaiError)
		fmt.Fprintf(&b, "error %d %s\n", gerr.Code, gerr.Error())
	}
	for _, r := range res {
		fmt.Fprintf(&b, "%d %d %d %s %d %d %d %s\n", r.Family, r.SockType, r.Protocol,
			r.Addr.Host, r.Addr.Port, r.Addr.FlowInfo, r.Addr.ScopeID, r.CanonName)
	}
	b.WriteString("end\n")
	return b.String()
}

func TestAddressFormattingEqualsLibc(t *testing.T) {
	lib := libcsock(t)
	exe := link(t, lib, "test/c/gai_print.c")

	// Numeric hosts only (and NULL), so no query leaves the machine.
	hosts := []string{"::1.2.3.4", "::ffff:1.2.3.4", "fe80::1%lo", "fe80::1%1", "fe80::1%42", "127.1", "1.2.3",
		"0x7f.1", "2130706433", "0", "::", "::1", "1:0:0:1::1", "ff02::1de:c0:face:8D", "2001:db8::1",
		"::ffff:0:1.2.3.4", "64:ff9b::1.2.3.4", "127.0.0.1", "-"}
	var queries []gaiQuery
	for _, h := range hosts {
		for _, s := range []string{"-", "80", "http", "70000", "65536"} {
			for _, fam := range []int{csock.AF_UNSPEC, csock.AF_INET, csock.AF_INET6} {
				for _, flags := range []int{0, csock.AI_CANONNAME, csock.AI_PASSIVE, csock.AI_V4MAPPED | csock.AI_ALL,
					csock.AI_NUMERICHOST} {
					if h == "-" && s == "-" {
						continue
					}
					queries = append(queries, gaiQuery{h, s, fam, 0, flags})
				}
			}
		}
	}
	var in bytes.Buffer
	for _, q := range queries {
		fmt.Fprintf(&in, "%s %s %d %d %d\n", q.host, q.serv, q.family, q.socktype, q.flags)
	}
	cmd := exec.Command(exe)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "gai_print found csock_getaddrinfo differing from getaddrinfo:\n%s", stderr.String())

	sc := bufio.NewScanner(bytes.NewReader(out))
	for i, q := range queries {
		var want strings.Builder
		for sc.Scan() {
			want.WriteString(sc.Text() + "\n")
			if sc.Text() == "end" {
				break
			}
		}
		got := format(csock.GetAddrInfo(q.bytes(q.host), q.bytes(q.serv), q.family, q.socktype, 0, q.flags, nil))
		assert.Equal(t, want.String(), got, "query %d: %+v", i, q)
	}
	assert.False(t, sc.Scan(), "gai_print printed more than was asked")
}
