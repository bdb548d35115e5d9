"""The assessment panel: shows what ``assess()`` returned, and nothing it did not.

Every state is written out in words next to its colour (MET / NOT MET / UNKNOWN, APPLIES / ruled
out), so the panel reads in greyscale and to a screen reader. Blocking exclusions sit at the top.
A missing input is a link: activating it asks the window to focus that field.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame, QHeaderView, QLabel, QMenu, QSplitter, QStyle, QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic models load after the window is on screen
    from ixdesk.core.assessment import Assessment
    from ixdesk.core.overrides import Override
    from ixdesk.present.fields import MissingInput
    from ixdesk.present.findings import ConditionStep, FindingView
    from ixdesk.present.sections import Presentation, Row, Section

FIELD_ROLE = Qt.ItemDataRole.UserRole
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2

GREEN, RED, AMBER, GREY = "#d7f0d8", "#ffd6d6", "#ffefc2", "#e8e8e8"
NEUTRAL = "#dfe6f2"  # resistance is a fact about the disease, neither good nor bad: no green, no red
# the layer's tones (ixdesk.present.findings.Tone) as colours; the words come from the layer
TONE_COLOUR = {"critical": RED, "warning": AMBER, "good": GREEN, "missing": AMBER, "neutral": GREY}
ROW_COLOUR = {"critical": RED, "warning": AMBER, "good": GREEN, "missing": AMBER, "neutral": NEUTRAL}
CONDITION_COLOUR = {"met": GREEN, "not_met": GREY, "unknown": AMBER}


class AssessmentPanel(QWidget):
    """Tree of results plus a detail view of the selected one."""

    field_requested = Signal(str)
    # a finding's id: the user asked to override / acknowledge it, or to withdraw its override
    override_requested = Signal(str)
    override_withdraw_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        # Its own label, above the others: the input and error banners come and go, this one stays
        # for as long as the loaded criteria are not the reviewed set.
        self.criteria_notice = QLabel()
        self.criteria_notice.setWordWrap(True)
        self.criteria_notice.setAccessibleName("Criteria status")
        self.criteria_notice.hide()  # styled when first shown: a style sheet costs its polish at start-up
        layout.addWidget(self.criteria_notice)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Assessment status")
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.linkActivated.connect(self._link)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setAccessibleName("Assessment headline")
        self.headline.setFrameShape(QFrame.Shape.StyledPanel)
        layout.addWidget(self.headline)
        self.headline_shown = True  # False: the window's verdict header answers instead (text still set)

        split = QSplitter(Qt.Orientation.Vertical)
        self.split = split  # the results; hidden while the input is invalid (set_stale)
        self.results_hidden = False
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Assessment results")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Criterion", "Result"])
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # not ResizeToContents: that re-measures every row on each cell change (~4 ms per edit);
        # the width is set from the result texts whenever they change (_fit_result_column)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self._result_widths: dict[str, int] = {}
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.tree.currentItemChanged.connect(self._show_detail)
        self.tree.itemExpanded.connect(self._populate)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self._lazy: dict[str, FindingView] = {}  # item key -> finding whose basis is built on first expand
        self._details: dict[str, Any] = {}  # item key -> callable returning the detail HTML
        split.addWidget(self.tree)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("Basis of the selected result")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._link)
        self.detail.setPlaceholderText("Select a result to see its basis: the rule, your patient's values, "
                                       "missing inputs and the source.")
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        self._shown: Assessment | None = None
        self._shown_overrides: tuple[Override, ...] = ()
        self._shown_course: Any = None
        self._shown_policy: Any = None
        self.overridden: set[str] = set()  # finding ids with an override on screen
        self._detail_html = ""
        self._nodes: dict[str, _Node] = {}  # key -> the row description now on screen
        self._roots: list[_Node] = []
        bold, link = QFont(), QFont()
        bold.setBold(True)
        link.setUnderline(True)
        self._fonts = {"": QFont(), "bold": bold, "link": link}

    def show_loading(self) -> None:
        self.headline.setText("Loading criteria…")

    # --- states -----------------------------------------------------------------------------

    def show_criteria_notice(self, notice: str | None, sha256: str = "") -> None:
        """Say, above every result, that the loaded criteria are not the reviewed set (None: hide)."""
        if notice:
            sha = f" (sha256 {html.escape(sha256[:16])}…)" if sha256 else ""
            self.criteria_notice.setText(f"⚠ {html.escape(notice[:1].upper() + notice[1:])}{sha}: results come "
                                         "from rules nobody has reviewed.")
            if not self.criteria_notice.styleSheet():
                self.criteria_notice.setStyleSheet(f"background: {RED}; border: 2px solid #a11d1d; padding: 6px; "
                                                   "font-weight: bold;")
            self.criteria_notice.show()
        else:
            self.criteria_notice.hide()

    def show_criteria_error(self, message: str) -> None:
        """No results at all: a partial rule set would give confident answers from missing rules."""
        self._shown = None
        self._nodes = {}
        self._lazy.clear()
        self.tree.clear()
        self.detail.clear()
        self._detail_html = ""
        self.headline.hide()
        self._banner(f"<b>Criteria could not be loaded — no results are shown.</b><br>{html.escape(message)}", RED)

    def set_stale(self, problems: list[str] | None, fields: list[str] | None = None) -> None:
        """While a field holds an invalid (or unconfirmed) value, name it and show no result at all.

        The results on screen belong to an earlier input, often an earlier keystroke of the same
        number (typing 1650 passes through 165), so even greyed out they read as an answer for what
        is typed. They are hidden, not cleared: the tree keeps its expanded rows and selection and
        comes back as it was once the input is valid. ``None`` clears the state. ``fields``, the
        consult path of each problem, makes each line a link that takes the user to its field."""
        if problems:
            paths = list(fields or []) + [""] * len(problems)
            items = "".join(f"<li><a href='field:{html.escape(f, quote=True)}'>{html.escape(p)}</a></li>" if f
                            else f"<li>{html.escape(p)}</li>" for p, f in zip(problems[:5], paths, strict=False))
            more = f"<li>… and {len(problems) - 5} more</li>" if len(problems) > 5 else ""
            self._banner("<b>⚠ No result while a field is invalid.</b> Correct (or confirm) it to see the "
                         f"assessment:<ul style='margin: 2px 0 0 -20px'>{items}{more}</ul>", AMBER)
            self._set_results_visible(False)
        else:
            self.banner.hide()
            self._set_results_visible(True)

    def _set_results_visible(self, on: bool) -> None:
        self.split.setVisible(on)
        self.headline.setVisible(on and self._shown is not None and self.headline_shown)
        self.results_hidden = not on

    def _banner(self, text: str, colour: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(f"background: {colour}; border: 1px solid #999; padding: 6px;")
        self.banner.show()

    # --- building ---------------------------------------------------------------------------

    def show_assessment(self, a: Assessment, criteria: Any = None, overrides: Any = (), consult: Any = None,
                        policy: Any = None) -> None:
        """Show ``a``, changing only the rows that differ from what is on screen.

        The tree is described as plain ``_Node``s first (cheap Python), then reconciled with the
        existing items by key: unchanged rows are not touched, so a keystroke that moves the dose
        by a milligram updates a handful of cells instead of rebuilding ~100 rows, and the
        user's expanded rows, selection and scroll position stay where they were."""
        overrides = tuple(overrides)
        # with cycles given the dose key point is the next cycle's (ixdesk.present.course_dose): the
        # course is part of what is shown
        course = consult.course if consult is not None else None
        if (self._shown is not None and a == self._shown and overrides == self._shown_overrides
                and course == self._shown_course and policy == self._shown_policy):
            return
        from ixdesk.present.sections import present  # pydantic-backed: loaded once the window is up

        self._shown = a
        self._shown_overrides = overrides
        self._shown_course = course
        self._shown_policy = policy
        self.overridden = {o.finding_id for o in overrides}
        self._details = {}
        p = present(a, criteria, overrides, consult, policy)
        roots = self._build(a, p)
        # no setUpdatesEnabled(False/True) around this: that repaints the whole tree (~5 ms);
        # changed cells schedule repaints of their own rows only
        old, self._nodes = self._nodes, {}
        self._apply(self.tree.invisibleRootItem(), roots, old)
        self._fit_result_column()
        current = self.tree.currentItem()
        if current is not None:
            self._show_detail(current)
        self.headline.setVisible(self.headline_shown)
        text = self._headline(p)
        if text != self.headline.text():
            self.headline.setText(text)

    def _apply(self, parent: QTreeWidgetItem, nodes: list[_Node], old: dict[str, _Node]) -> None:
        """Make ``parent``'s children match ``nodes`` (by key), creating, moving and removing items."""
        wanted = {n.key for n in nodes}
        existing: dict[str, QTreeWidgetItem] = {}
        for i in range(parent.childCount() - 1, -1, -1):
            item = parent.child(i)
            if item is None:  # never for an index below childCount(); the stub allows it
                continue
            key = item.data(0, KEY_ROLE)
            if key in wanted and key not in existing:
                existing[key] = item
            else:
                parent.takeChild(i)  # dropped by Python: deleted with its children
        for i, node in enumerate(nodes):
            item = existing.get(node.key)
            prev = old.get(node.key)
            if item is None:
                item = QTreeWidgetItem()
                parent.insertChild(i, item)
                for role in (FIELD_ROLE, DETAIL_ROLE):
                    item.setData(0, role, "")
                item.setData(0, KEY_ROLE, node.key)
                prev = None
            elif parent.indexOfChild(item) != i:
                open_keys = {k for k, it in _subtree(item) if it.isExpanded()}
                parent.takeChild(parent.indexOfChild(item))
                parent.insertChild(i, item)
                for k, it in _subtree(item):
                    if k in open_keys:
                        it.setExpanded(True)
            self._props(item, node, prev)
            self._nodes[node.key] = node
            if node.lazy is not None:
                self._lazy_apply(item, node, prev)
            else:
                self._apply(item, node.children, old)
            if prev is None and node.expand:
                item.setExpanded(True)

    def _fit_result_column(self) -> None:
        """Width of the Result column: its widest text (measured once per distinct text)."""
        widths = self._result_widths
        bold_fm = QFontMetrics(self._fonts["bold"], self.tree)
        fm = self.tree.fontMetrics()
        best = self.tree.header().sectionSizeFromContents(1).width()
        for n in self._nodes.values():
            t = n.text1
            if not t:
                continue
            w = widths.get(t) if not n.font1 else widths.get("\0" + t)
            if w is None:
                w = (bold_fm if n.font1 else fm).horizontalAdvance(t)
                widths[t if not n.font1 else "\0" + t] = w
            best = max(best, w)
        best += 3 * self.tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.tree) + 12
        best = min(best, fm.averageCharWidth() * 30)  # a long note is elided (full text in its tooltip)
        if self.tree.header().sectionSize(1) != best:
            self.tree.header().resizeSection(1, best)

    def _lazy_apply(self, item: QTreeWidgetItem, node: _Node, prev: _Node | None) -> None:
        """A finding's basis is built on first expand; rebuilt only when the finding changed."""
        if not item.childCount():  # not opened yet: just remember the newest finding
            self._lazy[node.key] = node.lazy
            if prev is None:
                item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            return
        if prev is not None and prev.lazy == node.lazy:
            return
        item.takeChildren()
        if item.isExpanded():
            self._fill_basis(item, node.lazy)
        else:
            self._lazy[node.key] = node.lazy
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)

    def _props(self, item: QTreeWidgetItem, n: _Node, p: _Node | None) -> None:
        if p is None or p.text0 != n.text0:
            item.setText(0, n.text0)
        if p is None or p.text1 != n.text1:
            item.setText(1, n.text1)
        if p is None or p.tip != n.tip:
            item.setToolTip(0, n.tip)
        if p is None or p.acc1 != n.acc1:
            if n.acc1 or p is not None:
                item.setData(1, Qt.ItemDataRole.AccessibleTextRole, n.acc1)
        if p is None or p.field != n.field:
            item.setData(0, FIELD_ROLE, n.field)
        if p is None or p.bg0 != n.bg0:
            if n.bg0 or p is not None:
                item.setBackground(0, QBrush(QColor(n.bg0)) if n.bg0 else QBrush())
        if p is None or p.bg1 != n.bg1:
            if n.bg1 or p is not None:
                item.setBackground(1, QBrush(QColor(n.bg1)) if n.bg1 else QBrush())
        if p is None or p.fg0 != n.fg0:
            if n.fg0 or p is not None:
                item.setForeground(0, QBrush(QColor(n.fg0)) if n.fg0 else QBrush())
        if p is None or p.font0 != n.font0:
            if n.font0 or p is not None:
                item.setFont(0, self._fonts[n.font0])
        if p is None or p.font1 != n.font1:
            if n.font1 or p is not None:
                item.setFont(1, self._fonts[n.font1])

    def _headline(self, p: Presentation) -> str:
        parts: list[str] = []
        for k in p.key_points:
            text = html.escape(k.text)
            if k.key == "decision":
                colour = TONE_COLOUR.get(k.tone or "", "")
                parts.append(f"<div style='background:{colour}; padding:4px;'><b>{text}</b></div>")
            elif k.key == "context":
                parts.append(f"<span style='color:#555'>{text}</span>")
            else:
                parts.append(f"<b>{html.escape(k.lead)}</b> {html.escape(k.rest)}")
        return "<br>".join(parts)

    def _section(self, key: str, title: str, colour: str | None = None, count: str = "") -> _Node:
        node = _Node(f"section:{key}", title, count, title, bg0=colour, bg1=colour, font0="bold", font1="bold",
                     expand=True)
        self._roots.append(node)
        return node

    def _child(self, parent: _Node, text: str, result: str = "", colour: str | None = None,
               key: str | None = None, detail: Any = None, tip: str | None = None) -> _Node:
        node = _Node(key or f"{parent.key}/{len(parent.children)}", text, result, tip or text, bg1=colour)
        parent.children.append(node)
        if detail is not None and key:
            self._details[key] = detail
        return node

    def _build(self, a: Assessment, p: Presentation) -> list[_Node]:
        """The rows for ``a`` as plain nodes (no Qt objects are made here); every word from ``p``."""
        self._roots = []
        for s in p.sections:
            colour = TONE_COLOUR.get(s.tone or "") if s.key in ("contraindications", "warnings", "missing") else None
            sec = self._section(s.key, s.heading, colour if any(v.holds for v in s.findings) or s.key == "missing"
                                else None, s.count)
            sec.expand = s.expand
            if s.key == "dose":
                sec.bg1 = TONE_COLOUR.get(s.tone or "")
                self._details["section:dose"] = lambda s=s, d=a.dose: self._dose_html(s, d)
            for v in s.findings:
                self._finding(sec, v)
            if s.cleared:
                fold = self._child(sec, s.cleared_title, "", None, key=f"section:{s.key}:cleared")
                for v in s.cleared:
                    self._finding(fold, v)
            self._rows(sec, s.rows, a)
            self._missing_items(sec, s.missing, heading=s.key != "missing")
        if p.other_plans:
            from ixdesk.present.sections import OTHER_PLANS_TITLE

            sec = self._section("other_plans", OTHER_PLANS_TITLE, None, str(len(p.other_plans)))
            sec.expand = False
            for v in p.other_plans:
                self._finding(sec, v)
        return self._roots

    def _rows(self, parent: _Node, rows: tuple[Row, ...], a: Assessment) -> None:
        for r in rows:
            detail = None
            if r.drug_class:
                detail = lambda cls=r.drug_class: self._resistance_html(a.resistance_for(cls))  # noqa: E731
            item = self._child(parent, r.text, r.result, ROW_COLOUR.get(r.tone or ""), key=r.key, detail=detail,
                               tip=r.tip or r.text)
            self._rows(item, r.children, a)
            self._missing_items(item, r.missing)

    def _finding(self, parent: _Node, v: FindingView) -> None:
        text = v.result("panel")
        tip = v.line("panel")
        if v.override is not None:  # beside the computed result, never instead of it
            text += f" · {v.override.short}"
            tip += "\n" + v.override.line
        key = f"finding:{v.id}"
        item = self._child(parent, v.heading("panel"), text, TONE_COLOUR[v.tone], key=key,
                           detail=lambda v=v: self._finding_html(v), tip=tip)
        if v.override is not None and v.override.stale:
            item.bg0 = AMBER
        item.acc1 = text
        if v.scope == "other_plan" and v.tone in ("neutral", "good"):
            item.fg0 = "#777"
        # the basis is built on first expand: most findings stay closed, and rebuilding every
        # condition tree on each keystroke would cost more than the assessment itself
        item.lazy = v

    def _populate(self, item: QTreeWidgetItem) -> None:
        key = item.data(0, KEY_ROLE)
        v = self._lazy.get(key) if key else None
        if v is None:
            return
        self._fill_basis(item, v)

    def _fill_basis(self, target: QTreeWidgetItem, v: FindingView) -> None:
        """Build the basis rows of one finding under its (existing) item."""
        key = target.data(0, KEY_ROLE)
        self._lazy.pop(key, None)
        target.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless)
        item = _Node(key, "", "", "")
        self._basis(item, v)
        self._apply(target, item.children, {})

    def _basis(self, item: _Node, v: FindingView) -> None:
        b, h = v.basis, _h()
        if v.override is not None:
            o = self._child(item, v.override.line, v.override.short.upper() if v.override.stale else v.override.kind_word,
                            AMBER if v.override.stale else NEUTRAL, tip=v.override.line)
            o.font0 = "bold"
        self._child(item, f"{h['summary']}: {v.line('panel')}", tip=v.line("panel"))
        self._child(item, f"{h['statement']}: {b.statement}", tip=b.statement)
        cond = self._child(item, h["conditions"])
        for c in b.conditions:
            self._condition(cond, c)
        cond.expand = True
        if b.values:
            vals = self._child(item, h["values"])
            for val in b.values:
                vi = self._child(vals, f"{val.label}: {val.value}", h["go_to_field"])
                vi.field = val.field
            vals.expand = True
        self._missing_items(item, b.missing)
        self._child(item, f"{h['source']}: {b.source.full}")
        conf = self._child(item, f"{h['confidence']}: {b.confidence}", "UNVERIFIED" if b.unverified else "",
                           AMBER if b.unverified else None)
        if b.unverified:
            conf.font0 = "bold"
        for u in b.unverified_basis:
            self._child(item, f"{h['unverified']}: {u}", "UNVERIFIED", AMBER)

    def _condition(self, parent: _Node, c: ConditionStep) -> None:
        item = self._child(parent, f"{c.mark} {c.text}", f"{c.mark} {c.result}", CONDITION_COLOUR[c.state])
        for ch in c.children:
            self._condition(item, ch)
        item.expand = True

    def _missing_items(self, parent: _Node, missing: tuple[MissingInput, ...], heading: bool = True) -> None:
        if not missing:
            return
        h = _h()
        holder = self._child(parent, f"{h['missing']} ({len(missing)})", "", AMBER) if heading else parent
        for m in missing:
            it = self._child(holder, m.words, h["go_to_field"], AMBER, tip=f"Click to enter: {m.words} — {m.detail}")
            it.field = m.field
            it.font0 = "link"
            it.fg0 = "#0b57d0"
        if heading:
            holder.expand = True

    # --- details ----------------------------------------------------------------------------

    def _links(self, missing: tuple[MissingInput, ...]) -> str:
        if not missing:
            return ""
        items = "".join(f"<li><a href='field:{html.escape(m.field)}'>{html.escape(m.words)}</a></li>" for m in missing)
        return (f"<p><b>{_h()['missing']}</b> ({_h()['missing_hint']}):</p><ul>{items}</ul>")

    def _cond_html(self, conds: tuple[ConditionStep, ...]) -> str:
        if not conds:
            return ""
        out = "<ul>"
        for c in conds:
            out += (f"<li>{html.escape(c.text)} <span style='background:{CONDITION_COLOUR[c.state]}'>&nbsp;"
                    f"{c.mark} {c.result}&nbsp;</span>{self._cond_html(c.children)}</li>")
        return out + "</ul>"

    def _finding_html(self, v: FindingView) -> str:
        b, h = v.basis, _h()
        text, colour = v.result("panel"), TONE_COLOUR[v.tone]
        conf = ("<span style='background:#ffefc2; font-weight:bold'>&nbsp;UNVERIFIED&nbsp;</span>"
                if b.unverified else html.escape(b.confidence))
        vals = "".join(f"<li>{html.escape(x.label)}: <b>{html.escape(x.value)}</b></li>" for x in b.values)
        ov = ""
        if v.override is not None:
            bg = AMBER if v.override.stale else NEUTRAL
            ov = f"<p style='background:{bg}'><b>{html.escape(v.override.line)}</b></p>"
        action = "Change or withdraw the override…" if v.override is not None else "Override / acknowledge…"
        ov += f"<p><a href='override:{html.escape(v.id, quote=True)}'>{action}</a></p>"
        return (f"<h3>{html.escape(v.name)} <span style='background:{colour}'>&nbsp;{html.escape(text)}&nbsp;</span></h3>"
                + ov + f"<p>{html.escape(v.line('panel'))}</p>"
                f"<p><b>{h['statement']}:</b> <i>{html.escape(b.statement)}</i></p>"
                f"<p><b>{h['conditions']}:</b></p>{self._cond_html(b.conditions)}"
                + (f"<p><b>{h['values']}:</b></p><ul>{vals}</ul>" if vals else "")
                + self._links(b.missing)
                + f"<p><b>{h['source']}:</b> {html.escape(b.source.full)}<br><b>{h['confidence']}:</b> {conf}</p>"
                + (f"<p><span style='background:#ffefc2'><b>&nbsp;{h['unverified']}:&nbsp;</b></span> "
                   + html.escape("; ".join(b.unverified_basis)) + "</p>" if b.unverified_basis else ""))

    def _resistance_html(self, r: Any) -> str:
        from ixdesk.present.fields import missing_inputs
        from ixdesk.present.findings import source_view
        from ixdesk.present.formats import fmt_parts
        from ixdesk.present.sections import RESISTANCE_RESULT

        rows = ""
        for rr in r.regimens:
            rows += (f"<li><b>Regimen {rr.regimen_index + 1}</b> ({html.escape(', '.join(rr.agents))}), "
                     f"{html.escape(rr.setting or 'setting not recorded')}: {html.escape(fmt_parts(rr.reason_parts))}"
                     f" → <b>{RESISTANCE_RESULT[rr.result]}</b>"
                     + (f"<br><small>{html.escape(source_view(rr.source).full)}; confidence {rr.confidence}</small>"
                        if rr.source else "") + "</li>")
        return (f"<h3>{html.escape(r.label)}: {RESISTANCE_RESULT[r.result]}</h3><p>{html.escape(fmt_parts(r.summary_parts))}</p>"
                f"<ul>{rows}</ul>" + self._links(missing_inputs(r.missing)))

    def _dose_html(self, s: Section, d: Any) -> str:
        lines = [f"<h3>{html.escape(s.title)}</h3><p>{html.escape(s.summary)}</p>"]
        unverified = [r.text for r in s.rows if r.result == "UNVERIFIED"]
        if unverified:
            lines.append("<p><b>" + "<br>".join(html.escape(u) for u in unverified) + "</b></p>")
        lines.append(self._links(s.missing))
        return "".join(lines)

    def _show_detail(self, item: QTreeWidgetItem | None, _prev: Any = None) -> None:
        while item is not None and item.data(0, KEY_ROLE) not in self._details:
            item = item.parent()
        make = self._details.get(item.data(0, KEY_ROLE)) if item is not None else None
        text = make() if make is not None else ""
        if text != self._detail_html:  # re-setting the same HTML would reset the reader's scroll position
            self._detail_html = text
            self.detail.setHtml(text)

    def _activated(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        path = item.data(0, FIELD_ROLE)
        if path:
            self.field_requested.emit(str(path))

    def _link(self, url: Any) -> None:
        s = url if isinstance(url, str) else url.toString()  # the banner's links come as text
        if s.startswith("field:"):
            self.field_requested.emit(s[len("field:"):])
        elif s.startswith("override:"):
            self.override_requested.emit(s[len("override:"):])

    # --- overrides ------------------------------------------------------------------------------

    def finding_at(self, item: QTreeWidgetItem | None) -> str | None:
        """The id of the finding ``item`` belongs to (its row or a row of its basis), else None."""
        while item is not None:
            key = item.data(0, KEY_ROLE)
            if isinstance(key, str) and key.startswith("finding:"):
                return key[len("finding:"):]
            item = item.parent()
        return None

    def override_menu(self, item: QTreeWidgetItem | None) -> QMenu | None:
        """The context menu of a finding's row: override / acknowledge, and withdraw when there is one."""
        fid = self.finding_at(item)
        if fid is None:
            return None
        menu = QMenu(self.tree)
        act = menu.addAction("Change the override / acknowledgement…" if fid in self.overridden
                             else "Override / acknowledge…")
        act.triggered.connect(lambda *_: self.override_requested.emit(fid))
        if fid in self.overridden:
            w = menu.addAction("Withdraw the override")
            w.triggered.connect(lambda *_: self.override_withdraw_requested.emit(fid))
        return menu

    def _context_menu(self, pos: Any) -> None:
        menu = self.override_menu(self.tree.itemAt(pos))
        if menu is not None:
            menu.exec(self.tree.viewport().mapToGlobal(pos))

    # --- for tests and reports --------------------------------------------------------------

    def find_items(self, text: str) -> list[QTreeWidgetItem]:
        return [it for it in _iter_items(self.tree) if text in it.text(0)]

    def item_for_finding(self, finding_id: str) -> QTreeWidgetItem | None:
        for it in _iter_items(self.tree):
            if it.data(0, KEY_ROLE) == f"finding:{finding_id}":
                return it
        return None


def _h() -> dict[str, str]:
    from ixdesk.present.sections import BASIS_HEADINGS

    return BASIS_HEADINGS


class _Node:
    """One row of the results tree as plain data; ``key`` is stable across assessments."""

    __slots__ = ("key", "text0", "text1", "tip", "bg0", "bg1", "fg0", "font0", "font1", "field", "acc1",
                 "lazy", "expand", "children")

    def __init__(self, key: str, text0: str, text1: str, tip: str, bg0: str | None = None, bg1: str | None = None,
                 font0: str = "", font1: str = "", expand: bool = False) -> None:
        self.key, self.text0, self.text1, self.tip = key, text0, text1, tip
        self.bg0, self.bg1 = bg0, bg1
        self.fg0: str | None = None
        self.font0, self.font1 = font0, font1
        self.field, self.acc1 = "", ""
        self.lazy: Any = None  # a Finding whose basis rows are built on first expand
        self.expand = expand  # expanded when first shown
        self.children: list[_Node] = []


def _subtree(item: QTreeWidgetItem) -> list[tuple[str, QTreeWidgetItem]]:
    return [(it.data(0, KEY_ROLE), it) for it in _iter_items_under(item)]


def _iter_items_under(root: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    out: list[QTreeWidgetItem] = []
    stack = [root]
    while stack:
        it = stack.pop()
        out.append(it)
        stack.extend(c for i in range(it.childCount()) if (c := it.child(i)) is not None)
    return out


def _iter_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    out: list[QTreeWidgetItem] = []
    stack = [t for i in range(tree.topLevelItemCount() - 1, -1, -1) if (t := tree.topLevelItem(i)) is not None]
    while stack:
        it = stack.pop()
        out.append(it)
        stack.extend(c for i in range(it.childCount() - 1, -1, -1) if (c := it.child(i)) is not None)
    return out
