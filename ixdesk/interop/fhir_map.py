"""Map validated FHIR R4 resources onto a consult, with the provenance of every imported value.

Nothing is guessed. A value is imported only where the resource says it plainly (a LOINC code of a
known family, a UCUM unit IxDesk converts, a date); everything else is listed in ``unmapped`` with
the reason. An IHC "negative" without a score leaves the HER2 IHC score empty (HER2-0 and HER2-low
are different answers); progression dates are never inferred; a regimen's setting is taken only
from a coded treatment intent.

Labs: the latest value on or before the consult date; the others go to ``history`` (newest first),
which feeds the treatment course. The consult has one lab date: the oldest of the chosen labs', so
that the staleness warning is never hidden by a newer value of another test.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from pydantic import ValidationError

from ixdesk.core import count_units
from ixdesk.core.consult import Consult, Provenance
from ixdesk.core.criteria import Criteria
from ixdesk.core.formulary import agent_index, normalise
from ixdesk.core.medications import classify
from ixdesk.interop import loinc, units

ICD10_MARK = "icd-10"
SNOMED_SYSTEM = "http://snomed.info/sct"
UCUM_SYSTEM = "http://unitsofmeasure.org"
BREAST_CANCER_SNOMED = frozenset({"254837009"})  # Malignant neoplasm of breast
OBS_USABLE = frozenset({"final", "amended", "corrected"})
CONDITION_ACTIVE = frozenset({"active", "recurrence", "relapse"})
STATEMENT_CURRENT = frozenset({"active", "intended"})
STATEMENT_HISTORY = frozenset({"completed", "stopped", "not-taken"})
# Neither taken now nor ended: a medication on hold may be restarted during the cycle, and "unknown"
# says nothing. Left out, the CYP3A4 checks would read the rest of the list as complete.
STATEMENT_UNCLEAR = frozenset({"on-hold", "unknown"})
REQUEST_DOSE = frozenset({"active", "completed", "stopped", "on-hold"})
ADMIN_DOSE = frozenset({"completed", "in-progress"})
RUN_GAP_DAYS = 60  # doses of one agent further apart than this start a new course of it
UNREAD_REASON = "IxDesk does not read this resource type"
TOGETHER_DAYS = 7  # agents whose courses start within a week of each other are one regimen


@dataclass(frozen=True, slots=True)
class Unmapped:
    """A resource (or one of its codes) that was not imported, and why."""

    where: str  # "Observation/obs-7"
    code: str  # "http://loinc.org|2345-7", or the resource's text
    reason: str

    def __str__(self) -> str:
        return f"{self.where}" + (f" ({self.code})" if self.code else "") + f": {self.reason}"


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """An older (or later) value of a field, not chosen for the consult."""

    value: Any  # the consult's JSON form of the value ({"value": 1.2, "unit": "10^9/L"}, "positive", …)
    date: _dt.date | None
    provenance: Provenance


@dataclass(slots=True)
class ImportResult:
    consult: Consult
    history: dict[str, list[HistoryItem]] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the clinician should check (not errors)
    medication_history: list[str] = field(default_factory=list)  # completed / stopped: not current

    @property
    def provenance(self) -> dict[str, Provenance]:
        return self.consult.provenance


class ImportRefused(Exception):
    """The resources cannot be imported as one consult (e.g. two patients)."""


# --- small readers --------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean(text: str | None, limit: int = 200) -> str | None:
    """Text from a resource as the consult stores it: control characters and runs of spaces
    become one space (the consult refuses control characters), cut to the field's length."""
    if text is None:
        return None
    out = " ".join(_CONTROL.sub(" ", str(text)).split())[:limit]
    return out or None


def ref(res: Any) -> str:
    rid = getattr(res, "id", None)
    return f"{res.get_resource_type()}/{rid}" if rid else res.get_resource_type()


def _codings(cc: Any) -> list[Any]:
    return list(getattr(cc, "coding", None) or []) if cc is not None else []


def _code_str(cc: Any) -> str:
    for c in _codings(cc):
        if c.code:
            return f"{c.system}|{c.code}" if c.system else str(c.code)
    return (getattr(cc, "text", None) or "")[:200] if cc is not None else ""


def _loinc(cc: Any) -> list[str]:
    return [str(c.code) for c in _codings(cc) if c.code and (c.system or "").rstrip("/") in (loinc.LOINC_SYSTEM, "")]


def _words(cc: Any) -> str:
    """Everything human-readable in a CodeableConcept, folded."""
    if cc is None:
        return ""
    parts = [getattr(cc, "text", None) or ""] + [c.display or "" for c in _codings(cc)]
    return " ".join(p for p in parts if p).casefold()


def _as_date(v: Any) -> _dt.date | None:
    """A full date from a FHIR date or dateTime; a year or month alone is None (labs are dated to the day)."""
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", v):
        try:
            return _dt.date.fromisoformat(v[:10])
        except ValueError:
            return None
    return None


def _effective(res: Any) -> _dt.date | None:
    for name in ("effectiveDateTime", "effectiveInstant"):
        d = _as_date(getattr(res, name, None))
        if d:
            return d
    period = getattr(res, "effectivePeriod", None)
    if period is not None:
        return _as_date(period.start) or _as_date(period.end)
    return _as_date(getattr(res, "issued", None))


def _num(v: Any) -> float | None:
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        f = float(v)
        return f if math.isfinite(f) else None
    return None


def _quantity(q: Any) -> tuple[float | None, str | None]:
    """(value, unit); a value with a comparator ("<0.1") is not an exact value: None."""
    if q is None or getattr(q, "comparator", None):
        return None, None
    unit = q.code if q.code and (q.system or UCUM_SYSTEM) == UCUM_SYSTEM else (q.unit or q.code)
    return _num(q.value), unit


def _qualitative(obs: Any) -> str | None:
    """positive / negative / equivocal from a coded or text answer (LOINC answer codes first)."""
    cc = getattr(obs, "valueCodeableConcept", None)
    codes = {c.code for c in _codings(cc)}
    if codes & loinc.ANSWER_POSITIVE:
        return "positive"
    if codes & loinc.ANSWER_NEGATIVE:
        return "negative"
    if codes & loinc.ANSWER_EQUIVOCAL:
        return "equivocal"
    text = _words(cc) or (getattr(obs, "valueString", None) or "").casefold()
    if not text:
        return None
    if "equivocal" in text or "indeterminate" in text:
        return "equivocal"
    if re.search(r"\b(not amplified|non-?amplified|negative|absent|not detected)\b", text):
        return "negative"
    if re.search(r"\b(amplified|positive|present|detected)\b", text):
        return "positive"
    return None


_IHC_SCORE = re.compile(r"(?:^|score\s*|ihc\s*|\()\s*([0-3])\s*(\+|\b)")


def _her2_score(obs: Any) -> str | None:
    """An IHC score (0, 1+, 2+, 3+) only where the result states it."""
    cc = getattr(obs, "valueCodeableConcept", None)
    texts = [getattr(cc, "text", None) or "" for _ in [0]] + [c.display or "" for c in _codings(cc)]
    texts += [getattr(obs, "valueString", None) or ""]
    for t in texts:
        m = _IHC_SCORE.search(t.strip().casefold())
        if m:
            n = m.group(1)
            return "0" if n == "0" else f"{n}+"
    v = _num(getattr(obs, "valueInteger", None))
    if v is not None and v in (0, 1, 2, 3):
        return "0" if v == 0 else f"{int(v)}+"
    return None


# --- the mapper -----------------------------------------------------------------------------

@dataclass(slots=True)
class _Candidate:
    value: Any
    date: _dt.date | None
    prov: Provenance


@dataclass(slots=True)
class _Dose:
    agent: str  # the formulary's generic name
    date: _dt.date
    intent: str | None
    where: str
    kind: str  # resource type
    active: bool = False  # an active order: the agent is still being given


class _Mapper:
    def __init__(self, criteria: Criteria, consult_date: _dt.date, file_name: str | None) -> None:
        self.criteria = criteria
        self.consult_date = consult_date
        self.file_name = file_name
        self.data: dict[str, Any] = {"consult_date": consult_date, "patient": {}, "disease": {}, "labs": {},
                                     "history": {}}
        self.prov: dict[str, Provenance] = {}
        self.history: dict[str, list[HistoryItem]] = {}
        self.unmapped: list[Unmapped] = []
        self.notes: list[str] = []
        self.med_history: list[str] = []
        self.current_meds: list[tuple[str, Provenance]] = []
        # on hold / unknown: (name, provenance, its date, its reference, its status), weighed in
        # ``medications_out`` against the ended records of the same medication
        self.unclear_meds: list[tuple[str, Provenance, _dt.date | None, str, str]] = []
        self.ended_meds: list[tuple[str, _dt.date | None, str, str]] = []  # (name, date, reference, status)
        self.candidates: dict[str, list[_Candidate]] = {}
        self.doses: list[_Dose] = []
        self.requested: list[_Dose] = []
        self.medications: dict[str, Any] = {}

    def provenance(self, res: Any, when: _dt.date | None, code: str | None = None, unit: str | None = None,
                   original: str | None = None, where: str | None = None) -> Provenance:
        rid = getattr(res, "id", None)
        return Provenance(resource_type=res.get_resource_type(), resource_id=clean(where or rid, 64),
                          date=when, code=clean(code), unit=clean(unit, 64), original=clean(original),
                          file=clean(self.file_name, 255))

    def skip(self, res: Any, code: str, reason: str) -> None:
        self.unmapped.append(Unmapped(ref(res), code, reason))

    # --- patient ------------------------------------------------------------------------

    def patient(self, res: Any) -> None:
        p = self.data["patient"]
        name = None
        for hn in res.name or []:
            text = hn.text or " ".join([*(hn.given or []), hn.family or ""]).strip()
            if text and (name is None or hn.use == "official"):
                name = text
        name = clean(name)
        if name:
            p["name"] = name
            self.prov["patient.name"] = self.provenance(res, None, original="Patient.name")
        for ident in res.identifier or []:
            if any(c.code == "MR" for c in _codings(ident.type)) and ident.value:
                p["record_number"] = clean(ident.value, 64)
                self.prov["patient.record_number"] = self.provenance(res, None, code=_code_str(ident.type),
                                                                     original="Patient.identifier (MR)")
                break
        dob = _as_date(res.birthDate)
        if dob is not None:
            p["date_of_birth"] = dob
            self.prov["patient.date_of_birth"] = self.provenance(res, dob, original=str(res.birthDate))
        elif res.birthDate:
            self.skip(res, "birthDate", f"birth date '{res.birthDate}' is not a full date")
        if res.gender in ("female", "male"):
            p["sex"] = res.gender
            self.prov["patient.sex"] = self.provenance(res, None, original=f"gender {res.gender}")
        elif res.gender:
            self.skip(res, "gender", f"gender '{res.gender}' is not one the consult records (female, male)")

    # --- observations -------------------------------------------------------------------

    def observation(self, res: Any) -> None:
        codes = _loinc(res.code)
        if res.status not in OBS_USABLE:
            self.skip(res, _code_str(res.code), f"status '{res.status}': only final, amended or corrected results are imported")
            return
        when = _effective(res)
        used = False
        for code in codes:
            if loinc.lab_field(code):
                self.lab(res, loinc.lab_field(code) or "", code, when, res.valueQuantity, res.referenceRange, ref(res))
                used = True
                break
            if loinc.vital_field(code):
                self.vital(res, loinc.vital_field(code) or "", code, when)
                used = True
                break
            if code in loinc.ER_CODES or code in loinc.PR_CODES:
                self.receptor(res, "er" if code in loinc.ER_CODES else "pr", code, when)
                used = True
                break
            if code in loinc.HER2_IHC_CODES or code in loinc.HER2_INTERPRETATION_CODES or code in loinc.HER2_ISH_CODES:
                self.her2(res, code, when)
                used = True
                break
            if code in loinc.PDL1_CODES:
                self.pdl1(res, code, when)
                used = True
                break
        # a panel (a blood count with its results as components)
        for i, comp in enumerate(res.component or []):
            for code in _loinc(comp.code):
                f = loinc.lab_field(code)
                if f:
                    self.lab(res, f, code, when, comp.valueQuantity, comp.referenceRange, f"{ref(res)}#component[{i}]")
                    used = True
        if not used:
            self.skip(res, _code_str(res.code), "no LOINC code IxDesk reads")

    def lab(self, res: Any, name: str, code: str, when: _dt.date | None, quantity: Any, ranges: Any, where: str) -> None:
        value, unit = _quantity(quantity)
        wcode = f"{loinc.LOINC_SYSTEM}|{code}"
        if value is None:
            comparator = getattr(quantity, "comparator", None)
            self.unmapped.append(Unmapped(where, wcode, f"'{comparator}' value: not an exact result" if comparator
                                          else "no numeric value (valueQuantity)"))
            return
        if when is None:
            self.unmapped.append(Unmapped(where, wcode, "no full date (effectiveDateTime): a lab is dated to the day"))
            return
        try:
            conv = units.CONVERTERS[name](value, unit)
        except units.UnitError as exc:
            self.unmapped.append(Unmapped(where, wcode, str(exc)))
            return
        if conv.value < 0:
            self.unmapped.append(Unmapped(where, wcode, "a negative value"))
            return
        lab: dict[str, Any] = {"value": conv.value, "unit": conv.unit}
        original = f"{value:g} {unit or ''}".strip()
        if name in ("neutrophils", "platelets"):
            doubt = count_units.unit_doubt(name, conv.value, conv.unit)
            if doubt is not None:
                self.unmapped.append(Unmapped(where, wcode, f"{original}: {doubt.message()}"))
                return
        if name in ("ast", "alt", "bilirubin"):
            uln = self._uln(name, ranges, conv.unit)
            if uln is None:
                self.unmapped.append(Unmapped(where, wcode, f"{original}: no upper limit of normal (referenceRange.high) in a unit IxDesk converts; type the value with the laboratory's ULN"))
                return
            lab["uln"] = uln
        prov = self.provenance(res, when, code=wcode, unit=unit, original=original, where=where.split("/", 1)[-1])
        self.candidates.setdefault(f"labs.{name}", []).append(_Candidate(lab, when, prov))

    def _uln(self, name: str, ranges: Any, target: str) -> float | None:
        for rr in ranges or []:
            value, unit = _quantity(rr.high)
            if value is None or value <= 0:
                continue
            try:
                conv = units.CONVERTERS[name](value, unit or None)
                return units.to_unit(name, conv.value, conv.unit, target)
            except units.UnitError:
                continue
        return None

    def vital(self, res: Any, name: str, code: str, when: _dt.date | None) -> None:
        value, unit = _quantity(res.valueQuantity)
        wcode = f"{loinc.LOINC_SYSTEM}|{code}"
        if value is None:
            self.skip(res, wcode, "no numeric value (valueQuantity)")
            return
        try:
            v = units.height_cm(value, unit) if name == "height_cm" else units.weight_kg(value, unit)
        except units.UnitError as exc:
            self.skip(res, wcode, str(exc))
            return
        lo, hi = (100, 250) if name == "height_cm" else (25, 300)
        if not lo <= v <= hi:
            self.skip(res, wcode, f"{value:g} {unit or ''} is outside the plausible range ({lo}–{hi})")
            return
        prov = self.provenance(res, when, code=wcode, unit=unit, original=f"{value:g} {unit or ''}".strip())
        self.candidates.setdefault(f"patient.{name}", []).append(_Candidate(round(v, 2), when, prov))

    def receptor(self, res: Any, name: str, code: str, when: _dt.date | None) -> None:
        q = _qualitative(res)
        wcode = f"{loinc.LOINC_SYSTEM}|{code}"
        if q not in ("positive", "negative"):
            self.skip(res, wcode, f"{name.upper()} result is not a plain positive or negative" + (f" ({q})" if q else ""))
            return
        prov = self.provenance(res, when, code=wcode, original=_words(res.valueCodeableConcept) or q)
        self.candidates.setdefault(f"disease.{name}", []).append(_Candidate(q, when, prov))

    def her2(self, res: Any, code: str, when: _dt.date | None) -> None:
        wcode = f"{loinc.LOINC_SYSTEM}|{code}"
        original = _words(res.valueCodeableConcept) or (res.valueString or "")
        if code in loinc.HER2_ISH_CODES:
            q = _qualitative(res)
            if q not in ("positive", "negative"):
                self.skip(res, wcode, "HER2 ISH result is not amplified or not amplified" + (f" ({q})" if q else ""))
                return
            prov = self.provenance(res, when, code=wcode, original=original or q)
            self.candidates.setdefault("disease.her2_ish", []).append(_Candidate(q, when, prov))
            return
        score = _her2_score(res) if code in loinc.HER2_IHC_CODES else None
        if score is not None:
            prov = self.provenance(res, when, code=wcode, original=original or score)
            self.candidates.setdefault("disease.her2_ihc", []).append(_Candidate(score, when, prov))
            return
        q = _qualitative(res)
        kind = "IHC" if code in loinc.HER2_IHC_CODES else "interpretation"
        if q == "negative":
            # HER2-negative, score unknown: never "IHC 0" (HER2-0 and HER2-low are different answers)
            prov = self.provenance(res, when, code=wcode, original=f"HER2 {kind} negative, no score")
            self.candidates.setdefault("her2_negative_no_score", []).append(_Candidate(None, when, prov))
            return
        self.skip(res, wcode, f"HER2 {kind} result " + (f"'{q}' " if q else "") + "without an IHC score or ISH result: enter the score")

    def pdl1(self, res: Any, code: str, when: _dt.date | None) -> None:
        wcode = f"{loinc.LOINC_SYSTEM}|{code}"
        found: tuple[float, str] | None = None
        for comp in res.component or []:
            if re.search(r"\bcps\b|combined positive", _words(comp.code)):
                v, u = _quantity(comp.valueQuantity)
                if v is not None:
                    found = (v, u or "")
        if found is None:
            v, u = _quantity(res.valueQuantity)
            if v is not None and (re.search(r"\bcps\b|combined positive", _words(res.code)) or "cps" in (u or "").casefold()):
                found = (v, u or "")
        if found is None:
            self.skip(res, wcode, "PD-L1 result without a combined positive score (CPS)")
            return
        if not 0 <= found[0] <= 100:
            self.skip(res, wcode, f"PD-L1 CPS {found[0]:g} is outside 0–100")
            return
        prov = self.provenance(res, when, code=wcode, unit=found[1] or None, original=f"CPS {found[0]:g}")
        self.candidates.setdefault("disease.pdl1_cps", []).append(_Candidate(found[0], when, prov))

    # --- conditions ---------------------------------------------------------------------

    def condition(self, res: Any) -> None:
        status = {c.code for c in _codings(res.clinicalStatus)}
        verification = {c.code for c in _codings(res.verificationStatus)}
        code = _code_str(res.code)
        if verification & {"refuted", "entered-in-error"}:
            self.skip(res, code, "verification status refuted or entered in error")
            return
        icd = [str(c.code).upper() for c in _codings(res.code) if c.code and ICD10_MARK in (c.system or "").casefold()]
        snomed = [str(c.code) for c in _codings(res.code) if c.code and (c.system or "") == SNOMED_SYSTEM]
        words = _words(res.code)
        when = _as_date(res.onsetDateTime) or _as_date(res.recordedDate)
        if any(c.startswith(("C78", "C79")) for c in icd) or re.search(r"secondary malignant|metasta", words):
            if status and not status & CONDITION_ACTIVE:
                self.skip(res, code, f"metastatic site with clinical status {', '.join(sorted(status))}: extent not set from it")
                return
            prov = self.provenance(res, when, code=code, original=(res.code.text if res.code else None) or code)
            self.candidates.setdefault("disease.extent", []).append(_Candidate("metastatic", when, prov))
            return
        if any(c.startswith("C77") for c in icd):
            self.skip(res, code, "lymph node involvement (C77) may be regional for breast cancer (axillary, supraclavicular): extent left for the clinician")
            return
        if any(c.startswith("C50") for c in icd) or set(snomed) & BREAST_CANCER_SNOMED or ("breast" in words and ("cancer" in words or "malignant" in words or "carcinoma" in words)):
            self.notes.append(f"Breast cancer diagnosis: {ref(res)} ({code})" + (f", onset {when.isoformat()}" if when else ""))
            return
        self.skip(res, code, "a condition IxDesk does not read")

    # --- medications --------------------------------------------------------------------

    def _med_concept(self, res: Any) -> tuple[str | None, str]:
        """(name, code) of the medication, following a reference to a Medication resource."""
        cc = getattr(res, "medicationCodeableConcept", None)
        if cc is None and getattr(res, "medicationReference", None) is not None:
            target = (res.medicationReference.reference or "").strip()
            key = target.lstrip("#").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            med = None
            for c in getattr(res, "contained", None) or []:
                if target.startswith("#") and c.id == key:
                    med = c
            med = med or self.medications.get(key)
            cc = med.code if med is not None else None
            if cc is None and res.medicationReference.display:
                return clean(res.medicationReference.display), target
        if cc is None:
            return None, ""
        name = cc.text or next((c.display for c in _codings(cc) if c.display), None)
        return clean(name), _code_str(cc)

    def _agent(self, name: str) -> str | None:
        """The formulary's generic name if the text names a cancer agent (whole words)."""
        idx = agent_index(self.criteria)
        text = f" {normalise(name)} "
        for key in sorted(idx.by_name, key=len, reverse=True):
            if len(key) > 2 and f" {key} " in text:
                return idx.by_name[key].name
        return None

    @staticmethod
    def _intent(res: Any) -> str | None:
        for ext in getattr(res, "extension", None) or []:
            if "intent" not in (ext.url or "").casefold():
                continue
            words = _words(ext.valueCodeableConcept) + " " + " ".join(c.code or "" for c in _codings(ext.valueCodeableConcept))
            if "neoadjuvant" in words:
                return "neoadjuvant"
            if "adjuvant" in words:
                return "adjuvant"
            if "palliative" in words or "363676003" in words or "metasta" in words:
                return "metastatic"
            return "other"
        return None

    def _unnamed_current(self, res: Any, code: str, when: Any, status: str) -> None:
        """A current medication sent as a code alone is kept as a line the dictionary does not know,
        so the CYP3A4 checks stay unknown naming it: left out, it would read as "no inhibitor"."""
        name = f"unnamed medication (code {code or 'not given'})"
        self.current_meds.append((name, self.provenance(res, when, code=code, original=f"code only ({status})")))
        self.notes.append(f"{ref(res)}: a current medication sent as a code alone; type its name in place of "
                          f"'{name}' (IxDesk's dictionary matches names)")

    def _unclear_current(self, res: Any, name: str, prov: Provenance, when: _dt.date | None, status: str) -> None:
        """On hold or of unknown status: weighed once every record is read (``medications_out``)."""
        self.unclear_meds.append((name, prov, when, ref(res), status))
        if self._agent(name) and not status.startswith("request"):
            self.notes.append(f"{name} ({ref(res)}) is a cancer agent in a medication statement: check the prior regimens")

    def _weigh_unclear(self) -> None:
        """An on-hold or unknown-status medication goes on the current list, with a note, so that an
        inhibitor that may be restarted is weighed and the list is not read as complete without it
        (an inducer there adds only its note: IxDesk never raises the dose for one). Not when the
        same medication is listed as current already (once is enough), nor when a later record of
        it says it was stopped, completed or not taken: the record's last word is that it ended,
        and the note names both records. A record entered in error says nothing of that and is
        not weighed."""
        current = {normalise(n) for n, _ in self.current_meds}
        for name, prov, when, where, status in self.unclear_meds:
            key = normalise(name)
            if key in current:
                continue
            later = [(d, r, st) for n, d, r, st in self.ended_meds
                     if normalise(n) == key and d is not None and when is not None and d > when]
            if later:
                d, r, st = max(later)
                self.notes.append(f"{name} ({where}) has status '{status}' from {when}, "
                                  f"but {r} says '{st}' on {d.isoformat()}: not on the current medication list")
                continue
            current.add(key)
            self.current_meds.append((name, prov))
            self.notes.append(f"{name} ({where}) has status '{status}' in the record: it is on the current medication "
                              "list so the CYP3A4 checks weigh it; remove it if it will not be taken during treatment")

    def medication_statement(self, res: Any) -> None:
        name, code = self._med_concept(res)
        if not name:
            if res.status in STATEMENT_CURRENT | STATEMENT_UNCLEAR:
                self._unnamed_current(res, code, _effective(res) or _as_date(res.dateAsserted), res.status)
                return
            self.skip(res, code, "no medication name (a code alone: IxDesk's dictionary matches names)")
            return
        status = res.status
        when = _effective(res) or _as_date(res.dateAsserted)
        prov = self.provenance(res, when, code=code, original=f"{name} ({status})")
        if status in STATEMENT_CURRENT:
            self.current_meds.append((name, prov))
            if self._agent(name):
                self.notes.append(f"{name} ({ref(res)}) is a cancer agent in a medication statement: check the prior regimens")
        elif status in STATEMENT_HISTORY:
            self.med_history.append(f"{name} ({status})")
            self.ended_meds.append((name, when, ref(res), status))
        elif status in STATEMENT_UNCLEAR:
            self._unclear_current(res, name, prov, when, status)
        elif status == "entered-in-error":  # ignored: it says nothing of whether the drug ended
            self.skip(res, code, f"{name}: entered in error, ignored")
        else:
            self.skip(res, code, f"{name}: status '{status}' does not say whether it is taken now")

    def medication_request(self, res: Any) -> None:
        name, code = self._med_concept(res)
        if not name:
            if res.status == "active" and not res.doNotPerform:
                self._unnamed_current(res, code, _as_date(res.authoredOn), "request active")
                return
            self.skip(res, code, "no medication name (a code alone: IxDesk's dictionary matches names)")
            return
        agent = self._agent(name)
        when = _as_date(res.authoredOn)
        if agent:
            if res.status in REQUEST_DOSE and when is not None and not res.doNotPerform:
                self.requested.append(_Dose(agent, when, self._intent(res), ref(res), "MedicationRequest",
                                            active=res.status == "active"))
            else:
                self.skip(res, code, f"{name}: request {res.status}" + ("" if when else " without a date") + ", not a dose")
            return
        prov = self.provenance(res, when, code=code, original=f"{name} (request {res.status})")
        if res.status == "active" and not res.doNotPerform:
            self.current_meds.append((name, prov))
        elif res.status in STATEMENT_UNCLEAR and not res.doNotPerform:
            self._unclear_current(res, name, prov, when, f"request {res.status}")
        elif res.status in ("completed", "stopped"):
            self.med_history.append(f"{name} ({res.status})")
            self.ended_meds.append((name, when, ref(res), res.status))
        else:
            self.skip(res, code, f"{name}: request status '{res.status}' is not a current medication")

    def medication_administration(self, res: Any) -> None:
        name, code = self._med_concept(res)
        if not name:
            self.skip(res, code, "no medication name")
            return
        agent = self._agent(name)
        if not agent:
            self.skip(res, code, f"{name}: an administration of a drug that is not a cancer agent (not a current medication record)")
            return
        when = _effective(res)
        if res.status not in ADMIN_DOSE or when is None:
            self.skip(res, code, f"{name}: administration {res.status}" + ("" if when else " without a full date"))
            return
        dates = {when}
        if res.effectivePeriod is not None and _as_date(res.effectivePeriod.end):
            dates.add(_as_date(res.effectivePeriod.end) or when)
        for d in dates:
            self.doses.append(_Dose(agent, d, self._intent(res), ref(res), "MedicationAdministration"))

    # --- choosing and building ----------------------------------------------------------

    def choose(self) -> None:
        chosen_lab_dates: list[_dt.date] = []
        for path, cands in self.candidates.items():
            # newest first; undated values (receptors, conditions) after dated ones
            cands.sort(key=lambda c: c.date or _dt.date.min, reverse=True)
            usable = [c for c in cands if c.date is None or c.date <= self.consult_date]
            later = [c for c in cands if c not in usable]
            for c in later:
                self.notes.append(f"{c.prov.resource_type}/{c.prov.resource_id} ({path}) is dated after the consult date: kept in the history only")
            best = usable[0] if usable else None
            rest = [c for c in cands if c is not best]
            if rest and path != "disease.extent":
                self.history[path] = [HistoryItem(c.value, c.date, c.prov) for c in rest]
            if best is None:
                continue
            if path == "her2_negative_no_score":
                if not self.candidates.get("disease.her2_ihc") and not self.candidates.get("disease.her2_ish"):
                    self.prov["disease.her2_ihc"] = best.prov
                    self.notes.append("HER2 negative without an IHC score: the IHC score is left empty (HER2-0 and "
                                      "HER2-low are different answers); enter the score from the pathology report")
                continue
            section, name = path.split(".", 1)
            self.data[section][name] = best.value
            self.prov[path] = best.prov
            if section == "labs" and best.date is not None:
                chosen_lab_dates.append(best.date)
        if chosen_lab_dates:
            self.data["labs"]["date"] = min(chosen_lab_dates)
            if len(set(chosen_lab_dates)) > 1:
                self.notes.append(f"The labs were drawn on different days ({min(chosen_lab_dates).isoformat()} to "
                                  f"{max(chosen_lab_dates).isoformat()}): the lab date is the oldest; each lab's own date is in its source")

    def medications_out(self) -> None:
        self._weigh_unclear()
        if not self.current_meds:
            return
        names = [n[:200] for n, _ in self.current_meds][:100]
        self.data["history"]["medications"] = names
        for i, (_n, prov) in enumerate(self.current_meds[:100]):
            self.prov[f"history.medications[{i}]"] = prov
        for line in classify(names, self.criteria):
            if line.unrecognised:
                self.notes.append(f"Medication '{line.text}' is not recognised by the medication dictionary: the CYP3A4 check stays unknown until it is checked")

    def regimens(self) -> None:
        by_agent: dict[str, list[_Dose]] = {}
        administered = {d.agent for d in self.doses}
        for d in self.doses + [r for r in self.requested if r.agent not in administered]:
            by_agent.setdefault(d.agent, []).append(d)
        if any(r.agent not in administered for r in self.requested):
            self.notes.append("Some regimen dates come from medication orders (MedicationRequest.authoredOn), not from administrations: check them")
        runs: list[list[_Dose]] = []
        for doses in by_agent.values():
            doses.sort(key=lambda d: d.date)
            run = [doses[0]]
            for d in doses[1:]:
                if (d.date - run[-1].date).days > RUN_GAP_DAYS:
                    runs.append(run)
                    run = []
                run.append(d)
            runs.append(run)
        runs.sort(key=lambda r: (r[0].date, r[0].agent))
        groups: list[list[list[_Dose]]] = []
        for run in runs:
            if groups and (run[0].date - groups[-1][0][0].date).days <= TOGETHER_DAYS:
                groups[-1].append(run)
            else:
                groups.append([run])
        out: list[dict[str, Any]] = []
        for k, group in enumerate(groups[:40]):
            start = min(r[0].date for r in group)
            # an order's date is not a dose: a last dose comes from administrations only
            given = [[d for d in r if d.kind != "MedicationRequest"] for r in group]
            ordered_only = any(not g for g in given)
            last = max(r[-1].date for r in group)
            reg: dict[str, Any] = {"agents": [r[0].agent for r in group][:12], "start_date": start.isoformat()}
            if not ordered_only:
                reg["last_dose_date"] = last.isoformat()
                alds = [{"agent": r[0].agent, "last_dose_date": r[-1].date.isoformat()} for r in group if r[-1].date < last]
                if alds:
                    reg["agent_last_doses"] = alds
            if any(d.active for r in group for d in r):
                reg["ongoing"] = True
            if ordered_only:
                self.notes.append(f"Regimen {k + 1}: known from orders only: its last dose is not in the export"
                                  + (" (an order is active: marked ongoing)" if reg.get("ongoing") else ""))
            intents = {d.intent for r in group for d in r if d.intent}
            if len(intents) == 1 and next(iter(intents)) in ("neoadjuvant", "adjuvant", "metastatic"):
                reg["setting"] = next(iter(intents))
            elif len(intents) > 1:
                self.notes.append(f"Regimen {k + 1}: the resources give different treatment intents; the setting is left for the clinician")
            elif intents:
                self.notes.append(f"Regimen {k + 1}: the coded treatment intent (e.g. curative) does not say neoadjuvant, "
                                  "adjuvant or metastatic; the setting is left for the clinician")
            first = group[0][0]
            kinds = {d.kind for r in group for d in r}
            self.prov[f"regimens[{len(out)}]"] = Provenance(
                resource_type=first.kind if len(kinds) == 1 else "MedicationAdministration",
                resource_id=first.where.split("/", 1)[-1][:64], date=start,
                original=(f"{sum(len(r) for r in group)} dose record(s), {start.isoformat()} to {last.isoformat()}"
                          if not ordered_only else f"{sum(len(r) for r in group)} order(s) from {start.isoformat()}"),
                file=clean(self.file_name, 255))
            out.append(reg)
        if out:
            self.data["regimens"] = out
            self.notes.append("Prior regimens were grouped from the dose records (agents started within a week of each "
                              "other are one regimen): check the grouping, the setting and the progression dates, "
                              "which exports do not carry")

    def build(self) -> Consult:
        data = dict(self.data)
        for section in ("patient", "disease", "labs", "history"):
            if not data[section]:
                del data[section]
        # regimens go through JSON-mode validation (their dates are partial-date strings)
        regimens = data.pop("regimens", [])
        for _attempt in range(20):
            try:
                consult = Consult.model_validate({**data, "regimens": []})
                if regimens:
                    doc = json.loads(consult.model_dump_json())
                    doc["regimens"] = regimens
                    consult = Consult.model_validate_json(json.dumps(doc))
                break
            except ValidationError as exc:
                if not self._drop(data, regimens, exc):
                    raise
        else:  # pragma: no cover - each attempt drops a field
            raise ImportRefused("the imported values do not form a valid consult")
        keep = {p: v for p, v in self.prov.items() if self._present(consult, p)}
        return consult.model_copy(update={"provenance": keep})

    def _drop(self, data: dict[str, Any], regimens: list[dict[str, Any]], exc: ValidationError) -> bool:
        """Drop the field a validation error names and list it, so one implausible value costs itself only."""
        for err in exc.errors():
            loc: list[Any] = [p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))]
            msg = str(err.get("msg", "")).removeprefix("Value error, ")
            if loc and loc[0] == "regimens" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(regimens):
                regimens.pop(loc[1])
                self.unmapped.append(Unmapped(f"regimen {loc[1] + 1}", "", f"not a valid regimen: {msg}"))
                return True
            if not loc and ":" in msg:  # a model-level check names its field first ("labs.date: …")
                loc = msg.split(":", 1)[0].split(".")
            if loc and loc[0] in data:
                section = data[loc[0]]
                name = loc[1] if len(loc) > 1 and isinstance(section, dict) and loc[1] in section else (msg.split(":", 1)[0] if isinstance(section, dict) and msg.split(":", 1)[0] in section else None)
                if name is not None:
                    section.pop(name)
                    self.unmapped.append(Unmapped(f"{loc[0]}.{name}", "", f"not imported: {msg}"))
                else:
                    data.pop(loc[0])
                    self.unmapped.append(Unmapped(str(loc[0]), "", f"not imported: {msg}"))
                return True
        return False

    @staticmethod
    def _present(consult: Consult, path: str) -> bool:
        if path == "disease.her2_ihc":
            return True  # the negative-without-score note lives here
        m = re.fullmatch(r"(\w+)\[(\d+)\]", path)
        if m:
            return int(m.group(2)) < len(getattr(consult, m.group(1)))
        m = re.fullmatch(r"history\.medications\[(\d+)\]", path)
        if m:
            return int(m.group(1)) < len(consult.history.medications or [])
        obj: Any = consult
        for part in path.split("."):
            obj = getattr(obj, part, None)
        return obj is not None


def import_resources(resources: Iterable[Any], criteria: Criteria, consult_date: _dt.date | None = None,
                     file_name: str | None = None) -> ImportResult:
    """One consult from one patient's resources; raises :class:`ImportRefused` for several patients."""
    m = _Mapper(criteria, consult_date or _dt.date.today(), file_name)
    resources = list(resources)
    for res in resources:
        if res.get_resource_type() == "Medication" and res.id:
            m.medications[res.id] = res
    patients = [r for r in resources if r.get_resource_type() == "Patient"]
    if len({p.id for p in patients}) > 1:
        raise ImportRefused(f"the file holds {len(patients)} patients; import one patient's data at a time")
    handlers = {"Patient": m.patient, "Observation": m.observation, "Condition": m.condition,
                "MedicationStatement": m.medication_statement, "MedicationRequest": m.medication_request,
                "MedicationAdministration": m.medication_administration}
    for res in resources:
        rtype = res.get_resource_type()
        if rtype == "Medication":
            continue
        h = handlers.get(rtype)
        if h is None:
            known = getattr(res, "known", True)
            m.unmapped.append(Unmapped(ref(res), "", UNREAD_REASON if known else "not a FHIR R4 resource type"))
            continue
        h(res)
    m.choose()
    m.medications_out()
    m.regimens()
    if "patient" not in {r.get_resource_type().casefold() for r in resources}:
        m.notes.append("The file holds no Patient resource: name, record number and date of birth are not imported")
    consult = m.build()
    return ImportResult(consult=consult, history=m.history, unmapped=m.unmapped, notes=m.notes,
                        medication_history=m.med_history)


def import_file(path: str, criteria: Criteria, consult_date: _dt.date | None = None) -> ImportResult:
    """Read and map a FHIR file; raises ``FhirReadError`` (malformed) or :class:`ImportRefused`."""
    from pathlib import Path

    from ixdesk.interop.fhir_read import read_resources

    return import_resources(read_resources(path), criteria, consult_date, Path(path).name)
