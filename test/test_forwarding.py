# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Traffic between two namespaces through testpmd io forwarding."""

import re

import pytest

from conftest import iperf3, link_info, ping, run

# a few io-wq workers are normal; one per in-flight read or write is not
IOWQ_WORKERS_MAX = 64


def test_ping_both_ways(fwd_pair):
    p = fwd_pair
    loss, out = ping(p.ns1, p.ip2)
    assert loss == 0, out
    loss, out = ping(p.ns2, p.ip1)
    assert loss == 0, out

    # forward statistics count from `start` (testpmd flushes older packets)
    fwd = p.tp.stop_forwarding()
    for port, peer in ((0, 1), (1, 0)):
        # at least 5 echo requests and 5 replies each way
        assert fwd[port]["RX-packets"] >= 10, fwd
        # io forwarding: what one port received the other one sent
        assert fwd[port]["RX-dropped"] == 0 and fwd[peer]["TX-dropped"] == 0, fwd
        assert fwd[peer]["TX-packets"] == fwd[port]["RX-packets"], fwd
    s0, s1 = p.tp.stats(0), p.tp.stats(1)
    assert s0["RX-bytes"] >= 60 * s0["RX-packets"] > 0, s0
    assert s1["RX-bytes"] >= 60 * s1["RX-packets"] > 0, s1
    for s in (s0, s1):
        assert s["RX-errors"] == 0 and s["TX-errors"] == 0 and s["RX-nombuf"] == 0, s
    # the kernel received what the ports claim to have sent
    k1 = link_info(p.a, p.ns1, stats=True)["stats64"]
    k2 = link_info(p.b, p.ns2, stats=True)["stats64"]
    assert k1["rx"]["packets"] >= s0["TX-packets"] >= 10, (k1, s0)
    assert k2["rx"]["packets"] >= s1["TX-packets"] >= 10, (k2, s1)


def test_iperf3_tcp_both_directions(fwd_pair):
    p = fwd_pair
    for reverse in (False, True):
        end = iperf3(p, reverse)
        sent, received = end["sum_sent"], end["sum_received"]
        print("%s: %.1f Mbit/s received, %d retransmits"
              % ("ns2 -> ns1" if reverse else "ns1 -> ns2",
                 received["bits_per_second"] / 1e6, sent.get("retransmits", -1)))
        assert received["bits_per_second"] > 0, end
        assert received["bytes"] > 0 and sent["bytes"] > 0, end
        assert received["seconds"] >= 2.5, end
    # io_uring serves TAP reads and writes without blocking: with O_NONBLOCK fds
    # and poll-driven retries it needs no io-wq worker thread per request
    threads = p.tp.threads()
    workers = sum(n for name, n in threads.items() if name.startswith("iou-wrk"))
    assert workers <= IOWQ_WORKERS_MAX, "%d io_uring worker threads in testpmd: %s" % (
        workers, threads)
    fwd = p.tp.stop_forwarding()
    for port in (0, 1):
        assert fwd[port]["RX-packets"] > 1000 and fwd[port]["TX-packets"] > 1000, fwd


def test_two_queues_parallel_flows(make_fwd_pair):
    """Two queue pairs per port: 16 TCP flows spread over both, nothing lost."""
    p = make_fwd_pair(queues=2)
    loss, out = ping(p.ns1, p.ip2)
    assert loss == 0, out
    end = iperf3(p, reverse=False, extra=["-P", "16"], seconds=2)
    assert end["sum_received"]["bits_per_second"] > 0, end
    fwd = p.tp.stop_forwarding()
    for port, peer in ((0, 1), (1, 0)):
        assert fwd[peer]["TX-packets"] + fwd[peer]["TX-dropped"] == fwd[port]["RX-packets"], fwd
    for port in (0, 1):
        x = p.tp.xstats(port)
        # the kernel spreads flows over the queues (16 flows on one queue: p = 2^-15)
        assert x["rx_q0_packets"] > 0 and x["rx_q1_packets"] > 0, x
        assert x["tx_q0_packets"] > 0 and x["tx_q1_packets"] > 0, x
        assert x["rx_q0_packets"] + x["rx_q1_packets"] == x["rx_good_packets"], x


@pytest.mark.parametrize("rx", ["big_mbufs", "scatter"])
def test_jumbo_frames(make_fwd_pair, rx):
    """MTU 9000 end to end: in one mbuf, or scattered over 2 KiB mbufs."""
    args = ["--max-pkt-len=9018"]
    args += ["--mbuf-size=9400"] if rx == "big_mbufs" else ["--enable-scatter"]
    p = make_fwd_pair(app_args=args)
    for port in (0, 1):
        assert re.search(r"MTU:\s*9000", p.tp.cmd("show port info %d" % port))
    for name, ns in ((p.a, p.ns1), (p.b, p.ns2)):
        assert link_info(name, ns)["mtu"] == 9000, "kernel MTU of %s" % name
    for src, dst in ((p.ns1, p.ip2), (p.ns2, p.ip1)):
        res = run(["ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "-M", "do", "-s", "8972",
                   dst], netns=src, check=False)
        assert " 0% packet loss" in res.stdout, res.stdout + res.stderr
    fwd = p.tp.stop_forwarding()
    for port, peer in ((0, 1), (1, 0)):
        assert fwd[peer]["TX-packets"] == fwd[port]["RX-packets"] >= 6, fwd
    s0 = p.tp.stats(0)
    assert s0["RX-bytes"] >= 6 * 9000, s0


@pytest.mark.parametrize("rxq,txq", [(1, 3), (2, 3)])
def test_unequal_queue_counts(make_fwd_pair, rxq, txq):
    """Rx and tx queue counts need not match (OVS asks for one tx queue per
    PMD thread plus one): ping and TCP through testpmd. (More rx than tx
    queues is covered by rtap_ops_autotest: testpmd then polls only as many
    rx queues as it has tx queues, and would lose what the kernel steers to
    the others on any NIC.)"""
    p = make_fwd_pair(app_args=["--rxq=%d" % rxq, "--txq=%d" % txq])
    for port in (0, 1):
        info = p.tp.cmd("show port info %d" % port)
        assert re.search(r"Current number of RX queues:\s*%d" % rxq, info), info
        assert re.search(r"Current number of TX queues:\s*%d" % txq, info), info
    loss, out = ping(p.ns1, p.ip2)
    assert loss == 0, out
    end = iperf3(p, reverse=False, extra=["-P", "4"], seconds=2)
    assert end["sum_received"]["bits_per_second"] > 0, end


def test_show_rxq_info(make_fwd_pair):
    """testpmd's queue info reports the set-up: ring size and scattered rx."""
    p = make_fwd_pair(app_args=["--max-pkt-len=9018", "--enable-scatter", "--rxd=1024"])
    out = p.tp.cmd("show rxq info 0 0")
    assert re.search(r"Number of RXDs:\s*1024", out), out
    assert re.search(r"RX scattered packets:\s*on", out), out
    out = p.tp.cmd("show txq info 0 0")
    assert re.search(r"Number of TXDs:\s*\d+", out), out
