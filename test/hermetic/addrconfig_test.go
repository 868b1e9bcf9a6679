//go:build linux

package hermetic

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAddrConfigFollowsInterfaces takes the world's IPv6 address away and
// shows libc's AI_ADDRCONFIG dropping IPv6 answers, then puts it back.
func TestAddrConfigFollowsInterfaces(t *testing.T) {
	env := Require(t)
	var v4, v6 string
	for _, a := range env.World.Addrs {
		if strings.Contains(a, ":") {
			v6 = a
		} else {
			v4 = a
		}
	}
	require.NotEmpty(t, v6, "the world has no IPv6 address")
	require.NotEmpty(t, v4, "the world has no IPv4 address")
	const (
		unspec = "getaddrinfo('multi.test', 80, AF_UNSPEC, SOCK_STREAM, 0, AI_ADDRCONFIG)"
		inet6  = "getaddrinfo('multi.test', 80, AF_INET6, SOCK_STREAM, 0, AI_ADDRCONFIG)"
		inet   = "getaddrinfo('localhost', 80, AF_INET, SOCK_STREAM, 0, AI_ADDRCONFIG)"
	)
	families := func(out string) (has4, has6 bool) {
		return strings.Contains(out, "AF_INET: 2"), strings.Contains(out, "AF_INET6: 10")
	}

	// Without its global IPv6 address the namespace still has link-local
	// ones, and glibc counts them: IPv6 answers stay.
	require.NoError(t, env.RemoveAddr(v6))
	out := pyEval(t, unspec)
	require.NoError(t, env.AddAddr(v6))
	_, has6 := families(out[0])
	assert.True(t, has6, "a link-local IPv6 address is enough for AI_ADDRCONFIG: %s", out[0])

	// With IPv6 off on the veth, AI_ADDRCONFIG drops AAAA answers.
	require.NoError(t, env.SetIPv6(false))
	restored6 := false
	t.Cleanup(func() {
		if !restored6 {
			assert.NoError(t, env.SetIPv6(true))
		}
	})
	out = pyEval(t, unspec, inet6)
	has4, has6 := families(out[0])
	assert.True(t, has4, out[0])
	assert.False(t, has6, "no IPv6 address but ::1: AI_ADDRCONFIG drops AAAA answers: %s", out[0])
	assert.Equal(t, "socket.gaierror: [Errno -2] Name or service not known", out[1])

	// Loopback alone does not count: with no other address, even
	// localhost has no IPv4 answer under AI_ADDRCONFIG.
	require.NoError(t, env.RemoveAddr(v4))
	restored4 := false
	t.Cleanup(func() {
		if !restored4 {
			assert.NoError(t, env.AddAddr(v4))
		}
	})
	out = pyEval(t, inet)
	assert.Equal(t, "socket.gaierror: [Errno -2] Name or service not known", out[0])

	require.NoError(t, env.AddAddr(v4))
	restored4 = true
	require.NoError(t, env.SetIPv6(true))
	restored6 = true
	out = pyEval(t, unspec)
	has4, has6 = families(out[0])
	assert.True(t, has4 && has6, "both families back: %s", out[0])
	assert.Equal(t, pyEval(t, "getaddrinfo('multi.test', 80, AF_UNSPEC, SOCK_STREAM)")[0], out[0],
		"the world is as before: the golden order holds again")
}
