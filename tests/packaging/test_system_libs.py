"""The first README command on a fresh machine: Qt's system libraries are found, named and installed.

A fresh Debian 12 lacked libxcb-icccm4 and libxcb-keysyms1, which only the xcb platform plugin
links against, so setup.sh (which checked libQt6Gui alone) passed and the window aborted.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("qt_system_libs", ROOT / "packaging" / "qt_system_libs.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


qsl = _module()

# What ldd printed for plugins/platforms/libqxcb.so on a fresh Debian 12 (this machine, before the fix).
FRESH_DEBIAN_LDD = """\
\tlinux-vdso.so.1 (0x00007fea75e36000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007fea75200000)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007fea75d0c000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007fea75172000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007fea7516a000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fea7401e000)
"""

# A bare container: the whole xcb family is missing.
BARE_LDD = "\n".join(f"\t{so} => not found" for so in [
    "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0", "libxcb-image.so.0",
    "libxcb-render-util.so.0", "libxcb-xinerama.so.0", "libxcb-xkb.so.1", "libxkbcommon-x11.so.0",
    "libxcb-shape.so.0", "libxcb-randr.so.0", "libEGL.so.1", "libfontconfig.so.1", "libglib-2.0.so.0",
])


def test_missing_sonames_from_ldd_output() -> None:
    assert qsl.missing_sonames(FRESH_DEBIAN_LDD) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert qsl.missing_sonames("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


def test_fresh_debian_maps_to_its_packages() -> None:
    assert qsl.packages_for(qsl.missing_sonames(FRESH_DEBIAN_LDD)) == (["libxcb-icccm4", "libxcb-keysyms1"], [])


def test_bare_machine_maps_every_xcb_library() -> None:
    pkgs, unknown = qsl.packages_for(qsl.missing_sonames(BARE_LDD))
    assert unknown == []
    assert pkgs == sorted({
        "libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libxcb-image0", "libxcb-render-util0",
        "libxcb-xinerama0", "libxcb-xkb1", "libxkbcommon-x11-0", "libxcb-shape0", "libxcb-randr0",
        "libegl1", "libfontconfig1", "libglib2.0-0",
    })


def test_unknown_soname_is_reported_not_dropped() -> None:
    pkgs, unknown = qsl.packages_for(["libxcb-icccm.so.4", "libweird.so.9"])
    assert pkgs == ["libxcb-icccm4"] and unknown == ["libweird.so.9"]
    text = qsl.report(["libxcb-icccm.so.4", "libweird.so.9"], pkgs, unknown, root=False)
    assert "sudo apt-get install -y libxcb-icccm4" in text and "libweird.so.9" in text


def test_the_platform_plugin_is_checked(tmp_path: Path) -> None:
    """The plugin and libQt6XcbQpa, not only libQt6Gui: the libraries a fresh Debian lacked are theirs."""
    qt = tmp_path / "Qt"
    for rel in ["lib/libQt6Gui.so.6", "lib/libQt6Widgets.so.6", "lib/libQt6XcbQpa.so.6",
                "plugins/platforms/libqxcb.so", "plugins/platforms/libqwayland.so", "lib/libQt6WaylandClient.so.6"]:
        (qt / rel).parent.mkdir(parents=True, exist_ok=True)
        (qt / rel).write_bytes(b"")
    headless = {p.relative_to(qt).as_posix() for p in qsl.libraries_to_check(qt, gui=False)}
    gui = {p.relative_to(qt).as_posix() for p in qsl.libraries_to_check(qt, gui=True)}
    wayland = {p.relative_to(qt).as_posix() for p in qsl.libraries_to_check(qt, gui=True, wayland=True)}
    assert "lib/libQt6Gui.so.6" in headless and "plugins/platforms/libqxcb.so" not in headless
    assert {"lib/libQt6Gui.so.6", "lib/libQt6XcbQpa.so.6", "plugins/platforms/libqxcb.so"} <= gui
    assert "plugins/platforms/libqwayland.so" in wayland - gui


def _fake_ldd(tmp_path: Path, output: str) -> str:
    (tmp_path / "ldd.out").write_text(output)
    ldd = tmp_path / "fake-ldd"
    ldd.write_text(f"#!/bin/sh\ncat '{tmp_path / 'ldd.out'}'\n")
    ldd.chmod(0o755)
    return str(ldd)


def test_not_root_prints_the_exact_command_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    calls: list[list[str]] = []
    real_run = subprocess.run

    def run(cmd, *a, **kw):  # record: apt-get must not be called when not root
        calls.append(list(cmd))
        return real_run(cmd, *a, **kw)

    monkeypatch.setattr(qsl.subprocess, "run", run)
    rc = qsl.main(["--gui", "--install", "--ldd", _fake_ldd(tmp_path, FRESH_DEBIAN_LDD)])
    err = capsys.readouterr().err
    assert rc == 1
    assert "sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1" in err
    assert not any(c and c[0] == "apt-get" for c in calls)


def test_nothing_missing_is_silent_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert qsl.main(["--gui", "--ldd", _fake_ldd(tmp_path, "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n")]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not shutil.which("dpkg"), reason="not a Debian system")
def test_table_agrees_with_dpkg_for_installed_libraries() -> None:
    """Each soname installed on this machine belongs to the package the table names."""
    out = subprocess.run(["dpkg", "-S", *(f"*/{so}" for so in qsl.DEBIAN_PACKAGES)],
                         capture_output=True, text=True).stdout  # one call; exit 1 for the absent ones
    owners: dict[str, set[str]] = {}
    for line in out.splitlines():
        pkgs, _, path = line.partition(": ")
        for pkg in pkgs.split(", "):
            owners.setdefault(Path(path).name, set()).add(pkg.split(":")[0])
    wrong = [(so, pkg, owners[so]) for so, pkg in qsl.DEBIAN_PACKAGES.items() if so in owners and pkg not in owners[so]]
    assert len(owners) > 10  # the check saw the installed libraries
    assert not wrong


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd check is Linux-only")
def test_this_machine_has_what_qt_needs_headless() -> None:
    """After setup.sh (which test.sh runs) nothing libQt6Gui and Widgets link against is missing."""
    qt = qsl.qt_dir()
    assert qt is not None
    if not shutil.which("ldd"):
        pytest.skip("no ldd")
    missing = qsl.missing_sonames(qsl.run_ldd(qsl.libraries_to_check(qt, gui=False)))
    assert missing == [], qsl.report(missing, *qsl.packages_for(missing), root=False)


def test_run_app_without_display_says_so(tmp_path: Path) -> None:
    """No $DISPLAY and no $WAYLAND_DISPLAY: a plain message with the ways out, not Qt's abort."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    p = subprocess.run(["bash", str(ROOT / "scripts" / "run-app.sh")], env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "no display" in p.stderr
    assert "xvfb-run -a bash scripts/run-app.sh" in p.stderr
    assert "ixdesk screenshot" in p.stderr
    assert "qt.qpa" not in p.stderr and "Aborted" not in p.stderr


def test_without_apt_get_names_the_libraries_not_an_apt_command() -> None:
    text = qsl.report(["libxcb-icccm.so.4"], ["libxcb-icccm4"], [], root=True, apt=False)
    assert "apt-get install" not in text
    assert "libxcb-icccm.so.4" in text and "libxcb-icccm4" in text
