"""The consult form: sections a clinician recognises, each input a view over one consult field.

``collect()`` turns the widgets into plain consult input plus problems for text that does not
parse; the window validates that with the pydantic model. The form holds no clinical logic: the
only derived value it shows (HER2 status) is the model's own property.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QScrollArea,
    QVBoxLayout, QWidget,
)

from typing import TYPE_CHECKING

from ixdesk.ui.inputs import (
    WHEEL_GUARD_PROPERTY, ChoiceCombo, DateEdit, FieldBox, FieldProblem as Problem, NumberEdit, ParseError, TriState,
    UnitPrompt, connect_change, guard_wheel,
)
from ixdesk.ui.qt_numbers import ALIGN_RIGHT, SCROLL_BAR_ALWAYS_OFF, Qt, set_enum_property
from ixdesk.ui.settings import count_unit, make_settings, remember_count_unit

if TYPE_CHECKING:  # pydantic models load after the window is on screen
    from ixdesk.core.consult import Consult
    from ixdesk.ui.course import CourseSection
from ixdesk.core.count_units import BUTTON_WORDS, unit_doubt  # no pydantic
from ixdesk.ui.regimens import FIELDS as REGIMEN_FIELDS, RegimenEditor

COUNT_UNITS = [("cells/mm3", "cells/mm³"), ("10^9/L", "×10⁹/L")]
COUNT_LABS = ("neutrophils", "platelets")  # counts whose unit is doubted (ixdesk.core.count_units)
HB_UNITS = [("g/dL", "g/dL"), ("g/L", "g/L")]
CREAT_UNITS = [("mg/dL", "mg/dL"), ("umol/L", "µmol/L")]
ENZ_UNITS = [("U/L", "U/L")]
BILI_UNITS = [("mg/dL", "mg/dL"), ("umol/L", "µmol/L")]


def _section(title: str) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(title)
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    set_enum_property(form, "labelAlignment", ALIGN_RIGHT)  # no Qt namespace yet (ixdesk.ui.qt_numbers)
    return box, form


class ConsultForm(QScrollArea):
    """All consult inputs in one scrolling column, with a map from consult path to widget."""

    changed = Signal()

    def __init__(self, criteria: Any, parent: QWidget | None = None, *, wheel_filter_next_pass: bool = False) -> None:
        """``wheel_filter_next_pass``: the window's start-up form (see ``ixdesk.ui.inputs.guard_wheel``)."""
        super().__init__(parent)
        self.criteria = criteria
        self.setWidgetResizable(True)
        self._loading = False
        self._criteria_listeners: list[Callable[[], None]] = []
        body = QWidget()
        self.body = body
        col = QVBoxLayout(body)
        col.setContentsMargins(6, 6, 6, 6)
        # path -> (widget that takes focus, box that shows the error); ``fields``, ``labels``,
        # ``unit_prompts``, ``_readers`` and ``_writers`` give them with the lower sections built
        self._fields: dict[str, tuple[QWidget, FieldBox]] = {}
        self._readers_of: dict[str, Callable[[], Any]] = {}
        self._writers_of: dict[str, Callable[[Any], None]] = {}
        self._labels: dict[str, str] = {}  # path -> the form's words for it (messages name fields so)
        self._unit_prompts: dict[str, UnitPrompt] = {}  # labs.neutrophils / labs.platelets
        # the snapshot's parts: the sections built at once, then the lower ones (see ``snapshot``)
        self._upper: tuple[list[str], list[Callable[[], Any]]] = ([], [])
        self._lower: tuple[list[str], list[Callable[[], Any]]] = ([], [])
        self._group = self._upper  # where _add files a field and its state held outside the widgets
        self._lower_built = False
        self._lower_blank: Any = None  # the lower sections' snapshot when built (nobody typed yet)
        self._settings_made: QSettings | None = None  # the count units remembered (see _settings)

        # Patient
        box, f = _section("Patient")
        self._text(f, "patient.name", "Name", 200)
        self._text(f, "patient.record_number", "Record number", 64)
        self._date(f, "patient.date_of_birth", "Date of birth")
        self._choice(f, "patient.sex", "Sex", [("female", "female"), ("male", "male")])
        self._number(f, "patient.height_cm", "Height", "cm")
        self._number(f, "patient.weight_kg", "Weight", "kg")
        self._tri(f, "patient.pregnant", "Pregnant")
        self._tri(f, "patient.breastfeeding", "Breastfeeding")
        col.addWidget(box)

        # Disease
        box, f = _section("Disease and receptors")
        self._choice(f, "disease.extent", "Extent", [("early", "early"), ("locally_advanced", "locally advanced"),
                                                     ("metastatic", "metastatic"),
                                                     ("recurrent_unresectable", "recurrent, unresectable")])
        rec = [("positive", "positive"), ("negative", "negative")]
        self._choice(f, "disease.er", "Estrogen receptor (ER)", rec)
        self._choice(f, "disease.pr", "Progesterone receptor (PR)", rec)
        self._choice(f, "disease.her2_ihc", "HER2 IHC", [("0", "0"), ("1+", "1+"), ("2+", "2+"), ("3+", "3+")])
        self._choice(f, "disease.her2_ish", "HER2 ISH", [("positive", "amplified (positive)"),
                                                          ("negative", "not amplified (negative)"),
                                                          ("not_done", "not done")])
        self.her2_status = QLabel()
        self.her2_status.setAccessibleName("HER2 status derived from IHC and ISH")
        self.her2_status.setWordWrap(True)  # "not determined (needs IHC, and ISH if 2+)" must not widen the form
        f.addRow("HER2 status", self.her2_status)
        self._number(f, "disease.pdl1_cps", "PD-L1 CPS", "")
        self._choice(f, "disease.germline_brca", "Germline BRCA", [("mutation", "mutation"),
                                                                    ("no_mutation", "no mutation")])
        self._tri(f, "disease.visceral_crisis", "Visceral crisis")
        self._tri(f, "disease.endocrine_refractory", "Endocrine refractory")
        col.addWidget(box)

        # Regimens
        box = QGroupBox("Prior regimens (most recent last)")
        lay = QVBoxLayout(box)
        self.regimens = RegimenEditor(criteria)
        self.regimens.changed.connect(self._on_change)
        lay.addWidget(self.regimens)
        # right under the table, which it answers for when empty
        holder = QWidget()
        none_form = QFormLayout(holder)
        none_form.setContentsMargins(0, 0, 0, 0)
        regimens_layout = self.regimens.layout()
        assert isinstance(regimens_layout, QVBoxLayout)  # the regimens editor's column
        regimens_layout.insertWidget(1, holder)
        none_box = QCheckBox("No prior systemic therapy")
        none_box.setToolTip("An empty table means 'not recorded': tick this when the patient has had none.")
        self._add(none_form, "no_prior_systemic_therapy", "", none_box,
                            lambda: True if none_box.isChecked() else None, lambda v: none_box.setChecked(bool(v)),
                            note="(an empty table means 'not recorded')")
        none_box.setAccessibleName("No prior systemic therapy")
        QWidget.setTabOrder(self.regimens.table, none_box)

        def untick_when_a_regimen_is_added() -> None:
            if not self._loading and none_box.isChecked() and self.regimens.table.rowCount() > 0:
                none_box.setChecked(False)  # the table now answers the question

        self.regimens.changed.connect(untick_when_a_regimen_is_added)
        col.addWidget(box)

        # Labs, History and Plan: below the fold of a new window, built on the pass after the first
        # paint (``build_deferred``) or when anything needs them (``_ensure_lower``)
        self._regimens_box = box
        # Course: the cycles given and the cycle about to start (ixdesk.ui.course), at the foot of
        # the column, built on first use (see ``course``)
        self._col = col
        self._course: CourseSection | None = None
        self._course_blank: Any = None  # a new course section's snapshot (see ``snapshot``)
        self._course_built: list[Callable[[CourseSection], object]] = []
        col.addStretch(1)
        self.setWidget(body)
        self._fit_minimum()
        set_enum_property(self, "horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)
        # the wheel scrolls the form; it never changes an answer (regimen editors too)
        guard_wheel(self, filter_next_pass=wheel_filter_next_pass)
        self._hold("overrides")  # the clinicians' overrides: not typed here, but saved with the consult
        from ixdesk.ui.provenance import ProvenanceMarks

        self.provenance = ProvenanceMarks(self)  # marks and sources of imported values

    def _ensure_lower(self) -> None:
        """Build the Labs, History and Plan sections (half of the fields) if not built yet.

        Everything that reads the form by path (``fields``, ``collect``, ``load``, ``mark_errors``,
        ``field_words``) builds them first, so tests and the window find every field. They go below
        the regimens, before the course section; their fields follow the regimens' in tab order (they
        join the end of the window's focus chain, and the course section and the assessment side are
        built after them); the wheel guard covers their choice fields the moment they exist."""
        if self._lower_built:
            return
        self._lower_built = True
        self._group = self._lower
        col = self._col
        at = col.indexOf(self._regimens_box) + 1
        # Labs
        box, f = _section("Labs")
        self._date(f, "labs.date", "Lab date")
        self._lab(f, "neutrophils", "Neutrophils (ANC)", COUNT_UNITS)
        self._lab(f, "platelets", "Platelets", COUNT_UNITS)
        self._lab(f, "hemoglobin", "Hemoglobin", HB_UNITS)
        self._lab(f, "ast", "AST", ENZ_UNITS, uln=True)
        self._lab(f, "alt", "ALT", ENZ_UNITS, uln=True)
        self._lab(f, "bilirubin", "Total bilirubin", BILI_UNITS, uln=True)
        self._lab(f, "creatinine", "Creatinine", CREAT_UNITS)
        col.insertWidget(at, box)
        at += 1

        # History
        box, f = _section("History and medications")
        self._choice(f, "history.ecog", "ECOG performance status", [(i, str(i)) for i in range(5)])
        self._choice(f, "history.neuropathy_grade", "Neuropathy grade (CTCAE)", [(i, f"grade {i}") for i in range(5)])
        self._tri(f, "history.cremophor_hypersensitivity", "Cremophor EL hypersensitivity", note="paclitaxel, Ixempra")
        self._choice(f, "history.cremophor_hypersensitivity_grade", "  its grade", [(i, f"grade {i}") for i in range(1, 5)])
        self._tri(f, "history.prior_ixabepilone_reaction", "Prior reaction to ixabepilone")
        self._tri(f, "history.cardiac_history", "Cardiac history")
        self._text(f, "history.cardiac_history_detail", "  details", 5000)
        self._tri(f, "history.diabetes", "Diabetes")
        self._tri(f, "history.radiotherapy", "Radiotherapy before", note="radiation recall")
        self._medications(f)
        self._tri(f, "history.grapefruit", "Grapefruit juice")
        col.insertWidget(at, box)
        at += 1

        # Plan
        box, f = _section("Plan and attestations")
        self._choice(f, "plan.regimen", "Planned regimen", [("monotherapy", "ixabepilone monotherapy"),
                                                            ("with_capecitabine", "ixabepilone + capecitabine"),
                                                            ("with_trastuzumab", "ixabepilone + trastuzumab")])
        self._choice(f, "plan.bsa_formula", "BSA formula", [("mosteller", "Mosteller"), ("dubois", "DuBois")],
                     allow_none=False)
        self._text(f, "plan.prescriber", "Prescriber", 200)
        self._date(f, "consult_date", "Consult date")
        self._tri(f, "attestations.prescriber_is_oncologist", "Prescriber is an oncologist")
        self._tri(f, "attestations.anthracycline_contraindicated", "Anthracycline contraindicated")
        self._text(f, "attestations.anthracycline_contraindication_reason", "  reason", 5000)
        # beside the attestation, never deciding it: the recorded cumulative exposure (ixdesk.ui.course)
        self.anthracycline_exposure = QLabel()
        self.anthracycline_exposure.setWordWrap(True)
        self.anthracycline_exposure.setAccessibleName("Recorded anthracycline exposure")
        self.anthracycline_exposure.setStyleSheet("color: #555;")
        f.addRow("  exposure", self.anthracycline_exposure)
        self._tri(f, "attestations.tdxd_candidate", "Candidate for T-DXd")
        notes = QPlainTextEdit()
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(60)
        self._add(f, "notes", "Notes", notes, lambda: notes.toPlainText() or None,
                  lambda v: notes.setPlainText(v or ""), stretch=True)
        col.insertWidget(at, box)
        at += 1

        self._group = self._upper
        self._lower_blank = self._snapshot_part(self._lower)
        if self.property(WHEEL_GUARD_PROPERTY):
            guard_wheel(self)  # its choice fields, as the form's own
        self._fit_minimum()
        # laid out now, as sections built with the form are before anyone can click them (the form
        # may be on screen already: a click must land on the fields where they are drawn)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def __getattr__(self, name: str) -> Any:
        """``medications`` and ``anthracycline_exposure`` live in the lower sections: build them."""
        if name in ("medications", "anthracycline_exposure") and not self.__dict__.get("_lower_built", True):
            self._ensure_lower()
            return getattr(self, name)
        raise AttributeError(name)

    @property
    def fields(self) -> dict[str, tuple[QWidget, FieldBox]]:
        self._ensure_lower()
        return self._fields

    @property
    def labels(self) -> dict[str, str]:
        self._ensure_lower()
        return self._labels

    @property
    def unit_prompts(self) -> dict[str, UnitPrompt]:
        self._ensure_lower()
        return self._unit_prompts

    @property
    def _readers(self) -> dict[str, Callable[[], Any]]:
        self._ensure_lower()
        return self._readers_of

    @property
    def _writers(self) -> dict[str, Callable[[Any], None]]:
        self._ensure_lower()
        return self._writers_of

    def build_deferred(self) -> None:
        """What the form builds on the pass after its first paint: the regimens' row editor (119
        widgets below the fold, disabled until a row exists; built at once if anything needs it)."""
        self.regimens.ensure_editor()
        self._ensure_lower()
        self._fit_minimum()

    @property
    def course(self) -> CourseSection:
        """The treatment-course section, built the first time anything needs it.

        It sits at the foot of the form, below what a window shows at start-up, and holds about 270
        widgets (most of them hidden until a course is started): building it costs a quarter of the
        form's start-up. Opening or assessing a consult (``load``, ``collect``) needs it, so it is
        in place as soon as the core has loaded, before anyone could have scrolled down to it."""
        if self._course is None:
            self._ensure_lower()  # above it, and before it in tab order
            from ixdesk.ui.course import CourseSection

            course = CourseSection()
            self._course = course
            self._course_blank = course.snapshot()
            course.changed.connect(self._on_change)
            course.consult_medications = self.medications.value  # carried into a course started now
            course.anthracycline_label = self.anthracycline_exposure
            self._col.insertWidget(self._col.count() - 1, course)  # above the stretch
            if self.property(WHEEL_GUARD_PROPERTY):
                guard_wheel(self)  # its choice fields, as the form's own
            self._fit_minimum()
            for fn in self._course_built:
                fn(course)
        return self._course

    def course_policy(self) -> Any:
        """The clinic's course policies as the Course section read them (None before it exists)."""
        return self._course.policy if self._course is not None else None

    def when_course_built(self, fn: Callable[[CourseSection], object]) -> None:
        """Call ``fn(course)`` once the course section exists (now, if it does)."""
        if self._course is not None:
            fn(self._course)
        else:
            self._course_built.append(fn)

    @property
    def _settings(self) -> QSettings:
        """Made on first use (the lab units, in the sections built after the form is on screen):
        reading the settings file costs a few ms on the way to the first field."""
        if self._settings_made is None:
            self._settings_made = make_settings()
        return self._settings_made

    def _fit_minimum(self) -> None:
        """The form is never narrower than its content needs: sideways scrolling (and the labels it
        cut at the left when focusing a field scrolled the view) cannot happen at any splitter position."""
        bar = self.verticalScrollBar().sizeHint().width()
        need = self.body.minimumSizeHint().width() + bar + 2 * self.frameWidth() + 2
        self.setMinimumWidth(max(460, need))

    # --- building blocks --------------------------------------------------------------------

    def _add(self, form: QFormLayout, path: str, label: str, widget: QWidget, read: Callable[[], Any],
             write: Callable[[Any], None], *extra: QWidget, stretch: bool = False, note: str | None = None) -> FieldBox:
        widget.setAccessibleName(label.strip())
        box = FieldBox(widget, *extra, stretch_last=stretch, note=note)
        form.addRow(label, box)
        self._fields[path] = (widget, box)
        self._group[0].append(path)
        self._labels[path] = label.strip()
        self._readers_of[path] = read
        self._writers_of[path] = write
        connect_change(widget, self._on_change)
        for e in extra:
            connect_change(e, self._on_change)
        return box

    def _text(self, form: QFormLayout, path: str, label: str, max_len: int) -> None:
        w = QLineEdit()
        w.setPlaceholderText("not recorded")
        self._add(form, path, label, w, lambda: w.text() or None, lambda v: w.setText(v or ""), stretch=True)

    def _date(self, form: QFormLayout, path: str, label: str) -> None:
        w = DateEdit()
        self._add(form, path, label, w, w.value, w.set_value)

    def _number(self, form: QFormLayout, path: str, label: str, unit: str, integer: bool = False) -> None:
        w = NumberEdit(integer=integer)
        w.setMaximumWidth(140)
        self._add(form, path, label, w, w.value, w.set_value, note=unit or None)

    def _choice(self, form: QFormLayout, path: str, label: str, choices: list[tuple[Any, str]],
                allow_none: bool = True) -> None:
        w = ChoiceCombo(choices, allow_none=allow_none)
        self._add(form, path, label, w, w.value, w.set_value)

    def _tri(self, form: QFormLayout, path: str, label: str, note: str | None = None) -> None:
        w = TriState()
        self._add(form, path, label, w, w.value, w.set_value, note=note)

    def _medications(self, form: QFormLayout) -> None:
        from ixdesk.ui.medications import MedicationList

        w = MedicationList()
        self._add(form, "history.medications", "Current medications", w, w.value, w.set_value, stretch=True)
        self.medications = w

    def _lab(self, form: QFormLayout, name: str, label: str, units: list[tuple[str, str]], uln: bool = False) -> None:
        value = NumberEdit()
        value.setMaximumWidth(110)
        unit = ChoiceCombo(units, allow_none=False)
        unit.setAccessibleName(f"{label} unit")
        extra: list[QWidget] = [unit]
        uln_edit: NumberEdit | None = None
        uln_note: QLabel | None = None
        if uln:
            uln_edit = NumberEdit(placeholder="ULN")
            uln_edit.setMaximumWidth(80)
            uln_edit.setAccessibleName(f"{label} upper limit of normal")
            uln_note = QLabel()
            uln_note.setAccessibleName(f"{label} upper limit of normal note")
            extra += [QLabel("ULN"), uln_edit, uln_note]
        path = f"labs.{name}"
        counted = name in COUNT_LABS
        prompt: UnitPrompt | None = UnitPrompt(label) if counted else None
        # the (text, unit) the user confirmed as typed; any later edit of either drops it
        confirmed: list[tuple[str, str] | None] = [None]

        def typed() -> tuple[str, str]:
            return (value.text().strip(), unit.value())

        def default_unit() -> str:
            return count_unit(self._settings, name) if counted else units[0][0]

        def default_uln() -> tuple[float, str] | None:
            if not uln or self.criteria is None:
                return None
            key = name if name != "bilirubin" else ("bilirubin_mg_dl" if unit.value() == "mg/dL" else "bilirubin_umol_l")
            d = self.criteria.lab_defaults.uln.get(key)
            return (d.value, d.unit) if d else None

        def read() -> dict[str, Any] | None:
            v = value.value()
            if v is None:
                return None
            out: dict[str, Any] = {"value": float(v), "unit": unit.value()}
            if counted and confirmed[0] is not None and confirmed[0] == typed():
                out["unit_confirmed"] = True
            if uln_edit is not None:
                u = uln_edit.value()
                if u is None:
                    d = default_uln()
                    if d is None:
                        raise ParseError("enter the laboratory's upper limit of normal")
                    u = d[0]
                out["uln"] = float(u)
            return out

        def write(v: Any) -> None:
            value.set_value(v.value if v is not None else None)
            # an opened file keeps its own unit; only an empty field starts in the default one
            unit.set_value(v.unit if v is not None else default_unit())
            confirmed[0] = typed() if v is not None and getattr(v, "unit_confirmed", False) else None
            refresh_prompt()
            if uln_edit is not None:
                # a saved consult shows the ULN it holds, even one equal to the default: the file
                # cannot say whether the lab gave it, and blanking it would relabel it "default"
                uln_edit.set_value(None if v is None else v.uln)

        def refresh_prompt() -> None:
            if prompt is None:
                return
            if confirmed[0] is not None and confirmed[0] != typed():
                confirmed[0] = None
            try:
                v = value.value()
            except ParseError:
                v = None
            doubt = unit_doubt(name, float(v), unit.value()) if v is not None else None
            prompt.show_doubt(doubt, confirmed[0] is not None, BUTTON_WORDS)

        def use_suggested(suggested: str) -> None:
            if suggested:
                unit.set_value(suggested)  # the form hears currentIndexChanged like a picked unit
                remember_count_unit(self._settings, name, suggested)

        def confirm() -> None:
            confirmed[0] = typed()
            refresh_prompt()
            self._on_change()

        def refresh_note() -> None:
            if uln_edit is None or uln_note is None:
                return
            d = default_uln()
            if uln_edit.text().strip():
                uln_note.setText("recorded")
                uln_note.setStyleSheet("color: #555;")
            elif d is not None:
                uln_note.setText(f"default {d[0]:g} {d[1]}")
                uln_note.setToolTip("A typical adult value, not your laboratory's: type your lab's ULN if it differs.")
                uln_note.setStyleSheet("color: #8a5a00; font-style: italic;")
            else:
                uln_note.setText("")
            if d is not None:
                uln_edit.setPlaceholderText(f"{d[0]:g}")

        box = self._add(form, path, label, value, read, write, *extra, stretch=uln)
        if counted and prompt is not None:
            unit.set_value(default_unit())
            box_layout = box.layout()
            assert isinstance(box_layout, QVBoxLayout)  # FieldBox's column: the row, then its messages
            box_layout.addWidget(prompt)
            self._unit_prompts[path] = prompt
            value.textChanged.connect(refresh_prompt)
            unit.currentIndexChanged.connect(refresh_prompt)
            unit.activated.connect(lambda *_: remember_count_unit(self._settings, name, unit.value()))
            prompt.use_suggested.connect(use_suggested)
            prompt.confirm.connect(confirm)
            self._group[1].append(lambda: confirmed[0])
        if uln_edit is not None:
            self._fields[f"{path}.uln"] = (uln_edit, box)
            self._group[0].append(f"{path}.uln")
            uln_edit.textChanged.connect(refresh_note)
            unit.currentIndexChanged.connect(refresh_note)
            self._criteria_listeners.append(refresh_note)
            refresh_note()
        self._fields[f"{path}.unit"] = (unit, box)
        self._group[0].append(f"{path}.unit")

    def set_criteria(self, criteria: Any) -> None:
        """Criteria arrive after first paint: update ULN defaults and the agent completer."""
        self.criteria = criteria
        self.regimens.set_criteria(criteria)
        for refresh in self._criteria_listeners:
            refresh()

    def _hold(self, path: str) -> None:
        """A part of the consult no widget shows that the form must carry from load to collect (the
        overrides, recorded from the panel): kept as loaded, set by the window, part of the snapshot
        so that a change marks the consult modified."""
        held: list[Any] = [None]

        def write(value: Any) -> None:
            held[0] = tuple(value) if value else None

        self._readers_of[path] = lambda: list(held[0]) if held[0] else None
        self._writers_of[path] = write
        self._group[1].append(lambda: held[0])

    def set_held(self, path: str, value: Any) -> None:
        """Replace a held part (``_hold``) and emit ``changed``, as a typed edit does."""
        self._writers_of[path](value)
        if not self._loading:
            self.changed.emit()

    def held(self, path: str) -> Any:
        return self._readers_of[path]()

    # --- state ------------------------------------------------------------------------------

    def load(self, consult: Consult) -> None:
        """Show a consult; emits one ``changed`` afterwards."""
        self._loading = True
        try:
            for path, write in self._writers.items():
                write(get_path(consult, path))
            self.regimens.set_regimens(consult.regimens)
            self.provenance.load(consult)
            self.course.load(consult.course)
        finally:
            self._loading = False
        self._update_derived(consult.disease.her2_ihc, consult.disease.her2_ish)
        self._fit_minimum()
        self.changed.emit()

    def set_if_empty(self, path: str, value: Any) -> None:
        """Fill one field that the user left empty (e.g. the consult date of a consult typed early)."""
        try:
            current = self._readers[path]()
        except ParseError:
            return  # the user typed something there, even if it does not parse
        if current is None:
            self._writers[path](value)

    def collect(self) -> tuple[dict[str, Any], list[Problem]]:
        """Consult input as plain data, plus problems for fields whose text does not parse."""
        data: dict[str, Any] = {}
        problems: list[Problem] = []
        for path, read in self._readers.items():
            try:
                val = read()
            except ParseError as exc:
                problems.append(Problem(path, str(exc)))
                continue
            if val is None:
                continue  # not recorded: leave the model's default
            set_path(data, path, val)
        regs, probs = self.regimens.collect()
        data["regimens"] = regs
        problems.extend(probs)
        course, course_probs = self.course.collect()
        if course is not None:
            data["course"] = course
        problems.extend(course_probs)
        return data, problems

    def snapshot(self) -> Any:
        """Everything typed, as text, to tell whether the user changed anything since load/save."""
        # lower sections (or a course section) not built yet are new ones: they snapshot as new
        # ones do (None), without building them
        lower = self._snapshot_part(self._lower) if self._lower_built else None
        course = self._course.snapshot() if self._course is not None else None
        return (self._snapshot_part(self._upper), None if lower == self._lower_blank else lower,
                self.regimens.snapshot(), None if course == self._course_blank else course)

    def _snapshot_part(self, group: tuple[list[str], list[Callable[[], Any]]]) -> list[Any]:
        paths, states = group
        texts: list[Any] = []
        for path in paths:
            widget = self._fields[path][0]
            if isinstance(widget, QComboBox):
                texts.append(widget.currentIndex())
            elif isinstance(widget, QLineEdit):
                texts.append(widget.text())
            elif isinstance(widget, QPlainTextEdit):
                texts.append(widget.toPlainText())
            elif isinstance(widget, QCheckBox):
                texts.append(widget.isChecked())
            elif hasattr(widget, "snapshot"):
                texts.append(widget.snapshot())
        for path in paths:
            for extra in self._fields[path][1].widgets[1:]:
                if isinstance(extra, QCheckBox):
                    texts.append(extra.isChecked())
        texts.extend(state() for state in states)
        return texts

    def mark_errors(self, problems: list[Problem]) -> list[Problem]:
        """Mark each problem at its field; return those that have no field on this form."""
        by_box: dict[int, tuple[FieldBox, QWidget, list[str]]] = {}
        unplaced: list[Problem] = []
        for p in problems:
            if p.field.startswith("regimens") or p.field.startswith("course"):
                continue
            hit = self._lookup(p.field)
            if hit is None:
                unplaced.append(p)
                continue
            widget, box = hit
            entry = by_box.setdefault(id(box), (box, widget, []))
            entry[2].append(p.message)
        for _w, box in self.fields.values():
            marked = by_box.get(id(box))
            box.set_error("; ".join(marked[2]) if marked else None, target=marked[1] if marked else None)
        self.regimens.set_errors([p for p in problems if p.field.startswith("regimens")])
        unplaced += self.course.mark_errors([p for p in problems if p.field.startswith("course")])
        return unplaced

    def describe_problem(self, problem: Problem) -> str:
        """The problem with its field named in the form's words ("Neutrophils (ANC): …", "Regimen 2,
        last dose date: …"), for the panel, which must say which field holds it."""
        return f"{self.field_words(problem.field)}: {problem.message}" if problem.field else problem.message

    def field_words(self, path: str) -> str:
        import re

        m = re.match(r"^regimens\[(\d+)\]\.?(\w*)", path)
        if m:
            box = self.regimens.boxes.get(m.group(2))
            if box is None and m.group(2):  # a section of the editor (per-agent dates, anthracycline doses)
                from ixdesk.present.fields import field_words

                return field_words(path)
            editor_form = self.regimens.editor.layout()
            label = editor_form.labelForField(box) if box is not None and isinstance(editor_form, QFormLayout) else None
            words = label.text().lower() if isinstance(label, QLabel) else ""
            return f"Regimen {int(m.group(1)) + 1}" + (f", {words}" if words else "")
        if path.startswith("course"):
            return self.course.field_words(path)
        parts = path.split(".")
        while parts:
            key = ".".join(parts)
            words = self.labels.get(key) or (self.fields[key][0].accessibleName() if key in self.fields else "")
            if words:
                return words
            parts.pop()
        return path

    def _lookup(self, path: str) -> tuple[QWidget, FieldBox] | None:
        if path.startswith("course"):
            return self.course.lookup(path)
        parts = path.split(".")
        while parts:
            key = ".".join(parts)
            if key in self.fields:
                return self.fields[key]
            parts.pop()
        return None

    def widget_for(self, path: str) -> QWidget | None:
        """The input a consult path is edited in (for regimens, the editor field of that row)."""
        if path.startswith("regimens"):
            import re

            m = re.match(r"^regimens\[(\d+)\]\.?(\w*)", path)
            if m:
                return self.regimens.widget_for(m.group(2) if m.group(2) in REGIMEN_FIELDS else "agents")
            return self.regimens.table
        hit = self._lookup(path)
        return hit[0] if hit else None

    def focus_field(self, path: str) -> bool:
        """Move focus to the input for ``path``, scrolling it into view; False if there is none."""
        import re

        m = re.match(r"^regimens\[(\d+)\]\.?(\w*)", path)
        if m:
            ok = self.regimens.focus_field(int(m.group(1)), m.group(2))
            widget: QWidget | None = self.widget_for(path) if ok else self.regimens.table
            if not ok:
                self.regimens.table.setFocus()
        elif path == "regimens":
            widget = self.regimens.table
            widget.setFocus()
        else:
            widget = self.widget_for(path)
            if widget is None:
                return False
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        if widget is not None:
            self.ensureWidgetVisible(widget, 40, 80)
        return widget is not None

    def _on_change(self) -> None:
        if self._loading:
            return
        self._update_derived(self._fields["disease.her2_ihc"][0].value(),  # type: ignore[attr-defined]
                             self._fields["disease.her2_ish"][0].value())  # type: ignore[attr-defined]
        self.changed.emit()

    def _update_derived(self, ihc: str | None, ish: str | None) -> None:
        from ixdesk.core.receptors import her2_status  # no pydantic: safe while the core loads

        status = her2_status(ihc, ish)
        self.her2_status.setText({"positive": "HER2-positive", "low": "HER2-low", "negative": "HER2-0 (negative)",
                                  None: "not determined (needs IHC, and ISH if 2+)"}[status])


def get_path(obj: Any, path: str) -> Any:
    """``obj.a.b`` for ``"a.b"``: the form (and the course section) read a model by field path."""
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    cur = data
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


def today() -> date:
    return date.today()
