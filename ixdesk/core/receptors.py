"""Receptor status derived from the recorded results, kept free of pydantic.

The window shows the derived HER2 status beside the IHC and ISH fields on every change, including
while pydantic is still loading in a worker thread; importing the consult model there would make
the first keystroke wait for that import.
"""

from __future__ import annotations

from typing import Literal

Her2Status = Literal["positive", "low", "negative"]
ReceptorStatus = Literal["positive", "negative"]


def her2_status(ihc: str | None, ish: str | None) -> Her2Status | None:
    """HER2 by ASCO/CAP: IHC 3+ or ISH-amplified is positive; 1+ or 2+/ISH- is 'low'; IHC 0 negative."""
    if ish == "positive" or ihc == "3+":
        return "positive"
    if ihc == "2+":
        return "low" if ish == "negative" else None
    if ihc == "1+":
        return "low"
    if ihc == "0":
        return "negative"
    return None


def hormone_receptor(er: str | None, pr: str | None) -> ReceptorStatus | None:
    """HR-positive if ER or PR is positive; negative only when both are known negative."""
    if "positive" in (er, pr):
        return "positive"
    if er == "negative" and pr == "negative":
        return "negative"
    return None
