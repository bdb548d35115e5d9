"""The decision state of every bundled example, and of the degenerate consults around it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ixdesk.core.consult import Consult
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir
from ixdesk.present.decision import decision_state


def example(stem: str) -> Consult:
    path = next(p for p in examples_dir().glob("*.json") if p.name.startswith(stem))
    loaded = load_consult(Path(path))
    return getattr(loaded, "consult", loaded)


@pytest.mark.parametrize("stem, kind", [
    ("01", "ready"), ("02", "ready"), ("03", "ready"),
    ("04", "on_hold"), ("05", "outside_label"), ("06", "outside_label"), ("07", "not_decided"),
])
def test_examples(stem: str, kind: str) -> None:
    assert decision_state(assess(example(stem))).kind == kind


def test_on_hold_names_the_contraindication_and_forbids_a_dose() -> None:
    s = decision_state(assess(example("04")))
    assert [f.id for f in s.holds] == ["exclusion.neutrophils"]
    assert not s.dose_may_be_given


def test_not_decided_names_what_it_waits_for() -> None:
    s = decision_state(assess(example("07")))
    fields = {m.field for m in s.waiting_for}
    assert "labs.platelets" in fields and not s.dose_may_be_given
    assert len(fields) == len(s.waiting_for)


def test_no_plan_is_not_decided() -> None:
    c = example("01")
    c = c.model_copy(update={"plan": c.plan.model_copy(update={"regimen": None})})
    s = decision_state(assess(c))
    assert s.kind == "not_decided" and [m.field for m in s.waiting_for] == ["plan.regimen"]


def test_empty_consult_is_never_ready() -> None:
    s = decision_state(assess(Consult()))
    assert s.kind == "not_decided" and not s.dose_may_be_given


def test_missing_neutrophils_on_a_ready_consult_is_not_decided() -> None:
    c = example("01")
    c = c.model_copy(update={"labs": c.labs.model_copy(update={"neutrophils": None})})
    s = decision_state(assess(c))
    assert s.kind == "not_decided"
    assert "labs.neutrophils" in {m.field for m in s.waiting_for}


def test_ready_example_may_give_its_dose() -> None:
    s = decision_state(assess(example("01")))
    assert s.ready and s.dose_may_be_given and s.label is not None and s.label.state == "met"
