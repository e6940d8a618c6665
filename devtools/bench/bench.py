#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Benchmark net_rtap against net_tap, net_af_packet and net_af_xdp.

One command runs the same scenarios for every PMD in the same run, on this
machine only (TAP and veth interfaces, and namespaces this script creates),
and writes a table (markdown + CSV), the raw measurements and a PNG plot.

    devtools/bench.sh --quick           # 1 repetition, 2 s windows: ~2 min
    devtools/bench.sh                   # full: 5 repetitions, 3 s windows: ~13 min
    devtools/bench.sh --quick --pmd net_rtap,net_tap --scenario S1,S2d     # ~30 s
    devtools/bench.sh --quick --compare build/bench-before/results.json   # x prev column

(as root; devtools/bench.sh runs devtools/bench/bench.py with /usr/bin/python3)

Method
------
Two cores: the DPDK forwarding lcore runs on core 1 (--fwd-core), testpmd's
main lcore, the generator, iperf3 and this script on core 0 (--main-core).
The PMDs under test are Debian's dpdk-testpmd with the PMDs installed in
DPDK's PMD directory (net_rtap comes from `meson install`). net_rtap and
net_tap create a TAP; net_af_packet and net_af_xdp attach to one end (A) of
a veth pair whose other end (B) is the kernel side.

S1   tx to the kernel. testpmd txonly (--txpkts 64 and 1500, one queue). The
     rate is what the *kernel* counted (rx_packets of the TAP, or of veth B)
     over a fixed window after a warm-up, not what testpmd claims.
S2   rx from the kernel. gen (gen.c: AF_PACKET, PACKET_QDISC_BYPASS,
     sendmmsg, pinned to the main core) floods the TAP (or veth B) with one
     frame size for a fixed time; testpmd rxonly. Reported: what DPDK
     received (testpmd's port rx-packets) per second, the fraction of what
     the generator offered, and the kernel's drops (TAP: tx_dropped; veth:
     B tx_dropped + A rx_dropped).
S2d  rx drain. testpmd rxonly with --no-flush-rx: with the port started
     but forwarding stopped nobody reads, so the TAP's queue (txqueuelen
     raised to --drain-queue) holds the --drain-count frames gen pushes.
     Then `start`, and the TAP's tx_packets counter (the kernel counts a
     frame when its reader takes it) is sampled every ~0.3 ms until all are
     taken; the rate is the slope between 10% and 90% of the way, clear of
     start and end effects. testpmd's rx-packets must then account for all
     of them. This is the pure receive cost without generator limits. It
     agrees with testpmd's cycles/packet (TSC Hz / cycles). TAP PMDs only:
     for af_packet/af_xdp the kernel's receive work (the copy into the
     socket ring) happens at enqueue time on the generator core and their
     rings hold a few thousand frames, so a drain would measure something
     else; they are left out.
S3   TCP. Two ports, each kernel interface in its own namespace, testpmd io
     forwarding between them, iperf3 with 1 and 4 streams (-P), client and
     server pinned to the main core. The ceiling is a plain veth pair
     between the same kind of namespaces. TAP PMDs: the TAPs are moved into
     the namespaces; veth PMDs: two veth pairs, B in a namespace, A in the
     root namespace for the PMD. Offloads: TAP PMDs negotiate none here
     (the kernel segments and checksums for them); the namespace ends of the
     veth pairs used by af_packet/af_xdp have tx checksum/TSO/GSO off, since
     those PMDs cannot carry partial checksums or GSO frames.
S4   raw ceiling, no DPDK. raw_uring.c opens a TAP the way net_rtap does
     (IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE|IFF_VNET_HDR, 10-byte zero header,
     O_NONBLOCK), sets its io_uring up like net_rtap (COOP_TASKRUN and
     TASKRUN_FLAG, the TAP as fixed file) and, pinned to the forwarding
     core, busy-polls it with at most one io_uring_enter per loop, never
     waiting: (write) batches of 32 writes per enter, counted by the kernel
     (rx_packets) over the same window; (read, "raw") a queue pre-filled as
     in S2d drained with 32 one-shot reads kept in flight (net_rtap's
     default engine). They are the ceilings for S1 and S2d. For reference
     two more readers drain their own TAP, filled the same way, after it:
     "raw-mshot", one multishot read over 256 provided buffers (kernel
     6.7+), and "raw-readv", one non-blocking readv() per frame (what
     net_tap does). Their x ceil is relative to "raw" too.
     devtools/bench/raw_matrix.py measures variants of that set-up (ring
     flags, fixed file, registered buffers, batch size) against each other,
     interleaved and repeated, and prints them as a table.

Per-packet CPU: testpmd runs with --record-core-cycles and prints "CPU
cycles/packet" at `stop` (TSC cycles of the forwarding lcore). That figure
counts only bursts that returned packets (txonly: every burst): work a PMD
does in an empty poll, or in io_uring task work run outside the timed
bursts, is missed, so for rx it can be far too low (a multishot-read
net_rtap shows ~40 cycles/packet there). The tables therefore use, for S2d,
TSC Hz / drain rate (the lcore polls flat out during a drain, so that is
what a packet costs it) and show testpmd's number next to it; S1 uses
testpmd's txonly figure; S2 shows testpmd's figure with that caveat. The
raw program reports TSC cycles per packet of its own busy loop.

Reading the numbers:
- S2 is normally limited by the generator (one core of AF_PACKET sends), and
  the PMD shapes what the generator achieves: every frame the kernel queues
  wakes the reader (net_rtap: an io_uring poll wake-up and task work;
  net_tap: a real-time signal to testpmd, its process-wide rx trigger), and for veth
  PMDs the kernel's receive work (XDP redirect or the copy into the
  packet ring) runs in softirq on the generator core. Compare received and
  offered rates, losses and drops here; compare capacity in S2d.
- rx cycles/packet of af_packet/af_xdp are low because their kernel work is
  done on the other core (see above); for the TAP PMDs the copy happens in
  the lcore's own syscall (read, or io_uring_enter).
- net_af_xdp on veth runs in native XDP, copy mode (veth has no zero-copy);
  libxdp loads its default program (no bpffs here, so no dispatcher).
- testpmd's txonly cost includes building the frames; the raw program
  writes one prepared frame, so it has a small head start in S1.

Every point is repeated --reps times (PMDs interleaved within a
repetition); the table shows the median and the min-max spread, the ratio
of the medians to net_tap and to the ceiling (raw write for S1, raw read
for S2d, the veth pair for S3). "x tap" above 1 means faster than net_tap;
for cycles lower is better.

Interference: the machine may be shared. For every window the benchmark
sums the CPU time that user processes outside its own process tree used on
each core (a thread's time goes to the core it last ran on: exact for pinned
threads). A repetition is flagged ("!k" in the table: k repetitions
flagged; foreign_cpu in runs.csv) when that exceeds --foreign-limit of a
core on the cores the scenario depends on:
the forwarding core always; the main core too for S2 and S3, whose kernel
side (generator, veth softirqs, iperf3) runs there. It also warns when
another DPDK process is running, and when the installed net_rtap library
changes during the run. --wait-quiet N waits up to N seconds for a quiet
machine before each repetition; --drop-contended leaves flagged
repetitions out of the medians (when a clean one remains). --report
RESULTS_JSON re-renders the table and plot of an earlier run (with the
options given now, e.g. --drop-contended) without measuring anything.

Outputs (in --out, default build/bench/): summary.md, summary.csv (one row
per point and PMD), runs.csv (every measurement), results.json, bench.png,
and the helpers gen and raw_uring built from this directory with gcc.

Everything created is named after this process's pid (interfaces rtb<pid>*,
namespaces rtbn-<pid>-*, EAL prefixes rtb-<pid>-*) and removed at the end,
also on failure or Ctrl-C. --cleanup-stale removes leftovers of earlier runs
whose process is gone.

Options (see --help): --quick, --reps, --window, --pmd (comma list; a PMD may
carry extra devargs in brackets: "net_rtap[foo=1,bar=2]"; the same PMD may be
listed twice with different devargs to compare variants), --scenario (S1,
S2, S2d, S3, S4; S4 and the veth ceiling run when their scenario runs
unless --no-ceiling), --sizes, --streams, --out, --main-core/--fwd-core.
"""

import argparse
import csv
import datetime
import hashlib
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import traceback

import pexpect

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "devtools", "pylib"))
from rtap_harness import pmd_dir  # noqa: E402

TESTPMD = "/usr/bin/dpdk-testpmd"
PMD_DIR = pmd_dir()
RTAP_SO = os.path.join(PMD_DIR, "librte_net_rtap.so")
PID = os.getpid()
TAG = "rtb%d" % (PID % 100000)            # interface prefix, <= 8 chars
NS_PREFIX = "rtbn-%d-" % PID
ALL_PMDS = ["net_rtap", "net_tap", "net_af_packet", "net_af_xdp"]
TAP_PMDS = ("net_rtap", "net_tap")
# S4's readers: label, TAP name suffix, raw_uring read options; "raw" is the S2d ceiling.
RAW_READERS = [("raw", "r", []), ("raw-mshot", "m", ["-M"]), ("raw-readv", "v", ["-S"])]
# rows that are not PMDs (ceilings and references), in table order
REFERENCES = ["raw", "raw-mshot", "raw-readv", "veth"]
ALL_SCENARIOS = ["S1", "S2", "S2d", "S3", "S4"]
BASELINE = "net_tap"

SCENARIO_TITLE = {
    "S1": "S1 tx to the kernel (Mpps the kernel counted)",
    "S2": "S2 rx from the kernel under a generator (Mpps DPDK received)",
    "S2d": "S2d rx drain of a pre-filled kernel queue (Mpps)",
    "S3": "S3 TCP through testpmd io forwarding (Gbit/s, iperf3)",
}


class BenchError(Exception):
    pass


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---------------------------------------------------------------- helpers

def run(cmd, netns=None, check=True, timeout=60, **kwargs):
    if netns:
        cmd = ["ip", "netns", "exec", netns] + list(cmd)
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and res.returncode != 0:
        raise BenchError("%s: exit %d: %s%s" % (" ".join(cmd), res.returncode,
                                                res.stdout, res.stderr.strip()))
    return res


def ip(*args, netns=None, check=True):
    return run(["ip"] + (["-n", netns] if netns else []) + list(args), check=check)


def wait_for(pred, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise BenchError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def link_exists(name, netns=None):
    if netns is None:
        return os.path.exists("/sys/class/net/" + name)
    return ip("link", "show", "dev", name, netns=netns, check=False).returncode == 0


def counter(ifname, name):
    with open("/sys/class/net/%s/statistics/%s" % (ifname, name)) as f:
        return int(f.read())


def counters(ifname, names):
    return {n: counter(ifname, n) for n in names}


def delta(after, before):
    return {k: after[k] - before[k] for k in after}


def disable_ipv6(ifname, netns=None):
    """Keep the kernel's own IPv6 neighbour discovery and MLD frames out of the counts."""
    path = "/proc/sys/net/ipv6/conf/%s/disable_ipv6" % ifname
    if netns:
        run(["sh", "-c", "echo 1 > " + path], netns=netns, check=False)
    else:
        try:            # best effort: a brand-new device may not take it yet
            with open(path, "w") as f:
                f.write("1")
        except OSError as e:
            log("  note: %s: %s" % (path, e))


def mac_of(ifname):
    with open("/sys/class/net/%s/address" % ifname) as f:
        return f.read().strip()


def sample_counter(ifname, name, target, timeout=30.0, idle=0.5):
    """(time, increase) samples of a counter until it grew by target or stalled."""
    fd = os.open("/sys/class/net/%s/statistics/%s" % (ifname, name), os.O_RDONLY)
    try:
        v0 = int(os.pread(fd, 32, 0))
        t0 = last_change = time.monotonic()
        samples, prev = [(t0, 0)], 0
        while True:
            try:
                v = int(os.pread(fd, 32, 0)) - v0
            except OSError:             # the device went away
                return samples
            t = time.monotonic()
            samples.append((t, v))
            if v != prev:
                last_change, prev = t, v
            if v >= target or t - last_change > idle or t - t0 > timeout:
                return samples
            time.sleep(0.0002)
    finally:
        os.close(fd)


def slope(samples, target, lo=0.1, hi=0.9):
    """Rate between the moments the count crossed lo*target and hi*target."""
    def crossing(level):
        for (ta, va), (tb, vb) in zip(samples, samples[1:]):
            if va < level <= vb:
                return ta + (tb - ta) * (level - va) / (vb - va)
        return None
    a, b = crossing(lo * target), crossing(hi * target)
    if a is None or b is None or b <= a:
        return None
    return (hi - lo) * target / (b - a)


def median(v):
    return statistics.median(v) if v else None


# ------------------------------------------------------- interference check

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(path):
    """(comm, fields after comm) of a /proc stat file, or None."""
    try:
        with open(path) as f:
            s = f.read()
    except OSError:
        return None
    rp = s.rfind(")")
    return s[s.find("(") + 1:rp], s[rp + 2:].split()


def _proc_table():
    """pid -> (ppid, is_kernel_thread, comm, {tid: (cpu ticks, last cpu)})."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        st = _stat("/proc/%s/stat" % d)
        if st is None:
            continue
        comm, fields = st
        kthread = bool(int(fields[6]) & 0x00200000)      # PF_KTHREAD
        tasks = {}
        if not kthread:
            try:
                tids = os.listdir("/proc/%s/task" % d)
            except OSError:
                tids = []
            for t in tids:
                ts = _stat("/proc/%s/task/%s/stat" % (d, t))
                if ts:
                    f = ts[1]
                    tasks[int(t)] = (int(f[11]) + int(f[12]), int(f[36]))
        table[int(d)] = (int(fields[1]), kthread, comm, tasks)
    return table


def _steal():
    """cpu -> ticks the hypervisor gave to someone else (/proc/stat steal)."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            m = re.match(r"cpu(\d+) " + r"(\d+) " * 8, line)
            if m:
                out[int(m.group(1))] = int(m.group(9))
    return out


def _ours(table):
    ours = {PID}
    changed = True
    while changed:
        changed = False
        for pid, entry in table.items():
            if pid not in ours and entry[0] in ours:
                ours.add(pid)
                changed = True
    return ours


class Foreign:
    """CPU that user processes other than ours used between start() and stop().

    Per core: each thread's time is put on the CPU it last ran on, which is
    exact for pinned threads (DPDK lcores) and a fair guess for the rest.
    """

    def start(self):
        self.t0 = time.monotonic()
        self.before = _proc_table()
        self.steal0 = _steal()

    def stop(self):
        after = _proc_table()
        elapsed = max(time.monotonic() - self.t0, 1e-3)
        ours = _ours(after) | _ours(self.before)
        per_cpu, who = {}, {}
        for pid, (_, kthread, comm, tasks) in after.items():
            if pid in ours or kthread or pid not in self.before:
                continue
            old = self.before[pid][3]
            for tid, (ticks, cpu) in tasks.items():
                d = ticks - old.get(tid, (ticks, cpu))[0]
                if d > 0:
                    per_cpu[cpu] = per_cpu.get(cpu, 0) + d
                    who[comm] = who.get(comm, 0) + d
        self.per_cpu = {c: t / CLK_TCK / elapsed for c, t in per_cpu.items()}
        steal1 = _steal()
        self.steal = {c: (steal1[c] - self.steal0.get(c, steal1[c])) / CLK_TCK / elapsed
                      for c in steal1}
        self.cores = sum(self.per_cpu.values())
        self.who = sorted(who, key=who.get, reverse=True)[:3]
        return self.cores

    def on(self, cpu):
        return self.per_cpu.get(cpu, 0.0)


def other_dpdk():
    table = _proc_table()
    ours = _ours(table)
    return sorted({e[2] for p, e in table.items()
                   if not e[1] and p not in ours and e[2].startswith("dpdk-")})


# ------------------------------------------------------------- resources

class Resources:
    """Every kernel object and process this run created, removed by cleanup()."""

    def __init__(self):
        self.netns = []
        self.links = []          # (name, netns or None)
        self.procs = []          # Popen or Testpmd

    def add_netns(self, name):
        ip("netns", "add", name)
        self.netns.append(name)
        ip("link", "set", "dev", "lo", "up", netns=name)
        run(["sh", "-c", "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6;"
             " echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6"], netns=name)
        return name

    def add_veth(self, a, b, netns_b=None, netns_a=None):
        ip("link", "add", a, "type", "veth", "peer", "name", b)
        self.links.append((a, None))
        if netns_a:
            ip("link", "set", "dev", a, "netns", netns_a)
            self.links.append((a, netns_a))
        if netns_b:
            ip("link", "set", "dev", b, "netns", netns_b)
        for name, ns in ((a, netns_a), (b, netns_b)):
            disable_ipv6(name, ns)
            ip("link", "set", "dev", name, "up", netns=ns)

    def forget_link(self, name):
        self.links = [x for x in self.links if x[0] != name]

    def cleanup(self):
        for p in reversed(self.procs):
            try:
                if isinstance(p, Testpmd):
                    p.close()
                elif p.poll() is None:
                    p.terminate()
                    try:
                        p.wait(5)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait(5)
            except Exception as e:          # keep cleaning up
                log("cleanup: %s" % e)
        self.procs = []
        for name, ns in reversed(self.links):
            if link_exists(name, ns):
                ip("link", "del", "dev", name, netns=ns, check=False)
        self.links = []
        for ns in reversed(self.netns):
            ip("netns", "del", ns, check=False)
        self.netns = []


def cleanup_stale():
    """Remove namespaces and interfaces of earlier runs whose process is gone."""
    removed = []
    for name in os.listdir("/run/netns") if os.path.isdir("/run/netns") else []:
        m = re.match(r"rtbn-(\d+)-", name)
        if m and not os.path.exists("/proc/" + m.group(1)):
            ip("netns", "del", name, check=False)
            removed.append(name)
    live = {p % 100000 for p in map(int, filter(str.isdigit, os.listdir("/proc")))}
    for name in os.listdir("/sys/class/net"):
        m = re.match(r"rtb(\d+)[a-z]", name)
        if m and int(m.group(1)) not in live:
            ip("link", "del", "dev", name, check=False)
            removed.append(name)
    return removed


# -------------------------------------------------------------- testpmd

CYCLES_RE = re.compile(r"CPU cycles/packet=([\d.]+) \(total cycles=(\d+) / total \w+ "
                       r"packets=(\d+)\) at (\d+) MHz")


class Testpmd:
    """dpdk-testpmd in interactive mode under pexpect."""

    PROMPT = "testpmd> "
    _n = 0

    def __init__(self, res, cfg, vdevs, mode, app_args=(), timeout=60):
        Testpmd._n += 1
        self.prefix = "rtb-%d-%d" % (PID, Testpmd._n)
        argv = [TESTPMD, "-l", "%d,%d" % (cfg.main_core, cfg.fwd_core),
                "--main-lcore", str(cfg.main_core), "--in-memory",
                "--file-prefix=" + self.prefix, "--no-pci", "--log-level=lib.eal:warning"]
        argv += ["--vdev=" + v for v in vdevs]
        argv += ["--", "-i", "--forward-mode=" + mode, "--nb-cores=1", "--record-core-cycles",
                 "--total-num-mbufs=%d" % cfg.mbufs]
        argv += list(app_args)
        self.argv = argv
        self.timeout = timeout
        self.log = []
        self.child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace",
                                   timeout=timeout, dimensions=(50, 250), echo=False)
        res.procs.append(self)
        i = self.child.expect_exact([self.PROMPT, pexpect.EOF])
        self.log.append(self.child.before)
        if i == 1:
            raise BenchError("testpmd exited before its prompt:\n%s\n%s"
                             % (" ".join(argv), self.tail()))
        if "Port 0:" not in self.child.before and "Configuring Port 0" not in self.child.before:
            raise BenchError("testpmd has no port:\n%s" % self.tail())
        self.tsc_mhz = None

    def cmd(self, command, timeout=None):
        if not self.child.isalive():
            raise BenchError("testpmd is gone; cannot send %r:\n%s" % (command, self.tail()))
        self.child.sendline(command)
        try:
            self.child.expect_exact(self.PROMPT, timeout=timeout or self.timeout)
        except (pexpect.EOF, pexpect.TIMEOUT) as e:
            raise BenchError("testpmd: no prompt after %r (%s):\n%s"
                             % (command, type(e).__name__, self.tail())) from None
        out = self.child.before.replace("\r", "")
        self.log.append(command + "\n" + out)
        return out

    def rx_packets(self, port=0):
        out = self.cmd("show port stats %d" % port)
        m = re.search(r"RX-packets:\s+(\d+)\s+RX-missed:\s+(\d+)", out)
        if not m:
            raise BenchError("no port stats in:\n%s" % out)
        return int(m.group(1)), int(m.group(2))

    def start(self):
        out = self.cmd("start")
        if "packet forwarding" not in out:
            raise BenchError("start failed:\n%s" % out)

    def stop(self):
        """`stop`: per-port forward stats and cycles/packet since `start`."""
        out = self.cmd("stop")
        fwd = {}
        for port, block in re.findall(r"Forward statistics for port (\d+)\s+-+\n(.*?)\n\s*-{20,}",
                                      out, re.S):
            fwd[int(port)] = {k: int(v) for k, v in re.findall(r"([RT]X-[a-z]+):\s+(\d+)",
                                                                 block)}
        m = CYCLES_RE.search(out)
        cycles = float(m.group(1)) if m else None
        if m:
            self.tsc_mhz = int(m.group(4))
        return fwd, cycles

    def tail(self, n=40):
        text = "".join(self.log) + (self.child.before or "")
        return "\n".join(text.replace("\r", "").split("\n")[-n:])

    def close(self):
        if self.child.isalive():
            try:
                self.child.sendline("quit")
                self.child.expect(pexpect.EOF, timeout=20)
            except (pexpect.EOF, pexpect.TIMEOUT, OSError):
                pass
        if self.child.isalive():
            self.child.kill(signal.SIGTERM)
            time.sleep(1)
            if self.child.isalive():
                self.child.kill(signal.SIGKILL)
        self.child.close(force=True)


# ----------------------------------------------------------- PMD set-up

# net_rtap+offload: rx UDP/TCP checksum (0xc) and LRO; tx IPv4/UDP/TCP checksum,
# TCP TSO and multi-segment (0x802e)
OFFLOAD_APP_ARGS = ["--rx-offloads=0xc", "--enable-lro", "--tx-offloads=0x802e"]

class Pmd:
    """One PMD under test, possibly with extra devargs: "net_rtap[a=1,b=2]"."""

    def __init__(self, spec):
        m = re.fullmatch(r"([a-z_]+)(\+offload)?(?:\[(.*)\])?", spec.strip())
        if not m or m.group(1) not in ALL_PMDS or (m.group(2) and m.group(1) != "net_rtap"):
            raise BenchError("unknown PMD %r (expected one of %s, optionally with [devargs]; "
                             "net_rtap+offload for S3 with offloads)"
                             % (spec, ", ".join(ALL_PMDS)))
        self.name = m.group(1)
        self.offload = bool(m.group(2))
        self.extra = m.group(3) or ""
        self.label = spec.strip()
        self.is_tap = self.name in TAP_PMDS

    def vdev(self, index, iface):
        if self.name == "net_af_xdp":
            s = "net_af_xdp%d,iface=%s,start_queue=0,queue_count=1" % (index, iface)
        else:
            s = "%s%d,iface=%s" % (self.name, index, iface)
        return s + ("," + self.extra if self.extra else "")


class Ports:
    """Kernel interfaces for nports ports of a PMD in the root namespace.

    pmd_if[i]: what the PMD attaches to (TAP: created by it; veth: A end);
    kernel_if[i]: the kernel side that counts and sends (TAP itself, or B).
    """

    _n = 0

    def __init__(self, res, pmd, nports):
        Ports._n += 1
        self.res, self.pmd = res, pmd
        self.pmd_if, self.kernel_if = [], []
        for i in range(nports):
            base = "%s%s%d" % (TAG, "abcdefghij"[i], Ports._n % 1000)
            if pmd.is_tap:
                self.pmd_if.append(base + "t")
                self.kernel_if.append(base + "t")
                res.links.append((base + "t", None))
            else:
                a, b = base + "a", base + "b"
                res.add_veth(a, b)
                self.pmd_if.append(a)
                self.kernel_if.append(b)

    def vdevs(self):
        return [self.pmd.vdev(i, n) for i, n in enumerate(self.pmd_if)]

    def close(self):
        """Delete the veth pairs (a TAP goes with the testpmd that made it)."""
        for a in self.pmd_if:
            if not self.pmd.is_tap and link_exists(a):
                ip("link", "del", "dev", a, check=False)
            self.res.forget_link(a)

    def after_start(self, up=True):
        """Once testpmd runs: the TAPs exist; bring them up, IPv6 off."""
        if self.pmd.is_tap:
            for n in self.pmd_if:
                wait_for(lambda: link_exists(n), 10, "interface " + n)
                disable_ipv6(n)
                if up:
                    ip("link", "set", "dev", n, "up")


# ------------------------------------------------------------ scenarios

class Bench:
    def __init__(self, cfg):
        self.cfg = cfg
        self.res = Resources()
        self.records = []
        self.failures = []
        self.tsc_mhz = None
        self.foreign = Foreign()
        self.n_s3 = 0
        self.rtap_build = None
        self.rtap_builds = {}     # sha256 prefix -> {(rep, scenario)}

    # -- bookkeeping

    def record(self, rep, pmd, scenario, point, **values):
        rec = {"rep": rep, "pmd": pmd, "scenario": scenario, "point": str(point)}
        if pmd.startswith("net_rtap"):
            rec["rtap_build"] = self.rtap_build
            self.rtap_builds[self.rtap_build].add((rep + 1, scenario))
        rec.update(values)
        self.records.append(rec)
        flag = ""
        if rec.get("foreign_cpu", 0) > self.cfg.foreign_limit:
            flag = "  [!] others used %.0f%% of core %d, %.0f%% of core %d (%s)" % (
                100 * rec["foreign_fwd_core"], self.cfg.fwd_core,
                100 * rec["foreign_main_core"], self.cfg.main_core,
                ", ".join(rec.get("foreign_who", [])))
        main = {k: rec[k] for k in ("mpps", "gbps", "cycles", "fraction") if rec.get(k) is not None}
        log("  %-4s %-6s %-22s %s%s" % (scenario, point, pmd,
                                       " ".join("%s=%.4g" % kv for kv in main.items()), flag))

    def measure_start(self):
        self.foreign.start()

    def measure_stop(self, main_core_matters=True):
        """Interference during the window: others' CPU on each of our cores.

        foreign_cpu (what flags a point) counts the forwarding core, plus the
        main core when the scenario's kernel side runs there (generator,
        iperf3).
        """
        f = self.foreign
        f.stop()
        fwd, main = f.on(self.cfg.fwd_core), f.on(self.cfg.main_core)
        return {"foreign_cpu": round(fwd + (main if main_core_matters else 0), 3),
                "foreign_fwd_core": round(fwd, 3), "foreign_main_core": round(main, 3),
                "steal_fwd_core": round(f.steal.get(self.cfg.fwd_core, 0), 3),
                "foreign_who": f.who}

    def testpmd(self, vdevs, mode, app_args=()):
        if any(v.startswith("net_rtap") for v in vdevs):
            self.rtap_build = so_hash(RTAP_SO)
            self.rtap_builds.setdefault(self.rtap_build, set())
        tp = Testpmd(self.res, self.cfg, vdevs, mode, app_args)
        return tp

    def finish_testpmd(self, tp):
        if tp.tsc_mhz:
            self.tsc_mhz = tp.tsc_mhz
        tp.close()
        self.res.procs.remove(tp)

    def gen(self, ifname, size, seconds=None, count=None, dst=None):
        cmd = [self.cfg.gen_bin, "-i", ifname, "-s", str(size), "-c", str(self.cfg.main_core)]
        cmd += ["-t", "%.3f" % seconds] if seconds else ["-n", str(count)]
        if dst:
            cmd += ["-d", dst]
        res = run(cmd, timeout=(seconds or 10) + 30)
        return json.loads(res.stdout)

    # -- S1

    def s1(self, rep, pmd):
        cfg = self.cfg
        ports = Ports(self.res, pmd, 1)
        tp = None
        try:
            tp = self.testpmd(ports.vdevs(), "txonly", ["--txpkts=%d" % cfg.sizes[0]])
            ports.after_start()
            kif = ports.kernel_if[0]
            for size in cfg.sizes:
                tp.cmd("set txpkts %d" % size)
                tp.start()
                time.sleep(cfg.warmup)
                names = ("rx_packets", "rx_dropped", "rx_errors")
                c0, t0 = counters(kif, names), time.monotonic()
                self.measure_start()
                time.sleep(cfg.window)
                c1, t1 = counters(kif, names), time.monotonic()
                fg = self.measure_stop(main_core_matters=False)
                fwd, cycles = tp.stop()
                d = delta(c1, c0)
                tx = fwd.get(0, {})
                self.record(rep, pmd.label, "S1", size,
                            mpps=d["rx_packets"] / (t1 - t0) / 1e6, cycles=cycles,
                            kernel_rx=d["rx_packets"], kernel_rx_dropped=d["rx_dropped"],
                            kernel_rx_errors=d["rx_errors"], seconds=t1 - t0,
                            testpmd_tx=tx.get("TX-packets"),
                            testpmd_tx_dropped=tx.get("TX-dropped"),
                            **fg)
        finally:
            if tp:
                self.finish_testpmd(tp)
            ports.close()

    # -- S2 and S2d (same testpmd)

    def s2(self, rep, pmd, do_s2, do_s2d):
        cfg = self.cfg
        ports = Ports(self.res, pmd, 1)
        tp = None
        try:
            tp = self.testpmd(ports.vdevs(), "rxonly", ["--no-flush-rx"])
            ports.after_start()
            kif, pif = ports.kernel_if[0], ports.pmd_if[0]
            dst = mac_of(pif)
            if do_s2:
                for size in cfg.sizes:
                    self.s2_point(rep, pmd, tp, kif, pif, dst, size)
            if do_s2d and pmd.is_tap:
                ip("link", "set", "dev", kif, "txqueuelen", str(cfg.drain_queue))
                for size in cfg.sizes:
                    self.s2d_point(rep, pmd, tp, kif, size)
        finally:
            if tp:
                self.finish_testpmd(tp)
            ports.close()

    def _s2_kernel(self, pmd, kif, pif):
        if pmd.is_tap:
            return counters(kif, ("tx_packets", "tx_dropped"))
        c = counters(kif, ("tx_packets", "tx_dropped"))
        c["rx_dropped"] = counter(pif, "rx_dropped")
        return c

    def s2_point(self, rep, pmd, tp, kif, pif, dst, size):
        cfg = self.cfg
        tp.start()
        r0, m0 = tp.rx_packets()
        k0 = self._s2_kernel(pmd, kif, pif)
        self.measure_start()
        g = self.gen(kif, size, seconds=cfg.window, dst=dst)
        fg = self.measure_stop()
        # let the PMD take what is still queued, then read
        last = (-1, -1)
        for _ in range(50):
            time.sleep(0.05)
            cur = tp.rx_packets()
            if cur == last:
                break
            last = cur
        r1, m1 = last
        k1 = self._s2_kernel(pmd, kif, pif)
        fwd, cycles = tp.stop()
        dk = delta(k1, k0)
        drops = dk["tx_dropped"] + dk.get("rx_dropped", 0)
        rx = r1 - r0
        self.record(rep, pmd.label, "S2", size,
                    mpps=rx / g["seconds"] / 1e6, cycles=cycles,
                    offered=g["offered"], offered_mpps=g["offered_pps"] / 1e6,
                    fraction=rx / g["offered"] if g["offered"] else None,
                    kernel_drops=drops, kernel_tx_packets=dk["tx_packets"],
                    gen_refused=g["refused"], pmd_imissed=m1 - m0, received=rx,
                    seconds=g["seconds"], **fg)

    def s2d_point(self, rep, pmd, tp, kif, size):
        cfg = self.cfg
        r0, _ = tp.rx_packets()
        k0 = counters(kif, ("tx_packets", "tx_dropped"))
        g = self.gen(kif, size, count=cfg.drain_count)
        time.sleep(0.1)
        dk = delta(counters(kif, ("tx_packets", "tx_dropped")), k0)
        # a TAP counts tx_packets when its reader takes a frame, drops at once
        queued = g["offered"] - dk["tx_dropped"]
        if dk["tx_dropped"]:
            log("  S2d: the kernel dropped %d of %d while filling (queue too short?)"
                % (dk["tx_dropped"], g["offered"]))
        # The TAP counts tx_packets as its reader takes frames: sample that
        # (cheap, sub-millisecond) while testpmd drains, and take the slope
        # between 10% and 90% of the way, clear of start and end effects.
        base = counter(kif, "tx_packets")
        target = queued - (base - k0["tx_packets"])   # net_rtap had reads posted
        self.measure_start()
        tp.child.sendline("start")
        samples = sample_counter(kif, "tx_packets", target)
        fg = self.measure_stop(main_core_matters=False)
        tp.child.expect_exact(tp.PROMPT)
        rate = slope(samples, target)
        last = (-1, -1)
        for _ in range(100):
            cur = tp.rx_packets()
            if cur[0] - r0 >= queued or cur == last:
                break
            last = cur
            time.sleep(0.02)
        received = cur[0] - r0
        fwd, tp_cycles = tp.stop()
        if received < queued:
            log("  S2d: %s received %d of the %d queued" % (pmd.label, received, queued))
        # The lcore polls flat out during a drain: what one packet costs it is
        # TSC Hz / rate. testpmd's own figure counts only bursts that returned
        # packets and misses work a PMD does in empty polls or in task work.
        tsc_hz = (tp.tsc_mhz or self.tsc_mhz or 0) * 1e6
        cycles = tsc_hz / rate if rate and tsc_hz else None
        if cycles and tp_cycles and abs(tp_cycles / cycles - 1) > 0.25:
            log("  S2d: testpmd counts %.0f cycles/packet, the drain rate says %.0f: the PMD "
                "works outside the bursts testpmd times" % (tp_cycles, cycles))
        self.record(rep, pmd.label, "S2d", size, mpps=rate / 1e6 if rate else None,
                    cycles=cycles, testpmd_cycles=tp_cycles, queued=queued, received=received,
                    samples=len(samples),
                    drain_seconds=samples[-1][0] - samples[0][0],
                    fill_mpps=g["offered_pps"] / 1e6, kernel_fill_drops=dk["tx_dropped"],
                    **fg)

    # -- S3

    def _iperf_pair(self, ns_srv, ns_cli, addr, label, rep):
        cfg = self.cfg
        for streams in cfg.streams:
            srv = subprocess.Popen(["ip", "netns", "exec", ns_srv, "taskset", "-c",
                                    str(cfg.main_core), "iperf3", "-s", "-1", "-B", addr],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self.res.procs.append(srv)
            try:
                wait_for(lambda: ":5201" in run(["ss", "-ltnH"], netns=ns_srv).stdout, 10,
                         "iperf3 server")
                self.measure_start()
                cmd = ["taskset", "-c", str(cfg.main_core), "iperf3", "-c", addr, "-J",
                       "-t", str(cfg.iperf_time), "-P", str(streams), "--connect-timeout", "3000"]
                if cfg.iperf_omit:
                    cmd += ["-O", str(cfg.iperf_omit)]
                r = run(cmd, netns=ns_cli, check=False,
                        timeout=cfg.iperf_time + cfg.iperf_omit + 30)
                fg = self.measure_stop()
                try:
                    j = json.loads(r.stdout)
                except ValueError:
                    j = {"error": r.stdout[-300:] + r.stderr[-300:]}
                if "error" in j:
                    raise BenchError("iperf3 (%s, -P %d): %s" % (label, streams, j["error"]))
                end = j["end"]
                gbps = end["sum_received"]["bits_per_second"] / 1e9
                retr = end.get("sum_sent", {}).get("retransmits")
                self.record(rep, label, "S3", "P%d" % streams, gbps=gbps, retransmits=retr,
                            **fg)
            finally:
                if srv.poll() is None:
                    srv.terminate()
                srv.wait(5)
                self.res.procs.remove(srv)

    def s3(self, rep, pmd):
        res = self.res
        self.n_s3 += 1
        nsa = res.add_netns("%s%da" % (NS_PREFIX, self.n_s3))
        nsb = res.add_netns("%s%db" % (NS_PREFIX, self.n_s3))
        addrs = ("10.251.0.1/24", "10.251.0.2/24")
        tp = ports = None
        try:
            ports = Ports(res, pmd, 2)
            if pmd.offload:
                # checksums, LRO and TSO through the virtio-net header: the csum
                # engine asks again for what LRO frames arrive with (the guide's recipe)
                tp = self.testpmd(ports.vdevs(), "csum", OFFLOAD_APP_ARGS)
                ports.after_start(up=False)
                tp.cmd("port stop all")
                for port in range(2):
                    for proto in ("ip", "tcp", "udp"):
                        tp.cmd("csum set %s hw %d" % (proto, port))
                    tp.cmd("tso set 1448 %d" % port)
                tp.cmd("port start all")
                for port, n in enumerate(ports.pmd_if):
                    with open("/sys/class/net/%s/address" % n) as f:
                        tp.cmd("set eth-peer %d %s" % (port, f.read().strip()))
                moved = ports.pmd_if
            elif pmd.is_tap:
                # the PMD creates the TAPs; they move into the namespaces
                tp = self.testpmd(ports.vdevs(), "io")
                ports.after_start(up=False)
                moved = ports.pmd_if
            else:
                moved = ports.kernel_if
            for n, ns, addr in zip(moved, (nsa, nsb), addrs):
                ip("link", "set", "dev", n, "netns", ns)
                res.links.append((n, ns))
                wait_for(lambda: link_exists(n, ns), 10, "%s in %s" % (n, ns))
                if not pmd.is_tap:
                    # af_packet/af_xdp carry neither partial checksums nor GSO frames
                    run(["ethtool", "-K", n, "tx", "off", "tso", "off", "gso", "off"],
                        netns=ns)
                ip("addr", "add", addr, "dev", n, netns=ns)
                ip("link", "set", "dev", n, "up", netns=ns)
            if not pmd.is_tap:
                tp = self.testpmd(ports.vdevs(), "io")
            tp.start()
            self._iperf_pair(nsa, nsb, addrs[0].split("/")[0], pmd.label, rep)
            tp.stop()
        finally:
            if tp:
                self.finish_testpmd(tp)
            if ports:
                ports.close()
            for ns in (nsa, nsb):
                ip("netns", "del", ns, check=False)
                res.netns.remove(ns)
            res.links = [x for x in res.links if x[1] not in (nsa, nsb)]

    def s3_ceiling(self, rep):
        res = self.res
        nsa = res.add_netns(NS_PREFIX + "va")
        nsb = res.add_netns(NS_PREFIX + "vb")
        try:
            a, b = TAG + "va", TAG + "vb"
            res.add_veth(a, b, netns_a=nsa, netns_b=nsb)
            ip("addr", "add", "10.252.0.1/24", "dev", a, netns=nsa)
            ip("addr", "add", "10.252.0.2/24", "dev", b, netns=nsb)
            self._iperf_pair(nsa, nsb, "10.252.0.1", "veth", rep)
        finally:
            for ns in (nsa, nsb):
                ip("netns", "del", ns, check=False)
                res.netns.remove(ns)
            res.forget_link(TAG + "va")

    # -- S4

    def _raw(self, mode, ifname, extra):
        cmd = [self.cfg.raw_bin, mode, "-i", ifname, "-c", str(self.cfg.fwd_core)] + extra
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.res.procs.append(p)
        self.res.links.append((ifname, None))
        return p

    def _raw_finish(self, p, ifname, timeout):
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            raise BenchError("raw_uring timed out: %s" % err)
        finally:
            self.res.procs.remove(p)
        if p.returncode != 0:
            raise BenchError("raw_uring failed (%d): %s" % (p.returncode, err.strip()))
        wait_for(lambda: not link_exists(ifname), 10, "%s to go away" % ifname)
        self.res.forget_link(ifname)
        return json.loads(out.strip().splitlines()[-1])

    def _raw_ready(self, p, ifname):
        line = p.stdout.readline()
        if not line.startswith('{"ready"'):
            p.kill()
            raise BenchError("raw_uring did not start: %s %s" % (line, p.stderr.read()))
        disable_ipv6(ifname)

    def s4(self, rep, write, read):
        cfg = self.cfg
        for size in cfg.sizes if write else []:
            ifname = "%sr%dw" % (TAG, size)
            p = self._raw("write", ifname, ["-s", str(size), "-t", str(cfg.window)])
            self._raw_ready(p, ifname)
            ip("link", "set", "dev", ifname, "up")
            self.measure_start()
            p.stdin.write("go\n")
            p.stdin.flush()
            j = self._raw_finish(p, ifname, cfg.window + 30)
            fg = self.measure_stop(main_core_matters=False)
            if not self.tsc_mhz and j["seconds"] > 0:
                self.tsc_mhz = round(j["tsc"] / j["seconds"] / 1e6)
            self.record(rep, "raw", "S1", size, mpps=j["pps"] / 1e6,
                        cycles=j["cycles_per_packet"], kernel_rx=j["kernel_packets"],
                        raw_packets=j["packets"], eagain=j["eagain"], seconds=j["seconds"], **fg)
        for size in cfg.sizes if read else []:
            for label, suffix, opts in RAW_READERS:
                self._s4_read(rep, size, label, suffix, opts)

    def _s4_read(self, rep, size, label, suffix, opts):
        cfg = self.cfg
        ifname = "%sr%d%s" % (TAG, size, suffix)
        p = self._raw("read", ifname, opts + ["-q", str(cfg.drain_queue)])
        self._raw_ready(p, ifname)
        ip("link", "set", "dev", ifname, "txqueuelen", str(cfg.drain_queue), "up")
        k0 = counters(ifname, ("tx_packets", "tx_dropped"))
        g = self.gen(ifname, size, count=cfg.drain_count)
        time.sleep(0.1)
        dk = delta(counters(ifname, ("tx_packets", "tx_dropped")), k0)
        queued = g["offered"] - dk["tx_dropped"]
        self.measure_start()
        p.stdin.write("go %d\n" % queued)
        p.stdin.flush()
        # measured like the PMDs (the program's own timing is kept too)
        samples = sample_counter(ifname, "tx_packets", queued)
        fg = self.measure_stop(main_core_matters=False)
        j = self._raw_finish(p, ifname, 60)
        rate = slope(samples, queued)
        self.record(rep, label, "S2d", size, mpps=rate / 1e6 if rate else None,
                    self_mpps=j["pps"] / 1e6,
                    cycles=j["cycles_per_packet"], queued=queued,
                    fill_mpps=g["offered_pps"] / 1e6,
                    received=j["packets"], kernel_fill_drops=dk["tx_dropped"],
                    eagain=j["eagain"], rearms=j["rearms"], seconds=j["seconds"], **fg)

    # -- driver

    def guarded(self, what, fn, *args):
        try:
            fn(*args)
        except (BenchError, OSError, ValueError, KeyError, subprocess.SubprocessError,
                pexpect.ExceptionPexpect) as e:
            msg = "%s: %s: %s" % (what, type(e).__name__, e)
            self.failures.append(msg)
            log("FAILED " + msg)
            with open(os.path.join(self.cfg.out, "errors.log"), "a") as f:
                f.write("%s %s\n%s\n" % (time.strftime("%H:%M:%S"), what,
                                          traceback.format_exc()))

    def run(self):
        cfg = self.cfg
        for rep in range(cfg.reps):
            log("repetition %d/%d" % (rep + 1, cfg.reps))
            if cfg.wait_quiet:
                wait_quiet(cfg.wait_quiet, cfg.foreign_limit)
            others = other_dpdk()
            if others:
                log("warning: other DPDK processes are running: %s" % ", ".join(others))
            for pmd in cfg.pmds:
                if pmd.offload:  # offloads only change S3
                    if "S3" in cfg.scenarios:
                        self.guarded("%s S3" % pmd.label, self.s3, rep, pmd)
                    continue
                if "S1" in cfg.scenarios:
                    self.guarded("%s S1" % pmd.label, self.s1, rep, pmd)
                do_s2, do_s2d = "S2" in cfg.scenarios, "S2d" in cfg.scenarios and pmd.is_tap
                if do_s2 or do_s2d:
                    self.guarded("%s S2/S2d" % pmd.label, self.s2, rep, pmd, do_s2, do_s2d)
                if "S3" in cfg.scenarios:
                    self.guarded("%s S3" % pmd.label, self.s3, rep, pmd)
            if cfg.ceiling:
                write = bool(cfg.scenarios & {"S1", "S4"})
                read = bool(cfg.scenarios & {"S2d", "S4"})
                if write or read:
                    self.guarded("raw S4", self.s4, rep, write, read)
                if "S3" in cfg.scenarios:
                    self.guarded("veth S3", self.s3_ceiling, rep)


def wait_quiet(limit_s, foreign_limit):
    f = Foreign()
    deadline = time.monotonic() + limit_s
    while True:
        f.start()
        time.sleep(0.5)
        if f.stop() <= foreign_limit:
            return
        if time.monotonic() > deadline:
            log("machine still busy (%.0f%% of a core: %s); going on"
                % (100 * f.cores, ", ".join(f.who)))
            return
        log("waiting for a quiet machine (%.0f%% of a core: %s)" % (100 * f.cores,
                                                                    ", ".join(f.who)))
        time.sleep(2)


# --------------------------------------------------------------- report

POINT_ORDER = {"S1": None, "S2": None, "S2d": None, "S3": None}


def summarize(records, pmd_labels, limit=0.05, drop_contended=False):
    """One row per (scenario, point, pmd) with median/min/max and ratios.

    With drop_contended, repetitions flagged for interference are left out
    of a point as long as at least one clean repetition remains.
    """
    groups = {}
    for r in records:
        groups.setdefault((r["scenario"], r["point"], r["pmd"]), []).append(r)
    rows = []
    for (sc, point, pmd), recs in groups.items():
        flagged = [r for r in recs if r.get("foreign_cpu", 0) > limit]
        if drop_contended and len(flagged) < len(recs):
            recs = [r for r in recs if r not in flagged]
            n_flagged_used = 0
        else:
            n_flagged_used = len(flagged)
        key = "gbps" if sc == "S3" else "mpps"
        vals = [r[key] for r in recs if r.get(key) is not None]
        cyc = [r["cycles"] for r in recs if r.get("cycles") is not None]
        row = {"scenario": sc, "point": point, "pmd": pmd, "metric": key,
               "unit": "Gbit/s" if key == "gbps" else "Mpps", "n": len(vals),
               "median": median(vals), "min": min(vals) if vals else None,
               "max": max(vals) if vals else None,
               "cycles_median": median(cyc), "cycles_min": min(cyc) if cyc else None,
               "cycles_max": max(cyc) if cyc else None,
               "foreign_cpu_max": max(r.get("foreign_cpu", 0) for r in recs),
               "n_flagged": n_flagged_used, "n_dropped": len(flagged) - n_flagged_used}
        if sc == "S2":
            row["offered_mpps"] = median([r["offered_mpps"] for r in recs])
            row["fraction"] = median([r["fraction"] for r in recs if r["fraction"] is not None])
            row["kernel_drops"] = median([r["kernel_drops"] for r in recs])
            row["kernel_drop_fraction"] = median(
                [r["kernel_drops"] / r["offered"] for r in recs if r["offered"]])
            row["lost_fraction"] = median(
                [1 - r["received"] / r["offered"] for r in recs if r["offered"]])
        if sc == "S2d":
            row["testpmd_cycles_median"] = median([r["testpmd_cycles"] for r in recs
                                                   if r.get("testpmd_cycles") is not None])
        if sc == "S3":
            row["retransmits"] = median([r["retransmits"] for r in recs
                                         if r.get("retransmits") is not None])
        rows.append(row)
    index = {(r["scenario"], r["point"], r["pmd"]): r for r in rows}
    ceiling_of = {"S1": "raw", "S2d": "raw", "S3": "veth"}
    for r in rows:
        base = index.get((r["scenario"], r["point"], BASELINE))
        ceil = index.get((r["scenario"], r["point"], ceiling_of.get(r["scenario"], "")))
        r["ratio_net_tap"] = (r["median"] / base["median"]
                              if base and base["median"] and r["median"] is not None else None)
        r["cycles_ratio_net_tap"] = (r["cycles_median"] / base["cycles_median"]
                                     if base and base["cycles_median"] and r["cycles_median"]
                                     else None)
        r["ratio_ceiling"] = (r["median"] / ceil["median"]
                              if ceil and ceil["median"] and r["median"] is not None else None)
    order = {p: i for i, p in enumerate(list(pmd_labels) + REFERENCES)}

    def sortkey(r):
        pt = r["point"]
        return (ALL_SCENARIOS.index(r["scenario"]),
                int(pt[1:]) if pt.startswith("P") else int(pt), order.get(r["pmd"], 99))
    rows.sort(key=sortkey)
    return rows


def compare(rows, path):
    """Add ratio_prev (and cycles_ratio_prev) against an earlier results.json."""
    with open(path) as f:
        prev = {(r["scenario"], r["point"], r["pmd"]): r for r in json.load(f)["summary"]}
    for r in rows:
        p = prev.get((r["scenario"], r["point"], r["pmd"]))
        r["ratio_prev"] = (r["median"] / p["median"]
                           if p and p.get("median") and r["median"] is not None else None)
        r["cycles_ratio_prev"] = (r["cycles_median"] / p["cycles_median"]
                                  if p and p.get("cycles_median") and r["cycles_median"]
                                  else None)


def fmt(v, digits=3):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    return "%.*g" % (digits, v)


def markdown(rows, meta, limit):
    out = ["# net_rtap benchmark", "",
           "%s, kernel %s, %s, %d repetition(s), window %.1f s, DPDK lcore on core %d, "
           "generator/iperf3 on core %d. Median and min-max over repetitions; x tap = ratio "
           "of medians to net_tap; x ceil = to the raw io_uring program (S1, S2d) or a veth "
           "pair (S3). cyc/pkt = TSC cycles per packet on the forwarding lcore "
           "(testpmd --record-core-cycles; raw: the program's own loop), lower is better."
           % (meta["date"], meta["kernel"], meta["mode"], meta["reps"], meta["window"],
              meta["fwd_core"], meta["main_core"]), "",
           "net_rtap under test: %s (installed %s, sha256 %s), tree %s%s."
           % (meta["driver"]["so"], meta["driver"]["so_mtime"], meta["driver"]["so_sha256"],
              meta["driver"].get("git", "?"),
              " - OLDER THAN THE SOURCES" if meta["driver"].get("stale") else ""), ""]
    for sc in ("S1", "S2", "S2d", "S3"):
        srows = [r for r in rows if r["scenario"] == sc]
        if not srows:
            continue
        out += ["## " + SCENARIO_TITLE[sc], ""]
        prev = "compare" in meta
        head = ["point", "PMD", "median", "min-max", "x tap", "x ceil"]
        head += ["x prev"] if prev else []
        if sc != "S3":
            head += ["cyc/pkt", "cyc x tap"] + (["cyc x prev"] if prev else [])
        if sc == "S2":
            head += ["offered Mpps", "% received", "% lost", "kernel drops"]
        if sc == "S2d":
            head += ["testpmd cyc/pkt"]
        if sc == "S3":
            head += ["retransmits"]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in srows:
            flag = " !%d" % r["n_flagged"] if r["n_flagged"] else ""
            pt = r["point"] + (" B" if sc != "S3" else "")
            cells = [pt, r["pmd"], fmt(r["median"]) + flag,
                     "%s-%s" % (fmt(r["min"]), fmt(r["max"])),
                     fmt(r["ratio_net_tap"], 2), fmt(r["ratio_ceiling"], 2)]
            cells += [fmt(r.get("ratio_prev"), 2)] if prev else []
            if sc != "S3":
                cells += [fmt(r["cycles_median"], 4), fmt(r["cycles_ratio_net_tap"], 2)]
                cells += [fmt(r.get("cycles_ratio_prev"), 2)] if prev else []
            if sc == "S2":
                cells += [fmt(r["offered_mpps"]),
                          "%.1f" % (100 * r["fraction"]) if r["fraction"] is not None else "-",
                          "%.1f" % (100 * r["lost_fraction"]),
                          "%.0f (%.1f%%)" % (r["kernel_drops"], 100 * r["kernel_drop_fraction"])]
            if sc == "S3":
                cells += [fmt(r.get("retransmits"))]
            if sc == "S2d":
                cells += [fmt(r.get("testpmd_cycles_median"), 4)]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
        if sc == "S2d":
            out += ["S2d cyc/pkt is TSC Hz / drain rate (the lcore polls flat out during a "
                    "drain); testpmd cyc/pkt counts only bursts that returned packets, so it "
                    "misses work a PMD does in empty polls or kernel task work. S2d covers "
                    "the TAP PMDs only (for af_packet/af_xdp the kernel's receive work happens "
                    "at enqueue time on the generator core).", ""]
            if any(r["pmd"] in ("raw-mshot", "raw-readv") for r in srows):
                out += ["raw is the raw program's one-shot io_uring reads (net_rtap's default "
                        "engine), the ceiling; for reference, raw-mshot is one multishot read "
                        "over provided buffers and raw-readv one readv() per frame (as "
                        "net_tap); their cyc/pkt is the program's own loop.", ""]
        if sc == "S2":
            out += ["S2 cyc/pkt is testpmd's figure (bursts that returned packets only).", ""]
    if any(r["n_flagged"] for r in rows):
        out += ["`!k`: in k of the repetitions used, processes outside the benchmark used "
                "more than %.0f%% of a core the scenario depends on (see runs.csv: "
                "foreign_fwd_core, foreign_main_core): treat the number with care%s."
                % (100 * limit, "" if meta.get("drop_contended") else
                   "; --drop-contended leaves such repetitions out"), ""]
    if meta.get("drop_contended"):
        out += ["Repetitions left out for interference (--drop-contended): %d."
                % sum(r["n_dropped"] for r in rows), ""]
    if meta.get("failures"):
        out += ["## Failures", ""] + ["- " + f.split("\n")[0] for f in meta["failures"]] + [""]
    return "\n".join(out)


CSV_FIELDS = ["scenario", "point", "pmd", "metric", "unit", "n", "median", "min", "max",
              "ratio_net_tap", "ratio_ceiling", "cycles_median", "cycles_min", "cycles_max",
              "cycles_ratio_net_tap", "offered_mpps", "fraction", "kernel_drops",
              "kernel_drop_fraction", "lost_fraction", "retransmits", "foreign_cpu_max",
              "testpmd_cycles_median", "n_flagged", "n_dropped", "ratio_prev",
              "cycles_ratio_prev"]


def write_csv(path, rows, fields):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()})


def plot(rows, path, meta, pmd_labels):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(pmd_labels) + REFERENCES
    palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    colors = {lab: palette[i % len(palette)] for i, lab in enumerate(pmd_labels)}
    colors["raw"] = colors["veth"] = "#7f7f7f"
    colors["raw-mshot"], colors["raw-readv"] = "#a9a9a9", "#d3d3d3"

    def tick(sc, pt):
        return pt if pt.startswith("P") else "%s B" % pt

    # (title, scenarios whose rows form the x groups, value, group label)
    panels = [("S1 tx to the kernel (Mpps, kernel-counted)", ["S1"], "median", tick),
              ("S2 rx under the generator (Mpps; tick: offered)", ["S2"], "median", tick),
              ("S2d rx drain of a full TAP queue (Mpps)", ["S2d"], "median", tick),
              ("S3 TCP via testpmd io (Gbit/s)", ["S3"], "median", tick),
              ("tx cycles/packet, forwarding lcore (S1)", ["S1"], "cycles", tick),
              ("rx cycles/packet, forwarding lcore", ["S2", "S2d"], "cycles",
               lambda sc, pt: "%s %s B" % (sc, pt))]
    fig, axes = plt.subplots(2, 3, figsize=(18, 9.5))
    for ax, (title, scs, what, name) in zip(axes.flat, panels):
        srows = [r for r in rows if r["scenario"] in scs and
                 (r["median"] if what == "median" else r["cycles_median"]) is not None]
        groups = []
        for r in srows:
            g = (r["scenario"], r["point"])
            if g not in groups:
                groups.append(g)
        present = [lab for lab in labels if any(r["pmd"] == lab for r in srows)]
        if not srows:
            ax.set_axis_off()
            ax.set_title(title + ": not run")
            continue
        width = 0.8 / len(present)
        for j, lab in enumerate(present):
            xs, ys, lo, hi, off = [], [], [], [], []
            for i, g in enumerate(groups):
                r = next((x for x in srows if (x["scenario"], x["point"]) == g and
                          x["pmd"] == lab), None)
                if not r:
                    continue
                if what == "cycles":
                    v, a, b = r["cycles_median"], r["cycles_min"], r["cycles_max"]
                else:
                    v, a, b = r["median"], r["min"], r["max"]
                xs.append(i - 0.4 + width * (j + 0.5))
                ys.append(v)
                lo.append(v - a)
                hi.append(b - v)
                off.append(r.get("offered_mpps") if what == "median" else None)
            hatch = {"raw": "//", "veth": "//", "raw-mshot": "..", "raw-readv": ".."}.get(lab)
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, label=lab, color=colors[lab],
                   hatch=hatch, edgecolor="black", linewidth=0.5)
            for x, y, h in zip(xs, ys, hi):
                ax.annotate(fmt(y, 3), (x, y + h), ha="center", va="bottom", fontsize=7,
                            rotation=90, xytext=(0, 2), textcoords="offset points")
            pts = [(x, o) for x, o in zip(xs, off) if o is not None]
            if pts:
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker="v", s=30,
                           color="black", zorder=3, label="offered" if j == 0 else None)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([name(*g) for g in groups])
        ax.set_title(title, fontsize=10)
        ax.margins(y=0.25)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("net_rtap benchmark - %s, kernel %s, %s mode, %d rep(s); bars: median, "
                 "whiskers: min-max; hatched: ceilings (raw io_uring, veth), dotted: raw "
                 "references"
                 % (meta["date"], meta["kernel"], meta["mode"], meta["reps"]))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ----------------------------------------------------------------- main

def build_helpers(out):
    """Build gen and raw_uring into the output directory when out of date."""
    bins = {}
    for name, libs in (("gen", []), ("raw_uring", ["-luring"])):
        src = os.path.join(HERE, name + ".c")
        dst = os.path.join(out, name)
        newest = max(os.path.getmtime(f) for f in (src, os.path.join(HERE, "bench_util.h")))
        if not os.path.exists(dst) or os.path.getmtime(dst) < newest:
            run(["gcc", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-o", dst, src] + libs)
        bins[name] = dst
    return bins


def so_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def check_driver():
    """Warn when the installed net_rtap is older than the driver sources."""
    so = RTAP_SO
    if not os.path.exists(so):
        raise BenchError("%s missing: run meson install -C build" % so)
    src_dir = os.path.join(REPO, "drivers", "net", "rtap")
    newest = max((os.path.getmtime(os.path.join(src_dir, f)) for f in os.listdir(src_dir)),
                 default=0)
    info = {"so": so, "so_mtime": datetime.datetime.fromtimestamp(
        os.path.getmtime(so)).isoformat(timespec="seconds"), "so_sha256": so_hash(so)}
    if newest > os.path.getmtime(so):
        log("warning: %s is older than drivers/net/rtap/ sources: rebuild and "
            "`meson install -C build`?" % so)
        info["stale"] = True
    res = run(["git", "-C", REPO, "describe", "--always", "--dirty"], check=False)
    info["git"] = res.stdout.strip()
    return info


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="1 repetition, 2 s windows (development, CI; < 3 min)")
    ap.add_argument("--reps", type=int, help="repetitions per point (default 5, quick 1)")
    ap.add_argument("--window", type=float, help="measurement window in s (default 3, quick 2)")
    ap.add_argument("--pmd", default=",".join(ALL_PMDS),
                    help="PMDs, comma separated; extra devargs in brackets, e.g. "
                    "'net_rtap[foo=1],net_tap' (default: all four)")
    ap.add_argument("--scenario", default=",".join(ALL_SCENARIOS),
                    help="scenarios among S1,S2,S2d,S3,S4 (default: all)")
    ap.add_argument("--no-ceiling", action="store_true",
                    help="skip the raw io_uring (S4) and veth ceilings")
    ap.add_argument("--sizes", default="64,1500", help="frame sizes (default 64,1500)")
    ap.add_argument("--streams", default="1,4", help="iperf3 stream counts (default 1,4)")
    ap.add_argument("--drain-count", type=int, default=100000,
                    help="frames pre-filled for S2d (default 100000)")
    ap.add_argument("--drain-queue", type=int, default=100000,
                    help="txqueuelen of the TAP for S2d (default 100000)")
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
    cfg.iperf_time = max(1, int(math.ceil(cfg.window)))
    cfg.iperf_omit = 0 if cfg.quick else 1      # seconds of slow start left out
    cfg.pmds = [Pmd(s) for s in re.findall(r"[a-z_]+(?:\+offload)?(?:\[[^\]]*\])?", cfg.pmd)]
    labels = [p.label for p in cfg.pmds]
    if not cfg.pmds or len(set(labels)) != len(labels):
        ap.error("--pmd: empty or duplicate entries")
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


def write_outputs(cfg, meta, records):
    """results.json, runs.csv, summary.csv/.md and bench.png; returns the markdown."""
    meta["drop_contended"] = cfg.drop_contended
    rows = summarize(records, meta["pmds"], cfg.foreign_limit, cfg.drop_contended)
    if cfg.compare:
        compare(rows, cfg.compare)
        meta["compare"] = cfg.compare
    with open(os.path.join(cfg.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "summary": rows, "runs": records}, f, indent=1)
    run_fields = sorted({k for r in records for k in r} - {"foreign_who"})
    first = ["rep", "scenario", "point", "pmd", "mpps", "gbps", "cycles"]
    write_csv(os.path.join(cfg.out, "runs.csv"), records,
              first + [k for k in run_fields if k not in first])
    write_csv(os.path.join(cfg.out, "summary.csv"), rows, CSV_FIELDS)
    md = markdown(rows, meta, cfg.foreign_limit)
    with open(os.path.join(cfg.out, "summary.md"), "w") as f:
        f.write(md + "\n")
    if rows:
        plot(rows, os.path.join(cfg.out, "bench.png"), meta, meta["pmds"])
    return md


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
    cfg.gen_bin, cfg.raw_bin = bins["gen"], bins["raw_uring"]
    driver = check_driver()
    meta = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "kernel": os.uname().release, "mode": cfg.mode, "reps": cfg.reps,
            "window": cfg.window, "main_core": cfg.main_core, "fwd_core": cfg.fwd_core,
            "pmds": [p.label for p in cfg.pmds], "scenarios": sorted(cfg.scenarios),
            "sizes": cfg.sizes, "streams": cfg.streams, "drain_count": cfg.drain_count,
            "driver": driver, "argv": argv}
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
    if len(bench.rtap_builds) > 1 or so_hash(driver["so"]) != driver["so_sha256"]:
        used = "; ".join("build %s: %s" % (h, ", ".join("rep %d %s" % x for x in sorted(v)))
                         for h, v in bench.rtap_builds.items())
        bench.failures.append("%s was replaced during the run: the net_rtap numbers mix "
                              "builds (%s)" % (driver["so"], used or "no net_rtap point"))
        log("warning: " + bench.failures[-1])
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
