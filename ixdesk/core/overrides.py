"""A clinician's disagreement with a finding, kept beside the computed result (never instead of it).

A finding can be marked *overridden* (the clinician disagrees: "taxane-resistant per the clinic
note, which the dates do not capture") or *acknowledged* (the clinician accepts a warning and goes
on). Either carries a coded reason, a comment, the user's name and the time, following the CDS Hooks
feedback model: ``outcome`` overridden, ``overrideReason`` a Coding ``{system, code, display}`` and
``userComment``. The coded reasons are data (``resources/override_reasons.yaml``), validated strictly.

The engine never reads an override: the assessment stays as computed, so every reader can print
both. An override remembers the computed state it disagreed with; when the inputs change and the
finding now computes otherwise (or is no longer computed at all), the override is *stale*: readers
name the old and the new state and never carry it over silently.

Overriding a contraindication needs a second confirmation (``confirmed_twice``): an override of an
exclusion finding without it is refused by :func:`record_override`.

The one hook for the audit trail: :func:`record_override` and :func:`withdraw_override` return an
:class:`OverrideEvent` beside the new consult; the window emits the same event
(``MainWindow.override_recorded``) after it applied one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

if TYPE_CHECKING:
    from ixdesk.core.assessment import Assessment, Finding
    from ixdesk.core.consult import Consult

OverrideKind = Literal["overridden", "acknowledged"]
ComputedState = Literal["met", "not_met", "unknown"]
OVERRIDE_KINDS: tuple[OverrideKind, ...] = ("overridden", "acknowledged")
REASONS_FILE = "override_reasons.yaml"
MAX_OVERRIDES = 200  # far more findings than the rule set has; a file with more is not ours
# Same plausibility limit as the consult's dates (ixdesk.core.consult.LATEST_DATE), repeated here
# because the consult imports this module.
_LATEST_YEAR = 2199
_EARLIEST_YEAR = 1900
_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _clean_text(v: str) -> str:
    if any(ord(c) < 32 and c not in "\n\t" for c in v):
        raise ValueError("contains control characters")
    return v


class _Strict(BaseModel):
    """The consult's own strictness (``ixdesk.core.consult.StrictModel``): no unknown keys, strict
    types, assignment re-validated; kept separate only because the consult imports this module."""

    model_config = ConfigDict(defer_build=True, strict=True, extra="forbid", validate_assignment=True, allow_inf_nan=False,
                              frozen=True)


class Coding(_Strict):
    """A FHIR / CDS Hooks Coding: ``overrideReason`` in a CDS Hooks feedback entry."""

    system: Annotated[str, Field(min_length=1, max_length=200)]
    code: Annotated[str, Field(min_length=1, max_length=64)]
    display: Annotated[str, Field(min_length=1, max_length=200)]

    _text = field_validator("system", "code", "display")(_clean_text)


class Override(_Strict):
    """One clinician's override or acknowledgement of one finding, as saved in the consult file."""

    finding_id: Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.:\-]+$")]
    # the finding's title as shown when the override was recorded: still printable if a later
    # criteria set no longer computes that finding
    finding_title: Annotated[str, Field(min_length=1, max_length=300)]
    kind: OverrideKind
    reason: Coding
    comment: Annotated[str, Field(max_length=2000)] | None = None  # CDS Hooks userComment
    user: Annotated[str, Field(min_length=1, max_length=120)]
    at: AwareDatetime
    computed_state_at_the_time: ComputedState
    # an override of a contraindication was confirmed in a second dialog naming what it overrides
    confirmed_twice: bool = False
    # the patient values the finding rested on then ("Neutrophils: 1,200 cells/mm³"), as the engine
    # printed them: an override of a count of 1,200 does not carry over to a count of 400, even though
    # the finding still "applies"
    values_at_the_time: Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=60)] = Field(
        default_factory=list)

    @field_validator("finding_title", "user", "comment")
    @classmethod
    def _text_clean(cls, v: str | None) -> str | None:
        if v is None:
            return v
        _clean_text(v)
        if not v.strip():
            raise ValueError("is empty")
        return v

    @field_validator("at")
    @classmethod
    def _plausible_time(cls, v: datetime) -> datetime:
        if not _EARLIEST_YEAR <= v.year <= _LATEST_YEAR:
            raise ValueError("is not a plausible time (check the year)")
        return v


def check_overrides(overrides: list[Override]) -> None:
    """One override per finding: a second one replaces the first (:func:`record_override`), so two
    in a file are a contradiction, never a history (the audit trail keeps the history)."""
    seen: set[str] = set()
    for i, o in enumerate(overrides):
        if o.finding_id in seen:
            raise ValueError(f"overrides[{i}].finding_id: '{o.finding_id}' is overridden twice")
        seen.add(o.finding_id)


# --- the reason codes ------------------------------------------------------------------------

class ReasonCode(_Strict):
    code: Annotated[str, Field(min_length=1, max_length=64)]
    display: Annotated[str, Field(min_length=1, max_length=200)]
    kinds: Annotated[list[OverrideKind], Field(min_length=1)]
    comment_required: bool = False

    @field_validator("code")
    @classmethod
    def _code_form(cls, v: str) -> str:
        if not _CODE.match(v):
            raise ValueError("must be lower-case letters and digits joined by hyphens")
        return v


class ReasonCodes(_Strict):
    system: Annotated[str, Field(min_length=1, max_length=200)]
    version: Annotated[int, Field(ge=1)]
    reasons: Annotated[list[ReasonCode], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> "ReasonCodes":
        codes = [r.code for r in self.reasons]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"reasons: duplicate code {', '.join(dup)}")
        for kind in OVERRIDE_KINDS:
            if not any(kind in r.kinds for r in self.reasons):
                raise ValueError(f"reasons: no reason offered for '{kind}'")
        return self

    def for_kind(self, kind: OverrideKind) -> list[ReasonCode]:
        return [r for r in self.reasons if kind in r.kinds]

    def coding(self, code: str) -> Coding:
        r = self.get(code)
        return Coding(system=self.system, code=r.code, display=r.display)

    def get(self, code: str) -> ReasonCode:
        for r in self.reasons:
            if r.code == code:
                return r
        raise KeyError(code)


class ReasonCodesError(ValueError):
    """The reason-code file is missing or invalid: the message names the file, the field and why."""


def load_reason_codes(path: str | Path | None = None) -> ReasonCodes:
    """The coded reasons, validated strictly; the bundled file unless ``path`` is given."""
    if path is None:
        return _bundled()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _bundled() -> ReasonCodes:
    from ixdesk.paths import resources_dir

    return _load(resources_dir() / REASONS_FILE)


def _load(p: Path) -> ReasonCodes:
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReasonCodesError(f"{p.name}: cannot be read ({type(exc).__name__})") from None
    try:
        return ReasonCodes.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)
        where = ".".join(str(x) for x in first[0]["loc"]) if first else ""
        msg = first[0]["msg"] if first else str(exc)
        raise ReasonCodesError(f"{p.name}: {where}: {msg}" if where else f"{p.name}: {msg}") from None


# --- recording, withdrawing, staleness ---------------------------------------------------------

OverrideAction = Literal["recorded", "replaced", "withdrawn"]


@dataclass(frozen=True)
class OverrideEvent:
    """What changed, for the audit trail: ``override`` is the new one (the withdrawn one for
    "withdrawn"); ``previous`` the override it replaced, if any."""

    action: OverrideAction
    override: Override
    previous: Override | None = None


class OverrideRefused(ValueError):
    """An override that may not be recorded as given (a contraindication not confirmed twice, a
    finding the assessment does not have, a reason offered for the other kind)."""


def is_contraindication(f: Finding) -> bool:
    return f.kind == "exclusion"


def record_override(consult: Consult, override: Override, assessment: Assessment | None = None,
                    reasons: ReasonCodes | None = None) -> tuple[Consult, OverrideEvent]:
    """The consult with ``override`` recorded (replacing an earlier one of the same finding), and
    the event. With the assessment, the finding must exist, its state must be the one recorded, and
    a contraindication must have been confirmed twice; with the reason codes, the reason must be one
    of them, offered for this kind, with a comment where the code requires one."""
    if assessment is not None:
        try:
            f = assessment.finding(override.finding_id)
        except KeyError:
            raise OverrideRefused(f"finding_id: '{override.finding_id}' is not a finding of this assessment") from None
        if f.state != override.computed_state_at_the_time:
            raise OverrideRefused("computed_state_at_the_time: is not the finding's computed state")
        if is_contraindication(f) and not override.confirmed_twice:
            raise OverrideRefused("confirmed_twice: an override of a contraindication needs a second confirmation")
    if reasons is not None:
        try:
            r = reasons.get(override.reason.code)
        except KeyError:
            raise OverrideRefused(f"reason: '{override.reason.code}' is not a known reason code") from None
        if override.kind not in r.kinds:
            raise OverrideRefused(f"reason: '{r.display}' is not offered for {override.kind}")
        if r.comment_required and not (override.comment or "").strip():
            raise OverrideRefused(f"comment: required with the reason '{r.display}'")
    previous = next((o for o in consult.overrides if o.finding_id == override.finding_id), None)
    kept = [o for o in consult.overrides if o.finding_id != override.finding_id]
    new = consult.model_copy(update={"overrides": [*kept, override]})
    return new, OverrideEvent("replaced" if previous else "recorded", override, previous)


def withdraw_override(consult: Consult, finding_id: str) -> tuple[Consult, OverrideEvent] | None:
    """The consult without the override of ``finding_id`` and the event; None if there is none."""
    old = next((o for o in consult.overrides if o.finding_id == finding_id), None)
    if old is None:
        return None
    new = consult.model_copy(update={"overrides": [o for o in consult.overrides if o.finding_id != finding_id]})
    return new, OverrideEvent("withdrawn", old)


def finding_values(f: Finding) -> list[str]:
    """The patient values a finding rested on, one 'label: value' each (what ``values_at_the_time`` keeps)."""
    return list(dict.fromkeys(f"{v.label}: {v.value}" for v in f.values))


def current_values(o: Override, assessment: Assessment) -> list[str] | None:
    """The values the finding rests on now (None: the assessment no longer computes it)."""
    try:
        return finding_values(assessment.finding(o.finding_id))
    except KeyError:
        return None


def values_changed(o: Override, assessment: Assessment) -> bool:
    """The finding still computes, but from other values than when the override was recorded (an
    override recorded without its values is judged by the state alone)."""
    now = current_values(o, assessment)
    return bool(o.values_at_the_time) and now is not None and now != o.values_at_the_time


def current_state(o: Override, assessment: Assessment) -> ComputedState | None:
    """The finding's computed state now (None: the assessment no longer computes it)."""
    try:
        return assessment.finding(o.finding_id).state
    except KeyError:
        return None


def is_stale(o: Override, assessment: Assessment) -> bool:
    """The finding now computes otherwise than when the override was recorded (or not at all), or
    from other patient values: the inputs changed, and the override was not made for them."""
    return current_state(o, assessment) != o.computed_state_at_the_time or values_changed(o, assessment)


__all__ = ["Coding", "ComputedState", "OVERRIDE_KINDS", "Override", "OverrideEvent", "OverrideKind",
           "OverrideRefused", "ReasonCode", "ReasonCodes", "ReasonCodesError", "check_overrides", "current_state",
           "current_values", "finding_values", "is_contraindication", "values_changed", "is_stale", "load_reason_codes", "record_override", "withdraw_override"]
