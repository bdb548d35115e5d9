"""``ixdesk report`` runs without the cyclic collector (one consult, then exit) and gives it back."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from ixdesk.cli import main
from ixdesk.paths import examples_dir

EXAMPLE = str(examples_dir() / "01-combination-after-anthracycline-and-taxane.json")


def test_report_pauses_the_collector_and_restores_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ixdesk.reports

    seen: list[bool] = []
    real = ixdesk.reports.write_reports

    def watching(*a: Any, **k: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*a, **k)

    monkeypatch.setattr(ixdesk.reports, "write_reports", watching)
    assert gc.isenabled()
    assert main(["report", EXAMPLE, "--kind", "nurse", "-o", str(tmp_path), "--as-of", "2026-12-03"]) == 0
    assert seen == [False] and gc.isenabled()
    assert (tmp_path / "01-combination-after-anthracycline-and-taxane-nurse.pdf").read_bytes().startswith(b"%PDF-")


def test_a_refused_report_restores_it_too(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["report", str(bad), "--kind", "nurse", "-o", str(tmp_path)]) != 0
    assert gc.isenabled()


def test_report_warns_when_the_patient_sheet_has_no_number_to_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import ixdesk.clinic_settings
    from ixdesk.present.settings import ReportSettings

    monkeypatch.setattr(ixdesk.clinic_settings, "load_settings", lambda *a: ReportSettings())
    assert main(["report", EXAMPLE, "--kind", "patient", "-o", str(tmp_path), "--as-of", "2026-12-03"]) == 0
    assert "warning: the clinic's phone numbers are not set" in capsys.readouterr().err
    assert main(["report", EXAMPLE, "--kind", "clinician", "-o", str(tmp_path), "--as-of", "2026-12-03"]) == 0
    assert "phone numbers" not in capsys.readouterr().err
    monkeypatch.setattr(ixdesk.clinic_settings, "load_settings", lambda *a: ReportSettings(clinic_phone="555-0100"))
    assert main(["report", EXAMPLE, "--kind", "all", "-o", str(tmp_path), "--as-of", "2026-12-03"]) == 0
    assert "phone numbers" not in capsys.readouterr().err
