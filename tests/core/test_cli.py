"""The command line: readable and JSON assessments, clear errors, schema and criteria check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ixdesk.cli import main
from tests.conftest import EXAMPLES

EX1 = str(EXAMPLES / "01-combination-after-anthracycline-and-taxane.json")


def test_assess_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", EX1]) == 0
    out = capsys.readouterr().out
    assert "Meets label indication: With capecitabine" in out
    assert "Anthracycline  RESISTANT" in out
    assert "70.6 mg" in out
    assert "Maria" not in out and "EX-0001" not in out  # no identifiers in command output


def test_assess_json_is_stable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", EX1, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format_version"] == 1
    assert data["file"] == EX1
    assert {r["drug_class"]: r["result"] for r in data["resistance"]} == {
        "anthracycline": "resistant", "taxane": "resistant", "capecitabine": "not_exposed"}
    states = {f["id"]: f["state"] for f in data["findings"]}
    assert states["label.combination"] == "met"
    assert data["blocking"] == [] and isinstance(data["warnings"], list)
    assert data["dose"]["dose_mg"] == 70.6 and data["dose"]["hcpcs_units"] == 71


def test_assess_many_and_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(EXAMPLES), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == len(list(EXAMPLES.glob("*.json")))


def test_assess_as_of(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", EX1, "--json", "--as-of", "2026-12-01"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2026-12-01"


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["assess", EX1, "--as-of", "2026-02-30"])
    assert exc.value.code != 0
    assert "not a date" in capsys.readouterr().err


@pytest.mark.parametrize("content,expected", [
    ('{"patient": {"height_cm": 1650}}', "patient.height_cm: must be less than or equal to 250"),
    ('{"regimens": [{"agents": ["AC"], "start_date": "2025-05-01", "last_dose_date": "2025-01-01"}]}',
     "regimens[0].last_dose_date: is before the start date"),
    ('{"labs": {"neutrophils": {"value": -5}}}', "labs.neutrophils.value: must be greater than or equal to 0"),
    ("{not json", "not valid JSON"),
    ('{"schema_version": 9}', "newer IxDesk"),
    ('{"plan": {"regimen": "double"}}', "plan.regimen: must be"),
])
def test_invalid_file_names_field_and_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(content)
    assert main(["assess", str(p)]) == 2
    captured = capsys.readouterr()
    assert expected in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["assess", str(tmp_path / "nope.json")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_jsonl_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps(json.loads(p.read_text())) for p in sorted(EXAMPLES.glob("*.json"))] + ['{"bad": 1}']
    f = tmp_path / "batch.jsonl"
    f.write_text("\n".join(lines) + "\n")
    assert main(["assess", "--jsonl", str(f)]) == 2
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == len(lines)
    assert out[-1]["error"]["problems"][0]["field"] == "bad"


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Consult"
    assert "regimens" in schema["properties"]


def test_criteria_check(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["criteria", "check"]) == 0
    out = capsys.readouterr().out
    assert "sha256:" in out and "OK" in out
    (tmp_path / "set.yaml").write_text("name: x\n")
    assert main(["criteria", "check", "--dir", str(tmp_path)]) == 3
    assert "criteria check failed" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "ixdesk" in capsys.readouterr().out
