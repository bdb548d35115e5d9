"""Read a FHIR R4 file into validated resources: a Bundle (JSON), one resource, or NDJSON (the
FHIR Bulk Data export format, one resource per line).

Each resource is validated on its own with the R4B models of ``fhir.resources`` (its default models
are R5, which drop R4 medication fields such as ``MedicationStatement.medicationCodeableConcept``),
so a malformed one is named (``Observation/obs-3``, or its entry number) with the field and the
reason. One malformed resource refuses the whole file: a half-read chart could look complete.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ixdesk.core.safe_read import InputReadError, read_file_limited

MAX_FHIR_BYTES = 64 * 1024 * 1024  # a large patient export; more is not one patient's chart
MAX_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class FhirProblem:
    where: str  # "Observation/obs-3", "entry 4" or "line 7"
    field: str  # the FHIR field ("valueQuantity.value"), empty when the whole resource is wrong
    message: str

    def __str__(self) -> str:
        return f"{self.where}" + (f", {self.field}" if self.field else "") + f": {self.message}"


class FhirReadError(Exception):
    """The file is not a FHIR bundle IxDesk can read; ``problems`` name the resource and field."""

    def __init__(self, path: str, problems: list[FhirProblem]) -> None:
        super().__init__(f"{path}: " + "; ".join(map(str, problems)))
        self.path = path
        self.problems = problems


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _friendly(msg: str) -> str:
    """The library's wording where it speaks of regular expressions rather than of the value."""
    low = msg.casefold()
    if "decimal" in low and "regex" in low:
        return "is not a number"
    if ("date" in low or "time" in low) and "regex" in low:
        return "is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a date-time)"
    return msg


def _model_class(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


# The resource types IxDesk maps: validated field by field. Any other type is only listed as not
# imported, unvalidated: a Claim or an ExplanationOfBenefit that an R4B model finds fault with must
# not refuse a chart whose labs are fine.
READ_TYPES = frozenset({"Patient", "Observation", "Condition", "Medication", "MedicationStatement",
                        "MedicationRequest", "MedicationAdministration"})


@dataclass(frozen=True, slots=True)
class UnreadResource:
    """A resource of a type IxDesk does not map: its type and id, for the list of what was not imported."""

    resourceType: str  # noqa: N815 - the FHIR name
    id: str | None
    known: bool = True  # False: not a resource type of FHIR R4B at all

    def get_resource_type(self) -> str:
        return self.resourceType


def parse_resource(raw: Any, where: str) -> tuple[Any | None, list[FhirProblem]]:
    """One resource validated with its R4B model, or the problems naming it and its fields."""
    if not isinstance(raw, dict):
        return None, [FhirProblem(where, "", "is not a JSON object")]
    rtype = raw.get("resourceType")
    rid = raw.get("id")
    name = f"{rtype}/{rid}" if isinstance(rtype, str) and isinstance(rid, str) else (
        f"{where} ({rtype})" if isinstance(rtype, str) else where)
    if not isinstance(rtype, str) or not rtype:
        return None, [FhirProblem(where, "resourceType", "is missing")]
    if rtype not in READ_TYPES and re.fullmatch(r"[A-Z][A-Za-z]{1,63}", rtype):
        try:
            _model_class(rtype)
            known = True
        except (ValueError, KeyError, ImportError, AttributeError):
            known = False
        return UnreadResource(rtype, rid[:64] if isinstance(rid, str) else None, known), []
    try:
        cls = _model_class(rtype)
    except (ValueError, KeyError, ImportError, AttributeError):
        return None, [FhirProblem(name, "resourceType", f"'{rtype[:40]}' is not a FHIR R4 resource type")]
    try:
        return cls.model_validate(raw), []
    except ValidationError as exc:
        probs = []
        for err in exc.errors()[:5]:
            msg = _friendly(str(err.get("msg", "is not valid")).removeprefix("Value error, "))
            probs.append(FhirProblem(name, _loc(tuple(err.get("loc", ()))), msg))
        return None, probs


def _bundle_entries(doc: dict[str, Any]) -> list[tuple[Any, str]]:
    """(raw resource, where) for each entry; nested bundles are read too."""
    out: list[tuple[Any, str]] = []
    entries = doc.get("entry") or []
    if not isinstance(entries, list):
        raise FhirReadError("", [FhirProblem("Bundle", "entry", "is not a list")])
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or "resource" not in e:
            out.append((None, f"entry {i + 1}"))
            continue
        res = e["resource"]
        if isinstance(res, dict) and res.get("resourceType") == "Bundle":
            out.extend(_bundle_entries(res))
        else:
            out.append((res, f"entry {i + 1}"))
    return out


def read_resources(path: str | os.PathLike[str]) -> list[Any]:
    """The resources of a FHIR JSON or NDJSON file, each validated; raises :class:`FhirReadError`."""
    p = Path(path)
    try:
        data = read_file_limited(p, MAX_FHIR_BYTES)
    except InputReadError as exc:
        raise FhirReadError(str(p), [FhirProblem(p.name, "", exc.reason)]) from None
    return parse_text(data, str(p))


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice with different values is refused: the JSON reader would keep the last
    silently (a lab value, a date), and FHIR JSON allows no repeated key."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out and out[k] != v:
            raise _DuplicateKey(k)
        out[k] = v
    return out


class _LongNumber(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _int(text: str) -> int:
    """Python refuses to convert integers over 4300 digits (a ValueError deep in the reader)."""
    from ixdesk.core.files import MAX_INT_DIGITS

    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _LongNumber(digits)
    return int(text)


def parse_text(data: bytes | str, name: str = "<input>") -> list[Any]:
    try:
        return _parse_text(data, name)
    except _DuplicateKey as exc:
        raise FhirReadError(name, [FhirProblem("file", exc.key, "is given twice in one object with different values")]) from None
    except _LongNumber as exc:
        raise FhirReadError(name, [FhirProblem("file", "", f"holds a number of {exc.digits} digits: not a plausible value")]) from None


def _parse_text(data: bytes | str, name: str) -> list[Any]:
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise FhirReadError(name, [FhirProblem("file", "", "is not UTF-8 text")]) from None
    items: list[tuple[Any, str]] = []
    stripped = text.strip()
    if not stripped:
        raise FhirReadError(name, [FhirProblem("file", "", "is empty")])
    try:
        doc = json.loads(stripped, object_pairs_hook=_object, parse_int=_int)
    except json.JSONDecodeError:
        doc = None
        # NDJSON: one resource per line
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append((json.loads(line, object_pairs_hook=_object, parse_int=_int), f"line {n}"))
            except json.JSONDecodeError as exc:
                raise FhirReadError(name, [FhirProblem(f"line {n}", "", f"is not valid JSON ({exc.msg}, column {exc.colno})")]) from None
    if doc is not None:
        if isinstance(doc, dict) and doc.get("resourceType") == "Bundle":
            try:
                items = _bundle_entries(doc)
            except FhirReadError as exc:
                raise FhirReadError(name, exc.problems) from None
        elif isinstance(doc, dict):
            items = [(doc, "resource")]
        else:
            raise FhirReadError(name, [FhirProblem("file", "", "is neither a FHIR Bundle, a resource nor NDJSON")])
    resources: list[Any] = []
    problems: list[FhirProblem] = []
    for raw, where in items:
        if raw is None:
            problems.append(FhirProblem(where, "resource", "is missing"))
            continue
        res, probs = parse_resource(raw, where)
        problems.extend(probs)
        if res is not None:
            resources.append(res)
    if problems:
        raise FhirReadError(name, problems[:MAX_PROBLEMS])
    return resources
