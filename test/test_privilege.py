# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Least privilege: a port on a TAP made for an unprivileged user.

An administrator creates the interface for a user
(``ip tuntap add mode tap multi_queue vnet_hdr user U name X``); the
application runs as U with no capability at all. Everything that needs no
privilege works, with no failed ioctl it could have skipped; what needs
CAP_NET_ADMIN fails with -EPERM and says so.
"""

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import PMD, ip, link_info, vdev, wait_for

NOBODY = 65534


@pytest.fixture
def user_tap(ifname):
    """A persistent multi-queue TAP owned by nobody, made by root."""
    name = ifname("u")
    ip("tuntap", "add", "mode", "tap", "multi_queue", "vnet_hdr", "user", str(NOBODY),
       "name", name)
    ip("link", "set", "dev", name, "txqueuelen", "1000")
    yield name
    if link_info(name):
        ip("link", "del", "dev", name)


@pytest.fixture
def nobody_env():
    """A runtime directory nobody may write, and the command prefix that drops root."""
    rundir = tempfile.mkdtemp(prefix="rtap-nobody-", dir="/tmp")
    os.chmod(rundir, 0o755)
    os.chown(rundir, NOBODY, NOBODY)
    yield ["env", "XDG_RUNTIME_DIR=" + rundir, "setpriv", "--reuid=%d" % NOBODY,
           "--regid=%d" % NOBODY, "--clear-groups", "--"]
    shutil.rmtree(rundir, ignore_errors=True)


def kernel_rx(name):
    return link_info(name, stats=True)["stats64"]["rx"]["packets"]


@pytest.mark.skipif(PMD != "net_rtap", reason="net_rtap's privilege model")
def test_without_cap_net_admin(testpmd, user_tap, nobody_env):
    tp = testpmd(vdevs=[vdev(0, iface=user_tap)], in_memory=False, wrapper=nobody_env,
                 eal_args=["--no-huge", "-m", "512"], mbufs=4096, forward_mode="txonly",
                 app_args=["--no-mlockall"])
    assert os.stat("/proc/%d" % tp.pid).st_uid == NOBODY, "testpmd does not run as nobody"
    start = tp.startup
    # probe and start skip what only the capability could do: no failed ioctl
    assert "SIOCSIFTXQLEN" not in start and "TUNSET" not in start, start
    assert "needs CAP_NET_ADMIN: the link is down until it is up" in start, start
    assert link_info(user_tap)["txqlen"] == 1000, "the admin's txqueuelen changed"
    assert re.search(r"Link status:\s*down", tp.cmd("show port info 0"))

    # the administrator brings it up: the port's link follows
    ip("link", "set", "dev", user_tap, "up")
    wait_for(lambda: re.search(r"Link status:\s*up", tp.cmd("show port info 0")), 10,
             "the link to come up")

    # the data path needs nothing more: what the port sends reaches the kernel
    before = kernel_rx(user_tap)
    tp.cmd("start")
    wait_for(lambda: kernel_rx(user_tap) > before + 1000, 10, "frames from the port")
    tp.stop_forwarding()

    # what needs the capability fails and says which
    out = tp.cmd("port stop 0")
    out = tp.cmd("port config mtu 0 1400")
    assert "needs CAP_NET_ADMIN" in tp.output(), out
    assert link_info(user_tap)["mtu"] == 1500, "the MTU changed without the capability"
    tp.cmd("port start 0")
    assert tp.quit() == 0
    assert link_info(user_tap), "the user's interface went away with the port"


TAP_FDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "devtools",
                       "tap-fds.py")

# UDP/IPv4 frames of 64 flows (source ports) from the kernel side: the TAP
# spreads flows over its attached queues by their hash.
_FLOWS_SCRIPT = r"""
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
dst = bytes.fromhex(sys.argv[2].replace(':', ''))
for i in range(int(sys.argv[3])):
    udp = struct.pack('!HHHH', 10000 + i % 64, 4789, 8 + 18, 0) + bytes(18)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                     bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2]))
    s.send(dst + bytes.fromhex('020000000009') + b'\x08\x00' + ip + udp)
"""


@pytest.fixture
def fds_tap(ifname):
    """A name for the TAP devtools/tap-fds.py creates; removed if the test fails to."""
    name = ifname("f")
    yield name
    if link_info(name):
        ip("link", "del", "dev", name)


@pytest.mark.skipif(PMD != "net_rtap", reason="net_rtap's fds= devarg")
def test_inherited_fds_sandboxed(testpmd, fds_tap, nobody_env):
    """A privileged parent (devtools/tap-fds.py) creates a TAP owned by root,
    opens two queue fds and runs testpmd as nobody, with no capability and
    /dev/net/tun hidden: the port works through fds= alone."""
    rundir = nobody_env[1]
    wrapper = ["env", rundir, "/usr/bin/python3", TAP_FDS, "--queues", "2", "--user",
               str(NOBODY), "--no-tun", fds_tap, "--"]
    tp = testpmd(vdevs=[vdev(0, fds="{fds}")], in_memory=False, wrapper=wrapper,
                 eal_args=["--no-huge", "-m", "512", "--log-level=pmd.net.rtap:info"],
                 mbufs=4096, forward_mode="rxonly",
                 app_args=["--no-mlockall", "--rxq=2", "--txq=2"])
    assert os.stat("/proc/%d" % tp.pid).st_uid == NOBODY, "testpmd does not run as nobody"
    start = tp.startup
    assert "2 queue fds inherited" in start, start
    assert "/dev/net/tun" not in start and "TUNSET" not in start, start
    assert link_info(fds_tap), "tap-fds.py made no interface"
    # the administrator brings it up: the port's link follows
    ip("link", "set", "dev", fds_tap, "up")
    wait_for(lambda: re.search(r"Link status:\s*up", tp.cmd("show port info 0")), 10,
             "the link to come up")

    # every inherited queue receives
    mac = re.search(r"MAC address: ([0-9A-Fa-f:]{17})", tp.cmd("show port info 0")).group(1)
    tp.cmd("start")

    def per_queue():
        x = tp.xstats(0)
        return x.get("rx_q0_packets", 0), x.get("rx_q1_packets", 0)

    subprocess.run(["/usr/bin/python3", "-c", _FLOWS_SCRIPT, fds_tap, mac, "2000"], check=True)
    wait_for(lambda: sum(per_queue()) >= 2000, 10, "2000 frames on the port")
    assert min(per_queue()) > 0, "a queue received nothing: %s" % (per_queue(),)
    tp.stop_forwarding()

    # and sends: what the port transmits reaches the kernel
    tp.cmd("set fwd txonly")
    before = kernel_rx(fds_tap)
    tp.cmd("start")
    wait_for(lambda: kernel_rx(fds_tap) > before + 1000, 10, "frames from the port")
    tp.stop_forwarding()

    # fewer queues and as many again: the port keeps the fds it cannot reopen
    for rxq in (1, 2):
        tp.cmd("port stop 0")
        tp.cmd("port config all rxq %d" % rxq)
        tp.cmd("port config all txq %d" % rxq)
        out = tp.cmd("port start 0")
        assert "Fail" not in out, out
    out = tp.cmd("port stop 0")
    tp.cmd("port config all rxq 3")
    out = tp.cmd("port start 0")
    assert "Fail" in out or "greater than max" in tp.output(), out
    tp.cmd("port config all rxq 2")
    tp.cmd("port start 0")

    # what needs the capability fails and says which
    tp.cmd("port stop 0")
    out = tp.cmd("port config mtu 0 1400")
    assert "needs CAP_NET_ADMIN" in tp.output(), out
    assert link_info(fds_tap)["mtu"] == 1500, "the MTU changed without the capability"
    assert tp.quit() == 0
    # the port closed the fds, the TAP's last: it is gone
    wait_for(lambda: not link_info(fds_tap), 10, "the TAP to go with its fds")


@pytest.mark.skipif(PMD != "net_rtap", reason="net_rtap's fds= devarg")
def test_inherited_fds_other_netns(netns, ifname, nobody_env):
    """Queue fds of a TAP in a namespace the application is not in, which it
    cannot enter without CAP_NET_ADMIN, while an interface of the same name
    sits in its own: the probe refuses them, saying why, and leaves that
    other interface alone."""
    ns = netns()
    name, peer = ifname("f"), ifname("p")
    ip("link", "add", name, "type", "veth", "peer", "name", peer)
    mac = link_info(name)["address"]
    cmd = ["ip", "netns", "exec", ns, "/usr/bin/python3", TAP_FDS, name, "--",
           "nsenter", "--net=/proc/%d/ns/net" % os.getpid(), "--"] + nobody_env + [
           "/usr/bin/dpdk-testpmd", "--no-huge", "-m", "256", "--no-pci",
           "--file-prefix=rtap-test-%d-ns" % os.getpid(),
           "--vdev=%s" % vdev(0, fds="{fds}"), "--", "-i", "--total-num-mbufs=2048",
           "--no-mlockall"]
    res = subprocess.run(cmd, input="quit\n", capture_output=True, text=True, timeout=60)
    out = res.stdout + res.stderr
    assert "is not the interface of that name in this network namespace" in out, out
    assert "Port 0:" not in out, out
    assert link_info(name)["address"] == mac, "the other interface changed"
    assert not link_info(name, ns), "the TAP outlived its fds"
