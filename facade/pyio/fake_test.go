package pyio

import (
	"bytes"
	"sync"
	"syscall"

	"github.com/csock/csock/py"
)

// fakeSocket is an in-memory Socket, so that the io layers are tested without the
// kernel: a script of what each receive finds and of what each send takes, a record of
// the sizes the layers asked for, and CPython's _io_refs close protocol.
//
// Receives follow recvs, one event at a time: a chunk of data (a receive returns at most
// len(b) bytes of the first chunk, as if each chunk arrived while the reader waited; the
// rest stays for the next receive), or an error (errAgain, errTimedOut, ...) that one
// receive returns. With recvs empty a receive is the end of the stream (0).
//
// Sends follow sends: each event is how many bytes one send takes at most, or an error it
// returns. With sends empty a send takes all it is given. What was sent is in sent.
type fakeSocket struct {
	mu sync.Mutex
	fd int

	recvs     []fakeEvent
	recvSizes []int // len(b) of each receive that reached the script

	sends     []fakeEvent
	sendSizes []int // len(b) of each send that reached the script
	sent      bytes.Buffer

	refs     int  // _io_refs
	closed   bool // _closed: Close was called
	fdClosed bool // _real_close happened
	closes   int  // how many times the descriptor was closed
}

// fakeEvent is one step of a script: data (or, for a send, take bytes) or err.
type fakeEvent struct {
	data []byte
	take int
	err  error
}

var _ Socket = (*fakeSocket)(nil)

// The errors a facade socket returns in the two cases the layers handle themselves.
var (
	errAgain    error = py.NewOSError(int(syscall.EAGAIN), "Resource temporarily unavailable") // a non-blocking socket: BlockingIOError
	errTimedOut error = &py.TimeoutError{}
	errBadFD    error = py.NewOSError(int(syscall.EBADF), "Bad file descriptor")
)

func newFakeSocket() *fakeSocket { return &fakeSocket{fd: 7} }

// peer queues what the peer sends, a chunk per argument.
func (s *fakeSocket) peer(chunks ...string) *fakeSocket {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range chunks {
		s.recvs = append(s.recvs, fakeEvent{data: []byte(c)})
	}
	return s
}

// recvFails queues the error of one receive.
func (s *fakeSocket) recvFails(err error) *fakeSocket {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recvs = append(s.recvs, fakeEvent{err: err})
	return s
}

// sendTakes queues how much each of the next sends takes at most.
func (s *fakeSocket) sendTakes(n ...int) *fakeSocket {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range n {
		s.sends = append(s.sends, fakeEvent{take: k})
	}
	return s
}

// sendFails queues the error of one send.
func (s *fakeSocket) sendFails(err error) *fakeSocket {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sends = append(s.sends, fakeEvent{err: err})
	return s
}

func (s *fakeSocket) RecvInto(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fdClosed {
		return 0, errBadFD
	}
	s.recvSizes = append(s.recvSizes, len(b))
	if len(s.recvs) == 0 {
		return 0, nil
	}
	ev := &s.recvs[0]
	if ev.err != nil {
		s.recvs = s.recvs[1:]
		return 0, ev.err
	}
	n := copy(b, ev.data)
	if ev.data = ev.data[n:]; len(ev.data) == 0 {
		s.recvs = s.recvs[1:]
	}
	return n, nil
}

func (s *fakeSocket) Send(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fdClosed {
		return 0, errBadFD
	}
	s.sendSizes = append(s.sendSizes, len(b))
	n := len(b)
	if len(s.sends) > 0 {
		ev := s.sends[0]
		s.sends = s.sends[1:]
		if ev.err != nil {
			return 0, ev.err
		}
		n = min(n, ev.take)
	}
	s.sent.Write(b[:n])
	return n, nil
}

func (s *fakeSocket) Fileno() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fdClosed {
		return -1
	}
	return s.fd
}

func (s *fakeSocket) RetainIO() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs++
}

func (s *fakeSocket) ReleaseIO() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refs > 0 {
		s.refs--
	}
	if s.closed && s.refs == 0 {
		s.realClose()
	}
	return nil
}

// Close is CPython's socket.close: with files open it only marks the socket closed.
func (s *fakeSocket) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.refs == 0 {
		s.realClose()
	}
}

func (s *fakeSocket) realClose() {
	if !s.fdClosed {
		s.fdClosed = true
		s.closes++
	}
}

// state returns the open files' count and whether the descriptor was closed.
func (s *fakeSocket) state() (refs int, fdClosed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refs, s.fdClosed
}

// calls returns the sizes of the receives and sends so far.
func (s *fakeSocket) calls() (recvs, sends []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.recvSizes...), append([]int(nil), s.sendSizes...)
}

func (s *fakeSocket) sentString() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent.String()
}
