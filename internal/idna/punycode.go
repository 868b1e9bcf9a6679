package idna

import "math"

// Bootstring parameters for punycode, RFC 3492 section 5.
const (
	punyBase        = 36
	punyTMin        = 1
	punyTMax        = 26
	punySkew        = 38
	punyDamp        = 700
	punyInitialBias = 72
	punyInitialN    = 0x80
)

// punycodeEncode returns the RFC 3492 encoding of s (code points in
// 0..U+10FFFF), byte for byte what Python's s.encode("punycode") returns:
// the basic code points in order, a "-" if there were any, then the deltas
// as lower-case generalized variable-length integers.  It reports false only
// if an intermediate value overflows int, which Python's unbounded integers
// never do; such inputs are far longer than any DNS label.
func punycodeEncode(s []rune) ([]byte, bool) {
	out := make([]byte, 0, len(s)+8)
	for _, r := range s {
		if r < punyInitialN {
			out = append(out, byte(r))
		}
	}
	basic := len(out)
	if basic > 0 {
		out = append(out, '-')
	}

	n, delta, bias := rune(punyInitialN), 0, punyInitialBias
	for handled := basic; handled < len(s); {
		m := rune(math.MaxInt32)
		for _, r := range s {
			if r >= n && r < m {
				m = r
			}
		}
		if int(m-n) > (math.MaxInt-delta)/(handled+1) {
			return nil, false
		}
		delta += int(m-n) * (handled + 1)
		n = m
		for _, r := range s {
			if r < n {
				if delta == math.MaxInt {
					return nil, false
				}
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := punyBase; ; k += punyBase {
				t := min(max(k-bias, punyTMin), punyTMax)
				if q < t {
					break
				}
				out = append(out, punyDigit(t+(q-t)%(punyBase-t)))
				q = (q - t) / (punyBase - t)
			}
			out = append(out, punyDigit(q))
			bias = punyAdapt(delta, handled+1, handled == basic)
			delta = 0
			handled++
		}
		delta++
		n++
	}
	return out, true
}

// punyDigit returns the lower-case basic code point for digit d (0..35).
func punyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

// punyAdapt is the bias adaptation function of RFC 3492 section 6.1.
func punyAdapt(delta, numPoints int, first bool) int {
	if first {
		delta /= punyDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > (punyBase-punyTMin)*punyTMax/2 {
		delta /= punyBase - punyTMin
		k += punyBase
	}
	return k + (punyBase-punyTMin+1)*delta/(delta+punySkew)
}
