# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""What the benchmark's scenarios, its report and raw_matrix.py share:
constants and names, interference accounting, the kernel objects a run
creates (Resources), testpmd, and the helpers built from devtools/bench/."""

import datetime
import hashlib
import json
import os
import re
import select
import shutil
import statistics
import subprocess
import time

from rtap_harness import (HarnessError, ip, link_exists, netns_add, netns_del, pmd_dir, run,
                          wait_link_gone)

from . import REPO

HERE = os.path.join(REPO, "devtools", "bench")

PID = os.getpid()
TAG = "rtb%d" % (PID % 100000)            # interface prefix, <= 8 chars
NS_PREFIX = "rtbn-%d-" % PID
ALL_PMDS = ["net_rtap", "net_tap", "net_af_packet", "net_af_xdp"]
TAP_PMDS = ("net_rtap", "net_tap")
# S4's readers: label, TAP name suffix, raw_uring read options; "raw" is the S2d ceiling.
RAW_READERS = [("raw", "r", []), ("raw-mshot", "m", ["-M"]), ("raw-readv", "v", ["-S"])]
# rows that are not PMDs (ceilings and references), in table order
REFERENCES = ["raw", "raw-mshot", "raw-readv", "veth"]
ALL_SCENARIOS = ["S1", "S2", "S2d", "S3", "S4", "S5", "S6"]
BASELINE = "net_tap"


class BenchError(HarnessError):
    """A measurement that cannot be made; like every HarnessError (a command
    that failed, a wait that timed out, testpmd misbehaving) it fails the
    point, not the run."""


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---------------------------------------------------------------- helpers

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

def stop_process(p, timeout=5):
    """SIGTERM a Popen, SIGKILL it if it has not exited within timeout, reap it."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout)


class Resources:
    """Every kernel object and process this run created, removed by cleanup()."""

    def __init__(self):
        self.netns = []
        self.links = []          # (name, netns or None)
        self.procs = []          # Popen, or anything with cleanup() (Testpmd, RawUring)
        self.swap = None         # SoSwap (--rtap-so)

    def add_netns(self, name):
        return netns_add(name, self.netns)

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

    def del_netns(self, *names):
        """Delete namespaces of this run now, and forget them and the links in them."""
        netns_del(names)
        self.netns = [n for n in self.netns if n not in names]
        self.links = [x for x in self.links if x[1] not in names]

    def forget_link(self, name):
        self.links = [x for x in self.links if x[0] != name]

    def cleanup(self):
        if self.swap:
            try:
                if not self.swap.restore():
                    log("cleanup: %s was replaced during the run; left as it is"
                        % self.swap.installed)
            except OSError as e:
                log("cleanup: cannot put %s back: %s (--cleanup-stale retries)"
                    % (self.swap.installed, e))
        for p in reversed(self.procs):
            try:
                if hasattr(p, "cleanup"):
                    p.cleanup()
                else:
                    stop_process(p)
            except Exception as e:          # keep cleaning up
                log("cleanup: %s" % e)
        self.procs = []
        for name, ns in reversed(self.links):
            if link_exists(name, ns):
                ip("link", "del", "dev", name, netns=ns, check=False)
        self.links = []
        try:
            netns_del(reversed(self.netns))
        except HarnessError as e:
            log("cleanup: %s" % e)
        self.netns = []


class RawUring:
    """raw_uring (raw_uring.c) on a TAP of its own, for S4 and raw_matrix.py.

    RawUring(binary, mode, ifname, core, opts) starts it and waits for its
    "ready" line (the TAP exists then; its IPv6 is turned off; if it does
    not come, it raises BenchError, with raw_uring and its TAP gone); go(line)
    starts the measurement; finish() closes its stdin, returns the JSON it
    printed last and waits for the TAP to go (deleting it if it lingers);
    cleanup() ends it in any state and removes the TAP.
    """

    def __init__(self, binary, mode, ifname, core, opts=()):
        self.ifname = ifname
        self.proc = subprocess.Popen([binary, mode, "-i", ifname, "-c", str(core)] + list(opts),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith('{"ready"'):
            self.proc.kill()
            _, err = self.proc.communicate()
            self._remove_link()
            raise BenchError("raw_uring did not start: %s %s" % (line.strip(), err.strip()))
        disable_ipv6(ifname)

    def go(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout):
        p = self.proc
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            raise BenchError("raw_uring timed out: %s" % err.strip())
        if p.returncode != 0:
            raise BenchError("raw_uring failed (%d): %s" % (p.returncode, err.strip()))
        self._remove_link()
        return json.loads(out.strip().splitlines()[-1])

    def _remove_link(self):
        """The TAP goes with raw_uring (the ring's release is asynchronous): poll, then delete."""
        name, self.ifname = self.ifname, None
        if name is None:
            return
        try:
            wait_link_gone(name, timeout=5)
        except HarnessError as e:
            log("  note: %s; ip link del" % e)
            ip("link", "del", "dev", name, check=False)

    def cleanup(self):
        stop_process(self.proc)
        self._remove_link()


def cleanup_stale():
    """Remove namespaces and interfaces of earlier runs whose process is gone,
    and put back the installed net_rtap a killed --rtap-so run left swapped."""
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
    return removed + restore_stale()


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


def build_helpers(out):
    """Build gen, raw_uring and wake into the output directory when out of date."""
    bins = {}
    for name, libs in (("gen", []), ("raw_uring", ["-luring"]), ("wake", [])):
        src = os.path.join(HERE, name + ".c")
        dst = os.path.join(out, name)
        newest = max(os.path.getmtime(f) for f in (src, os.path.join(HERE, "bench_util.h")))
        if not os.path.exists(dst) or os.path.getmtime(dst) < newest:
            run(["gcc", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-o", dst, src] + libs)
        bins[name] = dst
    return bins


def rtap_so():
    """The installed net_rtap: librte_net_rtap.so in DPDK's PMD directory."""
    return os.path.join(pmd_dir(), "librte_net_rtap.so")


def so_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def check_driver():
    """Warn when the installed net_rtap is older than the driver sources."""
    so = rtap_so()
    if not os.path.exists(so):
        raise BenchError("%s missing: run meson install -C build" % so)
    src_dir = os.path.join(REPO, "drivers", "net", "rtap")
    newest = max((os.path.getmtime(os.path.join(src_dir, f)) for f in os.listdir(src_dir)),
                 default=0)
    info = build_info(so)
    if newest > os.path.getmtime(so):
        log("warning: %s is older than drivers/net/rtap/ sources: rebuild and "
            "`meson install -C build`?" % so)
        info["stale"] = True
    res = run(["git", "-C", REPO, "describe", "--always", "--dirty"], check=False)
    info["git"] = res.stdout.strip()
    return info


def build_info(path):
    """What the report says about a net_rtap library: path, mtime, sha256 prefix."""
    return {"so": path, "so_mtime": datetime.datetime.fromtimestamp(
        os.path.getmtime(path)).isoformat(timespec="seconds"), "so_sha256": so_hash(path)}


def check_build(path):
    """Refuse (BenchError) a file that is not a net_rtap plugin before it goes
    into the PMD directory, where every DPDK process on the machine loads it."""
    if not os.path.isfile(path):
        raise BenchError("--rtap-so: %s is not a file" % path)
    res = run(["/usr/bin/python3", "/usr/bin/dpdk-pmdinfo.py", path], check=False)
    try:
        names = [d["name"] for d in json.loads(res.stdout)]
    except (ValueError, KeyError, TypeError):
        names = []
    if res.returncode != 0 or "net_rtap" not in names:
        raise BenchError("--rtap-so: %s is no net_rtap plugin (dpdk-pmdinfo.py: %s)"
                         % (path, (res.stderr.strip() or res.stdout.strip())[:300]))


# .<installed name>.rtb-<pid>-<inode>-<so_hash> of the build swapped in.saved:
# the installed file while another build stands in its place (a hard link:
# the same inode, put back by an atomic rename). Neither it nor the .tmp
# copy ends in .so, so EAL does not load them from the PMD directory.
SAVED_RE = re.compile(r"\.(librte_net_rtap\.so)\.rtb-(\d+)-(\d+)-(\w+)\.(saved|tmp)$")


class SoSwap:
    """Another build of net_rtap in place of the installed one, for a while.

    swap_in(path) puts a copy of path where the installed library is (an
    atomic rename: a process loading it sees the old or the new file, never
    part of one) and keeps the installed file aside; restore() puts it back,
    unless someone installed a new library meanwhile (a new file, or meson
    install writing into ours: then that one stays and restore() returns
    False). Resources.cleanup() restores too, and --cleanup-stale after a
    run that was killed.
    """

    def __init__(self, installed):
        self.installed = installed
        self.saved = None       # the installed file, kept aside, while swapped
        self.ino = None         # inode of the build put in its place
        self.sha = None         # and its so_hash()

    def swap_in(self, path):
        if self.saved:
            raise BenchError("a build is already swapped in")
        d, base = os.path.split(self.installed)
        tmp = os.path.join(d, ".%s.rtb-%d-0-0.tmp" % (base, PID))
        try:
            shutil.copyfile(path, tmp)
            os.chmod(tmp, os.stat(self.installed).st_mode & 0o7777)
            ino, sha = os.stat(tmp).st_ino, so_hash(tmp)
            saved = os.path.join(d, ".%s.rtb-%d-%d-%s.saved" % (base, PID, ino, sha))
            os.link(self.installed, saved)
            try:
                os.replace(tmp, self.installed)
            except OSError:
                os.unlink(saved)
                raise
            self.saved, self.ino, self.sha = saved, ino, sha
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def restore(self):
        """Put the installed file back; False if it had been replaced meanwhile."""
        saved = self.saved
        if not saved or not os.path.exists(saved):
            self.saved = None
            return True
        ours = os.stat(self.installed).st_ino == self.ino and so_hash(self.installed) == self.sha
        if ours:
            os.replace(saved, self.installed)
        else:
            os.unlink(saved)    # a new install replaced our copy: it stays
        self.saved = None
        return ours


def mapped_inodes(pid, name):
    """Inodes of the files called name that process pid has mapped (a file
    renamed over since shows as deleted: still listed)."""
    inodes = set()
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) == 6 and os.path.basename(
                    fields[5].rstrip("\n").removesuffix(" (deleted)")) == name:
                inodes.add(int(fields[4]))
    return inodes


def stale_swaps():
    """The .saved/.tmp files of --rtap-so runs that were killed."""
    d = pmd_dir()
    return [os.path.join(d, name) for name in sorted(os.listdir(d))
            if SAVED_RE.fullmatch(name) and
            not os.path.exists("/proc/" + SAVED_RE.fullmatch(name).group(2))]


def restore_stale():
    """Undo the swaps of runs that were killed (their .saved files); the names removed."""
    removed = []
    for path in stale_swaps():
        m = SAVED_RE.fullmatch(os.path.basename(path))
        installed = os.path.join(os.path.dirname(path), m.group(1))
        if m.group(5) == "saved" and os.path.exists(installed) and \
                os.stat(installed).st_ino == int(m.group(3)) and so_hash(installed) == m.group(4):
            os.replace(path, installed)
            removed.append("%s (restored)" % installed)
        else:
            os.unlink(path)
            removed.append(path)
    return removed
