// Command coldwait is the child of TestColdProcess_FirstWaitWithOneDescriptorFree: a
// process that has used no Go timer and no Go network I/O (as a C program linking
// libpysock) makes its first wait when exactly one descriptor is free. It prints the
// outcome of the wait ("ok x" or the CPython exception line) and exits 0; a Go runtime
// fatal error exits 2.
//
// Usage: coldwait PORT (a loopback TCP port whose server sends one byte once it reads
// "ready" on the child's stdout).
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

func main() {
	port, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fail(err)
	}
	s, err := facade.New(facade.AF_INET, facade.SOCK_STREAM, 0)
	if err != nil {
		fail(err)
	}
	if err := s.Connect(py.Tuple{"127.0.0.1", port}); err != nil {
		fail(err)
	}
	lim := syscall.Rlimit{Cur: 64, Max: 64}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fail(err)
	}
	var fill []int
	for len(fill) < 64 {
		fd, err := syscall.Dup(0)
		if err != nil {
			break
		}
		fill = append(fill, fd)
	}
	if len(fill) == 0 {
		fail(fmt.Errorf("no descriptor could be filled"))
	}
	syscall.Close(fill[len(fill)-1]) // exactly one free
	fmt.Println("ready")
	b, err := s.Recv(1, 0)
	if err != nil {
		fmt.Println("error", err)
	} else {
		fmt.Printf("ok %s\n", b)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "coldwait:", err)
	os.Exit(1)
}
