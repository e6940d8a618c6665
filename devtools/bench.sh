#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Entry point of the benchmark: devtools/bench.sh [--quick] [--pmd ...] [--scenario ...]
# See devtools/bench/bench.py --help for the options, devtools/bench/rtapbench/
# (its __init__.py) for the method.
exec /usr/bin/python3 "$(dirname "$0")/bench/bench.py" "$@"
