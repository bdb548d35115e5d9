"""The whole assessment as ordered sections with counts and key points (ixdesk.present.sections)."""

from __future__ import annotations

from datetime import date

import pytest

from ixdesk.core.consult import Consult, Regimen
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.present.sections import Presentation, present
from ixdesk.present.text import assessment_text

from .helpers import STEMS, assessed, example

MAIN_ORDER = ("label", "contraindications", "warnings", "missing", "pathways", "payer:Payer policy 003",
              "payer:Payer policy 004", "resistance", "lines", "dose", "notes")


def keys(p: Presentation) -> list[str]:
    return [s.key for s in p.sections]


@pytest.mark.parametrize("stem", STEMS)
def test_sections_come_in_one_order(stem: str) -> None:
    ks = keys(present(assessed(stem), default_criteria()))
    assert ks == [k for k in MAIN_ORDER if k in ks]
    assert ks[:3] == ["label", "contraindications", "warnings"] and "dose" in ks


@pytest.mark.parametrize("stem", STEMS)
def test_other_plans_are_kept_apart(stem: str) -> None:
    p = present(assessed(stem), default_criteria())
    shown = [v for s in p.sections for v in (*s.findings, *s.cleared)]
    assert all(v.scope != "other_plan" for v in shown)
    assert all(v.scope == "other_plan" for v in p.other_plans)
    assert {v.id for v in shown} | {v.id for v in p.other_plans} == set(p.findings)
    assert not {v.id for v in shown} & {v.id for v in p.other_plans}


def test_counts_are_for_the_plan_under_discussion() -> None:
    p = present(assessed("04"), default_criteria())
    assert p.section("contraindications").count == "1 applies"
    assert p.section("warnings").count == "2 apply"
    assert p.section("label").count == "1 met · 0 unknown"
    assert p.section("pathways").count == "1 met · 0 unknown"  # A would be met, but is another plan's
    assert p.section("dose").count == "on hold"  # no amount beside "on hold" (review item 2)
    p7 = present(assessed("07"), default_criteria())
    assert p7.section("contraindications").count == "3 unknown"
    assert p7.section("missing").count == str(len(p7.missing)) == str(len({m.field for m in assessed("07").missing}))
    assert present(assessed("01")).section("contraindications").count == "none of 4 applies"


def test_cleared_checks_are_folded_after_the_ones_that_need_attention() -> None:
    s = present(assessed("04")).section("warnings")
    assert [v.id for v in s.findings] == ["warning.neuropathy", "warning.cyp3a4_inhibitor"]
    assert s.cleared and all(v.tone == "good" for v in s.cleared) and s.cleared_title == f"Do not apply ({len(s.cleared)})"


def test_payer_pathways_section_is_named_for_the_payer() -> None:
    assert present(assessed("01")).section("pathways").title == "Payer 003 criteria (its pathways)"


def test_with_trastuzumab_has_no_label_indication() -> None:
    p = present(assessed("05"), default_criteria())
    assert p.section("label").count == "none for this plan" and not p.section("label").findings
    assert p.decision.kind == "outside_label"
    assert p.key_points[0].text.startswith("! Outside the FDA label — ixabepilone with trastuzumab is not")
    assert p.key_points[0].text.endswith("label indication · 2 payer pathway criteria met (see below)")
    assert [k.key for k in p.key_points][:2] == ["decision", "dose"]  # the label line would repeat the decision


@pytest.mark.parametrize("stem, start", [
    ("01", "✔ Ready — meets label indication: With capecitabine"),
    ("04", "⊘ On hold — blocked by: Baseline neutrophils below 1,500 cells/mm³"),
    ("07", "? Not decided — waiting for: Platelets, AST, ALT, Total bilirubin"),
])
def test_the_first_key_point_is_the_decision(stem: str, start: str) -> None:
    p = present(assessed(stem))
    assert p.key_points[0].key == "decision" and p.key_points[0].text.startswith(start)
    assert p.key_points[-1].key == "context"


def test_dose_key_point_says_on_hold() -> None:
    kp = {k.key: k for k in present(assessed("04")).key_points}
    assert kp["dose"].lead == "Dose (on hold: a contraindication holds):" and kp["dose"].tone == "warning"
    kp1 = {k.key: k for k in present(assessed("01")).key_points}
    # the product adds up as printed (40 × 1.7654 = 70.616; 40 × 1.77 would be 70.8)
    assert kp1["dose"].text == "Dose: 70.6 mg (40 mg/m² × 1.7654 m²); kits 1 × 45 mg + 2 × 15 mg"


def test_numbers_and_dates_in_one_format() -> None:
    p = present(assessed("01"))
    rows = [r.text for r in p.section("dose").rows]
    assert "Capecitabine: 1,765 mg per dose (1,000 mg/m² × 1.7654 m²), twice daily, days 1–14 of each 21-day cycle" in rows
    res = " ".join(k.text for r in p.section("resistance").rows for k in r.children)
    assert "last dose 14 Mar 2022" in res and "2022-03-14" not in res


# --- degenerate consults -----------------------------------------------------------------------

def test_empty_consult() -> None:
    p = present(assess(Consult(), default_criteria()), default_criteria())
    assert p.decision.kind == "not_decided" and p.plan_words.startswith("not yet chosen")
    assert "missing" in keys(p) and p.missing
    assert p.section("dose").count == "? UNKNOWN"
    assert "plan.regimen" in {m.field for m in p.missing}
    assert assessment_text(assess(Consult(), default_criteria()), "empty.json")


def test_blocked_and_undecided_never_show_a_ready_dose() -> None:
    for stem in ("04", "07"):
        p = present(assessed(stem))
        assert p.section("dose").tone != "good"
        assert not p.decision.dose_may_be_given


def test_long_and_non_latin_names_never_reach_the_layer() -> None:
    c = example("01")
    name = "Ζωή 李小龍 Al-Ḥasan ibn ʿAlī " * 20
    c = c.model_copy(update={"patient": c.patient.model_copy(update={"name": name[:200], "record_number": "МРН-٤٥٦"})})
    a = assess(c, default_criteria())
    p = present(a, default_criteria())
    text = assessment_text(a, "x.json", default_criteria())
    assert "李小龍" not in text and "МРН" not in text and "李小龍" not in repr(p)


def test_many_regimens_and_unrecognised_agents() -> None:
    c = example("01")
    extra = [Regimen(agents=[f"紫杉醇-{i}"], setting="metastatic", start_date=date(2024, 1, 1 + i),
                     last_dose_date=date(2024, 2, 1 + i)) for i in range(25)]
    c = c.model_copy(update={"regimens": [*c.regimens, *extra]})
    a = assess(c, default_criteria())
    p = present(a, default_criteria())
    assert "notes" in keys(p) and len(p.section("notes").rows) == len(a.data_notes)
    assert [r.text for r in p.section("lines").rows] == [lc.label for lc in a.lines]
    assert assessment_text(a, "many.json", default_criteria()).count("\n") > 100


def test_everything_unknown_every_check_is_unknown_not_cleared() -> None:
    c = example("01")
    c = Consult(plan=c.plan)  # a plan, and nothing else
    p = present(assess(c, default_criteria()), default_criteria())
    contra = p.section("contraindications")
    assert contra.findings and not contra.cleared
    assert all(v.tone == "missing" for v in contra.findings)
    assert p.decision.kind == "not_decided"


@pytest.mark.parametrize("stem", STEMS)
def test_the_label_result_names_the_indication_once(stem: str) -> None:
    """'meets label indication: With capecitabine (label indication)' said 'label indication' twice,
    in the decision line of every consult that met the label and in the key point of one on hold."""
    p = present(assessed(stem), default_criteria())
    for k in p.key_points:
        said = k.text
        assert "(label indication)" not in said, said
        assert "FDA label: Meets label indication" not in said, said


def test_a_held_consult_says_which_indication_it_meets() -> None:
    p = present(assessed("04"), default_criteria())
    label = next(k for k in p.key_points if k.key == "label")
    assert label.text == "✔ FDA label: indication met: With capecitabine"
    ready = present(assessed("01"), default_criteria())
    assert ready.key_points[0].lead.endswith("Ready — meets label indication: With capecitabine")
