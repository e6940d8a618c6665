# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Regression tests, through Debian's dpdk-testpmd and dpdk-proc-info, for
defects a code review found in the driver (each test names its defect).

They run this tree's build of the driver: its plugin is passed with -d to
every DPDK process, and EAL registers a -d plugin before the ones of its
driver directory (where an installed net_rtap may be), so the vdev bus
takes ours. The unit-test program (app/test) plays a secondary process for
the control op checks.
"""

import os
import re

import pytest

from conftest import PMD, link_info, move_to_netns, ping, run, vdev, wait_for
from rtap_harness import TestpmdError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the build devtools/run-tests.sh uses (RTAP_BUILD_DIR, relative to the tree)
BUILD = os.path.join(ROOT, os.environ.get("RTAP_BUILD_DIR", "build"))
PLUGIN = os.path.join(BUILD, "drivers", "net", "rtap", "librte_net_rtap.so")
UNIT = os.path.join(BUILD, "app", "test", "dpdk-test-rtap")
PROC_INFO = "/usr/bin/dpdk-proc-info"

pytestmark = pytest.mark.skipif(PMD != "net_rtap", reason="regressions of net_rtap")


@pytest.fixture(scope="module", autouse=True)
def _built():
    assert os.path.exists(PLUGIN), "%s missing: build the tree first (ninja -C build)" % PLUGIN


def eal_plugin():
    return ["-d", PLUGIN]


def check_plugin(tp):
    """The testpmd process runs this tree's plugin."""
    with open("/proc/%d/maps" % tp.pid) as f:
        assert PLUGIN in f.read(), "testpmd did not load %s" % PLUGIN


def kernel_counter(name, netns, direction, key="packets"):
    info = link_info(name, netns, stats=True)
    assert info, "interface %s is gone" % name
    return info["stats64"][direction][key]


def send_frames(name, netns, count, dst="ff:ff:ff:ff:ff:ff"):
    """count 60-byte frames (EtherType 0x88b5) into interface name from the kernel side."""
    script = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n"
        "s.bind((sys.argv[1], 0))\n"
        "dst = bytes.fromhex(sys.argv[2].replace(':', ''))\n"
        "for i in range(int(sys.argv[3])):\n"
        "    s.send(dst + bytes.fromhex('020000000001') + b'\\x88\\xb5'"
        " + i.to_bytes(4, 'big') + bytes(42))\n")
    run(["/usr/bin/python3", "-c", script, name, dst, str(count)], netns=netns)


def proc_info(prefix, *args, check=True):
    res = run([PROC_INFO, "--file-prefix=" + prefix, "--no-pci", *eal_plugin(), "--", *args],
              timeout=60, check=False)
    if check:
        assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout + res.stderr


def link_status(tp, port=0):
    out = tp.cmd("show port info %d" % port)
    m = re.search(r"Link status:\s*(\w+)", out)
    assert m, out
    return m.group(1)


# Defect 1 (critical): a leftover io_uring cancel completion survives the queue
# drain when every read had completed before the cancel; after a restart a burst
# takes it for slot 65535 and corrupts memory. Each round: forwarding stopped,
# frames into port 0's interface from its namespace until the driver's reads
# have taken some (the kernel counts them as tx), port stop/start, forwarding
# again: testpmd must stay alive and still forward, round after round.
def test_restart_after_idle_traffic(make_fwd_pair):
    p = make_fwd_pair(static_neigh=True, eal_args=eal_plugin())
    check_plugin(p.tp)
    loss, out = ping(p.ns1, p.ip2)
    assert loss == 0, out
    for rnd in range(6):
        try:
            _idle_traffic_round(p, rnd)
        except TestpmdError as e:
            raise AssertionError("round %d: %s" % (rnd, e)) from None
    fwd = p.tp.stop_forwarding()
    assert fwd[0]["RX-packets"] >= 5 and fwd[1]["RX-packets"] >= 5, fwd
    assert p.tp.quit() == 0, p.tp.tail()


def _idle_traffic_round(p, rnd):
    """One round of test_restart_after_idle_traffic."""
    p.tp.stop_forwarding()
    base = kernel_counter(p.a, p.ns1, "tx")
    # more frames than the driver keeps reads in flight (32); nobody polls
    ping(p.ns1, p.ip2, count=96, interval="0.002", wait=1)
    wait_for(lambda: kernel_counter(p.a, p.ns1, "tx") > base, 10,
             "round %d: the driver's reads to take frames" % rnd)
    try:
        wait_for(lambda: kernel_counter(p.a, p.ns1, "tx") >= base + 32, 2,
                 "32 reads to complete")
    except AssertionError:
        pass  # fewer reads in flight: every one of them completed all the same
    for command in ("port stop 0", "port start 0"):
        out = p.tp.cmd(command)
        assert not re.search(r"fail|error|invalid", out, re.I), (rnd, command, out)
    assert "io packet forwarding" in p.tp.cmd("start")
    loss, out = ping(p.ns1, p.ip2)
    assert p.tp.child.isalive(), "testpmd died in round %d:\n%s" % (rnd, p.tp.tail())
    assert loss == 0, "round %d: %s" % (rnd, out)


def _primary(testpmd, netns, ifname, **devargs):
    """testpmd (shared files, so secondaries can attach) with one started
    net_rtap port whose interface is up in a namespace of its own."""
    ns = netns()
    name = ifname("s")
    tp = testpmd(vdevs=[vdev(0, iface=name, **devargs)], in_memory=False,
                 eal_args=eal_plugin())
    check_plugin(tp)
    move_to_netns(name, ns)
    return tp, ns, name


# Defect 4: secondary processes run the full control ops on the primary's fd
# numbers: link_update from dpdk-proc-info (a secondary) cannot read the
# interface through the primary's fds and writes DOWN into the shared link
# state. The secondary must report the link as up, and the primary still sees
# it up afterwards.
def test_secondary_link_state(testpmd, netns, ifname):
    tp, ns, name = _primary(testpmd, netns, ifname)
    wait_for(lambda: link_status(tp) == "up", 10, "the port's link to be up")
    proc_info(tp.prefix, "--stats")
    out = proc_info(tp.prefix, "--show-port")
    # 22.11 prints "Link up" / "Link down" (later versions "Link status: ...")
    m = re.search(r"^\s*Link(?: status:)?\s+(up|down)", out, re.M | re.I)
    assert m, out
    seen = m.group(1).lower()
    assert "UP" in link_info(name, ns)["flags"], "the secondary took the interface down"
    assert link_status(tp) == "up", "the primary's port is down after dpdk-proc-info"
    assert seen == "up", "dpdk-proc-info (a secondary) sees the link %s:\n%s" % (seen, out)
    assert tp.quit() == 0


# Defect 4: a secondary's control op (MTU set) must fail with an error rather
# than act on the primary's fd numbers. The unit-test program attaches as a
# secondary and tries: it must fail, the kernel MTU stay as it was, and the
# driver make no ioctl in the secondary (its log names every failed one: on a
# stopped port the driver today asks TUNGETIFF of whatever file the primary's
# fd number is in the secondary). Once with the port started, once stopped.
@pytest.mark.parametrize("state", ["started", "stopped"])
def test_secondary_mtu_refused(testpmd, netns, ifname, state):
    assert os.path.exists(UNIT), "%s missing: build the tree first" % UNIT
    tp, ns, name = _primary(testpmd, netns, ifname)
    if state == "stopped":
        out = tp.cmd("port stop 0")
        assert not re.search(r"fail|error", out, re.I), out
    mtu = link_info(name, ns)["mtu"]
    res = run([UNIT, "--proc-type=secondary", "--file-prefix=" + tp.prefix, "--no-pci", "-l", "0",
               "--", "rtap_regress_secondary"], timeout=120, check=False)
    out = res.stdout + res.stderr
    assert link_info(name, ns)["mtu"] == mtu, "a secondary changed the MTU:\n" + out
    assert res.returncode == 0, out
    assert "test_secondary_mtu_refused succeeded" in out, out
    assert "test_secondary_configure_refused succeeded" in out, out
    # refused up front, not after kernel calls on fds that are not the port's here
    assert not re.search(r"ioctl\(", out), \
        "the secondary made ioctls on the primary's fd numbers:\n" + out
    # the primary's queues survived the secondary's configure and queue setups
    if state == "stopped":
        out = tp.cmd("port start 0")
        assert not re.search(r"fail|error|not set up", out, re.I), out
        assert re.search(r"Link status:\s*up", tp.cmd("show port info 0")), "port 0 down"
    assert tp.quit() == 0


def _make_imissed(tp, ns, name):
    """Frames into the interface while testpmd does not forward: with
    txqueuelen=1 the kernel drops most of them (imissed)."""
    mac = link_info(name, ns)["address"]
    send_frames(name, ns, 300, dst=mac)
    wait_for(lambda: tp.stats(0)["RX-missed"] > 0, 10, "imissed to grow")
    # the kernel may still be dropping: settle on two equal readings
    last = -1
    while True:
        missed = tp.stats(0)["RX-missed"]
        if missed == last:
            return missed
        last = missed


# Defect 4: dpdk-proc-info --stats-reset from a secondary must rebase imissed
# (the kernel's drop counter) as a reset in the primary does.
def test_secondary_stats_reset_rebases_imissed(testpmd, netns, ifname):
    tp, ns, name = _primary(testpmd, netns, ifname, txqueuelen=1)
    missed = _make_imissed(tp, ns, name)
    assert missed > 0
    proc_info(tp.prefix, "--stats-reset")
    after = tp.stats(0)
    assert after["RX-missed"] == 0, \
        "imissed %d before a secondary's stats reset, %d after" % (missed, after["RX-missed"])
    assert tp.quit() == 0


# Defect 4: the statistics a secondary reads are the primary's: imissed
# (rx_missed_errors) included, not 0.
def test_secondary_reads_imissed(testpmd, netns, ifname):
    tp, ns, name = _primary(testpmd, netns, ifname, txqueuelen=1)
    missed = _make_imissed(tp, ns, name)
    out = proc_info(tp.prefix, "--xstats")
    m = re.search(r"rx_missed_errors:\s*(\d+)", out)
    assert m, out
    assert int(m.group(1)) == missed, \
        "the primary counts imissed %d, a secondary reads %s" % (missed, m.group(1))
    assert tp.quit() == 0
