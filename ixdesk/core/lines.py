"""Prior lines of therapy, as a range when the record is incomplete.

A regimen whose setting is not recorded, or whose agents are not recognised, may or may not count;
keeping a minimum and a maximum lets a pathway answer 'met' or 'not met' when every possible count
agrees, and 'unknown' (naming the regimens) only when they disagree. With no regimen recorded and
no "no prior systemic therapy" statement the count has no upper bound: an empty table is not yet an
answer.
"""

from __future__ import annotations

from ixdesk.core.assessment import LineCount
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria
from ixdesk.core.resistance import REGIMENS_MISSING, RegimenAgents


def count_lines(consult: Consult, criteria: Criteria, agents: list[RegimenAgents]) -> list[LineCount]:
    endocrine = {c.id for c in criteria.formulary.classes if c.endocrine_based}
    out: list[LineCount] = []
    for kind, definition in criteria.lines.items():
        counted: list[int] = []
        uncertain: list[int] = []
        early: list[int] = []
        excluded: list[int] = []
        endocrine_counted: list[int] = []
        # regimens of unknown setting that would be left out if early (adjuvant endocrine therapy alone)
        endocrine_uncertain: set[int] = set()
        # early regimens that may be endocrine therapy alone (an agent not recognised beside endocrine
        # ones, or none recognised): the first line exists only if one of them is not
        maybe_early: list[int] = []
        for a in agents:
            reg = consult.regimens[a.index]
            only_endocrine = bool(a.classes) and a.classes <= endocrine
            maybe_endocrine_only = a.classes <= endocrine  # an unrecognised agent may be one too
            if definition.exclude_endocrine_based:
                if only_endocrine and not a.unrecognised:
                    excluded.append(a.index)
                    continue
                qualifies = None if (not a.classes or only_endocrine) and a.unrecognised else True
            else:
                qualifies = True
            if reg.setting is None:
                uncertain.append(a.index)
                if definition.early_disease_as_first_line and maybe_endocrine_only:
                    endocrine_uncertain.add(a.index)
            elif reg.setting == "metastatic":
                (counted if qualifies else uncertain).append(a.index)
                if qualifies and only_endocrine and not a.unrecognised:
                    endocrine_counted.append(a.index)
            elif definition.early_disease_as_first_line and only_endocrine and not a.unrecognised:
                excluded.append(a.index)  # adjuvant endocrine therapy alone is not the "first line" of A and B
            elif definition.early_disease_as_first_line and maybe_endocrine_only:
                maybe_early.append(a.index)
            elif qualifies:
                early.append(a.index)
        unrecorded = not consult.regimens and not consult.no_prior_systemic_therapy
        minimum = len(counted)
        maximum = len(counted) + len(uncertain)
        if definition.early_disease_as_first_line:
            if early:
                minimum += 1  # all of the early-disease treatment is one line
                maximum += 1
                early = sorted(early + maybe_early)  # within that one line whatever they were
            else:
                if any(i not in endocrine_uncertain for i in uncertain):
                    # with no known early treatment, a regimen of unknown setting adds exactly one line
                    # whichever it was: the first line if early, a metastatic line if not. Endocrine
                    # therapy alone adds none if it was adjuvant, so it alone does not raise the minimum.
                    minimum += 1
                if maybe_early:
                    maximum += 1  # one first line at most, if any of them is not endocrine therapy alone
                    uncertain = sorted(uncertain + maybe_early)
        out.append(LineCount(
            kind=kind, label=definition.label, minimum=minimum, maximum=None if unrecorded else maximum,
            counted=counted, uncertain=uncertain, early_disease=early, excluded_endocrine=excluded,
            endocrine_counted=endocrine_counted,
            early_disease_counted=definition.early_disease_as_first_line and bool(early),
            definition=definition.definition, confidence=definition.confidence,
            missing=[REGIMENS_MISSING] if unrecorded else [],
        ))
    return out
