//go:build linux

package libcnet

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultFallbackDelay is the Connection Attempt Delay of a Dialer whose FallbackDelay is
// 0: net.Dialer's 300 ms (RFC 8305 recommends 250 ms).
const DefaultFallbackDelay = 300 * time.Millisecond

// Dialer connects to a host:port the way net.Dialer does, but resolves the host with
// libc (its Resolver): DialContext returns Go's own connections (*net.TCPConn,
// *net.UDPConn, *net.IPConn, *net.UnixConn), so reads and writes stay on Go's net and
// runtime poller, and it fits wherever a dial function is asked for:
//
//	tr := &http.Transport{DialContext: (&libcnet.Dialer{Timeout: 5 * time.Second}).DialContext}
//
// Each address is connected to by a net.Dialer carrying the fields below; a host name is
// first resolved with Resolver.LookupNetIP, and libc's order (RFC 6724 and /etc/gai.conf)
// is the order the addresses are tried in. The zero value dials with no timeout and
// libcnet.DefaultResolver. It is safe to call Dialer's methods concurrently.
//
// net.Dialer's deprecated DualStack and Cancel have no counterpart, nor has its Multipath
// TCP setting (SetMultipathTCP).
type Dialer struct {
	// Timeout bounds the whole dial, name resolution included (as net.Dialer's). 0 is no
	// timeout.
	Timeout time.Duration

	// Deadline is an absolute time after which the dial fails, name resolution included.
	// The zero time is none.
	Deadline time.Time

	// LocalAddr is the local address to use (a *net.TCPAddr, *net.UDPAddr, *net.IPAddr
	// or *net.UnixAddr matching the network), nil for any. When it has an IP address that
	// is not a wildcard (0.0.0.0, ::), only the resolved addresses of its family are
	// tried, as net.Dialer does; a wildcard or absent IP keeps them all (an IPv6 wildcard
	// socket is dual-stack). When none is left, the dial fails as net's does: a
	// *net.OpError with no Source and no Addr around a *net.AddrError "no suitable
	// address found" naming LocalAddr.
	LocalAddr net.Addr

	// FallbackDelay is the Connection Attempt Delay of RFC 8305 for TCP: when a name has
	// several addresses, they are interleaved by family (the family libc put first, then
	// the other, alternating) and connected to in that order, each attempt started when
	// the one before failed or FallbackDelay after it started, whichever comes first,
	// earlier attempts going on; the first connection made wins and the others are closed.
	// 0 is DefaultFallbackDelay; a negative value tries the addresses one after the
	// other, each with a share of the time left (net.Dialer's serial dialing).
	FallbackDelay time.Duration

	// KeepAlive and KeepAliveConfig are net.Dialer's: TCP keep-alive probes (0: the
	// default 15 s; negative: off) and their finer settings.
	KeepAlive       time.Duration
	KeepAliveConfig net.KeepAliveConfig

	// Control and ControlContext are net.Dialer's: called with each socket before it
	// connects, with the network ("tcp4", "tcp6", ...) and the address of that attempt.
	// ControlContext is used when both are set.
	Control        func(network, address string, c syscall.RawConn) error
	ControlContext func(ctx context.Context, network, address string, c syscall.RawConn) error

	// Resolver resolves host names; nil is DefaultResolver.
	Resolver *Resolver
}

// Dial is DialContext with context.Background().
func (d *Dialer) Dial(network, address string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, address)
}

// DialContext connects to address on network, as net.Dialer.DialContext does, with
// libc's resolver: networks "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6" take a
// "host:port" (the port a number or a service name, looked up with getservbyname_r by
// Resolver.LookupPort whatever the host), "ip", "ip4", "ip6" with ":protocol" a host, and
// "unix", "unixgram", "unixpacket" a path (dialed as net does). A host that is an address
// literal, or empty, is not resolved: net dials it, with libc's port.
//
// The resolved addresses are filtered as net filters them: a network ending in "4" or
// "6" keeps that family's ("tcp6" drops IPv4-mapped addresses: none left is a
// *net.AddrError "no suitable address found" naming the host), then LocalAddr keeps its
// own family's (see LocalAddr).
//
// ctx bounds the resolution and the connecting, not the connection once made. A failure
// is a *net.OpError, as from net.Dialer: when the address could not be resolved (its
// name, its service, or no suitable address), its Err is the resolver's *net.DNSError or
// the *net.AddrError, with no Source and no Addr; else it is the error of the first
// address tried.
//
// Differences from net.Dialer.DialContext: the addresses are libc's, in libc's order; TCP
// attempts are staggered over all of them as RFC 8305 describes (net races one attempt
// per family, RFC 6555 style); resolution is not merged with other lookups of the name;
// a service name is libc's, looked up as given (Go lowers it first and falls back to its
// own table), even with an address literal ("127.0.0.1:HTTP" is an unknown port, as
// "localhost:HTTP" is).
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if ctx == nil {
		panic("libcnet: DialContext with a nil context")
	}
	if deadline := d.deadline(ctx, time.Now()); !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	afnet, err := dialNetwork(network)
	if err != nil {
		return nil, d.opError(network, err)
	}
	var ipnet, host, port string
	switch afnet {
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
		if address == "" {
			break // net's "missing address"
		}
		var err error
		if host, port, err = net.SplitHostPort(address); err != nil {
			return nil, d.opError(network, err)
		}
		ipnet = "ip" + afnet[3:]
	case "ip", "ip4", "ip6":
		host, ipnet = address, afnet
	}
	if ipnet == "" { // unix, unixgram, unixpacket; an empty address; any other network
		return d.inner().DialContext(ctx, network, address)
	}
	portNum := -1
	if ipnet != afnet { // a transport network: the address has a port, libc names it
		p, err := d.resolver().LookupPort(ctx, network, port)
		if err != nil {
			return nil, d.opError(network, err)
		}
		portNum = p
	}
	if _, err := netip.ParseAddr(host); err == nil || host == "" {
		// Nothing to resolve: net dials the address itself, its checks of the family and
		// of LocalAddr included, with the port libc gave.
		if portNum >= 0 {
			address = net.JoinHostPort(host, strconv.Itoa(portNum))
		}
		return d.inner().DialContext(ctx, network, address)
	}
	ips, err := d.resolver().LookupNetIP(ctx, ipnet, host)
	if err != nil {
		return nil, d.opError(network, err)
	}
	if ips, err = d.suitable(afnet, host, ips); err != nil {
		return nil, d.opError(network, err)
	}
	addrs := make([]string, len(ips))
	for i, ip := range ips {
		if portNum < 0 {
			addrs[i] = ip.String()
		} else {
			addrs[i] = netip.AddrPortFrom(ip, uint16(portNum)).String()
		}
	}
	if strings.HasPrefix(network, "tcp") && len(addrs) > 1 && d.FallbackDelay >= 0 {
		return d.dialStaggered(ctx, network, interleave(ips, addrs))
	}
	return d.dialSerial(ctx, network, addrs)
}

// deadline is the earliest of now+Timeout, Deadline and ctx's deadline (zero if none).
func (d *Dialer) deadline(ctx context.Context, now time.Time) time.Time {
	var earliest time.Time
	if d.Timeout != 0 { // a negative Timeout is already past, as in net
		earliest = now.Add(d.Timeout)
	}
	for _, t := range []time.Time{d.Deadline, ctxDeadline(ctx)} {
		if !t.IsZero() && (earliest.IsZero() || t.Before(earliest)) {
			earliest = t
		}
	}
	return earliest
}

func ctxDeadline(ctx context.Context) time.Time {
	t, _ := ctx.Deadline()
	return t
}

func (d *Dialer) resolver() *Resolver {
	if d.Resolver != nil {
		return d.Resolver
	}
	return DefaultResolver
}

// inner is the net.Dialer that connects to one address: the fields that apply to a
// single connection attempt, no timeout of its own (ctx carries it) and no racing.
func (d *Dialer) inner() *net.Dialer {
	return &net.Dialer{
		LocalAddr:       d.LocalAddr,
		FallbackDelay:   -1,
		KeepAlive:       d.KeepAlive,
		KeepAliveConfig: d.KeepAliveConfig,
		Control:         d.Control,
		ControlContext:  d.ControlContext,
	}
}

// dialNetwork checks network before anything else, as net.Dialer does, and returns its
// part without a protocol ("ip4" for "ip4:icmp"): an IP network must name a protocol,
// and any other network is net's error (see ipNetwork).
func dialNetwork(network string) (string, error) {
	switch network {
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram", "unixpacket":
		return network, nil
	case "ip", "ip4", "ip6":
		return "", net.UnknownNetworkError(network)
	}
	return ipNetwork(network)
}

// opError wraps an error of the resolution, before any address is tried, as net.Dialer
// does: no Source, no Addr.
func (d *Dialer) opError(network string, err error) error {
	return &net.OpError{Op: "dial", Net: network, Err: err}
}

// suitable keeps the addresses of ips that net.Dialer would try for a host name on afnet
// ("tcp", "tcp4", ..., "ip6") from LocalAddr, in their order, or returns net's error
// when none is left:
//
//   - a network of one family keeps that family's addresses: "4" those with an IPv4 form
//     (IPv4-mapped ones included), "6" the other IPv6 ones; none left is a *net.AddrError
//     "no suitable address found" naming host;
//   - with a LocalAddr of another network ("udp" for "tcp", a *net.UnixAddr) the dial is
//     a *net.AddrError "mismatched local address type";
//   - a LocalAddr with an IP address that is not a wildcard (0.0.0.0, ::) keeps the
//     addresses of its family and the wildcard ones; none left is a *net.AddrError "no
//     suitable address found" naming LocalAddr. A wildcard or absent IP keeps them all:
//     an IPv6 wildcard socket is dual-stack and reaches IPv4 addresses too.
//
// As net does, a name whose only address is :: gets 0.0.0.0 after it, for a machine that
// can bind :: but not connect to it (Go issue 18806).
func (d *Dialer) suitable(afnet, host string, ips []netip.Addr) ([]netip.Addr, error) {
	if len(ips) == 1 && ips[0] == netip.IPv6Unspecified() {
		ips = append(ips[:1:1], netip.IPv4Unspecified())
	}
	noneLeft := func(addr string) error {
		return &net.AddrError{Err: "no suitable address found", Addr: addr}
	}
	out := ips[:0:0]
	for _, ip := range ips {
		is4 := ip.Is4() || ip.Is4In6()
		switch afnet[len(afnet)-1] {
		case '4':
			if !is4 {
				continue
			}
		case '6':
			if is4 {
				continue
			}
		}
		out = append(out, ip)
	}
	if len(out) == 0 {
		return nil, noneLeft(host)
	}
	if d.LocalAddr == nil {
		return out, nil
	}
	if d.LocalAddr.Network() != strings.TrimRight(afnet, "46") {
		return nil, &net.AddrError{Err: "mismatched local address type", Addr: d.LocalAddr.String()}
	}
	var local net.IP
	switch a := d.LocalAddr.(type) {
	case *net.TCPAddr:
		if a != nil {
			local = a.IP
		}
	case *net.UDPAddr:
		if a != nil {
			local = a.IP
		}
	case *net.IPAddr:
		if a != nil {
			local = a.IP
		}
	}
	if local == nil || local.IsUnspecified() {
		return out, nil
	}
	kept := out[:0]
	for _, ip := range out {
		if ip.IsUnspecified() || sameFamily(net.IP(ip.AsSlice()), local) {
			kept = append(kept, ip)
		}
	}
	if len(kept) == 0 {
		return nil, noneLeft(d.LocalAddr.String())
	}
	return kept, nil
}

// sameFamily reports whether a and b are both IPv4 addresses (IPv4-mapped ones
// included) or both other IPv6 addresses, as net compares a LocalAddr with an address.
func sameFamily(a, b net.IP) bool {
	family := func(ip net.IP) int {
		switch {
		case ip.To4() != nil:
			return 4
		case ip.To16() != nil:
			return 6
		}
		return 0
	}
	return family(a) != 0 && family(a) == family(b)
}

// interleave orders addrs as RFC 8305 section 4 says: the first address of libc's list,
// then one of the other family, then one of the first family, and so on, each family in
// libc's order; whichever family runs out first, the other's rest follows.
func interleave(ips []netip.Addr, addrs []string) []string {
	first := ips[0].Unmap().Is4()
	var same, other []string
	for i, ip := range ips {
		if ip.Unmap().Is4() == first {
			same = append(same, addrs[i])
		} else {
			other = append(other, addrs[i])
		}
	}
	out := make([]string, 0, len(addrs))
	for i := 0; i < len(same) || i < len(other); i++ {
		if i < len(same) {
			out = append(out, same[i])
		}
		if i < len(other) {
			out = append(out, other[i])
		}
	}
	return out
}

// dialSerial tries each address in turn, each with an equal share of the time left (at
// least 2 s of it when that much is left, so that one slow address does not starve the
// others of a fair try), and returns the first connection or the first error (the
// context's, when it ends between two attempts, as in net).
func (d *Dialer) dialSerial(ctx context.Context, network string, addrs []string) (net.Conn, error) {
	var firstErr error
	for i, a := range addrs {
		if ctx.Err() != nil {
			// net's dialSerial returns the context's error here, not the first one: net
			// words it (its Source, Addr and "operation was canceled") without dialing.
			_, err := d.inner().DialContext(ctx, network, a)
			return nil, err
		}
		actx, cancel := ctx, context.CancelFunc(func() {})
		if deadline, ok := ctx.Deadline(); ok && i < len(addrs)-1 {
			left := time.Until(deadline)
			share := left / time.Duration(len(addrs)-i)
			if share < 2*time.Second {
				share = min(left, 2*time.Second)
			}
			actx, cancel = context.WithTimeout(ctx, share)
		}
		c, err := d.inner().DialContext(actx, network, a)
		cancel()
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// dialStaggered races connection attempts as RFC 8305 section 5 describes: the first
// starts at once, each next one when the one before fails or FallbackDelay after it
// started; every attempt goes on until one connects. The first connection is returned;
// the attempts still going are cancelled, and any that connects later is closed by its
// own goroutine, which ends then.
func (d *Dialer) dialStaggered(ctx context.Context, network string, addrs []string) (net.Conn, error) {
	delay := d.FallbackDelay
	if delay == 0 {
		delay = DefaultFallbackDelay
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		c   net.Conn
		err error
	}
	results := make(chan result)
	returned := make(chan struct{})
	defer close(returned)
	inner := d.inner()
	started, pending := 0, 0
	start := func() {
		a := addrs[started]
		started++
		pending++
		go func() {
			c, err := inner.DialContext(ctx, network, a)
			select {
			case results <- result{c, err}:
			case <-returned:
				if c != nil {
					c.Close()
				}
			}
		}()
	}
	start()
	timer := time.NewTimer(delay)
	defer timer.Stop()
	var firstErr error
	for pending > 0 {
		select {
		case r := <-results:
			pending--
			if r.err == nil {
				return r.c, nil
			}
			if firstErr == nil {
				firstErr = r.err
			}
			if started < len(addrs) {
				start()
				timer.Reset(delay)
			}
		case <-timer.C:
			if started < len(addrs) {
				start()
				timer.Reset(delay)
			}
		}
	}
	return nil, firstErr
}
