# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The net_rtap authors
"""devtools/pylib/apt_sources.py, which setup.sh asks for deb-src twins and
test-distro.sh for the mirror, on apt source files in a scratch root."""

import os
import subprocess
import sys

import pytest

TOOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "devtools",
                    "pylib", "apt_sources.py")
TWINS = "etc/apt/sources.list.d/net-rtap-deb-src.list"

DEB822 = """Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


@pytest.fixture
def root(tmp_path):
    (tmp_path / "etc/apt/sources.list.d").mkdir(parents=True)
    (tmp_path / "etc/os-release").write_text('VERSION_CODENAME=bookworm\n')
    return tmp_path


def tool(root, *args):
    return subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, text=True,
                          env=dict(os.environ, RTAP_APT_ROOT=str(root)), check=False)


def twins(root):
    res = tool(root, "deb-src-twins", str(root / TWINS))
    assert res.returncode == 0, res.stderr
    path = root / TWINS
    return [line for line in path.read_text().splitlines()
            if not line.startswith("#")] if path.exists() else None


def test_twins_of_deb822_sources(root):
    (root / "etc/apt/sources.list.d/debian.sources").write_text(DEB822)
    assert twins(root) == [
        "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
        "http://deb.debian.org/debian bookworm main",
        "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
        "http://deb.debian.org/debian bookworm-updates main",
        "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
        "http://deb.debian.org/debian-security bookworm-security main"]
    # a second run writes the same, not twins of its own twins
    assert len(twins(root)) == 3


def test_no_duplicate_of_existing_deb_src(root):
    """Sources that have deb-src already get no twin ("configured multiple times")."""
    (root / "etc/apt/sources.list.d/debian.sources").write_text(
        DEB822.replace("Types: deb\n", "Types: deb deb-src\n"))
    (root / TWINS).write_text("deb-src http://deb.debian.org/debian bookworm main\n")
    assert twins(root) is None, "nothing is missing: the twin file goes"


def test_only_the_missing_components(root):
    (root / "etc/apt/sources.list").write_text(
        "deb http://deb.debian.org/debian/ trixie main contrib\n"
        "deb-src http://deb.debian.org/debian trixie main\n"
        "# deb-src http://deb.debian.org/debian trixie contrib\n")
    assert twins(root) == ["deb-src http://deb.debian.org/debian/ trixie contrib"]


def test_mirror(root):
    (root / "etc/apt/sources.list.d/debian.sources").write_text(DEB822)
    (root / "etc/apt/sources.list.d/other.list").write_text(
        "deb https://example.org/apt stable main\n")
    res = tool(root, "mirror")
    assert res.returncode == 0 and res.stdout.strip() == "http://deb.debian.org/debian", res
    res = tool(root, "mirror", "sid")
    assert res.stdout.strip() == "http://deb.debian.org/debian", res
    (root / "etc/apt/sources.list.d/debian.sources").unlink()
    res = tool(root, "mirror")
    assert res.returncode == 1 and "no Debian archive" in res.stderr, res
