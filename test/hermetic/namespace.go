//go:build linux

package hermetic

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// EnvInside is the environment variable that marks a process as running
// inside the world's namespaces. Its value names the namespaces the process
// must not be in (those of the process that re-executed it).
const EnvInside = "HERMETIC_INSIDE"

// resolverEnv are variables libc's resolver reads besides its files; they
// are removed so the host's environment cannot leak into the world.
var resolverEnv = []string{"LOCALDOMAIN", "RES_OPTIONS", "HOSTALIASES", "RESOLV_HOST_CONF", "RESOLV_MULTI", "RESOLV_REORDER", "RESOLV_SPOOF_CHECK", "RESOLV_ADD_TRIM_DOMAINS", "RESOLV_OVERRIDE_TRIM_DOMAINS", "NSS_NO_ENV"}

// Env is a world that is up: the process runs inside its namespaces.
type Env struct {
	// World is the world that was built.
	World World
	// Server is the world's nameserver on 127.0.0.1:53 and [::1]:53.
	Server *Server
	// HostResolvConf is the host's /etc/resolv.conf, read before the
	// world's own was mounted over it.
	HostResolvConf string
	// Dir is the private tmpfs holding the generated files.
	Dir string
	// OuterNamespaces names the mount, network and UTS namespaces of the
	// process that re-executed this one ("mnt:[…],net:[…],uts:[…]").
	OuterNamespaces string
}

var state struct {
	env  *Env
	err  error
	skip string
}

// Inside tells whether this process runs inside a world's namespaces.
func Inside() bool { return os.Getenv(EnvInside) != "" }

// Current returns the running world, or nil when there is none.
func Current() *Env { return state.env }

// Require returns the running world. It skips the test when the binary is
// not run as root, and fails it when the world could not be built or
// TestMain did not call Main.
func Require(t testing.TB) *Env {
	t.Helper()
	switch {
	case state.skip != "":
		t.Skip(state.skip)
	case state.err != nil:
		t.Fatalf("%v", state.err)
	case state.env == nil:
		t.Fatal("hermetic: no world: call os.Exit(hermetic.Main(m, world)) from TestMain")
	}
	return state.env
}

// Main enters the world w and runs m inside it; use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(hermetic.Main(m, hermetic.DefaultWorld())) }
//
// Outside the namespaces, as root, it re-executes the test binary with the
// same arguments in new mount, network and UTS namespaces and returns its
// exit code. Inside, it builds the world, runs m, tears the world down and
// returns m's code. Not as root, it runs m outside, where Require skips.
func Main(m *testing.M, w World) int { return Run(w, m.Run) }

// Run is Main for any function that runs tests and returns an exit code.
func Run(w World, run func() int) int {
	if v := os.Getenv(EnvInside); v != "" {
		return runInside(w, v, run)
	}
	if uid := os.Geteuid(); uid != 0 {
		state.skip = fmt.Sprintf("hermetic: not root (euid %d): building the resolver world needs root "+
			"to create mount, network and UTS namespaces; run the tests as root", uid)
		return run()
	}
	code, err := reexec()
	if err != nil {
		state.err = fmt.Errorf("hermetic: running as root but cannot enter new namespaces: %w", err)
		return run()
	}
	return code
}

// nsIDs names the mount and network namespaces of this process.
func nsIDs() (string, error) {
	var ids []string
	for _, ns := range []string{"mnt", "net", "uts"} {
		l, err := os.Readlink("/proc/self/ns/" + ns)
		if err != nil {
			return "", err
		}
		ids = append(ids, l)
	}
	return strings.Join(ids, ","), nil
}

// reexec runs this binary again in new namespaces and returns its code.
func reexec() (int, error) {
	ids, err := nsIDs()
	if err != nil {
		return 0, err
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	env := []string{EnvInside + "=" + ids}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == EnvInside || contains(resolverEnv, k) {
			continue
		}
		env = append(env, kv)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWNET | syscall.CLONE_NEWUTS,
		Pdeathsig:  syscall.SIGKILL,
	}
	// Pdeathsig fires when the creating thread ends: keep it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if code := ee.ExitCode(); code >= 0 {
			return code, nil
		}
		fmt.Fprintf(os.Stderr, "hermetic: test binary in the namespace ended: %v\n", err)
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func runInside(w World, outerIDs string, run func() int) int {
	env, err := build(w, outerIDs)
	if err != nil {
		state.err = fmt.Errorf("hermetic: running as root but the world could not be built: %w", err)
		if env != nil {
			env.teardown()
		}
		return run()
	}
	state.env = env
	code := run()
	state.env = nil
	if err := env.teardown(); err != nil {
		fmt.Fprintf(os.Stderr, "hermetic: teardown: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// build sets the world up in the namespaces this process already is in.
func build(w World, outerIDs string) (*Env, error) {
	if err := w.validate(); err != nil {
		return nil, err
	}
	ids, err := nsIDs()
	if err != nil {
		return nil, err
	}
	outer, inner := strings.Split(outerIDs, ","), strings.Split(ids, ",")
	if len(outer) != len(inner) {
		return nil, fmt.Errorf("%s=%q is malformed", EnvInside, outerIDs)
	}
	for i := range inner {
		if inner[i] == outer[i] {
			// Never touch mounts or the network of the host.
			return nil, fmt.Errorf("still in the outer namespace %s: refusing to build the world there", inner[i])
		}
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("mount --make-rprivate /: %w", err)
	}
	for _, k := range resolverEnv {
		_ = os.Unsetenv(k)
	}
	env := &Env{World: w, OuterNamespaces: outerIDs}
	if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		env.HostResolvConf = string(b)
	}
	if err := env.mountFiles(); err != nil {
		return env, err
	}
	if err := syscall.Sethostname([]byte(w.Hostname)); err != nil {
		return env, fmt.Errorf("sethostname %q: %w", w.Hostname, err)
	}
	if err := setupNetwork(w); err != nil {
		return env, err
	}
	srv, err := NewServer(w.Zone)
	if err != nil {
		return env, err
	}
	env.Server = srv
	if err := srv.Start("127.0.0.1:53", "[::1]:53"); err != nil {
		return env, err
	}
	return env, nil
}

// mountFiles writes the world's files to a private tmpfs and bind-mounts
// each over its /etc path.
func (e *Env) mountFiles() error {
	dir, err := os.MkdirTemp("", "hermetic-etc-")
	if err != nil {
		return err
	}
	e.Dir = dir
	if err := syscall.Mount("hermetic", dir, "tmpfs", 0, "size=4m,mode=0755"); err != nil {
		return fmt.Errorf("mount tmpfs on %s: %w", dir, err)
	}
	files := e.World.Files()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		src := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(src, []byte(files[p]), 0o644); err != nil {
			return err
		}
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("cannot bind-mount over %s: %w", p, err)
		}
		if err := syscall.Mount(src, p, "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind-mount %s on %s: %w", src, p, err)
		}
	}
	return nil
}

func (e *Env) teardown() error {
	var errs []error
	if e.Server != nil {
		if err := e.Server.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if e.Dir != "" {
		// Files stay bind-mounted; only the tmpfs is detached, and the
		// empty directory it was on removed.
		_ = syscall.Unmount(e.Dir, syscall.MNT_DETACH)
		if err := os.Remove(e.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ip runs the ip(8) command, with a time limit.
func ip(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// setupNetwork brings up loopback and, when the world has addresses, a
// veth pair whose both ends stay in the namespace.
func setupNetwork(w World) error {
	if err := ip("link", "set", "lo", "up"); err != nil {
		return err
	}
	if len(w.Addrs) > 0 {
		// No duplicate address detection: addresses are usable at once and
		// never "tentative", so source address selection is stable.
		for _, f := range []string{"/proc/sys/net/ipv6/conf/default/accept_dad", "/proc/sys/net/ipv6/conf/all/accept_dad"} {
			if err := os.WriteFile(f, []byte("0\n"), 0o644); err != nil {
				return fmt.Errorf("disable IPv6 DAD: %w", err)
			}
		}
		if err := ip("link", "add", Interface, "type", "veth", "peer", "name", PeerInterface); err != nil {
			return err
		}
		for _, dev := range []string{PeerInterface, Interface} {
			if err := ip("link", "set", dev, "up"); err != nil {
				return err
			}
		}
		for _, a := range w.Addrs {
			args := []string{"addr", "add", a, "dev", Interface}
			if strings.Contains(a, ":") {
				args = []string{"-6", "addr", "add", a, "dev", Interface, "nodad"}
			}
			if err := ip(args...); err != nil {
				return err
			}
		}
		if w.DefaultRoutes {
			if err := ip("route", "add", "default", "dev", Interface); err != nil {
				return err
			}
			if err := ip("-6", "route", "add", "default", "dev", Interface); err != nil {
				return err
			}
		}
	}
	// Wait, bounded, until both loopback addresses can be bound.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var err error
		for _, a := range []string{"127.0.0.1:0", "[::1]:0"} {
			var c net.PacketConn
			if c, err = net.ListenPacket("udp", a); err != nil {
				break
			}
			_ = c.Close()
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("loopback not usable after 5s: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RemoveAddr removes a CIDR address (one of World.Addrs) from Interface,
// e.g. to see what libc's AI_ADDRCONFIG does on a host without IPv6.
// AddAddr puts it back; tests that remove one should restore it in
// t.Cleanup. Neither is safe to use from parallel tests.
func (e *Env) RemoveAddr(cidr string) error {
	if strings.Contains(cidr, ":") {
		return ip("-6", "addr", "del", cidr, "dev", Interface)
	}
	return ip("addr", "del", cidr, "dev", Interface)
}

// AddAddr adds a CIDR address to Interface (IPv6 without duplicate address
// detection), and restores the default route of its family when
// World.DefaultRoutes is set and the route went with the address.
func (e *Env) AddAddr(cidr string) error {
	v6 := strings.Contains(cidr, ":")
	args := []string{"addr", "add", cidr, "dev", Interface}
	fam := "-4"
	if v6 {
		args = []string{"-6", "addr", "add", cidr, "dev", Interface, "nodad"}
		fam = "-6"
	}
	if err := ip(args...); err != nil {
		return err
	}
	if e.World.DefaultRoutes {
		return ip(fam, "route", "replace", "default", "dev", Interface)
	}
	return nil
}

// SetIPv6 turns IPv6 off or on for both ends of the world's veth (the
// disable_ipv6 sysctl), link-local addresses included: with it off the
// namespace has IPv6 on loopback only, as a host without IPv6 has. Turning
// it on again restores the IPv6 addresses of World.Addrs and the route.
func (e *Env) SetIPv6(on bool) error {
	v := "1\n"
	if on {
		v = "0\n"
	}
	for _, dev := range []string{Interface, PeerInterface} {
		if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+dev+"/disable_ipv6", []byte(v), 0o644); err != nil {
			return err
		}
	}
	if !on {
		return nil
	}
	for _, a := range e.World.Addrs {
		if strings.Contains(a, ":") {
			if err := e.AddAddr(a); err != nil {
				return err
			}
		}
	}
	return nil
}
