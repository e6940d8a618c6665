# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Control operations reach the kernel interface, kernel changes reach DPDK,
and a port whose interface is deleted under it neither hangs nor crashes."""

import re

from conftest import ip, link_info, ping, vdev, wait_for, wait_link, wait_link_gone


def _link_status(tp, port):
    m = re.search(r"Link status:\s*(\w+)", tp.cmd("show port info %d" % port))
    return m.group(1) if m else None


def test_control_ops_reach_kernel(testpmd, netns, ifname):
    ns = netns()
    name = ifname("c")
    tp = testpmd(vdevs=[vdev(0, iface=name)], netns=ns)
    wait_link(name, ns)

    tp.cmd("port config mtu 0 1400")
    wait_for(lambda: link_info(name, ns)["mtu"] == 1400, 5, "kernel MTU 1400")

    out = tp.cmd("mac_addr set 0 02:11:22:33:44:55")
    assert "error" not in out.lower(), out
    wait_for(lambda: link_info(name, ns)["address"] == "02:11:22:33:44:55", 5, "kernel MAC")

    tp.cmd("set link-down port 0")
    wait_for(lambda: "UP" not in link_info(name, ns)["flags"], 5, "kernel interface down")
    assert _link_status(tp, 0) == "down"
    tp.cmd("set link-up port 0")
    wait_for(lambda: "UP" in link_info(name, ns)["flags"], 5, "kernel interface up")
    assert _link_status(tp, 0) == "up"

    # and the other way: the kernel side's admin state is the port's link
    ip("link", "set", "dev", name, "down", netns=ns)
    wait_for(lambda: _link_status(tp, 0) == "down", 5, "port link down")
    ip("link", "set", "dev", name, "up", netns=ns)
    wait_for(lambda: _link_status(tp, 0) == "up", 5, "port link up")
    assert tp.quit() == 0


def test_interface_deleted_under_testpmd(fwd_pair):
    p = fwd_pair
    loss, out = ping(p.ns1, p.ip2, count=2)
    assert loss == 0, out
    ip("link", "del", "dev", p.a, netns=p.ns1)

    # testpmd answers, and port 0 either went away (testpmd acts on a removal
    # event by detaching the port) or reports its link down
    def settled():
        out = p.tp.cmd("show port summary all", timeout=10)
        if not re.search(r"^0\s+\S+\s+\S+", out, re.M):
            return "removed"
        return "down" if _link_status(p.tp, 0) == "down" else None

    state = wait_for(settled, 10, "port 0 to go down or away")
    print("port 0 after its interface was deleted: %s" % state)
    # port 1 still forwards into the kernel and back: its kernel side stays usable
    assert link_info(p.b, p.ns2) is not None
    p.tp.cmd("stop", timeout=20)
    assert p.tp.quit() == 0, p.tp.tail()
    wait_link_gone(p.b, p.ns2, timeout=5)
