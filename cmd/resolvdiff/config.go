//go:build linux

package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// line is one line of a configuration file, numbered from 1, without its comment.
type line struct {
	N    int
	Text string
}

// config is what resolvdiff reads of the machine's resolver configuration.
type config struct {
	NSSwitch, GaiConf, ResolvConf, Hosts, HostConf []line
	// Env holds the resolver variables of the environment that are set (LOCALDOMAIN,
	// RES_OPTIONS, HOSTALIASES): libc reads them, Go's pure resolver does not.
	Env map[string]string
}

// The files, as explanations name them.
const (
	fileNSSwitch = "/etc/nsswitch.conf"
	fileGaiConf  = "/etc/gai.conf"
	fileResolv   = "/etc/resolv.conf"
	fileHosts    = "/etc/hosts"
	fileHostConf = "/etc/host.conf"
)

// readConfig reads the files under root (a missing file reads as empty) and the
// environment.
func readConfig(root string) *config {
	read := func(name string) []line {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			return nil
		}
		return parseLines(string(b))
	}
	cfg := &config{
		NSSwitch:   read(fileNSSwitch),
		GaiConf:    read(fileGaiConf),
		ResolvConf: read(fileResolv),
		Hosts:      read(fileHosts),
		HostConf:   read(fileHostConf),
		Env:        map[string]string{},
	}
	for _, k := range []string{"LOCALDOMAIN", "RES_OPTIONS", "HOSTALIASES"} {
		if v, ok := os.LookupEnv(k); ok {
			cfg.Env[k] = v
		}
	}
	return cfg
}

// parseLines splits a file into its non-empty lines without "#" comments.
func parseLines(text string) []line {
	var out []line
	for i, l := range strings.Split(text, "\n") {
		if c := strings.IndexByte(l, '#'); c >= 0 {
			l = l[:c]
		}
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, line{N: i + 1, Text: l})
		}
	}
	return out
}

// nssSource is one source of an nsswitch.conf database line, with the criteria
// ("[NOTFOUND=return]") written after it.
type nssSource struct {
	Name     string
	Criteria string
}

// nssHosts returns the "hosts:" line of nsswitch.conf and its sources.
func (c *config) nssHosts() (line, []nssSource, bool) {
	for _, l := range c.NSSwitch {
		db, rest, ok := strings.Cut(l.Text, ":")
		if !ok || strings.TrimSpace(db) != "hosts" {
			continue
		}
		var srcs []nssSource
		for _, f := range strings.Fields(rest) {
			if strings.HasPrefix(f, "[") || strings.HasSuffix(f, "]") || strings.Contains(f, "=") {
				if len(srcs) > 0 {
					srcs[len(srcs)-1].Criteria = strings.TrimSpace(srcs[len(srcs)-1].Criteria + " " + f)
				}
				continue
			}
			srcs = append(srcs, nssSource{Name: f})
		}
		return l, srcs, true
	}
	return line{}, nil, false
}

// gaiRule is a precedence, label or scopev4 line of gai.conf.
type gaiRule struct {
	Line   line
	Kind   string
	Prefix netip.Prefix
}

// gaiRules parses gai.conf's rules.
func (c *config) gaiRules() []gaiRule {
	var out []gaiRule
	for _, l := range c.GaiConf {
		f := strings.Fields(l.Text)
		if len(f) != 3 || (f[0] != "precedence" && f[0] != "label" && f[0] != "scopev4") {
			continue
		}
		p, err := netip.ParsePrefix(f[1])
		if err != nil {
			if a, aerr := netip.ParseAddr(f[1]); aerr == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			} else {
				continue
			}
		}
		out = append(out, gaiRule{Line: l, Kind: f[0], Prefix: p})
	}
	return out
}

// resolvOption is one word of resolv.conf's options lines (or of RES_OPTIONS).
type resolvOption struct {
	Line line // N is 0 for RES_OPTIONS
	Word string
}

// resolv returns resolv.conf's options, search list (the last search or domain line, as
// libc reads it) and ndots (1 unless set).
func (c *config) resolv() (opts []resolvOption, search []string, searchLine line, ndots int) {
	ndots = 1
	for _, l := range c.ResolvConf {
		f := strings.Fields(l.Text)
		switch f[0] {
		case "options":
			for _, w := range f[1:] {
				opts = append(opts, resolvOption{Line: l, Word: w})
			}
		case "search", "domain":
			search, searchLine = f[1:], l
		}
	}
	if v, ok := c.Env["RES_OPTIONS"]; ok {
		for _, w := range strings.Fields(v) {
			opts = append(opts, resolvOption{Line: line{Text: "RES_OPTIONS=" + v}, Word: w})
		}
	}
	for _, o := range opts {
		if v, ok := strings.CutPrefix(o.Word, "ndots:"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				ndots = max(0, min(n, 15))
			}
		}
	}
	return opts, search, searchLine, ndots
}

// hostsLines returns the /etc/hosts lines that name name (as a host name or an alias,
// compared without case and without a final dot), and each one's first name.
func (c *config) hostsLines(name string) []line {
	name = strings.TrimSuffix(name, ".")
	var out []line
	for _, l := range c.Hosts {
		f := strings.Fields(l.Text)
		for _, n := range f[1:] {
			if strings.EqualFold(n, name) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// hostConfMulti returns host.conf's multi line, if any.
func (c *config) hostConfMulti() (line, bool) {
	for _, l := range c.HostConf {
		if f := strings.Fields(l.Text); len(f) >= 1 && f[0] == "multi" {
			return l, true
		}
	}
	return line{}, false
}

// hostsLinesFor returns the /etc/hosts lines whose address is addr.
func (c *config) hostsLinesFor(addr netip.Addr) []line {
	var out []line
	for _, l := range c.Hosts {
		f := strings.Fields(l.Text)
		if a, err := netip.ParseAddr(f[0]); err == nil && a.WithZone("") == addr.WithZone("") {
			out = append(out, l)
		}
	}
	return out
}
