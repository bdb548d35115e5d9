"""Linux desktop integration files: the launcher, the AppStream metainfo and the icons agree."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import ixdesk

ROOT = Path(__file__).resolve().parents[2]
DESK = ROOT / "resources" / "desktop"
APP_ID = "io.ixdesk.IxDesk"


def _desktop() -> configparser.SectionProxy:
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str  # keys are case-sensitive
    cp.read(DESK / f"{APP_ID}.desktop", encoding="utf-8")
    return cp["Desktop Entry"]


def test_desktop_entry_fields() -> None:
    d = _desktop()
    assert d["Type"] == "Application"
    assert d["Name"] == "IxDesk"
    assert d["Exec"].split()[0] == "ixdesk"
    assert d["Icon"] == APP_ID
    assert d["Terminal"] == "false"
    assert d["Categories"].endswith(";")


def test_metainfo_matches_desktop_and_version() -> None:
    root = ET.parse(DESK / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert root.findtext("name") == _desktop()["Name"]
    releases = [r.get("version") for r in root.iter("release")]
    assert ixdesk.__version__ in releases, f"add a <release> for {ixdesk.__version__} to the metainfo"
    assert root.find("provides/binary").text == "ixdesk"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", [48, 128, 256])
def test_png_icons(size: int) -> None:
    assert _png_size(DESK / "icons" / f"{APP_ID}-{size}.png") == (size, size)


def test_svg_icon_renders(qapp) -> None:  # pytest-qt's QApplication: one per process, shared with the UI tests
    from PySide6.QtSvg import QSvgRenderer

    r = QSvgRenderer(str(DESK / "icons" / f"{APP_ID}.svg"))
    assert r.isValid()
    assert r.defaultSize().width() == r.defaultSize().height() == 256


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils not installed")
def test_desktop_file_validates() -> None:
    p = subprocess.run(["desktop-file-validate", str(DESK / f"{APP_ID}.desktop")], capture_output=True, text=True)
    errors = [line for line in (p.stdout + p.stderr).splitlines() if "error:" in line]
    assert p.returncode == 0 and not errors, p.stdout + p.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream not installed")
def test_metainfo_validates() -> None:
    p = subprocess.run(["appstreamcli", "validate", "--no-net", str(DESK / f"{APP_ID}.metainfo.xml")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


def test_install_linux_into_prefix(tmp_path: Path) -> None:
    """install_linux.sh puts launcher, metainfo and icons in place (with a stand-in frozen app)."""
    app = tmp_path / "dist" / "ixdesk"
    (app / "_internal" / "ixdesk" / "_data" / "resources" / "examples").mkdir(parents=True)
    (app / "_internal" / "ixdesk" / "_data" / "resources" / "examples" / "01.json").write_text("{}")
    (app / "ixdesk").write_text("#!/bin/sh\necho ixdesk 0\n")  # passes the smoke test install_linux.sh runs
    (app / "ixdesk").chmod(0o755)
    prefix = tmp_path / "prefix"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PREFIX": str(prefix), "APP_DIR": str(app)}
    subprocess.run(["bash", str(ROOT / "packaging" / "install_linux.sh")], check=True, env=env, capture_output=True)
    share = prefix / "share"
    launcher = (share / "applications" / f"{APP_ID}.desktop").read_text()
    assert f'Exec="{prefix}/lib/ixdesk/ixdesk" %f' in launcher  # quoted (Desktop Entry spec)
    assert f"TryExec={prefix}/lib/ixdesk/ixdesk\n" in launcher  # a plain string, not quoted
    assert (share / "mime" / "packages" / f"{APP_ID}.xml").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for s in (48, 128, 256):
        assert _png_size(share / "icons" / "hicolor" / f"{s}x{s}" / "apps" / f"{APP_ID}.png") == (s, s)
    assert subprocess.run([str(prefix / "bin" / "ixdesk")], capture_output=True, text=True).stdout.startswith("ixdesk")
    subprocess.run(["bash", str(ROOT / "packaging" / "install_linux.sh"), "--uninstall"], check=True, env=env, capture_output=True)
    assert not (share / "applications" / f"{APP_ID}.desktop").exists()
    assert not (prefix / "lib" / "ixdesk").exists()


def test_spec_collects_data_where_paths_looks() -> None:
    spec = (ROOT / "packaging" / "ixdesk.spec").read_text()
    assert '"ixdesk/_data/criteria"' in spec and '"ixdesk/_data/resources"' in spec
    src = (ROOT / "ixdesk" / "paths.py").read_text()
    assert '"_MEIPASS"' in src and '"_data"' in src
    compile(spec, "ixdesk.spec", "exec")


MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def test_consult_files_have_their_own_mime_type() -> None:
    """The launcher claims only IxDesk's own type: with application/json it became the default
    app for every .json file on the desktop, and then refused ordinary JSON."""
    root = ET.parse(DESK / f"{APP_ID}.mime.xml").getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    types = root.findall(f"{MIME_NS}mime-type")
    assert [t.get("type") for t in types] == ["application/x-ixdesk-consult+json"]
    t = types[0]
    assert [g.get("pattern") for g in t.findall(f"{MIME_NS}glob")] == ["*.ixdesk.json"]
    assert [s.get("type") for s in t.findall(f"{MIME_NS}sub-class-of")] == ["application/json"]
    assert t.findtext(f"{MIME_NS}comment")
    claimed = [m for m in _desktop()["MimeType"].split(";") if m]
    assert claimed == ["application/x-ixdesk-consult+json"]
    assert "application/json" not in claimed
