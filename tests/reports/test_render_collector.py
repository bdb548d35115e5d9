"""A report pauses the cyclic collector while it is laid out, and gives it back as it found it."""

from __future__ import annotations

import gc
from datetime import date

import pytest

from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir
from ixdesk.reports import render

EXAMPLE = examples_dir() / "01-combination-after-anthracycline-and-taxane.json"


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(enabled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    consult = load_consult(EXAMPLE)
    criteria = default_criteria()
    assessment = assess(consult, criteria)
    seen: list[bool] = []
    from ixdesk.reports import renderers

    real = renderers.RENDERERS["nurse"]

    class Watching(real):  # type: ignore[misc, valid-type]
        def render(self, report):  # type: ignore[no-untyped-def]
            seen.append(gc.isenabled())
            return super().render(report)

    monkeypatch.setitem(renderers.RENDERERS, "nurse", Watching)
    (gc.enable if enabled else gc.disable)()
    try:
        pdf = render("nurse", consult, assessment, criteria, None, date(2026, 12, 3))
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert pdf.startswith(b"%PDF-") and seen == [False]


def test_a_failing_layout_gives_the_collector_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from ixdesk.reports import renderers

    class Broken(renderers.RENDERERS["patient"]):  # type: ignore[misc, valid-type]
        def render(self, report):  # type: ignore[no-untyped-def]
            raise RuntimeError("layout")

    monkeypatch.setitem(renderers.RENDERERS, "patient", Broken)
    consult = load_consult(EXAMPLE)
    criteria = default_criteria()
    with pytest.raises(RuntimeError):
        render("patient", consult, assess(consult, criteria), criteria, None, date(2026, 12, 3))
    assert gc.isenabled()
