# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Bad devargs: no port, a log line saying why, and no interface left behind.

testpmd runs in a fresh namespace, so any interface a failed probe left
behind would show up there.
"""

import pytest

from conftest import PMD, link_names, vdev, wait_link

# case -> (devargs, a word the driver's log line about it must contain)
BAD = {
    "empty_iface": ({"iface": ""}, "iface"),
    "unknown_key": ({"iface": "{name}", "foo": "1"}, "foo"),
    "bad_persist": ({"iface": "{name}", "persist": "2"}, "persist"),
    "bad_mac": ({"iface": "{name}", "mac": "zz:00:00:00:00:01"}, "mac"),
    "short_mac": ({"iface": "{name}", "mac": "02:00:00:00:01"}, "mac"),
    "long_iface": ({"iface": "rt" + "x" * 16}, "iface"),
    "bad_iface_chars": ({"iface": "rt/bad"}, "iface"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_devargs(case, testpmd, netns, ifname):
    ns = netns()
    name = ifname("e")
    devargs = {k: v.format(name=name) for k, v in BAD[case][0].items()}
    tp = testpmd(vdevs=[vdev(0, **devargs)], netns=ns, start=False)
    if tp.wait_prompt():
        # testpmd carries on without the port
        assert tp.nb_ports() == 0, tp.output()
        assert link_names(ns) == ["lo"], link_names(ns)
        assert tp.quit() == 0
    else:
        assert tp.exitstatus != 0
    out = tp.output()
    failed = "failed to initialize %s0 device" % PMD
    assert failed in out, out
    # the driver said what is wrong, before EAL gave up on the device
    said = [line for line in out[:out.index(failed)].splitlines()
            if BAD[case][1] in line and not line.startswith(("EAL:", "testpmd:"))]
    assert said, "no log line about %r before %r:\n%s" % (BAD[case][1], failed, out)
    assert link_names(ns) == ["lo"], link_names(ns)


def test_good_devargs_control(testpmd, netns, ifname):
    """The same setup with valid devargs does create the port and interface."""
    ns = netns()
    name = ifname("g")
    tp = testpmd(vdevs=[vdev(0, iface=name, mac="02:00:00:12:34:56", persist=0)], netns=ns)
    assert tp.nb_ports() == 1
    info = wait_link(name, ns)
    assert info["address"] == "02:00:00:12:34:56"
    assert "02:00:00:12:34:56" in tp.cmd("show port info 0").lower()
    assert tp.quit() == 0
