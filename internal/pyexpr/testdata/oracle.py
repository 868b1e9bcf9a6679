"""Differential-test oracle for package pyexpr: reads a JSON list of
expressions (each a list of code points) on stdin and writes, for each, what
`print(repr(EXPR))` gives in CPython with the test environment below: the
repr, the last line of the traceback, or the SyntaxError.

The environment mirrors testEnv in pyexpr_test.go.
"""
import enum
import json
import sys
import traceback


class Flag(enum.IntFlag):
    X = 1
    Y = 2
    Z = 4


class Fam(enum.IntEnum):
    P = 2
    Q = 10


def tup(*args):
    return args


def kw(*args, **kwargs):
    return (args, tuple(kwargs.items()))


def fail(*args, **kwargs):
    raise OSError(22, "Invalid argument")


ENV = {
    "A": 1, "B": 2, "NEG": -5, "BIG": 2**100, "S": "abc", "BS": b"xy", "T": (1, "a"), "L": [1, 2],
    "F": 1.5, "N": None, "YES": True, "FX": Flag.X, "FY": Flag.Y, "FZ": Flag.Z, "FAM_P": Fam.P, "FAM_Q": Fam.Q,
    "tup": tup, "kw": kw, "fail": fail, "__r": repr, "__p": lambda x: x,
}


def answer(src):
    try:
        # pysock mimics `print(repr(EXPR))`: the same two levels of
        # parentheses around the expression.
        code = compile("__p(__r(" + src + "))", "<pysock>", "eval")
    except SyntaxError as e:
        return {"syntax": str(e.msg)}
    except (ValueError, UnicodeError) as e:
        return {"syntax": str(e)}
    try:
        return {"ok": eval(code, dict(ENV))}
    except Exception as e:  # the exception is the answer
        return {"exc": traceback.format_exception_only(e)[-1].rstrip("\n")}


def main():
    cases = json.load(sys.stdin)
    json.dump([answer("".join(map(chr, c))) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
