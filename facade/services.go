//go:build linux

package facade

import (
	"bytes"
	"fmt"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// This file holds getservbyname, getservbyport and getprotobyname, through the reentrant *_r calls.

// GetServByName mirrors socket.getservbyname(servicename[, protocolname]), through the
// reentrant getservbyname_r(3) (CPython's is not thread-safe; this one is). proto is
// optional: at most one.
func GetServByName(name string, proto ...string) (int, error) {
	if len(proto) > 1 {
		return 0, &TypeError{Msg: fmt.Sprintf("getservbyname() takes at most 2 arguments (%d given)", 1+len(proto))}
	}
	// The texts only become C strings: room for them on the stack.
	var nameBuf, protoBuf [32]byte
	n, err := cstrArg(nameBuf[:0], name)
	if err != nil {
		return 0, err
	}
	var p []byte
	if len(proto) > 0 {
		if p, err = cstrArg(protoBuf[:0], proto[0]); err != nil {
			return 0, err
		}
	}
	port, err := csock.GetServByName(n, p, 0)
	if err != nil {
		// CPython reports any NULL from getservbyname(3) this way, whatever errno says
		// (descriptors exhausted, /etc/services unreadable): not found is all it knows.
		return 0, osMessage("service/proto not found")
	}
	return port, nil
}

// cstrArg is asStr for an argument the Go signature already makes a str: its UTF-8 bytes,
// appended to dst when ASCII (no allocation while they fit), with CPython's errors for a
// lone surrogate or a NUL.
func cstrArg(dst []byte, s string) ([]byte, error) {
	if !isASCII(s) {
		b, err := py.EncodeUTF8(s)
		if err != nil {
			return nil, unicodeError(err)
		}
		dst = b
	} else {
		dst = append(dst, s...)
	}
	if bytes.IndexByte(dst, 0) >= 0 {
		return nil, &ValueError{Msg: "embedded null character"}
	}
	return dst, nil
}

// GetServByPort mirrors socket.getservbyport(port[, protocolname]), through the reentrant
// getservbyport_r(3).
func GetServByPort(port int, proto ...string) (string, error) {
	if len(proto) > 1 {
		return "", &TypeError{Msg: fmt.Sprintf("getservbyport() takes at most 2 arguments (%d given)", 1+len(proto))}
	}
	if _, err := goInt(port); err != nil {
		return "", err
	}
	var protoBuf [32]byte
	var p []byte
	if len(proto) > 0 {
		var err error
		if p, err = cstrArg(protoBuf[:0], proto[0]); err != nil {
			return "", err
		}
	}
	if port < 0 || port > 0xffff {
		return "", &OverflowError{Msg: "getservbyport: port must be 0-65535."}
	}
	name, err := csock.GetServByPort(port, p, 0)
	if err != nil {
		// Any failure, as in GetServByName.
		return "", osMessage("port/proto not found")
	}
	return name, nil
}

// GetProtoByName mirrors socket.getprotobyname(name), through getprotobyname_r(3).
func GetProtoByName(name string) (int, error) {
	var nameBuf [32]byte
	n, err := cstrArg(nameBuf[:0], name)
	if err != nil {
		return 0, err
	}
	p, err := csock.GetProtoByName(n, 0)
	if err != nil {
		// Any failure, as in GetServByName.
		return 0, osMessage("protocol not found")
	}
	return p, nil
}
