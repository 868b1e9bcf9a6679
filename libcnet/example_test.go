//go:build linux

package libcnet_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"time"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/libcnet"
)

// An http.Client whose connections are dialed by libcnet: "localhost" is resolved by
// libc's getaddrinfo (nsswitch, /etc/hosts, gai.conf), the connection is Go's own
// *net.TCPConn.
func ExampleDialer_DialContext() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from ", r.URL.Path)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL) // http://127.0.0.1:PORT
	u.Host = net.JoinHostPort("localhost", u.Port())

	d := &libcnet.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	resp, err := client.Get(u.String() + "/libc")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body))
	// Output: 200 OK hello from /libc
}

// hostLookup is what a program asks of a resolver: *net.Resolver has it, and so does
// *libcnet.Resolver, method for method.
type hostLookup interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
	LookupPort(ctx context.Context, network, service string) (int, error)
}

func describe(r hostLookup) {
	addrs, err := r.LookupHost(context.Background(), "localhost")
	port, err2 := r.LookupPort(context.Background(), "tcp", "80")
	fmt.Println(slices.Contains(addrs, "127.0.0.1"), port, err, err2)
}

// A libcnet.Resolver swapped in where a *net.Resolver was used: the code using it does
// not change.
func ExampleResolver() {
	describe(net.DefaultResolver) // Go's resolver
	describe(&libcnet.Resolver{}) // libc's: getaddrinfo, getservbyname_r
	// Output:
	// true 80 <nil> <nil>
	// true 80 <nil> <nil>
}

// Errors are *net.DNSError, as from net, with libc's own error inside.
func ExampleResolver_LookupPort_error() {
	var r libcnet.Resolver
	_, err := r.LookupPort(context.Background(), "tcp", "no-such-service")
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		fmt.Println(dnsErr, dnsErr.IsNotFound, errors.Is(err, csock.ErrNotFound))
	}
	// Output: lookup tcp/no-such-service: unknown port true true
}

// LookupHost asks libc even for an address literal, and returns libc's text: inet_aton
// reads "127.1" as 127.0.0.1, which Go's resolvers do not.
func ExampleResolver_LookupHost() {
	var r libcnet.Resolver
	addrs, err := r.LookupHost(context.Background(), "127.1")
	fmt.Println(addrs, err)
	// Output: [127.0.0.1] <nil>
}
