"""The Course section of the form: the cycles given (locked), and the cycle about to start.

The cycle about to start is edited here: its date, that day's weight, labs (with their date and
time), the current medications and the previous cycle's worst toxicities in the label's terms. The
gate and the next dose are shown live under it: the window re-runs the pure
``assess_next_cycle()`` on every change (as the panel re-runs ``assess()``), and this section only
prints the result. "Record cycle as given" confirms the dose given and who verified it; the cycle
then joins the history, read-only. Changing a recorded cycle later asks for a reason, which is
kept with the cycle as a dated amendment (``CycleGiven.amendments``: when, why, by whom, which
fields), apart from its reason for change (the clinical reason for the dose change).

The clinic's course policies (the weight-change threshold, the dose rounding) are read from the
clinic settings once when a consult is loaded, as the CLI reads them once per run, and handed to
the core with every decision and to the reports printed from the window.

The section holds no clinical logic and no numbers of its own; every input is one of the form's
widgets (three-way combos, text-kept number and date fields) under the form's wheel guard.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ixdesk.ui.form import get_path, set_path
from ixdesk.ui.inputs import (
    ChoiceCombo, DateEdit, FieldBox, FieldProblem as Problem, NumberEdit, ParseError, TriState, connect_change,
)

if TYPE_CHECKING:
    from ixdesk.core.assessment import Assessment
    from ixdesk.core.consult import Consult, Course, CycleGiven
    from ixdesk.core.course_policy import CoursePolicy
    from ixdesk.core.course_result import NextCycleDecision
    from ixdesk.core.criteria import Criteria

COUNT_UNITS = [("cells/mm3", "cells/mm³"), ("10^9/L", "×10⁹/L")]
PLATELET_LOW = [("none", "not below 50,000/mm³"), ("below_50000", "below 50,000/mm³"),
                ("below_25000", "below 25,000/mm³")]
GRADES = [(i, f"grade {i}") for i in range(5)]
# the BSA of each cycle (from its own weight) is the weight cell's tooltip: the reason keeps the room
HISTORY_HEADERS = ("Cycle", "Date", "Weight", "mg/m²", "mg", "Reason for change", "Verified by")
_REASON_COLUMN = HISTORY_HEADERS.index("Reason for change")
# the cycle's fields an amendment can change (the dialog's), compared to name them in the amendment
_AMENDABLE = ("date", "weight_kg", "ixabepilone_mg_per_m2", "ixabepilone_mg", "capecitabine_mg_per_dose",
              "change_reason", "verified_by")
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def parse_time(text: str) -> time | None:
    if not text.strip():
        return None
    m = _TIME_RE.match(text)
    if not m:
        raise ParseError("use HH:MM (24-hour), e.g. 08:30")
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        raise ParseError("not a time of day (HH:MM, 24-hour)")
    return time(h, mi, s)


def time_text(t: time | None) -> str:
    if t is None:
        return ""
    return t.strftime("%H:%M:%S" if t.second else "%H:%M")


def _meds_text(meds: list[Any] | None) -> str:
    """One medication a line: 'name; start date; stop date' (the dates may be left out)."""
    lines = []
    for m in meds or []:
        parts = [m.name, m.start_date.isoformat() if m.start_date else "", m.stop_date.isoformat() if m.stop_date else ""]
        while parts and not parts[-1]:
            parts.pop()
        lines.append("; ".join(parts))
    return "\n".join(lines)


def _parse_meds(text: str) -> list[dict[str, Any]]:
    from ixdesk.ui.inputs import parse_date

    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) > 3:
            raise ParseError(f"line {n}: write 'name; start date; stop date'")
        med: dict[str, Any] = {"name": parts[0]}
        for key, raw in zip(("start_date", "stop_date")[:len(parts) - 1], parts[1:], strict=True):
            try:
                d = parse_date(raw)
            except ParseError as exc:
                raise ParseError(f"line {n}, {key.replace('_', ' ')}: {exc}") from None
            if d is not None:
                med[key] = d
        out.append(med)
    return out


def change_rule_of(d: "NextCycleDecision") -> str | None:
    """The row a reduction is recorded under: the toxicity itself, so that its recurrence is
    recognised next cycle (a recurrence keeps the row of the toxicity that recurred)."""
    if d.rule is None:
        return None
    if d.rule != "mod.recurrence":
        return d.rule
    if d.recurrence_rows:
        return d.recurrence_rows[0]
    met = [r.id for r in d.rows if r.state == "met" and r.effect == "reduce"]
    return met[0] if met else None


class RecordDialog(QDialog):
    """Confirm the dose given and who verified it; or, for a recorded cycle, change it with a reason."""

    def __init__(self, title: str, cycle: dict[str, Any], amend: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.value: dict[str, Any] | None = None
        self.amend = amend
        # not typed here: the rule that caused the change (a recurrence of the same toxicity is
        # matched on it next cycle), carried through unchanged
        self._kept = {k: cycle[k] for k in ("change_rule", "amendments") if cycle.get(k)}
        self._rule_for_m2 = cycle.get("ixabepilone_mg_per_m2")  # the dose the kept rule gave
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.date = DateEdit()
        self.date.set_value(cycle.get("date"))
        self.weight = NumberEdit()
        self.weight.set_value(cycle.get("weight_kg"))
        self.mg_m2 = NumberEdit()
        self.mg_m2.set_value(cycle.get("ixabepilone_mg_per_m2"))
        self.mg = NumberEdit()
        self.mg.set_value(cycle.get("ixabepilone_mg"))
        self.cape = NumberEdit()
        self.cape.set_value(cycle.get("capecitabine_mg_per_dose"))
        self.reason = QLineEdit(cycle.get("change_reason") or "")
        self.verified = QLineEdit(cycle.get("verified_by") or "")
        self.amend_reason = QLineEdit()
        self.amend_by = QLineEdit()
        for label, w in (("Date given", self.date), ("Weight that day (kg)", self.weight),
                         ("Ixabepilone given (mg/m²)", self.mg_m2), ("Ixabepilone given (mg)", self.mg),
                         ("Capecitabine per dose (mg)", self.cape), ("Reason for change", self.reason),
                         ("Verified by (second checker)", self.verified)):
            w.setAccessibleName(label)
            form.addRow(label, w)
        if amend:
            self.amend_reason.setAccessibleName("Reason for changing a recorded cycle")
            form.addRow("Why change a recorded cycle?", self.amend_reason)
            from ixdesk.clinic_settings import clinic_user_name

            self.amend_by.setText(clinic_user_name() or "")
            self.amend_by.setAccessibleName("Changed by")
            form.addRow("Changed by", self.amend_by)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b71c1c; font-weight: 600;")
        self.error.setWordWrap(True)
        self.error.hide()
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(520, self.sizeHint().height())  # the reason for change reads whole

    def collect(self) -> dict[str, Any]:
        """The cycle's fields; raises ParseError naming the field."""
        out: dict[str, Any] = dict(self._kept)
        for key, label, w in (("date", "date given", self.date), ("weight_kg", "weight", self.weight),
                              ("ixabepilone_mg_per_m2", "mg/m² given", self.mg_m2),
                              ("ixabepilone_mg", "mg given", self.mg), ("capecitabine_mg_per_dose", "capecitabine", self.cape)):
            try:
                v = w.value()
            except ParseError as exc:
                raise ParseError(f"{label}: {exc}") from None
            if v is not None:
                out[key] = v
        if self.reason.text().strip():
            out["change_reason"] = self.reason.text().strip()
        if self.verified.text().strip():
            out["verified_by"] = self.verified.text().strip()
        if out.get("ixabepilone_mg_per_m2") != self._rule_for_m2:
            # another mg/m² than the rule's was given: the rule no longer says why (the next cycle
            # then names the reason as missing instead of counting a reduction that was not given)
            out.pop("change_rule", None)
        return out

    def accept(self) -> None:
        try:
            data = self.collect()
        except ParseError as exc:
            self._error(str(exc))
            return
        missing = [w for k, w in (("ixabepilone_mg_per_m2", "the mg/m² given"), ("ixabepilone_mg", "the mg given"),
                                  ("verified_by", "who verified it")) if k not in data]
        if missing:
            self._error("Confirm " + ", ".join(missing) + ".")
            return
        if self.amend and not self.amend_reason.text().strip():
            self._error("A recorded cycle is locked: give the reason for the change.")
            return
        self.value = data
        super().accept()

    def _error(self, text: str) -> None:
        self.error.setText(f"⚠ {text}")
        self.error.show()


class CourseSection(QGroupBox):
    """The course, as a form section: ``load`` / ``collect`` / ``snapshot`` like the form itself."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Treatment course", parent)
        self._started = False
        self._loading = False
        self._cycles: list[CycleGiven] = []
        self._other_labs: dict[str, Any] = {}  # labs of the day this section does not edit (kept as loaded)
        self._confirmed: dict[str, tuple[Any, Any]] = {}  # count unit confirmations kept while unchanged
        self.decision: NextCycleDecision | None = None
        self.policy: CoursePolicy | None = None  # the clinic's course policies, read at load
        # set by the form: the label beside the anthracycline attestation, kept up to date here
        self.anthracycline_label: QLabel | None = None
        # the consult's current medication names, to carry into a course started now (set by the form)
        self.consult_medications: Callable[[], list[str] | None] = lambda: None
        self.fields: dict[str, tuple[QWidget, FieldBox]] = {}
        self.labels: dict[str, str] = {}
        self._readers: dict[str, Callable[[], Any]] = {}
        self._writers: dict[str, Callable[[Any], None]] = {}
        col = QVBoxLayout(self)

        self.start_row = QWidget()
        sr = QHBoxLayout(self.start_row)
        sr.setContentsMargins(0, 0, 0, 0)
        self.start_button = QPushButton("Start a treatment course")
        self.start_button.setToolTip("Follow the cycles: the gate, the dose changes and the double check of each cycle")
        self.start_button.clicked.connect(self.start_course)
        sr.addWidget(self.start_button)
        sr.addStretch(1)
        col.addWidget(self.start_row)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(QLabel("<b>Cycles given</b> (locked once recorded)"))
        self.history = QTableWidget(0, len(HISTORY_HEADERS))
        self.history.setHorizontalHeaderLabels(list(HISTORY_HEADERS))
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.verticalHeader().setVisible(False)
        self.history.setWordWrap(True)
        self.history.setAccessibleName("Cycles given")
        head = self.history.horizontalHeader()
        for i in range(len(HISTORY_HEADERS)):
            head.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(_REASON_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.history.setMinimumWidth(100)
        body.addWidget(self.history)
        hb = QHBoxLayout()
        self.amend_button = QPushButton("Change selected cycle…")
        self.amend_button.setToolTip("A recorded cycle is locked; a change asks for its reason, which is kept")
        self.amend_button.clicked.connect(self.amend_selected)
        hb.addWidget(self.amend_button)
        hb.addStretch(1)
        body.addLayout(hb)

        body.addWidget(QLabel("<b>The cycle about to start</b>"))
        f = QFormLayout()
        f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        f.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._number(f, "number", "Cycle number", "", integer=True)
        self._date(f, "planned_date", "Planned date")
        self._number(f, "weight_kg", "Weight that day", "kg")
        self._date(f, "labs.date", "Labs drawn on")
        t = QLineEdit()
        t.setPlaceholderText("HH:MM")
        t.setMaximumWidth(90)
        self._add(f, "labs_time", "  time drawn", t, lambda: parse_time(t.text()), lambda v: t.setText(time_text(v)))
        self._count(f, "neutrophils", "Neutrophils (ANC)")
        self._count(f, "platelets", "Platelets")
        meds = QPlainTextEdit()
        meds.setTabChangesFocus(True)
        meds.setFixedHeight(54)
        meds.setPlaceholderText("one a line: name; start date; stop date (dates for CYP3A4 drugs)")
        self._add(f, "medications", "Current medications", meds, lambda: _parse_meds(meds.toPlainText()) or None,
                  lambda v: meds.setPlainText(_meds_text(v)), stretch=True)
        self.meds_edit = meds
        body.addLayout(f)

        body.addWidget(QLabel("<b>Previous cycle's worst toxicities</b> (PI dose-modification table)"))
        g = QFormLayout()
        g.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        g.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        tx = "toxicity."
        self._number(g, tx + "neutrophils_below_500_days", "Neutrophils < 500/mm³", "days", integer=True)
        self._tri(g, tx + "febrile_neutropenia", "Febrile neutropenia")
        self._choice(g, tx + "platelets_low", "Lowest platelets", PLATELET_LOW)
        self._tri(g, tx + "bleeding", "  with bleeding")
        self._choice(g, tx + "neuropathy_grade", "Neuropathy, worst grade", GRADES)
        self._number(g, tx + "neuropathy_days", "  lasting", "days", integer=True)
        self._tri(g, tx + "neuropathy_disabling", "  disabling")
        self._choice(g, tx + "neuropathy_grade_now", "  grade now", GRADES)
        self._tri(g, tx + "other_grade3", "Other grade 3 toxicity")
        self._text(g, tx + "other_grade3_name", "  its name")
        self._choice(g, tx + "other_grade3_grade_now", "  its grade now", GRADES)
        self._tri(g, tx + "transient_grade3_arthralgia_myalgia_fatigue", "Transient grade 3 arthralgia, myalgia, fatigue")
        self._tri(g, tx + "grade3_hand_foot_syndrome", "Grade 3 hand-foot syndrome")
        self._tri(g, tx + "any_grade4", "Any grade 4 toxicity")
        self._tri(g, tx + "diarrhoea_or_stomatitis", "Diarrhoea or stomatitis", note="with capecitabine")
        body.addLayout(g)

        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setAccessibleName("Gate and next dose")
        self.result.setStyleSheet("QLabel { background: #f5f5f5; border: 1px solid #ccc; padding: 4px; }")
        body.addWidget(self.result)
        rb = QHBoxLayout()
        self.record_button = QPushButton("Record cycle as given…")
        self.record_button.clicked.connect(self.record_given)
        self.print_button = QPushButton("Print double check…")
        self.print_button.setToolTip("The nurse's independent double check for the cycle about to start (PDF)")
        rb.addWidget(self.record_button)
        rb.addWidget(self.print_button)
        rb.addStretch(1)
        body.addLayout(rb)
        col.addWidget(self.body)
        self._show_started()

    # --- building blocks (as the form's) ------------------------------------------------------

    def _add(self, form: QFormLayout, key: str, label: str, widget: QWidget, read: Callable[[], Any],
             write: Callable[[Any], None], *extra: QWidget, stretch: bool = False, note: str | None = None) -> None:
        widget.setAccessibleName(f"Course: {label.strip()}")
        box = FieldBox(widget, *extra, stretch_last=stretch, note=note)
        form.addRow(label, box)
        path = f"course.next_cycle.{key}"
        self.fields[path] = (widget, box)
        self.labels[path] = label.strip()
        self._readers[key] = read
        self._writers[key] = write
        connect_change(widget, self._on_change)
        for e in extra:
            connect_change(e, self._on_change)

    def _number(self, form: QFormLayout, key: str, label: str, unit: str, integer: bool = False) -> None:
        w = NumberEdit(integer=integer)
        w.setMaximumWidth(120)
        self._add(form, key, label, w, w.value, w.set_value, note=unit or None)

    def _date(self, form: QFormLayout, key: str, label: str) -> None:
        w = DateEdit()
        self._add(form, key, label, w, w.value, w.set_value)

    def _text(self, form: QFormLayout, key: str, label: str) -> None:
        w = QLineEdit()
        w.setMaxLength(200)
        w.setPlaceholderText("not recorded")
        self._add(form, key, label, w, lambda: w.text() or None, lambda v: w.setText(v or ""), stretch=True)

    def _choice(self, form: QFormLayout, key: str, label: str, choices: list[tuple[Any, str]]) -> None:
        w = ChoiceCombo(choices)
        self._add(form, key, label, w, w.value, w.set_value)

    def _tri(self, form: QFormLayout, key: str, label: str, note: str | None = None) -> None:
        w = TriState()
        self._add(form, key, label, w, w.value, w.set_value, note=note)

    def _count(self, form: QFormLayout, name: str, label: str) -> None:
        value = NumberEdit()
        value.setMaximumWidth(120)
        unit = ChoiceCombo(COUNT_UNITS, allow_none=False)
        unit.setAccessibleName(f"Course: {label} unit")

        def read() -> dict[str, Any] | None:
            v = value.value()
            if v is None:
                return None
            out: dict[str, Any] = {"value": v, "unit": unit.value()}
            if self._confirmed.get(name) == (v, unit.value()):
                out["unit_confirmed"] = True
            return out

        def write(lab: Any) -> None:
            value.set_value(lab.value if lab is not None else None)
            unit.set_value(lab.unit if lab is not None else "cells/mm3")
            if lab is not None and lab.unit_confirmed:
                self._confirmed[name] = (lab.value, lab.unit)
            else:
                self._confirmed.pop(name, None)

        self._add(form, f"labs.{name}", label, value, read, write, unit)
        self.fields[f"course.next_cycle.labs.{name}.unit"] = (unit, self.fields[f"course.next_cycle.labs.{name}"][1])

    # --- state --------------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._started

    def _show_started(self) -> None:
        self.start_row.setVisible(not self._started)
        self.body.setVisible(self._started)

    def start_course(self) -> None:
        """Begin a course: cycle 1 about to start, medications carried from the consult's list."""
        self._started = True
        self._has_next = True
        self._cycles = []
        self._clear_next(number=1)
        try:
            names = self.consult_medications()
        except ParseError:
            names = None
        if names:
            self.meds_edit.setPlainText("\n".join(names))
        self._refresh_history()
        self._show_started()
        self._on_change()

    def _clear_next(self, number: int | None = None, planned: date | None = None, weight: float | None = None,
                    meds: list[Any] | None = None) -> None:
        self._loading = True
        try:
            for write in self._writers.values():
                write(None)
            self._other_labs = {}
            self._confirmed = {}
            self._writers["number"](number)
            self._writers["planned_date"](planned)
            self._writers["weight_kg"](weight)
            if meds is not None:
                self._writers["medications"](meds)
        finally:
            self._loading = False

    def read_policy(self) -> CoursePolicy:
        """The clinic's weight threshold and dose rounding, from the clinic settings file (as the
        CLI's ``_course_policy``); a bad setting is refused by the core with a note."""
        from ixdesk.clinic_settings import clinic_value
        from ixdesk.core.course_policy import ROUNDING_SETTING, WEIGHT_SETTING, course_policy

        self.policy = course_policy(clinic_value(WEIGHT_SETTING), clinic_value(ROUNDING_SETTING))
        return self.policy

    def load(self, course: Course | None) -> None:
        self.read_policy()
        self._loading = True
        try:
            self._started = course is not None
            self._cycles = list(course.cycles_given) if course is not None else []
            nc = course.next_cycle if course is not None else None
            for key, write in self._writers.items():
                write(get_path(nc, key) if nc is not None else None)
            self._other_labs = {}
            if nc is not None:
                for k, v in nc.labs:
                    if k not in ("date", "neutrophils", "platelets") and v is not None:
                        self._other_labs[k] = v
            self._has_next = nc is not None
        finally:
            self._loading = False
        self._refresh_history()
        self._show_started()

    def collect(self) -> tuple[dict[str, Any] | None, list[Problem]]:
        """The course as consult input (None when no course is started), and the fields that do not parse."""
        if not self._started:
            return None, []
        problems: list[Problem] = []
        nc: dict[str, Any] = {}
        for key, read in self._readers.items():
            try:
                v = read()
            except ParseError as exc:
                problems.append(Problem(f"course.next_cycle.{key}", str(exc)))
                continue
            if v is None:
                continue
            set_path(nc, key, v)
        if self._other_labs:
            nc.setdefault("labs", {}).update(self._other_labs)
        out: dict[str, Any] = {"cycles_given": list(self._cycles)}
        if nc or getattr(self, "_has_next", True):
            out["next_cycle"] = nc
        return out, problems

    def snapshot(self) -> Any:
        texts: list[Any] = [self._started, [c.model_dump_json() for c in self._cycles]]
        for w, _box in self.fields.values():
            if isinstance(w, ChoiceCombo):
                texts.append(w.currentIndex())
            elif isinstance(w, QLineEdit):
                texts.append(w.text())
            elif isinstance(w, QPlainTextEdit):
                texts.append(w.toPlainText())
        return texts

    def _on_change(self) -> None:
        if self._loading:
            return
        self._has_next = True
        self.changed.emit()

    # --- the history ---------------------------------------------------------------------------

    def _refresh_history(self) -> None:
        from ixdesk.present.course_history import cycle_row  # no reportlab; pydantic is loaded by now

        self.history.setRowCount(len(self._cycles))
        hist = {h.number: h for h in (self.decision.history if self.decision is not None else [])}
        for i, c in enumerate(self._cycles):
            r = cycle_row(c, hist.get(c.number))
            reason = "\n".join([r.reason, *r.amendments])
            for j, text in enumerate((r.cycle, r.date, r.weight, r.mg_per_m2, r.mg, reason, r.verified_by)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(f"{text}; BSA {r.bsa}" if j == 2 and r.bsa else text)
                self.history.setItem(i, j, item)
        self.history.resizeRowsToContents()
        # the table as tall as its rows (up to six, then it scrolls): the history at a glance, no gap
        rows = sum(self.history.rowHeight(i) for i in range(min(len(self._cycles), 6)))
        self.history.setFixedHeight(self.history.horizontalHeader().sizeHint().height() + rows
                                    + 2 * self.history.frameWidth() + 2)
        self.history.setVisible(bool(self._cycles))
        self.amend_button.setVisible(bool(self._cycles))

    def amend_selected(self) -> bool:
        row = self.history.currentRow()
        if not 0 <= row < len(self._cycles):
            QMessageBox.information(self, "Change a recorded cycle", "Select a cycle in the table first.")
            return False
        c = self._cycles[row]
        dlg = RecordDialog(f"Change cycle {c.number} (locked)", c.model_dump(exclude_none=True), amend=True, parent=self)
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.value is None:
            return False
        return self.apply_amendment(row, dlg.value, dlg.amend_reason.text().strip(), by=dlg.amend_by.text())

    def apply_amendment(self, row: int, values: dict[str, Any], reason: str, on: date | None = None,
                        by: str | None = None) -> bool:
        """Change a recorded cycle; the change is kept as a dated amendment naming the fields it
        changed. ``change_reason`` stays what the user typed: the clinical reason for the dose change."""
        from pydantic import ValidationError

        from ixdesk.core.consult import CycleGiven

        if not reason.strip():
            return False
        c = self._cycles[row]
        before = c.model_dump()
        values = {k: v for k, v in values.items() if k != "amendments"}
        changed = [k for k in _AMENDABLE if values.get(k) != before.get(k)]
        amendment: dict[str, Any] = {"on": on or date.today(), "reason": reason.strip(), "changed": changed}
        if by and by.strip():
            amendment["by"] = by.strip()
        try:
            new = CycleGiven.model_validate({**values, "number": c.number,
                                             "amendments": [a.model_dump() for a in c.amendments] + [amendment]})
        except ValidationError as exc:
            QMessageBox.warning(self, "Cycle not changed", f"Course, cycle {c.number}: {exc.errors()[0]['msg']}")
            return False
        self._cycles[row] = new
        self._refresh_history()
        self._on_change()
        return True

    def record_given(self) -> bool:
        """Confirm the cycle about to start as given, prefilled with the dose the rules give."""
        from ixdesk.present.course_history import cycle_dose

        try:
            number = self._readers["number"]()
            day = self._readers["planned_date"]()
            weight = self._readers["weight_kg"]()
        except ParseError as exc:
            QMessageBox.warning(self, "Record cycle", f"Fix the cycle's fields first: {exc}")
            return False
        d = self.decision
        m2, mg = cycle_dose(d, self._assessment) if d is not None else (None, None)
        n = number or (self._cycles[-1].number + 1 if self._cycles else 1)
        pre: dict[str, Any] = {"date": day, "weight_kg": weight, "ixabepilone_mg_per_m2": m2, "ixabepilone_mg": mg}
        if d is not None and d.action == "reduce" and d.rule_text:
            pre["change_reason"] = d.rule_text
            rule = change_rule_of(d)
            if rule is not None:
                pre["change_rule"] = rule
        if d is not None and d.gate != "go":
            answer = QMessageBox.question(
                self, "Record cycle", f"The gate for cycle {n} is not 'go' ({d.gate}). Record it as given anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        dlg = RecordDialog(f"Record cycle {n} as given", pre, amend=False, parent=self)
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.value is None:
            return False
        return self.add_given(n, dlg.value)

    def add_given(self, number: int, values: dict[str, Any], cycle_days: int | None = None) -> bool:
        """Lock the cycle into the history; the next one is prefilled: number + 1, medications carried."""
        from pydantic import ValidationError

        from ixdesk.core.consult import CycleGiven

        try:
            c = CycleGiven.model_validate({**values, "number": number})
        except ValidationError as exc:
            QMessageBox.warning(self, "Cycle not recorded", f"Course, cycle {number}: {exc.errors()[0]['msg']}")
            return False
        if self._cycles and (c.number <= self._cycles[-1].number):
            QMessageBox.warning(self, "Cycle not recorded",
                                f"Course, cycle {number}: is not after cycle {self._cycles[-1].number}")
            return False
        try:
            meds = self._readers["medications"]()
        except ParseError:
            meds = None
        from ixdesk.core.consult import CourseMedication

        days = cycle_days or getattr(self, "_cycle_days", None)
        planned = c.date + timedelta(days=days) if c.date is not None and days else None
        self._cycles.append(c)
        self._clear_next(number=number + 1, planned=planned, weight=c.weight_kg,
                         meds=[CourseMedication.model_validate(m) for m in meds] if meds else None)
        self._refresh_history()
        self._on_change()
        return True

    # --- the live result ------------------------------------------------------------------------

    _assessment: Assessment | None = None

    def show_result(self, consult: Consult | None, criteria: Criteria | None, assessment: Assessment | None) -> None:
        """Re-run the pure next-cycle decision on the consult on screen and print gate, dose and basis."""
        if consult is not None and criteria is not None:
            self._show_anthracycline(consult, criteria)
        if not self._started or consult is None or criteria is None:
            return
        from ixdesk.core.course import assess_next_cycle
        from ixdesk.present.course_history import summarise

        self._cycle_days = criteria.dosing.standard.cycle_days
        self._assessment = assessment
        as_of = consult.consult_date or date.today()
        try:
            d = assess_next_cycle(consult, criteria, max(as_of, date.today()),
                                  self.policy if self.policy is not None else self.read_policy())
        except Exception as exc:  # noqa: BLE001 - a core bug must not take the form down
            self.result.setText(f"The next-cycle decision failed: {type(exc).__name__}")
            return
        self.decision = d
        if d is None:
            self.result.setText("")
            return
        self._refresh_history()  # each cycle's BSA, from the core's history
        self.result.setEnabled(True)
        s = summarise(consult, d, assessment)
        colour = {"go": "#2e7d32", "hold": "#c62828"}.get(d.gate, "#8a5a00")
        esc = _html
        gate = "; ".join(f"{esc(g.label)} {esc(g.value)} ({esc(g.threshold)}) {_MARK[g.state]}" for g in s.gate_lines)
        parts = [f"<b>{esc(s.cycle)}</b> ({esc(s.date)}): <b style='color:{colour}'>{esc(s.gate_text)}</b>",
                 f"<b>{esc(s.dose_text)}</b> · {esc(s.mg_text)}",
                 f"Labs {esc(s.labs_when)}: {gate}"]
        if s.rounding_text:
            parts.append("<b>Dose rounding</b>: " + esc(s.rounding_text))
        if s.changed_by:
            parts.append("Rows that applied: " + esc("; ".join(s.changed_by)))
        if s.recurrence_text:
            parts.append(esc(s.recurrence_text))
        if s.weight_text:
            parts.append(f"<b style='color:#c62828'>⚑ {esc(s.weight_text)}</b>" if s.weight_flag else esc(s.weight_text))
        if s.cumulative_text:
            parts.append(esc(s.cumulative_text))
        parts += [f"<b style='color:#8a5a00'>{esc(c)}</b>" for c in s.checks]
        parts += [f"<b style='color:#8a5a00'>Date check: {esc(w)}</b>" for w in s.date_warnings]
        if s.missing:
            parts.append("<span style='color:#8a5a00'>Missing: " + esc("; ".join(s.missing)) + "</span>")
        parts += [f"<small>Basis: {esc(b)}</small>" for b in s.basis]
        parts += [f"<small>{esc(n)}</small>" for n in s.notes]
        self.result.setText("<br/>".join(parts))

    def _show_anthracycline(self, consult: Consult, criteria: Criteria) -> None:
        """The recorded anthracycline exposure beside the attestation (with or without a course)."""
        if self.anthracycline_label is None:
            return
        from ixdesk.core.course_anthracycline import anthracycline_exposure
        from ixdesk.present.course_history import anthracycline_words

        try:
            lines = anthracycline_words(anthracycline_exposure(consult, criteria), consult)
        except Exception as exc:  # noqa: BLE001 - a core bug must not take the form down
            lines = [f"not computed ({type(exc).__name__})"]
        self.anthracycline_label.setText("Recorded exposure (does not decide the attestation): " + "; ".join(lines))

    def set_stale(self) -> None:
        """The input has problems: the result shown is of the last valid input, and says so."""
        if not self._started or not self.result.text() or self.result.text().startswith("<b>⚠"):
            return
        self.result.setText("<b>⚠ Not up to date: correct the fields marked in red.</b><br/>" + self.result.text())
        self.result.setEnabled(False)

    # --- problems in the form's words -----------------------------------------------------------

    def cycle_words(self) -> str:
        try:
            n = self._readers["number"]()
        except ParseError:
            n = None
        return f"Course, cycle {n}" if n else "Course, next cycle"

    def field_words(self, path: str) -> str:
        m = re.match(r"^course\.cycles_given\[(\d+)\]", path)
        if m:
            i = int(m.group(1))
            return f"Course, cycle {self._cycles[i].number}" if i < len(self._cycles) else "Course, cycles given"
        m = re.match(r"^course\.next_cycle\.medications\[(\d+)\]\.?(\w*)", path)
        if m:
            words = f", {m.group(2).replace('_', ' ')}" if m.group(2) else ""
            return f"{self.cycle_words()}: current medications, line {int(m.group(1)) + 1}{words}"
        parts = path.split(".")
        while len(parts) > 2:
            key = ".".join(parts)
            if key in self.labels:
                return f"{self.cycle_words()}: {_lower_first(self.labels[key])}"
            parts.pop()
        return self.cycle_words()

    def lookup(self, path: str) -> tuple[QWidget, FieldBox] | None:
        parts = path.split(".")
        while len(parts) > 2:
            key = ".".join(parts)
            if key in self.fields:
                return self.fields[key]
            parts.pop()
        if path.startswith("course.medications") or re.match(r"^course\.next_cycle\.medications", path):
            return self.fields["course.next_cycle.medications"]
        return None

    def mark_errors(self, problems: list[Problem]) -> list[Problem]:
        by_box: dict[int, tuple[FieldBox, QWidget, list[str]]] = {}
        unplaced: list[Problem] = []
        for p in problems:
            hit = self.lookup(p.field)
            if hit is None:
                unplaced.append(p)
                continue
            entry = by_box.setdefault(id(hit[1]), (hit[1], hit[0], []))
            entry[2].append(p.message)
        for _w, box in self.fields.values():
            marked = by_box.get(id(box))
            box.set_error("; ".join(marked[2]) if marked else None, target=marked[1] if marked else None)
        return unplaced


_MARK = {"met": "✓", "not_met": "✗", "unknown": "?"}


def _lower_first(label: str) -> str:
    """'Neutrophils (ANC)' -> 'neutrophils (ANC)': a label inside a sentence; acronyms keep their case."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _html(text: str) -> str:
    import html

    return html.escape(text)


__all__ = ["CourseSection", "RecordDialog", "parse_time", "time_text"]
