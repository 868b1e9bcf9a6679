//go:build linux

package libcnet

import "strings"

// validName reports whether s is a domain name in presentation format as net.Resolver
// accepts the names it returns (RFC 1035 and RFC 3696, as its isDomainName reads them):
// "." alone; otherwise labels of ASCII letters, digits, '-' and '_', separated by single
// dots, each 1 to 63 bytes, none starting or ending with '-', at most 253 bytes (254 with
// a final dot), and at least one letter, '-' or '_' somewhere (an all-digit name could be
// taken for an address).
func validName(s string) bool {
	if s == "." {
		return true
	}
	n := len(s)
	if n == 0 || n > 254 || n == 254 && s[n-1] != '.' {
		return false
	}
	letters := false
	label := 0        // bytes of the current label
	prev := byte('.') // the byte before this one; a name starts as if after a dot
	for i := 0; i < n; i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
			letters = true
		case '0' <= c && c <= '9':
		case c == '-':
			if prev == '.' {
				return false // a label starts with '-'
			}
			letters = true
		case c == '.':
			if prev == '.' || prev == '-' || label > 63 {
				return false // an empty label, or one ending with '-' or too long
			}
			label = -1
		default:
			return false
		}
		label++
		prev = c
	}
	return prev != '-' && label <= 63 && letters
}

// absName returns name with a final dot, as net.Resolver returns names.
func absName(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + "."
}

// hostName returns a host name as net.Resolver.LookupAddr returns it: with a final dot
// when it has a dot inside ("localhost" stays as it is, as a name of /etc/hosts).
func hostName(name string) string {
	if strings.IndexByte(name, '.') < 0 {
		return name
	}
	return absName(name)
}

// validNames returns the valid names of names (see validName) and whether any was
// dropped, as net.Resolver filters the names a lookup returns.
func validNames(names []string) ([]string, bool) {
	for i, n := range names {
		if !validName(n) {
			out := append([]string(nil), names[:i]...)
			for _, m := range names[i+1:] {
				if validName(m) {
					out = append(out, m)
				}
			}
			return out, true
		}
	}
	return names, false
}
