"""Each finding's override as its readers print it: the computed result first, the override beside it.

"Computed: not met · Overridden by Dr X, 3 Dec 2026 10:14: resistant per clinic note (reason:
Clinical judgement from notes not captured in the consult)". The computed words come from the
finding's kind (a contraindication "applies", an indication is "met"), never from the override.

An override whose finding now computes otherwise than when it was recorded is *stale*: every
reader says so and names both states ("recorded when the computed result was 'applies'; it is now
'ruled out'"), so an override never silently carries over to inputs it was not made for.

The decision state is not changed by an override (``ixdesk.present.decision`` reads the assessment
only): a contraindication overridden keeps the consult on hold, and readers add "contraindication
overridden by Dr X" beside the hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable

from ixdesk.core.overrides import ComputedState, Override, current_state, current_values, values_changed
from ixdesk.present.formats import fmt_date

if TYPE_CHECKING:
    from ixdesk.core.assessment import Assessment, Finding

KIND_WORDS = {"overridden": "Overridden", "acknowledged": "Acknowledged"}
# the computed state in words, by finding kind (as the clinician report names results)
_SAFETY_WORDS: dict[str, str] = {"met": "applies", "not_met": "does not apply", "unknown": "not yet checkable"}
_CRITERION_WORDS: dict[str, str] = {"met": "met", "not_met": "not met", "unknown": "unknown"}
NOT_COMPUTED = "no longer computed"
NURSE_SECTION_TITLE = "Overrides of contraindications"


def state_words(state: ComputedState | None, finding_kind: str | None) -> str:
    """'applies' for a contraindication that holds, 'not met' for a criterion; None: not computed."""
    if state is None:
        return NOT_COMPUTED
    words = _SAFETY_WORDS if finding_kind in ("exclusion", "warning") else _CRITERION_WORDS
    return words[state]


def fmt_time(t: datetime) -> str:
    """'3 Dec 2026 10:14': the report's date format with the time as recorded (the user's clock)."""
    return f"{fmt_date(t.date())} {t:%H:%M}"


@dataclass(frozen=True)
class OverrideView:
    override: Override
    finding_id: str
    title: str  # the finding's title now (or as recorded, when no longer computed)
    finding_kind: str | None  # None: the assessment no longer computes the finding
    computed_then: str  # the computed state in words when the override was recorded
    computed_now: str  # ... and now
    state_now: ComputedState | None
    stale: bool
    contraindication: bool  # the override of a contraindication (confirmed twice)
    # stale with the same state: the values it rested on, then and now (only those that differ)
    values_then: tuple[str, ...] = ()
    values_now: tuple[str, ...] = ()

    @property
    def kind_word(self) -> str:
        return KIND_WORDS[self.override.kind]

    @property
    def by(self) -> str:
        """'Overridden by Dr X, 3 Dec 2026 10:14'."""
        o = self.override
        return f"{self.kind_word} by {o.user}, {fmt_time(o.at)}"

    @property
    def reason_words(self) -> str:
        return f"reason: {self.override.reason.display}"

    @property
    def remark(self) -> str:
        """'Overridden by Dr X, 3 Dec 2026 10:14: resistant per clinic note (reason: …)'."""
        comment = (self.override.comment or "").strip()
        return f"{self.by}: {comment} ({self.reason_words})" if comment else f"{self.by} ({self.reason_words})"

    @property
    def stale_words(self) -> str:
        """Empty unless stale: what it was recorded against and what the finding computes now."""
        if not self.stale:
            return ""
        if self.computed_then == self.computed_now and (self.values_then or self.values_now):
            return (f"STALE: recorded when the computed result was '{self.computed_then}' with "
                    f"{'; '.join(self.values_then) or 'other values'}; it is still '{self.computed_now}', but now with "
                    f"{'; '.join(self.values_now) or 'other values'}. Review the override: it does not carry over "
                    "to the new values.")
        return (f"STALE: recorded when the computed result was '{self.computed_then}'; it is now "
                f"'{self.computed_now}'. Review the override: it does not carry over to the new result.")

    @property
    def line(self) -> str:
        """'Computed: not met · Overridden by Dr X, 3 Dec 2026 10:14: … (reason: …)', stale said first."""
        head = f"Computed: {self.computed_now} · {self.remark}"
        if self.contraindication and self.override.confirmed_twice:
            head += " · confirmed twice"
        return f"{self.stale_words} {head}" if self.stale else head

    @property
    def short(self) -> str:
        """The panel's Result column suffix: '· overridden' / '· acknowledged' / '· override STALE'."""
        return "override STALE" if self.stale else self.override.kind


def _finding(a: Assessment, finding_id: str) -> Finding | None:
    try:
        return a.finding(finding_id)
    except KeyError:
        return None


def override_view(o: Override, a: Assessment) -> OverrideView:
    f = _finding(a, o.finding_id)
    kind = f.kind if f is not None else None
    now = current_state(o, a)
    # a contraindication override keeps its weight even once its finding is gone from the rule set
    contra = kind == "exclusion" or (kind is None and o.confirmed_twice)
    then_vals: tuple[str, ...] = ()
    now_vals: tuple[str, ...] = ()
    moved = values_changed(o, a)
    if moved:
        current = current_values(o, a) or []
        then_vals = tuple(v for v in o.values_at_the_time if v not in current)
        now_vals = tuple(v for v in current if v not in o.values_at_the_time)
    return OverrideView(
        override=o, finding_id=o.finding_id, title=f.title if f is not None else o.finding_title,
        finding_kind=kind, computed_then=state_words(o.computed_state_at_the_time, kind or _kind_from_id(o.finding_id)),
        computed_now=state_words(now, kind), state_now=now, stale=now != o.computed_state_at_the_time or moved,
        contraindication=contra, values_then=then_vals, values_now=now_vals,
    )


def _kind_from_id(finding_id: str) -> str | None:
    """The kind of a finding no longer computed, from its id's prefix ('exclusion.', 'warning.')."""
    head = finding_id.split(".", 1)[0]
    return head if head in ("exclusion", "warning") else None


def override_views(overrides: Iterable[Override], a: Assessment) -> dict[str, OverrideView]:
    """Each override's view, by finding id, in the order recorded."""
    return {o.finding_id: override_view(o, a) for o in overrides}


def contraindication_overrides(views: Iterable[OverrideView]) -> list[OverrideView]:
    return [v for v in views if v.contraindication]


def hold_overrides(views: dict[str, OverrideView], hold_ids: Iterable[str]) -> list[OverrideView]:
    """The current (not stale) overrides of the contraindications that hold the consult."""
    return [views[i] for i in hold_ids if i in views and not views[i].stale and views[i].contraindication]


def hold_note(views: dict[str, OverrideView], hold_ids: Iterable[str]) -> str:
    """'contraindication overridden by Dr X' (for the verdict beside 'On hold'); '' if none."""
    held = hold_overrides(views, hold_ids)
    if not held:
        return ""
    users = list(dict.fromkeys(v.override.user for v in held))
    what = "contraindication" if len(held) == 1 else f"{len(held)} contraindications"
    return f"{what} overridden by {' and '.join(users)}"


def override_json(v: OverrideView) -> dict[str, Any]:
    """One entry of the ``overrides`` array of ``assess --json`` (docs/assessment-json.md): the
    override as saved, plus the finding's computed state now and whether the override is stale."""
    return {
        **v.override.model_dump(mode="json"),
        "finding_kind": v.finding_kind,
        "current_state": v.state_now,
        "stale": v.stale,
        # stale with the same state: the values then and now that differ (else both empty)
        "values_then": list(v.values_then),
        "values_now": list(v.values_now),
        "contraindication": v.contraindication,
        # the CDS Hooks feedback entry this override corresponds to (card id: the finding id)
        "feedback": feedback_json(v.override),
    }


def feedback_json(o: Override) -> dict[str, Any]:
    """The CDS Hooks feedback entry: ``outcome`` "overridden" with ``overrideReason`` (the Coding and
    the ``userComment``). An acknowledgement is "overridden" too: CDS Hooks' other outcome,
    "accepted", means suggestions were accepted, and IxDesk's cards carry none; an acknowledged
    warning is the card's caution noted and the plan kept. ``ixdesk_kind`` tells the two apart."""
    reason: dict[str, Any] = {"reason": o.reason.model_dump(mode="json")}
    if o.comment:
        reason["userComment"] = o.comment
    return {"card": o.finding_id, "outcome": "overridden", "outcomeTimestamp": o.at.isoformat(),
            "overrideReason": reason, "ixdesk_kind": o.kind}


def overrides_json(overrides: Iterable[Override], a: Assessment) -> list[dict[str, Any]]:
    return [override_json(v) for v in override_views(overrides, a).values()]


__all__ = ["KIND_WORDS", "NOT_COMPUTED", "NURSE_SECTION_TITLE", "OverrideView", "contraindication_overrides",
           "feedback_json", "fmt_time", "hold_note", "hold_overrides", "override_json", "override_view",
           "override_views", "overrides_json", "state_words"]
