"""Prior cumulative anthracycline exposure, from the regimens whose doses the chart records.

The label's "further anthracycline therapy is contraindicated" (the monotherapy indication) is most
often about the cumulative dose, so the clinician sees it beside the attestation; IxDesk never
decides the attestation from it. Each agent is summed on its own, in its own mg/m²: the facts
sheet gives no conversion between anthracyclines (no doxorubicin-equivalence factor), so agents
are never added into one number. A recorded dose is counted only when its name is a recognised
anthracycline that is one of the regimen's own agents.
"""

from __future__ import annotations

from decimal import Decimal

from ixdesk.core.assessment import Missing
from ixdesk.core.consult import Consult
from ixdesk.core.course_result import AnthracyclineAgentTotal, AnthracyclineExposure
from ixdesk.core.criteria import Criteria
from ixdesk.core.formulary import match_agent

ANTHRACYCLINE = "anthracycline"


def anthracycline_exposure(consult: Consult, criteria: Criteria) -> AnthracyclineExposure:
    totals: dict[str, Decimal] = {}
    sources: dict[str, list[int]] = {}
    not_recorded: list[int] = []
    notes: list[str] = []
    missing: list[Missing] = []
    for i, reg in enumerate(consult.regimens):
        n = i + 1
        own: list[str] = []  # the regimen's anthracyclines, formulary names, in order
        for typed in reg.agents:
            agents = match_agent(typed, criteria)
            if not agents:
                notes.append(f"Regimen {n}: '{typed}' is not recognised: it may be an anthracycline")
            own += [a.name for a in agents if a.class_ == ANTHRACYCLINE and a.name not in own]
        counted: set[str] = set()
        for k, dose in enumerate(reg.anthracycline_doses):
            match = [a for a in match_agent(dose.agent, criteria) if a.class_ == ANTHRACYCLINE]
            if len(match) != 1:
                notes.append(f"Regimen {n}: the dose recorded for '{dose.agent}' is not counted: "
                             "not one recognised anthracycline")
                missing.append(Missing(field=f"regimens[{i}].anthracycline_doses[{k}].agent",
                                       label=f"regimen {n}: anthracycline of the recorded dose"))
                continue
            name = match[0].name
            if name not in own:
                notes.append(f"Regimen {n}: the dose recorded for {name} is not counted: "
                             "it is not one of the regimen's agents")
                missing.append(Missing(field=f"regimens[{i}].anthracycline_doses[{k}].agent",
                                       label=f"regimen {n}: anthracycline of the recorded dose"))
                continue
            totals[name] = totals.get(name, Decimal(0)) + Decimal(str(dose.cumulative_mg_per_m2))
            sources.setdefault(name, []).append(i)
            counted.add(name)
        lacking = [a for a in own if a not in counted]
        if lacking:
            not_recorded.append(i)
            for a in lacking:
                missing.append(Missing(field=f"regimens[{i}].anthracycline_doses",
                                       label=f"regimen {n}: cumulative {a} dose"))
    if len(totals) > 1:
        notes.append("Shown per agent: no conversion between anthracyclines is sourced, so they are not added together")
    if not_recorded:
        notes.append("A regimen's anthracycline dose is not recorded: the totals are the recorded doses only")
    per_agent = [AnthracyclineAgentTotal(agent=a, cumulative_mg_per_m2=float(t), regimens=sources[a]) for a, t in totals.items()]
    return AnthracyclineExposure(agents=per_agent, not_recorded=not_recorded, notes=notes, missing=missing)
