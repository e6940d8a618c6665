# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Multi-process: secondaries with a data path, and what a secondary or a
monitoring tool sees of a running primary (dpdk-proc-info, telemetry).

The primary is Debian's testpmd with this tree's plugin (-d, as in
test_regress.py); the secondary with a data path is the unit-test program's
rtap_mp_secondary command (app/test/test_rtap_mp.c), driven line by line.
Frames the secondary transmits are captured and compared byte for byte on
the kernel side; frames the kernel sends it are compared by the secondary.
"""

import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile

import pexpect
import pytest

from conftest import PMD, PMD_DIR, link_info, move_to_netns, run, vdev, wait_for
from test_regress import PLUGIN, UNIT, check_plugin, eal_plugin, kernel_counter, proc_info

pytestmark = pytest.mark.skipif(PMD != "net_rtap", reason="multi-process of net_rtap")

TESTPMD_BIN = "/usr/bin/dpdk-testpmd"
TELEMETRY = "/usr/bin/dpdk-telemetry.py"
PEER = "02:00:00:00:00:02"
NB_QUEUES = 12
SEC_QUEUES = [9, 10, 11]   # pairs past the first fd page of 8
FRAME_LEN = 128
RTU_MAGIC = 0x72746170


def mempool_order_args(binary=TESTPMD_BIN):
    """-d for every mempool driver the primary's binary links, in its order.

    rte_mempool_ops are numbered per process in registration order, and a
    mempool in shared memory records only the number: a secondary that
    registers its drivers in another order takes the primary's pools for
    another driver's. Debian's testpmd links librte_mempool_dpaa (registered
    before the plugin directory's drivers); -d plugins are registered before
    that directory's, so the same -d gives the secondary the same numbering.
    """
    out = run(["ldd", binary]).stdout
    args = []
    for name in re.findall(r"(librte_mempool_\w+)\.so", out):
        args += ["-d", os.path.join(PMD_DIR, name + ".so")]
    return args


def ipv4_cksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def rtu_udp4(dst, src, sport, dport, seq, length=FRAME_LEN):
    """The frame app/test's rtu_frame_udp4() builds, byte for byte."""
    eth = mac_bytes(dst) + mac_bytes(src) + b"\x08\x00"
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, length - 14, 0, 0, 64, 17, 0,
                               bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])))
    struct.pack_into("!H", ip, 10, ipv4_cksum(bytes(ip)))
    udp = struct.pack("!HHHH", sport, dport, length - 34, 0)
    hdr = struct.pack("!II", RTU_MAGIC, seq)
    n = length - 14 - 20 - 8 - 8
    pattern = bytes((seq * 7 + i + (i >> 8)) & 0xff for i in range(n))
    return eth + bytes(ip) + udp + hdr + pattern


CAPTURE = r"""
import json, select, socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
want, deadline = int(sys.argv[2]), time.monotonic() + float(sys.argv[3])
print("READY", flush=True)
got = []
while len(got) < want and time.monotonic() < deadline:
    r, _, _ = select.select([s], [], [], 0.1)
    if not r:
        continue
    frame, addr = s.recvfrom(65535)
    # frames the port sent (PACKET_HOST etc., not our own outgoing), UDP to port 2000
    if addr[2] != socket.PACKET_OUTGOING and len(frame) >= 42 and frame[12:14] == b"\x08\x00" \
            and frame[23] == 17 and frame[36:38] == (2000).to_bytes(2, "big"):
        got.append(frame.hex())
print(json.dumps(got), flush=True)
"""

SEND = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for line in sys.stdin:
    s.send(bytes.fromhex(line.strip()))
"""


class Capture:
    """Frames to UDP port 2000 arriving on an interface, until want or timeout."""

    def __init__(self, ifname, netns, want, timeout=20):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", netns, "/usr/bin/python3", "-c", CAPTURE, ifname, str(want),
             str(timeout)], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.strip() == "READY", line

    def frames(self):
        out, _ = self.proc.communicate(timeout=60)
        return [bytes.fromhex(h) for h in json.loads(out)]


def kernel_send(ifname, netns, frames):
    run(["/usr/bin/python3", "-c", SEND, ifname], netns=netns,
        input="".join(f.hex() + "\n" for f in frames), timeout=60)


class Secondary:
    """dpdk-test-rtap's rtap_mp_secondary command as a secondary of prefix."""

    def __init__(self, prefix, lcore="0"):
        argv = [UNIT, "--proc-type=secondary", "--file-prefix=" + prefix, "--no-pci", "-l", lcore,
                *mempool_order_args(), "--log-level=pmd.net.rtap:info", "--",
                "rtap_mp_secondary"]
        env = dict(os.environ, RTAP_MP_PEER=PEER)
        env.pop("DPDK_TEST", None)
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, encoding="utf-8",
                                   codec_errors="replace", timeout=60, echo=False)
        self.log = []
        self.child.logfile_read = self
        i = self.child.expect([r"PORT (\d+) QUEUES (\d+) FDS (\d+)", pexpect.EOF])
        assert i == 0, "the secondary did not attach:\n" + self.output()
        self.port, self.queues, self.fds = (int(x) for x in self.child.match.groups())

    # pexpect's logfile interface: keep the transcript
    def write(self, data):
        self.log.append(data)

    def flush(self):
        pass

    def output(self):
        return "".join(self.log)

    def send(self, line):
        self.child.sendline(line)

    def result(self, timeout=60):
        """Wait for the answer of the last command: its text; fails on FAIL."""
        i = self.child.expect([r"\nOK\r?\n", r"\nFAIL[^\n]*\n", pexpect.EOF], timeout=timeout)
        text = self.child.before
        assert i == 0, "secondary: %s\n%s" % (self.child.after, self.output()[-4000:])
        return text

    def cmd(self, line, timeout=60):
        self.send(line)
        return self.result(timeout)

    def quit(self):
        """Close the port and exit: 0 when both went well (the program exits 77,
        "nothing passed", after a command that runs no unit-test suite)."""
        self.send("quit")
        self.child.expect(pexpect.EOF, timeout=60)
        self.child.close()
        if "CLOSE 0" in self.output() and self.child.exitstatus in (0, 77):
            return 0
        return self.child.exitstatus or -1

    def kill(self):
        self.child.kill(signal.SIGKILL)
        self.child.expect(pexpect.EOF, timeout=30)
        self.child.close()


@pytest.fixture
def secondaries():
    started = []
    yield started
    for s in started:
        if s.child.isalive():
            s.kill()
        print("==== secondary\n" + s.output())


def deferred(port, queues):
    cmds = ["port stop all"]
    for q in queues:
        cmds += ["port %d rxq %d deferred_start on" % (port, q),
                 "port %d txq %d deferred_start on" % (port, q)]
    return cmds + ["port start all"]


@pytest.fixture
def mp_pair(make_fwd_pair):
    """testpmd forwarding between two 12-queue ports (shared files, this
    tree's plugin); port 0's pairs SEC_QUEUES are left stopped (deferred) for
    a secondary."""
    p = make_fwd_pair(queues=NB_QUEUES, in_memory=False, eal_args=eal_plugin(),
                      pre_start=deferred(0, SEC_QUEUES))
    check_plugin(p.tp)
    p.mac_a = link_info(p.a, p.ns1)["address"]
    return p


def check_secondary_tx(p, sec, queues, n):
    """The secondary sends n frames per queue; the kernel receives exactly those."""
    cap = Capture(p.a, p.ns1, n * len(queues))
    for q in queues:
        sec.cmd("tx %d %d" % (q, n))
    got = cap.frames()
    want = {rtu_udp4(p.mac_a, PEER, 1000 + q, 2000, q << 16 | i)
            for q in queues for i in range(n)}
    assert len(got) == len(want), "kernel got %d of %d frames" % (len(got), len(want))
    bad = [f.hex() for f in got if f not in want]
    assert not bad, "frames differ from what the secondary sent: %s" % bad[:3]
    assert len(set(got)) == len(want)


def check_secondary_rx(p, sec, queues, n):
    """The kernel sends n frames per queue of each queue's reverse flow; the
    secondary receives them all (TAP flow steering takes a flow back to the
    queue that last transmitted it) and compares every byte."""
    frames = [rtu_udp4(PEER, p.mac_a, 2000, 1000 + q, q << 16 | i)
              for i in range(n) for q in queues]
    sec.send("rx %d 20000" % len(frames))
    kernel_send(p.a, p.ns1, frames)
    text = sec.result(timeout=60)
    counts = {int(q): int(c) for q, c in re.findall(r"RXQ (\d+) (\d+)", text)}
    m = re.search(r"RX total (\d+) other (\d+) misrouted (\d+)", text)
    assert m and int(m.group(1)) == len(frames), text
    for q in queues:
        assert counts.get(q, 0) > 0, "queue %d received nothing: %s" % (q, text)
    return counts


def primary_forwards(p, flows=64):
    """Frames of many flows into port 0: the primary forwards those the kernel
    steers to its own queues to port 1 (counted by port 1's kernel side)."""
    before = kernel_counter(p.b, p.ns2, "rx")
    frames = [rtu_udp4(PEER, p.mac_a, 3000 + k, 4000, k) for k in range(flows)]
    kernel_send(p.a, p.ns1, frames)
    wait_for(lambda: kernel_counter(p.b, p.ns2, "rx") > before, 10,
             "the primary to forward frames of port 0's own queues to port 1")
    return kernel_counter(p.b, p.ns2, "rx") - before


# Issue 11: a secondary receives and transmits on pairs of a 12-pair port
# (two fd pages on 22.11) while the primary forwards on the others; what the
# secondary sends reaches the kernel intact, what the kernel sends it arrives.
def test_secondary_data_path(mp_pair, secondaries):
    p = mp_pair
    sec = Secondary(p.tp.prefix)
    secondaries.append(sec)
    assert sec.queues == NB_QUEUES
    assert sec.fds == NB_QUEUES, "the secondary got %d of %d queue fds" % (sec.fds, NB_QUEUES)
    sec.cmd("start " + " ".join(map(str, SEC_QUEUES)))
    check_secondary_tx(p, sec, SEC_QUEUES, 16)
    check_secondary_rx(p, sec, SEC_QUEUES, 16)
    assert primary_forwards(p) > 0
    # the primary's counters for the secondary's queues are the secondary's
    xs = p.tp.xstats(0)
    for q in SEC_QUEUES:
        assert xs["tx_q%d_packets" % q] == 16, xs
        assert xs["rx_q%d_packets" % q] >= 16, xs
    # a queue the primary runs is not the secondary's to stop
    sec.send("stop 0")
    with pytest.raises(AssertionError, match="FAIL stop"):
        sec.result()
    assert re.search(r"STOP 0 rx -\d+ tx -\d+", sec.output()), sec.output()[-500:]
    assert primary_forwards(p) > 0
    sec.cmd("stop " + " ".join(map(str, SEC_QUEUES)))
    assert sec.quit() == 0, sec.output()
    assert link_info(p.a, p.ns1), "the secondary's exit deleted the interface"
    assert primary_forwards(p) > 0
    assert p.tp.quit() == 0


class Side:
    """One port's kernel side, as the check_secondary_*() helpers want it."""

    def __init__(self, name, netns):
        self.a, self.ns1 = name, netns
        self.mac_a = link_info(name, netns)["address"]


def primary_cmds(tp, commands):
    for command in commands:
        out = tp.cmd(command)
        assert not re.search(r"fail|error|invalid|please", out, re.I), (command, out)


# Issue 11: all 255 queues of a port can be shared: the secondary gets every
# fd (32 pages of 8 on 22.11) and runs the last queue.
def test_secondary_255_queues(testpmd, netns, ifname, secondaries):
    ns, name = netns(), ifname("m")
    tp = testpmd(vdevs=[vdev(0, iface=name)], in_memory=False, eal_args=eal_plugin(),
                 app_args=["--rxq=255", "--txq=255"], timeout=180)
    check_plugin(tp)
    primary_cmds(tp, deferred(0, [254]))
    move_to_netns(name, ns)
    tp.start_forwarding()
    sec = Secondary(tp.prefix)
    secondaries.append(sec)
    assert (sec.queues, sec.fds) == (255, 255), "the secondary got %d of 255 fds" % sec.fds
    sec.cmd("start 254")
    side = Side(name, ns)
    check_secondary_tx(side, sec, [254], 8)
    check_secondary_rx(side, sec, [254], 8)
    sec.cmd("stop 254")
    assert sec.quit() == 0
    assert tp.quit() == 0


# Issue 11: a port hotplugged into the running primary (testpmd port attach)
# reaches a secondary that was already attached, data path included.
def test_secondary_hotplug(testpmd, netns, ifname, secondaries):
    ns, first, second = netns(), ifname("h"), ifname("h")
    tp = testpmd(vdevs=[vdev(0, iface=first)], in_memory=False, eal_args=eal_plugin(),
                 app_args=["--rxq=2", "--txq=2"])
    check_plugin(tp)
    sec = Secondary(tp.prefix)
    secondaries.append(sec)
    out = tp.cmd("port attach " + vdev(1, iface=second))
    assert re.search(r"Port 1 is attached", out), out
    primary_cmds(tp, ["port stop 1", "port 1 rxq 1 deferred_start on",
                      "port 1 txq 1 deferred_start on", "port start 1"])
    move_to_netns(second, ns)
    out = sec.cmd("port 1")
    assert "QUEUES 2" in out, out
    sec.cmd("start 1")
    assert "FDS 2 " in sec.cmd("fds"), sec.output()[-1000:]
    side = Side(second, ns)
    check_secondary_tx(side, sec, [1], 8)
    check_secondary_rx(side, sec, [1], 8)
    sec.cmd("stop 1")
    assert sec.quit() == 0
    assert tp.quit() == 0


# Issue 11: queues the primary sets up again reach the secondary at its next
# queue start: fewer pairs, then more (pairs 10 and 11 get new fds: the
# secondary pages again), and an rx offload the rings must honour.
def test_secondary_follows_reconfiguration(mp_pair, secondaries):
    p = mp_pair
    sec = Secondary(p.tp.prefix)
    secondaries.append(sec)
    gen = re.search(r"GEN (\d+)", sec.cmd("fds")).group(1)
    sec.cmd("start 11")
    assert "ol 0 " in sec.cmd("ring 11")
    check_secondary_tx(p, sec, [11], 4)
    sec.cmd("stop 11")
    p.tp.stop_forwarding()
    for command in ["port stop all", "port config all rxq 10", "port config all txq 10",
                    "port start all", "port stop all", "port config all rxq 12",
                    "port config all txq 12", *deferred(0, SEC_QUEUES)[:-1],
                    "port config 0 rx_offload udp_cksum on", "port start all"]:
        out = p.tp.cmd(command)
        assert not re.search(r"fail|error|invalid|please", out, re.I), (command, out)
    p.tp.start_forwarding()
    sec.cmd("start 11")
    # RTAP_RX_OL_UDP: the ring was built for the new configuration
    assert "ol 2 " in sec.cmd("ring 11"), sec.output()[-2000:]
    out = sec.cmd("fds")
    assert "FDS %d " % NB_QUEUES in out and "GEN %s\r" % gen not in out, (gen, out)
    check_secondary_tx(p, sec, [11], 8)
    check_secondary_rx(p, sec, [11], 8)
    sec.cmd("stop 11")
    assert sec.quit() == 0
    assert p.tp.quit() == 0


# Issue 11: SIGKILL of a secondary in the middle of its traffic leaves the
# primary forwarding and the interface in place; the primary's port stop
# takes the dead secondary's queues back.
def test_secondary_sigkill(mp_pair, secondaries):
    p = mp_pair
    sec = Secondary(p.tp.prefix)
    secondaries.append(sec)
    sec.cmd("start " + " ".join(map(str, SEC_QUEUES)))
    base = kernel_counter(p.a, p.ns1, "rx")
    sec.send("flood")
    sec.child.expect("FLOODING")
    wait_for(lambda: kernel_counter(p.a, p.ns1, "rx") > base + 1000, 20,
             "the secondary's flood to reach the kernel")
    sec.kill()
    assert p.tp.child.isalive(), p.tp.tail()
    assert link_info(p.a, p.ns1), "the interface is gone after SIGKILL of a secondary"
    assert primary_forwards(p) > 0
    for command in ("stop", "port stop 0", "port start 0"):
        out = p.tp.cmd(command)
        assert not re.search(r"fail|error", out, re.I), (command, out)
    p.tp.start_forwarding()
    assert primary_forwards(p) > 0
    assert p.tp.quit() == 0


def _proc_info_xstats(prefix):
    """Counters as dpdk-proc-info prints them: `--stats --xstats` (22.11's
    proc-info then prints the basic ones only) and `--xstats`, merged."""
    out = proc_info(prefix, "--stats", "--xstats")
    m = re.search(r"NIC statistics for port 0\s+#+\n(.*?)\n\s*\n", out, re.S)
    assert m, out
    xs = {k: int(v) for k, v in re.findall(r"([RT]X-[a-z]+):\s+(\d+)", m.group(1))}
    out = proc_info(prefix, "--xstats")
    m = re.search(r"NIC extended statistics for port 0(.*?)(NIC extended statistics|$)", out, re.S)
    assert m, out
    xs.update({k: int(v) for k, v in re.findall(r"^\s*(\w+):\s+(\d+)\s*$", m.group(1), re.M)})
    assert "rx_q0_packets" in xs and "kernel_tx_packets" in xs, out
    return xs


def link_status(tp, port=0):
    m = re.search(r"Link status:\s*(\w+)", tp.cmd("show port info %d" % port))
    return m.group(1) if m else None


# Issue 11: dpdk-proc-info --stats --xstats shows live counters while testpmd
# forwards, and leaves the primary's link as it was.
def test_proc_info_live_xstats(mp_pair):
    p = mp_pair
    assert link_status(p.tp) == "up"
    flood = subprocess.Popen(["ip", "netns", "exec", p.ns1, "ping", "-q", "-f", "-w", "60",
                              p.ip2], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        first = _proc_info_xstats(p.tp.prefix)
        wait_for(lambda: _proc_info_xstats(p.tp.prefix)["rx_good_packets"] >
                 first["rx_good_packets"] + 100, 30, "proc-info's counters to grow")
        second = _proc_info_xstats(p.tp.prefix)
    finally:
        flood.kill()
        flood.wait()
    for name in ("RX-packets", "TX-packets", "rx_good_packets", "kernel_tx_packets",
                 "rx_size_65_to_127_packets", "rx_unicast_packets"):
        assert second[name] > first[name], (name, first[name], second[name])
    assert sum(second["rx_q%d_packets" % q] for q in range(NB_QUEUES)) > \
        sum(first["rx_q%d_packets" % q] for q in range(NB_QUEUES))
    assert link_status(p.tp) == "up", "dpdk-proc-info changed the primary's link"
    assert "UP" in link_info(p.a, p.ns1)["flags"]
    assert p.tp.quit() == 0


def telemetry(prefix, *commands):
    assert os.access(TELEMETRY, os.X_OK), "%s missing (Debian's dpdk-dev)" % TELEMETRY
    res = run(["/usr/bin/python3", TELEMETRY, "-f", prefix], input="\n".join(commands) + "\n",
              timeout=60)
    # one pretty-printed JSON document per command
    docs, depth, cur = [], 0, []
    for line in res.stdout.splitlines():
        if not cur and not line.startswith("{"):
            continue
        cur.append(line)
        depth += line.count("{") - line.count("}")
        if depth == 0:
            docs.append(json.loads("\n".join(cur)))
            cur = []
    assert len(docs) == len(commands), res.stdout + res.stderr
    return docs


# Issue 11: the telemetry endpoints report the rtap port through Debian's
# dpdk-telemetry.py (the primary's telemetry socket).
def test_telemetry(mp_pair):
    p = mp_pair
    ping_out = run(["ping", "-c", "3", "-i", "0.2", p.ip2], netns=p.ns1, check=False).stdout
    lst, info, stats, xstats, link = telemetry(
        p.tp.prefix, "/ethdev/list", "/ethdev/info,0", "/ethdev/stats,0", "/ethdev/xstats,0",
        "/ethdev/link_status,0")
    assert 0 in lst["/ethdev/list"] and 1 in lst["/ethdev/list"], lst
    info = info["/ethdev/info"]
    assert info["name"] == "net_rtap0", info
    assert info["nb_rx_queues"] == NB_QUEUES, info
    stats = stats["/ethdev/stats"]
    tp_stats = p.tp.stats(0)
    assert stats["ipackets"] >= 3, (stats, ping_out)
    assert stats["ipackets"] <= tp_stats["RX-packets"], (stats, tp_stats)
    xstats = xstats["/ethdev/xstats"]
    for name in ("rx_q11_packets", "rx_size_64_packets", "kernel_rx_dropped", "tx_q0_io_submits"):
        assert name in xstats, sorted(xstats)
    assert xstats["rx_good_packets"] >= 3
    link = link["/ethdev/link_status"]
    assert link["status"] == "UP", link
    assert p.tp.quit() == 0


@pytest.fixture
def short_dir():
    """A directory of a short path: 22.11's dpdk-pdump cuts "tx_pcap=PATH" to 63
    characters (and writes to the shortened name)."""
    path = tempfile.mkdtemp(prefix="rtcap", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def pcap_frames(path):
    """The frames of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    assert len(data) >= 24, "%s: no pcap header" % path
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def icmp_echo(frames, src, dst, kind):
    """ICMP echo requests (kind 8) or replies (0) from src to dst among frames."""
    s, d = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    return [f for f in frames if len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 1 and
            f[26:30] == s and f[30:34] == d and f[34] == kind]


# Issue 11, capture: dpdk-pdump (a secondary) captures an rtap port's rx and
# tx while testpmd forwards, given the mempool drivers the primary links in
# the primary's order (-d); the primary keeps forwarding afterwards.
# (dpdk-dumpcap takes no EAL arguments, so it cannot be given them: see the
# guide's Observability section.)
def test_capture_pdump(make_fwd_pair, short_dir):
    p = make_fwd_pair(in_memory=False, eal_args=eal_plugin(), static_neigh=True)
    check_plugin(p.tp)
    rx, tx = os.path.join(short_dir, "rx.pcap"), os.path.join(short_dir, "tx.pcap")
    argv = ["/usr/bin/dpdk-pdump", "--file-prefix=" + p.tp.prefix, "--no-pci",
            *mempool_order_args(), "-d", PLUGIN, "--", "--pdump",
            "port=0,queue=*,rx-dev=%s,tx-dev=%s" % (rx, tx)]
    # a pty: pdump's stdout is line-buffered there, so its "ready" line comes at once
    pd = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace", timeout=60)
    log = []
    try:
        i = pd.expect([r"capture for \(\d+\) tuples", pexpect.EOF])
        log.append(pd.before + str(pd.after))
        assert i == 0, "dpdk-pdump exited:\n" + "".join(log)
        count = 20
        out = run(["ping", "-c", str(count), "-i", "0.05", "-W", "2", p.ip2], netns=p.ns1,
                  check=False).stdout
        assert " 0% packet loss" in out, out
        pd.kill(signal.SIGINT)
        pd.expect(pexpect.EOF)
        log.append(pd.before)
        pd.wait()    # reaped, not killed: it flushes its files on the way out
    finally:
        if pd.isalive():
            pd.kill(signal.SIGKILL)
            pd.wait()
    log = "".join(log)
    assert "portal" not in log, "pdump's pool ran another mempool driver in the primary:\n" + log
    got_rx = icmp_echo(pcap_frames(rx), p.ip1, p.ip2, 8)
    got_tx = icmp_echo(pcap_frames(tx), p.ip2, p.ip1, 0)
    assert len(got_rx) == count, "captured %d of %d echo requests on rx" % (len(got_rx), count)
    assert len(got_tx) == count, "captured %d of %d echo replies on tx" % (len(got_tx), count)
    assert p.tp.child.isalive(), p.tp.tail()
    loss, out = run(["ping", "-c", "3", "-i", "0.2", p.ip2], netns=p.ns1, check=False), None
    assert " 0% packet loss" in loss.stdout, loss.stdout
    assert p.tp.quit() == 0
