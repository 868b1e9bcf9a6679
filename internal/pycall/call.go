//go:build linux

// Package pycall calls the facade's module functions by their Python names with Python
// values, parsing the arguments exactly as CPython parses them (arity, keywords,
// converters, and the messages of each). The pysock CLI and the C archive call the module
// through it; Go programs call the facade's typed functions directly.
package pycall

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"syscall"

	"github.com/csock/csock/csock"
	"github.com/csock/csock/facade"
	"github.com/csock/csock/internal/pyarg"
	"github.com/csock/csock/py"
)

// This file is the dynamic face of the module: calling a function by its Python name with
// Python values, parsed exactly as CPython parses them (arity, keywords, converters, and
// the messages of each). pysock and the C archive call the module through it; Go
// programs call the typed functions directly.

// Kwarg is a keyword argument of Call.
type Kwarg struct {
	Name  string
	Value any
}

// A parser is the argument-parsing convention of a CPython function, which decides the
// texts of its arity errors.
type parser int

const (
	parseTuple parser = iota // C, PyArg_ParseTuple: "f() takes exactly 1 argument (0 given)"
	noArgs                   // C, METH_NOARGS: "_socket.f() takes no arguments (1 given)"
	oneArg                   // C, METH_O: "_socket.f() takes exactly one argument (0 given)"
	pyFunc                   // Python function or keyword-aware C function: "f() missing 1 required ..."
)

// function describes one module function: how CPython parses its arguments, and the
// code that runs once they are bound (args has one slot per parameter, nil-padded;
// given reports how many were passed).
type function struct {
	parser   parser
	params   []string // parameter names, positional ones first
	min      int      // required positional parameters
	maxPos   int      // parameters that may be passed by position
	keywords bool     // whether keywords are accepted
	kwOnly   []string // keyword-only parameters (pyFunc)
	run      func(args []any, given int) (any, error)
}

var functions map[string]*function

// Functions lists the module functions Call knows, sorted.
func Functions() []string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Constant returns the module constant with the given Python name (AF_INET, SOMAXCONN,
// has_ipv6, ...).
func Constant(name string) (any, bool) {
	if name == "has_ipv6" {
		return facade.HasIPv6, true
	}
	v, ok := constants[name]
	return v, ok
}

// HasFunction reports whether Call knows the function name.
func HasFunction(name string) bool { _, ok := functions[name]; return ok }

// Call calls the module function name with Python argument values (see package
// package py for how Python values are held in Go), parsing them exactly as CPython
// would, and returns the Python result value. Failures are Python exceptions (the
// facade's error types); an unknown name is an error that is not.
func Call(name string, args []any, kwargs []Kwarg) (any, error) {
	f, ok := functions[name]
	if !ok {
		return nil, fmt.Errorf("facade: no function %q", name)
	}
	bound, given, err := f.bind(name, args, kwargs)
	if err != nil {
		return nil, err
	}
	return f.run(bound, given)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// bind matches args and kwargs to the parameters with CPython's rules and messages.
func (f *function) bind(name string, args []any, kwargs []Kwarg) ([]any, int, error) {
	n := len(args)
	typeErr := func(format string, a ...any) ([]any, int, error) {
		return nil, 0, &facade.TypeError{Msg: fmt.Sprintf(format, a...)}
	}
	switch f.parser {
	case noArgs:
		if len(kwargs) > 0 {
			return typeErr("_socket.%s() takes no keyword arguments", name)
		}
		if n > 0 {
			return typeErr("_socket.%s() takes no arguments (%d given)", name, n)
		}
		return nil, 0, nil
	case oneArg:
		if len(kwargs) > 0 {
			return typeErr("_socket.%s() takes no keyword arguments", name)
		}
		if n != 1 {
			return typeErr("_socket.%s() takes exactly one argument (%d given)", name, n)
		}
		return args, 1, nil
	case parseTuple:
		if len(kwargs) > 0 {
			return typeErr("%s() takes no keyword arguments", name)
		}
		switch {
		case f.min == f.maxPos && n != f.min:
			return typeErr("%s() takes exactly %d %s (%d given)", name, f.min, plural(f.min, "argument", "arguments"), n)
		case n < f.min:
			return typeErr("%s() takes at least %d %s (%d given)", name, f.min, plural(f.min, "argument", "arguments"), n)
		case n > f.maxPos:
			return typeErr("%s() takes at most %d %s (%d given)", name, f.maxPos, plural(f.maxPos, "argument", "arguments"), n)
		}
		bound := make([]any, len(f.params))
		copy(bound, args)
		return bound, n, nil
	}

	// pyFunc: CPython's binding of a Python function's arguments.
	bound := make([]any, len(f.params)+len(f.kwOnly))
	set := make([]bool, len(bound))
	for i := 0; i < n && i < f.maxPos; i++ {
		bound[i], set[i] = args[i], true
	}
	all := append(append([]string(nil), f.params...), f.kwOnly...)
	for _, kw := range kwargs {
		idx := -1
		for i, p := range all {
			if p == kw.Name {
				idx = i
			}
		}
		if idx < 0 || !f.keywords {
			return typeErr("%s() got an unexpected keyword argument '%s'", name, kw.Name)
		}
		if set[idx] {
			return typeErr("%s() got multiple values for argument '%s'", name, kw.Name)
		}
		bound[idx], set[idx] = kw.Value, true
	}
	if n > f.maxPos {
		if f.min == f.maxPos {
			return typeErr("%s() takes %d positional %s but %d %s given", name, f.maxPos, plural(f.maxPos, "argument", "arguments"), n, plural(n, "was", "were"))
		}
		return typeErr("%s() takes from %d to %d positional arguments but %d %s given", name, f.min, f.maxPos, n, plural(n, "was", "were"))
	}
	var missing []string
	for i := 0; i < f.min; i++ {
		if !set[i] {
			missing = append(missing, "'"+f.params[i]+"'")
		}
	}
	if len(missing) > 0 {
		list := missing[len(missing)-1]
		if len(missing) > 1 {
			list = strings.Join(missing[:len(missing)-1], ", ") + " and " + list
		}
		return typeErr("%s() missing %d required positional %s: %s", name, len(missing), plural(len(missing), "argument", "arguments"), list)
	}
	given := 0
	for i := range set {
		if set[i] {
			given = i + 1
		}
	}
	// Unset optional parameters are reported through the unset marker.
	for i := range bound {
		if !set[i] {
			bound[i] = unset{}
		}
	}
	return bound, given, nil
}

// unset marks an optional parameter that was not passed.
type unset struct{}

// intArg is the "i" converter for a bound argument that defaults to def when unset.
func intArg(v any, def int) (int, error) {
	if _, ok := v.(unset); ok {
		return def, nil
	}
	return pyarg.AsCInt(v)
}

// strArg is the "s" converter for argument argn of fn.
func strArg(v any, fn string, argn int) (string, error) {
	if _, err := pyarg.AsStr(v, fn, argn); err != nil {
		return "", err
	}
	return v.(string), nil
}

// htonlArg is the converter of htonl/ntohl (METH_O with an explicit int check).
func htonlArg(v any) (int64, error) {
	n, ok := py.AsInt(v)
	if !ok {
		return 0, &facade.TypeError{Msg: fmt.Sprintf("expected int, %s found", py.TypeName(v))}
	}
	if n.Sign() < 0 {
		return 0, &facade.OverflowError{Msg: "can't convert negative value to unsigned int"}
	}
	if !n.IsUint64() {
		return 0, &facade.OverflowError{Msg: "Python int too large to convert to C unsigned long"}
	}
	if n.Uint64() > 0xffffffff {
		return 0, &facade.OverflowError{Msg: "int larger than 32 bits"}
	}
	return n.Int64(), nil
}

func init() {
	functions = map[string]*function{
		"getaddrinfo": {parser: pyFunc, params: []string{"host", "port", "family", "type", "proto", "flags"},
			min: 2, maxPos: 6, keywords: true, run: func(a []any, _ int) (any, error) {
				var ints [4]int
				for i := range ints {
					v, err := intArg(a[2+i], 0)
					if err != nil {
						return nil, err
					}
					ints[i] = v
				}
				res, err := facade.GetAddrInfo(a[0], a[1], facade.AddressFamily(ints[0]), facade.SocketKind(ints[1]), ints[2], facade.AddressInfo(ints[3]))
				if err != nil {
					return nil, err
				}
				return py.ListOf(res), nil
			}},
		"getnameinfo": {parser: parseTuple, params: []string{"sockaddr", "flags"}, min: 2, maxPos: 2,
			run: func(a []any, _ int) (any, error) {
				// "Oi": the flags are converted before the tuple is looked at.
				flags, err := pyarg.AsCInt(a[1])
				if err != nil {
					return nil, err
				}
				// GetNameInfo checks the tuple after its flags, as "Oi" does.
				h, p, err := facade.GetNameInfo(a[0], flags)
				if err != nil {
					return nil, err
				}
				return py.Tuple{h, p}, nil
			}},
		"gethostbyname": {parser: parseTuple, params: []string{"hostname"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) { return facade.GetHostByName(a[0]) }},
		"gethostbyname_ex": {parser: parseTuple, params: []string{"hostname"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) { return facade.GetHostByNameEx(a[0]) }},
		"gethostbyaddr": {parser: parseTuple, params: []string{"ip_address"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) { return facade.GetHostByAddr(a[0]) }},
		"getfqdn": {parser: pyFunc, params: []string{"name"}, min: 0, maxPos: 1, keywords: true,
			run: func(a []any, _ int) (any, error) {
				if _, ok := a[0].(unset); ok {
					a[0] = ""
				}
				return facade.GetFQDN(a[0])
			}},
		"gethostname": {parser: noArgs, run: func([]any, int) (any, error) { return facade.GetHostName() }},
		"getservbyname": {parser: parseTuple, params: []string{"servicename", "protocolname"}, min: 1, maxPos: 2,
			run: func(a []any, given int) (any, error) {
				name, err := strArg(a[0], "getservbyname", 1)
				if err != nil {
					return nil, err
				}
				if given < 2 {
					return facade.GetServByName(name)
				}
				proto, err := strArg(a[1], "getservbyname", 2)
				if err != nil {
					return nil, err
				}
				return facade.GetServByName(name, proto)
			}},
		"getservbyport": {parser: parseTuple, params: []string{"port", "protocolname"}, min: 1, maxPos: 2,
			run: func(a []any, given int) (any, error) {
				port, err := pyarg.AsCInt(a[0])
				if err != nil {
					return nil, err
				}
				if given < 2 {
					return facade.GetServByPort(port)
				}
				proto, err := strArg(a[1], "getservbyport", 2)
				if err != nil {
					return nil, err
				}
				return facade.GetServByPort(port, proto)
			}},
		"getprotobyname": {parser: parseTuple, params: []string{"name"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) {
				name, err := strArg(a[0], "getprotobyname", 1)
				if err != nil {
					return nil, err
				}
				return facade.GetProtoByName(name)
			}},
		"inet_aton": {parser: parseTuple, params: []string{"ip_string"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) {
				s, err := strArg(a[0], "inet_aton", 1)
				if err != nil {
					return nil, err
				}
				return facade.InetAton(s)
			}},
		"inet_ntoa": {parser: parseTuple, params: []string{"packed_ip"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) {
				b, err := pyarg.AsBuffer(a[0])
				if err != nil {
					return nil, err
				}
				return facade.InetNtoa(b)
			}},
		"inet_pton": {parser: parseTuple, params: []string{"address_family", "ip_string"}, min: 2, maxPos: 2,
			run: func(a []any, _ int) (any, error) {
				af, err := pyarg.AsCInt(a[0])
				if err != nil {
					return nil, err
				}
				s, err := strArg(a[1], "inet_pton", 2)
				if err != nil {
					return nil, err
				}
				return facade.InetPton(facade.AddressFamily(af), s)
			}},
		"inet_ntop": {parser: parseTuple, params: []string{"address_family", "packed_ip"}, min: 2, maxPos: 2,
			run: func(a []any, _ int) (any, error) {
				af, err := pyarg.AsCInt(a[0])
				if err != nil {
					return nil, err
				}
				b, err := pyarg.AsBuffer(a[1])
				if err != nil {
					return nil, err
				}
				return facade.InetNtop(facade.AddressFamily(af), b)
			}},
		"if_nameindex": {parser: noArgs, run: func([]any, int) (any, error) {
			ifs, err := facade.IfNameIndex()
			if err != nil {
				return nil, err
			}
			return py.ListOf(ifs), nil
		}},
		"if_nametoindex": {parser: parseTuple, params: []string{"if_name"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) { return facade.IfNameToIndex(a[0]) }},
		"if_indextoname": {parser: oneArg, params: []string{"if_index"}, run: func(a []any, _ int) (any, error) {
			n, ok := py.AsInt(a[0])
			if !ok {
				return nil, &facade.TypeError{Msg: "an integer is required"}
			}
			if n.Sign() < 0 {
				return nil, &facade.OverflowError{Msg: "can't convert negative value to unsigned int"}
			}
			if !n.IsUint64() {
				return nil, &facade.OverflowError{Msg: "Python int too large to convert to C unsigned long"}
			}
			return facade.IfIndexToName(uint32(n.Uint64()))
		}},
		"htons": {parser: parseTuple, params: []string{"x"}, min: 1, maxPos: 1, run: func(a []any, _ int) (any, error) {
			return swapArg(a[0], facade.Htons)
		}},
		"ntohs": {parser: parseTuple, params: []string{"x"}, min: 1, maxPos: 1, run: func(a []any, _ int) (any, error) {
			return swapArg(a[0], facade.Ntohs)
		}},
		"htonl": {parser: oneArg, params: []string{"x"}, run: func(a []any, _ int) (any, error) {
			x, err := htonlArg(a[0])
			if err != nil {
				return nil, err
			}
			return facade.Htonl(x)
		}},
		"ntohl": {parser: oneArg, params: []string{"x"}, run: func(a []any, _ int) (any, error) {
			x, err := htonlArg(a[0])
			if err != nil {
				return nil, err
			}
			return facade.Ntohl(x)
		}},
		"create_connection": {parser: pyFunc, params: []string{"address", "timeout", "source_address"},
			min: 1, maxPos: 3, keywords: true, kwOnly: []string{"all_errors"},
			run: func(a []any, _ int) (any, error) {
				timeout, source, all := a[1], a[2], a[3]
				if _, ok := timeout.(unset); ok {
					timeout = facade.UseDefaultTimeout
				}
				if _, ok := source.(unset); ok {
					source = nil
				}
				if _, ok := all.(unset); ok {
					all = false
				}
				return facade.CreateConnection(a[0], timeout, source, pyarg.Truthy(all))
			}},
		"socketpair": {parser: pyFunc, params: []string{"family", "type", "proto"}, min: 0, maxPos: 3, keywords: true,
			run: func(a []any, _ int) (any, error) {
				// socket.py: family None is AF_UNIX; _socket.socketpair parses "|iii" and hands
				// what it was given to socketpair(2), -1 included.
				ints := [3]int{int(facade.AF_UNIX), int(facade.SOCK_STREAM), 0}
				for i, v := range a {
					if _, ok := v.(unset); ok || v == nil && i == 0 {
						continue
					}
					n, err := pyarg.AsCInt(v)
					if err != nil {
						return nil, err
					}
					ints[i] = n
				}
				if explicitMinusOne(a, ints[:]) {
					return socketPairRaw(ints[0], ints[1], ints[2])
				}
				x, y, err := facade.SocketPair(facade.AddressFamily(ints[0]), facade.SocketKind(ints[1]), ints[2])
				if err != nil {
					return nil, err
				}
				return py.Tuple{x, y}, nil
			}},
		"create_server": {parser: pyFunc, params: []string{"address"}, min: 1, maxPos: 1, keywords: true,
			kwOnly: []string{"family", "backlog", "reuse_port", "dualstack_ipv6"},
			run:    func(a []any, _ int) (any, error) { return createServer(a) }},
		"has_dualstack_ipv6": {parser: pyFunc, run: func([]any, int) (any, error) { return facade.HasDualStackIPv6(), nil }},
		"CMSG_LEN": {parser: parseTuple, params: []string{"length"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) {
				n, err := asSsize(a[0])
				if err != nil {
					return nil, err
				}
				return facade.CMSGLen(n)
			}},
		"CMSG_SPACE": {parser: parseTuple, params: []string{"length"}, min: 1, maxPos: 1,
			run: func(a []any, _ int) (any, error) {
				n, err := asSsize(a[0])
				if err != nil {
					return nil, err
				}
				return facade.CMSGSpace(n)
			}},
		"getdefaulttimeout": {parser: noArgs, run: func([]any, int) (any, error) { return facade.GetDefaultTimeout(), nil }},
		"setdefaulttimeout": {parser: oneArg, params: []string{"timeout"}, run: func(a []any, _ int) (any, error) {
			return nil, facade.SetDefaultTimeout(a[0])
		}},
	}
}

// createServer is socket.py's create_server on the bound arguments a (address, family,
// backlog, reuse_port, dualstack_ipv6), in its order: the dualstack_ipv6 checks compare
// family as it was given; socket(family, SOCK_STREAM) maps a family equal to -1 to
// AF_INET and converts the rest as a C int; bind comes before listen(backlog) converts
// the backlog.
func createServer(a []any) (any, error) {
	var opts facade.ServerOptions
	family, backlog := a[1], a[2]
	if _, ok := family.(unset); ok {
		family = facade.AF_INET
	}
	if _, ok := a[3].(unset); !ok {
		opts.ReusePort = pyarg.Truthy(a[3])
	}
	if _, ok := a[4].(unset); !ok {
		opts.DualStackIPv6 = pyarg.Truthy(a[4])
	}
	if opts.DualStackIPv6 {
		if !facade.HasDualStackIPv6() {
			return nil, &facade.ValueError{Msg: "dualstack_ipv6 not supported on this platform"}
		}
		if !equalsInt(family, int64(facade.AF_INET6)) {
			return nil, &facade.ValueError{Msg: "dualstack_ipv6 requires AF_INET6 family"}
		}
	}
	f := int(facade.AF_INET)
	if !equalsInt(family, -1) {
		n, err := pyarg.AsIndex(family)
		if err != nil {
			return nil, err
		}
		if !n.IsInt64() || n.Int64() < math.MinInt32 || n.Int64() > math.MaxInt32 {
			return nil, &facade.OverflowError{Msg: "Python int too large to convert to C int"}
		}
		f = int(n.Int64())
	}
	if f == 0 {
		// ServerOptions' zero Family is AF_INET; family=0 is socket(0, ...).
		s, err := facade.New(0, facade.SOCK_STREAM, -1)
		if err == nil {
			s.Close()
		}
		return nil, err
	}
	opts.Family = facade.AddressFamily(f)
	var backlogErr error
	if _, ok := backlog.(unset); !ok && backlog != nil {
		b, err := pyarg.AsCInt(backlog)
		if b <= 0 {
			b = -1 // listen(0): ServerOptions' zero Backlog is listen()'s default
		}
		opts.Backlog, backlogErr = b, err
		if err != nil {
			opts.Backlog = 0
		}
	}
	s, err := facade.CreateServer(a[0], opts)
	if err != nil || backlogErr == nil {
		return s, err
	}
	// The socket was bound; CPython's listen(backlog) fails on converting the backlog.
	s.Close()
	return nil, backlogErr
}

// equalsInt is Python's v == k for an argument value v: true for an int, bool, enum
// member or float equal to k.
func equalsInt(v any, k int64) bool {
	if f, ok := v.(float64); ok {
		return f == float64(k)
	}
	n, ok := py.AsInt(v)
	return ok && n.IsInt64() && n.Int64() == k
}

// explicitMinusOne reports whether one of the bound arguments a was given (not unset,
// not socketpair's family None) and converted to -1 in ints: a value the facade reads as
// "left out" but CPython passes to the system call as it is.
func explicitMinusOne(a []any, ints []int) bool {
	for i, v := range a {
		if _, ok := v.(unset); ok || v == nil {
			continue
		}
		if ints[i] == -1 {
			return true
		}
	}
	return false
}

// socketPairRaw is _socket.socketpair(family, type, proto) for arguments the facade would
// read as defaults (-1): socketpair(2) gets them as they are (the binding adds
// SOCK_CLOEXEC, as CPython does), so that -1 fails as CPython's does ([Errno 97] for the family, [Errno
// 22] for the type, the kernel's answer for the protocol). Descriptors it returns are
// wrapped as socket.py's socket(family, type, proto, fd) wraps them.
func socketPairRaw(family, typ, proto int) (any, error) {
	fds, err := csock.SocketPair(family, typ, proto)
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return nil, py.NewOSError(int(errno), csock.Strerror(int(errno)))
		}
		return nil, err
	}
	x, err := facade.NewFromFileno(fds[0], facade.AddressFamily(family), facade.SocketKind(typ), proto)
	if err != nil {
		csock.Close(fds[0])
		csock.Close(fds[1])
		return nil, err
	}
	y, err := facade.NewFromFileno(fds[1], facade.AddressFamily(family), facade.SocketKind(typ), proto)
	if err != nil {
		x.Close()
		csock.Close(fds[1])
		return nil, err
	}
	return py.Tuple{x, y}, nil
}

// asSsize is the "n" format (Py_ssize_t): facade.TypeError for a non-int, facade.OverflowError beyond
// 64 bits.
func asSsize(v any) (int, error) {
	n, err := pyarg.AsIndex(v)
	if err != nil {
		return 0, err
	}
	if !n.IsInt64() {
		return 0, &facade.OverflowError{Msg: "Python int too large to convert to C ssize_t"}
	}
	return int(n.Int64()), nil
}

// swapArg converts htons/ntohs's argument: a C int first ("i", with its overflow
// messages), then the 16-bit range with the function's own messages.
func swapArg(v any, f func(int) (int, error)) (any, error) {
	x, err := pyarg.AsCInt(v)
	if err != nil {
		return nil, err
	}
	return f(x)
}
