//go:build linux

package facade

import (
	"fmt"

	"github.com/csock/csock/csock"
)

// This file holds inet_aton, inet_ntoa, inet_pton and inet_ntop: libc's parsers and formatters.

// InetAton mirrors socket.inet_aton(ip_string): libc's permissive parser ('127.1' and
// trailing junk after a space are accepted).
func InetAton(ipString string) ([]byte, error) {
	s, err := asStr(ipString, "inet_aton", 1)
	if err != nil {
		return nil, err
	}
	ip, ok := csock.InetAton(s)
	if !ok {
		return nil, osMessage("illegal IP address string passed to inet_aton")
	}
	return ip[:], nil
}

// InetNtoa mirrors socket.inet_ntoa(packed_ip).
func InetNtoa(packed []byte) (string, error) {
	if len(packed) != 4 {
		return "", osMessage("packed IP wrong length for inet_ntoa")
	}
	s, err := csock.InetNtop(csock.AF_INET, packed)
	return s, fromBinding(err)
}

// InetPton mirrors socket.inet_pton(address_family, ip_string): libc's strict parser.
func InetPton(family AddressFamily, ipString string) ([]byte, error) {
	if _, err := goInt(int(family)); err != nil {
		return nil, err
	}
	s, err := asStr(ipString, "inet_pton", 2)
	if err != nil {
		return nil, err
	}
	ip, ok, err := csock.InetPton(int(family), s)
	if err != nil {
		return nil, fromBinding(err)
	}
	if !ok {
		return nil, osMessage("illegal IP address string passed to inet_pton")
	}
	if family == csock.AF_INET {
		return ip[:4], nil
	}
	return ip[:16], nil
}

// InetNtop mirrors socket.inet_ntop(address_family, packed_ip), with glibc's formatting
// ('::1.2.3.4' for the deprecated IPv4-compatible form, leftmost longest zero run
// compressed).
func InetNtop(family AddressFamily, packed []byte) (string, error) {
	if _, err := goInt(int(family)); err != nil {
		return "", err
	}
	switch family {
	case csock.AF_INET:
		if len(packed) != 4 {
			return "", &ValueError{Msg: "invalid length of packed IP address string"}
		}
	case csock.AF_INET6:
		if len(packed) != 16 {
			return "", &ValueError{Msg: "invalid length of packed IP address string"}
		}
	default:
		return "", &ValueError{Msg: fmt.Sprintf("unknown address family %d", family)}
	}
	s, err := csock.InetNtop(int(family), packed)
	return s, fromBinding(err)
}
