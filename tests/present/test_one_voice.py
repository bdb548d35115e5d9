"""A rule's wording lives in one place: rename a rule's title in a copy of the criteria and every
output shows the new title.

OUTPUTS maps a reader to a function (criteria, consult) -> the text it prints. The reports add
their PDFs here (clinician, nurse, patient); each must print the renamed title wherever it prints
the rule at all.
"""

from __future__ import annotations

import shutil
from typing import Callable

import pytest

from ixdesk.cli import render_text
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import Criteria, load_criteria
from ixdesk.core.engine import assess
from ixdesk.paths import criteria_dir
from ixdesk.present.sections import present

from .helpers import example

NEW_TITLE = "Neutrophil count under the label's floor (renamed ✱)"
RULE_ID = "exclusion.neutrophils"


def _panel_data(criteria: Criteria, consult: Consult) -> str:
    """What the window's panel prints: the layer's key points, section rows and finding rows."""
    p = present(assess(consult, criteria), criteria)
    out = [k.text for k in p.key_points]
    for s in p.sections:
        out.append(s.heading)
        out += [f"{v.heading('panel')} | {v.result('panel')} | {v.line('panel')}" for v in (*s.findings, *s.cleared)]
    out += [v.heading("panel") for v in p.other_plans]
    return "\n".join(out)


def _cli_text(criteria: Criteria, consult: Consult) -> str:
    return render_text(assess(consult, criteria), "x.json", criteria)


OUTPUTS: dict[str, Callable[[Criteria, Consult], str]] = {
    "panel data": _panel_data,
    "cli text": _cli_text,
}


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> Criteria:
    folder = tmp_path_factory.mktemp("criteria") / "criteria"
    shutil.copytree(criteria_dir(), folder)
    path = folder / "exclusions.yaml"
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.strip().startswith("title: Baseline neutrophils below"))
    assert text.count(old) == 1
    path.write_text(text.replace(old, old.split("title:")[0] + f'title: "{NEW_TITLE}"'), encoding="utf-8")
    crit = load_criteria(folder)
    assert crit.rule(RULE_ID).title == NEW_TITLE
    return crit


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("stem", ["01", "04"])  # ruled out, and holding (the decision names it)
def test_a_renamed_title_reaches_every_output(renamed: Criteria, output: str, stem: str) -> None:
    text = OUTPUTS[output](renamed, example(stem))
    assert NEW_TITLE in text, output
    assert "Baseline neutrophils below" not in text, output


def test_the_held_decision_names_the_renamed_rule(renamed: Criteria) -> None:
    p = present(assess(example("04"), renamed), renamed)
    assert NEW_TITLE in p.key_points[0].text
