"""Privacy: no network, no patient name or record number in any log or console output.

IxDesk holds patient data and must work in a clinic with no network: opening a consult, assessing
it and writing the three reports open no socket at all (an audit hook sees every socket created or
connected, even from C extensions going through the socket module, and ``socket.socket`` itself is
replaced by one that fails). Logs and console output are pasted into tickets: a distinctive name
and record number must never appear in them, whatever the command and whatever the log level.
"""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from tests.robustness.helpers import ROOT, full_consult

NAME = "Qwyzzelthorpe Ångström-Vøid"
MRN = "MRN-ZX9Q-7734"

_SOCKET_EVENTS: list[tuple[str, tuple]] = []
_WATCHING = False


def _audit(event: str, args: tuple) -> None:
    if _WATCHING and event.startswith(("socket.", "urllib.", "http.")):
        _SOCKET_EVENTS.append((event, args))


sys.addaudithook(_audit)  # cannot be removed; records only while _WATCHING


class _NoSocket(socket.socket):
    def __init__(self, *a, **kw):  # noqa: D401
        raise AssertionError("IxDesk tried to open a socket")


def _refuse(*a, **kw):
    raise AssertionError("IxDesk tried to open a network connection")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch):
    global _WATCHING
    monkeypatch.setattr(socket, "socket", _NoSocket)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    monkeypatch.setattr(socket, "socketpair", _refuse)
    _SOCKET_EVENTS.clear()
    _WATCHING = True
    try:
        yield _SOCKET_EVENTS
    finally:
        _WATCHING = False


def _consult_file(tmp_path: Path, **changes) -> Path:
    doc = full_consult()
    doc["patient"]["name"] = NAME
    doc["patient"]["record_number"] = MRN
    doc["notes"] = f"Seen with {NAME} ({MRN}); daughter present."
    doc["regimens"][1]["note"] = f"{NAME} tolerated poorly"
    for key, value in changes.items():
        doc[key] = value
    f = tmp_path / "phi-consult.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return f


def _main(argv: list[str]) -> int:
    from ixdesk.cli import main

    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return int(rc or 0)


# --- no network ----------------------------------------------------------------------------

def test_load_assess_and_report_open_no_socket(tmp_path: Path, no_network) -> None:
    from ixdesk.core.criteria import load_criteria
    from ixdesk.core.engine import assess
    from ixdesk.core.files import load_consult, save_consult

    reports = pytest.importorskip("ixdesk.reports")
    criteria = load_criteria()
    consult = load_consult(_consult_file(tmp_path))
    a = assess(consult, criteria, date(2025, 3, 14))
    save_consult(consult, tmp_path / "saved.json")
    paths = reports.write_reports("all", consult, a, criteria, None, date(2025, 3, 14), tmp_path / "out")
    assert len(paths) == 3 and all(p.read_bytes().startswith(b"%PDF-") for p in paths)
    assert no_network == [], f"network activity: {no_network}"


def test_cli_assess_and_report_open_no_socket(tmp_path: Path, no_network, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ixdesk.cli")
    f = _consult_file(tmp_path)
    assert _main(["assess", str(f)]) == 0
    assert _main(["assess", "--json", str(f)]) == 0
    assert _main(["report", str(f), "--kind", "all", "-o", str(tmp_path / "out")]) == 0
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 3
    capsys.readouterr()
    assert no_network == [], f"network activity: {no_network}"


GUI_SCRIPT = textwrap.dedent(
    """
    import logging, socket, sys
    events = []
    def hook(event, args):
        if event.startswith(("socket.", "urllib.", "http.")):
            events.append(event)
    sys.addaudithook(hook)
    class NoSocket(socket.socket):
        def __init__(self, *a, **kw):
            raise AssertionError("socket opened")
    socket.socket = NoSocket
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    from ixdesk.cli import main
    rc = main(["--smoke-test", sys.argv[1]])
    print("SOCKET-EVENTS", len(events), events[:5], file=sys.stderr)
    sys.exit(rc if not events else 99)
    """
)


def _has_smoke_test() -> bool:
    try:
        from ixdesk.ui import app
    except Exception:
        return False
    return hasattr(app, "smoke_test")


@pytest.mark.slow
@pytest.mark.skipif(not _has_smoke_test(), reason="ixdesk.ui.app.smoke_test not there yet")
def test_window_opens_assesses_with_no_socket_and_no_phi_logged(tmp_path: Path) -> None:
    f = _consult_file(tmp_path)
    script = tmp_path / "gui.py"
    script.write_text(GUI_SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT), "IXDESK_DATA_DIR": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "QT_LOGGING_RULES": "*.debug=true"}
    proc = subprocess.run([sys.executable, str(script), str(f)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "SOCKET-EVENTS 0" in proc.stderr
    for secret in (NAME, MRN):
        assert secret not in proc.stderr, f"{secret!r} logged by the window"
        assert secret not in proc.stdout


# --- no patient identifiers in logs --------------------------------------------------------

@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture):
    """Capture every log record at DEBUG from every logger, formatted with its arguments."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        yield lambda: buf.getvalue() + "\n".join(r.getMessage() for r in caplog.records)
    finally:
        root.removeHandler(handler)


def _assert_clean(text: str, where: str) -> None:
    for secret in (NAME, MRN, "Qwyzzelthorpe", "ZX9Q"):
        assert secret not in text, f"{secret!r} appears in {where}"


@pytest.mark.parametrize("argv", [
    ["-v", "assess", "{f}"],
    ["-v", "assess", "--json", "{f}"],
    ["-v", "assess", "--jsonl", "{jsonl}"],
    ["-v", "assess", "--quiet", "{dir}"],
    ["-v", "report", "{f}", "--kind", "all", "-o", "{out}"],
    ["-v", "report", "{f}", "--kind", "patient", "-o", "{out}", "--show-record-number"],
], ids=["assess", "assess-json", "assess-jsonl", "assess-folder", "report-all", "report-patient-mrn"])
def test_cli_logs_no_patient_identifiers(tmp_path: Path, all_logs, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    pytest.importorskip("ixdesk.cli")
    f = _consult_file(tmp_path)
    jsonl = tmp_path / "batch.jsonl"
    line = json.dumps(json.loads(f.read_text(encoding="utf-8")), ensure_ascii=False)
    jsonl.write_text(line + "\n" + line + "\n", encoding="utf-8")
    args = [a.format(f=f, jsonl=jsonl, dir=tmp_path, out=tmp_path / "out") for a in argv]
    rc = _main(args)
    out = capsys.readouterr()
    _assert_clean(all_logs(), "the log")
    _assert_clean(out.err, "stderr")
    if "--json" not in args and "--jsonl" not in args:
        # The CLI promises that its text output carries no identifiers either.
        _assert_clean(out.out, "stdout")
    assert rc in (0, 2), out.err


@pytest.mark.parametrize("change", [
    {"patient": {"name": NAME, "record_number": MRN, "height_cm": "tall"}},
    {"patient": {"name": NAME + "\x07", "record_number": MRN}},
    {"patient": {"name": NAME, "record_number": MRN + "X" * 100}},
    {"patient": {"name": NAME * 10, "record_number": MRN}},
    {"patient": {"name": NAME, "record_number": MRN, "sex": NAME}},
    {"notes": MRN, "plan": {"regimen": MRN}},
    {"consult_date": NAME},
], ids=["bad-height", "control-char-name", "long-mrn", "long-name", "name-as-sex", "mrn-as-plan", "name-as-date"])
def test_invalid_consult_errors_name_no_identifiers(tmp_path: Path, all_logs, capsys: pytest.CaptureFixture[str], change) -> None:
    pytest.importorskip("ixdesk.cli")
    f = _consult_file(tmp_path, **change)
    for argv in (["-v", "assess", str(f)], ["-v", "assess", "--json", str(f)], ["-v", "report", str(f), "-o", str(tmp_path / "o")]):
        rc = _main(argv)
        out = capsys.readouterr()
        assert rc == 2, (argv, out.err)
        assert out.err.strip() or out.out.strip(), "no message for an invalid consult"
        assert "Traceback" not in out.err
        _assert_clean(all_logs(), "the log")
        _assert_clean(out.err, "stderr")
        _assert_clean(out.out, "stdout")
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir()), "report written for an invalid consult"
