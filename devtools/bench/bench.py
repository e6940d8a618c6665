#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Benchmark net_rtap against net_tap, net_af_packet and net_af_xdp.

The entry point of the rtapbench package beside this file (as root, with
/usr/bin/python3; devtools/bench.sh runs it). The method, the scenarios and
the outputs are described in rtapbench/__init__.py; --help lists the options.

    rtapbench/common.py     names, interference accounting, kernel objects, helpers
    rtapbench/scenarios.py  the PMDs under test and the scenarios S1-S4
    rtapbench/report.py     medians and ratios, summary.md/.csv, runs.csv, bench.png
    rtapbench/cli.py        options and the run
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rtapbench.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
