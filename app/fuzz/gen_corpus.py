#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Write the seed corpus of the libFuzzer targets, app/fuzz/corpus/<target>/,
from hand-written cases: valid inputs of every shape the targets parse (the
fuzzer mutates from there). Deterministic; rerun after changing an input
format (the layouts are in each target's opening comment) and commit the
result.

usage: gen_corpus.py [OUTDIR]   (default: the corpus/ beside this script)
"""

import hashlib
import os
import struct
import sys

# virtio-net header flags and GSO types (linux/virtio_net.h)
NEEDS_CSUM, DATA_VALID = 1, 2
GSO_NONE, GSO_TCPV4, GSO_UDP, GSO_TCPV6, GSO_UDP_L4, GSO_ECN = 0, 1, 3, 4, 5, 0x80
# rtap.h RTAP_RX_OL_*
OL_TCP, OL_UDP, OL_LRO, OL_IP, OL_VLAN_STRIP, OL_VLAN_FILTER = 1, 2, 4, 8, 16, 32
# fuzz_tx.c's flag_table, by index
SEL = {name: 1 << i for i, name in enumerate([
    "IP_CKSUM", "TCP_CKSUM", "UDP_CKSUM", "SCTP_CKSUM", "TCP_SEG", "UDP_SEG", "IPV4", "IPV6",
    "OUTER_IPV4", "OUTER_IPV6", "OUTER_IP_CKSUM", "TUNNEL_VXLAN", "TUNNEL_GRE", "VLAN",
    "OUTER_UDP_CKSUM", "QINQ"])}


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def eth(ethertype, tags=()):
    b = bytes.fromhex("020000000001020000000002")
    for tpid in tags:
        b += struct.pack("!HH", tpid, 100)
    return b + struct.pack("!H", ethertype)


def ipv4(proto, l4len, opts=b""):
    ihl = (20 + len(opts)) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(opts) + l4len, 1, 0, 64, proto, 0,
                    bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + opts
    return h[:10] + struct.pack("!H", (~csum(h)) & 0xffff) + h[12:]


def ipv6(proto, l4len):
    return struct.pack("!IHBB16s16s", 6 << 28, l4len, proto, 64,
                       bytes.fromhex("fd770001" + "00" * 11 + "02"),
                       bytes.fromhex("fd770001" + "00" * 11 + "01"))


def tcp(payload):
    return struct.pack("!HHIIBBHHH", 1000, 2000, 1, 0, 5 << 4, 0x18, 65535, 0, 0) + payload


def udp(payload):
    return struct.pack("!HHHH", 1000, 2000, 8 + len(payload), 0) + payload


def frame(ipv, proto, payload=b"x" * 64, tags=(), opts=b""):
    l4 = tcp(payload) if proto == 6 else udp(payload)
    if ipv == 4:
        return eth(0x0800, tags) + ipv4(proto, len(l4), opts) + l4
    return eth(0x86dd, tags) + ipv6(proto, len(l4)) + l4


def vnet(flags=0, gso=GSO_NONE, hdr_len=0, gso_size=0, start=0, offset=0):
    return struct.pack("<BBHHHH", flags, gso, hdr_len, gso_size, start, offset)


def rx_seed(ol, segs, room, hdr, fr, mtu=1500, vlan_pattern=0xffffffffffffffff):
    return struct.pack("<BBH", ol, segs - 1, room - 1) + hdr + struct.pack(
        "<HQ", mtu, vlan_pattern) + fr


def rx_seeds():
    out = []
    for ipv in (4, 6):
        l3 = 20 if ipv == 4 else 40
        for proto, off in ((6, 16), (17, 6)):
            fr = frame(ipv, proto, b"abcdefgh" * 40)
            start = 14 + l3
            for ol in (0, OL_TCP | OL_UDP, OL_TCP | OL_UDP | OL_LRO | OL_IP):
                out.append(rx_seed(ol, 1, 2048, vnet(NEEDS_CSUM, start=start, offset=off), fr))
                # a chain whose segments break at odd positions
                out.append(rx_seed(ol, 8, 63, vnet(NEEDS_CSUM, start=start, offset=off), fr))
            out.append(rx_seed(OL_TCP | OL_IP, 1, 2048, vnet(DATA_VALID), fr))
            gso = (GSO_TCPV4 if ipv == 4 else GSO_TCPV6) if proto == 6 else GSO_UDP_L4
            big = frame(ipv, proto, b"z" * 3000)
            out.append(rx_seed(OL_LRO | OL_TCP | OL_UDP, 2, 2048,
                               vnet(NEEDS_CSUM, gso | GSO_ECN, start + 20, 1400, start, off), big))
    out.append(rx_seed(OL_IP, 1, 2048, vnet(), frame(4, 17, tags=(0x8100,))))
    out.append(rx_seed(OL_IP, 1, 2048, vnet(), frame(4, 6, tags=(0x88a8, 0x8100),
                                                      opts=b"\x01" * 8)))
    out.append(rx_seed(0, 1, 2048, vnet(), b"\xff" * 60))
    # VLAN strip and filter, the MTU check (a tagged frame may be 4 bytes longer)
    tagged = frame(4, 17, b"t" * 100, tags=(0x8100,))
    for ol in (OL_VLAN_STRIP, OL_VLAN_FILTER, OL_VLAN_STRIP | OL_VLAN_FILTER | OL_IP):
        out.append(rx_seed(ol, 1, 2048, vnet(), tagged, vlan_pattern=0))
        out.append(rx_seed(ol, 4, 16, vnet(), tagged))
    out.append(rx_seed(OL_VLAN_STRIP, 1, 2048, vnet(), frame(4, 6, tags=(0x88a8, 0x8100))))
    out.append(rx_seed(0, 1, 2048, vnet(), tagged, mtu=len(tagged) - 18))
    out.append(rx_seed(0, 1, 2048, vnet(), tagged, mtu=len(tagged) - 19))
    out.append(rx_seed(0, 64, 1, vnet(), b"\x01" * 63))
    # found by the fuzzer: a checksum completed into the VLAN tag the filter judged
    out.append(bytes.fromhex("fd200399a10400b0600000000f00000d2300000000000000610071003e000101ff000002810000747a74"))
    return out


def tx_seed(segs_layout, kind, sel, fr, l2=14, l3=20, l4=20, segsz=0, ol2=0, ol3=0, raw=0,
            tci=0, tci_outer=0):
    b = struct.pack("<BBHQBHBHBHHH", len(segs_layout) - 1, kind, sel, raw, l2, l3, l4, segsz,
                    ol2, ol3, tci, tci_outer)
    for headroom, length in segs_layout:
        b += struct.pack("<BH", headroom, length)
    return b + fr


def tx_seeds():
    out = []
    for ipv in (4, 6):
        l3 = 20 if ipv == 4 else 40
        v = SEL["IPV4"] if ipv == 4 else SEL["IPV6"]
        for proto in (6, 17):
            l4 = 20 if proto == 6 else 8
            fr = frame(ipv, proto, b"p" * 1000)
            one = [(128, len(fr))]
            chain = [(128, 14 + l3 + l4), (128, 500), (0, len(fr) - 14 - l3 - l4 - 500)]
            ck = SEL["TCP_CKSUM"] if proto == 6 else SEL["UDP_CKSUM"]
            seg = SEL["TCP_SEG"] if proto == 6 else SEL["UDP_SEG"]
            ipck = SEL["IP_CKSUM"] if ipv == 4 else 0
            for kind in (0, 1, 2):
                out.append(tx_seed(one, kind, v | ck | ipck, fr, l3=l3, l4=l4))
                out.append(tx_seed(chain, kind, v | ck | seg | ipck, fr, l3=l3, l4=l4,
                                   segsz=500))
            out.append(tx_seed([(127, len(fr))], 0, v | ck | ipck, fr, l3=l3, l4=l4))
    # VXLAN: outer IPv4/UDP/VXLAN, inner IPv4/TCP with checksum offload
    inner = frame(4, 6, b"q" * 200)
    vxlan = b"\x08" + b"\0" * 7
    pkt = (eth(0x0800) + ipv4(17, 8 + len(vxlan) + len(inner)) +
           struct.pack("!HHHH", 1000, 4789, 8 + len(vxlan) + len(inner), 0) + vxlan + inner)
    out.append(tx_seed([(128, len(pkt))], 0,
                       SEL["TUNNEL_VXLAN"] | SEL["OUTER_IPV4"] | SEL["IPV4"] | SEL["TCP_CKSUM"] |
                       SEL["IP_CKSUM"], pkt, l2=8 + 8 + 14, l3=20, l4=20, ol2=14, ol3=20))
    out.append(tx_seed([(128, 100)] * 41, 0, 0, b"r" * 100))
    # VLAN and QinQ insertion: in place (headroom), in the slot's copy (shared, or no room)
    fr = frame(4, 6, b"v" * 300)
    for kind, headroom in ((0, 128), (1, 128), (0, 12), (0, 127)):
        out.append(tx_seed([(headroom, len(fr))], kind, SEL["VLAN"] | SEL["IPV4"] |
                           SEL["TCP_CKSUM"] | SEL["IP_CKSUM"], fr, tci=100))
        out.append(tx_seed([(headroom, len(fr)), (128, 0)], kind, SEL["QINQ"] | SEL["IPV4"] |
                           SEL["TCP_SEG"] | SEL["IP_CKSUM"], fr, segsz=100, tci=100,
                           tci_outer=200))
    out.append(tx_seed([(128, 60)], 0, SEL["VLAN"], b"w" * 60, tci=7))
    out.append(tx_seed([(128, 60)], 0, SEL["SCTP_CKSUM"] | SEL["IPV4"], frame(4, 17)))
    out.append(tx_seed([(128, 60)], 0, 0, b"\0" * 60, raw=1 << 63))
    return out


ARGS = [
    b"", b"iface=rtap0", b"iface=x%d", b"iface=abcdefghijklmno", b"mac=02:00:00:00:00:01",
    b"persist=1", b"persist", b"persist=0", b"io_mode=coop", b"io_mode=sqpoll", b"io_mode",
    b"txqueuelen=1", b"txqueuelen=1048576",
    b"iface=dtap1,mac=02:11:22:33:44:55,persist=1,io_mode=sqpoll,txqueuelen=4096",
    b"iface=a,iface=b", b",iface=a", b"iface=a,,mac=02:00:00:00:00:01", b"mac=01:00:5e:00:00:01",
    b"txqueuelen=99999999999999999999", b"iface=../x", b"foo=bar", b"iface=%d%d",
    b"fds=3", b"fds=3:4:5", b"fds=3:3", b"fds=3::4", b"fds=3,iface=x", b"fds=2147483648",
]


def write(outdir, target, seeds):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    for s in seeds:
        with open(os.path.join(d, hashlib.sha1(s).hexdigest()[:16]), "wb") as f:
            f.write(s)
    print("%s: %d seeds, %d bytes" % (target, len(seeds), sum(len(s) for s in seeds)))


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    write(outdir, "fuzz_rx", rx_seeds())
    write(outdir, "fuzz_tx", tx_seeds())
    write(outdir, "fuzz_args", ARGS)


if __name__ == "__main__":
    main()
