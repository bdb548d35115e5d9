"""The H2 premedication has a dose the nurse can act on (reader's pass, item 2): the facts sheet
gives no famotidine dose, so none is invented; the line is a blank the prescriber's order fills,
with the PI's ranitidine 150–300 mg as context. One source (criteria/dosing.yaml, premed.h2), so
the nurse checklist, the cycle double check and the clinician report say the same."""

from __future__ import annotations

import re
from datetime import date

from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir
from ixdesk.reports import render

from report_helpers import SETTINGS, pdf_text, squash

CRIT = default_criteria()
BLANK = "prescriber's order: ____ mg (PI: ranitidine 150–300 mg, off US market)"


def test_the_criteria_give_a_blank_and_no_famotidine_dose() -> None:
    h2 = next(p for p in CRIT.dosing.premedication.items if p.id == "premed.h2")
    assert h2.dose == BLANK and "famotidine" in h2.drug
    assert not re.search(r"famotidine\D{0,20}\d", h2.drug + " " + h2.dose)  # no invented famotidine number


def test_every_sheet_with_premedication_prints_the_blank() -> None:
    on = date(2027, 2, 17)
    for name, kinds in (("01-combination-after-anthracycline-and-taxane.json", ("nurse", "clinician")),
                        ("08-course-four-cycles-with-reduction.json", ("cycle",))):
        c = load_consult(examples_dir() / name)
        a = assess(c, CRIT, as_of=on)
        for kind in kinds:
            text = squash(pdf_text(render(kind, c, a, CRIT, SETTINGS, on)))
            assert "prescriber's order: ____ mg" in text, (name, kind)
            assert "ranitidine 150–300 mg" in text and "equivalent dose" not in text, (name, kind)
