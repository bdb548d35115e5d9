"""The reviewer's findings on the examples (clinician, nurse and patient readings), one test each."""

from __future__ import annotations

import re
from datetime import date

from ixdesk.cli import render_text
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.present.nurse import build_nurse_report
from ixdesk.present.nurse_cycle import build_cycle_check_report
from ixdesk.present.settings import ReportSettings

from .helpers import assessed, example

PRINTED_ON = date(2026, 11, 20)
SETTINGS = ReportSettings(clinic_phone="+1 555 0100")


def _nurse(stem: str):  # type: ignore[no-untyped-def]
    return build_nurse_report(example(stem), assessed(stem), default_criteria(), SETTINGS, PRINTED_ON)


# item 3: warnings are printed on every nurse checklist, held or not decided too

def test_held_nurse_checklist_keeps_the_warnings() -> None:
    alerts = " ".join(_nurse("04").alerts)
    assert "CYP3A4" in alerts and "neuropathy" in alerts.lower()


def test_undecided_nurse_checklist_keeps_the_stale_labs_warning() -> None:
    assert any("older than 14 days" in a for a in _nurse("07").alerts)


# item 5: one date format in the command line's resistance reasons

def test_cli_text_prints_no_iso_dates_in_resistance() -> None:
    text = render_text(assessed("04"), "x.json", default_criteria())
    section = text[text.index("\nResistance by drug class"):]
    section = section[:section.index("\n\n")]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", section), section


# item 6: the contraception months count from the last dose, on both nurse sheets

def test_pregnancy_line_says_after_the_last_dose() -> None:
    rows = [c for c in _nurse("01").checks if c.item.startswith("Pregnancy")]
    assert rows and "7 months after the last dose" in rows[0].threshold
    c = example("08")
    cyc = build_cycle_check_report(c, assess(c, default_criteria(), PRINTED_ON), default_criteria(), SETTINGS,
                                   PRINTED_ON)
    preg = [r for r in cyc.identity if r.item == "Pregnancy status"]
    assert preg and "7 months after the last dose" in preg[0].value


def test_male_patient_gets_the_partner_contraception_line() -> None:
    c = example("01")
    c = c.model_copy(update={"patient": c.patient.model_copy(update={"sex": "male", "pregnant": None})})
    r = build_nurse_report(c, assess(c, default_criteria(), PRINTED_ON), default_criteria(), SETTINGS, PRINTED_ON)
    assert any("4 months after the last dose" in x.threshold for x in r.checks)


# item 12: the H2 antagonist's dose does not lead with ranitidine (off the US market, facts sheet 7)

def test_h2_row_does_not_lead_with_ranitidine() -> None:
    h2 = next(p for p in default_criteria().dosing.premedication.items if p.id == "premed.h2")
    assert "famotidine" in h2.drug and "ranitidine" not in h2.drug
    assert not h2.dose.lower().startswith("ranitidine")
