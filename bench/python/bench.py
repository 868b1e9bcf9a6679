#!/usr/bin/env python3
"""The "python" implementation of the csock benchmark: CPython's socket module.

    bench.py --op NAME [--target-ms N] [--quick] [--cpu N] [--max-s N]
    bench.py --list

Prints one JSON line per metric (see bench/README.md for the protocol). Peers
run in threading.Thread threads; sockets stay in blocking mode (no timeouts,
which would switch CPython to poll() before every call). Errors go to stderr
with exit status 1; signal.alarm bounds the whole run (--max-s).
"""

import argparse
import ctypes
import json
import os
import resource
import selectors
import signal
import socket
import sys
import tempfile
import threading
import time

IMPL = "python"

OPS = [
    "getaddrinfo_localhost", "getaddrinfo_numeric", "getnameinfo",
    "getservbyname", "gethostbyname_ex", "gethostname", "socket_close",
    "pingpong_unix", "pingpong_unix_pinned", "pingpong_tcp",
    "pingpong_tcp_pinned", "pingpong_tcp_timeout", "bulk_tcp", "sendfile_tcp", "connect_accept_close", "fdpass", "idle_10k",
]

# Bounds, the same as in the Go harness (bench/gobench/harness.go).
MAX_OPS = 1 << 30
BULK_CHUNK = 64 << 10
BULK_MIN = 256 << 20
BULK_WARM = 32 << 20
BULK_MAX = 16 << 30
SENDFILE_SIZE = 64 << 20  # the file sendfile_tcp sends, whole, per send
IDLE_CONNS = 10000
IDLE_CONNS_QUICK = 1000  # with --quick
WAIT_LIMIT = 60.0  # seconds, every wait for a peer

ns = time.perf_counter_ns


class Ctx:
    """Command-line settings of this run."""

    def __init__(self, op, target_ns, quick, max_s):
        self.op = op
        self.target_ns = target_ns
        self.quick = quick
        self.max_s = max_s


def emit(ctx, unit, value, ops, cpu_s_per_gib=None):
    print(json.dumps({
        "impl": IMPL, "op": ctx.op, "unit": unit, "value": value, "ops": ops,
        "allocs_per_op": None, "cpu_s_per_gib": cpu_s_per_gib,
    }), flush=True)


def time_loop(ctx, body):
    """Warm body(n) up, then time batches until the target or MAX_OPS.

    body(n) performs n iterations. Returns (ops, elapsed_ns).
    """
    warm = ctx.target_ns // (20 if ctx.quick else 10)
    warm = min(max(warm, 2_000_000), 100_000_000)
    batch, warm_ops = 1, 0
    start = ns()
    while warm_ops < MAX_OPS:
        body(batch)
        warm_ops += batch
        if ns() - start >= warm:
            break
        batch = min(batch * 2, 1 << 20)
    per_op = (ns() - start) // warm_ops
    batch = 1
    if per_op > 0:
        batch = min(max(ctx.target_ns // 50 // per_op, 1), 1 << 20)
    ops = 0
    start = ns()
    while True:
        body(batch)
        ops += batch
        elapsed = ns() - start
        if elapsed >= ctx.target_ns or ops >= MAX_OPS:
            return ops, elapsed


def call_op(fn):
    """An op timing fn() once per iteration, in ns/op."""
    def run(ctx):
        def body(n):
            for _ in range(n):
                fn()
        ops, elapsed = time_loop(ctx, body)
        emit(ctx, "ns/op", elapsed / ops, ops)
    return run


def gai_localhost():
    if not socket.getaddrinfo("localhost", 80, socket.AF_UNSPEC, socket.SOCK_STREAM):
        raise RuntimeError("getaddrinfo(localhost): no results")


def gai_numeric():
    if not socket.getaddrinfo("127.0.0.1", 80, socket.AF_UNSPEC, socket.SOCK_STREAM,
                              0, socket.AI_NUMERICHOST):
        raise RuntimeError("getaddrinfo(127.0.0.1): no results")


def socket_close():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def join(thread, what):
    thread.join(WAIT_LIMIT)
    if thread.is_alive():
        raise RuntimeError(f"{what} did not finish within {WAIT_LIMIT}s")


def tcp_pair():
    """A loopback TCP connection with TCP_NODELAY on both ends."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ln:
        ln.bind(("127.0.0.1", 0))
        ln.listen(1)
        a = socket.create_connection(ln.getsockname())
        b, _ = ln.accept()
    for s in (a, b):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return a, b


def tcp_pair_timeout():
    """tcp_pair with settimeout(5) on both ends."""
    a, b = tcp_pair()
    for s in (a, b):
        s.settimeout(5)
    return a, b


def unix_pair():
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)


def pingpong_op(make_pair):
    """1-byte round trips: sendall + recv here, echo in a peer thread (us/rtt)."""
    def run(ctx):
        a, b = make_pair()
        errors = []

        def peer():
            try:
                for _ in range(2 * MAX_OPS):
                    data = b.recv(1)
                    if not data:
                        return
                    b.sendall(data)
            except OSError as e:  # reported after the join
                errors.append(e)

        t = threading.Thread(target=peer, name="pingpong-peer")
        t.start()
        out = b"x"

        def body(n):
            for _ in range(n):
                a.sendall(out)
                if len(a.recv(1)) != 1:
                    raise RuntimeError("ping: peer closed")

        try:
            ops, elapsed = time_loop(ctx, body)
        finally:
            a.close()  # the peer sees end of stream
            join(t, "pingpong peer")
            b.close()
        if errors:
            raise errors[0]
        emit(ctx, "us/rtt", elapsed / 1e3 / ops, ops)
    return run


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def transfer(min_bytes, min_ns, send_one):
    """send_one(a) (one unit: a 64 KiB sendall, or a whole file; it returns the
    bytes sent) until min_bytes and min_ns (or BULK_MAX); the receiver thread
    recv_into()s one reused buffer to end of stream. Returns (bytes, sends,
    elapsed_ns, cpu_s)."""
    a, b = tcp_pair()
    state = {"received": 0, "error": None}

    def receiver():
        buf = bytearray(BULK_CHUNK)
        total = 0
        try:
            for _ in range(BULK_MAX):  # at least one byte per call
                n = b.recv_into(buf)
                if n == 0:
                    break
                total += n
        except OSError as e:
            state["error"] = e
            b.close()  # unblocks the sender
        state["received"] = total

    t = threading.Thread(target=receiver, name="bulk-receiver")
    t.start()
    sent = sends = 0
    cpu0, start = cpu_seconds(), ns()
    try:
        while sent < BULK_MAX:
            sent += send_one(a)
            sends += 1
            if sent >= min_bytes and ns() - start >= min_ns:
                break
    finally:
        a.close()
        join(t, "bulk receiver")
    elapsed = ns() - start
    cpu = cpu_seconds() - cpu0
    b.close()
    if state["error"] is not None:
        raise state["error"]
    if state["received"] != sent:
        raise RuntimeError(f"sent {sent} bytes, received {state['received']}")
    return sent, sends, elapsed, cpu


def emit_bulk(ctx, sent, sends, elapsed, cpu):
    emit(ctx, "MB/s", sent / (elapsed / 1e9) / 1e6, sends, cpu / (sent / (1 << 30)))


def bulk_tcp(ctx):
    chunk = bytes(i & 0xFF for i in range(BULK_CHUNK))

    def send_chunk(a):
        a.sendall(chunk)
        return BULK_CHUNK

    transfer(BULK_WARM, 0, send_chunk)
    emit_bulk(ctx, *transfer(BULK_MIN, ctx.target_ns, send_chunk))


def make_send_file():
    """SENDFILE_SIZE bytes (byte i is i mod 256, as bulk_tcp's chunk) in an
    unbuffered tempfile.TemporaryFile: unlinked from the start (in $TMPDIR or
    /tmp), so gone when closed or when the process ends."""
    f = tempfile.TemporaryFile(buffering=0, prefix="csock-bench-sendfile-")
    try:
        chunk = bytes(i & 0xFF for i in range(BULK_CHUNK))
        for _ in range(SENDFILE_SIZE // BULK_CHUNK):
            view = memoryview(chunk)
            while view:
                view = view[f.write(view):]
    except BaseException:
        f.close()
        raise
    return f


def sendfile_tcp(ctx):
    """bulk_tcp with each send a.sendfile(f) of the whole 64 MiB file (offset 0,
    count None: os.sendfile until it returns 0); one file as the warm-up."""
    with make_send_file() as f:
        def send_file(a):
            n = a.sendfile(f)
            if n != SENDFILE_SIZE:
                raise RuntimeError(f"sendfile sent {n} bytes of {SENDFILE_SIZE}")
            return n

        transfer(BULK_WARM, 0, send_file)
        result = transfer(BULK_MIN, ctx.target_ns, send_file)
    emit_bulk(ctx, *result)


def connect_accept_close(ctx):
    """connect, accept, close both, in one thread (the kernel completes the
    handshake from the listen backlog), in conn/s."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ln:
        ln.bind(("127.0.0.1", 0))
        ln.listen(128)
        addr = ln.getsockname()

        def body(n):
            for _ in range(n):
                c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                c.connect(addr)
                s, _ = ln.accept()
                c.close()
                s.close()

        ops, elapsed = time_loop(ctx, body)
    emit(ctx, "conn/s", ops / (elapsed / 1e9), ops)


def fdpass(ctx):
    """socket.send_fds(a, [b"x"], [fd]), socket.recv_fds(b, 1, 1) and os.close of
    the descriptor received, over a socketpair, in one thread (ns/op). fd is
    /dev/null, opened once (not a socket: no in-flight socket collection)."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        fd = os.open("/dev/null", os.O_RDONLY)
        try:
            def body(n):
                for _ in range(n):
                    socket.send_fds(a, [b"x"], [fd])
                    msg, fds, flags, _ = socket.recv_fds(b, 1, 1)
                    if msg != b"x" or len(fds) != 1 or flags & socket.MSG_CTRUNC:
                        for f in fds:
                            os.close(f)
                        raise RuntimeError(f"recv_fds: {msg!r}, {len(fds)} descriptors, flags {flags:#x}")
                    os.close(fds[0])

            ops, elapsed = time_loop(ctx, body)
        finally:
            os.close(fd)
    finally:
        a.close()
        b.close()
    emit(ctx, "ns/op", elapsed / ops, ops)


def read_status():
    threads = rss = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                threads = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    if threads <= 0 or rss <= 0:
        raise RuntimeError("/proc/self/status: no Threads or VmRSS")
    return threads, rss


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= want:
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))


def die_with_parent(parent):
    """Have the kernel SIGKILL this forked child if the parent dies (it may
    be killed before it closes the control pipe); prctl through ctypes, as
    the os module has no binding for it."""
    pr_set_pdeathsig = 1
    if ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:
        os._exit(1)


def idle_10k(ctx):
    """10,000 (1,000 with --quick) loopback TCP connections to a forked peer
    process, one thread per connection blocked in recv. The peer ends live in
    the child: 2 x 10,000 descriptors do not fit under this machine's hard
    RLIMIT_NOFILE (20,000), and the peer's memory should not count."""
    nconns = IDLE_CONNS_QUICK if ctx.quick else IDLE_CONNS
    raise_nofile(nconns + 256)
    ln = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ln.bind(("127.0.0.1", 0))
    ln.listen(4096)
    addr = ln.getsockname()
    ctrl_r, ctrl_w = os.pipe()
    parent = os.getpid()
    pid = os.fork()  # still single-threaded here
    if pid == 0:
        code = 1
        try:
            signal.alarm(ctx.max_s)  # alarms are not inherited across fork
            die_with_parent(parent)
            os.close(ctrl_w)
            # Accept while watching the control pipe too, so that the
            # parent closing it early (after a failure) ends the child.
            held = []
            with selectors.DefaultSelector() as sel:
                sel.register(ln, selectors.EVENT_READ)
                sel.register(ctrl_r, selectors.EVENT_READ)
                while len(held) < nconns:
                    ready = [key.fileobj for key, _ in sel.select()]
                    if ctrl_r in ready:
                        break
                    held.append(ln.accept()[0])
            while len(held) == nconns and os.read(ctrl_r, 1):
                pass
            del held
            code = 0
        finally:
            os._exit(code)  # closes every held descriptor
    os.close(ctrl_r)
    ln.close()

    held = []  # (socket, thread) pairs
    ready = threading.Semaphore(0)
    woken = []

    def receiver(s):
        ready.release()
        s.recv(1)  # returns b"" once this side is shut down
        woken.append(1)

    try:
        for i in range(nconns):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.connect(addr)
            except OSError:
                s.close()
                raise
            t = threading.Thread(target=receiver, args=(s,), name=f"idle-{i}")
            held.append((s, t))
            t.start()
        deadline = time.monotonic() + WAIT_LIMIT
        for _ in range(nconns):
            if not ready.acquire(timeout=max(deadline - time.monotonic(), 0.001)):
                raise RuntimeError("idle receivers did not start")
        time.sleep(0.1 if ctx.quick else 0.3)  # let them block in recv
        nthreads, rss = read_status()
        if woken:
            raise RuntimeError(f"{len(woken)} receivers returned before their peers closed")
    except BaseException:
        os.kill(pid, signal.SIGKILL)  # do not leave the child holding connections
        raise
    finally:
        # Wake the receivers one at a time (shutdown makes recv return b""),
        # joining each before the next: waking 10,000 threads at once makes
        # them fight over the GIL for minutes on a loaded machine.
        for s, t in held:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already disconnected: recv has returned anyway
            if t.ident is not None:
                join(t, "idle receiver")
            s.close()
        os.close(ctrl_w)  # the child exits, closing the peer ends
        _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError(f"idle peer failed (status {status})")
    emit(ctx, "threads", nthreads, nconns)
    emit(ctx, "rss_kib", rss, nconns)


RUNNERS = {
    "getaddrinfo_localhost": call_op(gai_localhost),
    "getaddrinfo_numeric": call_op(gai_numeric),
    "getnameinfo": call_op(lambda: socket.getnameinfo(("127.0.0.1", 80), 0)),
    "getservbyname": call_op(lambda: socket.getservbyname("http", "tcp")),
    "gethostbyname_ex": call_op(lambda: socket.gethostbyname_ex("localhost")),
    "gethostname": call_op(socket.gethostname),
    "socket_close": call_op(socket_close),
    "pingpong_unix": pingpong_op(unix_pair),
    "pingpong_tcp": pingpong_op(tcp_pair),
    "pingpong_tcp_timeout": pingpong_op(tcp_pair_timeout),
    "bulk_tcp": bulk_tcp,
    "sendfile_tcp": sendfile_tcp,
    "connect_accept_close": connect_accept_close,
    "fdpass": fdpass,
    "idle_10k": idle_10k,
}


def pin_self(cpu):
    """Bind this (still single-threaded) process to one CPU; threads started
    later inherit it."""
    if cpu < 0:
        cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--op")
    p.add_argument("--target-ms", type=int, default=300)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--cpu", type=int, default=-1)
    p.add_argument("--max-s", type=int, default=300)
    p.add_argument("--list", action="store_true")
    args = p.parse_args()
    if args.list:
        print(json.dumps({"impl": IMPL, "ops": OPS}))
        return 0
    if not args.op or args.target_ms <= 0 or args.max_s <= 0:
        p.print_usage(sys.stderr)
        return 2
    base = args.op.removesuffix("_pinned")
    if args.op not in OPS or base not in RUNNERS:
        print(f"bench: {IMPL}: unknown operation {args.op}", file=sys.stderr)
        return 2
    signal.alarm(args.max_s)  # SIGALRM's default action ends the process
    if base != args.op:
        pin_self(args.cpu)
    ctx = Ctx(args.op, args.target_ms * 1_000_000, args.quick, args.max_s)
    try:
        RUNNERS[base](ctx)
    except (OSError, RuntimeError) as e:
        print(f"bench: {IMPL}/{args.op}: {e!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
