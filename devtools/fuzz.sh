#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Build and run the libFuzzer targets of app/fuzz (clang,
# -fsanitize=fuzzer,address,undefined), each from its seed corpus
# app/fuzz/corpus/<target>/ (app/fuzz/gen_corpus.py writes it).
#
#   devtools/fuzz.sh --list              the targets, one a line
#   devtools/fuzz.sh --build             build them only
#   devtools/fuzz.sh TARGET SECONDS      fuzz TARGET for SECONDS ("all": each target)
#   devtools/fuzz.sh --run TARGET FILE...  run TARGET on inputs (a crash to reproduce)
#
# A run fails (exit 1) on any crash, failed property, sanitizer report
# (ASan, UBSan), leak (LeakSanitizer; for mbufs, the target's own pool
# check), timeout (-timeout=10 s per input) or out-of-memory; the input that
# did it is left in $BUILD/fuzz-artifacts/<target>/ and the log in
# $BUILD/fuzz-logs/<target>.log. New inputs found go to
# $BUILD/fuzz-corpus/<target>/, never into the tree.
#
# Environment: RTAP_FUZZ_BUILD_DIR (default build-fuzz), RTAP_FUZZ_ARGS (more
# libFuzzer flags, e.g. "-jobs=2" or "-seed=1").

set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

BUILD=${RTAP_FUZZ_BUILD_DIR:-build-fuzz}
TARGETS="fuzz_rx fuzz_tx fuzz_args"

# Largest input each target gets: a 64-segment read, a 42-segment packet, a devargs line.
max_len()
{
	case $1 in
	fuzz_rx) echo 20000 ;;
	fuzz_tx) echo 8192 ;;
	*) echo 512 ;;
	esac
}

die()
{
	echo "fuzz.sh: $*" >&2
	exit 1
}

build()
{
	if ! command -v clang >/dev/null; then
		die "clang not found (devtools/setup.sh installs clang and libclang-rt-dev)"
	fi
	local log
	log=$(mktemp)
	if [ ! -f "$BUILD/build.ninja" ]; then
		rm -rf "$BUILD"
		CC=clang meson setup "$BUILD" -Dfuzz=true -Db_lundef=false >"$log" 2>&1 ||
			{ cat "$log"; rm -f "$log"; die "meson setup $BUILD failed"; }
	fi
	local t paths=()
	for t in $TARGETS; do
		paths+=("app/fuzz/$t")
	done
	ninja -C "$BUILD" "${paths[@]}" >"$log" 2>&1 ||
		{ cat "$log"; rm -f "$log"; die "build failed"; }
	rm -f "$log"
}

known()
{
	case " $TARGETS " in *" $1 "*) return 0 ;; esac
	die "no target $1 (devtools/fuzz.sh --list)"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# fuzz_one TARGET SECONDS
fuzz_one()
{
	local t=$1 secs=$2 work="$BUILD/fuzz-corpus/$1" art="$BUILD/fuzz-artifacts/$1"
	local log="$BUILD/fuzz-logs/$1.log" rc
	mkdir -p "$work" "$art" "$BUILD/fuzz-logs"
	rm -f "$art"/*
	echo "fuzz.sh: $t for $secs s (corpus app/fuzz/corpus/$t, log $log)"
	# shellcheck disable=SC2086 # RTAP_FUZZ_ARGS is a list of flags
	"$BUILD/app/fuzz/$t" -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
		${RTAP_FUZZ_ARGS:-} "$work" "app/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$log" | sed "s/^/  $t: /"
	echo "  $t: corpus $(find "$work" -type f | wc -l) inputs in $work"
	if [ $rc -ne 0 ] || [ -n "$(ls -A "$art")" ]; then
		grep -E 'ERROR|runtime error|fuzz: |SUMMARY' "$log" | head -20 | sed "s/^/  $t: /"
		echo "fuzz.sh: $t FAILED (exit $rc); input(s): $(find "$art" -type f | tr '\n' ' ')"
		echo "  reproduce: devtools/fuzz.sh --run $t $art/<file>"
		return 1
	fi
	echo "fuzz.sh: $t passed"
	return 0
}

case ${1:-} in
--list)
	# shellcheck disable=SC2086 # a list of targets
	printf "%s\n" $TARGETS
	exit 0
	;;
--build)
	build
	exit 0
	;;
--run)
	[ $# -ge 3 ] || die "usage: devtools/fuzz.sh --run TARGET FILE..."
	known "$2"
	build
	t=$2
	shift 2
	exec "$BUILD/app/fuzz/$t" "$@"
	;;
"" | -h | --help)
	sed -n '5,22p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac

[ $# -eq 2 ] || die "usage: devtools/fuzz.sh TARGET SECONDS"
case $2 in '' | *[!0-9]*) die "SECONDS must be a number" ;; esac
[ "$1" = all ] || known "$1"
build
failed=0
for t in $TARGETS; do
	if [ "$1" = all ] || [ "$1" = "$t" ]; then
		fuzz_one "$t" "$2" || failed=1
	fi
done
exit $failed
