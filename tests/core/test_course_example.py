"""The bundled course example (resources/examples/08): four cycles with a 20% reduction, cycle 5
about to start. Checked as a nurse would read it: every recorded dose is the rule's dose for that
day's weight, the reduction is the table's, and the next cycle's result follows."""

from __future__ import annotations

import math
from itertools import pairwise
from datetime import date

from ixdesk.core.course import assess_next_cycle
from ixdesk.core.criteria import default_criteria
from ixdesk.core.files import load_consult
from tests.conftest import EXAMPLES

EXAMPLE = EXAMPLES / "08-course-four-cycles-with-reduction.json"
CRIT = default_criteria()


def test_every_recorded_dose_is_the_rules_dose_for_that_days_weight() -> None:
    c = load_consult(EXAMPLE)
    assert c.course is not None and c.patient.height_cm is not None
    cycles = c.course.cycles_given
    assert len(cycles) >= 4
    for prev, cur in pairwise(cycles):
        assert cur.date and prev.date and (cur.date - prev.date).days >= CRIT.dosing.standard.cycle_days
    for cyc in cycles:
        assert cyc.weight_kg and cyc.ixabepilone_mg_per_m2 and cyc.verified_by
        bsa = round(math.sqrt(c.patient.height_cm * cyc.weight_kg / 3600), 4)
        assert cyc.ixabepilone_mg == round(cyc.ixabepilone_mg_per_m2 * bsa, 1), cyc.number
        assert cyc.capecitabine_mg_per_dose == round(CRIT.dosing.capecitabine.mg_per_m2_per_dose * bsa), cyc.number
    # the reduction: 20% of the previous dose, for the row recorded, with its reason
    reduced = [(p, q) for p, q in pairwise(cycles) if q.ixabepilone_mg_per_m2 < p.ixabepilone_mg_per_m2]  # type: ignore[operator]
    assert len(reduced) == 1
    p, q = reduced[0]
    assert q.ixabepilone_mg_per_m2 == round(p.ixabepilone_mg_per_m2 * 0.8, 2)  # type: ignore[operator]
    assert q.change_rule == "mod.febrile_neutropenia" and q.change_reason


def test_the_next_cycle_and_the_course_so_far() -> None:
    c = load_consult(EXAMPLE)
    r = assess_next_cycle(c, CRIT, date(2027, 2, 17))
    assert r is not None
    assert (r.cycle_number, r.gate, r.action, r.mg_per_m2, r.mg, r.reductions, r.inhibitor) == (
        5, "go", "no_change", 32, 54.4, 1, "none")
    assert r.missing == [] and [h.reduced for h in r.history] == [None, False, True, False]
    assert all(h.mg == h.mg_computed for h in r.history)
    assert r.cumulative is not None and (r.cumulative.mg, r.cumulative.mg_per_m2) == (252.1, 144)
    assert r.weight_check is not None and (r.weight_check.reference_kg, r.weight_check.change_percent) == (66, -4.5)
    assert r.anthracycline is not None
    assert [(a.agent, a.cumulative_mg_per_m2) for a in r.anthracycline.agents] == [("doxorubicin", 240)]
    assert r.anthracycline.not_recorded == [3]  # the Doxil regimen's dose is not in the letters
    assert all(h.state in ("not_met",) for h in r.capecitabine)
