package main

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// svgText is a <text> element of the chart.
type svgText struct {
	x, anchor, baseline, text string
}

// svgTexts parses svg and returns its <text> elements in document order.
func svgTexts(t *testing.T, svg string) []svgText {
	t.Helper()
	var out []svgText
	dec := xml.NewDecoder(strings.NewReader(svg))
	var cur *svgText
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "text" {
				cur = &svgText{}
				for _, a := range tok.Attr {
					switch a.Name.Local {
					case "x":
						cur.x = a.Value
					case "text-anchor":
						cur.anchor = a.Value
					case "dominant-baseline":
						cur.baseline = a.Value
					}
				}
			}
		case xml.CharData:
			if cur != nil {
				cur.text += string(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "text" && cur != nil {
				out = append(out, *cur)
				cur = nil
			}
		}
	}
	return out
}

func TestRatioSVG_EveryRowSaysItsUnitAndTheAxisSaysCost(t *testing.T) {
	r := worstCaseRun()
	svg := RatioSVG(r)
	texts := svgTexts(t, svg)

	var rows, ticks []string
	var axis string
	for _, tx := range texts {
		switch {
		case tx.x == "10" && tx.baseline == "middle":
			rows = append(rows, tx.text)
		case tx.anchor == "middle" && strings.HasSuffix(tx.text, "×"):
			ticks = append(ticks, tx.text)
		case tx.anchor == "middle":
			axis = tx.text
		}
	}
	var want []string
	for _, k := range r.metricKeys(false) {
		want = append(want, k.Op+" ("+k.Unit+")")
	}
	assert.Equal(t, want, rows, "one row per metric, labelled with its unit")
	assert.Contains(t, rows, "pingpong_tcp (us/rtt)")
	assert.Contains(t, rows, "bulk_tcp (MB/s)")
	assert.Contains(t, rows, "bulk_tcp (cpu_s/GiB)")
	assert.Contains(t, rows, "idle_10k (rss_kib)")

	assert.Equal(t, "the facade's cost, × the other implementation's (log scale)", axis)
	assert.Contains(t, ticks, "1×", "tick labels are multiples of the other implementation's cost")
	assert.True(t, strings.Contains(svg, ">0.00456×<"), "bar labels too")

	// Self-contained: no links, images, fonts or style sheets.
	for _, ref := range []string{"href", "url(", "<image", "<style", "@import"} {
		assert.False(t, strings.Contains(svg, ref), ref)
	}
}

func TestRatioSVG_FallbackAxisNamesThePairOrder(t *testing.T) {
	texts := svgTexts(t, RatioSVG(sampleRun()))
	var found bool
	for _, tx := range texts {
		found = found || tx.text == "cost of the first implementation, × the second's (log scale)"
	}
	assert.True(t, found)
	assert.Contains(t, texts, svgText{x: "10", baseline: "middle", text: "gethostname (ns/op)"})
	assert.Contains(t, texts, svgText{x: "10", baseline: "middle", text: "connect_accept_close (conn/s)"})
}
