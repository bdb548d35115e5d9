"""Where the clinic contact block printed on reports is kept: one JSON file per user.

The file lives in the user's config folder (``IXDESK_DATA_DIR`` overrides it, so tests never read
the real one). A missing or unreadable file gives empty settings: the reports then print blank
lines to fill in by hand, never an invented number.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from pydantic import ValidationError

from ixdesk.core.files import atomic_write_text
from ixdesk.reports.settings import ReportSettings

log = logging.getLogger(__name__)


def settings_path() -> Path:
    override = os.environ.get("IXDESK_DATA_DIR")
    if override:
        return Path(override) / "clinic.json"
    from platformdirs import user_config_dir

    return Path(user_config_dir("ixdesk", appauthor=False)) / "clinic.json"


def load_settings(path: Path | None = None) -> ReportSettings:
    p = path or settings_path()
    try:
        return ReportSettings.model_validate(json.loads(p.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return ReportSettings()
    except (OSError, ValueError, ValidationError) as exc:
        log.warning("clinic settings file %s is unreadable (%s); using empty settings", p, type(exc).__name__)
        return ReportSettings()


def save_settings(settings: ReportSettings, path: Path | None = None) -> None:
    atomic_write_text(path or settings_path(), settings.model_dump_json(indent=2) + "\n")
