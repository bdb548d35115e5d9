"""A slipped digit in a criteria number is refused at load, with file, line and the bound it breaks.

Each case copies the shipped set and multiplies (or divides) one number by ten, the mistake a
reviewer's eye slides over: 400 for 40 mg/m2 loaded silently and printed a 706 mg dose. The bounds
are plausibility limits, not clinical facts (ixdesk/core/criteria.py says so where they are set).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from ixdesk.core.criteria import CriteriaError, MgPerM2, Model, load_criteria
from ixdesk.paths import criteria_dir


@pytest.fixture
def crit(tmp_path: Path) -> Path:
    dst = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), dst)
    return dst


def _replace_on_line(path: Path, pattern: str, old: str, new: str, nth: int = 0) -> int:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [i for i, text in enumerate(lines) if re.search(pattern, text)]
    assert len(hits) > nth, f"{pattern!r} not in {path.name}"
    i = hits[nth]
    assert old in lines[i], (old, lines[i])
    lines[i] = lines[i].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")
    return i + 1


# (file, line pattern, old text, new text, where the message points, the bound it names)
SLIPS = [
    ("dosing.yaml", r"^  mg_per_m2: 40$", "40", "400", "standard.mg_per_m2 = 400", "maximum 60"),
    ("dosing.yaml", r"^  mg_per_m2: 40$", "40", "4", "standard.mg_per_m2 = 4", "minimum 5"),
    ("dosing.yaml", r"^  infusion_hours: 3$", "3", "30", "standard.infusion_hours = 30", "maximum 24"),
    ("dosing.yaml", r"^  cycle_days: 21$", "21", "210", "standard.cycle_days = 210", "maximum 42"),
    ("dosing.yaml", r"cap_m2: 2.2", "2.2", "22", "bsa.cap_m2 = 22", "maximum 3"),
    ("dosing.yaml", r"mg_per_m2: 32", "32", "320", "hepatic.rows[1].mg_per_m2 = 320", "maximum 60"),
    ("dosing.yaml", r"transaminases_max_x_uln: 10", "10", "100", "hepatic.rows[1].transaminases_max_x_uln = 100", "maximum 20"),
    ("dosing.yaml", r"inhibitor_mg_per_m2: 20", "20", "200", "cyp3a4.inhibitor_mg_per_m2 = 200", "maximum 60"),
    ("dosing.yaml", r"vials_mg: \[15, 45\]", "45", "450", "kits.vials_mg[1] = 450", "maximum 100"),
    ("dosing.yaml", r"^  reconstituted_mg_per_ml: 2$", "2", "20", "kits.reconstituted_mg_per_ml = 20", "maximum 5"),
    ("dosing.yaml", r"units_cap_per_cycle: 90", "90", "900", "billing.units_cap_per_cycle = 900", "maximum 500"),
    ("dosing.yaml", r"mg_per_unit: 1", "1", "10", "billing.mg_per_unit = 10", "maximum 5"),
    ("dosing.yaml", r"mg_per_m2_per_dose: 1000", "1000", "10000", "capecitabine.mg_per_m2_per_dose = 10000", "maximum 2500"),
    ("exclusions.yaml", r"value: 1500", "1500", "15000", "rules[0].when.lab.value = 15000", "maximum 5000"),
    ("exclusions.yaml", r"value: 1500", "1500", "150", "rules[0].when.lab.value = 150", "minimum 250"),
    ("exclusions.yaml", r"value: 100000", "100000", "1000000", "rules[1].when.lab.value = 1000000", "maximum 400000"),
    ("exclusions.yaml", r"x_uln: 2.5", "2.5", "25", ".lab.x_uln = 25", "maximum 20"),
    ("resistance.yaml", r"months: 12", "12", "120", "classes[1].windows[0].months = 120", "maximum 24"),
    ("resistance.yaml", r"weeks: 8", "8", "80", "classes[2].windows[0].weeks = 80", "maximum 26"),
    ("administration.yaml", r"neutrophils_min_per_mm3: 1500", "1500", "15000", "cycle_start.neutrophils_min_per_mm3 = 15000", "maximum 5000"),
    ("administration.yaml", r"platelets_min_per_mm3: 100000", "100000", "10000", "cycle_start.platelets_min_per_mm3 = 10000", "minimum 20000"),
    ("administration.yaml", r"final_mg_per_ml", "0.6", "6", "preparation.final_mg_per_ml[1] = 6", "maximum 1.5"),
    ("administration.yaml", r"use_within_hours: 6", "6", "60", "preparation.use_within_hours = 60", "maximum 24"),
    ("administration.yaml", r"contraception_female_months: 7", "7", "70", "pregnancy.contraception_female_months = 70", "maximum 24"),
    ("administration.yaml", r"fever_celsius: 38", "38", "100.4", "patient_urgent.fever_celsius = 100.4", "maximum 40"),
    ("lab_defaults.yaml", r"ast: \{value: 40", "40", "400", "uln.ast.value = 400", "maximum 200"),
    ("lab_defaults.yaml", r"bilirubin_mg_dl: \{value: 1.2", "1.2", "12", "uln.bilirubin_mg_dl.value = 12", "maximum 5"),
    ("lab_defaults.yaml", r"bilirubin_umol_l: \{value: 21", "21", "210", "uln.bilirubin_umol_l.value = 210", "maximum 85"),
    ("warnings.yaml", r"labs_older_than_days: 14", "14", "140", ".labs_older_than_days = 140", "maximum 90"),
    ("pathways.yaml", r"pdl1_cps: \{below: 10\}", "10", "100", ".pdl1_cps.below = 100", "maximum 50"),
    ("pathways.yaml", r"min: 3\}", "3", "30", ".prior_lines.min = 30", "maximum 10"),
]


@pytest.mark.parametrize("name, pattern, old, new, where, bound", SLIPS, ids=[f"{s[0]}:{s[4]}" for s in SLIPS])
def test_a_slipped_digit_is_refused_with_file_line_and_bound(crit: Path, name: str, pattern: str, old: str,
                                                             new: str, where: str, bound: str) -> None:
    line = _replace_on_line(crit / name, pattern, old, new)
    with pytest.raises(CriteriaError) as info:
        load_criteria(crit)
    err = info.value
    assert (err.file, err.line) == (name, line), str(err)
    assert where in err.reason and f"plausible {bound}" in err.reason, err.reason
    assert "not a clinical limit" in err.reason


def test_the_message_reads_as_in_the_issue(crit: Path) -> None:
    line = _replace_on_line(crit / "dosing.yaml", r"^  mg_per_m2: 40$", "40", "400")
    with pytest.raises(CriteriaError) as info:
        load_criteria(crit)
    assert str(info.value).startswith(f"dosing.yaml, line {line}: standard.mg_per_m2 = 400 is above the "
                                      "plausible maximum 60 mg/m2")


@pytest.mark.parametrize("text", [".nan", ".inf", "-.inf"])
def test_not_a_number_is_refused(crit: Path, text: str) -> None:
    line = _replace_on_line(crit / "dosing.yaml", r"cap_m2: 2.2", "2.2", text)
    with pytest.raises(CriteriaError) as info:
        load_criteria(crit)
    assert (info.value.file, info.value.line) == ("dosing.yaml", line)
    assert "bsa.cap_m2" in info.value.reason


def test_hepatic_rows_out_of_order_are_refused(crit: Path) -> None:
    """1.5 typed as 15 is within the x ULN bound, but puts the mild row above the moderate one."""
    _replace_on_line(crit / "dosing.yaml", r"bilirubin_max_x_uln: 1.5", "1.5", "15")
    line = [i for i, t in enumerate((crit / "dosing.yaml").read_text().splitlines(), 1) if "bilirubin_max_x_uln: 3.0" in t][0]
    with pytest.raises(CriteriaError) as info:
        load_criteria(crit)
    assert (info.value.file, info.value.line) == ("dosing.yaml", line)
    assert "hepatic.rows[2].bilirubin_max_x_uln = 3" in info.value.reason and "(15)" in info.value.reason


def test_a_hepatic_dose_above_the_standard_dose_is_refused(crit: Path) -> None:
    line = _replace_on_line(crit / "dosing.yaml", r"^  mg_per_m2: 40$", "40", "30")  # hepatic.normal stays 40
    with pytest.raises(CriteriaError) as info:
        load_criteria(crit)
    assert info.value.file == "dosing.yaml" and info.value.line is not None and info.value.line > line
    assert "above the standard dose 30" in info.value.reason


def test_assess_refuses_the_slipped_set_instead_of_printing_a_dose(crit: Path, examples: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from ixdesk.cli import main

    _replace_on_line(crit / "dosing.yaml", r"^  mg_per_m2: 40$", "40", "400")
    rc = main(["assess", "--criteria", str(crit), str(examples / "01-combination-after-anthracycline-and-taxane.json")])
    out = capsys.readouterr()
    assert rc == 3 and "mg" not in out.out and "plausible maximum 60" in out.err


def test_the_bound_types_are_reusable_in_new_models() -> None:
    class NewDose(Model):
        dose: MgPerM2

    assert NewDose.model_validate({"dose": 40}).dose == 40
    with pytest.raises(ValidationError, match="above the plausible maximum 60"):
        NewDose.model_validate({"dose": 400})


def test_every_shipped_number_is_within_its_bound() -> None:
    load_criteria()  # the shipped set loads: no bound is tighter than a value the label states


@pytest.fixture
def examples() -> Path:
    from ixdesk.paths import examples_dir

    return examples_dir()
