package py

import "sort"

//go:generate python3 gen/gen_printable.py printable_table.go

// IsPrintable reports whether CPython 3.11's str.isprintable() is true for
// the one-character string chr(r): whether repr() keeps r as is. The table
// comes from CPython 3.11 (Unicode 14.0.0), not from Go's unicode package,
// whose Unicode version and rules differ.
func IsPrintable(r rune) bool {
	if r < 0x7F {
		return r >= 0x20
	}
	i := sort.Search(len(printableRanges), func(i int) bool { return printableRanges[i][1] >= r })
	return i < len(printableRanges) && printableRanges[i][0] <= r
}
