"""Resistance windows at their edges: the exact last day, one day past, month ends, leap days."""

from __future__ import annotations

import pytest

from tests.core.helpers import consult, reg, resistance, run

# (class agent, setting, last dose, progression, expected)
WINDOW_TABLE = [
    # anthracycline adjuvant: 6 months
    ("doxorubicin", "adjuvant", "2025-01-15", "2025-07-15", "resistant"),      # exact window end
    ("doxorubicin", "adjuvant", "2025-01-15", "2025-07-16", "not_resistant"),  # one day past
    ("doxorubicin", "neoadjuvant", "2025-01-15", "2025-07-15", "resistant"),   # neoadjuvant = adjuvant
    ("doxorubicin", "neoadjuvant", "2025-01-15", "2025-07-16", "not_resistant"),
    # anthracycline metastatic: 3 months
    ("epirubicin", "metastatic", "2025-01-15", "2025-04-15", "resistant"),
    ("epirubicin", "metastatic", "2025-01-15", "2025-04-16", "not_resistant"),
    # month ends: 31 Aug + 6 months = 28 Feb (non-leap) / 29 Feb (leap)
    ("doxorubicin", "adjuvant", "2024-08-31", "2025-02-28", "resistant"),
    ("doxorubicin", "adjuvant", "2024-08-31", "2025-03-01", "not_resistant"),
    ("doxorubicin", "adjuvant", "2023-08-31", "2024-02-29", "resistant"),
    ("doxorubicin", "adjuvant", "2023-08-31", "2024-03-01", "not_resistant"),
    # metastatic 3 months from 30 Nov: 28 Feb / 29 Feb
    ("doxorubicin", "metastatic", "2024-11-30", "2025-02-28", "resistant"),
    ("doxorubicin", "metastatic", "2024-11-30", "2025-03-01", "not_resistant"),
    ("doxorubicin", "metastatic", "2023-11-30", "2024-02-29", "resistant"),
    # a last dose on 29 Feb: 12 months later is 28 Feb
    ("paclitaxel", "adjuvant", "2024-02-29", "2025-02-28", "resistant"),
    ("paclitaxel", "adjuvant", "2024-02-29", "2025-03-01", "not_resistant"),
    # taxane adjuvant: 12 months; metastatic: 4 months
    ("docetaxel", "adjuvant", "2024-06-13", "2025-06-13", "resistant"),
    ("docetaxel", "adjuvant", "2024-06-13", "2025-06-14", "not_resistant"),
    ("Abraxane", "metastatic", "2025-01-31", "2025-05-31", "resistant"),
    ("Abraxane", "metastatic", "2025-01-31", "2025-06-01", "not_resistant"),
    ("Taxotere", "metastatic", "2025-10-31", "2026-02-28", "resistant"),
    ("Taxotere", "metastatic", "2025-10-31", "2026-03-01", "not_resistant"),
    # capecitabine metastatic: 8 weeks (unverified)
    ("Xeloda", "metastatic", "2025-01-01", "2025-02-26", "resistant"),
    ("Xeloda", "metastatic", "2025-01-01", "2025-02-27", "not_resistant"),
    # progression on or before the last dose is on therapy, whatever the setting
    ("doxorubicin", "adjuvant", "2025-03-01", "2025-03-01", "resistant"),
    ("doxorubicin", "adjuvant", "2025-03-01", "2025-02-10", "resistant"),
    ("paclitaxel", None, "2025-03-01", "2025-02-10", "resistant"),
]

CLASS_OF = {"doxorubicin": "anthracycline", "epirubicin": "anthracycline", "paclitaxel": "taxane",
            "docetaxel": "taxane", "Abraxane": "taxane", "Taxotere": "taxane", "Xeloda": "capecitabine"}


@pytest.mark.parametrize("agent,setting,last,prog,expected", WINDOW_TABLE)
def test_window_table(agent: str, setting: str, last: str, prog: str, expected: str) -> None:
    c = consult(regimens=[reg(agent, setting, start="2020-01-01", last=last, prog=prog)])
    assert resistance(c, CLASS_OF[agent]) == expected


def test_window_end_is_shown() -> None:
    c = consult(regimens=[reg("doxorubicin", "adjuvant", start="2024-01-01", last="2024-08-31", prog="2025-02-01")])
    row = run(c).resistance_for("anthracycline").regimens[0]
    assert row.window_end.isoformat() == "2025-02-28"
    assert row.window == "6 months (adjuvant/neoadjuvant)"
    assert row.elapsed == "5 months 1 day"
    assert row.source is not None and row.source.document == "PI"


def test_capecitabine_window_is_unverified() -> None:
    c = consult(regimens=[reg("capecitabine", "metastatic", start="2024-01-01", last="2025-01-01", prog="2025-02-01")])
    row = run(c).resistance_for("capecitabine").regimens[0]
    assert row.result == "resistant" and row.confidence == "unverified"


def test_ongoing_regimen_with_progression_is_on_therapy() -> None:
    c = consult(regimens=[reg("paclitaxel", None, start="2025-01-01", last=None, prog="2025-04-01", ongoing=True)])
    assert resistance(c, "taxane") == "resistant"


@pytest.mark.parametrize("over,missing_field", [
    ({"progression_date": None, "progressed": None}, "regimens[0].progressed"),
    ({"progressed": True, "progression_date": None}, "regimens[0].progression_date"),
    ({"last_dose_date": None}, "regimens[0].last_dose_date"),
    ({"setting": None}, "regimens[0].setting"),
])
def test_missing_input_gives_unknown_naming_the_field(over: dict, missing_field: str) -> None:
    # progression 4 months after the last dose: inside the adjuvant 6-month window, outside the
    # metastatic 3-month one, so the setting decides (12 months, as this test had, is outside both:
    # not resistant whatever the setting, a decided result)
    r = reg("doxorubicin", "adjuvant", start="2024-01-01", last="2024-06-01", prog="2024-10-01")
    r.update(over)
    a = run(consult(regimens=[r]))
    cr = a.resistance_for("anthracycline")
    assert cr.result == "unknown"
    assert missing_field in [m.field for m in cr.missing]


def test_no_progression_is_not_resistant() -> None:
    c = consult(regimens=[reg("doxorubicin", "adjuvant", progressed=False)])
    assert resistance(c, "anthracycline") == "not_resistant"


def test_capecitabine_adjuvant_has_no_window() -> None:
    c = consult(regimens=[reg("capecitabine", "adjuvant", start="2024-01-01", last="2024-06-01", prog="2024-08-01")])
    cr = run(c).resistance_for("capecitabine")
    assert cr.result == "unknown"
    assert "judgement" in cr.regimens[0].reason


def test_class_aggregation_any_resistant_wins_then_unknown() -> None:
    resistant = reg("doxorubicin", "metastatic", start="2024-01-01", last="2024-06-01", prog="2024-07-01")
    # 4 months: inside the adjuvant window, outside the metastatic one, so the missing setting decides
    unknown = reg("epirubicin", None, start="2023-01-01", last="2023-02-01", prog="2023-06-01")
    not_res = reg("epirubicin", "metastatic", start="2022-01-01", last="2022-02-01", prog="2022-12-01")
    assert resistance(consult(regimens=[not_res, unknown, resistant]), "anthracycline") == "resistant"
    assert resistance(consult(regimens=[not_res, unknown]), "anthracycline") == "unknown"
    assert resistance(consult(regimens=[not_res]), "anthracycline") == "not_resistant"
    assert resistance(consult(regimens=[]), "anthracycline") == "not_exposed"


def test_unrecognised_agent_makes_unexposed_class_unknown() -> None:
    a = run(consult(regimens=[reg("mystery-drug-x", "metastatic")]))
    assert a.resistance_for("taxane").result == "unknown"
    assert any("mystery-drug-x" in n for n in a.data_notes)


def test_brand_and_shorthand_names_match() -> None:
    a = run(consult(regimens=[reg(["AC"], "adjuvant"), reg(["Taxol"], "adjuvant"), reg("Doxil"), reg("XELODA ")]))
    assert {r.drug_class for r in a.resistance if r.result != "not_exposed"} == {"anthracycline", "taxane", "capecitabine"}
