# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Open vSwitch with DPDK (Debian's openvswitch-switch-dpdk) as a real client
of net_rtap: two net_rtap ports on a netdev bridge, each kernel interface in
its own namespace, OVS's defaults but for the hugepage limits and --no-pci.

    ns1: A 10.250.0.1/24 <-> p0 [ OVS bridge, datapath_type=netdev ] p1 <-> B 10.250.0.2/24 :ns2

OVS is started by hand (devtools/pylib/rtap_ovs.py): private run and db
directory, ovs-vswitchd in a namespace of its own, stopped and its files
removed whatever happens. It runs this tree's plugin (-d in dpdk-extra, as
test_regress.py does), which EAL prefers to an installed one.

OVS's own port defaults (one rx queue, a tx queue per thread that sends:
two here) and the kernel's (tx checksumming on: partial checksums reach the
other port) need no workaround since the driver's queue counts and receive
checksum semantics followed what applications expect.
"""

import os
import re
import subprocess

import pytest

from conftest import PMD, iperf3, ip, link_info, ping, run, unique, wait_for
from rtap_harness import configure, link_names, wait_link, wait_link_gone
import rtap_ovs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("RTAP_BUILD_DIR", "build"))
PLUGIN = os.path.join(BUILD, "drivers", "net", "rtap", "librte_net_rtap.so")

pytestmark = [
    pytest.mark.skipif(PMD != "net_rtap", reason="Open vSwitch with net_rtap ports"),
    pytest.mark.skipif(rtap_ovs.missing() is not None, reason=str(rtap_ovs.missing())),
]



@pytest.fixture(scope="module", autouse=True)
def _built():
    assert os.path.exists(PLUGIN), "%s missing: build the tree first (ninja -C build)" % PLUGIN


@pytest.fixture
def ovs(netns, ifname):
    """Factory: ovs(**other_config) starts OVS in a namespace of its own; stopped,
    and its log tail printed (pytest shows it for a failing test), at teardown."""
    instances = []

    def start(**other_config):
        o = rtap_ovs.Ovs(netns(), other_config=other_config, extra_eal=["-d", PLUGIN])
        instances.append(o)
        return o.start()

    yield start
    for o in instances:
        o.stop()
        print("==== ovs-vswitchd.log of %s (tail)\n%s" % (o.netns, o.tail(60)))


class OvsPair:
    """Two net_rtap ports on bridge br, their interfaces a (ns1) and b (ns2)."""

    ip1, ip2 = "10.250.0.1", "10.250.0.2"

    def __init__(self, ovs, netns, ifname, **columns):
        self.ovs = ovs
        self.ns1, self.ns2 = netns(), netns()
        self.br = ifname("br")
        self.a, self.b = ifname("a"), ifname("b")
        self.columns = columns
        ovs.add_bridge(self.br)
        self.errors = [self.add("p0", self.a, self.ns1, self.ip1),
                       self.add("p1", self.b, self.ns2, self.ip2)]

    def netns_of(self, port):
        return self.ns1 if port == "p0" else self.ns2

    def add(self, port, name, ns, addr, **columns):
        """add-port; then the interface moves from OVS's namespace to ns.
        Returns the port's error ("" when it works)."""
        cols = dict(self.columns)
        cols.update(columns)
        self.ovs.add_dpdk_port(self.br, port, "%s%s,iface=%s" % (PMD, unique(), name), **cols)
        err = self.ovs.wait_port(port)
        if not err:
            wait_link(name, self.ovs.netns)
            ip("link", "set", "dev", name, "netns", ns, netns=self.ovs.netns)
            wait_link(name, ns)
            configure(name, ns, addr + "/24")
        return err


def tcp_works(p, seconds=2):
    """(True, iperf3's result) when TCP gets through, else (False, why)."""
    try:
        end = iperf3(p, seconds=seconds)
    except (AssertionError, subprocess.SubprocessError) as e:
        return False, str(e)
    return end["sum_received"]["bytes"] > 0, end


@pytest.fixture
def pair(ovs, netns, ifname):
    """OVS with two ports, ping checked."""
    o = ovs()
    p = OvsPair(o, netns, ifname)
    assert not any(p.errors), "ports failed: %s\n%s" % (p.errors, o.tail())
    loss, out = ping(p.ns1, p.ip2, count=3)
    assert loss == 0, out + o.tail()
    return p


def test_ovs_ping_and_tcp(pair):
    """OVS's and the kernel's defaults: ping both ways, TCP both ways."""
    p = pair
    loss, out = ping(p.ns2, p.ip1)
    assert loss == 0, out
    for reverse in (False, True):
        end = iperf3(p, reverse)
        received = end["sum_received"]
        print("through OVS, %s: %.2f Gbit/s" % ("ns2 -> ns1" if reverse else "ns1 -> ns2",
                                               received["bits_per_second"] / 1e9))
        assert received["bytes"] > 0 and received["seconds"] >= 2.5, end
    # what OVS counted on its ports is what went through
    for port in ("p0", "p1"):
        stats = dict(re.findall(r'(\w+)=(\d+)', p.ovs.iface(port, "statistics")))
        assert int(stats["rx_packets"]) > 1000 and int(stats["tx_packets"]) > 1000, stats
        assert int(stats.get("rx_errors", 0)) == 0 and int(stats.get("tx_errors", 0)) == 0, \
            stats


def test_ovs_mtu_request(ovs, netns, ifname):
    """mtu_request reaches the kernel interface, at add-port and later.

    The ports start at 9000: OVS makes one mempool per MTU, and under
    dpdk-socket-limit=256 a 1500 one leaves no room for a 9000 one (the
    way down has room)."""
    o = ovs()
    p = OvsPair(o, netns, ifname, mtu_request=9000)
    assert not any(p.errors), "ports failed: %s\n%s" % (p.errors, o.tail())
    sides = (("p0", p.a, p.ns1), ("p1", p.b, p.ns2))

    def mtu_is(mtu):
        for port, name, ns in sides:
            wait_for(lambda: o.iface(port, "mtu") == str(mtu), 10,
                     "OVS %s mtu %d" % (port, mtu))
            wait_for(lambda: (link_info(name, ns) or {}).get("mtu") == mtu, 10,
                     "%s's mtu %d in the kernel" % (name, mtu))

    mtu_is(9000)
    # jumbo frames both ways, not fragmented
    res = run(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-M", "do", "-s", "8900",
               p.ip2], netns=p.ns1, check=False, timeout=30)
    assert " 0% packet loss" in res.stdout, res.stdout + res.stderr + o.tail()
    for port, _, _ in sides:
        o.vsctl("set", "Interface", port, "mtu_request=1500")
    mtu_is(1500)
    loss, out = ping(p.ns1, p.ip2, count=3)
    assert loss == 0, out + o.tail()


def test_ovs_port_del_add(pair):
    """del-port/add-port again and again: each del removes the interface, and
    OVS's file descriptors and threads do not grow with the cycles (a leak of
    one per cycle would), traffic works after."""
    p = pair
    pid = p.ovs.pid()
    counts = []    # (fds, threads) of ovs-vswitchd after each cycle
    for i in range(10):
        p.ovs.del_port(p.br, "p0")
        wait_link_gone(p.a, p.ns1)
        err = p.add("p0", p.a, p.ns1, p.ip1)
        assert not err, "add %d: %s\n%s" % (i, err, p.ovs.tail())
        counts.append((len(os.listdir("/proc/%d/fd" % pid)),
                       len(os.listdir("/proc/%d/task" % pid))))
    # the first cycles let OVS make what it makes lazily (one fd more, once, seen
    # with OVS 3.5); over the seven after them nothing may grow by more than one
    fds = [c[0] for c in counts]
    threads = [c[1] for c in counts]
    assert max(fds[3:]) - fds[2] <= 1, "ovs-vswitchd's fds after each cycle: %s" % fds
    assert max(threads[3:]) - threads[2] <= 1, "ovs-vswitchd's threads: %s" % threads
    # nothing of the old ports is left in OVS's namespace: its datapath and bridge only
    left = set(link_names(p.ovs.netns)) - {"lo", "ovs-netdev", p.br}
    assert not left, "left in OVS's namespace: %s" % left
    loss, out = ping(p.ns1, p.ip2)
    assert loss == 0, out + p.ovs.tail()
    assert tcp_works(p)[0]


def test_ovs_userspace_tso(ovs, netns, ifname):
    """other_config:userspace-tso-enable=true: TCP still goes through."""
    o = ovs(**{"userspace-tso-enable": "true"})
    p = OvsPair(o, netns, ifname)
    assert not any(p.errors), "ports failed: %s\n%s" % (p.errors, o.tail())
    loss, out = ping(p.ns1, p.ip2, count=3)
    assert loss == 0, out + o.tail()
    end = iperf3(p)
    print("through OVS with userspace TSO: %.2f Gbit/s"
          % (end["sum_received"]["bits_per_second"] / 1e9))
    assert end["sum_received"]["bytes"] > 0, end


def test_ovs_lsc_interrupt(ovs, netns, ifname):
    """options:dpdk-lsc-interrupt=true: the port comes up and OVS sees the
    kernel side's link go down and up."""
    o = ovs()
    p = OvsPair(o, netns, ifname, **{"options:dpdk-lsc-interrupt": "true"})
    assert not any(p.errors), "ports failed: %s\n%s" % (p.errors, o.tail())
    wait_for(lambda: o.iface("p0", "link_state") == "up", 10, "p0 link up")
    ip("link", "set", "dev", p.a, "down", netns=p.ns1)
    wait_for(lambda: o.iface("p0", "link_state") == "down", 10, "p0 link down in OVS")
    ip("link", "set", "dev", p.a, "up", netns=p.ns1)
    wait_for(lambda: o.iface("p0", "link_state") == "up", 10, "p0 link up again in OVS")
    # a speed OVS can show (a virtual port's conventional 10G), not "Not Defined"
    wait_for(lambda: o.iface("p0", "link_speed") not in (None, "", "[]"), 10,
             "p0's link_speed")
    assert o.iface("p0", "link_speed") == "10000000000", o.iface("p0", "link_speed")
