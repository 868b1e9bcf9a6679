//go:build linux

package facade

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// Control buffers that Linux never writes (a record longer than the buffer, a cmsg_len
// below the header's size), read as CPython 3.11's sock_recvmsg_guts reads them with glibc
// 2.36's CMSG_NXTHDR, and the RuntimeWarning it issues for them. python3 cannot be handed
// such a buffer, so the expected values follow socketmodule.c's get_cmsg_data_len and
// err_closefds and bits/socket.h's __cmsg_nxthdr, as msg.go cites them.

// record is a cmsghdr with cmsg_len l, level and type, then data, padded to align.
func record(l uint64, level, typ int, data []byte, pad bool) []byte {
	b := make([]byte, cmsgHdr+len(data))
	putCmsgLen(b, l)
	binary.NativeEndian.PutUint32(b[cmsgLenSize:], uint32(int32(level)))
	binary.NativeEndian.PutUint32(b[cmsgLenSize+4:], uint32(int32(typ)))
	copy(b[cmsgHdr:], data)
	if pad {
		for len(b)%cmsgAlign != 0 {
			b = append(b, 0)
		}
	}
	return b
}

func TestParseAncillary_MalformedRecordsAsCPythonReadsThem(t *testing.T) {
	four := []byte{1, 2, 3, 4}
	concat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	for _, c := range []struct {
		name    string
		control []byte
		want    []Ancillary
		bad     bool
	}{
		{"none", nil, nil, false},
		{"shorter than a header", make([]byte, cmsgHdr-1), nil, false},
		{"whole", record(uint64(cmsgHdr+4), 0, 2, four, false), []Ancillary{{0, 2, four}}, false},
		{"data past the end: cut, warned", record(uint64(cmsgHdr+8), 0, 2, four, false),
			[]Ancillary{{0, 2, four}}, true},
		{"cmsg_len below the header: dropped, warned", record(8, 0, 2, four, false), nil, true},
		{"second header cut: not reached, no warning",
			concat(record(uint64(cmsgHdr+4), 0, 2, four, true), make([]byte, 8)),
			[]Ancillary{{0, 2, four}}, false},
		{"second record past the end: empty data, warned",
			concat(record(uint64(cmsgHdr+4), 0, 2, four, true), record(100, 41, 52, nil, false)),
			[]Ancillary{{0, 2, four}, {41, 52, []byte{}}}, true},
		{"a record after a bad one is not read",
			concat(record(uint64(cmsgHdr+4), 1, 1, four, true), record(8, 0, 0, make([]byte, 8), false),
				record(uint64(cmsgHdr+4), 2, 2, four, true)),
			[]Ancillary{{1, 1, four}}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, bad := parseAncillary(c.control)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.bad, bad)
		})
	}
}

func TestReceivedAncillary_WarningGoesToTheHandler(t *testing.T) {
	var seen []string
	old := SetWarningHandler(func(w py.Exception) error {
		seen = append(seen, py.FormatException(w))
		return nil
	})
	t.Cleanup(func() { SetWarningHandler(old) })
	items, err := receivedAncillary(record(uint64(cmsgHdr+8), 0, 2, []byte{1, 2, 3, 4}, false))
	require.NoError(t, err)
	assert.Equal(t, []Ancillary{{0, 2, []byte{1, 2, 3, 4}}}, items)
	assert.Equal(t, []string{"RuntimeWarning: received malformed or improperly-truncated ancillary data"}, seen)

	items, err = receivedAncillary(nil)
	require.NoError(t, err)
	assert.Equal(t, []Ancillary{}, items, "a list, never None")
	assert.Len(t, seen, 1, "no warning without a bad record")
}

func TestReceivedAncillary_WarningAsErrorClosesTheDescriptors(t *testing.T) {
	// CPython's err_closefds: with warnings turned into errors, recvmsg closes the
	// descriptors of every SCM_RIGHTS record it can read, then raises.
	stop := errors.New("RuntimeWarning raised")
	old := SetWarningHandler(func(py.Exception) error { return stop })
	t.Cleanup(func() { SetWarningHandler(old) })
	d1, err := Dup(0)
	require.NoError(t, err)
	d2, err := Dup(0)
	require.NoError(t, err)
	control := append(record(uint64(cmsgHdr+8), SOL_SOCKET, SCM_RIGHTS, fdBytes(d1, d2), true),
		record(uint64(cmsgHdr+64), 0, 0, nil, false)...)
	_, err = receivedAncillary(control)
	assert.Equal(t, stop, err)
	for _, fd := range []int{d1, d2} {
		_, err := csock.GetCloexec(fd)
		assert.Equal(t, syscall.EBADF, err, "descriptor %d closed", fd)
	}
}

func TestWarn_DefaultPrintsEachTextOnceToStderr(t *testing.T) {
	old := SetWarningHandler(nil)
	t.Cleanup(func() { SetWarningHandler(old) })
	warnedMu.Lock()
	warned = map[string]bool{}
	warnedMu.Unlock()

	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	stderr := os.Stderr
	os.Stderr = w
	for i := 0; i < 3; i++ {
		assert.NoError(t, warn(&py.RuntimeWarning{Msg: errAncillaryWarning}))
	}
	os.Stderr = stderr
	require.NoError(t, w.Close())
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "RuntimeWarning: received malformed or improperly-truncated ancillary data\n", string(out))
}

func TestControlSize_CPythonsLimits(t *testing.T) {
	// sendmsg's "ancillary data item too large" and "too much ancillary data", on the
	// lengths alone (the data would take gigabytes).
	lens := func(ls ...int) func(int) int { return func(i int) int { return ls[i] } }
	n, err := controlSize(2, lens(4, 0))
	require.NoError(t, err)
	assert.Equal(t, 2*cmsgHdr+cmsgAlign, n)
	_, err = controlSize(1, lens(0x7fffffff-24))
	assert.NoError(t, err)
	_, err = controlSize(1, lens(0x7fffffff-23))
	assert.Equal(t, "OSError: ancillary data item too large", pyExc(err))
	_, err = controlSize(2, lens(1<<30, 1<<30))
	assert.Equal(t, "OSError: too much ancillary data", pyExc(err))
}

func TestBuildControl_LaysRecordsOutAsCMSG_NXTHDRFindsThem(t *testing.T) {
	items := []Ancillary{{1, 1, []byte{1, 2, 3}}, {41, 52, []byte{9, 9, 9, 9}}, {0, 0, nil}}
	control, err := buildControl(items)
	require.NoError(t, err)
	s3, _ := CMSGSpace(3)
	s4, _ := CMSGSpace(4)
	s0, _ := CMSGSpace(0)
	assert.Len(t, control, s3+s4+s0)
	got, bad := parseAncillary(control)
	assert.False(t, bad)
	items[2].Data = []byte{}
	assert.Equal(t, items, got)
}

func TestCmsgLayout_IsTheCMacros(t *testing.T) {
	// The layout msg.go computes in Go (RecvFDs's CMSG_LEN, sendmsg's records) is the C
	// macros' for every length up to 4 KiB.
	for n := 0; n <= 4096; n++ {
		l, err := CMSGLen(n)
		require.NoError(t, err)
		assert.Equal(t, cmsgHdr+n, l, "CMSG_LEN(%d)", n)
		sp, err := CMSGSpace(n)
		require.NoError(t, err)
		assert.Equal(t, cmsgHdr+int(cmsgAligned(uint64(n))), sp, "CMSG_SPACE(%d)", n)
	}
}
