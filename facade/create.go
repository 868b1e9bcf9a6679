//go:build linux

package facade

import (
	"context"
	"fmt"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/internal/pyarg"
	"github.com/csock/csock/py"
)

// globalDefaultTimeout is the type of UseDefaultTimeout.
type globalDefaultTimeout struct{}

// PyRepr prints the sentinel as CPython's repr of socket._GLOBAL_DEFAULT_TIMEOUT does.
func (*globalDefaultTimeout) PyRepr() string { return "<object object>" }

// UseDefaultTimeout, passed as CreateConnection's timeout, means "timeout not given"
// (CPython's socket._GLOBAL_DEFAULT_TIMEOUT): the new socket keeps the module default
// timeout. Passing nil instead forces blocking mode even when a default is set.
var UseDefaultTimeout any = &globalDefaultTimeout{}

// CreateConnection connects to a TCP service: CPython's socket.create_connection(address,
// timeout, source_address, all_errors=allErrors) (B.7).
//
// address is any pair (host, port) (a py.Tuple, a py.List, an InetAddress, even a
// two-character string, as Python's unpacking allows); host and port are resolved with
// getaddrinfo(host, port, 0, SOCK_STREAM), with its rules (a str host is IDNA-encoded, an
// int port is passed as decimal text, so 70000 is port 4464; a resolver error is returned
// as is). Each address is tried in turn: a socket of its family, type and protocol (so
// Proto() is 6), the timeout set unless timeout is UseDefaultTimeout, bound to
// sourceAddress unless that is falsy (nil, an empty tuple or string), connected. The first
// success is returned. When every address fails, the last address's error is returned, or
// with allErrors an *ExceptionGroup "create_connection failed" holding one error per
// address. Only OSError-family errors move on to the next address; others (a bad timeout,
// a bad sourceAddress) are returned at once.
//
// Difference: a socket made for an address that fails with a non-OSError error is closed
// here (CPython leaves it to the garbage collector).
func CreateConnection(address any, timeout any, sourceAddress any, allErrors bool) (*Socket, error) {
	host, port, err := unpackPair(address)
	if err != nil {
		return nil, err
	}
	res, err := resolveStream(host, port)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, ai := range res {
		s, err := connectOne(ai, timeout, sourceAddress)
		if err == nil {
			return s, nil
		}
		if !IsOSError(err) {
			return nil, err
		}
		if !allErrors {
			errs = errs[:0]
		}
		errs = append(errs, err)
	}
	switch {
	case len(errs) == 0:
		return nil, osMessage("getaddrinfo returns an empty list")
	case allErrors:
		return nil, &ExceptionGroup{Msg: "create_connection failed", Errors: errs}
	}
	return nil, errs[0]
}

// connectOne is one turn of create_connection's loop.
func connectOne(ai csock.AddrInfo, timeout, sourceAddress any) (*Socket, error) {
	s, err := newFromInts(ai.Family, ai.SockType, ai.Protocol)
	if err != nil {
		return nil, err
	}
	err = func() error {
		if timeout != UseDefaultTimeout {
			if err := s.SetTimeout(timeout); err != nil {
				return err
			}
		}
		if truthy(sourceAddress) {
			if err := s.Bind(sourceAddress); err != nil {
				return err
			}
		}
		addr := ai.Addr
		return ioError("connect", s.connect(context.Background(), &addr))
	}()
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// resolveStream is create_connection's getaddrinfo(host, port, 0, SOCK_STREAM), with the
// module getaddrinfo's argument rules (getaddrinfo.go's gaiHost and gaiPort).
//
// TODO(resolver): the one call to getaddrinfo; switch to GetAddrInfo's context-aware
// path once it exposes the raw addresses.
func resolveStream(host, port any) ([]csock.AddrInfo, error) {
	h, err := gaiHost(nil, host)
	if err != nil {
		return nil, err
	}
	p, err := gaiPort(nil, port)
	if err != nil {
		return nil, err
	}
	return getAddrInfo(cString(h), cString(p), 0, csock.SOCK_STREAM, 0, 0)
}

// unpackPair is Python's `host, port = address`: any iterable of exactly two items.
func unpackPair(v any) (any, any, error) {
	var items []any
	switch a := v.(type) {
	case py.Tuple:
		items = a
	case py.List:
		items = a
	case InetAddress:
		items = []any{a.Host, a.Port}
	case *InetAddress:
		items = []any{a.Host, a.Port}
	case Inet6Address:
		items = []any{a.Host, a.Port, int(a.FlowInfo), int(a.ScopeID)}
	case *Inet6Address:
		items = []any{a.Host, a.Port, int(a.FlowInfo), int(a.ScopeID)}
	case string:
		for _, r := range py.Runes(a) {
			items = append(items, py.FromRunes([]rune{r}))
		}
	case []byte:
		for _, c := range a {
			items = append(items, int(c))
		}
	case dict:
		items = a.keys
	default:
		if pv, ok := pyValue(v); ok {
			return unpackPair(pv)
		}
		return nil, nil, &TypeError{Msg: fmt.Sprintf("cannot unpack non-iterable %s object", typeName(v))}
	}
	switch {
	case len(items) < 2:
		return nil, nil, &ValueError{Msg: fmt.Sprintf("not enough values to unpack (expected 2, got %d)", len(items))}
	case len(items) > 2:
		return nil, nil, &ValueError{Msg: "too many values to unpack (expected 2)"}
	}
	return items[0], items[1], nil
}

// truthy is Python's truth value of an argument such as source_address: None, False,
// zero, and empty str, bytes, tuples and lists are false.
func truthy(v any) bool {
	if d, ok := v.(dict); ok {
		return len(d.keys) > 0
	}
	if pv, ok := pyValue(v); ok {
		return truthy(pv)
	}
	return pyarg.Truthy(v)
}

// ServerOptions are CreateServer's keyword arguments.
type ServerOptions struct {
	// Family is the address family; 0 means CPython's default, AF_INET.
	Family AddressFamily
	// Backlog is listen's backlog; 0 means CPython's backlog=None (listen's default,
	// min(SOMAXCONN, 128)), and a negative value listens with 0, as CPython clamps
	// negative backlogs.
	Backlog int
	// ReusePort sets SO_REUSEPORT.
	ReusePort bool
	// DualStackIPv6 makes an AF_INET6 socket that accepts IPv4 connections too
	// (IPV6_V6ONLY off); it requires Family AF_INET6.
	DualStackIPv6 bool
}

// CreateServer makes a TCP socket bound to address and listening: CPython's
// socket.create_server(address, family=..., backlog=..., reuse_port=...,
// dualstack_ipv6=...). It sets SO_REUSEADDR (errors ignored), SO_REUSEPORT if asked, and
// for AF_INET6 IPV6_V6ONLY (on, unless DualStackIPv6). A failed bind is rewritten as
// CPython does: a plain OSError with the same errno and
// "<strerror> (while attempting to bind on address <repr(address)>)", so that
// ('::1', 0) on AF_INET gives "[Errno -9] Address family for hostname not supported (while
// attempting to bind on address ('::1', 0))". On an OSError the socket is closed.
//
// Difference: on a non-OSError error of bind (a TypeError about the address) the socket
// is closed too (CPython leaves it to the garbage collector).
func CreateServer(address any, opts ServerOptions) (*Socket, error) {
	family := int(opts.Family)
	if family == 0 {
		family = csock.AF_INET
	}
	if opts.DualStackIPv6 {
		if !HasDualStackIPv6() {
			return nil, &ValueError{Msg: "dualstack_ipv6 not supported on this platform"}
		}
		if family != csock.AF_INET6 {
			return nil, &ValueError{Msg: "dualstack_ipv6 requires AF_INET6 family"}
		}
	}
	s, err := newFromInts(family, csock.SOCK_STREAM, -1)
	if err != nil {
		return nil, err
	}
	if err := s.setUpServer(address, family, opts); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Socket) setUpServer(address any, family int, opts ServerOptions) error {
	s.SetSockOptInt(csock.SOL_SOCKET, csock.SO_REUSEADDR, 1)
	if opts.ReusePort {
		if err := s.SetSockOptInt(csock.SOL_SOCKET, csock.SO_REUSEPORT, 1); err != nil {
			return err
		}
	}
	if family == csock.AF_INET6 {
		v6only := 1
		if opts.DualStackIPv6 {
			v6only = 0
		}
		if err := s.SetSockOptInt(csock.IPPROTO_IPV6, csock.IPV6_V6ONLY, v6only); err != nil {
			return err
		}
	}
	if err := s.Bind(address); err != nil {
		if !IsOSError(err) {
			return err
		}
		return bindError(err, address)
	}
	if opts.Backlog == 0 {
		return s.Listen()
	}
	return s.Listen(opts.Backlog)
}

// bindError is create_server's
// `raise error(err.errno, '%s (while attempting to bind on address %r)' % (err.strerror, address))`.
func bindError(err error, address any) error {
	errno, strerror := 0, "None"
	switch e := err.(type) {
	case *OSError:
		if e.Errno != 0 {
			errno, strerror = e.Errno, e.Strerror
		}
	case *GaiError:
		errno, strerror = e.Code, e.Strerror
	case *HError:
		errno, strerror = e.Code, e.Strerror
	}
	msg := fmt.Sprintf("%s (while attempting to bind on address %s)", strerror, py.Repr(address))
	if errno == 0 {
		// OSError(None, msg) prints "[Errno None] msg"; an OSError with Errno 0 prints its
		// message alone, so the prefix goes into the message.
		return &OSError{Strerror: "[Errno None] " + msg}
	}
	return &OSError{Errno: errno, Strerror: msg}
}

// HasDualStackIPv6 reports whether an AF_INET6 socket can accept IPv4 connections too:
// CPython's socket.has_dualstack_ipv6() (it makes such a socket and clears IPV6_V6ONLY).
func HasDualStackIPv6() bool {
	s, err := New(csock.AF_INET6, csock.SOCK_STREAM, -1)
	if err != nil {
		return false
	}
	defer s.Close()
	return s.SetSockOptInt(csock.IPPROTO_IPV6, csock.IPV6_V6ONLY, 0) == nil
}
