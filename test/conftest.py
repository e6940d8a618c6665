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
  RTAP_TEST_PMD_DIR  DPDK's PMD directory (default: RTE_EAL_PMD_PATH of the
                     installed DPDK, see pmd_dir() in devtools/pylib/rtap_harness.py)

run(), ip(), wait_for(), the link helpers and the Testpmd class come from
devtools/pylib/rtap_harness.py, which the benchmark uses too.
"""

import itertools
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "devtools",
                                "pylib"))
from rtap_harness import (TESTPMD, Testpmd, TestpmdError, addresses,  # noqa: E402,F401
                          configure, ip, link_info, link_names, move_to_netns, netns_add,
                          netns_del, pmd_dir, run, wait_for, wait_link, wait_link_gone)

PMD = os.environ.get("RTAP_TEST_PMD", "net_rtap")
PMD_DIR = os.environ.get("RTAP_TEST_PMD_DIR") or pmd_dir()
PMD_SO = os.path.join(PMD_DIR, "librte_%s.so" % PMD)

PID = os.getpid()
IFPREFIX = "rt%d" % (PID % 100000)
NSPREFIX = "rtns-%d-" % PID

_ids = itertools.count()


def unique(tag=""):
    """A name part no other test of this run uses (names also carry the pid)."""
    return "%s%d" % (tag, next(_ids))


def ping(netns, dst, count=5, interval="0.2", wait=2):
    """Ping from a namespace; returns (loss percent, output)."""
    assert shutil.which("ping"), "ping missing: devtools/setup.sh installs iputils-ping"
    res = run(["ping", "-n", "-c", str(count), "-i", interval, "-W", str(wait), dst],
              netns=netns, check=False, timeout=count * (wait + 1) + 10)
    m = re.search(r"([\d.]+)% packet loss", res.stdout)
    loss = float(m.group(1)) if m else 100.0
    return loss, res.stdout + res.stderr


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
        # IPv6 off: the traffic the tests count is what they send themselves
        return netns_add(NSPREFIX + unique(), created)

    make.created = created
    yield make
    netns_del(reversed(created))


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
        tp.cleanup(graceful=False)
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
