"""The window answers first: the verdict header, the plan comparison, the medications list, messages
in the form's words, and the consult file type in the Save and Open dialogs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from ixdesk.core.files import load_consult, save_consult
from ixdesk.ui.main_window import (
    OPEN_FILTER,
    SAVE_FILTER,
    suggested_file_name,
    with_consult_suffix,
)

from .helpers import type_into

EX = {p.name[:2]: p for p in (Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.json")}


def opened(window: Any, stem: str) -> Any:
    assert window.open_path(str(EX[stem]), ask=False)
    window._update_compare()  # the comparison follows on the next event-loop pass; run it now
    return window.verdict


def test_01_verdict_reads_ready_with_its_dose(window: Any) -> None:
    v = opened(window, "01")
    assert v.tag.text() == "READY"
    assert v.headline.text() == "Ready: ixabepilone with capecitabine, within the FDA label"
    assert "70.6 mg</b> IV over 3 h every 21 days" in v.dose.text()
    assert "FDA label" in v.statuses.text() and "B met" in v.statuses.text()
    assert not v.holds.isVisibleTo(v)
    window.setWindowModified(False)


def test_04_verdict_reads_on_hold_for_neutrophils_and_gives_no_dose_as_an_order(window: Any) -> None:
    v = opened(window, "04")
    assert v.tag.text() == "ON HOLD"
    assert v.headline.text() == "On hold: Baseline neutrophils below 1,500 cells/mm³"
    assert "Contraindication:" in v.holds.text() and "1,200 cells/mm³" in v.holds.text()
    assert "No dose while on hold" in v.dose.text() and "<b>" not in v.dose.text()
    # the hold links to its rule in the detail list
    v.holds.linkActivated.emit("finding:exclusion.neutrophils")
    assert window.panel.tree.currentItem() is not None
    assert "neutrophils" in window.panel.tree.currentItem().text(0).lower()
    window.setWindowModified(False)


def test_the_header_s_tint_follows_the_verdict_when_it_changes(window: Any, qtbot: Any) -> None:
    """The tint is chosen by the header's "tone" property (no new style sheet per edit): what is
    painted must still change with the verdict, and back."""
    from PySide6.QtGui import QColor

    from ixdesk.ui.verdict import TONES

    def painted(v: Any) -> str:
        img = v.grab().toImage()
        return QColor(img.pixel(img.width() - 12, img.height() - 6)).name()

    v = opened(window, "01")
    window.show()
    QApplication.processEvents()
    assert v.tone == "good" and painted(v) == TONES["good"][1]
    type_into(qtbot, window.form.fields["labs.neutrophils"][0], "1000")
    window.reassess()
    assert v.tag.text() == "ON HOLD" and v.tone == "bad" and painted(v) == TONES["bad"][1]
    type_into(qtbot, window.form.fields["labs.neutrophils"][0], "2000")
    window.reassess()
    assert v.tone == "good" and painted(v) == TONES["good"][1]
    window.setWindowModified(False)


def test_05_outside_the_label_is_not_painted_as_an_alarm(window: Any) -> None:
    v = opened(window, "05")
    assert v.tag.text() == "OUTSIDE THE LABEL"
    assert v.headline.text() == "Outside the FDA label, supported by pathways C, D and both payer policies"
    assert "#c62828" not in v.bar.styleSheet()  # the red bar is for contraindications only
    window.setWindowModified(False)


def test_07_verdict_names_what_is_missing_and_links_to_it(window: Any) -> None:
    v = opened(window, "07")
    assert v.tag.text() == "NOT DECIDED" and v.headline.text() == "Not decided: waiting for 7 inputs"
    assert "field:labs.platelets" in v.holds.text()
    v.holds.linkActivated.emit("field:labs.platelets")
    assert window.focusWidget() is window.form.fields["labs.platelets"][0]
    window.setWindowModified(False)


def test_the_panel_headline_gives_way_to_the_verdict(window: Any) -> None:
    opened(window, "01")
    assert not window.panel.headline.isVisible() and window.verdict.isVisible()


def test_plan_comparison_shows_the_three_regimens_side_by_side(window: Any) -> None:
    opened(window, "01")
    pc = window.plan_compare
    assert [c.plan for c in pc.columns] == ["monotherapy", "with_capecitabine", "with_trastuzumab"]
    assert pc.cells[("Decision", "with_capecitabine")].text().endswith(">Ready</b>")
    assert "A, E met" in pc.cells[("Pathways", "monotherapy")].text()
    assert "not a label indication" in pc.cells[("FDA label", "with_trastuzumab")].text()
    assert pc.cells[("Dose", "monotherapy")].text() == "70.6 mg (40 mg/m²)"
    # hidden on request, remembered, and nothing is computed while hidden
    window.verdict.compare_button.setChecked(False)
    assert not pc.isVisible() and window.settings.value("compare_plans") == "false"
    window.verdict.compare_button.setChecked(True)
    assert pc.isVisible()
    window.setWindowModified(False)


def test_comparison_is_there_when_a_consult_opens_and_greyed_while_typing(qtbot: Any, window: Any) -> None:
    assert window.open_path(str(EX["05"]), ask=False)
    pc = window.plan_compare
    assert [c.current for c in pc.columns] == [False, False, True] and pc.isEnabled()  # no wait on open
    type_into(qtbot, window.form.fields["patient.weight_kg"][0], "58")
    window.reassess()
    assert not pc.isEnabled()  # its numbers are for the weight before the edit
    qtbot.waitUntil(pc.isEnabled)
    assert pc.columns[2].assessment.dose.weight_kg == 58
    window.setWindowModified(False)


def test_the_verdict_disappears_while_a_field_is_invalid(qtbot: Any, window: Any) -> None:
    opened(window, "01")
    type_into(qtbot, window.form.fields["patient.height_cm"][0], "abc")
    window.reassess()
    assert window.verdict.verdict is None and window.verdict.headline.text().startswith("No verdict")
    assert window.plan_compare.columns == []
    window.setWindowModified(False)


def test_medications_list_one_line_per_drug(qtbot: Any, window: Any) -> None:
    opened(window, "04")
    meds = window.form.medications
    assert [meds.list.item(i).text() for i in range(meds.list.count())] == ["clarithromycin 500 mg twice daily", "tamoxifen"]
    type_into(qtbot, meds.entry, "omeprazole 20 mg daily")
    qtbot.keyClick(meds.entry, Qt.Key.Key_Return)
    window.reassess()
    assert window.current_consult().history.medications[-1] == "omeprazole 20 mg daily"
    meds.list.setCurrentRow(0)
    qtbot.mouseClick(meds.remove_button, Qt.MouseButton.LeftButton)
    window.reassess()
    assert window.current_consult().history.medications == ["tamoxifen", "omeprazole 20 mg daily"]
    # the clarithromycin hold on the dose is gone with it
    assert window.current_assessment().dose.mg_per_m2 == 40
    # typed but not added yet still counts: a drug is never left out of the CYP3A4 check
    type_into(qtbot, meds.entry, "ketoconazole")
    window.reassess()
    assert window.current_consult().history.medications[-1] == "ketoconazole"
    QApplication.clipboard().setText("letrozole 2.5 mg\n\n  rifampicin  \n")  # a block pasted from a chart
    meds.list.clearFocus()
    qtbot.keyClick(meds.entry, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    window.reassess()
    assert window.current_consult().history.medications[-3:] == ["letrozole 2.5 mg", "rifampicin", "ketoconazole"]
    window.setWindowModified(False)


def test_no_current_medications_is_an_answer(qtbot: Any, window: Any) -> None:
    opened(window, "04")
    meds = window.form.medications
    meds.set_value([])
    window.reassess()
    assert window.current_consult().history.medications == [] and meds.none_box.isChecked()
    type_into(qtbot, meds.entry, "tamoxifen")
    qtbot.keyClick(meds.entry, Qt.Key.Key_Return)
    assert not meds.none_box.isChecked()
    window.setWindowModified(False)


def test_regimen_message_in_the_forms_words_and_its_link_focuses_the_field(qtbot: Any, window: Any) -> None:
    opened(window, "01")
    reg = window.form.regimens
    reg.table.selectRow(2)
    type_into(qtbot, reg.last_dose_date, "2020-01-01")
    window.reassess()
    banner = window.panel.banner.text()
    assert "Regimen 3, last dose" in banner and "is before the start date" in banner
    assert "regimens[2]" not in banner.replace("field:regimens[2]", "")
    reg.table.selectRow(0)
    window.panel.banner.linkActivated.emit("field:regimens[2].last_dose_date")
    assert reg.table.currentRow() == 2 and window.focusWidget() is reg.last_dose_date
    window.setWindowModified(False)


def test_file_open_error_names_fields_in_the_forms_words(dialogs: Any, window: Any, tmp_path: Path) -> None:
    import json

    doc = json.loads(EX["01"].read_text())
    doc["regimens"][2]["last_dose_date"] = "2020-01-01"
    doc["patient"]["height_cm"] = -5
    bad = tmp_path / "bad.ixdesk.json"
    bad.write_text(json.dumps(doc))
    assert not window.open_path(str(bad), ask=False)
    [(_kind, text)] = [c for c in dialogs.calls if c[0] == "critical"]
    assert "Regimen 3, last dose date: is before the start date" in text
    assert "Height:" in text
    assert "regimens[2]" not in text and "patient.height_cm" not in text


def test_save_dialog_offers_the_consult_type_and_a_name(window: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def dialog(_parent: Any, _title: str, suggested: str, filt: str, *a: Any, **k: Any) -> tuple[str, str]:
        seen.append((suggested, filt))
        return str(tmp_path / "Maria Example"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    opened(window, "01")  # a bundled example: Save asks
    assert window.save()
    [(suggested, filt)] = seen
    assert Path(suggested).name == "Maria Example.ixdesk.json" and filt == SAVE_FILTER
    assert window.path == str(tmp_path / "Maria Example.ixdesk.json")
    assert load_consult(window.path).patient.name == "Maria Example"
    window.save_as()
    assert Path(seen[-1][0]).name == "Maria Example.ixdesk.json"  # the user's own file: its name


def test_open_dialog_shows_consult_files_and_plain_json(window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def dialog(_parent: Any, _title: str, _folder: str, filt: str, *a: Any, **k: Any) -> tuple[str, str]:
        seen.append(filt)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(dialog))
    window.open_dialog()
    assert seen == [OPEN_FILTER] and "*.ixdesk.json *.json" in OPEN_FILTER


@pytest.mark.parametrize("typed, saved", [
    ("Doe", "Doe.ixdesk.json"), ("J. Doe", "J. Doe.ixdesk.json"), ("doe.json", "doe.json"),
    ("doe.ixdesk.json", "doe.ixdesk.json"), ("notes.txt", "notes.txt")])
def test_consult_suffix_only_when_none_was_typed(typed: str, saved: str) -> None:
    assert with_consult_suffix(f"/x/{typed}") == f"/x/{saved}"


def test_suggested_name_is_a_safe_file_name() -> None:
    assert suggested_file_name("Li Wei") == "Li Wei.ixdesk.json"
    assert suggested_file_name(None) == "consult.ixdesk.json"
    assert suggested_file_name("a/b:c*") == "a-b-c.ixdesk.json"
    assert suggested_file_name("  ..  ") == "consult.ixdesk.json"


def test_saved_example_round_trips_through_the_new_name(window: Any, tmp_path: Path) -> None:
    target = tmp_path / "x.ixdesk.json"
    save_consult(load_consult(EX["05"]), target)
    assert window.open_path(str(target), ask=False) and window.verdict.tag.text() == "OUTSIDE THE LABEL"


def test_radiotherapy_is_asked_in_the_form_and_reaches_the_patient_sheet(qtbot: Any, window: Any) -> None:
    """The patient sheet warns of radiation recall only when radiotherapy is recorded: the form must
    let the clinician record it (a file-only field would never be answered)."""
    from datetime import date

    from ixdesk.core.engine import assess
    from ixdesk.present.patient import build_patient_report
    from ixdesk.present.settings import ReportSettings

    opened(window, "01")
    widget, _ = window.form.fields["history.radiotherapy"]
    widget.setCurrentIndex(widget.findText("yes"))
    qtbot.waitUntil(lambda: window.current_consult() is not None
                    and window.current_consult().history.radiotherapy is True)
    consult = window.current_consult()
    data = build_patient_report(consult, assess(consult), window.criteria, ReportSettings(), date(2026, 12, 3))
    assert any("radiation" in s.heading.lower() for s in data.sections)
