"""Counts typed in the wrong unit, and half-typed values (issue 9, section 1).

A count implausible in its unit but plausible in the other gets a "did you mean …?" at the field and
reaches no result until the unit is changed or the value confirmed; the confirmation is saved with
the value. While any field is invalid, the panel names it and shows no result at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import EXAMPLES
from tests.ui.helpers import type_into

EX1 = "01-combination-after-anthracycline-and-taxane.json"


def lab(window: Any, name: str) -> tuple[Any, Any, Any, Any]:
    form = window.form
    value, box = form.fields[f"labs.{name}"]
    return value, form.fields[f"labs.{name}.unit"][0], box, form.unit_prompts[f"labs.{name}"]


def settle(qtbot: Any, window: Any) -> None:
    QApplication.processEvents()
    window.reassess()


def finding(window: Any, fid: str) -> str:
    a = window.current_assessment()
    return next(f.state for f in a.findings if f.id == fid)


def test_neutrophils_1_8_per_mm3_prompts_at_the_field_and_reaches_no_result(qtbot: Any, window: Any) -> None:
    value, unit, box, prompt = lab(window, "neutrophils")
    assert unit.value() == "cells/mm3"  # nothing remembered, no clinic setting
    type_into(qtbot, value, "1.8")
    settle(qtbot, window)
    assert "1.8 cells/mm³ is implausible; did you mean 1.8 × 10⁹/L? Change the unit or confirm the value" \
        in box.error.text()
    assert prompt.isVisible() and prompt.use_button.isVisible() and prompt.keep_button.isVisible()
    assert prompt.use_button.text() == "Use ×10⁹/L" and prompt.keep_button.text() == "Keep cells/mm³ (confirmed)"
    assert window.current_assessment() is None  # never a false contraindication from 1.8 /mm³
    banner = window.panel.banner.text()
    assert window.panel.banner.isVisible() and "Neutrophils (ANC): 1.8 cells/mm³ is implausible" in banner
    assert window.panel.results_hidden
    window.panel.banner.linkActivated.emit("field:labs.neutrophils")  # each line takes the user to its field
    assert window.focusWidget() is value
    window.panel.grab().save("/tmp/ui-inputs-panel-invalid.png")
    window.grab().save("/tmp/ui-inputs-unit-prompt-window.png")
    box.grab().save("/tmp/ui-inputs-unit-prompt.png")

    qtbot.mouseClick(prompt.use_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert unit.value() == "10^9/L" and value.text() == "1.8"  # the typed number is kept
    assert not prompt.isVisible() and not box.error.isVisible()
    c = window.current_consult()
    assert c.labs.neutrophils.value == 1.8 and c.labs.neutrophils.unit == "10^9/L"
    assert finding(window, "exclusion.neutrophils") == "not_met"
    assert not window.panel.results_hidden and not window.panel.banner.isVisible()


def test_platelets_160_per_mm3_prompts(qtbot: Any, window: Any) -> None:
    value, unit, box, prompt = lab(window, "platelets")
    type_into(qtbot, value, "160")
    settle(qtbot, window)
    assert "160 cells/mm³ is implausible; did you mean 160 × 10⁹/L?" in box.error.text()
    assert prompt.isVisible() and window.current_assessment() is None
    assert "Platelets: 160 cells/mm³" in window.panel.banner.text()


def test_a_true_low_count_is_enterable_once_confirmed_and_the_confirmation_is_saved(
        qtbot: Any, window: Any, tmp_path: Path) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    value, unit, box, prompt = lab(window, "neutrophils")
    type_into(qtbot, value, "40")  # profound neutropenia is real
    settle(qtbot, window)
    assert prompt.keep_button.isVisible() and window.current_assessment() is None
    qtbot.mouseClick(prompt.keep_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert not box.error.isVisible() and prompt.confirmed.isVisible()
    assert prompt.confirmed.text() == "✔ 40 cells/mm³ confirmed as typed"
    box.grab().save("/tmp/ui-inputs-unit-confirmed.png")
    c = window.current_consult()
    assert c.labs.neutrophils.value == 40 and c.labs.neutrophils.unit_confirmed
    assert finding(window, "exclusion.neutrophils") == "met"
    assert window.isWindowModified()

    target = tmp_path / "confirmed.json"
    assert window._save_to(str(target))
    saved = json.loads(target.read_text())
    assert saved["labs"]["neutrophils"] == {"value": 40.0, "unit": "cells/mm3", "unit_confirmed": True}
    assert "unit_confirmed" not in saved["labs"]["platelets"]  # only where a value was confirmed

    assert window.open_path(str(target), ask=False)
    value, unit, box, prompt = lab(window, "neutrophils")
    assert window.current_assessment() is not None and not window.isWindowModified()
    assert prompt.confirmed.isVisible() and not prompt.keep_button.isVisible()
    # a different value is a new question: the confirmation was for 40
    type_into(qtbot, value, "45")
    settle(qtbot, window)
    assert prompt.keep_button.isVisible() and window.current_assessment() is None
    type_into(qtbot, value, "40")
    settle(qtbot, window)
    assert prompt.keep_button.isVisible() and window.current_assessment() is None


def test_the_reverse_slip_offers_cells_per_mm3(qtbot: Any, window: Any) -> None:
    value, unit, box, prompt = lab(window, "neutrophils")
    unit.set_value("10^9/L")
    type_into(qtbot, value, "1500")
    settle(qtbot, window)
    assert "1500 × 10⁹/L is implausible; did you mean 1500 cells/mm³? Change the unit" in box.error.text()
    assert prompt.use_button.isVisible() and not prompt.keep_button.isVisible()  # impossible: not confirmable
    qtbot.mouseClick(prompt.use_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.current_consult().labs.neutrophils.per_mm3 == 1500


def test_unit_defaults_to_the_last_one_used_but_a_file_keeps_its_own(qtbot: Any, window: Any) -> None:
    from tests.ui.conftest import Dialogs  # noqa: F401 - the window fixture's dialogs are already patched

    value, unit, box, prompt = lab(window, "neutrophils")
    unit.setFocus()
    qtbot.keyClick(unit, Qt.Key.Key_Down)  # the user picks ×10⁹/L
    unit.activated.emit(unit.currentIndex())
    assert unit.value() == "10^9/L"
    window.new_consult(ask=False)
    assert lab(window, "neutrophils")[1].value() == "10^9/L"  # a new consult starts in the last unit used
    assert lab(window, "platelets")[1].value() == "cells/mm3"  # per count
    assert window.open_path(str(EXAMPLES / EX1), ask=False)  # saved in cells/mm³
    assert lab(window, "neutrophils")[1].value() == "cells/mm3"
    assert window.current_consult().labs.neutrophils.unit == "cells/mm3" and not window.isWindowModified()


def test_unit_defaults_to_the_clinic_setting(qtbot: Any, dialogs: Any, _private_data_dir: Path) -> None:
    from ixdesk.clinic_settings import clinic_count_unit, load_settings, save_settings, settings_path
    from ixdesk.reports.settings import ReportSettings
    from ixdesk.ui.main_window import MainWindow

    save_settings(ReportSettings(clinic_name="Clinic"), count_unit="10^9/L")
    assert clinic_count_unit() == "10^9/L" and load_settings().clinic_name == "Clinic"
    save_settings(ReportSettings(clinic_name="Renamed"))  # editing the contact block keeps the unit
    assert json.loads(settings_path().read_text())["count_unit"] == "10^9/L"
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.current_assessment() is not None)
    assert lab(w, "neutrophils")[1].value() == "10^9/L" and lab(w, "platelets")[1].value() == "10^9/L"


# --- half-typed values ------------------------------------------------------------------------

def check_panel_matches_typed(window: Any, path: str, typed: str, words: str) -> str:
    """Either the invalid-field state naming ``words``, or results for exactly ``typed``."""
    window.reassess()
    panel = window.panel
    if window.input_problems():
        assert panel.results_hidden and not panel.tree.isVisible() and not panel.headline.isVisible()
        assert panel.banner.isVisible() and f"{words}:" in panel.banner.text(), (typed, panel.banner.text())
        assert window.current_assessment() is None
        return "invalid"
    assert not panel.results_hidden and panel.tree.isVisible() and not panel.banner.isVisible()
    obj: Any = window.current_consult()
    for part in path.split("."):
        obj = getattr(obj, part)
    if hasattr(obj, "value"):
        obj = obj.value
    assert obj == float(typed), (typed, obj)
    assert panel._shown == window.current_assessment()
    return "valid"


def test_half_typed_neutrophils_never_show_an_earlier_keystroke(qtbot: Any, window: Any) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    value, unit, box, prompt = lab(window, "neutrophils")
    value.selectAll()
    value.clear()
    seen = []
    for i, key in enumerate("1650"):
        qtbot.keyClicks(value, key)
        QApplication.processEvents()
        seen.append(check_panel_matches_typed(window, "labs.neutrophils", "1650"[: i + 1], "Neutrophils (ANC)"))
    assert seen == ["invalid", "invalid", "valid", "valid"]  # 1 and 16 /mm³ are doubted; 165 and 1650 are counts


def test_half_typed_height_shows_no_result_for_165(qtbot: Any, window: Any) -> None:
    """The measured case: 1650 passes through 165, a valid height; 1650 must not show 165's result."""
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    widget = window.form.fields["patient.height_cm"][0]
    widget.selectAll()
    widget.clear()
    seen = []
    for i, key in enumerate("1650"):
        qtbot.keyClicks(widget, key)
        QApplication.processEvents()
        seen.append(check_panel_matches_typed(window, "patient.height_cm", "1650"[: i + 1], "Height"))
    assert seen == ["invalid", "invalid", "valid", "invalid"]
    window.panel.grab().save("/tmp/ui-inputs-panel-height-1650.png")


def test_half_typed_platelets_and_a_regimen_date_are_named(qtbot: Any, window: Any) -> None:
    assert window.open_path(str(EXAMPLES / EX1), ask=False)
    value = lab(window, "platelets")[0]
    value.selectAll()
    value.clear()
    for i, key in enumerate("165000"):
        qtbot.keyClicks(value, key)
        QApplication.processEvents()
        check_panel_matches_typed(window, "labs.platelets", "165000"[: i + 1], "Platelets")
    reg = window.form.regimens
    reg.select_row(0)
    type_into(qtbot, reg.last_dose_date, "2024-0")
    window.reassess()
    assert "Regimen 1, last dose date: not a valid date" in window.panel.banner.text()
    assert window.panel.results_hidden


def test_a_file_with_an_unconfirmed_doubted_count_is_refused_untouched(window: Any, dialogs: Any,
                                                                      tmp_path: Path) -> None:
    doc = json.loads((EXAMPLES / EX1).read_text())
    doc["labs"]["neutrophils"] = {"value": 1.8, "unit": "cells/mm3"}
    target = tmp_path / "typo.json"
    target.write_text(json.dumps(doc))
    before = target.read_bytes()
    assert not window.open_path(str(target), ask=False)
    kind, text = dialogs.calls[-1]
    assert kind == "critical"
    assert "1.8 cells/mm³ is implausible; did you mean 1.8 × 10⁹/L? Change the unit or confirm the value" in text
    assert target.read_bytes() == before
