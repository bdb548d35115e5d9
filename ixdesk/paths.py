"""Where the bundled data folders live.

The wheel carries ``criteria/`` and ``resources/`` under ``ixdesk/_data``; a source checkout (or an
editable install) keeps them at the repository's top level; a frozen build unpacks them beside the
executable. One function hides the difference so no other module guesses paths.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``criteria`` or ``resources``) wherever this install keeps it."""
    candidates = [_PACKAGE / "_data" / name, _PACKAGE.parent / name]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.insert(0, Path(frozen) / "ixdesk" / "_data" / name)
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(f"IxDesk data folder '{name}' not found (looked in {', '.join(map(str, candidates))})")


def criteria_dir() -> Path:
    return data_dir("criteria")


def resources_dir() -> Path:
    return data_dir("resources")


def examples_dir() -> Path:
    return resources_dir() / "examples"
