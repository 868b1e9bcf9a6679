//go:build linux

package facade

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/csock"
)

// The net.Conn adapter's io.ReaderFrom (sendfile(2) from a regular file), io.WriterTo,
// WriteBuffers (net.Buffers as sendmsg(2)) and ReadMsgUnix/WriteMsgUnix.

// readAllConn reads c until io.EOF, bounded.
func readAllConn(t *testing.T, c net.Conn) []byte {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err := io.Copy(&out, readerOnly{c})
	require.NoError(t, err)
	return out.Bytes()
}

// closeWrite shuts the adapter's writing side down.
func closeWrite(t *testing.T, c net.Conn) {
	t.Helper()
	require.NoError(t, c.(interface{ CloseWrite() error }).CloseWrite())
}

func TestNetConnReadFrom_RegularFileGoesBySendfile(t *testing.T) {
	for _, kind := range []string{"unix", "tcp"} {
		t.Run(kind, func(t *testing.T) {
			pipe := unixNetPipe
			if kind == "tcp" {
				pipe = tcpNetPipe
			}
			c1, c2, stop, err := pipe()
			require.NoError(t, err)
			defer stop()
			data := sendfileData[:3<<20]
			file := sendfileFile(t, data)
			_, err = file.Seek(1000, io.SeekStart)
			require.NoError(t, err)

			_, _, handled := c1.(*netConn).sendFile(strings.NewReader("x"))
			assert.False(t, handled, "no file: io.Copy's path")

			got := make(chan []byte, 1)
			go func() { got <- readAllConn(t, c2) }()
			n, err := c1.(io.ReaderFrom).ReadFrom(file)
			require.NoError(t, err)
			assert.Equal(t, int64(len(data)-1000), n, "from the file position")
			assert.Equal(t, int64(len(data)), position(t, file), "which advanced")
			closeWrite(t, c1)
			assert.True(t, bytes.Equal(data[1000:], <-got))
		})
	}
}

func TestNetConnReadFrom_LimitedReaderOfAFile(t *testing.T) {
	c1, c2, stop, err := unixNetPipe()
	require.NoError(t, err)
	defer stop()
	file := sendfileFile(t, sendfileData[:100000])
	lr := &io.LimitedReader{R: file, N: 12345}
	_, _, handled := c1.(*netConn).sendFile(&io.LimitedReader{R: file, N: 0})
	assert.True(t, handled, "nothing to send is handled")
	n, err := io.Copy(c1, lr) // io.Copy uses the adapter's ReadFrom
	require.NoError(t, err)
	assert.Equal(t, int64(12345), n)
	assert.Zero(t, lr.N)
	assert.Equal(t, int64(12345), position(t, file))
	closeWrite(t, c1)
	assert.Equal(t, sendfileData[:12345], readAllConn(t, c2))
}

func TestNetConnReadFrom_OtherReadersAreCopied(t *testing.T) {
	c1, c2, stop, err := unixNetPipe()
	require.NoError(t, err)
	defer stop()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	go func() {
		w.Write([]byte("through a pipe"))
		w.Close()
	}()
	_, _, handled := c1.(*netConn).sendFile(r)
	assert.False(t, handled, "a pipe is no regular file")
	n, err := c1.(io.ReaderFrom).ReadFrom(io.MultiReader(r, strings.NewReader(", then a string")))
	require.NoError(t, err)
	assert.Equal(t, int64(len("through a pipe, then a string")), n)
	closeWrite(t, c1)
	assert.Equal(t, "through a pipe, then a string", string(readAllConn(t, c2)))
}

func TestNetConnReadFrom_DeadlineAndErrors(t *testing.T) {
	c1, _, stop, err := unixNetPipe()
	require.NoError(t, err)
	defer stop()
	file := sendfileFile(t, sendfileData) // 10 MiB: more than the socket buffers hold
	require.NoError(t, c1.SetWriteDeadline(time.Now().Add(50*time.Millisecond)))
	n, err := c1.(io.ReaderFrom).ReadFrom(file)
	var oe *net.OpError
	require.True(t, errors.As(err, &oe), "%v", err)
	assert.Equal(t, "readfrom", oe.Op)
	assert.True(t, oe.Timeout())
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Greater(t, n, int64(0))
	assert.Equal(t, n, position(t, file), "the file position tells what was sent")
	assert.False(t, nonblockFlag(t, c1.(*netConn).Socket().Fileno()), "the descriptor stays blocking")

	// On io.Copy's path, the net package's nesting: readfrom around Write's error.
	require.NoError(t, c1.Close())
	_, err = c1.(io.ReaderFrom).ReadFrom(strings.NewReader("late"))
	require.True(t, errors.As(err, &oe))
	assert.Equal(t, "readfrom", oe.Op)
	var inner *net.OpError
	require.True(t, errors.As(oe.Err, &inner), "%v", oe.Err)
	assert.Equal(t, "write", inner.Op)
	assert.ErrorIs(t, err, net.ErrClosed)
}

func TestNetConnWriteTo_CopiesToTheEnd(t *testing.T) {
	c1, c2, stop, err := unixNetPipe()
	require.NoError(t, err)
	defer stop()
	go func() {
		c2.Write(sendfileData[:200000])
		c2.(interface{ CloseWrite() error }).CloseWrite()
	}()
	var out bytes.Buffer
	n, err := c1.(io.WriterTo).WriteTo(&out)
	require.NoError(t, err)
	assert.Equal(t, int64(200000), n)
	assert.True(t, bytes.Equal(sendfileData[:200000], out.Bytes()))
}

// bufferWriter is the method WriteBuffers offers.
type bufferWriter interface {
	WriteBuffers(net.Buffers) (int64, error)
}

func TestNetConnWriteBuffers_StreamGathersAllInOrder(t *testing.T) {
	c1, c2, stop, err := unixNetPipe()
	require.NoError(t, err)
	defer stop()
	var v net.Buffers
	var want []byte
	for i := 0; i < 3000; i++ { // beyond IOV_MAX: several calls
		b := []byte(strings.Repeat(string(rune('a'+i%26)), i%7))
		v = append(v, b)
		want = append(want, b...)
	}
	orig := append(net.Buffers(nil), v...)
	got := make(chan []byte, 1)
	go func() { got <- readAllConn(t, c2) }()
	n, err := c1.(bufferWriter).WriteBuffers(v)
	require.NoError(t, err)
	assert.Equal(t, int64(len(want)), n)
	assert.Equal(t, orig, v, "the caller's buffers are left as they were")
	closeWrite(t, c1)
	assert.Equal(t, want, <-got)
}

func TestNetConnWriteBuffers_OneDatagram(t *testing.T) {
	a, b, err := SocketPair(AF_UNIX, SOCK_DGRAM, 0)
	require.NoError(t, err)
	closeLater(t, a)
	closeLater(t, b)
	c := netConnOf(t, a)
	n, err := c.(bufferWriter).WriteBuffers(net.Buffers{[]byte("one "), nil, []byte("datagram")})
	require.NoError(t, err)
	assert.Equal(t, int64(12), n)
	n, err = c.(bufferWriter).WriteBuffers(nil)
	require.NoError(t, err)
	assert.Zero(t, n)
	got, err := b.Recv(100, 0)
	require.NoError(t, err)
	assert.Equal(t, "one datagram", string(got))
	got, err = b.Recv(100, 0)
	require.NoError(t, err)
	assert.Empty(t, got, "an empty net.Buffers is an empty datagram")
}

func TestNetConnWriteBuffers_DeadlineAndClose(t *testing.T) {
	c1, _, stop, err := unixNetPipe()
	require.NoError(t, err)
	defer stop()
	require.NoError(t, c1.SetWriteDeadline(time.Now().Add(30*time.Millisecond)))
	big := net.Buffers{sendfileData, sendfileData}
	n, err := c1.(bufferWriter).WriteBuffers(big)
	var oe *net.OpError
	require.True(t, errors.As(err, &oe), "%v", err)
	assert.Equal(t, "writev", oe.Op)
	assert.True(t, oe.Timeout())
	assert.Greater(t, n, int64(0))
	require.NoError(t, c1.Close())
	_, err = c1.(bufferWriter).WriteBuffers(net.Buffers{[]byte("x")})
	assert.ErrorIs(t, err, net.ErrClosed)
}

// unixMsgConn is the adapter's descriptor passing.
type unixMsgConn interface {
	ReadMsgUnix(b, oob []byte) (n, oobn, flags int, addr *net.UnixAddr, err error)
	WriteMsgUnix(b, oob []byte, addr *net.UnixAddr) (n, oobn int, err error)
}

func TestNetConnMsgUnix_PassesDescriptorsLikeNetUnixConn(t *testing.T) {
	c1, c2, stop, err := unixNetPipe()
	require.NoError(t, err)
	defer stop()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()

	oob := syscall.UnixRights(fileFD(t, w))
	n, oobn, err := c1.(unixMsgConn).WriteMsgUnix([]byte("fd"), oob, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, len(oob), oobn)

	buf, rob := make([]byte, 10), make([]byte, syscall.CmsgSpace(4))
	n, oobn, flags, addr, err := c2.(unixMsgConn).ReadMsgUnix(buf, rob)
	require.NoError(t, err)
	assert.Equal(t, "fd", string(buf[:n]))
	assert.Equal(t, csock.MSG_CMSG_CLOEXEC, flags, "Linux echoes the flag; Go's ReadMsgUnix returns it too")
	assert.Nil(t, addr, "a socketpair's peer has no name")
	msgs, err := syscall.ParseSocketControlMessage(rob[:oobn])
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	fds, err := syscall.ParseUnixRights(&msgs[0])
	require.NoError(t, err)
	require.Len(t, fds, 1)
	cloexec, err := csock.GetCloexec(fds[0])
	require.NoError(t, err)
	assert.True(t, cloexec, "MSG_CMSG_CLOEXEC, as Go's ReadMsgUnix")
	_, err = syscall.Write(fds[0], []byte("through the passed end"))
	require.NoError(t, err)
	require.NoError(t, Close(fds[0]))
	got := make([]byte, 64)
	k, err := r.Read(got)
	require.NoError(t, err)
	assert.Equal(t, "through the passed end", string(got[:k]))

	// Empty data with descriptors on a stream: one byte travels with them.
	n, _, err = c1.(unixMsgConn).WriteMsgUnix(nil, syscall.UnixRights(0), nil)
	require.NoError(t, err)
	assert.Zero(t, n)
	n, oobn, _, _, err = c2.(unixMsgConn).ReadMsgUnix(nil, rob)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	msgs, err = syscall.ParseSocketControlMessage(rob[:oobn])
	require.NoError(t, err)
	fds, err = syscall.ParseUnixRights(&msgs[0])
	require.NoError(t, err)
	require.NoError(t, Close(fds[0]))

	// Too small an oob: MSG_CTRUNC, the descriptor closed by the kernel.
	_, _, err = c1.(unixMsgConn).WriteMsgUnix([]byte("y"), syscall.UnixRights(0), nil)
	require.NoError(t, err)
	_, oobn, flags, _, err = c2.(unixMsgConn).ReadMsgUnix(buf, make([]byte, 8))
	require.NoError(t, err)
	assert.Zero(t, oobn)
	assert.Equal(t, csock.MSG_CTRUNC|csock.MSG_CMSG_CLOEXEC, flags)

	_, _, err = c1.(unixMsgConn).WriteMsgUnix([]byte("z"), nil, &net.UnixAddr{Name: "@x", Net: "unix"})
	assert.ErrorIs(t, err, net.ErrWriteToConnected)
}

func TestNetConnMsgUnix_InteroperatesWithNetUnixConn(t *testing.T) {
	a, b, err := SocketPair(AF_UNIX, SOCK_STREAM, 0)
	require.NoError(t, err)
	closeLater(t, a)
	ours := netConnOf(t, a).(unixMsgConn)
	f := os.NewFile(uintptr(b.Detach()), "peer") // Go's net takes the other end over
	nc, err := net.FileConn(f)
	require.NoError(t, f.Close())
	require.NoError(t, err)
	defer nc.Close()
	theirs := nc.(*net.UnixConn)

	_, _, err = theirs.WriteMsgUnix([]byte("from net"), syscall.UnixRights(1), nil)
	require.NoError(t, err)
	buf, oob := make([]byte, 16), make([]byte, 64)
	n, oobn, ourFlags, _, err := ours.ReadMsgUnix(buf, oob)
	require.NoError(t, err)
	assert.Equal(t, "from net", string(buf[:n]))
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	require.NoError(t, err)
	fds, err := syscall.ParseUnixRights(&msgs[0])
	require.NoError(t, err)
	require.NoError(t, Close(fds[0]))

	_, _, err = ours.WriteMsgUnix([]byte("from facade"), syscall.UnixRights(2), nil)
	require.NoError(t, err)
	n, oobn, theirFlags, _, err := theirs.ReadMsgUnix(buf, oob)
	require.NoError(t, err)
	assert.Equal(t, "from facade", string(buf[:n]))
	assert.Equal(t, theirFlags, ourFlags, "the same flags as net.UnixConn's")
	msgs, err = syscall.ParseSocketControlMessage(oob[:oobn])
	require.NoError(t, err)
	fds, err = syscall.ParseUnixRights(&msgs[0])
	require.NoError(t, err)
	require.NoError(t, Close(fds[0]))
}
