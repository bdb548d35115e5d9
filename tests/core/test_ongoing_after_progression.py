"""A regimen recorded as ongoing although its progression was recorded gets a data note (reader's
pass: example 07's paclitaxel 'ongoing' 17 months after progression passed without a word). No
time limit is set: the facts give none; the note asks, it decides nothing."""

from __future__ import annotations

from datetime import date

from ixdesk.core.criteria import default_criteria
from ixdesk.core.dates import PartialDate
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir

EXAMPLE = examples_dir() / "07-incomplete-consult.json"
AS_OF = date(2026, 12, 3)


def _notes(**change: object) -> list[str]:
    c = load_consult(EXAMPLE)
    regs = list(c.regimens)
    regs[1] = regs[1].model_copy(update=change)
    return [n for n in assess(c.model_copy(update={"regimens": regs}), default_criteria(), AS_OF).data_notes
            if "recorded as ongoing" in n]


def test_ongoing_with_a_progression_date_is_noted_with_its_date() -> None:
    assert _notes() == ["Regimen 2 is recorded as ongoing although progression was recorded on 2025-06-01: "
                        "check whether it is still given; if it has stopped, record its last dose."]


def test_ongoing_progressed_without_a_date_is_noted_too() -> None:
    assert len(_notes(progression_date=None, progressed=True)) == 1


def test_not_ongoing_or_not_progressed_is_not_noted() -> None:
    assert _notes(ongoing=False, last_dose_date=PartialDate.parse("2025-05-20")) == []
    assert _notes(progression_date=None, progressed=False) == []
    assert _notes(progression_date=None, progressed=None) == []


def test_a_progression_after_the_as_of_date_is_left_to_the_date_checks() -> None:
    assert _notes(progression_date=PartialDate.parse("2026-12-04")) == []
    assert len(_notes(progression_date=PartialDate.parse("2026-12-03"))) == 1  # the as-of day itself
