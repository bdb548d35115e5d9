"""Imported values on the form: a small mark beside each field that came from a FHIR import, with
its source (resource, date, original code and unit) in the tooltip.

The consult is rebuilt from the widgets on every change, so the sources are kept here: each one
stays attached while its field holds the value that was imported, and is dropped when the user
changes it (the value is then typed, not imported).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:
    from ixdesk.core.consult import Consult, Provenance
    from ixdesk.ui.form import ConsultForm

MARK = "⇣ EHR"
MARK_NAME = "provenance_mark"


def source_tooltip(p: "Provenance") -> str:
    """The tooltip: where the value came from, in the clinician's words."""
    lines = [f"Imported from FHIR: {p.resource_type}" + (f" {p.resource_id}" if p.resource_id else "")]
    if p.date:
        lines.append(f"dated {p.date.isoformat()}")
    if p.code:
        lines.append(f"code {p.code}")
    if p.original:
        lines.append(f"as sent: {p.original}")
    elif p.unit:
        lines.append(f"unit {p.unit}")
    if p.file:
        lines.append(f"file {p.file}")
    return "\n".join(lines)


def _value_at(doc: Any, path: str) -> Any:
    cur = doc
    for part in path.split("."):
        m = re.fullmatch(r"(\w+)\[(\d+)\]", part)
        key, idx = (m.group(1), int(m.group(2))) if m else (part, None)
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
        if idx is not None:
            cur = cur[idx] if isinstance(cur, list) and idx < len(cur) else None
    return cur


def _field_key(path: str) -> str:
    """The form's field for a provenance path ("history.medications[2]" -> "history.medications")."""
    return re.sub(r"\[\d+\]$", "", path)


class ProvenanceMarks:
    """Held by the form: the sources of the loaded (or imported) consult and their marks."""

    def __init__(self, form: "ConsultForm") -> None:
        self.form = form
        self.entries: dict[str, Provenance] = {}
        self.values: dict[str, str] = {}  # path -> the imported value, as JSON text
        self.kept: dict[str, Provenance] = {}
        self._marks: dict[str, QLabel] = {}

    def load(self, consult: "Consult") -> None:
        import json  # not at import: the form is built before anything needs it (5 ms of start-up)

        doc = json.loads(consult.model_dump_json())
        self.entries = dict(consult.provenance)
        self.values = {p: json.dumps(_value_at(doc, p), sort_keys=True) for p in self.entries}
        self.kept = dict(self.entries)
        self.refresh()

    def attach(self, consult: "Consult") -> "Consult":
        """The consult with the sources of the fields that still hold their imported value."""
        if not self.entries:
            return consult
        import json

        doc = json.loads(consult.model_dump_json())
        kept = {p: e for p, e in self.entries.items() if json.dumps(_value_at(doc, p), sort_keys=True) == self.values[p]}
        if kept.keys() != self.kept.keys():
            self.kept = kept
            self.refresh()
        return consult.model_copy(update={"provenance": kept})

    def refresh(self) -> None:
        by_field: dict[str, list[Provenance]] = {}
        for path, p in self.kept.items():
            by_field.setdefault(_field_key(path), []).append(p)
        for key in set(self._marks) | set(by_field):
            mark = self._mark(key)
            if mark is None:
                continue
            sources = by_field.get(key)
            mark.setVisible(bool(sources))
            tip = "\n\n".join(source_tooltip(p) for p in sources or [])
            mark.setToolTip(tip)
            mark.setAccessibleDescription(tip)

    def _mark(self, key: str) -> QLabel | None:
        if key in self._marks:
            return self._marks[key]
        host: QWidget | None
        if key.startswith("regimens"):
            host = self.form.regimens
            row = None
        else:
            hit = self.form.fields.get(key)
            if hit is None:
                return None
            host = hit[1]
            outer = host.layout()
            first = outer.itemAt(0) if outer is not None and outer.count() else None
            row = first.layout() if first is not None else None
        mark = QLabel(MARK)
        mark.setObjectName(MARK_NAME)
        mark.setStyleSheet("color: #1f5fa8; font-size: 10px;")
        mark.setAccessibleName("imported from the EHR")
        if isinstance(row, QHBoxLayout):
            row.insertWidget(max(0, row.count() - 1), mark)
        else:
            lay = host.layout() if host is not None else None
            if lay is not None:
                lay.addWidget(mark)
        mark.hide()
        self._marks[key] = mark
        return mark

    def mark_for(self, key: str) -> QLabel | None:
        """The mark beside a form field (tests and screenshots look at it)."""
        return self._marks.get(key)
