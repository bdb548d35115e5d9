"""The consult's audit trail: an append-only, hash-chained record kept inside the consult file.

Why a chain: the trail is plain JSON in a file the user can open in any editor. Each entry carries
the hash of the entry before it (``prev``) and its own ``hash`` (sha256 over the canonical JSON of
the entry without ``hash``), so an entry edited, removed or moved in the middle breaks the chain at
that entry. A chain alone cannot show that entries were cut from the END, so the trail also keeps
``count`` and ``head`` (the number of entries and the last entry's hash) beside the entries: a tail
cut by hand that leaves them is detected. Nothing here is secret: whoever rewrites the entries, the
hashes, ``count`` and ``head`` consistently can forge a trail that verifies (docs/audit-trail.md says
what is and is not detected).

The trail is never read by the engine: the decision does not depend on it, so a broken trail is a
warning, never a refusal to assess. The app only ever appends (:func:`append_entry`); it never edits
or removes an entry. The user name is passed in (``ixdesk.clinic_settings.clinic_user_name()``, a
layer above the core); None is recorded as null ("unknown user").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, PrivateAttr

AUDIT_FORMAT: Final = 1
GENESIS: Final = "0" * 64  # the ``prev`` of the first entry
# The kinds the app writes. The model accepts any lower-case word, so a file written by a newer
# IxDesk with a kind this version does not know still opens; append_entry accepts only these.
KINDS: Final = (
    "opened",  # the consult was opened in the window (from a file, new, or recovered from an autosave)
    "input_changed",  # one field, its old and its new value (one entry per field per edit session)
    "import",  # values imported (FHIR)
    "override",  # a finding overridden, with its reason
    "acknowledge",  # a finding acknowledged
    "cycle_recorded",  # a treatment cycle recorded in the course
    "report_printed",  # a report written (which one)
)
MAX_ENTRIES: Final = 20_000  # a plausibility limit for a file's trail
# What append_entry lets the trail grow to (compact JSON): indented in the file it takes about twice
# that, which leaves the consult itself room under the 5 MB a consult file may have.
MAX_TRAIL_BYTES: Final = 1_500_000
MAX_DETAIL_TEXT: Final = 500  # a longer text value (notes) is kept as its start and its length
_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"
_HASH_PATTERN = r"^[0-9a-f]{64}$"


class _AuditModel(BaseModel):
    # strict like the consult: a typo in a hand-edited file is named, never silently dropped
    model_config = ConfigDict(defer_build=True, strict=True, extra="forbid", validate_assignment=True, allow_inf_nan=False)


class AuditEntry(_AuditModel):
    """One event. ``seq`` counts from 1 in the order appended (part of the hashed content, so a moved
    entry is named by its number). ``time`` is UTC ISO 8601 with a Z; ``user`` null: unknown user."""

    seq: Annotated[int, Field(ge=1)]
    time: Annotated[str, Field(pattern=_TIME_PATTERN)]
    user: Annotated[str, Field(max_length=200)] | None
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,39}$")]
    detail: dict[str, JsonValue]
    # plain strings rather than patterns: an edited hash must load, so that the break is reported
    # (naming the entry) instead of the whole consult being refused
    prev: Annotated[str, Field(max_length=128)]
    hash: Annotated[str, Field(max_length=128)]


class AuditTrail(_AuditModel):
    """The entries, and the count and head hash that let a cut tail be noticed."""

    format: Literal[1] = AUDIT_FORMAT
    entries: Annotated[list[AuditEntry], Field(max_length=MAX_ENTRIES)] = Field(default_factory=list)
    count: Annotated[int, Field(ge=0)] = 0
    head: Annotated[str, Field(max_length=128)] = GENESIS
    _size: int | None = PrivateAttr(default=None)  # compact JSON size, kept by append_entry

    def __eq__(self, other: object) -> bool:
        # the content decides; the cached size is not part of it
        if not isinstance(other, AuditTrail):
            return NotImplemented
        return (self.format, self.count, self.head, self.entries) == (other.format, other.count, other.head, other.entries)

    __hash__ = None  # type: ignore[assignment]  # mutable, like every pydantic model

    def json_size(self) -> int:
        """The trail's compact JSON size in bytes (measured once, then kept up to date by appends)."""
        if self._size is None:
            self._size = len(self.model_dump_json())
        return self._size


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes for the same content on every machine."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def entry_hash(entry: AuditEntry | dict[str, Any]) -> str:
    """sha256 over the canonical JSON of the entry without its ``hash`` (``prev`` included)."""
    data = entry.model_dump(mode="json") if isinstance(entry, AuditEntry) else dict(entry)
    data.pop("hash", None)
    return hashlib.sha256(canonical_json(data)).hexdigest()


def utc_time(when: datetime | None = None) -> str:
    """'2026-12-03T11:21:33.123Z'. A naive ``when`` is taken as local time (what datetime.now() gives)."""
    when = when or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.astimezone()
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _bounded(value: Any) -> JsonValue:
    """The value as JSON data, a long text shortened to its start and its length (the file stays small)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, str):
        if len(value) > MAX_DETAIL_TEXT:
            return f"{value[:MAX_DETAIL_TEXT]}… ({len(value)} characters)"
        return value
    if isinstance(value, dict):
        return {str(k): _bounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_bounded(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)  # a date, a time: as text


def append_entry(trail: AuditTrail | None, kind: str, detail: dict[str, Any] | None, user: str | None,
                 when: datetime | None = None) -> AuditTrail:
    """A new trail: ``trail`` (None: none yet) with one entry appended; ``trail`` itself is unchanged.

    The entry follows the last stored entry whatever its state: a trail already broken stays broken
    at the same place (the app never repairs or rewrites what is there)."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit entry kind {kind!r} (one of {', '.join(KINDS)})")
    old = trail.entries if trail is not None else []
    size = trail.json_size() if trail is not None else len(AuditTrail().model_dump_json())
    if len(old) >= MAX_ENTRIES or size > MAX_TRAIL_BYTES:
        raise ValueError("the audit trail is full (the consult file would grow past its size limit)")
    prev = old[-1].hash if old else GENESIS
    seq = old[-1].seq + 1 if old else 1
    body: dict[str, Any] = {
        "seq": seq, "time": utc_time(when), "user": user or None, "kind": kind,
        "detail": _bounded(detail or {}), "prev": prev,
    }
    entry = AuditEntry.model_validate({**body, "hash": entry_hash(body)})
    entries = [*old, entry]
    # the entries are validated models already: re-validating them all on each append would make a
    # long trail quadratic to build
    new = AuditTrail.model_construct(format=AUDIT_FORMAT, entries=entries, count=len(entries), head=entry.hash)
    new._size = size + len(entry.model_dump_json()) + 1  # the entry and its comma
    return new


BreakKind = Literal["reordered", "removed", "edited", "truncated", "head"]


@dataclass(frozen=True)
class AuditCheck:
    """The verdict on a trail: intact, or where it first breaks and how."""

    ok: bool
    entries: int
    first_broken: int | None = None  # 1-based position of the first entry that does not verify
    kind: BreakKind | None = None
    reason: str = ""

    @property
    def message(self) -> str:
        if self.ok:
            return f"audit trail intact ({self.entries} entries)"
        return f"audit trail broken at entry {self.first_broken}: {self.reason}"


def verify(trail: AuditTrail | None) -> AuditCheck:
    """Check the chain entry by entry, then the stored count and head. The first break is reported;
    what follows a break cannot be trusted either."""
    if trail is None:
        return AuditCheck(ok=True, entries=0)
    prev = GENESIS
    seqs = [e.seq for e in trail.entries]
    for i, e in enumerate(trail.entries, start=1):
        if e.seq != i:
            if i in seqs[i:]:
                what: BreakKind = "reordered"
                reason = f"it carries number {e.seq} and number {i} comes later: entries were reordered"
            elif e.seq > i:
                what, reason = "removed", f"it carries number {e.seq}: an entry before it was removed"
            else:
                what, reason = "reordered", f"it carries number {e.seq}: entries were reordered or repeated"
            return AuditCheck(False, len(trail.entries), i, what, reason)
        if e.prev != prev:
            return AuditCheck(False, len(trail.entries), i, "reordered",
                              "it does not follow the entry before it (an entry was removed, replaced or moved)")
        if entry_hash(e) != e.hash:
            return AuditCheck(False, len(trail.entries), i, "edited",
                              f"its content does not match its hash (the {e.kind} entry of {e.time} was edited)")
        prev = e.hash
    n = len(trail.entries)
    if trail.count != n:
        if trail.count > n:
            return AuditCheck(False, n, n + 1, "truncated",
                              f"the trail records {trail.count} entries but holds {n}: "
                              f"{trail.count - n} at the end were removed")
        return AuditCheck(False, n, trail.count + 1, "head",
                          f"the trail records {trail.count} entries but holds {n}: entries were added by hand")
    if trail.head != prev:
        return AuditCheck(False, n, n, "head",
                          "the last entry is not the recorded head: entries at the end were removed or replaced")
    return AuditCheck(ok=True, entries=n)
