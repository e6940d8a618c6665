# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""The benchmark's scenarios: the PMDs under test (Pmd, Ports) and Bench,
which runs S1, S2/S2d, S3, S4 and S5 and records every measurement."""

import json
import os
import re
import subprocess
import time
import traceback

import pexpect

from rtap_harness import (HarnessError, IntrFwd, Testpmd, configure, ip, link_exists, run,
                          wait_for, wait_link)
import rtap_ovs

from .common import (ALL_PMDS, NS_PREFIX, RAW_READERS, TAG, TAP_PMDS, BenchError, Foreign,
                     RawUring, Resources, SoSwap, counter, counters, delta, disable_ipv6, log,
                     mac_of, mapped_inodes, other_dpdk, rtap_so, sample_counter, slope, so_hash,
                     wait_quiet)

# ----------------------------------------------------------- PMD set-up

# net_rtap+offload: rx UDP/TCP checksum (0xc) and LRO; tx IPv4/UDP/TCP checksum,
# TCP TSO and multi-segment (0x802e)
OFFLOAD_APP_ARGS = ["--rx-offloads=0xc", "--enable-lro", "--tx-offloads=0x802e"]

# S6: what every port gets, whatever the PMD, so that both run alike: two rx
# queues (net_tap wants as many rx as tx queues, and OVS asks for one rx and
# two tx)
OVS_PORT_COLUMNS = {"options:n_rxq": 2}

class Pmd:
    """One PMD under test, possibly with extra devargs: "net_rtap[a=1,b=2]".

    so: another build of net_rtap (--rtap-so LABEL=PATH, the row's label),
    swapped in for the start of each of the row's testpmd.
    """

    def __init__(self, spec, label=None, so=None):
        m = re.fullmatch(r"([a-z_]+)(\+offload)?(?:\[(.*)\])?", spec.strip())
        if not m or m.group(1) not in ALL_PMDS or (m.group(2) and m.group(1) != "net_rtap"):
            raise BenchError("unknown PMD %r (expected one of %s, optionally with [devargs]; "
                             "net_rtap+offload for S3 with offloads)"
                             % (spec, ", ".join(ALL_PMDS)))
        self.name = m.group(1)
        self.offload = bool(m.group(2))
        self.extra = m.group(3) or ""
        self.label = label or spec.strip()
        self.is_tap = self.name in TAP_PMDS
        self.so = so

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
                wait_link(n)
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
        self.n_s6 = 0
        self.s6_missing = rtap_ovs.missing()
        # the build of net_rtap each net_rtap row's testpmd loaded last (label -> sha256
        # prefix) and, over the run, the (rep, scenario) points of each build: for the
        # installed library (all rows without --rtap-so) and per --rtap-so label
        self.rtap_build = {}
        self.rtap_builds = {}     # sha256 prefix -> {(rep, scenario)}
        self.so_builds = {p.label: {} for p in cfg.pmds if p.so}
        if self.so_builds:
            self.res.swap = SoSwap(rtap_so())

    # -- bookkeeping

    def record(self, rep, pmd, scenario, point, **values):
        rec = {"rep": rep, "pmd": pmd, "scenario": scenario, "point": str(point)}
        if pmd in self.rtap_build:
            rec["rtap_build"] = build = self.rtap_build[pmd]
            builds = self.so_builds.get(pmd, self.rtap_builds)
            builds.setdefault(build, set()).add((rep + 1, scenario))
        rec.update(values)
        self.records.append(rec)
        flag = ""
        if rec.get("foreign_cpu", 0) > self.cfg.foreign_limit:
            flag = "  [!] others used %.0f%% of core %d, %.0f%% of core %d (%s)" % (
                100 * rec["foreign_fwd_core"], self.cfg.fwd_core,
                100 * rec["foreign_main_core"], self.cfg.main_core,
                ", ".join(rec.get("foreign_who", [])))
        main = {k: rec[k] for k in ("mpps", "gbps", "cycles", "fraction", "lat_us", "p99_us",
                                    "idle_cpu", "lost") if rec.get(k) is not None}
        if rec.get("mode"):
            main["mode"] = rec["mode"]
        log("  %-4s %-6s %-22s %s%s" % (scenario, point, pmd,
                                       " ".join("%s=%s" % (k, v if isinstance(v, str) else
                                                           "%.4g" % v)
                                                for k, v in main.items()), flag))

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

    def start_with_build(self, pmd, start, pid, what):
        """start() a process that loads net_rtap, pmd's build (a --rtap-so row's)
        standing in for the installed one until start() returns; pid() is then
        the process that must have mapped it."""
        if pmd.name == "net_rtap":
            self.rtap_build[pmd.label] = so_hash(pmd.so or rtap_so())
        swap = self.res.swap if pmd.so else None
        if swap:
            swap.swap_in(pmd.so)
        try:
            start()
            loaded = mapped_inodes(pid(), os.path.basename(rtap_so())) if swap else None
        finally:
            if swap and not swap.restore():
                self.failures.append("%s was replaced while the %s build stood in for it (a "
                                     "new install?): the new file stays" % (swap.installed,
                                                                           pmd.label))
                log("warning: " + self.failures[-1])
        if swap and swap.ino not in loaded:
            raise BenchError("%s did not load the %s build (%s)" % (what, pmd.label, pmd.so))

    def testpmd(self, pmd, vdevs, mode, app_args=()):
        """testpmd for pmd's ports, the forwarding lcore on --fwd-core, at its prompt.

        A --rtap-so row's build stands in for the installed net_rtap only
        while testpmd starts: EAL has loaded its plugins once the prompt is
        there, and the installed file is back before the first command.
        """
        cfg = self.cfg
        tp = Testpmd(vdevs, forward_mode=mode, mbufs=cfg.mbufs, prefix="rtb",
                     lcores="%d,%d" % (cfg.main_core, cfg.fwd_core),
                     main_lcore=cfg.main_core, eal_args=["--log-level=lib.eal:warning"],
                     app_args=["--nb-cores=1", "--record-core-cycles"] + list(app_args))
        self.res.procs.append(tp)
        self.start_with_build(pmd, tp.start, lambda: tp.pid, "testpmd")
        if "Port 0:" not in tp.startup and "Configuring Port 0" not in tp.startup:
            raise BenchError("testpmd has no port:\n%s" % tp.tail(40))
        return tp

    def finish_testpmd(self, tp):
        if tp.tsc_mhz:
            self.tsc_mhz = tp.tsc_mhz
        tp.cleanup()
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
            tp = self.testpmd(pmd, ports.vdevs(), "txonly", ["--txpkts=%d" % cfg.sizes[0]])
            ports.after_start()
            kif = ports.kernel_if[0]
            for size in cfg.sizes:
                tp.cmd("set txpkts %d" % size)
                tp.start_forwarding()
                time.sleep(cfg.warmup)
                names = ("rx_packets", "rx_dropped", "rx_errors")
                c0, t0 = counters(kif, names), time.monotonic()
                self.measure_start()
                time.sleep(cfg.window)
                c1, t1 = counters(kif, names), time.monotonic()
                fg = self.measure_stop(main_core_matters=False)
                fwd = tp.stop_forwarding()
                d = delta(c1, c0)
                tx = fwd.get(0, {})
                self.record(rep, pmd.label, "S1", size,
                            mpps=d["rx_packets"] / (t1 - t0) / 1e6, cycles=tp.cycles,
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
            tp = self.testpmd(pmd, ports.vdevs(), "rxonly", ["--no-flush-rx"])
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
        tp.start_forwarding()
        r0, m0 = rx_packets(tp)
        k0 = self._s2_kernel(pmd, kif, pif)
        self.measure_start()
        g = self.gen(kif, size, seconds=cfg.window, dst=dst)
        fg = self.measure_stop()
        # let the PMD take what is still queued, then read
        last = (-1, -1)
        for _ in range(50):
            time.sleep(0.05)
            cur = rx_packets(tp)
            if cur == last:
                break
            last = cur
        r1, m1 = last
        k1 = self._s2_kernel(pmd, kif, pif)
        tp.stop_forwarding()
        dk = delta(k1, k0)
        drops = dk["tx_dropped"] + dk.get("rx_dropped", 0)
        rx = r1 - r0
        self.record(rep, pmd.label, "S2", size,
                    mpps=rx / g["seconds"] / 1e6, cycles=tp.cycles,
                    offered=g["offered"], offered_mpps=g["offered_pps"] / 1e6,
                    fraction=rx / g["offered"] if g["offered"] else None,
                    kernel_drops=drops, kernel_tx_packets=dk["tx_packets"],
                    gen_refused=g["refused"], pmd_imissed=m1 - m0, received=rx,
                    seconds=g["seconds"], **fg)

    def s2d_point(self, rep, pmd, tp, kif, size):
        cfg = self.cfg
        r0, _ = rx_packets(tp)
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
            cur = rx_packets(tp)
            if cur[0] - r0 >= queued or cur == last:
                break
            last = cur
            time.sleep(0.02)
        received = cur[0] - r0
        tp.stop_forwarding()
        tp_cycles = tp.cycles
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

    def _iperf_pair(self, ns_srv, ns_cli, addr, label, rep, scenario="S3"):
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
                self.record(rep, label, scenario, "P%d" % streams, gbps=gbps, retransmits=retr,
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
                tp = self.testpmd(pmd, ports.vdevs(), "csum", OFFLOAD_APP_ARGS)
                ports.after_start(up=False)
                tp.cmd("port stop all")
                for port in range(2):
                    for proto in ("ip", "tcp", "udp"):
                        tp.cmd("csum set %s hw %d" % (proto, port))
                    tp.cmd("tso set 1448 %d" % port)
                tp.cmd("port start all")
                for port, n in enumerate(ports.pmd_if):
                    tp.cmd("set eth-peer %d %s" % (port, mac_of(n)))
                moved = ports.pmd_if
            elif pmd.is_tap:
                # the PMD creates the TAPs; they move into the namespaces
                tp = self.testpmd(pmd, ports.vdevs(), "io")
                ports.after_start(up=False)
                moved = ports.pmd_if
            else:
                moved = ports.kernel_if
            for n, ns, addr in zip(moved, (nsa, nsb), addrs):
                ip("link", "set", "dev", n, "netns", ns)
                res.links.append((n, ns))
                wait_link(n, ns)
                if not pmd.is_tap:
                    # af_packet/af_xdp carry neither partial checksums nor GSO frames
                    run(["ethtool", "-K", n, "tx", "off", "tso", "off", "gso", "off"],
                        netns=ns)
                configure(n, ns, addr)
            if not pmd.is_tap:
                tp = self.testpmd(pmd, ports.vdevs(), "io")
            tp.start_forwarding()
            self._iperf_pair(nsa, nsb, addrs[0].split("/")[0], pmd.label, rep)
            tp.stop_forwarding()
        finally:
            if tp:
                self.finish_testpmd(tp)
            if ports:
                ports.close()
            res.del_netns(nsa, nsb)

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
            res.del_netns(nsa, nsb)
            res.forget_link(TAG + "va")

    # -- S6

    def ovs_start(self, pmd, ovs):
        """ovs.start(), a --rtap-so row's build standing in for the installed
        net_rtap until DPDK is initialised (its plugins are loaded then)."""
        self.start_with_build(pmd, ovs.start, ovs.pid, "ovs-vswitchd")

    def s6(self, rep, pmd):
        cfg, res = self.cfg, self.res
        self.n_s6 += 1
        n = self.n_s6 % 1000
        ns_ovs = res.add_netns("%s%do" % (NS_PREFIX, n))
        nsa = res.add_netns("%s%doa" % (NS_PREFIX, n))
        nsb = res.add_netns("%s%dob" % (NS_PREFIX, n))
        addrs = ("10.253.0.1/24", "10.253.0.2/24")
        # OVS's main thread with the generator side, its PMD thread on the forwarding core
        ovs = rtap_ovs.Ovs(ns_ovs, other_config={
            "dpdk-lcore-mask": "0x%x" % (1 << cfg.main_core),
            "pmd-cpu-mask": "0x%x" % (1 << cfg.fwd_core)})
        res.procs.append(ovs)
        try:
            self.ovs_start(pmd, ovs)
            br = "%so%d" % (TAG, n)
            ovs.add_bridge(br)
            for i, (ns, addr) in enumerate(zip((nsa, nsb), addrs)):
                name, port = "%s%so%d" % (TAG, "ab"[i], n), "p%d" % i
                ovs.add_dpdk_port(br, port, pmd.vdev(i, name), **OVS_PORT_COLUMNS)
                err = ovs.wait_port(port)
                if err:
                    raise BenchError("OVS port %s (%s): %s\n%s" % (port, pmd.vdev(i, name),
                                                                   err, ovs.tail(20)))
                # the PMD made the interface in OVS's namespace; it moves to its own
                wait_link(name, ns_ovs)
                ip("link", "set", "dev", name, "netns", ns, netns=ns_ovs)
                res.links.append((name, ns))
                wait_link(name, ns)
                disable_ipv6(name, ns)
                configure(name, ns, addr)
            self._iperf_pair(nsa, nsb, addrs[0].split("/")[0], pmd.label, rep, scenario="S6")
        finally:
            ovs.stop()
            res.procs.remove(ovs)
            res.del_netns(nsa, nsb, ns_ovs)

    # -- S4

    def _raw(self, mode, ifname, opts):
        # the TAP is recorded first: raw_uring may have made it and then failed
        self.res.links.append((ifname, None))
        p = RawUring(self.cfg.raw_bin, mode, ifname, self.cfg.fwd_core, opts)
        self.res.procs.append(p)
        return p

    def _raw_finish(self, p, timeout):
        name = p.ifname
        try:
            j = p.finish(timeout)
        finally:
            self.res.procs.remove(p)
        self.res.forget_link(name)
        return j

    def s4(self, rep, write, read):
        cfg = self.cfg
        for size in cfg.sizes if write else []:
            ifname = "%sr%dw" % (TAG, size)
            p = self._raw("write", ifname, ["-s", str(size), "-t", str(cfg.window)])
            ip("link", "set", "dev", ifname, "up")
            self.measure_start()
            p.go("go")
            j = self._raw_finish(p, cfg.window + 30)
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
        ip("link", "set", "dev", ifname, "txqueuelen", str(cfg.drain_queue), "up")
        k0 = counters(ifname, ("tx_packets", "tx_dropped"))
        g = self.gen(ifname, size, count=cfg.drain_count)
        time.sleep(0.1)
        dk = delta(counters(ifname, ("tx_packets", "tx_dropped")), k0)
        queued = g["offered"] - dk["tx_dropped"]
        self.measure_start()
        p.go("go %d" % queued)
        # measured like the PMDs (the program's own timing is kept too)
        samples = sample_counter(ifname, "tx_packets", queued)
        fg = self.measure_stop(main_core_matters=False)
        j = self._raw_finish(p, 60)
        rate = slope(samples, queued)
        self.record(rep, label, "S2d", size, mpps=rate / 1e6 if rate else None,
                    self_mpps=j["pps"] / 1e6,
                    cycles=j["cycles_per_packet"], queued=queued,
                    fill_mpps=g["offered_pps"] / 1e6,
                    received=j["packets"], kernel_fill_drops=dk["tx_dropped"],
                    eagain=j["eagain"], rearms=j["rearms"], seconds=j["seconds"], **fg)

    # -- S5

    def s5(self, rep, pmd, point):
        """Wake-up latency and idle CPU of dpdk-rtap-intr-fwd between two ports of pmd.

        point "intr": the forwarder sleeps on rx interrupts when idle (or polls,
        saying why, where the PMD has none: recorded as mode); "poll": --poll.
        A --rtap-so row's build is given to the forwarder with -d (it registers
        before the installed one), no swap.
        """
        cfg = self.cfg
        ports = Ports(self.res, pmd, 2)
        fwd = None
        try:
            eal = []
            if pmd.name == "net_rtap":
                so = pmd.so or rtap_so()
                self.rtap_build[pmd.label] = so_hash(so)
                if pmd.so:
                    eal = ["-d", pmd.so]
            fwd = IntrFwd(cfg.fwd_bin, ports.vdevs(), lcores=str(cfg.fwd_core), eal_args=eal,
                          app_args=["--poll"] if point == "poll" else [], prefix="rtb")
            self.res.procs.append(fwd)
            fwd.start()
            if pmd.name == "net_rtap" and os.stat(so).st_ino not in mapped_inodes(
                    fwd.pid, os.path.basename(so)):
                raise BenchError("the forwarder did not load %s" % so)
            ports.after_start()
            _, _, mode, why = fwd.modes()[0]
            if point == "intr" and mode != "interrupt":
                log("  S5: %s has no rx interrupts, the forwarder polls: %s" % (pmd.label, why))
            a, b = ports.kernel_if
            self.measure_start()
            res = run([cfg.wake_bin, "-o", a, "-i", b, "-n", str(cfg.wake_frames),
                       "-g", str(cfg.wake_gap_us), "-c", str(cfg.main_core)],
                      timeout=cfg.wake_frames * cfg.wake_gap_us / 1e6 + 30)
            fg = self.measure_stop()
            w = json.loads(res.stdout)
            if w["received"] == 0:
                raise BenchError("no probe frame came through the forwarder (%s):\n%s"
                                 % (res.stdout.strip(), fwd.tail()))
            # idle: what the forwarder costs with nothing to do (all its threads)
            c0, t0 = fwd.cpu_ns(), time.monotonic()
            time.sleep(cfg.idle_window)
            c1, t1 = fwd.cpu_ns(), time.monotonic()
            idle = (c1 - c0) / 1e9 / (t1 - t0)
            summary = fwd.stop()
            lc = summary["lcores"][0]
            self.record(rep, pmd.label, "S5", point, lat_us=w["median_us"],
                        p90_us=w["p90_us"], p99_us=w["p99_us"], min_us=w["min_us"],
                        max_us=w["max_us"], user_median_us=w["user_median_us"],
                        user_p99_us=w["user_p99_us"], frames=w["sent"],
                        received=w["received"], lost=w["lost"], late=w["late"],
                        idle_cpu=idle, mode=mode, why=why or "", sleeps=lc["sleeps"],
                        wakeups=lc["wakeups"], spurious=lc["spurious"],
                        rechecked=lc["rechecked"], **fg)
        finally:
            if fwd:
                fwd.cleanup()
                self.res.procs.remove(fwd)
            ports.close()

    # -- driver

    def guarded(self, what, fn, *args):
        try:
            fn(*args)
        except (HarnessError, OSError, ValueError, KeyError, subprocess.SubprocessError,
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
                if "S5" in cfg.scenarios and pmd.is_tap:
                    for point in ("intr", "poll") if pmd.name == "net_rtap" else ("intr",):
                        self.guarded("%s S5 %s" % (pmd.label, point), self.s5, rep, pmd,
                                     point)
                if "S6" in cfg.scenarios and pmd.is_tap:
                    if self.s6_missing:
                        if rep == 0:
                            log("S6 (%s): not run: %s" % (pmd.label, self.s6_missing))
                    else:
                        self.guarded("%s S6" % pmd.label, self.s6, rep, pmd)
            if cfg.ceiling:
                write = bool(cfg.scenarios & {"S1", "S4"})
                read = bool(cfg.scenarios & {"S2d", "S4"})
                if write or read:
                    self.guarded("raw S4", self.s4, rep, write, read)
                if "S3" in cfg.scenarios:
                    self.guarded("veth S3", self.s3_ceiling, rep)


def rx_packets(tp, port=0):
    """(RX-packets, RX-missed) of a port, from testpmd's port stats."""
    st = tp.stats(port)
    return st["RX-packets"], st["RX-missed"]
