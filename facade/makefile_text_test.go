//go:build linux

package facade

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/py"
)

// Text files (TextIOWrapper) compared with CPython step by step. Over SOCK_SEQPACKET
// each packet is one read1 of the buffer, so line ends and multi-byte characters split
// across receives are split the same way in both.

var newlineModes = []*string{nil, strp(""), strp("\n"), strp("\r"), strp("\r\n")}

func newlineName(nl *string) string {
	if nl == nil {
		return "None"
	}
	return fmt.Sprintf("%q", *nl)
}

// addTextScenarios registers a scenario per newline mode.
func addTextScenarios(name, sock, mode string, buffering int, enc, errs *string, steps [][]any) []string {
	var names []string
	for _, nl := range newlineModes {
		names = append(names, addScenario(fileScenario{
			Name: fmt.Sprintf("%s %s %q/%d newline=%s", name, sock, mode, buffering, newlineName(nl)),
			Sock: sock, Mode: mode, Buffering: bufOpt(buffering), Encoding: enc, Errors: errs, Newline: nl,
			Steps: steps,
		}))
	}
	return names
}

var scTextNewlines = append(append(append(
	addTextScenarios("line ends", "seqpacket", "r", -1, nil, nil, [][]any{
		stSend("a\r"), stSend("\nb\rc"), stSend("\r"), stSend("\r\nd\ne"), stSend("\r\n"), stSend("f\r"),
		stSend("g\r\n\r\n\n\rh"), stEOF(),
		stReadline(nil), stAttr("newlines"), stReadline(nil), stReadline(2), stReadline(nil), stReadline(nil),
		stAttr("newlines"), stReadline(nil), stReadline(nil), stRead(3), stReadline(nil), stRead(nil),
		stAttr("newlines"), stReadline(nil), stRead(nil),
	}),
	addTextScenarios("line ends read", "seqpacket", "r", -1, nil, nil, [][]any{
		stSend("one\r"), stSend("\ntwo\r"), stSend("three\n"), stSend("\r"), stEOF(),
		stRead(4), stRead(1), stRead(5), stRead(nil), stAttr("newlines"),
	})...),
	addTextScenarios("line ends readlines", "stream", "r", 2, nil, nil, [][]any{
		stSend("l1\r\nl2\rl3\nl4\r\n\r\nl6"), stEOF(), stReadlines(4), stReadlines(nil),
	})...),
	addTextScenarios("line ends write", "stream", "w", -1, nil, nil, [][]any{
		stWriteText("a\nb\r\nc\rd"), stRecv(), stFlush(), stRecv(), stWriteLinesText("x\n", "y\r\n"), stFlush(),
		stRecv(),
	})...)

func TestTextFile_NewlineModesLikeCPython(t *testing.T) { runScenarios(t, scTextNewlines) }

// Multi-byte characters split across receives, and lines across buffer boundaries.
var scTextSplit = append(append(append(
	addTextScenarios("split characters", "seqpacket", "r", -1, nil, nil, [][]any{
		stSendBytes([]byte("ab\xc3")), stSendBytes([]byte("\xa9c\xe2\x82")), stSendBytes([]byte("\xac\n")),
		stSendBytes([]byte("\xf0\x9f")), stSendBytes([]byte("\x98")), stSendBytes([]byte("\x80!\r")),
		stSendBytes([]byte("\n\xe2")), stSendBytes([]byte("\x82\xac")), stEOF(),
		stReadline(nil), stRead(1), stRead(1), stReadline(nil), stRead(nil),
	}),
	addTextScenarios("split characters read", "seqpacket", "r", 1, nil, nil, [][]any{
		stSendBytes([]byte("\xc3")), stSendBytes([]byte("\xa9\xc3")), stSendBytes([]byte("\xa9x")), stEOF(),
		stRead(1), stRead(1), stRead(1), stRead(1),
	})...),
	addTextScenarios("readline limits", "stream", "r", 2, nil, nil, [][]any{
		stSend("éé€€😀😀\r\nabc\rdef\nxyz"), stEOF(),
		stReadline(1), stReadline(2), stReadline(3), stReadline(5), stReadline(0), stReadline(1),
		stReadline(3), stReadline(4), stReadlines(3), stReadline(nil),
	})...),
	addTextScenarios("long lines", "seqpacket", "r", -1, nil, nil, [][]any{
		stSend(strings.Repeat("x", 9000) + "\r"), stSend("\n" + strings.Repeat("é", 5000) + "\n"),
		stSend(strings.Repeat("yz", 3000)), stEOF(),
		stReadline(nil), stReadline(8000), stReadline(nil), stRead(3), stReadline(nil),
	})...)

func TestTextFile_SplitCharactersAndLinesLikeCPython(t *testing.T) { runScenarios(t, scTextSplit) }

// What each encoding and error handler make of bad input: CPython's messages and
// positions (relative to what the decoder held: the kept bytes of an incomplete sequence,
// then the new chunk), replacements and escapes.
var textErrorHandlers = []string{"strict", "replace", "ignore", "surrogateescape", "backslashreplace",
	"surrogatepass", "xmlcharrefreplace", "namereplace", "bogus"}

var textEncodings = []string{"utf-8", "latin-1", "ascii", "UTF8", "iso-8859-1", "us-ascii"}

var scTextDecodeErrors = func() []string {
	var names []string
	for _, enc := range textEncodings {
		for _, errs := range textErrorHandlers {
			names = append(names,
				addScenario(fileScenario{Name: fmt.Sprintf("decode errors %s %s", enc, errs), Sock: "seqpacket",
					Mode: "r", Encoding: strp(enc), Errors: strp(errs), Steps: [][]any{
						stSendBytes([]byte("ok\xff\xfeX\xc3(\xed\xa0\x80\xe2\x82\n")), stSendBytes([]byte("é\xf0\x90\x80\n")),
						stSendBytes([]byte("tail\xe2")), stSendBytes([]byte("\x82")), stEOF(),
						stReadline(nil), stReadline(nil), stRead(nil), stRead(nil), stAttr("encoding"), stAttr("errors"),
					}}),
				addScenario(fileScenario{Name: fmt.Sprintf("decode surrogate split %s %s", enc, errs), Sock: "seqpacket",
					Mode: "r", Encoding: strp(enc), Errors: strp(errs), Steps: [][]any{
						stSendBytes([]byte("a\xed\xa0")), stSendBytes([]byte("\x80b\xed")), stSendBytes([]byte("\xb2\x80\xc0\n")),
						stEOF(), stRead(nil),
					}}))
		}
	}
	return names
}()

func TestTextFile_DecodeErrorsLikeCPython(t *testing.T) { runScenarios(t, scTextDecodeErrors) }

var scTextEncodeErrors = func() []string {
	var names []string
	texts := [][]rune{
		[]rune("plain\n"), []rune("é€😀\n"), {'a', 0xDC80, 0xDCFF, 'b', '\n'}, {'x', 0xD800, 0xDC00, 'é', '\n'},
		{0xDCE9, '\n'}, []rune("ÿĀ\n"),
	}
	for _, enc := range textEncodings {
		for _, errs := range textErrorHandlers {
			if errs == "namereplace" && !strings.Contains(strings.ToLower(enc), "utf") {
				continue // see TestTextFile_NameReplaceNamesOnlySurrogates
			}
			steps := [][]any{}
			for _, text := range texts {
				steps = append(steps, stWriteRunes(text))
			}
			steps = append(steps, stFlush(), stRecv())
			names = append(names, addScenario(fileScenario{Name: fmt.Sprintf("encode errors %s %s", enc, errs),
				Mode: "w", Encoding: strp(enc), Errors: strp(errs), Newline: strp("\r\n"), Steps: steps}))
		}
	}
	return names
}()

func TestTextFile_EncodeErrorsLikeCPython(t *testing.T) { runScenarios(t, scTextEncodeErrors) }

// Text collects up to 8192 encoded bytes before handing them to the buffer, whatever the
// buffering: with buffering=1 small writes still wait for flush.
var scTextPending = func() []string {
	var names []string
	for _, b := range []int{-1, 1, 2, 100} {
		for _, mode := range []string{"w", "rw"} {
			names = append(names, addScenario(fileScenario{Name: fmt.Sprintf("pending %q/%d", mode, b), Mode: mode,
				Buffering: bufOpt(b), Steps: [][]any{
					stWriteText("a"), stRecv(), stWriteText("bc\n"), stRecv(), stWriteText(strings.Repeat("x", 9000)),
					stRecv(), stWriteText("y\n"), stRecv(), stWriteText(strings.Repeat("é", 3000)), stRecv(),
					stWriteText(strings.Repeat("w", 4000)), stRecv(), stWriteText(""), stFlush(), stRecv(),
					stWriteText("tail"), stClose(), stRecv(), stWriteText("x"), stFlush(),
				}}))
		}
	}
	return names
}()

func TestTextFile_WritesWaitForAChunkLikeCPython(t *testing.T) { runScenarios(t, scTextPending) }

// A read on a "rw" text file first writes what is pending. (No write comes while
// decoded text waits to be read: CPython would drop that text, see
// TestTextFile_WriteKeepsDecodedTextUnlikeCPython.)
var scTextReadWrite = func() []string {
	var names []string
	for _, nl := range newlineModes {
		end := "\n" // a line end in this newline mode
		if nl != nil && (*nl == "\r" || *nl == "\r\n") {
			end = *nl
		}
		names = append(names, addScenario(fileScenario{Name: "rw newline=" + newlineName(nl), Mode: "rw",
			Newline: nl, Steps: [][]any{
				stWriteText("request\n"), stRecv(), stSend("reply" + end), stReadline(nil), stRecv(), stWriteText("x"),
				stSend("more" + end), stRead(2), stRecv(), stReadline(nil), stWriteText("y"), stEOF(),
				stReadline(nil), stRecv(), stWriteText("z"), stClose(), stRecv(),
			}}))
	}
	return names
}()

func TestTextFile_ReadWritesPendingTextFirstLikeCPython(t *testing.T) {
	runScenarios(t, scTextReadWrite)
}

var progWriteDropsDecoded = addProgram("text_write_drops_decoded", `
a, b = socket.socketpair()
f = a.makefile('rw', newline='')
b.sendall(b'line1\nline2\nline3\n')
b.shutdown(socket.SHUT_WR)
out['first'] = f.readline()
f.write('x')
out['after write'] = f.read()
f.close(); a.close(); b.close()
`)

func TestTextFile_WriteKeepsDecodedTextUnlikeCPython(t *testing.T) {
	// Difference: CPython's TextIOWrapper.write throws away the text it decoded ahead and
	// resets its decoder (right for a seekable file, whose position moves; on a socket it
	// loses received data, as much as one receive brought). Here a write leaves the read
	// side alone.
	cpy := pythonProgram(t, progWriteDropsDecoded)
	a, b := fileSocketPair(t)
	f := mustMakeFile(t, a, "rw", FileOptions{Newline: strp("")})
	_, err := b.Send([]byte("line1\nline2\nline3\n"), 0)
	require.NoError(t, err)
	require.NoError(t, b.Shutdown(SHUT_WR))
	first, err := f.ReadLineN(-1)
	require.NoError(t, err)
	assert.Equal(t, cpy["first"], string(first))
	_, err = f.PyWrite([]byte("x"))
	require.NoError(t, err)
	rest, err := f.ReadN(-1)
	require.NoError(t, err)
	assert.Equal(t, "", cpy["after write"], "CPython lost the decoded lines")
	assert.Equal(t, "line2\nline3\n", string(rest))
}

// Non-blocking: a text read with nothing to read sees the end of the stream (read1
// returns b""): the decoder is flushed (a held '\r' comes out, a split character is an
// error), read() fails in the codec, and reading goes on once data comes.
var scTextNonBlocking = func() []string {
	var names []string
	for _, enc := range []string{"utf-8", "latin-1", "ascii"} {
		names = append(names, addTextScenarios("non-blocking "+enc, "seqpacket", "r", -1, strp(enc), nil, [][]any{
			stTimeout(0.0), stRead(5), stRead(nil), stReadline(nil), stReadlines(nil), stRead(0),
			stSend("ab\r"), stRead(10), stSend("\ncd\xc3"), stReadline(nil), stReadline(nil), stRead(3),
			stSendBytes([]byte("\xa9\n")), stReadline(nil), stSend("x"), stRead(nil), stSend("y\n"), stEOF(),
			stReadline(nil), stRead(nil),
		})...)
	}
	return names
}()

func TestTextFile_NonBlockingReadsLikeCPython(t *testing.T) { runScenarios(t, scTextNonBlocking) }

var scTextTimeout = addTextScenarios("timeout", "stream", "r", -1, nil, nil, [][]any{
	stTimeout(0.05), stSend("abc\ndé"), stReadline(nil), stReadline(nil), stRead(1), stSend("more\n"),
	stReadline(nil), stRead(0), stRead(nil),
})

func TestTextFile_TimeoutPoisonsTheFileLikeCPython(t *testing.T) { runScenarios(t, scTextTimeout) }

func TestTextFile_NameReplaceNamesOnlySurrogates(t *testing.T) {
	// Difference: namereplace writes \N{NAME} for a character with a Unicode name, and
	// this package has no Unicode name table; surrogates, which have no name, get CPython's
	// \uXXXX. A character that would need a name is a LookupError.
	a, b := fileSocketPair(t)
	f := mustMakeFile(t, a, "w", FileOptions{Encoding: "ascii", Errors: "namereplace"})
	n, err := f.PyWrite([]byte(py.FromRunes([]rune{'a', 0xDC80, '\n'})))
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	_, err = f.PyWrite([]byte("é"))
	var le *LookupError
	require.ErrorAs(t, err, &le)
	require.NoError(t, f.Flush())
	got, err := b.Recv(100, 0)
	require.NoError(t, err)
	assert.Equal(t, `a\udc80`+"\n", string(got))
}
