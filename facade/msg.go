//go:build linux

package facade

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"unsafe"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// This file is CPython's sendmsg, recvmsg and recvmsg_into, the ancillary data they carry
// (control messages: cmsg(3)), the CMSG_LEN and CMSG_SPACE functions, and Lib/socket.py's
// send_fds and recv_fds. Each call is one sendmsg(2) or recvmsg(2) through the engine
// (poll.go), with CPython's argument rules and messages; the control buffer is laid out
// and read here as CPython's socketmodule.c does with glibc's CMSG_* macros.

// Ancillary is one item of ancillary data, a control message: CPython's (cmsg_level,
// cmsg_type, cmsg_data) tuple in sendmsg's ancdata and in the list recvmsg returns. It
// prints as that tuple: (1, 1, b'\x05\x00\x00\x00').
type Ancillary struct {
	Level int    // cmsg_level: SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, ...
	Type  int    // cmsg_type: SCM_RIGHTS, SCM_CREDENTIALS, IP_TTL, IPV6_HOPLIMIT, ...
	Data  []byte // cmsg_data, in the host's byte order where it holds integers
}

// PyRepr returns the tuple's repr, as CPython prints an item of recvmsg's ancdata.
func (a Ancillary) PyRepr() string { return py.Repr(py.Tuple{a.Level, a.Type, a.Data}) }

// PyTypeName returns "tuple".
func (Ancillary) PyTypeName() string { return "tuple" }

// The layout of struct cmsghdr (cmsg(3)), from the C macros: CMSG_LEN(0) is the header's
// aligned size, CMSG_SPACE(1) - CMSG_SPACE(0) the alignment of the records; cmsg_len is a
// size_t at the start of the header, then the int level and the int type.
var (
	cmsgHdr   = cmsgMacro(csock.CMSGLen, 0)
	cmsgAlign = cmsgMacro(csock.CMSGSpace, 1) - cmsgMacro(csock.CMSGSpace, 0)
)

const cmsgLenSize = int(unsafe.Sizeof(uintptr(0))) // sizeof(size_t), the cmsg_len field

func cmsgMacro(f func(uint64) (uint64, bool), n uint64) int {
	v, _ := f(n)
	return int(v)
}

// cmsgAligned is CMSG_ALIGN(n).
func cmsgAligned(n uint64) uint64 { return (n + uint64(cmsgAlign) - 1) &^ uint64(cmsgAlign-1) }

// socklenLimit is CPython's SOCKLEN_T_LIMIT: the largest ancillary buffer it accepts.
const socklenLimit = math.MaxInt32

// ctlMax is the largest ancillary buffer the facade allocates, whatever ancbufsize asks:
// Linux writes far less into one recvmsg(2) (at most SCM_MAX_FD = 253 descriptors, the
// credentials and the IP options of one message), so a larger buffer would never be
// filled, and CPython's limit of 2 GiB would be memory for nothing.
const ctlMax = 1 << 20

// CMSGLen returns the total length, without trailing padding, of a control message
// carrying length bytes of data: CPython's socket.CMSG_LEN(length), computed by the C
// macro (CMSG_LEN(0) is 16 on Linux x86-64). As in CPython the result must fit a
// socklen_t as CPython bounds it (2**31-1): length 0..2147483631 here, anything else
// "OverflowError: CMSG_LEN() argument out of range".
func CMSGLen(length int) (int, error) {
	if length < 0 || length > socklenLimit-cmsgHdr {
		return 0, &OverflowError{Msg: "CMSG_LEN() argument out of range"}
	}
	n, ok := csock.CMSGLen(uint64(length))
	if !ok || n > socklenLimit {
		return 0, &OverflowError{Msg: "CMSG_LEN() argument out of range"}
	}
	return int(n), nil
}

// CMSGSpace returns the buffer size needed for recvmsg to receive a control message
// carrying length bytes of data, trailing padding included: CPython's
// socket.CMSG_SPACE(length), computed by the C macro. length must be 0..2147483623 here
// (CPython's bound: the result fits 2**31-1 for every length up to it), else
// "OverflowError: CMSG_SPACE() argument out of range".
func CMSGSpace(length int) (int, error) {
	s1, _ := csock.CMSGSpace(1)
	if length < 0 || length > socklenLimit-int(s1) {
		return 0, &OverflowError{Msg: "CMSG_SPACE() argument out of range"}
	}
	n, ok := csock.CMSGSpace(uint64(length))
	if !ok || n > socklenLimit {
		return 0, &OverflowError{Msg: "CMSG_SPACE() argument out of range"}
	}
	return int(n), nil
}

// SendMsg sends normal and ancillary data: CPython's socket.sendmsg(buffers[, ancdata[,
// flags[, address]]]), one sendmsg(2) gathering every buffer into one message, in the
// socket's timeout mode (MSG_NOSIGNAL added, as for Send). It returns the number of bytes
// of normal data sent.
//
//   - buffers is an iterable of bytes-like objects: a [][]byte or a net.Buffers (sent
//     without copying), or a py.List, py.Tuple or []any of []byte. Anything else is
//     CPython's TypeError: "sendmsg() argument 1 must be an iterable", or "a bytes-like
//     object is required, not 'str'" for an item.
//   - ancdata is nil (no ancillary data) or an iterable of (level, type, data) items: a
//     []Ancillary, or a py.List or []any of Ancillary values or of 3-item sequences
//     (py.Tuple{level, type, data}). Errors are CPython's: "sendmsg() argument 2 must be
//     an iterable", "[sendmsg() ancillary data items]() argument must be sequence of
//     length 3, not 2", "'str' object cannot be interpreted as an integer", ...; an item
//     whose data needs more than 2**31-1 bytes of buffer is "OSError: ancillary data item
//     too large", and all of them together "OSError: too much ancillary data".
//   - address is nil (None: the connected peer) or an address parsed like SendTo's, with
//     "sendmsg" in the messages ("TypeError: sendmsg(): AF_INET address must be tuple,
//     not str").
//
// CPython's order of checks is kept: flags, then the address, then the buffers, then the
// ancillary data, then the call. The records are laid out as CPython lays them out: each
// CMSG_SPACE(len(data)) bytes, zero-padded, the header's cmsg_len CMSG_LEN(len(data)).
//
// Difference: CPython's ancdata None is a TypeError; here nil is the argument left out.
func (s *Socket) SendMsg(buffers, ancdata any, flags MsgFlag, address any) (int, error) {
	return s.sendMsg(context.Background(), buffers, ancdata, int(flags), address)
}

// SendMsgContext is SendMsg that also returns when ctx ends (while it waits to send).
func (s *Socket) SendMsgContext(ctx context.Context, buffers, ancdata any, flags MsgFlag, address any) (int, error) {
	return s.sendMsg(ctx, buffers, ancdata, int(flags), address)
}

func (s *Socket) sendMsg(ctx context.Context, buffers, ancdata any, flags int, address any) (int, error) {
	if _, err := goInt(flags); err != nil {
		return 0, err
	}
	var to csock.Addr
	if address != nil {
		var err error
		if to, err = parseAddress(s.family, address, "sendmsg"); err != nil {
			return 0, err
		}
	}
	bufs, err := sendBuffers(buffers)
	if err != nil {
		return 0, err
	}
	items, err := ancillaryItems(ancdata)
	if err != nil {
		return 0, err
	}
	control, err := buildControl(items)
	if err != nil {
		return 0, err
	}
	x := opExt{bufs: bufs, control: control, addr: to}
	a := opArgs{kind: opSendMsg, flags: flags, x: &x}
	s.do(ctx, &a, true)
	if a.err != nil {
		return 0, ioError("sendmsg", a.err)
	}
	return a.n, nil
}

// pyItems returns the items of v when v is a Python iterable, as iterating it in Python
// gives them: a list's or tuple's items, a str's characters, a bytes' ints, a dict's keys.
func pyItems(v any) ([]any, bool) {
	switch a := v.(type) {
	case py.List:
		return a, true
	case py.Tuple:
		return a, true
	case string:
		var items []any
		for _, r := range py.Runes(a) {
			items = append(items, py.FromRunes([]rune{r}))
		}
		return items, true
	case []byte:
		items := make([]any, len(a))
		for i, c := range a {
			items[i] = int(c)
		}
		return items, true
	case dict:
		return a.keys, true
	case Ancillary:
		return py.Tuple{a.Level, a.Type, a.Data}, true
	}
	if pv, ok := pyValue(v); ok {
		return pyItems(pv)
	}
	return nil, false
}

// sendBuffers converts sendmsg's buffers argument (see SendMsg).
func sendBuffers(v any) ([][]byte, error) {
	switch b := v.(type) {
	case [][]byte:
		return b, nil
	case net.Buffers:
		return b, nil
	}
	items, ok := pyItems(v)
	if !ok {
		return nil, &TypeError{Msg: "sendmsg() argument 1 must be an iterable"}
	}
	bufs := make([][]byte, len(items))
	for i, it := range items {
		b, err := asBuffer(it)
		if err != nil {
			return nil, err
		}
		bufs[i] = b
	}
	return bufs, nil
}

// ancillaryItems converts sendmsg's ancdata argument (see SendMsg) as CPython's
// sock_sendmsg does, item by item: PyArg_Parse's "(iiy*)", with its messages (an
// Ancillary's Level and Type are C ints too), then the item's size against the control
// buffer's limits (see controlSize), before the next item is looked at.
func ancillaryItems(v any) ([]Ancillary, error) {
	if v == nil {
		return nil, nil
	}
	given, direct := v.([]Ancillary)
	var items []any
	if !direct {
		var ok bool
		if items, ok = pyItems(v); !ok {
			return nil, &TypeError{Msg: "sendmsg() argument 2 must be an iterable"}
		}
		given = make([]Ancillary, len(items))
	}
	var size controlSizer
	for i := range given {
		var a Ancillary
		var err error
		if direct {
			a, err = given[i], ancillaryInts(given[i])
		} else {
			a, err = ancillaryItem(items[i])
		}
		if err == nil {
			err = size.add(len(a.Data))
		}
		if err != nil {
			return nil, err
		}
		if !direct {
			given[i] = a
		}
	}
	return given, nil
}

// ancillaryItem is the "(iiy*)" conversion of one item. Like PyArg_Parse's converttuple,
// it takes any sequence but bytes (so a str of length 3 is a sequence, and fails at its
// first item).
func ancillaryItem(v any) (Ancillary, error) {
	const where = "[sendmsg() ancillary data items]() argument must be "
	if a, ok := v.(Ancillary); ok {
		if err := ancillaryInts(a); err != nil {
			return Ancillary{}, err
		}
		return a, nil
	}
	var seq []any
	switch x := v.(type) {
	case nil:
		return Ancillary{}, &TypeError{Msg: where + "3-item sequence, not None"}
	case []byte, dict:
		return Ancillary{}, &TypeError{Msg: where + "3-item sequence, not " + typeName(v)}
	case py.Tuple, py.List, string:
		seq, _ = pyItems(x)
	default:
		pv, ok := pyValue(v)
		if !ok {
			return Ancillary{}, &TypeError{Msg: where + "3-item sequence, not " + typeName(v)}
		}
		return ancillaryItem(pv)
	}
	if len(seq) != 3 {
		return Ancillary{}, &TypeError{Msg: fmt.Sprintf(where+"sequence of length 3, not %d", len(seq))}
	}
	level, err := asCInt(seq[0])
	if err != nil {
		return Ancillary{}, err
	}
	typ, err := asCInt(seq[1])
	if err != nil {
		return Ancillary{}, err
	}
	data, err := asBuffer(seq[2])
	if err != nil {
		return Ancillary{}, err
	}
	return Ancillary{Level: level, Type: typ, Data: data}, nil
}

// ancillaryInts checks an Ancillary's Level and Type as the "ii" of "(iiy*)" checks an
// item's: each must be a C int (CPython's OverflowError otherwise).
func ancillaryInts(a Ancillary) error {
	if _, err := checkCInt(int64(a.Level)); err != nil {
		return err
	}
	_, err := checkCInt(int64(a.Type))
	return err
}

// controlSize is the size of the control buffer for items whose data have the lengths
// dataLen returns, with CPython's limits: an item needing more than SOCKLEN_T_LIMIT is
// "ancillary data item too large", a sum beyond it "too much ancillary data".
func controlSize(n int, dataLen func(i int) int) (int, error) {
	var c controlSizer
	for i := 0; i < n; i++ {
		if err := c.add(dataLen(i)); err != nil {
			return 0, err
		}
	}
	return int(c), nil
}

// controlSizer is a control buffer's size so far, as items are added (see controlSize).
type controlSizer int

// add adds an item of l data bytes, or returns CPython's error for the item.
func (c *controlSizer) add(l int) error {
	if l > socklenLimit-(cmsgHdr+cmsgAlign) { // CPython's get_CMSG_SPACE bound
		return osMessage("ancillary data item too large")
	}
	*c += controlSizer(cmsgHdr + int(cmsgAligned(uint64(l))))
	if *c > socklenLimit {
		return osMessage("too much ancillary data")
	}
	return nil
}

// buildControl lays the items out as sendmsg(2)'s control buffer, as CPython's
// sock_sendmsg does: each record at a CMSG_NXTHDR boundary, CMSG_SPACE(len) bytes long,
// zeroed, cmsg_len CMSG_LEN(len). No items is no buffer.
func buildControl(items []Ancillary) ([]byte, error) {
	if len(items) == 0 {
		return nil, nil
	}
	size, err := controlSize(len(items), func(i int) int { return len(items[i].Data) })
	if err != nil {
		return nil, err
	}
	b := make([]byte, size)
	off := 0
	for _, it := range items {
		putCmsgLen(b[off:], uint64(cmsgHdr+len(it.Data)))
		binary.NativeEndian.PutUint32(b[off+cmsgLenSize:], uint32(int32(it.Level)))
		binary.NativeEndian.PutUint32(b[off+cmsgLenSize+4:], uint32(int32(it.Type)))
		copy(b[off+cmsgHdr:], it.Data)
		off += cmsgHdr + int(cmsgAligned(uint64(len(it.Data))))
	}
	return b, nil
}

func putCmsgLen(b []byte, v uint64) {
	if cmsgLenSize == 8 {
		binary.NativeEndian.PutUint64(b, v)
	} else {
		binary.NativeEndian.PutUint32(b, uint32(v))
	}
}

func cmsgLenAt(b []byte) uint64 {
	if cmsgLenSize == 8 {
		return binary.NativeEndian.Uint64(b)
	}
	return uint64(binary.NativeEndian.Uint32(b))
}

// RecvMsg receives normal data and ancillary data: CPython's socket.recvmsg(bufsize[,
// ancbufsize[, flags]]), one recvmsg(2) in the socket's timeout mode. It returns CPython's
// 4-tuple: the data (at most bufsize bytes), the ancillary data as a list of (level, type,
// data) items, the message's flags (MSG_TRUNC, MSG_CTRUNC, MSG_EOR, ... as an int) and the
// sender's address (nil, None, when the kernel reports none, as for a connected stream).
//
// ancbufsize is the size of the buffer the ancillary data is received into (0: none is
// received; use CMSGSpace or CMSGLen to size it). What does not fit is truncated or
// dropped by the kernel, which sets MSG_CTRUNC; descriptors of an SCM_RIGHTS message that
// did not fit are closed by the kernel and never reach the process. The records are read
// as CPython reads them (sock_recvmsg_guts with glibc's CMSG_FIRSTHDR and CMSG_NXTHDR): a
// record cut short inside its data is returned with the data that arrived, a header cut
// short is not returned. Descriptors received with SCM_RIGHTS are the caller's to close;
// they are inheritable unless flags has MSG_CMSG_CLOEXEC, as in CPython (which passes the
// flags as given).
//
// A record whose length does not match the buffer (which the kernel never produces, but
// CPython checks) is CPython's RuntimeWarning "received malformed or improperly-truncated
// ancillary data": it goes to the warning handler (SetWarningHandler), the record's data
// is cut at the buffer's end and no later record is read; if the handler returns an error
// the descriptors received are closed, as CPython closes them when a warning is an error,
// and RecvMsg returns that error.
//
// Errors as CPython's: "ValueError: negative buffer size in recvmsg()", "ValueError:
// invalid ancillary data buffer length" (negative, or beyond 2**31-1). In blocking mode
// MSG_DONTWAIT makes the call non-blocking, as for Recv.
//
// Differences: MSG_WAITALL in blocking mode returns what is there (as CPython's timeout
// mode does), not a full buffer; a bufsize beyond 0x7ffff000 (what Linux transfers at
// most) allocates that, and an ancbufsize beyond 1 MiB allocates 1 MiB (Linux never
// writes more control data to one call).
func (s *Socket) RecvMsg(bufsize, ancbufsize int, flags MsgFlag) ([]byte, []Ancillary, int, Address, error) {
	return s.recvMsg(context.Background(), bufsize, ancbufsize, int(flags))
}

// RecvMsgContext is RecvMsg that also returns when ctx ends.
func (s *Socket) RecvMsgContext(ctx context.Context, bufsize, ancbufsize int, flags MsgFlag) ([]byte, []Ancillary, int, Address, error) {
	return s.recvMsg(ctx, bufsize, ancbufsize, int(flags))
}

func (s *Socket) recvMsg(ctx context.Context, bufsize, ancbufsize, flags int) ([]byte, []Ancillary, int, Address, error) {
	if _, err := goInt(flags); err != nil {
		return nil, nil, 0, nil, err
	}
	if bufsize < 0 {
		return nil, nil, 0, nil, &ValueError{Msg: "negative buffer size in recvmsg()"}
	}
	buf, err := recvBuffer(bufsize)
	if err != nil {
		return nil, nil, 0, nil, err
	}
	n, items, mflags, addr, err := s.recvMsgGuts(ctx, [][]byte{buf}, ancbufsize, flags, "recvmsg")
	if err != nil {
		return nil, nil, 0, nil, err
	}
	// CPython shrinks the buffer to what was received, never grows it (MSG_TRUNC may
	// report a longer datagram).
	return buf[:min(n, len(buf)):min(n, len(buf))], items, mflags, addr, nil
}

// RecvMsgInto receives normal data into the buffers, filled in order, and ancillary data:
// CPython's socket.recvmsg_into(buffers[, ancbufsize[, flags]]). It returns the number of
// bytes received (with MSG_TRUNC on a datagram socket, the datagram's length, which may
// exceed the buffers), then the ancillary data, flags and address as RecvMsg does.
//
// buffers is an iterable of writable buffers: a [][]byte (received into without copying),
// or a py.List, py.Tuple or []any of []byte. Anything else is CPython's TypeError:
// "recvmsg_into() argument 1 must be an iterable", or "recvmsg_into() argument 1 must be
// an iterable of single-segment read-write buffers" for an item that is not a []byte (a
// str, say: Go has no read-only bytes, so CPython's error for bytes cannot arise).
func (s *Socket) RecvMsgInto(buffers any, ancbufsize int, flags MsgFlag) (int, []Ancillary, int, Address, error) {
	return s.recvMsgInto(context.Background(), buffers, ancbufsize, int(flags))
}

// RecvMsgIntoContext is RecvMsgInto that also returns when ctx ends.
func (s *Socket) RecvMsgIntoContext(ctx context.Context, buffers any, ancbufsize int, flags MsgFlag) (int, []Ancillary, int, Address, error) {
	return s.recvMsgInto(ctx, buffers, ancbufsize, int(flags))
}

func (s *Socket) recvMsgInto(ctx context.Context, buffers any, ancbufsize, flags int) (int, []Ancillary, int, Address, error) {
	if _, err := goInt(flags); err != nil {
		return 0, nil, 0, nil, err
	}
	bufs, err := recvBuffers(buffers)
	if err != nil {
		return 0, nil, 0, nil, err
	}
	return s.recvMsgGuts(ctx, bufs, ancbufsize, flags, "recvmsg_into")
}

// recvBuffers converts recvmsg_into's buffers argument (see RecvMsgInto). A []byte (a
// bytearray) is an iterable of ints, none of which is a buffer.
func recvBuffers(v any) ([][]byte, error) {
	if b, ok := v.([][]byte); ok {
		return b, nil
	}
	items, ok := pyItems(v)
	if !ok {
		return nil, &TypeError{Msg: "recvmsg_into() argument 1 must be an iterable"}
	}
	bufs := make([][]byte, len(items))
	for i, it := range items {
		b, ok := it.([]byte)
		if !ok {
			return nil, &TypeError{Msg: "recvmsg_into() argument 1 must be an iterable of single-segment read-write buffers"}
		}
		bufs[i] = b
	}
	return bufs, nil
}

// recvMsgGuts is CPython's sock_recvmsg_guts: the checks it makes, the call, and the
// ancillary data read from the control buffer.
func (s *Socket) recvMsgGuts(ctx context.Context, bufs [][]byte, ancbufsize, flags int, op string) (int, []Ancillary, int, Address, error) {
	if err := s.checkAddrLen(); err != nil {
		return 0, nil, 0, nil, err
	}
	if ancbufsize < 0 || ancbufsize > socklenLimit {
		return 0, nil, 0, nil, &ValueError{Msg: "invalid ancillary data buffer length"}
	}
	var control []byte
	if ancbufsize > 0 {
		control = make([]byte, min(ancbufsize, ctlMax))
	}
	x := opExt{bufs: bufs, control: control}
	a := opArgs{kind: opRecvMsg, flags: flags, x: &x}
	s.do(ctx, &a, false)
	if a.err != nil {
		return 0, nil, 0, nil, ioError(op, a.err)
	}
	items, err := receivedAncillary(control[:x.cn])
	if err != nil {
		return 0, nil, 0, nil, err
	}
	return a.n, items, x.mflags, makeAddress(&x.addr), nil
}

// errAncillaryWarning is the text of CPython's RuntimeWarning for a bad record.
const errAncillaryWarning = "received malformed or improperly-truncated ancillary data"

// receivedAncillary returns the items of the control data recvmsg(2) wrote (control is
// as long as the kernel's msg_controllen), warning as CPython does for a bad record; when
// the warning handler turns the warning into an error, the descriptors received are
// closed (CPython's err_closefds) and that error is returned.
func receivedAncillary(control []byte) ([]Ancillary, error) {
	items, bad := parseAncillary(control)
	if bad {
		if err := warn(&py.RuntimeWarning{Msg: errAncillaryWarning}); err != nil {
			closeReceivedFDs(control)
			return nil, err
		}
	}
	if items == nil {
		items = []Ancillary{}
	}
	return items, nil
}

// parseAncillary reads control as CPython's sock_recvmsg_guts does: from CMSG_FIRSTHDR,
// each record's data with get_cmsg_data_len, then glibc's CMSG_NXTHDR (the 2.36 one,
// which checks that the current record and a next header fit before the end). A record
// whose data runs past the end is returned cut at the end and ends the list; one whose
// header does not fit or whose cmsg_len is below CMSG_LEN(0) is not returned and ends
// it. bad reports either case (CPython's RuntimeWarning).
func parseAncillary(control []byte) (items []Ancillary, bad bool) {
	n := uint64(len(control))
	if n < uint64(cmsgHdr) { // CMSG_FIRSTHDR is NULL (and CPython's msg_controllen > 0)
		return nil, false
	}
	for off := uint64(0); ; {
		dataLen, status := cmsgDataLen(control, off)
		if status < 0 {
			return items, true
		}
		h := control[off:]
		data := make([]byte, dataLen)
		copy(data, control[off+uint64(cmsgHdr):])
		items = append(items, Ancillary{
			Level: int(int32(binary.NativeEndian.Uint32(h[cmsgLenSize:]))),
			Type:  int(int32(binary.NativeEndian.Uint32(h[cmsgLenSize+4:]))),
			Data:  data,
		})
		if status > 0 {
			return items, true
		}
		next, ok := cmsgNext(control, off)
		if !ok {
			return items, false
		}
		off = next
	}
}

// cmsgDataLen is CPython's get_cmsg_data_len for the record at off: -1 when its header
// does not fit or its cmsg_len is below CMSG_LEN(0); 0 and the data's length when the
// data fits; 1 and the length of what fits when it does not.
func cmsgDataLen(control []byte, off uint64) (uint64, int) {
	n, hdr := uint64(len(control)), uint64(cmsgHdr)
	if off+hdr > n { // cmsg_min_space(CMSG_LEN(0))
		return 0, -1
	}
	l := cmsgLenAt(control[off:])
	if l < hdr {
		return 0, -1
	}
	want, space := l-hdr, n-(off+hdr)
	if space >= want {
		return want, 0
	}
	return space, 1
}

// cmsgNext is glibc 2.36's CMSG_NXTHDR (bits/socket.h, __cmsg_nxthdr) for the record at
// off: the next record's offset, or false when there is none.
func cmsgNext(control []byte, off uint64) (uint64, bool) {
	n, hdr := uint64(len(control)), uint64(cmsgHdr)
	l := cmsgLenAt(control[off:])
	if l < hdr {
		return 0, false
	}
	need := hdr + (cmsgAligned(l) - l) // the next header, and the current one's padding
	rem := n - off
	if rem < need || rem-need < l {
		return 0, false
	}
	return off + cmsgAligned(l), true
}

// closeReceivedFDs closes the descriptors of the SCM_RIGHTS records of control, walking it
// as CPython's err_closefds does.
func closeReceivedFDs(control []byte) {
	if uint64(len(control)) < uint64(cmsgHdr) {
		return
	}
	for off := uint64(0); ; {
		dataLen, status := cmsgDataLen(control, off)
		if status < 0 {
			return
		}
		h := control[off:]
		if int32(binary.NativeEndian.Uint32(h[cmsgLenSize:])) == csock.SOL_SOCKET &&
			int32(binary.NativeEndian.Uint32(h[cmsgLenSize+4:])) == csock.SCM_RIGHTS {
			data := control[off+uint64(cmsgHdr):][:dataLen]
			for len(data) >= 4 {
				csock.Close(int(int32(binary.NativeEndian.Uint32(data))))
				data = data[4:]
			}
		}
		if status > 0 {
			return
		}
		next, ok := cmsgNext(control, off)
		if !ok {
			return
		}
		off = next
	}
}

// SendFDs sends the descriptors fds, with the normal data of buffers, in one SCM_RIGHTS
// control message: Lib/socket.py's send_fds(sock, buffers, fds[, flags[, address]]), which
// is sock.sendmsg(buffers, [(SOL_SOCKET, SCM_RIGHTS, array.array("i", fds))]). buffers is
// SendMsg's. Each descriptor must fit a C int ("OverflowError: signed integer is greater
// than maximum", array.array's check); an empty fds still sends an SCM_RIGHTS record
// with no descriptor.
//
// As CPython 3.11's send_fds does, flags and address are accepted and ignored: the
// message goes with flags 0 to the connected peer (an unconnected datagram socket fails
// with "[Errno 107] Transport endpoint is not connected" whatever address says).
func SendFDs(sock *Socket, buffers any, fds []int, flags MsgFlag, address any) (int, error) {
	if sock == nil {
		return 0, &AttributeError{Msg: "'NoneType' object has no attribute 'sendmsg'"}
	}
	data := make([]byte, 4*len(fds))
	for i, fd := range fds {
		if _, err := goInt(fd); err != nil {
			return 0, err
		}
		binary.NativeEndian.PutUint32(data[4*i:], uint32(int32(fd)))
	}
	_ = flags   // CPython 3.11 drops them (Lib/socket.py, send_fds)
	_ = address // likewise
	return sock.SendMsg(buffers, []Ancillary{{Level: csock.SOL_SOCKET, Type: csock.SCM_RIGHTS, Data: data}}, 0, nil)
}

// RecvFDs receives up to bufsize bytes of data and up to maxfds descriptors: Lib/socket.py's
// recv_fds(sock, bufsize, maxfds[, flags]), which is sock.recvmsg(bufsize,
// CMSG_LEN(maxfds * 4)) and the descriptors of every SCM_RIGHTS item (a partial int at
// the end of one dropped). It returns the data, the descriptors (the caller's to close;
// inheritable, as CPython leaves them), the message's flags (MSG_CTRUNC when more
// descriptors were sent than fitted: the kernel closed those) and the sender's address.
//
// maxfds is checked as CPython's CMSG_LEN(maxfds * 4) checks it: "OverflowError:
// CMSG_LEN() argument out of range" for a negative count or one beyond 536870907.
//
// As CPython 3.11's recv_fds does, flags is accepted and ignored: the call is recvmsg with
// flags 0 (so MSG_CMSG_CLOEXEC does not apply, and MSG_DONTWAIT does not keep a blocking
// socket from waiting).
func RecvFDs(sock *Socket, bufsize, maxfds int, flags MsgFlag) ([]byte, []int, int, Address, error) {
	if sock == nil {
		return nil, nil, 0, nil, &AttributeError{Msg: "'NoneType' object has no attribute 'recvmsg'"}
	}
	if maxfds > math.MaxInt/4 || maxfds < math.MinInt/4 {
		// Python's maxfds * 4 does not fit a Py_ssize_t.
		return nil, nil, 0, nil, &OverflowError{Msg: "Python int too large to convert to C ssize_t"}
	}
	// CMSG_LEN(maxfds * 4), without a crossing into C: CMSG_LEN(n) is CMSG_LEN(0) + n.
	if maxfds < 0 || maxfds*4 > socklenLimit-cmsgHdr {
		return nil, nil, 0, nil, &OverflowError{Msg: "CMSG_LEN() argument out of range"}
	}
	anc := cmsgHdr + maxfds*4
	_ = flags // CPython 3.11 drops them (Lib/socket.py, recv_fds)
	msg, items, mflags, addr, err := sock.RecvMsg(bufsize, anc, 0)
	if err != nil {
		return nil, nil, 0, nil, err
	}
	fds := []int{}
	for _, it := range items {
		if it.Level == csock.SOL_SOCKET && it.Type == csock.SCM_RIGHTS {
			for d := it.Data; len(d) >= 4; d = d[4:] {
				fds = append(fds, int(int32(binary.NativeEndian.Uint32(d))))
			}
		}
	}
	return msg, fds, mflags, addr, nil
}
