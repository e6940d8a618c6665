# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""What the integration tests (test/) and the benchmark (devtools/bench/) share.

Commands (run, ip), polling (wait_for), interfaces and namespaces (link_*,
wait_link*, move_to_netns, netns_add/netns_del), DPDK's PMD directory
(pmd_dir), dpdk-testpmd in interactive mode under pexpect (Testpmd), the
tree's interrupt-driven forwarder app/rtap-intr-fwd (IntrFwd) and the CPU
time of a process (cpu_seconds, cpu_ns).

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
import threading
import time

import pexpect

TESTPMD = "/usr/bin/dpdk-testpmd"
PID = os.getpid()
# the forwarder, relative to a build directory of the tree
INTR_FWD = os.path.join("app", "rtap-intr-fwd", "dpdk-rtap-intr-fwd")
CLK_TCK = os.sysconf("SC_CLK_TCK")


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

    def dump(self, what):
        """The output of testpmd's dump_WHAT (mempool, socket_mem, ...), which
        testpmd 25.11 spells "dump WHAT"."""
        out = self.cmd("dump_" + what)
        if "Command not found" in out:
            out = self.cmd("dump " + what)
        return out

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


# ------------------------------------------------------------- traffic and leaks

_FLOOD_SCRIPT = r"""
import signal, socket, sys, time
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
ifname, dst, count, seconds, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    float(sys.argv[4]), int(sys.argv[5])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
s.setblocking(False)
frame = bytes.fromhex(dst.replace(':', '')) + bytes.fromhex('020000000001') + b'\x88\xb5'
frame += bytes(size - len(frame))
end = time.monotonic() + seconds
sent = 0
try:
    while sent < count and time.monotonic() < end:
        for _ in range(min(256, count - sent)):
            try:
                s.send(frame)
                sent += 1
            except (BlockingIOError, OSError):
                # queue full, or the interface went down, away or was deleted
                time.sleep(0.0005)
                break
finally:
    print(sent, flush=True)
"""


class Flood:
    """A bounded flood of frames (EtherType 0x88b5) into interface name from
    the kernel side, at whatever rate the CPU allows, in the background:
    at most count frames and seconds seconds; it ends by itself. Used as a
    context manager, it is waited for (and killed past its bound) on exit."""

    def __init__(self, name, netns, dst, seconds=10, count=50_000_000, size=60):
        cmd = ["/usr/bin/python3", "-c", _FLOOD_SCRIPT, name, dst, str(count), str(seconds),
               str(size)]
        if netns:
            cmd = ["ip", "netns", "exec", netns] + cmd
        self.seconds = seconds
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.sent = None

    def wait(self):
        try:
            out, _ = self.proc.communicate(timeout=self.seconds + 30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        try:
            self.sent = int(out.split()[-1])
        except (ValueError, IndexError):
            self.sent = 0
        return self.sent

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def mempool_in_use(tp):
    """{pool name: mbufs in use} from testpmd's dump_mempool (lcore caches
    count as free)."""
    out = tp.dump("mempool")
    pools = {}
    for m in re.finditer(r"mempool <([^>]+)>@\S+\n(.*?)(?=mempool <|\Z)", out, re.S):
        size = re.search(r"^\s*size=(\d+)", m.group(2), re.M)
        common = re.search(r"common_pool_count=(\d+)", m.group(2))
        cache = re.search(r"total_cache_count=(\d+)", m.group(2))
        if not (size and common):
            raise TestpmdError("cannot read mempool %s:\n%s" % (m.group(1), m.group(2)))
        pools[m.group(1)] = int(size.group(1)) - int(common.group(1)) - (
            int(cache.group(1)) if cache else 0)
    if not pools:
        raise TestpmdError("no mempool in dump_mempool:\n%s" % out)
    return pools


# ------------------------------------------------------------ CPU time

def cpu_seconds(pid):
    """utime + stime of a process, all its threads (/proc/PID/stat), in seconds.

    Tick resolution (1/CLK_TCK s); cpu_ns() is exact.
    """
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def cpu_ns(pid):
    """CPU time of a process's live threads in ns (sum of /proc/PID/task/*/schedstat)."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue    # a thread that just exited
    return total


# ----------------------------------------------------------- forwarder

class IntrFwdError(HarnessError):
    pass


class IntrFwd:
    """dpdk-rtap-intr-fwd (app/rtap-intr-fwd) forwarding between two ports.

    IntrFwd(binary, vdevs, ...) starts it (stdout and stderr merged, read
    line by line by a thread into lines); start() waits until it forwards
    and returns self; wait_line() polls its output for a regex with a
    deadline; modes() tells how each lcore runs (interrupt or poll, and
    why); stop() sends SIGINT and returns the JSON summary it printed at
    exit; cleanup() makes sure it is gone and its EAL files are removed.
    """

    READY = "forwarding port 0 <-> port 1"
    MODE_RE = re.compile(r"^lcore (\d+) queue (\d+): mode=(interrupt|poll)(?: \((.*)\))?$")
    _ids = itertools.count()

    def __init__(self, binary, vdevs, lcores="0", eal_args=(), app_args=(), netns=None,
                 prefix="rtap-fwd", taskset=None, new_session=False):
        if not os.access(binary, os.X_OK):
            raise IntrFwdError("%s missing: build the tree (ninja -C build)" % binary)
        self.prefix = "%s-%d-%d" % (prefix, PID, next(IntrFwd._ids))
        argv = [binary, "-l", lcores, "--file-prefix=" + self.prefix, "--no-pci",
                "--in-memory", "--log-level=lib.eal:warning"]
        argv += ["--vdev=" + v for v in vdevs] + list(eal_args) + ["--"] + list(app_args)
        if taskset is not None:
            argv = ["taskset", "-c", str(taskset)] + argv
        if netns:
            argv = ["ip", "netns", "exec", netns] + argv     # exec in place: same pid
        self.argv = argv
        self.lines = []
        self.exitstatus = None
        self.summary = None
        # new_session: a session of its own, hence (kernel.sched_autogroup_enabled)
        # a scheduling group of its own, whose weight set_group_nice() can raise
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace",
                                     start_new_session=new_session)
        self.pid = self.proc.pid
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self):
        return "\n".join(self.lines)

    def tail(self, n=40):
        return "\n".join(self.lines[-n:])

    def mark(self):
        """A position in the output: wait_line(..., since=mark) looks after it."""
        return len(self.lines)

    def find(self, regex, since=0):
        """The first match of regex in a line printed since mark since, or None."""
        for line in self.lines[since:]:
            m = re.search(regex, line)
            if m:
                return m
        return None

    def wait_line(self, regex, timeout=10, since=0, what=None):
        """Poll the output for a line matching regex; fails when the forwarder exits first."""
        def seen():
            m = self.find(regex, since)
            if m is None and self.proc.poll() is not None:
                self._reader.join(5)
                m = self.find(regex, since)
                if m is None:
                    raise IntrFwdError("forwarder exited (%s) before printing %s:\n%s"
                                       % (self.proc.returncode, what or regex, self.tail()))
            return m
        try:
            return wait_for(seen, timeout, what or repr(regex))
        except IntrFwdError:
            raise
        except HarnessError as e:
            raise IntrFwdError("%s\n%s" % (e, self.tail())) from None

    def start(self, timeout=30):
        """Wait until it forwards and every lcore said how it runs."""
        self.wait_line(re.escape(self.READY), timeout, what="the forwarder to start")
        m = self.find(r"^port 0: .*, (\d+) queue\(s\)")
        for q in range(int(m.group(1)) if m else 1):
            self.wait_line(r"^lcore \d+ queue %d: mode=" % q, timeout,
                           what="the mode of queue %d" % q)
        return self

    def modes(self):
        """[(lcore, queue, 'interrupt'|'poll', why it polls or None)], from the
        first mode line of each lcore."""
        seen = {}
        for line in self.lines:
            m = self.MODE_RE.match(line)
            if m and (m.group(1), m.group(2)) not in seen:
                seen[(m.group(1), m.group(2))] = (int(m.group(1)), int(m.group(2)),
                                                  m.group(3),
                                                  m.group(4) if m.group(3) == "poll" else None)
        return list(seen.values())

    def cpu_seconds(self):
        return cpu_seconds(self.pid)

    def set_group_nice(self, nice):
        """Nice of its autogroup and of each of its threads. With autogroups the
        scheduler shares a core between sessions first, so a thread's own
        nice only counts within its session: started with new_session, the
        forwarder's group is its own."""
        try:
            with open("/proc/%d/autogroup" % self.pid, "w") as f:
                f.write(str(nice))
        except OSError:
            pass        # a kernel without autogroups: the thread nice is what counts
        for tid in os.listdir("/proc/%d/task" % self.pid):
            try:
                os.setpriority(os.PRIO_PROCESS, int(tid), nice)
            except ProcessLookupError:
                pass

    def cpu_ns(self):
        return cpu_ns(self.pid)

    def stop(self, timeout=30, sig=signal.SIGINT):
        """Signal it, wait for its exit and return its summary (dict)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise IntrFwdError("forwarder did not exit within %d s of signal %d:\n%s"
                               % (timeout, sig, self.tail())) from None
        self._reader.join(5)
        self.exitstatus = self.proc.returncode
        m = self.find(r"^summary (\{.*\})$")
        if self.exitstatus != 0 or not m:
            raise IntrFwdError("forwarder exit %s%s:\n%s" % (
                self.exitstatus, "" if m else ", no summary", self.tail()))
        self.summary = json.loads(m.group(1))
        return self.summary

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.exitstatus = self.proc.returncode

    def cleanup(self):
        """Gone, one way or another, and EAL's runtime directory removed."""
        if self.proc.poll() is None:
            try:
                self.stop(timeout=15)
            except HarnessError:
                pass
        self.kill()
        self._reader.join(5)
        shutil.rmtree(os.path.join("/var/run/dpdk", self.prefix), ignore_errors=True)
