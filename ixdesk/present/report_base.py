"""Pieces every report model shares: document metadata, patient identifiers, formatting helpers.

Formatting lives here so that the three reports print a date, a count or a source the same way.
Nothing here holds a clinical number; thresholds are read from the criteria models.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict

import ixdesk
from ixdesk.core.assessment import Assessment, Premedication, Source
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria, LabCompare, LabSpec, PremedItem, SourceRef, walk
from ixdesk.present.formats import fmt_date, fmt_num
from ixdesk.present.words import PLAN_LONG
from ixdesk.present.settings import ReportSettings

Kind = Literal["clinician", "nurse", "patient"]
NOT_RECORDED = "not recorded"
UNVERIFIED_MARK = "[unverified]"


PLAN_TEXT = PLAN_LONG  # one plan wording for every reader (ixdesk.present.words)
STATE_TEXT = {"met": "Met", "not_met": "Not met", "unknown": "Unknown"}


class Data(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")


class Meta(Data):
    """What the page frame prints: titles, versions and the 'valid as of' date."""

    kind: Kind
    title: str
    subject: str
    header_left: str
    header_right: str
    app_version: str
    criteria_name: str
    criteria_version: str
    criteria_sha256: str
    hash_chars: int
    printed_on: date
    criteria_date: date | None = None  # when the criteria set was reviewed (set.yaml date)
    # "criteria modified locally: not the reviewed set", or None for the reviewed set: every page says it
    criteria_notice: str | None

    @property
    def criteria_banner(self) -> str | None:
        return f"⚠ {self.criteria_notice.upper()}" if self.criteria_notice else None

    @property
    def footer_line1(self) -> str:
        reviewed = f" (reviewed {fmt_date(self.criteria_date)})" if self.criteria_date else ""
        if self.kind == "patient":  # no version jargon on the patient's sheet: the dates only
            # the sheet's one date format is the long one ("18 November 2026")
            printed = f"Printed {fmt_date(self.printed_on, long=True)}"
            return f"{printed} · information checked {fmt_date(self.criteria_date, long=True)}" \
                if self.criteria_date else printed
        return (f"IxDesk {self.app_version} · criteria {self.criteria_version}{reviewed} · "
                f"printed {fmt_date(self.printed_on)}")

    @property
    def footer_line2(self) -> str:
        if self.kind == "patient":  # no sha256 for the patient; a local change still says so
            return self.criteria_notice or ""
        sha = f"criteria sha256 {self.criteria_sha256[:self.hash_chars]}"
        return f"{sha} · {self.criteria_notice}" if self.criteria_notice else sha

    @property
    def footer_line3(self) -> str:
        if self.kind == "patient":
            return "General information for you and your family. Your care team will answer your questions."
        return ("Decision support only: the treating clinician decides. "
                "Check against the current prescribing information.")


class Clinic(Data):
    name: str
    address: str
    phone: str
    urgent_phone: str

    @classmethod
    def from_settings(cls, settings: ReportSettings) -> "Clinic":
        return cls(name=settings.clinic_name.strip(), address=settings.clinic_address.strip(),
                   phone=settings.clinic_phone.strip(), urgent_phone=settings.urgent_phone.strip())

    @property
    def empty(self) -> bool:
        return not (self.name or self.address or self.phone or self.urgent_phone)

    @property
    def call_number(self) -> str:
        """The number a patient sheet gives for day and night: the urgent one, else the clinic's
        ("" when neither is set, and the sheet prints a blank line for it)."""
        return self.urgent_phone or self.phone


class PatientId(Data):
    name: str
    record_number: str | None
    date_of_birth: str
    sex: str | None

    @classmethod
    def from_consult(cls, consult: Consult) -> "PatientId":
        p = consult.patient
        return cls(
            name=(p.name or "").strip() or "Name not recorded",
            record_number=(p.record_number or "").strip() or None,
            date_of_birth=fmt_date(p.date_of_birth),
            sex=p.sex,
        )


# --- formatting ----------------------------------------------------------------------------

def fmt_source(src: Source | SourceRef | None, criteria: Criteria | None = None) -> str:
    if src is None:
        return ""
    return f"{src.document} {src.section}".strip()


def mark(confidence: str | None) -> str:
    return f" {UNVERIFIED_MARK}" if confidence == "unverified" else ""


def plan_text(plan: str | None) -> str:
    return PLAN_TEXT.get(plan or "", "not yet chosen (plan not recorded)")


def make_meta(kind: Kind, title: str, subject: str, header_right: str, consult: Consult,
              assessment: Assessment, criteria: Criteria, printed_on: date) -> Meta:
    return Meta(
        kind=kind, title=title, subject=subject, header_left=f"IxDesk · {title}", header_right=header_right,
        app_version=ixdesk.__version__, criteria_name=criteria.info.name, criteria_version=criteria.version,
        criteria_sha256=criteria.sha256, hash_chars=64 if kind == "clinician" else 16, printed_on=printed_on,
        criteria_date=criteria.info.date, criteria_notice=criteria.notice,
    )


# --- reading thresholds out of rule conditions --------------------------------------------

def cond_leaves(cond: Any) -> list[Any]:
    """The leaf conditions of a rule (everything that is not all / any / not), in order."""
    return [c for c in walk(cond) if not c.children()]


def lab_specs(cond: Any) -> list[LabSpec]:
    """Every lab comparison inside a rule condition, in order."""
    return [c.lab for c in walk(cond) if isinstance(c, LabCompare)]


_OPS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
_LAB_NAMES = {"neutrophils": "neutrophils", "platelets": "platelets", "ast": "AST", "alt": "ALT",
              "bilirubin": "bilirubin"}


def lab_spec_text(spec: LabSpec) -> str:
    if spec.x_uln is not None:
        return f"{_LAB_NAMES[spec.name]} {_OPS[spec.op]} {fmt_num(spec.x_uln)} × ULN"
    return f"{_LAB_NAMES[spec.name]} {_OPS[spec.op]} {fmt_num(spec.value)}/mm³"


def rule_lab_limits(criteria: Criteria, rule_id: str) -> str:
    """'AST > 2.5 × ULN or ALT > 2.5 × ULN or bilirubin > 1 × ULN' for an exclusion rule."""
    try:
        rule = criteria.rule(rule_id)
    except KeyError:
        return ""
    return " or ".join(lab_spec_text(s) for s in lab_specs(rule.when))


def join_nonempty(parts: Iterable[str | None], sep: str = " · ") -> str:
    return sep.join(p for p in parts if p)


# --- the consult's own values, as printed -------------------------------------------------

def count_text(lab: Any) -> str:
    return NOT_RECORDED if lab is None else f"{fmt_num(round(lab.per_mm3))}/mm³"


def uln_text(lab: Any) -> str:
    if lab is None:
        return NOT_RECORDED
    return f"{fmt_num(lab.value)} {lab.unit} (ULN {fmt_num(lab.uln)}; {lab.x_uln:.2f} × ULN)"


def lab_short(lab: Any) -> str:
    """'28 U/L (0.70 × ULN)': the value and its multiple of the upper limit."""
    if lab is None:
        return NOT_RECORDED
    return f"{fmt_num(lab.value)} {lab.unit} ({lab.x_uln:.2f} × ULN {fmt_num(lab.uln)})"


class PremedRow(Data):
    """One premedication line as both the clinician summary and the nurse checklist print it."""

    drug: str
    dose: str
    route: str
    timing: str
    when: str
    required: bool
    # minutes before the infusion start (the nurse sheet prints "start − 60 min: __:__")
    minutes_before: list[int] = []
    # False: listed for reference only ("only if ..."), no tick box on the nurse sheet
    applies: bool = True


def premedication_rows(assessment: Assessment, criteria: Criteria) -> list[PremedRow]:
    """Every premedication item of the criteria, with the engine's plan-specific 'when' / 'required'.

    Items the assessment left out (e.g. the corticosteroid when no prior reaction is recorded) stay on
    the list marked 'only if ...', so the chair still sees what to add if a reaction is reported.
    """
    planned = {p.id: p for p in assessment.dose.premedication}
    out: list[PremedRow] = []
    for item in criteria.dosing.premedication.items:
        given = planned.get(item.id)
        applies = True
        src: Premedication | PremedItem = given if given is not None else item
        if given is None and planned:
            src = item.model_copy(update={"when": f"only {item.when} (not indicated on the consult data)",
                                          "required": False})
            applies = False
        out.append(PremedRow(drug=src.drug, dose=src.dose, route=src.route, timing=src.timing, when=src.when,
                             required=src.required, minutes_before=list(item.minutes_before), applies=applies))
    return out
