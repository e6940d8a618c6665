#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Count every test case of a devtools/run-tests.sh run; print one line per
source and, last, "N passed, N failed, N skipped". Exit 1 if anything failed.

Unit tests: each meson test of build/meson-logs/testlog.json counts the cases
its DPDK-style summary reports (" + Tests Passed :  N", Failed, Skipped,
Unsupported (as skipped), Total: cases the summary leaves unaccounted count as
failed). A meson test without a summary counts as one case; one that failed
although its summary shows no failure (a crash at exit, a timeout, a
LeakSanitizer report) adds one failed case. --meson-log may be given more than
once (the sanitizer build's run); the --meson-rc and --meson-prefix after it
belong to it, the prefix (e.g. "asan/") goes before its test names.

pytest: the cases of its JUnit XML; a run that ended abnormally (exit code
other than 0, 1 or 5) with no failure recorded adds one failed case.

Other Debian releases (--distro NAME=FILE, devtools/test-distro.sh --result
FILE): FILE holds that release's own "N passed, N failed, N skipped", which
counts as it is, or "skipped: REASON" (one skipped case) or "failed: REASON"
(one failed case); a missing or unreadable FILE is one failed case. With any
--distro, this machine's own count gets a line of its own before them.

usage: test-summary.py [--meson-log FILE --meson-rc N [--meson-prefix P]]...
                       [--junit FILE --pytest-rc N]
                       [--check NAME=passed|failed|skipped]...
                       [--distro NAME=FILE]...
"""

import argparse
import json
import re
import sys
import xml.etree.ElementTree as ET

COUNT_LINE = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$")
SUMMARY = re.compile(r"^\s*\+\s*Tests\s+(Passed|Failed|Skipped|Unsupported|Total)\s*:\s*(\d+)",
                     re.M | re.I)
MESON_GOOD = {"OK", "SKIP", "EXPECTEDFAIL"}


class Count:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def add(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped

    def __str__(self):
        return "%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped)


def count_meson_test(entry):
    c = Count()
    # meson 1.0 writes "stdout"/"stderr" (older ones "stdo"/"stde")
    out = "\n".join(entry.get(k) or "" for k in ("stdout", "stdo", "stderr", "stde"))
    result = str(entry.get("result", "")).upper().replace("TESTRESULT.", "")
    values = {}
    for key, val in SUMMARY.findall(out):
        values[key.lower()] = int(val)  # the last summary wins: it holds the totals
    if values:
        c.passed = values.get("passed", 0)
        c.failed = values.get("failed", 0)
        c.skipped = values.get("skipped", 0) + values.get("unsupported", 0)
        missing = values.get("total", 0) - (c.passed + c.failed + c.skipped)
        if missing > 0:
            c.failed += missing
        if result not in MESON_GOOD and c.failed == 0:
            c.failed += 1
    elif result == "OK":
        c.passed = 1
    elif result == "SKIP":
        c.skipped = 1
    else:
        c.failed = 1
    return c, result


def meson(path, rc, prefix, total):
    label = "unit " + prefix.rstrip("/") if prefix else "unit"
    entries = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    entries.append(json.loads(line))
    except (OSError, ValueError) as e:
        if rc != 0:
            print("%s: meson test failed (exit %d) and left no readable log: %s" % (label, rc, e))
            total.failed += 1
        else:
            print("%s: no unit tests ran" % label)
        return
    if not entries and rc != 0:
        print("%s: meson test failed (exit %d) with no test run" % (label, rc))
        total.failed += 1
        return
    for entry in entries:
        c, result = count_meson_test(entry)
        print("unit %-40s %s (%s)" % (prefix + entry.get("name", "?"), c, result))
        total.add(c)


def pytest(path, rc, total):
    c = Count()
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        root = None
        if rc not in (0, 5):
            print("pytest: exit %d and no readable JUnit XML (%s)" % (rc, e))
            c.failed += 1
    if root is not None:
        for case in root.iter("testcase"):
            tags = {child.tag for child in case}
            if tags & {"failure", "error"}:
                c.failed += 1
            elif "skipped" in tags:
                c.skipped += 1
            else:
                c.passed += 1
        if rc not in (0, 1, 5) and c.failed == 0:
            print("pytest: ended abnormally (exit %d)" % rc)
            c.failed += 1
    print("pytest %s (exit %d)" % (c, rc))
    total.add(c)


def distro(spec, total):
    name, _, path = spec.partition("=")
    c = Count()
    try:
        with open(path) as f:
            line = f.read().strip().splitlines()[-1]
    except (OSError, IndexError) as e:
        line = "failed: no result from devtools/test-distro.sh (%s)" % e
    m = COUNT_LINE.match(line)
    if m:
        c.passed, c.failed, c.skipped = (int(g) for g in m.groups())
        print("distro %-38s %s" % (name, c))
    else:
        if line.startswith("skipped:"):
            c.skipped = 1
        else:
            c.failed = 1
        print("distro %-38s %s (%s)" % (name, c, line))
    total.add(c)


def this_machine():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "this machine"


class MesonLog(argparse.Action):
    """--meson-log FILE starts one meson test run: {"log", "rc", "prefix"}."""

    def __call__(self, parser, namespace, values, option_string=None):
        runs = getattr(namespace, self.dest) or []
        runs.append({"log": values, "rc": 0, "prefix": ""})
        setattr(namespace, self.dest, runs)


class MesonRunOption(argparse.Action):
    """--meson-rc N, --meson-prefix P: of the --meson-log before them."""

    def __call__(self, parser, namespace, values, option_string=None):
        runs = getattr(namespace, "meson")
        if not runs:
            parser.error("%s must follow a --meson-log" % option_string)
        runs[-1][self.dest] = values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meson-log", dest="meson", action=MesonLog, default=[],
                    metavar="FILE")
    ap.add_argument("--meson-rc", dest="rc", type=int, action=MesonRunOption,
                    metavar="N")
    ap.add_argument("--meson-prefix", dest="prefix", action=MesonRunOption,
                    metavar="P")
    ap.add_argument("--junit")
    ap.add_argument("--pytest-rc", type=int, default=0)
    ap.add_argument("--check", action="append", default=[])
    ap.add_argument("--distro", action="append", default=[], metavar="NAME=FILE")
    args = ap.parse_args()

    total = Count()
    for check in args.check:
        name, _, status = check.partition("=")
        if status not in ("passed", "failed", "skipped"):
            sys.exit("bad --check %r" % check)
        setattr(total, status, getattr(total, status) + 1)
        print("check %-39s %s" % (name, status))
    for run in args.meson:
        meson(run["log"], run["rc"], run["prefix"], total)
    if args.junit:
        pytest(args.junit, args.pytest_rc, total)
    if args.distro:
        print("%-45s %s" % (this_machine(), total))
        for spec in args.distro:
            distro(spec, total)
    print(total)
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main())
