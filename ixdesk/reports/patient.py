"""The patient summary as data: plain words, short sentences, no verdict addressed to the patient.

Facts with numbers (infusion time, cycle length, premedication timing, contraception months) are
read from the criteria, and so is the urgent-call list (``administration.patient_urgent``, from
seed 000, a patient information page).
The body text is what the readability test measures (Flesch-Kincaid grade, SMOG).
"""

from __future__ import annotations

import re
from datetime import date

from ixdesk.core.assessment import Assessment
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria
from ixdesk.reports.common import Clinic, Data, Meta, fmt_date, make_meta
from ixdesk.reports.settings import ReportSettings

class Section(Data):
    heading: str
    paragraphs: list[str] = []
    bullets: list[str] = []
    boxed: bool = False  # drawn in a box (the urgent list)


class PatientReport(Data):
    meta: Meta
    name: str
    record_number: str | None
    date_text: str
    clinic: Clinic
    sections: list[Section]
    notes_heading: str

    def body_text(self) -> str:
        """The prose a patient reads (headings and contact details left out): what readability measures."""
        parts: list[str] = []
        for s in self.sections:
            parts.extend(s.paragraphs)
            parts.extend(s.bullets)
        return "\n".join(parts)


def _hours(x: float) -> str:
    return f"{x:g} hour" + ("" if x == 1 else "s")


def _about_hour(timing: str) -> str:
    """'about 1 hour before the infusion' -> 'about 1 hour before the drip' (patient wording)."""
    return re.sub(r"\binfusion\b", "drip", timing)


def build_patient_report(consult: Consult, assessment: Assessment, criteria: Criteria, settings: ReportSettings,
                         printed_on: date, show_record_number: bool = False) -> PatientReport:
    name = (consult.patient.name or "").strip()
    record = (consult.patient.record_number or "").strip() if show_record_number else ""
    meta = make_meta("patient", "About your treatment: ixabepilone", "Patient summary: ixabepilone (Ixempra)",
                     name, consult, assessment, criteria, printed_on)
    std = criteria.dosing.standard
    weeks = std.cycle_days // 7 if std.cycle_days % 7 == 0 else None
    every = f"once every {weeks} weeks" if weeks else f"once every {std.cycle_days} days"
    premed = next((p for p in criteria.dosing.premedication.items if p.required), None)
    premed_when = _about_hour(premed.timing) if premed else "before the drip"
    preg = criteria.administration.pregnancy
    plan = consult.plan.regimen

    why = [
        "Your doctor is thinking about this medicine for you. It is used for breast cancer that has spread or "
        "grown. It is often used when other cancer drugs have stopped working well.",
        "Your doctor will look at your past care, your scans and your blood tests. You and your doctor will "
        "decide together.",
    ]
    if plan == "with_capecitabine":
        why.append("It may be given with capecitabine. That is a pill you take at home.")
    elif plan == "with_trastuzumab":
        why.append("It may be given with trastuzumab. That drug is also given by drip.")

    how = [
        f"A nurse gives the medicine through a drip into a vein. The drip takes about {_hours(std.infusion_hours)}. "
        f"You get it {every}. Each of these times is called a cycle.",
        f"You get other medicines {premed_when}. They help stop an allergic reaction.",
        "You will have a blood test before each cycle. It checks that your body is ready.",
    ]
    if plan == "with_capecitabine":
        how.append("Take the capecitabine pills just as your team tells you. Take them after food, with water.")

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
            "It stops cancer cells from splitting into new cells.",
        ]),
        Section(heading="Why is my doctor thinking about it?", paragraphs=why),
        Section(heading="How is it given?", paragraphs=how),
        Section(heading="Call your care team right away if you have:", bullets=list(criteria.administration.patient_urgent.signs), paragraphs=[
            "Do not wait to see if it gets better. If you cannot reach your team, go to the nearest emergency room.",
        ], boxed=True),
        Section(heading="Common side effects", paragraphs=[
            "Not everyone gets these. Tell your team about any new problem early.",
        ], bullets=side),
        Section(heading="Pregnancy, birth control and breastfeeding", paragraphs=[
            "This drug can harm an unborn baby. Tell your team if you are pregnant or think you might be.",
            "Women should not get pregnant while taking it, or for "
            f"{preg.contraception_female_months} months after the last dose. Use birth control that works well.",
            "Men with a partner who could get pregnant should use birth control, and keep using it for "
            f"{preg.contraception_male_months} months after the last dose.",
            f"Do not breastfeed while taking it, or for {preg.breastfeeding_weeks} weeks after the last dose.",
        ]),
        Section(heading="Food, drink and other medicines", paragraphs=[
            "Do not eat grapefruit or drink grapefruit juice. It can change how much of the drug is in your blood.",
            "The drip has some alcohol in it. It may make you sleepy. Do not drive after the drip. Ask someone to take you home.",
            "Tell your team about all the pills, herbs and vitamins you take. Some of them, like St John's wort, can change how the drug works.",
        ]),
        Section(heading="Questions you may want to ask", bullets=[
            "What is the goal of this treatment for me?",
            "What other choices do I have?",
            "How will we know if it is working?",
            "Which side effects should I watch for most?",
            "Who do I call at night or on the weekend?",
        ]),
    ]
    return PatientReport(
        meta=meta, name=name, record_number=record or None,
        date_text=fmt_date(consult.consult_date or printed_on, long=True),
        clinic=Clinic.from_settings(settings), sections=sections, notes_heading="My notes and questions",
    )
