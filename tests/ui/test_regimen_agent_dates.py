"""The regimen editor's 'Agents stopped on different days' section: per-agent last doses entered in
the form reach the engine; a plain one-date regimen looks as before."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from ixdesk.core.consult import Consult
from tests.ui.helpers import type_into

HER2_POS = {"extent": "metastatic", "er": "negative", "pr": "negative", "her2_ihc": "3+", "her2_ish": "positive",
            "germline_brca": "no_mutation", "visceral_crisis": False}


def thp_consult(**reg_over: Any) -> Consult:
    reg = {"agents": ["docetaxel", "trastuzumab", "pertuzumab"], "setting": "metastatic", "start_date": "2025-01-06",
           "ongoing": True, "progressed": True, "progression_date": "2026-02-21", "stop_reason": "progression"}
    reg.update(reg_over)
    return Consult.model_validate({
        "consult_date": "2026-03-02", "disease": HER2_POS, "regimens": [reg],
        "plan": {"regimen": "with_trastuzumab"}}, strict=False)


def taxane(window: Any) -> str:
    a = window.current_assessment()
    return a.resistance_for("taxane").result if a is not None else "no assessment"


def test_plain_regimen_keeps_the_section_closed(qtbot: Any, window: Any) -> None:
    window.load_consult_into_form(thp_consult(), None)
    ed = window.form.regimens
    assert ed.per_agent_toggle.isVisible() and not ed.per_agent_toggle.isChecked()
    assert not ed.per_agent_panel.isVisible()
    assert window.current_consult().regimens[0].agent_last_doses == []
    if os.environ.get("IXDESK_SCREENSHOTS"):
        ed.editor.grab().save("/tmp/resistance-editor-closed.png")


def test_docetaxel_date_typed_in_the_section_reaches_the_engine(qtbot: Any, window: Any) -> None:
    window.load_consult_into_form(thp_consult(), None)
    ed = window.form.regimens
    qtbot.waitUntil(lambda: taxane(window) == "resistant")  # the whole regimen ongoing: on therapy
    assert window.current_assessment().finding("pathway.C").state == "met"
    qtbot.mouseClick(ed.per_agent_toggle, Qt.MouseButton.LeftButton)
    assert ed.per_agent_panel.isVisible()
    assert list(ed.agent_dates) == ["docetaxel", "trastuzumab", "pertuzumab"]
    field = ed.agent_dates["docetaxel"]
    field.setFocus()
    type_into(qtbot, field, "2025-04-21")
    qtbot.waitUntil(lambda: taxane(window) == "not_resistant")
    c = window.current_consult()
    assert [(a.agent, a.last_dose_date) for a in c.regimens[0].agent_last_doses] == [("docetaxel", date(2025, 4, 21))]
    assert window.current_assessment().finding("pathway.C").state == "not_met"
    assert "(+1 agent)" in ed.table.item(0, 3).text()
    assert ed.agent_dates["docetaxel"] is field  # typing a date never rebuilds the section under the cursor

    if os.environ.get("IXDESK_SCREENSHOTS"):
        window.resize(1280, 900)
        window.form.ensureWidgetVisible(ed.per_agent_panel)
        qtbot.wait(50)
        window.grab().save("/tmp/resistance-form.png")
        ed.editor.grab().save("/tmp/resistance-editor.png")


def test_bad_or_impossible_agent_date_is_marked_at_its_field(qtbot: Any, window: Any) -> None:
    window.load_consult_into_form(thp_consult(), None)
    ed = window.form.regimens
    ed.per_agent_toggle.setChecked(True)
    type_into(qtbot, ed.agent_dates["docetaxel"], "2025-13-01")
    box = ed.agent_date_boxes["docetaxel"]
    qtbot.waitUntil(lambda: box.error.isVisible())
    assert "docetaxel" in box.error.text()
    assert window.current_assessment() is None
    type_into(qtbot, ed.agent_dates["docetaxel"], "2026-03-03")  # after the consult date
    qtbot.waitUntil(lambda: "after the consult date" in box.error.text())
    type_into(qtbot, ed.agent_dates["docetaxel"], "2024-12-31")  # before the regimen started
    qtbot.waitUntil(lambda: "before the regimen's start" in box.error.text())
    assert not ed.boxes["agents"].error.isVisible()
    type_into(qtbot, ed.agent_dates["docetaxel"], "2025-04-21")
    qtbot.waitUntil(lambda: not box.error.isVisible() and taxane(window) == "not_resistant")


def test_loaded_agent_dates_open_the_section_and_survive_editing_the_agents(qtbot: Any, window: Any) -> None:
    window.load_consult_into_form(thp_consult(agent_last_doses=[{"agent": "docetaxel", "last_dose_date": "2025-04-21"}]), None)
    ed = window.form.regimens
    assert ed.per_agent_toggle.isChecked() and ed.per_agent_panel.isVisible()
    assert ed.agent_dates["docetaxel"].text() == "2025-04-21"
    assert "1 dated" in ed.per_agent_toggle.text()
    assert not window.isWindowModified()
    # retyping the agents (a name removed, then typed again) keeps the date typed for it
    type_into(qtbot, ed.agents, "trastuzumab, pertuzumab")
    qtbot.waitUntil(lambda: taxane(window) == "not_exposed")
    assert "docetaxel" not in ed.agent_dates
    type_into(qtbot, ed.agents, "docetaxel, trastuzumab, pertuzumab")
    qtbot.waitUntil(lambda: taxane(window) == "not_resistant")
    assert ed.agent_dates["docetaxel"].text() == "2025-04-21"
