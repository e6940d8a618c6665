# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Checksum, TSO and LRO offloads through testpmd's csum engine.

ns1: A 10.250.0.1 <-> port 0 <testpmd csum> port 1 <-> B 10.250.0.2 :ns2

With the rx checksum offloads and LRO enabled the kernel hands the ports
partial checksums and whole 64 KiB TCP super-packets; the csum engine asks
for the checksums (and, with `tso set`, segmentation) on transmit, so the
kernel on the other side gets GSO packets again. The same runs with io
forwarding and no offloads are the baseline.
"""

import subprocess

import pytest

from conftest import iperf3, link_info, run

DATA_PORT = 5301
PYTHON = "/usr/bin/python3"
TSO_SEGSZ = 1448

# rx: UDP_CKSUM | TCP_CKSUM (testpmd's --enable-rx-cksum also asks for IPV4_CKSUM,
# which the port does not offer), plus --enable-lro
RX_OFFLOADS = "0xc"
# tx: IPV4_CKSUM | UDP_CKSUM | TCP_CKSUM | TCP_TSO | MULTI_SEGS
TX_OFFLOADS = "0x802e"

CSUM_ARGS = ["--rx-offloads=" + RX_OFFLOADS, "--enable-lro", "--tx-offloads=" + TX_OFFLOADS]
CSUM_COMMANDS = ["port stop all"]
for _port in (0, 1):
    CSUM_COMMANDS += ["csum set ip hw %d" % _port, "csum set tcp hw %d" % _port,
                      "csum set udp hw %d" % _port, "tso set %d %d" % (TSO_SEGSZ, _port)]
CSUM_COMMANDS += ["port start all"]


@pytest.fixture
def csum_pair(make_fwd_pair):
    p = make_fwd_pair(app_args=CSUM_ARGS, forward_mode="csum", pre_start=CSUM_COMMANDS)
    # the csum engine rewrites the Ethernet addresses: destination = the tx port's peer
    p.tp.cmd("stop")
    for port, name, ns in ((0, p.a, p.ns1), (1, p.b, p.ns2)):
        out = p.tp.cmd("set eth-peer %d %s" % (port, link_info(name, ns)["address"]))
        assert "error" not in out.lower(), out
    assert "csum packet forwarding" in p.tp.cmd("start")
    for port in (0, 1):
        info = p.tp.cmd("show port %d rx_offload configuration" % port)
        assert "TCP_LRO" in info and "TCP_CKSUM" in info, info
        info = p.tp.cmd("show port %d tx_offload configuration" % port)
        assert "TCP_TSO" in info and "TCP_CKSUM" in info, info
    return p


@pytest.fixture
def io_pair(make_fwd_pair):
    return make_fwd_pair()


def _tcp_stats(netns):
    """Tcp counters of /proc/net/snmp in a namespace."""
    lines = [l.split() for l in run(["cat", "/proc/net/snmp"], netns=netns).stdout.splitlines()
             if l.startswith("Tcp:")]
    return dict(zip(lines[0][1:], (int(v) for v in lines[1][1:])))


def _tcp_runs(p, label, max_retrans_pct=1):
    """iperf3 TCP, 1 and 4 streams, both ways; returns {name: Mbit/s}."""
    rates = {}
    for streams in (1, 4):
        for reverse in (False, True):
            end = iperf3(p, reverse, ["-P", str(streams)])
            sent, received = end["sum_sent"], end["sum_received"]
            name = "%s %s P%d" % (label, "ns2->ns1" if reverse else "ns1->ns2", streams)
            mbps = received["bits_per_second"] / 1e6
            retrans = sent.get("retransmits", 0)
            segments = max(1, sent["bytes"] // TSO_SEGSZ)
            print("%s: %.0f Mbit/s, %d retransmits (~%d segments)"
                  % (name, mbps, retrans, segments))
            rates[name] = mbps
            assert received["bytes"] > 0 and mbps > 0, end
            assert received["seconds"] >= 2.5, end
            assert retrans * 100 < segments * max_retrans_pct, (
                "%s: %d retransmits for ~%d segments" % (name, retrans, segments))
    return rates


SENDER = r"""
import hashlib, os, socket, sys
data = os.urandom(int(sys.argv[3]))
print(hashlib.sha256(data).hexdigest(), flush=True)
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
s.recv(1)
"""

RECEIVER = r"""
import hashlib, socket, sys
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], int(sys.argv[2])))
ls.listen(1)
print("listening", flush=True)
ls.settimeout(20)
c, _ = ls.accept()
c.settimeout(20)
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(1 << 20)
    if not b:
        break
    h.update(b)
    n += len(b)
print(n, h.hexdigest(), flush=True)
c.close()
"""


def _transfer(p, src_ns, dst_ns, dst_ip, size=20 << 20):
    """Sends size random bytes over TCP; returns (sent sha256, received bytes, sha256)."""
    recv = subprocess.Popen(["ip", "netns", "exec", dst_ns, PYTHON, "-c", RECEIVER, dst_ip,
                             str(DATA_PORT)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert recv.stdout.readline().strip() == "listening", recv.stderr.read()
        send = run([PYTHON, "-c", SENDER, dst_ip, str(DATA_PORT), str(size)], netns=src_ns,
                   timeout=60)
        out, err = recv.communicate(timeout=60)
    finally:
        if recv.poll() is None:
            recv.kill()
            recv.wait()
    assert recv.returncode == 0, err
    n, digest = out.split()
    return send.stdout.strip(), int(n), digest


def _check_transfers(p):
    size = 20 << 20
    for src, dst, ip in ((p.ns1, p.ns2, p.ip2), (p.ns2, p.ns1, p.ip1)):
        sent, n, got = _transfer(p, src, dst, ip, size)
        assert n == size, "received %d of %d bytes" % (n, size)
        assert got == sent, "sha256 of the received data differs"


def _check_port_errors(p):
    for port in (0, 1):
        s = p.tp.stats(port)
        assert s["RX-errors"] == 0 and s["TX-errors"] == 0 and s["RX-nombuf"] == 0, s


def test_csum_tso_lro_tcp(csum_pair):
    """TCP through the csum engine with LRO in and TSO out: fast, intact, few retransmits."""
    p = csum_pair
    before = _tcp_stats(p.ns2)
    rates = _tcp_runs(p, "csum+tso+lro")
    _check_transfers(p)
    after = _tcp_stats(p.ns2)
    assert after["InCsumErrors"] == before["InCsumErrors"], (before, after)
    # LRO really happened: super-packets came in
    x = p.tp.xstats(0)
    print("xstats port 0: %s" % {k: v for k, v in x.items() if v and ("lro" in k or "tso" in k
                                                                     or "csum" in k)})
    fwd = p.tp.stop_forwarding()
    for port in (0, 1):
        assert fwd[port]["RX-packets"] > 0 and fwd[port]["TX-packets"] > 0, fwd
        assert fwd[port]["TX-dropped"] == 0, fwd
    _check_port_errors(p)
    # TSO super-packets: far fewer packets than bytes / MSS
    s0 = p.tp.stats(0)
    assert s0["RX-bytes"] / s0["RX-packets"] > 3000, (
        "average rx frame %d bytes: no LRO" % (s0["RX-bytes"] // s0["RX-packets"]))
    print(rates)


def _snmp(netns, proto):
    lines = [l.split() for l in run(["cat", "/proc/net/snmp"], netns=netns).stdout.splitlines()
             if l.startswith(proto + ":")]
    return dict(zip(lines[0][1:], (int(v) for v in lines[1][1:])))


def _udp_run(p, label):
    """iperf3 UDP at 500 Mbit/s ns1 -> ns2; every datagram accounted for, none corrupted."""
    def counters():
        return (_snmp(p.ns1, "Udp")["OutDatagrams"], _snmp(p.ns2, "Udp"), _snmp(p.ns2, "Ip"),
                link_info(p.b, p.ns2, stats=True)["stats64"]["rx"], p.tp.stats(0)["RX-missed"])

    before = counters()
    end = iperf3(p, extra=["-u", "-b", "500M", "-l", "1400"])
    after = counters()
    sent = after[0] - before[0]
    udp = {k: after[1][k] - before[1][k] for k in after[1]}
    ipc = {k: after[2][k] - before[2][k] for k in after[2]}
    krx = {k: after[3][k] - before[3][k] for k in after[3]}
    missed = after[4] - before[4]
    s = end["sum"]
    print("%s udp: %.0f Mbit/s, iperf3 lost %d of %d; ns1 sent %d datagrams, %d overflowed "
          "its TAP queue (imissed), ns2's interface received %d, its socket overflowed %d"
          % (label, s["bits_per_second"] / 1e6, s["lost_packets"], s["packets"], sent, missed,
             krx["packets"], udp["RcvbufErrors"]))
    assert s["packets"] > 0 and s["lost_packets"] < s["packets"], s
    # the forwarding lcore shares 2 cores with iperf3: some datagrams wait too long
    # in ns1's TAP queue (imissed) or in the receiving socket (RcvbufErrors, and
    # what is still queued when iperf3 closes it); none may vanish in between
    assert krx["packets"] + missed >= sent, (sent, missed, krx)
    assert krx["dropped"] == 0 and krx["errors"] == 0, krx
    assert ipc["InDiscards"] == 0 and ipc["InHdrErrors"] == 0, ipc
    assert udp["InCsumErrors"] == 0 and udp["NoPorts"] == 0, udp
    _check_port_errors(p)


def test_csum_udp(csum_pair):
    """UDP at 500 Mbit/s through the csum engine: arrives, checksums good."""
    _udp_run(csum_pair, "csum")


def test_io_baseline_udp(io_pair):
    _udp_run(io_pair, "io")


def test_io_baseline_tcp(io_pair):
    """The same traffic with io forwarding and no offloads (the baseline)."""
    p = io_pair
    # 1500-byte frames, one forwarding lcore sharing 2 cores with iperf3: the TAP
    # queues overflow (imissed) and TCP retransmits a few percent
    rates = _tcp_runs(p, "io", max_retrans_pct=10)
    _check_transfers(p)
    _check_port_errors(p)
    print(rates, [p.tp.stats(port) for port in (0, 1)])
