package pyio

// Socket is what the file objects use of a socket: the methods CPython's socket.SocketIO
// and socket.makefile call on theirs. package facade's *Socket is one, through a thin
// adapter (its own RecvInto and Send take flags). A Socket is used from several
// goroutines at once when a File is (a read and a write on a "rw" file).
//
// Errors are Python exceptions (package py), as a socket method raises them; two of them
// the file objects handle themselves:
//   - a timeout: an error whose Python class is TimeoutError (py.AsException(err) gives
//     PyClass() == "TimeoutError"). SocketIO passes it on and refuses to read from then
//     on ("OSError: cannot read from timed out object", CPython's bpo-7322);
//   - a non-blocking socket with nothing to read, or no room to write: an error matching
//     syscall.EAGAIN (errors.Is; BlockingIOError in Python). SocketIO returns None
//     (ErrNone) for it, as CPython's does.
type Socket interface {
	// RecvInto is socket.recv_into(b): one receive of at most len(b) bytes into b, in the
	// socket's timeout mode; 0 at the end of the stream.
	RecvInto(b []byte) (int, error)
	// Send is socket.send(b): one send, which may take only part of b, in the socket's
	// timeout mode.
	Send(b []byte) (int, error)
	// Fileno is socket.fileno(): the descriptor, -1 once the socket's descriptor is
	// closed. A File's name and fileno report it.
	Fileno() int
	// RetainIO is socket.makefile's `self._io_refs += 1`: a file object now holds the
	// socket. MakeFile calls it once per File.
	RetainIO()
	// ReleaseIO is socket._decref_socketios, which SocketIO.close calls: one file object
	// lets go of the socket. If the socket's close was called already and no other file
	// holds it, its descriptor closes now (CPython's _real_close), and the error of that
	// close is returned. It is called once per File, when the File closes or, if it never
	// does, when it becomes unreachable.
	ReleaseIO() error
}
