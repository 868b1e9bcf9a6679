//go:build linux && cgo

package csock_test

import (
	"errors"
	"fmt"
	"log"
	"syscall"

	"github.com/csock/csock/csock"
)

// A TCP connection over loopback, one libc call per step: socket(2), bind(2) to 127.0.0.1
// port 0, listen(2), getsockname(2) for the port the kernel chose, connect(2), accept4(2),
// send(2) and recv(2). Each descriptor is the caller's to close (close(2)).
func ExampleSocket() {
	ln, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer csock.Close(ln)
	loopback := csock.Addr{Family: csock.AF_INET, IP: [16]byte{127, 0, 0, 1}} // port 0: any
	if err := csock.Bind(ln, &loopback); err != nil {
		log.Fatal(err)
	}
	if err := csock.Listen(ln, 1); err != nil {
		log.Fatal(err)
	}
	var addr csock.Addr
	if err := csock.GetSockName(ln, &addr); err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", addr.Host)

	c, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer csock.Close(c)
	if err := csock.Connect(c, &addr); err != nil {
		log.Fatal(err)
	}
	var peer csock.Addr
	s, err := csock.Accept(ln, 0, &peer)
	if err != nil {
		log.Fatal(err)
	}
	defer csock.Close(s)
	fmt.Println("accepted from", peer.Host)

	if _, err := csock.Send(c, []byte("hello"), 0); err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := csock.Recv(s, buf, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("received %q\n", buf[:n])
	// Output:
	// listening on 127.0.0.1
	// accepted from 127.0.0.1
	// received "hello"
}

// getaddrinfo(3) for "localhost", port 80, IPv4 stream sockets: libc answers from
// /etc/hosts, and Host is libc's own text of the address. The output is that of a machine
// whose /etc/hosts maps localhost to 127.0.0.1 and nothing else; with a "::1 localhost"
// line as well and "multi on" in /etc/host.conf (Debian's default), glibc lists 127.0.0.1
// twice, and so does CPython's socket.getaddrinfo.
func ExampleGetAddrInfo() {
	res, err := csock.GetAddrInfo([]byte("localhost"), []byte("80"), csock.AF_INET, csock.SOCK_STREAM, 0, 0, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, ai := range res {
		fmt.Println(ai.Addr.Host, ai.Addr.Port, ai.Protocol == csock.IPPROTO_TCP)
	}
	// Output:
	// 127.0.0.1 80 true
}

// getnameinfo(3) for 127.0.0.1 port 80: numeric, then with the host name looked up
// (in /etc/hosts, which maps 127.0.0.1 to localhost on the machine this output is from).
func ExampleGetNameInfo() {
	addr := csock.Addr{Family: csock.AF_INET, IP: [16]byte{127, 0, 0, 1}, Port: 80}
	host, service, err := csock.GetNameInfo(&addr, csock.NI_NUMERICHOST|csock.NI_NUMERICSERV, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(host, service)
	host, _, err = csock.GetNameInfo(&addr, csock.NI_NUMERICSERV, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(host)
	// Output:
	// 127.0.0.1 80
	// localhost
}

// inet_pton(3): the address in the first 4 bytes for AF_INET, in all 16 for AF_INET6; ok
// is false for text that is not an address of the family.
func ExampleInetPton() {
	ip, ok, err := csock.InetPton(csock.AF_INET, []byte("192.0.2.1"))
	fmt.Println(ip[:4], ok, err)
	ip, ok, err = csock.InetPton(csock.AF_INET6, []byte("::ffff:192.0.2.1"))
	fmt.Println(ip, ok, err)
	_, ok, err = csock.InetPton(csock.AF_INET, []byte("192.0.2.256"))
	fmt.Println(ok, err)
	// Output:
	// [192 0 2 1] true <nil>
	// [0 0 0 0 0 0 0 0 0 0 255 255 192 0 2 1] true <nil>
	// false <nil>
}

// inet_ntop(3) writes addresses as glibc writes them: an IPv4-compatible IPv6 address is
// "::1.2.3.4", where Go's net/netip write "::102:304".
func ExampleInetNtop() {
	v4compat := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}
	s, err := csock.InetNtop(csock.AF_INET6, v4compat)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s)
	s, err = csock.InetNtop(csock.AF_INET, []byte{192, 0, 2, 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s)
	// Output:
	// ::1.2.3.4
	// 192.0.2.1
}

// A failed system call returns its errno as a syscall.Errno, so errors.Is matches it:
// connect(2) to a loopback port that is bound but not listening is refused.
func ExampleConnect_refused() {
	bound, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer csock.Close(bound)
	loopback := csock.Addr{Family: csock.AF_INET, IP: [16]byte{127, 0, 0, 1}}
	if err := csock.Bind(bound, &loopback); err != nil {
		log.Fatal(err)
	}
	var addr csock.Addr
	if err := csock.GetSockName(bound, &addr); err != nil {
		log.Fatal(err)
	}

	c, err := csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer csock.Close(c)
	err = csock.Connect(c, &addr)
	fmt.Println(errors.Is(err, syscall.ECONNREFUSED))
	fmt.Println(err)
	// Output:
	// true
	// connection refused
}
