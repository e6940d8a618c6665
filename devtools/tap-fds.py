#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""The privileged half of net_rtap's fds= devarg.

Run as root, it opens N queues of a multi-queue TAP (creating the TAP if it
does not exist: it then lasts as long as the last of those fds), optionally
drops to an unprivileged user and hides /dev/net/tun from the command, and
executes the command with the queue fds inherited and every "{fds}" in its
arguments replaced by their numbers, "A:B:...":

    devtools/tap-fds.py --queues 2 --user U --no-tun rtapu0 -- \\
        dpdk-testpmd --no-huge -m 512 --no-pci --vdev=net_rtap0,fds={fds} -- \\
        -i --rxq=2 --txq=2 --total-num-mbufs=4096 --no-mlockall

The command runs with no capability: it can use the TAP through the fds it
was given and nothing else (as QEMU's tap fds= does). The guide's "Running
without root" says what works there.
"""

import argparse
import ctypes
import fcntl
import os
import pwd
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_MULTI_QUEUE = 0x0100
IFF_VNET_HDR = 0x4000
CLONE_NEWNS = 0x00020000
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000


def die(msg):
    print("tap-fds: " + msg, file=sys.stderr)
    sys.exit(1)


def open_queue(name):
    """One queue fd of multi-queue TAP name, inheritable; the kernel's name for it."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR
    try:
        res = fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), flags))
    except OSError as e:
        die("TUNSETIFF %s: %s (an interface of that name that is not a multi-queue "
            "TAP with vnet_hdr?)" % (name, e.strerror))
    os.set_inheritable(fd, True)
    return fd, res[:16].rstrip(b"\0").decode()


def hide_tun():
    """A mount namespace of our own in which /dev/net/tun is /dev/null."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_void_p]
    if libc.unshare(CLONE_NEWNS) != 0:
        die("unshare(CLONE_NEWNS): " + os.strerror(ctypes.get_errno()))
    if (libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0 or
            libc.mount(b"/dev/null", b"/dev/net/tun", None, MS_BIND, None) != 0):
        die("mount: " + os.strerror(ctypes.get_errno()))


def drop_to(user):
    try:
        pw = pwd.getpwnam(user) if not user.isdigit() else pwd.getpwuid(int(user))
    except KeyError:
        die("no user " + user)
    os.setgroups([])
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)
    if os.geteuid() != pw.pw_uid or os.getegid() != pw.pw_gid:
        die("could not become " + user)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [--queues N] [--user U] [--no-tun] IFACE -- COMMAND [ARG...]")
    ap.add_argument("--queues", type=int, default=1, help="queue fds to open (default 1)")
    ap.add_argument("--user", help="run the command as this user (name or uid), its "
                    "primary group, no supplementary groups")
    ap.add_argument("--no-tun", action="store_true",
                    help="the command sees /dev/null as /dev/net/tun")
    ap.add_argument("iface", help="the TAP; created (not persistent) if absent")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        ap.error("no command")
    if not 1 <= a.queues <= 255:
        ap.error("--queues: 1 to 255")
    fds = []
    for _ in range(a.queues):
        fd, name = open_queue(a.iface)
        fds.append(fd)
    print("tap-fds: %s: queue fds %s" % (name, ":".join(map(str, fds))), file=sys.stderr)
    if a.no_tun:
        hide_tun()
    if a.user is not None:
        drop_to(a.user)
    arg = ":".join(map(str, fds))
    cmd = [c.replace("{fds}", arg) for c in cmd]
    try:
        os.execvp(cmd[0], cmd)
    except OSError as e:
        die("%s: %s" % (cmd[0], e.strerror))


if __name__ == "__main__":
    main()
