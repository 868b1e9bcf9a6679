//go:build linux

package facade_test

import (
	"fmt"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// An echo server and its client, written as in Python (the README shows them side by side
// with the Python they mirror).
func ExampleCreateServer() {
	// srv = socket.create_server(('127.0.0.1', 0))
	srv, err := facade.CreateServer(py.Tuple{"127.0.0.1", 0}, facade.ServerOptions{})
	if err != nil {
		panic(err)
	}
	addr, _ := srv.GetSockName()
	port := addr.(facade.InetAddress).Port

	done := make(chan struct{})
	go func() { // the server: accept one client, echo until it hangs up
		defer close(done)
		conn, _, err := srv.Accept()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		buf := make([]byte, 1024)
		for {
			n, err := conn.RecvInto(buf, 0, 0)
			if err != nil || n == 0 {
				return
			}
			if err := conn.SendAll(buf[:n], 0); err != nil {
				return
			}
		}
	}()

	// c = socket.create_connection(('localhost', port), timeout=5)
	c, err := facade.CreateConnection(py.Tuple{"localhost", port}, 5.0, nil, false)
	if err != nil {
		panic(err)
	}
	c.SendAll([]byte("hello"), 0)
	reply, _ := c.Recv(1024, 0)
	fmt.Println(py.Repr(reply))
	c.Close()
	<-done
	srv.Close()

	// Errors are CPython's: connecting where nobody listens any more.
	_, err = facade.CreateConnection(py.Tuple{"127.0.0.1", port}, facade.UseDefaultTimeout, nil, false)
	fmt.Println(py.FormatException(err.(py.Exception)))
	// Output:
	// b'hello'
	// ConnectionRefusedError: [Errno 111] Connection refused
}
