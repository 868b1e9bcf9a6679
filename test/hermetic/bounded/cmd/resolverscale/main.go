//go:build linux

// Command resolverscale measures the resolver paths of the facade against Go's cgo
// resolver inside the hermetic world (as root: it enters new namespaces) and prints the
// table of the README's "Resolver: bounded threads and cancellation" section:
//
//	go run ./test/hermetic/bounded/cmd/resolverscale   # or: make resolver-scale
//
// Each measurement runs in a process of its own (Go never gives back an OS thread it
// made, and GODEBUG=netdns=cgo must be set before Go's resolver starts):
//
//   - threads and RSS: n lookups of distinct names at once, every answer -delay late;
//   - cancel to return: n lookups of distinct names while the server holds every answer
//     back, cancelled all at once by one context, then n more cancelled one at a time;
//     and how many of the cancelled lookups still reached the name server;
//   - for scale, the same "all at once" cancel of goroutines that do no lookup at all;
//   - per lookup: getaddrinfo of localhost (/etc/hosts), one at a time.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/test/hermetic"
	"github.com/csock/csock/test/hermetic/bounded"
)

var (
	n        = flag.Int("n", 10000, "concurrent lookups")
	delay    = flag.Duration("delay", 20*time.Millisecond, "answer delay of the name server for the threads and RSS run")
	bound    = flag.Int("max", facade.DefaultMaxLookups, "facade.SetMaxLookups for the sync and async paths")
	scenario = flag.String("scenario", "", "run one measurement (a child process) and print it as JSON")
)

// measurement is what one child prints.
type measurement struct {
	Scenario string
	Path     bounded.Path
	Bound    int
	Conc     *bounded.ConcurrentResult `json:",omitempty"`
	Cancel   *cancelOut                `json:",omitempty"`
	PerOp    time.Duration             `json:",omitempty"`
	Err      string                    `json:",omitempty"`
}

type cancelOut struct {
	Together, OneByOne bounded.Latencies
	Reached            int // lookups cancelled together whose queries reached the server
	Errors             map[string]int
}

func main() {
	flag.Parse()
	if *scenario != "" {
		os.Exit(hermetic.Run(world(), child))
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "resolverscale: run as root: the hermetic world needs new namespaces")
		os.Exit(2)
	}
	var ms []measurement
	for _, sc := range []struct {
		name string
		path bounded.Path
		max  int
	}{
		{"conc", bounded.Sync, *bound},
		{"conc", bounded.Sync, 500},
		{"conc", bounded.Async, *bound},
		{"conc", bounded.GoCgo, 0},
		{"cancel", bounded.Async, *bound},
		{"cancel", bounded.GoCgo, 0},
		{"floor", "", 0},
		{"cost", bounded.Sync, *bound},
		{"cost", bounded.Async, *bound},
		{"cost", bounded.GoCgo, 0},
	} {
		m, err := runChild(sc.name, sc.path, sc.max)
		if err != nil {
			fmt.Fprintf(os.Stderr, "resolverscale: %s %s: %v\n", sc.name, sc.path, err)
			os.Exit(1)
		}
		ms = append(ms, m)
	}
	report(ms)
}

// runChild runs one measurement in a new process and decodes what it prints.
func runChild(name string, p bounded.Path, max int) (measurement, error) {
	exe, err := os.Executable()
	if err != nil {
		return measurement{}, err
	}
	cmd := exec.Command(exe, "-scenario="+name+":"+string(p), fmt.Sprintf("-max=%d", max),
		fmt.Sprintf("-n=%d", *n), fmt.Sprintf("-delay=%v", *delay))
	cmd.Env = os.Environ()
	if p == bounded.GoCgo {
		cmd.Env = append(cmd.Env, "GODEBUG=netdns=cgo+1")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return measurement{}, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	if p == bounded.GoCgo && !strings.Contains(stderr.String(), "cgo resolver") {
		return measurement{}, fmt.Errorf("net did not use its cgo resolver:\n%s", stderr.String())
	}
	var m measurement
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		return measurement{}, fmt.Errorf("decoding %q: %v", stdout.String(), err)
	}
	if m.Err != "" {
		return m, fmt.Errorf("%s", m.Err)
	}
	return m, nil
}

// scaleName is the i-th name of the threads and RSS run: distinct names, because Go's
// resolver merges concurrent lookups of one name into one.
func scaleName(i int) string { return fmt.Sprintf("s%06d.scale.test", i) }

// world is DefaultWorld with an A and an AAAA record for every scaleName, and for the
// cancel run a resolver timeout long enough that no lookup gives up while it is measured.
func world() hermetic.World {
	w := hermetic.DefaultWorld()
	if strings.HasPrefix(*scenario, "cancel:") {
		w.ResolvOptions = []string{"timeout:30", "attempts:1", "ndots:1"}
	}
	if strings.HasPrefix(*scenario, "conc:") {
		for i := 0; i < *n; i++ {
			w.Zone.Records = append(w.Zone.Records,
				scaleName(i)+". 60 IN A 192.0.2.1", scaleName(i)+". 60 IN AAAA 2001:db8::1")
		}
	}
	return w
}

// child runs -scenario inside the world and prints it as JSON.
func child() int {
	name, path, _ := strings.Cut(*scenario, ":")
	p := bounded.Path(path)
	m := measurement{Scenario: name, Path: p, Bound: *bound}
	env := hermetic.Current()
	if env == nil {
		m.Err = "no hermetic world (not root?)"
	} else {
		if p != bounded.GoCgo {
			facade.SetMaxLookups(*bound)
		}
		switch name {
		case "conc":
			env.Server.SetDelay(*delay)
			r := bounded.Concurrent(context.Background(), p, *n, scaleName)
			m.Conc = &r
		case "cancel":
			env.Server.SetDelay(time.Hour) // answered never, as far as the run can tell
			prefix := "c"
			name := func(i int) string { return fmt.Sprintf("%s%06d.bounded.test", prefix, i) }
			r := bounded.CancelLatency(p, *n, name, env.Server.Total)
			m.Cancel = &cancelOut{Together: r.Together, OneByOne: r.OneByOne, Errors: r.Errors,
				Reached: distinctNames(env, prefix, *n)}
		case "floor":
			m.Cancel = &cancelOut{Together: bounded.WakeFloor(*n)}
		case "cost":
			d, err := bounded.PerLookup(p, "localhost", 2*time.Second)
			if err != nil {
				m.Err = err.Error()
			}
			m.PerOp = d
		default:
			m.Err = "unknown scenario " + name
		}
	}
	b, _ := json.Marshal(m)
	fmt.Println(string(b))
	return 0
}

// distinctNames counts the lookups cancelled together (names prefix0 to prefix<n-1>)
// whose queries reached the server.
func distinctNames(env *hermetic.Env, prefix string, n int) int {
	seen := map[string]bool{}
	for _, q := range env.Server.Queries() {
		first, _, _ := strings.Cut(q.Name, ".")
		var i int
		if _, err := fmt.Sscanf(first, prefix+"%d", &i); err == nil && i < n {
			seen[first] = true
		}
	}
	return len(seen)
}

func pathName(p bounded.Path, max int) string {
	switch p {
	case bounded.Sync:
		return fmt.Sprintf("sync `GetAddrInfo` (bound %d)", max)
	case bounded.Async:
		return fmt.Sprintf("async `GetAddrInfoContext` (bound %d)", max)
	}
	return "Go cgo `net.Resolver` (limit 500)"
}

func report(ms []measurement) {
	fmt.Printf("%d lookups at once, GOMAXPROCS %d, %s/%s; answers %v late for the threads and RSS run.\n\n",
		*n, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, *delay)
	fmt.Println("| path | wall time | peak OS threads (before) | peak RSS (before) | errors |")
	fmt.Println("|---|---|---|---|---|")
	for _, m := range ms {
		if c := m.Conc; c != nil {
			errs := 0
			for _, k := range c.Errors {
				errs += k
			}
			fmt.Printf("| %s | %.1f s | %d (%d) | %d MiB (%d MiB) | %d |\n", pathName(m.Path, m.Bound),
				c.Wall.Seconds(), c.Peak.Threads, c.Base.Threads, c.Peak.HWM>>20, c.Base.RSS>>20, errs)
		}
	}
	fmt.Println()
	fmt.Println("| path | cancel to return, all at once (p50 / p99 / max) | of those, reached the name server | one at a time (p50 / p99 / max) |")
	fmt.Println("|---|---|---|---|")
	for _, m := range ms {
		if c := m.Cancel; c != nil && m.Scenario == "cancel" {
			fmt.Printf("| %s | %s | %d of %d | %s |\n", pathName(m.Path, m.Bound), q3(c.Together), c.Reached, *n,
				q3(c.OneByOne))
		}
	}
	for _, m := range ms {
		if m.Scenario == "floor" {
			fmt.Printf("| (no lookup: %d goroutines parked on one `ctx.Done()`) | %s | | |\n", *n, q3(m.Cancel.Together))
		}
	}
	fmt.Println()
	fmt.Println("| path | one getaddrinfo of localhost |")
	fmt.Println("|---|---|")
	for _, m := range ms {
		if m.Scenario == "cost" {
			fmt.Printf("| %s | %.0f µs |\n", pathName(m.Path, m.Bound), float64(m.PerOp)/float64(time.Microsecond))
		}
	}
}

func q3(l bounded.Latencies) string {
	f := func(d time.Duration) string {
		if d < time.Millisecond {
			return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
		}
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%s / %s / %s", f(l.Quantile(0.5)), f(l.Quantile(0.99)), f(l.Quantile(1)))
}
