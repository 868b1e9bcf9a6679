//go:build linux

package facade

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// CPython's texts that the tests compare with directly (they are CPYTHON.md's), each
// checked against what python3 prints by TestCPythonTexts_AreWhatPython3Prints. Every
// other expected text of these tests comes from python3 at run time.
const (
	textEBADF        = "OSError: [Errno 9] Bad file descriptor"
	textEAGAIN       = "BlockingIOError: [Errno 11] Resource temporarily unavailable"
	textEINPROGRESS  = "BlockingIOError: [Errno 115] Operation now in progress"
	textEALREADY     = "BlockingIOError: [Errno 114] Operation already in progress"
	textECONNREFUSED = "ConnectionRefusedError: [Errno 111] Connection refused"
	textEPIPE        = "BrokenPipeError: [Errno 32] Broken pipe"
	textTimedOut     = "TimeoutError: timed out"
	textCIntOverflow = "OverflowError: Python int too large to convert to C int"
	textBindPort     = "OverflowError: bind(): port must be 0-65535."
	textRecvFromNeg  = "ValueError: negative buffersize in recvfrom"
	textNbytesTooBig = "ValueError: nbytes is greater than the length of the buffer"
	textBadFamily    = "OSError: getsockaddrlen: bad family"
	textTimeoutRange = "ValueError: Timeout value out of range"
	textNotInteger   = "TypeError: 'str' object cannot be interpreted as an integer"
	textReprAFINET   = "<AddressFamily.AF_INET: 2>"
	textReprSTREAM   = "<SocketKind.SOCK_STREAM: 1>"
)

var oracleCPythonTexts = oracleCase("CPythonTexts", `
def raise_errno(e):
    raise OSError(e, os.strerror(e))
closed = socket.socket(); closed.close()
out['textEBADF'] = exc(lambda: closed.recv(1))
for name, e in (('textEAGAIN', errno.EAGAIN), ('textEINPROGRESS', errno.EINPROGRESS),
                ('textEALREADY', errno.EALREADY), ('textECONNREFUSED', errno.ECONNREFUSED),
                ('textEPIPE', errno.EPIPE)):
    out[name] = exc(lambda: raise_errno(e))
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); s.settimeout(0.001)
out['textTimedOut'] = exc(lambda: s.accept())
out['textCIntOverflow'] = exc(lambda: s.shutdown(2**31))
out['textBindPort'] = exc(lambda: socket.socket().bind(('127.0.0.1', 70000)))
out['textRecvFromNeg'] = exc(lambda: s.recvfrom(-1))
out['textNbytesTooBig'] = exc(lambda: s.recvfrom_into(bytearray(8), 1024))
t = socket.socket(44, 1, 0, s.fileno())
out['textBadFamily'] = exc(lambda: t.getsockname())
t.detach(); s.close()
out['textTimeoutRange'] = exc(lambda: socket.setdefaulttimeout(-1))
out['textNotInteger'] = exc(lambda: socket.setdefaulttimeout('spam'))
out['textReprAFINET'] = repr(socket.AF_INET)
out['textReprSTREAM'] = repr(socket.SOCK_STREAM)
`)

func TestCPythonTexts_AreWhatPython3Prints(t *testing.T) {
	want := pythonStrings(t, oracleCPythonTexts)
	for name, text := range map[string]string{
		"textEBADF": textEBADF, "textEAGAIN": textEAGAIN, "textEINPROGRESS": textEINPROGRESS,
		"textEALREADY": textEALREADY, "textECONNREFUSED": textECONNREFUSED, "textEPIPE": textEPIPE,
		"textTimedOut": textTimedOut, "textCIntOverflow": textCIntOverflow, "textBindPort": textBindPort,
		"textRecvFromNeg": textRecvFromNeg, "textNbytesTooBig": textNbytesTooBig,
		"textBadFamily": textBadFamily, "textTimeoutRange": textTimeoutRange,
		"textNotInteger": textNotInteger, "textReprAFINET": textReprAFINET, "textReprSTREAM": textReprSTREAM,
	} {
		assert.Equal(t, want[name], text, name)
	}
}
