#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
#
# net_rtap in one command (the README's first one). As root on Debian 12, 13
# or sid:
#   1. devtools/setup.sh, then meson setup + ninja + meson install
#   2. Debian's dpdk-testpmd with two net_rtap ports (no -d: the plugin is in
#      DPDK's PMD directory), io forwarding between them
#   3. each port's kernel interface in its own network namespace:
#        ns rtns-qs1: rtqs0 10.250.0.1/24 <-> port 0 <testpmd> port 1 <-> rtqs1 10.250.0.2/24 :ns rtns-qs2
#   4. ping from one namespace to the other through testpmd, port stats, quit
# Exits 0 if the ping got through with no loss. Running it again is harmless:
# it rebuilds nothing that is up to date and removes what it created.

set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

BUILD=${RTAP_BUILD_DIR:-build}
NS1=rtns-qs1
NS2=rtns-qs2
IF0=rtqs0
IF1=rtqs1
IP0=10.250.0.1
IP1=10.250.0.2
LOG=$(mktemp /tmp/rtap-quickstart.XXXXXX.log)
FIFO=$(mktemp -u /tmp/rtap-quickstart.XXXXXX.fifo)
TESTPMD_PID=

say()
{
	printf '\n>>> %s\n' "$*"
}

die()
{
	echo "quickstart: error: $*" >&2
	[ -s "$LOG" ] && echo "quickstart: testpmd's output is in $LOG" >&2
	exit 1
}

# poll "$@" until it succeeds, for at most $1 seconds
wait_until()
{
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# shellcheck disable=SC2317,SC2329 # called through wait_until
link_in()
{
	if [ -n "$1" ]; then
		ip -n "$1" link show dev "$2" >/dev/null 2>&1
	else
		ip link show dev "$2" >/dev/null 2>&1
	fi
}

# shellcheck disable=SC2317,SC2329 # called through wait_until
testpmd_gone()
{
	! kill -0 "$TESTPMD_PID" 2>/dev/null
}

cleanup()
{
	exec 3>&- # the fifo to testpmd, if open (stderr stays as it is)
	if [ -n "$TESTPMD_PID" ] && ! testpmd_gone; then
		kill "$TESTPMD_PID" 2>/dev/null
		wait_until 5 testpmd_gone || kill -9 "$TESTPMD_PID" 2>/dev/null
	fi
	for ns in $NS1 $NS2; do
		ip netns del "$ns" 2>/dev/null
	done
	for i in $IF0 $IF1; do
		ip link del dev "$i" 2>/dev/null
	done
	rm -f "$FIFO"
	rm -rf "/var/run/dpdk/rtap-quickstart-$$"
}

[ "$(id -u)" -eq 0 ] || die "run me as root (TAP devices, namespaces, hugepages)"

say "devtools/setup.sh: Debian packages, DPDK driver-SDK headers, hugepages"
sh devtools/setup.sh || die "setup failed"

say "meson setup $BUILD && ninja -C $BUILD && meson install -C $BUILD"
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" || die "meson setup failed"
fi
ninja -C "$BUILD" || die "build failed"
meson install -C "$BUILD" --no-rebuild || die "meson install failed"

# leftovers of an interrupted earlier run
cleanup
trap cleanup EXIT

say "namespaces $NS1 and $NS2"
for ns in $NS1 $NS2; do
	ip netns add "$ns" || die "ip netns add $ns"
	ip -n "$ns" link set dev lo up
done

say "dpdk-testpmd --vdev=net_rtap0,iface=$IF0 --vdev=net_rtap1,iface=$IF1 -- -i --forward-mode=io"
mkfifo "$FIFO"
# line-buffered so the log can be followed; commands come through the fifo
stdbuf -oL dpdk-testpmd -l 0-1 --in-memory --file-prefix="rtap-quickstart-$$" --no-pci \
	--vdev="net_rtap0,iface=$IF0" --vdev="net_rtap1,iface=$IF1" \
	-- -i --forward-mode=io --total-num-mbufs=16384 <"$FIFO" >"$LOG" 2>&1 &
TESTPMD_PID=$!
exec 3>"$FIFO"
if ! wait_until 30 link_in "" "$IF0" || ! wait_until 5 link_in "" "$IF1"; then
	cat "$LOG"
	die "testpmd did not create $IF0 and $IF1"
fi
echo "testpmd (pid $TESTPMD_PID) created $IF0 and $IF1"

say "moving $IF0 to $NS1 ($IP0/24) and $IF1 to $NS2 ($IP1/24)"
for spec in "$IF0 $NS1 $IP0" "$IF1 $NS2 $IP1"; do
	read -r i ns addr <<<"$spec"
	ip link set dev "$i" netns "$ns" || die "ip link set $i netns $ns"
	wait_until 5 link_in "$ns" "$i" || die "$i did not show up in $ns"
	ip -n "$ns" addr add "$addr/24" dev "$i"
	ip -n "$ns" link set dev "$i" up
	ip -n "$ns" -br addr show dev "$i"
done

say "testpmd> start"
echo start >&3
wait_until 10 grep -q "io packet forwarding" "$LOG" || die "testpmd did not start forwarding"

say "ip netns exec $NS1 ping $IP1 (through testpmd)"
# the first ping also waits for ARP; the second one is the measurement
ip netns exec "$NS1" ping -n -c 1 -W 5 "$IP1" >/dev/null
out=$(ip netns exec "$NS1" ping -n -c 5 -i 0.2 -W 2 "$IP1")
echo "$out"
ok=0
grep -q " 0% packet loss" <<<"$out" && ok=1

say "testpmd> stop / show port stats all / quit"
printf 'stop\nshow port stats all\nquit\n' >&3
exec 3>&-
wait_until 30 testpmd_gone || die "testpmd did not quit"
wait "$TESTPMD_PID"
status=$?
TESTPMD_PID=
sed -n '/NIC statistics for port/,/^  #\{20,\}$/p' "$LOG"
rm -f "$LOG"

say "cleaning up the namespaces"
cleanup
trap - EXIT

if [ $ok -eq 1 ] && [ $status -eq 0 ]; then
	say "OK: ping went $NS1 -> net_rtap port 0 -> testpmd -> port 1 -> $NS2 and back"
	exit 0
fi
say "FAILED: ping loss or testpmd exit status $status"
exit 1
