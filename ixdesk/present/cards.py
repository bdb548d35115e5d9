"""The assessment as a CDS Hooks ``cards`` response (``ixdesk assess FILE --cards``).

An EHR integration team can serve these cards from a CDS service without touching the engine: the
response is plain JSON of the CDS Hooks 2.0 card attributes (docs/cds-hooks-cards.md gives the
mapping; docs/cds-hooks-card-response.schema.json is the schema a test validates against).

Every word comes from the presentation layer, so a card says what the window, the command line and
the reports say: the verdict (``build_verdict``), each finding's line and basis (``present``), the
decision state's words. The cards follow the decision state in one fixed order, most urgent first:

1. the verdict (the decision state, its statuses, the dose line): critical when on hold;
2. each contraindication that holds the consult: critical;
3. each contraindication that cannot be checked yet: warning;
4. each warning that applies, then each warning that cannot be checked yet: warning;
5. the plan's FDA label indication, the pathway criteria met or undetermined, each payer policy's
   answer: info;
6. the dose, only when it may be given as printed: info.

Findings that concern another plan, contraindications ruled out and warnings that do not apply get no
card (the verdict's detail counts them); a card is about the order under discussion.

``uuid`` is a uuid5 of the card's finding id (or role) within the consult, the date judged and the
criteria set, so the same input gives byte-identical output and two patients' cards differ. ``source``
has a ``label`` only: the criteria cite documents and sections but give no URL, and none is invented.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import TYPE_CHECKING, Any, Final, Literal

from ixdesk.present.findings import CONDITION_MARK, CONDITION_RESULT, FindingView, basis_steps
from ixdesk.present.sections import BASIS_HEADINGS, Presentation, decision_sentence, dose_title, present
from ixdesk.present.verdict import Verdict, build_verdict, policy_results
from ixdesk.present.fields import missing_inputs

if TYPE_CHECKING:
    from ixdesk.core.course_policy import CoursePolicy
    from ixdesk.core.assessment import Assessment
    from ixdesk.core.consult import Consult
    from ixdesk.core.criteria import Criteria

Indicator = Literal["info", "warning", "critical"]
# CDS Hooks 2.0: "One-sentence, <140-character summary message"
SUMMARY_MAX: Final = 139
_NAMESPACE: Final = uuid.UUID("8d3b1d77-fb43-483f-abb8-c788a7299e9d")  # IxDesk's cards, fixed once
_VERDICT_INDICATOR: dict[str, Indicator] = {"bad": "critical", "caution": "warning", "neutral": "info", "good": "info"}
_CONDITION_RESULT = {k: f"{CONDITION_MARK[k]} {v}" for k, v in CONDITION_RESULT.items()}  # "✔ MET"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def summary_text(text: str) -> str:
    """One line of at most 139 characters, cut at a word with an ellipsis when longer."""
    text = " ".join(text.split())
    if len(text) <= SUMMARY_MAX:
        return text
    cut = text[: SUMMARY_MAX - 1]
    space = cut.rfind(" ")
    if space > SUMMARY_MAX // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + "…"


def md(text: str) -> str:
    """Text as GitHub-flavoured markdown shows it literally: one line, markup characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _card_key(a: Assessment, consult: Consult | None) -> str:
    """What makes two responses the same: the consult (without its audit trail, which opening it
    grows), the date judged and the criteria set; the assessment itself when no consult is given."""
    body = consult.model_dump_json(exclude={"audit"}) if consult is not None else a.model_dump_json()
    return hashlib.sha256(f"{body}|{a.as_of.isoformat()}|{a.criteria.sha256}".encode()).hexdigest()


def _card(key: str, role: str, summary: str, indicator: Indicator, detail: str, label: str) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid5(_NAMESPACE, f"{key}:{role}")),
        "summary": summary_text(summary),
        "indicator": indicator,
        "detail": detail,
        "source": {"label": summary_text(label)},
    }


def finding_detail(v: FindingView) -> str:
    """The finding's basis in markdown: what it says, the rule, its conditions with their results,
    the patient values, the missing inputs, the source (document, section, version), how firm."""
    h = BASIS_HEADINGS
    steps = basis_steps(v.basis)

    def listed(kind: str) -> list[str]:
        return [f"- {md(s.text)}" for s in steps if s.kind == kind]

    def one(kind: str) -> str:
        return next((md(s.text) for s in steps if s.kind == kind), "")

    blocks = [f"**{h['summary']}:** {md(v.line())}", f"**{h['statement']}:** {one('rule')}"]
    conditions = [f"{'  ' * s.depth}- {_CONDITION_RESULT.get(s.state, s.state)}: {md(s.text)}"
                  for s in steps if s.kind == "condition"]
    for heading, items in ((h["conditions"], conditions), (h["values"], listed("value")),
                           (h["missing"], listed("missing"))):
        if items:
            blocks.append(f"**{heading}:**\n\n" + "\n".join(items))
    blocks += [f"**{h['source']}:** {one('source')}", f"**{h['confidence']}:** {one('confidence')}"]
    unverified = listed("unverified")
    if unverified:
        blocks.append(f"**{h['unverified']}:**\n\n" + "\n".join(unverified))
    return "\n\n".join(blocks)


def _verdict_detail(verdict: Verdict, p: Presentation, a: Assessment) -> str:
    st = verdict.state
    out = [f"**{md(decision_sentence(st, a))}**"]
    out.append("\n".join(f"- {md(s.name)}: {s.mark} {md(s.text)}" + (" (rests on unverified)" if s.unverified else "")
                         for s in verdict.statuses))
    out.append(f"**{md(dose_title(a.dose, st))}:** {md(verdict.dose)}")
    if verdict.dose_alternatives:
        out.append("\n".join(f"- {md(alt)}" for alt in verdict.dose_alternatives))
    waiting = missing_inputs(verdict.waiting_for + verdict.label_waiting)
    if waiting:
        out.append(f"**{BASIS_HEADINGS['missing']}:**\n\n" + "\n".join(f"- {md(m.words)}" for m in waiting))
    cleared = [s for s in p.sections if s.key in ("contraindications", "warnings") and s.cleared]
    for s in cleared:
        out.append(f"{md(s.cleared_title)}: " + "; ".join(md(v.title) for v in s.cleared))
    out.append(md(f"{verdict.footnote} (sha256 {a.criteria.sha256[:16]}…)"))
    if p.criteria_notice:
        out.append(f"**{md(p.criteria_notice.upper())}**")
    return "\n\n".join(out)


def build_cards(a: Assessment, criteria: Criteria | None = None, consult: Consult | None = None,
                policy: CoursePolicy | None = None) -> dict[str, Any]:
    """The CDS Hooks response ``{"cards": [...]}`` for ``a``, in the decision state's order."""
    p = present(a, criteria, consult=consult, policy=policy)
    verdict = build_verdict(a, consult, criteria, policy)
    key = _card_key(a, consult)
    criteria_label = f"IxDesk, {p.criteria_line}" + (f" ({p.criteria_notice})" if p.criteria_notice else "")
    cards = [_card(key, "verdict", verdict.headline, _VERDICT_INDICATOR[verdict.tone],
                   _verdict_detail(verdict, p, a), criteria_label)]

    def add(v: FindingView, indicator: Indicator) -> None:
        src = v.basis.source
        cards.append(_card(key, f"finding:{v.id}", v.line(), indicator, finding_detail(v), f"{src.name}, {src.section}"))

    done: set[str] = set()

    def add_all(views: list[FindingView], indicator: Indicator) -> None:
        for v in views:
            if v.id not in done:
                done.add(v.id)
                add(v, indicator)

    views = p.findings
    add_all([views[f.id] for f in p.decision.holds if f.id in views], "critical")
    add_all([views[f.id] for f in p.decision.unchecked if f.id in views and views[f.id].for_this_plan], "warning")
    mine = [v for v in views.values() if v.for_this_plan]
    add_all([v for v in mine if v.kind == "exclusion" and v.reading == "applies"], "critical")
    add_all([v for v in mine if v.kind == "exclusion" and v.reading == "not_ruled_out"], "warning")
    add_all([v for v in mine if v.kind == "warning" and v.reading == "warns"], "warning")
    add_all([v for v in mine if v.kind == "warning" and v.reading == "warning_unknown"], "warning")
    add_all([v for v in mine if v.kind == "indication"], "info")
    add_all([v for v in mine if v.kind == "pathway" and v.reading in ("met", "unknown")], "info")
    add_all([views[f.id] for f in policy_results(a) if f.id in views and views[f.id].for_this_plan], "info")
    if verdict.dose_is_order:
        dose_section = p.section("dose")
        rows = "\n".join(f"- {md(r.text)}" + "".join(f"\n  - {md(c.text)}" for c in r.children)
                         for r in dose_section.rows)
        detail = f"**{md(dose_section.title)}:** {md(verdict.dose)}" + (f"\n\n{rows}" if rows else "")
        cards.append(_card(key, "dose", verdict.dose, "info", detail, criteria_label))
    return {"cards": cards}
