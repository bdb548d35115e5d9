"""Month-only regimen dates (issue 10, section 3 "Partial dates").

A chart often gives "February 2024" and no day. Such a date is kept as "2024-02", read as every
day of the month, and a resistance window is decided only when the first and the last possible day
give the same answer; otherwise it is unknown, naming the date whose day is missing.
Anthracycline windows: 3 months (metastatic), 6 months (adjuvant); taxane: 4 / 12 months.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ixdesk.cli import main
from ixdesk.core.consult import Consult
from ixdesk.core.dates import JSON_PATTERN, PartialDate
from ixdesk.core.files import ConsultFileError, consult_to_json, load_consult, parse_consult, save_consult
from ixdesk.reports.common import fmt_date
from tests.conftest import EXAMPLES
from tests.core.helpers import run


def one(last: str | None, prog: str | None, *, setting: str | None = "metastatic", agents: tuple[str, ...] = ("doxorubicin",),
        consult_date: str = "2024-12-31", start: str | None = "2023-10-01", **over: Any) -> Consult:
    r: dict[str, Any] = {"agents": list(agents), "setting": setting, "start_date": start, "last_dose_date": last,
                         "progressed": True, "progression_date": prog, **over}
    return parse_consult(json.dumps({"consult_date": consult_date, "disease": {"extent": "metastatic"}, "regimens": [r]}))


def row(c: Consult, cls: str = "anthracycline") -> Any:
    return run(c).resistance_for(cls).regimens[0]


def problems(**kw: Any) -> list[tuple[str, str]]:
    with pytest.raises(ConsultFileError) as info:
        one(**kw)
    return [(p.field, p.message) for p in info.value.problems]


# --- the type ----------------------------------------------------------------------------------

def test_month_only_date_is_the_range_of_its_days() -> None:
    feb_leap, feb = PartialDate(2024, 2), PartialDate(2023, 2)
    assert (feb_leap.earliest, feb_leap.latest) == (date(2024, 2, 1), date(2024, 2, 29))
    assert (feb.earliest, feb.latest) == (date(2023, 2, 1), date(2023, 2, 28))
    assert PartialDate(2024, 12).latest == date(2024, 12, 31)
    full = PartialDate(2024, 2, 15)
    assert full.earliest == full.latest == date(2024, 2, 15) and full.as_date == date(2024, 2, 15)
    assert PartialDate(2024, 2).as_date is None and not PartialDate(2024, 2).is_full


def test_parse_and_format() -> None:
    assert PartialDate.parse("2022-02") == PartialDate(2022, 2)
    assert PartialDate.parse(" 2022-2 ").isoformat() == "2022-02"
    assert PartialDate.parse("2022-02-15").isoformat() == "2022-02-15"
    for bad in ("2022-13", "2022-0", "2022", "02-2022", "2022-02-30", "2023-02-29", ""):
        with pytest.raises(ValueError):
            PartialDate.parse(bad)
    assert PartialDate.from_json("2022-02") == PartialDate(2022, 2)
    with pytest.raises(ValueError):
        PartialDate.from_json("2022-2")  # the file holds the padded form only


def test_a_full_date_equals_the_plain_date_and_a_month_never_does() -> None:
    assert PartialDate(2024, 2, 1) == date(2024, 2, 1) and date(2024, 2, 1) == PartialDate(2024, 2, 1)
    assert hash(PartialDate(2024, 2, 1)) == hash(date(2024, 2, 1))
    assert PartialDate(2024, 2) != date(2024, 2, 1)


def test_no_order_between_a_month_and_a_day_of_it() -> None:
    """Which is earlier depends on the missing day: every comparison has to pick a bound."""
    with pytest.raises(TypeError):
        PartialDate(2024, 2) < PartialDate(2024, 2, 10)  # type: ignore[operator]  # noqa: B015


# --- the consult file ----------------------------------------------------------------------------

def test_month_only_dates_are_stored_as_months_and_round_trip(tmp_path: Path) -> None:
    c = one("2024-02", "2024-05", start="2023-10", agents=("doxorubicin", "cyclophosphamide"),
            agent_last_doses=[{"agent": "doxorubicin", "last_dose_date": "2024-01"}])
    reg = c.regimens[0]
    assert reg.start_date == PartialDate(2023, 10) and reg.last_dose_date == PartialDate(2024, 2)
    assert reg.agent_last_doses[0].last_dose_date == PartialDate(2024, 1)
    f = tmp_path / "c.json"
    save_consult(c, f)
    saved = json.loads(f.read_text())["regimens"][0]
    assert (saved["start_date"], saved["last_dose_date"], saved["progression_date"]) == ("2023-10", "2024-02", "2024-05")
    assert saved["agent_last_doses"] == [{"agent": "doxorubicin", "last_dose_date": "2024-01"}]
    assert consult_to_json(load_consult(f)) == f.read_text()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_bundled_examples_keep_their_full_dates_exactly(path: Path) -> None:
    """Old files load unchanged: every date is a full date, and saving writes it as before."""
    c = load_consult(path)
    original = json.loads(path.read_text())
    text = consult_to_json(c)
    saved = json.loads(text)
    for r_in, r_out, reg in zip(original.get("regimens", []), saved["regimens"], c.regimens, strict=True):
        for key in ("start_date", "last_dose_date", "progression_date"):
            assert r_out[key] == r_in.get(key)
            if r_in.get(key):
                assert getattr(reg, key).is_full and getattr(reg, key) == date.fromisoformat(r_in[key])
    assert consult_to_json(parse_consult(text)) == text


def test_labs_date_of_birth_and_consult_date_stay_full_dates() -> None:
    for doc in ({"consult_date": "2024-02"}, {"labs": {"date": "2024-02"}}, {"patient": {"date_of_birth": "1960-05"}}):
        with pytest.raises(ConsultFileError, match="not a valid date"):
            parse_consult(json.dumps(doc))


def test_schema_describes_month_or_day_and_stays_valid_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    regimen = schema["$defs"]["Regimen"]["properties"]
    for key in ("start_date", "last_dose_date", "progression_date"):
        (string, null) = regimen[key]["anyOf"]
        assert string["type"] == "string" and string["pattern"] == JSON_PATTERN and null == {"type": "null"}
    assert schema["$defs"]["AgentLastDose"]["properties"]["last_dose_date"]["pattern"] == JSON_PATTERN
    assert schema["$defs"]["Labs"]["properties"]["date"]["anyOf"][0] == {"format": "date", "type": "string"}
    pattern = re.compile(JSON_PATTERN)
    assert all(pattern.match(s) for s in ("2022-02", "2022-02-15", "2022-12-31"))
    assert not any(pattern.match(s) for s in ("2022-13", "2022-2", "2022-02-32", "2022-02-1"))


# --- validation refuses only what no day of the month allows -----------------------------------------

@pytest.mark.parametrize(("start", "last"), [
    ("2024-02-15", "2024-02"),  # the last dose can be 15-29 Feb
    ("2024-02", "2024-02-01"),  # the start can be 1 Feb
    ("2024-02", "2024-02"),
    ("2024-01", "2024-02-01"),
])
def test_month_only_start_and_last_dose_in_a_possible_order_are_accepted(start: str, last: str) -> None:
    assert one(last, None, start=start, progressed=False).regimens[0].last_dose_date.isoformat() == last


@pytest.mark.parametrize(("start", "last"), [("2024-03", "2024-02"), ("2024-03-01", "2024-02"), ("2024-03", "2024-02-29")])
def test_a_last_dose_before_the_start_whatever_the_day_is_refused(start: str, last: str) -> None:
    assert problems(last=last, prog=None, start=start, progressed=False) == [
        ("regimens[0].last_dose_date", "is before the start date")]


def test_month_only_progression_before_the_start_whatever_the_day_is_refused() -> None:
    assert one("2024-03-01", "2024-02", start="2024-02-20").regimens[0].progression_date == PartialDate(2024, 2)
    assert ("regimens[0].progression_date", "is before the start date") in problems(last="2024-03-01", prog="2024-01",
                                                                                    start="2024-02-20")


def test_a_month_equal_to_the_consult_month_is_fine_a_later_one_is_not() -> None:
    c = one("2024-06", "2024-06", consult_date="2024-06-03", start="2024-06")
    assert c.regimens[0].last_dose_date == PartialDate(2024, 6)
    assert ("regimens[0].last_dose_date", "is after the consult date") in problems(
        last="2024-07", prog=None, consult_date="2024-06-30", progressed=False)


def test_agent_own_month_only_last_dose_checked_against_the_regimen_range() -> None:
    ok = one("2024-06-03", None, agents=("doxorubicin", "cyclophosphamide"), progressed=False,
             agent_last_doses=[{"agent": "doxorubicin", "last_dose_date": "2024-06"}])
    assert ok.regimens[0].agent_last_doses[0].last_dose_date == PartialDate(2024, 6)
    assert problems(last="2024-06-30", prog=None, agents=("doxorubicin", "cyclophosphamide"), progressed=False,
                    agent_last_doses=[{"agent": "doxorubicin", "last_dose_date": "2024-07"}]) == [
        ("regimens[0].agent_last_doses[0].last_dose_date", "doxorubicin's last dose is after the regimen's last dose date")]


def test_a_month_after_the_plausible_range_is_refused() -> None:
    assert problems(last="2200-01", prog=None, start=None, consult_date="2199-12-31", progressed=False) == [
        ("regimens[0].last_dose_date", "is after 2199-12-31; not a plausible date (check the year)")]


# --- the window over the possible days ----------------------------------------------------------------

# last dose "2024-02" (1-29 Feb, leap year) + 3 months ends between 2024-05-01 and 2024-05-29
@pytest.mark.parametrize(("prog", "expected"), [
    ("2024-04-20", "resistant"),      # inside the window whichever day
    ("2024-05-01", "resistant"),      # exactly the earliest possible end: still inside
    ("2024-05-02", "unknown"),        # one day past the earliest end
    ("2024-05-15", "unknown"),        # earliest gives end 2024-05-01 (not resistant), latest 2024-05-29 (resistant)
    ("2024-05-29", "unknown"),        # exactly the latest possible end
    ("2024-05-30", "not_resistant"),  # one day past the latest end
])
def test_month_only_last_dose_in_a_leap_february(prog: str, expected: str) -> None:
    r = row(one("2024-02", prog))
    assert r.result == expected
    assert r.month_only_dates == ["regimens[0].last_dose_date"]
    assert (r.window_end_earliest, r.window_end_latest) == (date(2024, 5, 1), date(2024, 5, 29))
    assert r.last_dose_date == PartialDate(2024, 2) and r.elapsed_days is None
    if expected == "unknown":
        assert [(m.field, m.label) for m in r.missing] == [
            ("regimens[0].last_dose_date", "regimen 1: last dose date: day not recorded; the result depends on it")]
        assert r.window_end is None
    else:
        assert r.missing == []
        assert r.notes == [f"last dose date: day not recorded (2024-02): {expected.replace('_', ' ')} whichever day"]


def test_unknown_because_of_the_day_names_the_field_in_the_class_result() -> None:
    a = run(one("2024-02", "2024-05-15"))
    cr = a.resistance_for("anthracycline")
    assert cr.result == "unknown"
    assert [m.field for m in cr.missing] == ["regimens[0].last_dose_date"]
    assert "last dose date: day not recorded; the result depends on it" in cr.summary
    assert "regimens[0].last_dose_date" in [m.field for m in a.missing]


def test_decided_with_a_note_in_the_class_summary() -> None:
    cr = run(one("2024-02", "2024-04-20")).resistance_for("anthracycline")
    assert cr.result == "resistant"
    assert cr.summary.endswith("regimen 1: last dose date: day not recorded (2024-02): resistant whichever day")


@pytest.mark.parametrize(("prog", "expected"), [("2023-05-28", "unknown"), ("2023-05-29", "not_resistant")])
def test_month_only_last_dose_in_a_common_february(prog: str, expected: str) -> None:
    r = row(one("2023-02", prog, start="2022-10-01"))
    assert r.result == expected and r.window_end_latest == date(2023, 5, 28)


@pytest.mark.parametrize(("prog", "expected"), [("2024-02-29", "unknown"), ("2024-03-01", "not_resistant"),
                                                ("2024-02-01", "resistant")])
def test_month_only_last_dose_month_end_into_a_leap_day(prog: str, expected: str) -> None:
    """November 2023 + 3 months: 1 Nov gives 1 Feb, 30 Nov gives 29 Feb 2024."""
    r = row(one("2023-11", prog, start="2023-06-01"))
    assert (r.window_end_earliest, r.window_end_latest) == (date(2024, 2, 1), date(2024, 2, 29))
    assert r.result == expected


# last dose 2024-02-10 + 3 months ends 2024-05-10
@pytest.mark.parametrize(("prog", "expected"), [("2024-04", "resistant"), ("2024-05", "unknown"), ("2024-06", "not_resistant")])
def test_month_only_progression(prog: str, expected: str) -> None:
    r = row(one("2024-02-10", prog))
    assert r.result == expected and r.window_end == (date(2024, 5, 10) if expected != "unknown" else None)
    assert r.month_only_dates == ["regimens[0].progression_date"] and r.progression_date == PartialDate.parse(prog)
    if expected == "unknown":
        assert [m.field for m in r.missing] == ["regimens[0].progression_date"]
    else:
        assert r.notes == [f"progression date: day not recorded ({prog}): {expected.replace('_', ' ')} whichever day"]


def test_month_only_progression_in_the_consult_month_is_bounded_by_the_consult_date() -> None:
    """Progression "2024-05" seen at a consult on 2024-05-10 happened on 1-10 May: inside the window."""
    assert row(one("2024-02-10", "2024-05", consult_date="2024-05-31")).result == "unknown"
    assert row(one("2024-02-10", "2024-05", consult_date="2024-05-10")).result == "resistant"


def test_progression_and_last_dose_in_the_same_month_is_resistant_either_way() -> None:
    """On therapy at one end (progression 1 Feb, last dose 29 Feb), inside the window at the other."""
    r = row(one("2024-02", "2024-02"))
    assert r.result == "resistant"
    assert r.month_only_dates == ["regimens[0].last_dose_date", "regimens[0].progression_date"]


def test_month_only_last_dose_with_the_setting_missing() -> None:
    # inside both windows whichever day and setting
    r = row(one("2024-02", "2024-04-20", setting=None))
    assert r.result == "resistant" and "setting not recorded: resistant in either setting" in r.notes
    # 2024-06-15: after the metastatic window whichever day, inside the adjuvant one: the setting decides
    r = row(one("2024-02", "2024-06-15", setting=None))
    assert r.result == "unknown" and [m.field for m in r.missing] == ["regimens[0].setting"]
    # 2024-05-15: the day decides the metastatic answer, the adjuvant one is resistant: both named
    r = row(one("2024-02", "2024-05-15", setting=None))
    assert r.result == "unknown"
    assert [m.field for m in r.missing] == ["regimens[0].last_dose_date", "regimens[0].setting"]


def test_agent_own_month_only_last_dose_is_named() -> None:
    """Docetaxel stopped "2025-04" while trastuzumab went on: the taxane window (4 months metastatic)
    ends between 2025-08-01 and 2025-08-30."""
    def thp(prog: str) -> Any:
        c = one("2026-01-26", prog, agents=("docetaxel", "trastuzumab", "pertuzumab"), start="2025-01-06",
                consult_date="2026-03-02", agent_last_doses=[{"agent": "docetaxel", "last_dose_date": "2025-04"}])
        return row(c, "taxane")
    r = thp("2025-08-15")
    assert r.result == "unknown" and r.class_last_dose_date == PartialDate(2025, 4)
    assert [(m.field, m.label) for m in r.missing] == [(
        "regimens[0].agent_last_doses[0].last_dose_date",
        "regimen 1: docetaxel's last dose date: day not recorded; the result depends on it")]
    assert (r.window_end_earliest, r.window_end_latest) == (date(2025, 8, 1), date(2025, 8, 30))
    assert thp("2025-08-01").result == "resistant"
    assert thp("2025-08-31").result == "not_resistant"
    assert thp("2025-08-31").month_only_dates == ["regimens[0].agent_last_doses[0].last_dose_date"]


def test_month_only_regimen_last_dose_caps_an_agent_month() -> None:
    """Both docetaxel's own last dose and the regimen's are "2025-04": docetaxel's is no later than the
    regimen's latest day."""
    c = one("2025-04", "2025-08-31", agents=("docetaxel", "trastuzumab"), start="2025-01-06", consult_date="2026-03-02",
            agent_last_doses=[{"agent": "docetaxel", "last_dose_date": "2025-04"}])
    assert row(c, "taxane").result == "not_resistant"


def test_missing_progression_date_beside_a_month_only_last_dose() -> None:
    """Progression date missing: no later than the consult date. The last dose taken at its first day:
    1 Feb + 3 months = 1 May, and the consult on 15 April: resistant whatever the dates."""
    r = row(one("2024-02", None, consult_date="2024-04-15"))
    assert r.result == "resistant"
    assert "last dose date: day not recorded (2024-02): taken as early as it can be (2024-02-01)" in r.notes
    r = row(one("2024-02", None, consult_date="2024-05-15"))
    assert r.result == "unknown" and [m.field for m in r.missing] == ["regimens[0].progression_date"]


def test_month_only_start_bounds_a_missing_last_dose() -> None:
    """Last dose missing, start "2024-02": the class's last dose is no earlier than 1 Feb."""
    r = row(one(None, "2024-04-20", start="2024-02"))
    assert r.result == "resistant"
    assert any("2024-02, day not recorded" in n and "2024-02-01" in n for n in r.notes)


def test_full_dates_are_judged_as_before() -> None:
    r = row(one("2024-02-29", "2024-05-29"))
    assert r.result == "resistant" and r.month_only_dates == [] and r.window_end_earliest is None
    assert r.elapsed_days == 90 and r.window_end == date(2024, 5, 29)


def test_assess_json_shows_month_only_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "c.json"
    save_consult(one("2024-02", "2024-05-15"), f)
    assert main(["assess", "--json", str(f)]) == 0
    out = json.loads(capsys.readouterr().out)
    rr = next(c for c in out["resistance"] if c["drug_class"] == "anthracycline")["regimens"][0]
    assert rr["last_dose_date"] == "2024-02" and rr["class_last_dose_date"] == "2024-02"
    assert rr["month_only_dates"] == ["regimens[0].last_dose_date"]
    assert (rr["window_end_earliest"], rr["window_end_latest"]) == ("2024-05-01", "2024-05-29")
    assert rr["result"] == "unknown" and rr["elapsed_days"] is None


def test_trusted_output_with_month_only_dates_equals_validated() -> None:
    """The engine builds its output without validation; with month-only dates it must still be exactly
    what validation of its JSON gives (the JSON holds "2024-02" and reads back as the month)."""
    from ixdesk.core.assessment import Assessment
    for c in (one("2024-02", "2024-05-15"), one("2024-02", "2024-04-20", setting=None), one("2024-02-10", "2024-05"),
              one("2024-02", None, consult_date="2024-04-15")):
        a = run(c)
        again = Assessment.model_validate_json(a.model_dump_json())
        assert again == a and again.model_dump() == a.model_dump()


def test_reports_print_a_month_as_the_month() -> None:
    assert fmt_date(PartialDate(2022, 2)) == "Feb 2022"
    assert fmt_date(PartialDate(2022, 2), long=True) == "February 2022"
    assert fmt_date(PartialDate(2022, 2, 3)) == fmt_date(date(2022, 2, 3)) == "3 Feb 2022"


def test_clinician_report_prints_regimen_months_in_its_date_format() -> None:
    from ixdesk.core.criteria import default_criteria
    from ixdesk.reports import build_clinician_report
    from ixdesk.reports.settings import ReportSettings

    c = one("2024-02", "2024-05-15", start="2023-10", agents=("doxorubicin", "cyclophosphamide"),
            agent_last_doses=[{"agent": "cyclophosphamide", "last_dose_date": "2024-01"}])
    r = build_clinician_report(c, run(c), default_criteria(), ReportSettings(), date(2024, 12, 31))
    # each date unbroken (no-break spaces, review item 12): a line breaks only at the dash
    assert r.regimens[0].dates == "Oct\u00a02023 – Feb\u00a02024; cyclophosphamide to Jan\u00a02024"
    assert r.regimens[0].outcome.startswith("progression 15 May 2024")


# --- the two extremes decide exactly when every day does ------------------------------------------------

def _days(pd: PartialDate) -> list[date]:
    from datetime import timedelta
    return [pd.earliest + timedelta(days=k) for k in range((pd.latest - pd.earliest).days + 1)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("doxorubicin", "anthracycline"), ("paclitaxel", "taxane")]),
       st.sampled_from(["metastatic", "adjuvant"]),
       st.dates(date(2020, 1, 1), date(2023, 12, 31)), st.integers(0, 15), st.booleans(), st.booleans())
def test_month_only_result_matches_every_day_of_the_month(agent: tuple[str, str], setting: str, last: date,
                                                          months_later: int, last_month: bool, prog_month: bool) -> None:
    """Brute force over every possible pair of days: decided exactly when all pairs agree, and then
    with their answer; unknown (naming the month-only date) when they do not."""
    from dateutil.relativedelta import relativedelta

    from ixdesk.core.criteria import default_criteria
    from ixdesk.core.resistance import judge

    prog = last + relativedelta(months=months_later, days=months_later * 3)
    last_pd = PartialDate(last.year, last.month) if last_month else PartialDate.of(last)
    prog_pd = PartialDate(prog.year, prog.month) if prog_month else PartialDate.of(prog)
    name, cls = agent
    c = one(last_pd.isoformat(), prog_pd.isoformat(), setting=setting, agents=(name,), start="2019-01-01",
            consult_date="2026-12-31")
    cw = next(w for w in default_criteria().resistance.classes if w.drug_class == cls)
    ws = "metastatic" if setting == "metastatic" else "early"
    every = {judge(lday, pday, ws, cw).result for lday in _days(last_pd) for pday in _days(prog_pd)}
    r = row(c, cls)
    if len(every) == 1:
        assert r.result == next(iter(every))
    else:
        assert r.result == "unknown"
        named = {m.field for m in r.missing}
        assert named and named <= {"regimens[0].last_dose_date", "regimens[0].progression_date"}


def test_regimen_month_only_last_dose_is_no_earlier_than_an_agent_own_last_dose() -> None:
    """AC with cyclophosphamide's own last dose 2024-02-20 and the regimen's "2024-02": doxorubicin
    (no own date) stopped with the regimen, on 20-29 Feb. Progression 2024-05-20 is inside the
    3-month window whichever of those days (it ends 20-29 May: exactly its earliest end)."""
    c = one("2024-02", "2024-05-20", agents=("doxorubicin", "cyclophosphamide"),
            agent_last_doses=[{"agent": "cyclophosphamide", "last_dose_date": "2024-02-20"}])
    r = row(c)
    assert r.result == "resistant" and (r.window_end_earliest, r.window_end_latest) == (date(2024, 5, 20), date(2024, 5, 29))
    assert row(one("2024-02", "2024-05-20")).result == "unknown"  # without it, 1-29 Feb


def _with_birth(dob: str, **reg: Any) -> bytes:
    r = {"agents": ["doxorubicin"], "setting": "metastatic", "start_date": "2023-10-01", "last_dose_date": "2024-01-10",
         "progressed": True, "progression_date": "2024-02-01", **reg}
    return json.dumps({"consult_date": "2024-12-31", "patient": {"date_of_birth": dob}, "labs": {"date": "2024-12-20"},
                       "regimens": [r]}).encode()


@pytest.mark.parametrize(("field", "value"), [
    ("start_date", "1950-02-01"), ("last_dose_date", "1959-09-29"), ("progression_date", "1959-08"),
])
def test_a_regimen_date_before_the_date_of_birth_is_refused(field: str, value: str) -> None:
    # the hunt: a regimen of 1950 for a patient born in 1959 was assessed as resistance evidence, silently
    over: dict[str, Any] = {field: value}
    if field != "start_date":
        over["start_date"] = None
    if field == "progression_date":
        over["last_dose_date"] = None
    with pytest.raises(ConsultFileError) as info:
        parse_consult(_with_birth("1959-09-30", **over))
    assert [(p.field, p.message) for p in info.value.problems] == [(f"regimens[0].{field}", "is before the date of birth")]


def test_a_date_on_the_day_or_in_the_month_of_birth_is_accepted_and_labs_before_birth_are_refused() -> None:
    parse_consult(_with_birth("1959-09-30", start_date="1959-09-30"))
    parse_consult(_with_birth("1959-09-30", start_date="1959-09"))
    with pytest.raises(ConsultFileError) as info:
        parse_consult(_with_birth("2024-12-25"))
    assert ("labs.date", "is before the date of birth") in [(p.field, p.message) for p in info.value.problems]
