"""Evaluate Python socket expressions, one per line, as the pysock CLI does.

Each line of standard input is a Python call evaluated after
``from socket import *``. For each, one line is printed: ``repr(result)``,
or the last line of the traceback, e.g.
``socket.gaierror: [Errno -2] Name or service not known``.
A line is flushed as soon as it is known. Newlines in an output are
written as the two characters backslash, n.
"""
import sys
import traceback

namespace = {}
exec("from socket import *", namespace)

for line in sys.stdin:
    expr = line.rstrip("\n")
    try:
        out = repr(eval(expr, namespace))
    except Exception as e:  # noqa: BLE001 - every failure is an answer
        out = traceback.format_exception_only(type(e), e)[-1].rstrip("\n")
    print(out.replace("\n", "\\n"), flush=True)
