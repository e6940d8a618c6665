# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""What `meson install` put in DPDK's PMD directory is a working plugin."""

import json
import os
import shutil
import tempfile

import pytest

from conftest import PMD, PMD_SO, run, vdev, wait_link

# devargs keys the driver advertises (RTE_PMD_REGISTER_PARAM_STRING)
PARAMS = {"net_rtap": ("iface=", "mac=", "persist")}.get(PMD, ("iface=",))


def test_pmdinfo_of_installed_plugin():
    assert os.path.isfile(PMD_SO), "%s not installed: run meson install -C build" % PMD_SO
    res = run(["/usr/bin/python3", "/usr/bin/dpdk-pmdinfo.py", PMD_SO])
    drivers = {d["name"]: d for d in json.loads(res.stdout)}
    assert PMD in drivers, res.stdout
    params = drivers[PMD].get("params", "")
    for key in PARAMS:
        assert key in params, "%r not in the advertised params %r" % (key, params)


@pytest.fixture
def private_dir():
    # EAL refuses plugins below a world-writable directory (/tmp, /var/tmp)
    path = tempfile.mkdtemp(prefix="net-rtap-test-", dir="/run")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_plugin_loads_with_d(testpmd, netns, ifname, private_dir):
    assert os.path.isfile(PMD_SO), "%s not installed: run meson install -C build" % PMD_SO
    copy = os.path.join(private_dir, os.path.basename(PMD_SO))
    shutil.copy(PMD_SO, copy)
    ns = netns()
    name = ifname("d")
    tp = testpmd(vdevs=[vdev(0, iface=name)], netns=ns,
                 eal_args=["-d", copy, "--log-level=lib.eal:debug"])
    assert "open shared lib %s" % copy in tp.startup, tp.startup
    assert "Error" not in "".join(line for line in tp.startup.splitlines() if copy in line)
    assert tp.nb_ports() == 1
    assert PMD in tp.cmd("show port summary all")
    wait_link(name, ns)
    assert tp.quit() == 0
