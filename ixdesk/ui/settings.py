"""QSettings in one place, so tests can redirect them away from the developer's real settings.

With ``IXDESK_DATA_DIR`` set (tests always set it), settings live in an INI file in that folder;
otherwise in the platform's usual place under organisation/application "IxDesk".
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ENV_DATA_DIR = "IXDESK_DATA_DIR"  # same as ixdesk.core.autosave.ENV_DATA_DIR; not imported to keep start-up light

ORG = "IxDesk"
APP = "IxDesk"
SETTINGS_VERSION = 1
MAX_RECENT = 8


def make_settings() -> QSettings:
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        _private_folder(Path(env))
        s = QSettings(str(Path(env) / "settings.ini"), QSettings.Format.IniFormat)
    else:
        s = QSettings(ORG, APP)
    _make_private(Path(s.fileName()))
    if not s.contains("settings_version"):
        s.setValue("settings_version", SETTINGS_VERSION)
    return s


def _private_folder(folder: Path) -> None:
    """Create ``folder`` user-only (0700) if IxDesk is the one creating it; an existing one is left."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.chmod(folder, 0o700)
        except OSError:
            pass


def _make_private(path: Path) -> None:
    """The settings list recent consult paths (patient names): the file is user-only (0600), created
    so before Qt writes it (Qt's atomic save keeps an existing file's mode), its folder 0700 where
    IxDesk creates it."""
    if not path.is_absolute():  # not a file (e.g. the Windows registry)
        return
    try:
        _private_folder(path.parent)
        fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
    except OSError:
        pass  # read-only or odd location: Qt reports its own problem on sync


def recent_files(s: QSettings) -> list[str]:
    if not s.contains("recent_files"):
        return []
    v = s.value("recent_files", [])
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple)):  # a hand-edited or foreign settings file: no recent list
        return []
    return [str(x) for x in v if x]


def add_recent(s: QSettings, path: str) -> list[str]:
    items = [p for p in recent_files(s) if p != path]
    items.insert(0, path)
    items = items[:MAX_RECENT]
    s.setValue("recent_files", items)
    return items


def remove_recent(s: QSettings, path: str) -> None:
    s.setValue("recent_files", [p for p in recent_files(s) if p != path])


COUNT_UNITS = ("cells/mm3", "10^9/L")


def count_unit(s: QSettings, lab: str) -> str:
    """The unit a new consult's ``lab`` count starts in: the last one the user chose for it, else
    the clinic's (``count_unit`` in the clinic settings file), else cells/mm³."""
    v = s.value(f"units/{lab}", "")
    if v in COUNT_UNITS:
        return str(v)
    from ixdesk.clinic_settings import clinic_count_unit  # json only, no pydantic

    return clinic_count_unit() or COUNT_UNITS[0]


def remember_count_unit(s: QSettings, lab: str, unit: str) -> None:
    if unit in COUNT_UNITS:
        s.setValue(f"units/{lab}", unit)
