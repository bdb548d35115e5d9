"""The regimen editor's cumulative anthracycline doses (issue 11): a window save keeps them exactly,
each anthracycline of the regimen gets its own optional mg/m² field, a bad value is named in the
form's words, and the recorded exposure shows beside the attestation without deciding it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from ixdesk.core.files import consult_to_json, load_consult
from ixdesk.ui.inputs import NumberEdit
from tests.ui.helpers import type_into
from tests.ui.test_wheel import active, wheel_everything  # noqa: F401 - the fixture is used by name

EXAMPLE = "08-course-four-cycles-with-reduction.json"


def _block(text: str, key: str = "anthracycline_doses") -> list[str]:
    """Every ``"anthracycline_doses": [...]`` as written in the file (its exact bytes)."""
    return re.findall(rf'"{key}": \[[^\]]*\]', text)


def _open(window: Any, examples: Path, tmp_path: Path) -> Path:
    path = tmp_path / EXAMPLE
    path.write_bytes((examples / EXAMPLE).read_bytes())
    assert window.open_path(str(path), ask=False)
    QApplication.processEvents()
    return path


def test_a_window_save_keeps_the_recorded_anthracycline_dose_byte_for_byte(window: Any, examples: Path,
                                                                         tmp_path: Path) -> None:
    src = (examples / EXAMPLE).read_text(encoding="utf-8")
    assert _block(src), "example 08 records a doxorubicin dose"
    _open(window, examples, tmp_path)
    assert window.input_problems() == []
    out = tmp_path / "saved.json"
    assert window._save_to(str(out))
    saved = out.read_text(encoding="utf-8")
    # exactly what IxDesk itself writes for the file as loaded (its float form, 240.0), and the same value
    assert _block(saved) == _block(consult_to_json(load_consult(examples / EXAMPLE)))
    assert len(_block(saved)) == len(_block(src)) == 1
    assert json.loads(saved)["regimens"][0]["anthracycline_doses"] == [{"agent": "doxorubicin", "cumulative_mg_per_m2": 240}]
    assert "anthracycline_doses" not in json.dumps(json.loads(saved)["regimens"][1])  # none recorded: none written


def test_each_anthracycline_of_the_regimen_has_its_field_and_editing_it_reaches_the_consult(
        window: Any, qtbot: Any, examples: Path, tmp_path: Path) -> None:
    _open(window, examples, tmp_path)
    ed = window.form.regimens
    ed.select_row(0)  # AC: doxorubicin, recorded
    assert list(ed.anth_edits) == ["doxorubicin"] and ed.anth_edits["doxorubicin"].text() == "240"
    assert ed.anth_toggle.isChecked() and "(1 recorded)" in ed.anth_toggle.text()
    type_into(qtbot, ed.anth_edits["doxorubicin"], "300")
    qtbot.waitUntil(lambda: window.current_consult() is not None and
                    window.current_consult().regimens[0].anthracycline_doses[0].cumulative_mg_per_m2 == 300)
    ed.select_row(1)  # Taxol: no anthracycline
    assert ed.anth_edits == {}
    ed.select_row(3)  # Doxil: its anthracycline, not recorded yet
    assert len(ed.anth_edits) == 1 and not ed.anth_toggle.isChecked()
    (name, field), = ed.anth_edits.items()
    ed.anth_toggle.setChecked(True)
    type_into(qtbot, field, "150")
    qtbot.waitUntil(lambda: window.current_consult() is not None and
                    [d.cumulative_mg_per_m2 for d in window.current_consult().regimens[3].anthracycline_doses] == [150])
    assert window.current_consult().regimens[3].anthracycline_doses[0].agent == name
    # emptied: not recorded again, nothing written
    type_into(qtbot, field, "")
    qtbot.waitUntil(lambda: window.current_consult() is not None and
                    window.current_consult().regimens[3].anthracycline_doses == [])
    # the exposure beside the attestation follows (not deciding it)
    label = window.form.anthracycline_exposure
    qtbot.waitUntil(lambda: "doxorubicin: 300 mg/m² (regimen 1)" in label.text())
    assert "does not decide the attestation" in label.text()


def test_a_bad_anthracycline_dose_is_named_in_the_forms_words_at_its_field(window: Any, qtbot: Any, examples: Path,
                                                                          tmp_path: Path) -> None:
    _open(window, examples, tmp_path)
    ed = window.form.regimens
    ed.select_row(0)
    field = ed.anth_edits["doxorubicin"]
    type_into(qtbot, field, "24O")
    box = ed.anth_boxes["doxorubicin"]
    qtbot.waitUntil(lambda: box.error.isVisible())
    assert "doxorubicin: not a number" in box.error.text()
    assert window.current_assessment() is None or window.input_problems()
    words = [window.form.describe_problem(p) for p in window.input_problems()]
    assert any(w.startswith("Regimen 1: cumulative anthracycline dose") and "doxorubicin: not a number" in w for w in words), words
    type_into(qtbot, field, "5000")  # above the plausibility limit: the model's message, at the field
    qtbot.waitUntil(lambda: box.error.isVisible() and "2000" in box.error.text())
    words = [window.form.describe_problem(p) for p in window.input_problems()]
    assert any("cumulative" in w.lower() for w in words), words


@pytest.mark.slow
def test_the_wheel_does_not_change_an_anthracycline_dose(active: Any, examples: Path,  # noqa: F811
                                                         tmp_path: Path) -> None:
    window = active
    _open(window, examples, tmp_path)
    ed = window.form.regimens
    ed.select_row(0)
    fields = [w for w in ed.anth_panel.findChildren(NumberEdit) if w.isVisibleTo(ed)]
    assert fields
    wheel_everything(window, fields, "anthracycline dose")
    assert ed.anth_edits["doxorubicin"].text() == "240"


def test_exposure_is_shown_beside_the_attestation_without_a_course(window: Any, qtbot: Any, examples: Path) -> None:
    assert window.open_path(str(examples / "02-monotherapy-after-all-three.json"), ask=False)
    label = window.form.anthracycline_exposure
    qtbot.waitUntil(lambda: bool(label.text()))
    assert window.current_consult().course is None
    assert label.text() == ("Recorded exposure (does not decide the attestation): "
                            "regimen 1: cumulative epirubicin dose: not recorded")
