#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""The machine's apt sources, read the way apt reads them (one-line
sources.list files and deb822 .sources files), for devtools/setup.sh and
devtools/test-distro.sh.

usage: apt_sources.py deb-src-twins FILE
           write into FILE "deb-src" twins of the enabled "deb" sources for
           the suites and components no deb-src source covers yet (apt warns
           "configured multiple times" about duplicates); when none is
           missing, write nothing and remove FILE. FILE itself is not read.
       apt_sources.py mirror [SUITE]
           print the URI of the Debian archive the machine uses: the first
           enabled "deb" source of SUITE (default: this machine's codename),
           else the first one whose URI ends in /debian
"""

import glob
import os
import re
import sys

ROOT = os.environ.get("RTAP_APT_ROOT", "/")  # for tests: another root


def _path(*parts):
    return os.path.join(ROOT, *parts)


def _one_line_entries(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"(deb|deb-src)\s+(\[[^]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$", line)
            if m:
                out.append({"type": m.group(1), "options": (m.group(2) or "").strip(),
                            "uri": m.group(3), "suite": m.group(4),
                            "components": m.group(5).split()})
    return out


def _deb822_entries(path):
    out = []
    with open(path) as f:
        text = f.read()
    for stanza in re.split(r"\n\s*\n", text):
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
        if fields.get("enabled", "yes").lower() == "no":
            continue
        options = ""
        if "signed-by" in fields and not fields["signed-by"].startswith("-"):
            options = "[signed-by=%s]" % fields["signed-by"].split()[0]
        for typ in fields.get("types", "").split():
            for uri in fields.get("uris", "").split():
                for suite in fields.get("suites", "").split():
                    out.append({"type": typ, "options": options, "uri": uri, "suite": suite,
                                "components": fields.get("components", "").split()})
    return out


def entries(skip=None):
    """Every enabled source, in apt's order; skip: a file not to read."""
    out = []
    lists = [_path("etc/apt/sources.list")]
    lists += sorted(glob.glob(_path("etc/apt/sources.list.d/*.list")))
    for path in lists:
        if path != skip and os.path.exists(path):
            out += _one_line_entries(path)
    for path in sorted(glob.glob(_path("etc/apt/sources.list.d/*.sources"))):
        if path != skip:
            out += _deb822_entries(path)
    return out


def deb_src_twins(path):
    srcs = entries(skip=path)
    have = {(e["uri"].rstrip("/"), e["suite"], c)
            for e in srcs if e["type"] == "deb-src" for c in e["components"]}
    lines = []
    for e in srcs:
        if e["type"] != "deb":
            continue
        key = e["uri"].rstrip("/")
        missing = [c for c in e["components"] if (key, e["suite"], c) not in have]
        if missing:
            words = ["deb-src", e["options"], e["uri"], e["suite"]] + missing
            lines.append(" ".join(w for w in words if w))
            have.update((key, e["suite"], c) for c in missing)
    if not lines:
        if os.path.exists(path):
            os.unlink(path)
        return 0
    with open(path, "w") as f:
        f.write("# Written by net_rtap devtools/setup.sh: source twins of this machine's "
                "apt sources\n")
        f.write("\n".join(lines) + "\n")
    return 0


def codename():
    try:
        with open(_path("etc/os-release")) as f:
            for line in f:
                if line.startswith("VERSION_CODENAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def mirror(suite=None):
    debs = [e for e in entries() if e["type"] == "deb"]
    suite = suite or codename()
    for e in debs:
        if e["suite"] == suite:
            return e["uri"]
    for e in debs:
        if e["uri"].rstrip("/").endswith("/debian"):
            return e["uri"]
    return None


def main(argv):
    if len(argv) == 2 and argv[0] == "deb-src-twins":
        return deb_src_twins(argv[1])
    if 1 <= len(argv) <= 2 and argv[0] == "mirror":
        uri = mirror(argv[1] if len(argv) == 2 else None)
        if not uri:
            print("apt_sources: no Debian archive among this machine's apt sources",
                  file=sys.stderr)
            return 1
        print(uri)
        return 0
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
