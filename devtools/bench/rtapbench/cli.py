# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""The benchmark's command line: options (parse_args) and the run (main)."""

import argparse
import datetime
import json
import math
import os
import re
import shutil
import signal
import sys
import time

from rtap_harness import INTR_FWD, TESTPMD

from . import REPO
from . import __doc__ as DOC
from .common import (ALL_PMDS, ALL_SCENARIOS, REFERENCES, BenchError, build_helpers, build_info,
                     check_build, check_driver, cleanup_stale, log, so_hash, stale_swaps)
from .report import write_outputs
from .scenarios import Bench, Pmd

def parse_args(argv):
    ap = argparse.ArgumentParser(description=DOC.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="1 repetition, 2 s windows (development, CI; < 3 min)")
    ap.add_argument("--reps", type=int, help="repetitions per point (default 5, quick 1)")
    ap.add_argument("--window", type=float, help="measurement window in s (default 3, quick 2)")
    ap.add_argument("--pmd", default=",".join(ALL_PMDS),
                    help="PMDs, comma separated; extra devargs in brackets, e.g. "
                    "'net_rtap[io_mode=sqpoll],net_tap' (default: all four)")
    ap.add_argument("--rtap-so", action="append", default=[], metavar="LABEL=PATH",
                    help="add a row LABEL: net_rtap with the library at PATH, swapped into "
                    "DPDK's PMD directory while each of the row's testpmd starts (the "
                    "installed file is put back at once, and at exit); repeatable. Other "
                    "DPDK processes starting at that moment load it too. A LABEL ending in "
                    "+offload runs that build as net_rtap+offload")
    ap.add_argument("--scenario", default=",".join(ALL_SCENARIOS),
                    help="scenarios among S1,S2,S2d,S3,S4,S5,S6 (default: all)")
    ap.add_argument("--no-ceiling", action="store_true",
                    help="skip the raw io_uring (S4) and veth ceilings")
    ap.add_argument("--sizes", default="64,1500", help="frame sizes (default 64,1500)")
    ap.add_argument("--streams", default="1,4", help="iperf3 stream counts (default 1,4)")
    ap.add_argument("--drain-count", type=int, default=100000,
                    help="frames pre-filled for S2d (default 100000)")
    ap.add_argument("--drain-queue", type=int, default=100000,
                    help="txqueuelen of the TAP for S2d (default 100000)")
    ap.add_argument("--wake-frames", type=int,
                    help="S5: probe frames per point (default 2000, quick 500)")
    ap.add_argument("--wake-gap-us", type=int, default=2000,
                    help="S5: microseconds between probe frames (default 2000)")
    ap.add_argument("--idle-window", type=float,
                    help="S5: seconds of idle CPU measured (default 5, quick 2)")
    ap.add_argument("--fwd-bin", default=os.path.join(REPO, "build", INTR_FWD),
                    help="S5: the forwarder (default build/%s of the repository)" % INTR_FWD)
    ap.add_argument("--main-core", type=int, default=0,
                    help="testpmd main lcore, generator, iperf3 (default 0)")
    ap.add_argument("--fwd-core", type=int, default=1,
                    help="forwarding lcore and raw_uring (default 1)")
    ap.add_argument("--mbufs", type=int, default=16384, help="testpmd --total-num-mbufs")
    ap.add_argument("--foreign-limit", type=float, default=0.05,
                    help="flag points where other processes used more than this share of a "
                    "core (default 0.05)")
    ap.add_argument("--drop-contended", action="store_true",
                    help="leave repetitions flagged for interference out of the medians "
                    "(when a clean one remains)")
    ap.add_argument("--wait-quiet", type=float, default=0,
                    help="before each repetition wait up to this many seconds for a quiet "
                    "machine")
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench"),
                    help="output directory (default build/bench/ of the repository)")
    ap.add_argument("--compare", metavar="RESULTS_JSON",
                    help="results.json of an earlier run: add its medians' ratio (x prev)")
    ap.add_argument("--report", metavar="RESULTS_JSON",
                    help="only re-render summary.md/.csv and bench.png from an earlier "
                    "results.json (into --out)")
    ap.add_argument("--cleanup-stale", action="store_true",
                    help="remove interfaces/namespaces left by dead runs, then exit")
    cfg = ap.parse_args(argv)
    cfg.mode = "quick" if cfg.quick else "full"
    cfg.reps = cfg.reps or (1 if cfg.quick else 5)
    cfg.window = cfg.window or (2.0 if cfg.quick else 3.0)
    cfg.warmup = 0.5
    cfg.wake_frames = cfg.wake_frames or (500 if cfg.quick else 2000)
    cfg.idle_window = cfg.idle_window or (2.0 if cfg.quick else 5.0)
    cfg.iperf_time = max(1, int(math.ceil(cfg.window)))
    cfg.iperf_omit = 0 if cfg.quick else 1      # seconds of slow start left out
    cfg.pmds = [Pmd(s) for s in re.findall(r"[a-z_]+(?:\+offload)?(?:\[[^\]]*\])?", cfg.pmd)]
    if not cfg.pmds:
        ap.error("--pmd: no PMD")
    for spec in cfg.rtap_so:
        m = re.fullmatch(r"([A-Za-z0-9][\w.+-]*)=(.+)", spec)
        if not m or m.group(1) in ALL_PMDS + REFERENCES:
            ap.error("--rtap-so %r: expected LABEL=PATH, LABEL a new row name" % spec)
        # LABEL+offload: that build in the offload variant (S3 with offloads)
        kind = "net_rtap+offload" if m.group(1).endswith("+offload") else "net_rtap"
        cfg.pmds.append(Pmd(kind, label=m.group(1), so=os.path.abspath(m.group(2))))
    labels = [p.label for p in cfg.pmds]
    if len(set(labels)) != len(labels):
        ap.error("--pmd/--rtap-so: duplicate rows")
    cfg.scenarios = set(s.strip() for s in cfg.scenario.split(",") if s.strip())
    bad = cfg.scenarios - set(ALL_SCENARIOS)
    if bad:
        ap.error("unknown scenario(s): %s" % ", ".join(sorted(bad)))
    cfg.ceiling = not cfg.no_ceiling
    cfg.sizes = [int(s) for s in cfg.sizes.split(",")]
    cfg.streams = [int(s) for s in cfg.streams.split(",")]
    if cfg.main_core == cfg.fwd_core:
        ap.error("--main-core and --fwd-core must differ")
    return cfg


def main(argv):
    cfg = parse_args(argv)
    if os.geteuid() != 0:
        print("bench.py needs root (TAP, veth, namespaces, hugepages)", file=sys.stderr)
        return 2
    if cfg.report:
        with open(cfg.report) as f:
            old = json.load(f)
        os.makedirs(cfg.out, exist_ok=True)
        if cfg.compare:
            old["meta"]["compare"] = cfg.compare
        print(write_outputs(cfg, old["meta"], old["runs"]))
        return 0
    if cfg.cleanup_stale:
        removed = cleanup_stale()
        print("removed: %s" % (", ".join(removed) or "nothing"))
        return 0
    for tool in (TESTPMD, "iperf3", "ethtool", "gcc", "taskset", "ss"):
        if not shutil.which(tool):
            print("missing tool: %s" % tool, file=sys.stderr)
            return 2
    os.makedirs(cfg.out, exist_ok=True)
    if os.path.exists(os.path.join(cfg.out, "errors.log")):
        os.remove(os.path.join(cfg.out, "errors.log"))
    # this script, the generator and iperf3 stay off the forwarding core
    os.sched_setaffinity(0, {cfg.main_core})
    bins = build_helpers(cfg.out)
    cfg.gen_bin, cfg.raw_bin, cfg.wake_bin = bins["gen"], bins["raw_uring"], bins["wake"]
    for path in stale_swaps():
        log("warning: %s is left from a killed --rtap-so run: the installed net_rtap may "
            "be another build; --cleanup-stale puts it back" % path)
    driver = check_driver()
    builds = {}
    for p in cfg.pmds:
        if p.so:
            try:
                check_build(p.so)
            except BenchError as e:
                print(e, file=sys.stderr)
                return 2
            builds[p.label] = build_info(p.so)
    meta = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "kernel": os.uname().release, "mode": cfg.mode, "reps": cfg.reps,
            "window": cfg.window, "main_core": cfg.main_core, "fwd_core": cfg.fwd_core,
            "pmds": [p.label for p in cfg.pmds], "scenarios": sorted(cfg.scenarios),
            "sizes": cfg.sizes, "streams": cfg.streams, "drain_count": cfg.drain_count,
            "wake_frames": cfg.wake_frames, "wake_gap_us": cfg.wake_gap_us,
            "idle_window": cfg.idle_window,
            "driver": driver, "rtap_so": builds, "argv": argv}
    bench = Bench(cfg)
    t0 = time.monotonic()

    def on_signal(sig, _frame):
        raise KeyboardInterrupt("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    interrupted = False
    try:
        log("net_rtap benchmark (%s): PMDs %s, scenarios %s, %d rep(s), window %.1f s -> %s"
            % (cfg.mode, ", ".join(meta["pmds"]), ",".join(meta["scenarios"]), cfg.reps,
               cfg.window, cfg.out))
        bench.run()
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: cleaning up")
    finally:
        bench.res.cleanup()
    def used(builds):
        return "; ".join("build %s: %s" % (h, ", ".join("rep %d %s" % x for x in sorted(v)))
                         for h, v in builds.items())
    # the installed library: the same file from the start to the end (a --rtap-so
    # swap puts that very file back), and every net_rtap row without --rtap-so ran it
    if set(bench.rtap_builds) - {driver["so_sha256"]} or \
            so_hash(driver["so"]) != driver["so_sha256"]:
        bench.failures.append("%s was replaced during the run: the net_rtap numbers mix "
                              "builds (%s)" % (driver["so"],
                                               used(bench.rtap_builds) or "no net_rtap point"))
        log("warning: " + bench.failures[-1])
    for label, so_builds in bench.so_builds.items():
        if len(so_builds) > 1:
            bench.failures.append("%s changed during the run: the %s numbers mix builds (%s)"
                                  % (builds[label]["so"], label, used(so_builds)))
            log("warning: " + bench.failures[-1])
        builds[label]["builds"] = {h: sorted(v) for h, v in so_builds.items()}
    meta["rtap_builds"] = {h: sorted(v) for h, v in bench.rtap_builds.items()}
    meta["failures"] = bench.failures
    meta["seconds"] = round(time.monotonic() - t0, 1)
    meta["tsc_mhz"] = bench.tsc_mhz
    md = write_outputs(cfg, meta, bench.records)
    print()
    print(md)
    log("done in %.0f s; results in %s" % (meta["seconds"], cfg.out))
    if interrupted:
        return 130
    return 1 if bench.failures else 0
