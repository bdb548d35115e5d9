"""The command line's readable assessment (``ixdesk assess FILE``): the layer's words as plain text.

Same order as the window: the decision and key points, the sections for the plan under discussion
with their counts, then the results for the other plans, kept apart. Nothing here decides what a
finding means; it lays out what ``present()`` decided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ixdesk.present.decision import DecisionState
from ixdesk.present.findings import FindingView
from ixdesk.present.formats import fmt_date, fmt_parts
from ixdesk.present.sections import OTHER_PLANS_TITLE, RESISTANCE_RESULT, Presentation, Row, present

if TYPE_CHECKING:
    from ixdesk.core.assessment import Assessment


def _finding(w: Any, v: FindingView) -> None:
    mark = v.result("cli")
    flag = f"  {v.unverified_mark}" if v.unverified_mark else ""
    w(f"  [{mark:^9}] {v.line('cli')}{flag}")
    w(f"              source: {v.basis.source.short}")
    if v.basis.unverified_basis:
        w(f"              rests on unverified: {'; '.join(v.basis.unverified_basis)}")
    if v.override is not None:
        w(f"              {v.override.line}")


def _rows(w: Any, rows: tuple[Row, ...], indent: str = "  ") -> None:
    for r in rows:
        result = f"  [{r.result}]" if r.result else ""
        w(f"{indent}{r.text}{result}")
        _rows(w, r.children, indent + "    ")


def decision_json(state: DecisionState) -> dict[str, Any]:
    """The top-level "decision" object of ``assess --json`` (docs/assessment-json.md)."""
    from ixdesk.present.fields import missing_inputs

    return {
        "kind": state.kind,
        "holds": [f.id for f in state.holds],
        "waiting_for": [{"field": m.field, "label": m.words} for m in missing_inputs(state.waiting_for)],
        "label": state.label.id if state.label is not None else None,
        "unchecked": [f.id for f in state.unchecked],
        "dose_may_be_given": state.dose_may_be_given,
    }


def assessment_text(a: "Assessment", name: str, criteria: Any = None, overrides: Any = (),
                    consult: Any = None, policy: Any = None) -> str:
    p: Presentation = present(a, criteria, overrides, consult, policy)
    lines: list[str] = []
    w = lines.append
    w(f"IxDesk assessment: {name}")
    if a.criteria.notice:
        w(f"  !! {a.criteria.notice.upper()} (sha256 {a.criteria.sha256[:16]}…; "
          f"reviewed {(a.criteria.reviewed_sha256 or 'none recorded')[:16]}…)")
    w(f"  as of {fmt_date(a.as_of)}; {p.criteria_line}")
    w(f"  plan under discussion: {p.plan_words}")
    for k in p.key_points:
        if k.key != "context":
            w(f"  {k.text}")
    for s in p.sections:
        w("")
        w(f"{s.title}" + (f"  ({s.count})" if s.count else ""))
        if s.key == "resistance":
            for r in a.resistance:
                w(f"  {r.label:<14} {RESISTANCE_RESULT[r.result]:<14} {fmt_parts(r.summary_parts)}")
                for rr in r.regimens:
                    mark = " (unverified window)" if rr.confidence == "unverified" else ""
                    w(f"      regimen {rr.regimen_index + 1} ({', '.join(rr.agents)}; "
                      f"{rr.setting or 'setting not recorded'}): {fmt_parts(rr.reason_parts)}{mark}")
            continue
        if s.key == "lines":
            for row in s.rows:
                flag = " [unverified counting]" if row.unverified else ""
                w(f"  {row.text}: {row.result}{flag}")
            continue
        if s.key == "dose":
            w(f"  {s.summary}")
            _rows(w, s.rows)
            continue
        for v in (*s.findings, *s.cleared):
            _finding(w, v)
        for m in s.missing:
            w(f"  - {m.words}  ({m.field})" + (f" — {m.detail}" if m.detail.casefold() != m.words.casefold() else ""))
        _rows(w, s.rows)
    if p.other_plans:
        w("")
        w(OTHER_PLANS_TITLE)
        for v in p.other_plans:
            _finding(w, v)
    orphans = [o for fid, o in p.overrides.items() if fid not in p.findings]
    if orphans:  # overrides of findings this assessment no longer computes: never dropped silently
        w("")
        w("Overrides of findings no longer computed")
        for o in orphans:
            w(f"  {o.title}: {o.line}")
    return "\n".join(lines) + "\n"
