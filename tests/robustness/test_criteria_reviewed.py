"""A criteria set that is not the reviewed one says so on every output: 'criteria modified locally'.

The reviewed set's sha256 is recorded in ixdesk/reviewed_criteria.py (``ixdesk criteria record``),
outside the hashed folder. These tests edit a copy of the set (one sentence, within every bound and
rule of the loader) and check that the CLI text and JSON, ``criteria check`` and every page of all
three PDF reports carry the notice, and that the shipped set is the recorded one.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from ixdesk.core.criteria import UNREVIEWED_NOTICE, Criteria, CriteriaError, load_criteria
from ixdesk.paths import criteria_dir, examples_dir

EXAMPLE = "01-combination-after-anthracycline-and-taxane.json"


@pytest.fixture
def modified(tmp_path: Path) -> Path:
    """A copy of the shipped set with one word of one statement changed: loads, but is not reviewed."""
    dst = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), dst)
    f = dst / "resistance.yaml"
    text = f.read_text(encoding="utf-8")
    assert "recurrence within 6 months" in text
    f.write_text(text.replace("recurrence within 6 months", "relapse within 6 months", 1), encoding="utf-8")
    return dst


def test_the_shipped_criteria_are_the_reviewed_set() -> None:
    """Fails when criteria/ changed without a recorded review: review, then `ixdesk criteria record`."""
    from ixdesk import reviewed_criteria

    c = load_criteria()
    assert c.sha256 == reviewed_criteria.SHA256, (
        "criteria/ differs from the reviewed set recorded in ixdesk/reviewed_criteria.py; after the "
        "change is reviewed, run `ixdesk criteria record` (see NOTES-README.md)")
    assert c.reviewed and c.notice is None and c.reviewed_sha256 == c.sha256


def test_a_modified_copy_is_not_the_reviewed_set(modified: Path) -> None:
    c = load_criteria(modified)
    assert not c.reviewed and c.notice == UNREVIEWED_NOTICE == "criteria modified locally: not the reviewed set"
    assert c.reviewed_sha256 == load_criteria().sha256 != c.sha256


def test_an_identical_copy_is_the_reviewed_set(tmp_path: Path) -> None:
    """The check is on content, not on where the folder is."""
    shutil.copytree(criteria_dir(), tmp_path / "c")
    assert load_criteria(tmp_path / "c").reviewed


def test_no_recorded_review_means_not_reviewed(monkeypatch: pytest.MonkeyPatch) -> None:
    from ixdesk import reviewed_criteria

    monkeypatch.setattr(reviewed_criteria, "SHA256", "")
    c = load_criteria()
    assert not c.reviewed and c.notice == UNREVIEWED_NOTICE


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from ixdesk.cli import main

    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_assess_text_says_so_at_the_top(modified: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(["assess", "--criteria", str(modified), str(examples_dir() / EXAMPLE)], capsys)
    assert rc == 0
    assert UNREVIEWED_NOTICE.upper() in out.splitlines()[1]
    assert UNREVIEWED_NOTICE in err  # also for --quiet batches and pipes


def test_assess_text_of_the_reviewed_set_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _cli(["assess", str(examples_dir() / EXAMPLE)], capsys)
    assert rc == 0 and "modified locally" not in (out + err).lower()


def test_assess_json_has_the_flag_and_the_notice(modified: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _cli(["assess", "--json", "--criteria", str(modified), str(examples_dir() / EXAMPLE)], capsys)
    crit = json.loads(out)["criteria"]
    assert rc == 0 and crit["reviewed"] is False and crit["notice"] == UNREVIEWED_NOTICE
    assert crit["reviewed_sha256"] == load_criteria().sha256 and crit["sha256"] != crit["reviewed_sha256"]
    rc, out, _ = _cli(["assess", "--json", str(examples_dir() / EXAMPLE)], capsys)
    crit = json.loads(out)["criteria"]
    assert crit["reviewed"] is True and crit["notice"] is None and {"name", "version", "sha256"} <= set(crit)


def test_criteria_check_reports_the_review(modified: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _cli(["criteria", "check"], capsys)
    assert rc == 0 and "reviewed: yes" in out
    rc, out, _ = _cli(["criteria", "check", "--dir", str(modified)], capsys)
    assert rc == 0 and f"reviewed: NO: {UNREVIEWED_NOTICE}" in out
    rc, out, err = _cli(["criteria", "check", "--require-reviewed", "--dir", str(modified)], capsys)
    assert rc == 3 and UNREVIEWED_NOTICE in err and "OK" not in out
    rc, _, _ = _cli(["criteria", "check", "--require-reviewed"], capsys)
    assert rc == 0


def _reports(criteria: Criteria) -> dict[str, bytes]:
    from ixdesk.core.engine import assess
    from ixdesk.core.files import load_consult
    from ixdesk.reports import render

    consult = load_consult(examples_dir() / EXAMPLE)
    a = assess(consult, criteria)
    return {k: render(k, consult, a, criteria, None, date(2026, 12, 3)) for k in ("clinician", "nurse", "patient")}


def _pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_every_page_of_every_report_says_so(modified: Path) -> None:
    for kind, data in _reports(load_criteria(modified)).items():
        pages = _pages(data)
        assert pages
        for n, text in enumerate(pages, start=1):
            assert UNREVIEWED_NOTICE.upper() in text, (kind, n)  # under the header
            assert UNREVIEWED_NOTICE in text, (kind, n)  # in the footer, beside the sha256


def test_reports_of_the_reviewed_set_do_not(capsys: pytest.CaptureFixture[str]) -> None:
    for kind, data in _reports(load_criteria()).items():
        assert all("modified locally" not in t.lower() for t in _pages(data)), kind


def test_record_writes_the_sha256_of_a_loadable_set(modified: Path, tmp_path: Path) -> None:
    from ixdesk.core.criteria_review import record_review

    target = tmp_path / "reviewed_criteria.py"
    c = record_review(modified, target)
    ns: dict[str, object] = {}
    exec(target.read_text(encoding="utf-8"), ns)
    assert ns["SHA256"] == c.sha256 == load_criteria(modified).sha256


def test_record_refuses_a_broken_set_and_keeps_the_old_record(modified: Path, tmp_path: Path) -> None:
    from ixdesk.core.criteria_review import record_review

    target = tmp_path / "reviewed_criteria.py"
    target.write_text('SHA256 = "old"\n', encoding="utf-8")
    (modified / "dosing.yaml").write_text((modified / "dosing.yaml").read_text().replace("cap_m2: 2.2", "cap_m2: 22"))
    with pytest.raises(CriteriaError):
        record_review(modified, target)
    assert target.read_text() == 'SHA256 = "old"\n' and list(tmp_path.glob(".reviewed-*")) == []


def test_criteria_record_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The one command the lead runs after merging reviewed criteria changes."""
    from ixdesk.core import criteria_review

    target = tmp_path / "reviewed_criteria.py"
    monkeypatch.setattr(criteria_review, "RECORD_PATH", target)
    rc, out, _ = _cli(["criteria", "record"], capsys)
    assert rc == 0 and load_criteria().sha256 in out and load_criteria().sha256 in target.read_text()


def test_criteria_record_refuses_outside_a_source_checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from ixdesk.core import criteria_review

    monkeypatch.setattr(criteria_review, "SOURCE_CRITERIA", tmp_path / "nowhere")
    monkeypatch.setattr(criteria_review, "RECORD_PATH", tmp_path / "reviewed_criteria.py")
    rc, _, err = _cli(["criteria", "record"], capsys)
    assert rc == 3 and "source checkout" in err and not (tmp_path / "reviewed_criteria.py").exists()
