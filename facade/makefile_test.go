//go:build linux

package facade

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade/pyio"
	"github.com/csock/csock/internal/testutil"
)

// The makefile parts of CPython's GeneralModuleTests, and MakeFile's arguments, attributes
// and errors compared with CPython's file objects class by class.

// fileKinds are the (mode, buffering) pairs that give each class of file object.
var fileKinds = []struct {
	mode      string
	buffering int
}{
	{"rb", 0}, {"wb", 0}, {"rwb", 0}, // SocketIO
	{"rb", -1}, {"wb", -1}, {"rwb", -1}, // BufferedReader, BufferedWriter, BufferedRWPair
	{"r", -1}, {"w", -1}, {"rw", -1}, // TextIOWrapper over each
	{"rb", 2}, {"w", 1}, {"", -1}, {"b", -1}, {"bb", 0}, {"wr", -1}, {"brw", 3},
}

func kindName(mode string, buffering int) string { return fmt.Sprintf("%q/%d", mode, buffering) }

var progMakefileMode = addProgram("makefile_mode", `
for mode in 'r', 'rb', 'rw', 'w', 'wb':
    with socket.socket() as sock:
        encoding = None if 'b' in mode else 'utf-8'
        with sock.makefile(mode, encoding=encoding) as fp:
            out[mode] = fp.mode
`)

func TestMakeFile_ModeAttributeIsTheModeGiven(t *testing.T) {
	// test_makefile_mode
	want := pythonProgram(t, progMakefileMode)
	for _, mode := range []string{"r", "rb", "rw", "w", "wb"} {
		t.Run(mode, func(t *testing.T) {
			sock, err := New(-1, -1, -1)
			require.NoError(t, err)
			defer sock.Close()
			opts := DefaultFileOptions()
			if mode[len(mode)-1] != 'b' {
				opts.Encoding = "utf-8"
			}
			fp, err := sock.MakeFile(mode, opts)
			require.NoError(t, err)
			defer fp.Close()
			got, err := fp.Mode()
			require.NoError(t, err)
			assert.Equal(t, want[mode], got)
		})
	}
}

var progMakefileInvalidMode = addProgram("makefile_invalid_mode", `
for mode in 'rt', 'x', '+', 'a', 'rbx', 'é', 'r\x00':
    with socket.socket() as sock:
        out[mode] = X(lambda: sock.makefile(mode))
`)

func TestMakeFile_InvalidModeRaisesValueError(t *testing.T) {
	// test_makefile_invalid_mode
	want := pythonProgram(t, progMakefileInvalidMode)
	for _, mode := range []string{"rt", "x", "+", "a", "rbx", "é", "r\x00"} {
		sock, err := New(-1, -1, -1)
		require.NoError(t, err)
		f, err := sock.MakeFile(mode, DefaultFileOptions())
		assert.Nil(t, f)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "invalid mode")
		assert.Equal(t, want[mode], "!"+pyExcLine(err), "mode %q", mode)
		require.NoError(t, sock.Close())
	}
}

var progNameClosedSocketIO = addProgram("name_closed_socketio", `
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    fp = sock.makefile("rb")
    fp.close()
    out['repr'] = repr(fp)
`)

func TestMakeFile_ClosedFileNameIsMinusOne(t *testing.T) {
	// test_name_closed_socketio
	want := pythonProgram(t, progNameClosedSocketIO)
	sock, err := New(AF_INET, SOCK_STREAM, -1)
	require.NoError(t, err)
	defer sock.Close()
	fp, err := sock.MakeFile("rb", DefaultFileOptions())
	require.NoError(t, err)
	require.NoError(t, fp.Close())
	assert.Equal(t, want["repr"], fp.PyRepr())
	name, err := fp.Name()
	require.NoError(t, err)
	assert.Equal(t, -1, name)
}

var progUnusableClosedSocketIO = addProgram("unusable_closed_socketio", `
with socket.socket() as sock:
    fp = sock.makefile("rb", buffering=0)
    for m in 'readable', 'writable', 'seekable':
        out['open ' + m] = X(getattr(fp, m))
    fp.close()
    for m in 'readable', 'writable', 'seekable':
        out['closed ' + m] = X(getattr(fp, m))
`)

func TestMakeFile_ClosedSocketIOIsUnusable(t *testing.T) {
	// test_unusable_closed_socketio
	want := pythonProgram(t, progUnusableClosedSocketIO)
	sock, err := New(-1, -1, -1)
	require.NoError(t, err)
	defer sock.Close()
	fp, err := sock.MakeFile("rb", bufferingOpts(0))
	require.NoError(t, err)
	methods := map[string]func() (bool, error){"readable": fp.Readable, "writable": fp.Writable, "seekable": fp.Seekable}
	for _, state := range []string{"open", "closed"} {
		if state == "closed" {
			require.NoError(t, fp.Close())
		}
		for m, f := range methods {
			v, err := f()
			if state == "closed" {
				var ve *ValueError
				assert.ErrorAs(t, err, &ve, m)
			}
			assert.Equal(t, want[state+" "+m], rBool(v, err), "%s %s", state, m)
		}
	}
}

// scArguments are makefile's argument checks: mode, buffering, and the text options in
// the order CPython checks them.
var scArguments = func() []string {
	type args struct {
		mode      string
		buffering int
		enc, errs *string
		nl        *string
	}
	cases := []args{
		{"r", 0, nil, nil, nil}, {"w", 0, nil, nil, nil}, {"rw", 0, nil, nil, nil}, {"", 0, nil, nil, nil},
		{"b", 0, nil, nil, nil}, {"rr", -1, nil, nil, nil}, {"r", 0, strp("bogus"), nil, nil},
		{"r", -1, strp("bogus"), nil, nil}, {"r", -1, strp("bogus"), nil, strp("x")},
		{"r", -1, nil, nil, strp("x")}, {"r", -1, nil, nil, strp("\r\n\r")}, {"r", -1, nil, nil, strp("\x00")},
		{"r", -1, strp("utf\x008"), nil, strp("x")}, {"r", -1, strp("bogus"), strp("a\x00"), nil},
		{"r", -1, nil, strp("a\x00"), strp("x")}, {"r", -1, strp("UTF 8"), nil, nil}, {"r", -1, strp(" U8 "), nil, nil},
		{"r", -1, strp("base64"), nil, nil}, {"r", -1, strp("locale"), nil, nil}, {"r", -1, nil, strp("bogus"), nil},
		{"rb", -1, strp("bogus"), strp("bogus"), strp("x")}, {"r", -5, nil, nil, nil}, {"r", 1, nil, nil, nil},
		{"r", -1, strp("latin.1"), nil, nil}, {"r", -1, strp("iso-8859-1"), nil, nil}, {"r", -1, strp("utf.8"), nil, nil},
		{"r", -1, strp("ütf-8"), nil, nil}, {"r", -1, strp("Utf-8"), nil, nil}, {"r", -1, strp("-utf--8-"), nil, nil},
		{"r", -1, strp("ASCII"), nil, nil}, {"r", -1, strp("us-ascii"), nil, nil}, {"r", -1, strp("8859"), nil, nil},
		{"r", -1, strp("iso8859.1"), nil, nil}, {"r", -1, strp("cp65001"), nil, nil}, {"r", -1, strp("L1"), nil, nil},
		{"w", -1, nil, nil, strp("")}, {"w", -1, nil, nil, strp("\n")}, {"w", -1, nil, nil, strp("\r")},
		{"w", -1, nil, nil, strp("\r\n")}, {"wb", 7, nil, nil, nil}, {"r", -1, nil, strp("surrogateescape"), nil},
	}
	var names []string
	for i, c := range cases {
		names = append(names, addScenario(fileScenario{
			Name: fmt.Sprintf("arguments %d %q/%d", i, c.mode, c.buffering), Mode: c.mode,
			Buffering: bufOpt(c.buffering), Encoding: c.enc, Errors: c.errs, Newline: c.nl,
			Steps: [][]any{stAttr("repr"), stAttr("encoding"), stAttr("errors"), stAttr("mode"), stAttr("newlines")},
		}))
	}
	return names
}()

func TestMakeFile_ArgumentsAreCheckedLikeCPython(t *testing.T) {
	for _, name := range scArguments {
		t.Run(name, func(t *testing.T) { checkScenario(t, name) })
	}
}

// scZeroOptions make a file of each mode with the zero FileOptions, which the scenario
// runner passes as they are and CPython gets as makefile(mode): the zero value is
// CPython's defaults (a buffered file; UTF-8, strict and universal newlines for text).
var scZeroOptions = func() []string {
	var names []string
	for _, mode := range []string{"rb", "wb", "rwb", "r", "w", "rw"} {
		names = append(names, addScenario(fileScenario{Name: "zero options " + mode, Mode: mode,
			Steps: [][]any{stAttr("repr"), stAttr("mode"), stAttr("encoding"), stAttr("errors"), stAttr("newlines"),
				stSend("a\r\nb"), stReadline(nil), stAttr("newlines")}}))
	}
	return names
}()

func TestMakeFile_ZeroOptionsAreMakefilesDefaults(t *testing.T) {
	assert.Equal(t, FileOptions{}, DefaultFileOptions())
	for _, name := range scZeroOptions {
		t.Run(name, func(t *testing.T) { checkScenario(t, name) })
	}
}

// scAttributes read the attributes of each class of file object, open and closed.
var scAttributes = func() []string {
	attrs := [][]any{stAttr("repr"), stAttr("mode"), stAttr("name"), stAttr("closed"), stAttr("readable"),
		stAttr("writable"), stAttr("seekable"), stAttr("fileno"), stAttr("isatty"), stAttr("encoding"),
		stAttr("errors"), stAttr("newlines")}
	var names []string
	for _, k := range fileKinds {
		steps := append(append(append([][]any{}, attrs...), stClose(), stClose()), attrs...)
		names = append(names, addScenario(fileScenario{Name: "attributes " + kindName(k.mode, k.buffering),
			Mode: k.mode, Buffering: bufOpt(k.buffering), Steps: steps}))
	}
	return names
}()

func TestMakeFile_AttributesAndReprLikeCPython(t *testing.T) {
	for _, name := range scAttributes {
		t.Run(name, func(t *testing.T) { checkScenario(t, name) })
	}
}

// allMethods calls every method once, in an order where none blocks if the peer sent a
// few lines and shut down.
func allMethods(text bool) [][]any {
	write, writelines := stWrite("data\n"), stWriteLines("a\n", "b")
	if text {
		write, writelines = stWriteText("data\n"), stWriteLinesText("a\n", "b")
	}
	return [][]any{stPeek(), stRead1(2), stReadinto(2), stReadinto1(2), stReadline(3), stReadline(nil),
		stReadline(0), stRead(1), stRead(0), stRead1(nil), stReadlines(1), stReadlines(nil), stRead(nil),
		stRead(-2), stReadline(nil), write, writelines, stFlush(), stRecv()}
}

// scMethods call every method of each class of file object, open (with input and the end
// of the stream waiting) and closed.
var scMethods = func() []string {
	var names []string
	for _, k := range fileKinds {
		text := !containsByte(k.mode, 'b')
		open := append([][]any{stSend("line one\nline two\r\nthree\rfour\n"), stEOF()}, allMethods(text)...)
		closed := append([][]any{stClose()}, allMethods(text)...)
		names = append(names,
			addScenario(fileScenario{Name: "methods open " + kindName(k.mode, k.buffering), Mode: k.mode,
				Buffering: bufOpt(k.buffering), Steps: open}),
			addScenario(fileScenario{Name: "methods closed " + kindName(k.mode, k.buffering), Mode: k.mode,
				Buffering: bufOpt(k.buffering), Steps: closed}))
	}
	return names
}()

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

func TestMakeFile_MethodsOfEachClassLikeCPython(t *testing.T) {
	// Includes CPython's closed-file errors: "I/O operation on closed file." or "... on
	// closed socket." or "read of closed file" depending on class and method.
	for _, name := range scMethods {
		t.Run(name, func(t *testing.T) { checkScenario(t, name) })
	}
}

var progMakefileOnClosedSocket = addProgram("makefile_on_closed_socket", `
for mode, buf in ('rb', None), ('wb', 0), ('r', None), ('rwb', None):
    s = socket.socket()
    s.close()
    f = s.makefile(mode, buf)
    key = '%s/%s ' % (mode, buf)
    out[key + 'name'] = X(lambda: f.name)
    out[key + 'read'] = X(lambda: f.read(1)) if 'r' in mode else X(lambda: f.write(b'x'))
    out[key + 'flush'] = X(f.flush)
    out[key + 'close'] = X(f.close)
    out[key + 'fileno'] = X(s.fileno)
`)

func TestMakeFile_WorksOnAClosedSocket(t *testing.T) {
	// B.14: makefile on a closed socket gives a file whose name is -1 and whose I/O fails
	// with [Errno 9].
	want := pythonProgram(t, progMakefileOnClosedSocket)
	for _, k := range []struct {
		mode string
		buf  int
		key  string
	}{{"rb", -1, "rb/None "}, {"wb", 0, "wb/0 "}, {"r", -1, "r/None "}, {"rwb", -1, "rwb/None "}} {
		s, err := New(-1, -1, -1)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		f, err := s.MakeFile(k.mode, bufferingOpts(k.buf))
		require.NoError(t, err)
		name, err := f.Name()
		assert.Equal(t, want[k.key+"name"], rInt(name, err), k.key)
		var r string
		if containsByte(k.mode, 'r') {
			b, err := f.ReadN(1)
			r = rBytes(b, isText(f), err)
		} else {
			r = rInt(f.PyWrite([]byte("x")))
		}
		assert.Equal(t, want[k.key+"read"], r, k.key)
		assert.Equal(t, want[k.key+"flush"], rNone(f.Flush()), k.key)
		assert.Equal(t, want[k.key+"close"], rNone(f.Close()), k.key)
		assert.Equal(t, want[k.key+"fileno"], rInt(s.Fileno(), nil), k.key)
	}
}

func TestMakeFile_SocketCloseWaitsForTheLastFile(t *testing.T) {
	// B.14's close protocol: socket.close() with files open only marks the socket closed
	// and the descriptor stays usable; it closes when the last file closes.
	a, b := fileSocketPair(t)
	f1 := mustMakeFile(t, a, "rb", DefaultFileOptions())
	f2 := mustMakeFile(t, a, "wb", bufferingOpts(0))
	fd := a.Fileno()
	require.NoError(t, a.Close())
	assert.Equal(t, fd, a.Fileno(), "open files keep the descriptor")
	assert.Contains(t, a.PyRepr(), "[closed]")
	_, err := b.Send([]byte("ping\n"), 0)
	require.NoError(t, err)
	line, err := f1.ReadLineN(-1)
	require.NoError(t, err)
	assert.Equal(t, "ping\n", string(line))
	n, err := f2.PyWrite([]byte("pong"))
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	require.NoError(t, f1.Close())
	assert.Equal(t, fd, a.Fileno(), "one file is still open")
	require.NoError(t, f2.Close())
	assert.Equal(t, -1, a.Fileno(), "the last file's close closed the descriptor")
	got, err := b.Recv(10, 0)
	require.NoError(t, err)
	assert.Equal(t, "pong", string(got))
	got, err = b.Recv(10, 0)
	require.NoError(t, err)
	assert.Empty(t, got, "the peer sees the end of the stream")
}

func TestMakeFile_FileCloseLeavesAnOpenSocketOpen(t *testing.T) {
	a, b := fileSocketPair(t)
	for _, mode := range []string{"rb", "wb", "r", "w", "rw", "rwb"} {
		f, err := a.MakeFile(mode, DefaultFileOptions())
		require.NoError(t, err)
		require.NoError(t, f.Close())
		require.NoError(t, f.Close(), "Close is idempotent")
		assert.True(t, f.Closed())
	}
	assert.NotEqual(t, -1, a.Fileno())
	_, err := a.Send([]byte("x"), 0)
	require.NoError(t, err)
	got, err := b.Recv(1, 0)
	require.NoError(t, err)
	assert.Equal(t, "x", string(got))
	require.NoError(t, a.Close())
	assert.Equal(t, -1, a.Fileno(), "no file holds the descriptor any more")
}

func TestMakeFile_CloseWhileAReadWaitsWakesIt(t *testing.T) {
	// Go: Close does not wait for a blocked read. When it closes the descriptor (the
	// socket's Close came first) the read fails with [Errno 9].
	a, _ := fileSocketPair(t)
	f, err := a.MakeFile("rb", DefaultFileOptions())
	require.NoError(t, err)
	require.NoError(t, a.Close())
	done := make(chan error, 1)
	go func() {
		_, err := f.ReadN(10)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond) // let it block in recv
	require.NoError(t, f.Close())
	select {
	case err := <-done:
		var oe *OSError
		if !errors.As(err, &oe) || oe.Errno != int(syscall.EBADF) {
			// It may also have found the file closed before reading.
			assert.Equal(t, "ValueError: read of closed file", pyExcLine(err))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the read still waits 10s after Close")
	}
	assert.Equal(t, -1, a.Fileno())
}

func TestMakeFile_GoInterfaces(t *testing.T) {
	a, b := fileSocketPair(t)
	w := mustMakeFile(t, b, "wb", DefaultFileOptions())
	r := mustMakeFile(t, a, "rb", DefaultFileOptions())
	n, err := io.WriteString(w, "hello, ")
	require.NoError(t, err)
	assert.Equal(t, 7, n)
	n, err = w.Write([]byte("world"))
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	require.NoError(t, w.Close())
	require.NoError(t, b.Shutdown(SHUT_WR))
	got, err := io.ReadAll(testutil.BoundedReader(r, 100, 10*time.Second))
	require.NoError(t, err, "ReadAll stops at io.EOF")
	assert.Equal(t, "hello, world", string(got))
	n, err = r.Read(make([]byte, 4))
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)
	n, err = r.Read(nil)
	assert.Equal(t, 0, n)
	assert.NoError(t, err)
	assert.Equal(t, "BufferedReader", r.PyTypeName())
	assert.Equal(t, r.PyRepr(), r.String())
}

func TestMakeFile_ErrNoneIsEAGAINAndNotAnException(t *testing.T) {
	// The None result of the file objects is pyio's; package pyio tests its companion,
	// the BlockingIOError of a buffered write.
	assert.Equal(t, pyio.ErrNone, ErrNone)
	assert.ErrorIs(t, ErrNone, syscall.EAGAIN)
	assert.False(t, IsOSError(ErrNone))
}
