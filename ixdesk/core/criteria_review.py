"""Record the sha256 of a reviewed criteria set, so that any other set is shown as unreviewed.

The record lives in ``ixdesk/reviewed_criteria.py``, outside ``criteria/`` (the hashed folder):
recording a review must not change what was reviewed. It is a Python module, not a data file, so
that the wheel and the frozen build carry it with the code without any packaging rule. Only a
maintainer records, in a source checkout, after a review: an installed copy never rewrites it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from ixdesk.core.criteria import Criteria, default_criteria, load_criteria

_PACKAGE = Path(__file__).resolve().parent.parent
RECORD_PATH = _PACKAGE / "reviewed_criteria.py"
SOURCE_CRITERIA = _PACKAGE.parent / "criteria"

_TEMPLATE = '''"""The sha256 of the reviewed criteria set (criteria/*.yaml). Written by `ixdesk criteria record`.

Kept outside criteria/ so that recording a review does not change what was reviewed. Do not edit by
hand: the loader compares the loaded set's sha256 with this one, and a set that differs is shown on
every screen and report as "criteria modified locally: not the reviewed set".
"""

SHA256 = "{sha}"
VERSION = "{version}"
'''


class RecordError(Exception):
    """The review cannot be recorded here (not a source checkout, or the file cannot be written)."""


def record_review(folder: Path | None = None, target: Path | None = None) -> Criteria:
    """Load the set (refusing a broken one) and write its sha256 as the reviewed one; return the set.

    Defaults: the source checkout's ``criteria/`` and ``ixdesk/reviewed_criteria.py``."""
    if folder is None:
        if not SOURCE_CRITERIA.is_dir() or not (_PACKAGE.parent / "pyproject.toml").is_file():
            raise RecordError("record a review in a source checkout of IxDesk (criteria/ beside ixdesk/), "
                              "not in an installed copy")
        folder = SOURCE_CRITERIA
    target = RECORD_PATH if target is None else target
    crit = load_criteria(folder)  # CriteriaError: a set that does not load is not recorded
    text = _TEMPLATE.format(sha=crit.sha256, version=crit.version.replace('"', ""))
    fd, tmp = tempfile.mkstemp(prefix=".reviewed-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        # the size never changes (a sha256 is 64 characters): a cached .pyc of the same second would win
        Path(importlib.util.cache_from_source(str(target))).unlink(missing_ok=True)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RecordError(f"cannot write {target}: {exc.strerror or exc}") from None
    if target == RECORD_PATH and "ixdesk.reviewed_criteria" in sys.modules:
        importlib.reload(sys.modules["ixdesk.reviewed_criteria"])
        default_criteria.cache_clear()
    return crit
