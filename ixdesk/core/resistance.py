"""Anthracycline, taxane and capecitabine resistance, per regimen and per class, every step shown.

Semantics (label windows, criteria/resistance.yaml):
- progression on or before the last dose, or during an ongoing regimen, is progression on therapy;
- otherwise the window runs in calendar months (or weeks) from the last dose, inclusive of its end;
- neoadjuvant counts as the adjuvant (early-disease) setting;
- a class is resistant if any regimen of it is; unknown if none is and any is unknown.
A missing date or setting gives *unknown* naming the field; it never gives a yes or a no.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from ixdesk.core.assessment import ClassResistance, Missing, RegimenResistance, ResistanceResult, Source
from ixdesk.core.consult import Consult, Regimen
from ixdesk.core.criteria import ClassWindows, Criteria, SourceRef
from ixdesk.core.formulary import match_agent

RESISTANCE_CLASSES = ("anthracycline", "taxane", "capecitabine")
SETTING_LABEL = {"neoadjuvant": "neoadjuvant", "adjuvant": "adjuvant", "metastatic": "metastatic"}


@dataclass(frozen=True)
class RegimenAgents:
    """What the formulary makes of one regimen's typed agent names."""

    index: int
    matched: tuple[str, ...]  # formulary agent names
    classes: frozenset[str]
    unrecognised: tuple[str, ...]
    cremophor: bool | None  # None: an agent may or may not be a Cremophor EL product (unspecified taxane)


def classify_regimens(consult: Consult, criteria: Criteria) -> list[RegimenAgents]:
    out: list[RegimenAgents] = []
    for i, reg in enumerate(consult.regimens):
        matched: list[str] = []
        classes: set[str] = set()
        unknown: list[str] = []
        cremophor: bool | None = False
        for typed in reg.agents:
            agents = match_agent(typed, criteria)
            if not agents:
                unknown.append(typed)
            for a in agents:
                if a.name not in matched:
                    matched.append(a.name)
                classes.add(a.class_)
                if a.cremophor is True:
                    cremophor = True
                elif a.cremophor is None and cremophor is False:
                    cremophor = None
        out.append(RegimenAgents(i, tuple(matched), frozenset(classes), tuple(unknown), cremophor))
    return out


def ixabepilone_reactions(consult: Consult, agents: list[RegimenAgents]) -> list[int]:
    """Regimens with ixabepilone that stopped for hypersensitivity: a prior reaction the history
    checkbox may not repeat, and one that must still bring the corticosteroid premedication."""
    return [a.index for a in agents
            if "epothilone" in a.classes and consult.regimens[a.index].stop_reason == "hypersensitivity"]


def source_of(ref: SourceRef, criteria: Criteria) -> Source:
    doc = criteria.documents[ref.document]
    return Source(document=doc.id, title=doc.title, section=ref.section, version=doc.version)


_SOURCES: dict[tuple[str, str, str], Source] = {}


def cached_source(ref: SourceRef, criteria: Criteria) -> Source:
    """Sources are immutable per criteria set; build each once."""
    key = (criteria.sha256, ref.document, ref.section)
    src = _SOURCES.get(key)
    if src is None:
        src = _SOURCES[key] = source_of(ref, criteria)
    return src


@lru_cache(maxsize=4096)
def describe_elapsed(start: date, end: date) -> str:
    """'4 months 12 days' between two dates, in calendar terms; negative spans say 'before'."""
    if end < start:
        return describe_elapsed(end, start) + " before"
    rd = relativedelta(end, start)
    parts = []
    months = rd.years * 12 + rd.months
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    if rd.days or not parts:
        parts.append(f"{rd.days} day{'s' if rd.days != 1 else ''}")
    return " ".join(parts)


def _regimen_result(reg: Regimen, i: int, cls: str, cw: ClassWindows, agents: RegimenAgents,
                    criteria: Criteria) -> RegimenResistance:
    p = f"regimens[{i}]"
    on_rule = criteria.resistance.on_therapy_rule
    base = dict(
        regimen_index=i, agents=list(agents.matched) + list(agents.unrecognised), drug_class=cls,
        setting=reg.setting, start_date=reg.start_date, last_dose_date=reg.last_dose_date,
        ongoing=reg.ongoing, progression_date=reg.progression_date,
    )

    def make(result: ResistanceResult, reason: str, missing: list[Missing] | None = None, *,
             window_setting=None, elapsed=None, window=None, window_end=None, rule=None) -> RegimenResistance:
        src = rule.source if rule is not None else None
        return RegimenResistance.trusted(  # engine output: no re-validation (see Frozen.trusted)
            **base, window_setting=window_setting, elapsed=elapsed,
            elapsed_days=(reg.progression_date - reg.last_dose_date).days
            if elapsed is not None and reg.progression_date and reg.last_dose_date else None,
            window=window, window_end=window_end,
            result=result, reason=reason, missing=missing or [],
            source=cached_source(src, criteria) if src else None,
            confidence=rule.confidence if rule is not None else None,
        )

    progressed = reg.has_progressed
    if progressed is False:
        return make("not_resistant", "no progression or recurrence recorded after this regimen")
    if progressed is None:
        return make("unknown", "whether the disease progressed after this regimen is not recorded",
                    [Missing(field=f"{p}.progressed", label=f"regimen {i + 1}: progression after it (yes/no)")])
    prog = reg.progression_date
    if prog is None:
        return make("unknown", "progression is recorded without its date",
                    [Missing(field=f"{p}.progression_date", label=f"regimen {i + 1}: date of progression")])
    if reg.ongoing:
        return make("resistant", f"progression on {prog.isoformat()} while the regimen was ongoing (on therapy)",
                    window_setting="on_therapy", rule=on_rule)
    last = reg.last_dose_date
    if last is None:
        return make("unknown", "the last dose date is not recorded (and the regimen is not marked ongoing)",
                    [Missing(field=f"{p}.last_dose_date", label=f"regimen {i + 1}: last dose date or 'ongoing'")])
    if prog <= last:
        when = "on the day of" if prog == last else f"{describe_elapsed(last, prog).removesuffix(' before')} before"
        return make("resistant", f"progression on {prog.isoformat()}, {when} the last dose ({last.isoformat()}): progression on therapy",
                    window_setting="on_therapy", elapsed=describe_elapsed(last, prog), rule=on_rule)
    if reg.setting is None:
        return make("unknown", "progression came after the last dose; the setting (adjuvant or metastatic) decides the window and is not recorded",
                    [Missing(field=f"{p}.setting", label=f"regimen {i + 1}: setting")],
                    elapsed=describe_elapsed(last, prog))
    ws = "metastatic" if reg.setting == "metastatic" else "early"
    win = next((w for w in cw.windows if w.setting == ws), None)
    setting_text = "metastatic" if ws == "metastatic" else "adjuvant/neoadjuvant"
    if win is None:
        return make("unknown", f"no {cls} resistance window is defined for the {setting_text} setting; "
                    "only progression on therapy counts by the sources, so this needs the clinician's judgement",
                    window_setting=ws, elapsed=describe_elapsed(last, prog))
    end = window_end(last, win.months, win.weeks)
    elapsed = describe_elapsed(last, prog)
    window_text = f"{win.length_text} ({setting_text})"
    if prog <= end:
        return make("resistant", f"progression {elapsed} after the last dose, within the {window_text} window ending {end.isoformat()}",
                    window_setting=ws, elapsed=elapsed, window=window_text, window_end=end, rule=win)
    return make("not_resistant", f"progression {elapsed} after the last dose, after the {window_text} window ended on {end.isoformat()}",
                window_setting=ws, elapsed=elapsed, window=window_text, window_end=end, rule=win)


@lru_cache(maxsize=4096)
def window_end(last: date, months: int | None, weeks: int | None) -> date:
    """Last day of a resistance window: calendar months (31 Aug + 6 months = 28/29 Feb) or weeks.

    Cached, like ``describe_elapsed``: relativedelta arithmetic is the slowest step of an assessment
    the window repeats on every keystroke with the same dates."""
    return last + (relativedelta(months=months) if months is not None else timedelta(weeks=weeks or 0))


# An empty regimen table is "not recorded yet" until the clinician states there was no prior therapy.
REGIMENS_MISSING = Missing(field="regimens", label="prior regimens (or tick 'no prior systemic therapy')")


def assess_resistance(consult: Consult, criteria: Criteria, agents: list[RegimenAgents]) -> list[ClassResistance]:
    labels = {c.id: c.label for c in criteria.formulary.classes}
    out: list[ClassResistance] = []
    any_unrecognised = [a for a in agents if a.unrecognised]
    for cw in criteria.resistance.classes:
        cls = cw.drug_class
        rows = [
            _regimen_result(consult.regimens[a.index], a.index, cls, cw, a, criteria)
            for a in agents if cls in a.classes
        ]
        results = {r.result for r in rows}
        missing: list[Missing] = []
        label = labels.get(cls, cls)
        if "resistant" in results:
            result: ResistanceResult = "resistant"
            which = ", ".join(str(r.regimen_index + 1) for r in rows if r.result == "resistant")
            summary = f"{label}-resistant (regimen {which})"
        elif "unknown" in results:
            result = "unknown"
            for r in rows:
                missing.extend(r.missing)
            summary = f"{label} resistance unknown" + (f": missing {', '.join(m.label for m in missing)}" if missing else ": needs clinical judgement")
        elif rows:
            result = "not_resistant"
            summary = f"not {label.lower()}-resistant by the label definition"
        elif not consult.regimens and not consult.no_prior_systemic_therapy:
            result = "unknown"
            missing.append(REGIMENS_MISSING)
            summary = f"{label} resistance unknown: no prior regimens recorded"
        elif any_unrecognised:
            result = "unknown"
            for a in any_unrecognised:
                missing.append(Missing(field=f"regimens[{a.index}].agents",
                                       label=f"regimen {a.index + 1}: agent(s) not recognised ({', '.join(a.unrecognised)})"))
            summary = f"no {label.lower()} recognised, but some agents are not recognised"
        else:
            result = "not_exposed"
            summary = f"no prior {label.lower()} recorded"
        out.append(ClassResistance.trusted(drug_class=cls, label=label, result=result, summary=summary, regimens=rows,
                                           missing=missing))
    return out
