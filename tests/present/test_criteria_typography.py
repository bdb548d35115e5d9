"""The rules' text is typed typographically where it is written, in the criteria YAML.

Readers print rule titles, statements and row labels as the criteria give them: no reader respells
"<=" or "mm3" (issue 10: nothing downstream rewrites text it did not write). So the source itself
must hold "≤", "mm³", "m²", "×" and "1,500": this test fails on any ASCII form left in it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from ixdesk.paths import criteria_dir

# ASCII spellings a reader must never see (units and operators; a count without its separator)
ASCII_FORMS = {
    "<= or >=": re.compile(r"<=|>="),
    "mm3": re.compile(r"\bmm3\b"),
    "m2 as a unit": re.compile(r"(?<![\w.])m2\b"),
    "x for times": re.compile(r"(?:\d|\bcm|\bkg) x (?:\d|ULN|height|weight)|\bx ULN\b"),
    "10^9": re.compile(r"10\^9"),
    "a count of 1000 or more without its thousands separator": re.compile(r"(?<![\d.,])\d{4,}(?= cells)"),
    "sqrt": re.compile(r"\bsqrt\b"),
    # a range is typed with an en dash ("0.2–0.6 mg/mL", "days 1–14"); ISO dates and codes are not ranges
    "a hyphen between two numbers": re.compile(r"(?<![\w.\-])\d+(?:\.\d+)?-\d+(?:\.\d+)?(?![\w.\-])"),
}
# keys whose values are identifiers matched against consult data, not text a reader sees
IDENTIFIER_KEYS = {"unit"}


def _strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            if k not in IDENTIFIER_KEYS:
                yield from _strings(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}[{i}]")


def ascii_forms(root: Path) -> list[str]:
    bad = []
    for f in sorted(root.glob("*.yaml")):
        for path, text in _strings(yaml.safe_load(f.read_text(encoding="utf-8")), f.name):
            bad += [f"{path}: {what}: {text[:80]!r}" for what, rx in ASCII_FORMS.items() if rx.search(text)]
    return bad


def test_no_ascii_units_or_operators_in_the_shipped_criteria() -> None:
    assert ascii_forms(criteria_dir()) == []


@pytest.mark.parametrize("text", ["AST <= 2.5 x ULN", "below 1500 cells/mm³", "100 cells/mm3", "40 mg/m2",
                                  "sqrt(height cm x weight kg / 3600)", "0.5 x 10^9/L", "x ULN",
                                  "a final 0.2-0.6 mg/mL", "days 1-14 of each cycle", "grade 3-4"])
def test_the_check_finds_each_ascii_form(tmp_path: Path, text: str) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"rules": [{"title": text}]}), encoding="utf-8")
    assert ascii_forms(tmp_path), text


def test_the_check_passes_typographic_text_and_identifiers(tmp_path: Path) -> None:
    ok = {"rules": [{"title": "AST ≤ 2.5 × ULN, below 1,500 cells/mm³, 40 mg/m², revised 02/23/2024",
                     "unit": "cells/mm3", "mg_per_m2": 40}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(ok, allow_unicode=True), encoding="utf-8")
    assert ascii_forms(tmp_path) == []


def test_no_reader_respells_rule_text() -> None:
    """The respelling helper is gone from the presentation layer: what the criteria say is printed."""
    import ixdesk.present.formats as formats

    assert not hasattr(formats, "typographic")
