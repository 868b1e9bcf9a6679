//go:build linux

package facade_test

import (
	"fmt"
	"os"
	"syscall"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// Passing a descriptor as Python passes one, with socket.send_fds and socket.recv_fds:
// the write end of a pipe goes through a socket pair, and what is written through the
// copy received comes out of the pipe.
func ExampleSendFDs() {
	a, b, err := facade.SocketPair(facade.AF_UNIX, facade.SOCK_STREAM, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	defer b.Close()
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	rc, _ := w.SyscallConn()
	rc.Control(func(fd uintptr) {
		_, err = facade.SendFDs(a, [][]byte{[]byte("here")}, []int{int(fd)}, 0, nil)
	})
	w.Close() // the copy in flight keeps the pipe's write end open
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, fds, flags, _, err := facade.RecvFDs(b, 16, 4, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(py.Repr(msg), len(fds), flags)
	syscall.Write(fds[0], []byte("through the received descriptor"))
	facade.Close(fds[0])
	buf := make([]byte, 64)
	n, _ := r.Read(buf)
	fmt.Println(string(buf[:n]))
	// Output:
	// b'here' 1 0
	// through the received descriptor
}

// recvmsg's ancillary data as CPython returns it: the TTL of a UDP datagram, with
// IP_RECVTTL (which CPython 3.11's module does not name: syscall's constant).
func ExampleSocket_RecvMsg() {
	u, err := facade.New(facade.AF_INET, facade.SOCK_DGRAM, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer u.Close()
	u.Bind(py.Tuple{"127.0.0.1", 0})
	u.SetSockOpt(facade.IPPROTO_IP, syscall.IP_RECVTTL, 1)
	addr, _ := u.GetSockName()
	u.SendMsg([][]byte{[]byte("ping")}, []facade.Ancillary{
		{Level: facade.IPPROTO_IP, Type: facade.IP_TTL, Data: []byte{7, 0, 0, 0}},
	}, 0, addr)
	space, _ := facade.CMSGSpace(4)
	data, ancdata, flags, _, err := u.RecvMsg(16, space, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(py.Repr(data), py.Repr(ancdata[0]), flags)
	// Output: b'ping' (0, 2, b'\x07\x00\x00\x00') 0
}
