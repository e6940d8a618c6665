#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# Run the README's test command in another Debian release, as root:
#   devtools/test-distro.sh [--result FILE] RELEASE      (bookworm, trixie, sid)
#
#   1. a throw-away chroot of RELEASE (debootstrap, minbase) from this
#      machine's own Debian mirror (its apt sources), unpacked from a cached
#      tarball when there is one: $RTAP_DISTRO_CACHE/RELEASE.tar holds the
#      chroot with setup.sh's packages installed, kept for
#      $RTAP_DISTRO_MAX_AGE days (default 7; RTAP_DISTRO_REFRESH=1 rebuilds)
#   2. its root a mount point (for `ip netns exec`), /proc, /sys, /dev
#      (/dev/net/tun), /dev/pts, /dev/shm and /dev/hugepages bound into it;
#      no service starts in it (policy-rc.d); for sid, whose Release file
#      this mirror serves past its Valid-Until date,
#      Acquire::Check-Valid-Until "false"
#   3. a clone of the committed tree (HEAD, not the work tree) in /src/net_rtap
#      (readable by everyone: some tests run testpmd as nobody),
#      and DPDK's driver-SDK headers from ../shared/dpdk-sdk/<DPDK major> beside
#      the repository ($RTAP_DISTRO_SDK overrides that directory) in
#      /src/shared/dpdk-sdk/<major>, handed to setup.sh as RTAP_DPDK_SDK where
#      present (else setup.sh tries Debian's source package)
#   4. devtools/run-tests.sh in it (RTAP_SKIP_DISTRO=1 there; other RTAP_*
#      variables pass through); its output ends in its own
#      "N passed, N failed, N skipped" line
# The tests' kernel objects (TAPs, namespaces) live in this machine's kernel:
# their names carry the pid, and the suites remove them. On any exit the
# chroot's processes are killed, every mount under it is unmounted and the
# directory removed.
#
# --result FILE gets one line for devtools/test-summary.py --distro: the
# chroot's "N passed, N failed, N skipped", or "skipped: REASON" when the
# release cannot be tested here (not on the mirror, a package missing, no
# driver-SDK headers), or "failed: REASON". Exit status: 0 passed or skipped,
# 1 failed, 64 usage.
#
# Environment: RTAP_DISTRO_MIRROR (default: the machine's Debian archive,
# devtools/pylib/apt_sources.py mirror), RTAP_DISTRO_CACHE (default
# /var/cache/net-rtap/distro), RTAP_DISTRO_WORK (default /var/tmp), RTAP_DISTRO_SDK,
# RTAP_DISTRO_TIMEOUT (minutes for the test run, default 45),
# RTAP_DISTRO_MAX_AGE, RTAP_DISTRO_REFRESH.

set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD

RESULT=
if [ "${1:-}" = --result ]; then
	RESULT=$2
	shift 2
fi
REL=${1:-}
case $REL in
bookworm | trixie | sid) ;;
*)
	echo "usage: devtools/test-distro.sh [--result FILE] bookworm|trixie|sid" >&2
	exit 64
	;;
esac

CACHE=${RTAP_DISTRO_CACHE:-/var/cache/net-rtap/distro}
TARBALL=$CACHE/$REL.tar
MAX_AGE=${RTAP_DISTRO_MAX_AGE:-7}
TIMEOUT=${RTAP_DISTRO_TIMEOUT:-45}
WORK=  # the chroot (WORK/root) and the logs of its set-up
ROOT=
STARTED=$SECONDS
CHROOT_ENV=(/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive)

say()
{
	echo "test-distro: $REL: $*"
}

# result STATUS-LINE: record it and end
result()
{
	say "$1 ($(((SECONDS - STARTED) / 60)) min $(((SECONDS - STARTED) % 60)) s)"
	[ -z "$RESULT" ] || echo "$1" >"$RESULT"
	case $1 in
	skipped:*) exit 0 ;;
	failed:*) exit 1 ;;
	*" 0 failed,"*) exit 0 ;;
	*) exit 1 ;;
	esac
}

# in_root CMD...: run in the chroot with a clean environment
in_root()
{
	chroot "$ROOT" "${CHROOT_ENV[@]}" "$@"
}

# the mount points under the chroot, deepest first
# shellcheck disable=SC2317,SC2329 # called by cleanup
mounts_under()
{
	awk -v root="$ROOT" '$5 == root || index($5, root "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r
}

# shellcheck disable=SC2317,SC2329 # called by the EXIT trap
cleanup()
{
	local pid mnt left
	[ -n "$WORK" ] && [ -d "$WORK" ] || return 0
	# processes whose root is the chroot (a test's testpmd, ovs-vswitchd, ...)
	for sig in TERM KILL; do
		left=0
		for pid in /proc/[0-9]*; do
			if [ "$(readlink "$pid/root" 2>/dev/null)" = "$ROOT" ]; then
				kill -s "$sig" "${pid#/proc/}" 2>/dev/null && left=1
			fi
		done
		[ "$left" -eq 0 ] && break
		sleep 2
	done
	# network namespaces the tests left are mounts in its /run/netns: unmounted too
	for mnt in $(mounts_under); do
		umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null ||
			echo "test-distro: cannot unmount $mnt" >&2
	done
	if [ -n "$(mounts_under)" ]; then
		echo "test-distro: mounts left under $ROOT, not removing it: $(mounts_under | xargs)" >&2
		return 1
	fi
	# --one-file-system: never into anything still mounted there
	rm -rf --one-file-system "$WORK"
}

[ "$(id -u)" -eq 0 ] || result "failed: must run as root (chroot, mounts, TAP devices)"
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- the mirror

MIRROR=${RTAP_DISTRO_MIRROR:-$(/usr/bin/python3 devtools/pylib/apt_sources.py mirror)}
[ -n "$MIRROR" ] || result "skipped: no Debian mirror among this machine's apt sources"
if ! command -v debootstrap >/dev/null; then
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		debootstrap >/dev/null || result "skipped: debootstrap cannot be installed"
fi

# ---------------------------------------------------------- the chroot itself

mkdir -p "$CACHE" || result "failed: cannot create $CACHE"
WORK=$(mktemp -d "${RTAP_DISTRO_WORK:-/var/tmp}/net-rtap-$REL.XXXXXX") ||
	result "failed: no work directory"
WORK=$(realpath "$WORK")
ROOT=$WORK/root
mkdir "$ROOT" || result "failed: mkdir $ROOT"

fresh=1
if [ "${RTAP_DISTRO_REFRESH:-0}" != 1 ] && [ -f "$TARBALL" ] &&
	[ -n "$(find "$TARBALL" -mtime -"$MAX_AGE")" ]; then
	say "unpacking the cached chroot $TARBALL"
	if tar -xf "$TARBALL" -C "$ROOT"; then
		fresh=0
	else
		rm -rf --one-file-system "${ROOT:?}"/*
	fi
fi
if [ $fresh -eq 1 ]; then
	say "debootstrap $REL from $MIRROR"
	t=$SECONDS
	if ! debootstrap --variant=minbase --include=ca-certificates,git "$REL" "$ROOT" \
		"$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
		tail -n 20 "$WORK/debootstrap.log"
		if grep -q "Failed getting release file" "$WORK/debootstrap.log"; then
			result "skipped: $MIRROR serves no $REL"
		fi
		result "failed: debootstrap $REL (log above)"
	fi
	say "debootstrap took $((SECONDS - t)) s"
	# no service of a package starts in the chroot (it would run in this
	# machine's network namespace)
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
	if [ "$REL" = sid ]; then
		echo 'Acquire::Check-Valid-Until "false";' >"$ROOT/etc/apt/apt.conf.d/99net-rtap-valid-until"
	fi
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
fi

bind()
{
	mkdir -p "$ROOT$1"
	mount --bind "$1" "$ROOT$1" && mount --make-rslave "$ROOT$1"
}
# the chroot's / a mount point of its own: `ip netns exec` makes / a slave
# mount ("mount --make-rslave /"), which fails on a plain directory
if ! mount --bind "$ROOT" "$ROOT" || ! mount --make-private "$ROOT"; then
	result "failed: bind $ROOT onto itself"
fi
mount -t proc proc "$ROOT/proc" || result "failed: mount proc"
bind /sys || result "failed: bind /sys"
bind /dev || result "failed: bind /dev"
for d in /dev/pts /dev/shm /dev/hugepages; do
	if mountpoint -q "$d"; then
		bind "$d" || result "failed: bind $d"
	fi
done
[ -c "$ROOT/dev/net/tun" ] || result "failed: no /dev/net/tun in the chroot"

# --------------------------------------------------------- the tree and SDK

rm -rf "$ROOT/src/net_rtap" "$ROOT/src/shared"
head=$(git rev-parse HEAD) || result "failed: $TOP is no git repository"
if ! git clone -q --no-hardlinks "$TOP" "$ROOT/src/net_rtap" ||
	! git -C "$ROOT/src/net_rtap" checkout -q --detach "$head"; then
	result "failed: git clone of $TOP"
fi
say "testing $(git -C "$ROOT/src/net_rtap" log -1 --format='%h %s')"

# what the release offers
in_root apt-get update -q >/dev/null 2>&1 || result "failed: apt-get update in $REL"
candidate()
{
	in_root apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -vx '(none)'
}
missing=
for p in $(sh "$ROOT/src/net_rtap/devtools/setup.sh" --packages); do
	[ -n "$(candidate "$p")" ] || missing="$missing $p"
done
[ -z "$missing" ] || result "skipped: $REL has no$missing"
dpdk=$(candidate libdpdk-dev)
major=$(echo "$dpdk" | cut -d. -f1,2)
say "DPDK $dpdk, liburing $(candidate liburing-dev), gcc $(candidate gcc)," \
	"openvswitch-switch-dpdk $(candidate openvswitch-switch-dpdk || echo none)"

sdk_env=()
sdk=${RTAP_DISTRO_SDK:-$TOP/../shared/dpdk-sdk/$major}
if [ -d "$sdk" ]; then
	mkdir -p "$ROOT/src/shared/dpdk-sdk"
	cp -r "$sdk" "$ROOT/src/shared/dpdk-sdk/$major"
	sdk_env=(RTAP_DPDK_SDK="/src/shared/dpdk-sdk/$major")
	say "driver-SDK headers from $sdk"
else
	say "no $sdk: setup.sh tries Debian's source package of DPDK $dpdk"
fi

# run-tests.sh's knobs pass through (but the distro ones)
pass=()
for name in $(compgen -e); do
	case $name in
	RTAP_DISTRO* | RTAP_SKIP_DISTRO | RTAP_DPDK_SDK) ;;
	RTAP_* | CI) pass+=("$name=${!name}") ;;
	esac
done

# setup.sh first on its own: a release that cannot be set up is a skip with
# its reason (exit 2: no driver-SDK headers to be had), and a fresh chroot
# with its packages installed is what the cache keeps
say "devtools/setup.sh"
t=$SECONDS
in_root "${sdk_env[@]}" sh -c 'cd /src/net_rtap && sh devtools/setup.sh' >"$WORK/setup.log" 2>&1
rc=$?
tail -n 5 "$WORK/setup.log"
reason=$(sed -n 's/^setup: error: //p' "$WORK/setup.log" | head -n 1)
say "setup took $((SECONDS - t)) s (exit $rc)"
[ $rc -eq 2 ] && result "skipped: $reason"
[ $rc -eq 0 ] || result "failed: devtools/setup.sh: ${reason:-exit $rc}"
if [ $fresh -eq 1 ]; then
	say "caching the chroot in $TARBALL"
	in_root apt-get clean
	if tar --one-file-system -cf "$TARBALL.$$.new" -C "$ROOT" --exclude=./src/net_rtap \
		--exclude=./src/shared --exclude='./tmp/*' --exclude='./run/*' .; then
		mv "$TARBALL.$$.new" "$TARBALL"
	fi
	rm -f "$TARBALL.$$.new"
fi

say "devtools/run-tests.sh"
t=$SECONDS
LOG=$WORK/run-tests.log
timeout --kill-after=60 "$((TIMEOUT * 60))" chroot "$ROOT" "${CHROOT_ENV[@]}" "${pass[@]}" \
	"${sdk_env[@]}" RTAP_SKIP_DISTRO=1 \
	bash -c 'cd /src/net_rtap && bash devtools/run-tests.sh' 2>&1 | tee "$LOG"
rc=$?
say "run-tests.sh took $((SECONDS - t)) s (exit $rc)"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$LOG" | tail -n 1)
[ $rc -eq 124 ] && result "failed: run-tests.sh timed out after $TIMEOUT min${line:+ ($line)}"
[ -n "$line" ] || result "failed: run-tests.sh ended (exit $rc) with no summary line"
result "$line"
