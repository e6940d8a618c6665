#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Build, install and test net_rtap: the README's test command (.ci/run runs it).
# As root on Debian 12, 13 or sid:
#   1. devtools/setup.sh (packages, driver-SDK headers, hugepages)
#   2. meson setup (or reconfigure) + ninja + meson install
#   3. unit tests: meson test --suite unit
#   4. the unit tests again under ASan+UBSan+LSan: a second build dir
#      ($BUILD-asan, -Db_sanitize=address,undefined) building only
#      dpdk-test-rtap; its cases count as asan/<test>. Any sanitizer report
#      fails its test (options: app/test/meson.build).
#   5. fuzzing: each libFuzzer target of app/fuzz (devtools/fuzz.sh --list)
#      for RTAP_FUZZ_SECONDS (default 60) from its seed corpus, built with
#      clang in $BUILD-fuzz; each counts as fuzz/<target>, failed on any
#      crash, leak or sanitizer report (and a failed build as fuzz/build)
#   6. integration tests: pytest test/ (testpmd, Open vSwitch, namespaces, iperf3)
#   7. lint: shellcheck and codespell (counted), clang-format (reported only)
#   8. the benchmark's quick mode, once (counted: it ran, not how fast)
#   9. the soaks' quick mode, devtools/soak.sh --quick (~60 s; one check,
#      soak-quick: hotplug cycles, traffic with stats resets, restarts)
#  10. the other Debian releases: this same command in a chroot of Debian 13
#      "trixie" (DPDK 24.11) and of sid (DPDK 25.11) built from this
#      machine's mirror (devtools/test-distro.sh RELEASE, which says how), with
#      the driver-SDK headers from ../shared/dpdk-sdk/ beside the repository;
#      there steps 1-4, 6 and 7 (the fuzzing, benchmark and soak stages test
#      no release-specific code and run on the host only, for CI's time);
#      each prints its own "N passed, N failed, N skipped"
# and prints, last, one line "N passed, N failed, N skipped" counting every
# test case, the other releases' too (devtools/test-summary.py says how; a
# failed setup, build or install counts as one failed case, a release that
# cannot be tested here one skipped case, with the reason). Exit status 1 if
# any failed.
#
# Environment: RTAP_BUILD_DIR (default build), RTAP_ASAN_BUILD_DIR (default
# $RTAP_BUILD_DIR-asan), RTAP_PYTEST_ARGS (extra pytest arguments, e.g.
# "-k persist"), RTAP_SKIP_SETUP=1, RTAP_SKIP_UNIT=1, RTAP_SKIP_ASAN=1 (the
# sanitizer run of step 4; RTAP_SKIP_UNIT does not skip it), RTAP_SKIP_PYTEST=1,
# RTAP_SKIP_LINT=1, RTAP_SKIP_FUZZ=1 (step 5; RTAP_FUZZ_SECONDS: time per
# target, RTAP_FUZZ_BUILD_DIR: default $RTAP_BUILD_DIR-fuzz), RTAP_SKIP_BENCH=1,
# RTAP_SKIP_SOAK=1, RTAP_SKIP_DISTRO=1 (step 10; set inside the chroots),
# RTAP_DISTRO_RELEASES (step 10's releases, default "trixie sid"; bookworm
# works too); the other RTAP_* variables reach the chroots' runs, and
# devtools/test-distro.sh reads RTAP_DISTRO_* of its own.

set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

BUILD=${RTAP_BUILD_DIR:-build}
ASAN_BUILD=${RTAP_ASAN_BUILD_DIR:-$BUILD-asan}
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

# meson_setup DIR [OPTION]...: set up, or reconfigure, a build directory
meson_setup()
{
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" || meson setup --wipe "$dir" "$@"
	elif [ -d "$dir/meson-private" ]; then
		meson setup --wipe "$dir" "$@" # an earlier setup that did not finish
	else
		meson setup "$dir" "$@"
	fi
}

section "meson setup $BUILD"
meson_setup "$BUILD"
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

# The unit suites again, driver and tests built with ASan and UBSan (DPDK's own
# libraries are Debian's, not instrumented). Only the test program is built:
# no plugin, nothing installed. b_lundef=false: clang's sanitizer runtimes
# leave symbols undefined in shared objects (harmless with gcc).
if [ "${RTAP_SKIP_ASAN:-0}" != 1 ]; then
	asan_start=$SECONDS
	section "sanitizers: meson setup $ASAN_BUILD"
	meson_setup "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false
	rc=$?
	section "sanitizers: ninja -C $ASAN_BUILD app/test/dpdk-test-rtap"
	if [ $rc -ne 0 ] || ! ninja -C "$ASAN_BUILD" app/test/dpdk-test-rtap; then
		check asan-build failed
	else
		section "sanitizers: meson test -C $ASAN_BUILD --suite unit"
		rm -f "$ASAN_BUILD"/meson-logs/testlog*.json
		meson test -C "$ASAN_BUILD" --suite unit --no-rebuild --print-errorlogs
		summary_args+=(--meson-log "$ASAN_BUILD/meson-logs/testlog.json" --meson-rc $?
			--meson-prefix asan/)
	fi
	echo "run-tests: sanitizer stage took $((SECONDS - asan_start)) s"
fi

if [ "${RTAP_SKIP_FUZZ:-0}" != 1 ]; then
	fuzz_start=$SECONDS
	export RTAP_FUZZ_BUILD_DIR=${RTAP_FUZZ_BUILD_DIR:-$BUILD-fuzz}
	section "fuzz: devtools/fuzz.sh --build ($RTAP_FUZZ_BUILD_DIR)"
	if ! bash devtools/fuzz.sh --build; then
		check fuzz/build failed
	else
		for target in $(bash devtools/fuzz.sh --list); do
			section "fuzz: devtools/fuzz.sh $target ${RTAP_FUZZ_SECONDS:-60}"
			if bash devtools/fuzz.sh "$target" "${RTAP_FUZZ_SECONDS:-60}"; then
				check "fuzz/$target" passed
			else
				check "fuzz/$target" failed
			fi
		done
	fi
	echo "run-tests: fuzz stage took $((SECONDS - fuzz_start)) s"
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

if [ "${RTAP_SKIP_SOAK:-0}" != 1 ] && [ -x "$(command -v dpdk-testpmd)" ]; then
	section "soaks, quick mode: devtools/soak.sh --quick"
	if RTAP_BUILD_DIR=$BUILD bash devtools/soak.sh --quick; then
		check soak-quick passed
	else
		check soak-quick failed
	fi
fi

# The other Debian releases, each in a chroot of its own, one after the other
# (they share this machine's kernel, cores and hugepages).
if [ "${RTAP_SKIP_DISTRO:-0}" != 1 ]; then
	for rel in ${RTAP_DISTRO_RELEASES:-trixie sid}; do
		section "Debian $rel: devtools/test-distro.sh $rel"
		mkdir -p "$BUILD"
		rm -f "$BUILD/distro-$rel.result"
		# all but fuzzing, benchmark and soaks (see the header)
		RTAP_SKIP_FUZZ=1 RTAP_SKIP_SOAK=1 RTAP_SKIP_BENCH=1 \
			bash devtools/test-distro.sh --result "$BUILD/distro-$rel.result" "$rel"
		summary_args+=(--distro "$rel=$BUILD/distro-$rel.result")
	done
fi

finish
