"""The three plans' ids and column headings, apart from the comparison they head.

Kept free of pydantic (and of the engine): the window draws the comparison's headings while the
core still loads in a worker thread, and importing ``ixdesk.present.plans`` there would import
pydantic on the UI thread before the form could be typed into.
"""

from __future__ import annotations

PLANS = ("monotherapy", "with_capecitabine", "with_trastuzumab")
PLAN_HEADINGS = {"monotherapy": "Monotherapy", "with_capecitabine": "With capecitabine",
                 "with_trastuzumab": "With trastuzumab"}
