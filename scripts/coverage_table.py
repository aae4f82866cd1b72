#!/usr/bin/env python3
"""Per-module line and toggle coverage of a merged Verilator coverage file (make coverage).

Reads verilator_coverage's merged .dat (one `C '<keys>' <count>` line per point; the keys are
\\001key\\002value pairs: f file, l line, page v_line/<module>, v_branch/<module> or
v_toggle/<module>, o the signal and bit of a toggle point, S the lines a block covers) and prints
one row per RTL file (= module, rtl/accel_pkg.sv holds the package's functions): covered/total
lines (a line is covered when a block or branch whose statements include it ran, the
rule of verilator_coverage --write-info and so of the lcov report) and covered/total toggle
bits. The testbench (rtl/tb/) is listed below the total, not in it.

  coverage_table.py MERGED.dat [--split DIR]   DIR/line.dat and DIR/toggle.dat: the RTL's points
                                              of each kind, for verilator_coverage --write-info
                                              DIR/uncovered.txt: every uncovered line and toggle
"""
import argparse
import collections
import os
import re
import sys


def parse(path):
    """[(keys dict, count, raw line)] of a Verilator coverage file."""
    points = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            if not raw.startswith("C '"):
                continue
            body, _, count = raw.rstrip("\n").rpartition("' ")
            keys = {}
            for item in body[3:].split("\001"):
                if "\002" in item:
                    k, v = item.split("\002", 1)
                    keys[k] = v
            points.append((keys, int(count), raw))
    return points


def kind_of(keys):
    return "toggle" if keys.get("page", "").startswith("v_toggle") else "line"


def lines_of(keys):
    """The source lines a line-kind point stands for: its S ranges ("12-14,20"). A point without
    them (an else that has no statement of its own) stands for none, as in verilator_coverage's
    --write-info, so the table and the lcov report count the same lines."""
    out = []
    for part in filter(None, keys.get("S", "").split(",")):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def unit_of(keys):
    """(file stem, is testbench) of a point."""
    f = keys.get("f", "?")
    return os.path.splitext(os.path.basename(f))[0], "/tb/" in f.replace("\\", "/")


def summarise(points):
    """{(unit, tb): {"lines": {line: count}, "toggles": {signal bit: count}}}."""
    units = collections.defaultdict(lambda: {"lines": {}, "toggles": {}})
    for keys, count, _ in points:
        u = units[unit_of(keys)]
        if kind_of(keys) == "toggle":
            name = keys.get("o", "?")
            u["toggles"][name] = max(u["toggles"].get(name, 0), count)
        else:
            for ln in lines_of(keys):
                u["lines"][ln] = max(u["lines"].get(ln, 0), count)
    return units


def pct(cov, tot):
    return f"{100.0 * cov / tot:6.2f} %" if tot else "     -  "


def row(name, lines, toggles):
    lc, lt = sum(1 for c in lines.values() if c), len(lines)
    tc, tt = sum(1 for c in toggles.values() if c), len(toggles)
    return f"{name:<12} {lc:>5}/{lt:<5} {pct(lc, lt)}   {tc:>6}/{tt:<6} {pct(tc, tt)}", (lc, lt, tc, tt)


ORDER = ["core", "corelet", "mac_array", "mac_tile", "l0", "ofifo", "sfp", "sram", "fifo_sync", "accel_pkg"]


def table(units):
    out = [f"{'module':<12} {'lines':>11} {'line %':>8}   {'toggle bits':>13} {'toggle %':>8}"]
    rtl = sorted((k for k in units if not k[1]), key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 99, k[0]))
    sums = [0, 0, 0, 0]
    for k in rtl:
        text, n = row(k[0], units[k]["lines"], units[k]["toggles"])
        out.append(text)
        sums = [a + b for a, b in zip(sums, n)]
    out.append(f"{'RTL total':<12} {sums[0]:>5}/{sums[1]:<5} {pct(sums[0], sums[1])}   "
               f"{sums[2]:>6}/{sums[3]:<6} {pct(sums[2], sums[3])}")
    for k in sorted(k for k in units if k[1]):
        out.append(row(f"tb/{k[0]}", units[k]["lines"], units[k]["toggles"])[0])
    return "\n".join(out)


def bit_ranges(bits):
    """[3, 4, 5, 9] -> "3..5,9"."""
    bits = sorted(bits)
    parts, start = [], None
    for i, b in enumerate(bits):
        if start is None:
            start = b
        if i + 1 == len(bits) or bits[i + 1] != b + 1:
            parts.append(str(start) if start == b else f"{start}..{b}")
            start = None
    return ",".join(parts)


def uncovered(units):
    """Every uncovered line and toggle of the RTL, toggles grouped by signal with bit ranges."""
    out = []
    for (name, tb), u in sorted(units.items()):
        if tb:
            continue
        lines = sorted(ln for ln, c in u["lines"].items() if not c)
        if lines:
            out.append(f"{name}: lines {bit_ranges(lines)}")
        sigs = collections.defaultdict(list)
        for sig, c in u["toggles"].items():
            if c:
                continue
            m = re.fullmatch(r"(.*)\[(\d+)\]", sig)
            if m:
                sigs[m.group(1)].append(int(m.group(2)))
            else:
                sigs[sig] = sigs[sig]
        for sig in sorted(sigs):
            bits = sigs[sig]
            out.append(f"{name}: toggle {sig}" + (f"[{bit_ranges(bits)}]" if bits else ""))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("merged")
    ap.add_argument("--split", metavar="DIR")
    args = ap.parse_args()
    points = parse(args.merged)
    if not points:
        sys.exit(f"error: {args.merged}: no coverage points")
    units = summarise(points)
    if args.split:
        for kind in ("line", "toggle"):
            with open(os.path.join(args.split, f"{kind}.dat"), "w", encoding="utf-8") as f:
                f.write("# SystemC::Coverage-3\n")
                f.writelines(raw for keys, _, raw in points if kind_of(keys) == kind and not unit_of(keys)[1])
        with open(os.path.join(args.split, "uncovered.txt"), "w", encoding="utf-8") as f:
            f.write(uncovered(units) + "\n")
    print(table(units))


if __name__ == "__main__":
    main()
