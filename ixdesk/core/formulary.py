"""Match the agent names a clinician types (generic, brand, shorthand) to formulary agents.

Matching is by exact normalised name, never fuzzy: a near miss must show up as 'not recognised'
rather than be silently mapped to the wrong drug class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ixdesk.core.criteria import Agent, Criteria


def normalise(name: str) -> str:
    """Case, spacing, hyphens, arrows (AC->T, AC→T) and trademark signs do not distinguish drugs."""
    s = name.casefold().replace("®", "").replace("™", "")
    s = re.sub(r"(?:->|→|[\s\-_/>])+", " ", s)
    return s.strip(" .,;")


@dataclass(frozen=True)
class AgentIndex:
    by_name: dict[str, Agent]
    combos: dict[str, tuple[Agent, ...]]
    classes: dict[str, str]  # class id -> label
    endocrine_based: frozenset[str]


_CACHE: dict[str, AgentIndex] = {}


def _build_index(criteria: Criteria) -> AgentIndex:
    by_name: dict[str, Agent] = {}
    for agent in criteria.formulary.agents:
        for n in (agent.name, agent.id.replace("_", " "), *agent.brands, *agent.aliases):
            by_name.setdefault(normalise(n), agent)
    agents_by_id = {a.id: a for a in criteria.formulary.agents}
    combos = {normalise(c.alias): tuple(agents_by_id[a] for a in c.agents) for c in criteria.formulary.combinations}
    idx = AgentIndex(
        by_name=by_name,
        combos=combos,
        classes={c.id: c.label for c in criteria.formulary.classes},
        endocrine_based=frozenset(c.id for c in criteria.formulary.classes if c.endocrine_based),
    )
    return idx


def agent_index(criteria: Criteria) -> AgentIndex:
    """Built once per criteria set (keyed by its hash): matching runs on every keystroke."""
    idx = _CACHE.get(criteria.sha256)
    if idx is None:
        idx = _CACHE[criteria.sha256] = _build_index(criteria)
    return idx


def match_agent(name: str, criteria: Criteria) -> tuple[Agent, ...]:
    """The formulary agents a typed name stands for: one, several (shorthand such as AC), or none."""
    idx = agent_index(criteria)
    key = normalise(name)
    if key in idx.combos:
        return idx.combos[key]
    agent = idx.by_name.get(key)
    return (agent,) if agent else ()
