"""The combination's liver tests on the cycle's labs, in words (``ixdesk.core.course_liver``).

One wording for the window's Course section, the clinician summary and the nurse's cycle double
check: a gate line beside the counts (values and draw date, or "not drawn with this cycle's labs"
with the consult's last values), the hold reason when a test is above the label's limit, and the
check item when a test was not drawn. The PI's cycle-start gate does not ask for liver tests, so a
test not drawn never stops the cycle here: it is said, never left silent.
"""

from __future__ import annotations

from ixdesk.core.course_result import LiverCheck, LiverTest
from ixdesk.core.form_words import FORM_WORDS
from ixdesk.present.formats import fmt_date, fmt_num

LIVER_LABEL = "Liver tests"
NOT_DRAWN_SHORT = "not drawn"  # where the line says which labs already (the GO line)
NOT_DRAWN = f"{NOT_DRAWN_SHORT} with this cycle's labs"
_UNIT = {"umol/L": "µmol/L"}


def _lower(label: str) -> str:
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _names(tests: list[LiverTest]) -> str:
    return ", ".join(_lower(t.label) for t in tests)


def _times(t: LiverTest) -> str:
    """The multiple of the ULN to two decimals, or to as many as it takes for a value above its limit
    not to print as the limit itself (2.5025 is '2.5025', not '2.50', beside 'above 2.5 × ULN')."""
    x = t.x_uln or 0.0
    for places in (2, 3, 4, 6):
        text = f"{x:.{places}f}"
        if not (x > t.limit_x_uln and float(text) <= t.limit_x_uln):
            return text
    return repr(x)


def _drawn(t: LiverTest) -> str:
    return (f"{_lower(t.label)} {fmt_num(t.value)} {_UNIT.get(t.unit or '', t.unit)} = {_times(t)} × ULN "
            f"({fmt_num(t.uln)})")


def _by_limit(tests: list[LiverTest]) -> dict[float, list[LiverTest]]:
    groups: dict[float, list[LiverTest]] = {}
    for t in tests:
        groups.setdefault(t.limit_x_uln, []).append(t)
    return groups


def _compact(tests: list[LiverTest]) -> str:
    """'AST 0.70, ALT 0.60, total bilirubin 0.58 × ULN': the earlier values as multiples of their ULN."""
    return ", ".join(f"{_lower(t.label).removeprefix('total ')} {fmt_num(float(_times(t)))}" for t in tests) + " × ULN"


def threshold_words(liver: LiverCheck) -> str:
    """'AST, ALT ≤ 2.5 × ULN; total bilirubin ≤ 1 × ULN': the tests grouped by their limit."""
    return "; ".join(f"{_names(ts)} ≤ {fmt_num(limit)} × ULN" for limit, ts in _by_limit(liver.tests).items())


def value_words(liver: LiverCheck) -> str:
    """The cycle's values with their draw date, or which were not drawn and the consult's last values."""
    drawn = [t for t in liver.tests if t.value is not None]
    absent = [t for t in liver.tests if t.value is None]
    parts = []
    if drawn:
        parts.append(f"drawn {fmt_date(liver.labs_date)}: " + "; ".join(_drawn(t) for t in drawn))
    if absent:
        words = f"{_names(absent)} {NOT_DRAWN}" if drawn else NOT_DRAWN
        last = [t for t in liver.last if t.name in {a.name for a in absent}]
        if last:
            words += f"; consult values {fmt_date(liver.last_date)}: {_compact(last)}"
        else:
            words += "; no earlier values in the consult"
        parts.append(words)
    return "; ".join(parts)


def gate_state(liver: LiverCheck) -> str:
    """As a gate line reads it: met (within the limits), not_met (above: contraindicated), unknown."""
    if liver.holds:
        return "not_met"
    return {"not_met": "met"}.get(liver.state, "unknown")


def contraindication_words(liver: LiverCheck) -> str:
    """Why a test above its limit holds the cycle: the label contraindication, with its source; a
    test not drawn with the cycle's labs says that its consult value, with its date, is the one."""
    which = [f"{_lower(t.label)} above {fmt_num(t.limit_x_uln)} × ULN" for t in liver.tests if t.above == "met"]
    which += [f"{_lower(t.label)} above {fmt_num(t.limit_x_uln)} × ULN on the consult's labs of {fmt_date(liver.last_date)} "
              f"({NOT_DRAWN})" for t in liver.last if t.above == "met"]
    return f"{'; '.join(which)}: ixabepilone with capecitabine is contraindicated ({liver.source})"


def field_words(tests: list[LiverTest]) -> str:
    """The tests as the form labels them: 'AST, ALT, total bilirubin'."""
    return ", ".join(_lower(FORM_WORDS[f"labs.{t.name}"]) for t in tests)


def check_words(liver: LiverCheck) -> str:
    """The check item for tests not drawn with the cycle's labs ("" when there is none to make)."""
    if liver.holds or not liver.missing:
        return ""
    absent = [t for t in liver.tests if t.value is None]
    limits = " or ".join(" or ".join(_lower(t.label) for t in ts) + f" > {fmt_num(limit)} × ULN"
                         for limit, ts in _by_limit(liver.tests).items())
    return f"Check first: liver tests {NOT_DRAWN} ({field_words(absent)}); contraindicated if {limits}."


def short_check_words(liver: LiverCheck) -> str:
    """The same check on one line of a sheet: 'check first: AST, ALT ≤ 2.5 × ULN; total bilirubin
    ≤ 1 × ULN (not drawn)'; "" when there is none to make."""
    if not check_words(liver):
        return ""
    absent = [t for t in liver.tests if t.value is None]
    limits = "; ".join(f"{_names(ts)} ≤ {fmt_num(limit)} × ULN" for limit, ts in _by_limit(absent).items())
    return f"check first: {limits} (not drawn)"


__all__ = ["LIVER_LABEL", "NOT_DRAWN", "NOT_DRAWN_SHORT", "check_words", "contraindication_words", "short_check_words", "field_words", "gate_state",
           "threshold_words", "value_words"]
