// Package seam holds the test seams of the csock binding, kept out of its API the way Go's
// net package keeps its own unexported (hook_unix.go): one Hook per shim path, which a
// test anywhere in this module (csock's, the facade's, test/reliability's) may set to make
// the next calls on that path fail with an error of its choosing — EINTR, EAGAIN, EMFILE,
// ENOBUFS, EAI_SYSTEM — without the kernel or libc having to produce it; and the counters
// of csock.GetAddrInfoAsync (ReadAsyncStats).
//
// The binding asks the hooks; tests set them. A program never sets one: a hook sees every
// call of its path in the whole process, which is why the package is internal. Unset, a
// hook costs its path one atomic pointer load and a nil check, and nothing is allocated.
package seam

import (
	"strconv"
	"sync/atomic"
)

// Op names a shim path a Hook guards.
type Op uint8

// The paths with a Hook (see the Hook variables for what a fault does on each).
const (
	OpSocket        Op = iota + 1 // socket(2)
	OpSocketPair                  // socketpair(2)
	OpAccept                      // accept4(2)
	OpConnect                     // connect(2)
	OpRecv                        // recv(2)
	OpRecvFrom                    // recvfrom(2)
	OpSend                        // send(2)
	OpSendTo                      // sendto(2)
	OpGetAddrInfo                 // getaddrinfo(3) (the synchronous call)
	OpGetNameInfo                 // getnameinfo(3)
	OpGetHostByName               // gethostbyname_r(3)
	OpGetHostByAddr               // gethostbyaddr_r(3)
)

var opNames = [...]string{
	OpSocket: "socket", OpSocketPair: "socketpair", OpAccept: "accept", OpConnect: "connect",
	OpRecv: "recv", OpRecvFrom: "recvfrom", OpSend: "send", OpSendTo: "sendto",
	OpGetAddrInfo: "getaddrinfo", OpGetNameInfo: "getnameinfo",
	OpGetHostByName: "gethostbyname", OpGetHostByAddr: "gethostbyaddr",
}

// String returns the libc name of the path ("recv", "getaddrinfo", ...).
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// Ops lists every path with a Hook, in the order of their constants.
func Ops() []Op {
	ops := make([]Op, 0, len(opNames)-1)
	for o := OpSocket; int(o) < len(opNames); o++ {
		ops = append(ops, o)
	}
	return ops
}

// Call is what a fault function learns about the call it may fail.
type Call struct {
	Op Op  // the path
	FD int // the descriptor the call is made on; -1 for socket, socketpair and the resolver
}

// Hook is a test seam in front of one shim path. While a fault function is set, each call
// on the path first asks it: nil lets the call through; an error is the call's result and,
// unless the path's documentation says otherwise, the call is not made at all (no
// descriptor is created, no byte moves), which is what the kernel does for an EINTR,
// EAGAIN, EMFILE or ENOBUFS it reports.
//
// The function runs on the calling goroutine, possibly on several at once: it must be safe
// for concurrent use.
type Hook struct {
	f atomic.Pointer[func(Call) error]
}

// Set installs f (nil removes the function) and returns a function that puts back the one
// that was there before, for defer or t.Cleanup.
func (h *Hook) Set(f func(Call) error) (restore func()) {
	var p *func(Call) error
	if f != nil {
		p = &f
	}
	old := h.f.Swap(p)
	return func() { h.f.Store(old) }
}

// Active reports whether a fault function is set.
func (h *Hook) Active() bool { return h.f.Load() != nil }

// Check is what the binding asks before a call of op on fd: nil, or the fault to report.
// It is small enough to be inlined at every call site (TestCheckIsInlinable): an unset
// hook costs the load and the nil check.
func (h *Hook) Check(op Op, fd int) error {
	if h.f.Load() != nil {
		return h.ask(op, fd)
	}
	return nil
}

// ask calls the hook's function, if it is still set (out of line, to keep Check
// inlinable).
//
//go:noinline
func (h *Hook) ask(op Op, fd int) error {
	if f := h.f.Load(); f != nil {
		return (*f)(Call{Op: op, FD: fd})
	}
	return nil
}

// The hooks, one per path. What a fault does beyond being the result:
var (
	// SocketHook guards csock.Socket; SocketPairHook guards csock.SocketPair.
	SocketHook, SocketPairHook Hook
	// AcceptHook guards csock.Accept and csock.AcceptNowait: a fault leaves the pending
	// connection in the backlog, as accept4(2) does when it fails with EMFILE.
	AcceptHook Hook
	// ConnectHook guards csock.Connect and csock.ConnectNowait. A fault of EINTR is what
	// connect(2) reports when a signal interrupts it: the connection attempt is made
	// (connect(2) runs) and goes on asynchronously, so EINTR replaces an outcome of success
	// or EINPROGRESS, and any other outcome of connect(2) is reported as it is. Any other
	// fault skips the call.
	ConnectHook Hook
	// RecvHook guards csock.Recv; RecvFromHook guards csock.RecvFrom.
	RecvHook, RecvFromHook Hook
	// SendHook guards csock.Send; SendToHook guards csock.SendTo.
	SendHook, SendToHook Hook
	// GetAddrInfoHook guards csock.GetAddrInfo (not GetAddrInfoAsync); GetNameInfoHook
	// guards csock.GetNameInfo. A syscall.Errno fault e is what libc reports when a system
	// call inside the lookup fails: a *csock.GaiError with Code EAI_SYSTEM and Errno e. A
	// *csock.GaiError fault (EAI_AGAIN, ...) is returned as it is. The Status reports
	// h_errno unset.
	GetAddrInfoHook, GetNameInfoHook Hook
	// GetHostByNameHook guards csock.GetHostByName; GetHostByAddrHook guards
	// csock.GetHostByAddr. A syscall.Errno fault e is what glibc reports when a system call
	// inside the lookup fails: a *csock.HError with Code NETDB_INTERNAL (-1) and Errno e,
	// and h_errno set to -1 in the Status. A *csock.HError fault is returned as it is, its
	// Code as h_errno.
	GetHostByNameHook, GetHostByAddrHook Hook
)

// HookFor returns the hook of op, or nil for an Op without one.
func HookFor(op Op) *Hook {
	switch op {
	case OpSocket:
		return &SocketHook
	case OpSocketPair:
		return &SocketPairHook
	case OpAccept:
		return &AcceptHook
	case OpConnect:
		return &ConnectHook
	case OpRecv:
		return &RecvHook
	case OpRecvFrom:
		return &RecvFromHook
	case OpSend:
		return &SendHook
	case OpSendTo:
		return &SendToHook
	case OpGetAddrInfo:
		return &GetAddrInfoHook
	case OpGetNameInfo:
		return &GetNameInfoHook
	case OpGetHostByName:
		return &GetHostByNameHook
	case OpGetHostByAddr:
		return &GetHostByAddrHook
	}
	return nil
}
