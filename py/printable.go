package py

//go:generate python3 gen/gen_printable.py printable_table.go

// bmpPrintable has one bit per code point of the Basic Multilingual Plane,
// set when it is printable, so that repr() of long strings stays fast.
var bmpPrintable = func() *[0x10000 / 64]uint64 {
	var m [0x10000 / 64]uint64
	for _, rg := range printableRanges {
		for r := rg[0]; r <= rg[1] && r < 0x10000; r++ {
			m[r>>6] |= 1 << (r & 63)
		}
	}
	return &m
}()

// IsPrintable reports whether CPython 3.11's str.isprintable() is true for
// the one-character string chr(r): whether repr() keeps r as is. The table
// comes from CPython 3.11 (Unicode 14.0.0), not from Go's unicode package,
// whose Unicode version and rules differ.
func IsPrintable(r rune) bool {
	switch {
	case r < 0:
		return false
	case r < 0x10000:
		return bmpPrintable[r>>6]&(1<<(r&63)) != 0
	}
	lo, hi := 0, len(printableRanges)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if printableRanges[mid][1] < r {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(printableRanges) && printableRanges[lo][0] <= r
}
