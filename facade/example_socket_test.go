//go:build linux

package facade_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/csock/csock/facade"
)

// A socket made as Python's socket.socket(AF_INET, SOCK_STREAM) makes it.
func ExampleNew() {
	s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, -1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	fmt.Println(s.Family(), s.Type(), s.Proto(), s.GetTimeout(), s.GetBlocking())
	if err := s.Bind(facade.InetAddress{Host: "127.0.0.1", Port: 0}); err != nil {
		fmt.Println(err)
		return
	}
	addr, _ := s.GetSockName()
	fmt.Println(addr.(facade.InetAddress).Host)

	// Errors are CPython's exceptions.
	_, err = facade.New(12345, -1, -1)
	var oe *facade.OSError
	fmt.Println(errors.As(err, &oe), oe.PyClass()+":", err)
	// Output:
	// AF_INET SOCK_STREAM 0 <nil> true
	// 127.0.0.1
	// true OSError: [Errno 97] Address family not supported by protocol
}

// listen returns a listening TCP socket on 127.0.0.1 and its address.
func listen() (*facade.Socket, facade.InetAddress) {
	srv, err := facade.CreateServer(facade.InetAddress{Host: "127.0.0.1", Port: 0}, facade.ServerOptions{})
	if err != nil {
		panic(err)
	}
	addr, err := srv.GetSockName()
	if err != nil {
		panic(err)
	}
	return srv, addr.(facade.InetAddress)
}

// Connecting to a server and exchanging a message; a refused connection is CPython's
// ConnectionRefusedError.
func ExampleSocket_Connect() {
	srv, addr := listen()
	defer srv.Close()
	go func() {
		conn, _, err := srv.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		b, _ := conn.Recv(1024, 0)
		conn.SendAll(append([]byte("echo: "), b...), 0)
	}()

	s, _ := facade.New(-1, -1, -1)
	defer s.Close()
	if err := s.Connect(addr); err != nil {
		fmt.Println(err)
		return
	}
	s.SendAll([]byte("hello"), 0)
	reply, _ := s.Recv(1024, 0)
	fmt.Println(string(reply))

	refused, _ := facade.New(-1, -1, -1)
	defer refused.Close()
	err := refused.Connect(facade.InetAddress{Host: "127.0.0.1", Port: 1})
	fmt.Println(err.(*facade.OSError).PyClass()+":", err)
	// Output:
	// echo: hello
	// ConnectionRefusedError: [Errno 111] Connection refused
}

// Accepting connections: the accepted socket has the listener's family and type and the
// module default timeout. A goroutine blocked in Accept holds no OS thread, and a context
// can end the wait.
func ExampleSocket_Accept() {
	srv, addr := listen()
	defer srv.Close()
	go func() {
		c, err := facade.CreateConnection(addr, facade.UseDefaultTimeout, nil, false)
		if err != nil {
			return
		}
		defer c.Close()
		c.SendAll([]byte("hi"), 0)
	}()

	conn, peer, err := srv.Accept()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	b, _ := conn.Recv(1024, 0)
	fmt.Println(conn.Family(), conn.Type(), conn.GetTimeout(), peer.(facade.InetAddress).Host, string(b))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, _, err = srv.AcceptContext(ctx)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	srv.SetTimeout(0.01)
	_, _, err = srv.Accept()
	fmt.Println(err)
	// Output:
	// AF_INET SOCK_STREAM <nil> 127.0.0.1 hi
	// true
	// timed out
}
