"""Hostile inputs measured on main (issue 9, section 6): each gave a traceback, a hang, or a file
that could no longer be opened. Each must now give a message naming the field and the reason.

Inputs that could hang the test process on a regression (``/dev/zero``, a FIFO) run in a child
process with a timeout as a guard; nothing here asserts how fast anything is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ixdesk.cli import main
from ixdesk.core.consult import LATEST_DATE, Consult, CountLab, Labs, Patient, Regimen, UlnLab
from ixdesk.core.dates import PartialDate
from ixdesk.core.engine import AssessmentInputError, assess
from ixdesk.core.files import ConsultFileError, load_consult, parse_consult, save_consult
from ixdesk.core.safe_read import (
    InputReadError, LineTooLong, iter_lines_limited, read_file_limited, read_stream_limited,
)

from tests.robustness.helpers import ROOT, full_consult

GUARD_SECONDS = 120  # a hang guard for the child process, not a speed requirement


def problems_of(text: str | bytes) -> list[tuple[str, str]]:
    with pytest.raises(ConsultFileError) as info:
        parse_consult(text, "hostile.json")
    assert all("Traceback" not in p.message for p in info.value.problems)
    return [(p.field, p.message) for p in info.value.problems]


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "ixdesk.cli", *args], input=stdin, capture_output=True,
                          timeout=GUARD_SECONDS, env=env, cwd=str(ROOT))


# --- dates near year 9999 ------------------------------------------------------------------

DATE_FIELDS = [("consult_date",), ("patient", "date_of_birth"), ("labs", "date"), ("regimens", 1, "start_date"),
               ("regimens", 1, "last_dose_date"), ("regimens", 1, "progression_date")]


def _set(doc: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def _dotted(path: tuple) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else k) for i, k in enumerate(path))


@pytest.mark.parametrize("path", DATE_FIELDS, ids=_dotted)
@pytest.mark.parametrize("value", ["9999-12-31", "9999-11-15", "2200-01-01"])
def test_dates_past_the_plausible_limit_are_refused_naming_the_field(path: tuple, value: str) -> None:
    doc = full_consult()
    doc["consult_date"] = "9999-12-31"  # so that "after the consult date" is not the reason given
    _set(doc, path, value)
    probs = problems_of(json.dumps(doc))
    assert (_dotted(path), "is after 2199-12-31; not a plausible date (check the year)") in probs


def test_the_last_plausible_date_is_accepted_and_assessed() -> None:
    doc = full_consult()
    doc["consult_date"] = LATEST_DATE.isoformat()
    reg = doc["regimens"][2]
    reg.update(start_date="2199-10-01", last_dose_date=LATEST_DATE.isoformat(), progression_date=LATEST_DATE.isoformat())
    a = assess(parse_consult(json.dumps(doc)))
    assert a.as_of == LATEST_DATE


def test_window_end_past_9999_gives_a_message_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The measured case: a regimen ending in December 9999, whose window end falls in year 10000."""
    doc = full_consult()
    doc["consult_date"] = "9999-12-30"
    doc["regimens"][1].update(last_dose_date="9999-11-20", progression_date="9999-12-01")
    f = tmp_path / "y9999.json"
    f.write_text(json.dumps(doc))
    assert main(["assess", str(f)]) == 2
    err = capsys.readouterr().err
    assert "regimens[1].last_dose_date: is after 2199-12-31" in err and "Traceback" not in err


def test_model_refuses_late_dates_on_assignment_and_construction() -> None:
    """The check lives in the base model, so every date field (and any added later) has it."""
    with pytest.raises(ValidationError, match="2199-12-31"):
        Regimen(agents=["paclitaxel"], start_date=date(2300, 1, 1))
    c = Consult()
    with pytest.raises(ValidationError, match="2199-12-31"):
        c.consult_date = date(9999, 12, 31)
    with pytest.raises(ValidationError, match="2199-12-31"):
        Patient(date_of_birth=date(2200, 1, 1))
    assert c.consult_date is None  # the refused assignment changed nothing


def test_assess_turns_date_overflow_into_an_input_error_naming_the_field() -> None:
    """Defence in depth: a consult built without validation (the model refuses such dates)."""
    c = parse_consult(json.dumps(full_consult()))
    reg = c.regimens[1]
    object.__setattr__(reg, "last_dose_date", PartialDate(9999, 12, 1))
    object.__setattr__(reg, "progression_date", PartialDate(9999, 12, 20))
    object.__setattr__(c, "consult_date", date(9999, 12, 30))
    with pytest.raises(AssessmentInputError) as info:
        assess(c)
    fields = [p.field for p in info.value.problems]
    assert "regimens[1].last_dose_date" in fields
    assert all("future" in p.message for p in info.value.problems)


def test_as_of_far_in_the_future_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "c.json"
    f.write_text(json.dumps(full_consult()))
    with pytest.raises(SystemExit) as info:
        main(["assess", "--as-of", "9999-12-31", str(f)])
    assert info.value.code == 2
    assert "not a plausible date" in capsys.readouterr().err


# --- numbers JSON allows and a consult cannot hold -----------------------------------------

def test_integer_of_thousands_of_digits_is_refused_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = json.dumps(full_consult()).replace('"ecog": 1', '"ecog": 1' + "0" * 5000)
    assert problems_of(text) == [("history.ecog", "a number of 5001 digits is not a plausible value")]
    f = tmp_path / "bigint.json"
    f.write_text(text)
    assert main(["assess", str(f)]) == 2
    err = capsys.readouterr().err
    assert "history.ecog" in err and "Traceback" not in err


@pytest.mark.parametrize("text", ["1" * 5000, "[" + "9" * 4301 + "]", '{"a": -' + "7" * 4400 + "}"])
def test_huge_integers_outside_a_consult_object_are_refused(text: str) -> None:
    assert problems_of(text)


FLOAT_FIELDS = [("patient", "height_cm"), ("patient", "weight_kg"), ("disease", "pdl1_cps"),
                ("labs", "neutrophils", "value"), ("labs", "platelets", "value"), ("labs", "hemoglobin", "value"),
                ("labs", "ast", "value"), ("labs", "ast", "uln"), ("labs", "alt", "value"), ("labs", "alt", "uln"),
                ("labs", "bilirubin", "value"), ("labs", "bilirubin", "uln"), ("labs", "creatinine", "value")]


@pytest.mark.parametrize("path", FLOAT_FIELDS, ids=_dotted)
@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused_in_every_number_field(path: tuple, token: str) -> None:
    doc = full_consult()
    _set(doc, path, "__X__")
    probs = problems_of(json.dumps(doc).replace('"__X__"', token))
    assert [f for f, _ in probs] == [_dotted(path)]


def test_infinite_lab_values_are_refused_by_the_model_itself() -> None:
    """Measured: Infinity was accepted, saved as null, and the file never opened again."""
    for make in (lambda: CountLab(value=float("inf")), lambda: UlnLab(value=30, uln=float("inf"), unit="U/L"),
                 lambda: UlnLab(value=float("inf"), uln=40, unit="U/L"), lambda: CountLab(value=float("nan"))):
        with pytest.raises(ValidationError, match="finite"):
            make()
    labs = Labs()
    with pytest.raises(ValidationError, match="finite"):
        labs.creatinine = {"value": float("inf"), "unit": "mg/dL"}  # type: ignore[assignment]
    assert labs.creatinine is None
    with pytest.raises(ValidationError, match="finite"):
        Consult.model_validate_json(json.dumps(full_consult()).replace('"value": 30', '"value": Infinity'))


def test_a_saved_consult_always_opens_again(tmp_path: Path) -> None:
    c = parse_consult(json.dumps(full_consult()))
    with pytest.raises(ValidationError):
        c.labs.ast.value = float("inf")
    f = tmp_path / "c.json"
    save_consult(c, f)
    assert load_consult(f) == c


# --- a UTF-8 byte order mark ---------------------------------------------------------------

def test_bom_is_accepted_in_a_file_bytes_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps(full_consult())
    f = tmp_path / "bom.json"
    f.write_bytes(b"\xef\xbb\xbf" + body.encode())
    assert load_consult(f) == parse_consult(body)
    assert parse_consult("\ufeff" + body) == parse_consult(body)
    assert main(["assess", str(f)]) == 0
    assert main(["assess", "--jsonl", str(f)]) == 0  # one line with a BOM, read as a batch
    capsys.readouterr()


# --- things that are not files -------------------------------------------------------------

LOAD = "import sys; from ixdesk.core.files import load_consult, ConsultFileError\n" \
       "try:\n    load_consult(sys.argv[1])\nexcept ConsultFileError as e:\n    print(e)\n"


def test_dev_zero_is_refused_at_once() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    out = subprocess.run([sys.executable, "-c", LOAD, "/dev/zero"], capture_output=True, text=True,
                         timeout=GUARD_SECONDS, cwd=str(ROOT))
    assert "/dev/zero: is a device, not a regular file" in out.stdout
    cli = run_cli("assess", "/dev/zero")
    assert cli.returncode == 2 and b"not a regular file" in cli.stderr and b"Traceback" not in cli.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "consult.json"
    os.mkfifo(fifo)
    out = subprocess.run([sys.executable, "-c", LOAD, str(fifo)], capture_output=True, text=True,
                         timeout=GUARD_SECONDS, cwd=str(ROOT))
    assert "named pipe (FIFO), not a regular file" in out.stdout
    for args in (("assess", str(fifo)), ("assess", "--jsonl", str(fifo)), ("report", str(fifo), "-o", str(tmp_path))):
        cli = run_cli(*args)
        assert cli.returncode == 2, args
        assert b"named pipe" in cli.stderr + cli.stdout and b"Traceback" not in cli.stderr


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    f = tmp_path / "huge.json"
    with open(f, "wb") as fh:  # sparse: 6 GB on paper, nothing on disk
        fh.truncate(6 * 1024 ** 3)
    with pytest.raises(ConsultFileError, match="larger than 5 MB"):
        load_consult(f)


def test_reading_stops_at_the_limit_on_an_endless_stream() -> None:
    class Endless:
        served = 0

        def read(self, n: int = -1) -> bytes:
            assert n > 0, "an unbounded read"
            self.served += n
            return b"0" * n

    s = Endless()
    with pytest.raises(InputReadError, match="larger than 1 KB"):
        read_stream_limited(s, 1024)  # type: ignore[arg-type]
    assert s.served <= 1025


def test_read_file_limited_reads_a_symlinked_file(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_bytes(b"{}")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert read_file_limited(link, 10) == b"{}"
    with pytest.raises(InputReadError, match="folder"):
        read_file_limited(tmp_path, 10)
    with pytest.raises(InputReadError, match="not found"):
        read_file_limited(tmp_path / "nope", 10)


def test_lines_are_limited_and_an_endless_line_ends_the_input() -> None:
    import io

    got = list(iter_lines_limited(io.BytesIO(b"ab\r\n" + b"x" * 50 + b"\n\ncd"), 10))
    assert [n for n, _ in got] == [1, 2, 3, 4]
    assert got[0][1] == b"ab" and isinstance(got[1][1], LineTooLong) and got[2][1] == b"" and got[3][1] == b"cd"
    lines = iter_lines_limited(io.BytesIO(b"ok\n" + b"\0" * 1000), 10, max_skip=100)
    assert next(lines) == (1, b"ok")
    with pytest.raises(InputReadError, match="without a line end"):
        next(lines)


def test_cli_internal_failure_is_one_line_without_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import ixdesk.cli as cli

    def boom(*_: Any) -> int:
        raise KeyError("Test Patient")  # an internal bug whose message holds patient data

    monkeypatch.setattr(cli, "cmd_assess", boom)
    assert main(["assess", str(tmp_path / "x.json")]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error (KeyError" in err and "Traceback" not in err and "Test Patient" not in err
    assert len(err.strip().splitlines()) == 1


def test_autosave_and_clinic_settings_never_block_on_a_fifo(tmp_path: Path) -> None:
    """The autosave record and the clinic settings are read like consults: regular files only, with
    a size limit; a FIFO in their place is reported (or ignored), never waited on."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(f"""
        import os, pathlib
        from ixdesk.core.autosave import read_record
        from ixdesk.clinic_settings import load_settings
        d = pathlib.Path({str(tmp_path)!r})
        os.mkfifo(d / "autosave.json"); os.mkfifo(d / "clinic.json")
        rec = read_record(d)
        assert rec is not None and rec.consult is None and rec.problems, rec
        print(type(load_settings(d / "clinic.json")).__name__)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ReportSettings"


# --- a key given twice ----------------------------------------------------------------------

def test_a_key_given_twice_with_different_values_is_refused_naming_it() -> None:
    # the hunt: '"height_cm": 160, "height_cm": 250' was read as 250 cm, silently (the dose rose 25%)
    text = json.dumps(full_consult())
    twice = text.replace('"height_cm": ', '"height_cm": 250, "height_cm": ', 1)
    assert problems_of(twice) == [("patient.height_cm", "is given twice in the file with different values; "
                                   "keep the right one and remove the other")]
    meds = text.replace('"medications": [', '"medications": ["ketoconazole"], "medications": [', 1)
    assert [f for f, _ in problems_of(meds)] == ["history.medications"]
    # the same value twice changes nothing: read as once
    same = json.loads(text)["patient"]["height_cm"]
    assert parse_consult(text.replace('"height_cm": ', f'"height_cm": {same}, "height_cm": ', 1)) == parse_consult(text)
