package idna

import "sort"

// The types below are those of the generated tables in tables.go.

// runeRange is the closed interval [lo, hi] of code points.
type runeRange struct {
	lo, hi rune
}

// inRanges reports whether r lies in one of the sorted, disjoint ranges t.
func inRanges(t []runeRange, r rune) bool {
	i := sort.Search(len(t), func(i int) bool { return t[i].hi >= r })
	return i < len(t) && t[i].lo <= r
}

// mapRun maps lo, lo+stride, ..., hi (stride 1 or 2) to r+delta each.  The
// code points a stride-2 run steps over are not mapped.
type mapRun struct {
	lo, hi, stride, delta rune
}

// mapMulti maps one code point to a string of any other length.
type mapMulti struct {
	r  rune
	to string
}

// runeMapping is a code point to string mapping; code points in neither list
// map to themselves.  Runs and multi entries never overlap and both are
// sorted.
type runeMapping struct {
	runs  []mapRun
	multi []mapMulti
}

// appendMapped appends the image of r under m to dst and returns the
// extended slice.
func (m *runeMapping) appendMapped(dst []rune, r rune) []rune {
	runs := m.runs
	if i := sort.Search(len(runs), func(i int) bool { return runs[i].hi >= r }); i < len(runs) {
		if run := runs[i]; run.lo <= r && (r-run.lo)%run.stride == 0 {
			return append(dst, r+run.delta)
		}
	}
	multi := m.multi
	if i := sort.Search(len(multi), func(i int) bool { return multi[i].r >= r }); i < len(multi) && multi[i].r == r {
		for _, x := range multi[i].to {
			dst = append(dst, x)
		}
		return dst
	}
	return append(dst, r)
}

// cccRange gives the canonical combining class of lo to hi.
type cccRange struct {
	lo, hi rune
	ccc    uint8
}

// combiningClass returns the canonical combining class CPython's normaliser
// uses for r; 0 for starters and for code points it does not know.
func combiningClass(r rune) uint8 {
	t := combiningClasses
	i := sort.Search(len(t), func(i int) bool { return t[i].hi >= r })
	if i < len(t) && t[i].lo <= r {
		return t[i].ccc
	}
	return 0
}

// compPair says that first followed by second composes to composite.
type compPair struct {
	first, second, composite rune
}

// compose returns the primary composite of first and second, if any.
func compose(first, second rune) (rune, bool) {
	t := compositions
	i := sort.Search(len(t), func(i int) bool {
		return t[i].first > first || t[i].first == first && t[i].second >= second
	})
	if i < len(t) && t[i].first == first && t[i].second == second {
		return t[i].composite, true
	}
	return 0, false
}

// composesFirst reports whether r is the first code point of some
// composition pair.
func composesFirst(r rune) bool {
	t := compositions
	i := sort.Search(len(t), func(i int) bool { return t[i].first >= r })
	return i < len(t) && t[i].first == r
}
