"""CDS Hooks cards (``ixdesk assess FILE --cards``): valid against the card schema, a contraindication
is critical, summaries fit, the order follows the decision state, the words are the layer's."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import jsonschema
import pytest

from ixdesk.cli import main
from ixdesk.core.consult import Consult
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.present.cards import SUMMARY_MAX, build_cards, md, summary_text
from ixdesk.present.sections import present
from ixdesk.present.verdict import build_verdict
from tests.present.helpers import STEMS, example

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "cds-hooks-card-response.schema.json"
RANK = {"critical": 0, "warning": 1, "info": 2}


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def cards_for(consult: Consult) -> list[dict]:
    crit = default_criteria()
    response = build_cards(assess(consult, crit), crit, consult)
    _validator().validate(response)
    return response["cards"]


def _with(stem: str, **parts: dict) -> Consult:
    """An example with some parts' fields replaced (``history={"medications": [...]}``)."""
    c = example(stem)
    update = {name: getattr(c, name).model_copy(update=values) for name, values in parts.items()}
    return Consult.model_validate(c.model_copy(update=update).model_dump())


@pytest.mark.parametrize("stem", STEMS)
def test_every_example_validates_against_the_card_schema(stem: str) -> None:
    cards = cards_for(example(stem))
    assert cards, "at least the verdict card"
    for card in cards:
        assert len(card["summary"]) <= SUMMARY_MAX < 140
        assert "\n" not in card["summary"]
        assert card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"]
        assert "url" not in card["source"]  # the criteria give no URL: none is invented
        uuid.UUID(card["uuid"])
    assert len({c["uuid"] for c in cards}) == len(cards)


def test_schema_refuses_what_the_spec_refuses() -> None:
    """The schema is not a rubber stamp: a missing source, a wrong indicator, a long summary fail."""
    v = _validator()
    good = {"cards": [{"summary": "s", "indicator": "info", "source": {"label": "x"}}]}
    v.validate(good)
    bad = [
        {"cards": [{"summary": "s", "indicator": "info"}]},
        {"cards": [{"summary": "s", "indicator": "hard-stop", "source": {"label": "x"}}]},
        {"cards": [{"summary": "x" * 140, "indicator": "info", "source": {"label": "x"}}]},
        {"cards": [{"summary": "s", "indicator": "info", "source": {"label": "x", "url": "not a url"}}]},
        {"cards": [{"summary": "s", "indicator": "info", "source": {"label": "x"}, "suggestions": [{"label": "a"}]}]},
        {"cards": [{"summary": "s", "indicator": "info", "source": {"label": "x"}, "uuid": "123"}]},
        {},
    ]
    for doc in bad:
        assert not v.is_valid(doc), doc


@pytest.mark.parametrize("stem", STEMS)
def test_order_follows_the_decision_state(stem: str) -> None:
    """The verdict first (its words and the decision's tone), then the rest most urgent first:
    every hold right after it when the consult is on hold."""
    c = example(stem)
    crit = default_criteria()
    a = assess(c, crit)
    cards = build_cards(a, crit, c)["cards"]
    verdict = build_verdict(a, c, crit)
    assert cards[0]["summary"] == summary_text(verdict.headline)
    expected = {"bad": "critical", "caution": "warning", "neutral": "info", "good": "info"}[verdict.tone]
    assert cards[0]["indicator"] == expected
    ranks = [RANK[card["indicator"]] for card in cards[1:]]
    assert ranks == sorted(ranks), [card["summary"] for card in cards]
    p = present(a, crit)
    if p.decision.kind == "on_hold":
        assert cards[0]["indicator"] == "critical"
        holds = [p.findings[f.id].line() for f in p.decision.holds]
        assert [card["summary"] for card in cards[1:1 + len(holds)]] == [summary_text(h) for h in holds]


def test_contraindication_is_a_critical_card() -> None:
    cards = cards_for(example("04"))  # baseline neutrophils below 1,500
    critical = [c for c in cards if c["indicator"] == "critical"]
    assert cards[0]["indicator"] == "critical" and cards[0]["summary"].startswith("On hold")
    hold = next(c for c in critical if "neutrophils" in c["summary"].lower() and c is not cards[0])
    # the basis: the rule, the patient's value, the threshold, the source document, section and version
    assert "**Rule:**" in hold["detail"]
    assert "1,200 cells/mm³" in hold["detail"]
    assert "\\< 1,500 cells/mm³" in hold["detail"]
    assert "**Source:** PI" in hold["detail"] and "4 Contraindications" in hold["detail"] and "(version" in hold["detail"]
    assert hold["source"]["label"] == "FDA label (PI), 4 Contraindications"


def test_severe_cremophor_hypersensitivity_is_critical() -> None:
    c = _with("01", history={"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 3})
    cards = cards_for(c)
    assert cards[0]["indicator"] == "critical"
    assert any(card["indicator"] == "critical" and "Cremophor" in card["summary"] for card in cards[1:])


def test_no_contraindication_means_no_critical_card() -> None:
    cards = cards_for(example("01"))
    assert all(c["indicator"] != "critical" for c in cards)
    assert cards[-1]["summary"].startswith("70.6 mg")  # the dose, last, as it may be given


def test_long_texts_are_cut_to_the_summary_limit() -> None:
    # three contraindications hold: the verdict's headline names them all, far past 140 characters
    c = example("04")
    labs = c.labs.model_copy(update={"platelets": c.labs.platelets.model_copy(update={"value": 50000.0, "unit": "cells/mm3"})})
    c = _with("04", history={"cremophor_hypersensitivity": True, "cremophor_hypersensitivity_grade": 3})
    c = Consult.model_validate(c.model_copy(update={"labs": labs}).model_dump())
    crit = default_criteria()
    assert len(build_verdict(assess(c, crit), c, crit).headline) > 140
    cards = cards_for(c)
    long = [c for c in cards if c["summary"].endswith("…")]
    assert long, "a long finding line is cut, with an ellipsis"
    assert all(len(c["summary"]) <= SUMMARY_MAX for c in cards)
    assert summary_text("a " * 200).endswith("…") and len(summary_text("a " * 200)) <= SUMMARY_MAX


def test_cards_are_reproducible_and_differ_between_patients() -> None:
    a1, a2 = cards_for(example("01")), cards_for(example("01"))
    assert a1 == a2
    other = cards_for(_with("01", patient={"name": "Someone Else"}))
    assert {c["uuid"] for c in a1}.isdisjoint({c["uuid"] for c in other})
    assert [c["summary"] for c in a1] == [c["summary"] for c in other]


def test_words_come_from_the_presentation_layer() -> None:
    c = example("07")
    crit = default_criteria()
    a = assess(c, crit)
    p = present(a, crit)
    summaries = {card["summary"] for card in build_cards(a, crit, c)["cards"]}
    for f in p.decision.unchecked:
        assert summary_text(p.findings[f.id].line()) in summaries


def test_markdown_escapes_markup() -> None:
    assert md("AST > 2.5 × ULN_x *a*") == "AST \\> 2.5 × ULN\\_x \\*a\\*"
    assert md("two\nlines") == "two lines"


def test_cli_writes_the_cards_response(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = next(p for p in (Path(__file__).resolve().parents[2] / "resources" / "examples").glob("04-*.json"))
    assert main(["assess", str(src), "--cards"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    _validator().validate(doc)
    assert doc["cards"][0]["indicator"] == "critical"
    name = example("04").patient.name
    assert name and name not in out  # no identifiers in command output
    assert main(["assess", str(src), "--cards"]) == 0
    assert capsys.readouterr().out == out  # byte for byte the same


def test_cli_cards_takes_one_file(capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).resolve().parents[2] / "resources" / "examples"
    files = sorted(str(p) for p in examples.glob("*.json"))[:2]
    assert main(["assess", *files, "--cards"]) == 64
    assert "one consult file" in capsys.readouterr().err
    assert main(["assess", files[0], "--cards", "--json"]) == 64
