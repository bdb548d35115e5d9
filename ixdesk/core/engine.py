"""``assess(consult, criteria, as_of)``: the one pure function the window, the CLI and the reports call.

Deterministic: the same consult, criteria and date give the same Assessment, so a report printed
today can be reproduced and a clinician can check each result independently.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from datetime import date
from typing import Iterator

from pydantic import BaseModel

from ixdesk.core.assessment import Assessment, CriteriaInfo, Missing
from ixdesk.core.consult import LATEST_DATE, Consult
from ixdesk.core.criteria import Criteria, default_criteria
from ixdesk.core.dated_text import Said, parts, said
from ixdesk.core.dates import PartialDate
from ixdesk.core.dosing import compute_dose
from ixdesk.core.conditions import V, Value
from ixdesk.core.evaluate import Context, evaluate_rule
from ixdesk.core.lines import count_lines
from ixdesk.core.medications import unrecognised_label
from ixdesk.core.resistance import assess_resistance, classify_regimens, ixabepilone_reactions


# Young-generation threshold while a batch runs: an assessment allocates a few thousand container
# objects, all acyclic and freed by reference counting when its output is written; at Python's
# default (700) the collector walks each of them once or twice while it is still being built.
BATCH_GC_THRESHOLD = 50_000


@contextmanager
def batch_collector() -> Iterator[None]:
    """For a batch of assessments, once the criteria are loaded: the criteria, pydantic's schemas
    and the imported modules move out of the cyclic collector's view (``gc.freeze``), so that its
    full passes do not walk them again and again (they made the p99 of ``assess()`` about ten
    times its median), and the young generation is collected less often (see
    ``BATCH_GC_THRESHOLD``). Both are undone on exit, for callers that go on in the same process
    (the freeze only if nothing was frozen before).
    """
    old = gc.get_threshold()
    already_frozen = gc.get_freeze_count() > 0  # by the window, or an outer batch: theirs to undo
    gc.collect()
    gc.freeze()
    gc.set_threshold(BATCH_GC_THRESHOLD, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if not already_frozen:
            gc.unfreeze()


class AssessmentInputError(ValueError):
    """A valid consult whose dates cannot be computed with (a window end past year 9999).

    The consult model refuses dates after ``LATEST_DATE``, so this should never happen; it is the
    last guard that turns date arithmetic's OverflowError into a message naming the field, like
    any other bad input, instead of a traceback. ``problems`` matches ``ConsultFileError``'s.
    """

    def __init__(self, fields: list[str]) -> None:
        from ixdesk.core.files import Problem

        reason = "too far in the future to compute with; check the year"
        self.problems = [Problem(f, reason) for f in fields] or [Problem("", "a date is " + reason)]
        super().__init__("; ".join(str(p) for p in self.problems))


_DATE_RANGE = re.compile(r"year -?\d+ is out of range|date value out of range|out of range for date")


def _far_date_fields(consult: Consult, as_of: date | None) -> list[str]:
    """Dotted paths of the dates after LATEST_DATE (else of the latest date): the overflow's cause."""
    found: list[tuple[date, str]] = [(as_of, "as_of")] if as_of else []
    stack: list[tuple[str, object]] = [("", consult)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, BaseModel):
            stack.extend((f"{path}.{k}" if path else k, getattr(v, k)) for k in reversed(type(v).model_fields))
        elif isinstance(v, (list, tuple)):
            stack.extend((f"{path}[{i}]", x) for i, x in reversed(list(enumerate(v))))
        elif isinstance(v, dict):
            stack.extend((f"{path}.{k}", x) for k, x in v.items())
        elif isinstance(v, date):
            found.append((v, path))
        elif isinstance(v, PartialDate):  # a month-only date: its first day is the least it can be
            found.append((v.earliest, path))
    far = [path for d, path in found if d > LATEST_DATE]
    return far or [max(found)[1]] if found else []


def assess(consult: Consult, criteria: Criteria | None = None, as_of: date | None = None) -> Assessment:
    """Assess a consult. ``as_of`` defaults to the consult date, then to today.

    Raises only :class:`AssessmentInputError` for a date too near year 9999 to compute with.
    """
    try:
        return _assess(consult, criteria, as_of)
    except OverflowError:
        raise AssessmentInputError(_far_date_fields(consult, as_of)) from None
    except ValueError as exc:
        if not _DATE_RANGE.search(str(exc)):
            raise
        raise AssessmentInputError(_far_date_fields(consult, as_of)) from None


def _assess(consult: Consult, criteria: Criteria | None, as_of: date | None) -> Assessment:
    criteria = criteria or default_criteria()
    as_of = as_of or consult.consult_date or date.today()
    agents = classify_regimens(consult, criteria)
    resistance = assess_resistance(consult, criteria, agents)
    lines = count_lines(consult, criteria, agents)
    # a regimen stopped for a reaction to ixabepilone answers the history's question with yes
    reactions = ixabepilone_reactions(consult, agents)
    prior_reaction = True if reactions else consult.history.prior_ixabepilone_reaction
    derived: dict[str, V] = {}
    if reactions:
        where = ", ".join(str(i + 1) for i in reactions)
        derived["prior_ixabepilone_reaction"] = Value(
            field=f"regimens[{reactions[0]}].stop_reason", label="Prior hypersensitivity reaction to ixabepilone",
            value=f"yes: regimen {where} (ixabepilone) stopped for hypersensitivity")
    ctx = Context(consult=consult, criteria=criteria, as_of=as_of, agents=agents,
                  resistance={r.drug_class: r for r in resistance}, lines={lc.kind: lc for lc in lines},
                  derived_flags=derived)
    findings = []
    for rule in criteria.rules:
        f = evaluate_rule(rule, ctx)
        ctx.findings[rule.id] = f
        findings.append(f)

    meds_known = consult.history.medications is not None
    strong_inh = ctx.medication_check("strong_inhibitor")
    # what no dictionary entry names: it could be of any class, so it stays open everywhere
    unrecognised = list(dict.fromkeys(u for ln in ctx.medication_lines() for u in ln.unrecognised))
    dose = compute_dose(
        consult, criteria,
        strong_inh.hits if meds_known else None,
        ctx.medication_check("strong_inducer").hits if meds_known else None,
        prior_reaction=prior_reaction,
        unrecognised=unrecognised,
        moderate_inhibitors=ctx.medication_check("moderate_inhibitor").hits,
        moderate_inducers=ctx.medication_check("moderate_inducer").hits,
        inhibitor_unverified=strong_inh.unverified,
    )

    notes: list[Said | str] = []  # a note with a date is a Said: readers format its dates
    for a in agents:
        if a.unrecognised:
            notes.append(f"Regimen {a.index + 1}: {', '.join(repr(u) for u in a.unrecognised)} not found in the formulary; "
                         "not counted as an anthracycline, taxane or capecitabine.")
        if "epothilone" in a.classes:
            notes.append(f"Regimen {a.index + 1} contains ixabepilone: this would be re-treatment.")
        if a.index in reactions and consult.history.prior_ixabepilone_reaction is False:
            notes.append(f"Regimen {a.index + 1} (ixabepilone) stopped for hypersensitivity, but the history "
                         "says no prior reaction to ixabepilone: counted as a prior reaction.")
    for i, reg in enumerate(consult.regimens):
        # ongoing yet progressed: still given beside ixabepilone, or stopped without a last dose?
        if reg.ongoing and (reg.progressed or reg.progression_date is not None):
            when = reg.progression_date
            if when is None or when.earliest <= as_of:
                notes.append(said(f"Regimen {i + 1} is recorded as ongoing although progression was recorded",
                                  *((" on ", when) if when is not None else ()),
                                  ": check whether it is still given; if it has stopped, record its last dose."))
    for u in unrecognised:
        notes.append(f"Medication {unrecognised_label([u])} (not counted as 'no interaction').")
    if consult.consult_date is None:
        notes.append(said("No consult date: dates are judged as of ", as_of, "."))

    # One entry per consult field (the first, most specific wording wins): this is the to-do list.
    seen: dict[str, Missing] = {}
    for group in ([m for r in resistance for m in r.missing], [m for lc in lines for m in lc.missing],
                  [m for f in findings for m in f.missing], dose.missing):
        for m in group:
            seen.setdefault(m.field, m)
    missing = list(seen.values())

    return Assessment(
        as_of=as_of, consult_date=consult.consult_date, plan=consult.plan.regimen,
        criteria=CriteriaInfo(name=criteria.info.name, version=criteria.version, sha256=criteria.sha256,
                              reviewed=criteria.reviewed, reviewed_sha256=criteria.reviewed_sha256,
                              notice=criteria.notice),
        resistance=resistance, lines=lines, findings=findings,
        blocking=[f.id for f in findings if f.severity == "blocking"],
        warnings=[f.id for f in findings if f.severity == "warning"],
        dose=dose, data_notes=[str(n) for n in notes], missing=missing,
        data_notes_parts=[parts(n) for n in notes],
    )
