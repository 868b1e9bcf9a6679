//go:build linux

package facade_test

import (
	"fmt"

	"github.com/csock/csock/facade"
)

// A text file on each end of a socket pair: what one writes (encoded, and sent at Flush)
// the other reads a line at a time, with CPython's universal newlines ("\r\n" reads as
// "\n").
func ExampleSocket_MakeFile() {
	a, b, err := facade.SocketPair(-1, -1, -1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	defer b.Close()

	w, err := a.MakeFile("w", facade.DefaultFileOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	r, err := b.MakeFile("r", facade.FileOptions{}) // the zero options are makefile("r")'s
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()

	w.WriteString("hello\r\nwörld\nlast")
	w.Flush()
	a.Shutdown(facade.SHUT_WR)

	line, _ := r.ReadLineN(-1) // Python's readline()
	fmt.Printf("%q\n", line)
	s, _ := r.ReadString('\n') // bufio-style
	fmt.Printf("%q\n", s)
	l, isPrefix, err := r.ReadLine() // bufio-style, without the line end
	fmt.Printf("%q %v %v\n", l, isPrefix, err)
	_, _, err = r.ReadLine()
	fmt.Println(err)
	mode, _ := r.Mode()
	enc, _ := r.Encoding()
	fmt.Println(r.PyTypeName(), mode, enc)
	// Output:
	// "hello\n"
	// "wörld\n"
	// "last" false <nil>
	// EOF
	// TextIOWrapper r UTF-8
}
