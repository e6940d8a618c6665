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
