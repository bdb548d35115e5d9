"""The IxDesk window (PySide6 only; ``ixdesk.core`` never imports this package).

Importing this package works around a PySide6 6.12 binding bug first: on Python < 3.12, where
``None`` is not immortal, every Qt call that returns ``None`` drops one reference to ``None``
without taking it, and after some tens of thousands of calls the interpreter aborts with
"deallocating None". Pinning a huge reference count on ``None`` (and the other shared singletons) makes it immortal,
which is exactly what Python 3.12+ does natively.
"""

from __future__ import annotations

import sys


def _pin_singletons() -> None:
    if sys.version_info >= (3, 12):
        return
    import ctypes

    # None for void calls; True/False were seen deallocated at interpreter exit too; the small
    # ints, "" and () are shared singletons returned by many calls, so they get the same guard.
    for obj in (None, True, False, "", (), *range(-5, 257)):
        refcnt = ctypes.c_ssize_t.from_address(id(obj))
        if refcnt.value < (1 << 40):
            refcnt.value += 1 << 50


_pin_singletons()
