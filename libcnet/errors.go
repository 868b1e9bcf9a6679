//go:build linux

package libcnet

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"

	"github.com/csock/csock/csock"
)

// The texts of net's own DNSErrors, so that code matching them (or printing them) sees
// what it would with net.Resolver.
const (
	errNoSuchHost   = "no such host"                                               // net's errNoSuchHost
	errUnknownPort  = "unknown port"                                               // net's errUnknownPort
	errMalformed    = "DNS response contained records which contain invalid names" // net's errMalformedDNSRecordsDetail
	errCanceled     = "operation was canceled"                                     // net's errCanceled
	errTimeout      = "i/o timeout"                                                // net's errTimeout
	errUnrecognized = "unrecognized address"
)

// dnsError turns what the binding or a context returned into the *net.DNSError that
// net.Resolver would return for it, keeping the libc error for errors.As:
//
//   - *csock.GaiError: EAI_NONAME and EAI_NODATA are "no such host" with IsNotFound (as Go's
//     cgo resolver words them), EAI_AGAIN is gai_strerror's text with IsTemporary, EAI_SYSTEM
//     is its errno's text with the errno's Timeout and Temporary, any other code its
//     gai_strerror text;
//   - *csock.HError (gethostbyaddr_r, res_nsearch): HOST_NOT_FOUND and NO_DATA are "no such
//     host" with IsNotFound, TRY_AGAIN is hstrerror's text with IsTemporary, NETDB_INTERNAL
//     its errno's text, NO_RECOVERY hstrerror's text;
//   - a context's error: "operation was canceled", or "i/o timeout" with IsTimeout and
//     IsTemporary for a deadline, as net words them.
//
// UnwrapErr is the *csock.GaiError, *csock.HError, syscall.Errno or context error, so
// errors.As(err, &gaiErr) and errors.Is(err, context.Canceled) work.
func dnsError(err error, name string) *net.DNSError {
	de := &net.DNSError{Err: err.Error(), Name: name, UnwrapErr: err}
	switch e := err.(type) {
	case *csock.GaiError:
		switch e.Code {
		case csock.EAI_NONAME, csock.EAI_NODATA:
			de.Err, de.IsNotFound = errNoSuchHost, true
		case csock.EAI_AGAIN:
			de.IsTemporary = true
		case csock.EAI_SYSTEM:
			errnoFlags(de, e.Errno)
		}
	case *csock.HError:
		switch e.Code {
		case csock.HOST_NOT_FOUND, csock.NO_DATA:
			de.Err, de.IsNotFound = errNoSuchHost, true
		case csock.TRY_AGAIN:
			de.IsTemporary = true
		case csock.NETDB_INTERNAL:
			errnoFlags(de, e.Errno)
		}
	case syscall.Errno:
		de.IsTimeout, de.IsTemporary = e.Timeout(), e.Temporary()
	default:
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			de.Err, de.IsTimeout, de.IsTemporary = errTimeout, true, true
		case errors.Is(err, context.Canceled):
			de.Err = errCanceled
		}
	}
	return de
}

// errnoFlags words an EAI_SYSTEM or NETDB_INTERNAL error by its errno.
func errnoFlags(de *net.DNSError, errno syscall.Errno) {
	if errno == 0 {
		return // libc's own text ("System error", "Resolver internal error") stays
	}
	de.Err = errno.Error()
	de.IsTimeout, de.IsTemporary = errno.Timeout(), errno.Temporary()
}

// notFound is the error of a lookup that never reached libc because the name cannot be
// passed to it (a NUL byte in it would end the C string early and look up another name).
func notFound(name string) *net.DNSError {
	return &net.DNSError{Err: errNoSuchHost, Name: name, IsNotFound: true}
}

// parseAddr is netip.ParseAddr; a variable so that numericHost reads as what it means.
var parseAddr = netip.ParseAddr
