"""Example consults and assessments for the presentation layer's tests (no Qt)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ixdesk.core.assessment import Assessment
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir

STEMS = ("01", "02", "03", "04", "05", "06", "07")


def example(stem: str) -> Consult:
    path = next(p for p in examples_dir().glob("*.json") if p.name.startswith(stem))
    loaded = load_consult(Path(path))
    return getattr(loaded, "consult", loaded)


@cache
def assessed(stem: str) -> Assessment:
    return assess(example(stem), default_criteria())
