"""Overrides in the core: the model, the reason codes, recording and staleness, the consult file."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ixdesk.core.consult import Consult, CountLab
from ixdesk.core.criteria import default_criteria
from ixdesk.core.engine import assess
from ixdesk.core.files import ConsultFileError, consult_to_json, load_consult, parse_consult, save_consult
from ixdesk.core.overrides import (
    Override, OverrideRefused, ReasonCodesError, current_state, finding_values, is_stale, load_reason_codes, record_override,
    withdraw_override,
)
from ixdesk.paths import examples_dir

AT = datetime(2026, 12, 3, 10, 14, tzinfo=timezone(timedelta(hours=1)))
EXAMPLES = sorted(examples_dir().glob("*.json"))


def _example(stem: str) -> Consult:
    return load_consult(next(p for p in EXAMPLES if p.name.startswith(stem)))


def _override(c: Consult, finding_id: str, kind: str = "overridden", code: str = "clinical-judgement-notes",
              confirmed: bool = False, comment: str | None = "resistant per clinic note") -> Override:
    a = assess(c, default_criteria())
    f = a.finding(finding_id)
    return Override(finding_id=f.id, finding_title=f.title, kind=kind,  # type: ignore[arg-type]
                    reason=load_reason_codes().coding(code), comment=comment, user="Dr X", at=AT,
                    computed_state_at_the_time=f.state, confirmed_twice=confirmed,
                    values_at_the_time=finding_values(f))


def _recorded(stem: str = "04") -> Consult:
    c = _example(stem)
    o = _override(c, "exclusion.neutrophils", confirmed=True)
    new, _ = record_override(c, o, assess(c, default_criteria()), load_reason_codes())
    return new


# --- the consult file ------------------------------------------------------------------------

def test_an_override_survives_save_and_open(tmp_path: Path) -> None:
    c = _recorded()
    path = tmp_path / "c.json"
    save_consult(c, path)
    back = load_consult(path)
    assert back == c and back.overrides == c.overrides
    saved = json.loads(path.read_text(encoding="utf-8"))["overrides"][0]
    assert saved["reason"] == {"system": "urn:ixdesk:codesystem:override-reason", "code": "clinical-judgement-notes",
                               "display": "Clinical judgement from notes not captured in the consult"}
    assert saved["at"] == "2026-12-03T10:14:00+01:00" and saved["confirmed_twice"] is True
    assert saved["computed_state_at_the_time"] == "met" and saved["user"] == "Dr X"
    assert consult_to_json(back) == path.read_text(encoding="utf-8")  # stable: saved again, byte for byte


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem[:2])
def test_a_consult_without_overrides_saves_as_before(path: Path) -> None:
    """No "overrides" key at all (not an empty list): files without overrides keep their old form."""
    c = load_consult(path)
    text = consult_to_json(c)
    assert "overrides" not in json.loads(text)
    assert text == c.model_dump_json(indent=2, exclude={"overrides"}) + "\n"


def test_withdrawing_the_last_override_gives_the_file_its_old_form_back() -> None:
    c = _example("04")
    done = withdraw_override(_recorded(), "exclusion.neutrophils")
    assert done is not None
    assert consult_to_json(done[0]) == consult_to_json(c)


def test_two_overrides_of_one_finding_are_refused_naming_the_field() -> None:
    data = json.loads(consult_to_json(_recorded()))
    data["overrides"].append(dict(data["overrides"][0]))
    with pytest.raises(ConsultFileError) as exc:
        parse_consult(json.dumps(data), "x.json")
    assert [p.field for p in exc.value.problems] == ["overrides[1].finding_id"]
    assert "overridden twice" in exc.value.problems[0].message


@pytest.mark.parametrize("change, field", [
    (lambda o: o.update(at="2026-12-03T10:14:00"), "overrides[0].at"),  # no UTC offset: which clock?
    (lambda o: o.update(colour="red"), "overrides[0].colour"),
    (lambda o: o["reason"].pop("display"), "overrides[0].reason.display"),
    (lambda o: o.update(kind="ignored"), "overrides[0].kind"),
    (lambda o: o.update(user="   "), "overrides[0].user"),
    (lambda o: o.update(computed_state_at_the_time="applies"), "overrides[0].computed_state_at_the_time"),
])
def test_a_bad_override_in_a_file_is_refused_naming_the_field(change, field: str) -> None:
    data = json.loads(consult_to_json(_recorded()))
    change(data["overrides"][0])
    with pytest.raises(ConsultFileError) as exc:
        parse_consult(json.dumps(data), "x.json")
    assert field in [p.field for p in exc.value.problems]


def test_the_engine_never_reads_an_override() -> None:
    c = _example("04")
    crit = default_criteria()
    assert assess(_recorded(), crit) == assess(c, crit)


# --- recording ---------------------------------------------------------------------------------

def test_a_contraindication_needs_the_second_confirmation() -> None:
    c = _example("04")
    a = assess(c, default_criteria())
    with pytest.raises(OverrideRefused, match="second confirmation"):
        record_override(c, _override(c, "exclusion.neutrophils", confirmed=False), a)
    new, event = record_override(c, _override(c, "exclusion.neutrophils", confirmed=True), a)
    assert event.action == "recorded" and event.previous is None and event.override in new.overrides


def test_recording_again_replaces_and_says_what_it_replaced() -> None:
    c = _recorded()
    a = assess(c, default_criteria())
    second = _override(c, "exclusion.neutrophils", code="chart-data-wrong", confirmed=True)
    new, event = record_override(c, second, a)
    assert [o.reason.code for o in new.overrides] == ["chart-data-wrong"]
    assert event.action == "replaced" and event.previous == c.overrides[0]
    gone = withdraw_override(new, "exclusion.neutrophils")
    assert gone is not None and gone[1].action == "withdrawn" and gone[0].overrides == []
    assert withdraw_override(gone[0], "exclusion.neutrophils") is None


def test_reasons_are_checked_against_the_codes() -> None:
    c = _example("04")
    a, rc = assess(c, default_criteria()), load_reason_codes()
    # "risk discussed" is offered for acknowledgements only
    with pytest.raises(OverrideRefused, match="not offered for overridden"):
        record_override(c, _override(c, "warning.neuropathy", code="risk-discussed-will-monitor"), a, rc)
    with pytest.raises(OverrideRefused, match="comment: required"):
        record_override(c, _override(c, "warning.neuropathy", kind="acknowledged", code="other", comment=None), a, rc)
    o = _override(c, "warning.neuropathy", kind="acknowledged", code="risk-discussed-will-monitor")
    assert record_override(c, o, a, rc)[1].action == "recorded"
    with pytest.raises(OverrideRefused, match="not a finding"):
        record_override(c, o.model_copy(update={"finding_id": "warning.nothing"}), a)


# --- staleness ---------------------------------------------------------------------------------

def test_an_override_goes_stale_when_the_finding_computes_otherwise() -> None:
    c = _recorded()
    crit = default_criteria()
    o = c.overrides[0]
    assert not is_stale(o, assess(c, crit))
    labs = c.labs.model_copy(update={"neutrophils": CountLab(value=1.6, unit="10^9/L")})
    changed = c.model_copy(update={"labs": labs})
    a = assess(changed, crit)
    assert current_state(o, a) == "not_met" and is_stale(o, a)
    # exactly at the threshold the contraindication does not apply either (1500/mm³ is allowed)
    at_limit = assess(c.model_copy(update={"labs": c.labs.model_copy(update={
        "neutrophils": CountLab(value=1500, unit="cells/mm3")})}), crit)
    assert is_stale(o, at_limit)


def test_an_override_goes_stale_when_its_values_change_though_the_result_does_not() -> None:
    """Overridden at 1,200/mm³ (a repeat count in the notes), then 400/mm³ is entered: still
    "applies", but the override was not made for 400."""
    c = _recorded()
    crit = default_criteria()
    lower = c.model_copy(update={"labs": c.labs.model_copy(update={"neutrophils": CountLab(value=0.4, unit="10^9/L")})})
    a = assess(lower, crit)
    o = c.overrides[0]
    assert current_state(o, a) == "met" == o.computed_state_at_the_time and is_stale(o, a)
    assert o.values_at_the_time == ["Neutrophils: 1.2 × 10⁹/L = 1,200 cells/mm³"]
    # recorded without its values (by another tool): judged by the state alone
    bare = o.model_copy(update={"values_at_the_time": []})
    assert not is_stale(bare, a)


# --- the reason codes --------------------------------------------------------------------------

def test_the_bundled_reason_codes_load() -> None:
    rc = load_reason_codes()
    assert rc.system.startswith("urn:ixdesk:")
    assert {r.code for r in rc.for_kind("overridden")} >= {"clinical-judgement-notes", "chart-data-wrong",
                                                           "patient-preference", "benefit-outweighs-risk"}
    assert rc.get("other").comment_required


@pytest.mark.parametrize("text, words", [
    ("system: s\nversion: 1\nreasons:\n  - {code: a, display: A, kinds: [overridden, acknowledged], colour: red}\n",
     "reasons.0.colour"),
    ("system: s\nversion: 1\nreasons:\n  - {code: a, display: A, kinds: [overridden, acknowledged]}\n"
     "  - {code: a, display: B, kinds: [overridden]}\n", "duplicate code a"),
    ("system: s\nversion: 1\nreasons:\n  - {code: a, display: A, kinds: [ignored]}\n", "reasons.0.kinds.0"),
    ("system: s\nversion: 1\nreasons:\n  - {code: Not_A_Code, display: A, kinds: [overridden, acknowledged]}\n",
     "lower-case"),
    ("system: s\nversion: 1\nreasons:\n  - {code: a, display: A, kinds: [overridden]}\n", "no reason offered"),
    ("system: s\nreasons: [: bad\n", "cannot be read"),
])
def test_a_bad_reason_file_is_refused_naming_the_problem(tmp_path: Path, text: str, words: str) -> None:
    p = tmp_path / "override_reasons.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ReasonCodesError) as exc:
        load_reason_codes(p)
    assert "override_reasons.yaml" in str(exc.value) and words in str(exc.value)


def test_an_override_survives_autosave_and_recovery(tmp_path: Path) -> None:
    from ixdesk.core import autosave

    c = _recorded()
    autosave.write_autosave(c, "/x/c.json", folder=tmp_path)
    rec = autosave.read_autosave(tmp_path)
    assert rec is not None and not rec.problems and rec.consult.overrides == c.overrides
