"""Which system libraries PySide6's Qt needs on this machine, and which Debian packages provide them.

PySide6's wheel carries Qt but not the X11/xcb, OpenGL, fontconfig and glib libraries it links
against. A fresh Debian lacks several of them (libxcb-icccm4, libxcb-keysyms1, ...), and Qt then
aborts with "could not load the Qt platform plugin xcb" -- a message that names neither the missing
library nor the package. So this script runs ``ldd`` on the Qt libraries *and* the platform plugin
the window loads, maps each missing soname to its Debian/Ubuntu package with a fixed table (no
apt-file, no network), and installs them with apt-get when run as root, or prints the exact
command otherwise.

    python packaging/qt_system_libs.py [--gui] [--install]

``--gui`` adds the xcb platform plugin (and the Wayland one when $WAYLAND_DISPLAY is set): what
opening a window needs, beyond what the headless tests need. Exit status 0 when nothing is missing
(after installing, if asked), 1 otherwise. Standard library only: it runs before anything else is
known to work.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

# soname -> Debian package (the same names on Ubuntu; on Ubuntu 24.04 the t64 packages provide the
# old names, so apt-get resolves them). Covers every library PySide6's Gui, Widgets, Svg,
# PrintSupport, XcbQpa and the xcb/wayland platform plugins link against, directly or not.
DEBIAN_PACKAGES: dict[str, str] = {
    # the xcb platform plugin (plugins/platforms/libqxcb.so and libQt6XcbQpa)
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    # OpenGL / EGL (libglvnd)
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    # the wayland platform plugin
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    # fonts, glib, dbus and what they pull in
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libcups.so.2": "libcups2",
    "libpng16.so.16": "libpng16-16",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libexpat.so.1": "libexpat1",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
    "libpcre2-8.so.0": "libpcre2-8-0",
    "libbsd.so.0": "libbsd0",
    "libmd.so.0": "libmd0",
    "libffi.so.8": "libffi8",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")


def missing_sonames(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as "not found", each once, in order of first appearance."""
    seen: dict[str, None] = {}
    for line in ldd_output.splitlines():
        m = _NOT_FOUND.match(line)
        if m:
            seen.setdefault(m.group(1), None)
    return list(seen)


def packages_for(sonames: Iterable[str]) -> tuple[list[str], list[str]]:
    """(Debian packages to install, sorted and unique; sonames the table does not know)."""
    packages: set[str] = set()
    unknown: list[str] = []
    for so in sonames:
        pkg = DEBIAN_PACKAGES.get(so)
        if pkg:
            packages.add(pkg)
        else:
            unknown.append(so)
    return sorted(packages), unknown


def qt_dir() -> Path | None:
    """PySide6's Qt folder, found without importing PySide6 (which may be what fails)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return qt if qt.is_dir() else None


def libraries_to_check(qt: Path, gui: bool, wayland: bool = False) -> list[Path]:
    """The Qt files whose dependencies must resolve: the libraries every use needs, and with
    ``gui`` the platform plugin that opens a window (xcb; Wayland too when in a Wayland session,
    xcb staying the fallback)."""
    names = ["lib/libQt6Gui.so.6", "lib/libQt6Widgets.so.6", "lib/libQt6Svg.so.6", "lib/libQt6PrintSupport.so.6"]
    if gui:
        names += ["lib/libQt6XcbQpa.so.6", "plugins/platforms/libqxcb.so"]
        if wayland:
            names += ["lib/libQt6WaylandClient.so.6", "plugins/platforms/libqwayland.so"]
    return [qt / n for n in names if (qt / n).exists()]


def run_ldd(paths: Iterable[Path], ldd: str = "ldd") -> str:
    out = []
    for p in paths:
        r = subprocess.run([ldd, str(p)], capture_output=True, text=True, check=False)
        out.append(r.stdout)
    return "\n".join(out)


def install_command(packages: list[str]) -> list[str]:
    return ["apt-get", "install", "-y", "--no-install-recommends", *packages]


def report(missing: list[str], packages: list[str], unknown: list[str], root: bool, apt: bool = True) -> str:
    """What to tell the user: the missing libraries, and the exact command that installs them."""
    lines = ["Qt cannot start here: these system libraries are missing: " + ", ".join(missing)]
    if packages and apt:
        sudo = "" if root else "sudo "
        lines.append(f"Install them with:\n    {sudo}apt-get install -y {' '.join(packages)}")
    elif packages:
        lines.append("Install the packages of your distribution that provide them (on Debian/Ubuntu they are: "
                     + " ".join(packages) + ")")
    if unknown:
        lines.append("Also install the packages that provide: " + ", ".join(unknown)
                     + " (on Debian/Ubuntu: apt-file search <name>; on Fedora: dnf provides '*/<name>')")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gui", action="store_true", help="also check the platform plugin that opens a window")
    ap.add_argument("--install", action="store_true", help="install what is missing with apt-get when root")
    ap.add_argument("--ldd", default=os.environ.get("IXDESK_LDD", "ldd"), help=argparse.SUPPRESS)  # tests
    args = ap.parse_args(argv)

    if not sys.platform.startswith("linux"):
        return 0
    qt = qt_dir()
    if qt is None:
        print("qt_system_libs: PySide6 is not installed in this Python", file=sys.stderr)
        return 1
    if not shutil.which(args.ldd):
        return 0  # no ldd (musl, unusual system): nothing to check with
    libs = libraries_to_check(qt, args.gui, wayland=bool(os.environ.get("WAYLAND_DISPLAY")))
    missing = missing_sonames(run_ldd(libs, args.ldd))
    if not missing:
        return 0
    packages, unknown = packages_for(missing)
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if args.install and root and packages and shutil.which("apt-get"):
        print("installing the system libraries Qt needs: " + " ".join(packages), file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        ok = subprocess.run(["apt-get", "update", "-qq"], env=env, check=False).returncode == 0
        ok = ok and subprocess.run([*install_command(packages), "-qq"], env=env, check=False,
                                   stdout=subprocess.DEVNULL).returncode == 0
        if not ok:
            print("qt_system_libs: apt-get failed", file=sys.stderr)
        missing = missing_sonames(run_ldd(libs, args.ldd))
        if not missing:
            return 0
        packages, unknown = packages_for(missing)
    print(report(missing, packages, unknown, root, apt=bool(shutil.which("apt-get"))), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
