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

# What a sheet that prints no dose waits for before a new one is printed, by decision state
WAITING_FOR: dict[DecisionKind, str] = {
    "ready": "",
    "on_hold": "the prescriber has resolved the hold and signed the order",
    "not_decided": "the prescriber has completed and signed the order",
    "outside_label": "the prescriber has decided on the plan outside the label and signed the order",
}


def plan_long(plan: str | None) -> str:
    return PLAN_LONG.get(plan or "", PLAN_NOT_CHOSEN)


def plan_short(plan: str | None) -> str:
    return PLAN_SHORT.get(plan or "", "plan not recorded")

# How readers call the documents rules cite (criteria/sources.yaml ids). A payer's paraphrase of
# NCCN pathways is that payer's criteria: "NCCN" is said only for a document that is NCCN's own,
# with its version, and sources.yaml cites none (payer 004 cites NCCN v6.2020, as its own policy).
DOCUMENT_NAMES = {
    "PI": "FDA label (PI)",
    "payer-003": "Payer 003",
    "payer-004": "Payer 004",
    "payer-policies": "Payer policies",
    "seed-000": "Clinic information page",
    "ixdesk": "IxDesk working definition",
}
NCCN_DOCUMENTS: frozenset[str] = frozenset()


def document_name(document: str) -> str:
    return DOCUMENT_NAMES.get(document, document)


def contraception_text(female_months: int, male_months: int, sex: str | None) -> str:
    """The contraception line of the nurse's start sheet and cycle sheet, said once (facts sheet 9):
    the months count from the last dose; a male patient's partner rule is his own."""
    if sex == "male":
        return f"contraception during treatment and {male_months} months after the last dose (female partners)"
    return f"contraception during treatment and {female_months} months after the last dose"


FORMULA_NAMES = {"mosteller": "Mosteller", "dubois": "DuBois"}


def formula_name(formula: str | None) -> str:
    """'Mosteller' for the enum 'mosteller': a formula is named after its author."""
    return FORMULA_NAMES.get(formula or "", formula or "formula not recorded")
