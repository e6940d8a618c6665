#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Prepare a Debian 12 machine to build, install and test net_rtap.
# Idempotent: a second run only checks what the first one did.
#   - installs the Debian packages the build and the tests use
#   - takes DPDK's driver-SDK headers (not shipped by libdpdk-dev) from
#     Debian's source package of exactly the installed DPDK version
#   - reserves hugepages and mounts hugetlbfs
# Must run as root.

set -eu

SDK_ROOT=${RTAP_SDK_ROOT:-/usr/local/include/dpdk-sdk}
NR_HUGEPAGES=${RTAP_HUGEPAGES:-512}
SRC_LIST=/etc/apt/sources.list.d/net-rtap-deb-src.list
CACHE=/var/cache/net-rtap

PACKAGES="dpdk dpdk-dev libdpdk-dev liburing-dev meson ninja-build pkg-config gcc
python3-pyelftools python3-pytest python3-pexpect python3-scapy python3-matplotlib
iproute2 iputils-ping iperf3 tcpdump ethtool dpkg-dev codespell shellcheck cppcheck clang-format
clang libclang-rt-14-dev"

SDK_HEADERS="lib/ethdev/ethdev_driver.h lib/ethdev/ethdev_vdev.h
drivers/bus/vdev/bus_vdev_driver.h lib/eal/include/dev_driver.h
lib/eal/include/bus_driver.h"

log()
{
	echo "setup: $*"
}

die()
{
	echo "setup: error: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root"
[ -r /etc/debian_version ] || die "this script is for Debian"

export DEBIAN_FRONTEND=noninteractive

missing_packages()
{
	for p in $PACKAGES; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed ||
			echo "$p"
	done
}

install_packages()
{
	missing=$(missing_packages | tr '\n' ' ')
	if [ -z "$missing" ]; then
		log "Debian packages present"
		return
	fi
	log "installing: $missing"
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
}

# Write deb-src twins of the machine's own enabled "deb" sources.
write_deb_src()
{
	/usr/bin/python3 - "$SRC_LIST" <<'PY'
import glob, sys

out = []
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    if path == sys.argv[1]:
        continue
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line.startswith("deb "):
            out.append("deb-src " + line[4:])
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in open(path).read().split("\n\n"):
        fields = {}
        key = None
        for line in stanza.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and key:
                fields[key] += " " + line.strip()
                continue
            if ":" in line:
                key, val = line.split(":", 1)
                key = key.strip().lower()
                fields[key] = val.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        opts = ""
        if "signed-by" in fields and not fields["signed-by"].startswith("-"):
            opts = " [signed-by=%s]" % fields["signed-by"].split()[0]
        for uri in fields.get("uris", "").split():
            for suite in fields.get("suites", "").split():
                out.append("deb-src%s %s %s %s" % (opts, uri, suite, fields.get("components", "")))
text = "# Written by net_rtap devtools/setup.sh: source twins of this machine's apt sources\n"
text += "\n".join(dict.fromkeys(out)) + "\n"
open(sys.argv[1], "w").write(text)
PY
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
	if [ ! -f "$SRC_LIST" ]; then
		write_deb_src
		log "added $SRC_LIST"
	fi
	rm -rf "$CACHE/src"
	mkdir -p "$CACHE/src"
	log "fetching Debian source of dpdk $version"
	if ! (cd "$CACHE/src" && apt-get source -q "dpdk=$version" >/dev/null 2>&1); then
		apt-get update -q
		(cd "$CACHE/src" && apt-get source -q "dpdk=$version" >/dev/null) ||
			die "apt-get source dpdk=$version failed"
	fi
	srcdir=$(find "$CACHE/src" -mindepth 1 -maxdepth 1 -type d -name 'dpdk*' | head -n 1)
	[ -n "$srcdir" ] || die "no unpacked DPDK source in $CACHE/src"
	mkdir -p "$dest"
	for h in $SDK_HEADERS; do
		[ -f "$srcdir/$h" ] || die "$h missing from $srcdir"
		install -m 0644 "$srcdir/$h" "$dest/"
	done
	echo "$version" >"$stamp"
	rm -rf "$CACHE/src"
	log "driver-SDK headers for DPDK $version installed in $dest"
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
