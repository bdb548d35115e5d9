"""``ixdesk assess --jsonl``: every input line gets its own result or error line, whatever the others hold.

Measured on main: one bad line ended the whole batch (1,493 of 3,149 lines were never assessed).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ixdesk.cli import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, main
from ixdesk.core.files import MAX_FILE_BYTES

from tests.robustness.helpers import full_consult

NAME = "Test Patient"  # FULL_CONSULT's patient name: never in an error line or on stderr
MRN = "TEST-0001"


def _line(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _bad_value(path: tuple, value: Any) -> bytes:
    doc = full_consult()
    d: Any = doc
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = value
    return _line(doc)


GOOD = _line(full_consult())

# (input line, the field the error must name, or "" for a problem of the line as a whole; None = valid)
CASES: list[tuple[bytes, str | None]] = [
    (GOOD, None),
    (b"", None),  # blank: no output line
    (b"   \t", None),  # blank
    (b"{not json", ""),
    (b'\xff\xfe{"consult_date": "2025-01-01"}', ""),  # invalid UTF-8
    (b"[1, 2, 3]", ""),  # not an object
    (b'"just a string"', ""),
    (b"null", ""),
    (GOOD.replace(b'"height_cm": 164.0', b'"height_cm": NaN'), "patient.height_cm"),
    (GOOD.replace(b'"value": 30', b'"value": Infinity'), "labs.ast.value"),
    (GOOD.replace(b'"ecog": 1', b'"ecog": 1' + b"0" * 5000), "history.ecog"),
    (_bad_value(("consult_date",), "9999-12-31"), "consult_date"),
    (_bad_value(("patient", "height_cm"), 1650), "patient.height_cm"),
    (_bad_value(("regimens", 0, "start_date"), "2019-02-30"), "regimens[0].start_date"),
    (_bad_value(("patient", "bogus"), 1), "patient.bogus"),
    (b"\xef\xbb\xbf" + GOOD, None),  # a BOM is accepted
    (GOOD + b"\r", None),  # CRLF line ends
    (b'{"patient": {"name": "' + b"x" * (MAX_FILE_BYTES + 10) + b'"}}', ""),  # a line over the limit
    (b"[" * 100_000, ""),  # nesting bomb
    (GOOD, None),
]


def _batch() -> bytes:
    return b"\n".join(line for line, _ in CASES) + b"\n"


def _check(out_text: str, err_text: str, name_key: dict[str, str]) -> None:
    outs = [json.loads(x) for x in out_text.splitlines()]
    expected = [(n, field) for n, (line, field) in enumerate(CASES, start=1) if line.strip()]
    assert [o["line"] for o in outs] == [n for n, _ in expected], "one output line per non-blank input line, in order"
    for o, (n, field) in zip(outs, expected, strict=True):
        for k, v in name_key.items():
            assert o[k] == v
        if field is None:
            assert "error" not in o, (n, o.get("error"))
            assert o["format_version"] == 1 and o["findings"]
        else:
            probs = o["error"]["problems"]
            assert probs and all(p["message"] for p in probs), n
            if field:
                assert field in [p["field"] for p in probs], (n, probs)
            text = json.dumps(o, ensure_ascii=False)
            assert NAME not in text and MRN not in text, n
    assert NAME not in err_text and MRN not in err_text
    assert "Traceback" not in err_text


def test_every_line_of_a_file_gets_its_own_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "batch.jsonl"
    f.write_bytes(_batch())
    assert main(["assess", "--jsonl", str(f)]) == EXIT_INVALID
    cap = capsys.readouterr()
    _check(cap.out, cap.err, {"file": str(f)})


def test_every_line_of_stdin_gets_its_own_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(_batch()), encoding="utf-8"))
    assert main(["assess", "--jsonl"]) == EXIT_INVALID
    cap = capsys.readouterr()
    _check(cap.out, cap.err, {})


def test_a_long_batch_with_scattered_bad_lines_is_assessed_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The measured batch shape: bad lines spread through a long file; every good line is assessed."""
    lines = []
    for i in range(300):
        lines.append(b"{broken" if i % 37 == 5 else b"\xc3\x28" if i % 53 == 7 else GOOD)
    f = tmp_path / "big.jsonl"
    f.write_bytes(b"\n".join(lines))  # no final line end
    assert main(["assess", "--jsonl", str(f)]) == EXIT_INVALID
    outs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["line"] for o in outs] == list(range(1, 301))
    bad = {i + 1 for i, line in enumerate(lines) if line != GOOD}
    assert {o["line"] for o in outs if "error" in o} == bad


def test_all_good_lines_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "ok.jsonl"
    f.write_bytes(GOOD + b"\n\n" + GOOD + b"\n")
    assert main(["assess", "--jsonl", str(f)]) == EXIT_OK
    assert [json.loads(x)["line"] for x in capsys.readouterr().out.splitlines()] == [1, 3]


def test_an_internal_failure_on_one_line_keeps_the_rest(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import ixdesk.core.engine as engine

    real = engine.assess
    calls = {"n": 0}

    def flaky(consult: Any, *a: Any, **k: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError(NAME)  # a bug whose message holds patient data
        return real(consult, *a, **k)

    monkeypatch.setattr(engine, "assess", flaky)
    f = tmp_path / "b.jsonl"
    f.write_bytes(b"\n".join([GOOD, GOOD, b"{bad", GOOD]) + b"\n")
    assert main(["assess", "--jsonl", str(f)]) == EXIT_INTERNAL  # an internal failure outranks an invalid line
    cap = capsys.readouterr()
    outs = [json.loads(x) for x in cap.out.splitlines()]
    assert [o["line"] for o in outs] == [1, 2, 3, 4]
    assert "error" not in outs[0] and "error" not in outs[3]
    assert "internal error (RuntimeError" in outs[1]["error"]["problems"][0]["message"]
    assert NAME not in cap.out and NAME not in cap.err and "Traceback" not in cap.err


def test_unreadable_sources_are_reported_and_the_others_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(GOOD + b"\n")
    missing = tmp_path / "missing.jsonl"
    assert main(["assess", "--jsonl", str(missing), str(good)]) == EXIT_INVALID
    outs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert outs[0] == {"file": str(missing), "error": {"problems": [{"field": "", "message": "file not found"}]}}
    assert outs[1]["file"] == str(good) and outs[1]["line"] == 1 and "error" not in outs[1]


def test_endless_stdin_ends_with_a_message(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``ixdesk assess --jsonl < /dev/zero``: a line that never ends is refused, not read forever."""
    import ixdesk.core.safe_read as safe_read

    real = safe_read.iter_lines_limited
    monkeypatch.setattr(safe_read, "iter_lines_limited", lambda s, limit, max_skip=None: real(s, limit, 2 * limit))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD + b"\n" + b"\0" * (4 * MAX_FILE_BYTES))))
    assert main(["assess", "--jsonl"]) == EXIT_INVALID
    outs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [o["line"] for o in outs] == [1, 2]
    assert "without a line end" in outs[1]["error"]["problems"][0]["message"]
