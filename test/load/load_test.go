//go:build linux

package load

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
)

var (
	clients    = flag.Int("load.clients", 200, "concurrent echo clients (make load: 10000)")
	duration   = flag.Duration("load.duration", 2*time.Second, "how long the clients send once connected (make load: 30s)")
	dialWith   = flag.String("load.client", "facade", "what the clients are made of: facade sockets or Go's net")
	maxRounds  = flag.Int("load.rounds", 10_000_000, "bound on each client's round trips")
	maxThreads = flag.Int("load.maxthreads", 64, "the most OS threads the server process may have")
)

// envChild marks the re-executed test binary that runs the clients; its value is the
// client configuration as JSON.
const envChild = "CSOCK_LOAD_CLIENT"

// resultPrefix starts the line on which the client process reports its result.
const resultPrefix = "LOAD-RESULT "

// TestMain fails the run when the tests leave a descriptor open or a goroutine running.
func TestMain(m *testing.M) { testutil.Main(m) }

// TestLoad runs -load.clients concurrent echo clients, in a child process, against an echo
// server of facade sockets in this one for -load.duration, and requires every connection
// and round trip to succeed, every echoed byte to be intact, the server to count the same
// bytes and to hold at most -load.maxthreads OS threads; it prints the figures.
func TestLoad(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("this process runs the clients")
	}
	if testing.Short() {
		t.Skip("the load test is not short")
	}
	require.Contains(t, []string{"facade", "net"}, *dialWith)
	srv, err := Listen(4096)
	require.NoError(t, err)
	var srvThreads int
	var srvRSS int64
	stop := Sample(&srvThreads, &srvRSS)

	cfg := ClientConfig{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Port)), Clients: *clients,
		Duration: *duration, MaxRounds: *maxRounds, Dial: *dialWith, DialWorkers: 256}
	res, out, err := runClientProcess(cfg)
	// Every client has closed its end: the server's goroutines end as they read EOF.
	drained := time.Now().Add(10 * time.Second)
	for srv.Stats().Open > 0 && time.Now().Before(drained) {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	st := srv.Stats()
	srv.Close()
	require.NoError(t, err, "the client process:\n%s", out)

	fmt.Printf("load: %d clients (%s sockets, in a child process) against a facade echo server, %v\n",
		cfg.Clients, cfg.Dial, cfg.Duration)
	fmt.Printf("  connections: %d opened in %v, %d accepted\n", res.Connected, res.ConnectDur.Round(time.Millisecond), st.Accepted)
	fmt.Printf("  round trips: %d in %v (%.0f/s); bytes echoed intact: %d (server echoed %d); corrupted: %d\n",
		res.RoundTrips, res.Elapsed.Round(time.Millisecond), float64(res.RoundTrips)/res.Elapsed.Seconds(), res.Bytes, st.Bytes, res.Corrupted)
	fmt.Printf("  round trip: p50 %v, p99 %v, max %v\n", res.P50.Round(time.Microsecond), res.P99.Round(time.Microsecond), res.Max.Round(time.Microsecond))
	fmt.Printf("  errors: clients %d, server %d\n", res.Errors, st.Errors)
	fmt.Printf("  server: at most %d OS threads (bound %d), RSS at most %.1f MiB\n", srvThreads, *maxThreads, float64(srvRSS)/(1<<20))
	fmt.Printf("  clients: at most %d OS threads, RSS at most %.1f MiB\n", res.MaxThreads, float64(res.MaxRSS)/(1<<20))

	assert.Zero(t, res.Errors, "client errors (first: %s)", res.FirstErr)
	assert.Zero(t, st.Errors, "server errors (first: %s)", st.FirstErr)
	assert.Zero(t, res.Corrupted, "corrupted bytes")
	assert.EqualValues(t, cfg.Clients, res.Connected, "connections opened")
	assert.EqualValues(t, cfg.Clients, st.Accepted, "connections accepted")
	assert.Positive(t, res.RoundTrips)
	assert.Equal(t, res.Bytes, st.Bytes, "bytes the server echoed and the clients checked")
	assert.Zero(t, st.Open, "connections the server still had open")
	assert.LessOrEqual(t, srvThreads, *maxThreads, "OS threads of the server process")
}

// runClientProcess re-executes the test binary to run the clients and returns what it
// reported, and its output.
func runClientProcess(cfg ClientConfig) (*ClientResult, string, error) {
	spec, err := json.Marshal(cfg)
	if err != nil {
		return nil, "", err
	}
	// The clients' own bounds (30 s per connect and receive, the duration) end it well
	// before this one.
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Duration+3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLoadClient$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"="+string(spec))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	out := stdout.String() + stderr.String()
	if err != nil {
		return nil, out, fmt.Errorf("client process: %w", err)
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), resultPrefix); ok {
			var r ClientResult
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				return nil, out, err
			}
			return &r, out, nil
		}
	}
	return nil, out, fmt.Errorf("client process printed no result")
}

// TestLoadClient is the client process of TestLoad: it runs only when re-executed with
// the configuration in its environment, and prints its result as one line.
func TestLoadClient(t *testing.T) {
	spec := os.Getenv(envChild)
	if spec == "" {
		t.Skip("runs only as TestLoad's client process")
	}
	var cfg ClientConfig
	require.NoError(t, json.Unmarshal([]byte(spec), &cfg))
	r := RunClients(cfg)
	line, err := json.Marshal(r)
	require.NoError(t, err)
	fmt.Println(resultPrefix + string(line))
}
