#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Soaks (devtools/soak.py says what each does and prints): hotplug cycles,
# iperf3 with offloads plus a flood with stats reads and resets, queue and
# port restarts under traffic. Not part of CI but for --quick, the ~60 s
# version run-tests.sh counts as one check (RTAP_SKIP_SOAK=1 skips it).
#
#   devtools/soak.sh                    1000 cycles, 600 s traffic, 600 s restarts
#   devtools/soak.sh --quick            the CI version
#   devtools/soak.sh --cycles 200 --traffic-seconds 60 --restart-seconds 60
#   devtools/soak.sh --only hotplug     one phase (repeatable)
#
# As root, after a build (ninja -C build; RTAP_BUILD_DIR names another);
# testpmd runs this tree's plugin (-d), never the installed one.

set -u
cd "$(dirname "$0")/.." || exit 1
exec /usr/bin/python3 devtools/soak.py "$@"
