//go:build linux

package facade

import (
	"bytes"
	"fmt"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/py"
)

// This file holds if_nameindex, if_nametoindex and if_indextoname.

// Interface is one if_nameindex() entry, CPython's (index, name) tuple.
type Interface struct {
	Index int
	Name  string
}

// PyRepr prints the tuple.
func (i Interface) PyRepr() string { return py.Repr(py.Tuple{i.Index, i.Name}) }

// IfNameIndex mirrors socket.if_nameindex().
func IfNameIndex() ([]Interface, error) {
	ifs, err := csock.IfNameIndex()
	if err != nil {
		return nil, fromBinding(err)
	}
	out := make([]Interface, len(ifs))
	for i, f := range ifs {
		out[i] = Interface{Index: f.Index, Name: py.FSDecode([]byte(f.Name))}
	}
	return out, nil
}

// IfNameToIndex mirrors socket.if_nametoindex(if_name): a string (filesystem-encoded) or
// []byte.
func IfNameToIndex(ifName any) (int, error) {
	var b []byte
	switch n := ifName.(type) {
	case string:
		enc, err := py.FSEncode(n)
		if err != nil {
			return 0, unicodeError(err)
		}
		b = enc
	case []byte:
		b = n
	default:
		if pv, ok := pyValue(ifName); ok {
			return IfNameToIndex(pv)
		}
		return 0, &TypeError{Msg: fmt.Sprintf("expected str, bytes or os.PathLike object, not %s", typeName(ifName))}
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return 0, &ValueError{Msg: "embedded null byte"}
	}
	idx, err := csock.IfNameToIndex(b)
	if err != nil {
		return 0, osMessage("no interface with this name")
	}
	return idx, nil
}

// IfIndexToName mirrors socket.if_indextoname(if_index).
func IfIndexToName(ifIndex uint32) (string, error) {
	name, err := csock.IfIndexToName(ifIndex)
	if err != nil {
		return "", fromBinding(err)
	}
	return py.FSDecode([]byte(name)), nil
}
