"""Patient summary reading level, textstat==0.7.13: Flesch-Kincaid grade <= 6, SMOG <= 8."""

from __future__ import annotations

import pytest

from ixdesk.reports import build_patient_report

from report_helpers import PRINTED_ON, SETTINGS, make
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


@pytest.mark.parametrize("plan", [None, "monotherapy", "with_capecitabine", "with_trastuzumab"])
@pytest.mark.parametrize("counter", [None, "pyphen"])
def test_patient_body_reading_level(criteria, plan, counter):
    consult, assessment = make({"plan": {"regimen": plan}}, criteria)
    body = build_patient_report(consult, assessment, criteria, SETTINGS, PRINTED_ON).body_text()
    sc = scores(body, counter)
    assert sc["sentences"] >= 30
    assert sc["fk_grade"] <= 6, sc
    assert sc["smog"] <= 8, sc
