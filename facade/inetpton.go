//go:build linux

package facade

import "bytes"

// The resolver's hot paths decide whether a host is a numeric address, and parse it,
// here rather than with csock.InetPton: a cgo crossing and a scratch buffer per attempt
// cost a tenth of a numeric getaddrinfo, and two of them were spent on every lookup of a
// name only to choose a path. These are glibc's inet_pton4 and inet_pton6
// (resolv/inet_pton.c), rule for rule, on the C string the bytes make (up to the first
// NUL); TestInetPton_SameAsLibc compares them with csock.InetPton over a large generated
// corpus. socket.inet_pton itself (InetPton) still calls libc.

// cString is b as C sees it once NUL-terminated: up to its first NUL.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// inetPton4 is glibc's inet_pton4: a dotted quad of four decimal numbers of at most 255,
// without leading zeros or anything else.
func inetPton4(src []byte) (ip [4]byte, ok bool) {
	src = cString(src)
	var tmp [4]byte
	tp, octets, sawDigit := 0, 0, false
	for _, ch := range src {
		switch {
		case '0' <= ch && ch <= '9':
			n := uint(tmp[tp])*10 + uint(ch-'0')
			if sawDigit && tmp[tp] == 0 {
				return ip, false
			}
			if n > 255 {
				return ip, false
			}
			tmp[tp] = byte(n)
			if !sawDigit {
				if octets++; octets > 4 {
					return ip, false
				}
				sawDigit = true
			}
		case ch == '.' && sawDigit:
			if octets == 4 {
				return ip, false
			}
			tp++
			tmp[tp] = 0
			sawDigit = false
		default:
			return ip, false
		}
	}
	if octets < 4 {
		return ip, false
	}
	return tmp, true
}

// hexDigit is glibc's hex_digit_value.
func hexDigit(ch byte) int {
	switch {
	case '0' <= ch && ch <= '9':
		return int(ch - '0')
	case 'a' <= ch && ch <= 'f':
		return int(ch-'a') + 10
	case 'A' <= ch && ch <= 'F':
		return int(ch-'A') + 10
	}
	return -1
}

// inetPton6 is glibc's inet_pton6: RFC 4291 text, with at most one "::" and an optional
// dotted quad (inet_pton4's) in the last 32 bits; no scope id.
func inetPton6(src []byte) (ip [16]byte, ok bool) {
	src = cString(src)
	var tmp [16]byte
	const endp = len(tmp)
	tp, colonp := 0, -1
	i := 0
	if len(src) == 0 {
		return ip, false
	}
	// Leading :: requires some special handling.
	if src[0] == ':' {
		i++
		if i == len(src) || src[i] != ':' {
			return ip, false
		}
	}
	curtok := i
	xdigits := 0
	val := uint(0)
	for i < len(src) {
		ch := src[i]
		i++
		if d := hexDigit(ch); d >= 0 {
			if xdigits == 4 {
				return ip, false
			}
			val = val<<4 | uint(d)
			if val > 0xffff {
				return ip, false
			}
			xdigits++
			continue
		}
		if ch == ':' {
			curtok = i
			if xdigits == 0 {
				if colonp >= 0 {
					return ip, false
				}
				colonp = tp
				continue
			} else if i == len(src) {
				return ip, false
			}
			if tp+2 > endp {
				return ip, false
			}
			tmp[tp], tmp[tp+1] = byte(val>>8), byte(val)
			tp += 2
			xdigits, val = 0, 0
			continue
		}
		if ch == '.' && tp+4 <= endp {
			if v4, ok := inetPton4(src[curtok:]); ok {
				copy(tmp[tp:], v4[:])
				tp += 4
				xdigits = 0
				break // the dotted quad ran to the end
			}
		}
		return ip, false
	}
	if xdigits > 0 {
		if tp+2 > endp {
			return ip, false
		}
		tmp[tp], tmp[tp+1] = byte(val>>8), byte(val)
		tp += 2
	}
	if colonp >= 0 {
		// Replace :: with zeros.
		if tp == endp {
			// :: would expand to a zero-width field.
			return ip, false
		}
		n := tp - colonp
		copy(tmp[endp-n:], tmp[colonp:tp])
		clear(tmp[colonp : endp-n])
		tp = endp
	}
	if tp != endp {
		return ip, false
	}
	return tmp, true
}
