"""Start-up builds what the user sees: parts below the fold or hidden are built on first use.

The course section (about 270 widgets, hidden until a course is started, at the foot of the form)
and each field's error line and empty note are built when first needed; everything that reaches
them (``form.course``, ``box.error``, ``snapshot``, ``load``, ``collect``) behaves as before."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGroupBox, QLabel, QLineEdit, QVBoxLayout


def _course_boxes(form: Any) -> list[QGroupBox]:
    return [b for b in form.findChildren(QGroupBox) if b.title() == "Treatment course"]


def test_the_course_section_is_built_on_first_use_at_the_foot_of_the_form(qtbot: Any) -> None:
    from ixdesk.ui.form import ConsultForm

    form = ConsultForm(None)
    qtbot.addWidget(form)
    blank = form.snapshot()
    assert _course_boxes(form) == []  # not built by the constructor, nor by a snapshot
    course = form.course
    assert _course_boxes(form) == [course] and form.course is course  # built once
    col = form.body.layout()
    assert isinstance(col, QVBoxLayout)
    assert col.indexOf(course) == col.count() - 2  # the last section, above the closing stretch
    assert form.snapshot() == blank  # a new course section is what the unbuilt one stood for
    course.start_course()
    assert form.snapshot() != blank


def test_when_course_built_runs_now_or_once_the_section_exists(qtbot: Any) -> None:
    from ixdesk.ui.form import ConsultForm

    form = ConsultForm(None)
    qtbot.addWidget(form)
    seen: list[Any] = []
    form.when_course_built(seen.append)
    assert seen == []
    course = form.course
    form.when_course_built(seen.append)
    assert seen == [course, course]


def test_the_window_builds_the_course_section_when_the_core_is_ready(window: Any) -> None:
    assert len(_course_boxes(window.form)) == 1  # opened the empty consult: in place, with its print button
    from PySide6.QtCore import SIGNAL

    # the window's "Print double check…" handler, connected when the section was built
    assert window.form.course.print_button.receivers(SIGNAL("clicked(bool)")) >= 1


def test_a_field_box_builds_its_error_line_and_note_on_first_use(qtbot: Any) -> None:
    from ixdesk.ui.inputs import FieldBox

    edit = QLineEdit()
    box = FieldBox(edit)
    qtbot.addWidget(box)
    assert box.findChildren(QLabel) == []  # no note, no error yet
    box.set_error(None)
    assert box.findChildren(QLabel) == []  # clearing nothing builds nothing
    box.show()
    box.set_error("not a number")
    assert box.error.isVisible() and box.error.text() == "⚠ not a number"
    assert "not a number" in edit.toolTip()
    outer = box.layout()
    assert isinstance(outer, QVBoxLayout) and outer.indexOf(box.error) == 1  # under the row
    box.set_error(None)
    assert not box.error.isVisible() and box.error.text() == ""
    noted = FieldBox(QLineEdit(), note="kg")
    qtbot.addWidget(noted)
    assert noted.note.text() == "kg" and not noted.note.isHidden()


def test_the_assessment_side_sets_no_style_sheet_on_plain_grey_text(qtbot: Any) -> None:
    from PySide6.QtGui import QPalette

    from ixdesk.ui.panel import AssessmentPanel
    from ixdesk.ui.plan_compare import PlanCompare
    from ixdesk.ui.verdict import VerdictHeader

    verdict, plans, panel = VerdictHeader(), PlanCompare(), AssessmentPanel()
    for w in (verdict, plans, panel):
        qtbot.addWidget(w)
    grey = [verdict.plan, verdict.footnote] + [lab for lab in plans.findChildren(QLabel) if lab.text() and
                                               lab.palette().color(QPalette.ColorRole.WindowText).name() == "#555555"]
    assert len(grey) >= 2 + 7  # the plan line, the footnote and the comparison's row names
    assert all(lab.styleSheet() == "" for lab in grey)  # tinted by palette: no style sheet to polish
    assert verdict.plan.palette().color(QPalette.ColorRole.WindowText).name() == "#555555"
    assert verdict.footnote.palette().color(QPalette.ColorRole.WindowText).name() == "#666666"
    assert panel.criteria_notice.styleSheet() == ""  # hidden until the criteria are not the reviewed set
    panel.show_criteria_notice("these criteria were edited", "ab" * 32)
    assert "border" in panel.criteria_notice.styleSheet() and not panel.criteria_notice.isHidden()


def test_the_form_comes_first_and_the_assessment_side_on_the_next_pass(qtbot: Any) -> None:
    from PySide6.QtWidgets import QApplication

    from ixdesk.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w._start_loading()  # the first event-loop pass after first paint
    assert w.form is not None and w.splitter.widget(0) is w.form
    assert w.panel is None  # the side still shows its placeholder, as it would say "Loading criteria…" anyway
    placeholder = w.splitter.widget(1)
    assert isinstance(placeholder, QLabel) and placeholder.text() == "Loading criteria…"
    w.form.fields["patient.name"][0].setText("Typed at once")  # typeable before the side exists
    qtbot.waitUntil(lambda: w.panel is not None)
    assert w.splitter.widget(1) is w.assessment_side and w.splitter.count() == 2
    qtbot.waitUntil(lambda: w.current_assessment() is not None, timeout=30000)
    assert w.current_consult().patient.name == "Typed at once"
    QApplication.processEvents()
    w.setWindowModified(False)


def _focus_chain(root: Any, start: Any) -> list[Any]:
    """The widgets Tab stops at, from ``start`` round to it, that ``root`` holds."""
    from PySide6.QtCore import Qt

    out, w = [], start
    for _ in range(5000):
        if w.focusPolicy().value & Qt.FocusPolicy.TabFocus.value and root.isAncestorOf(w):
            out.append(w)
        w = w.nextInFocusChain()
        if w is start:
            break
    return out


def test_the_regimen_row_editor_is_built_after_the_form_in_the_form_s_tab_order(qtbot: Any) -> None:
    from ixdesk.ui.form import ConsultForm
    from ixdesk.ui.inputs import ChoiceCombo

    form = ConsultForm(None)
    qtbot.addWidget(form)
    reg = form.regimens
    blank = form.snapshot()
    assert not reg._editor_built
    n_before = len(reg.findChildren(ChoiceCombo))
    assert n_before == 0  # the editor's five choice fields are not built by the constructor, nor by a snapshot
    form.build_deferred()  # the pass after the first paint
    assert reg._editor_built and len(reg.findChildren(ChoiceCombo)) == 5
    assert form.snapshot() == blank
    # Tab goes: the table's buttons, the editor's fields in their order, then the labs (as when built first)
    chain = _focus_chain(form.body, form.fields["patient.name"][0])
    names = [w.accessibleName() for w in chain]
    i = names.index("Move selected regimen down")
    assert names[i + 1:i + 4] == ["Regimen agents", "Regimen setting", "Regimen start date"]
    assert names.index("Regimen note") < names.index("Lab date")
    # the wheel guard covers them the moment they exist (strong focus: the wheel does not focus them)
    from PySide6.QtCore import Qt

    assert reg.setting.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_anything_that_needs_the_regimen_editor_builds_it(qtbot: Any) -> None:
    from ixdesk.ui.form import ConsultForm

    form = ConsultForm(None)
    qtbot.addWidget(form)
    reg = form.regimens
    assert not reg._editor_built
    reg.agents.setText("x")  # a field by name (tests, the window's focus_field)
    assert reg._editor_built and reg.editor.isAncestorOf(reg.agents)
    form2 = ConsultForm(None)
    qtbot.addWidget(form2)
    form2.regimens.add_row()  # a row: the editor it is typed in
    assert form2.regimens._editor_built and form2.regimens.editor.isEnabled()
    assert form2.regimens.agents.hasFocus() or not form2.isVisible()


def _section_titles(form: Any) -> list[str]:
    col = form.body.layout()
    out = []
    for i in range(col.count()):
        w = col.itemAt(i).widget()
        if isinstance(w, QGroupBox):
            out.append(w.title())
    return out


def test_the_lower_sections_are_built_after_the_form_and_snapshot_as_new_ones(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from ixdesk.ui.form import ConsultForm

    form = ConsultForm(None)
    qtbot.addWidget(form)
    assert _section_titles(form) == ["Patient", "Disease and receptors", "Prior regimens (most recent last)"]
    blank = form.snapshot()  # taken before they exist (the window's "nothing typed yet")
    assert _section_titles(form)[-1] == "Prior regimens (most recent last)"  # a snapshot builds nothing
    name = form._fields["patient.name"][0]
    assert isinstance(name, QLineEdit)
    name.setText("typed before the lower sections exist")
    form.build_deferred()  # the pass after the first paint
    assert _section_titles(form) == ["Patient", "Disease and receptors", "Prior regimens (most recent last)",
                                     "Labs", "History and medications", "Plan and attestations"]
    assert name.text() == "typed before the lower sections exist"  # nothing typed is lost
    name.setText("")
    assert form.snapshot() == blank  # new lower sections are what the unbuilt ones stood for: not modified
    lab = form.fields["labs.neutrophils"][0]
    assert isinstance(lab, QLineEdit)
    lab.setText("1500")
    assert form.snapshot() != blank  # and a value typed there is a change
    unit = form.fields["labs.neutrophils.unit"][0]
    assert unit.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel guard covers it at once
    # Tab: the regimens' editor, then the labs; the plan's last field before the course section
    names = [w.accessibleName() for w in _focus_chain(form.body, form.fields["patient.name"][0])]
    assert names.index("Regimen note") < names.index("Lab date") < names.index("ECOG performance status")
    assert names.index("Candidate for T-DXd") < names.index("Notes")
    course = form.course
    chain = _focus_chain(form.body, form.fields["patient.name"][0])
    in_course = [i for i, w in enumerate(chain) if course.isAncestorOf(w)]
    assert in_course and chain.index(form.fields["notes"][0]) < min(in_course)


def test_anything_that_reads_the_form_by_path_builds_the_lower_sections(qtbot: Any) -> None:
    from ixdesk.ui.form import ConsultForm

    for reach in (lambda f: f.fields["labs.date"], lambda f: f.collect(), lambda f: f.labels["history.ecog"],
                  lambda f: f.medications, lambda f: f.anthracycline_exposure, lambda f: f.course,
                  lambda f: f.field_words("labs.platelets"), lambda f: f.widget_for("plan.regimen")):
        form = ConsultForm(None)
        qtbot.addWidget(form)
        assert "Labs" not in _section_titles(form)
        reach(form)
        assert "Labs" in _section_titles(form) and "labs.date" in form.fields


def test_the_window_builds_the_lower_sections_on_the_pass_after_the_form(qtbot: Any) -> None:
    from ixdesk.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w._start_loading()  # the first pass: the form, ready to type at the top
    assert "Labs" not in _section_titles(w.form)
    w._ensure_body()  # the next pass (the assessment side): the rest of the form with it
    assert "Plan and attestations" in _section_titles(w.form)
    assert w.form.snapshot() == w._blank
    w.setWindowModified(False)
