"""The Course section of the window (issue 11, section 4): round trip, live gate and dose, locking,
messages in the form's words, and the wheel guard over every course field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from ixdesk.core.consult import Consult
from ixdesk.core.files import load_consult, save_consult
from ixdesk.ui.course import HISTORY_HEADERS
from ixdesk.ui.inputs import ChoiceCombo, DateEdit, NumberEdit
from tests.present.course_data import course_data
from tests.ui.helpers import type_into
from tests.ui.test_wheel import active, choices, wheel_everything  # noqa: F401 - the fixture is used by name


def _consult(**kw: Any) -> Consult:
    return Consult.model_validate_json(json.dumps(course_data(**kw)))


def _open(window: Any, tmp_path: Path, consult: Consult, name: str = "course.json") -> Path:
    path = tmp_path / name
    save_consult(consult, path)
    assert window.open_path(str(path), ask=False)
    QApplication.processEvents()
    return path


def _field(window: Any, key: str) -> Any:
    return window.form.course.fields[f"course.next_cycle.{key}"][0]


def test_a_course_round_trips_through_save_and_open_unchanged(window: Any, tmp_path: Path) -> None:
    c = _consult(tox={"febrile_neutropenia": True, "other_grade3_name": "mucositis", "diarrhoea_or_stomatitis": None})
    data = c.model_dump(mode="json")
    data["course"]["next_cycle"]["medications"] = [
        {"name": "clarithromycin", "start_date": "2027-01-02", "stop_date": "2027-01-12"}, {"name": "metformin"}]
    data["course"]["next_cycle"]["labs"]["neutrophils"] = {"value": 2.1, "unit": "10^9/L"}
    data["course"]["next_cycle"]["labs"]["hemoglobin"] = {"value": 11.2, "unit": "g/dL"}  # not edited here: kept
    c = Consult.model_validate_json(json.dumps(data))
    _open(window, tmp_path, c)
    assert window.input_problems() == []
    assert window.current_consult() == c
    out = tmp_path / "again.json"
    assert window._save_to(str(out))
    saved = load_consult(out)
    # the saved file also carries the audit trail (opened, ...); the consult itself is unchanged
    assert saved.audit is not None and saved.audit.entries[0].kind == "opened"
    assert saved.model_copy(update={"audit": None}) == c
    assert not window.isWindowModified()


def test_a_consult_without_a_course_stays_without_one(window: Any, tmp_path: Path, examples: Path) -> None:
    assert window.open_path(str(examples / "02-monotherapy-after-all-three.json"), ask=False)
    assert window.current_consult().course is None
    assert not window.form.course.body.isVisibleTo(window.form.course)
    window.form.course.start_course()
    window.reassess()
    course = window.current_consult().course
    assert course is not None and course.cycles_given == [] and course.next_cycle.number == 1


def test_gate_and_dose_update_live(window: Any, qtbot: Any, tmp_path: Path) -> None:
    _open(window, tmp_path, _consult())
    result = window.form.course.result
    assert "Go: the cycle may start" in result.text() and "No change: 32 mg/m²" in result.text()
    type_into(qtbot, _field(window, "labs.neutrophils"), "1499")
    window.reassess()
    assert "Hold: do not start the cycle" in result.text()
    type_into(qtbot, _field(window, "labs.neutrophils"), "1500")  # exactly the threshold goes
    window.reassess()
    assert "Go: the cycle may start" in result.text()
    _field(window, "toxicity.febrile_neutropenia").set_value(True)
    window.reassess()
    assert "Reduce 20%: 32 → 25.6 mg/m²" in result.text()
    _field(window, "toxicity.any_grade4").set_value(True)
    window.reassess()
    assert "Discontinue ixabepilone" in result.text()
    _field(window, "toxicity.any_grade4").set_value(None)
    window.reassess()
    assert "Dose not decided" in result.text() and "any grade 4 toxicity" in result.text()


def test_recording_a_cycle_locks_it_and_prefills_the_next(window: Any, tmp_path: Path) -> None:
    _open(window, tmp_path, _consult(tox={"febrile_neutropenia": True}))
    sec = window.form.course
    d = sec.decision
    assert d is not None and d.mg_per_m2 == 25.6
    assert sec.add_given(4, {"date": sec._readers["planned_date"](), "weight_kg": 57.5, "ixabepilone_mg_per_m2": 25.6,
                             "ixabepilone_mg": d.mg, "change_reason": d.rule_text, "verified_by": "RN D. Fourth"},
                         cycle_days=21)
    window.reassess()
    course = window.current_consult().course
    assert [c.number for c in course.cycles_given] == [1, 2, 3, 4]
    assert course.cycles_given[-1].verified_by == "RN D. Fourth"
    nc = course.next_cycle
    assert nc.number == 5 and nc.planned_date.isoformat() == "2027-02-17" and nc.weight_kg == 57.5
    assert [m.name for m in nc.medications] == ["metformin", "amlodipine"]  # carried
    assert nc.labs.neutrophils is None and nc.toxicity.febrile_neutropenia is None  # the new cycle's to enter
    # locked: the history table cannot be edited; a change needs a reason, which is kept
    table = sec.history
    assert table.rowCount() == 4 and table.editTriggers() == table.EditTrigger.NoEditTriggers
    assert table.item(3, HISTORY_HEADERS.index("Verified by")).text() == "RN D. Fourth"
    values = course.cycles_given[1].model_dump(exclude_none=True)
    reason_before = course.cycles_given[1].change_reason
    assert not sec.apply_amendment(1, {**values, "ixabepilone_mg": 51.2}, reason="  ")
    assert sec.apply_amendment(1, {**values, "ixabepilone_mg": 51.2}, reason="mg typed wrongly", on=nc.planned_date,
                               by="RN D. Fourth")
    window.reassess()
    changed = window.current_consult().course.cycles_given[1]
    assert changed.ixabepilone_mg == 51.2
    # the change is an amendment of its own; the clinical reason for the dose change is untouched
    assert changed.change_reason == reason_before and "[changed" not in (changed.change_reason or "")
    assert [(a.on.isoformat(), a.reason, a.by, a.changed) for a in changed.amendments] == [
        ("2027-02-17", "mg typed wrongly", "RN D. Fourth", ["ixabepilone_mg"])]
    shown = table.item(1, HISTORY_HEADERS.index("Reason for change")).text()
    assert "Changed on 17 Feb 2027 by RN D. Fourth (mg): mg typed wrongly" in shown
    # a second change keeps the first
    values = changed.model_dump(exclude_none=True)
    assert sec.apply_amendment(1, {**values, "weight_kg": 58.0}, reason="scale", on=nc.planned_date)
    window.reassess()
    again = window.current_consult().course.cycles_given[1]
    assert [a.reason for a in again.amendments] == ["mg typed wrongly", "scale"] and again.amendments[1].changed == [
        "weight_kg"]


def test_record_dialog_needs_the_dose_and_the_second_checker() -> None:
    from ixdesk.ui.course import RecordDialog

    dlg = RecordDialog("Record cycle 4 as given", {"ixabepilone_mg_per_m2": 32, "ixabepilone_mg": 51.2}, amend=False)
    dlg.accept()
    assert dlg.value is None and "who verified it" in dlg.error.text()
    dlg.verified.setText("RN Two")
    dlg.accept()
    assert dlg.value == {"ixabepilone_mg_per_m2": 32, "ixabepilone_mg": 51.2, "verified_by": "RN Two"}
    amend = RecordDialog("Change cycle 2", {"ixabepilone_mg_per_m2": 32, "ixabepilone_mg": 51.2, "verified_by": "X"},
                         amend=True)
    amend.accept()
    assert amend.value is None and "reason" in amend.error.text()


def test_problems_are_named_in_the_forms_words_and_focus_moves(window: Any, qtbot: Any, tmp_path: Path) -> None:
    _open(window, tmp_path, _consult())
    type_into(qtbot, _field(window, "weight_kg"), "5")  # below the plausible 25 kg
    type_into(qtbot, _field(window, "labs_time"), "8h40")
    window.reassess()
    words = [window.form.describe_problem(p) for p in window.input_problems()]
    assert any(w.startswith("Course, cycle 4: time drawn: use HH:MM") for w in words), words
    type_into(qtbot, _field(window, "labs_time"), "08:40")
    window.reassess()
    words = [window.form.describe_problem(p) for p in window.input_problems()]
    assert any(w.startswith("Course, cycle 4: weight that day") for w in words), words
    window.activateWindow()
    qtbot.waitActive(window)
    window.focus_field(window.input_problems()[0].field)  # what clicking the message in the panel does
    target = _field(window, "weight_kg")
    qtbot.waitUntil(lambda: window.focusWidget() is target)
    assert window.form.course.fields["course.next_cycle.weight_kg"][1].error.isVisibleTo(window.form.course)


def test_the_form_with_a_course_fits_1280x800(window: Any, tmp_path: Path) -> None:
    window.resize(1280, 800)
    _open(window, tmp_path, _consult())
    QApplication.processEvents()
    form = window.form
    assert form.horizontalScrollBar().maximum() == 0, "the form scrolls sideways"
    assert form.course.body.width() <= form.viewport().width()


@pytest.mark.slow
def test_wheel_changes_no_course_field(active: Any, tmp_path: Path) -> None:  # noqa: F811
    window = active
    _open(window, tmp_path, _consult(tox={"febrile_neutropenia": True}))
    sec: QWidget = window.form.course
    combos = [w for w in choices(sec) if isinstance(w, ChoiceCombo)]
    assert len(combos) >= 14  # the toxicities, the grades and the two count units
    texts = [w for w in sec.findChildren(DateEdit) + sec.findChildren(NumberEdit) if w.isVisibleTo(sec)]
    wheel_everything(window, combos + texts, "course")


def test_a_dose_other_than_the_rule_s_drops_the_rule_of_the_change() -> None:
    """The nurse records 32 mg/m² where the rule reduced to 25.6: the reduction's row is not kept,
    so the next cycle does not count a reduction that was not given."""
    from ixdesk.ui.course import RecordDialog

    pre = {"ixabepilone_mg_per_m2": 25.6, "ixabepilone_mg": 40.9, "change_rule": "mod.febrile_neutropenia"}
    dlg = RecordDialog("Record cycle 4 as given", pre, amend=False)
    assert dlg.collect()["change_rule"] == "mod.febrile_neutropenia"
    dlg.mg_m2.set_value(32)
    assert "change_rule" not in dlg.collect()


def test_record_cycle_as_given_is_prefilled_with_the_dose_the_rules_give(window: Any, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QDialog

    from ixdesk.ui.course import RecordDialog

    seen: dict[str, Any] = {}

    def exec_(dlg: RecordDialog) -> int:
        seen.update(dlg.collect())
        dlg.verified.setText("RN D. Fourth")  # the second checker confirms
        dlg.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(RecordDialog, "exec", exec_)
    _open(window, tmp_path, _consult(tox={"febrile_neutropenia": True}))
    assert window.form.course.record_given()
    assert seen["ixabepilone_mg_per_m2"] == 25.6 and seen["ixabepilone_mg"] == 40.9 and seen["weight_kg"] == 57.5
    assert seen["change_reason"].startswith("Febrile neutropenia: reduce 20%")
    window.reassess()
    last = window.current_consult().course.cycles_given[-1]
    assert (last.number, last.ixabepilone_mg, last.verified_by) == (4, 40.9, "RN D. Fourth")
    # recorded under the toxicity that recurred, so that the next cycle can match a recurrence
    assert seen["change_rule"] == "mod.febrile_neutropenia" and last.change_rule == "mod.febrile_neutropenia"
    assert window.isWindowModified()


def test_recording_a_held_cycle_asks_first(window: Any, tmp_path: Path, dialogs: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    _open(window, tmp_path, _consult(neutrophils=1200))
    dialogs.question_answer = QMessageBox.StandardButton.No
    assert not window.form.course.record_given()
    assert any("is not 'go' (hold)" in text for _kind, text in dialogs.calls)
    window.reassess()
    assert len(window.current_consult().course.cycles_given) == 3


def test_count_and_medication_problems_name_the_cycle_and_the_line(window: Any, tmp_path: Path) -> None:
    _open(window, tmp_path, _consult())
    sec = window.form.course
    sec.fields["course.next_cycle.labs.neutrophils"][0].setText("900000")
    sec.meds_edit.setPlainText("clarithromycin; 2027-01-10; 2027-01-02")
    window.reassess()
    words = sorted(window.form.describe_problem(p) for p in window.input_problems())
    assert words == ["Course, cycle 4: current medications, line 1, stop date: is before the start date",
                     "Course, cycle 4: neutrophils (ANC): above 100,000 cells/mm³; check the unit"], words
    assert sec.fields["course.next_cycle.medications"][1].error.isVisibleTo(sec)
    sec.meds_edit.setPlainText("clarithromycin; 2027-01-10\nfoo; 2027-13-01")
    window.reassess()
    words = [window.form.describe_problem(p) for p in window.input_problems()]
    assert "Course, cycle 4: current medications: line 2, start date: no such date" in words, words
    # what was typed is kept as typed
    assert sec.meds_edit.toPlainText() == "clarithromycin; 2027-01-10\nfoo; 2027-13-01"


def test_the_result_says_when_it_is_not_up_to_date(window: Any, qtbot: Any, tmp_path: Path) -> None:
    _open(window, tmp_path, _consult())
    result = window.form.course.result
    type_into(qtbot, _field(window, "weight_kg"), "abc")
    window.reassess()
    assert result.text().startswith("<b>⚠ Not up to date") and not result.isEnabled()
    type_into(qtbot, _field(window, "weight_kg"), "57.5")  # back to what was saved: the same consult
    window.reassess()
    assert not result.text().startswith("<b>⚠") and result.isEnabled() and "Go: the cycle may start" in result.text()


def test_a_course_started_in_the_window_carries_the_consults_medications(window: Any, examples: Path) -> None:
    assert window.open_path(str(examples / "02-monotherapy-after-all-three.json"), ask=False)
    window.form.course.start_course()
    window.reassess()
    nc = window.current_consult().course.next_cycle
    assert [m.name for m in nc.medications] == ["metformin 500 mg twice daily", "amlodipine 5 mg"]
    assert "Cycle 1" in window.form.course.result.text()


def test_the_double_check_exports_from_the_window(window: Any, tmp_path: Path) -> None:
    import io

    from pypdf import PdfReader

    _open(window, tmp_path, _consult(neutrophils=1200))
    out = tmp_path / "out"
    out.mkdir()
    paths = window.reports.export(("cycle",), folder=str(out))
    assert [p.name for p in paths] == ["course-cycle.pdf"]
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(paths[0].read_bytes())).pages).split())
    assert "Cycle 4 double check" in text and "HOLD" in text and "mL" not in text
    assert window.reports.act_cycle.isEnabled() and window.reports.act_visit.isEnabled()


def test_the_course_form_words_are_the_sections_labels(window: Any) -> None:
    """ixdesk.present.fields keeps the Course section's labels as plain data (the layer is Qt-free)."""
    from ixdesk.present.fields import COURSE_NEXT_WORDS

    labels = window.form.course.labels
    for key, words in COURSE_NEXT_WORDS.items():
        label = labels[f"course.next_cycle.{key}"].strip()
        assert words == label or words.endswith(": " + label), (key, words, label)
    assert {k[len("course.next_cycle."):] for k in labels} == set(COURSE_NEXT_WORDS)


def test_the_window_reads_the_clinic_policy_once_at_load_and_shows_it(window: Any, tmp_path: Path,
                                                                     examples: Path) -> None:
    import os

    clinic = Path(os.environ["IXDESK_DATA_DIR"]) / "clinic.json"
    clinic.parent.mkdir(parents=True, exist_ok=True)
    clinic.write_text(json.dumps({"weight_change_percent": 4, "dose_rounding": {"step_mg": 5, "max_percent": 5}}),
                      encoding="utf-8")
    assert window.open_path(str(examples / "08-course-four-cycles-with-reduction.json"), ask=False)
    QApplication.processEvents()
    sec = window.form.course
    assert sec.policy is not None and sec.policy.weight_change_percent == 4
    d = sec.decision
    assert d is not None and d.policy == sec.policy and d.rounding is not None and d.rounding.applied
    text = sec.result.text()
    assert "FLAG for the prescriber" in text and "the clinic&#x27;s 4% threshold" in text
    assert "Dose rounding" in text and f"Rounded: {d.rounding.mg:g} mg" in text
    assert "Cumulative ixabepilone: 252.1 mg, 144 mg/m² (4 cycles given)" in text
    # read once: a change of the file while the consult is open is not applied until the next load
    clinic.write_text(json.dumps({}), encoding="utf-8")
    window.reassess()
    assert sec.decision is not None and sec.decision.policy.weight_change_percent == 4
    # without a policy file: the threshold is said to be not set, nothing is rounded
    assert window.open_path(str(examples / "08-course-four-cycles-with-reduction.json"), ask=False)
    QApplication.processEvents()
    text = sec.result.text()
    assert "threshold not set in clinic settings" in text and "Dose rounding" not in text
    # the history gives each cycle's BSA, from its own weight, with the weight
    assert sec.history.item(0, HISTORY_HEADERS.index("Weight")).toolTip().startswith("68 kg; BSA 1.")
