//go:build linux

package facade

// This file holds htons, ntohs, htonl and ntohl.

// Htons mirrors socket.htons(x): x must fit in 16 bits.
func Htons(x int) (int, error) { return swap16("htons", x) }

// Ntohs mirrors socket.ntohs(x).
func Ntohs(x int) (int, error) { return swap16("ntohs", x) }

// Htonl mirrors socket.htonl(x): x must fit in 32 bits.
func Htonl(x int64) (int64, error) { return swap32(x) }

// Ntohl mirrors socket.ntohl(x).
func Ntohl(x int64) (int64, error) { return swap32(x) }

func swap16(fn string, x int) (int, error) {
	if _, err := goInt(x); err != nil {
		return 0, err // CPython reads x as a C int first
	}
	switch {
	case x < 0:
		return 0, &OverflowError{Msg: fn + ": can't convert negative Python int to C 16-bit unsigned integer"}
	case x > 0xffff:
		return 0, &OverflowError{Msg: fn + ": Python int too large to convert to C 16-bit unsigned integer"}
	}
	return x>>8 | (x&0xff)<<8, nil
}

func swap32(x int64) (int64, error) {
	switch {
	case x < 0:
		return 0, &OverflowError{Msg: "can't convert negative value to unsigned int"}
	case x > 0xffffffff:
		return 0, &OverflowError{Msg: "int larger than 32 bits"}
	}
	u := uint32(x)
	return int64(u>>24 | (u>>8)&0xff00 | (u<<8)&0xff0000 | u<<24), nil
}
