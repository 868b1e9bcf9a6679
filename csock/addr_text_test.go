//go:build linux && cgo

package csock

import (
	"fmt"
	"math/rand/v2"
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

// Address texts come from a small cache (hostTexts): thousands of IPv4 and IPv6 addresses,
// many sharing a slot, looked up twice in a shuffled order, always get their own text
// (libc's inet_ntop's), and a repeated lookup allocates only the result slice.
func TestHostText_CachedTextsAreNeverMixedUp(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 7))
	type addr struct {
		family int
		ip     []byte
	}
	var addrs []addr
	for i := 0; i < 3000; i++ {
		ip := make([]byte, 16)
		for j := range ip {
			if r.IntN(4) != 0 {
				ip[j] = byte(r.IntN(256))
			}
		}
		if i%2 == 0 {
			addrs = append(addrs, addr{AF_INET, ip[:4]})
		} else {
			addrs = append(addrs, addr{AF_INET6, ip})
		}
	}
	order := append(append([]int{}, r.Perm(len(addrs))...), r.Perm(len(addrs))...)
	for _, i := range order {
		a := addrs[i]
		want, err := InetNtop(a.family, a.ip)
		if err != nil {
			t.Fatal(err)
		}
		res, err := GetAddrInfo([]byte(want), []byte("80"), a.family, SOCK_STREAM, 0, AI_NUMERICHOST, nil)
		if err != nil {
			t.Fatalf("getaddrinfo(%s): %v", want, err)
		}
		if got := res[0].Addr.Host; got != want {
			t.Fatalf("host text of %v = %q, want %q", a.ip, got, want)
		}
	}
	host, port := []byte("192.0.2.7"), []byte("80")
	if _, err := GetAddrInfo(host, port, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST, nil); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = GetAddrInfo(host, port, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST, nil)
	})
	if allocs != 1 {
		t.Errorf("a repeated numeric getaddrinfo made %v allocations, want 1 (the result slice)", allocs)
	}
}
