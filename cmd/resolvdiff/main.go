//go:build linux

// Command resolvdiff shows, for each name, the answer of libc's resolver, of Go's pure
// resolver and of Go's cgo resolver side by side, and for each difference the
// configuration that explains it where it can be told: a source in nsswitch.conf other
// than files and dns, or a criterion like [NOTFOUND=return]; a gai.conf rule; a
// resolv.conf option Go does not implement, or the search list and ndots; /etc/hosts
// aliases, case and line order; host.conf; the resolver's environment variables. It is
// the tool for "why does my Go program resolve this name otherwise than curl and Python?".
//
// Usage:
//
//	resolvdiff [--json] [--timeout D] NAME...
//
// A NAME is looked up forward (LookupIPAddr, in each resolver's order, and LookupCNAME);
// an address literal is looked up in reverse (LookupAddr). The three resolvers:
//
//	libc  libcnet.Resolver: getaddrinfo(3) (AI_CANONNAME for the canonical name) and
//	      gethostbyaddr_r(3), as C programs, curl and CPython ask
//	go    net.Resolver{PreferGo: true}: Go's own resolver, reading the files itself
//	cgo   net.DefaultResolver with GODEBUG=netdns=cgo (set by resolvdiff before its first
//	      lookup, whatever the environment says): Go calling getaddrinfo and getnameinfo
//
// The output is one block per name: each resolver's answer ("same as libc" when it is),
// then each difference from libc with its explanations (a difference made by a lookup
// that timed out is explained by --timeout alone). --json prints one JSON object
// instead (see report.go).
//
// Every forward NAME costs DNS queries, /etc/hosts names included: Go's cgo resolver's
// LookupCNAME asks the name server for a CNAME record (res_search, then Go's own DNS
// client) and never reads /etc/hosts. That is a difference from libc's AI_CANONNAME
// resolvdiff exists to show, so the lookup is not skipped; --timeout bounds it.
//
// Exit status: 0 when every resolver agreed on every name, 1 when any differed, 2 for a
// usage error (printed with a one-line reason, then the usage text).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: args without the program name; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	forceCgoResolver()
	fs := flag.NewFlagSet("resolvdiff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	timeout := fs.Duration("timeout", 10*time.Second, "bound on each lookup")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: resolvdiff [--json] [--timeout D] NAME...\n\n"+
			"Shows libc's, Go's pure and Go's cgo resolver's answers for each NAME and what\n"+
			"explains each difference. Exit status 1 when any differ.\n\n"+
			"Cost: a NAME (not an address) costs DNS queries even when /etc/hosts has it: Go's\n"+
			"cgo resolver's LookupCNAME asks the name server for a CNAME record (res_search,\n"+
			"then Go's DNS client) and never reads /etc/hosts, so with a slow name server each\n"+
			"NAME can take up to --timeout (the other lookups of an /etc/hosts name stay\n"+
			"local). A difference made by a lookup that timed out is explained as such, not\n"+
			"by the configuration.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "resolvdiff: --timeout must be positive, not %v\n", *timeout)
		fs.Usage()
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "resolvdiff: no NAME given")
		fs.Usage()
		return 2
	}
	cfg := readConfig("/")
	rep := report{Names: []nameReport{}}
	for _, name := range fs.Args() {
		nr := compare(name, *timeout, cfg)
		rep.Names = append(rep.Names, nr)
		rep.Differ = rep.Differ || len(nr.Differences) > 0
	}
	if *asJSON {
		if err := writeJSON(stdout, rep); err != nil {
			fmt.Fprintln(stderr, "resolvdiff:", err)
			return 2
		}
	} else {
		writeText(stdout, rep)
	}
	if rep.Differ {
		return 1
	}
	return 0
}

// forceCgoResolver makes net's default resolver the cgo one: GODEBUG=netdns=cgo, keeping
// the environment's other GODEBUG settings. net reads the setting once, at its first
// lookup, and Go re-reads GODEBUG when os.Setenv changes it, so this must run before any
// lookup. Resolver{PreferGo: true} stays the pure Go resolver whatever netdns says.
func forceCgoResolver() {
	var keep []string
	for _, kv := range strings.Split(os.Getenv("GODEBUG"), ",") {
		if kv != "" && !strings.HasPrefix(kv, "netdns=") {
			keep = append(keep, kv)
		}
	}
	_ = os.Setenv("GODEBUG", strings.Join(append(keep, "netdns=cgo"), ","))
}
