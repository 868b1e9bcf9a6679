package pyio

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/py"
)

// The io layers over fakeSocket: first what each layer does with partial reads and
// writes, EAGAIN, timeouts and the close protocol, written out; then the same kinds of
// scripts compared step by step with CPython's socket.makefile over a Python twin of the
// fake (scenario_test.go).

func mustMakeFile(t *testing.T, s Socket, mode string, opts FileOptions) *File {
	t.Helper()
	f, err := MakeFile(s, mode, opts)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestMakeFile_ZeroOptionsAreMakefilesDefaults(t *testing.T) {
	// makefile(mode): a buffered file of io.DEFAULT_BUFFER_SIZE, whose first read asks the
	// socket for a whole buffer; buffering=0 is Buffering: new(0).
	for mode, class := range map[string]string{"rb": "BufferedReader", "wb": "BufferedWriter",
		"rwb": "BufferedRWPair", "r": "TextIOWrapper", "w": "TextIOWrapper"} {
		f := mustMakeFile(t, newFakeSocket(), mode, FileOptions{})
		assert.Equal(t, class, f.PyTypeName(), mode)
	}
	s := newFakeSocket().peer("x")
	f := mustMakeFile(t, s, "rb", FileOptions{})
	_, err := f.ReadN(1)
	require.NoError(t, err)
	recvs, _ := s.calls()
	assert.Equal(t, []int{8192}, recvs)

	assert.Equal(t, "SocketIO", mustMakeFile(t, newFakeSocket(), "rb", FileOptions{Buffering: new(0)}).PyTypeName())
	assert.Equal(t, "BufferedReader", mustMakeFile(t, newFakeSocket(), "rb", FileOptions{Buffering: new(-1)}).PyTypeName(),
		"a negative buffering is the default, as in Python")
	_, err = MakeFile(newFakeSocket(), "r", FileOptions{Buffering: new(0)})
	assert.EqualError(t, err, "unbuffered streams must be binary")
}

func TestBufferedReader_ReadMakesUpPartialReceives(t *testing.T) {
	// read(n) waits for n bytes, a receive at a time: whole buffers straight into the
	// result, the rest through the buffer, whose excess stays buffered for read1.
	s := newFakeSocket().peer("abc", "defg", "hijklmn")
	f := mustMakeFile(t, s, "rb", FileOptions{Buffering: new(4)})
	got, err := f.ReadN(10)
	require.NoError(t, err)
	assert.Equal(t, "abcdefghij", string(got))
	recvs, _ := s.calls()
	assert.Equal(t, []int{8, 4, 4}, recvs, "8 and then 4 bytes into the result, then a buffer's worth")
	got, err = f.Read1(-1)
	require.NoError(t, err)
	assert.Equal(t, "k", string(got), "read1 returns what the buffer holds without a receive")
	got, err = f.Read1(-1)
	require.NoError(t, err)
	assert.Equal(t, "lmn", string(got))
	got, err = f.ReadN(-1)
	require.NoError(t, err)
	assert.Equal(t, []byte{}, got, "the end of the stream")
}

func TestSocketIO_NonBlockingReadsAndWritesAreNone(t *testing.T) {
	// EAGAIN from the socket is None in Python: ErrNone, with nothing lost.
	s := newFakeSocket().recvFails(errAgain).peer("ab").sendFails(errAgain).sendTakes(2)
	f := mustMakeFile(t, s, "rwb", FileOptions{Buffering: new(0)})
	got, err := f.ReadN(5)
	assert.Nil(t, got)
	assert.Equal(t, ErrNone, err)
	n, err := f.ReadInto(make([]byte, 5))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = f.PyWrite([]byte("xyz"))
	assert.Equal(t, 0, n)
	assert.Equal(t, ErrNone, err)
	n, err = f.PyWrite([]byte("xyz"))
	require.NoError(t, err)
	assert.Equal(t, 2, n, "one send, which took part of it")
	assert.Equal(t, "xy", s.sentString())
}

func TestBufferedReader_NonBlockingReadReturnsWhatItHas(t *testing.T) {
	s := newFakeSocket().recvFails(errAgain).peer("ab").recvFails(errAgain).recvFails(errAgain)
	f := mustMakeFile(t, s, "rb", FileOptions{})
	got, err := f.ReadN(5)
	assert.Nil(t, got)
	assert.Equal(t, ErrNone, err, "None: nothing at all")
	got, err = f.ReadN(5)
	require.NoError(t, err)
	assert.Equal(t, "ab", string(got), "a short read: the socket ran dry")
	_, err = f.ReadN(5)
	assert.Equal(t, ErrNone, err)
	got, err = f.ReadN(5)
	require.NoError(t, err)
	assert.Empty(t, got, "the end of the stream")
}

func TestTextIOWrapper_NonBlockingReadLooksLikeTheEnd(t *testing.T) {
	// CPython's TextIOWrapper takes read1's b"" for the end of the stream; Go's Read
	// returns ErrNone instead.
	s := newFakeSocket().peer("one\ntw").recvFails(errAgain).peer("o\n").recvFails(errAgain)
	f := mustMakeFile(t, s, "r", FileOptions{})
	line, err := f.ReadLineN(-1)
	require.NoError(t, err)
	assert.Equal(t, "one\n", string(line))
	line, err = f.ReadLineN(-1)
	require.NoError(t, err)
	assert.Equal(t, "tw", string(line))
	line, err = f.ReadLineN(-1)
	require.NoError(t, err)
	assert.Equal(t, "o\n", string(line))
	n, err := f.Read(make([]byte, 10))
	assert.Equal(t, 0, n)
	assert.Equal(t, ErrNone, err)
	n, err = f.Read(make([]byte, 10))
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)
}

func TestSocketIO_TimeoutPoisonsEveryLaterRead(t *testing.T) {
	// bpo-7322: after a timeout the file cannot know what the socket consumed, so it
	// refuses to read, without asking the socket again, in every layer.
	for _, tc := range []struct {
		mode string
		opts FileOptions
	}{{"rb", FileOptions{Buffering: new(0)}}, {"rb", FileOptions{}}, {"rwb", FileOptions{}}, {"r", FileOptions{}}} {
		name := fmt.Sprintf("%s/%v", tc.mode, tc.opts.Buffering != nil)
		s := newFakeSocket().recvFails(errTimedOut).peer("late")
		f := mustMakeFile(t, s, tc.mode, tc.opts)
		_, err := f.ReadN(4)
		assert.Equal(t, "TimeoutError: timed out", pyExcLine(err), name)
		_, err = f.ReadN(4)
		assert.Equal(t, "OSError: cannot read from timed out object", pyExcLine(err), name)
		_, err = f.ReadLineN(-1)
		assert.Equal(t, "OSError: cannot read from timed out object", pyExcLine(err), name)
		recvs, _ := s.calls()
		assert.Len(t, recvs, 1, "%s: one receive, the one that timed out", name)
	}
	// Writes go on.
	s := newFakeSocket().recvFails(errTimedOut)
	f := mustMakeFile(t, s, "rwb", FileOptions{Buffering: new(0)})
	_, err := f.ReadN(1)
	require.Error(t, err)
	n, err := f.PyWrite([]byte("ok"))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

func TestBufferedWriter_FlushCompletesPartialSends(t *testing.T) {
	s := newFakeSocket().sendTakes(3, 3, 3, 3, 3)
	f := mustMakeFile(t, s, "wb", FileOptions{Buffering: new(8)})
	n, err := f.PyWrite([]byte("hello"))
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	_, sends := s.calls()
	assert.Empty(t, sends, "it fits in the buffer")
	n, err = f.PyWrite([]byte(", world"))
	require.NoError(t, err)
	assert.Equal(t, 7, n, "a BufferedWriter takes all")
	require.NoError(t, f.Flush())
	assert.Equal(t, "hello, world", s.sentString())
	_, sends = s.calls()
	assert.Equal(t, []int{5, 2, 7, 4, 1}, sends, "each send is of what the previous ones left")
}

func TestBufferedWriter_NonBlockingSocketGivesBlockingIOError(t *testing.T) {
	// The socket takes nothing: the write keeps what fits in the buffer and says how
	// much of b that was (CPython's characters_written).
	s := newFakeSocket().sendFails(errAgain)
	f := mustMakeFile(t, s, "wb", FileOptions{Buffering: new(4)})
	n, err := f.PyWrite([]byte("abcdefgh"))
	assert.Equal(t, 0, n)
	var be *py.BlockingIOError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 4, be.CharactersWritten)
	assert.ErrorIs(t, err, syscall.EAGAIN)
	require.NoError(t, f.Flush(), "the socket takes it now")
	assert.Equal(t, "abcd", s.sentString())
}

func TestFile_SocketCloseWaitsForTheLastFile(t *testing.T) {
	// CPython's _io_refs: each file holds the socket; the socket's close with files open
	// only marks it closed, and the last file's close closes the descriptor, once.
	s := newFakeSocket().peer("ping\n")
	r := mustMakeFile(t, s, "rb", FileOptions{})
	w := mustMakeFile(t, s, "wb", FileOptions{Buffering: new(0)})
	refs, _ := s.state()
	assert.Equal(t, 2, refs)
	s.Close()
	_, closed := s.state()
	assert.False(t, closed, "the files keep the descriptor")
	line, err := r.ReadLineN(-1)
	require.NoError(t, err)
	assert.Equal(t, "ping\n", string(line))
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "a second close does nothing")
	refs, closed = s.state()
	assert.Equal(t, 1, refs)
	assert.False(t, closed)
	_, err = w.PyWrite([]byte("pong"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	refs, closed = s.state()
	assert.Equal(t, 0, refs)
	assert.True(t, closed, "the last file's close closed the descriptor")
	assert.Equal(t, 1, s.closes)
	name, err := w.Name()
	require.NoError(t, err)
	assert.Equal(t, -1, name)
}

func TestFile_CloseLeavesAnOpenSocketOpen(t *testing.T) {
	s := newFakeSocket()
	for _, mode := range []string{"rb", "wb", "rwb", "r", "w", "rw"} {
		f, err := MakeFile(s, mode, FileOptions{})
		require.NoError(t, err)
		require.NoError(t, f.Close())
		assert.True(t, f.Closed())
	}
	refs, closed := s.state()
	assert.Equal(t, 0, refs)
	assert.False(t, closed)
}

func TestFile_CloseReleasesTheSocketEvenWhenTheFlushFails(t *testing.T) {
	s := newFakeSocket().sendFails(errors.New("the peer went away"))
	f, err := MakeFile(s, "w", FileOptions{})
	require.NoError(t, err)
	_, err = f.PyWrite([]byte("unsent"))
	require.NoError(t, err)
	s.Close()
	assert.EqualError(t, f.Close(), "the peer went away", "the flush's error")
	assert.True(t, f.Closed())
	refs, closed := s.state()
	assert.Equal(t, 0, refs)
	assert.True(t, closed)
}

// Scenarios compared with CPython over the fake.

var fakeBufferings = []*int{intp(0), nil, intp(1), intp(4)}

func bufName(b *int) string {
	if b == nil {
		return "None"
	}
	return fmt.Sprint(*b)
}

// addFakeScenarios registers the steps over each buffering in each mode.
func addFakeScenarios(name string, modes []string, bufferings []*int, recvs, sends [][]any, steps ...[]any) []string {
	var names []string
	for _, mode := range modes {
		for _, b := range bufferings {
			if b != nil && *b == 0 && mode[len(mode)-1] != 'b' {
				continue
			}
			names = append(names, addFakeScenario(fakeScenario{Name: fmt.Sprintf("%s %s/%s", name, mode, bufName(b)),
				Mode: mode, Buffering: b, Recvs: recvs, Sends: sends, Steps: steps}))
		}
	}
	return names
}

var scFakeReads = append(append(append(
	addFakeScenarios("partial receives", []string{"rb", "rwb"}, fakeBufferings,
		[][]any{evData("abc"), evData("defg\nhi"), evData("jklmn\nop")}, nil,
		fsRead(10), fsCalls(), fsRead1(-1), fsPeek(), fsReadline(2), fsReadline(0), fsReadline(-1), fsReadinto(3),
		fsRead(-1), fsCalls()),
	addFakeScenarios("non-blocking receives", []string{"rb", "rwb", "r"}, fakeBufferings,
		[][]any{evAgain(), evData("ab"), evAgain(), evData("c\nd"), evAgain(), evAgain(), evData("e")}, nil,
		fsRead(5), fsRead(5), fsRead(5), fsReadline(-1), fsRead1(4), fsReadline(-1), fsRead(-1), fsCalls())...),
	addFakeScenarios("timeout", []string{"rb", "rwb", "r"}, fakeBufferings,
		[][]any{evData("ab"), evTimeout(), evData("cd")}, nil,
		fsRead(4), fsRead(1), fsReadline(-1), fsCalls())...),
	addFakeScenarios("text", []string{"r", "rw"}, []*int{nil, intp(2)},
		[][]any{evData("h\xc3"), evData("\xa9llo\r"), evData("\nw\xc3\xb6rld\rend")}, nil,
		fsReadline(-1), fsRead(3), fsReadline(-1), fsRead(-1), fsCalls())...)

func TestFakeSocket_ReadsLikeCPython(t *testing.T) { checkFakeScenarios(t, scFakeReads...) }

var scFakeWrites = append(append(
	addFakeScenarios("partial sends", []string{"wb", "rwb", "w"}, fakeBufferings,
		nil, [][]any{evTake(3), evTake(3), evTake(3), evTake(3), evTake(3), evTake(3)},
		fsWrite("hello"), fsCalls(), fsWrite(", world\n"), fsFlush(), fsSent(), fsCalls()),
	addFakeScenarios("full socket", []string{"wb", "rwb", "w"}, fakeBufferings,
		nil, [][]any{evAgain(), evTake(2), evAgain(), evAgain(), evAgain()},
		fsWrite("abcdef"), fsWrite("ghij"), fsFlush(), fsFlush(), fsSent(), fsCalls())...),
	addFakeScenarios("write then read", []string{"rw"}, []*int{nil, intp(3)},
		[][]any{evData("answer\n")}, nil,
		fsWrite("question\n"), fsCalls(), fsReadline(-1), fsSent(), fsCalls())...)

func TestFakeSocket_WritesLikeCPython(t *testing.T) { checkFakeScenarios(t, scFakeWrites...) }

var scFakeClose = append(
	addFakeScenarios("socket closed first", []string{"rb", "wb", "rwb", "r", "w"}, fakeBufferings,
		[][]any{evData("data")}, nil,
		fsState(), fsSockClose(), fsState(), fsAttr("name"), fsAttr("fileno"), fsClose(), fsState(),
		fsAttr("closed"), fsAttr("name"), fsAttr("repr"), fsClose(), fsState(), fsRead(1), fsReadline(2),
		fsWrite("x"), fsFlush(), fsAttr("fileno")),
	addFakeScenarios("file closed first", []string{"rb", "wb", "rwb", "r", "w"}, fakeBufferings,
		nil, nil,
		fsAttr("repr"), fsWrite("x"), fsClose(), fsState(), fsSent(), fsSockClose(), fsState())...)

func TestFakeSocket_CloseProtocolLikeCPython(t *testing.T) { checkFakeScenarios(t, scFakeClose...) }
