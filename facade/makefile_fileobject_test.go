//go:build linux

package facade

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/py"
)

// Ports of CPython 3.11's FileObjectClassTestCase and its subclasses
// (UnbufferedFileObjectClassTestCase, LineBufferedFileObjectClassTestCase,
// SmallBufferedFileObjectClassTestCase, UnicodeReadFileObjectClassTestCase,
// UnicodeWriteFileObjectClassTestCase, UnicodeReadWriteFileObjectClassTestCase) from
// Lib/test/test_socket.py. Each Go test is one CPython test method, run as a subtest per
// class that has it. As in CPython, read_file is made on the accepted socket (cli_conn)
// and write_file on the connecting one (serv_conn), over loopback TCP; CPython's client
// thread is a goroutine, and its clientTearDown (close write_file, then serv_conn) runs
// when the client part returns.

// fileObjectClass is one of CPython's test classes.
type fileObjectClass struct {
	name                string
	bufsize             int
	readMode, writeMode string
	newline             *string
}

var fileObjectClasses = []fileObjectClass{
	{"FileObjectClassTestCase", -1, "rb", "wb", nil},
	{"UnbufferedFileObjectClassTestCase", 0, "rb", "wb", nil},
	{"LineBufferedFileObjectClassTestCase", 1, "rb", "wb", nil},
	{"SmallBufferedFileObjectClassTestCase", 2, "rb", "wb", nil},
	{"UnicodeReadFileObjectClassTestCase", -1, "r", "wb", strp("")},
	{"UnicodeWriteFileObjectClassTestCase", -1, "rb", "w", strp("")},
	{"UnicodeReadWriteFileObjectClassTestCase", -1, "r", "w", strp("")},
}

func (c fileObjectClass) opts() FileOptions {
	return FileOptions{Buffering: new(c.bufsize), Encoding: "utf-8", Errors: "strict", Newline: c.newline}
}

// The messages: MSG, or MSG.decode('utf-8'), which has the same UTF-8.
func (c fileObjectClass) readMsg() []byte  { return fileMSG }
func (c fileObjectClass) writeMsg() []byte { return fileMSG }

// fileObjectTest is one test's state: CPython's setUp and clientSetUp.
type fileObjectTest struct {
	cls                  fileObjectClass
	cliConn, servConn    *Socket
	readFile, writeFile  *File
	servFinished         chan struct{}
	cliFinished          chan struct{}
	finishOnce, cliOnce  sync.Once
	clientDone           chan error
	servSkipped          string
	evt1, evt2           chan struct{}
	readFileReplacements []*File
}

func newFileObjectTest(t *testing.T, cls fileObjectClass) *fileObjectTest {
	t.Helper()
	ft := &fileObjectTest{cls: cls, servFinished: make(chan struct{}), cliFinished: make(chan struct{}),
		evt1: make(chan struct{}), evt2: make(chan struct{})}
	ft.cliConn, ft.servConn = fileTCPPair(t)
	var err error
	ft.readFile, err = ft.cliConn.MakeFile(cls.readMode, cls.opts())
	require.NoError(t, err)
	ft.writeFile, err = ft.servConn.MakeFile(cls.writeMode, cls.opts())
	require.NoError(t, err)
	return ft
}

// run runs the server part in the test's goroutine and the client part in another, then
// the tear-downs, as CPython's ThreadableTest does.
func (ft *fileObjectTest) run(t *testing.T, server func(t *testing.T), client func() error) {
	t.Helper()
	ft.clientDone = make(chan error, 1)
	go func() {
		var err error
		if client != nil {
			err = client()
		}
		// clientTearDown
		ft.cliOnce.Do(func() { close(ft.cliFinished) })
		if cerr := ft.writeFile.Close(); err == nil {
			err = cerr
		}
		if err == nil && !ft.writeFile.Closed() {
			err = errors.New("write_file is not closed after close")
		}
		if cerr := ft.servConn.Close(); err == nil {
			err = cerr
		}
		ft.clientDone <- err
	}()
	server(t)
	// tearDown
	ft.finishOnce.Do(func() { close(ft.servFinished) })
	require.NoError(t, ft.readFile.Close())
	assert.True(t, ft.readFile.Closed())
	for _, f := range ft.readFileReplacements {
		f.Close()
	}
	select {
	case err := <-ft.clientDone:
		require.NoError(t, err, "client part")
	case <-time.After(20 * time.Second):
		t.Fatal("client part still running after 20s")
	}
	require.NoError(t, ft.cliConn.Close())
}

// wait waits for ch (CPython's Event.wait(timeout)).
func wait(ch chan struct{}, d time.Duration) {
	select {
	case <-ch:
	case <-time.After(d):
	}
}

func forEachFileObjectClass(t *testing.T, only string, f func(t *testing.T, cls fileObjectClass)) {
	for _, cls := range fileObjectClasses {
		if only != "" && cls.name != only {
			continue
		}
		t.Run(cls.name, func(t *testing.T) { f(t, cls) })
	}
}

// readResult is a read's result as the oracle writes it.
func (ft *fileObjectTest) readResult(b []byte, err error) string {
	return rBytes(b, !strings.Contains(ft.cls.readMode, "b"), err)
}

// scTimeout: testReadAfterTimeout's reads, for the exact results.
var scTimeout = func() map[string]string {
	m := map[string]string{}
	for _, cls := range fileObjectClasses {
		m[cls.name] = addScenario(fileScenario{Name: "read after timeout " + cls.name, Mode: cls.readMode,
			Buffering: bufOpt(cls.bufsize), Encoding: strp("utf-8"), Errors: strp("strict"), Newline: cls.newline,
			Steps: [][]any{stSendBytes(fileMSG[:3]), stTimeout(0.05), stRead(3), stRead(1), stRead(1)}})
	}
	return m
}()

func TestFileObject_ReadAfterTimeoutIsRefused(t *testing.T) {
	// testReadAfterTimeout (bpo-7322): after a timeout, a file object refuses to read.
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		want := runFileOracle(t).Scenarios[scTimeout[cls.name]]
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			require.NoError(t, ft.cliConn.SetTimeout(0.25))
			got, err := ft.readFile.ReadN(3)
			assert.Equal(t, want[2], ft.readResult(got, err))
			_, err = ft.readFile.ReadN(1)
			requireFileTimeout(t, err)
			_, err = ft.readFile.ReadN(1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "cannot read from timed out object")
			assert.Equal(t, want[4], "!"+pyExcLine(err))
			assert.True(t, IsOSError(err))
		}, func() error {
			if _, err := ft.writeFile.PyWrite(ft.cls.writeMsg()[:3]); err != nil {
				return err
			}
			if err := ft.writeFile.Flush(); err != nil {
				return err
			}
			wait(ft.servFinished, 20*time.Second)
			return nil
		})
	})
}

func requireFileTimeout(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, "TimeoutError: timed out", pyExcLine(err))
}

// writeMsgAndFlush is the client part of most tests.
func (ft *fileObjectTest) writeMsgAndFlush() error {
	if _, err := ft.writeFile.PyWrite(ft.cls.writeMsg()); err != nil {
		return err
	}
	return ft.writeFile.Flush()
}

func TestFileObject_SmallReadsMakeUpTheMessage(t *testing.T) {
	// testSmallRead
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		n := len(cls.readMsg())
		ft.run(t, func(t *testing.T) {
			first, err := ft.readFile.ReadN(n - 3)
			require.NoError(t, err)
			second, err := ft.readFile.ReadN(3)
			require.NoError(t, err)
			assert.Equal(t, string(cls.readMsg()), string(first)+string(second))
		}, ft.writeMsgAndFlush)
	})
}

func TestFileObject_ReadWithoutSizeReadsToEOF(t *testing.T) {
	// testFullRead: the client writes, closes its file and (clientTearDown) its socket.
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			msg, err := ft.readFile.ReadN(-1)
			require.NoError(t, err)
			assert.Equal(t, string(cls.readMsg()), string(msg))
		}, func() error {
			if _, err := ft.writeFile.PyWrite(cls.writeMsg()); err != nil {
				return err
			}
			return ft.writeFile.Close()
		})
	})
}

func TestFileObject_OneByteReadsMakeUpTheMessage(t *testing.T) {
	// testUnbufferedRead
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			var buf []byte
			for i := 0; i <= len(cls.readMsg()); i++ {
				char, err := ft.readFile.ReadN(1)
				require.NoError(t, err)
				if len(char) == 0 {
					break
				}
				buf = append(buf, char...)
			}
			assert.Equal(t, string(cls.readMsg()), string(buf))
		}, ft.writeMsgAndFlush)
	})
}

func TestFileObject_ReadlineReturnsTheLine(t *testing.T) {
	// testReadline
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			line, err := ft.readFile.ReadLineN(-1)
			require.NoError(t, err)
			assert.Equal(t, string(cls.readMsg()), string(line))
		}, ft.writeMsgAndFlush)
	})
}

func TestFileObject_FileKeepsTheSocketOpenAfterItsClose(t *testing.T) {
	// testCloseAfterMakefile: the file returned by makefile keeps the socket open.
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			require.NoError(t, ft.cliConn.Close())
			msg, err := ft.readFile.ReadN(-1)
			require.NoError(t, err)
			assert.Equal(t, string(cls.readMsg()), string(msg))
		}, ft.writeMsgAndFlush)
	})
}

func TestFileObject_SocketReadsAfterTheFileCloses(t *testing.T) {
	// testMakefileAfterMakefileClose
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			require.NoError(t, ft.readFile.Close())
			msg, err := ft.cliConn.Recv(len(fileMSG), 0)
			require.NoError(t, err)
			assert.Equal(t, string(cls.readMsg()), string(msg))
		}, ft.writeMsgAndFlush)
	})
}

func TestFileObject_ClosedIsFalseWhileOpen(t *testing.T) {
	// testClosedAttr
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			assert.False(t, ft.readFile.Closed())
		}, func() error {
			if ft.writeFile.Closed() {
				return errors.New("write_file.closed is True")
			}
			return nil
		})
	})
}

func TestFileObject_ModeAndNameAreTheSockets(t *testing.T) {
	// testAttributes
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			mode, err := ft.readFile.Mode()
			require.NoError(t, err)
			assert.Equal(t, cls.readMode, mode)
			name, err := ft.readFile.Name()
			require.NoError(t, err)
			assert.Equal(t, ft.cliConn.Fileno(), name)
		}, func() error {
			mode, err := ft.writeFile.Mode()
			if err != nil || mode != cls.writeMode {
				return fmt.Errorf("write_file.mode = %q, %v; want %q", mode, err, cls.writeMode)
			}
			name, err := ft.writeFile.Name()
			if err != nil || name != ft.servConn.Fileno() {
				return fmt.Errorf("write_file.name = %d, %v; want %d", name, err, ft.servConn.Fileno())
			}
			return nil
		})
	})
}

func TestFileObject_ClosingBothIsARealClose(t *testing.T) {
	// testRealClose
	forEachFileObjectClass(t, "", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			require.NoError(t, ft.readFile.Close())
			_, err := ft.readFile.Fileno()
			var ve *ValueError
			assert.ErrorAs(t, err, &ve)
			require.NoError(t, ft.cliConn.Close())
			_, err = ft.cliConn.GetSockName()
			assert.True(t, IsOSError(err), "getsockname after the real close: %v", err)
		}, nil)
	})
}

func TestUnbufferedFileObject_ReadlineLeavesTheRestOnTheSocket(t *testing.T) {
	// testUnbufferedReadline: only an unbuffered file can be read a line from and then
	// replaced by another file without losing data (http.client relies on it).
	forEachFileObjectClass(t, "UnbufferedFileObjectClassTestCase", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			line, err := ft.readFile.ReadLineN(-1)
			require.NoError(t, err)
			assert.Equal(t, "A. "+string(cls.writeMsg()), string(line))
			second, err := ft.cliConn.MakeFile("rb", bufferingOpts(0))
			require.NoError(t, err)
			ft.readFileReplacements = append(ft.readFileReplacements, ft.readFile)
			ft.readFile = second
			line, err = ft.readFile.ReadLineN(-1)
			require.NoError(t, err)
			assert.Equal(t, "B. "+string(cls.writeMsg()), string(line))
		}, func() error {
			for _, p := range []string{"A. ", "B. "} {
				if _, err := ft.writeFile.PyWrite(append([]byte(p), cls.writeMsg()...)); err != nil {
					return err
				}
			}
			return ft.writeFile.Flush()
		})
	})
}

func TestUnbufferedFileObject_SocketWorksUntilTheFileCloses(t *testing.T) {
	// testMakefileClose: the file keeps the socket open... until it is itself closed.
	forEachFileObjectClass(t, "UnbufferedFileObjectClassTestCase", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			require.NoError(t, ft.cliConn.Close())
			msg, err := ft.cliConn.Recv(1024, 0)
			require.NoError(t, err)
			assert.Equal(t, string(cls.readMsg()), string(msg))
			require.NoError(t, ft.readFile.Close())
			_, err = ft.cliConn.Recv(1024, 0)
			assert.True(t, IsOSError(err), "recv after the file's close: %v", err)
		}, ft.writeMsgAndFlush)
	})
}

func TestUnbufferedFileObject_CloseLetsGoOfTheSocket(t *testing.T) {
	// testMakefileCloseSocketDestroy checks that close drops the file's reference to the
	// socket (sys.getrefcount). The Go counterpart: once the file is closed, the socket's
	// Close closes the descriptor at once.
	forEachFileObjectClass(t, "UnbufferedFileObjectClassTestCase", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			require.NoError(t, ft.readFile.Close())
			require.NoError(t, ft.cliConn.Close())
			assert.Equal(t, -1, ft.cliConn.Fileno())
		}, nil)
	})
}

var scNonBlocking = addScenario(fileScenario{Name: "unbuffered non-blocking reads", Mode: "rb",
	Buffering: bufOpt(0), Steps: [][]any{stTimeout(0.0), stReadinto(10), stRead(len(fileMSG) - 3),
		stSendBytes(fileMSG), stRead(len(fileMSG) - 3), stReadinto(10), stReadinto(16), stRead(1)}})

func TestUnbufferedFileObject_NonBlockingReadsReturnNone(t *testing.T) {
	// testSmallReadNonBlocking
	forEachFileObjectClass(t, "UnbufferedFileObjectClassTestCase", func(t *testing.T, cls fileObjectClass) {
		want := runFileOracle(t).Scenarios[scNonBlocking]
		ft := newFileObjectTest(t, cls)
		n := len(cls.readMsg())
		ft.run(t, func(t *testing.T) {
			require.NoError(t, ft.cliConn.SetBlocking(false))
			k, err := ft.readFile.ReadInto(make([]byte, 10))
			assert.Equal(t, want[1], rInt(k, err))
			assert.ErrorIs(t, err, ErrNone)
			b, err := ft.readFile.ReadN(n - 3)
			assert.Equal(t, want[2], rBytes(b, false, err))
			assert.Nil(t, b)
			close(ft.evt1)
			wait(ft.evt2, time.Second)
			first, err := ft.readFile.ReadN(n - 3)
			for i := 0; err == ErrNone && i < 100; i++ {
				// Data not arrived yet: wait a bit.
				time.Sleep(10 * time.Millisecond)
				first, err = ft.readFile.ReadN(n - 3)
			}
			require.NoError(t, err)
			buf := make([]byte, 10)
			k, err = ft.readFile.ReadInto(buf)
			assert.Equal(t, want[5], rRepr(fmt.Sprintf("%d %s", k, py.BytesRepr(buf[:k])), err))
			assert.Equal(t, string(cls.readMsg()), string(first)+string(buf[:k]))
			k, err = ft.readFile.ReadInto(make([]byte, 16))
			assert.Equal(t, want[6], rInt(k, err))
			b, err = ft.readFile.ReadN(1)
			assert.Equal(t, want[7], rBytes(b, false, err))
		}, func() error {
			wait(ft.evt1, time.Second)
			err := ft.writeMsgAndFlush()
			close(ft.evt2)
			// Avoid closing the socket before the server part is done: its recv would
			// read the end of the stream instead of EWOULDBLOCK.
			wait(ft.servFinished, 5*time.Second)
			return err
		})
	})
}

func TestUnbufferedFileObject_NonBlockingWriteReturnsNoneWhenFull(t *testing.T) {
	// testWriteNonBlocking: writes of SOCK_MAX_SIZE bytes to a non-blocking socket take
	// part of the data, then (the socket buffer full) nothing: None.
	forEachFileObjectClass(t, "UnbufferedFileObjectClassTestCase", func(t *testing.T, cls fileObjectClass) {
		ft := newFileObjectTest(t, cls)
		ft.run(t, func(t *testing.T) {
			wait(ft.cliFinished, 5*time.Second)
			if ft.servSkipped != "" {
				t.Skip(ft.servSkipped)
			}
		}, func() error {
			if err := ft.servConn.SetBlocking(false); err != nil {
				return err
			}
			big := bytes.Repeat([]byte("x"), 16<<20) // support.SOCK_MAX_SIZE
			n, err := ft.writeFile.PyWrite(big)
			if err != nil || n <= 0 {
				return fmt.Errorf("first write: %d, %v", n, err)
			}
			for range 10 {
				n, err = ft.writeFile.PyWrite(big)
				if err == ErrNone {
					return nil
				}
				if err != nil || n <= 0 {
					return fmt.Errorf("write: %d, %v", n, err)
				}
			}
			ft.servSkipped = "failed to saturate the socket buffer"
			return nil
		})
	})
}
