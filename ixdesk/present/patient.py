"""The patient summary as data: one sheet per decision state, in the same plain words.

The blocked and the incomplete consult once got the go-ahead sheet word for word, telling a patient
whose counts were too low to "take the capecitabine pills". The sheet now follows the consult's
decision state (``ixdesk.present.decision``):

- **planned** (ready, or outside the label with a dose): what the treatment is, the plan and its
  schedule, the visit, what to bring, side effects;
- **on hold**: why it is not going ahead today, in plain words, and what happens next;
- **not decided**: what the team is still waiting for, and what happens next.

A sheet never describes a treatment that is not going ahead. Every sheet has the urgent list (seed
000, from ``administration.patient_urgent``), the clinic's urgent number or a blank to write it in,
and no technical footer. The body text is what the readability test measures (FK grade ≤ 6).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from ixdesk.core.assessment import Assessment, Finding
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria
from ixdesk.present.decision import DecisionState, decision_state
from ixdesk.present.formats import fmt_date
from ixdesk.present.report_base import Clinic, Data, Meta, make_meta
from ixdesk.present.settings import ReportSettings

SheetKind = Literal["planned", "on_hold", "not_decided"]


class Section(Data):
    heading: str
    paragraphs: list[str] = []
    bullets: list[str] = []
    boxed: bool = False  # drawn in a red box (the urgent list)


class PatientReport(Data):
    meta: Meta
    sheet: SheetKind
    title: str
    name: str
    record_number: str | None
    date_text: str
    clinic: Clinic
    sections: list[Section]
    notes_heading: str
    urgent_number: str  # the clinic's urgent number, or "" (the renderer leaves a blank to write in)

    def body_text(self) -> str:
        """The prose a patient reads (headings and contact details left out): what readability measures."""
        parts: list[str] = []
        for s in self.sections:
            parts.extend(s.paragraphs)
            parts.extend(s.bullets)
        return "\n".join(parts)


# What a hold or a missing input means to the patient, by the consult field it rests on. Keyed by
# input field (never by rule id): a renamed rule keeps its plain words.
_HOLD_WORDS: tuple[tuple[str, str, str], ...] = (
    # field prefix, why (on hold), what happens next
    ("labs.neutrophils", "Your last blood test showed that your blood counts are too low. Your body needs time to make more blood cells.",
     "The blood test will be repeated. When your counts are back up, your team will plan the next step with you."),
    ("labs.platelets", "Your last blood test showed that your blood counts are too low. Your body needs time to make more blood cells.",
     "The blood test will be repeated. When your counts are back up, your team will plan the next step with you."),
    ("labs.", "Your liver blood tests show that this drug may not be safe for you now.",
     "Your doctor will look at your liver tests again. Then you will talk about what to do next."),
    ("history.cremophor", "You had an allergy to an oil that is in this drug. This drug may not be safe for you.",
     "Your doctor will talk with you about other choices."),
    ("history.prior_ixabepilone", "You had a reaction to this drug before.",
     "Your doctor will talk with you about what to do next."),
    ("patient.pregnant", "This drug can harm an unborn baby.",
     "Your doctor will talk with you about other choices."),
    ("history.neuropathy", "The numbness or tingling in your hands or feet is too strong to start this drug now.",
     "Your doctor will check your nerves again and talk with you about what to do next."),
    ("history.medications", "One of the medicines you take can change how this drug works.",
     "Your doctor will talk with you about your medicines first."),
)
_WAIT_WORDS: tuple[tuple[str, str], ...] = (
    ("labs.neutrophils", "some of your blood test results"),
    ("labs.platelets", "some of your blood test results"),
    ("labs.", "some of your liver blood tests"),
    ("patient.weight", "your weight"),
    ("patient.height", "your height"),
    ("patient.pregnant", "whether you could be pregnant"),
    ("history.medications", "a full list of the medicines you take"),
    ("history.cremophor", "whether you ever had an allergy to some medicines"),
    ("history.neuropathy", "a check of your hands and feet for numbness"),
    ("plan.", "which treatment plan fits you best"),
    ("regimens", "the cancer drugs you had before"),
    ("disease.", "some results from your tests and scans"),
)


def _fields(f: Finding) -> list[str]:
    return [v.field for v in f.values if v.field != "plan.regimen"] + [m.field for m in f.missing]


def hold_words(f: Finding) -> tuple[str, str]:
    """(why, what next) in plain words for one contraindication that holds."""
    for field in _fields(f):
        for prefix, why, nxt in _HOLD_WORDS:
            if field.startswith(prefix):
                return why, nxt
    return ("One of the safety checks your doctor does before this drug is not passed today.",
            "Your doctor will talk with you about what to do next.")


def wait_words(state: DecisionState) -> list[str]:
    out: list[str] = []
    for m in state.waiting_for:
        words = next((w for prefix, w in _WAIT_WORDS if m.field.startswith(prefix)), "some more details about you")
        if words not in out:
            out.append(words)
    return out


def _hours(x: float) -> str:
    return f"{x:g} hour" + ("" if x == 1 else "s")


def _about_hour(timing: str) -> str:
    """'about 1 hour before the infusion' -> 'about 1 hour before the drip' (patient wording)."""
    return re.sub(r"\binfusion\b", "drip", timing)


def _times(n: int) -> str:
    return {1: "once", 2: "twice", 3: "three times"}.get(n, f"{n} times")


def sheet_kind(state: DecisionState) -> SheetKind:
    if state.kind == "on_hold":
        return "on_hold"
    if state.kind == "not_decided" or not state.dose_may_be_given:
        return "not_decided"
    return "planned"


def _urgent(criteria: Criteria, clinic: Clinic) -> Section:
    number = clinic.call_number
    call = (f"Call {number}, day or night." if number else
            "Call your care team. Their number for day and night: ______________________")
    return Section(heading="Call your care team right away if you have:",
                   bullets=list(criteria.administration.patient_urgent.signs),
                   paragraphs=[call, "Do not wait to see if it gets better. If you cannot reach your team, go to the "
                               "nearest emergency room."], boxed=True)


def _pregnancy(consult: Consult, criteria: Criteria) -> Section | None:
    preg = criteria.administration.pregnancy
    sex = consult.patient.sex
    paras: list[str] = ["This drug can harm an unborn baby."]
    if sex in ("female", None):
        paras += [
            "If you could get pregnant, tell your team if you are pregnant or think you might be. "
            f"Do not get pregnant while you take it, or for {preg.contraception_female_months} months after the "
            "last dose. Use birth control that works well.",
            f"Do not breastfeed while you take it, or for {preg.breastfeeding_weeks} weeks after the last dose.",
        ]
    if sex in ("male", None):
        paras.append(("Men with" if sex is None else "If you have") + " a partner who could get pregnant: use birth "
                     f"control, and keep using it for {preg.contraception_male_months} months after the last dose.")
    return Section(heading="Pregnancy and birth control", paragraphs=paras)


def _questions(kind: SheetKind) -> Section:
    if kind == "planned":
        items = ["What is the goal of this treatment for me?", "What other choices do I have?",
                 "How will we know if it is working?", "Which side effects should I watch for most?",
                 "Who do I call at night or on the weekend?"]
    else:
        items = ["When will we talk again about my treatment?", "What can I do while I wait?",
                 "What other choices do I have?", "Who do I call at night or on the weekend?"]
    return Section(heading="Questions you may want to ask", bullets=items)


# The drip contains alcohol (facts sheet 9: drowsiness, driving): the treatment sheet's "What to
# bring" and the next-visit sheet say it in these words
TAKE_HOME = "Someone to take you home. The drip has some alcohol in it. It may make you sleepy, so do not drive."


def visit_paragraphs(plan: str | None, criteria: Criteria) -> list[str]:
    """How long a treatment visit takes and what happens in it: the premedication lead time and the
    drip itself (facts sheet 7 and 3, seed 001), plus the checks before (about an hour more). The
    treatment sheet and the next-visit sheet print the same words."""
    std = criteria.dosing.standard
    premed = next((p for p in criteria.dosing.premedication.items if p.required), None)
    premed_when = _about_hour(premed.timing) if premed else "before the drip"
    premed_hours = (max(premed.minutes_before) / 60) if premed and premed.minutes_before else 1
    low = premed_hours + std.infusion_hours
    visit = [
        f"Plan to be at the clinic for about {low:g} to {low + 1:g} hours.",
        f"You will have a blood test first. It checks that your body is ready. Then you get other medicines "
        f"{premed_when}. They help stop an allergic reaction. Then the drip takes about {_hours(std.infusion_hours)}.",
    ]
    if plan == "with_trastuzumab":  # the facts give the ixabepilone visit only
        visit[0] = f"Plan to be at the clinic for at least {low:g} to {low + 1:g} hours."
        visit.append("The trastuzumab drip takes extra time. Ask your team how long your visit will be.")
    return visit


def _planned(consult: Consult, assessment: Assessment, criteria: Criteria) -> list[Section]:
    std = criteria.dosing.standard
    weeks = std.cycle_days // 7 if std.cycle_days % 7 == 0 else None
    every = f"once every {weeks} weeks" if weeks else f"once every {std.cycle_days} days"
    plan = consult.plan.regimen
    cape = criteria.dosing.capecitabine

    plan_paras = [f"You will get ixabepilone through a drip into a vein. You get it {every}. "
                  "Each of these times is called a cycle."]
    if plan == "with_capecitabine":
        if cape.days_on:
            off = std.cycle_days - cape.days_on
            sched = f"Take them {_times(cape.doses_per_day)} a day for {cape.days_on} days. Then stop for {off} days."
        else:  # pragma: no cover - the shipped set gives days_on
            sched = "Your team will tell you on which days to take them."
        plan_paras += ["You will also take capecitabine. These are pills you take at home.", sched,
                       "Take them after a meal, with water. Your team will tell you how many to take."]
    elif plan == "with_trastuzumab":
        plan_paras.append("You will also get trastuzumab. That drug is also given by drip.")
    else:
        plan_paras.append("You get this drug on its own.")

    visit = visit_paragraphs(plan, criteria)
    bring = [
        "A list of all the pills, herbs and vitamins you take.",
        "Something to eat and drink, and something to do.",
        TAKE_HOME,
    ]
    if plan == "with_capecitabine":
        bring.append("Your capecitabine pills, if you have them.")

    side = [
        "Feeling very tired or weak.",
        "Numb, tingling or burning hands and feet. This can build up over time.",
        "Low blood counts. You can get infections more easily.",
        "Feeling sick, throwing up, or loose stools.",
        "Sore mouth.",
        "Hair loss.",
        "Aching muscles and joints.",
        "An allergic reaction during the drip.",
    ]
    if plan == "with_capecitabine":
        side.append("Sore, red or swollen hands and feet from the pills.")
    sections = [
        Section(heading="What is ixabepilone?", paragraphs=[
            "Ixabepilone is a cancer drug. It is a kind of chemo. The brand name is Ixempra. "
            "It stops cancer cells from splitting into new cells. It is used for breast cancer that has spread.",
        ]),
        Section(heading="Your plan", paragraphs=plan_paras),
        Section(heading="Your visit", paragraphs=visit),
        Section(heading="What to bring", bullets=bring),
    ]
    sections.append(Section(heading="Common side effects", paragraphs=[
        "Not everyone gets these. Tell your team about any new problem early.",
    ], bullets=side))
    if consult.history.radiotherapy:
        sections.append(Section(heading="If you had radiation", paragraphs=[
            "The skin where you had radiation may get red, swollen or blistered. This is called radiation recall. "
            "Tell your team if this happens.",
        ]))
    preg = _pregnancy(consult, criteria)
    if preg is not None:
        sections.append(preg)
    sections.append(Section(heading="Food, drink and other medicines", paragraphs=[
        "Do not eat grapefruit or drink grapefruit juice. Some herbs, like St John's wort, and some pills can "
        "also change how the drug works. Ask your team before you start a new one.",
    ]))
    return sections


def _on_hold(state: DecisionState, inhibitors: list[str] | None = None) -> list[Section]:
    """``inhibitors``: the medicines matched as strong CYP3A4 inhibitors; the only dose offered
    then depends on stopping one, so the sheet never says "keep taking your other medicines"."""
    why: list[str] = []
    nxt: list[str] = []
    for f in state.holds:
        w, n = hold_words(f)
        if w not in why:
            why.append(w)
        if n not in nxt:
            nxt.append(n)
    if not why:  # "not recommended" by the dose rules (liver tests) without a held rule
        why.append("Your liver blood tests show that this drug may not be safe for you now.")
        nxt.append("Your doctor will look at your liver tests again. Then you will talk about what to do next.")
    return [
        Section(heading="Your treatment is on hold for now", paragraphs=[
            "Your team checked if it is safe to start ixabepilone. It is not safe to start it now.", *why]),
        Section(heading="What happens next", paragraphs=[*nxt, *(
            [f"Your team will talk with you about one of your medicines before treatment: {' and '.join(inhibitors)}. "
             "It can change how ixabepilone works. Do not stop it on your own."] if inhibitors else
            ["You do not need to do anything else for now. "
             "Keep taking your other medicines unless your team tells you to stop."])]),
        Section(heading="Until then", paragraphs=[
            "Take care to avoid germs. Wash your hands often. Stay away from people who are sick.",
            "Tell your team about any new problem.",
        ]),
    ]


def _not_decided(state: DecisionState) -> list[Section]:
    waiting = wait_words(state)
    return [
        Section(heading="Your treatment is not decided yet", paragraphs=[
            "Your doctor is thinking about a cancer drug called ixabepilone for you. "
            "Before you can start, your team needs a few more things.",
        ]),
        Section(heading="What we are waiting for", bullets=[w[0].upper() + w[1:] + "." for w in waiting] or
                ["Some more details about you."]),
        Section(heading="What happens next", paragraphs=[
            "Your team will get these results. Then your doctor will talk with you about the plan. "
            "You will get a new sheet that says what the plan is.",
            "Please bring a list of all the pills, herbs and vitamins you take to your next visit.",
        ]),
    ]


_TITLES: dict[SheetKind, str] = {
    "planned": "About your treatment: ixabepilone (Ixempra)",
    "on_hold": "About your treatment: on hold for now",
    "not_decided": "About your treatment: not decided yet",
}


def build_patient_report(consult: Consult, assessment: Assessment, criteria: Criteria, settings: ReportSettings,
                         printed_on: date, show_record_number: bool = False) -> PatientReport:
    name = (consult.patient.name or "").strip()
    record = (consult.patient.record_number or "").strip() if show_record_number else ""
    state = decision_state(assessment)
    kind = sheet_kind(state)
    title = _TITLES[kind]
    meta = make_meta("patient", title, "Patient summary: ixabepilone (Ixempra)", name, consult, assessment,
                     criteria, printed_on)
    clinic = Clinic.from_settings(settings)
    if kind == "planned":
        body = _planned(consult, assessment, criteria)
    elif kind == "on_hold":
        from ixdesk.present.verdict import strong_inhibitor_lines

        body = _on_hold(state, strong_inhibitor_lines(assessment, consult))
    else:
        body = _not_decided(state)
    # the urgent list comes right after the first sections a patient reads
    sections = body[:2] + [_urgent(criteria, clinic)] + body[2:] + [_questions(kind)]
    return PatientReport(
        meta=meta, sheet=kind, title=title, name=name, record_number=record or None,
        date_text=fmt_date(consult.consult_date or printed_on, long=True),
        clinic=clinic, sections=sections, notes_heading="My notes and questions",
        urgent_number=clinic.call_number,
    )


__all__ = ["TAKE_HOME", "PatientReport", "Section", "SheetKind", "build_patient_report", "hold_words", "sheet_kind",
           "visit_paragraphs", "wait_words"]
