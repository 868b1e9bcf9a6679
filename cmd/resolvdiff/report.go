//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// report is the whole output; --json prints it as it is:
//
//	{"differ": true, "names": [{"name": "multi.test", "lookup": "forward",
//	  "answers": {"libc": {"addrs": [...], "cname": "multi.test."}, "go": {...}, "cgo": {...}},
//	  "differences": [{"resolver": "go", "kinds": ["order"],
//	    "explanations": [{"source": "/etc/gai.conf", "line": 17, "text": "precedence ::ffff:0:0/96 100", "why": "..."}]}]}]}
//
// An answer has addrs/addrs_err and cname/cname_err (forward lookups) or names/names_err
// (reverse lookups); an error is {"text", "class" ("not found", "temporary", "timeout",
// "other"), "libc" (libc's EAI_* or h_errno name, for libc's errors)}.
type report struct {
	Differ bool         `json:"differ"`
	Names  []nameReport `json:"names"`
}

// nameReport is what resolvdiff found for one name.
type nameReport struct {
	Name        string            `json:"name"`
	Lookup      string            `json:"lookup"` // "forward" or "reverse"
	Answers     map[string]answer `json:"answers"`
	Differences []difference      `json:"differences"`
}

// difference is how one resolver's answer differs from libc's, and why.
type difference struct {
	Resolver     string        `json:"resolver"`
	Kinds        []string      `json:"kinds"`
	Explanations []explanation `json:"explanations"`
}

func writeJSON(w io.Writer, rep report) error {
	for i := range rep.Names {
		if rep.Names[i].Differences == nil {
			rep.Names[i].Differences = []difference{}
		}
		for j := range rep.Names[i].Differences {
			if rep.Names[i].Differences[j].Explanations == nil {
				rep.Names[i].Differences[j].Explanations = []explanation{}
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// labels name the resolvers in the text output.
var labels = map[string]string{
	resLibc: "libc",
	resGo:   "Go (pure)",
	resCgo:  "Go (cgo)",
}

func writeText(w io.Writer, rep report) {
	for i, nr := range rep.Names {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s lookup)\n", nr.Name, nr.Lookup)
		libc := nr.Answers[resLibc]
		for _, r := range []string{resLibc, resGo, resCgo} {
			a := nr.Answers[r]
			if r != resLibc && len(kinds(libc, a)) == 0 {
				fmt.Fprintf(w, "  %-10s same as libc\n", labels[r])
				continue
			}
			lines := answerText(a)
			for j, l := range lines {
				label := ""
				if j == 0 {
					label = labels[r]
				}
				fmt.Fprintf(w, "  %-10s %s\n", label, l)
			}
		}
		for _, d := range nr.Differences {
			fmt.Fprintf(w, "  %s differs from libc: %s\n", labels[d.Resolver], strings.Join(d.Kinds, "; "))
			if len(d.Explanations) == 0 {
				fmt.Fprintf(w, "    nothing resolvdiff reads explains it\n")
			}
			for _, e := range d.Explanations {
				where := e.Source
				if e.Line > 0 {
					where = fmt.Sprintf("%s:%d", e.Source, e.Line)
				}
				if e.Text != "" {
					where += ": " + e.Text
				}
				fmt.Fprintf(w, "    %s\n      %s\n", where, e.Why)
			}
		}
	}
	if rep.Differ {
		fmt.Fprintln(w, "\nthe resolvers differ")
	}
}

// answerText writes an answer on one or two lines.
func answerText(a answer) []string {
	errText := func(e *errInfo) string {
		s := "error: " + e.Text + " (" + e.Class
		if e.Libc != "" {
			s += ", " + e.Libc
		}
		return s + ")"
	}
	var out []string
	switch {
	case a.NamesErr != nil:
		out = append(out, errText(a.NamesErr))
	case a.Names != nil:
		out = append(out, strings.Join(a.Names, " "))
	case a.AddrsErr != nil:
		out = append(out, errText(a.AddrsErr))
	default:
		out = append(out, strings.Join(a.Addrs, " "))
	}
	switch {
	case a.CNAMEErr != nil:
		out = append(out, "canonical name: "+errText(a.CNAMEErr))
	case a.CNAME != "":
		out = append(out, "canonical name "+a.CNAME)
	}
	return out
}
