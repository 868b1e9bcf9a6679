//go:build linux

package facade

import (
	"bytes"
	"fmt"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// SetHostName sets the host name of the machine (of the process's UTS namespace):
// CPython's socket.sethostname(name), sethostname(2) with the bytes of name. name is a
// str (encoded with the file system encoding, surrogateescape: "embedded null byte" for a
// NUL) or bytes (passed as they are, NUL included, as CPython's "S" format passes them);
// anything else is "TypeError: expected str, bytes or os.PathLike object, not int".
// Without CAP_SYS_ADMIN it fails with "PermissionError: [Errno 1] Operation not
// permitted", and a name beyond 64 bytes with "[Errno 22] Invalid argument".
func SetHostName(name any) error {
	var b []byte
	switch n := name.(type) {
	case []byte:
		b = n
	case string:
		enc, err := py.FSEncode(n)
		if err != nil {
			return unicodeError(err)
		}
		if bytes.IndexByte(enc, 0) >= 0 {
			return &ValueError{Msg: "embedded null byte"}
		}
		b = enc
	default:
		if pv, ok := pyValue(name); ok {
			return SetHostName(pv)
		}
		return &TypeError{Msg: fmt.Sprintf("expected str, bytes or os.PathLike object, not %s", typeName(name))}
	}
	return fromBinding(csock.SetHostName(b))
}
