"""An on-hold consult prints no ixabepilone mg anywhere (reader's pass, item 4): 04 printed "Dose
once the hold resolves … = 60.4 mg" beside "No dose while on hold". Ixabepilone now reads as
capecitabine already did: the mg/m² with its condition, and "the mg is computed once the hold
resolves", on the clinician report, the CLI text, the window's verdict and every plan column."""

from __future__ import annotations

from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir
from ixdesk.present.plans import compare_plans
from ixdesk.present.text import assessment_text
from ixdesk.present.verdict import HELD_MG, build_verdict
from ixdesk.reports import render

from report_helpers import PRINTED_ON, SETTINGS, pdf_text, squash

CRIT = default_criteria()
MG = ("60.4 mg", "30.2 mg", "60.4", "30.2")  # the 04 doses in mg (1.5107 m² × 40 and × 20)


def _04():  # type: ignore[no-untyped-def]
    c = load_consult(examples_dir() / "04-blocked-by-neutrophils.json")
    return c, assess(c, CRIT, as_of=PRINTED_ON)


def test_04_reports_print_no_mg_and_say_when_it_is_computed() -> None:
    c, a = _04()
    for kind in ("clinician", "nurse", "patient"):
        text = squash(pdf_text(render(kind, c, a, CRIT, SETTINGS, PRINTED_ON)))
        assert not any(m in text for m in MG), kind
    clin = squash(pdf_text(render("clinician", c, a, CRIT, SETTINGS, PRINTED_ON)))
    assert "No dose while on hold: 40 mg/m² about a week after clarithromycin 500 mg twice daily is stopped; " \
           "20 mg/m² only if it cannot be avoided; the mg is computed once the hold resolves." in clin
    assert "None while on hold: the mg is computed once the hold resolves" in clin
    assert "the mg is printed once the hold resolves" in clin  # capecitabine's line, unchanged


def test_04_window_words_print_no_mg() -> None:
    c, a = _04()
    v = build_verdict(a, c, CRIT)
    assert v.dose.endswith(HELD_MG) and not any(m in v.dose for m in MG) and v.dose_amount == ""
    for col in compare_plans(c, CRIT, a):
        words = " ".join([col.dose, *col.dose_lines, col.dose_detail])
        assert not any(m in words for m in MG), col.plan
        assert HELD_MG in col.dose, col.plan
    text = assessment_text(a, "04", CRIT, (), c)
    assert not any(m in text for m in MG)
