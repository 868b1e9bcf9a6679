//go:build linux

package reliability

import (
	"context"
	"crypto/sha256"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/test/hermetic"
)

// storm sends SIGURG (the Go runtime's preemption signal) and SIGUSR1 (for which the test
// has a signal.Notify channel) to the process, and every 64 rounds to each of its threads
// with tgkill, so that threads blocked in libc (a resolver's poll) are hit too; at most
// limit rounds, until stop is closed. It returns the number of signals sent.
func storm(stop <-chan struct{}, limit int) int {
	pid := os.Getpid()
	sent := 0
	for i := 0; i < limit; i++ {
		select {
		case <-stop:
			return sent
		default:
		}
		for _, sig := range []syscall.Signal{syscall.SIGURG, syscall.SIGUSR1} {
			if syscall.Kill(pid, sig) == nil {
				sent++
			}
		}
		if i%64 == 0 {
			ents, _ := os.ReadDir("/proc/self/task")
			for _, e := range ents {
				if tid, err := strconv.Atoi(e.Name()); err == nil && syscall.Tgkill(pid, tid, syscall.SIGURG) == nil {
					sent++
				}
			}
		}
		if i%16 == 0 {
			time.Sleep(50 * time.Microsecond) // let the process breathe between volleys
		}
	}
	return sent
}

// TestSignalStorm_NoSpuriousErrorAndTimeoutsHold is PEP 475 for the facade: while tens of
// thousands of signals hit the process, blocking calls (a stream through SendAll/RecvInto,
// accept and connect, getaddrinfo with a slow name server) complete with the right results
// and no error, and calls with a timeout (recv, accept, connect to a full backlog) still
// fail with TimeoutError when their timeout expires, neither early nor much late.
func TestSignalStorm_NoSpuriousErrorAndTimeoutsHold(t *testing.T) {
	env := hermetic.Require(t)
	timedOut := textTimedOut(t)
	want, err := facade.GetAddrInfo("multi.test", 80, facade.AF_INET, facade.SOCK_STREAM, 0, 0)
	require.NoError(t, err)
	env.Server.SetDelay(100 * time.Millisecond)
	defer env.Server.Resume()
	_, fullAddr := fullListener(t)

	usr1 := make(chan os.Signal, 128)
	signal.Notify(usr1, syscall.SIGUSR1)
	defer signal.Stop(usr1)
	var caught atomic.Int64
	stopCount := make(chan struct{})
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		for {
			select {
			case <-usr1:
				caught.Add(1)
			case <-stopCount:
				return
			}
		}
	}()

	stop := make(chan struct{})
	var sent int
	stormDone := make(chan struct{})
	go func() {
		defer close(stormDone)
		sent = storm(stop, 200000)
	}()

	var wg sync.WaitGroup
	run := func(name string, f func(t *testing.T)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name, f)
		}()
	}
	run("stream", func(t *testing.T) {
		a, b := unixPair(t)
		data := randomBytes(8<<20, 3)
		sendErr := async(t, 60*time.Second, func() error { return a.SendAll(data, 0) })
		h := sha256.New()
		buf := make([]byte, 32<<10)
		total := 0
		for total < len(data) {
			n, err := b.RecvInto(buf, 0, 0)
			require.NoError(t, err)
			require.Positive(t, n)
			h.Write(buf[:n])
			total += n
		}
		require.NoError(t, sendErr())
		assert.Equal(t, sha256.Sum256(data), [32]byte(h.Sum(nil)))
	})
	run("accept and connect", func(t *testing.T) {
		l, addr := listener(t, 128)
		for i := 0; i < 50; i++ {
			c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
			require.NoError(t, c.Connect(addr))
			s, _, err := l.Accept()
			require.NoError(t, err)
			require.NoError(t, c.SendAll([]byte("ping"), 0))
			got, err := s.Recv(4, facade.MSG_WAITALL)
			require.NoError(t, err)
			assert.Equal(t, "ping", string(got))
			s.Close()
			c.Close()
		}
	})
	run("timeouts", func(t *testing.T) {
		idle, _ := unixPair(t)
		l, _ := listener(t, 8)
		for i := 0; i < 3; i++ {
			for name, op := range map[string]func() error{
				"recv":   func() error { require.NoError(t, idle.SetTimeout(0.3)); _, err := idle.Recv(1, 0); return err },
				"accept": func() error { require.NoError(t, l.SetTimeout(0.3)); _, _, err := l.Accept(); return err },
				"connect": func() error {
					c := newSocket(t, facade.AF_INET, facade.SOCK_STREAM)
					require.NoError(t, c.SetTimeout(0.3))
					return c.Connect(fullAddr)
				},
			} {
				var err error
				d := within(t, prompt, func() { err = op() })
				assert.Equal(t, timedOut, pyExc(err), name)
				assert.GreaterOrEqual(t, d, 300*time.Millisecond, name)
				assert.Less(t, d, 300*time.Millisecond+slack, name)
			}
		}
	})
	run("getaddrinfo", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			got, err := facade.GetAddrInfo("multi.test", 80, facade.AF_INET, facade.SOCK_STREAM, 0, 0)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			got, err = facade.GetAddrInfoContext(ctx, "multi.test", 80, facade.AF_INET, facade.SOCK_STREAM, 0, 0)
			cancel()
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
		ip, err := facade.GetHostByName("multi.test")
		require.NoError(t, err)
		assert.Equal(t, want[0].Addr.(facade.InetAddress).Host, ip)
	})
	run("makefile", func(t *testing.T) {
		a, b := unixPair(t)
		w, err := a.MakeFile("wb", facade.DefaultFileOptions())
		require.NoError(t, err)
		defer w.Close()
		r, err := b.MakeFile("rb", facade.DefaultFileOptions())
		require.NoError(t, err)
		defer r.Close()
		done := async(t, 60*time.Second, func() error {
			for i := 0; i < 2000; i++ {
				if _, err := w.Write([]byte("line " + strconv.Itoa(i) + "\n")); err != nil {
					return err
				}
			}
			return w.Flush()
		})
		for i := 0; i < 2000; i++ {
			line, err := r.ReadLineN(-1)
			require.NoError(t, err)
			require.Equal(t, "line "+strconv.Itoa(i)+"\n", string(line))
		}
		require.NoError(t, done())
	})
	wg.Wait()
	close(stop)
	<-stormDone
	time.Sleep(50 * time.Millisecond)
	close(stopCount)
	<-counted
	t.Logf("%d signals sent, %d SIGUSR1 caught", sent, caught.Load())
	assert.Greater(t, sent, 1000, "the storm was too weak to prove anything")
	assert.Positive(t, caught.Load())
}
