# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Ports stopped, restarted and reconfigured while traffic flows: the kernel
side follows the queue count, nothing leaks (fds, mbufs) and traffic resumes."""

import os
import re
import subprocess

from conftest import ping, run, wait_for

# testpmd's own failure messages (a PMD's log lines may say "Failed to ..." too)
TESTPMD_FAILURE = re.compile(r"Fail(ed)? to (start|stop|close|configure|setup)|Invalid port|"
                             r"Please (stop|close)|not stopped")


CYCLES = 10


def _cmd(tp, command):
    out = tp.cmd(command)
    assert not TESTPMD_FAILURE.search(out), "%s:\n%s" % (command, out)
    return out


def _kernel_queues(name, netns):
    """Number of tx queues the kernel gives the interface (one per attached fd)."""
    res = run(["ls", "/sys/class/net/%s/queues" % name], netns=netns)
    return len([q for q in res.stdout.split() if q.startswith("tx-")])


def _restart(tp, queues=None):
    _cmd(tp, "stop")
    _cmd(tp, "port stop all")
    if queues:
        _cmd(tp, "port config all rxq %d" % queues)
        _cmd(tp, "port config all txq %d" % queues)
    _cmd(tp, "port start all")
    assert "io packet forwarding" in _cmd(tp, "start")


def test_queue_count_changes(make_fwd_pair):
    p = make_fwd_pair()
    fds = {}
    for step, queues in enumerate((2, 4, 1, 3, 1)):
        _restart(p.tp, queues)
        for name, ns in ((p.a, p.ns1), (p.b, p.ns2)):
            wait_for(lambda: _kernel_queues(name, ns) == queues, 5,
                     "%s to have %d kernel queues (has %d)"
                     % (name, queues, _kernel_queues(name, ns)))
        for src, dst in ((p.ns1, p.ip2), (p.ns2, p.ip1)):
            loss, out = ping(src, dst, count=3)
            assert loss == 0, "%d queues: %s" % (queues, out)
        if queues == 1:
            fds[step] = p.tp.fd_count()
    assert fds[4] == fds[2], "fds with 1 queue pair: %s" % fds
    fwd = p.tp.stop_forwarding()
    for port, peer in ((0, 1), (1, 0)):
        assert fwd[peer]["TX-packets"] == fwd[port]["RX-packets"] > 0, fwd


def test_stop_start_under_traffic(make_fwd_pair):
    """10 port restarts with a ping flood running: no mbuf or fd leak.

    Each restart costs about a second: with its queues detached the kernel
    turns the carrier off, and linkwatch reactivates the qdisc up to 1 s after
    the carrier comes back."""
    # a small pool: a leak of one ring's worth of mbufs per restart empties it
    p = make_fwd_pair(mbufs=4096, static_neigh=True)
    flood = subprocess.Popen(["ip", "netns", "exec", p.ns1, "ping", "-q", "-n", "-i", "0.001",
                              "-w", "60", p.ip2],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fds = {}
    try:
        for cycle in range(1, CYCLES + 1):
            before = p.tp.stats(0)["RX-packets"]
            _restart(p.tp)
            # traffic flows again before the next restart
            wait_for(lambda: p.tp.stats(0)["RX-packets"] > before + 20, 10,
                     "traffic after restart %d" % cycle)
            if cycle in (2, CYCLES):
                fds[cycle] = p.tp.fd_count()
    finally:
        flood.kill()
        flood.wait()
    assert fds[CYCLES] == fds[2], "fd count: %s" % fds
    for src, dst in ((p.ns1, p.ip2), (p.ns2, p.ip1)):
        loss, out = ping(src, dst)
        assert loss == 0, out
    p.tp.stop_forwarding()
    for port in (0, 1):
        s = p.tp.stats(port)
        assert s["RX-nombuf"] == 0, s
    assert os.path.exists("/proc/%d" % p.tp.pid)
