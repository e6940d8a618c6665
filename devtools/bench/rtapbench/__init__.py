# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""The net_rtap benchmark: net_rtap against net_tap, net_af_packet and net_af_xdp.

One command runs the same scenarios for every PMD in the same run, on this
machine only (TAP and veth interfaces, and namespaces this script creates),
and writes a table (markdown + CSV), the raw measurements and a PNG plot.

    devtools/bench.sh --quick           # 1 repetition, 2 s windows: ~2 min
    devtools/bench.sh                   # full: 5 repetitions, 3 s windows: ~13 min
    devtools/bench.sh --quick --pmd net_rtap,net_tap --scenario S1,S2d     # ~30 s
    devtools/bench.sh --quick --compare build/bench-before/results.json   # x prev column
    devtools/bench.sh --quick --scenario S5      # wake-up latency, idle CPU: < 30 s

(as root; devtools/bench.sh runs devtools/bench/bench.py with /usr/bin/python3)

Method
------
Two cores: the DPDK forwarding lcore runs on core 1 (--fwd-core), testpmd's
main lcore, the generator, iperf3 and this script on core 0 (--main-core).
The PMDs under test are Debian's dpdk-testpmd with the PMDs installed in
DPDK's PMD directory (net_rtap comes from `meson install`). net_rtap and
net_tap create a TAP; net_af_packet and net_af_xdp attach to one end (A) of
a veth pair whose other end (B) is the kernel side.

S1   tx to the kernel. testpmd txonly (--txpkts 64 and 1500, one queue). The
     rate is what the *kernel* counted (rx_packets of the TAP, or of veth B)
     over a fixed window after a warm-up, not what testpmd claims.
S2   rx from the kernel. gen (gen.c: AF_PACKET, PACKET_QDISC_BYPASS,
     sendmmsg, pinned to the main core) floods the TAP (or veth B) with one
     frame size for a fixed time; testpmd rxonly. Reported: what DPDK
     received (testpmd's port rx-packets) per second, the fraction of what
     the generator offered, and the kernel's drops (TAP: tx_dropped; veth:
     B tx_dropped + A rx_dropped).
S2d  rx drain. testpmd rxonly with --no-flush-rx: with the port started
     but forwarding stopped nobody reads, so the TAP's queue (txqueuelen
     raised to --drain-queue) holds the --drain-count frames gen pushes.
     Then `start`, and the TAP's tx_packets counter (the kernel counts a
     frame when its reader takes it) is sampled every ~0.3 ms until all are
     taken; the rate is the slope between 10% and 90% of the way, clear of
     start and end effects. testpmd's rx-packets must then account for all
     of them. This is the pure receive cost without generator limits. It
     agrees with testpmd's cycles/packet (TSC Hz / cycles). TAP PMDs only:
     for af_packet/af_xdp the kernel's receive work (the copy into the
     socket ring) happens at enqueue time on the generator core and their
     rings hold a few thousand frames, so a drain would measure something
     else; they are left out.
S3   TCP. Two ports, each kernel interface in its own namespace, testpmd io
     forwarding between them, iperf3 with 1 and 4 streams (-P), client and
     server pinned to the main core. The ceiling is a plain veth pair
     between the same kind of namespaces. TAP PMDs: the TAPs are moved into
     the namespaces; veth PMDs: two veth pairs, B in a namespace, A in the
     root namespace for the PMD. Offloads: TAP PMDs negotiate none here
     (the kernel segments and checksums for them); the namespace ends of the
     veth pairs used by af_packet/af_xdp have tx checksum/TSO/GSO off, since
     those PMDs cannot carry partial checksums or GSO frames.
S4   raw ceiling, no DPDK. raw_uring.c opens a TAP the way net_rtap does
     (IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE|IFF_VNET_HDR, 10-byte zero header,
     O_NONBLOCK), sets its io_uring up like net_rtap (COOP_TASKRUN and
     TASKRUN_FLAG, the TAP as fixed file) and, pinned to the forwarding
     core, busy-polls it with at most one io_uring_enter per loop, never
     waiting: (write) batches of 32 writes per enter, counted by the kernel
     (rx_packets) over the same window; (read, "raw") a queue pre-filled as
     in S2d drained with 32 one-shot reads kept in flight (as net_rtap
     reads). They are the ceilings for S1 and S2d. For reference
     two more readers drain their own TAP, filled the same way, after it:
     "raw-mshot", one multishot read over 256 provided buffers (kernel
     6.7+), and "raw-readv", one non-blocking readv() per frame (what
     net_tap does). Their x ceil is relative to "raw" too.
     devtools/bench/raw_matrix.py measures variants of that set-up (ring
     flags, fixed file, registered buffers, batch size) against each other,
     interleaved and repeated, and prints them as a table.

S5   wake-up latency and idle CPU. Not testpmd: this tree's interrupt-driven
     forwarder app/rtap-intr-fwd (--fwd-bin; built by ninja, not installed)
     between two ports of the PMD, its lcore on --fwd-core. wake (wake.c,
     on the main core) writes a frame every --wake-gap-us (2 ms) into the
     kernel side of port 0 through AF_PACKET and takes it from the kernel
     side of port 1 with the kernel's receive timestamp (SO_TIMESTAMPNS):
     the time from its send() until the forwarder's write entered the
     stack, median and p99 over --wake-frames frames (2000, quick 500);
     the gap is long against the forwarder's idle threshold, so in
     interrupt mode it is asleep for every frame (sleeps/frame ~1 shows
     it). Then the forwarder's CPU time (all threads, schedstat) over
     --idle-window seconds (5, quick 2) with no traffic. Points: "intr"
     (rx interrupts when idle; a PMD without them makes the forwarder
     poll, and the table says so and why: net_tap) and "poll" (--poll,
     net_rtap only). TAP PMDs only. A --rtap-so row's build is passed to
     the forwarder with -d (registered before the installed one), not
     swapped in.
S6   TCP through Open vSwitch (Debian's openvswitch-switch-dpdk, started
     by hand as test/test_ovs.py does, devtools/pylib/rtap_ovs.py): a
     datapath_type=netdev bridge between two type=dpdk ports of the PMD
     (TAP PMDs only, net_rtap and net_tap in the same run, and --rtap-so
     rows, whose build stands in while OVS initialises DPDK), each kernel
     interface moved into its own namespace, iperf3 as in S3. OVS's main
     thread on the main core, its PMD thread (pmd-cpu-mask) on the
     forwarding core. Every port, whatever the PMD, has options:n_rxq=2
     (net_tap wants as many rx as tx queues, OVS asks for one rx and two
     tx), so both PMDs run the same set-up. Not run, saying why, where OVS
     is not installed.

Per-packet CPU: testpmd runs with --record-core-cycles and prints "CPU
cycles/packet" at `stop` (TSC cycles of the forwarding lcore). That figure
counts only bursts that returned packets (txonly: every burst): work a PMD
does in an empty poll, or in io_uring task work run outside the timed
bursts, is missed, so for rx it can be far too low. The tables therefore
use, for S2d, TSC Hz / drain rate (the lcore polls flat out during a
drain, so that is what a packet costs it) and show testpmd's number next
to it; S1 uses testpmd's txonly figure; S2 shows testpmd's figure with
that caveat. The raw program reports TSC cycles per packet of its own
busy loop.

Reading the numbers:
- S2 is normally limited by the generator (one core of AF_PACKET sends), and
  the PMD shapes what the generator achieves: every frame the kernel queues
  wakes the reader (net_rtap: an io_uring poll wake-up and task work;
  net_tap: a real-time signal to testpmd, its process-wide rx trigger), and for veth
  PMDs the kernel's receive work (XDP redirect or the copy into the
  packet ring) runs in softirq on the generator core. Compare received and
  offered rates, losses and drops here; compare capacity in S2d.
- rx cycles/packet of af_packet/af_xdp are low because their kernel work is
  done on the other core (see above); for the TAP PMDs the copy happens in
  the lcore's own syscall (read, or io_uring_enter).
- net_af_xdp on veth runs in native XDP, copy mode (veth has no zero-copy);
  libxdp loads its default program (no bpffs here, so no dispatcher).
- testpmd's txonly cost includes building the frames; the raw program
  writes one prepared frame, so it has a small head start in S1.

Every point is repeated --reps times (PMDs interleaved within a
repetition); the table shows the median and the min-max spread, the ratio
of the medians to net_tap and to the ceiling (raw write for S1, raw read
for S2d, the veth pair for S3 and S6). "x tap" above 1 means faster than net_tap;
for cycles lower is better.

Interference: the machine may be shared. For every window the benchmark
sums the CPU time that user processes outside its own process tree used on
each core (a thread's time goes to the core it last ran on: exact for pinned
threads). A repetition is flagged ("!k" in the table: k repetitions
flagged; foreign_cpu in runs.csv) when that exceeds --foreign-limit of a
core on the cores the scenario depends on:
the forwarding core always; the main core too for S2 and S3, whose kernel
side (generator, veth softirqs, iperf3) runs there. It also warns when
another DPDK process is running, and when the installed net_rtap library
(or a --rtap-so file) changes during the run. --wait-quiet N waits up to N seconds for a quiet
machine before each repetition; --drop-contended leaves flagged
repetitions out of the medians (when a clean one remains). --report
RESULTS_JSON re-renders the table and plot of an earlier run (with the
options given now, e.g. --drop-contended) without measuring anything.

Two builds of net_rtap in one run: --rtap-so LABEL=PATH (repeatable) adds
a row LABEL, net_rtap with the library at PATH, e.g. the previous main's
build to show that the installed one does not regress:

    devtools/bench.sh --pmd net_rtap --rtap-so main=/path/to/librte_net_rtap.so

EAL loads net_rtap from DPDK's PMD directory, so for each testpmd of that
row a copy of PATH is renamed over the installed librte_net_rtap.so (one
atomic rename; the installed file is kept aside as a hard link) until
testpmd's prompt, when EAL has loaded its plugins; then the installed file
is renamed back, before the first command, and testpmd's mappings must
show the copy. It is put back at exit too, also on failure, Ctrl-C or
SIGTERM; after a kill -9, --cleanup-stale puts it back. A library that a
new install left there meanwhile is kept (and reported). Other DPDK
processes starting during those moments load PATH too. The tables then
add x rtap, the ratio of the medians to the net_rtap row.

Outputs (in --out, default build/bench/): summary.md, summary.csv (one row
per point and PMD), runs.csv (every measurement), results.json, bench.png,
and the helpers gen, raw_uring and wake built from this directory with gcc.

Everything created is named after this process's pid (interfaces rtb<pid>*,
namespaces rtbn-<pid>-*, EAL prefixes rtb-<pid>-*) and removed at the end,
also on failure or Ctrl-C. --cleanup-stale removes leftovers of earlier runs
whose process is gone (and puts back a net_rtap that a killed --rtap-so run
left swapped).

Options (see --help): --quick, --reps, --window, --pmd (comma list; a PMD
may carry extra devargs in brackets: "net_rtap[io_mode=sqpoll]"; the same
PMD may be listed twice with different devargs to compare variants),
--rtap-so, --scenario (S1, S2, S2d, S3, S4, S5, S6; S4 and the veth ceiling run
when their scenario runs unless --no-ceiling), --sizes, --streams,
--wake-frames, --wake-gap-us, --idle-window, --fwd-bin, --out,
--main-core/--fwd-core.
"""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
# the helpers the benchmark shares with the integration tests (rtap_harness)
sys.path.insert(0, os.path.join(REPO, "devtools", "pylib"))
