"""Differential-test oracle for package py: reads a JSON list of cases on
stdin and writes a JSON list of CPython's answers on stdout.

Values travel as tagged JSON so that every Python value survives: str as a
list of code points (lone surrogates included), bytes as a list of ints,
float as its IEEE-754 bits in hex, int as decimal text.
"""
import json
import struct
import sys
import traceback


def build(v):
    t = v["t"]
    if t == "none":
        return None
    if t == "bool":
        return v["v"]
    if t == "int":
        return int(v["v"])
    if t == "float":
        return struct.unpack("<d", bytes.fromhex(v["v"])[::-1])[0]
    if t == "str":
        return "".join(map(chr, v["v"]))
    if t == "bytes":
        return bytes(v["v"])
    if t == "tuple":
        return tuple(build(x) for x in v["v"])
    if t == "list":
        return [build(x) for x in v["v"]]
    raise ValueError(t)


def last_line(e):
    return traceback.format_exception_only(e)[-1].rstrip("\n")


def answer(case):
    op = case["op"]
    try:
        if op == "repr":
            return {"ok": repr(build(case["v"]))}
        if op == "str":
            return {"ok": [ord(c) for c in str(build(case["v"]))]}
        if op == "encode":
            return {"ok": list(build(case["v"]).encode("utf-8"))}
        if op == "fsencode":
            return {"ok": list(build(case["v"]).encode("utf-8", "surrogateescape"))}
        if op == "fsdecode":
            return {"ok": [ord(c) for c in build(case["v"]).decode("utf-8", "surrogateescape")]}
        if op == "isprintable":
            return {"ok": build(case["v"]).isprintable()}
    except Exception as e:  # the exception is the answer
        return {"exc": last_line(e)}
    raise ValueError(op)


def main():
    cases = json.load(sys.stdin)
    json.dump([answer(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
