#!/usr/bin/env python3
"""Record CPython's answers for the pysock differential test cases.

For every case file test/pysock/cases/<name>.txt this script starts ONE python3
process, evaluates the file's expressions in order in a namespace prepared with
`from socket import *` (state such as setdefaulttimeout() carries over from line
to line, exactly as in one interpreter), and writes test/pysock/golden/<name>.txt
as JSON lines (format described in README.md).

Usage (from anywhere):
    python3 test/pysock/gen_golden.py                 # regenerate every golden file
    python3 test/pysock/gen_golden.py cases/inet.txt  # only the named case files
    python3 test/pysock/gen_golden.py --check         # regenerate in memory, diff against golden/
    python3 test/pysock/gen_golden.py --emit FILE     # print live records (machine cases included)
    python3 test/pysock/gen_golden.py --hermetic      # also run every file under strace and fail on
                                                      # any DNS traffic, naming the guilty case
    python3 test/pysock/gen_golden.py --lint          # only validate the expression language
    python3 test/pysock/gen_golden.py --isolation     # also run every case of a file not marked
                                                      # '# stateful' in a python3 -c of its own and
                                                      # demand the same answer (slow)

Each case line is checked against pysock's expression language before anything
is evaluated; a line outside the language is an error.
"""

import argparse
import ast
import concurrent.futures
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_DIR = os.path.join(HERE, "cases")
GOLDEN_DIR = os.path.join(HERE, "golden")
FORMAT = "pysock-golden/1"

# Per-case wall-clock budget (seconds).  A case slower than SLOW is reported; one
# slower than LIMIT fails the run: it is almost certainly talking to a nameserver.
SLOW = 0.5
LIMIT = 2.0

FUNCTIONS = frozenset("""
    getaddrinfo getnameinfo gethostbyname gethostbyname_ex gethostbyaddr getfqdn
    gethostname getservbyname getservbyport getprotobyname inet_aton inet_ntoa
    inet_pton inet_ntop if_nameindex if_nametoindex if_indextoname htons ntohs
    htonl ntohl getdefaulttimeout setdefaulttimeout
""".split())

# Module constants: every int/bool name that `from socket import *` binds
# (AF_*, SOCK_*, AI_*, NI_*, EAI_*, MSG_*, SO_*, IPPROTO_*, SOMAXCONN, has_ipv6 ...).
# socket.EAGAIN/EBADF/EWOULDBLOCK exist but are not exported, so they are not constants here.
CONSTANTS = frozenset(
    n for n in socket.__all__
    if isinstance(getattr(socket, n), (int, bool))
)

BINOPS = (ast.BitOr, ast.BitXor, ast.BitAnd, ast.LShift, ast.RShift, ast.Add,
          ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod, ast.Pow)
UNARYOPS = (ast.USub, ast.UAdd, ast.Invert)

# Escapes pysock understands inside str literals (bytes literals: the same minus \u \U).
_ESCAPE = re.compile(r"""\\(?:[\\'"ntr]|0(?![0-7])|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})""")
_BYTES_ESCAPE = re.compile(r"""\\(?:[\\'"ntr]|0(?![0-7])|x[0-9a-fA-F]{2})""")


class CaseError(Exception):
    pass


def _check_string_token(tok):
    """Reject literal spellings pysock does not read (prefixes, triple quotes, odd escapes)."""
    m = re.match(r"([A-Za-z]*)(['\"])", tok)
    prefix, quote = m.group(1), m.group(2)
    if prefix not in ("", "b"):
        raise CaseError("string prefix %r is outside the expression language" % prefix)
    body = tok[len(prefix):]
    if body.startswith(quote * 3):
        raise CaseError("triple-quoted strings are outside the expression language")
    body = body[1:-1]
    pattern = _BYTES_ESCAPE if prefix == "b" else _ESCAPE
    i = 0
    while i < len(body):
        if body[i] == "\\":
            m = pattern.match(body, i)
            if not m:
                raise CaseError("escape %r is outside the expression language" % body[i:i + 4])
            i = m.end()
        else:
            if prefix == "b" and ord(body[i]) > 127:
                raise CaseError("non-ASCII character in a bytes literal")
            i += 1


def _check_node(node):
    if isinstance(node, ast.Expression):
        return _check_node(node.body)
    if isinstance(node, ast.Constant):
        if type(node.value) not in (str, bytes, int, float, bool, type(None)):
            raise CaseError("literal %r is outside the expression language" % (node.value,))
        return
    if isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            _check_node(elt)
        return
    if isinstance(node, ast.Name):
        if node.id not in CONSTANTS:
            raise CaseError("name %r is not a socket module constant" % node.id)
        return
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise CaseError("only calls of the socket functions pysock knows are allowed")
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise CaseError("*args is outside the expression language")
            _check_node(a)
        for k in node.keywords:
            if k.arg is None:
                raise CaseError("**kwargs is outside the expression language")
            _check_node(k.value)
        return
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, BINOPS):
            raise CaseError("operator %s is outside the expression language" % type(node.op).__name__)
        _check_node(node.left)
        _check_node(node.right)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, UNARYOPS):
            raise CaseError("operator %s is outside the expression language" % type(node.op).__name__)
        _check_node(node.operand)
        return
    raise CaseError("%s is outside the expression language" % type(node).__name__)


def parse_line(text):
    """Split one case line into (expr, comment). Returns None for blank/comment-only lines."""
    if not text.strip() or text.lstrip().startswith("#"):
        return None
    comment = ""
    code_end = len(text)
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as e:
        raise CaseError("cannot tokenize: %s" % e)
    # Parentheses are tuple displays or call brackets only: pysock has no grouping parentheses.
    stack = []  # one entry per open bracket: [kind, saw_top_level_comma, empty]
    prev = None
    for tok in toks:
        if tok.type == tokenize.OP and tok.string in "([":
            if tok.string == "(":
                kind = "call" if prev is not None and prev.type == tokenize.NAME else "tuple"
            else:
                kind = "list"
            stack.append([kind, False, True])
        elif tok.type == tokenize.OP and tok.string in ")]":
            if stack:
                kind, comma, empty = stack.pop()
                if kind == "tuple" and not comma and not empty:
                    raise CaseError("grouping parentheses are outside the expression language")
        elif tok.type == tokenize.OP and tok.string == "," and stack:
            stack[-1][1] = True
        if stack and not (tok.type == tokenize.OP and tok.string in "(["):
            stack[-1][2] = False
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.ENDMARKER):
            prev = tok
        if tok.type == tokenize.COMMENT:
            comment = tok.string[1:].strip()
            code_end = tok.start[1]
        elif tok.type == tokenize.STRING:
            _check_string_token(tok.string)
        elif tok.type == tokenize.OP and tok.string in ("/", "@", ":", "=="):
            raise CaseError("operator %r is outside the expression language" % tok.string)
    expr = text[:code_end].strip()
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as e:
        raise CaseError("syntax error: %s" % e)
    _check_node(tree)
    # At the top level an EXPR is a constant, a call, or an operator expression over them;
    # a bare literal (even '1+1') is not an EXPR.
    if not any(isinstance(n, (ast.Name, ast.Call)) for n in ast.walk(tree.body)) or \
            not isinstance(tree.body, (ast.Name, ast.Call, ast.BinOp, ast.UnaryOp)):
        raise CaseError("an EXPR must be a constant, a call, or an operator expression using them")
    return expr, comment


def read_cases(path):
    """Return a list of dicts {src, expr, machine} for one case file."""
    return read_case_file(path)[1]


def read_case_file(path):
    """Return (stateful, cases) for one case file.

    A comment line starting with '# stateful' declares that answers depend on earlier lines."""
    cases = []
    stateful = False
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if re.match(r"\s*#\s*stateful\b", line):
                stateful = True
            try:
                parsed = parse_line(line)
            except CaseError as e:
                raise CaseError("%s:%d: %s\n    %s" % (path, n, e, line))
            if parsed is None:
                continue
            expr, comment = parsed
            machine = re.match(r"machine\b", comment) is not None
            cases.append({"src": n, "expr": expr, "machine": machine})
    return stateful, cases


# The program each python3 child runs.  It reads the expressions as a JSON list on
# stdin and writes one JSON object per expression on stdout.  Rendering follows what
# `python3 -c 'from socket import *; print(repr(EXPR))'` shows: the repr line on
# stdout (strict UTF-8, like print()), or the last line of the traceback on stderr,
# i.e. the last line of traceback.format_exception_only() (`module.Class: message`
# for classes outside builtins, a bare class name when the message is empty, and for
# an ExceptionGroup its own `ExceptionGroup: msg (N sub-exceptions)` line); stderr
# uses the backslashreplace error handler, so a lone surrogate in a message becomes
# `\udcff`.  A per-case marker access() lets --hermetic attribute syscalls to cases.
CHILD = r'''
import json, os, platform, sys, time, traceback
exprs = json.load(sys.stdin)
marker = os.environ.get("PYSOCK_GOLDEN_MARKER")
out = sys.stdout
out.write(json.dumps({"python": platform.python_version(), "libc": " ".join(platform.libc_ver())}) + "\n")
ns = {"__name__": "__main__", "__builtins__": __builtins__}
exec("from socket import *", ns)
for i, expr in enumerate(exprs):
    code = compile(expr, "<string>", "eval")
    if marker:
        os.access("%s/%d" % (marker, i), os.F_OK)
    t0 = time.monotonic()
    try:
        value = repr(eval(code, ns))
        rec = {"stream": "out", "line": value.encode("utf-8", "strict").decode("utf-8")}
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        line = traceback.format_exception_only(type(e), e)[-1].rstrip("\n")
        rec = {"stream": "err", "line": line.encode("utf-8", "backslashreplace").decode("utf-8")}
    rec["seconds"] = time.monotonic() - t0
    out.write(json.dumps(rec, ensure_ascii=True) + "\n")
    out.flush()
'''


def run_child(python, exprs, strace_log=None, marker=None):
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    cmd = [python, "-I", "-c", CHILD]
    if marker:
        env["PYSOCK_GOLDEN_MARKER"] = marker
    if strace_log:
        cmd = ["strace", "-f", "-qq", "-e", "trace=connect,access,faccessat,faccessat2",
               "-o", strace_log] + cmd
    p = subprocess.run(cmd, input=json.dumps(exprs), capture_output=True, text=True,
                       env=env, timeout=max(30, LIMIT * len(exprs) + 10))
    if p.returncode != 0:
        raise SystemExit("python3 child failed (rc %d):\n%s" % (p.returncode, p.stderr))
    recs = [json.loads(l) for l in p.stdout.splitlines()]
    if len(recs) != len(exprs) + 1:
        raise SystemExit("python3 child returned %d records for %d expressions" % (len(recs) - 1, len(exprs)))
    return recs[0], recs[1:]


def evaluate(python, path, check_state=True):
    """Evaluate one case file; returns (header, cases with results, list of problems)."""
    stateful, cases = read_case_file(path)
    env, recs = run_child(python, [c["expr"] for c in cases])
    header = {"format": FORMAT, "cases": "cases/" + os.path.basename(path), "stateful": stateful}
    header.update(env)
    problems = []
    for c, r in zip(cases, recs):
        c.update(stream=r["stream"], line=r["line"], seconds=r["seconds"])
        where = "%s:%d" % (os.path.relpath(path, HERE), c["src"])
        if r["seconds"] > LIMIT:
            problems.append("%s: took %.2fs (limit %.1fs): %s" % (where, r["seconds"], LIMIT, c["expr"]))
        elif r["seconds"] > SLOW:
            print("warning: %s: slow case (%.2fs): %s" % (where, r["seconds"], c["expr"]), file=sys.stderr)
    # Machine cases must not influence the other cases (the Go runner drops them when it
    # compares against the golden file), so re-run without them and demand equal results.
    if check_state and any(c["machine"] for c in cases):
        rest = [c for c in cases if not c["machine"]]
        _, recs2 = run_child(python, [c["expr"] for c in rest])
        for c, r in zip(rest, recs2):
            if (c["stream"], c["line"]) != (r["stream"], r["line"]):
                problems.append("%s:%d: result changes when the '# machine' cases are left out: %s"
                                % (os.path.relpath(path, HERE), c["src"], c["expr"]))
    return header, cases, problems


def isolation_check(python, path, cases):
    """Run each non-machine case of a file not marked stateful in a process of its own,
    exactly as `python3 -c 'from socket import *; print(repr(EXPR))'`, and compare."""
    def one(c):
        p = subprocess.run([python, "-c", "from socket import *; print(repr(%s))" % c["expr"]],
                           capture_output=True, text=True, timeout=30,
                           encoding="utf-8", errors="surrogateescape")
        if p.returncode == 0:
            return c, ("out", p.stdout.rstrip("\n"))
        return c, ("err", p.stderr.rstrip("\n").rsplit("\n", 1)[-1])
    problems = []
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        for c, got in ex.map(one, [c for c in cases if not c["machine"]]):
            if got != (c["stream"], c["line"]):
                problems.append("%s:%d: %s: one file gives %r, its own process gives %r (mark the file "
                                "'# stateful' or move the case)" % (os.path.relpath(path, HERE), c["src"],
                                                                  c["expr"], c["line"], got[1]))
    return problems


def golden_text(header, cases):
    lines = [json.dumps(header, ensure_ascii=False)]
    for c in cases:
        if c["machine"]:
            rec = {"src": c["src"], "expr": c["expr"], "machine": True}
        else:
            rec = {"src": c["src"], "expr": c["expr"], "stream": c["stream"], "line": c["line"]}
        lines.append(json.dumps(rec, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def hermetic_check(python, path):
    """Run the file under strace; report cases that contact a nameserver (port 53)."""
    cases = read_cases(path)
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "strace.log")
        marker = "/nonexistent-pysock-golden-marker"
        run_child(python, [c["expr"] for c in cases], strace_log=log, marker=marker)
        current = None
        mark = re.compile(re.escape(marker) + r"/(\d+)")
        dns = re.compile(r"connect\(.*sin6?_port=htons\(53\)")
        with open(log) as f:
            for line in f:
                m = mark.search(line)
                if m:
                    current = int(m.group(1))
                    continue
                if dns.search(line):
                    who = ("%s:%d: %s" % (os.path.relpath(path, HERE), cases[current]["src"],
                                          cases[current]["expr"]) if current is not None else path)
                    problems.append("DNS traffic: " + who)
    return sorted(set(problems))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="case files (default: cases/*.txt)")
    ap.add_argument("--python", default="python3", help="interpreter to record (default: python3)")
    ap.add_argument("--check", action="store_true", help="compare with the committed golden files, write nothing")
    ap.add_argument("--emit", action="store_true",
                    help="print live records (with machine cases' output and timings) as JSON lines")
    ap.add_argument("--hermetic", dest="hermetic", action="store_true", default=None,
                    help="also run each file under strace and fail on DNS traffic "
                         "(the default when strace is installed)")
    ap.add_argument("--no-hermetic", dest="hermetic", action="store_false", help="skip the strace check")
    ap.add_argument("--lint", action="store_true", help="only validate the case files")
    ap.add_argument("--isolation", action="store_true",
                    help="also check that files not marked '# stateful' give the same answers "
                         "one process per case (slow)")
    args = ap.parse_args()

    if args.hermetic is None:
        args.hermetic = shutil.which("strace") is not None
        if not args.hermetic and not (args.lint or args.emit):
            print("warning: strace not found; DNS traffic is not checked", file=sys.stderr)
    files = args.files or sorted(os.path.join(CASES_DIR, f) for f in os.listdir(CASES_DIR) if f.endswith(".txt"))
    files = [f if os.path.exists(f) else os.path.join(HERE, f) for f in files]
    problems = []
    total = 0
    for path in files:
        try:
            cases = read_cases(path)
        except CaseError as e:
            problems.append(str(e))
            continue
        total += len(cases)
        if args.lint:
            continue
        name = os.path.basename(path)
        if args.emit:
            _, cases, _ = evaluate(args.python, path, check_state=False)
            for c in cases:
                print(json.dumps({"file": name, **c}, ensure_ascii=False))
            continue
        header, cases, probs = evaluate(args.python, path)
        if args.isolation and not header["stateful"]:
            probs += isolation_check(args.python, path, cases)
        if args.hermetic:
            if not shutil.which("strace"):
                raise SystemExit("--hermetic needs strace")
            probs += hermetic_check(args.python, path)
        problems += probs
        text = golden_text(header, cases)
        gpath = os.path.join(GOLDEN_DIR, name)
        if args.check:
            old = open(gpath, encoding="utf-8").read() if os.path.exists(gpath) else ""
            if old != text:
                problems.append("%s differs from a fresh recording" % os.path.relpath(gpath, HERE))
        elif not probs:
            os.makedirs(GOLDEN_DIR, exist_ok=True)
            with open(gpath, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    if not args.files and not (args.lint or args.emit) and os.path.isdir(GOLDEN_DIR):
        wanted = {os.path.basename(f) for f in files}
        for stale in sorted(set(os.listdir(GOLDEN_DIR)) - wanted):
            if args.check:
                problems.append("golden/%s has no case file" % stale)
            else:
                os.remove(os.path.join(GOLDEN_DIR, stale))
    for p in problems:
        print("error: " + p, file=sys.stderr)
    if not args.emit:
        print("%d case files, %d cases%s" % (len(files), total, ", %d problems" % len(problems) if problems else ""),
              file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
