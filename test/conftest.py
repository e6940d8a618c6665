# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Fixtures for the net_rtap integration tests.

The tests drive Debian's dpdk-testpmd (interactive, through pexpect) with
net_rtap ports and look at the kernel side of each port from network
namespaces the tests create themselves. Every name (interface, namespace,
EAL file prefix) carries this process's pid, and every kernel object is
removed by a finalizer, so a failing test leaves nothing behind.

Environment:
  RTAP_TEST_PMD      driver under test (default net_rtap; net_tap is handy to
                     check the fixtures themselves)
  RTAP_TEST_PMD_DIR  DPDK's PMD directory (default: Debian's)
"""

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
import pytest

TESTPMD = "/usr/bin/dpdk-testpmd"
PMD = os.environ.get("RTAP_TEST_PMD", "net_rtap")
PMD_DIR = os.environ.get("RTAP_TEST_PMD_DIR", "/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0")
PMD_SO = os.path.join(PMD_DIR, "librte_%s.so" % PMD)

PID = os.getpid()
IFPREFIX = "rt%d" % (PID % 100000)
NSPREFIX = "rtns-%d-" % PID

_ids = itertools.count()


def unique(tag=""):
    """A name part no other test of this run uses (names also carry the pid)."""
    return "%s%d" % (tag, next(_ids))


class CommandError(AssertionError):
    pass


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
    cmd = ["ip"]
    if netns:
        cmd += ["-n", netns]
    return run(cmd + list(args), check=check)


def wait_for(predicate, timeout, what, interval=0.02):
    """Poll predicate() until it returns a true value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def link_info(name, netns=None, stats=False):
    """The interface as `ip -j -d link show` describes it, or None."""
    args = ["-j", "-d"] + (["-s"] if stats else []) + ["link", "show", "dev", name]
    res = ip(*args, netns=netns, check=False)
    if res.returncode != 0:
        return None
    links = json.loads(res.stdout)
    return links[0] if links else None


def link_names(netns=None):
    return [link["ifname"] for link in json.loads(ip("-j", "link", "show", netns=netns).stdout)]


def wait_link(name, netns=None, timeout=10):
    return wait_for(lambda: link_info(name, netns), timeout,
                    "interface %s%s" % (name, " in " + netns if netns else ""))


def wait_link_gone(name, netns=None, timeout=10):
    wait_for(lambda: link_info(name, netns) is None, timeout,
             "interface %s%s to disappear" % (name, " in " + netns if netns else ""))


def addresses(name, netns=None):
    """IPv4 addresses of an interface as 'a.b.c.d/len' strings."""
    res = ip("-j", "-4", "addr", "show", "dev", name, netns=netns)
    out = []
    for link in json.loads(res.stdout):
        for a in link.get("addr_info", []):
            out.append("%s/%d" % (a["local"], a["prefixlen"]))
    return out


def move_to_netns(name, netns, addr=None, up=True):
    """Move an interface into a namespace, address it and bring it up there."""
    wait_link(name)
    ip("link", "set", "dev", name, "netns", netns)
    wait_link(name, netns)
    configure(name, netns, addr, up)


def configure(name, netns, addr=None, up=True):
    if addr:
        ip("addr", "add", addr, "dev", name, netns=netns)
    if up:
        ip("link", "set", "dev", name, "up", netns=netns)
        wait_for(lambda: "UP" in (link_info(name, netns) or {}).get("flags", []), 5,
                 "%s to be up" % name)


def ping(netns, dst, count=5, interval="0.2", wait=2):
    """Ping from a namespace; returns (loss percent, output)."""
    assert shutil.which("ping"), "ping missing: devtools/setup.sh installs iputils-ping"
    res = run(["ping", "-n", "-c", str(count), "-i", interval, "-W", str(wait), dst],
              netns=netns, check=False, timeout=count * (wait + 1) + 10)
    m = re.search(r"([\d.]+)% packet loss", res.stdout)
    loss = float(m.group(1)) if m else 100.0
    return loss, res.stdout + res.stderr


class TestpmdError(AssertionError):
    pass


class Testpmd:
    """dpdk-testpmd in interactive mode under pexpect."""

    PROMPT = "testpmd> "

    def __init__(self, vdevs=(), netns=None, eal_args=(), app_args=(), forward_mode="io",
                 timeout=60, mbufs=16384, in_memory=True):
        self.prefix = "rtap-test-%d-%s" % (PID, unique())
        argv = [TESTPMD, "-l", "0-1", "--file-prefix=" + self.prefix, "--no-pci"]
        if in_memory:
            argv.append("--in-memory")
        # else: shared files, so that secondary processes can attach
        argv += ["--vdev=" + v for v in vdevs]
        argv += list(eal_args)
        argv += ["--", "-i", "--forward-mode=" + forward_mode,
                 "--total-num-mbufs=%d" % mbufs]
        argv += list(app_args)
        if netns:
            # ip execs the command in place: the pid stays testpmd's
            argv = ["ip", "netns", "exec", netns] + argv
        self.argv = argv
        self.netns = netns
        self.transcript = io.StringIO()
        self.timeout = timeout
        self.exitstatus = None
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
            raise TestpmdError("testpmd exited (status %s) before its prompt:\n%s"
                               % (self.exitstatus, self.tail()))
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
        """`show port stats N` as a dict: RX-packets, RX-bytes, TX-errors, ..."""
        out = self.cmd("show port stats %d" % port)
        if "NIC statistics for port %d" % port not in out:
            raise TestpmdError("no stats for port %d:\n%s" % (port, out))
        return {k: int(v) for k, v in re.findall(r"([RT]X-[a-z]+):\s+(\d+)", out)}

    def xstats(self, port):
        """`show port xstats N` as a dict name -> value."""
        out = self.cmd("show port xstats %d" % port)
        if "NIC extended statistics for port %d" % port not in out:
            raise TestpmdError("no xstats for port %d:\n%s" % (port, out))
        return {k: int(v) for k, v in re.findall(r"^\s*(\w+):\s+(\d+)\s*$", out, re.M)}

    def stop_forwarding(self):
        """`stop`; returns its forward statistics per port (counted since `start`)."""
        out = self.cmd("stop")
        fwd = {}
        for port, block in re.findall(r"Forward statistics for port (\d+)\s+-+\n(.*?)\n\s*-{20,}",
                                      out, re.S):
            fwd[int(port)] = {k: int(v) for k, v in re.findall(r"([RT]X-[a-z]+):\s+(\d+)", block)}
        if not fwd:
            raise TestpmdError("no forward statistics in:\n%s" % out)
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
                except AssertionError:
                    continue
        self._reap()

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
        return "\n".join(self.transcript.getvalue().replace("\r", "").split("\n")[-n:])

    def output(self):
        return self.transcript.getvalue().replace("\r", "")


@pytest.fixture(scope="session", autouse=True)
def _session_checks_and_cleanup():
    if os.geteuid() != 0:
        pytest.skip("the integration tests need root (namespaces, TAP devices, hugepages)")
    assert os.access(TESTPMD, os.X_OK), "%s missing: run devtools/setup.sh" % TESTPMD
    yield
    # last resort: whatever a test could not remove
    for name in os.listdir("/run/netns") if os.path.isdir("/run/netns") else []:
        if name.startswith(NSPREFIX):
            ip("netns", "del", name, check=False)
    for name in link_names():
        if re.fullmatch(IFPREFIX + r"[a-z]+\d+", name):
            ip("link", "del", "dev", name, check=False)


@pytest.fixture
def netns(request):
    """Factory: netns() creates a namespace (lo up, IPv6 off), deleted at teardown."""
    created = []

    def make():
        name = NSPREFIX + unique()
        ip("netns", "add", name)
        created.append(name)
        ip("link", "set", "dev", "lo", "up", netns=name)
        # keep the traffic the tests count to what they send themselves
        run(["sh", "-c", "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 &&"
             " echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6"], netns=name)
        return name

    make.created = created
    yield make
    for name in reversed(created):
        ip("netns", "del", name, check=False)
    for name in created:
        wait_for(lambda: not os.path.exists("/run/netns/" + name), 10, "netns %s gone" % name)


@pytest.fixture
def ifname(netns):
    """Factory: ifname(tag) gives a fresh interface name, "rt<pid><tag><n>".

    At teardown (after testpmd is gone) any interface of that name still
    present in the root namespace or a test namespace is deleted.
    """
    given = []

    def make(tag="i"):
        name = IFPREFIX + unique(tag)
        assert len(name) < 15
        given.append(name)
        return name

    yield make
    for name in given:
        for ns in [None] + netns.created:
            if link_info(name, ns):
                ip("link", "del", "dev", name, netns=ns, check=False)


@pytest.fixture
def testpmd(request, netns, ifname):
    """Factory: testpmd(vdevs=[...], netns=None, ...) starts an interactive testpmd.

    Instances still running at teardown are killed; their transcript is
    printed (pytest shows it for failing tests).
    """
    instances = []

    def spawn(*args, start=True, **kwargs):
        tp = Testpmd(*args, **kwargs)
        instances.append(tp)
        if start:
            tp.start()
        return tp

    yield spawn
    for tp in instances:
        if tp.child.isalive():
            tp.kill()
        tp.remove_files()
        print("==== %s (exit %s)\n%s" % (" ".join(tp.argv), tp.exitstatus, tp.output()))


def vdev(index, **devargs):
    """'net_rtapN,key=value,...' for the driver under test."""
    parts = ["%s%d" % (PMD, index)]
    for k, v in devargs.items():
        parts.append(k if v is None else "%s=%s" % (k, v))
    return ",".join(parts)


class FwdPair:
    """Two ports in io forwarding, each kernel side in its own namespace.

    ns1: A 10.250.0.1/24 <-> port 0 <testpmd io> port 1 <-> B 10.250.0.2/24 :ns2
    """

    ip1, ip2 = "10.250.0.1", "10.250.0.2"

    def __init__(self, testpmd, netns, ifname, queues=1, app_args=(), static_neigh=False,
                 pre_start=(), **testpmd_args):
        self.ns1, self.ns2 = netns(), netns()
        self.a, self.b = ifname("a"), ifname("b")
        app_args = list(app_args)
        if queues > 1:
            app_args += ["--rxq=%d" % queues, "--txq=%d" % queues]
        self.tp = testpmd(vdevs=[vdev(0, iface=self.a), vdev(1, iface=self.b)],
                          app_args=app_args, **testpmd_args)
        # testpmd commands (e.g. port stop/csum set/port start) before the kernel sides
        # are configured
        for command in pre_start:
            out = self.tp.cmd(command)
            assert not re.search(r"error|fail|invalid|bad arguments", out, re.I), (command, out)
        move_to_netns(self.a, self.ns1, self.ip1 + "/24")
        move_to_netns(self.b, self.ns2, self.ip2 + "/24")
        if static_neigh:
            # no ARP: traffic resumes at once after a port restart
            for name, ns, peer, peer_ip in ((self.a, self.ns1, self.b, self.ip2),
                                            (self.b, self.ns2, self.a, self.ip1)):
                mac = link_info(peer, self.ns2 if peer == self.b else self.ns1)["address"]
                ip("neigh", "replace", peer_ip, "lladdr", mac, "dev", name, "nud", "permanent",
                   netns=ns)
        out = self.tp.cmd("start")
        mode = testpmd_args.get("forward_mode", "io")
        assert "%s packet forwarding" % mode in out, out


@pytest.fixture
def make_fwd_pair(testpmd, netns, ifname):
    """Factory: make_fwd_pair(queues=N, static_neigh=bool, pre_start=[testpmd commands],
    **testpmd args) sets up a FwdPair."""
    return lambda queues=1, **kw: FwdPair(testpmd, netns, ifname, queues, **kw)


@pytest.fixture
def fwd_pair(make_fwd_pair):
    return make_fwd_pair()


IPERF_PORT = 5201


def iperf3(p, reverse=False, extra=(), seconds=3):
    """iperf3 from p.ns1 to a one-off server on p.ip2 in p.ns2; returns the JSON 'end'."""
    server = subprocess.Popen(
        ["ip", "netns", "exec", p.ns2, "iperf3", "-s", "-1", "-B", p.ip2, "-p", str(IPERF_PORT)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: run(["ss", "-Hltn", "sport = :%d" % IPERF_PORT],
                             netns=p.ns2).stdout.strip(), 10, "iperf3 server to listen")
        cmd = ["iperf3", "-c", p.ip2, "-p", str(IPERF_PORT), "-t", str(seconds), "-J",
               "--connect-timeout", "5000"] + (["-R"] if reverse else []) + list(extra)
        res = run(cmd, netns=p.ns1, check=False, timeout=60)
        server.wait(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    try:
        result = json.loads(res.stdout)
    except ValueError:
        raise AssertionError("iperf3 exit %d, no JSON:\n%s%s"
                             % (res.returncode, res.stdout, res.stderr)) from None
    assert res.returncode == 0 and "error" not in result, res.stdout[-2000:] + res.stderr
    return result["end"]
