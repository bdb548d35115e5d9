"""The clinic keys kept beside the report block: read safely, kept across a save of the report block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ixdesk.clinic_settings import clinic_user_name, clinic_value, save_settings
from ixdesk.reports.settings import ReportSettings


def test_user_name_is_read_and_normalised(tmp_path: Path) -> None:
    p = tmp_path / "clinic.json"
    p.write_text(json.dumps({"user_name": "  Dr  A.   Rivera "}), encoding="utf-8")
    assert clinic_user_name(p) == "Dr A. Rivera"


@pytest.mark.parametrize("value", [None, 3, "", "   ", ["x"]])
def test_malformed_user_name_is_none(tmp_path: Path, value: object) -> None:
    p = tmp_path / "clinic.json"
    p.write_text(json.dumps({"user_name": value}), encoding="utf-8")
    assert clinic_user_name(p) is None


def test_saving_the_report_block_keeps_the_other_keys(tmp_path: Path) -> None:
    p = tmp_path / "clinic.json"
    p.write_text(json.dumps({"user_name": "RN B", "weight_change_percent": 10}), encoding="utf-8")
    save_settings(ReportSettings(), p)
    assert clinic_value("user_name", p) == "RN B"
    assert clinic_value("weight_change_percent", p) == 10


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        clinic_value("no_such_key", tmp_path / "clinic.json")
