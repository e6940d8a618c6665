# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Fault injection through Debian's dpdk-testpmd: what deployments do to a
port's interface while traffic flows at full rate in both directions.

Each fault test runs two ports in io forwarding (conftest.FwdPair), floods
frames into both interfaces from their namespaces (rtap_harness.Flood,
bounded), injects the fault, and then asserts that testpmd survived, that
the port works again once the fault is undone (or, for a deleted
interface, stops and closes cleanly), and that nothing leaked: with every
port stopped, no mbuf is in use and testpmd has the fds it had before.

Also: the application killed with SIGKILL mid-traffic (the interface goes
with it unless persistent; a persistent one is re-attached), and a second
process asking for an interface another process uses (it attaches: the
guide's "Limits" section documents it).

They run this tree's build of the driver (-d, as test_regress.py does).
"""

import os
import re
import signal

import pytest

from conftest import PMD, ip, link_info, ping, vdev, wait_for, wait_link
from conftest import wait_link_gone
from rtap_harness import Flood, mempool_in_use
from test_regress import check_plugin, eal_plugin, kernel_counter

pytestmark = pytest.mark.skipif(PMD != "net_rtap", reason="fault injection of net_rtap")

FAULTS = ("delete", "rename", "netns", "down", "mtu", "txqueuelen")
# the port's own fds (keep-alive TAP fd, rtnetlink socket) and one queue pair's (TAP fd,
# two io_uring fds): the guide's Limits section
PORT_FDS, PAIR_FDS = 2, 3
FAILURE = re.compile(r"fail|error|invalid|not stopped|please", re.I)


def _stopped(tp):
    """Forwarding and every port stopped: (mbufs in use per pool, fd count)."""
    tp.stop_forwarding()
    out = tp.cmd("port stop all")
    assert not FAILURE.search(out), out
    return mempool_in_use(tp), tp.fd_count()


def _resume(tp):
    out = tp.cmd("port start all")
    assert not FAILURE.search(out), out
    tp.start_forwarding()


def _flowing(p, where):
    """Frames flood both ways through testpmd: each kernel side's rx count grows."""
    name_a, ns_a = where
    a0, b0 = kernel_counter(name_a, ns_a, "rx"), kernel_counter(p.b, p.ns2, "rx")
    wait_for(lambda: kernel_counter(name_a, ns_a, "rx") > a0 + 1000 and
             kernel_counter(p.b, p.ns2, "rx") > b0 + 1000, 20, "traffic both ways")


def _inject(p, fault, netns, ifname):
    """Do @fault to port 0's interface; returns where it is now (name, netns) and
    what undoing it needs."""
    a, ns = p.a, p.ns1
    if fault == "delete":
        ip("link", "del", "dev", a, netns=ns)
        return (None, None), None
    if fault == "rename":
        new = ifname("r")
        # the kernel renames only a down interface (a TAP is never live-renamable)
        ip("link", "set", "dev", a, "down", netns=ns)
        ip("link", "set", "dev", a, "name", new, netns=ns)
        ip("link", "set", "dev", new, "up", netns=ns)
        return (new, ns), None
    if fault == "netns":
        ns3 = netns()
        ip("link", "set", "dev", a, "netns", ns3, netns=ns)
        wait_link(a, ns3)
        return (a, ns3), None
    if fault == "down":
        ip("link", "set", "dev", a, "down", netns=ns)
        return (a, ns), None
    if fault == "mtu":
        # larger than the port's buffers: such frames are dropped and counted, never cut
        ip("link", "set", "dev", a, "mtu", "9000", netns=ns)
        ping(ns, p.ip2, count=3, interval="0.2", wait=1)  # 4 KiB echo requests
        ip("link", "set", "dev", a, "mtu", "1400", netns=ns)
        return (a, ns), None
    if fault == "txqueuelen":
        old = link_info(a, ns)["txqlen"]
        ip("link", "set", "dev", a, "txqueuelen", "1", netns=ns)
        return (a, ns), old
    raise AssertionError(fault)


def _undo(p, fault, where, state):
    name, ns = where
    if fault == "netns":
        ip("addr", "add", p.ip1 + "/24", "dev", name, netns=ns)
        ip("link", "set", "dev", name, "up", netns=ns)
        mac_b = link_info(p.b, p.ns2)["address"]
        ip("neigh", "replace", p.ip2, "lladdr", mac_b, "dev", name, "nud", "permanent",
           netns=ns)
    elif fault == "down":
        ip("link", "set", "dev", name, "up", netns=ns)
    elif fault == "mtu":
        ip("link", "set", "dev", name, "mtu", "1500", netns=ns)
    elif fault == "txqueuelen":
        ip("link", "set", "dev", name, "txqueuelen", str(state), netns=ns)
    wait_for(lambda: "UP" in (link_info(name, ns) or {}).get("flags", []), 10, "%s up" % name)


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_under_traffic(make_fwd_pair, netns, ifname, fault):
    p = make_fwd_pair(static_neigh=True, eal_args=eal_plugin(),
                      app_args=["--no-rmv-interrupt"] if fault == "delete" else [])
    check_plugin(p.tp)
    loss, out = ping(p.ns1, p.ip2, count=3)
    assert loss == 0, out
    mbufs0, fds0 = _stopped(p.tp)
    assert set(mbufs0.values()) == {0}, "mbufs in use with every port stopped: %s" % mbufs0
    _resume(p.tp)

    mac_a, mac_b = link_info(p.a, p.ns1)["address"], link_info(p.b, p.ns2)["address"]
    with Flood(p.a, p.ns1, mac_b, seconds=8), Flood(p.b, p.ns2, mac_a, seconds=8):
        _flowing(p, (p.a, p.ns1))
        where, state = _inject(p, fault, netns, ifname)
        # the other direction goes on with the fault in place: port 1 receives,
        # port 0 transmits (or drops and counts)
        rx1 = p.tp.stats(1)["RX-packets"]
        wait_for(lambda: p.tp.stats(1)["RX-packets"] > rx1 + 1000, 20,
                 "port 1 to go on receiving after the fault")
        assert p.tp.child.isalive(), p.tp.tail()
    assert p.tp.child.isalive(), "testpmd died:\n%s" % p.tp.tail()

    if fault == "delete":
        # fails cleanly: the port stops and closes, its fds go, port 1 is untouched.
        # (--no-rmv-interrupt: testpmd's own removal handling, a callback that stops,
        # detaches and restarts forwarding on an alarm, races with its command line.)
        p.tp.stop_forwarding()
        for command, expect in (("port stop 0", None), ("port close 0", "Port 0 is closed")):
            out = p.tp.cmd(command)
            assert not FAILURE.search(out) and (expect is None or expect in out), (command, out)
        out = p.tp.cmd("port stop 1")
        assert not FAILURE.search(out), out
        assert set(mempool_in_use(p.tp).values()) == {0}, mempool_in_use(p.tp)
        assert p.tp.fd_count() == fds0 - PORT_FDS - PAIR_FDS, (fds0, p.tp.fd_count())
        assert p.tp.quit() == 0, p.tp.tail()
        return

    _undo(p, fault, where, state)
    loss, out = ping(where[1], p.ip2, count=5)
    assert loss == 0, "after %s: %s" % (fault, out)
    mbufs, fds = _stopped(p.tp)
    assert set(mbufs.values()) == {0}, "after %s: mbufs in use %s" % (fault, mbufs)
    assert fds == fds0, "after %s: %d fds, %d before" % (fault, fds, fds0)
    # and the port restarts where the interface is now
    _resume(p.tp)
    loss, out = ping(where[1], p.ip2, count=3)
    assert loss == 0, "after %s and a restart: %s" % (fault, out)
    assert p.tp.quit() == 0, p.tp.tail()


def _echo_port(testpmd, ns, name, persist):
    """testpmd in @ns with one port on @name, io forwarding back out of it."""
    devargs = {"iface": name}
    if persist:
        devargs["persist"] = 1
    tp = testpmd(vdevs=[vdev(0, **devargs)], netns=ns,
                 eal_args=eal_plugin() + ["--log-level=pmd.net.rtap:info"])
    check_plugin(tp)
    wait_link(name, ns)
    ip("link", "set", "dev", name, "up", netns=ns)
    tp.start_forwarding()
    return tp


def _echoes(name, ns, mac):
    """A flood into @name comes back out of the port (the kernel side receives it)."""
    with Flood(name, ns, mac, seconds=20):
        rx0 = kernel_counter(name, ns, "rx")
        wait_for(lambda: kernel_counter(name, ns, "rx") > rx0 + 1000, 20, "echoed frames")


@pytest.mark.parametrize("persist", (False, True), ids=("plain", "persist"))
def test_sigkill_mid_traffic(testpmd, netns, ifname, persist):
    ns, name = netns(), ifname("k")
    tp = _echo_port(testpmd, ns, name, persist)
    ifindex, mac = link_info(name, ns)["ifindex"], link_info(name, ns)["address"]
    with Flood(name, ns, mac, seconds=20):
        rx0 = kernel_counter(name, ns, "rx")
        wait_for(lambda: kernel_counter(name, ns, "rx") > rx0 + 1000, 20, "echoed frames")
        os.kill(tp.pid, signal.SIGKILL)
        wait_for(lambda: not tp.child.isalive(), 10, "testpmd to die")
    tp.cleanup(graceful=False)
    if not persist:
        # the kernel deletes a non-persistent TAP with the last fd: nothing stays
        wait_link_gone(name, ns, timeout=10)
        assert not [n for n in os.listdir("/sys/class/net") if n == name]
        return
    info = link_info(name, ns)
    assert info and info["ifindex"] == ifindex, "persistent %s gone after SIGKILL" % name
    tp = _echo_port(testpmd, ns, name, persist)
    assert link_info(name, ns)["ifindex"] == ifindex
    _echoes(name, ns, mac)
    assert tp.quit() == 0, tp.tail()
    assert link_info(name, ns)["ifindex"] == ifindex
    ip("link", "del", "dev", name, netns=ns)
    wait_link_gone(name, ns)


def test_second_process_same_iface(testpmd, netns, ifname):
    """A second process naming an interface another uses attaches to it: one
    interface, queues of both processes on it, its settings shared. The
    second's port stop pulls the carrier for both (the guide says so): the
    first works again once its port restarts. The interface, created by the
    first and not persistent, goes with the last process."""
    ns, name = netns(), ifname("d")
    tp1 = _echo_port(testpmd, ns, name, False)
    ifindex, mac = link_info(name, ns)["ifindex"], link_info(name, ns)["address"]
    tp2 = _echo_port(testpmd, ns, name, False)
    assert "existing interface" in tp2.startup or "existing interface" in tp2.output(), \
        tp2.tail()
    assert link_info(name, ns)["ifindex"] == ifindex
    assert mac.upper() in tp2.cmd("show port info 0").upper()
    _echoes(name, ns, mac)
    assert tp2.quit() == 0, tp2.tail()
    assert link_info(name, ns)["ifindex"] == ifindex, "the second process took the interface"
    assert "LOWER_UP" not in link_info(name, ns)["flags"], "carrier kept after a port stop"
    tp1.stop_forwarding()
    for command in ("port stop 0", "port start 0"):
        out = tp1.cmd(command)
        assert not FAILURE.search(out), (command, out)
    tp1.start_forwarding()
    _echoes(name, ns, mac)
    assert tp1.quit() == 0, tp1.tail()
    wait_link_gone(name, ns, timeout=10)


def test_ulimit_too_low(testpmd, ifname):
    """testpmd with 16 queue pairs under `ulimit -Hn` 48 (EAL raises the soft limit
    to the hard one): the port's configure says which limit and how many fds, and
    nothing is left; at the limit it names, the port starts."""
    name = ifname("u")
    # few descriptors: queue memory fits the heap EAL has (new pages would take fds too)
    app = ["--rxq=16", "--txq=16", "--rxd=32", "--txd=32"]
    tp = testpmd(vdevs=[vdev(0, iface=name)], eal_args=eal_plugin(), app_args=app,
                 wrapper=["prlimit", "--nofile=48", "--"], start=False)
    started = tp.wait_prompt()
    out = tp.output()
    m = re.search(r"16 rx and 16 tx queues need 48 fds .* RLIMIT_NOFILE is 48: "
                  r"raise it to at least (\d+)", out)
    assert m, out[-3000:]
    if started:
        tp.cleanup(graceful=True)
    wait_link_gone(name, timeout=10)
    limit = int(m.group(1))
    tp = testpmd(vdevs=[vdev(0, iface=name)], eal_args=eal_plugin(), app_args=app,
                 wrapper=["prlimit", "--nofile=%d" % limit, "--"])
    check_plugin(tp)
    assert "need 48 fds" not in tp.output(), tp.tail()
    out = tp.cmd("show port info 0")
    assert "Link status: up" in out and "Current number of RX queues: 16" in out, out
    assert tp.quit() == 0, tp.tail()
