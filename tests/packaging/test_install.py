"""install_linux.sh without side effects: its own MIME type, a launcher that survives any prefix,
uninstall that removes the user's settings, and no install of a bundle that does not work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "packaging" / "install_linux.sh"
APP_ID = "io.ixdesk.IxDesk"
MIME = "application/x-ixdesk-consult+json"

# A prefix with a space, a quote, a dollar, a backtick, a percent and a backslash: every character
# the Desktop Entry spec makes special in Exec.
NASTY = 'my apps/it\'s "q" $HOME `x` 100% a\\b'


def _stand_in_app(folder: Path, smoke_rc: int = 0, build_glibc: str | None = None) -> Path:
    """A stand-in for dist/ixdesk: answers --version, criteria check and --smoke-test, records
    how it was launched, and carries one bundled example like the real bundle."""
    app = folder / "dist" / "ixdesk"
    examples = app / "_internal" / "ixdesk" / "_data" / "resources" / "examples"
    examples.mkdir(parents=True)
    (examples / "01.json").write_text("{}")
    log = folder / "launched.txt"
    (app / "ixdesk").write_text(textwrap.dedent(f"""\
        #!/bin/sh
        case "$1" in
          --smoke-test) exit {smoke_rc} ;;
          --version) echo "ixdesk 0"; exit 0 ;;
        esac
        printf '%s\\n' "$0" "$@" > '{log}'
        echo ixdesk 0
        """))
    (app / "ixdesk").chmod(0o755)
    if build_glibc:
        (app / "BUILD-INFO").write_text(f"ixdesk 0\nbuild_glibc {build_glibc}\n")
    return app


def _env(tmp: Path, prefix: Path, app: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp / "home"), "PREFIX": str(prefix),
            "APP_DIR": str(app), "XDG_CONFIG_HOME": str(tmp / "home" / "config"),
            "XDG_DATA_HOME": str(tmp / "home" / "data")}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(INSTALL), *args], env=env, capture_output=True, text=True, timeout=300)


def _desktop_value(text: str, key: str) -> str:
    for line in text.splitlines():
        if line.startswith(key + "="):
            return line[len(key) + 1:]
    raise KeyError(key)


def _unescape_string(v: str) -> str:
    """Desktop Entry spec, 'Possible value types': \\s \\n \\t \\r \\\\ in a string."""
    out, i = [], 0
    while i < len(v):
        if v[i] == "\\" and i + 1 < len(v):
            out.append({"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(v[i + 1], "\\" + v[i + 1]))
            i += 2
        else:
            out.append(v[i])
            i += 1
    return "".join(out)


def _exec_argv(v: str) -> list[str]:
    """Desktop Entry spec, 'The Exec key': unescape the string, then split with its quoting rules;
    field codes (%f) are dropped and %% is a literal %."""
    s, args, cur, i, quoted, started = _unescape_string(v), [], [], 0, False, False
    while i < len(s):
        c = s[i]
        if quoted:
            if c == "\\" and i + 1 < len(s) and s[i + 1] in '"`$\\':
                cur.append(s[i + 1])
                i += 1
            elif c == '"':
                quoted = False
            else:
                cur.append(c)
        elif c == '"':
            quoted, started = True, True
        elif c == " ":
            if cur or started:
                args.append("".join(cur))
            cur, started = [], False
        else:
            cur.append(c)
        i += 1
    assert not quoted, f"unbalanced quotes in Exec={v}"
    if cur or started:
        args.append("".join(cur))
    result = []
    for a in args:
        if len(a) == 2 and a[0] == "%" and a[1] != "%":
            continue  # a field code
        result.append(a.replace("%%", "%"))
    return result


def test_exec_parser_follows_the_spec() -> None:
    assert _exec_argv('"/a b/ixdesk" %f') == ["/a b/ixdesk"]
    assert _exec_argv(r'"/x \\"q\\" \\$H \\\\ 100%%/ixdesk" %f') == ['/x "q" $H \\ 100%/ixdesk']
    assert _exec_argv("/a b/ixdesk %f") == ["/a", "b/ixdesk"]  # what the old launcher gave


@pytest.mark.parametrize("name", ["with space", NASTY])
def test_install_and_uninstall_with_special_characters_in_prefix(tmp_path: Path, name: str) -> None:
    app = _stand_in_app(tmp_path)
    prefix = tmp_path / name / "prefix"
    env = _env(tmp_path, prefix, app)
    p = _run(env)
    assert p.returncode == 0, p.stdout + p.stderr
    launcher = (prefix / "share" / "applications" / f"{APP_ID}.desktop").read_text()
    binary = prefix / "lib" / "ixdesk" / "ixdesk"
    argv = _exec_argv(_desktop_value(launcher, "Exec"))
    assert argv == [str(binary)], _desktop_value(launcher, "Exec")
    assert _unescape_string(_desktop_value(launcher, "TryExec")) == str(binary)
    assert Path(argv[0]).is_file() and os.access(argv[0], os.X_OK)
    if shutil.which("desktop-file-validate"):
        v = subprocess.run(["desktop-file-validate", str(prefix / "share" / "applications" / f"{APP_ID}.desktop")],
                           capture_output=True, text=True)
        assert v.returncode == 0 and "error:" not in v.stdout + v.stderr, v.stdout + v.stderr
    assert subprocess.run([str(prefix / "bin" / "ixdesk")], capture_output=True, text=True).stdout.startswith("ixdesk")
    p = _run(env, "--uninstall")
    assert p.returncode == 0, p.stdout + p.stderr
    assert not (prefix / "lib" / "ixdesk").exists()
    assert not (prefix / "share" / "applications" / f"{APP_ID}.desktop").exists()
    assert not (prefix / "share" / "mime" / "packages" / f"{APP_ID}.xml").exists()


@pytest.mark.skipif(not shutil.which("gio"), reason="gio (GLib) not installed")
def test_desktop_launches_the_app_from_a_prefix_with_a_space(tmp_path: Path) -> None:
    """GLib, as a file manager does: the launcher starts the installed binary with the file."""
    app = _stand_in_app(tmp_path)
    prefix = tmp_path / "with space" / "prefix"
    env = _env(tmp_path, prefix, app)
    assert _run(env).returncode == 0
    consult = tmp_path / "a consult.ixdesk.json"
    consult.write_text("{}")
    subprocess.run(["gio", "launch", str(prefix / "share" / "applications" / f"{APP_ID}.desktop"), str(consult)],
                   env=env, check=True, capture_output=True, timeout=30)
    log = tmp_path / "launched.txt"
    for _ in range(100):  # gio returns once the child is spawned; the child writes its log at once
        if log.exists() and log.read_text().count("\n") >= 2:
            break
        subprocess.run(["sleep", "0.1"])
    assert log.read_text().splitlines() == [str(prefix / "lib" / "ixdesk" / "ixdesk"), str(consult)]


def _user_files(tmp_path: Path) -> list[Path]:
    home = tmp_path / "home"
    files = [home / "config" / "IxDesk" / "IxDesk.conf", home / "config" / "ixdesk" / "clinic.json",
             home / "data" / "ixdesk" / "autosave" / "autosave.json"]
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("[General]\nrecent_files=/home/u/Doe Jane.json\n")
    return files


def test_uninstall_removes_settings_with_patient_named_paths(tmp_path: Path) -> None:
    app = _stand_in_app(tmp_path)
    prefix = tmp_path / "with space" / "prefix"
    env = _env(tmp_path, prefix, app)
    assert _run(env).returncode == 0
    files = _user_files(tmp_path)
    p = _run(env, "--uninstall")
    assert p.returncode == 0, p.stdout + p.stderr
    for f in files:
        assert not f.exists(), f
    assert not (tmp_path / "home" / "config" / "IxDesk").exists()
    assert str(tmp_path / "home" / "config" / "IxDesk") in p.stdout


def test_uninstall_keep_settings(tmp_path: Path) -> None:
    app = _stand_in_app(tmp_path)
    env = _env(tmp_path, tmp_path / "prefix", app)
    assert _run(env).returncode == 0
    files = _user_files(tmp_path)
    p = _run(env, "--uninstall", "--keep-settings")
    assert p.returncode == 0, p.stdout + p.stderr
    assert all(f.exists() for f in files)
    assert not (tmp_path / "prefix" / "lib" / "ixdesk").exists()
    assert "kept" in p.stdout


def test_refuses_a_bundle_that_fails_its_smoke_test(tmp_path: Path) -> None:
    """What build_frozen.sh under Python 3.10 produced: a bundle that starts but cannot work."""
    app = _stand_in_app(tmp_path, smoke_rc=1)
    prefix = tmp_path / "prefix"
    p = _run(_env(tmp_path, prefix, app))
    assert p.returncode != 0
    assert "smoke test failed" in p.stderr
    assert not (prefix / "lib" / "ixdesk").exists()
    assert not (prefix / "share" / "applications" / f"{APP_ID}.desktop").exists()


def test_refuses_a_bundle_built_for_a_newer_glibc(tmp_path: Path) -> None:
    app = _stand_in_app(tmp_path, build_glibc="99.0")
    prefix = tmp_path / "prefix"
    p = _run(_env(tmp_path, prefix, app))
    assert p.returncode != 0
    assert "glibc 99.0" in p.stderr
    assert not (prefix / "lib" / "ixdesk").exists()


@pytest.mark.skipif(not shutil.which("update-mime-database"), reason="shared-mime-info not installed")
def test_mime_type_is_installed_and_resolves(tmp_path: Path) -> None:
    """After install, the desktop's MIME database maps *.ixdesk.json to IxDesk's type, and plain
    .json stays application/json (checked with Qt's QMimeDatabase, which reads that database)."""
    app = _stand_in_app(tmp_path)
    prefix = tmp_path / "prefix"
    env = _env(tmp_path, prefix, app)
    assert _run(env).returncode == 0
    mime = prefix / "share" / "mime"
    assert (mime / "packages" / f"{APP_ID}.xml").is_file()
    globs = (mime / "globs2").read_text()
    assert f"{MIME}:*.ixdesk.json" in globs
    code = textwrap.dedent("""\
        from PySide6.QtCore import QMimeDatabase
        db = QMimeDatabase()
        m = db.mimeTypeForFile("Doe.ixdesk.json", QMimeDatabase.MatchMode.MatchExtension)
        print(m.name(), m.inherits("application/json"))
        print(db.mimeTypeForFile("data.json", QMimeDatabase.MatchMode.MatchExtension).name())
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={
        **os.environ, "XDG_DATA_HOME": str(prefix / "share"), "XDG_DATA_DIRS": "/usr/share"}).stdout.split()
    assert out == [MIME, "True", "application/json"]
