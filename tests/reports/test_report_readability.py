"""Patient summary reading level, textstat==0.7.13: Flesch-Kincaid grade <= 6, SMOG <= 8."""

from __future__ import annotations

import pytest

from ixdesk.reports import build_patient_report

from report_helpers import PRINTED_ON, SETTINGS
from report_readability import scores


def test_textstat_version_is_pinned():
    from importlib.metadata import version

    assert version("textstat") == "0.7.13"


@pytest.mark.parametrize("counter", [None, "pyphen"])
def test_the_reading_level_gate_can_fail(counter):
    """The measure tells plain words from jargon, with either syllable counter: the gates below can fail."""
    plain = scores("The drug is given through a drip in a vein. It takes about three hours. "
                   "Your nurse will check your blood first.", counter)
    jargon = scores("Ixabepilone is a microtubule-stabilising chemotherapy. Peripheral neuropathy is a "
                    "frequent adverse reaction requiring dose modification.", counter)
    assert plain["fk_grade"] <= 6 < jargon["fk_grade"], (plain, jargon)
    assert plain["smog"] <= 8 < jargon["smog"], (plain, jargon)


def _make_json(data: dict, criteria):
    import json

    from ixdesk.core.consult import Consult
    from ixdesk.core.engine import assess

    consult = Consult.model_validate_json(json.dumps(data))
    return consult, assess(consult, criteria, as_of=PRINTED_ON)


def _ready(plan: str | None):
    """Example 01 (ready) with the plan changed: a sheet for a treatment going ahead, per plan."""
    import json

    from report_helpers import EXAMPLES

    data = json.loads(next(p for p in EXAMPLES if p.name.startswith("01-")).read_text(encoding="utf-8"))
    data["plan"]["regimen"] = plan
    return data


@pytest.mark.parametrize("plan", [None, "monotherapy", "with_capecitabine", "with_trastuzumab"])
@pytest.mark.parametrize("counter", [None, "pyphen"])
def test_patient_body_reading_level(criteria, plan, counter):
    """Every sheet (planned for each plan, on hold, not decided) in the same plain language."""
    consult, assessment = _make_json(_ready(plan), criteria)
    r = build_patient_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    sc = scores(r.body_text(), counter)
    assert sc["sentences"] >= (30 if r.sheet == "planned" else 15), (r.sheet, sc)
    assert sc["fk_grade"] <= 6, sc
    assert sc["smog"] <= 8, sc


@pytest.mark.parametrize("prefix", ["04-", "07-"])
@pytest.mark.parametrize("counter", [None, "pyphen"])
def test_held_and_undecided_sheets_reading_level(criteria, prefix, counter):
    import json

    from report_helpers import EXAMPLES

    data = json.loads(next(p for p in EXAMPLES if p.name.startswith(prefix)).read_text(encoding="utf-8"))
    consult, assessment = _make_json(data, criteria)
    r = build_patient_report(consult, assessment, criteria, SETTINGS, PRINTED_ON)
    assert r.sheet == {"04-": "on_hold", "07-": "not_decided"}[prefix]
    sc = scores(r.body_text(), counter)
    assert sc["sentences"] >= 15 and sc["fk_grade"] <= 6 and sc["smog"] <= 8, sc
