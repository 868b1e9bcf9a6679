#!/usr/bin/env python3
"""Generate ../tables.go: the Unicode data package idna needs.

Run from internal/idna (go generate does this):

    python3 gen/gen_tables.py

Every table is taken from the behaviour of the running CPython, because the
goal of package idna is to reproduce CPython 3.11's 'idna' codec byte for
byte, not an abstract reading of RFC 3491:

  * stringprep tables B.1, B.2, C.*, D.* are obtained by calling the
    stringprep module's own predicates for every code point.  (B.2 as CPython
    implements it lower-cases with the *current* Unicode database, so it also
    maps letters added after Unicode 3.2.)
  * NFKC is the one of unicodedata.ucd_3_2_0.  Decompositions are read back
    from ucd_3_2_0.normalize("NFKD", c).  CPython orders and composes with the
    canonical combining classes and composition pairs of its current database
    even for the 3.2 view, so the combining classes come from unicodedata and
    every candidate composition pair is kept only if ucd_3_2_0.normalize("NFC")
    really composes it.

The data therefore depends on the interpreter: it must be CPython 3.11
(Unicode 14.0.0), which the script checks.
"""

import os
import stringprep
import sys
import unicodedata
from unicodedata import ucd_3_2_0 as ucd32

MAX_RUNE = 0x110000
HANGUL_FIRST, HANGUL_COUNT = 0xAC00, 11172
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tables.go")


def check_interpreter():
    if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
        sys.exit("gen_tables.py: need CPython 3.11, running %s %s"
                 % (sys.implementation.name, sys.version.split()[0]))
    if unicodedata.unidata_version != "14.0.0" or ucd32.unidata_version != "3.2.0":
        sys.exit("gen_tables.py: unexpected unicodedata versions")


def ranges_of(pred):
    """Return the maximal [lo, hi] runs of code points satisfying pred."""
    out = []
    start = None
    for cp in range(MAX_RUNE + 1):
        hit = cp < MAX_RUNE and pred(cp)
        if hit and start is None:
            start = cp
        elif not hit and start is not None:
            out.append((start, cp - 1))
            start = None
    return out


def valued_ranges_of(value):
    """Return [lo, hi, v] runs of equal non-zero value(cp)."""
    out = []
    for cp in range(MAX_RUNE):
        v = value(cp)
        if not v:
            continue
        if out and out[-1][1] == cp - 1 and out[-1][2] == v:
            out[-1][1] = cp
        else:
            out.append([cp, cp, v])
    return out


def compress_mapping(mapping):
    """Split {cp: str} into delta runs for one-rune images and a list for the rest.

    A run (lo, hi, stride, delta) maps lo, lo+stride, ..., hi to cp+delta.  The
    code points a stride-2 run steps over are unmapped, so runs and the
    remaining entries never overlap.
    """
    singles = sorted((cp, ord(v) - cp) for cp, v in mapping.items() if len(v) == 1)
    multi = sorted((cp, v) for cp, v in mapping.items() if len(v) != 1)
    runs = []
    i = 0
    while i < len(singles):
        lo, delta = singles[i]
        hi, stride = lo, 1
        j = i + 1
        if j < len(singles) and singles[j][1] == delta:
            gap = singles[j][0] - lo
            if gap == 1 or (gap == 2 and lo + 1 not in mapping):
                stride = gap
                while (j < len(singles) and singles[j][1] == delta
                       and singles[j][0] == hi + stride
                       and (stride == 1 or hi + 1 not in mapping)):
                    hi = singles[j][0]
                    j += 1
        runs.append((lo, hi, stride, delta))
        i = j
    return runs, multi


def go_string(s):
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if 0x20 <= cp < 0x7F and ch not in '"\\':
            out.append(ch)
        elif cp < 0x10000:
            out.append("\\u%04x" % cp)
        else:
            out.append("\\U%08x" % cp)
    out.append('"')
    return "".join(out)


class Writer:
    def __init__(self):
        self.parts = []

    def line(self, text=""):
        self.parts.append(text + "\n")

    def rune_ranges(self, name, doc, rngs):
        self.line("// %s %s" % (name, doc))
        self.line("var %s = []runeRange{" % name)
        for lo, hi in rngs:
            self.line("\t{0x%04X, 0x%04X}," % (lo, hi))
        self.line("}")
        self.line()

    def mapping(self, name, doc, mapping):
        runs, multi = compress_mapping(mapping)
        self.line("// %s %s" % (name, doc))
        self.line("var %s = runeMapping{" % name)
        self.line("\truns: []mapRun{")
        for lo, hi, stride, delta in runs:
            self.line("\t\t{0x%04X, 0x%04X, %d, %d}," % (lo, hi, stride, delta))
        self.line("\t},")
        self.line("\tmulti: []mapMulti{")
        for cp, v in multi:
            self.line("\t\t{0x%04X, %s}," % (cp, go_string(v)))
        self.line("\t},")
        self.line("}")
        self.line()


def main():
    check_interpreter()
    w = Writer()
    w.line("// Code generated by gen/gen_tables.py from CPython %d.%d "
           "(unicodedata %s and ucd_3_2_0). DO NOT EDIT."
           % (sys.version_info[0], sys.version_info[1], unicodedata.unidata_version))
    w.line()
    w.line("package idna")
    w.line()

    w.rune_ranges("tableB1", "holds stringprep table B.1, code points nameprep maps to nothing.",
                  ranges_of(lambda cp: stringprep.in_table_b1(chr(cp))))

    b2 = {}
    for cp in range(MAX_RUNE):
        v = stringprep.map_table_b2(chr(cp))
        if v != chr(cp):
            b2[cp] = v
    w.mapping("tableB2", "is stringprep.map_table_b2, case folding for use with NFKC.", b2)

    prohibited = (stringprep.in_table_c12, stringprep.in_table_c22,
                  stringprep.in_table_c3, stringprep.in_table_c4,
                  stringprep.in_table_c5, stringprep.in_table_c6,
                  stringprep.in_table_c7, stringprep.in_table_c8,
                  stringprep.in_table_c9)
    prohib = ranges_of(lambda cp: any(f(chr(cp)) for f in prohibited))
    w.rune_ranges("tableProhibited", "holds the union of stringprep tables C.1.2, C.2.2 and C.3 to C.9, "
                  "the code points nameprep prohibits.", prohib)
    printable = set(cp for lo, hi in prohib for cp in range(lo, hi + 1) if chr(cp).isprintable())
    w.rune_ranges("printableProhibited", "holds the prohibited code points that CPython 3.11's "
                  "str.isprintable accepts, which repr therefore shows unescaped.",
                  ranges_of(lambda cp: cp in printable))
    w.rune_ranges("tableD1", "holds stringprep table D.1, code points of bidi class R or AL.",
                  ranges_of(lambda cp: stringprep.in_table_d1(chr(cp))))
    w.rune_ranges("tableD2", "holds stringprep table D.2, code points of bidi class L.",
                  ranges_of(lambda cp: stringprep.in_table_d2(chr(cp))))

    decomp = {}
    for cp in range(MAX_RUNE):
        if HANGUL_FIRST <= cp < HANGUL_FIRST + HANGUL_COUNT:
            continue
        v = ucd32.normalize("NFKD", chr(cp))
        if v != chr(cp):
            decomp[cp] = v
    w.mapping("decompositions", "maps each code point other than a Hangul syllable to its full "
              "compatibility decomposition, canonically ordered, as ucd_3_2_0.normalize(\"NFKD\") "
              "computes it.", decomp)

    w.line("// combiningClasses holds the non-zero canonical combining classes CPython's")
    w.line("// normaliser uses, which are those of its current Unicode database even for")
    w.line("// ucd_3_2_0.")
    w.line("var combiningClasses = []cccRange{")
    for lo, hi, v in valued_ranges_of(lambda cp: unicodedata.combining(chr(cp))):
        w.line("\t{0x%04X, 0x%04X, %d}," % (lo, hi, v))
    w.line("}")
    w.line()

    # CPython composes with the pair table of its current database, even for
    # ucd_3_2_0 (U+1B05 U+1B35 becomes U+1B06, unassigned in Unicode 3.2), so
    # candidates come from both databases; only pairs that ucd_3_2_0 really
    # composes are kept (U+2ADD U+0338 is not composed, for one).
    candidates = set()
    for db in (ucd32, unicodedata):
        for cp in range(MAX_RUNE):
            d = db.decomposition(chr(cp))
            if not d or d.startswith("<"):
                continue
            parts = d.split()
            if len(parts) == 2:
                candidates.add((int(parts[0], 16), int(parts[1], 16), cp))
    pairs = sorted((a, b, r) for a, b, r in candidates
                   if ucd32.normalize("NFC", chr(a) + chr(b)) == chr(r))
    w.line("// compositions lists the canonical composition pairs (first, second, composite)")
    w.line("// that ucd_3_2_0.normalize(\"NFC\") applies, sorted by first then second.")
    w.line("var compositions = []compPair{")
    for a, b, r in pairs:
        w.line("\t{0x%04X, 0x%04X, 0x%04X}," % (a, b, r))
    w.line("}")

    with open(OUT, "w", encoding="ascii") as f:
        f.write("".join(w.parts))


if __name__ == "__main__":
    main()
