//go:build linux

package hermetic

import (
	"fmt"
	"strings"
)

// World describes a resolver world: the files libc and Go read, the host
// name, the addresses the namespace has, and the zone its nameserver serves.
type World struct {
	// Hostname is set with sethostname(2) in the namespace.
	Hostname string
	// Hosts are the lines of /etc/hosts.
	Hosts []string
	// Search is the search list of resolv.conf.
	Search []string
	// ResolvOptions are the words of resolv.conf's options line.
	ResolvOptions []string
	// ResolvExtra are more resolv.conf lines, written after the rest.
	ResolvExtra []string
	// NSSwitch are the lines of /etc/nsswitch.conf.
	NSSwitch []string
	// GaiConf are the lines of /etc/gai.conf.
	GaiConf []string
	// HostConf are the lines of /etc/host.conf.
	HostConf []string
	// Services are the lines of /etc/services.
	Services []string
	// Addrs are CIDR addresses put on the veth interface of the namespace
	// (see Interface). They give libc's AI_ADDRCONFIG non-loopback
	// addresses to see and RFC 6724 sorting source addresses to pick. An
	// empty list leaves only loopback.
	Addrs []string
	// DefaultRoutes adds IPv4 and IPv6 default routes through the veth
	// interface, so every destination has a source address. Packets sent
	// that way end at the peer end, inside the namespace.
	DefaultRoutes bool
	// Zone is what the nameserver on 127.0.0.1:53 and [::1]:53 answers.
	Zone Zone
}

// Interface is the name of the veth end that carries World.Addrs; its peer
// is PeerInterface. Both ends live in the namespace.
const (
	Interface     = "hveth0"
	PeerInterface = "hveth1"
)

// DefaultWorld returns the world the package's own tests, the lookup table
// and the golden files use. Its zone is DefaultZone.
func DefaultWorld() World {
	return World{
		Hostname: "hermes",
		Hosts: []string{
			"127.0.0.1\tlocalhost",
			"::1\tlocalhost ip6-localhost ip6-loopback",
			"127.0.1.1\thermes.corp.test hermes",
			"# a name with aliases, on several lines, with an IPv6 line",
			"192.0.2.100\tfiles.test files alias-one.test",
			"192.0.2.101\tfiles.test",
			"2001:db8::100\tfiles.test files6.test",
			"192.0.2.104\tanother.test files.test",
			"# names the zone has too, with other addresses",
			"192.0.2.102\tdual.test",
			"198.51.100.77\tshadowed.test",
			"192.0.2.103\tMixed.Case.test",
			"fe80::1%lo\tlinklocal.test",
		},
		Search:        []string{"corp.test", "lab.test"},
		ResolvOptions: []string{"timeout:1", "attempts:1", "ndots:1"},
		NSSwitch: []string{
			"hosts: files dns",
			"networks: files",
			"services: files",
			"protocols: files",
		},
		GaiConf: []string{
			"# Not glibc's default table: IPv4 is preferred (100) and",
			"# 2001:db8:1::/48 is put above other IPv6 addresses (45).",
			"# Any precedence line drops glibc's built-in table, so it is all here.",
			"label ::1/128 0",
			"label ::/0 1",
			"label 2002::/16 2",
			"label ::/96 3",
			"label ::ffff:0:0/96 4",
			"label fec0::/10 5",
			"label fc00::/7 6",
			"label 2001:0::/32 7",
			"precedence ::1/128 50",
			"precedence ::/0 40",
			"precedence 2001:db8:1::/48 45",
			"precedence 2002::/16 30",
			"precedence ::/96 20",
			"precedence ::ffff:0:0/96 100",
		},
		HostConf: []string{"multi on"},
		Services: []string{
			"ssh\t22/tcp",
			"domain\t53/tcp",
			"domain\t53/udp",
			"http\t80/tcp\twww",
			"ntp\t123/udp",
			"https\t443/tcp",
			"https\t443/udp",
			"syslog\t514/udp",
			"shell\t514/tcp\tcmd",
		},
		Addrs:         []string{"198.51.100.2/24", "2001:db8:ffff::2/64"},
		DefaultRoutes: true,
		Zone:          DefaultZone(),
	}
}

// Files returns the generated contents of the files the world bind-mounts,
// keyed by their path under /etc.
func (w World) Files() map[string]string {
	lines := func(l []string) string {
		if len(l) == 0 {
			return ""
		}
		return strings.Join(l, "\n") + "\n"
	}
	var rc []string
	rc = append(rc, "# hermetic test world: the only nameserver is in this network namespace")
	rc = append(rc, "nameserver 127.0.0.1")
	if len(w.Search) > 0 {
		rc = append(rc, "search "+strings.Join(w.Search, " "))
	}
	if len(w.ResolvOptions) > 0 {
		rc = append(rc, "options "+strings.Join(w.ResolvOptions, " "))
	}
	rc = append(rc, w.ResolvExtra...)
	return map[string]string{
		"/etc/hosts":         lines(w.Hosts),
		"/etc/resolv.conf":   lines(rc),
		"/etc/nsswitch.conf": lines(w.NSSwitch),
		"/etc/gai.conf":      lines(w.GaiConf),
		"/etc/host.conf":     lines(w.HostConf),
		"/etc/services":      lines(w.Services),
	}
}

// validate reports a World that cannot be built.
func (w World) validate() error {
	if w.Hostname == "" {
		return fmt.Errorf("hermetic: World.Hostname is empty")
	}
	_, err := compileZone(w.Zone)
	return err
}
