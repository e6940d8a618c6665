#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Ablation of the raw io_uring ceilings: ring flags, fixed file, buffers, batch.

Runs raw_uring (raw_uring.c, the benchmark's no-DPDK program that opens and
polls a TAP like net_rtap) in several variants of its io_uring set-up and
prints a markdown table of their rates, so that the set-up net_rtap uses
can be chosen (and its choice documented) with numbers from one run.

    devtools/bench/raw_matrix.py --mode read              # drain, 5 reps: ~25 s
    devtools/bench/raw_matrix.py --mode write --reps 3    # tx: ~50 s
    devtools/bench/raw_matrix.py --mode read --variants default,ring=defer --out t.md

(as root, with /usr/bin/python3)

--mode read: the S2d drain of bench.py. raw_uring creates the TAP and waits;
the TAP's txqueuelen is raised to hold --count frames, gen (gen.c, on the
main core) queues them, and raw_uring (on the forwarding core) drains them
after "go". The rate is the program's own: frames / time from "go" to the
last frame. --mode write: raw_uring writes --size frames for --seconds (after
a short warm-up); the rate is what the kernel counted (the TAP's
rx_packets). cyc/pkt is TSC cycles per packet of raw_uring's busy loop.

Variants (raw_uring options; "default" is net_rtap's own configuration:
COOP_TASKRUN|TASKRUN_FLAG ring, the TAP as fixed file, 32 reads in flight or
writes per enter):
  ring=plain     -R plain   no setup flags (the kernel's default behaviour)
  ring=defer     -R defer   SINGLE_ISSUER|DEFER_TASKRUN, an enter every loop
  no-fixed-file  -N         the TAP's descriptor in every SQE
  fixed-buffers  -B         registered buffers, READ_FIXED / WRITE_FIXED
  batch=8/128    -b N       reads in flight / writes per enter
  multishot      -M         (read) one multishot read, provided buffers
  readv          -S         (read) no io_uring: a readv() per frame (net_tap)
  pi             -P         (read) the TAP opened as net_tap opens it: packet
                            information, no virtio-net header
  readv+pi       -S -P      (read) both

After one warm-up run (not counted: the first TAP of a run is slow to come
up), every repetition runs every variant once, the order rotated by one each
repetition; the table shows the median and min-max over repetitions and the
ratio of the medians to "default" (or to the first variant when default is
not run). A repetition is flagged ("!k": k flagged) when other processes
used more than 5% of the forwarding core while it ran, or when the kernel's
count or the drain fell short (listed under the table).

Interfaces are named rtm<pid>x and removed at the end, also on failure or
Ctrl-C. The helpers are built into build/bench/ like bench.py builds them.
"""

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rtapbench import REPO  # noqa: E402  (helpers shared with the benchmark)
from rtapbench.common import (Foreign, RawUring, build_helpers, counters,  # noqa: E402
                              delta, log, median)
from rtap_harness import HarnessError, ip, run  # noqa: E402

TAG = "rtm%d" % (os.getpid() % 100000)      # interface names, <= 15 chars
FOREIGN_LIMIT = 0.05
# name, raw_uring options, modes it applies to
VARIANTS = [
    ("default", [], ("read", "write")),
    ("ring=plain", ["-R", "plain"], ("read", "write")),
    ("ring=defer", ["-R", "defer"], ("read", "write")),
    ("no-fixed-file", ["-N"], ("read", "write")),
    ("fixed-buffers", ["-B"], ("read", "write")),
    ("batch=8", ["-b", "8"], ("read", "write")),
    ("batch=128", ["-b", "128"], ("read", "write")),
    ("multishot", ["-M"], ("read",)),
    ("readv", ["-S"], ("read",)),
    ("pi", ["-P"], ("read",)),
    ("readv+pi", ["-S", "-P"], ("read",)),
]


class Matrix:
    def __init__(self, cfg):
        self.cfg = cfg
        self.raw = None             # the running raw_uring (RawUring)
        self.foreign = Foreign()
        self.results = {name: [] for name, _ in cfg.variants}
        self.notes = []
        self.failures = 0

    def start(self, mode, ifname, opts):
        self.raw = RawUring(self.cfg.raw_bin, mode, ifname, self.cfg.fwd_core, opts)

    def finish(self, timeout):
        """Close raw_uring's stdin (it then exits), return its JSON; wait for the TAP to go."""
        j = self.raw.finish(timeout)
        self.raw = None
        return j

    def go(self, line):
        self.raw.go(line)

    def cleanup(self):
        if self.raw is not None:
            self.raw.cleanup()
        self.raw = None

    def read(self, ifname, opts):
        cfg = self.cfg
        self.start("read", ifname, opts + ["-q", str(cfg.count)])
        ip("link", "set", "dev", ifname, "txqueuelen", str(cfg.count), "up")
        k0 = counters(ifname, ("tx_packets", "tx_dropped"))
        res = run([cfg.gen_bin, "-i", ifname, "-s", str(cfg.size), "-c",
                         str(cfg.main_core), "-n", str(cfg.count)], timeout=60)
        g = json.loads(res.stdout)
        time.sleep(0.1)                 # let the last frames settle in the queue
        dk = delta(counters(ifname, ("tx_packets", "tx_dropped")), k0)
        queued = g["offered"] - dk["tx_dropped"]
        self.foreign.start()
        self.go("go %d" % queued)
        j = self.finish(60)
        self.foreign.stop()
        j["queued"] = queued
        if j["packets"] < queued or j["errors"]:
            j["note"] = "drained %d of %d frames, %d errors" % (j["packets"], queued,
                                                               j["errors"])
        return j

    def write(self, ifname, opts):
        cfg = self.cfg
        self.start("write", ifname, opts + ["-s", str(cfg.size), "-t", str(cfg.seconds)])
        ip("link", "set", "dev", ifname, "up")
        self.foreign.start()
        self.go("go")
        j = self.finish(cfg.seconds + 30)
        self.foreign.stop()
        if j["errors"] or j["kernel_packets"] < 0.99 * j["packets"]:
            j["note"] = "kernel counted %d of %d, %d errors" % (j["kernel_packets"],
                                                               j["packets"], j["errors"])
        return j

    def one(self, name, opts, ifname, what):
        """One run of a variant; None when it failed (noted)."""
        cfg = self.cfg
        try:
            j = (self.read if cfg.mode == "read" else self.write)(ifname, opts)
        except (HarnessError, OSError, ValueError, KeyError,
                subprocess.SubprocessError) as e:
            self.cleanup()
            self.failures += 1
            self.notes.append("%s, %s: FAILED: %s: %s" % (name, what, type(e).__name__, e))
            log("  %-14s FAILED: %s: %s" % (name, type(e).__name__, e))
            return None
        j["foreign"] = self.foreign.on(cfg.fwd_core)
        flag = ""
        if j["foreign"] > FOREIGN_LIMIT:
            flag = " !others used %.0f%% of core %d (%s)" % (
                100 * j["foreign"], cfg.fwd_core, ", ".join(self.foreign.who))
        if "note" in j:
            self.notes.append("%s, %s: %s" % (name, what, j["note"]))
            flag += " !" + j["note"]
        log("  %-14s %.3f Mpps %6.0f cyc/pkt%s"
                  % (name, j["pps"] / 1e6, j["cycles_per_packet"], flag))
        return j

    def run(self):
        cfg = self.cfg
        n = len(cfg.variants)
        # The first TAP of a run takes long to come up: keep that out of the numbers.
        log("warm-up (not counted)")
        self.one(cfg.variants[0][0], cfg.variants[0][1], TAG + "w", "warm-up")
        for rep in range(cfg.reps):
            log("repetition %d/%d" % (rep + 1, cfg.reps))
            order = cfg.variants[rep % n:] + cfg.variants[:rep % n]
            for i, (name, opts) in enumerate(order):
                j = self.one(name, opts, "%s%d" % (TAG, i), "repetition %d" % (rep + 1))
                if j is not None:
                    self.results[name].append(j)

    def markdown(self, meta):
        cfg = self.cfg
        names = [name for name, _ in cfg.variants]
        base = "default" if "default" in names else names[0]
        base_mpps = median([j["pps"] / 1e6 for j in self.results[base]])
        if cfg.mode == "read":
            what = ("drain of %d queued %d B frames (Mpps: the program's own, from \"go\" "
                    "to the last frame)" % (cfg.count, cfg.size))
        else:
            what = ("writes of %d B frames for %.1f s (Mpps: counted by the kernel, TAP "
                    "rx_packets)" % (cfg.size, cfg.seconds))
        out = ["# raw_uring %s variants" % cfg.mode, "",
               "%s, kernel %s, %s, %d repetition(s), variants interleaved. raw_uring on "
               "core %d, this script%s on core %d. Median and min-max over "
               "repetitions; x %s = ratio of medians; cyc/pkt = TSC cycles per packet of "
               "raw_uring's loop (median, lower is better). default = net_rtap's set-up: "
               "COOP_TASKRUN|TASKRUN_FLAG ring, fixed file, batch 32."
               % (meta["date"], meta["kernel"], what, cfg.reps, cfg.fwd_core,
                  " and gen" if cfg.mode == "read" else "", cfg.main_core,
                  base), ""]
        head = ["variant", "raw_uring options", "Mpps", "min-max", "x " + base, "cyc/pkt"]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for name, opts in cfg.variants:
            runs = self.results[name]
            if not runs:
                out.append("| %s | %s | - | - | - | - |" % (name, " ".join(opts) or "-"))
                continue
            mpps = [j["pps"] / 1e6 for j in runs]
            med = median(mpps)
            flagged = sum(1 for j in runs if j["foreign"] > FOREIGN_LIMIT or "note" in j)
            out.append("| %s | %s | %.3f | %.3f-%.3f%s | %s | %.0f |"
                       % (name, " ".join(opts) or "-", med, min(mpps), max(mpps),
                          " !%d" % flagged if flagged else "",
                          "%.2f" % (med / base_mpps) if base_mpps else "-",
                          median([j["cycles_per_packet"] for j in runs])))
        out.append("")
        if any(j["foreign"] > FOREIGN_LIMIT or "note" in j
               for runs in self.results.values() for j in runs):
            out += ["!k: k repetitions where other processes used more than %.0f%% of core "
                    "%d, or with a note below." % (100 * FOREIGN_LIMIT, cfg.fwd_core), ""]
        if self.notes:
            out += ["Notes:", ""] + ["- " + s for s in self.notes] + [""]
        return "\n".join(out)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("read", "write"), default="read",
                    help="read: drain a pre-filled TAP; write: tx to the kernel (default read)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    ap.add_argument("--size", type=int, default=64, help="frame size (default 64)")
    ap.add_argument("--count", type=int, default=100000,
                    help="read: frames queued per drain, also the TAP's txqueuelen "
                    "(default 100000)")
    ap.add_argument("--seconds", type=float, default=2.0,
                    help="write: measurement window in s (default 2)")
    ap.add_argument("--variants",
                    help="comma list of variants to run (default: all of the mode's)")
    ap.add_argument("--out", help="also write the markdown table to this file")
    ap.add_argument("--main-core", type=int, default=0, help="gen and this script (default 0)")
    ap.add_argument("--fwd-core", type=int, default=1, help="raw_uring (default 1)")
    cfg = ap.parse_args(argv)
    known = [(name, opts) for name, opts, modes in VARIANTS if cfg.mode in modes]
    if cfg.variants:
        want = [v.strip() for v in cfg.variants.split(",") if v.strip()]
        bad = [v for v in want if v not in dict(known)]
        if bad or not want:
            ap.error("unknown variant(s) for --mode %s: %s (known: %s)"
                     % (cfg.mode, ", ".join(bad) or "none given",
                        ", ".join(name for name, _ in known)))
        known = [(name, dict(known)[name]) for name in dict.fromkeys(want)]
    cfg.variants = known
    if cfg.reps < 1 or cfg.count < 1 or cfg.seconds <= 0:
        ap.error("--reps, --count and --seconds must be positive")
    if cfg.main_core == cfg.fwd_core:
        ap.error("--main-core and --fwd-core must differ")
    return cfg


def main(argv):
    cfg = parse_args(argv)
    if os.geteuid() != 0:
        print("raw_matrix.py needs root (TAP interfaces)", file=sys.stderr)
        return 2
    out_dir = os.path.join(REPO, "build", "bench")
    os.makedirs(out_dir, exist_ok=True)
    bins = build_helpers(out_dir)
    cfg.gen_bin, cfg.raw_bin = bins["gen"], bins["raw_uring"]
    os.sched_setaffinity(0, {cfg.main_core})      # stay off raw_uring's core
    meta = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "kernel": os.uname().release}
    matrix = Matrix(cfg)

    def on_signal(sig, _frame):
        raise KeyboardInterrupt("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    t0 = time.monotonic()
    log("raw_uring %s: %s; %d repetition(s)"
              % (cfg.mode, ", ".join(name for name, _ in cfg.variants), cfg.reps))
    try:
        matrix.run()
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        matrix.cleanup()
    md = matrix.markdown(meta)
    print()
    print(md)
    if cfg.out:
        with open(cfg.out, "w") as f:
            f.write(md + "\n")
    log("done in %.0f s" % (time.monotonic() - t0))
    return 1 if matrix.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
