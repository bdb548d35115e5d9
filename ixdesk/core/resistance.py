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
A month-only date ("2024-02", :class:`~ixdesk.core.dates.PartialDate`) is the same kind of missing
input, bounded: its possible days run from the 1st to the month's last day (tightened by the start
and the consult date). The result only grows more "resistant" with a later last dose and an earlier
progression, so the two extreme pairs decide it: if both give the same answer every day does, and
it is decided with a note; otherwise it is unknown, naming the date whose day is not recorded.
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
from ixdesk.core.dated_text import Said, from_parts, join, parts, said
from ixdesk.core.dates import PartialDate
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

    last: PartialDate | None  # the class's last dose; None: still given (``still_given``) or not recorded
    still_given: bool  # the regimen is ongoing and some agent of the class has no own last dose
    agent: str | None  # the typed agent whose own last dose ``last`` is; None: the regimen's last dose
    earliest: date | None  # ``last`` not recorded: the earliest it can be (start, or an agent's own last dose)
    text: Said | str  # how it was found, for the reason; "" for a plain one-date regimen
    earliest_from: Said | str = ""  # what ``earliest`` is: "the start date", "docetaxel's own last dose"
    # the range of days the class's last dose can be (equal when every date it rests on is full)
    lo: date | None = None
    hi: date | None = None
    # the month-only dates it rests on: (field under ``regimens[i].``, words, value), e.g.
    # ("agent_last_doses[0].last_dose_date", "docetaxel's last dose date", PartialDate("2024-02"))
    partial: tuple[tuple[str, str, PartialDate], ...] = ()


def _regimen_stop(reg: Regimen, text: Said | str = "") -> ClassStop:
    """The class stopped with the regimen: its last dose (a range if month-only), or still given."""
    d = None if reg.ongoing else reg.last_dose_date
    if d is None:
        return ClassStop(None, reg.ongoing, None, None, text)
    partial = (("last_dose_date", "last dose date", d),) if not d.is_full else ()
    # the regimen's last dose is the last of any agent: no earlier than an agent's own last dose
    lo = max([d.earliest] + [a.last_dose_date.earliest for a in reg.agent_last_doses])
    return ClassStop(d, False, None, None, text, lo=min(lo, d.latest), hi=d.latest, partial=partial)


def class_stop(reg: Regimen, cls: str, agents: RegimenAgents) -> ClassStop:
    """The latest last dose among the regimen's agents of ``cls``; an agent without its own date
    stopped with the regimen (so the regimen's last dose, or 'still given' while it is ongoing)."""
    typed = [t for t, classes in zip(reg.agents, agents.typed_classes, strict=True) if cls in classes]
    own = [(reg.agent_last_dose(t), t) for t in typed]
    dated = [(d, t) for d, t in own if d is not None]
    if typed and len(dated) == len(own):
        # the latest of the agents' own last doses; with month-only dates, a range from the latest
        # first day to the latest last day (no agent's own last dose is after the regimen's)
        cap = None if reg.ongoing or reg.last_dose_date is None else reg.last_dose_date.latest
        bounds = [(d, t, d.earliest, min(d.latest, cap) if cap else d.latest) for d, t in dated]
        lo = max(b[2] for b in bounds)
        hi = max(b[3] for b in bounds)
        d, t, _, _ = max(bounds, key=lambda b: (b[3], b[2]))
        index = {a.agent.casefold(): k for k, a in enumerate(reg.agent_last_doses)}
        partial = tuple((f"agent_last_doses[{index[tt.strip().casefold()]}].last_dose_date", f"{tt}'s last dose date", dd)
                        for dd, tt, _, h in bounds if not dd.is_full and h >= lo)
        rest: Said | str
        if reg.ongoing:
            rest = "; the regimen went on and is ongoing"
        elif reg.last_dose_date and reg.last_dose_date != d:
            rest = said("; the regimen went on to ", reg.last_dose_date)
        else:
            rest = ""
        return ClassStop(d, False, t, None, said(f"{cls} last dose ", d, f" ({t}'s own last dose", rest, ")"),
                         lo=lo, hi=max(lo, hi), partial=partial)
    undated = ", ".join(t for d, t in own if d is None)
    text: Said | str
    if reg.ongoing:
        text = f"{cls} still given ({undated}: no own last dose, and the regimen is ongoing)" if dated else ""
        return ClassStop(None, True, None, None, text)
    if reg.last_dose_date is not None:
        text = said(f"{cls} last dose ", reg.last_dose_date, f" (the regimen's last dose: {undated} "
                    "has no own last-dose date)") if dated else ""
        return _regimen_stop(reg, text)
    # the earliest a missing last dose can be: a month-only date's first day
    floors = [(a.last_dose_date.earliest, said(f"{a.agent}'s own last dose", _day_missing(a.last_dose_date)))
              for a in reg.agent_last_doses]
    if reg.start_date is not None:
        floors.append((reg.start_date.earliest, said("the start date", _day_missing(reg.start_date))))
    if not floors:
        return ClassStop(None, False, None, None, "")
    e, what = max(floors, key=lambda x: x[0])
    return ClassStop(None, False, None, e, "", what)


def _day_missing(d: PartialDate) -> Said:
    """' 2024-02, day not recorded: its first day' after a month-only bound's name; '' for a full date."""
    return said() if d.is_full else said(" ", d, ", day not recorded: its first day")


def _on(d: PartialDate) -> Said:
    """'on 2024-05-15', or 'in 2024-05 (day not recorded)'."""
    return said("on ", d) if d.is_full else said("in ", d, " (day not recorded)")


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
    stop = class_stop(reg, cls, agents) if cls in agents.classes else _regimen_stop(reg)
    prog_pd = reg.progression_date
    # the month-only dates this computation rests on: (field, words, value)
    partial = list(stop.partial) if stop.last is not None else []
    if prog_pd is not None and not prog_pd.is_full:
        partial.append(("progression_date", "progression date", prog_pd))
    base = dict(
        regimen_index=i, agents=list(agents.matched) + list(agents.unrecognised), drug_class=cls,
        setting=reg.setting, start_date=reg.start_date, last_dose_date=reg.last_dose_date,
        ongoing=reg.ongoing, progression_date=reg.progression_date,
        class_last_dose_date=stop.last, class_last_dose_agent=stop.agent,
        month_only_dates=[f"{p}.{f}" for f, _, _ in partial],
    )
    last_full = stop.last.as_date if stop.last is not None else None
    prog_full = prog_pd.as_date if prog_pd is not None else None
    prefix = said(stop.text, "; ") if stop.text else said()

    def make(result: ResistanceResult, reason: Said | str, missing: list[Missing] | None = None, *,
             window_setting=None, elapsed=None, window=None, window_end=None, rule=None,
             confidence=None, notes: list[Said | str] | None = None,
             window_end_range: tuple[date, date] | None = None) -> RegimenResistance:
        src = rule.source if rule is not None else None
        return RegimenResistance.trusted(  # engine output: no re-validation (see Frozen.trusted)
            **base, window_setting=window_setting, elapsed=elapsed,
            elapsed_days=(prog_full - last_full).days
            if elapsed is not None and prog_full and last_full else None,
            window=window, window_end=window_end,
            window_end_earliest=window_end_range[0] if window_end_range else None,
            window_end_latest=window_end_range[1] if window_end_range else None,
            result=result, reason=str(prefix + reason), missing=missing or [],
            source=cached_source(src, criteria) if src else None,
            confidence=confidence or (rule.confidence if rule is not None else None),
            notes=[str(n) for n in notes or []],
            reason_parts=parts(prefix + reason), notes_parts=[parts(n) for n in notes or []],
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
    ws_known = None if reg.setting is None else ("metastatic" if reg.setting == "metastatic" else "early")
    the_last = "the last dose" if not stop.text else f"the {cls} last dose"

    # A month-only date bounds its day: first to last day of the month, and no later than the
    # consult date, no earlier than the start (the checks in the consult keep the range non-empty).
    start_lo = reg.start_date.earliest if reg.start_date is not None else None

    def tighten(lo: date, hi: date) -> tuple[date, date]:
        if start_lo is not None:
            lo = max(lo, start_lo)
        if consult_date is not None:
            hi = min(hi, consult_date)
        return lo, max(lo, hi)

    prog_range = tighten(prog_pd.earliest, prog_pd.latest) if prog_pd is not None else None
    last_range = tighten(stop.lo, stop.hi) if stop.lo is not None and stop.hi is not None else None

    if prog_pd is not None and (stop.still_given or stop.last is not None):
        if stop.still_given:
            return make("resistant", said("progression ", _on(prog_pd), " while the regimen was ongoing (on therapy)"),
                        window_setting="on_therapy", rule=on_rule)
        if partial:
            assert prog_range is not None and last_range is not None and stop.last is not None
            return _partial_result(make, partial, i, last_range, prog_range, ws_known,
                                   cw, cls, the_last, on_rule, miss_setting)
    prog = prog_full
    last = last_full

    if prog is not None and last is not None:
        elapsed = describe_elapsed(last, prog)
        if prog <= last:
            when = "on the day of" if prog == last else f"{elapsed.removesuffix(' before')} before"
            return make("resistant", said("progression on ", prog, f", {when} {the_last} (", last, "): progression on therapy"),
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
                return make("resistant", said(f"progression {elapsed} after {the_last}, within the {wt} window ending ", j.end),
                            window_setting=ws_known, elapsed=elapsed, window=wt, window_end=j.end, rule=j.window)
            after = "" if not stop.text else f" (progression after the {cls} stopped is not progression on {cls} therapy)"
            return make("not_resistant", said(f"progression {elapsed} after {the_last}, after the {wt} window ended on ", j.end, after),
                        window_setting=ws_known, elapsed=elapsed, window=wt, window_end=j.end, rule=j.window)
        # the setting is not recorded: decided only if every setting gives the same answer
        scen = {ws: judge(last, prog, ws, cw) for ws in ("early", "metastatic")}
        each = join("; ", (_scenario_text(ws, j) for ws, j in scen.items()))
        results = {j.result for j in scen.values()}
        if len(results) == 1 and results != {"unknown"}:
            result = next(iter(results))
            deciding = _decisive(list(scen.values()), result)
            note = f"setting not recorded: {result.replace('_', ' ')} in either setting"
            return make(result, said(f"progression {elapsed} after {the_last}: ", each, "; the setting is not recorded, but either gives the same result"),
                        elapsed=elapsed, window=" / ".join(_window_text(j.window) for j in scen.values() if j.window),
                        window_end=deciding.end, rule=deciding.window, confidence=_weakest(scen.values()),
                        notes=[note])
        return make("unknown", said(f"progression {elapsed} after {the_last}: ", each, "; the setting (adjuvant or metastatic) decides the window and is not recorded"),
                    [miss_setting], elapsed=elapsed)

    # A date is missing: the result is decided only if the extreme values agree. The class's last
    # dose can be no earlier than ``earliest`` (a later one only widens the window, up to 'on therapy');
    # progression is no earlier than the start (on therapy) and no later than the consult date.
    missing: list[Missing] = []
    notes: list[Said | str] = []
    if stop.still_given:
        # any date of a progression during an ongoing regimen is on therapy
        return make("resistant", "progression (date not recorded) while the regimen is ongoing: on therapy whatever its date",
                    window_setting="on_therapy", rule=on_rule,
                    notes=["progression date not recorded: any date during the ongoing regimen is on therapy"])
    # one of the two dates is missing; the other may be month-only: taken at its least resistant day
    worst_last = last_range[0] if last_range is not None else stop.earliest
    worst_prog = prog_range[1] if prog_range is not None else consult_date
    if last_range is None:
        missing.append(miss_last)
        if stop.earliest is not None:
            notes.append(said("last dose not recorded: taken as early as it can be (", stop.earliest_from, ", ",
                              stop.earliest, ")"))
    elif stop.partial:
        which = join(" and ", (said(f"{w}: day not recorded (", d, ")") for _, w, d in stop.partial))
        notes.append(said(which, ": taken as early as it can be (", last_range[0], ")"))
    if prog_range is None:
        missing.append(miss_prog)
        if consult_date is not None:
            notes.append(said("progression date not recorded: taken as late as it can be (the consult date, ", consult_date, ")"))
    elif prog_pd is not None and not prog_pd.is_full:
        notes.append(said("progression date: day not recorded (", prog_pd, "): taken as late as it can be (",
                          prog_range[1], ")"))
    settings = [ws_known] if ws_known is not None else ["early", "metastatic"]
    if worst_last is not None and worst_prog is not None:
        scen = {ws: judge(worst_last, worst_prog, ws, cw) for ws in settings}
        if all(j.result == "resistant" for j in scen.values()):
            if ws_known is None:
                notes.append("setting not recorded: resistant in either setting")
            deciding = _decisive(list(scen.values()), "resistant")
            each = join("; ", (_scenario_text(ws, j) for ws, j in scen.items()))
            ws_all = {j.window_setting for j in scen.values()}
            window_setting = ws_all.pop() if len(ws_all) == 1 and (ws_known is not None or "on_therapy" in ws_all) else None
            unknown_words = " and ".join(w for w, m in (("last dose", last_range is None), ("progression date", prog_range is None),
                                                        ("setting", ws_known is None)) if m)
            return make("resistant", said(join("; ", notes), "; even then: ", each, f", so resistant whatever the {unknown_words}"),
                        window_setting=window_setting,
                        window=" / ".join(_window_text(j.window) for j in scen.values() if j.window) or None,
                        window_end=deciding.end, rule=deciding.window or on_rule,
                        confidence=_weakest(scen.values(), on_rule.confidence), notes=notes)
    if ws_known is None:
        missing.append(miss_setting)
    if prog_range is None and last_range is not None:
        return make("unknown", "progression is recorded without its date", missing)
    if last_range is None and prog_range is not None:
        return make("unknown", "the last dose date is not recorded (and the regimen is not marked ongoing)", missing)
    return make("unknown", "neither the last dose date nor the date of progression is recorded", missing)


def _partial_result(make: Any, partial: list[tuple[str, str, PartialDate]], i: int,
                    last_range: tuple[date, date], prog_range: tuple[date, date],
                    ws_known: str | None, cw: ClassWindows, cls: str, the_last: str, on_rule: Any,
                    miss_setting: Missing) -> RegimenResistance:
    """Both dates recorded, one or more only to the month: judge the two extreme pairs.

    A later last dose moves the window's end later (calendar months never move it back) and an
    earlier progression is more often inside it, so the most resistant case is (latest last dose,
    earliest progression) and the least is (earliest last dose, latest progression). Every day in
    between gives one of their answers: if they agree, so does every day."""
    p = f"regimens[{i}]"
    (last_lo, last_hi), (prog_lo, prog_hi) = last_range, prog_range
    settings = [ws_known] if ws_known is not None else ["early", "metastatic"]
    # per setting: (most resistant, least resistant)
    scen = {ws: (judge(last_hi, prog_lo, ws, cw), judge(last_lo, prog_hi, ws, cw)) for ws in settings}
    every = [j for pair in scen.values() for j in pair]
    results = {j.result for j in every}
    dated = join("; ", (said(f"{words} ", d, " (day not recorded)") for _, words, d in partial))
    elapsed = _range_elapsed(last_lo, last_hi, prog_lo, prog_hi)
    each = join("; ", (said(
        f"{SETTING_TEXT[ws]}: " if ws_known is None else "",
        "with the last dose on ", last_hi, " and progression on ", prog_lo, ": ", _judged_text(most), ", ",
        "with the last dose on ", last_lo, " and progression on ", prog_hi, ": ", _judged_text(least))
        for ws, (most, least) in scen.items()))
    head = said(dated, f": progression {elapsed} after {the_last}, judged at both ends of the range: ", each)
    windows = [j for j in every if j.window is not None]
    window_text = " / ".join(dict.fromkeys(_window_text(j.window) for j in windows if j.window)) or None

    def end_range(win: Window | None) -> tuple[date, date] | None:
        """The window's earliest and latest possible end, when the last dose is a range."""
        if win is None or last_lo == last_hi:
            return None
        return window_end(last_lo, win.months, win.weeks), window_end(last_hi, win.months, win.weeks)

    one_window = next((j.window for j in windows), None) if ws_known is not None else None
    if len(results) == 1 and results != {"unknown"}:
        result = next(iter(results))
        words = result.replace("_", " ")
        deciding = _decisive([least for _, least in scen.values()] if result == "resistant"
                             else [most for most, _ in scen.values()], result)
        notes: list[Said | str] = [said(f"{w}: day not recorded (", d, f"): {words} whichever day") for _, w, d in partial]
        if ws_known is None:
            notes.append(f"setting not recorded: {words} in either setting")
        kinds = {j.window_setting for j in every}
        on_therapy = "on_therapy" in kinds
        return make(result, said(head, f"; {words} whichever day", " and whichever setting" if ws_known is None else ""),
                    window_setting=kinds.pop() if len(kinds) == 1 else None, elapsed=elapsed,
                    window=window_text, window_end=deciding.end, rule=deciding.window or on_rule,
                    confidence=_weakest(every, on_rule.confidence if on_therapy else None), notes=notes,
                    window_end_range=end_range(deciding.window))
    if results == {"unknown"}:
        setting_text = " or ".join(SETTING_TEXT[ws] for ws in settings)
        return make("unknown", said(head, f"; no {cls} resistance window is defined for the {setting_text} setting; only "
                    "progression on therapy counts by the sources, so this needs the clinician's judgement"),
                    window_setting=ws_known, elapsed=elapsed)
    missing: list[Missing] = []
    day_matters = any(most.result != least.result for most, least in scen.values())
    if day_matters:
        missing.extend(Missing(field=f"{p}.{f}", label=f"regimen {i + 1}: {w}: day not recorded; the result depends on it")
                       for f, w, _ in partial)
    per_setting = {frozenset((most.result, least.result)) for most, least in scen.values()}
    if ws_known is None and len(per_setting) > 1:
        missing.append(miss_setting)
    depends = " and ".join(w for w, m in (("the day", day_matters), ("the setting", ws_known is None and len(per_setting) > 1)) if m)
    return make("unknown", said(head, f"; the result depends on {depends or 'the clinician'}"), missing,
                window_setting=ws_known, elapsed=elapsed, window=window_text, window_end_range=end_range(one_window))


def _range_elapsed(last_lo: date, last_hi: date, prog_lo: date, prog_hi: date) -> str:
    """'2 months 15 days to 3 months 14 days' from last dose to progression over the possible days."""
    shortest, longest = describe_elapsed(last_hi, prog_lo), describe_elapsed(last_lo, prog_hi)
    return shortest if shortest == longest else f"{shortest} to {longest}"


def _judged_text(j: Judged) -> Said | str:
    """'resistant (within the 3 months window ending 2024-05-29)' for one extreme."""
    if j.window_setting == "on_therapy":
        return "resistant (on therapy)"
    if j.window is None:
        return "no window defined (clinician's judgement)"
    assert j.end is not None
    rel = "within" if j.result == "resistant" else "after"
    return said(f"{j.result.replace('_', ' ')} ({rel} the {j.window.length_text} window ending ", j.end, ")")


def _scenario_text(ws: str, j: Judged) -> Said | str:
    """'adjuvant/neoadjuvant: resistant (6-month window to 2025-02-28)'."""
    head = SETTING_TEXT[ws]
    if j.window_setting == "on_therapy":
        return f"{head}: resistant (on therapy)"
    if j.window is None:
        return f"{head}: no window defined (clinician's judgement)"
    assert j.end is not None
    rel = "within" if j.result == "resistant" else "after"
    return said(f"{head}: {j.result.replace('_', ' ')} ({rel} the {j.window.length_text} window ending ", j.end, ")")


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


def _notes_text(rows: list[RegimenResistance]) -> Said:
    """A class result decided despite a missing input says so: '; regimen 1: setting not recorded: ...'."""
    notes = [said(f"regimen {r.regimen_index + 1}: ", from_parts(n)) for r in rows for n in r.notes_parts]
    return said("; ", join("; ", notes)) if notes else said()


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
        summary: Said | str
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
        out.append(ClassResistance.trusted(drug_class=cls, label=label, result=result, summary=str(summary), regimens=rows,
                                           missing=missing, summary_parts=parts(summary)))
    return out
