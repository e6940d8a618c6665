# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""What the integration tests (test/) and the benchmark (devtools/bench/) share.

Commands (run, ip), polling (wait_for), interfaces and namespaces (link_*,
wait_link*, move_to_netns, netns_add/netns_del), DPDK's PMD directory
(pmd_dir) and dpdk-testpmd in interactive mode under pexpect (Testpmd).

Nothing here installs anything: test/conftest.py and devtools/bench/ put
this directory on sys.path and import the module. It runs under Debian's
/usr/bin/python3 (pexpect comes from python3-pexpect).

Failures raise HarnessError, an AssertionError so that pytest reports them
as failed checks; the benchmark catches it as a failed point.
"""

import functools
import io
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import time

import pexpect

TESTPMD = "/usr/bin/dpdk-testpmd"
PID = os.getpid()


class HarnessError(AssertionError):
    pass


class CommandError(HarnessError):
    pass


class TestpmdError(HarnessError):
    __test__ = False    # not a test class for pytest


# ------------------------------------------------------------ commands

def run(cmd, netns=None, check=True, timeout=60, **kwargs):
    """Run a command (in a namespace if asked) and return the CompletedProcess."""
    if netns:
        cmd = ["ip", "netns", "exec", netns] + list(cmd)
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and res.returncode != 0:
        raise CommandError("%s: exit %d\n%s%s" % (" ".join(cmd), res.returncode,
                                                  res.stdout, res.stderr))
    return res


def ip(*args, netns=None, check=True):
    """`ip [-n netns] args...`"""
    return run(["ip"] + (["-n", netns] if netns else []) + list(args), check=check)


def wait_for(predicate, timeout, what, interval=0.02):
    """Poll predicate() until it returns a true value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise HarnessError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


@functools.lru_cache(maxsize=None)
def pmd_dir():
    """DPDK's PMD directory (RTE_EAL_PMD_PATH), where EAL loads plugins from.

    pkg-config's pmdsdir variable where libdpdk.pc has one, else what the
    compiler makes of RTE_EAL_PMD_PATH from rte_build_config.h.
    """
    res = run(["pkg-config", "--variable=pmdsdir", "libdpdk"], check=False)
    if res.returncode == 0 and res.stdout.strip():
        return res.stdout.strip()
    cflags = run(["pkg-config", "--cflags", "libdpdk"]).stdout.split()
    res = run(["cc", "-E", "-P"] + cflags + ["-"], check=False,
              input="#include <rte_build_config.h>\nRTE_EAL_PMD_PATH\n")
    m = re.search(r'"([^"]+)"', res.stdout)
    if res.returncode != 0 or not m:
        raise HarnessError("cannot find DPDK's PMD directory (RTE_EAL_PMD_PATH; "
                           "devtools/setup.sh installs dpdk-dev):\n%s" % res.stderr)
    return m.group(1)


# ---------------------------------------------------------- interfaces

def link_info(name, netns=None, stats=False):
    """The interface as `ip -j -d link show` describes it, or None."""
    args = ["-j", "-d"] + (["-s"] if stats else []) + ["link", "show", "dev", name]
    res = ip(*args, netns=netns, check=False)
    if res.returncode != 0:
        return None
    links = json.loads(res.stdout)
    return links[0] if links else None


def link_exists(name, netns=None):
    """Cheaper than link_info in the root namespace (sysfs)."""
    if netns is None:
        return os.path.exists("/sys/class/net/" + name)
    return ip("link", "show", "dev", name, netns=netns, check=False).returncode == 0


def link_names(netns=None):
    return [link["ifname"] for link in json.loads(ip("-j", "link", "show", netns=netns).stdout)]


def _where(name, netns):
    return "%s%s" % (name, " in " + netns if netns else "")


def wait_link(name, netns=None, timeout=10):
    return wait_for(lambda: link_info(name, netns), timeout, "interface " + _where(name, netns))


def wait_link_gone(name, netns=None, timeout=10):
    wait_for(lambda: not link_exists(name, netns), timeout,
             "interface %s to disappear" % _where(name, netns))


def addresses(name, netns=None):
    """IPv4 addresses of an interface as 'a.b.c.d/len' strings."""
    res = ip("-j", "-4", "addr", "show", "dev", name, netns=netns)
    return ["%s/%d" % (a["local"], a["prefixlen"])
            for link in json.loads(res.stdout) for a in link.get("addr_info", [])]


def configure(name, netns, addr=None, up=True):
    """Address an interface and bring it up (waiting for the UP flag)."""
    if addr:
        ip("addr", "add", addr, "dev", name, netns=netns)
    if up:
        ip("link", "set", "dev", name, "up", netns=netns)
        wait_for(lambda: "UP" in (link_info(name, netns) or {}).get("flags", []), 5,
                 "%s to be up" % name)


def move_to_netns(name, netns, addr=None, up=True):
    """Move an interface into a namespace, address it and bring it up there."""
    wait_link(name)
    ip("link", "set", "dev", name, "netns", netns)
    wait_link(name, netns)
    configure(name, netns, addr, up)


def netns_add(name, created):
    """Create a namespace with lo up and IPv6 off (the traffic counted is what
    the caller sends). Its name goes into the list created as soon as it
    exists, so that the caller deletes it even when the rest fails."""
    ip("netns", "add", name)
    created.append(name)
    ip("link", "set", "dev", "lo", "up", netns=name)
    run(["sh", "-c", "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 &&"
         " echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6"], netns=name)
    return name


def netns_del(names, timeout=10):
    """Delete namespaces (all of them, then wait until each is gone)."""
    names = list(names)
    for name in names:
        ip("netns", "del", name, check=False)
    for name in names:
        wait_for(lambda: not os.path.exists("/run/netns/" + name), timeout,
                 "netns %s gone" % name)


# ------------------------------------------------------------- testpmd

FWD_STATS_RE = re.compile(r"Forward statistics for port (\d+)\s+-+\n(.*?)\n\s*-{20,}", re.S)
COUNTER_RE = re.compile(r"([RT]X-[a-z]+):\s+(\d+)")
CYCLES_RE = re.compile(r"CPU cycles/packet=([\d.]+) \(total cycles=(\d+) / total \w+ "
                       r"packets=(\d+)\) at (\d+) MHz")


class Testpmd:
    """dpdk-testpmd in interactive mode under pexpect.

    Testpmd(vdevs, ...) spawns it; start() waits for the first prompt; cmd()
    sends one command and returns its output; stats(), xstats() and
    stop_forwarding() parse what testpmd prints; quit() ends it, kill()
    signals it, cleanup() does whatever is needed for it to be gone and its
    EAL files removed. Its whole output is kept (output(), tail()).
    """

    __test__ = False    # not a test class for pytest
    PROMPT = "testpmd> "
    _ids = itertools.count()

    def __init__(self, vdevs=(), netns=None, eal_args=(), app_args=(), forward_mode="io",
                 timeout=60, mbufs=16384, in_memory=True, lcores="0-1", main_lcore=None,
                 prefix="rtap-test", wrapper=()):
        self.prefix = "%s-%d-%d" % (prefix, PID, next(Testpmd._ids))
        argv = [TESTPMD, "-l", lcores]
        if main_lcore is not None:
            argv += ["--main-lcore", str(main_lcore)]
        argv += ["--file-prefix=" + self.prefix, "--no-pci"]
        if in_memory:
            argv.append("--in-memory")
        # else: shared files, so that secondary processes can attach
        argv += ["--vdev=" + v for v in vdevs]
        argv += list(eal_args)
        argv += ["--", "-i", "--forward-mode=" + forward_mode,
                 "--total-num-mbufs=%d" % mbufs]
        argv += list(app_args)
        # a wrapper that execs the command in place (env, setpriv): the pid stays testpmd's
        argv = list(wrapper) + argv
        if netns:
            # ip execs the command in place: the pid stays testpmd's
            argv = ["ip", "netns", "exec", netns] + argv
        self.argv = argv
        self.netns = netns
        self.transcript = io.StringIO()
        self.timeout = timeout
        self.exitstatus = None
        self.cycles = self.tsc_mhz = None      # from the last stop_forwarding()
        self.child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace",
                                   timeout=timeout, dimensions=(50, 250), echo=False)
        self.child.logfile_read = self.transcript
        self.child.delaybeforesend = None  # pexpect's default adds 50 ms per command
        self.pid = self.child.pid
        self.started = False
        self.startup = ""

    def wait_prompt(self):
        """Wait for the first prompt; False if testpmd exited before it."""
        i = self.child.expect_exact([self.PROMPT, pexpect.EOF], timeout=self.timeout)
        self.startup = self.child.before
        if i == 1:
            self._reap()
            return False
        self.started = True
        return True

    def start(self):
        if not self.wait_prompt():
            raise TestpmdError("testpmd exited (status %s) before its prompt: %s\n%s"
                               % (self.exitstatus, " ".join(self.argv), self.tail()))
        return self

    def cmd(self, command, timeout=None):
        """Send one command, wait for the next prompt and return the output."""
        if not self.child.isalive():
            raise TestpmdError("testpmd is gone; cannot send %r\n%s" % (command, self.tail()))
        self.child.sendline(command)
        try:
            self.child.expect_exact(self.PROMPT, timeout=timeout or self.timeout)
        except pexpect.EOF:
            self._reap()
            raise TestpmdError("testpmd exited (status %s) on %r:\n%s"
                               % (self.exitstatus, command, self.tail())) from None
        except pexpect.TIMEOUT:
            raise TestpmdError("no prompt after %r:\n%s" % (command, self.tail())) from None
        out = self.child.before.replace("\r", "")
        # cmdline echoes what it reads: drop the echoed command
        lines = out.split("\n")
        if lines and lines[0].strip() == command.strip():
            lines = lines[1:]
        return "\n".join(lines)

    def stats(self, port):
        """`show port stats N` as a dict: RX-packets, RX-missed, TX-errors, ..."""
        out = self.cmd("show port stats %d" % port)
        if "NIC statistics for port %d" % port not in out:
            raise TestpmdError("no stats for port %d:\n%s" % (port, out))
        return {k: int(v) for k, v in COUNTER_RE.findall(out)}

    def xstats(self, port):
        """`show port xstats N` as a dict name -> value."""
        out = self.cmd("show port xstats %d" % port)
        if "NIC extended statistics for port %d" % port not in out:
            raise TestpmdError("no xstats for port %d:\n%s" % (port, out))
        return {k: int(v) for k, v in re.findall(r"^\s*(\w+):\s+(\d+)\s*$", out, re.M)}

    def start_forwarding(self):
        out = self.cmd("start")
        if "packet forwarding" not in out:
            raise TestpmdError("start failed:\n%s" % out)
        return out

    def stop_forwarding(self):
        """`stop`; returns its forward statistics per port (counted since `start`).

        With --record-core-cycles, self.cycles is testpmd's CPU cycles/packet
        (None without) and self.tsc_mhz the TSC rate it printed.
        """
        out = self.cmd("stop")
        fwd = {int(port): {k: int(v) for k, v in COUNTER_RE.findall(block)}
               for port, block in FWD_STATS_RE.findall(out)}
        if not fwd:
            raise TestpmdError("no forward statistics in:\n%s" % out)
        m = CYCLES_RE.search(out)
        self.cycles = float(m.group(1)) if m else None
        if m:
            self.tsc_mhz = int(m.group(4))
        return fwd

    def nb_ports(self):
        out = self.cmd("show port summary all")
        m = re.search(r"Number of available ports:\s*(\d+)", out)
        if not m:
            raise TestpmdError("cannot read the port count:\n%s" % out)
        return int(m.group(1))

    def threads(self):
        """{thread name: count} of the testpmd process."""
        names = {}
        for tid in os.listdir("/proc/%d/task" % self.pid):
            try:
                with open("/proc/%d/task/%s/comm" % (self.pid, tid)) as f:
                    name = f.read().strip()
            except OSError:
                continue
            names[name] = names.get(name, 0) + 1
        return names

    def fd_count(self):
        return len(os.listdir("/proc/%d/fd" % self.pid))

    def quit(self, timeout=30):
        """Quit and return testpmd's exit status; kill it if it hangs."""
        if self.child.isalive():
            self.child.sendline("quit")
            try:
                self.child.expect(pexpect.EOF, timeout=timeout)
            except pexpect.TIMEOUT:
                self.kill()
                raise TestpmdError("testpmd did not quit within %d s:\n%s"
                                   % (timeout, self.tail())) from None
        self._reap()
        return self.exitstatus

    def kill(self):
        if self.child.isalive():
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    wait_for(lambda: not self.child.isalive(), 5, "testpmd to die")
                    break
                except HarnessError:
                    continue
        self._reap()

    def cleanup(self, graceful=True):
        """Make sure testpmd is gone (quit first if graceful, else kill) and
        remove its EAL files. Raises nothing for a testpmd that misbehaves."""
        if graceful and self.child.isalive():
            try:
                self.quit(timeout=20)
            except (TestpmdError, OSError):
                pass
        self.kill()
        self.remove_files()

    def _reap(self):
        if self.exitstatus is None and not self.child.isalive():
            self.child.close()
            self.exitstatus = (self.child.exitstatus if self.child.exitstatus is not None
                               else 128 + (self.child.signalstatus or 0))
        return self.exitstatus

    def remove_files(self):
        """Remove what EAL leaves on disk under our prefix once testpmd is gone:
        the runtime directory and, without --in-memory, the hugepage files."""
        if self.child.isalive():
            return
        shutil.rmtree(os.path.join("/var/run/dpdk", self.prefix), ignore_errors=True)
        with open("/proc/mounts") as f:
            mounts = [line.split()[1] for line in f if line.split()[2] == "hugetlbfs"]
        for mnt in mounts:
            for name in os.listdir(mnt):
                if name.startswith(self.prefix + "map_"):
                    os.unlink(os.path.join(mnt, name))

    def tail(self, n=60):
        return "\n".join(self.output().split("\n")[-n:])

    def output(self):
        return self.transcript.getvalue().replace("\r", "")
