package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// fallbackPairs are charted while the facade has no measurements, so the
// chart still shows something true; its title says so.
var fallbackPairs = [][2]string{{"go", "c"}, {"gocgo", "go"}, {"python", "c"}}

// pairColors are the bar colours, by position in the charted pairs.
var pairColors = []string{"#4e79a7", "#59a14f", "#e15759"}

// chartBar is one bar: a ratio summary for one metric and pair.
type chartBar struct {
	pair int
	s    Summary
}

// RatioSVG draws the facade's cost ratios against c, go and python (or,
// until the facade is measured, fallbackPairs) as horizontal bars on a log
// scale from a line at 1.0, with min–max whiskers, one row per metric
// labelled with its unit; the axis reads as "× the other implementation's
// cost". Hand-written, self-contained SVG, no dependencies.
func RatioSVG(r *Run) string {
	pairs := make([][2]string, 0, len(facadePeers))
	for _, p := range facadePeers {
		pairs = append(pairs, [2]string{"facade", p})
	}
	title := "csock facade: its cost × each other implementation's (median of per-round ratios, min–max whiskers)"
	axis := "the facade's cost, × the other implementation's (log scale)"
	type group struct {
		name string
		bars []chartBar
	}
	collect := func(pairs [][2]string) []group {
		var gs []group
		for _, k := range r.metricKeys(false) {
			g := group{name: chartLabel(k)}
			for i, p := range pairs {
				if s, ok := r.Data.Ratio(k, p[0], p[1]); ok {
					g.bars = append(g.bars, chartBar{i, s})
				}
			}
			if len(g.bars) > 0 {
				gs = append(gs, g)
			}
		}
		return gs
	}
	groups := collect(pairs)
	if len(groups) == 0 {
		pairs = fallbackPairs
		groups = collect(pairs)
		title = "facade not measured yet: showing go/c, gocgo/go and python/c cost ratios instead"
		axis = "cost of the first implementation, × the second's (log scale)"
	}

	const (
		width   = 980
		labelX  = 10
		x0, x1  = 270.0, 860.0
		top     = 94
		barH    = 9
		barStep = 12
		gap     = 10
	)
	lo, hi := 1.0, 1.0
	for _, g := range groups {
		for _, b := range g.bars {
			lo = math.Min(lo, b.s.Min)
			hi = math.Max(hi, b.s.Max)
		}
	}
	lo10, hi10 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if hi10-lo10 < 2 {
		lo10, hi10 = lo10-1, hi10+1
	}
	x := func(v float64) float64 { return x0 + (math.Log10(v)-lo10)/(hi10-lo10)*(x1-x0) }

	height := top + 40
	for _, g := range groups {
		height += len(g.bars)*barStep + gap
	}
	if len(groups) == 0 {
		height += 40
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", labelX, esc(title))
	fmt.Fprintf(&b, `<text x="%d" y="38" fill="#555">above 1× = slower or more costly (for MB/s and conn/s the ratio is inverted, so this holds)</text>`+"\n", labelX)
	fmt.Fprintf(&b, `<text x="%d" y="54" fill="#777" font-size="10">machine: %s, %v cores, %s mode</text>`+"\n",
		labelX, esc(cut(fmt.Sprint(r.Machine["cpu_model"]), 100)), r.Machine["cores"], r.Machine["mode"])
	for i, p := range pairs {
		lx := labelX + i*170
		fmt.Fprintf(&b, `<rect x="%d" y="64" width="12" height="10" fill="%s"/><text x="%d" y="73">%s/%s</text>`+"\n",
			lx, pairColors[i%len(pairColors)], lx+16, esc(p[0]), esc(p[1]))
	}
	plotBottom := height - 40
	// Decade grid lines with 2x and 5x minor lines.
	for e := lo10; e <= hi10; e++ {
		v := math.Pow(10, e)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ccc"/>`+"\n", x(v), top-8, x(v), plotBottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s×</text>`+"\n", x(v), plotBottom+14, decade(e))
		if e < hi10 {
			for _, m := range []float64{2, 5} {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>`+"\n", x(m*v), top-8, x(m*v), plotBottom)
			}
		}
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>`+"\n", (x0+x1)/2, plotBottom+30, esc(axis))

	y := top
	for _, g := range groups {
		gh := len(g.bars) * barStep
		fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", labelX, y+gh/2, esc(g.name))
		for _, bar := range g.bars {
			cy := float64(y) + barH/2.0
			a, c := x(1), x(bar.s.Median)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s/%s %s: %s</title></rect>`+"\n",
				math.Min(a, c), y, math.Max(math.Abs(c-a), 1), barH, pairColors[bar.pair%len(pairColors)],
				esc(pairs[bar.pair][0]), esc(pairs[bar.pair][1]), esc(g.name), esc(fmtSummary(bar.s)))
			lx, hx := x(bar.s.Min), x(bar.s.Max)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222"/>`+"\n", lx, cy, hx, cy)
			for _, wx := range []float64{lx, hx} {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222"/>`+"\n", wx, y+1, wx, y+barH-1)
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" dominant-baseline="middle" font-size="10">%s×</text>`+"\n",
				math.Max(math.Max(a, c), hx)+4, cy, esc(fmtNum(bar.s.Median)))
			y += barStep
		}
		y += gap
	}
	if len(groups) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#a00">no paired measurements to chart</text>`+"\n", labelX, top+20)
	}
	// The reference line at 1.0, drawn last so that it stays visible.
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black" stroke-width="1.5" stroke-dasharray="4 2"/>`+"\n", x(1), top-8, x(1), plotBottom)
	b.WriteString("</svg>\n")
	return b.String()
}

// chartLabel names a row of the chart with its unit: "bulk_tcp (MB/s)",
// "bulk_tcp (cpu_s/GiB)".
func chartLabel(k MetricKey) string { return k.Op + " (" + k.Unit + ")" }

// decade labels 10^e as a plain number.
func decade(e float64) string {
	if e >= 0 {
		return fmt.Sprintf("%.0f", math.Pow(10, e))
	}
	return strings.TrimRight(fmt.Sprintf("%.*f", int(-e), math.Pow(10, e)), "0")
}

// esc escapes text for SVG.
func esc(s string) string { return html.EscapeString(s) }
