//go:build linux

package facade_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/csock/csock/facade"
)

// Facade sockets handed to Go code written for the net package: an echo server on the
// NetListener of a CreateServer socket, a client on the NetConn of a CreateConnection
// socket, with bufio and deadlines as on any net.Conn.
func ExampleSocket_NetConn() {
	srv, err := facade.CreateServer(facade.InetAddress{Host: "127.0.0.1", Port: 0}, facade.ServerOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ln, err := srv.NetListener()
	if err != nil {
		srv.Close()
		fmt.Println(err)
		return
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // net.ErrClosed once ln is closed
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()

	port := ln.Addr().(*net.TCPAddr).Port
	s, err := facade.CreateConnection(facade.InetAddress{Host: "127.0.0.1", Port: port}, facade.UseDefaultTimeout, nil, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := s.NetConn()
	if err != nil {
		s.Close()
		fmt.Println(err)
		return
	}
	defer c.Close()
	fmt.Println(c.RemoteAddr().Network(), c.RemoteAddr().(*net.TCPAddr).Port == port)

	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "hello, %s\n", "net.Conn")
	line, err := bufio.NewReader(c).ReadString('\n')
	fmt.Printf("%q %v\n", line, err)

	// A deadline that has passed fails the call at once, as net.Conn's do.
	c.SetReadDeadline(time.Now())
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	fmt.Println(errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded))
	// Output:
	// tcp true
	// "hello, net.Conn\n" <nil>
	// true true
}
