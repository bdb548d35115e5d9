"""Words every reader uses for the same thing, kept once (plans, decision states).

The plan wording once lived in four places and drifted; a reader that needs a plan's name, short or
long, takes it from here.
"""

from __future__ import annotations

from ixdesk.present.decision import DecisionKind

PLAN_SHORT = {
    "monotherapy": "monotherapy",
    "with_capecitabine": "with capecitabine",
    "with_trastuzumab": "with trastuzumab",
}
PLAN_LONG = {
    "monotherapy": "ixabepilone alone (monotherapy)",
    "with_capecitabine": "ixabepilone with capecitabine",
    "with_trastuzumab": "ixabepilone with trastuzumab",
}
PLAN_NOT_CHOSEN = "not yet chosen (plan not recorded)"

DECISION_WORDS: dict[DecisionKind, str] = {
    "ready": "Ready",
    "on_hold": "On hold",
    "not_decided": "Not decided",
    "outside_label": "Outside the FDA label",
}


def plan_long(plan: str | None) -> str:
    return PLAN_LONG.get(plan or "", PLAN_NOT_CHOSEN)


def plan_short(plan: str | None) -> str:
    return PLAN_SHORT.get(plan or "", "plan not recorded")
