"""Prior regimens: a table with add / remove / reorder, and an editor for the selected row below it.

The editor is inline rather than a dialog so every keystroke is re-assessed like the rest of the
form. Each row keeps the raw text of its fields, so a half-typed date survives switching rows.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QStringListModel, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QCompleter, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget,
)

from typing import TYPE_CHECKING

from ixdesk.ui.qt_numbers import Qt  # the Qt namespace on first use, after the form is painted
from ixdesk.ui.inputs import (
    WHEEL_GUARD_PROPERTY, ChoiceCombo, DateEdit, FieldBox, FieldProblem as Problem, NumberEdit, ParseError, TriState,
    guard_wheel, parse_number, parse_partial_date,
)

if TYPE_CHECKING:  # pydantic models load after the window is on screen
    from ixdesk.core.consult import Regimen

SETTINGS = [("neoadjuvant", "neoadjuvant"), ("adjuvant", "adjuvant"), ("metastatic", "metastatic")]
RESPONSES = [("complete", "complete response"), ("partial", "partial response"), ("stable", "stable disease"),
             ("progression", "progression"), ("not_evaluable", "not evaluable")]
STOPS = [("progression", "progression"), ("toxicity", "toxicity"), ("hypersensitivity", "hypersensitivity reaction"),
         ("completed", "completed as planned"), ("other", "other")]
GRADES = [(g, f"grade {g}") for g in (1, 2, 3, 4)]

FIELDS = ("agents", "setting", "start_date", "last_dose_date", "ongoing", "progressed", "progression_date",
          "best_response", "stop_reason", "hypersensitivity_grade", "note")
# One "Progression" column (its date, or yes / no / ?): at 1280 px the form is ~500 px wide and the
# agents, the column that tells regimens apart, must keep its room.
COLUMNS = ["#", "Agents", "Setting", "Last dose", "Progression", "Stop"]  # start date: editor and tooltip
STOP_SHORT = {"hypersensitivity": "hypersens."}
_SPLIT = re.compile(r"[,+;]")


def split_agents(text: str) -> list[str]:
    """'AC, paclitaxel' -> ['AC', 'paclitaxel']; separators are comma, plus or semicolon."""
    return [a.strip() for a in _SPLIT.split(text) if a.strip()]


def blank_row() -> dict[str, Any]:
    return {"agents": "", "setting": None, "start_date": "", "last_dose_date": "", "ongoing": False,
            "progressed": None, "progression_date": "", "best_response": None, "stop_reason": None,
            "hypersensitivity_grade": None, "note": "", "agent_last_doses": {}, "anthracycline_doses": []}


def _number_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def anthracycline_names(row: dict[str, Any], criteria: Any) -> list[str]:
    """The names the row's anthracycline-dose fields go by: each dose recorded (its name as recorded,
    in the file's order), then each anthracycline of the row's agents by its formulary name (AC gives
    doxorubicin) that has none yet. Without the criteria only the recorded ones."""
    names = [a for a, _t in row.get("anthracycline_doses") or []]
    if criteria is None:
        return names
    from ixdesk.core.formulary import match_agent

    def key(name: str) -> str:
        m = match_agent(name, criteria)
        return m[0].name.casefold() if len(m) == 1 else name.casefold()

    have = {key(n) for n in names}
    for typed in split_agents(row["agents"]):
        for a in match_agent(typed, criteria):
            if a.class_ == "anthracycline" and a.name.casefold() not in have:
                have.add(a.name.casefold())
                names.append(a.name)
    return names


def dated_agents(row: dict[str, Any]) -> list[tuple[str, str]]:
    """(agent, typed date) for each agent of the row with its own last-dose text, in the agents' order.

    A row keeps per-agent dates by agent name (any case), so a date survives retyping the agents; only
    the agents still listed are sent, and the list's order gives ``agent_last_doses[k]`` its k."""
    texts: dict[str, str] = row.get("agent_last_doses") or {}
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in split_agents(row["agents"]):
        key = name.casefold()
        if key in seen:
            continue
        seen.add(key)
        text = texts.get(key, "").strip()
        if text:
            out.append((name, text))
    return out


def row_from_regimen(reg: Regimen) -> dict[str, Any]:
    return {"agents": ", ".join(reg.agents), "setting": reg.setting,
            "start_date": reg.start_date.isoformat() if reg.start_date else "",
            "last_dose_date": reg.last_dose_date.isoformat() if reg.last_dose_date else "",
            "ongoing": reg.ongoing, "progressed": reg.progressed,
            "progression_date": reg.progression_date.isoformat() if reg.progression_date else "",
            "best_response": reg.best_response, "stop_reason": reg.stop_reason,
            "hypersensitivity_grade": reg.hypersensitivity_grade, "note": reg.note or "",
            "agent_last_doses": {a.agent.casefold(): a.last_dose_date.isoformat() for a in reg.agent_last_doses},
            # [agent as recorded, mg/m² as text], in the file's order: carried unchanged unless edited
            "anthracycline_doses": [[d.agent, _number_text(d.cumulative_mg_per_m2)] for d in reg.anthracycline_doses]}


def row_to_data(row: dict[str, Any], index: int) -> tuple[dict[str, Any], list[Problem]]:
    """The row as consult input, plus problems for text that does not parse."""
    problems: list[Problem] = []
    data: dict[str, Any] = {"agents": split_agents(row["agents"]), "ongoing": bool(row["ongoing"])}
    if not data["agents"]:
        problems.append(Problem(f"regimens[{index}].agents", "name at least one agent"))
    for key in ("start_date", "last_dose_date", "progression_date"):
        try:
            data[key] = parse_partial_date(row[key])  # "2022-02" when the chart gives no day
        except ParseError as exc:
            problems.append(Problem(f"regimens[{index}].{key}", str(exc)))
            data[key] = None
    for key in ("setting", "progressed", "best_response", "stop_reason", "hypersensitivity_grade"):
        data[key] = row[key]
    data["note"] = row["note"] or None
    doses: list[dict[str, Any]] = []
    for k, (name, text) in enumerate(dated_agents(row)):
        try:
            doses.append({"agent": name, "last_dose_date": parse_partial_date(text)})
        except ParseError as exc:
            problems.append(Problem(f"regimens[{index}].agent_last_doses[{k}].last_dose_date", f"{name}: {exc}"))
    if doses:
        data["agent_last_doses"] = doses
    anth: list[dict[str, Any]] = []
    for name, text in row.get("anthracycline_doses") or []:
        k = len(anth)
        try:
            v = parse_number(text)
        except ParseError as exc:
            problems.append(Problem(f"regimens[{index}].anthracycline_doses[{k}].cumulative_mg_per_m2",
                                    f"{name}: {exc}"))
            anth.append({"agent": name, "cumulative_mg_per_m2": 1})  # a placeholder keeps k; the problem blocks it
            continue
        if v is not None:
            anth.append({"agent": name, "cumulative_mg_per_m2": v})
    if anth:
        data["anthracycline_doses"] = anth
    return data, problems



def _expander(name: str, tooltip: str, hint_text: str) -> tuple[QToolButton, QWidget, QFormLayout, QWidget]:
    """A closed section of a regimen's editor: a toggle with an arrow, and below it a grey hint
    and a form, shown while the toggle is on (closed, a regimen looks as it always did). Returns
    the toggle, the panel, the panel's form and the widget holding both, to put in a form row."""
    toggle = QToolButton()
    toggle.setCheckable(True)
    toggle.setAutoRaise(True)
    toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toggle.setArrowType(Qt.ArrowType.RightArrow)
    toggle.setAccessibleName(name)
    toggle.setToolTip(tooltip)
    panel = QWidget()
    column = QVBoxLayout(panel)
    column.setContentsMargins(12, 0, 0, 2)
    hint = QLabel(hint_text)
    hint.setWordWrap(True)
    hint.setStyleSheet("color: #555;")
    column.addWidget(hint)
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    column.addLayout(form)
    panel.setVisible(False)

    def toggled(open_: bool) -> None:
        toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        panel.setVisible(open_)

    toggle.toggled.connect(toggled)
    holder = QWidget()
    col = QVBoxLayout(holder)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(0)
    col.addWidget(toggle)
    col.addWidget(panel)
    return toggle, panel, form, holder

class AgentCompleter(QCompleter):
    """Completes the agent being typed after the last separator, from generic, brand and alias names."""

    def __init__(self, names: QStringListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(names)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(12)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt override
        return [_SPLIT.split(path)[-1].strip()]

    def pathFromIndex(self, index: Any) -> str:  # noqa: N802 - Qt override
        chosen = super().pathFromIndex(index)
        chosen = chosen.split("  (")[0]  # drop the "(brand of ...)" hint
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        m = re.match(r"^(.*[,+;])\s*[^,+;]*$", text)
        return f"{m.group(1).rstrip()} {chosen}" if m else chosen


def completion_names(criteria: Any) -> list[str]:
    """Generic names, then brands and aliases with a hint naming the generic, then combinations."""
    if criteria is None:
        return []
    names: list[str] = []
    for a in criteria.formulary.agents:
        names.append(a.name)
        for b in a.brands:
            names.append(f"{b}  (brand of {a.name})")
        for al in a.aliases:
            names.append(f"{al}  (= {a.name})")
    for c in criteria.formulary.combinations:
        names.append(f"{c.alias}  (= {' + '.join(c.agents)})")
    return names


class RegimenEditor(QWidget):
    """Table of prior regimens plus the editor of the selected one."""

    changed = Signal()

    def __init__(self, criteria: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []
        self._names = QStringListModel(completion_names(criteria), self)
        self._criteria = criteria
        self._loading = False
        self._errors: dict[int, list[Problem]] = {}
        self._marked: tuple[int, list[tuple[int, list[tuple[str, str]]]]] | None = None  # what set_errors last drew
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Prior regimens table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(28)
        self.table.setWordWrap(False)  # one line per regimen; long agent lists elide, full text in the tooltip
        self.table.setMinimumWidth(200)
        self.table.setMinimumHeight(130)
        self.table.setAlternatingRowColors(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add regimen")
        self.remove_button = QPushButton("Remo&ve")
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move do&wn")
        for b, name in ((self.add_button, "Add regimen"), (self.remove_button, "Remove selected regimen"),
                        (self.up_button, "Move selected regimen up"), (self.down_button, "Move selected regimen down")):
            b.setAccessibleName(name)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.up_button.clicked.connect(lambda: self.move_row(-1))
        self.down_button.clicked.connect(lambda: self.move_row(1))

        self._editor_built = False  # the row editor: built on first need (see _build_editor)
        self._refresh_editor()

    # What the row editor holds: built on first access (``__getattr__``), when a row exists, or on
    # the pass after the form's first paint (``ensure_editor``).
    _EDITOR_PARTS = frozenset({
        "editor", "editor_title", *FIELDS, "boxes", "per_agent_toggle", "per_agent_panel", "per_agent_form",
        "agent_dates", "agent_date_boxes", "_agent_names", "anth_toggle", "anth_panel", "anth_form", "anth_edits",
        "anth_boxes", "_anth_names"})

    def __getattr__(self, name: str) -> Any:
        if name in RegimenEditor._EDITOR_PARTS and not self.__dict__.get("_editor_built", True):
            self.ensure_editor()
            return getattr(self, name)
        raise AttributeError(name)

    def ensure_editor(self) -> None:
        """Build the row editor now (once): its 119 widgets are a fifth of the form's, and with no row
        it only shows the fields disabled, below the table, under the fold of a new window."""
        if not self._editor_built:
            self._build_editor()
            self._refresh_editor()

    def _build_editor(self) -> None:
        """The editor of the selected row, below the table and its buttons.

        Built after the rest of the form, it keeps the form's tab order (after the buttons, before
        whatever follows the regimens), and the form's wheel guard covers its choice fields at once."""
        self._editor_built = True
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        self.editor = QWidget()
        self.editor_title = QLabel()
        self.editor_title.setStyleSheet("font-weight: 600;")
        form = QFormLayout(self.editor)
        form.setContentsMargins(8, 4, 0, 4)
        form.addRow(self.editor_title)
        self.agents = QLineEdit()
        self.agents.setPlaceholderText("e.g. doxorubicin, cyclophosphamide  or  AC; brand names work")
        self.agents.setCompleter(AgentCompleter(self._names, self.agents))
        self.setting = ChoiceCombo(SETTINGS)
        self.start_date = DateEdit(month_only=True)
        self.last_dose_date = DateEdit(month_only=True)
        self.ongoing = QCheckBox("ongoing (still receiving)")
        self.progressed = TriState()
        self.progression_date = DateEdit(month_only=True)
        self.best_response = ChoiceCombo(RESPONSES)
        self.stop_reason = ChoiceCombo(STOPS)
        self.hypersensitivity_grade = ChoiceCombo(GRADES)
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(44)
        self.note.setTabChangesFocus(True)
        self.boxes: dict[str, FieldBox] = {}
        labels = {"agents": "Agents", "setting": "Setting", "start_date": "Start date",
                  "last_dose_date": "Last dose date", "ongoing": "Ongoing", "progressed": "Progressed on it",
                  "progression_date": "Progression date", "best_response": "Best response",
                  "stop_reason": "Stopped for", "hypersensitivity_grade": "Hypersensitivity grade", "note": "Note"}
        for key in FIELDS:
            w = getattr(self, key)
            w.setAccessibleName(f"Regimen {labels[key].lower()}")
            box = FieldBox(w, stretch_last=key in ("agents", "note"))
            self.boxes[key] = box
            form.addRow(labels[key], box)
            if isinstance(w, QCheckBox):
                w.toggled.connect(self._editor_changed)
            elif isinstance(w, (QLineEdit, QPlainTextEdit)):
                w.textChanged.connect(self._editor_changed)
            else:
                w.currentIndexChanged.connect(self._editor_changed)
        self._build_per_agent(form)
        self._build_anthracycline(form)
        # the editor's own tab order, as created (it has no parent yet): the fields Tab stops at
        chain: list[QWidget] = []
        tab = Qt.FocusPolicy.TabFocus.value
        w = self.editor.nextInFocusChain()
        while w is not None and w is not self.editor:
            if w.focusPolicy().value & tab:
                chain.append(w)
            w = w.nextInFocusChain()
        layout.addWidget(self.editor)  # its chain goes to the end of the window's: move it back
        prev: QWidget = self.down_button
        for w in chain:
            QWidget.setTabOrder(prev, w)
            prev = w
        guarded = self.parentWidget()
        while guarded is not None and not guarded.property(WHEEL_GUARD_PROPERTY):
            guarded = guarded.parentWidget()
        if guarded is not None:
            guard_wheel(guarded)  # its choice fields, as the form's own (ixdesk.ui.inputs.WheelGuard)

    def _build_per_agent(self, form: QFormLayout) -> None:
        """Below the last dose: an expander listing each agent with its own last-dose date, for agents
        that stopped before the rest (docetaxel after six cycles, trastuzumab and pertuzumab going on).
        Closed, a one-date regimen looks as it always did."""
        self.per_agent_toggle, self.per_agent_panel, self.per_agent_form, holder = _expander(
            "Agents stopped on different days",
            "Give an agent its own last-dose date when it stopped before the others: "
            "resistance to a drug class runs from that class's last dose.",
            "Only for an agent that stopped before the regimen's last dose (e.g. docetaxel after six "
            "cycles while trastuzumab and pertuzumab went on). Empty: stopped with the regimen. "
            "Name the agents one by one (not THP) to date each.")
        self.agent_dates: dict[str, DateEdit] = {}  # casefolded agent name -> its date field
        self.agent_date_boxes: dict[str, FieldBox] = {}
        self._agent_names: list[str] = []
        row = form.getWidgetPosition(self.boxes["ongoing"])[0] + 1  # type: ignore[index]  # (row, role), typed object in the stub; below the last dose and 'ongoing'
        form.insertRow(row, "", holder)

    def _build_anthracycline(self, form: QFormLayout) -> None:
        """Below the note: an expander with each anthracycline of the regimen and its cumulative
        mg/m² as the chart records it (optional). Shown beside the anthracycline attestation, never
        deciding it; closed, a regimen looks as it always did."""
        self.anth_toggle, self.anth_panel, self.anth_form, holder = _expander(
            "Cumulative anthracycline dose",
            "The cumulative mg/m² of each anthracycline of this regimen, as the chart records it; "
            "shown beside the anthracycline attestation, never deciding it.",
            "Optional: the total mg/m² given in this regimen, per agent, from the treatment summary. "
            "Empty: not recorded. Agents are never added together.")
        self.anth_toggle.setText("Cumulative anthracycline dose")
        self.anth_edits: dict[str, NumberEdit] = {}  # the agent's name as the row keeps it -> its field
        self.anth_boxes: dict[str, FieldBox] = {}
        self._anth_names: list[str] = []
        form.addRow("", holder)

    def _anth_rows(self, row: dict[str, Any]) -> None:
        """One mg/m² field per anthracycline; rebuilt only when the names change (typing keeps focus)."""
        names = anthracycline_names(row, self._criteria)
        if names != self._anth_names:
            self._anth_names = names
            while self.anth_form.rowCount():
                self.anth_form.removeRow(0)
            self.anth_edits, self.anth_boxes = {}, {}
            for n in names:
                edit = NumberEdit()
                edit.setMaximumWidth(110)
                edit.setToolTip(f"The cumulative {n} dose of this regimen in mg/m², as recorded. Empty: not recorded.")
                edit.setAccessibleName(f"Regimen {n} cumulative dose (mg/m²)")
                edit.textChanged.connect(self._editor_changed)
                box = FieldBox(edit, QLabel("mg/m²"))
                self.anth_edits[n] = edit
                self.anth_boxes[n] = box
                self.anth_form.addRow(f"{n}: cumulative", box)
            if not names:
                self.anth_form.addRow(QLabel("No anthracycline among this regimen's agents."))
        texts = dict(row.get("anthracycline_doses") or [])
        for n, edit in self.anth_edits.items():
            if edit.text() != texts.get(n, ""):
                edit.setText(texts.get(n, ""))
        n_rec = sum(1 for _a, t in row.get("anthracycline_doses") or [] if t.strip())
        self.anth_toggle.setText("Cumulative anthracycline dose" + (f" ({n_rec} recorded)" if n_rec else ""))

    def _per_agent_rows(self, row: dict[str, Any]) -> None:
        """One date field per agent of the row; rebuilt only when the list of names changes, so typing
        a date never loses focus."""
        names: list[str] = []
        for n in split_agents(row["agents"]):
            if n.casefold() not in {x.casefold() for x in names}:
                names.append(n)
        if names != self._agent_names:
            self._agent_names = names
            while self.per_agent_form.rowCount():
                self.per_agent_form.removeRow(0)
            self.agent_dates, self.agent_date_boxes = {}, {}
            for n in names:
                edit = DateEdit(month_only=True)
                edit.setToolTip("This agent's own last dose, as YYYY-MM-DD (or YYYY-MM when the day is not recorded). "
                                "Empty: it stopped with the regimen "
                                "(its last dose date, or still given while the regimen is ongoing).")
                edit.setAccessibleName(f"Regimen {n} last dose date")
                edit.textChanged.connect(self._editor_changed)
                box = FieldBox(edit)
                self.agent_dates[n.casefold()] = edit
                self.agent_date_boxes[n.casefold()] = box
                self.per_agent_form.addRow(f"{n}: last dose", box)
            if not names:
                self.per_agent_form.addRow(QLabel("Enter the agents first."))
        texts: dict[str, str] = row.get("agent_last_doses") or {}
        for key, edit in self.agent_dates.items():
            if edit.text() != texts.get(key, ""):
                edit.setText(texts.get(key, ""))
        n_dated = len(dated_agents(row))
        self.per_agent_toggle.setText("Agents stopped on different days" + (f" ({n_dated} dated)" if n_dated else ""))

    def set_criteria(self, criteria: Any) -> None:
        """Criteria load after the window is shown; the completer gets its names then."""
        self._names.setStringList(completion_names(criteria))
        self._criteria = criteria
        if self._editor_built:
            self._anth_names = []  # the anthracyclines of each row are known now
            self._refresh_editor()

    # --- rows -------------------------------------------------------------------------------

    def set_regimens(self, regimens: list[Regimen]) -> None:
        self.rows = [row_from_regimen(r) for r in regimens]
        self._errors = {}
        self._rebuild_table(select=0 if self.rows else None)

    def add_row(self) -> None:
        self.rows.append(blank_row())
        self._rebuild_table(select=len(self.rows) - 1)
        self.agents.setFocus()
        self.changed.emit()

    def remove_row(self) -> None:
        i = self.current_row()
        if i is None:
            return
        del self.rows[i]
        self._rebuild_table(select=min(i, len(self.rows) - 1) if self.rows else None)
        self.changed.emit()

    def move_row(self, step: int) -> None:
        i = self.current_row()
        if i is None or not 0 <= i + step < len(self.rows):
            return
        self.rows[i], self.rows[i + step] = self.rows[i + step], self.rows[i]
        self._rebuild_table(select=i + step)
        self.changed.emit()

    def current_row(self) -> int | None:
        sel = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return sel[0].row() if sel else None

    def select_row(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.table.selectRow(index)

    def collect(self) -> tuple[list[dict[str, Any]], list[Problem]]:
        out: list[dict[str, Any]] = []
        problems: list[Problem] = []
        for i, row in enumerate(self.rows):
            data, probs = row_to_data(row, i)
            out.append(data)
            problems.extend(probs)
        return out, problems

    def snapshot(self) -> list[dict[str, Any]]:
        return [{**r, "agent_last_doses": dict(r.get("agent_last_doses") or {}),
                 "anthracycline_doses": [list(d) for d in r.get("anthracycline_doses") or []]} for r in self.rows]

    # --- errors and focus -------------------------------------------------------------------

    def set_errors(self, problems: list[Problem]) -> None:
        """Problems whose field starts with ``regimens[i]``: mark the row and, if selected, the field."""
        errors: dict[int, list[Problem]] = {}
        for p in problems:
            m = re.match(r"^regimens\[(\d+)\]", p.field)
            if m:
                errors.setdefault(int(m.group(1)), []).append(p)
        marked = (self.table.rowCount(), [(i, [(p.field, p.message) for p in ps]) for i, ps in sorted(errors.items())])
        if marked == self._marked and errors == self._errors:
            return  # nothing changed: restyling every cell on each keystroke is the cost of an edit
        self._marked = marked
        self._errors = errors
        for i in range(self.table.rowCount()):
            errs = self._errors.get(i, [])
            for c in range(self.table.columnCount()):
                item = self.table.item(i, c)
                if item is None:
                    continue
                item.setBackground(QColor("#ffd6d6") if errs else QColor(0, 0, 0, 0))
                item.setToolTip("\n".join(f"⚠ {self._short(p.field)}: {p.message}" for p in errs))
            first = self.table.item(i, 0)
            if first is not None:
                first.setText(f"{i + 1} ⚠" if errs else str(i + 1))
        self._apply_editor_errors()

    @staticmethod
    def _short(field: str) -> str:
        return field.split("].", 1)[1] if "]." in field else "regimen"

    def _apply_editor_errors(self) -> None:
        if not self._editor_built:
            return  # no row, so no error to show
        i = self.current_row()
        errs = self._errors.get(i, []) if i is not None else []
        by_key: dict[str, str] = {}
        by_agent: dict[str, str] = {}
        dated = dated_agents(self.rows[i]) if i is not None else []
        sent = [a for a, t in (self.rows[i].get("anthracycline_doses") or []) if t.strip()] if i is not None else []
        by_anth: dict[str, str] = {}
        for p in errs:
            rest = p.field.split("]", 1)[1].lstrip(".")
            key = rest.split(".")[0].split("[")[0] or "agents"
            m = re.match(r"^anthracycline_doses\[(\d+)\]", rest)
            if m and int(m.group(1)) < len(sent) and sent[int(m.group(1))] in self.anth_boxes:
                name = sent[int(m.group(1))]
                by_anth[name] = by_anth.get(name, "") + ("; " if name in by_anth else "") + p.message
                continue
            m = re.match(r"^agent_last_doses\[(\d+)\]", rest)
            if m and int(m.group(1)) < len(dated) and dated[int(m.group(1))][0].casefold() in self.agent_date_boxes:
                name = dated[int(m.group(1))][0].casefold()
                by_agent[name] = by_agent.get(name, "") + ("; " if name in by_agent else "") + p.message
                continue
            if key not in self.boxes:
                key = "agents"
            by_key[key] = by_key.get(key, "") + ("; " if key in by_key else "") + p.message
        for key, box in self.boxes.items():
            box.set_error(by_key.get(key))
        for name, box in self.agent_date_boxes.items():
            box.set_error(by_agent.get(name))
        for name, abox in self.anth_boxes.items():
            abox.set_error(by_anth.get(name))
        if by_anth and not self.anth_toggle.isChecked():
            self.anth_toggle.setChecked(True)  # an error is never hidden in a closed section
        if by_agent and not self.per_agent_toggle.isChecked():
            self.per_agent_toggle.setChecked(True)  # an error is never hidden in a closed section

    def focus_field(self, index: int, key: str) -> bool:
        if not 0 <= index < len(self.rows):
            return False
        self.select_row(index)
        if key == "agent_last_doses" and self.agent_dates:
            self.per_agent_toggle.setChecked(True)
            next(iter(self.agent_dates.values())).setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        w = getattr(self, key, None) if key in FIELDS else self.agents
        if w is None:
            w = self.agents
        w.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def widget_for(self, key: str) -> QWidget:
        return getattr(self, key) if key in FIELDS else self.agents

    # --- internals --------------------------------------------------------------------------

    def _rebuild_table(self, select: int | None) -> None:
        self._loading = True
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            self._fill_table_row(i, row)
        self._loading = False
        if select is not None and self.rows:
            self.table.selectRow(select)
        else:
            self.table.clearSelection()
        self._refresh_editor()
        self.set_errors([p for ps in self._errors.values() for p in ps])

    def _fill_table_row(self, i: int, row: dict[str, Any]) -> None:
        self._marked = None  # the row's error marks are rewritten on the next set_errors
        # a date (or a stop for progression) answers "progressed?" even when the yes/no box was left empty
        if row["progression_date"]:
            prog = row["progression_date"]
        elif row["progressed"] or row["stop_reason"] == "progression":
            prog = "yes, date ?"
        else:
            prog = {False: "none", None: "?"}[row["progressed"]]
        last = "ongoing" if row["ongoing"] else (row["last_dose_date"] or "—")
        n_dated = len(dated_agents(row))
        if n_dated:
            last += f" (+{n_dated} agent{'s' if n_dated > 1 else ''})"  # some agents stopped earlier
        stop = row["stop_reason"] or "—"
        values = [str(i + 1), row["agents"] or "(no agent yet)", row["setting"] or "—",
                  last, prog, STOP_SHORT.get(stop, stop)]
        tip = f"{row['agents'] or '(no agent yet)'} — started {row['start_date'] or 'date not recorded'}"
        for c, text in enumerate(values):
            item = self.table.item(i, c)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(i, c, item)
            item.setText(text)
            if c == 1:
                item.setToolTip(tip)

    def _selection_changed(self) -> None:
        if not self._loading:
            self._refresh_editor()

    def _refresh_editor(self) -> None:
        i = self.current_row()
        has = i is not None
        self.remove_button.setEnabled(has)
        self.up_button.setEnabled(i is not None and i > 0)
        self.down_button.setEnabled(i is not None and i < len(self.rows) - 1)
        if not self._editor_built:
            if not self.rows:
                return  # nothing to edit: the empty editor follows (ensure_editor)
            self._build_editor()
        self.editor.setVisible(True)
        self.editor.setEnabled(has)
        row = self.rows[i] if i is not None else blank_row()
        self.editor_title.setText(f"Regimen {i + 1}" if i is not None else "Select or add a regimen to edit it")
        self._loading = True
        try:
            self.agents.setText(row["agents"])
            self.setting.set_value(row["setting"])
            self.start_date.setText(row["start_date"])
            self.last_dose_date.setText(row["last_dose_date"])
            self.ongoing.setChecked(bool(row["ongoing"]))
            self.progressed.set_value(row["progressed"])
            self.progression_date.setText(row["progression_date"])
            self.best_response.set_value(row["best_response"])
            self.stop_reason.set_value(row["stop_reason"])
            self.hypersensitivity_grade.set_value(row["hypersensitivity_grade"])
            if self.note.toPlainText() != row["note"]:
                self.note.setPlainText(row["note"])
            self._per_agent_rows(row)
            self.per_agent_toggle.setChecked(bool(dated_agents(row)))
            self._anth_rows(row)
            self.anth_toggle.setChecked(any(t.strip() for _a, t in row.get("anthracycline_doses") or []))
        finally:
            self._loading = False
        self.last_dose_date.setEnabled(not row["ongoing"])
        self._apply_editor_errors()

    def _editor_changed(self) -> None:
        if self._loading:
            return
        i = self.current_row()
        if i is None:
            return
        row = self.rows[i]
        row["agents"] = self.agents.text()
        row["setting"] = self.setting.value()
        row["start_date"] = self.start_date.text()
        row["last_dose_date"] = self.last_dose_date.text()
        row["ongoing"] = self.ongoing.isChecked()
        row["progressed"] = self.progressed.value()
        row["progression_date"] = self.progression_date.text()
        row["best_response"] = self.best_response.value()
        row["stop_reason"] = self.stop_reason.value()
        row["hypersensitivity_grade"] = self.hypersensitivity_grade.value()
        row["note"] = self.note.toPlainText()
        texts = dict(row.get("agent_last_doses") or {})  # a new dict: snapshots keep the old one
        for key, edit in self.agent_dates.items():
            if edit.text():
                texts[key] = edit.text()
            else:
                texts.pop(key, None)
        row["agent_last_doses"] = texts
        # a new list: snapshots keep the old one; a recorded dose keeps its place, a new one goes last
        anth = [[a, t] for a, t in row.get("anthracycline_doses") or []]
        for n, anth_edit in self.anth_edits.items():
            hit = next((d for d in anth if d[0] == n), None)
            if hit is not None:
                hit[1] = anth_edit.text()
            elif anth_edit.text().strip():
                anth.append([n, anth_edit.text()])
        row["anthracycline_doses"] = [d for d in anth if d[1].strip() or d[0] not in self.anth_edits]
        self.last_dose_date.setEnabled(not row["ongoing"])
        self._loading = True
        self._per_agent_rows(row)
        self._anth_rows(row)
        self._fill_table_row(i, row)
        self._loading = False
        self.changed.emit()
