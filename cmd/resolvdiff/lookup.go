//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/libcnet"
)

// The resolvers, in the order of the output.
const (
	resLibc = "libc"
	resGo   = "go"
	resCgo  = "cgo"
)

// resolver is what resolvdiff asks of each resolver: net.Resolver's methods.
type resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupCNAME(ctx context.Context, host string) (string, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

var resolvers = []struct {
	name string
	r    resolver
}{
	{resLibc, &libcnet.Resolver{}},
	{resGo, &net.Resolver{PreferGo: true}},
	{resCgo, net.DefaultResolver}, // cgo: see forceCgoResolver
}

// answer is one resolver's answer for a name.
type answer struct {
	Addrs    []string `json:"addrs,omitempty"`     // forward: the addresses, in the resolver's order
	AddrsErr *errInfo `json:"addrs_err,omitempty"` // forward: the lookup's error
	CNAME    string   `json:"cname,omitempty"`     // forward: the canonical name
	CNAMEErr *errInfo `json:"cname_err,omitempty"`
	Names    []string `json:"names,omitempty"` // reverse: the names
	NamesErr *errInfo `json:"names_err,omitempty"`
}

// errInfo is a lookup's error: its text, its class, and libc's code when it carries one.
type errInfo struct {
	Text  string `json:"text"`
	Class string `json:"class"`          // "not found", "temporary", "timeout", "other"
	Libc  string `json:"libc,omitempty"` // EAI_NONAME, HOST_NOT_FOUND, ... (libcnet's errors)
}

func newErrInfo(err error) *errInfo {
	if err == nil {
		return nil
	}
	e := &errInfo{Text: err.Error(), Class: "other"}
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			e.Class = "not found"
		case de.IsTimeout:
			e.Class = "timeout"
		case de.IsTemporary:
			e.Class = "temporary"
		}
	}
	var ge *csock.GaiError
	var he *csock.HError
	switch {
	case errors.As(err, &ge):
		e.Libc = gaiName(ge.Code)
	case errors.As(err, &he):
		e.Libc = hName(he.Code)
	}
	return e
}

func gaiName(code int) string {
	switch code {
	case csock.EAI_NONAME:
		return "EAI_NONAME"
	case csock.EAI_NODATA:
		return "EAI_NODATA"
	case csock.EAI_AGAIN:
		return "EAI_AGAIN"
	case csock.EAI_FAIL:
		return "EAI_FAIL"
	case csock.EAI_ADDRFAMILY:
		return "EAI_ADDRFAMILY"
	case csock.EAI_SYSTEM:
		return "EAI_SYSTEM"
	case csock.EAI_MEMORY:
		return "EAI_MEMORY"
	}
	return "EAI " + strconv.Itoa(code)
}

func hName(code int) string {
	switch code {
	case csock.HOST_NOT_FOUND:
		return "HOST_NOT_FOUND"
	case csock.TRY_AGAIN:
		return "TRY_AGAIN"
	case csock.NO_RECOVERY:
		return "NO_RECOVERY"
	case csock.NO_DATA:
		return "NO_DATA"
	case csock.NETDB_INTERNAL:
		return "NETDB_INTERNAL"
	}
	return "h_errno " + strconv.Itoa(code)
}

// reverse tells whether name is looked up in reverse: an address literal.
func reverse(name string) bool {
	_, err := netip.ParseAddr(name)
	return err == nil
}

// ask looks name up with r, each lookup bounded by timeout.
func ask(r resolver, name string, timeout time.Duration) answer {
	var a answer
	lookup := func(f func(ctx context.Context)) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		f(ctx)
	}
	if reverse(name) {
		lookup(func(ctx context.Context) {
			names, err := r.LookupAddr(ctx, name)
			a.Names, a.NamesErr = names, newErrInfo(err)
		})
		return a
	}
	lookup(func(ctx context.Context) {
		addrs, err := r.LookupIPAddr(ctx, name)
		for _, ip := range addrs {
			a.Addrs = append(a.Addrs, ipText(ip))
		}
		a.AddrsErr = newErrInfo(err)
	})
	lookup(func(ctx context.Context) {
		cname, err := r.LookupCNAME(ctx, name)
		a.CNAME, a.CNAMEErr = cname, newErrInfo(err)
	})
	return a
}

// ipText writes an address the one way for every resolver: netip's text, an IPv4 address
// (4 bytes, or IPv4-mapped in a 16-byte net.IP from Go) as IPv4, with its zone.
func ipText(ip net.IPAddr) string {
	a, ok := netip.AddrFromSlice(ip.IP)
	if !ok {
		return ip.String()
	}
	return a.Unmap().WithZone(ip.Zone).String()
}

// kinds names how b's answer differs from a's (libc's), none when it does not.
func kinds(a, b answer) []string {
	var out []string
	errs := func(what string, ea, eb *errInfo) bool {
		switch {
		case ea == nil && eb == nil:
			return false
		case ea == nil:
			out = append(out, what+": fails where libc answers")
		case eb == nil:
			out = append(out, what+": answers where libc fails")
		case ea.Class != eb.Class:
			out = append(out, what+": another error ("+eb.Class+", libc "+ea.Class+")")
		}
		return true
	}
	if !errs("addresses", a.AddrsErr, b.AddrsErr) && !slices.Equal(a.Addrs, b.Addrs) {
		if sameSet(a.Addrs, b.Addrs) {
			out = append(out, "order")
		} else {
			out = append(out, "addresses")
		}
	}
	if !errs("canonical name", a.CNAMEErr, b.CNAMEErr) && strings.TrimSuffix(a.CNAME, ".") != strings.TrimSuffix(b.CNAME, ".") {
		out = append(out, "canonical name")
	}
	if !errs("names", a.NamesErr, b.NamesErr) && !slices.Equal(trimDots(a.Names), trimDots(b.Names)) {
		out = append(out, "names")
	}
	return out
}

// trimDots drops the final dots of names: Go returns /etc/hosts names without one.
func trimDots(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSuffix(n, ".")
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// compare asks every resolver about name and explains the differences from libc.
func compare(name string, timeout time.Duration, cfg *config) nameReport {
	nr := nameReport{Name: name, Lookup: "forward", Answers: map[string]answer{}}
	if reverse(name) {
		nr.Lookup = "reverse"
	}
	for _, r := range resolvers {
		nr.Answers[r.name] = ask(r.r, name, timeout)
	}
	libc := nr.Answers[resLibc]
	for _, other := range []string{resGo, resCgo} {
		k := kinds(libc, nr.Answers[other])
		if len(k) == 0 {
			continue
		}
		d := difference{Resolver: other, Kinds: k}
		// A difference made by a lookup that timed out is explained by the timeout alone:
		// the configuration is not what made one resolver fail.
		timedOut, rest := explainTimeouts(libc, nr.Answers[other], k, other, timeout)
		d.Explanations = timedOut
		if len(rest) > 0 {
			d.Explanations = append(d.Explanations, explain(cfg, name, other, libc, nr.Answers[other], rest)...)
		}
		nr.Differences = append(nr.Differences, d)
	}
	return nr
}

// resolverNames are the resolvers as explanations name them.
var resolverNames = map[string]string{resLibc: "libc", resGo: "Go's pure resolver", resCgo: "Go's cgo resolver"}

// explainTimeouts returns an explanation for each of kinds (the differences between libc's
// answer a and the answer b of resolver other) where one side's lookup timed out, and the
// kinds it did not explain.
func explainTimeouts(a, b answer, kinds []string, other string, timeout time.Duration) ([]explanation, []string) {
	var out []explanation
	var rest []string
	for _, k := range kinds {
		what, _, ok := strings.Cut(k, ": ")
		var ea, eb *errInfo
		switch what {
		case "addresses":
			ea, eb = a.AddrsErr, b.AddrsErr
		case "canonical name":
			ea, eb = a.CNAMEErr, b.CNAMEErr
		case "names":
			ea, eb = a.NamesErr, b.NamesErr
		}
		la, lb := ok && ea != nil && ea.Class == "timeout", ok && eb != nil && eb.Class == "timeout"
		if !la && !lb {
			rest = append(rest, k)
			continue
		}
		slow, fast := resolverNames[resLibc], resolverNames[other]
		if !la {
			slow, fast = fast, slow
		}
		outcome := "answered"
		if (la && eb != nil) || (lb && ea != nil) {
			outcome = "failed otherwise"
		}
		out = append(out, explanation{Source: "--timeout", Why: fmt.Sprintf(
			"%s's lookup of the %s timed out (--timeout %v) where %s %s in time: the difference is the bound's, not the configuration's; run again with a longer --timeout",
			slow, what, timeout, fast, outcome)})
	}
	return out, rest
}
