"""Reference oracle for the differential tests of package idna.

Reads one JSON request from stdin and writes one JSON response to stdout.
Strings travel as lists of code points so that lone surrogates survive.
"""

import json
import stringprep
import sys
from unicodedata import ucd_3_2_0

MAX_RUNE = 0x110000


def text(cps):
    return "".join(map(chr, cps))


def encode(cps):
    try:
        out = text(cps).encode("idna")
    except UnicodeError as exc:
        cause = exc.__cause__
        return {"err": None if cause is None else str(cause), "wrapped": str(exc)}
    return {"ok": out.hex()}


def ranges(pred):
    out, start = [], None
    for cp in range(MAX_RUNE + 1):
        hit = cp < MAX_RUNE and pred(chr(cp))
        if hit and start is None:
            start = cp
        elif not hit and start is not None:
            out.append([start, cp - 1])
            start = None
    return out


def tables():
    prohibited = (stringprep.in_table_c12, stringprep.in_table_c22,
                  stringprep.in_table_c3, stringprep.in_table_c4,
                  stringprep.in_table_c5, stringprep.in_table_c6,
                  stringprep.in_table_c7, stringprep.in_table_c8,
                  stringprep.in_table_c9)
    b2 = []
    for cp in range(MAX_RUNE):
        v = stringprep.map_table_b2(chr(cp))
        if v != chr(cp):
            b2.append({"r": cp, "to": [ord(x) for x in v]})
    banned = ranges(lambda c: any(f(c) for f in prohibited))
    return {
        "b1": ranges(stringprep.in_table_b1),
        "b2": b2,
        "prohibited": banned,
        "repr": [{"r": cp, "repr": repr(chr(cp))}
                 for lo, hi in banned for cp in range(lo, hi + 1)],
        "d1": ranges(stringprep.in_table_d1),
        "d2": ranges(stringprep.in_table_d2),
    }


def nfkc_singles():
    out = []
    for cp in range(MAX_RUNE):
        v = ucd_3_2_0.normalize("NFKC", chr(cp))
        if v != chr(cp):
            out.append({"r": cp, "to": [ord(x) for x in v]})
    return out


def nfkc(cps):
    return [ord(x) for x in ucd_3_2_0.normalize("NFKC", text(cps))]


def main():
    req = json.load(sys.stdin)
    op = req["op"]
    if op == "encode":
        result = [encode(c) for c in req["cases"]]
    elif op == "punycode":
        result = [text(c).encode("punycode").decode("ascii") for c in req["cases"]]
    elif op == "nfkc":
        result = [nfkc(c) for c in req["cases"]]
    elif op == "nfkc_singles":
        result = nfkc_singles()
    elif op == "tables":
        result = tables()
    else:
        raise SystemExit("unknown op %r" % op)
    json.dump({"version": list(sys.version_info[:2]), "result": result}, sys.stdout)


if __name__ == "__main__":
    main()
