# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""A secondary process (Debian's dpdk-proc-info) reads a running testpmd's
net_rtap ports, and leaves the primary's ports working when it exits."""

import re

from conftest import link_info, ping, run


def _proc_info(prefix, *args):
    res = run(["/usr/bin/dpdk-proc-info", "--file-prefix=" + prefix, "--no-pci", "--",
               *args], timeout=60, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def _proc_info_stats(out, port):
    # the port's totals end at a blank line (22.11: per-queue "Stats reg" lines
    # follow) or at the block's closing line of #s (25.11 has no per-queue lines)
    m = re.search(r"NIC statistics for port %d\s+#+\n(.*?)\n\s*(?:\n|#{20,})" % port, out,
                  re.S)
    assert m, out
    return {k: int(v) for k, v in re.findall(r"([RT]X-[a-z]+):\s+(\d+)", m.group(1))}


def test_proc_info_secondary(make_fwd_pair):
    p = make_fwd_pair(in_memory=False)
    loss, out = ping(p.ns1, p.ip2)
    assert loss == 0, out
    p.tp.stop_forwarding()

    out = _proc_info(p.tp.prefix, "--stats")
    for port in (0, 1):
        primary = p.tp.stats(port)
        secondary = _proc_info_stats(out, port)
        assert primary["RX-packets"] >= 5, primary
        for key in ("RX-packets", "RX-bytes", "TX-packets", "TX-bytes"):
            assert secondary[key] == primary[key], (port, key, primary, secondary)

    out = _proc_info(p.tp.prefix, "--xstats")
    m = re.search(r"rx_good_packets:\s*(\d+)", out)
    assert m and int(m.group(1)) == p.tp.stats(0)["RX-packets"], out

    # the secondary has exited: the primary's interfaces and data path are intact
    assert link_info(p.a, p.ns1) and link_info(p.b, p.ns2)
    assert "io packet forwarding" in p.tp.cmd("start")
    loss, out = ping(p.ns2, p.ip1)
    assert loss == 0, out
    fwd = p.tp.stop_forwarding()
    assert fwd[0]["RX-packets"] >= 5 and fwd[1]["RX-packets"] >= 5, fwd
    assert p.tp.quit() == 0
