# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""The port behaves like a NIC, through Debian's dpdk-testpmd and this
tree's build of the driver (-d, as in test_regress.py):

* io forwarding with every rx checksum offload (--enable-rx-cksum) and every
  advertised tx offload on carries TCP intact: the rx checksum offloads no
  longer hand partial checksums over for the forwarder to send on;
* testpmd's own commands (set promisc, set allmulti, mac_addr add,
  mcast_addr add, port config mtu, vlan set strip/filter, rx_vlan add) act on
  what the port receives: frames scapy sends from port 0's namespace, and
  what io forwarding delivers out of port 1, seen by an AF_PACKET socket in
  port 1's namespace (the kernel there has no VLAN interfaces, so the socket
  reads tags from the packet metadata).

ns1: A <-> port 0 <testpmd io> port 1 <-> B :ns2
"""

import os
import re
import subprocess

import pytest

from conftest import PMD, iperf3, link_info, run, wait_for
from test_offload import _check_transfers, _tcp_stats
from test_regress import check_plugin, eal_plugin

pytestmark = pytest.mark.skipif(PMD != "net_rtap", reason="net_rtap's receive semantics")

PYTHON = "/usr/bin/python3"

# testpmd's names of the tx offloads and their bits (rte_ethdev.h)
TX_OFFLOAD_BITS = {
    "VLAN_INSERT": 1 << 0, "IPV4_CKSUM": 1 << 1, "UDP_CKSUM": 1 << 2, "TCP_CKSUM": 1 << 3,
    "SCTP_CKSUM": 1 << 4, "TCP_TSO": 1 << 5, "UDP_TSO": 1 << 6, "OUTER_IPV4_CKSUM": 1 << 7,
    "QINQ_INSERT": 1 << 8, "VXLAN_TNL_TSO": 1 << 9, "GRE_TNL_TSO": 1 << 10,
    "IPIP_TNL_TSO": 1 << 11, "GENEVE_TNL_TSO": 1 << 12, "MACSEC_INSERT": 1 << 13,
    "MT_LOCKFREE": 1 << 14, "MULTI_SEGS": 1 << 15, "MBUF_FAST_FREE": 1 << 16,
    "SECURITY": 1 << 17, "UDP_TNL_TSO": 1 << 18, "IP_TNL_TSO": 1 << 19,
    "OUTER_UDP_CKSUM": 1 << 20, "SEND_ON_TIMESTAMP": 1 << 21,
}


def _offloads(tp, port, direction, kind):
    """Names in `show port N rx|tx_offload capabilities|configuration` (port-wide part)."""
    out = tp.cmd("show port %d %s_offload %s" % (port, direction, kind))
    m = re.search(r"^\s*(?:Per )?Port\s*:(.*)$", out, re.M)
    assert m, out
    return set(re.findall(r"[A-Z][A-Z0-9_]+", m.group(1)))


def _tx_capa_mask(testpmd, ifname):
    """The tx offload capabilities of a net_rtap port, as a mask for --tx-offloads."""
    tp = testpmd(vdevs=["net_rtap0,iface=%s" % ifname("q")], eal_args=eal_plugin())
    names = _offloads(tp, 0, "tx", "capabilities")
    assert tp.quit() == 0
    unknown = names - set(TX_OFFLOAD_BITS)
    assert not unknown, "tx offloads testpmd names but this test does not know: %s" % unknown
    return names, sum(TX_OFFLOAD_BITS[n] for n in names)


def test_io_forwarding_with_every_offload(testpmd, make_fwd_pair, ifname):
    """OVS's failure, with testpmd: io forwarding with the rx checksum offloads
    and every tx offload on. TCP both ways, iperf3 and a checksummed transfer,
    and no TCP checksum error on either side."""
    names, mask = _tx_capa_mask(testpmd, ifname)
    p = make_fwd_pair(app_args=["--enable-rx-cksum", "--tx-offloads=%#x" % mask],
                      eal_args=eal_plugin())
    check_plugin(p.tp)
    for port in (0, 1):
        rx = _offloads(p.tp, port, "rx", "configuration")
        assert {"IPV4_CKSUM", "UDP_CKSUM", "TCP_CKSUM"} <= rx, rx
        tx = _offloads(p.tp, port, "tx", "configuration")
        assert names <= tx, (names, tx)
    before = [_tcp_stats(ns) for ns in (p.ns1, p.ns2)]
    for reverse in (False, True):
        end = iperf3(p, reverse)
        received = end["sum_received"]
        print("io + every offload, %s: %.0f Mbit/s"
              % ("ns2->ns1" if reverse else "ns1->ns2", received["bits_per_second"] / 1e6))
        assert received["bytes"] > 0 and received["seconds"] >= 2.5, end
    _check_transfers(p)
    after = [_tcp_stats(ns) for ns in (p.ns1, p.ns2)]
    for ns, b, a in zip((p.ns1, p.ns2), before, after):
        assert a["InCsumErrors"] == b["InCsumErrors"], (ns, b, a)
    for port in (0, 1):
        s = p.tp.stats(port)
        assert s["RX-errors"] == 0 and s["TX-errors"] == 0, s
    assert p.tp.quit() == 0


# ---- testpmd's commands against frames from ns1 ----

# Collects frames on an interface until the end marker arrives; prints one line
# per frame carrying a token: the token, the outer VLAN (or -), and the length.
RECEIVER = r"""
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
s.setsockopt(263, 8, 1)     # SOL_PACKET, PACKET_AUXDATA
s.settimeout(0.2)
print("ready", flush=True)
deadline = time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        data, ancdata, flags, addr = s.recvmsg(65536, 256)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    vlan = "-"
    for level, kind, value in ancdata:
        if level == 263 and kind == 8:
            status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", value[:20])
            if status & (1 << 4):
                vlan = "%x/%d" % (tpid or 0x8100, tci)
    i = data.find(b"TOKEN")
    if i < 0:
        continue
    token = data[i + 5:i + 9].decode()
    print(token, vlan, len(data), flush=True)
    if token == "LAST":
        break
"""

# Sends the frames described on the command line: dst,token[,vlans[,payload]] items.
SENDER = r"""
import sys
from scapy.all import Ether, Dot1Q, Dot1AD, IP, UDP, Raw, sendp
iface, src = sys.argv[1], sys.argv[2]
frames = []
for item in sys.argv[3:]:
    dst, token, vlans, size = (item.split(",") + ["", "", ""])[:4]
    f = Ether(dst=dst, src=src)
    for i, v in enumerate(v for v in vlans.split("/") if v):
        f = f / (Dot1AD(vlan=int(v[2:])) if v.startswith("ad") else Dot1Q(vlan=int(v)))
    body = b"TOKEN" + token.encode()
    payload = int(size) if size else 60
    f = f / IP(src="10.250.9.1", dst="10.250.9.2") / UDP(sport=4000, dport=4001)
    f = f / Raw(body + b"x" * max(0, payload - 28 - len(body)))
    frames.append(f)
sendp(frames, iface=iface, verbose=False)
"""


def _round(p, frames, timeout=10):
    """Sends frames [(token, dst, vlans, ip_len)] from ns1, then an end marker to
    port 0's address; returns {token: (vlan, length)} of what reached ns2."""
    mac_a = link_info(p.a, p.ns1)["address"]
    recv = subprocess.Popen(["ip", "netns", "exec", p.ns2, PYTHON, "-c", RECEIVER, p.b,
                             str(timeout)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert recv.stdout.readline().strip() == "ready", recv.stderr.read()
        items = ["%s,%s,%s,%s" % (dst, token, vlans, size) for token, dst, vlans, size in frames]
        items.append("%s,LAST,," % mac_a)
        run([PYTHON, "-c", SENDER, p.a, "02:00:00:00:00:77"] + items, netns=p.ns1, timeout=60)
        out, err = recv.communicate(timeout=timeout + 20)
    finally:
        if recv.poll() is None:
            recv.kill()
            recv.wait()
    seen = {}
    for line in out.splitlines():
        token, vlan, length = line.split()
        seen[token] = (vlan, int(length))
    assert "LAST" in seen, "the end marker never reached ns2:\n%s%s" % (out, err)
    del seen["LAST"]
    return seen


def _ok(out):
    assert not re.search(r"error|fail|invalid|bad arguments|not supported", out, re.I), out
    return out


def _mode(tp, what):
    m = re.search(r"%s mode:\s*(\w+)" % what, tp.cmd("show port info 0"))
    assert m, "no %s mode in show port info" % what
    return m.group(1)


OWN = None  # port 0's address, filled in per test
ADDED = "02:aa:00:00:00:01"
FOREIGN = "02:bb:00:00:00:01"
BCAST = "ff:ff:ff:ff:ff:ff"
GROUP = "01:00:5e:01:02:03"
OTHER_GROUP = "01:00:5e:09:09:09"


def test_testpmd_filter_commands(make_fwd_pair):
    """set promisc, mac_addr add, mcast_addr add, set allmulti: what port 0
    takes from ns1 is what io forwarding delivers to ns2."""
    p = make_fwd_pair(eal_args=eal_plugin())
    check_plugin(p.tp)
    own = link_info(p.a, p.ns1)["address"]
    frames = [("OWN_", own, "", ""), ("ADDR", ADDED, "", ""), ("FORN", FOREIGN, "", ""),
              ("BCST", BCAST, "", ""), ("GRP_", GROUP, "", ""), ("OGRP", OTHER_GROUP, "", "")]

    def expect(present, why):
        seen = _round(p, frames)
        assert set(seen) == set(present), "%s: %s reached ns2, expected %s" % (
            why, sorted(seen), sorted(present))

    assert _mode(p.tp, "Promiscuous") == "enabled", "testpmd starts promiscuous"
    expect({"OWN_", "ADDR", "FORN", "BCST", "GRP_", "OGRP"}, "promiscuous (testpmd's default)")
    _ok(p.tp.cmd("set promisc 0 off"))
    assert _mode(p.tp, "Promiscuous") == "disabled"
    expect({"OWN_", "BCST"}, "promiscuous off")
    _ok(p.tp.cmd("mac_addr add 0 %s" % ADDED))
    expect({"OWN_", "ADDR", "BCST"}, "an address added")
    _ok(p.tp.cmd("mcast_addr add 0 %s" % GROUP))
    expect({"OWN_", "ADDR", "BCST", "GRP_"}, "a group added")
    _ok(p.tp.cmd("set allmulti 0 on"))
    expect({"OWN_", "ADDR", "BCST", "GRP_", "OGRP"}, "all-multicast")
    _ok(p.tp.cmd("set allmulti 0 off"))
    _ok(p.tp.cmd("mac_addr remove 0 %s" % ADDED))
    _ok(p.tp.cmd("mcast_addr remove 0 %s" % GROUP))
    expect({"OWN_", "BCST"}, "address and group removed")
    _ok(p.tp.cmd("set promisc 0 on"))
    expect({"OWN_", "ADDR", "FORN", "BCST", "GRP_", "OGRP"}, "promiscuous again")
    s = p.tp.stats(0)
    assert s["RX-errors"] == 0, s
    assert p.tp.quit() == 0


def test_testpmd_mtu_command(make_fwd_pair):
    """port config mtu on the started port: the MTU arrives, one byte more is
    dropped and counted in RX-errors, at 1280 and 1500."""
    p = make_fwd_pair(eal_args=eal_plugin())
    check_plugin(p.tp)
    own = link_info(p.a, p.ns1)["address"]
    for mtu in (1280, 1500):
        _ok(p.tp.cmd("port config mtu 0 %d" % mtu))
        assert link_info(p.a, p.ns1)["mtu"] == mtu
        # A takes more than the port: ns1 may send what the port must drop
        run(["ip", "link", "set", "dev", p.a, "mtu", str(mtu + 100)], netns=p.ns1)
        errors0 = p.tp.stats(0)["RX-errors"]
        seen = _round(p, [("MTU_", own, "", mtu), ("MTU1", own, "", mtu + 1),
                          ("VMTU", own, "100", mtu), ("VMT1", own, "100", mtu + 1)])
        assert set(seen) == {"MTU_", "VMTU"}, "MTU %d: %s arrived" % (mtu, sorted(seen))
        assert seen["MTU_"][1] == mtu + 14, seen
        errors = p.tp.stats(0)["RX-errors"] - errors0
        assert errors == 2, "MTU %d: RX-errors +%d for two frames over it" % (mtu, errors)
    assert p.tp.quit() == 0


def test_testpmd_vlan_commands(make_fwd_pair):
    """vlan set strip/filter and rx_vlan add on port 0: tagged frames from
    ns1 leave port 1 untagged (io forwarding inserts nothing) or tagged as they
    came, and VIDs not added are dropped."""
    p = make_fwd_pair(eal_args=eal_plugin())
    check_plugin(p.tp)
    own = link_info(p.a, p.ns1)["address"]
    frames = [("V100", own, "100", ""), ("V200", own, "200", ""), ("UNTG", own, "", ""),
              ("QINQ", own, "ad300/100", "")]
    seen = _round(p, frames)
    assert set(seen) == {"V100", "V200", "UNTG", "QINQ"}, seen
    assert seen["V100"][0] == "8100/100" and seen["UNTG"][0] == "-", seen

    _ok(p.tp.cmd("vlan set strip on 0"))
    seen = _round(p, frames)
    assert set(seen) == {"V100", "V200", "UNTG", "QINQ"}, seen
    assert seen["V100"][0] == "-" and seen["V200"][0] == "-", "strip: %s" % seen
    assert seen["QINQ"][0].startswith("88a8/300"), "an 802.1ad tag is not stripped: %s" % seen

    _ok(p.tp.cmd("vlan set filter on 0"))
    _ok(p.tp.cmd("rx_vlan add 100 0"))
    seen = _round(p, frames)
    assert set(seen) == {"V100", "UNTG", "QINQ"}, "filter, VID 100 added: %s" % seen
    assert seen["V100"][0] == "-", seen

    _ok(p.tp.cmd("vlan set strip off 0"))
    _ok(p.tp.cmd("rx_vlan add 200 0"))
    _ok(p.tp.cmd("rx_vlan rm 100 0"))
    seen = _round(p, frames)
    assert set(seen) == {"V200", "UNTG", "QINQ"}, "filter, VID 200 only: %s" % seen
    assert seen["V200"][0] == "8100/200", seen
    assert p.tp.quit() == 0


# a TAP made for nobody, and the command prefix that runs as nobody (pytest fixtures)
from test_privilege import NOBODY, nobody_env, user_tap  # noqa: E402,F401


def test_promiscuous_without_cap_net_admin(testpmd, user_tap, nobody_env):  # noqa: F811
    """On a TAP made for its user, with no capability: promiscuous mode is the
    port's all the same (the interface's IFF_PROMISC, which would need
    CAP_NET_ADMIN, is left alone), and with it off the port filters."""
    tp = testpmd(vdevs=["net_rtap0,iface=%s" % user_tap], in_memory=False, wrapper=nobody_env,
                 eal_args=["--no-huge", "-m", "512"] + eal_plugin(), mbufs=4096,
                 forward_mode="rxonly", app_args=["--no-mlockall"])
    check_plugin(tp)
    assert os.stat("/proc/%d" % tp.pid).st_uid == NOBODY
    assert "ioctl" not in tp.startup, tp.startup
    assert _mode(tp, "Promiscuous") == "enabled", "testpmd could not enable promiscuous mode"
    assert "PROMISC" not in link_info(user_tap)["flags"]
    run(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % user_tap])
    run(["ip", "link", "set", "dev", user_tap, "up"])
    script = ("import socket, sys\n"
              "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n"
              "s.bind((sys.argv[1], 0))\n"
              "for dst, n in ((sys.argv[2], 50), (sys.argv[3], 5)):\n"
              "    for i in range(n):\n"
              "        s.send(bytes.fromhex(dst.replace(':', '') + '020000000001' + '88b5')"
              " + bytes(50))\n")
    own = link_info(user_tap)["address"]
    tp.start_forwarding()
    for promisc, dst, want in (("on", FOREIGN, 50), ("off", FOREIGN, 0), ("off", own, 50)):
        _ok(tp.cmd("set promisc 0 %s" % promisc))
        base = tp.stats(0)["RX-packets"]
        # 50 frames to dst, then 5 to the port's own address: those always arrive
        run([PYTHON, "-c", script, user_tap, dst, own])
        got = wait_for(lambda: tp.stats(0)["RX-packets"] - base >= want + 5 and
                       tp.stats(0)["RX-packets"] - base, 10,
                       "promiscuous %s: %d frames" % (promisc, want + 5))
        assert got == want + 5, "promiscuous %s, 50 frames to %s: %d received" % (
            promisc, dst, got - 5)
    assert "ioctl" not in tp.output(), tp.output()
    assert tp.quit() == 0
