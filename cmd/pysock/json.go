//go:build linux

package main

import (
	"bufio"
	"encoding/base64"
	"math"
	"math/big"
	"strconv"
	"syscall"

	"github.com/csock/csock/facade"
	"github.com/csock/csock/py"
)

// The --json encoding of Python values:
//
//	None, bool              null, true, false
//	int                     a JSON number (exact, however big)
//	float                   a JSON number; inf, -inf and nan as the strings "inf", "-inf", "nan"
//	str                     a JSON string (lone surrogates as \udXXX escapes)
//	bytes                   {"bytes": "<base64>"}
//	tuple                   {"tuple": [...]}
//	list                    [...]
//	enum member             {"enum": "AddressFamily", "name": "AF_INET", "value": 2}
//	                        (an IntFlag value too: "name": "AI_CANONNAME|9223372036854775808")
//	address, result tuples  as the tuple they print as
//	socket                  the string of its repr as printed (the open socket; pysock
//	                        closes it afterwards)
//
// "errno" of an error is the exception's own errno attribute: null for one without it
// (ExceptionGroup, TypeError, TimeoutError('timed out'), a message-only OSError).
//
// Every value line also carries "repr", the line pysock prints without --json.

func writeJSONValue(w *bufio.Writer, v any, repr string) {
	w.WriteString(`{"ok":true,"value":`)
	writeValue(w, v)
	w.WriteString(`,"repr":`)
	writeString(w, repr)
	w.WriteString("}\n")
}

func writeJSONError(w *bufio.Writer, e py.Exception) {
	w.WriteString(`{"ok":false,"error":{"class":`)
	writeString(w, e.PyClass())
	w.WriteString(`,"errno":`)
	if n, ok := errnoOf(e); ok {
		w.WriteString(strconv.Itoa(n))
	} else {
		w.WriteString("null")
	}
	w.WriteString(`,"message":`)
	writeString(w, e.Error())
	w.WriteString("}}\n")
}

// errnoOf returns the errno attribute of an OSError-family exception: the exception's
// own, never one of the exceptions it holds (an ExceptionGroup has no errno attribute,
// whatever its members have).
func errnoOf(e error) (int, bool) {
	switch x := e.(type) {
	case *facade.OSError:
		return x.Errno, x.Errno != 0
	case *facade.GaiError:
		return x.Code, true
	case *facade.HError:
		return x.Code, true
	case *facade.BlockingIOError:
		return int(syscall.EAGAIN), true
	}
	return 0, false
}

func writeValue(w *bufio.Writer, v any) {
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
	case bool:
		w.WriteString(strconv.FormatBool(x))
	case float64:
		switch {
		case math.IsInf(x, 1):
			w.WriteString(`"inf"`)
		case math.IsInf(x, -1):
			w.WriteString(`"-inf"`)
		case math.IsNaN(x):
			w.WriteString(`"nan"`)
		default:
			w.WriteString(py.FloatRepr(x))
		}
	case string:
		writeString(w, x)
	case []byte:
		w.WriteString(`{"bytes":"`)
		w.WriteString(base64.StdEncoding.EncodeToString(x))
		w.WriteString(`"}`)
	case py.Tuple:
		w.WriteString(`{"tuple":`)
		writeSeq(w, x)
		w.WriteString("}")
	case py.List:
		writeSeq(w, x)
	case facade.AddressFamily:
		writeEnum(w, "AddressFamily", x.String(), x.PyIndex())
	case facade.SocketKind:
		writeEnum(w, "SocketKind", x.String(), x.PyIndex())
	case facade.MsgFlag:
		writeEnum(w, "MsgFlag", x.String(), x.PyIndex())
	case facade.AddressInfo:
		writeEnum(w, "AddressInfo", x.String(), x.PyIndex())
	case facade.InetAddress:
		writeValue(w, py.Tuple{x.Host, x.Port})
	case facade.Inet6Address:
		writeValue(w, py.Tuple{x.Host, x.Port, int(x.FlowInfo), int(x.ScopeID)})
	case facade.UnixAddress:
		writeValue(w, x.Value())
	case facade.RawAddress:
		writeValue(w, py.Tuple{x.AF, x.Data})
	case facade.AddrInfo:
		writeValue(w, py.Tuple{x.Family, x.Type, x.Proto, x.CanonName, x.Addr})
	case facade.HostEntry:
		writeValue(w, py.Tuple{x.Name, strs(x.Aliases), strs(x.Addrs)})
	case facade.Interface:
		writeValue(w, py.Tuple{x.Index, x.Name})
	case bigFlag:
		writeEnum(w, x.PyTypeName(), x.String(), x.PyIndex())
	default:
		if n, ok := py.AsInt(v); ok {
			w.WriteString(n.String())
			return
		}
		// Anything else is shown by its repr.
		writeString(w, py.Repr(v))
	}
}

func strs(ss []string) py.List {
	l := make(py.List, len(ss))
	for i, s := range ss {
		l[i] = s
	}
	return l
}

// bigFlag is an IntFlag value too big for MsgFlag or AddressInfo (AI_CANONNAME|2**63),
// which the facade holds in an unexported type.
type bigFlag interface {
	PyTypeName() string
	String() string
	PyIndex() *big.Int
}

func writeEnum(w *bufio.Writer, class, name string, value *big.Int) {
	w.WriteString(`{"enum":`)
	writeString(w, class)
	w.WriteString(`,"name":`)
	writeString(w, name)
	w.WriteString(`,"value":`)
	w.WriteString(value.String())
	w.WriteString("}")
}

func writeSeq(w *bufio.Writer, xs []any) {
	w.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.WriteByte(',')
		}
		writeValue(w, x)
	}
	w.WriteByte(']')
}

// writeString writes a Python str as a JSON string: '"', '\\' and control characters
// escaped, lone surrogates as \uXXXX escapes, everything else as UTF-8.
func writeString(w *bufio.Writer, s string) {
	const hex = "0123456789abcdef"
	w.WriteByte('"')
	for _, r := range py.Runes(s) {
		switch {
		case r == '"' || r == '\\':
			w.WriteByte('\\')
			w.WriteByte(byte(r))
		case r == '\n':
			w.WriteString(`\n`)
		case r == '\t':
			w.WriteString(`\t`)
		case r == '\r':
			w.WriteString(`\r`)
		case r < 0x20 || r >= 0xd800 && r <= 0xdfff:
			w.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				w.WriteByte(hex[r>>shift&0xf])
			}
		default:
			w.WriteRune(r)
		}
	}
	w.WriteByte('"')
}
