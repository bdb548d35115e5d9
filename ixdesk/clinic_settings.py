"""Where the clinic contact block printed on reports is kept: one JSON file per user.

The file lives in the user's config folder (``IXDESK_DATA_DIR`` overrides it, so tests never read
the real one). A missing or unreadable file gives empty settings: the reports then print blank
lines to fill in by hand, never an invented number.

The same file may hold ``"count_unit": "cells/mm3"`` or ``"10^9/L"``: the unit the clinic's
laboratory reports neutrophils and platelets in, which a new consult starts with until the user
has picked one (then the last one used wins, see ``ixdesk.ui.settings.count_unit``). It is kept
beside, not inside, the report settings, whose model refuses unknown keys.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic loads lazily: the form reads the count unit before the core is loaded
    from ixdesk.reports.settings import ReportSettings

log = logging.getLogger(__name__)


def settings_path() -> Path:
    override = os.environ.get("IXDESK_DATA_DIR")
    if override:
        return Path(override) / "clinic.json"
    from platformdirs import user_config_dir

    return Path(user_config_dir("ixdesk", appauthor=False)) / "clinic.json"


COUNT_UNITS = ("cells/mm3", "10^9/L")
# Keys kept beside the report settings in the same file. Each has its own reader below, which
# returns None for a missing or malformed value: a clinic policy is never guessed.
_NOT_REPORT_KEYS = ("count_unit", "user_name", "weight_change_percent", "dose_rounding")
MAX_USER_NAME_CHARS = 120


MAX_SETTINGS_BYTES = 64 * 1024  # a contact block and a unit: far below this


def _read_json(p: Path) -> object:
    """The file's JSON, read with a size limit and only from a regular file (a FIFO never blocks)."""
    from ixdesk.core.safe_read import read_file_limited, strip_bom

    return json.loads(strip_bom(read_file_limited(p, MAX_SETTINGS_BYTES)).decode("utf-8"))


def _raw(p: Path) -> dict[str, object] | None:
    from ixdesk.core.safe_read import InputReadError

    try:
        raw = _read_json(p)
    except (OSError, ValueError, InputReadError):
        return None
    return raw if isinstance(raw, dict) else None


def clinic_count_unit(path: Path | None = None) -> str | None:
    """The clinic's count unit, or None when the file sets none (or an unknown one)."""
    raw = _raw(path or settings_path())
    unit = raw.get("count_unit") if raw else None
    return unit if unit in COUNT_UNITS else None


def clinic_value(key: str, path: Path | None = None) -> object | None:
    """One of the non-report keys as stored (None when missing); its reader checks the type."""
    if key not in _NOT_REPORT_KEYS:
        raise KeyError(key)
    raw = _raw(path or settings_path())
    return raw.get(key) if raw else None


def clinic_user_name(path: Path | None = None) -> str | None:
    """The user's name for the audit trail and overrides, or None when the settings give none."""
    name = clinic_value("user_name", path)
    if not isinstance(name, str):
        return None
    name = " ".join(name.split())
    return name[:MAX_USER_NAME_CHARS] or None


def load_settings(path: Path | None = None) -> ReportSettings:
    from pydantic import ValidationError

    from ixdesk.reports.settings import ReportSettings

    from ixdesk.core.safe_read import InputReadError

    p = path or settings_path()
    if not p.exists():
        return ReportSettings()
    try:
        raw = _read_json(p)
        if isinstance(raw, dict):
            raw = {k: v for k, v in raw.items() if k not in _NOT_REPORT_KEYS}
        return ReportSettings.model_validate(raw)
    except (OSError, ValueError, ValidationError, InputReadError) as exc:
        log.warning("clinic settings file %s is unreadable (%s); using empty settings", p, type(exc).__name__)
        return ReportSettings()


def save_settings(settings: ReportSettings, path: Path | None = None, count_unit: str | None = None) -> None:
    """Write the report settings, keeping the clinic count unit already in the file (or setting one)."""
    from ixdesk.core.files import atomic_write_text

    p = path or settings_path()
    data = settings.model_dump(mode="json")
    kept = _raw(p) or {}
    for key in _NOT_REPORT_KEYS:  # the clinic's other keys survive a save of the report block
        if key in kept:
            data[key] = kept[key]
    unit = count_unit if count_unit in COUNT_UNITS else clinic_count_unit(p)
    if unit is not None:
        data["count_unit"] = unit
    atomic_write_text(p, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
