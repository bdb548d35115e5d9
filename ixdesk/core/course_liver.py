"""The combination's liver-test contraindication, read on the cycle's own labs (facts sheet 4, 5).

The PI contraindicates ixabepilone with capecitabine when AST or ALT > 2.5 × ULN or bilirubin
> 1 × ULN. That rule is the criteria's ``exclusion.hepatic_combination`` (one place for its limits
and its source); here it runs on the labs of the cycle about to start instead of the consult's.

The PI's cycle-start gate is counts and toxicity only: it asks for no liver tests before each
cycle. So tests not drawn with the cycle's labs never stop the cycle and never read as "within
the limits" either: they are named, with the consult's last values beside them, for the checkers
to look at. A test drawn above the limits is the label contraindication: the cycle holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ixdesk.core.assessment import Missing, State
from ixdesk.core.conditions import LAB_LABEL, LabCompare, walk
from ixdesk.core.consult import Consult, Labs, NextCycle, UlnLab
from ixdesk.core.course_result import LiverCheck, LiverTest
from ixdesk.core.criteria import Criteria

HEPATIC_COMBINATION = "exclusion.hepatic_combination"
_NC_LABS = "course.next_cycle.labs"


def _tests(labs: Labs, limits: Mapping[str, float], above: dict[str, State]) -> list[LiverTest]:
    out = []
    for name, limit in limits.items():
        lab: UlnLab | None = getattr(labs, name)
        out.append(LiverTest(name=name, label=LAB_LABEL[name], limit_x_uln=limit,
                             value=None if lab is None else lab.value, uln=None if lab is None else lab.uln,
                             unit=None if lab is None else lab.unit, x_uln=None if lab is None else lab.x_uln,
                             above=above.get(name, "unknown")))
    return out


def _judge(prog: Any, consult: Consult, criteria: Criteria, labs: Labs, cycle_date: date) -> tuple[State, dict[str, State]]:
    """The rule on ``labs``: its state, and each test's (met: above its limit)."""
    from ixdesk.core.evaluate import Context  # the rule engine's context; imported late (it is heavy)

    ctx = Context(consult=consult.model_copy(update={"labs": labs}), criteria=criteria,
                  as_of=cycle_date, agents=[], resistance={}, lines={})
    ev = prog.when(ctx)
    above: dict[str, State] = {}
    for child in ev.children or [ev]:
        field = (child.values or child.missing or [("", "")])[0][0]
        name = field.rpartition(".")[2]
        above[name] = "unknown" if child.state is None else ("met" if child.state else "not_met")
    return ("unknown" if ev.state is None else ("met" if ev.state else "not_met")), above


def liver_check(consult: Consult, criteria: Criteria, nc: NextCycle, cycle_date: date) -> LiverCheck | None:
    """None when the plan is recorded and is not ixabepilone with capecitabine (the
    contraindication's plan). With no plan recorded the check runs: a course may well be the
    combination, and a test above the limit must not pass unseen."""
    prog = criteria.programs()[HEPATIC_COMBINATION]
    rule = prog.rule
    if rule.plans is not None and consult.plan.regimen is not None and consult.plan.regimen not in rule.plans:
        return None
    # the lab leaves of the rule, in its order: each test's own limit (> limit is contraindicated)
    limits: dict[str, float] = {c.lab.name: c.lab.x_uln for c in walk(rule.when) if isinstance(c, LabCompare) and c.lab.x_uln is not None}
    state, above = _judge(prog, consult, criteria, nc.labs, cycle_date)
    tests = _tests(nc.labs, limits, above)
    missing = [Missing(field=f"{_NC_LABS}.{t.name}", label=f"{t.label} with its upper limit of normal, with this cycle's labs")
               for t in tests if t.value is None]
    not_drawn = state == "unknown" or bool(missing)
    last: list[LiverTest] = []
    last_state: State | None = None
    if not_drawn:
        # the consult's last value stands for a test not drawn with the cycle's labs: one above its
        # limit is the contraindication as much as a new one (nothing newer says otherwise)
        absent = {t.name for t in tests if t.value is None}
        merged = nc.labs.model_copy(update={n: getattr(consult.labs, n) for n in absent})
        last_state, merged_above = _judge(prog, consult, criteria, merged, cycle_date)
        last = [t for t in _tests(consult.labs, limits, merged_above) if t.value is not None and t.name in absent]
    return LiverCheck(rule=rule.id, statement=prog.statement, source=f"{rule.source.document}, {rule.source.section}",
                      state=state, labs_date=nc.labs.date, tests=tests,
                      last_date=consult.labs.date if not_drawn else None,
                      last=last, missing=missing, last_state=last_state)


__all__ = ["HEPATIC_COMBINATION", "liver_check"]
