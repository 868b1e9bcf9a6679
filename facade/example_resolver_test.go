//go:build linux

package facade_test

import (
	"fmt"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// GetAddrInfo resolves like CPython's socket.getaddrinfo: libc's answer, in libc's order,
// as CPython's 5-tuples.
func ExampleGetAddrInfo() {
	res, err := facade.GetAddrInfo("127.0.0.1", "http", facade.AF_INET, facade.SOCK_STREAM, 0, 0)
	if err != nil {
		fmt.Println(py.FormatException(err.(py.Exception)))
		return
	}
	for _, r := range res {
		fmt.Println(r.Family, r.Type, r.Proto, r.Addr.PyRepr())
		fmt.Println(r.PyRepr())
	}
	// Errors are CPython's exceptions, worded as CPython words them.
	_, err = facade.GetAddrInfo("127.0.0.1", "nosuchservice", facade.AF_INET, facade.SOCK_STREAM, 0, 0)
	fmt.Println(py.FormatException(err.(py.Exception)))
	// Output:
	// AF_INET SOCK_STREAM 6 ('127.0.0.1', 80)
	// (<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', 80))
	// socket.gaierror: [Errno -8] Servname not supported for ai_socktype
}

// GetNameInfo takes a numeric address tuple and asks libc for the host and service names.
func ExampleGetNameInfo() {
	host, port, err := facade.GetNameInfo(py.Tuple{"127.0.0.1", 80}, facade.NI_NUMERICHOST)
	fmt.Println(host, port, err)
	_, _, err = facade.GetNameInfo(py.Tuple{"127.0.0.1", 80, 0, 0}, 0)
	fmt.Println(py.FormatException(err.(py.Exception)))
	// Output:
	// 127.0.0.1 http <nil>
	// OSError: IPv4 sockaddr must be 2 tuple
}

// GetHostByNameEx returns the canonical name, the aliases and the IPv4 addresses of a
// name, from libc's reentrant gethostbyname_r.
func ExampleGetHostByNameEx() {
	h, err := facade.GetHostByNameEx("localhost")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.PyRepr())
	// Output:
	// ('localhost', [], ['127.0.0.1'])
}
