"""Fixtures for the report tests: the example consults, their assessments, and degenerate consults."""

from __future__ import annotations

import pytest

from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir
from ixdesk.reports import ReportSettings
from report_helpers import EXAMPLES, NON_LATIN, SETTINGS, make

@pytest.fixture(scope="session")
def criteria():
    return default_criteria()


@pytest.fixture(scope="session")
def settings() -> ReportSettings:
    return SETTINGS


@pytest.fixture(scope="session", params=[p.stem for p in EXAMPLES])
def example(request, criteria):
    path = examples_dir() / f"{request.param}.json"
    consult = load_consult(path)
    return path, consult, assess(consult, criteria)


@pytest.fixture(scope="session")
def degenerate(criteria):
    """Everything unknown, a 200-character name, and non-Latin names with a little data."""
    long_name = ("Maximiliana-Wilhelmina von Hohenzollern-Sigmaringen " * 5)[:200]
    cases = {"empty": make({}, criteria), "long_name": make({
        "patient": {"name": long_name, "record_number": "R" * 64},
        "plan": {"regimen": "with_capecitabine", "prescriber": "Dr " + "Q" * 190},
        "notes": "Discussed at the board. " * 150,
        "regimens": [{"agents": ["X" * 80] * 12, "setting": "metastatic", "note": "long note " * 400}],
    }, criteria)}
    for key, name in NON_LATIN.items():
        cases[key] = make({"patient": {"name": name, "record_number": "NL-1"}, "plan": {"regimen": "monotherapy"}},
                          criteria)
    return cases
