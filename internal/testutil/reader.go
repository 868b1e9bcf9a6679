package testutil

import (
	"fmt"
	"io"
	"time"
)

// BoundedReader returns a reader that passes at most calls Read calls on to r, and none
// once d has passed since it was made; after that every Read fails with an error that
// says so (never io.EOF). A test reading a stream to its end through io.ReadAll, io.Copy
// or bytes.Buffer.ReadFrom, which loop until io.EOF, then fails with that message instead
// of spinning until the test binary is killed when r never reports the end.
//
// It bounds a loop of Reads that return; a Read that blocks needs a deadline of its own
// (a socket timeout).
func BoundedReader(r io.Reader, calls int, d time.Duration) io.Reader {
	return &boundedReader{r: r, calls: calls, d: d, start: time.Now()}
}

type boundedReader struct {
	r      io.Reader
	calls  int
	d      time.Duration
	start  time.Time
	n      int   // Read calls passed on
	nbytes int64 // bytes they returned
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if elapsed := time.Since(b.start); b.n >= b.calls || elapsed > b.d {
		return 0, fmt.Errorf("testutil.BoundedReader: no io.EOF after %d Read calls (bound %d) in %v (bound %v), %d bytes read",
			b.n, b.calls, elapsed.Round(time.Millisecond), b.d, b.nbytes)
	}
	b.n++
	n, err := b.r.Read(p)
	b.nbytes += int64(n)
	return n, err
}
