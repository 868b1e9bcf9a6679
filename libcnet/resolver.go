//go:build linux

package libcnet

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/csock/csock/csock"
)

// Resolver looks names up with libc, with the method set of *net.Resolver: a program
// switches by changing the type of one variable. The zero value is ready to use and a
// Resolver is safe for concurrent use; all Resolvers share the process-wide bound of
// SetMaxLookups.
//
// Each method names the libc call behind it and says where its answer or its error can
// differ from net.Resolver's. Errors are *net.DNSError (or the *net.AddrError and
// net.UnknownNetworkError net.Resolver returns for bad arguments) whose UnwrapErr is
// libc's error: a *csock.GaiError, a *csock.HError or a syscall.Errno, reachable with
// errors.As, or the context's error. Their Server is empty: libc does not say which name
// server answered.
//
// A context that has already ended stops only what asks libc to look a name up. As in
// net, an address literal (in netip's syntax: "192.0.2.1", "::1", "fe80::1%lo") given to
// LookupHost, LookupIPAddr, LookupIP, LookupNetIP or LookupCNAME, a numeric service
// given to LookupPort and the empty host are answered whatever ctx says (libc answers a
// literal without a lookup). Everything else fails with the context's error before libc
// is called — also a name of /etc/hosts, a service name of /etc/services and a reverse
// lookup (LookupAddr), where net's pure-Go resolver reads those files itself, ignoring
// ctx, and may answer.
//
// net.Resolver's fields have no counterpart: PreferGo and StrictErrors choose among Go's
// own resolvers, and Dial is how Go's DNS client reaches a name server, which libc does
// itself.
type Resolver struct{}

// DefaultResolver is the Resolver a Dialer without one uses.
var DefaultResolver = &Resolver{}

// addrInfo looks host up with getaddrinfo(3) for network "ip", "ip4" or "ip6" and returns
// libc's list, or the *net.DNSError of its failure.
func (*Resolver) addrInfo(ctx context.Context, network, host string, flags int) ([]csock.AddrInfo, error) {
	afnet, err := ipNetwork(network)
	if err != nil {
		return nil, err
	}
	family := csock.AF_UNSPEC
	switch afnet {
	case "ip4":
		family = csock.AF_INET
	case "ip6":
		family = csock.AF_INET6
	}
	if host == "" {
		// libc's answer (EAI_NONAME, "no such host"), given without asking it, so that as
		// in net the answer holds whatever ctx says.
		return nil, dnsError(&csock.GaiError{Code: csock.EAI_NONAME}, host)
	}
	if strings.IndexByte(host, 0) >= 0 {
		return nil, notFound(host)
	}
	res, err := getaddrinfo(ctx, host, family, flags)
	if err != nil {
		return nil, dnsError(err, host)
	}
	if family == csock.AF_INET6 {
		// net counts an IPv4-mapped address as IPv4, which "ip6" excludes; libc gives one
		// for AF_INET6 (a literal, or a hosts entry written so).
		kept := res[:0]
		for _, ai := range res {
			if !isV4Mapped(&ai.Addr) {
				kept = append(kept, ai)
			}
		}
		if len(kept) == 0 {
			return nil, &net.AddrError{Err: "no suitable address found", Addr: host}
		}
		res = kept
	}
	return res, nil
}

// ipNetwork checks network as net.Resolver.LookupIP does and returns its IP part: "ip",
// "ip4" or "ip6", alone or with a protocol ("ip4:icmp", "ip6:58"; the protocol is
// checked as net checks it, through net.ResolveIPAddr, which looks nothing up for an
// empty address). Another network is net's error: a net.UnknownNetworkError, or a
// *net.AddrError "unknown IP protocol specified".
func ipNetwork(network string) (string, error) {
	switch network {
	case "ip", "ip4", "ip6":
		return network, nil
	}
	i := strings.LastIndexByte(network, ':')
	if i < 0 {
		return "", net.UnknownNetworkError(network)
	}
	if _, err := net.ResolveIPAddr(network, ""); err != nil {
		return "", err
	}
	return network[:i], nil
}

// isV4Mapped reports whether a is an IPv6 address of the form ::ffff:a.b.c.d.
func isV4Mapped(a *csock.Addr) bool {
	return a.Family == csock.AF_INET6 && netip.AddrFrom16(a.IP).Is4In6()
}

// zone returns the name of the interface of an IPv6 scope, "" for none.
func zone(a *csock.Addr) string {
	if a.Family != csock.AF_INET6 || a.ScopeID == 0 {
		return ""
	}
	if name, err := csock.IfIndexToName(a.ScopeID); err == nil {
		return name
	}
	return strconv.FormatUint(uint64(a.ScopeID), 10)
}

// LookupHost looks host up with getaddrinfo(3) (AF_UNSPEC, SOCK_STREAM, no flags: the
// addresses libc sorts by RFC 6724 and /etc/gai.conf, in its order) and returns them as
// libc writes them (inet_ntop's text, "%zone" added for a scoped IPv6 address).
//
// Differences from net.Resolver.LookupHost: an address literal is answered by libc too
// (libc's text, so "2001:DB8::1" comes back "2001:db8::1", and "127.1" is 127.0.0.1 as
// inet_aton reads it; one in netip's syntax whatever the context says, as in net; a zone
// libc does not take, such as an interface name on an address that is not link-local
// ("::1%lo") or an interface that does not exist, is libc's "no such host", where net
// answers the literal); a context that has ended fails the lookup of any other name before libc reads /etc/hosts
// (net answers a name of /etc/hosts from the file whatever the context says); a host with
// a NUL byte is "no such host" without a lookup (as the empty host is in net too).
func (r *Resolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	res, err := r.addrInfo(ctx, "ip", host, 0)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(res))
	for i := range res {
		out[i] = res[i].Addr.Host
		if z := zone(&res[i].Addr); z != "" {
			out[i] += "%" + z
		}
	}
	return out, nil
}

// ipAddrs converts libc's addresses: 4-byte net.IPs for AF_INET, 16-byte ones for AF_INET6
// (an IPv4-mapped address stays one), sharing one backing array.
func ipAddrs(res []csock.AddrInfo) []net.IPAddr {
	out := make([]net.IPAddr, len(res))
	backing := make([]byte, 0, 16*len(res))
	for i := range res {
		a := &res[i].Addr
		n := 16
		if a.Family == csock.AF_INET {
			n = 4
		}
		backing = append(backing, a.IP[:n]...)
		out[i] = net.IPAddr{IP: net.IP(backing[len(backing)-n : len(backing) : len(backing)]), Zone: zone(a)}
	}
	return out
}

// LookupIPAddr looks host up with getaddrinfo(3) as LookupHost does and returns libc's
// addresses in its order.
//
// Differences from net.Resolver.LookupIPAddr: an address literal is answered by libc too;
// IPv4 addresses are 4-byte net.IPs (as from Go's cgo resolver); concurrent lookups of one
// name are not merged into one.
func (r *Resolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	res, err := r.addrInfo(ctx, "ip", host, 0)
	if err != nil {
		return nil, err
	}
	return ipAddrs(res), nil
}

// LookupIP looks host up with getaddrinfo(3) for network "ip" (AF_UNSPEC), "ip4"
// (AF_INET) or "ip6" (AF_INET6), SOCK_STREAM, no flags, and returns libc's addresses in
// its order. Another network is a net.UnknownNetworkError.
//
// Differences from net.Resolver.LookupIP: as for LookupIPAddr; "ip6" gives what libc gives
// for AF_INET6 without AI_V4MAPPED, less any IPv4-mapped address (which net counts as
// IPv4: when nothing else is left, the error is net's *net.AddrError "no suitable address
// found"); an address literal of the other family is libc's EAI_ADDRFAMILY, a
// *net.DNSError, where net returns a *net.AddrError "no suitable address found" ("ip4"
// with "::ffff:1.2.3.4" included: net reads it as 1.2.3.4).
func (r *Resolver) LookupIP(ctx context.Context, network, host string) ([]net.IP, error) {
	res, err := r.addrInfo(ctx, network, host, 0)
	if err != nil {
		return nil, err
	}
	addrs := ipAddrs(res)
	out := make([]net.IP, len(addrs))
	for i := range addrs {
		out[i] = addrs[i].IP
	}
	return out, nil
}

// LookupNetIP looks host up as LookupIP does and returns libc's addresses as netip.Addrs:
// Is4 for AF_INET, Is6 for AF_INET6 (an IPv4-mapped address stays Is4In6), with the
// zone of a scoped address.
func (r *Resolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	res, err := r.addrInfo(ctx, network, host, 0)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, len(res))
	for i := range res {
		a := &res[i].Addr
		if a.Family == csock.AF_INET {
			out[i] = netip.AddrFrom4([4]byte(a.IP[:4]))
		} else {
			out[i] = netip.AddrFrom16(a.IP).WithZone(zone(a))
		}
	}
	return out, nil
}

// LookupCNAME returns the canonical name libc's getaddrinfo(3) gives host with
// AI_CANONNAME (AF_UNSPEC, SOCK_STREAM): the end of a CNAME chain, the first name of the
// /etc/hosts line host is on (in that line's case), the search-list name that answered,
// with a final dot added.
//
// Differences from net.Resolver.LookupCNAME: host needs an address (libc returns no
// canonical name without one; Go's resolvers also accept a CNAME chain to a name with
// only other records); an address literal returns itself ("192.0.2.1.", "127.1."), where
// net fails; the name is not validated when it is host itself; otherwise, as in net, a
// name that is not a valid domain name is an error.
func (r *Resolver) LookupCNAME(ctx context.Context, host string) (string, error) {
	res, err := r.addrInfo(ctx, "ip", host, csock.AI_CANONNAME)
	if err != nil {
		return "", err
	}
	canon := host
	if len(res) > 0 && res[0].CanonName != "" {
		canon = res[0].CanonName
	}
	// The name is validated as net validates it, unless it is host itself (libc echoes an
	// address literal, in any of inet_aton's forms): the caller's own input is no
	// injection.
	if canon != host && !validName(absName(canon)) {
		return "", &net.DNSError{Err: errMalformed, Name: host}
	}
	return absName(canon), nil
}

// LookupAddr looks the address addr up in reverse with gethostbyaddr_r(3) and returns
// libc's host name and its aliases (the names of addr's /etc/hosts line, or the PTR
// answer), each with a final dot when it has a dot inside, as net returns them
// ("localhost" stays so). An IPv4-mapped address is looked up as its IPv4 address. An
// addr that is not an address literal is a DNSError "unrecognized address". As in net, names that are not valid domain names are left
// out, and then returned with an error.
//
// Differences from net.Resolver.LookupAddr: the names are libc's (gethostbyaddr_r: glibc
// returns the first of several PTR records; Go's cgo resolver, which calls getnameinfo,
// returns one name and no alias); an IPv6 address's zone is not used; a context that has
// ended fails the lookup before libc reads /etc/hosts (net answers an address of
// /etc/hosts from the file whatever the context says).
func (r *Resolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return nil, &net.DNSError{Err: errUnrecognized, Name: addr}
	}
	family, raw := csock.AF_INET6, ip.AsSlice()
	if ip.Is4() || ip.Is4In6() {
		// An IPv4-mapped address is looked up as the IPv4 address, as Go's cgo resolver
		// does.
		family, raw = csock.AF_INET, ip.Unmap().AsSlice()
	}
	h, err := blocking(ctx, func() (*csock.HostEnt, error) {
		return csock.GetHostByAddr(raw, family, 0, nil)
	})
	if err != nil {
		return nil, dnsError(err, addr)
	}
	names := make([]string, 0, 1+len(h.Aliases))
	names = append(names, hostName(h.Name))
	for _, a := range h.Aliases {
		names = append(names, hostName(a))
	}
	if valid, dropped := validNames(names); dropped {
		return valid, &net.DNSError{Err: errMalformed, Name: addr}
	}
	return names, nil
}

// LookupPort returns the port of service for network: a decimal service is its number
// (as net parses it), a name is looked up with getservbyname_r(3) for protocol "tcp"
// (network "tcp", "tcp4", "tcp6"), "udp" ("udp", "udp4", "udp6") or any ("ip", "").
// Another network is a *net.AddrError "unknown network", a port outside 0-65535 a
// *net.AddrError "invalid port", an unknown service a *net.DNSError "unknown port" with
// IsNotFound (UnwrapErr csock.ErrNotFound).
//
// Differences from net.Resolver.LookupPort: the name is looked up as given (glibc's files
// backend compares names case-sensitively; Go lowers them first), a service libc does
// not know is not looked up again in Go's built-in table, and with a context that has
// ended a name fails with the context's error, where net reads /etc/services anyway (a
// numeric service is answered whatever the context says, as in net).
func (r *Resolver) LookupPort(ctx context.Context, network, service string) (int, error) {
	port, numeric := parsePort(service)
	if !numeric {
		var proto []byte
		switch network {
		case "tcp", "tcp4", "tcp6":
			proto = protoTCP
		case "udp", "udp4", "udp6":
			proto = protoUDP
		case "ip", "":
			network = "ip"
		default:
			return 0, &net.AddrError{Err: "unknown network", Addr: network}
		}
		if strings.IndexByte(service, 0) >= 0 {
			return 0, &net.DNSError{Err: errUnknownPort, Name: network + "/" + service, IsNotFound: true}
		}
		var err error
		if ctx.Done() == nil {
			// The blocking call on this goroutine, without blocking's closure: the
			// cheapest path, taken by every lookup with a context that cannot end.
			_ = lookups.Acquire(ctx)
			port, err = csock.GetServByName([]byte(service), proto, 0)
			lookups.Release()
		} else {
			port, err = blocking(ctx, func() (int, error) {
				return csock.GetServByName([]byte(service), proto, 0)
			})
		}
		if err == csock.ErrNotFound {
			return 0, &net.DNSError{Err: errUnknownPort, Name: network + "/" + service, IsNotFound: true, UnwrapErr: err}
		}
		if err != nil {
			return 0, dnsError(err, network+"/"+service)
		}
	}
	if port < 0 || port > 65535 {
		return 0, &net.AddrError{Err: "invalid port", Addr: service}
	}
	return port, nil
}

var (
	protoTCP = []byte("tcp")
	protoUDP = []byte("udp")
)

// parsePort reads service as net.LookupPort does before any lookup: "" is port 0; an
// optional sign and decimal digits are that number; anything else is a name to look up.
// net's reading has two quirks kept here, since a program switching resolvers must see
// the same ports: it accumulates in 32 bits, so a long number may wrap (4294967376 is 80),
// and once the value reaches 2^30 it stops reading, so what follows, digit or not, is
// ignored and the number (clamped outside the port range) is rejected as invalid rather
// than looked up ("12345678901x": invalid port; "1234567890x", which stops short of 2^30
// before the x, is a name).
func parsePort(service string) (port int, numeric bool) {
	if service == "" {
		return 0, true
	}
	digits, neg := service, false
	switch digits[0] {
	case '+':
		digits = digits[1:]
	case '-':
		digits, neg = digits[1:], true
	}
	const limit = uint32(1) << 30
	var n uint32
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n >= limit {
			n = ^uint32(0)
			break
		}
		n *= 10 // may wrap, as in net
		if next := n + uint32(c-'0'); next >= n {
			n = next
		} else {
			n = ^uint32(0)
			break
		}
	}
	switch {
	case !neg && n >= limit:
		port = int(limit - 1)
	case neg && n > limit:
		port = int(limit)
	default:
		port = int(n)
	}
	if neg {
		port = -port
	}
	return port, true
}
