"""Every input the core can name as missing has form words (ixdesk.present.fields), so the panel
and the reports name it as the form labels it, never by its structured path. The paths are
collected from the core's own sources (every ``Missing(field=...)`` it can build) and from running
it on consults that lack everything."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import ixdesk.core
from ixdesk.core.consult import Consult, PreviousCycleToxicity
from ixdesk.core.course import assess_next_cycle
from ixdesk.core.course_anthracycline import anthracycline_exposure
from ixdesk.core.criteria import load_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import load_consult
from ixdesk.paths import examples_dir
from ixdesk.present.fields import field_words
from tests.present.course_data import PRINTED_ON, course_data

CRITERIA = load_criteria()
CORE = Path(ixdesk.core.__file__).parent
# the placeholders the core's f-strings use, with a value each (indices 0, the module constants)
_SUBST = {"_NC": "course.next_cycle", "_TOX": "course.next_cycle.toxicity", "c.lab": "neutrophils"}
TOXICITY_FIELDS = tuple(PreviousCycleToxicity.model_fields)


def _static_paths() -> set[str]:
    out: set[str] = set()
    for py in sorted(CORE.glob("*.py")):
        text = py.read_text(encoding="utf-8")
        for m in re.finditer(r'(?:Missing\(field=|_m\()f?"([^"]+)"', text):
            path = m.group(1)
            path = re.sub(r"\{(_NC|_TOX|c\.lab)\}", lambda g: _SUBST[g.group(1)], path)
            path = re.sub(r"\[\{[^}]*\}\]", "[0]", path)  # an index: [{i}], [{len(cycles) - 1}]
            if path in TOXICITY_FIELDS:  # the toxicity rows name their field under the course's toxicity
                path = f"{_SUBST['_TOX']}.{path}"
            if "{" not in path:  # a path built from a variable prefix is covered by the runs below
                out.add(path)
    return out


def _run_paths() -> set[str]:
    data = course_data(tox=dict.fromkeys(course_data()["course"]["next_cycle"]["toxicity"]), weight=None)
    nc = data["course"]["next_cycle"]
    nc["labs"] = {}
    nc.pop("planned_date")
    nc["medications"] = [{"name": "zzunknown"}, {"name": "clarithromycin"}]
    for c in data["course"]["cycles_given"]:
        for k in ("ixabepilone_mg", "ixabepilone_mg_per_m2", "weight_kg", "date"):
            c.pop(k, None)
    data["regimens"][0]["anthracycline_doses"] = [{"agent": "zzrubicin", "cumulative_mg_per_m2": 100}]
    consults = [Consult.model_validate_json(json.dumps(data)),
                load_consult(examples_dir() / "07-incomplete-consult.json"),
                load_consult(examples_dir() / "08-course-four-cycles-with-reduction.json")]
    out: set[str] = set()
    for c in consults:
        d = assess_next_cycle(c, CRITERIA, PRINTED_ON)
        if d is not None:
            out |= {m.field for m in d.missing}
        out |= {m.field for m in anthracycline_exposure(c, CRITERIA).missing}
        a = assess(c, CRITERIA, as_of=PRINTED_ON)
        out |= {m.field for m in a.missing}
    return out


PATHS = sorted(_static_paths() | _run_paths() | {f"{_SUBST['_TOX']}.{f}" for f in TOXICITY_FIELDS} | {
    "course.cycles_given[0].change_rule", "course.cycles_given[2].ixabepilone_mg",
    "regimens[1].anthracycline_doses", "regimens[1].anthracycline_doses[0].agent",
})


def test_the_collection_finds_the_course_paths() -> None:
    for p in ("course.cycles_given[0].change_rule", "course.cycles_given[0].ixabepilone_mg",
              "regimens[0].anthracycline_doses", "regimens[0].anthracycline_doses[0].agent",
              "course.next_cycle.toxicity.febrile_neutropenia", "course.next_cycle.labs.neutrophils"):
        assert p in PATHS, p


@pytest.mark.parametrize("path", PATHS)
def test_every_path_the_core_names_as_missing_has_form_words(path: str) -> None:
    words = field_words(path)
    assert words != path and "_" not in words and "[" not in words, (path, words)


def test_the_new_course_and_regimen_paths_read_as_the_form_labels_them() -> None:
    assert field_words("course.cycles_given[2].ixabepilone_mg") == "Course, cycles given, line 3: ixabepilone given (mg)"
    assert field_words("course.cycles_given[0].change_rule") == (
        "Course, cycles given, line 1: rule of its dose change (kept when it was recorded)")
    assert field_words("regimens[3].anthracycline_doses") == "Regimen 4: cumulative anthracycline dose"
    assert field_words("regimens[0].anthracycline_doses[1].agent") == (
        "Regimen 1: cumulative anthracycline dose, entry 2: its agent")
    assert field_words("course.next_cycle.toxicity.bleeding") == "Course, next cycle: lowest platelets: with bleeding"
