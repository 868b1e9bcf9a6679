//go:build linux

package facade

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/testutil"
)

// The Go side of File: io.Reader/io.Writer semantics, the bufio-style ReadString and
// ReadLine, ErrNone, concurrency, a long stream, and the cleanup of a lost file.

// filePeer makes a file whose peer sends data (from a goroutine, as it may not fit in
// the socket buffer) and shuts down writing.
func filePeer(t *testing.T, data string, mode string, opts FileOptions) *File {
	t.Helper()
	a, b := fileSocketPair(t)
	f := mustMakeFile(t, a, mode, opts)
	done := make(chan error, 1)
	go func() {
		err := b.SendAll([]byte(data), 0)
		if err == nil {
			err = b.Shutdown(SHUT_WR)
		}
		done <- err
	}()
	t.Cleanup(func() {
		select {
		case err := <-done:
			assert.NoError(t, err, "the peer's send")
		case <-time.After(10 * time.Second):
			t.Error("the peer still sends after 10s")
			b.Close() // wakes it
			<-done
		}
	})
	return f
}

func TestFile_ReadStringIsBufiosReadString(t *testing.T) {
	const data = "alpha;beta;\r\ngamma"
	for _, mode := range []string{"rb", "r", "rwb"} {
		for _, buffering := range []int{-1, 0, 1, 2} {
			if buffering == 0 && mode == "r" {
				continue
			}
			f := filePeer(t, data, mode, FileOptions{Buffering: new(buffering), Newline: strp("")})
			want := bufio.NewReader(strings.NewReader(data))
			for range 5 {
				ws, werr := want.ReadString(';')
				gs, gerr := f.ReadString(';')
				assert.Equal(t, ws, gs, "%s/%d", mode, buffering)
				assert.Equal(t, werr, gerr, "%s/%d", mode, buffering)
			}
		}
	}
}

func TestFile_ReadLineIsBufiosReadLine(t *testing.T) {
	long := strings.Repeat("x", 20000)
	edge := strings.Repeat("y", lineLimit-1) // its "\r\n" straddles the limit
	data := "one\r\ntwo\n\nthree\r" + long + "\n" + edge + "\r\n" + "last"
	for _, mode := range []string{"rb", "rwb"} {
		for _, buffering := range []int{-1, 0, 3} {
			f := filePeer(t, data, mode, bufferingOpts(buffering))
			var lines []string
			var cur []byte
			for range 100 {
				line, isPrefix, err := f.ReadLine()
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				if buffering != 0 && isPrefix {
					assert.LessOrEqual(t, len(line), lineLimit)
				}
				cur = append(cur, line...)
				if !isPrefix {
					lines = append(lines, string(cur))
					cur = nil
				}
			}
			assert.Equal(t, []string{"one", "two", "", "three\r" + long, edge, "last"}, lines, "%s/%d", mode, buffering)
		}
	}
}

func TestFile_ReadLineReportsLongLinesAsBufioDoes(t *testing.T) {
	long := strings.Repeat("x", lineLimit+10)
	f := filePeer(t, long+"\nnext\n", "rb", DefaultFileOptions())
	line, isPrefix, err := f.ReadLine()
	require.NoError(t, err)
	assert.True(t, isPrefix)
	assert.Len(t, line, lineLimit)
	line, isPrefix, err = f.ReadLine()
	require.NoError(t, err)
	assert.False(t, isPrefix)
	assert.Equal(t, strings.Repeat("x", 10), string(line))

	// A "\r\n" that would straddle the limit: the '\r' waits for the next call.
	edge := strings.Repeat("y", lineLimit-1)
	f = filePeer(t, edge+"\r\nz", "rb", DefaultFileOptions())
	line, isPrefix, err = f.ReadLine()
	require.NoError(t, err)
	assert.True(t, isPrefix)
	assert.Equal(t, edge, string(line))
	line, isPrefix, err = f.ReadLine()
	require.NoError(t, err)
	assert.False(t, isPrefix)
	assert.Empty(t, line)
}

func TestFile_ReadLineInTextModeStripsTheNewlineModesLineEnd(t *testing.T) {
	const data = "a\r\nb\rc\nd\r\r\n"
	for _, tc := range []struct {
		newline *string
		want    []string
	}{
		{nil, []string{"a", "b", "c", "d", ""}},        // "\r\n", "\r" and "\n" read as "\n"
		{strp(""), []string{"a", "b", "c", "d", ""}},   // any of them ends a line
		{strp("\n"), []string{"a\r", "b\rc", "d\r\r"}}, // only "\n"
		{strp("\r"), []string{"a", "\nb", "c\nd", "", "\n"}},
		{strp("\r\n"), []string{"a", "b\rc\nd\r"}},
	} {
		f := filePeer(t, data, "r", FileOptions{Newline: tc.newline})
		var lines []string
		for range 10 {
			line, isPrefix, err := f.ReadLine()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			require.False(t, isPrefix)
			lines = append(lines, string(line))
		}
		assert.Equal(t, tc.want, lines, "newline %s", newlineName(tc.newline))
	}
}

func TestFile_ReadLineInTextModeCountsCharacters(t *testing.T) {
	long := strings.Repeat("é", lineLimit+5)
	edge := strings.Repeat("€", lineLimit-1)
	f := filePeer(t, long+"\n"+edge+"\r\nend", "r", FileOptions{Buffering: new(2), Newline: strp("")})
	line, isPrefix, err := f.ReadLine()
	require.NoError(t, err)
	assert.True(t, isPrefix)
	assert.Equal(t, strings.Repeat("é", lineLimit), string(line), "8192 characters")
	line, isPrefix, err = f.ReadLine()
	require.NoError(t, err)
	assert.False(t, isPrefix)
	assert.Equal(t, strings.Repeat("é", 5), string(line))
	line, isPrefix, err = f.ReadLine()
	require.NoError(t, err)
	assert.False(t, isPrefix, "the limit fell inside the \"\\r\\n\", which is taken whole")
	assert.Equal(t, edge, string(line))
	line, _, err = f.ReadLine()
	require.NoError(t, err)
	assert.Equal(t, "end", string(line))
}

func TestFile_ReadInTextModeMayStopInsideACharacter(t *testing.T) {
	f := filePeer(t, "é€x\r\ny", "r", DefaultFileOptions())
	var got []byte
	one := make([]byte, 1)
	n, err := f.Read(one)
	require.NoError(t, err)
	got = append(got, one[:n]...)
	// A Python-style read now finishes the split character first, as one character.
	rest, err := f.ReadN(2)
	require.NoError(t, err)
	assert.Equal(t, "é€", string(append(got, rest...)))
	all, err := io.ReadAll(testutil.BoundedReader(f, 100, 10*time.Second))
	require.NoError(t, err, "ReadAll stops at io.EOF")
	assert.Equal(t, "x\ny", string(all), "universal newlines")
}

func TestFile_NonBlockingGoReadsReturnErrNoneAndLoseNothing(t *testing.T) {
	for _, mode := range []string{"rb", "r"} {
		for _, buffering := range []int{-1, 0, 1} {
			if mode == "r" && buffering == 0 {
				continue
			}
			a, b := fileSocketPair(t)
			require.NoError(t, a.SetBlocking(false))
			f := mustMakeFile(t, a, mode, bufferingOpts(buffering))
			n, err := f.Read(make([]byte, 10))
			assert.Equal(t, 0, n)
			assert.ErrorIs(t, err, ErrNone, "%s/%d", mode, buffering)
			_, err = b.Send([]byte("ab\xc3"), 0)
			require.NoError(t, err)
			s, err := f.ReadString('\n')
			assert.ErrorIs(t, err, ErrNone)
			line, isPrefix, err := f.ReadLine()
			assert.ErrorIs(t, err, ErrNone)
			assert.False(t, isPrefix)
			_, err = b.Send([]byte("\xa9\n"), 0)
			require.NoError(t, err)
			line2, _, err := f.ReadLine()
			require.NoError(t, err)
			assert.Equal(t, "ab\xc3\xa9", s+string(line)+string(line2), "%s/%d: nothing lost", mode, buffering)
		}
	}
}

func TestFile_WriteTakesAllOrSaysHowMuch(t *testing.T) {
	for _, mode := range []string{"wb", "w", "rwb"} {
		for _, buffering := range []int{-1, 0, 1, 5} {
			if mode == "w" && buffering == 0 {
				continue
			}
			a, b := fileSocketPair(t)
			f := mustMakeFile(t, a, mode, bufferingOpts(buffering))
			n, err := f.Write([]byte("hello\n"))
			require.NoError(t, err)
			assert.Equal(t, 6, n)
			n, err = f.WriteString("wörld")
			require.NoError(t, err)
			assert.Equal(t, len("wörld"), n)
			require.NoError(t, f.Close())
			got, err := b.Recv(100, 0)
			require.NoError(t, err)
			assert.Equal(t, "hello\nwörld", string(got))
		}
	}

	// A non-blocking socket that fills up: the count says what was taken.
	a, _ := fileSocketPair(t)
	require.NoError(t, a.SetBlocking(false))
	f := mustMakeFile(t, a, "wb", DefaultFileOptions())
	big := make([]byte, 1<<20)
	total, err := 0, error(nil)
	for i := 0; i < 64 && err == nil; i++ {
		var n int
		n, err = f.Write(big)
		total += n
	}
	var blocked *BlockingIOError
	require.ErrorAs(t, err, &blocked)
	assert.Equal(t, "BlockingIOError: [Errno 11] write could not complete without blocking", pyExcLine(err))
	assert.Positive(t, total)
	u := mustMakeFile(t, a, "wb", bufferingOpts(0))
	for err == nil || errors.As(err, &blocked) {
		_, err = u.Write(big)
	}
	assert.ErrorIs(t, err, ErrNone, "an unbuffered file says None")
}

func TestFile_StreamOf16MiBArrivesIntact(t *testing.T) {
	// Random data through a buffered writer and a buffered reader over loopback TCP, in
	// random-sized writes and a mix of reads; SHA-256 at both ends.
	conn, cli := fileTCPPair(t)
	data := make([]byte, 16<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	want := sha256.Sum256(data)
	w := mustMakeFile(t, cli, "wb", DefaultFileOptions())
	r := mustMakeFile(t, conn, "rb", bufferingOpts(4096+3))
	wait := make(chan error, 1)
	go func() {
		sizes := rand.New(rand.NewPCG(3, 4))
		h := sha256.New()
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+sizes.IntN(40000))
			if _, err := w.Write(rest[:n]); err != nil {
				wait <- err
				return
			}
			h.Write(rest[:n])
			rest = rest[n:]
		}
		if !bytes.Equal(h.Sum(nil), want[:]) {
			wait <- errors.New("the writer's hash differs")
			return
		}
		if err := w.Close(); err != nil {
			wait <- err
			return
		}
		wait <- cli.Shutdown(SHUT_WR)
	}()
	h := sha256.New()
	sizes := rand.New(rand.NewPCG(5, 6))
	buf := make([]byte, 70000)
	total := 0
	for i := 0; ; i++ {
		require.Less(t, i, 1<<24, "bounded")
		var chunk []byte
		var err error
		switch i % 4 {
		case 0:
			chunk, err = r.ReadN(1 + sizes.IntN(30000))
		case 1:
			chunk, err = r.Read1(1 + sizes.IntN(30000))
		case 2:
			var n int
			n, err = r.Read(buf[:1+sizes.IntN(len(buf)-1)])
			chunk = buf[:n]
			if err == io.EOF {
				err = nil
			}
		case 3:
			chunk, err = r.ReadLineN(1 + sizes.IntN(5000))
		}
		require.NoError(t, err)
		if len(chunk) == 0 {
			break
		}
		h.Write(chunk)
		total += len(chunk)
	}
	select {
	case err := <-wait:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("writer still running")
	}
	assert.Equal(t, len(data), total)
	assert.Equal(t, want[:], h.Sum(nil))
}

func TestFile_ConcurrentUseIsSafe(t *testing.T) {
	// Run with -race. A "rw" file: one goroutine reads lines while others write; two
	// readers share a reader file; Close from several goroutines at once.
	a, b := fileSocketPair(t)
	rw := mustMakeFile(t, a, "rw", DefaultFileOptions())
	echo := mustMakeFile(t, b, "rwb", DefaultFileOptions())
	const n = 200
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { // the peer echoes lines back
		defer wg.Done()
		for range 2 * n {
			line, err := echo.ReadLineN(-1)
			if err != nil || len(line) == 0 {
				return
			}
			echo.Write(line)
			echo.Flush()
		}
	}()
	for g := range 2 {
		go func() {
			defer wg.Done()
			for i := range n {
				rw.WriteString(strings.Repeat("w", g+1) + "\n")
				if i%10 == 0 {
					rw.Flush()
				}
			}
			rw.Flush()
		}()
	}
	counts := map[string]int{}
	for range 2 * n {
		line, err := rw.ReadLineN(-1)
		require.NoError(t, err)
		counts[string(line)]++
	}
	assert.Equal(t, map[string]int{"w\n": n, "ww\n": n}, counts)
	require.NoError(t, b.Shutdown(SHUT_WR))
	wg.Wait()

	var closers sync.WaitGroup
	for range 8 {
		closers.Add(1)
		go func() { defer closers.Done(); assert.NoError(t, rw.Close()) }()
	}
	closers.Wait()
	require.NoError(t, a.Close())
	assert.Equal(t, -1, a.Fileno(), "the closes let go of the socket once each")
}

func TestFile_ConcurrentReadersShareTheStream(t *testing.T) {
	data := strings.Repeat("0123456789abcdef", 1<<14)
	f := filePeer(t, data, "rb", bufferingOpts(100))
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range len(data) {
				var n int
				switch g {
				case 0:
					b, _ := f.ReadN(7)
					n = len(b)
				case 1:
					k, _ := f.Read(make([]byte, 33))
					n = k
				case 2:
					b, _ := f.Read1(50)
					n = len(b)
				default:
					b, _ := f.Peek(1)
					k, _ := f.ReadInto(make([]byte, 1+len(b)%5))
					n = k
				}
				mu.Lock()
				total += n
				mu.Unlock()
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, len(data), total)
}

func TestFile_UnreachableFileLetsGoOfTheSocket(t *testing.T) {
	// CPython's finaliser closes a file that is garbage-collected; here a cleanup releases
	// the file's hold on the socket (without flushing).
	a, _ := fileSocketPair(t)
	func() {
		f, err := a.MakeFile("rb", DefaultFileOptions())
		require.NoError(t, err)
		runtime.KeepAlive(f)
	}()
	require.NoError(t, a.Close())
	for i := 0; a.Fileno() != -1; i++ {
		require.Less(t, i, 1000, "the file's cleanup did not run")
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

func TestFile_ReadDoesNotWaitWhenItHasData(t *testing.T) {
	// Unlike readinto1 (whose raw read for a large buffer could wait for more data),
	// Read returns what is buffered: a request-response exchange with io.Reader works.
	for _, mode := range []string{"rb", "rwb", "r"} {
		a, b := fileSocketPair(t)
		f := mustMakeFile(t, a, mode, DefaultFileOptions())
		_, err := b.Send([]byte("line\nrest"), 0)
		require.NoError(t, err)
		line, err := f.ReadLineN(-1)
		require.NoError(t, err)
		assert.Equal(t, "line\n", string(line))
		buf := make([]byte, 64<<10) // larger than the buffer
		done := make(chan struct{})
		go func() {
			defer close(done)
			n, err := f.Read(buf)
			assert.NoError(t, err)
			assert.Equal(t, "rest", string(buf[:n]), mode)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			b.Close() // wakes it
			<-done
			t.Fatalf("%s: Read waited with data buffered", mode)
		}
	}
}
