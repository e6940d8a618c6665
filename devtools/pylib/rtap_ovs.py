# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""Open vSwitch with DPDK, started by hand, for test/test_ovs.py and the
benchmark's OVS scenario.

Debian's openvswitch-switch-dpdk (ovs-vswitchd-dpdk) runs as a user would
run it, but with nothing of the system's: ovsdb-server and ovs-vswitchd get
a private run/db/log directory (OVS_RUNDIR and friends), a private EAL file
prefix, and are children of this process (PR_SET_PDEATHSIG: they die with
it). ovs-vswitchd runs in a network namespace of the caller's: the kernel
interfaces OVS makes there (the netdev datapath's "ovs-netdev" and one per
bridge, persistent TAPs with fixed names) stay out of everyone else's way,
and a net_rtap port's interface appears there first. stop() ends both
processes, deletes every interface left in that namespace, and removes the
directory and what EAL left under its prefix, whatever state they are in.

    ovs = Ovs("ns-ovs", other_config={"userspace-tso-enable": "true"}).start()
    ovs.add_bridge("br0")
    ovs.add_dpdk_port("br0", "p0", "net_rtap0,iface=rtap0")
    ...
    ovs.stop()
"""

import ctypes
import itertools
import os
import shutil
import signal
import subprocess
import tempfile

from rtap_harness import PID, HarnessError, ip, link_names, run, wait_for

VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
TOOLS = ("ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-appctl")

# other_config every instance gets: the hugepage limits keep OVS's mempool
# from taking (nearly) every hugepage of the machine
DPDK_CONFIG = {
    "dpdk-init": "true",
    "dpdk-socket-mem": "256",
    "dpdk-socket-limit": "256",
}


class OvsError(HarnessError):
    pass


def missing():
    """Why Open vSwitch with DPDK cannot run here, or None."""
    if not os.access(VSWITCHD, os.X_OK):
        return "%s missing: openvswitch-switch-dpdk is not installed (devtools/setup.sh " \
            "installs it where the release has it)" % VSWITCHD
    for tool in TOOLS:
        if not shutil.which(tool):
            return "%s missing (openvswitch-switch)" % tool
    if not os.path.exists(SCHEMA):
        return "%s missing (openvswitch-common)" % SCHEMA
    return None


def _die_with_parent():
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Ovs:
    _ids = itertools.count()

    def __init__(self, netns, other_config=None, extra_eal=(), timeout=60):
        n = next(Ovs._ids)
        self.netns = netns
        self.rundir = tempfile.mkdtemp(prefix="net-rtap-ovs-%d-%d-" % (PID, n), dir="/run")
        self.prefix = "rtap-ovs-%d-%d" % (PID, n)
        self.db = os.path.join(self.rundir, "conf.db")
        self.sock = os.path.join(self.rundir, "db.sock")
        self.ctl = os.path.join(self.rundir, "ovs-vswitchd.ctl")
        self.log = os.path.join(self.rundir, "ovs-vswitchd.log")
        self.env = dict(os.environ, OVS_RUNDIR=self.rundir, OVS_DBDIR=self.rundir,
                        OVS_LOGDIR=self.rundir, OVS_SYSCONFDIR=self.rundir)
        self.timeout = timeout
        config = dict(DPDK_CONFIG)
        # --file-prefix: EAL's files are this instance's, not "rte"'s of the machine
        config["dpdk-extra"] = " ".join(["--no-pci", "--file-prefix=" + self.prefix]
                                        + list(extra_eal))
        config.update(other_config or {})
        self.other_config = config
        self.procs = {}
        self.last_log = ""

    # ------------------------------------------------------------ processes

    def _spawn(self, name, argv):
        out = open(os.path.join(self.rundir, name + ".out"), "w")
        try:
            self.procs[name] = subprocess.Popen(argv, env=self.env, stdout=out,
                                                stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL,
                                                preexec_fn=_die_with_parent)
        finally:
            out.close()

    def _alive(self, name):
        p = self.procs.get(name)
        return p is not None and p.poll() is None

    def start(self):
        """ovsdb-server, the DPDK configuration, ovs-vswitchd; returns self
        once DPDK is initialised. Raises OvsError (having stopped
        everything) when it is not."""
        try:
            run(["ovsdb-tool", "create", self.db, SCHEMA], env=self.env)
            self._spawn("ovsdb-server", [
                "ovsdb-server", self.db, "--remote=punix:" + self.sock,
                "--unixctl=" + os.path.join(self.rundir, "ovsdb-server.ctl"),
                "--pidfile=" + os.path.join(self.rundir, "ovsdb-server.pid"),
                "--log-file=" + os.path.join(self.rundir, "ovsdb-server.log")])
            wait_for(lambda: os.path.exists(self.sock) or not self._alive("ovsdb-server"),
                     self.timeout, "ovsdb-server's socket")
            if not self._alive("ovsdb-server"):
                raise OvsError("ovsdb-server exited:\n" + self._read("ovsdb-server.out"))
            self.vsctl("--no-wait", "init")
            self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                       *["other_config:%s=%s" % (k, _atom(v))
                         for k, v in self.other_config.items()])
            self._spawn("ovs-vswitchd", [
                "ip", "netns", "exec", self.netns, VSWITCHD, "unix:" + self.sock, "--unixctl=" + self.ctl,
                "--pidfile=" + os.path.join(self.rundir, "ovs-vswitchd.pid"),
                "--log-file=" + self.log])
            wait_for(lambda: self._dpdk_initialized() or not self._alive("ovs-vswitchd"),
                     self.timeout, "ovs-vswitchd to initialise DPDK")
            if not self._alive("ovs-vswitchd"):
                raise OvsError("ovs-vswitchd exited (status %s):\n%s"
                               % (self.procs["ovs-vswitchd"].returncode, self.tail()))
            return self
        except BaseException:
            self.stop()
            raise

    def _dpdk_initialized(self):
        res = self.vsctl("--if-exists", "get", "Open_vSwitch", ".", "dpdk_initialized",
                         check=False)
        return res.returncode == 0 and res.stdout.strip() == "true"

    def pid(self):
        return self.procs["ovs-vswitchd"].pid

    def stop(self):
        """End ovs-vswitchd and ovsdb-server (politely, then not) and remove
        every file they made. Safe to call more than once."""
        if self._alive("ovs-vswitchd"):
            run(["ovs-appctl", "-t", self.ctl, "--timeout=10", "exit", "--cleanup"],
                env=self.env, check=False, timeout=20)
        for name in ("ovs-vswitchd", "ovsdb-server"):
            p = self.procs.get(name)
            if p is None:
                continue
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if p.poll() is not None:
                    break
                p.send_signal(sig)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            p.wait()
        for link in link_names(self.netns) if os.path.exists("/run/netns/" + self.netns) else []:
            if link != "lo":
                ip("link", "del", "dev", link, netns=self.netns, check=False)
        if os.path.exists(self.log):
            self.last_log = self._read("ovs-vswitchd.log")
        shutil.rmtree(self.rundir, ignore_errors=True)
        shutil.rmtree(os.path.join("/var/run/dpdk", self.prefix), ignore_errors=True)
        with open("/proc/mounts") as f:
            hugetlbfs = [line.split()[1] for line in f if line.split()[2] == "hugetlbfs"]
        for mnt in hugetlbfs:
            for name in os.listdir(mnt):
                if name.startswith(self.prefix + "map_"):
                    os.unlink(os.path.join(mnt, name))

    def cleanup(self):
        """stop(), under the name the benchmark's Resources call."""
        self.stop()

    # ------------------------------------------------------------ commands

    def vsctl(self, *args, check=True):
        return run(["ovs-vsctl", "--db=unix:" + self.sock, "--timeout=%d" % self.timeout]
                   + list(args), env=self.env, check=check, timeout=self.timeout + 10)

    def appctl(self, *args, check=True):
        return run(["ovs-appctl", "-t", self.ctl, "--timeout=%d" % self.timeout] + list(args),
                   env=self.env, check=check, timeout=self.timeout + 10)

    def add_bridge(self, name):
        self.vsctl("add-br", name, "--", "set", "Bridge", name, "datapath_type=netdev")

    def add_dpdk_port(self, bridge, port, devargs, **columns):
        """add-port with type=dpdk options:dpdk-devargs=DEVARGS; columns:
        more Interface columns, e.g. {"options:n_rxq": 2, "mtu_request": 9000}.
        A port OVS cannot set up is added all the same: wait_port() tells
        (ovs-vsctl 3.x says nothing, 4.0 fails with exit status 65)."""
        sets = ["type=dpdk", "options:dpdk-devargs=%s" % _atom(devargs)]
        sets += ["%s=%s" % (k, _atom(v)) for k, v in columns.items()]
        res = self.vsctl("add-port", bridge, port, "--", "set", "Interface", port, *sets,
                         check=False)
        if res.returncode != 0 and "Error detected while setting up" not in res.stderr:
            raise OvsError("ovs-vsctl add-port %s: exit %d\n%s%s"
                           % (port, res.returncode, res.stdout, res.stderr))

    def del_port(self, bridge, port):
        self.vsctl("del-port", bridge, port)

    def get(self, table, record, column):
        """One column, as ovs-vsctl prints it (strings unquoted)."""
        out = self.vsctl("--if-exists", "get", table, record, column).stdout.strip()
        return out[1:-1] if len(out) >= 2 and out[0] == out[-1] == '"' else out

    def iface(self, port, column):
        return self.get("Interface", port, column)

    def port_error(self, port):
        """The Interface's error column, or "" when it has none."""
        err = self.vsctl("--if-exists", "get", "Interface", port, "error",
                         check=False).stdout.strip()
        return "" if err in ("", "[]") else err.strip('"')

    def wait_port(self, port, timeout=20):
        """Wait until the port has an OpenFlow port number (it works) or an
        error (it does not); returns the error, "" when it works."""
        def settled():
            err = self.port_error(port)
            if err:
                return err
            ofport = self.iface(port, "ofport")
            return "ok" if ofport not in ("", "[]", "-1") else None
        res = wait_for(settled, timeout, "port %s to come up or fail" % port, interval=0.1)
        return "" if res == "ok" else res

    # ------------------------------------------------------------ reading

    def _read(self, name):
        try:
            with open(os.path.join(self.rundir, name), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def tail(self, n=40):
        text = self._read("ovs-vswitchd.log") or self.last_log
        return "\n".join(text.splitlines()[-n:])


def _atom(value):
    """An OVSDB string atom for ovs-vsctl: quoted when it holds anything
    but letters, digits and -_./:"""
    value = str(value)
    if value and all(c.isalnum() or c in "-_./:" for c in value):
        return value
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')
