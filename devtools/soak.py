#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Soaks of net_rtap through Debian's dpdk-testpmd, with this tree's plugin
(-d build/drivers/net/rtap/librte_net_rtap.so): long runs that must leave
nothing behind. devtools/soak.sh runs this under /usr/bin/python3, as root.

  hotplug  `port attach` / start / stop / `port detach` cycles: fds, RSS and
           the hugepage heap (dump_socket_mem) flat from cycle 10 to the end
  traffic  iperf3 through testpmd's csum engine with checksum, TSO and LRO
           offloads on one port pair, a flood through a second pair, and
           stats, xstats, stats reset and xstats reset every 100 ms; memory
           flat, and afterwards the counters exact: a counted burst of frames
           is ipackets + imissed on the way in and opackets on the way out,
           and what the far kernel side received
  restart  io forwarding under a flood both ways, and every second a queue
           stop/start (rx and tx, both ports in turn) or a port stop/start
           (testpmd pauses forwarding for either; the floods go on); then ping
           without loss, no mbuf in use with the ports stopped, fds flat

Each phase prints its figures and PASS or FAIL; the last line is
"soak: N passed, N failed". Bounded by the arguments: --cycles (hotplug, and
--hotplug-seconds at most), --traffic-seconds, --restart-seconds; --quick is
the CI version (about 60 s in all). Interfaces and namespaces carry the pid
and are removed on the way out, failure or not.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "pylib"))
from rtap_harness import (Flood, HarnessError, Testpmd, configure, ip, link_info,  # noqa: E402
                          mempool_in_use, netns_add, netns_del, run, wait_for, wait_link,
                          wait_link_gone)

BUILD = os.path.join(ROOT, os.environ.get("RTAP_BUILD_DIR", "build"))
PLUGIN = os.path.join(BUILD, "drivers", "net", "rtap", "librte_net_rtap.so")
PID = os.getpid()
PREFIX = "rs%d" % (PID % 100000)
EAL = ["-d", PLUGIN]
FAILURE = re.compile(r"fail|error|invalid|not stopped|please", re.I)

# offloads as test/test_offload.py asks them: rx UDP|TCP checksum + LRO, tx IPv4|UDP|TCP
# checksum, TSO, multi-segment
CSUM_ARGS = ["--rx-offloads=0xc", "--enable-lro", "--tx-offloads=0x802e"]
TSO_SEGSZ = 1448


def figures(tp):
    """fds, RSS (KiB), hugepage heap allocated (bytes, from dump_socket_mem) and its
    allocation count."""
    with open("/proc/%d/status" % tp.pid) as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    out = tp.dump("socket_mem")
    m = re.search(r"Total\s*: size\(M\) total: [\d.]+ alloc: ([\d.]+)\(.*count alloc: (\d+)",
                  out)
    if not m:
        raise HarnessError("cannot read dump_socket_mem:\n%s" % out)
    return {"fds": tp.fd_count(), "rss_kib": rss, "heap_mib": float(m.group(1)),
            "heap_allocs": int(m.group(2))}


def show(label, f):
    print("  %-22s fds %4d  RSS %7d KiB  heap %9.3f MiB in %5d allocations"
          % (label, f["fds"], f["rss_kib"], f["heap_mib"], f["heap_allocs"]))


def flat(before, after, rss_slack_kib):
    """fds and the heap exactly as before; RSS within rss_slack_kib (glibc's own arenas
    and testpmd's output buffers may move a little)."""
    problems = []
    if after["fds"] != before["fds"]:
        problems.append("fds %d -> %d" % (before["fds"], after["fds"]))
    if (after["heap_allocs"], after["heap_mib"]) != (before["heap_allocs"], before["heap_mib"]):
        problems.append("heap %.3f MiB/%d -> %.3f MiB/%d" % (
            before["heap_mib"], before["heap_allocs"], after["heap_mib"], after["heap_allocs"]))
    if after["rss_kib"] - before["rss_kib"] > rss_slack_kib:
        problems.append("RSS +%d KiB" % (after["rss_kib"] - before["rss_kib"]))
    return problems


def cmd_ok(tp, command):
    out = tp.cmd(command)
    if FAILURE.search(out):
        raise HarnessError("%s:\n%s" % (command, out))
    return out


# ------------------------------------------------------------------ hotplug

def hotplug(cycles, seconds):
    name = PREFIX + "h"
    tp = Testpmd(vdevs=[], eal_args=EAL, prefix="rtap-soak").start()
    try:
        deadline = time.monotonic() + seconds
        base = None
        done = 0
        t0 = time.monotonic()
        while done < cycles and (done < 20 or time.monotonic() < deadline):
            out = tp.cmd("port attach net_rtap9,iface=" + name)
            m = re.search(r"Port (\d+) is attached", out)
            if not m:
                raise HarnessError("cycle %d: attach failed:\n%s" % (done + 1, out))
            port = int(m.group(1))
            cmd_ok(tp, "port start %d" % port)
            cmd_ok(tp, "port stop %d" % port)
            out = tp.cmd("port detach %d" % port)
            if "is detached" not in out:
                raise HarnessError("cycle %d: detach failed:\n%s" % (done + 1, out))
            done += 1
            if done == 10:
                wait_link_gone(name, timeout=5)
                base = figures(tp)
        wait_link_gone(name, timeout=5)
        end = figures(tp)
        elapsed = time.monotonic() - t0
        print("hotplug: %d attach/start/stop/detach cycles in %.0f s (%.1f per s)"
              % (done, elapsed, done / elapsed))
        show("after cycle 10", base)
        show("after cycle %d" % done, end)
        problems = flat(base, end, rss_slack_kib=1024)
        if link_info(name) is not None:
            problems.append("interface %s left" % name)
        if tp.quit() != 0:
            problems.append("testpmd exit %s" % tp.exitstatus)
        return problems
    finally:
        tp.cleanup(graceful=False)
        if link_info(name):
            ip("link", "del", "dev", name, check=False)


# ------------------------------------------------------------------ traffic

def kcount(name, ns, direction, key="packets"):
    return link_info(name, ns, stats=True)["stats64"][direction][key]


def _reader(tp, stop, counts, lock):
    """Stats, xstats and both resets in turn, every 100 ms, until stop is set."""
    commands = ("show port stats all", "show port xstats all", "clear port stats all",
                "show port xstats all", "clear port xstats all")
    i = 0
    while not stop.is_set():
        with lock:
            out = tp.cmd(commands[i % len(commands)])
        if re.search(r"Invalid|fail", out, re.I):
            counts["bad"] += 1
        counts[commands[i % len(commands)].split()[0]] += 1
        i += 1
        stop.wait(0.1)


def traffic(seconds, created):
    ns = [netns_add("%s-%d-n%d" % (PREFIX, PID, k), created) for k in range(4)]
    names = [PREFIX + s for s in ("a", "b", "c", "d")]
    ips = ("10.252.0.1", "10.252.0.2")
    tp = Testpmd(vdevs=["net_rtap%d,iface=%s" % (k, n) for k, n in enumerate(names)],
                 eal_args=EAL, app_args=CSUM_ARGS, forward_mode="csum",
                 prefix="rtap-soak").start()
    try:
        cmd_ok(tp, "port stop all")
        for port in range(4):
            for what in ("ip", "tcp", "udp"):
                cmd_ok(tp, "csum set %s hw %d" % (what, port))
            cmd_ok(tp, "tso set %d %d" % (TSO_SEGSZ, port))
        cmd_ok(tp, "port start all")
        for k, (name, n) in enumerate(zip(names, ns)):
            wait_link(name)
            ip("link", "set", "dev", name, "netns", n)
            wait_link(name, n)
            configure(name, n, ips[k] + "/24" if k < 2 else None)
        macs = [link_info(name, n)["address"] for name, n in zip(names, ns)]
        for port in range(4):
            cmd_ok(tp, "set eth-peer %d %s" % (port, macs[port]))
        tp.start_forwarding()
        time.sleep(1)
        base = figures(tp)

        server = subprocess.Popen(["ip", "netns", "exec", ns[1], "iperf3", "-s", "-1", "-B",
                                   ips[1], "-p", "5401"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        wait_for(lambda: run(["ss", "-Hltn", "sport = :5401"], netns=ns[1]).stdout.strip(),
                 10, "iperf3 server")
        client = subprocess.Popen(["ip", "netns", "exec", ns[0], "iperf3", "-c", ips[1], "-p",
                                   "5401", "-t", str(seconds), "-J", "--connect-timeout",
                                   "5000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        flood = Flood(names[2], ns[2], macs[3], seconds=seconds, count=10**12)
        stop, lock = threading.Event(), threading.Lock()
        counts = {"show": 0, "clear": 0, "bad": 0}
        reader = threading.Thread(target=_reader, args=(tp, stop, counts, lock))
        reader.start()
        peak = dict(base)
        try:
            out, err = client.communicate(timeout=seconds + 60)
        finally:
            flood.stop()
            stop.set()
            reader.join()
            if server.poll() is None:
                server.kill()
            server.wait()
        res = json.loads(out) if out.strip().startswith("{") else {"error": err}
        tp.stop_forwarding()
        end = figures(tp)
        for k in peak:
            peak[k] = max(peak[k], end[k])

        problems = []
        if "error" in res:
            problems.append("iperf3: %s" % res["error"])
            gbps = 0.0
        else:
            gbps = res["end"]["sum_received"]["bits_per_second"] / 1e9
        print("traffic: %d s iperf3 (csum engine, checksum+TSO+LRO) at %.2f Gbit/s, a flood of "
              "%d frames on the second pair, %d stats/xstats reads and %d resets (%d bad)"
              % (seconds, gbps, flood.sent, counts["show"], counts["clear"], counts["bad"]))
        show("start", base)
        show("end", end)
        problems += flat(base, end, rss_slack_kib=2048)
        if counts["bad"]:
            problems.append("%d stats reads failed" % counts["bad"])

        # exact counters: a counted burst through the second pair, from zero. Port 2
        # restarts first: frames the flood left in the kernel's queue go with its detach.
        cmd_ok(tp, "port stop 2")
        cmd_ok(tp, "port start 2")
        tp.cmd("clear port stats all")
        tp.start_forwarding()
        d0 = kcount(names[3], ns[3], "rx")
        n = Flood(names[2], ns[2], macs[3], seconds=30, count=20000).wait()

        def arrived():
            s2 = tp.stats(2)
            return s2["RX-packets"] + s2["RX-missed"] == n
        try:
            wait_for(arrived, 20, "the counted burst to be counted", interval=0.2)
        except HarnessError:
            pass
        fwd = tp.stop_forwarding()
        s2 = tp.stats(2)
        try:
            wait_for(lambda: tp.stats(3)["TX-packets"] + tp.stats(3)["TX-errors"] ==
                     fwd[3]["TX-packets"] and kcount(names[3], ns[3], "rx") - d0 ==
                     tp.stats(3)["TX-packets"], 20, "transmit completions", interval=0.2)
        except HarnessError:
            pass
        s3 = tp.stats(3)
        d = kcount(names[3], ns[3], "rx") - d0
        print("  counted burst: %d frames sent; port 2 ipackets %d + imissed %d; forwarded "
              "%d + dropped by testpmd %d; port 3 opackets %d + oerrors %d; far side "
              "received %d" % (n, s2["RX-packets"], s2["RX-missed"], fwd[3]["TX-packets"],
                               fwd[3]["TX-dropped"], s3["TX-packets"], s3["TX-errors"], d))
        if s2["RX-packets"] + s2["RX-missed"] != n:
            problems.append("ipackets + imissed %d != %d sent"
                            % (s2["RX-packets"] + s2["RX-missed"], n))
        if (fwd[2]["RX-packets"] != s2["RX-packets"] or
                fwd[3]["TX-packets"] + fwd[3]["TX-dropped"] != s2["RX-packets"] or
                s3["TX-packets"] + s3["TX-errors"] != fwd[3]["TX-packets"] or
                d != s3["TX-packets"]):
            problems.append("counts differ: rx %d (testpmd %d), tx %d + %d dropped, "
                            "opackets %d + %d errors, far side %d"
                            % (s2["RX-packets"], fwd[2]["RX-packets"], fwd[3]["TX-packets"],
                               fwd[3]["TX-dropped"], s3["TX-packets"], s3["TX-errors"], d))
        if tp.quit() != 0:
            problems.append("testpmd exit %s" % tp.exitstatus)
        return problems
    finally:
        tp.cleanup(graceful=False)


# ------------------------------------------------------------------ restart

def restart(seconds, created):
    ns = [netns_add("%s-%d-r%d" % (PREFIX, PID, k), created) for k in range(2)]
    names = [PREFIX + s for s in ("p", "q")]
    ips = ("10.253.0.1", "10.253.0.2")
    tp = Testpmd(vdevs=["net_rtap%d,iface=%s" % (k, n) for k, n in enumerate(names)],
                 eal_args=EAL, prefix="rtap-soak").start()
    try:
        for k, (name, n) in enumerate(zip(names, ns)):
            wait_link(name)
            ip("link", "set", "dev", name, "netns", n)
            wait_link(name, n)
            configure(name, n, ips[k] + "/24")
        macs = [link_info(name, n)["address"] for name, n in zip(names, ns)]
        for k in range(2):
            ip("neigh", "replace", ips[1 - k], "lladdr", macs[1 - k], "dev", names[k], "nud",
               "permanent", netns=ns[k])
        tp.start_forwarding()
        base_mbufs, base_fds = stopped(tp)
        if set(base_mbufs.values()) != {0}:
            return ["mbufs in use with the ports stopped at the start: %s" % base_mbufs]
        cmd_ok(tp, "port start all")
        tp.start_forwarding()
        ops = {"queue": 0, "port": 0}
        floods = [Flood(names[0], ns[0], macs[1], seconds=seconds, count=10**12),
                  Flood(names[1], ns[1], macs[0], seconds=seconds, count=10**12)]
        end = time.monotonic() + seconds
        i = 0
        try:
            while time.monotonic() < end:
                port = i % 2
                if i % 3 == 2:
                    tp.stop_forwarding()
                    cmd_ok(tp, "port stop %d" % port)
                    cmd_ok(tp, "port start %d" % port)
                    tp.start_forwarding()
                    ops["port"] += 1
                else:
                    # testpmd stops and starts queues only with forwarding stopped; the
                    # floods go on meanwhile, into reads in flight and out of the ring
                    tp.stop_forwarding()
                    for q in ("rxq", "txq"):
                        cmd_ok(tp, "port %d %s 0 stop" % (port, q))
                        cmd_ok(tp, "port %d %s 0 start" % (port, q))
                    tp.start_forwarding()
                    ops["queue"] += 1
                i += 1
                time.sleep(1)
        finally:
            sent = [f.stop() for f in floods]
        problems = []
        res = run(["ping", "-n", "-c", "5", "-i", "0.2", "-W", "2", ips[1]], netns=ns[0],
                  check=False, timeout=30)
        m = re.search(r"([\d.]+)% packet loss", res.stdout)
        loss = float(m.group(1)) if m else 100.0
        fwd = tp.stats(0), tp.stats(1)
        mbufs, fds = stopped(tp)
        print("restart: %d s, %d queue stop/start rounds and %d port stop/starts under floods "
              "of %d and %d frames; ping loss %.0f%%"
              % (seconds, ops["queue"], ops["port"], sent[0], sent[1], loss))
        print("  port 0 rx %d tx %d; port 1 rx %d tx %d; fds %d -> %d; mbufs in use stopped %s"
              % (fwd[0]["RX-packets"], fwd[0]["TX-packets"], fwd[1]["RX-packets"],
                 fwd[1]["TX-packets"], base_fds, fds, mbufs))
        if loss != 0:
            problems.append("ping loss %.0f%% after the restarts" % loss)
        if fds != base_fds:
            problems.append("fds %d -> %d" % (base_fds, fds))
        if set(mbufs.values()) != {0}:
            problems.append("mbufs in use with the ports stopped: %s" % mbufs)
        if tp.quit() != 0:
            problems.append("testpmd exit %s" % tp.exitstatus)
        return problems
    finally:
        tp.cleanup(graceful=False)


def stopped(tp):
    tp.cmd("stop")
    cmd_ok(tp, "port stop all")
    return mempool_in_use(tp), tp.fd_count()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="the CI version: about 60 s")
    ap.add_argument("--cycles", type=int, default=1000)
    ap.add_argument("--hotplug-seconds", type=int, default=3600)
    ap.add_argument("--traffic-seconds", type=int, default=600)
    ap.add_argument("--restart-seconds", type=int, default=600)
    ap.add_argument("--only", choices=("hotplug", "traffic", "restart"), action="append")
    args = ap.parse_args()
    if args.quick:
        args.cycles, args.hotplug_seconds = 1000, 20
        args.traffic_seconds = args.restart_seconds = 15
    if os.geteuid() != 0:
        sys.exit("soak: must run as root (TAP devices, namespaces)")
    if not os.path.exists(PLUGIN):
        sys.exit("soak: %s missing: build the tree first (ninja -C build)" % PLUGIN)
    phases = args.only or ["hotplug", "traffic", "restart"]
    passed = failed = 0
    created = []
    try:
        for phase in phases:
            t0 = time.monotonic()
            try:
                if phase == "hotplug":
                    problems = hotplug(args.cycles, args.hotplug_seconds)
                elif phase == "traffic":
                    problems = traffic(args.traffic_seconds, created)
                else:
                    problems = restart(args.restart_seconds, created)
            except (HarnessError, OSError, ValueError, subprocess.SubprocessError) as e:
                problems = ["%s: %s" % (type(e).__name__, str(e)[-3000:])]
            verdict = "PASS" if not problems else "FAIL: " + "; ".join(problems)
            print("soak %s: %s (%.0f s)\n" % (phase, verdict, time.monotonic() - t0))
            passed, failed = passed + (not problems), failed + bool(problems)
            sys.stdout.flush()
    finally:
        netns_del(reversed(created))
        for name in os.listdir("/sys/class/net"):
            if name.startswith(PREFIX):
                ip("link", "del", "dev", name, check=False)
    print("soak: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
