//go:build linux

package main

import (
	"errors"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/testutil"
)

// The C side of the archive is tested by test/cpysock, which builds it and runs C programs
// against it; these are the Go helpers the exports share.

func TestMain(m *testing.M) { testutil.Main(m) }

func TestRegistry_HandlesAreNeverReused(t *testing.T) {
	r := newRegistry[*facade.Socket](0, 0, nil)
	s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
	require.NoError(t, err)
	defer s.Close()

	h := r.add(s)
	assert.Positive(t, h)
	got, err := r.get(h)
	require.NoError(t, err)
	assert.Same(t, s, got)

	removed, ok, issued := r.remove(h)
	assert.Same(t, s, removed)
	assert.True(t, ok)
	assert.True(t, issued)
	removed, ok, issued = r.remove(h) // twice: nothing to close, but it was issued
	assert.Nil(t, removed)
	assert.False(t, ok)
	assert.True(t, issued)
	assert.True(t, r.issued(h))
	_, _, issued = r.remove(h + 1) // never issued
	assert.False(t, issued)
	_, _, issued = r.remove(0)
	assert.False(t, issued)

	assert.Greater(t, r.add(s), h, "a new socket gets a new handle")
	assert.Equal(t, 1, r.open())
}

func TestRegistry_FileHandlesNeverNameASocket(t *testing.T) {
	socks, fs := newRegistry[*facade.Socket](0, 0, nil), newRegistry[*facade.File](fileHandles, 0, nil)
	s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
	require.NoError(t, err)
	defer s.Close()
	f, err := s.MakeFile("rb", facade.DefaultFileOptions())
	require.NoError(t, err)
	defer f.Close()

	sh, fh := socks.add(s), fs.add(f)
	assert.Equal(t, int64(1), sh)
	assert.Equal(t, int64(fileHandles+1), fh)
	_, err = socks.get(fh)
	assert.ErrorIs(t, err, syscall.EBADF)
	_, err = fs.get(sh)
	assert.ErrorIs(t, err, syscall.EBADF)
	assert.False(t, socks.issued(fh))
	assert.False(t, fs.issued(sh))
	assert.False(t, fs.issued(fileHandles), "the base itself is never issued")
}

func TestRegistry_UnknownHandleIsEBADFLikeAClosedPythonSocket(t *testing.T) {
	r := newRegistry[*facade.Socket](0, 0, nil)
	for _, h := range []int64{0, -1, 1, 1 << 62} {
		_, err := r.get(h)
		assert.Equal(t, record{Class: "OSError", HasErrno: true, Errno: 9, Message: "[Errno 9] Bad file descriptor"},
			describe(err))
		assert.True(t, errors.Is(err, syscall.EBADF))
	}
}

func TestRegistry_ConcurrentUse(t *testing.T) {
	r := newRegistry[*facade.Socket](0, 0, nil)
	s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
	require.NoError(t, err)
	defer s.Close()
	var wg sync.WaitGroup
	seen := make([][]int64, 8)
	for g := range seen {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				h := r.add(s)
				seen[g] = append(seen[g], h)
				_, err := r.get(h)
				assert.NoError(t, err)
				r.remove(h)
			}
		}()
	}
	wg.Wait()
	all := map[int64]bool{}
	for _, hs := range seen {
		for _, h := range hs {
			assert.False(t, all[h], "handle %d issued twice", h)
			all[h] = true
		}
	}
	assert.Zero(t, r.open())
}

func TestRegistry_KeepsTheLastClosedHandlesLikeClosedPythonSockets(t *testing.T) {
	const keep = 4
	r := newRegistry(0, keep, socketInUse)
	var hs []int64
	for range keep + 3 {
		s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
		require.NoError(t, err)
		require.NoError(t, s.SetTimeout(2.5))
		hs = append(hs, r.add(s))
	}
	for _, h := range hs {
		s, err := r.get(h)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		r.retire(h)
		r.retire(h) // twice: still one place in the ring
	}
	assert.Zero(t, r.open())
	assert.Equal(t, keep, r.kept(), "never more than keep closed handles")
	for i, h := range hs {
		s, err := r.get(h)
		if i < len(hs)-keep {
			assert.ErrorIs(t, err, syscall.EBADF, "handle %d, closed first, is forgotten", h)
			assert.True(t, r.issued(h))
			continue
		}
		require.NoError(t, err, "handle %d is among the last closed", h)
		assert.Equal(t, -1, s.Fileno())
		assert.Equal(t, 2.5, s.GetTimeout())
	}
}

func TestRegistry_ASocketWithAnOpenFileIsKeptOutsideTheRing(t *testing.T) {
	r := newRegistry(0, 1, socketInUse)
	a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
	require.NoError(t, err)
	defer b.Close()
	f, err := a.MakeFile("rb", facade.DefaultFileOptions())
	require.NoError(t, err)
	h := r.add(a)
	require.NoError(t, a.Close())
	r.retire(h)
	r.recheck(h) // the file is open: nothing changes

	// Closing more sockets than the ring holds does not push it out: it is in use.
	for range 3 {
		s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
		require.NoError(t, err)
		k := r.add(s)
		require.NoError(t, s.Close())
		r.retire(k)
	}
	got, err := r.get(h)
	require.NoError(t, err)
	assert.NotEqual(t, -1, got.Fileno(), "the descriptor stays open while the file is")

	require.NoError(t, f.Close())
	assert.Equal(t, -1, got.Fileno())
	r.recheck(h) // now retired: the newest in a ring of one
	_, err = r.get(h)
	require.NoError(t, err)
	assert.Equal(t, 1, r.kept())
}

func TestDescribe_EveryExceptionKind(t *testing.T) {
	cases := []struct {
		err  error
		want record
	}{
		{&facade.OSError{Errno: 111, Strerror: "Connection refused"},
			record{"ConnectionRefusedError", true, 111, "[Errno 111] Connection refused"}},
		{&facade.OSError{Strerror: "service/proto not found"},
			record{"OSError", false, 0, "service/proto not found"}},
		{&facade.GaiError{Code: -2, Strerror: "Name or service not known"},
			record{"socket.gaierror", true, -2, "[Errno -2] Name or service not known"}},
		{&facade.HError{Code: 1, Strerror: "Unknown host"},
			record{"socket.herror", true, 1, "[Errno 1] Unknown host"}},
		{&facade.TimeoutError{}, record{"TimeoutError", false, 0, "timed out"}},
		{&facade.OverflowError{Msg: "bind(): port must be 0-65535."},
			record{"OverflowError", false, 0, "bind(): port must be 0-65535."}},
		{errors.New("not a Python exception"), record{"SystemError", false, 0, "not a Python exception"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, describe(c.err))
	}
}

func TestCutUTF8_NeverSplitsACharacter(t *testing.T) {
	cases := []struct {
		s    string
		room int
		want string
		cut  bool
	}{
		{"abc", 3, "abc", false},
		{"abc", 10, "abc", false},
		{"abcd", 3, "abc", true},
		{"ab\u00e9", 3, "ab", true},           // é is 2 bytes
		{"a\u20ac", 3, "a", true},             // € is 3 bytes
		{"a\u20acb", 4, "a\u20ac", true},      // exactly fits
		{"\U0001F600x", 3, "", true},          // a 4-byte character, no room
		{"\xff\xfe\xfd", 2, "\xff\xfe", true}, // invalid bytes are cut as bytes
	}
	for _, c := range cases {
		got, cut := cutUTF8(c.s, c.room)
		assert.Equal(t, c.want, got, "%q in %d", c.s, c.room)
		assert.Equal(t, c.cut, cut, "%q in %d", c.s, c.room)
	}
}

func TestGuard_RecoversAPanicIntoStatusMinusOne(t *testing.T) {
	f := func() (r int32) {
		defer guard("pysock_test", nil, &r)
		panic("boom")
	}
	assert.Equal(t, int32(-1), f())

	g := func() (r int64) {
		defer guard("pysock_test", nil, &r)
		return 42
	}
	assert.Equal(t, int64(42), g())

	rec := panicRecord("pysock_send", "boom")
	assert.Equal(t, record{Class: "SystemError", Message: "pysock_send: Go panic: boom"}, rec)
	assert.Equal(t, "SystemError", nullArg("pysock_socket", "sock").Class)
}

func TestTextOrBytes_InvalidUTF8IsBytes(t *testing.T) {
	assert.Equal(t, "b\u00fccher", textOrBytes("b\u00fccher"))
	assert.Equal(t, []byte("\xff"), textOrBytes("\xff"))
}
