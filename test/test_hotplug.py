# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""testpmd `port attach` / `port detach` cycles leave nothing behind."""

import re

from conftest import PMD, link_info, vdev, wait_link, wait_link_gone

CYCLES = 50
# testpmd's own failure messages (a PMD's log lines may say "Failed to ..." too)
TESTPMD_FAILURE = re.compile(r"Fail(ed)? to (start|stop|close|configure|setup)|Invalid port|"
                             r"Please (stop|close)|not stopped")


def test_attach_detach_loop(testpmd, ifname):
    name = ifname("h")
    tp = testpmd(vdevs=[])
    assert tp.nb_ports() == 0
    fds = {}
    for cycle in range(1, CYCLES + 1):
        out = tp.cmd("port attach " + vdev(9, iface=name))
        m = re.search(r"Port (\d+) is attached", out)
        assert m, "cycle %d: attach failed:\n%s" % (cycle, out)
        port = int(m.group(1))
        wait_link(name, timeout=5)
        # odd cycles: stop, then `port detach` (which closes); even cycles:
        # stop, close (releases the port), then `device detach` by name
        commands = ["port start %d" % port, "port stop %d" % port]
        if cycle % 2:
            commands += ["port detach %d" % port]
        else:
            commands += ["port close %d" % port, "device detach %s9" % PMD]
        for command in commands:
            out = tp.cmd(command)
            assert not TESTPMD_FAILURE.search(out), "cycle %d: %s:\n%s" % (cycle, command, out)
            if command.startswith("port start"):
                assert re.search(r"Port %d: ([0-9A-F]{2}:){5}" % port, out), out
            elif command.startswith("port close"):
                assert "Port %d is closed" % port in out, out
        assert "is detached" in out, "cycle %d: detach failed:\n%s" % (cycle, out)
        wait_link_gone(name, timeout=5)
        if cycle in (5, CYCLES):
            fds[cycle] = tp.fd_count()
    assert tp.nb_ports() == 0
    assert fds[CYCLES] <= fds[5], "fd count grew from %d (cycle 5) to %d (cycle %d)" % (
        fds[5], fds[CYCLES], CYCLES)
    assert tp.quit() == 0
    assert link_info(name) is None
