# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""persist=1: the interface outlives testpmd and a second run re-attaches to it.

testpmd runs inside namespace nsa, so the persistent interface P is created
there and stays there between the two runs; the second (non-persistent) port
Q is moved to nsb and gives P a peer to ping.
"""

from conftest import addresses, configure, ip, link_info, ping, vdev, wait_link, wait_link_gone

P_ADDR, Q_ADDR, ROUTE = "10.251.0.1/24", "10.251.0.2/24", "10.251.9.0/24"


def _routes(name, netns):
    return ip("-4", "route", "show", "dev", name, netns=netns).stdout


def _start(testpmd, nsa, nsb, p, q):
    tp = testpmd(vdevs=[vdev(0, iface=p, persist=1), vdev(1, iface=q)], netns=nsa)
    wait_link(p, nsa)
    move_to_netns_from(q, nsa, nsb)
    assert "io packet forwarding" in tp.cmd("start")
    return tp


def move_to_netns_from(name, src, dst):
    wait_link(name, src)
    ip("link", "set", "dev", name, "netns", dst, netns=src)
    wait_link(name, dst)
    configure(name, dst, Q_ADDR)


def test_persist_restart(testpmd, netns, ifname):
    nsa, nsb = netns(), netns()
    p, q = ifname("p"), ifname("q")

    tp = _start(testpmd, nsa, nsb, p, q)
    configure(p, nsa, P_ADDR)
    ip("route", "add", ROUTE, "dev", p, netns=nsa)
    ip("link", "set", "dev", p, "mtu", "1400", netns=nsa)
    ifindex = link_info(p, nsa)["ifindex"]
    loss, out = ping(nsa, Q_ADDR.split("/")[0], count=3)
    assert loss == 0, out
    assert tp.quit() == 0, tp.tail()

    # the persistent interface stays, with its index and address
    wait_link_gone(q, nsb)
    info = link_info(p, nsa)
    assert info is not None, "persistent interface %s vanished with testpmd" % p
    assert info["ifindex"] == ifindex
    assert P_ADDR in addresses(p, nsa)
    # the keep-alive fd keeps the interface as configured, routes included
    assert ROUTE in _routes(p, nsa)
    assert info["mtu"] == 1400

    # a second testpmd with the same devargs re-attaches to the same interface
    tp = _start(testpmd, nsa, nsb, p, q)
    info = link_info(p, nsa)
    assert info["ifindex"] == ifindex
    assert P_ADDR in addresses(p, nsa)
    assert "UP" in info["flags"], info
    assert ROUTE in _routes(p, nsa)
    loss, out = ping(nsa, Q_ADDR.split("/")[0], count=3)
    assert loss == 0, out
    fwd = tp.stop_forwarding()
    assert fwd[0]["RX-packets"] >= 3 and fwd[1]["RX-packets"] >= 3, fwd
    assert tp.quit() == 0, tp.tail()

    assert link_info(p, nsa)["ifindex"] == ifindex
    ip("link", "del", "dev", p, netns=nsa)
    wait_link_gone(p, nsa)


def test_no_persist_by_default(testpmd, netns, ifname):
    """Without persist the interface goes away with testpmd."""
    ns = netns()
    name = ifname("n")
    tp = testpmd(vdevs=[vdev(0, iface=name)], netns=ns)
    wait_link(name, ns)
    assert tp.quit() == 0, tp.tail()
    wait_link_gone(name, ns, timeout=5)
