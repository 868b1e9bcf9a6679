package main

import (
	"os"
	"syscall"
	"unsafe"
)

// isTerminal reports whether f is a terminal: isatty(3)'s TCGETS ioctl,
// which fails with ENOTTY on anything else (a character device such as
// /dev/null included).
func isTerminal(f *os.File) bool {
	var t syscall.Termios
	return ioctl(f, syscall.TCGETS, unsafe.Pointer(&t)) == nil
}

// termColumns returns the width of the terminal f (TIOCGWINSZ), 0 if
// unknown.
func termColumns(f *os.File) int {
	var ws struct{ Row, Col, Xpixel, Ypixel uint16 } // struct winsize
	if ioctl(f, syscall.TIOCGWINSZ, unsafe.Pointer(&ws)) != nil {
		return 0
	}
	return int(ws.Col)
}

// ioctl runs ioctl(2) on f's descriptor without putting it into blocking
// mode (as f.Fd would).
func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
