#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Prepare a Debian 12, 13 or sid machine to build, install and test net_rtap.
# Idempotent: a second run only checks what the first one did.
#   - installs the Debian packages the build and the tests use (and Open
#     vSwitch with DPDK where the release has it: test/test_ovs.py)
#   - installs DPDK's driver-SDK headers (not shipped by libdpdk-dev) into
#     $RTAP_SDK_ROOT/<version>, from the first of:
#       1. RTAP_DPDK_SDK=DIR when set: a directory holding the five headers
#          (flat, or a DPDK source tree), checked against the installed
#          DPDK's major version (DIR/VERSION, DIR/TAG or DIR's name)
#       2. Debian's source package of exactly the installed DPDK version,
#          where the machine's apt sources serve it
#     else it stops with one message saying how to get them (exit status 2).
#   - reserves hugepages and mounts hugetlbfs
# Must run as root (but for --packages, which prints the required packages).

set -eu

SDK_ROOT=${RTAP_SDK_ROOT:-/usr/local/include/dpdk-sdk}
NR_HUGEPAGES=${RTAP_HUGEPAGES:-512}
SRC_LIST=/etc/apt/sources.list.d/net-rtap-deb-src.list
CACHE=/var/cache/net-rtap
PYLIB=$(dirname "$0")/pylib

PACKAGES="dpdk dpdk-dev libdpdk-dev liburing-dev meson ninja-build pkg-config gcc
python3-pyelftools python3-pytest python3-pexpect python3-scapy python3-matplotlib
iproute2 iputils-ping iperf3 tcpdump ethtool dpkg-dev codespell shellcheck cppcheck clang-format
clang libclang-rt-dev"
# installed where the release has them; the tests that need them skip, saying
# why, where it does not
OPTIONAL_PACKAGES="openvswitch-switch-dpdk"

SDK_HEADERS="lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h
drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/dev_driver.h
lib/eal/include/bus_driver.h"

log()
{
	echo "setup: $*"
}

# exit status 1, or $SETUP_EXIT: 2 when the driver-SDK headers cannot be had
die()
{
	echo "setup: error: $*" >&2
	exit "${SETUP_EXIT:-1}"
}

# --packages: print the packages it needs, one a line (devtools/test-distro.sh
# checks a release has them all before it builds a chroot of it)
if [ "${1:-}" = --packages ]; then
	# shellcheck disable=SC2086 # one word a package
	printf '%s\n' $PACKAGES
	exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root"
[ -r /etc/debian_version ] || die "this script is for Debian"

export DEBIAN_FRONTEND=noninteractive

# missing_packages PACKAGE...: the ones not installed
missing_packages()
{
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed ||
			echo "$p"
	done
}

# available PACKAGE: the apt sources have a version of it
available()
{
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -qvx '(none)'
}

install_packages()
{
	# shellcheck disable=SC2086 # lists of package names
	missing=$(missing_packages $PACKAGES $OPTIONAL_PACKAGES | tr '\n' ' ')
	if [ -z "$missing" ]; then
		log "Debian packages present"
		return
	fi
	log "installing: $missing"
	apt-get update -q
	# shellcheck disable=SC2086
	install=$(missing_packages $PACKAGES | tr '\n' ' ')
	# shellcheck disable=SC2086
	for p in $(missing_packages $OPTIONAL_PACKAGES); do
		if available "$p"; then
			install="$install $p"
		else
			log "$p: not available from this machine's apt sources (tests needing it skip)"
		fi
	done
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $install
}

# deb-src twins of the machine's own "deb" sources, for what no deb-src line
# covers yet (devtools/pylib/apt_sources.py)
write_deb_src()
{
	/usr/bin/python3 "$PYLIB/apt_sources.py" deb-src-twins "$SRC_LIST"
}

# sdk_from_dir DIR DEST: the five headers from DIR (RTAP_DPDK_SDK), flat or at
# their places in a DPDK source tree, if DIR is of the installed major version
sdk_from_dir()
{
	dir=$1
	[ -d "$dir" ] || die "RTAP_DPDK_SDK=$dir: no such directory"
	if [ -f "$dir/VERSION" ]; then # a DPDK source tree
		have=$(head -n 1 "$dir/VERSION")
	elif [ -f "$dir/TAG" ]; then # e.g. v24.11.6
		have=$(head -n 1 "$dir/TAG")
	else
		have=$(basename "$(cd "$dir" && pwd)")
	fi
	have=$(printf '%s\n' "$have" | sed -n 's/^v\{0,1\}\([0-9][0-9]*\.[0-9][0-9]\).*/\1/p')
	want=$(printf '%s\n' "$upstream" | cut -d. -f1,2)
	[ -n "$have" ] || die "RTAP_DPDK_SDK=$dir: cannot tell which DPDK release it is from" \
		"(no VERSION or TAG file, and its name is no version like $want)"
	[ "$have" = "$want" ] ||
		die "RTAP_DPDK_SDK=$dir holds DPDK $have headers; the installed DPDK is $upstream"
	files=
	missing=
	for h in $SDK_HEADERS; do
		if [ -f "$dir/$h" ]; then
			files="$files $dir/$h"
		elif [ -f "$dir/${h##*/}" ]; then
			files="$files $dir/${h##*/}"
		else
			missing="$missing ${h##*/}"
		fi
	done
	[ -z "$missing" ] || die "RTAP_DPDK_SDK=$dir lacks$missing"
	mkdir -p "$2"
	# shellcheck disable=SC2086 # a list of paths without blanks (checked above)
	install -m 0644 $files "$2/"
	log "driver-SDK headers for DPDK $upstream installed in $2 from $dir (DPDK $have)"
}

# sdk_from_source DEST: the five headers from Debian's source package of the
# installed version; fails (status 1), leaving no deb-src twins, where the apt
# sources do not serve it
sdk_from_source()
{
	write_deb_src
	rm -rf "$CACHE/src"
	mkdir -p "$CACHE/src"
	log "fetching Debian source of dpdk $version"
	if ! (cd "$CACHE/src" && apt-get source -q "dpdk=$version" >"$CACHE/source.log" 2>&1); then
		apt-get update -q >/dev/null 2>&1
		if ! (cd "$CACHE/src" && apt-get source -q "dpdk=$version" >"$CACHE/source.log" 2>&1)
		then
			log "apt-get source dpdk=$version failed: $(grep '^E:' "$CACHE/source.log" |
				head -n 1)"
			# twins that serve nothing could only break a later apt-get update
			rm -rf "$CACHE/src" "$SRC_LIST"
			return 1
		fi
	fi
	srcdir=$(find "$CACHE/src" -mindepth 1 -maxdepth 1 -type d -name 'dpdk*' | head -n 1)
	[ -n "$srcdir" ] || die "no unpacked DPDK source in $CACHE/src"
	mkdir -p "$1"
	for h in $SDK_HEADERS; do
		[ -f "$srcdir/$h" ] || die "$h missing from $srcdir"
		install -m 0644 "$srcdir/$h" "$1/"
	done
	rm -rf "$CACHE/src" "$CACHE/source.log"
	log "driver-SDK headers for DPDK $version installed in $1"
}

install_sdk_headers()
{
	version=$(dpkg-query -W -f='${Version}' libdpdk-dev)
	upstream=$(pkg-config --modversion libdpdk)
	dest="$SDK_ROOT/$upstream"
	stamp="$dest/.debian-version"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
		log "driver-SDK headers for DPDK $version present in $dest"
		return
	fi
	incdir=$(pkg-config --variable=includedir libdpdk)
	if [ -f "$incdir/dpdk/ethdev_driver.h" ] || [ -f "$incdir/ethdev_driver.h" ]; then
		log "installed DPDK already ships the driver-SDK headers"
		return
	fi
	if [ -n "${RTAP_DPDK_SDK:-}" ]; then
		sdk_from_dir "$RTAP_DPDK_SDK" "$dest"
	elif ! sdk_from_source "$dest"; then
		SETUP_EXIT=2 die "DPDK's driver-SDK headers (ethdev_driver.h ethdev_vdev.h bus_vdev_driver.h" \
			"dev_driver.h bus_driver.h) are not in libdpdk-dev $version, and this" \
			"machine's apt sources do not serve its source package. Take them from DPDK's" \
			"own source of the same version, https://fast.dpdk.org/rel/dpdk-$upstream.tar.xz" \
			"(or tag v$upstream of https://git.dpdk.org/dpdk-stable), unpacked, and run" \
			"again with RTAP_DPDK_SDK=<that directory>."
	fi
	echo "$version" >"$stamp"
}

reserve_hugepages()
{
	nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	if [ -w "$nr" ] && [ "$(cat "$nr")" -lt "$NR_HUGEPAGES" ]; then
		echo "$NR_HUGEPAGES" >"$nr" || true
	fi
	if ! grep -qs ' hugetlbfs ' /proc/mounts; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages || true
	fi
	log "hugepages: $(cat "$nr" 2>/dev/null || echo 0) x 2 MiB"
}

install_packages
install_sdk_headers
reserve_hugepages
log "done"
