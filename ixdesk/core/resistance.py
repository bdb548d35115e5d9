"""Anthracycline, taxane and capecitabine resistance, per regimen and per class, every step shown.

Semantics (label windows, criteria/resistance.yaml):
- progression on or before the last dose, or during an ongoing regimen, is progression on therapy;
- otherwise the window runs in calendar months (or weeks) from the last dose, inclusive of its end;
- neoadjuvant counts as the adjuvant (early-disease) setting;
- a class is resistant if any regimen of it is; unknown if none is and any is unknown.
- the window runs from the last dose of the class: the latest own last dose of the regimen's agents
  of that class (``Regimen.agent_last_doses``), an agent without its own stopping with the regimen;
  progression during maintenance without the class is judged by that window, not "on therapy".
A missing date or setting gives *unknown* naming the field, unless every value it could take gives
the same result (progression inside both the adjuvant and the metastatic window): then the result
is that result, with a note naming what was missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from ixdesk.core.assessment import ClassResistance, Missing, RegimenResistance, ResistanceResult, Source
from ixdesk.core.consult import Consult, Regimen
from ixdesk.core.criteria import ClassWindows, Criteria, SourceRef, Window
from ixdesk.core.formulary import match_agent


@dataclass(frozen=True)
class RegimenAgents:
    """What the formulary makes of one regimen's typed agent names."""

    index: int
    matched: tuple[str, ...]  # formulary agent names
    classes: frozenset[str]
    unrecognised: tuple[str, ...]
    cremophor: bool | None  # None: an agent may or may not be a Cremophor EL product (unspecified taxane)
    # the classes of each typed agent, in the regimen's order: a class's last dose is its own agents'
    typed_classes: tuple[frozenset[str], ...] = ()


def classify_regimens(consult: Consult, criteria: Criteria) -> list[RegimenAgents]:
    out: list[RegimenAgents] = []
    for i, reg in enumerate(consult.regimens):
        matched: list[str] = []
        classes: set[str] = set()
        unknown: list[str] = []
        cremophor: bool | None = False
        typed_classes: list[frozenset[str]] = []
        for typed in reg.agents:
            agents = match_agent(typed, criteria)
            if not agents:
                unknown.append(typed)
            typed_classes.append(frozenset(a.class_ for a in agents))
            for a in agents:
                if a.name not in matched:
                    matched.append(a.name)
                classes.add(a.class_)
                if a.cremophor is True:
                    cremophor = True
                elif a.cremophor is None and cremophor is False:
                    cremophor = None
        out.append(RegimenAgents(i, tuple(matched), frozenset(classes), tuple(unknown), cremophor, tuple(typed_classes)))
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


CONFIDENCE_ORDER = {"label": 0, "trial": 1, "payer": 2, "unverified": 3}
SETTING_TEXT = {"early": "adjuvant/neoadjuvant", "metastatic": "metastatic"}


@dataclass(frozen=True)
class ClassStop:
    """When one class's agents stopped within a regimen (facts sheet section 11: the window runs from
    the last dose of the class, not of the regimen)."""

    last: date | None  # the class's last dose; None: still given (``still_given``) or not recorded
    still_given: bool  # the regimen is ongoing and some agent of the class has no own last dose
    agent: str | None  # the typed agent whose own last dose ``last`` is; None: the regimen's last dose
    earliest: date | None  # ``last`` not recorded: the earliest it can be (start, or an agent's own last dose)
    text: str  # how it was found, for the reason; "" for a plain one-date regimen
    earliest_from: str = ""  # what ``earliest`` is: "the start date", "docetaxel's own last dose"


def class_stop(reg: Regimen, cls: str, agents: RegimenAgents) -> ClassStop:
    """The latest last dose among the regimen's agents of ``cls``; an agent without its own date
    stopped with the regimen (so the regimen's last dose, or 'still given' while it is ongoing)."""
    typed = [t for t, classes in zip(reg.agents, agents.typed_classes, strict=True) if cls in classes]
    own = [(reg.agent_last_dose(t), t) for t in typed]
    dated = [(d, t) for d, t in own if d is not None]
    if typed and len(dated) == len(own):
        d, t = max(dated, key=lambda x: x[0])
        if reg.ongoing:
            rest = "; the regimen went on and is ongoing"
        elif reg.last_dose_date and reg.last_dose_date != d:
            rest = f"; the regimen went on to {reg.last_dose_date.isoformat()}"
        else:
            rest = ""
        return ClassStop(d, False, t, None, f"{cls} last dose {d.isoformat()} ({t}'s own last dose{rest})")
    undated = ", ".join(t for d, t in own if d is None)
    if reg.ongoing:
        text = f"{cls} still given ({undated}: no own last dose, and the regimen is ongoing)" if dated else ""
        return ClassStop(None, True, None, None, text)
    if reg.last_dose_date is not None:
        text = (f"{cls} last dose {reg.last_dose_date.isoformat()} (the regimen's last dose: {undated} "
                "has no own last-dose date)") if dated else ""
        return ClassStop(reg.last_dose_date, False, None, None, text)
    bounds = [(a.last_dose_date, f"{a.agent}'s own last dose") for a in reg.agent_last_doses]
    if reg.start_date is not None:
        bounds.append((reg.start_date, "the start date"))
    if not bounds:
        return ClassStop(None, False, None, None, "")
    d, what = max(bounds, key=lambda x: x[0])
    return ClassStop(None, False, None, d, "", what)


@dataclass(frozen=True)
class Judged:
    """One scenario's verdict: a class last dose, a progression date and a setting."""

    result: ResistanceResult
    window_setting: str | None  # "on_therapy", "early", "metastatic"
    window: Window | None
    end: date | None


def judge(last: date | None, prog: date, ws: str, cw: ClassWindows) -> Judged:
    """The label rule for known dates; ``last`` None means the class was still being given."""
    if last is None or prog <= last:
        return Judged("resistant", "on_therapy", None, None)
    win = next((w for w in cw.windows if w.setting == ws), None)
    if win is None:
        return Judged("unknown", ws, None, None)
    end = window_end(last, win.months, win.weeks)
    return Judged("resistant" if prog <= end else "not_resistant", ws, win, end)


def _window_text(win: Window) -> str:
    return f"{win.length_text} ({SETTING_TEXT[win.setting]})"


def _regimen_result(reg: Regimen, i: int, cls: str, cw: ClassWindows, agents: RegimenAgents,
                    criteria: Criteria, consult_date: date | None = None) -> RegimenResistance:
    p = f"regimens[{i}]"
    on_rule = criteria.resistance.on_therapy_rule
    stop = class_stop(reg, cls, agents) if cls in agents.classes else ClassStop(
        None if reg.ongoing else reg.last_dose_date, reg.ongoing, None, None, "")
    base = dict(
        regimen_index=i, agents=list(agents.matched) + list(agents.unrecognised), drug_class=cls,
        setting=reg.setting, start_date=reg.start_date, last_dose_date=reg.last_dose_date,
        ongoing=reg.ongoing, progression_date=reg.progression_date,
        class_last_dose_date=stop.last, class_last_dose_agent=stop.agent,
    )
    prefix = f"{stop.text}; " if stop.text else ""

    def make(result: ResistanceResult, reason: str, missing: list[Missing] | None = None, *,
             window_setting=None, elapsed=None, window=None, window_end=None, rule=None,
             confidence=None, notes: list[str] | None = None) -> RegimenResistance:
        src = rule.source if rule is not None else None
        return RegimenResistance.trusted(  # engine output: no re-validation (see Frozen.trusted)
            **base, window_setting=window_setting, elapsed=elapsed,
            elapsed_days=(reg.progression_date - stop.last).days
            if elapsed is not None and reg.progression_date and stop.last else None,
            window=window, window_end=window_end,
            result=result, reason=prefix + reason, missing=missing or [],
            source=cached_source(src, criteria) if src else None,
            confidence=confidence or (rule.confidence if rule is not None else None),
            notes=notes or [],
        )

    progressed = reg.has_progressed
    if progressed is False:
        return make("not_resistant", "no progression or recurrence recorded after this regimen")
    if progressed is None:
        return make("unknown", "whether the disease progressed after this regimen is not recorded",
                    [Missing(field=f"{p}.progressed", label=f"regimen {i + 1}: progression after it (yes/no)")])
    miss_setting = Missing(field=f"{p}.setting", label=f"regimen {i + 1}: setting")
    miss_prog = Missing(field=f"{p}.progression_date", label=f"regimen {i + 1}: date of progression")
    miss_last = Missing(field=f"{p}.last_dose_date", label=f"regimen {i + 1}: last dose date or 'ongoing'")
    prog = reg.progression_date
    last = stop.last
    ws_known = None if reg.setting is None else ("metastatic" if reg.setting == "metastatic" else "early")
    the_last = "the last dose" if not stop.text else f"the {cls} last dose"

    if prog is not None and (stop.still_given or last is not None):
        if stop.still_given:
            return make("resistant", f"progression on {prog.isoformat()} while the regimen was ongoing (on therapy)",
                        window_setting="on_therapy", rule=on_rule)
        assert last is not None
        elapsed = describe_elapsed(last, prog)
        if prog <= last:
            when = "on the day of" if prog == last else f"{elapsed.removesuffix(' before')} before"
            return make("resistant", f"progression on {prog.isoformat()}, {when} {the_last} ({last.isoformat()}): progression on therapy",
                        window_setting="on_therapy", elapsed=elapsed, rule=on_rule)
        if ws_known is not None:
            j = judge(last, prog, ws_known, cw)
            setting_text = SETTING_TEXT[ws_known]
            if j.window is None:
                return make("unknown", f"no {cls} resistance window is defined for the {setting_text} setting; "
                            "only progression on therapy counts by the sources, so this needs the clinician's judgement",
                            window_setting=ws_known, elapsed=elapsed)
            assert j.end is not None
            wt = _window_text(j.window)
            if j.result == "resistant":
                return make("resistant", f"progression {elapsed} after {the_last}, within the {wt} window ending {j.end.isoformat()}",
                            window_setting=ws_known, elapsed=elapsed, window=wt, window_end=j.end, rule=j.window)
            after = "" if not stop.text else f" (progression after the {cls} stopped is not progression on {cls} therapy)"
            return make("not_resistant", f"progression {elapsed} after {the_last}, after the {wt} window ended on {j.end.isoformat()}{after}",
                        window_setting=ws_known, elapsed=elapsed, window=wt, window_end=j.end, rule=j.window)
        # the setting is not recorded: decided only if every setting gives the same answer
        scen = {ws: judge(last, prog, ws, cw) for ws in ("early", "metastatic")}
        each = "; ".join(_scenario_text(ws, j) for ws, j in scen.items())
        results = {j.result for j in scen.values()}
        if len(results) == 1 and results != {"unknown"}:
            result = next(iter(results))
            deciding = _decisive(list(scen.values()), result)
            note = f"setting not recorded: {result.replace('_', ' ')} in either setting"
            return make(result, f"progression {elapsed} after {the_last}: {each}; the setting is not recorded, but either gives the same result",
                        elapsed=elapsed, window=" / ".join(_window_text(j.window) for j in scen.values() if j.window),
                        window_end=deciding.end, rule=deciding.window, confidence=_weakest(scen.values()),
                        notes=[note])
        return make("unknown", f"progression {elapsed} after {the_last}: {each}; the setting (adjuvant or metastatic) decides the window and is not recorded",
                    [miss_setting], elapsed=elapsed)

    # A date is missing: the result is decided only if the extreme values agree. The class's last
    # dose can be no earlier than ``earliest`` (a later one only widens the window, up to 'on therapy');
    # progression is no earlier than the start (on therapy) and no later than the consult date.
    missing: list[Missing] = []
    notes: list[str] = []
    if stop.still_given:
        # any date of a progression during an ongoing regimen is on therapy
        return make("resistant", "progression (date not recorded) while the regimen is ongoing: on therapy whatever its date",
                    window_setting="on_therapy", rule=on_rule,
                    notes=["progression date not recorded: any date during the ongoing regimen is on therapy"])
    worst_last = last if last is not None else stop.earliest
    worst_prog = prog if prog is not None else consult_date
    if last is None:
        missing.append(miss_last)
        if stop.earliest is not None:
            notes.append(f"last dose not recorded: taken as early as it can be ({stop.earliest_from}, "
                         f"{stop.earliest.isoformat()})")
    if prog is None:
        missing.append(miss_prog)
        if consult_date is not None:
            notes.append(f"progression date not recorded: taken as late as it can be (the consult date, {consult_date.isoformat()})")
    settings = [ws_known] if ws_known is not None else ["early", "metastatic"]
    if worst_last is not None and worst_prog is not None:
        scen = {ws: judge(worst_last, worst_prog, ws, cw) for ws in settings}
        if all(j.result == "resistant" for j in scen.values()):
            if ws_known is None:
                notes.append("setting not recorded: resistant in either setting")
            deciding = _decisive(list(scen.values()), "resistant")
            each = "; ".join(_scenario_text(ws, j) for ws, j in scen.items())
            ws_all = {j.window_setting for j in scen.values()}
            window_setting = ws_all.pop() if len(ws_all) == 1 and (ws_known is not None or "on_therapy" in ws_all) else None
            unknown_words = " and ".join(w for w, m in (("last dose", last is None), ("progression date", prog is None),
                                                        ("setting", ws_known is None)) if m)
            return make("resistant", f"{'; '.join(notes)}; even then: {each}, so resistant whatever the {unknown_words}",
                        window_setting=window_setting,
                        window=" / ".join(_window_text(j.window) for j in scen.values() if j.window) or None,
                        window_end=deciding.end, rule=deciding.window or on_rule,
                        confidence=_weakest(scen.values(), on_rule.confidence), notes=notes)
    if ws_known is None:
        missing.append(miss_setting)
    if prog is None and last is not None:
        return make("unknown", "progression is recorded without its date", missing)
    if last is None and prog is not None:
        return make("unknown", "the last dose date is not recorded (and the regimen is not marked ongoing)", missing)
    return make("unknown", "neither the last dose date nor the date of progression is recorded", missing)


def _scenario_text(ws: str, j: Judged) -> str:
    """'adjuvant/neoadjuvant: resistant (6-month window to 2025-02-28)'."""
    head = SETTING_TEXT[ws]
    if j.window_setting == "on_therapy":
        return f"{head}: resistant (on therapy)"
    if j.window is None:
        return f"{head}: no window defined (clinician's judgement)"
    assert j.end is not None
    rel = "within" if j.result == "resistant" else "after"
    return f"{head}: {j.result.replace('_', ' ')} ({rel} the {j.window.length_text} window ending {j.end.isoformat()})"


def _decisive(js: list[Judged], result: ResistanceResult) -> Judged:
    """The window that decides a result every scenario gives: for resistant the one that ends first
    (progression is inside it, so inside all), for not resistant the one that ends last."""
    windowed = [j for j in js if j.end is not None]
    if not windowed:
        return js[0]
    pick = min if result == "resistant" else max
    return pick(windowed, key=lambda j: j.end or date.min)


def _weakest(js: Any, extra: str | None = None) -> str | None:
    """A result every scenario gives is only as firm as the least certain window it used."""
    confs = [j.window.confidence for j in js if j.window is not None] + ([extra] if extra else [])
    return max(confs, key=lambda c: CONFIDENCE_ORDER.get(c, 9)) if confs else None


@lru_cache(maxsize=4096)
def window_end(last: date, months: int | None, weeks: int | None) -> date:
    """Last day of a resistance window: calendar months (31 Aug + 6 months = 28/29 Feb) or weeks.

    Cached, like ``describe_elapsed``: relativedelta arithmetic is the slowest step of an assessment
    the window repeats on every keystroke with the same dates."""
    return last + (relativedelta(months=months) if months is not None else timedelta(weeks=weeks or 0))


def _notes_text(rows: list[RegimenResistance]) -> str:
    """A class result decided despite a missing input says so: '; regimen 1: setting not recorded: ...'."""
    parts = [f"regimen {r.regimen_index + 1}: {n}" for r in rows for n in r.notes]
    return "; " + "; ".join(parts) if parts else ""


# An empty regimen table is "not recorded yet" until the clinician states there was no prior therapy.
REGIMENS_MISSING = Missing(field="regimens", label="prior regimens (or tick 'no prior systemic therapy')")


def assess_resistance(consult: Consult, criteria: Criteria, agents: list[RegimenAgents]) -> list[ClassResistance]:
    labels = {c.id: c.label for c in criteria.formulary.classes}
    out: list[ClassResistance] = []
    any_unrecognised = [a for a in agents if a.unrecognised]
    for cw in criteria.resistance.classes:
        cls = cw.drug_class
        rows = [
            _regimen_result(consult.regimens[a.index], a.index, cls, cw, a, criteria, consult.consult_date)
            for a in agents if cls in a.classes
        ]
        results = {r.result for r in rows}
        missing: list[Missing] = []
        label = labels.get(cls, cls)
        if "resistant" in results:
            result: ResistanceResult = "resistant"
            which = ", ".join(str(r.regimen_index + 1) for r in rows if r.result == "resistant")
            summary = f"{label}-resistant (regimen {which})" + _notes_text([r for r in rows if r.result == "resistant"])
        elif "unknown" in results:
            result = "unknown"
            for r in rows:
                missing.extend(r.missing)
            summary = f"{label} resistance unknown" + (f": missing {', '.join(m.label for m in missing)}" if missing else ": needs clinical judgement")
        elif rows:
            result = "not_resistant"
            summary = f"not {label.lower()}-resistant by the label definition" + _notes_text(rows)
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
