"""Pausing Python's cyclic garbage collector around work that makes many short-lived objects.

A report, or the one-shot ``ixdesk report`` command, makes tens of thousands of them (fragments,
words, lines, table cells; pydantic's schemas at import): the collector's young passes then run
again and again, and now and then a full pass walks the whole process, 10-15% of the time for
garbage freed on the first pass after. The batch's own setting (freeze, a larger young
generation) is ``ixdesk.core.engine.batch_collector``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside; the collector is given back as it was found (nesting is safe:
    an inner pause finds it off and leaves it off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
