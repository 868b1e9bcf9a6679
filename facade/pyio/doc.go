// Package pyio is Python's io layers over a socket: the file objects of CPython's
// socket.makefile. A File is CPython's socket.SocketIO (the raw, unbuffered file),
// io.BufferedReader, io.BufferedWriter or io.BufferedRWPair over it, or io.TextIOWrapper
// over one of those, with CPython's results, errors and system call sizes, method for
// method and class for class.
//
// The layers need little of a socket: recv_into, send, fileno and the _io_refs hooks of
// CPython's socket class, which is the Socket interface. package facade's *Socket is
// one (facade.Socket.MakeFile is MakeFile over it, and facade.File is File); an
// in-memory Socket makes the layers testable without the kernel. The package does not
// import facade: the exceptions it raises are package py's.
//
// One file per layer: raw.go (SocketIO), buffered.go (BufferedReader, BufferedWriter,
// BufferedRWPair), text.go (TextIOWrapper), codec.go (its UTF-8, Latin-1 and ASCII
// codecs), file.go (File, the public face of the stack, and MakeFile).
package pyio
