"""The audit trail: append-only, hash-chained, inside the consult file; tampering is named, the
assessment goes on; the trail survives save, autosave, recovery and a killed process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ixdesk.cli import main
from ixdesk.core import autosave
from ixdesk.core.audit import GENESIS, KINDS, MAX_DETAIL_TEXT, AuditTrail, append_entry, entry_hash, utc_time, verify
from ixdesk.core.consult import Consult
from ixdesk.core.files import consult_to_json, load_consult, parse_consult, save_consult
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
EX1 = EXAMPLES / "01-combination-after-anthracycline-and-taxane.json"
T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def trail_of(n: int = 5) -> AuditTrail:
    trail = append_entry(None, "opened", {"source": "file"}, "Dr A", T0)
    for i in range(1, n):
        trail = append_entry(trail, "input_changed",
                             {"field": "labs.ast", "label": "AST", "old": i, "new": i + 1}, "Dr A", T0 + timedelta(minutes=i))
    return trail


def tampered(trail: AuditTrail, change: Any) -> AuditTrail:
    """The trail as JSON changed by hand (as an editor would), then read back as the app reads it."""
    doc = json.loads(trail.model_dump_json())
    change(doc)
    return AuditTrail.model_validate_json(json.dumps(doc))


# --- the chain ------------------------------------------------------------------------------

def test_append_and_verify() -> None:
    t = trail_of(4)
    assert [e.seq for e in t.entries] == [1, 2, 3, 4]
    assert t.entries[0].prev == GENESIS
    assert all(b.prev == a.hash for a, b in zip(t.entries, t.entries[1:], strict=False))
    assert all(entry_hash(e) == e.hash for e in t.entries)
    assert t.count == 4 and t.head == t.entries[-1].hash
    check = verify(t)
    assert check.ok and check.entries == 4 and check.first_broken is None
    assert verify(None).ok  # no trail: nothing to break


def test_append_never_changes_the_trail_it_is_given() -> None:
    t = trail_of(2)
    before = t.model_dump_json()
    t2 = append_entry(t, "report_printed", {"reports": ["nurse"]}, None, T0)
    assert t.model_dump_json() == before and len(t2.entries) == 3


def test_entry_fields() -> None:
    t = append_entry(None, "report_printed", {"reports": ["clinician"]}, None, T0)
    e = t.entries[0]
    assert e.user is None  # unknown user: null, never a made-up name
    assert e.time == "2026-12-03T09:00:00.000Z"
    assert json.loads(t.model_dump_json())["entries"][0]["user"] is None
    # a time in another zone is recorded in UTC
    assert utc_time(datetime(2026, 12, 3, 10, 30, tzinfo=timezone(timedelta(hours=1)))) == "2026-12-03T09:30:00.000Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", utc_time())
    with pytest.raises(ValueError, match="unknown audit entry kind"):
        append_entry(t, "deleted", {}, None)
    assert {"opened", "input_changed", "import", "override", "acknowledge", "cycle_recorded", "report_printed"} <= set(KINDS)


def test_long_text_is_kept_short() -> None:
    t = append_entry(None, "input_changed", {"field": "notes", "old": None, "new": "x" * 5000}, None, T0)
    new = t.entries[0].detail["new"]
    assert isinstance(new, str) and new.startswith("x" * MAX_DETAIL_TEXT) and new.endswith("(5000 characters)")


def test_removed_entry_is_detected() -> None:
    check = verify(tampered(trail_of(5), lambda d: d["entries"].pop(2)))
    assert not check.ok and check.first_broken == 3 and check.kind == "removed"
    assert "entry 3" in check.message and "removed" in check.message


def test_reordered_entries_are_detected() -> None:
    def swap(d: dict) -> None:
        d["entries"][1], d["entries"][2] = d["entries"][2], d["entries"][1]

    check = verify(tampered(trail_of(5), swap))
    assert not check.ok and check.first_broken == 2 and check.kind == "reordered"


def test_reordered_and_renumbered_entries_are_detected() -> None:
    """Moving entries and fixing their numbers still breaks the chain (each names its predecessor)."""
    def swap(d: dict) -> None:
        e = d["entries"]
        e[1], e[2] = e[2], e[1]
        e[1]["seq"], e[2]["seq"] = 2, 3

    check = verify(tampered(trail_of(5), swap))
    assert not check.ok and check.first_broken == 2


@pytest.mark.parametrize("field, value", [("detail", {"field": "labs.ast", "old": 1, "new": 99}),
                                          ("user", "Dr Mallory"), ("time", "2020-01-01T00:00:00.000Z"),
                                          ("kind", "acknowledge")])
def test_edited_entry_is_detected(field: str, value: Any) -> None:
    check = verify(tampered(trail_of(5), lambda d: d["entries"][3].__setitem__(field, value)))
    assert not check.ok and check.first_broken == 4 and check.kind == "edited"


def test_edited_entry_with_its_hash_recomputed_breaks_the_next() -> None:
    def forge(d: dict) -> None:
        e = d["entries"][1]
        e["user"] = "Dr Mallory"
        e["hash"] = entry_hash(e)

    check = verify(tampered(trail_of(5), forge))
    assert not check.ok and check.first_broken == 3


def test_cut_tail_is_detected_by_count_and_head() -> None:
    check = verify(tampered(trail_of(5), lambda d: d["entries"].pop()))
    assert not check.ok and check.kind == "truncated" and check.first_broken == 5
    assert "1 at the end were removed" in check.message


def test_cut_tail_with_head_rewritten_is_not_detected() -> None:
    """The documented limit (docs/audit-trail.md): the file holds no secret, so whoever also rewrites
    count and head to the remaining last entry forges a trail that verifies."""
    def cut(d: dict) -> None:
        d["entries"] = d["entries"][:3]
        d["count"], d["head"] = 3, d["entries"][-1]["hash"]

    assert verify(tampered(trail_of(5), cut)).ok


def test_head_replaced_is_detected() -> None:
    check = verify(tampered(trail_of(3), lambda d: d.__setitem__("head", "f" * 64)))
    assert not check.ok and check.kind == "head"


def test_appending_to_a_broken_trail_keeps_the_break() -> None:
    broken = tampered(trail_of(5), lambda d: d["entries"].pop(1))
    more = append_entry(broken, "opened", {"source": "file"}, None, T0)
    check = verify(more)
    assert not check.ok and check.first_broken == 2


# --- in the consult file -------------------------------------------------------------------

def with_trail(consult: Consult, n: int = 3) -> Consult:
    return consult.model_copy(update={"audit": trail_of(n)})


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name[:2])
def test_file_without_trail_resaves_byte_identical(path: Path, tmp_path: Path) -> None:
    """A version 2 file without a trail, opened and saved untouched, keeps exactly its bytes."""
    text = consult_to_json(load_consult(path))  # as IxDesk writes it
    assert '"audit"' not in text
    target = tmp_path / "c.json"
    target.write_bytes(text.encode("utf-8"))
    consult = load_consult(target)
    assert consult.audit is None
    save_consult(consult, target)
    assert target.read_bytes() == text.encode("utf-8")


def test_trail_survives_save_and_open(tmp_path: Path) -> None:
    c = with_trail(load_consult(EX1), 4)
    target = tmp_path / "c.ixdesk.json"
    save_consult(c, target)
    back = load_consult(target)
    assert back.audit == c.audit and verify(back.audit).ok
    save_consult(back, target)  # and again: same bytes
    assert target.read_text(encoding="utf-8") == consult_to_json(c)


def test_trail_survives_autosave_and_recovery(tmp_path: Path) -> None:
    c = with_trail(load_consult(EX1), 3)
    autosave.write_autosave(c, "/data/patient.json", folder=tmp_path)
    rec = autosave.read_autosave(tmp_path)
    assert rec is not None and rec.consult is not None and not rec.problems
    assert rec.consult.audit == c.audit and verify(rec.consult.audit).ok


def test_a_broken_trail_loads_and_assesses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The decision does not depend on the trail: assess works and warns on stderr."""
    c = with_trail(load_consult(EX1), 4)
    doc = json.loads(consult_to_json(c))
    del doc["audit"]["entries"][1]
    target = tmp_path / "tampered.json"
    target.write_text(json.dumps(doc), encoding="utf-8")
    assert parse_consult(target.read_text(encoding="utf-8")).audit is not None
    assert main(["assess", str(target)]) == 0
    captured = capsys.readouterr()
    assert "Meets label indication" in captured.out
    assert "warning: audit trail broken at entry 2" in captured.err
    assert main(["assess", str(target), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dose"]["dose_mg"] == 70.6
    assert main(["assess", str(EX1)]) == 0
    assert "audit" not in capsys.readouterr().err  # no trail, no warning


# --- ixdesk audit --------------------------------------------------------------------------

def test_audit_command_prints_the_trail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = with_trail(load_consult(EX1), 3)
    trail = append_entry(c.audit, "input_changed", {"field": "patient.name", "label": "Name",
                                                     "old": "Maria Example", "new": "Maria Examplé"}, None, T0)
    target = tmp_path / "c.json"
    save_consult(c.model_copy(update={"audit": trail}), target)
    assert main(["audit", str(target)]) == 0
    out = capsys.readouterr().out
    assert "4 entries" in out and "chain: intact" in out
    assert "AST: 1 → 2" in out and "Dr A" in out and "unknown user" in out
    assert "Maria" not in out  # names are hidden unless asked for
    assert main(["audit", str(target), "--show-identifiers"]) == 0
    assert "Maria Examplé" in capsys.readouterr().out
    assert main(["audit", str(target), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["intact"] is True and doc["count"] == 4 and len(doc["entries"]) == 4
    assert doc["entries"][0]["kind"] == "opened" and "Maria" not in json.dumps(doc)


def test_audit_command_fails_on_a_broken_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(consult_to_json(with_trail(load_consult(EX1), 4)))
    doc["audit"]["entries"][2]["detail"]["new"] = 42
    target = tmp_path / "c.json"
    target.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["audit", str(target)]) == 4
    captured = capsys.readouterr()
    assert "broken at entry 3" in captured.err and "edited" in captured.err
    assert "<-- broken here" in captured.out
    assert main(["audit", str(target), "--json"]) == 4
    assert json.loads(capsys.readouterr().out)["first_broken"] == 3


def test_audit_command_without_trail_and_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(EX1)]) == 0
    assert "no audit trail" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    assert main(["audit", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


# --- a killed process ----------------------------------------------------------------------

SESSION = textwrap.dedent(
    """
    # A window's life in short: each event is appended to the trail and autosaved, then it is killed.
    import sys
    from ixdesk.core.audit import append_entry
    from ixdesk.core.autosave import write_autosave
    from ixdesk.core.files import load_consult
    consult = load_consult(sys.argv[1])
    trail = append_entry(None, "opened", {"source": "file"}, "Dr A")
    for i in range(int(sys.argv[2])):
        trail = append_entry(trail, "input_changed", {"field": "labs.ast", "old": i, "new": i + 1}, "Dr A")
        write_autosave(consult.model_copy(update={"audit": trail}), sys.argv[1])
    print("done", flush=True)
    sys.stdin.read()  # the window stays open until the process is killed
    """
)


@pytest.mark.slow
def test_trail_recovered_after_a_kill(tmp_path: Path) -> None:
    script = tmp_path / "session.py"
    script.write_text(SESSION, encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), autosave.ENV_DATA_DIR: str(data)}
    proc = subprocess.Popen([sys.executable, str(script), str(EX1), "12"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"done"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rec = autosave.read_autosave(data / "autosave")
    assert rec is not None and rec.consult is not None and rec.consult.audit is not None
    trail = rec.consult.audit
    assert len(trail.entries) == 13 and verify(trail).ok  # every entry up to the last autosave
    assert [e.kind for e in trail.entries[:2]] == ["opened", "input_changed"]


def test_a_full_trail_refuses_more_and_the_file_still_opens(tmp_path: Path) -> None:
    """The trail never grows a consult file past the size a consult file may have."""
    from ixdesk.core.audit import MAX_TRAIL_BYTES

    text = "n" * 5000

    def grow(trail: AuditTrail | None, i: int) -> AuditTrail:
        return append_entry(trail, "input_changed", {"field": "notes", "old": text, "new": text + str(i)}, "Dr A", T0)

    trail = grow(None, 0)
    while trail.json_size() <= MAX_TRAIL_BYTES:
        trail = grow(trail, trail.count)
    with pytest.raises(ValueError, match="full"):
        grow(trail, trail.count)
    assert abs(trail.json_size() - len(trail.model_dump_json())) < 10  # the kept size is the real one
    assert len(trail.model_dump_json()) <= MAX_TRAIL_BYTES + 20_000
    target = tmp_path / "big.json"
    save_consult(load_consult(EX1).model_copy(update={"audit": trail}), target)
    back = load_consult(target)  # within the 5 MB limit
    assert back.audit is not None and verify(back.audit).ok
