//go:build linux && cgo

package csock

import (
	"fmt"
	"net/netip"
	"testing"
)

// The shim writes the IPv4 dotted quad itself instead of calling inet_ntop: every octet
// value, in every position, must come out as inet_ntop writes it (decimal, no leading
// zeros).
func TestIPv4HostText(t *testing.T) {
	for v := 0; v < 256; v++ {
		ip := [4]byte{byte(v), byte(255 - v), byte(v * 7), byte(v / 3)}
		want := netip.AddrFrom4(ip).String()
		res, err := GetAddrInfo([]byte(want), []byte("80"), AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST, nil)
		if err != nil {
			t.Fatalf("getaddrinfo(%s): %v", want, err)
		}
		if got := res[0].Addr.Host; got != want {
			t.Errorf("host text of %v = %q, want %q", ip, got, want)
		}
		if got, err := InetNtop(AF_INET, ip[:]); err != nil || got != want {
			t.Errorf("inet_ntop(%v) = %q, %v; want %q", ip, got, err, want)
		}
	}
	for _, s := range []string{"0.0.0.0", "255.255.255.255", "10.0.100.9", "1.22.133.200"} {
		res, err := GetAddrInfo([]byte(s), nil, AF_INET, SOCK_DGRAM, 0, AI_NUMERICHOST, nil)
		if err != nil || res[0].Addr.Host != s {
			t.Errorf("getaddrinfo(%s) host text: %v", s, fmt.Sprint(res, err))
		}
	}
}
