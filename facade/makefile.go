//go:build linux

package facade

import "github.com/csock/csock/facade/pyio"

// makefile: the file objects of socket.makefile are package pyio's, over the socket
// through fileSocket. The names below keep the facade's API whole.

// File is a file object on a socket, made by Socket.MakeFile: CPython's socket.SocketIO,
// io.BufferedReader, io.BufferedWriter, io.BufferedRWPair or io.TextIOWrapper. See
// pyio.File.
type File = pyio.File

// FileOptions are the keyword arguments of CPython's socket.makefile(mode='r',
// buffering=None, *, encoding=None, errors=None, newline=None). The zero value is
// makefile(mode) without them; Buffering: new(0) is buffering=0 (unbuffered). See
// pyio.FileOptions.
type FileOptions = pyio.FileOptions

// ErrNone is the Go form of a None result of a file object (CPython's file objects return
// None where a non-blocking socket has nothing to give or cannot take anything). It is
// pyio.ErrNone; errors.Is(ErrNone, syscall.EAGAIN) is true.
var ErrNone = pyio.ErrNone

// DefaultFileOptions returns the options of makefile(mode) without keyword arguments:
// buffering None, encoding None, errors None, newline None, which is the zero
// FileOptions. See pyio.DefaultFileOptions.
func DefaultFileOptions() FileOptions { return pyio.DefaultFileOptions() }

// MakeFile returns a file object on the socket: CPython's socket.makefile(mode,
// buffering, encoding=, errors=, newline=) with opts (see FileOptions). It is
// pyio.MakeFile over this socket, whose doc gives the modes, the classes, the errors and
// the differences from CPython.
//
// The file holds the socket as CPython's _io_refs does: Close with files open only marks
// the socket closed, and the descriptor closes when the last of them closes. Reads and
// writes follow the socket's timeout mode (a timed-out read poisons the file's reads:
// "OSError: cannot read from timed out object"); a non-blocking socket gives ErrNone
// where CPython returns None.
func (s *Socket) MakeFile(mode string, opts FileOptions) (*File, error) {
	return pyio.MakeFile((*fileSocket)(s), mode, opts)
}

// fileSocket is a Socket as the file objects use it (pyio.Socket): recv_into and send
// without flags, and the _io_refs hooks, which stay unexported on Socket so that only a
// file object moves the count.
type fileSocket Socket

var _ pyio.Socket = (*fileSocket)(nil)

func (f *fileSocket) RecvInto(b []byte) (int, error) { return (*Socket)(f).RecvInto(b, 0, 0) }
func (f *fileSocket) Send(b []byte) (int, error)     { return (*Socket)(f).Send(b, 0) }
func (f *fileSocket) Fileno() int                    { return (*Socket)(f).Fileno() }
func (f *fileSocket) RetainIO()                      { (*Socket)(f).retainIO() }
func (f *fileSocket) ReleaseIO() error               { return (*Socket)(f).releaseIO() }
