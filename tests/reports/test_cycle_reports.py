"""The course's sheets as PDFs (issue 11, sections 3-4): the nurse's cycle double check, checked by
extracting the PDF's text (a held cycle prints no dose, volume or draw-up amount), the patient's
next-visit sheet at the patient sheet's reading level, and the clinician summary's course history."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ixdesk.core.engine import assess
from ixdesk.core.files import save_consult
from ixdesk.reports import ALL_KINDS, build_report, render, write_reports
from report_helpers import SETTINGS, assert_double_check_on_one_page, pdf_text, squash
from report_readability import scores
from tests.present.course_data import PRINTED_ON, course_consult


def _pdf(kind: str, criteria: Any, **kw: Any) -> str:
    c = course_consult(**kw)
    return squash(pdf_text(render(kind, c, assess(c, criteria, as_of=PRINTED_ON), criteria, SETTINGS, PRINTED_ON)))


# what a sheet that carries a dose prints, and a held one must not: the dose, the volumes, the rate
DOSE_MARKS = (r"\d+(\.\d+)? ?mg/m²", r"= \d+(\.\d+)? mg\b", r"\d+(\.\d+)? mL\b", r"mL/h", r"draw up", r"Volume to draw up")
HELD = {
    "gate hold (neutrophils 1499)": {"neutrophils": 1499},
    "gate hold (platelets 99,999)": {"platelets": 99999},
    "gate unknown (no neutrophils)": {"neutrophils": None},
    "gate hold (neuropathy grade 2 now)": {"tox": {"neuropathy_grade_now": 2}},
    "discontinue (grade 4)": {"tox": {"any_grade4": True}},
    "discontinue (neuropathy grade 3, 7 days)": {"tox": {"neuropathy_grade": 3, "neuropathy_days": 7}},
    "dose unknown (grade 4 not recorded)": {"tox": {"any_grade4": None}},
    "no weight that day": {"weight": None},
}


@pytest.fixture
def held_text(criteria: Any) -> Any:
    def make(kw: dict[str, Any]) -> str:
        import json

        from ixdesk.core.consult import Consult
        from tests.present.course_data import course_data

        kw = dict(kw)
        no_anc = "neutrophils" in kw and kw["neutrophils"] is None
        if no_anc:
            del kw["neutrophils"]
        data = course_data(**kw)
        if no_anc:
            del data["course"]["next_cycle"]["labs"]["neutrophils"]
        c = Consult.model_validate_json(json.dumps(data))
        return squash(pdf_text(render("cycle", c, assess(c, criteria, as_of=PRINTED_ON), criteria, SETTINGS,
                                      PRINTED_ON)))
    return make


@pytest.mark.parametrize("case", list(HELD))
def test_a_held_cycle_sheet_prints_no_dose_volume_or_draw_up(held_text: Any, case: str) -> None:
    text = held_text(HELD[case])
    assert "no dose, volumes or draw-up amounts are printed" in text, case
    assert "Call: the prescriber, Dr. B. Consultant; clinic +1 555 0100" in text
    for pattern in DOSE_MARKS:
        assert not re.search(pattern, text), (case, pattern, re.search(pattern, text))


def test_the_go_sheet_carries_every_value_of_the_double_check(criteria: Any) -> None:
    text = _pdf("cycle", criteria)
    for phrase in (
        "Cycle 4 double check", "Cycle 4, day 1", "27 Jan 2027",
        "Name: Helen Sample; Date of birth: 30 Sep 1959; Record number: EX-0002",
        "Consent on file", "prior reaction to ixabepilone: none", "not pregnant (at consult); confirm today",
        "160 cm", "57.5 kg", "1.5986 m²",  # today's weight: the BSA recomputed
        "32 mg/m² × 1.5986 m² = 51.2 mg",
        "Ixabepilone (Ixempra kit) 51.2 mg; kits: 1 × 45 mg + 1 × 15 mg (60 mg)",
        "25.6 mL of the reconstituted 2 mg/mL solution",  # 51.2 mg ÷ 2 mg/mL
        "86–256 mL gives 0.2–0.6 mg/mL",  # 51.2 / 0.6 = 85.3 → 86; 51.2 / 0.2 = 256
        "lactated Ringer", "DEHP-free", "Intravenous infusion", "3 hours",
        "86 mL → 28.7 mL/h; 256 mL → 85.3 mL/h",
        "prepared at __:__ + 6 h = finish by __:__",
        "27 Jan 2027 08:40", "2,100/mm³ (needs ≥ 1,500/mm³): met", "164,000/mm³ (needs ≥ 100,000/mm³): met",
        "Go: the cycle may start", "Febrile neutropenia: no", "No change: 32 mg/m²",
        "start − 60 min: __:__", "First checker", "Second checker (independent)",
    ):
        assert phrase in text, phrase


def test_the_go_sheet_keeps_the_double_check_on_one_page(criteria: Any) -> None:
    c = course_consult()
    data = render("cycle", c, assess(c, criteria, as_of=PRINTED_ON), criteria, SETTINGS, PRINTED_ON)
    assert_double_check_on_one_page(data)


def test_the_go_sheet_has_the_start_checklists_hypersensitivity_and_infusion_lines(criteria: Any) -> None:
    """Reader's pass, item 11: the cycle sheet lacked the start checklist's hypersensitivity watch and
    act and its infusion start, end and observation lines. Both sheets take them from one source, in
    the same words; a held cycle sheet has neither (no infusion to sign)."""
    from ixdesk.present.nurse import INFUSION_SIGN_FIELDS, hypersensitivity_steps
    from ixdesk.reports import build_report

    c = course_consult()
    a = assess(c, criteria, as_of=PRINTED_ON)
    cyc = build_report("cycle", c, a, criteria, SETTINGS, PRINTED_ON)
    from ixdesk.core.files import load_consult
    from ixdesk.paths import examples_dir

    first = load_consult(examples_dir() / "01-combination-after-anthracycline-and-taxane.json")
    start = build_report("nurse", first, assess(first, criteria, as_of=PRINTED_ON), criteria, SETTINGS, PRINTED_ON)
    steps = hypersensitivity_steps(criteria)
    assert len(steps) >= 2 and cyc.hypersensitivity == start.hypersensitivity == steps  # type: ignore[union-attr]
    assert cyc.hypersensitivity_source == start.hypersensitivity_source  # type: ignore[union-attr]
    assert set(INFUSION_SIGN_FIELDS) <= set(start.sign_fields)  # type: ignore[union-attr]
    assert cyc.infusion_signatures == list(INFUSION_SIGN_FIELDS)  # type: ignore[union-attr]
    text = _pdf("cycle", criteria)
    for phrase in ("Hypersensitivity: watch and act", *INFUSION_SIGN_FIELDS, *steps,
                   "Source: PI 5 Warnings and Precautions: Hypersensitivity reactions"):
        assert squash(phrase) in text, phrase
    held = _pdf("cycle", criteria, neutrophils=1499)
    assert "Hypersensitivity" not in held and "Infusion start" not in held


def test_a_reduction_prints_the_reduced_dose_and_why(criteria: Any) -> None:
    text = _pdf("cycle", criteria, tox={"febrile_neutropenia": True})
    assert "Reduce 20%: 32 → 25.6 mg/m² (2 reductions in this course)" in text
    assert "Febrile neutropenia: reduce 20%; A toxicity that recurs after a reduction: reduce a further 20%" in text
    assert "25.6 mg/m² × 1.5986 m² = 40.9 mg" in text


def test_held_sheet_names_the_failing_count(criteria: Any) -> None:
    text = _pdf("cycle", criteria, neutrophils=1499)
    assert "Neutrophils: 1,499/mm³ (needs ≥ 1,500/mm³)" in text and "HOLD" in text
    assert "Reduce" not in text


@pytest.mark.parametrize("counter", [None, "pyphen"])
@pytest.mark.parametrize("tox", [{}, {"febrile_neutropenia": True}, {"any_grade4": True}, {"any_grade4": None}])
def test_next_visit_sheet_reading_level(criteria: Any, tox: dict[str, Any], counter: str | None) -> None:
    c = course_consult(tox=tox)
    r = build_report("visit", c, assess(c, criteria, as_of=PRINTED_ON), criteria, SETTINGS, PRINTED_ON)
    sc = scores(r.body_text(), counter)  # type: ignore[union-attr]
    assert sc["fk_grade"] <= 6 and sc["smog"] <= 8, sc


def test_next_visit_sheet_says_the_date_the_checks_and_the_change(criteria: Any) -> None:
    text = _pdf("visit", criteria, tox={"febrile_neutropenia": True})
    assert "Your next visit is on 27 January 2027. It is for cycle 4 of your treatment." in text
    assert "A blood test. We count your white blood cells and your platelets." in text
    # the course fixture already reduced once for febrile neutropenia (cycle 2): this is its recurrence
    assert "Your dose will be lower again this time. This is because you had a fever while your white blood cells were low." in text
    assert "The same side effect came back after your dose was lowered before." in text
    assert "mg" not in text.replace("mg/", "")  # no milligrams for the patient to misread as an order
    # 58 kg at cycle 3, 57.5 kg today: the same mg/m², a smaller amount (reader's pass, item 16)
    same = _pdf("visit", criteria)
    assert "Your dose for your body size stays the same as last time." in same
    assert "Your weight went down since your last cycle, from 58 kg to 57.5 kg." in same
    assert "So you will get less of the drug than last time." in same
    unchanged = _pdf("visit", criteria, weight=58)
    assert "Your dose stays the same as last time." in unchanged
    assert "Your weight went" not in unchanged and "If your weight has changed" not in unchanged


def test_next_visit_sheet_says_how_long_and_who_takes_you_home(criteria: Any) -> None:
    """Reader's pass, item 16: the visit sheet gave no visit length and no 'do not drive'. Both are
    the treatment sheet's words (facts sheet 3 and 7: about 1 hour of premedication and a 3-hour
    drip; 9: the drip contains alcohol); a held cycle or a stop gets neither (no drip that day)."""
    from ixdesk.present.patient import TAKE_HOME, visit_paragraphs

    visit = _pdf("visit", criteria)
    for phrase in (*visit_paragraphs("monotherapy", criteria), TAKE_HOME):
        assert phrase in visit, phrase
    assert "Plan to be at the clinic for about 4 to 5 hours." in visit and "so do not drive" in visit
    treatment = _pdf("patient", criteria)
    assert "Plan to be at the clinic for about 4 to 5 hours." in treatment and TAKE_HOME in treatment
    for kw in ({"neutrophils": 1499}, {"tox": {"any_grade4": True}}):
        other = _pdf("visit", criteria, **kw)
        assert "Plan to be at the clinic" not in other and "do not drive" not in other, kw


def test_next_visit_sheet_without_the_days_weight_keeps_the_if(criteria: Any) -> None:
    text = _pdf("visit", criteria, weight=None)
    assert "If your weight has changed, the dose may change a little too." in text
    assert "Your weight went" not in text


def test_clinician_summary_has_the_course_history(criteria: Any) -> None:
    text = _pdf("clinician", criteria, tox={"febrile_neutropenia": True})
    assert "Treatment course" in text
    for phrase in ("Cycle Date Weight BSA mg/m² mg Reason for change Verified by",
                   "2 16 Dec 2026 58.5 kg 1.6", "32 51.6 Febrile neutropenia after cycle 1: reduce 20% RN A. First",
                   "Cycle 4 (27 Jan 2027): Go: the cycle may start · Reduce 20%: 32 → 25.6 mg/m²",
                   "Basis: Start a new cycle only if neutrophils"):
        assert phrase in text, phrase


def test_write_reports_accepts_the_course_kinds_and_all_stays_three(tmp_path: Path, criteria: Any) -> None:
    c = course_consult()
    a = assess(c, criteria, as_of=PRINTED_ON)
    assert {"cycle", "visit"} <= set(ALL_KINDS)
    paths = write_reports(["cycle", "visit"], c, a, criteria, SETTINGS, PRINTED_ON, tmp_path, stem="x")
    assert [p.name for p in paths] == ["x-cycle.pdf", "x-visit.pdf"]
    assert len(write_reports("all", c, a, criteria, SETTINGS, PRINTED_ON, tmp_path / "all")) == 3


def test_cli_report_kind_cycle(tmp_path: Path, capsys: Any) -> None:
    from ixdesk.cli import main

    path = tmp_path / "course.json"
    save_consult(course_consult(neutrophils=1200), path)
    assert main(["report", str(path), "--kind", "cycle", "-o", str(tmp_path), "--as-of", PRINTED_ON.isoformat()]) == 0
    pdf = tmp_path / "course-cycle.pdf"
    assert capsys.readouterr().out.strip() == str(pdf)
    text = squash(pdf_text(pdf.read_bytes()))
    assert "Cycle 4 double check" in text and "HOLD" in text and not re.search(r"\d mL\b", text)


def test_the_combination_sheet_has_capecitabine_and_stays_on_one_page(criteria: Any) -> None:
    import json

    from ixdesk.core.consult import Consult
    from tests.present.course_data import course_data

    data = course_data(tox={"febrile_neutropenia": True, "diarrhoea_or_stomatitis": True})
    data["plan"]["regimen"] = "with_capecitabine"
    c = Consult.model_validate_json(json.dumps(data))
    pdf = render("cycle", c, assess(c, criteria, as_of=PRINTED_ON), criteria, SETTINGS, PRINTED_ON)
    text = squash(pdf_text(pdf))
    assert_double_check_on_one_page(pdf)
    assert "1,000 mg/m² × 1.5986 m² = 1,599 mg per dose, twice daily" in text
    assert "HOLD applies; resume today (count above the threshold): Neutrophils < 500/mm³" in text
    assert "then continue at the same dose. [unverified]" in text  # the rule the facts sheet tags verify
    assert "Not triggered: the capecitabine hold for low platelets" in text


def test_a_consult_without_a_course_prints_no_course_section(criteria: Any) -> None:
    from ixdesk.core.files import load_consult
    from ixdesk.paths import examples_dir

    c = load_consult(examples_dir() / "02-monotherapy-after-all-three.json")
    text = squash(pdf_text(render("clinician", c, assess(c, criteria, as_of=PRINTED_ON), criteria, SETTINGS,
                                  PRINTED_ON)))
    assert "Treatment course" not in text


EXAMPLE_08 = "08-course-four-cycles-with-reduction.json"


@pytest.mark.parametrize("rounding", [False, True])
def test_example_08_renders_every_kind_and_reads_right(criteria: Any, rounding: bool) -> None:
    """The shipped course (four cycles, a reduction after febrile neutropenia, cycle 5 on 17 Feb 2027):
    all five report kinds, without and with the clinic's policies."""
    from datetime import date

    from ixdesk.core.course_policy import course_policy
    from ixdesk.core.files import load_consult
    from ixdesk.paths import examples_dir

    c = load_consult(examples_dir() / EXAMPLE_08)
    on = date(2027, 2, 17)
    a = assess(c, criteria, as_of=on)
    policy = course_policy(4, {"step_mg": 5, "max_percent": 5}) if rounding else None
    pdfs = {k: render(k, c, a, criteria, SETTINGS, on, policy=policy) for k in ALL_KINDS}
    texts = {k: squash(pdf_text(v)) for k, v in pdfs.items()}
    assert set(texts) == {"clinician", "nurse", "patient", "cycle", "visit"}
    cyc, visit, clin = texts["cycle"], texts["visit"], texts["clinician"]
    assert_double_check_on_one_page(pdfs["cycle"])  # the double check on one page, the policies' rows included
    assert "Cycle 5 double check" in cyc and "GO: both checkers verify every line on their own" in cyc
    assert "Cumulative ixabepilone: 252.1 mg, 144 mg/m² (4 cycles given)" in cyc
    assert "Cumulative ixabepilone: 252.1 mg, 144 mg/m² (4 cycles given)" in clin
    assert ("Anthracycline: attestation 'further anthracycline contraindicated': no; recorded exposure (not deciding "
            "it): doxorubicin: 240 mg/m² (regimen 1)") in clin
    assert "doxorubicin total 240 mg/m²" in clin
    assert "Your next visit is on 17 February 2027. It is for cycle 5 of your treatment." in visit
    # 66 kg at cycle 4, 63 kg now: 55.7 → 54.4 mg (55 mg rounded), never "stays the same" beside it
    assert "Your dose stays the same as last time." not in visit
    assert "Your dose for your body size stays the same as last time." in visit
    if not rounding:  # with the 4% threshold the flag's own sentence says it
        assert "Your weight went down since your last cycle, from 66 kg to 63 kg." in visit
        assert "So you will get less of the drug than last time." in visit
    assert "mg" not in visit.replace("mg/", "")
    # the treatment sheet calls each treatment a cycle: the visit sheet uses the same word, never "round"
    assert "Each treatment is called a cycle." in visit and " round" not in visit
    if rounding:  # 63 kg is −4.5% from 66 kg: beyond 4%; 54.4 mg rounds to 55 mg (+1.10%)
        # the change since the consult shown beside it (reader's pass, item 6), on one line of the sheet
        assert ("FLAG for the prescriber: weight −4.5% (last cycle, 66 kg), −7.4% (consult, 68 kg), beyond the "
                "clinic's 4% threshold: check the dose") in cyc
        assert "Dose, unrounded 32 mg/m² × 1.6993 m² = 54.4 mg (not the order: rounded below)" in cyc
        assert "DOSE ORDERED (rounded) 55 mg, +1.10% from 54.4 mg" in cyc and "prepare 55 mg" in cyc
        assert "Ixabepilone (Ixempra kit) 55 mg" in cyc
        assert "Rounded: 55 mg (+1.10% from the unrounded 54.4 mg; clinic policy: step 5 mg, at most 5%)" in clin
        assert "Your weight has changed since your last cycle." in visit
    else:
        assert "weight-change threshold not set in clinic settings" in cyc
        assert "threshold not set in clinic settings" in clin and "Rounded" not in clin
        assert "Ixabepilone (Ixempra kit) 54.4 mg" in cyc and "DOSE ORDERED" not in cyc
