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
def not_utf8(crit: Path) -> tuple[Path, str, int]:
    f = crit / "warnings.yaml"
    raw = f.read_bytes() + b"\n# caf\xe9\n"
    f.write_bytes(raw)
    return crit, "warnings.yaml", raw.count(b"\n")  # the last line holds the Latin-1 byte


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
    assert err.file == name and err.line == 1 and "unexpected" in err.reason
    assert "set.yaml" in err.reason  # says where the set's files are listed


def test_empty_file(empty_file) -> None:
    folder, name, line = empty_file
    err = refuse(folder)
    assert (err.file, err.line) == (name, line)


def test_not_utf8(not_utf8) -> None:
    folder, name, line = not_utf8
    err = refuse(folder)  # a CriteriaError naming the file and line, not a UnicodeDecodeError
    assert (err.file, err.line) == (name, line)
    assert "UTF-8" in err.reason


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



# --- every refusal names its line (issue 9 section 5) --------------------------------------

def test_duplicate_key_is_refused_at_the_second_one(crit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``mg_per_m2: 400`` under ``mg_per_m2: 40``: YAML keeps the last, which printed a 706 mg dose."""
    f = crit / "dosing.yaml"
    first = line_of(f, r"^  mg_per_m2: 40$")
    edit_line(f, first, lambda s: s + "  mg_per_m2: 40.5\n")  # within the bounds: only the duplicate is wrong
    err = refuse(crit)
    assert (err.file, err.line) == ("dosing.yaml", first + 1)
    assert "mg_per_m2" in err.reason and "twice" in err.reason and f"line {first}" in err.reason
    rc = _run(pytest.importorskip("ixdesk.cli").main, ["criteria", "check", "--dir", str(crit)])
    text = capsys.readouterr()
    assert rc == 3 and f"dosing.yaml, line {first + 1}" in text.err and "OK" not in text.out


def test_duplicate_key_in_a_flow_mapping(crit: Path) -> None:
    f = crit / "exclusions.yaml"
    line = line_of(f, r"value: 1500")
    edit_line(f, line, lambda s: s.replace("value: 1500}", "value: 1500, value: 1000}"))
    err = refuse(crit)
    assert (err.file, err.line) == ("exclusions.yaml", line) and "'value' appears twice" in err.reason


def test_duplicate_rule_key_true_and_yes_are_the_same_key(crit: Path) -> None:
    """``required: true`` then ``required: false`` in one premedication item."""
    f = crit / "dosing.yaml"
    line = line_of(f, r"required: true")
    edit_line(f, line, lambda s: s + s.replace("true", "false"))
    err = refuse(crit)
    assert (err.file, err.line) == ("dosing.yaml", line + 1) and "twice" in err.reason


def test_anchor_is_refused_with_its_line(crit: Path) -> None:
    f = crit / "resistance.yaml"
    anchor = line_of(f, r"also: \{document: payer-004")
    edit_line(f, anchor, lambda s: s.replace("also: {", "also: &overview {"))
    alias = line_of(f, r"also: \{document: payer-004")  # the second one, now the first that matches
    edit_line(f, alias, lambda s: s.split("also:")[0] + "also: *overview\n")
    err = refuse(crit)
    assert (err.file, err.line) == ("resistance.yaml", anchor)
    assert "anchor" in err.reason and "&overview" in err.reason


def test_exponential_aliases_are_refused_before_expanding(crit: Path) -> None:
    """The 'billion laughs': each line doubles the last; refused at the first anchor, never expanded."""
    f = crit / "formulary.yaml"
    laughs = ["x0: &a0 [lol, lol]"] + [f"x{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 40)]
    text = f.read_text(encoding="utf-8")
    f.write_text("\n".join(laughs) + "\n" + text, encoding="utf-8")
    err = refuse(crit)
    assert (err.file, err.line) == ("formulary.yaml", 1) and "anchor" in err.reason


def test_merge_key_is_refused(crit: Path) -> None:
    f = crit / "lab_defaults.yaml"
    line = line_of(f, r"alt: \{value: 40")
    edit_line(f, line, lambda s: "  alt: {<<: {value: 40, unit: U/L}}\n")
    err = refuse(crit)
    assert (err.file, err.line) == ("lab_defaults.yaml", line) and "merge key" in err.reason


def test_file_over_the_size_cap_is_refused_before_parsing(crit: Path) -> None:
    from ixdesk.core.criteria import MAX_FILE_BYTES

    f = crit / "warnings.yaml"
    with open(f, "a", encoding="utf-8") as fh:
        fh.write(("# padding " + "x" * 90 + "\n") * (MAX_FILE_BYTES // 100 + 1))
    err = refuse(crit)
    assert err.file == "warnings.yaml" and "larger than" in err.reason


def test_too_many_files_are_refused_before_reading_any(crit: Path) -> None:
    from ixdesk.core.criteria import MAX_FILES

    for i in range(MAX_FILES + 1):
        (crit / f"zz{i:03}.yaml").write_text("x: 1\n", encoding="utf-8")
    err = refuse(crit)
    assert f"more than {MAX_FILES}" in err.reason


def test_a_folder_named_like_a_criteria_file_is_refused(crit: Path) -> None:
    (crit / "dosing.yaml").unlink()
    (crit / "dosing.yaml").mkdir()
    err = refuse(crit)  # not IsADirectoryError
    assert err.file == "dosing.yaml" and "not a regular file" in err.reason


def test_deep_nesting_is_refused_with_its_line(crit: Path) -> None:
    f = crit / "sources.yaml"
    # 500 levels: within libyaml's own limit (1000), beyond what a Python composer can recurse
    f.write_text(f.read_text(encoding="utf-8") + "deep: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    err = refuse(crit)  # not a RecursionError
    assert err.file == "sources.yaml" and err.line is not None and "nested" in err.reason


def test_set_yaml_lists_a_file_the_folder_lacks(crit: Path) -> None:
    """Covered by the missing_file fixture too; here the listed name is one IxDesk does not read."""
    f = crit / "set.yaml"
    line = line_of(f, r"^\s*- payers\.yaml")
    edit_line(f, line, lambda s: s + s.replace("payers", "payers_2027"))
    err = refuse(crit)
    assert (err.file, err.line) == ("set.yaml", line + 1) and "payers_2027.yaml" in err.reason


def test_set_yaml_not_listing_a_needed_file(crit: Path) -> None:
    f = crit / "set.yaml"
    line = line_of(f, r"^\s*- warnings\.yaml")
    edit_line(f, line, lambda s: "")
    err = refuse(crit)
    assert err.file == "set.yaml" and err.line == line_of(f, r"^files:") and "'warnings.yaml'" in err.reason


@pytest.mark.parametrize("name, pattern, nth, new_doc", [
    ("resistance.yaml", r"source: \{document: PI", 2, "PI-2009"),       # a window's source
    ("resistance.yaml", r"also: \{document: payer-003", 0, "payer-3"),  # a window's second source
    ("resistance.yaml", r"source: \{document: PI", 4, "PI-2009"),       # the on-therapy rule
    ("dosing.yaml", r"source: \{document: PI", 3, "PI-2009"),           # the hepatic Gilbert's note
    ("dosing.yaml", r"source: \{document: PI", 4, "PI-2009"),           # cyp3a4
    ("dosing.yaml", r"source: \{document: payer-policies", 0, "payers"),  # billing
    ("administration.yaml", r"source: \{document: PI", 2, "PI-2009"),   # preparation
    ("lines.yaml", r"source: \{document: ixdesk", 0, "IxDesk"),
    ("medications.yaml", r"source: \{document: PI", 1, "PI-2009"),
    ("medications.yaml", r"source: \{document: fda-cyp3a", 2, "FDA-2020"),
    ("lab_defaults.yaml", r"source: \{document: ixdesk", 0, "IxDesk"),
])
def test_unknown_source_document_names_its_line(crit: Path, name: str, pattern: str, nth: int, new_doc: str) -> None:
    f = crit / name
    line = line_of(f, pattern, nth)
    edit_line(f, line, lambda s: re.sub(r"document: [\w-]+", f"document: {new_doc}", s, count=1))
    err = refuse(crit)
    assert (err.file, err.line) == (name, line)
    assert f"'{new_doc}'" in err.reason and "sources.yaml" in err.reason


def test_undefined_agent_class_names_its_line(crit: Path) -> None:
    f = crit / "formulary.yaml"
    line = line_of(f, r"id: docetaxel,")
    edit_line(f, line, lambda s: s.replace("class: taxane", "class: taxanes"))
    err = refuse(crit)
    assert (err.file, err.line) == ("formulary.yaml", line) and "'taxanes' is not defined" in err.reason


def test_agent_defined_twice_names_its_line(crit: Path) -> None:
    f = crit / "formulary.yaml"
    line = line_of(f, r"id: docetaxel,")
    edit_line(f, line, lambda s: s + s)
    err = refuse(crit)
    assert (err.file, err.line) == ("formulary.yaml", line + 1) and "defined twice" in err.reason


def test_combination_with_an_undefined_agent_names_its_line(crit: Path) -> None:
    f = crit / "formulary.yaml"
    text = f.read_text(encoding="utf-8")
    m = re.search(r"agents: \[(\w+)", text[text.index("combinations:"):])
    assert m, "formulary.yaml has no combinations"
    line = text[:text.index("combinations:")].count("\n") + 1 + text[text.index("combinations:"):][:m.start()].count("\n")
    edit_line(f, line, lambda s: s.replace(f"agents: [{m.group(1)}", "agents: [nonexistium", 1))
    err = refuse(crit)
    assert (err.file, err.line) == ("formulary.yaml", line) and "'nonexistium' is not defined" in err.reason
