#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Build, install and test net_rtap: the README's test command (.ci/run runs it).
# As root on Debian 12:
#   1. devtools/setup.sh (packages, driver-SDK headers, hugepages)
#   2. meson setup (or reconfigure) + ninja + meson install
#   3. unit tests: meson test --suite unit
#   4. integration tests: pytest test/ (testpmd, namespaces, iperf3)
#   5. lint: shellcheck and codespell (counted), clang-format (reported only)
#   6. the benchmark's quick mode, once (counted: it ran, not how fast)
# and prints, last, one line "N passed, N failed, N skipped" counting every
# test case (devtools/test-summary.py says how; a failed setup, build or
# install counts as one failed case). Exit status 1 if any failed.
#
# Environment: RTAP_BUILD_DIR (default build), RTAP_PYTEST_ARGS (extra pytest
# arguments, e.g. "-k persist"), RTAP_SKIP_SETUP=1, RTAP_SKIP_UNIT=1,
# RTAP_SKIP_PYTEST=1, RTAP_SKIP_LINT=1.

set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

BUILD=${RTAP_BUILD_DIR:-build}
PY=/usr/bin/python3 # Debian's: the tests' modules come from Debian packages
export PYTHONDONTWRITEBYTECODE=1

checks=()
summary_args=()

section()
{
	printf '\n===== run-tests: %s =====\n' "$*"
}

check()
{
	checks+=(--check "$1=$2")
	echo "run-tests: $1: $2"
}

finish()
{
	section "summary"
	"$PY" devtools/test-summary.py "${checks[@]}" "${summary_args[@]}"
	exit $?
}

if [ "$(id -u)" -ne 0 ]; then
	echo "run-tests: must run as root (TAP devices, namespaces, hugepages)" >&2
	check root failed
	finish
fi

if [ "${RTAP_SKIP_SETUP:-0}" != 1 ]; then
	section "devtools/setup.sh"
	sh devtools/setup.sh || check setup failed
fi

section "meson setup $BUILD"
if [ -f "$BUILD/build.ninja" ]; then
	meson setup --reconfigure "$BUILD" || meson setup --wipe "$BUILD"
elif [ -d "$BUILD/meson-private" ]; then
	meson setup --wipe "$BUILD" # an earlier setup that did not finish
else
	meson setup "$BUILD"
fi
rc=$?
section "ninja -C $BUILD"
if [ $rc -ne 0 ] || ! ninja -C "$BUILD"; then
	check build failed
	finish
fi

section "meson install -C $BUILD"
installed=1
if ! meson install -C "$BUILD" --no-rebuild; then
	check install failed
	installed=0
fi

if [ "${RTAP_SKIP_UNIT:-0}" != 1 ]; then
	section "unit tests: meson test --suite unit"
	rm -f "$BUILD"/meson-logs/testlog*.json
	meson test -C "$BUILD" --suite unit --print-errorlogs
	summary_args+=(--meson-log "$BUILD/meson-logs/testlog.json" --meson-rc $?)
fi

if [ "${RTAP_SKIP_PYTEST:-0}" != 1 ]; then
	section "integration tests: pytest test/"
	if [ $installed -eq 1 ]; then
		rm -f "$BUILD/pytest.xml"
		# shellcheck disable=SC2086 # RTAP_PYTEST_ARGS is a list of words
		"$PY" -m pytest test/ -v -p no:cacheprovider -rfEs --durations=5 \
			--junitxml="$BUILD/pytest.xml" ${RTAP_PYTEST_ARGS:-}
		summary_args+=(--junit "$BUILD/pytest.xml" --pytest-rc $?)
	else
		echo "run-tests: not run: the plugin could not be installed"
	fi
fi

if [ "${RTAP_SKIP_LINT:-0}" != 1 ]; then
	section "lint"
	for tool in shellcheck codespell; do
		if bash devtools/lint.sh "$tool"; then
			check "lint-$tool" passed
		else
			check "lint-$tool" failed
		fi
	done
	# formatting differences are reported, not counted as failures
	RTAP_LINT_BRIEF=1 bash devtools/lint.sh clang-format || true
fi

# The benchmark is no pass/fail test (timings are noisy here); its quick mode
# runs once to prove it still works end to end: it fails only when a scenario
# could not be measured at all.
if [ "${RTAP_SKIP_BENCH:-0}" != 1 ] && [ -x "$(command -v dpdk-testpmd)" ]; then
	section "benchmark quick mode: devtools/bench.sh --quick"
	if bash devtools/bench.sh --quick --out "$BUILD/bench-quick"; then
		check bench-quick passed
	else
		check bench-quick failed
	fi
fi

finish
