"""Resistance from the right dates (issue 9, section 3; facts sheet sections 2 and 11).

- A class's window runs from the last dose of that class's agents: docetaxel stopped after six
  cycles while trastuzumab and pertuzumab went on is not "progression on taxane therapy".
- A result every possible value of a missing input gives is decided, with a note; only a result
  that really depends on the missing input is unknown, naming it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from ixdesk.core.assessment import Assessment
from ixdesk.core.consult import Consult
from ixdesk.core.files import describe_validation_error
from tests.core.helpers import consult, reg, run

HER2_POS = {"extent": "metastatic", "er": "negative", "pr": "negative", "her2_ihc": "3+", "her2_ish": "positive"}
CLASS_OF = {"doxorubicin": "anthracycline", "paclitaxel": "taxane", "docetaxel": "taxane", "capecitabine": "capecitabine"}


def row(c: Consult, cls: str, index: int = 0) -> Any:
    return next(r for r in run(c).resistance_for(cls).regimens if r.regimen_index == index)


# --- the setting is not recorded --------------------------------------------------------------

# (agent, last dose, progression, expected): with the setting missing, decided only when the
# adjuvant and the metastatic windows agree
MISSING_SETTING = [
    # anthracycline: metastatic 3 months, adjuvant 6 months, from 15 Jan
    ("doxorubicin", "2025-01-15", "2025-03-15", "resistant"),      # 2 months: inside both
    ("doxorubicin", "2025-01-15", "2025-04-15", "resistant"),      # exact end of the 3-month window
    ("doxorubicin", "2025-01-15", "2025-04-16", "unknown"),        # 3 months + 1 day: adjuvant yes, metastatic no
    ("doxorubicin", "2025-01-15", "2025-07-15", "unknown"),        # exact end of the 6-month window
    ("doxorubicin", "2025-01-15", "2025-07-16", "not_resistant"),  # one day past both
    ("doxorubicin", "2025-01-15", "2025-08-15", "not_resistant"),  # 7 months: outside both
    # month ends: 31 Aug + 3 months = 30 Nov; 31 Aug + 6 months = 28 Feb (29 Feb in a leap year)
    ("doxorubicin", "2024-08-31", "2024-11-30", "resistant"),
    ("doxorubicin", "2024-08-31", "2024-12-01", "unknown"),
    ("doxorubicin", "2024-08-31", "2025-02-28", "unknown"),
    ("doxorubicin", "2024-08-31", "2025-03-01", "not_resistant"),
    ("doxorubicin", "2023-08-31", "2024-02-29", "unknown"),
    ("doxorubicin", "2023-08-31", "2024-03-01", "not_resistant"),
    ("doxorubicin", "2023-11-30", "2024-02-29", "resistant"),      # 30 Nov + 3 months = 29 Feb (leap)
    ("doxorubicin", "2023-11-30", "2024-03-01", "unknown"),
    # taxane: metastatic 4 months, adjuvant 12 months, from a last dose on 29 Feb
    ("paclitaxel", "2024-02-29", "2024-06-29", "resistant"),
    ("paclitaxel", "2024-02-29", "2024-06-30", "unknown"),
    ("paclitaxel", "2024-02-29", "2025-02-28", "unknown"),
    ("paclitaxel", "2024-02-29", "2025-03-01", "not_resistant"),
    # progression on the day of the last dose is on therapy whatever the setting
    ("doxorubicin", "2025-01-15", "2025-01-15", "resistant"),
    # capecitabine has no adjuvant window (only on therapy counts there): the setting always decides
    ("capecitabine", "2025-01-01", "2025-02-26", "unknown"),
    ("capecitabine", "2025-01-01", "2025-05-01", "unknown"),
    ("capecitabine", "2025-01-01", "2025-01-01", "resistant"),
]


@pytest.mark.parametrize("agent,last,prog,expected", MISSING_SETTING)
def test_missing_setting_is_decided_when_both_windows_agree(agent: str, last: str, prog: str, expected: str) -> None:
    c = consult(regimens=[reg(agent, None, start="2020-01-01", last=last, prog=prog)])
    cr = run(c).resistance_for(CLASS_OF[agent])
    r = cr.regimens[0]
    assert cr.result == expected, r.reason
    if expected == "unknown":
        assert [m.field for m in cr.missing] == ["regimens[0].setting"]
        assert "setting" in r.reason
    elif prog != last:
        assert r.notes == [f"setting not recorded: {expected.replace('_', ' ')} in either setting"]
        assert "setting not recorded" in cr.summary  # the class line (and so the pathway values) says so
        assert cr.missing == []
        assert r.window_setting is None  # neither setting is claimed


@pytest.mark.parametrize("setting,prog,expected", [
    # the same dates with the setting recorded: each setting gives its own answer
    ("adjuvant", "2025-04-16", "resistant"), ("metastatic", "2025-04-16", "not_resistant"),
    ("adjuvant", "2025-07-15", "resistant"), ("metastatic", "2025-07-15", "not_resistant"),
    ("adjuvant", "2025-07-16", "not_resistant"), ("metastatic", "2025-04-15", "resistant"),
])
def test_recorded_setting_at_the_same_boundaries(setting: str, prog: str, expected: str) -> None:
    c = consult(regimens=[reg("doxorubicin", setting, start="2020-01-01", last="2025-01-15", prog=prog)])
    r = row(c, "anthracycline")
    assert r.result == expected and r.notes == []


def test_missing_setting_decided_shows_the_deciding_window() -> None:
    c = consult(regimens=[reg("doxorubicin", None, start="2024-01-01", last="2025-01-15", prog="2025-03-15")])
    r = row(c, "anthracycline")
    assert r.window_end == date(2025, 4, 15)  # resistant: the shorter window decides (inside it, inside both)
    assert "6 months" in r.window and "3 months" in r.window
    assert r.source is not None and r.confidence == "label"
    c = consult(regimens=[reg("doxorubicin", None, start="2024-01-01", last="2025-01-15", prog="2025-08-15")])
    r = row(c, "anthracycline")
    assert r.result == "not_resistant" and r.window_end == date(2025, 7, 15)  # the longer window decides


def test_decided_missing_setting_decides_the_pathway() -> None:
    """The combination label indication (anthracycline- and taxane-resistant) no longer waits for a
    setting that cannot change the answer."""
    c = consult(plan={"regimen": "with_capecitabine"}, regimens=[
        reg("doxorubicin", None, start="2024-01-01", last="2024-06-01", prog="2024-08-01"),
        reg("paclitaxel", "metastatic", start="2024-08-15", last="2024-12-01", prog="2024-12-01"),
    ])
    a = run(c)
    assert a.resistance_for("anthracycline").result == "resistant"
    f = a.finding("label.combination")
    assert f.state == "met", f.summary
    assert any("setting not recorded" in v.value for v in f.values)


# --- a missing progression date or last dose date ---------------------------------------------

@pytest.mark.parametrize("consult_date,expected", [
    ("2026-12-31", "resistant"),    # before the 3-month window ends (2027-01-01): any date is inside
    ("2027-01-01", "resistant"),    # exactly the window's end
    ("2027-01-02", "unknown"),      # one day past: a progression on the consult date would be outside
])
def test_missing_progression_date_bounded_by_the_consult_date(consult_date: str, expected: str) -> None:
    c = consult(consult_date=consult_date, labs={"date": "2026-10-01"},
                regimens=[reg("doxorubicin", "metastatic", start="2026-09-01", last="2026-10-01", progressed=True)])
    cr = run(c).resistance_for("anthracycline")
    assert cr.result == expected, cr.regimens[0].reason
    if expected == "unknown":
        assert [m.field for m in cr.missing] == ["regimens[0].progression_date"]
    else:
        assert "progression date not recorded" in cr.regimens[0].notes[0]


def test_missing_progression_date_without_consult_date_stays_unknown() -> None:
    c = consult(consult_date=None, regimens=[reg("doxorubicin", "metastatic", start="2026-09-01", last="2026-10-01",
                                                 progressed=True)])
    assert run(c).resistance_for("anthracycline").result == "unknown"


def test_missing_progression_date_and_setting_both_named_when_they_matter() -> None:
    c = consult(regimens=[reg("doxorubicin", None, start="2024-01-01", last="2024-06-01", stop_reason="progression")])
    cr = run(c).resistance_for("anthracycline")
    assert cr.result == "unknown"
    assert {m.field for m in cr.missing} == {"regimens[0].progression_date", "regimens[0].setting"}


def test_ongoing_regimen_progression_without_date_is_on_therapy() -> None:
    c = consult(regimens=[reg("paclitaxel", "metastatic", start="2026-01-01", last=None, ongoing=True, progressed=True)])
    r = row(c, "taxane")
    assert r.result == "resistant" and r.window_setting == "on_therapy"
    assert r.notes and "ongoing" in r.notes[0]


@pytest.mark.parametrize("prog,expected", [
    ("2025-04-01", "resistant"),  # start + 3 months: inside the window even if the last dose was the first day
    ("2025-04-02", "unknown"),    # one day later: a last dose at the start would put it outside
])
def test_missing_last_dose_bounded_by_the_start(prog: str, expected: str) -> None:
    c = consult(regimens=[reg("doxorubicin", "metastatic", start="2025-01-01", last=None, prog=prog)])
    cr = run(c).resistance_for("anthracycline")
    assert cr.result == expected, cr.regimens[0].reason
    if expected == "unknown":
        assert [m.field for m in cr.missing] == ["regimens[0].last_dose_date"]
    else:
        assert "last dose not recorded" in cr.regimens[0].notes[0]


def test_missing_last_dose_bounded_by_another_agents_own_last_dose() -> None:
    """The regimen's last dose is no earlier than any agent's own: cyclophosphamide stopped on 1 March,
    so doxorubicin (no own date) stopped then or later, and 3 months from 1 March reaches 1 June."""
    r = reg(["doxorubicin", "cyclophosphamide"], "metastatic", start="2025-01-01", last=None, prog="2025-06-01",
            agent_last_doses=[{"agent": "cyclophosphamide", "last_dose_date": "2025-03-01"}])
    assert row(consult(regimens=[r]), "anthracycline").result == "resistant"
    r["progression_date"] = "2025-06-02"
    assert row(consult(regimens=[r]), "anthracycline").result == "unknown"


# --- per-agent last doses: docetaxel stopped, trastuzumab and pertuzumab went on ----------------

START = "2025-01-06"
DOCETAXEL_LAST = "2025-04-21"  # day 1 of the sixth 3-weekly cycle


def thp(prog: str, *, ongoing: bool = True, last: str | None = None, own: str | None = DOCETAXEL_LAST) -> Consult:
    r = reg(["docetaxel", "trastuzumab", "pertuzumab"], "metastatic", start=START, last=last, ongoing=ongoing, prog=prog)
    if own is not None:
        r["agent_last_doses"] = [{"agent": "docetaxel", "last_dose_date": own}]
    return consult(disease=HER2_POS, plan={"regimen": "with_trastuzumab"}, regimens=[r])


def test_maintenance_progression_10_months_after_docetaxel_is_not_taxane_resistance() -> None:
    c = thp("2026-02-21")  # 10 months after docetaxel's last dose, during HP maintenance
    a = run(c)
    r = a.resistance_for("taxane").regimens[0]
    assert a.resistance_for("taxane").result == "not_resistant", r.reason
    assert r.window_setting == "metastatic" and r.window_end == date(2025, 8, 21)
    assert r.class_last_dose_date == date(2025, 4, 21) and r.class_last_dose_agent == "docetaxel"
    assert "docetaxel's own last dose" in r.reason and "2025-04-21" in r.reason
    assert r.elapsed == "10 months" and r.elapsed_days == (date(2026, 2, 21) - date(2025, 4, 21)).days
    assert a.finding("pathway.C").state == "not_met"


def test_the_same_history_without_the_docetaxel_date_is_on_therapy() -> None:
    """What the form gave before per-agent dates: the whole regimen is ongoing, so 'on therapy'."""
    a = run(thp("2026-02-21", own=None))
    assert a.resistance_for("taxane").regimens[0].window_setting == "on_therapy"
    assert a.finding("pathway.C").state == "met"


@pytest.mark.parametrize("prog,expected,window_setting", [
    ("2025-07-21", "resistant", "metastatic"),       # 3 months after docetaxel: inside the 4-month window
    ("2025-08-21", "resistant", "metastatic"),       # exact end of the window
    ("2025-08-22", "not_resistant", "metastatic"),   # one day past
    ("2025-04-21", "resistant", "on_therapy"),       # on docetaxel's last day
    ("2025-03-01", "resistant", "on_therapy"),       # while docetaxel was still given
])
def test_taxane_window_from_docetaxels_own_last_dose(prog: str, expected: str, window_setting: str) -> None:
    a = run(thp(prog))
    r = a.resistance_for("taxane").regimens[0]
    assert (r.result, r.window_setting) == (expected, window_setting), r.reason
    assert a.finding("pathway.C").state == ("met" if expected == "resistant" else "not_met")


def test_per_agent_date_when_the_whole_regimen_has_stopped() -> None:
    a = run(thp("2026-02-21", ongoing=False, last="2026-01-26"))
    r = a.resistance_for("taxane").regimens[0]
    assert r.result == "not_resistant" and r.last_dose_date == date(2026, 1, 26)
    assert r.class_last_dose_date == date(2025, 4, 21)
    assert "went on to 2026-01-26" in r.reason


def test_each_class_runs_from_its_own_agents() -> None:
    """AC then paclitaxel entered as one regimen: the anthracycline window runs from AC's own last
    dose; paclitaxel, without its own date, stopped with the regimen."""
    r = reg(["AC", "paclitaxel"], "adjuvant", start="2024-12-01", last="2025-06-01", prog="2025-10-01",
            agent_last_doses=[{"agent": "AC", "last_dose_date": "2025-03-01"}])
    c = consult(regimens=[r])
    anth, tax = row(c, "anthracycline"), row(c, "taxane")
    assert anth.result == "not_resistant" and anth.window_end == date(2025, 9, 1)  # from 1 March, not 1 June
    assert tax.result == "resistant" and tax.window_end == date(2026, 6, 1)
    assert tax.class_last_dose_agent is None and tax.class_last_dose_date == date(2025, 6, 1)


def test_class_last_dose_is_the_latest_of_its_agents() -> None:
    r = reg(["doxorubicin", "epirubicin", "cyclophosphamide"], "metastatic", start="2025-01-01", last="2025-06-01",
            prog="2025-07-01", agent_last_doses=[{"agent": "doxorubicin", "last_dose_date": "2025-02-01"},
                                                 {"agent": "epirubicin", "last_dose_date": "2025-03-01"}])
    rr = row(consult(regimens=[r]), "anthracycline")
    assert rr.class_last_dose_date == date(2025, 3, 1) and rr.class_last_dose_agent == "epirubicin"
    assert rr.result == "not_resistant" and rr.window_end == date(2025, 6, 1)


def test_an_agent_of_the_class_without_its_own_date_keeps_the_regimens() -> None:
    r = reg(["docetaxel", "paclitaxel", "trastuzumab"], "metastatic", start="2025-01-01", last=None, ongoing=True,
            prog="2025-12-01", agent_last_doses=[{"agent": "docetaxel", "last_dose_date": "2025-02-01"}])
    rr = row(consult(regimens=[r]), "taxane")
    assert rr.result == "resistant" and rr.window_setting == "on_therapy"
    assert "paclitaxel" in rr.reason  # says why the regimen's dates were used


def test_per_agent_assessment_round_trips_as_json() -> None:
    a = run(thp("2026-02-21"))
    again = Assessment.model_validate_json(a.model_dump_json())
    assert again == a


# --- validation of per-agent dates --------------------------------------------------------------

def _problems(**over: Any) -> list[tuple[str, str]]:
    r = reg(["docetaxel", "trastuzumab"], "metastatic", start="2025-01-06", last="2025-12-01")
    r.update(over)
    try:
        consult(regimens=[r])
    except ValidationError as exc:
        return [(p.field, p.message) for p in describe_validation_error(exc)]
    return []


@pytest.mark.parametrize("doses,field,words", [
    ([{"agent": "paclitaxel", "last_dose_date": "2025-03-01"}], "regimens[0].agent_last_doses[0].agent", "not one of"),
    ([{"agent": "docetaxel", "last_dose_date": "2025-01-05"}], "regimens[0].agent_last_doses[0].last_dose_date", "before the regimen's start"),
    ([{"agent": "docetaxel", "last_dose_date": "2025-12-02"}], "regimens[0].agent_last_doses[0].last_dose_date", "after the regimen's last dose"),
    ([{"agent": "docetaxel", "last_dose_date": "2025-03-01"}, {"agent": "Docetaxel", "last_dose_date": "2025-04-01"}],
     "regimens[0].agent_last_doses[1].agent", "two last-dose dates"),
])
def test_bad_agent_last_dose_is_refused_naming_the_field(doses: list, field: str, words: str) -> None:
    probs = _problems(agent_last_doses=doses)
    assert any(f == field and words in m for f, m in probs), probs


def test_agent_last_dose_after_the_consult_date_is_refused() -> None:
    probs = _problems(last_dose_date=None, ongoing=True,
                      agent_last_doses=[{"agent": "docetaxel", "last_dose_date": "2026-11-19"}])
    assert ("regimens[0].agent_last_doses[0].last_dose_date", "is after the consult date") in probs


def test_agent_last_dose_on_its_bounds_and_any_case_is_accepted() -> None:
    assert _problems(agent_last_doses=[{"agent": "DOCETAXEL", "last_dose_date": "2025-01-06"},
                                       {"agent": "trastuzumab", "last_dose_date": "2025-12-01"}]) == []


def test_a_regimen_without_per_agent_dates_loads_and_saves_as_before() -> None:
    c = consult(regimens=[reg("paclitaxel", "metastatic")])
    assert c.regimens[0].agent_last_doses == []
    assert Consult.model_validate_json(c.model_dump_json()) == c


# --- line counts: a regimen of unknown setting that may add no line -----------------------------

def test_endocrine_only_regimen_of_unknown_setting_may_add_no_first_line() -> None:
    """Adjuvant endocrine therapy alone is not the first line since diagnosis; metastatic it is one
    line. With its setting missing the count is 0-1, not a firm 1."""
    lc = {x.kind: x for x in run(consult(regimens=[reg("letrozole", None)])).lines}["since_diagnosis"]
    assert (lc.minimum, lc.maximum) == (0, 1)
    two = [reg("letrozole", None), reg("paclitaxel", "metastatic", start="2025-04-01", last="2025-06-01")]
    lc = {x.kind: x for x in run(consult(regimens=two)).lines}["since_diagnosis"]
    assert (lc.minimum, lc.maximum) == (1, 2)
