"""One reason a consult is invalid, with its field: shared by the file reader and the form.

A module of its own, free of pydantic, so that the window can use it at start-up before the core
(pydantic, the engine) has loaded; one class, so that the form's own problems and the model's can be
listed, compared and shown together.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a consult is invalid: ``field`` is a dotted path such as ``regimens[0].start_date``."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
