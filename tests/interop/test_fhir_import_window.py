"""File > Import from FHIR… in the window: typed values never overwritten silently, both values
shown, marks and tooltips on imported fields, sources kept through save and open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ixdesk.core.files import load_consult
from ixdesk.interop.merge import Conflict
from tests.ui.helpers import type_into

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
BUNDLE_A = str(DATA / "example-a-bundle.json")


class Recorder:
    def __init__(self, answer: set[str] | None) -> None:
        self.answer = answer
        self.seen: list[Conflict] = []
        self.messages: list[tuple[str, list[str], bool]] = []

    def resolve(self, conflicts: list[Conflict], parent: Any) -> set[str] | None:
        self.seen = conflicts
        return self.answer

    def inform(self, parent: Any, title: str, text: str, details: list[str], warning: bool = False) -> None:
        self.messages.append((text, details, warning))


def _set_date(window: Any, d: dt.date) -> None:
    window.form.fields["consult_date"][0].set_value(d)
    window.reassess()


def _import(window: Any, rec: Recorder, path: str = BUNDLE_A) -> Any:
    from ixdesk.ui.fhir_import import import_path

    return import_path(window, path, resolve=rec.resolve, inform=rec.inform)


def test_import_into_an_empty_consult_fills_and_marks_fields(qtbot: Any, window: Any) -> None:
    _set_date(window, dt.date(2026, 11, 18))
    rec = Recorder(set())
    out = _import(window, rec)
    assert out is not None and rec.seen == []  # nothing typed: nothing to ask
    c = window.current_consult()
    assert c.labs.neutrophils.value == 2.1 and c.labs.neutrophils.unit == "10^9/L"
    assert c.provenance["labs.neutrophils"].resource_id == "anc1"
    mark = window.form.provenance.mark_for("labs.neutrophils")
    assert mark is not None and not mark.isHidden()
    assert "Observation anc1" in mark.toolTip() and "10*3/uL" in mark.toolTip() and "2026-10-28" in mark.toolTip()
    assert window.form.provenance.mark_for("plan.prescriber") is None  # typed fields have no mark
    # the unmapped resources are listed afterwards
    text, details, warning = rec.messages[-1]
    assert not warning and "could not be imported" in text and any("Encounter: 1 resource(s)" in d for d in details)
    assert window.isWindowModified()


def test_a_typed_value_is_never_overwritten_without_asking(qtbot: Any, window: Any) -> None:
    _set_date(window, dt.date(2026, 11, 18))
    type_into(qtbot, window.form.fields["labs.neutrophils"][0], "1800")
    window.form.fields["labs.neutrophils.unit"][0].set_value("cells/mm3")
    type_into(qtbot, window.form.fields["patient.weight_kg"][0], "70")
    window.reassess()
    rec = Recorder(set())  # keep everything
    _import(window, rec)
    by_path = {c.path: c for c in rec.seen}
    assert by_path["labs.neutrophils"].current == "1800 cells/mm3"
    assert by_path["labs.neutrophils"].imported == "2.1 10^9/L" and "anc1" in by_path["labs.neutrophils"].source
    assert by_path["patient.weight_kg"].current == "70" and by_path["patient.weight_kg"].imported == "68.5"
    c = window.current_consult()
    assert c.labs.neutrophils.value == 1800 and c.patient.weight_kg == 70  # kept
    assert "labs.neutrophils" not in c.provenance and "patient.weight_kg" not in c.provenance
    assert c.labs.platelets.value == 210  # an empty field was filled


def test_replace_only_the_fields_chosen(qtbot: Any, window: Any) -> None:
    _set_date(window, dt.date(2026, 11, 18))
    type_into(qtbot, window.form.fields["labs.neutrophils"][0], "1800")
    window.form.fields["labs.neutrophils.unit"][0].set_value("cells/mm3")
    type_into(qtbot, window.form.fields["patient.weight_kg"][0], "70")
    window.reassess()
    _import(window, Recorder({"labs.neutrophils"}))
    c = window.current_consult()
    assert c.labs.neutrophils.value == 2.1 and c.provenance["labs.neutrophils"].resource_id == "anc1"
    assert c.patient.weight_kg == 70


def test_cancelling_the_conflicts_changes_nothing(qtbot: Any, window: Any) -> None:
    _set_date(window, dt.date(2026, 11, 18))
    type_into(qtbot, window.form.fields["patient.weight_kg"][0], "70")
    window.reassess()
    before = window.current_consult()
    assert _import(window, Recorder(None)) is None
    assert window.current_consult() == before


def test_editing_an_imported_value_drops_its_source(qtbot: Any, window: Any) -> None:
    _set_date(window, dt.date(2026, 11, 18))
    _import(window, Recorder(set()))
    type_into(qtbot, window.form.fields["patient.weight_kg"][0], "69")
    window.reassess()
    c = window.current_consult()
    assert "patient.weight_kg" not in c.provenance and "patient.height_cm" in c.provenance
    assert window.form.provenance.mark_for("patient.weight_kg").isHidden()


def test_sources_survive_save_and_open(qtbot: Any, window: Any, tmp_path: Path) -> None:
    _set_date(window, dt.date(2026, 11, 18))
    _import(window, Recorder(set()))
    target = str(tmp_path / "imported.json")
    assert window._save_to(target)
    saved = load_consult(target)
    assert saved.provenance == window.current_consult().provenance and saved.provenance
    window.new_consult(ask=False)
    assert window.open_path(target, ask=False)
    assert window.current_consult().provenance == saved.provenance
    assert not window.form.provenance.mark_for("labs.platelets").isHidden()


def test_malformed_file_is_refused_naming_resource_and_field(qtbot: Any, window: Any) -> None:
    before = window.current_consult()
    rec = Recorder(set())
    assert _import(window, rec, str(DATA / "malformed-bundle.json")) is None
    text, details, warning = rec.messages[-1]
    assert warning and "not a valid FHIR R4 export" in text
    assert details == ["Observation/wt0, valueQuantity.value: is not a number"]
    assert window.current_consult() == before


def test_conflict_dialog_shows_both_values_and_keeps_by_default(qtbot: Any) -> None:
    from ixdesk.ui.fhir_import import ConflictDialog

    dlg = ConflictDialog([Conflict("labs.neutrophils", "Neutrophils (ANC)", "1800 cells/mm3", "2.1 10^9/L", "Observation anc1")])
    qtbot.addWidget(dlg)
    from PySide6.QtWidgets import QLabel

    texts = [w.text() for w in dlg.findChildren(QLabel)]
    assert "1800 cells/mm3" in texts and any("2.1 10^9/L" in t and "anc1" in t for t in texts)
    assert dlg.replaced() == set()
    dlg.replace_buttons["labs.neutrophils"].setChecked(True)
    assert dlg.replaced() == {"labs.neutrophils"}


@pytest.mark.parametrize("menu_text", ["Import from FHIR…"])
def test_file_menu_has_the_import(window: Any, menu_text: str) -> None:
    assert any(a.text().replace("&", "") == menu_text for a in window.menu_file.actions())


def test_a_failure_inside_the_import_loses_nothing(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import ixdesk.interop.fhir_map as fm

    def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(fm, "import_file", boom)
    type_into(qtbot, window.form.fields["patient.weight_kg"][0], "70")
    window.reassess()
    before = window.current_consult()
    rec = Recorder(set())
    assert _import(window, rec) is None
    assert rec.messages[-1][2] and "RuntimeError" in rec.messages[-1][0]
    assert window.current_consult() == before


def test_an_import_goes_into_the_trail_and_keeps_what_was_there(qtbot: Any, window: Any, tmp_path: Path) -> None:
    """The open consult's trail survives an import: the import is an entry, the values it changed
    follow as changed inputs, and the saved chain verifies."""
    from ixdesk.core.audit import verify
    from ixdesk.core.files import save_consult

    target = tmp_path / "patient.ixdesk.json"
    save_consult(load_consult(Path(__file__).resolve().parents[2] / "resources" / "examples"
                              / "07-incomplete-consult.json"), target)
    assert window.open_path(str(target), ask=False)
    first = window.audit.trail.entries[0]
    assert first.kind == "opened"
    out = _import(window, Recorder(set()))
    assert out is not None
    window.audit.flush()
    kinds = [e.kind for e in window.audit.trail.entries]
    assert kinds[0] == "opened" and window.audit.trail.entries[0] == first  # nothing before it lost
    assert kinds[1] == "import" and window.audit.trail.entries[1].detail["file"] == "example-a-bundle.json"
    assert "input_changed" in kinds[2:] and "opened" not in kinds[1:]
    assert window._save_to(str(target))
    saved = load_consult(str(target))
    assert saved.audit is not None and verify(saved.audit).ok
    assert [e.kind for e in saved.audit.entries][:2] == ["opened", "import"]
