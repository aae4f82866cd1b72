#!/usr/bin/env python3
"""Mutation score of the RTL tests (make mutate, docs/mutation.md).

Each mutant of tests/mutants.txt is applied alone to a copy of the tree in DIR/src, which is
rebuilt in DIR/src/build and tested with every CTest test that runs a Verilated model, tier by tier
(TIERS: the module tests first), each tier's executables and models rebuilt only when it is
reached, stopping at the first failure. A mutant is killed when a test fails (or times out), survives otherwise.
The table goes to standard output, DIR/mutation.md and DIR/mutation.json; the exit status is 1
when a mutant not marked equivalent survives, 2 on bad input (an unknown mutant, a line that is
not in its file, a mutant that does not build, an unmutated tree whose tests fail).

  scripts/mutate.py [--dir DIR] [--jobs N] [--only ID,ID...] [--configs C,C...] [--list] [--timeout S]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MUTANTS = os.path.join(ROOT, "tests", "mutants.txt")
# The test executables that run a Verilated model, in the order they are tried, each tier built
# only when the tiers before it passed: the module tests need only the module-test models and kill
# most mutants in seconds; the probe, core and fault tests need the core models; the device, cosim
# and SystemC tests run networks and need the SystemC models too. The other executables (golden,
# readers, tiler, scoreboard, functional device) never touch the RTL, so no RTL mutant can change
# their result.
TIERS = [["test_rtl_units"],
         ["test_isa_probe", "test_rtl_core", "test_fault"],
         ["test_rtl_device", "test_cosim", "test_systemc"]]


class InputError(Exception):
    pass


@dataclass
class Mutant:
    ident: str
    path: str
    what: str
    line: int
    old: list = field(default_factory=list)
    new: list = field(default_factory=list)
    equivalent: str = ""


def parse_mutants(path):
    """tests/mutants.txt: [id] file  class: description, then - / + / = lines."""
    mutants, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            where = f"{os.path.relpath(path, ROOT)}:{n}"
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"^\[([a-z0-9_]+)\]\s+(\S+)\s+(.+)$", line)
            if m:
                if any(x.ident == m.group(1) for x in mutants):
                    raise InputError(f"{where}: mutant '{m.group(1)}' defined twice")
                cur = Mutant(m.group(1), m.group(2), m.group(3).strip(), n)
                mutants.append(cur)
            elif cur is None or line[:2] not in ("- ", "+ ", "= ") and line not in ("-", "+"):
                raise InputError(f"{where}: expected '[id] file  class: what', '- ', '+ ' or '= '")
            elif line[0] == "-":
                if cur.new:
                    raise InputError(f"{where}: a '-' line after '+' lines in mutant '{cur.ident}'")
                cur.old.append(line[2:].strip())
            elif line[0] == "+":
                cur.new.append(line[2:])
            else:
                cur.equivalent = line[2:].strip()
    for m in mutants:
        if not m.old:
            raise InputError(f"{os.path.relpath(path, ROOT)}:{m.line}: mutant '{m.ident}' has no '-' line")
    return mutants


def apply(m, text):
    """The file's text with the mutant's lines replaced; InputError unless they occur once."""
    lines = text.split("\n")
    k = len(m.old)
    hits = [i for i in range(len(lines) - k + 1) if [s.strip() for s in lines[i:i + k]] == m.old]
    if len(hits) != 1:
        raise InputError(f"tests/mutants.txt:{m.line}: mutant '{m.ident}': the '-' lines occur "
                         f"{len(hits)} times in {m.path}, not once")
    i = hits[0]
    indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
    return "\n".join(lines[:i] + [indent + s for s in m.new] + lines[i + k:])


def sync_tree(src):
    """DIR/src mirrors the tracked files of the checkout; unchanged files keep their time stamps,
    so the copy's build stays incremental between runs."""
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        a, b = os.path.join(ROOT, rel), os.path.join(src, rel)
        if not os.path.isfile(a):
            continue
        with open(a, "rb") as f:
            data = f.read()
        if os.path.isfile(b):
            with open(b, "rb") as f:
                if f.read() == data:
                    continue
        os.makedirs(os.path.dirname(b), exist_ok=True)
        shutil.copy2(a, b)


def run(cmd, log, timeout=None):
    with open(log, "w") as out:
        try:
            return subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return 124


def build_path(args):
    """The copy's build directory sits inside it, where build/ sits in a checkout: tests that run
    programs from the repository root see the same layout."""
    return os.path.join(args.dir, "src", "build")


def build(args, log, targets=()):
    build_dir = build_path(args)
    if not os.path.isfile(os.path.join(build_dir, "Makefile")):
        # -O1 models: a mutant rebuilds every model, and compile time dominates a mutation run.
        # The configurations of --configs only (make mutate: the ones the tests name): the larger
        # arrays repeat the same RTL at more PEs and would double every core-tier rebuild.
        cfg = ["cmake", "-S", os.path.join(args.dir, "src"), "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
               "-DACCEL_MODEL_OPT=-O1", "-DACCEL_CONFIGS_ONLY=" + ";".join(args.configs)]
        if run(cfg, log) != 0:
            return False
    cmd = ["cmake", "--build", build_dir, "-j", str(args.jobs)]
    for t in targets:
        cmd += ["--target", t]
    return run(cmd, log) == 0


def test_tiers(build_dir):
    """CTest numbers of the tests each tier's executables register, from ctest's JSON listing."""
    listing = json.loads(subprocess.run(["ctest", "--test-dir", build_dir, "--show-only=json-v1"], check=True,
                                        capture_output=True).stdout)
    tiers = [([], []) for _ in TIERS]  # (executables present, their tests)
    for number, t in enumerate(listing["tests"], 1):
        exe = os.path.basename(t.get("command", [""])[0])
        for k, names in enumerate(TIERS):
            if exe in names:
                tiers[k][1].append((number, t["name"]))
                if exe not in tiers[k][0]:
                    tiers[k][0].append(exe)
    if not all(tests for _, tests in tiers):
        raise InputError(f"{build_dir}: no CTest tests of {TIERS} registered")
    return tiers


def run_tests(args, tiers, log, build_log=None):
    """(None, seconds) when every test passes, else (the first failing test's name, seconds).
    With build_log, each tier's executables (and the models they need) are built first."""
    t0 = time.time()
    for exes, tier in tiers:
        if build_log and not build(args, build_log, exes):
            return "build", time.time() - t0
        numbers = ",".join(str(n) for n, _ in tier)
        cmd = ["ctest", "--test-dir", build_path(args), "-j", str(args.jobs), "--stop-on-failure",
               "--timeout", str(args.timeout), "-I", f"0,0,0,{numbers}"]
        if run(cmd, log) != 0:
            with open(log) as f:
                failed = re.findall(r"^\s*\d+ - (.+?) \((?:Failed|Timeout|SEGFAULT|Subprocess aborted|Exception)",
                                    f.read(), re.M)
            return (failed[0] if failed else "ctest"), time.time() - t0
    return None, time.time() - t0


def table(results):
    rows = ["| mutant | file | bug | result | killed by | s |", "|---|---|---|---|---|---|"]
    for r in results:
        rows.append(f"| {r['id']} | {r['file']} | {r['what']} | {r['result']} | {r['killed_by'] or r['equivalent']} "
                    f"| {r['seconds']:.0f} |")
    killed = sum(r["result"] == "killed" for r in results)
    equiv = sum(r["result"] == "equivalent" for r in results)
    score = 100.0 * killed / max(1, len(results) - equiv)
    rows.append("")
    rows.append(f"{killed} of {len(results)} killed, {equiv} equivalent, "
                f"{len(results) - killed - equiv} survived: mutation score {score:.1f} % of the non-equivalent ones")
    return "\n".join(rows)


def mutate_one(args, m, tiers, src, progress):
    target = os.path.join(src, m.path)
    with open(target, encoding="utf-8") as f:
        original = f.read()
    log_dir = os.path.join(args.dir, "logs")
    try:
        with open(target, "w", encoding="utf-8") as f:
            f.write(apply(m, original))
        build_log = os.path.join(log_dir, f"{m.ident}.build.log")
        killer, test_s = run_tests(args, tiers, os.path.join(log_dir, f"{m.ident}.test.log"), build_log)
        if killer == "build":
            raise InputError(f"tests/mutants.txt:{m.line}: mutant '{m.ident}' does not build (see {build_log})")
    finally:
        with open(target, "w", encoding="utf-8") as f:
            f.write(original)
    result = "killed" if killer else ("equivalent" if m.equivalent else "survived")
    progress(f"{m.ident}: {result}{' by ' + killer if killer else ''} ({test_s:.0f} s, builds included)")
    return {"id": m.ident, "file": m.path, "what": m.what, "result": result, "killed_by": killer,
            "equivalent": m.equivalent, "seconds": test_s}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=os.path.join(ROOT, "build-mutate"), help="work directory (copy, build, logs)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="build and test jobs")
    ap.add_argument("--only", default="", help="comma-separated mutant ids (default: all)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per test before it counts as killed")
    ap.add_argument("--configs", default="",
                    help="comma-separated configurations of rtl/configs.txt to build and test (default: all)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = ap.parse_args()
    args.dir = os.path.abspath(args.dir)
    args.configs = [c for c in args.configs.split(",") if c]

    mutants = parse_mutants(MUTANTS)
    if args.only:
        wanted = [s for s in args.only.split(",") if s]
        unknown = [s for s in wanted if s not in {m.ident for m in mutants}]
        if unknown:
            raise InputError(f"--only: no mutant {', '.join(unknown)} in tests/mutants.txt")
        mutants = [m for m in mutants if m.ident in wanted]
    for m in mutants:  # every mutant applies before anything is built
        with open(os.path.join(ROOT, m.path), encoding="utf-8") as f:
            apply(m, f.read())
    if args.list:
        for m in mutants:
            print(f"{m.ident:28} {m.path:20} {m.what}")
        return 0

    src = os.path.join(args.dir, "src")
    os.makedirs(os.path.join(args.dir, "logs"), exist_ok=True)
    sync_tree(src)
    tty = sys.stdout.isatty() and not os.environ.get("CI")
    t_start = time.time()
    print(f"mutate: building and testing the unmutated tree in {args.dir}", flush=True)
    if not build(args, os.path.join(args.dir, "logs", "baseline.build.log")):
        raise InputError(f"the unmutated tree does not build (see {args.dir}/logs/baseline.build.log)")
    tiers = test_tiers(build_path(args))
    failed, secs = run_tests(args, tiers, os.path.join(args.dir, "logs", "baseline.test.log"))
    if failed:
        raise InputError(f"the unmutated tree fails {failed} (see {args.dir}/logs/baseline.test.log)")
    print(f"mutate: baseline passes {sum(len(t) for _, t in tiers)} tests in {secs:.0f} s; "
          f"{len(mutants)} mutants", flush=True)

    results = []
    for i, m in enumerate(mutants):
        def progress(msg, i=i):
            done = i + 1
            eta = (time.time() - t_start) / done * (len(mutants) - done)
            print(f"[{done}/{len(mutants)}] {msg}" + (f"  ETA {eta / 60:.0f} min" if tty else ""), flush=True)
        results.append(mutate_one(args, m, tiers, src, progress))
        # Rebuild the restored tree's models lazily: the next mutant's build does it.
    text = table(results)
    print(text)
    with open(os.path.join(args.dir, "mutation.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(args.dir, "mutation.json"), "w") as f:
        json.dump(results, f, indent=1)
    return 1 if any(r["result"] == "survived" for r in results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except InputError as e:
        print(f"error: mutate: {e}", file=sys.stderr)
        sys.exit(2)
