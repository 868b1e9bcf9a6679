//go:build linux

// Package hermetic builds a private, hermetic resolver world for tests.
//
// A test package enters the world from its TestMain:
//
//	func TestMain(m *testing.M) {
//		os.Exit(hermetic.Main(m, hermetic.DefaultWorld()))
//	}
//
// Run as root, Main re-executes the test binary in fresh mount, network and
// UTS namespaces. Inside, it makes every mount private, brings up loopback
// and a veth pair whose two ends both live in the namespace, bind-mounts a
// generated /etc/hosts, /etc/resolv.conf, /etc/nsswitch.conf, /etc/gai.conf,
// /etc/host.conf and /etc/services over the real ones, sets its own host
// name, and starts a DNS server (github.com/miekg/dns) on 127.0.0.1:53 and
// [::1]:53, UDP and TCP, serving the World's zone. Only then does it run the
// tests. No query can leave the namespace: the only nameserver is that
// server and the namespace has no link to the outside.
//
// Each test calls Require, which returns the running Env, skips when the
// binary is not run as root, and fails when the world could not be built:
//
//	func TestSomething(t *testing.T) {
//		env := hermetic.Require(t)
//		env.Server.SetDelay(2 * time.Second) // or env.Server.Drop()
//		defer env.Server.Resume()
//		...
//		n := env.Server.Count("multi.test", dns.TypeA)
//	}
//
// Env also changes the namespace's addresses at run time: SetIPv6(false)
// leaves IPv6 on loopback only, RemoveAddr and AddAddr take a World.Addrs
// address away and back (see TestAddrConfigFollowsInterfaces).
//
// The package also holds the lookup table (testdata/lookups.txt), CPython's
// answers to it in this world (testdata/cpython.golden), CompareWithCPython
// to check another evaluator (csock's pysock binary or facade) against them
// line by line, and the pure-Go comparison (testdata/godiff.md). After a
// change to the table, the zone or the world, regenerate both with
//
//	go test ./test/hermetic -run 'TestCPythonGolden|TestGenerateGoDiff|TestReadmeGoDiff' -update
//
// and review the diff. README.md describes the zone.
package hermetic
