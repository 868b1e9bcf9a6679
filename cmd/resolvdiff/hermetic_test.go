//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/test/hermetic"
)

// resolvdiff runs the command (this test binary, see TestMain) in the hermetic world, in
// a mount namespace of its own where each of files (an /etc path -> its text) is
// bind-mounted over the world's file, with env added to its environment. It returns the
// output and the exit status.
func resolvdiff(t *testing.T, files map[string]string, env []string, args ...string) (string, int) {
	t.Helper()
	hermetic.Require(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	script := ""
	dir := t.TempDir()
	for path, text := range files {
		src := filepath.Join(dir, filepath.Base(path))
		require.NoError(t, os.WriteFile(src, []byte(text), 0o644))
		script += "mount --bind " + src + " " + path + " && "
	}
	script += `exec "$@"`
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", append([]string{"--mount", "--propagation", "private", "--", "sh", "-c", script, "sh", exe}, args...)...)
	cmd.Env = append(append(os.Environ(), envRunMain+"=1"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	require.Empty(t, stderr.String())
	return stdout.String(), code
}

// resolvdiffJSON runs resolvdiff --json and decodes its report.
func resolvdiffJSON(t *testing.T, files map[string]string, env []string, names ...string) (report, int) {
	t.Helper()
	out, code := resolvdiff(t, files, env, append([]string{"--json"}, names...)...)
	var rep report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	return rep, code
}

// differenceOf returns the difference of resolver for the name, failing t if none.
func differenceOf(t *testing.T, nr nameReport, resolver string) difference {
	t.Helper()
	for _, d := range nr.Differences {
		if d.Resolver == resolver {
			return d
		}
	}
	t.Fatalf("%s: no difference of %s: %+v", nr.Name, resolver, nr)
	return difference{}
}

func explainedBy(d difference, source, text string) bool {
	for _, e := range d.Explanations {
		if e.Source == source && strings.Contains(e.Text, text) {
			return true
		}
	}
	return false
}

// The world's gai.conf puts IPv4 first; Go's pure resolver sorts by RFC 6724's default
// table. Go's cgo resolver follows gai.conf, as libc does: resolvdiff really runs it.
func TestResolvdiff_GaiConfExplainsTheOrder(t *testing.T) {
	rep, code := resolvdiffJSON(t, nil, nil, "multi.test")
	assert.Equal(t, 1, code)
	require.True(t, rep.Differ)
	nr := rep.Names[0]
	assert.Equal(t, []string{"192.0.2.3", "192.0.2.1", "192.0.2.2", "2001:db8:1::5", "2001:db8:ffff::99", "2001:db8::2", "2001:db8::1"},
		nr.Answers[resLibc].Addrs)
	assert.Equal(t, nr.Answers[resLibc].Addrs, nr.Answers[resCgo].Addrs, "Go's cgo resolver is libc's getaddrinfo")
	d := differenceOf(t, nr, resGo)
	assert.Equal(t, []string{"order"}, d.Kinds)
	assert.True(t, explainedBy(d, fileGaiConf, "precedence ::ffff:0:0/96 100"), "%+v", d.Explanations)
	assert.True(t, explainedBy(d, fileGaiConf, "precedence 2001:db8:1::/48 45"), "%+v", d.Explanations)
	for _, dd := range nr.Differences {
		assert.NotEqual(t, resCgo, dd.Resolver, "cgo agrees with libc: %+v", dd)
	}
}

func TestResolvdiff_AgreeingNamesExitZero(t *testing.T) {
	out, code := resolvdiff(t, nil, nil, "v4only.test")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "v4only.test (forward lookup)\n  libc       192.0.2.10 192.0.2.11\n")
	assert.Contains(t, out, "Go (pure)  same as libc")
	assert.Contains(t, out, "Go (cgo)   same as libc")
	assert.NotContains(t, out, "differ")
}

// [NOTFOUND=return] after files: libc never asks DNS for a name /etc/hosts lacks; Go's
// pure resolver ignores the criterion. (The world's nsswitch.conf is replaced for this
// run only.)
func TestResolvdiff_NSSwitchCriterionGoIgnores(t *testing.T) {
	files := map[string]string{"/etc/nsswitch.conf": "hosts: files [NOTFOUND=return] dns\nservices: files\n"}
	rep, code := resolvdiffJSON(t, files, nil, "v4only.test")
	assert.Equal(t, 1, code)
	nr := rep.Names[0]
	require.NotNil(t, nr.Answers[resLibc].AddrsErr)
	assert.Equal(t, "not found", nr.Answers[resLibc].AddrsErr.Class)
	assert.Equal(t, "EAI_NONAME", nr.Answers[resLibc].AddrsErr.Libc)
	assert.Equal(t, []string{"192.0.2.10", "192.0.2.11"}, nr.Answers[resGo].Addrs)
	d := differenceOf(t, nr, resGo)
	assert.Contains(t, d.Kinds, "addresses: answers where libc fails")
	require.True(t, explainedBy(d, fileNSSwitch, "[NOTFOUND=return]"), "%+v", d.Explanations)
}

// options no-aaaa (glibc 2.36): libc asks DNS for no AAAA record; Go's pure resolver does
// not know the option.
func TestResolvdiff_ResolvConfOptionGoDoesNotKnow(t *testing.T) {
	rc := "nameserver 127.0.0.1\nsearch corp.test lab.test\noptions timeout:1 attempts:1 ndots:1 no-aaaa\n"
	rep, code := resolvdiffJSON(t, map[string]string{"/etc/resolv.conf": rc}, nil, "multi.test")
	assert.Equal(t, 1, code)
	nr := rep.Names[0]
	assert.Equal(t, []string{"192.0.2.3", "192.0.2.1", "192.0.2.2"}, nr.Answers[resLibc].Addrs)
	d := differenceOf(t, nr, resGo)
	assert.Equal(t, []string{"addresses"}, d.Kinds)
	require.True(t, explainedBy(d, fileResolv, "no-aaaa"), "%+v", d.Explanations)

	// The same option from the environment.
	rep, _ = resolvdiffJSON(t, nil, []string{"RES_OPTIONS=no-aaaa"}, "multi.test")
	d = differenceOf(t, rep.Names[0], resGo)
	assert.True(t, explainedBy(d, "environment", "RES_OPTIONS=no-aaaa"), "%+v", d.Explanations)
}

// An /etc/hosts alias and a name's spelling on its line: libc's canonical name is the
// line's first name as written.
func TestResolvdiff_HostsLineExplainsTheCanonicalName(t *testing.T) {
	rep, code := resolvdiffJSON(t, nil, nil, "mixed.case.test")
	assert.Equal(t, 1, code)
	nr := rep.Names[0]
	assert.Equal(t, "Mixed.Case.test.", nr.Answers[resLibc].CNAME)
	d := differenceOf(t, nr, resGo)
	assert.Contains(t, d.Kinds, "canonical name")
	assert.True(t, explainedBy(d, fileHosts, "192.0.2.103\tMixed.Case.test"), "%+v", d.Explanations)
}

// Two PTR records: glibc keeps the first, Go's pure resolver returns both; Go's cgo
// resolver (getnameinfo) gives libc's one name.
func TestResolvdiff_ReverseLookupOfTwoPTRRecords(t *testing.T) {
	rep, code := resolvdiffJSON(t, nil, nil, "192.0.2.70")
	assert.Equal(t, 1, code)
	nr := rep.Names[0]
	assert.Equal(t, "reverse", nr.Lookup)
	assert.Equal(t, []string{"one.test."}, nr.Answers[resLibc].Names)
	assert.Equal(t, []string{"one.test."}, nr.Answers[resCgo].Names)
	d := differenceOf(t, nr, resGo)
	assert.Equal(t, []string{"names"}, d.Kinds)
	assert.True(t, explainedBy(d, "DNS", ""), "%+v", d.Explanations)
}

func TestResolvdiff_TextOutput(t *testing.T) {
	out, code := resolvdiff(t, nil, nil, "localhost", "v4only.test")
	assert.Equal(t, 1, code)
	for _, want := range []string{
		"localhost (forward lookup)\n  libc       127.0.0.1 ::1\n             canonical name localhost.\n",
		"  Go (pure) differs from libc: order\n    /etc/gai.conf:",
		"\n\nv4only.test (forward lookup)\n",
		"\nthe resolvers differ\n",
	} {
		assert.Contains(t, out, want)
	}
}

func TestResolvdiff_Usage(t *testing.T) {
	hermetic.Require(t)
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, run(nil, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "usage: resolvdiff")
	assert.Equal(t, 2, run([]string{"--nope", "x"}, &stdout, &stderr))
	assert.Empty(t, stdout.String())

	// Each usage error says what is wrong on its first line, before the usage text.
	for _, c := range []struct {
		args   []string
		reason string
	}{
		{nil, "resolvdiff: no NAME given\n"},
		{[]string{"--timeout", "0", "localhost"}, "resolvdiff: --timeout must be positive, not 0s\n"},
		{[]string{"--timeout", "-1s", "localhost"}, "resolvdiff: --timeout must be positive, not -1s\n"},
		{[]string{"--timeout=0"}, "resolvdiff: --timeout must be positive, not 0s\n"},
	} {
		stdout.Reset()
		stderr.Reset()
		assert.Equal(t, 2, run(c.args, &stdout, &stderr), "%q", c.args)
		assert.True(t, strings.HasPrefix(stderr.String(), c.reason+"usage: resolvdiff"), "%q: %s", c.args, stderr.String())
		assert.Empty(t, stdout.String())
	}
}

// A lookup bounded so tightly that libc times out while Go's pure resolver answers from
// /etc/hosts: the difference is explained by the timeout, not by /etc/hosts.
func TestResolvdiff_TimeoutExplainsItsDifferences(t *testing.T) {
	for _, c := range []struct{ timeout, name string }{{"1ns", "localhost"}, {"1ns", "127.0.0.1"}, {"1ns", "files.test"}} {
		rep, code := resolvdiffJSON(t, nil, nil, "--timeout", c.timeout, c.name)
		assert.Equal(t, 1, code, c)
		nr := rep.Names[0]
		d := differenceOf(t, nr, resGo)
		require.NotEmpty(t, d.Explanations, "%+v", d)
		for _, e := range d.Explanations {
			assert.Equal(t, "--timeout", e.Source, "%s: %+v", c.name, d.Explanations)
			bound, err := time.ParseDuration(c.timeout)
			require.NoError(t, err)
			assert.Contains(t, e.Why, "timed out (--timeout "+bound.String()+")", "%s: %+v", c.name, d.Explanations)
		}
	}
}
