"""Property-based and fuzz tests over consult files.

Whatever bytes a consult file holds, loading it gives either a valid Consult or a
:class:`ConsultFileError` whose problems each name a field (where the input is a JSON object) and a
reason; never another exception, and never a file written beside it.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ixdesk.core.consult import Consult
from ixdesk.core.files import ConsultFileError, load_consult, parse_consult

from tests.robustness.helpers import example_texts, full_consult, snapshot

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_outcome(data: str | bytes, *, object_input: bool | None = None) -> Consult | ConsultFileError:
    """Parse ``data``; assert the only outcomes are a Consult or a well-formed ConsultFileError."""
    try:
        return parse_consult(data, "fuzz.json")
    except ConsultFileError as exc:
        assert exc.problems, "ConsultFileError without problems"
        for p in exc.problems:
            assert isinstance(p.field, str)
            assert isinstance(p.message, str) and p.message.strip(), f"empty reason: {p!r}"
            assert "Traceback" not in p.message
            assert len(p.message) < 2000, "message echoes a huge input"
        if object_input:
            # Input was a JSON object that failed the schema: every problem names its field.
            unnamed = [p for p in exc.problems if not p.field]
            assert not unnamed, f"problem(s) without a field: {unnamed}"
        assert str(exc).startswith("fuzz.json: ")
        return exc


# --- random JSON ---------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | \
    st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda kids: st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=12), kids, max_size=5),
    max_leaves=25,
)


@FUZZ
@given(json_values)
def test_random_json_values(value: Any) -> None:
    check_outcome(json.dumps(value))


CONSULT_KEYS = list(full_consult().keys())


@FUZZ
@given(st.dictionaries(st.sampled_from(CONSULT_KEYS + ["bogus", "Patient"]), json_values, max_size=8))
def test_random_objects_with_consult_keys(obj: dict[str, Any]) -> None:
    check_outcome(json.dumps(obj), object_input=True)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    check_outcome(data)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    check_outcome(text)


def test_nesting_bomb() -> None:
    check_outcome("[" * 100_000 + "]" * 100_000)
    check_outcome('{"patient":' * 50_000 + "1" + "}" * 50_000)


def test_oversize_file() -> None:
    big = json.dumps({"notes": "x" * (6 * 1024 * 1024)})
    exc = check_outcome(big)
    assert isinstance(exc, ConsultFileError)
    exc = check_outcome(big.encode())
    assert isinstance(exc, ConsultFileError)


# --- truncated files -----------------------------------------------------------------------

@pytest.mark.parametrize("name,text", example_texts(), ids=[n for n, _ in example_texts()])
def test_every_truncation(name: str, text: str) -> None:
    assert isinstance(parse_consult(text), Consult), f"{name} should be valid"
    step = max(1, len(text) // 400)
    for cut in range(0, len(text) - 1, step):
        out = check_outcome(text[:cut])
        # A cut inside the document can only give a valid consult if what was cut was whitespace.
        if isinstance(out, Consult):
            assert not text[cut:].strip(), f"{name} truncated at {cut} parsed as a consult"
    raw = text.encode("utf-8")
    for cut in random.Random(7).sample(range(len(raw)), min(200, len(raw))):
        check_outcome(raw[:cut])  # may split a UTF-8 sequence


# --- mutations of a valid consult ----------------------------------------------------------

def leaf_paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    paths: list[tuple] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            paths.append(prefix + (k,))
            paths.extend(leaf_paths(v, prefix + (k,)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            paths.append(prefix + (i,))
            paths.extend(leaf_paths(v, prefix + (i,)))
    return paths


ALL_PATHS = leaf_paths(full_consult())


def set_path(obj: Any, path: tuple, value: Any) -> Any:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


HUGE = "A" * 100_000
CONTROL = "name\x00with\x07control\x1b[31m chars"
NON_LATIN = ["Ð¯Ð½Ð°", "王秀英", "محمد عبد الله", "עִבְרִית", "👩‍⚕️🧬", "नमस्ते", "Zoë Ŋgũgĩ", "\u202etxet lanif"]
WEIRD_VALUES = [
    None, True, False, 0, -1, -1e308, 1e308, 10**40, 3.5, "", " ", "0", "yes", "NaN", [], {}, [None], {"x": 1},
    HUGE, CONTROL, "0001-01-01", "9999-12-31", "1899-12-31", "2999-01-01", "2025-02-30", "2025-13-01",
    "2025-03-14T10:00:00", "14/03/2025", *NON_LATIN,
]


@FUZZ
@given(st.sampled_from(ALL_PATHS), st.sampled_from(WEIRD_VALUES))
@example(("patient", "name"), HUGE)
@example(("patient", "name"), CONTROL)
@example(("labs", "neutrophils", "value"), -5)
@example(("labs", "platelets", "value"), 1e308)
@example(("labs", "ast", "uln"), 0)
@example(("patient", "date_of_birth"), "0001-01-01")
@example(("consult_date"), "9999-12-31")
def test_one_field_replaced(path: tuple, value: Any) -> None:
    if isinstance(path, str):
        path = (path,)
    doc = full_consult()
    set_path(doc, path, value)
    out = check_outcome(json.dumps(doc), object_input=True)
    if isinstance(out, ConsultFileError):
        # The complaint names the replaced field, a parent or a child of it (model-level checks
        # such as 'last_dose_date is before the start date' name a sibling: allow the parent object).
        here = dotted(path)
        parent = dotted(path[:-1])
        fields = [p.field for p in out.problems]
        assert any(f == here or f.startswith(here) or here.startswith(f) or (parent and f.startswith(parent)) or f in ("consult_date",) or here == "consult_date"
                   for f in fields), f"{here} -> {fields}"


@FUZZ
@given(st.sampled_from(ALL_PATHS))
def test_one_field_removed(path: tuple) -> None:
    doc = full_consult()
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    check_outcome(json.dumps(doc), object_input=True)


def _known_field_names() -> frozenset[str]:
    """Every property name anywhere in the consult schema: adding one of these is not an unknown key."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(Consult.model_json_schema())
    return frozenset(names)


KNOWN_FIELDS = _known_field_names()


@FUZZ
@given(st.sampled_from(ALL_PATHS), st.text(min_size=1, max_size=20))
def test_unknown_key_added(path: tuple, key: str) -> None:
    doc = full_consult()
    target = doc
    for part in path:
        if not isinstance(target[part], (dict, list)):
            break
        target = target[part]
    # A field the model knows but this document omits (an optional one left at its default) is not
    # unknown; setting it to 1 is a type error, covered by the type-change tests.
    assume(isinstance(target, dict) and key not in target and key not in KNOWN_FIELDS)
    target[key] = 1
    out = check_outcome(json.dumps(doc), object_input=True)
    assert isinstance(out, ConsultFileError)
    assert any("unknown field" in p.message for p in out.problems)


def test_omitted_known_field_with_wrong_type_names_the_field() -> None:
    """Found by the fuzz test in CI: an omitted optional field added back with a bad value."""
    doc = full_consult()
    doc["regimens"][2].pop("ongoing", None)
    doc["regimens"][2]["ongoing"] = 1
    out = check_outcome(json.dumps(doc), object_input=True)
    assert isinstance(out, ConsultFileError)
    assert any(p.field == "regimens[2].ongoing" for p in out.problems), out.problems


FREE_TEXT = [("patient", "name"), ("patient", "record_number"), ("notes",), ("regimens", 1, "note"),
             ("plan", "prescriber"), ("regimens", 0, "agents", 0), ("history", "medications", 0)]
# Fields the consult model promises to keep free of control characters (they reach reports and titles).
NO_CONTROL = [("patient", "name"), ("patient", "record_number"), ("regimens", 0, "agents", 0)]


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_free_text_fields_accept_or_refuse_cleanly(text: str) -> None:
    for path in FREE_TEXT:
        doc = full_consult()
        set_path(doc, path, text)
        out = check_outcome(json.dumps(doc), object_input=True)
        kept = text.strip() if "agents" in path else text  # agent names are stripped first
        has_control = any(ord(c) < 32 and c not in "\n\t" for c in kept)
        if has_control and path in NO_CONTROL:
            assert isinstance(out, ConsultFileError), f"control characters accepted in {dotted(path)}"


@pytest.mark.parametrize("path", [("plan", "prescriber"), ("history", "medications", 0)], ids=dotted)
def test_control_characters_refused_in_short_text(path: tuple) -> None:
    doc = full_consult()
    set_path(doc, path, "Dr\x1b[2J\x00Evil")
    assert isinstance(check_outcome(json.dumps(doc), object_input=True), ConsultFileError)


@pytest.mark.parametrize("name", NON_LATIN)
def test_non_latin_names_round_trip(name: str) -> None:
    doc = full_consult()
    doc["patient"]["name"] = name
    doc["regimens"][0]["note"] = name * 10
    c = parse_consult(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    assert c.patient.name == name


@FUZZ
@given(st.dates(), st.sampled_from(["consult_date", "patient.date_of_birth", "labs.date", "regimens[1].start_date"]))
def test_any_date_anywhere(d: Any, where: str) -> None:
    doc = full_consult()
    path = {"consult_date": ("consult_date",), "patient.date_of_birth": ("patient", "date_of_birth"),
            "labs.date": ("labs", "date"), "regimens[1].start_date": ("regimens", 1, "start_date")}[where]
    set_path(doc, path, d.isoformat())
    check_outcome(json.dumps(doc), object_input=True)


LAB_NAMES = ["neutrophils", "platelets", "hemoglobin", "ast", "alt", "bilirubin", "creatinine"]


@FUZZ
@given(st.sampled_from(LAB_NAMES), st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**20, 10**20),
       st.sampled_from(["cells/mm3", "10^9/L", "g/dL", "g/L", "U/L", "mg/dL", "umol/L", "bogus", ""]))
def test_absurd_lab_values(lab: str, value: float, unit: str) -> None:
    doc = full_consult()
    doc["labs"][lab]["value"] = value
    doc["labs"][lab]["unit"] = unit
    out = check_outcome(json.dumps(doc), object_input=True)
    if isinstance(out, ConsultFileError):
        assert any(p.field.startswith("labs") for p in out.problems), out.problems
    if value < 0:
        assert isinstance(out, ConsultFileError), "a negative lab value was accepted"


def test_nan_and_infinity_refused() -> None:
    for token in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps(full_consult()).replace('"height_cm": 164.0', f'"height_cm": {token}')
        out = check_outcome(text, object_input=True)
        assert isinstance(out, ConsultFileError), token


# --- through the file system: nothing is ever written ----------------------------------------

FILE_CASES = [
    ("empty", b""),
    ("garbage", bytes(range(256))),
    ("bom", b"\xef\xbb\xbf" + json.dumps(full_consult()).encode()),
    ("utf16", json.dumps(full_consult()).encode("utf-16")),
    ("truncated", json.dumps(full_consult()).encode()[:300]),
    ("array", b"[1, 2, 3]"),
    ("newer_version", json.dumps({**full_consult(), "schema_version": 99}).encode()),
    ("wrong_types", json.dumps({**full_consult(), "patient": {"height_cm": "tall", "pregnant": "no"}}).encode()),
    ("valid", json.dumps(full_consult()).encode()),
]


@pytest.mark.parametrize("name,data", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_load_consult_writes_nothing(tmp_path: Path, name: str, data: bytes) -> None:
    f = tmp_path / "consult.json"
    f.write_bytes(data)
    before = snapshot(tmp_path)
    try:
        c = load_consult(f)
        assert name in ("valid", "bom") and isinstance(c, Consult)
    except ConsultFileError as exc:
        assert exc.problems and str(f) in str(exc)
    assert snapshot(tmp_path) == before
    assert f.read_bytes() == data


def test_load_consult_unreadable_paths(tmp_path: Path) -> None:
    for p in (tmp_path / "missing.json", tmp_path):
        with pytest.raises(ConsultFileError):
            load_consult(p)
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    locked.chmod(0)
    try:
        load_consult(locked)  # root can read it anyway; anyone else gets ConsultFileError
    except ConsultFileError as exc:
        assert "permission" in str(exc)
    finally:
        locked.chmod(0o600)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ALL_PATHS), st.sampled_from(WEIRD_VALUES))
def test_load_consult_mutations_write_nothing(path: tuple, value: Any) -> None:
    doc = full_consult()
    set_path(doc, path, value)
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "c.json"
        f.write_text(json.dumps(doc), encoding="utf-8")
        before = snapshot(Path(d))
        try:
            load_consult(f)
        except ConsultFileError:
            pass
        assert snapshot(Path(d)) == before
