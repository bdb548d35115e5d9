"""Broken criteria sets are refused at load with file, line and reason; one fixture per kind.

Each fixture copies the shipped ``criteria/`` to a temporary folder and breaks it in one way. The
loader must raise :class:`CriteriaError` naming the file, the line where there is one, and a reason
a pharmacist can act on, never load a partial set and never raise anything else.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ixdesk.core.criteria import CriteriaError, load_criteria
from ixdesk.paths import criteria_dir


@pytest.fixture
def crit(tmp_path: Path) -> Path:
    dst = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), dst)
    load_criteria(dst)  # the copy itself is sound
    return dst


def line_of(path: Path, pattern: str, nth: int = 0) -> int:
    """1-based line number of the ``nth`` line matching ``pattern`` in ``path``."""
    hits = [i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if re.search(pattern, text)]
    assert len(hits) > nth, f"{pattern!r} not in {path.name}"
    return hits[nth]


def edit_line(path: Path, line: int, fn) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = fn(lines[line - 1])
    path.write_text("".join(lines), encoding="utf-8")


def refuse(folder: Path) -> CriteriaError:
    with pytest.raises(CriteriaError) as info:
        load_criteria(folder)
    err = info.value
    assert str(err).startswith(err.file), str(err)
    assert err.reason.strip()
    return err


# --- one fixture per kind of break ---------------------------------------------------------

@pytest.fixture
def bad_yaml(crit: Path) -> tuple[Path, str, int]:
    f = crit / "exclusions.yaml"
    line = line_of(f, r"title: Baseline platelets")
    edit_line(f, line, lambda s: s.replace("title: Baseline platelets", "title: Baseline: platelets"))
    return crit, "exclusions.yaml", line


@pytest.fixture
def unknown_key(crit: Path) -> tuple[Path, str, int]:
    f = crit / "exclusions.yaml"
    line = line_of(f, r"^\s+kind: exclusion", 1)
    edit_line(f, line, lambda s: s + s.replace("kind: exclusion", "severity_colour: red"))
    return crit, "exclusions.yaml", line + 1


@pytest.fixture
def dangling_finding(crit: Path) -> tuple[Path, str, int]:
    f = crit / "payers.yaml"
    line = line_of(f, r"- finding: pathway\.A")
    edit_line(f, line, lambda s: s.replace("finding: pathway.A", "finding: nope"))
    rule_line = max(i for i, t in enumerate(f.read_text().splitlines()[:line], start=1) if re.match(r"\s*- id:", t))
    return crit, "payers.yaml", rule_line


@pytest.fixture
def unknown_source(crit: Path) -> tuple[Path, str, int]:
    f = crit / "exclusions.yaml"
    line = line_of(f, r"document: PI", 1)
    edit_line(f, line, lambda s: s.replace("document: PI", "document: NOT-A-DOC"))
    rule_line = max(i for i, t in enumerate(f.read_text().splitlines()[:line], start=1) if re.match(r"\s*- id:", t))
    return crit, "exclusions.yaml", rule_line


@pytest.fixture
def missing_file(crit: Path) -> tuple[Path, str, int]:
    (crit / "dosing.yaml").unlink()
    return crit, "set.yaml", line_of(crit / "set.yaml", r"^\s*- dosing\.yaml")  # where set.yaml lists it


@pytest.fixture
def wrong_type(crit: Path) -> tuple[Path, str, int]:
    f = crit / "exclusions.yaml"
    line = line_of(f, r"value: 1500")
    edit_line(f, line, lambda s: s.replace("value: 1500", "value: fifteen hundred"))
    return crit, "exclusions.yaml", line


@pytest.fixture
def duplicate_rule(crit: Path) -> tuple[Path, str, int]:
    f = crit / "exclusions.yaml"
    first = line_of(f, r"- id: exclusion\.neutrophils")
    second = line_of(f, r"- id: exclusion\.platelets")
    edit_line(f, second, lambda s: s.replace("exclusion.platelets", "exclusion.neutrophils"))
    return crit, "exclusions.yaml", first  # the reported line is the id's first definition


@pytest.fixture
def stray_file(crit: Path) -> tuple[Path, str, None]:
    (crit / "extra_rules.yaml").write_text("rules: []\n", encoding="utf-8")
    return crit, "extra_rules.yaml", None


@pytest.fixture
def empty_file(crit: Path) -> tuple[Path, str, int]:
    (crit / "sources.yaml").write_text("", encoding="utf-8")
    return crit, "sources.yaml", 1


@pytest.fixture
def not_utf8(crit: Path) -> tuple[Path, str, None]:
    f = crit / "warnings.yaml"
    f.write_bytes(f.read_bytes() + b"\n# caf\xe9\n")
    return crit, "warnings.yaml", None


# --- tests ---------------------------------------------------------------------------------

def test_bad_yaml(bad_yaml) -> None:
    folder, name, line = bad_yaml
    err = refuse(folder)
    assert (err.file, err.line) == (name, line)
    assert "not valid YAML" in err.reason


def test_unknown_key(unknown_key) -> None:
    folder, name, line = unknown_key
    err = refuse(folder)
    assert (err.file, err.line) == (name, line)
    assert "severity_colour" in err.reason and "unknown key" in err.reason


def test_dangling_rule_reference(dangling_finding) -> None:
    folder, name, line = dangling_finding
    err = refuse(folder)
    assert (err.file, err.line) == (name, line)
    assert "'nope'" in err.reason and "not defined" in err.reason


def test_source_not_in_sources_yaml(unknown_source) -> None:
    folder, name, line = unknown_source
    err = refuse(folder)
    assert (err.file, err.line) == (name, line)
    assert "NOT-A-DOC" in err.reason and "sources.yaml" in err.reason


def test_missing_file(missing_file) -> None:
    folder, name, line = missing_file
    err = refuse(folder)
    assert (err.file, err.line) == (name, line)
    assert "dosing.yaml" in err.reason and "missing" in err.reason


def test_wrong_type(wrong_type) -> None:
    folder, name, line = wrong_type
    err = refuse(folder)
    assert (err.file, err.line) == (name, line)
    assert "value" in err.reason


def test_duplicate_rule_id(duplicate_rule) -> None:
    folder, name, _ = duplicate_rule
    err = refuse(folder)
    assert err.file == name and err.line is not None
    assert "defined twice" in err.reason


def test_unexpected_file(stray_file) -> None:
    folder, name, _ = stray_file
    err = refuse(folder)
    assert err.file == name and "unexpected" in err.reason


def test_empty_file(empty_file) -> None:
    folder, name, line = empty_file
    err = refuse(folder)
    assert (err.file, err.line) == (name, line)


def test_not_utf8(not_utf8) -> None:
    folder, name, _ = not_utf8
    err = refuse(folder)  # a CriteriaError naming the file, not a UnicodeDecodeError
    assert err.file == name


def test_missing_folder(tmp_path: Path) -> None:
    err = refuse(tmp_path / "nowhere")
    assert "not found" in err.reason


def test_criteria_check_cli_refuses_broken_set(unknown_key, capsys: pytest.CaptureFixture[str]) -> None:
    cli = pytest.importorskip("ixdesk.cli")
    folder, name, line = unknown_key
    rc = _run(cli.main, ["criteria", "check", "--dir", str(folder)])
    out = capsys.readouterr()
    assert rc != 0
    text = out.out + out.err
    assert name in text and f"line {line}" in text
    assert "Traceback" not in text


def _run(main, argv: list[str]) -> int:
    try:
        rc = main(argv)
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return int(rc or 0)


def test_unknown_source_of_the_diagnosis_codes_is_refused_at_load(crit: Path) -> None:
    """Otherwise it loads, and the clinician report fails later with a KeyError."""
    dosing = crit / "dosing.yaml"
    line = line_of(dosing, r'section: "Coding: ICD-10 Diagnosis"')
    edit_line(dosing, line, lambda t: t.replace("payer-003", "payer-03"))
    err = refuse(crit)
    assert err.file == "dosing.yaml" and "payer-03" in err.reason
