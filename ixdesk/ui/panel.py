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
    QFrame, QHeaderView, QLabel, QSplitter, QStyle, QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic models load after the window is on screen
    from ixdesk.core.assessment import Assessment, Condition, Finding, Missing

FIELD_ROLE = Qt.ItemDataRole.UserRole
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2

GREEN, RED, AMBER, GREY = "#d7f0d8", "#ffd6d6", "#ffefc2", "#e8e8e8"
STATE_TEXT = {"met": ("✔ MET", GREEN), "not_met": ("✘ NOT MET", GREY), "unknown": ("? UNKNOWN", AMBER)}
RISK_TEXT = {"met": ("⊘ APPLIES", RED), "not_met": ("✔ ruled out", GREEN), "unknown": ("? not ruled out", AMBER)}
WARN_TEXT = {"met": ("⚠ APPLIES", AMBER), "not_met": ("✔ does not apply", GREEN), "unknown": ("? unknown", AMBER)}
NEUTRAL = "#dfe6f2"  # resistance is a fact about the disease, neither good nor bad: no green, no red
RESIST_TEXT = {"resistant": ("RESISTANT", NEUTRAL), "not_resistant": ("NOT RESISTANT", None),
               "unknown": ("? UNKNOWN", AMBER), "not_exposed": ("not exposed", None)}
COND_MARK = {"met": "✔", "not_met": "✘", "unknown": "?"}
KIND_ORDER = ("indication", "pathway", "payer")


def elsewhere(f: Finding) -> bool:
    """A rule of another regimen (or of one, with no plan set) whose condition the plan-bound state
    would hide: a contraindication present or not checkable, a pathway that would be met."""
    return f.other_plan is not None


def state_text(f: Finding) -> tuple[str, str]:
    if f.other_plan == "unknown":
        return "? other plan: not checkable", AMBER
    if elsewhere(f) and f.kind == "pathway":
        if f.contraindicated_by:
            return "⚠ contraindicated", AMBER  # would be met, but that plan is contraindicated (tooltip: summary)
        return ("✔ met if chosen" if f.applies_to_plan is False else "✔ met for that plan"), GREEN
    if elsewhere(f):
        return ("⚠ present · other plan" if f.applies_to_plan is False else "⚠ present · plan not set"), AMBER
    table = RISK_TEXT if f.kind == "exclusion" else WARN_TEXT if f.kind == "warning" else STATE_TEXT
    return table[f.state]


class AssessmentPanel(QWidget):
    """Tree of results plus a detail view of the selected one."""

    field_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        # Its own label, above the others: the input and error banners come and go, this one stays
        # for as long as the loaded criteria are not the reviewed set.
        self.criteria_notice = QLabel()
        self.criteria_notice.setWordWrap(True)
        self.criteria_notice.setAccessibleName("Criteria status")
        self.criteria_notice.setStyleSheet(f"background: {RED}; border: 2px solid #a11d1d; padding: 6px; font-weight: bold;")
        self.criteria_notice.hide()
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
        self._lazy: dict[str, Finding] = {}  # item key -> finding whose basis is built on first expand
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
        self.headline.setVisible(on and self._shown is not None)
        self.results_hidden = not on

    def _banner(self, text: str, colour: str) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(f"background: {colour}; border: 1px solid #999; padding: 6px;")
        self.banner.show()

    # --- building ---------------------------------------------------------------------------

    def show_assessment(self, a: Assessment) -> None:
        """Show ``a``, changing only the rows that differ from what is on screen.

        The tree is described as plain ``_Node``s first (cheap Python), then reconciled with the
        existing items by key: unchanged rows are not touched, so a keystroke that moves the dose
        by a milligram updates a handful of cells instead of rebuilding ~100 rows, and the
        user's expanded rows, selection and scroll position stay where they were."""
        if self._shown is not None and a == self._shown:
            return
        self._shown = a
        self._details = {}
        roots = self._build(a)
        # no setUpdatesEnabled(False/True) around this: that repaints the whole tree (~5 ms);
        # changed cells schedule repaints of their own rows only
        old, self._nodes = self._nodes, {}
        self._apply(self.tree.invisibleRootItem(), roots, old)
        self._fit_result_column()
        current = self.tree.currentItem()
        if current is not None:
            self._show_detail(current)
        self.headline.show()
        text = self._headline(a)
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
        best = min(best, fm.averageCharWidth() * 26)  # a long note is elided (full text in its tooltip)
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

    def _headline(self, a: Assessment) -> str:
        parts: list[str] = []
        if a.blocking:
            titles = ", ".join(html.escape(a.finding(b).title) for b in a.blocking)
            parts.append(f"<div style='background:{RED}; padding:4px;'><b>⊘ BLOCKING — label contraindication "
                         f"present: {titles}</b></div>")
        label = [f for f in a.findings if f.kind == "indication" and f.applies_to_plan is not False]
        met = [f for f in label if f.state == "met"]
        unk = [f for f in label if f.state == "unknown"]
        if met:
            parts.append("<b>✔ FDA label:</b> " + html.escape("; ".join(f.summary for f in met)))
        elif unk:
            n = len({m.field for f in unk for m in f.missing})
            parts.append(f"<b>? FDA label:</b> undetermined — {n} input(s) missing" if n
                         else "<b>? FDA label:</b> undetermined")
        elif not label and a.plan:
            parts.append("<b>✘ FDA label:</b> this plan is not an FDA label indication (see NCCN pathways, payer policies)")
        else:
            parts.append("<b>✘ FDA label:</b> no label indication met for this plan")
        d = a.dose
        if d.state == "computed" and d.dose_mg is not None:
            vials = " + ".join(f"{v.count}×{v.size_mg:g} mg" for v in d.vials)
            hold = " (on hold: a contraindication holds)" if a.blocking else ""
            parts.append(f"<b>Dose{hold}:</b> {d.dose_mg:g} mg ({d.mg_per_m2:g} mg/m² × {_bsa(d.bsa_used_m2)} m²"
                         f"{', capped' if d.bsa_capped else ''}); vials {vials}")
        else:
            parts.append(f"<b>Dose:</b> {html.escape(d.summary)}")
        if a.warnings:
            parts.append(f"<b>⚠ {len(a.warnings)} warning(s)</b>")
        if a.missing:
            parts.append(f"<b>{len(a.missing)} input(s) missing</b> — listed under 'Missing inputs'; click one to go to its field")
        plan = {"monotherapy": "monotherapy", "with_capecitabine": "with capecitabine",
                "with_trastuzumab": "with trastuzumab"}.get(a.plan or "", "plan not recorded")
        parts.append(f"<span style='color:#555'>Plan: {plan} · as of {a.as_of.isoformat()} · criteria "
                     f"{html.escape(a.criteria.version)}</span>")
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

    def _build(self, a: Assessment) -> list[_Node]:
        """The rows for ``a`` as plain nodes (no Qt objects are made here)."""
        self._roots = []
        by_id = {f.id: f for f in a.findings}
        if a.blocking:
            sec = self._section("blocking", "⊘ Blocking exclusions (label contraindications / not recommended)", RED,
                                f"{len(a.blocking)}")
            for fid in a.blocking:
                self._finding(sec, by_id[fid], prefix="blocking:")
        if a.warnings:
            sec = self._section("warnings", "⚠ Warnings", AMBER, f"{len(a.warnings)}")
            for fid in a.warnings:
                self._finding(sec, by_id[fid], prefix="warning:")
        if a.missing:  # the most actionable list while a consult is incomplete
            sec = self._section("missing", "Missing inputs (click one to go to its field)", AMBER, f"{len(a.missing)}")
            self._missing_items(sec, a.missing, heading=False)
            sec.expand = len(a.missing) <= 6
        sec = self._section("resistance", "Resistance by drug class")
        for r in a.resistance:
            text, colour = RESIST_TEXT[r.result]
            item = self._child(sec, f"{r.label}: {r.summary}", text, colour, key=f"res:{r.drug_class}",
                               detail=lambda r=r: self._resistance_html(r))
            for rr in r.regimens:
                rt, rc = RESIST_TEXT[rr.result]
                steps = [f"regimen {rr.regimen_index + 1} ({', '.join(rr.agents)})", rr.setting or "setting not recorded"]
                if rr.start_date:
                    steps.append(f"start {rr.start_date.isoformat()}")
                steps.append("ongoing" if rr.ongoing else f"last dose {rr.last_dose_date.isoformat() if rr.last_dose_date else 'not recorded'}")
                steps.append(f"progression {rr.progression_date.isoformat()}" if rr.progression_date else "no progression date")
                if rr.elapsed:
                    steps.append(f"elapsed {rr.elapsed}")
                if rr.window:
                    steps.append(f"window {rr.window}" + (f" (to {rr.window_end.isoformat()})" if rr.window_end else ""))
                reg = self._child(item, " · ".join(steps), rt, rc, key=f"res:{r.drug_class}:{rr.regimen_index}",
                                  detail=lambda r=r: self._resistance_html(r))
                self._child(reg, f"→ {rr.reason}")
                if rr.source:
                    self._child(reg, f"Source: {self._source_text(rr.source)} · confidence: {rr.confidence}")
                self._missing_items(reg, rr.missing)
            self._missing_items(item, r.missing)
        if a.lines:
            sec = self._section("lines", "Prior lines")
            for lc in a.lines:
                n = lc.text
                it = self._child(sec, f"{lc.label}", n, key=f"lines:{lc.kind}", tip=lc.definition)
                for part in lc.breakdown:
                    unclear = part.startswith("may count")
                    self._child(it, part, "uncertain" if unclear else "", AMBER if unclear else None)
                self._missing_items(it, lc.missing)
                self._child(it, f"definition: {lc.definition}", tip=lc.definition)
        groups: dict[str, list[Finding]] = {}
        for kind in KIND_ORDER:
            for f in a.findings:
                if f.kind == kind:
                    groups.setdefault(f.group, []).append(f)
        checks = [f for f in a.findings if f.kind in ("exclusion", "warning")]
        for group, fs in groups.items():
            mine = [f for f in fs if f.applies_to_plan is not False]  # the counts are for the plan discussed
            n_met = sum(f.state == "met" for f in mine)
            n_unk = sum(f.state == "unknown" for f in mine)
            count = f"{n_met} met · {n_unk} unknown" if mine else "none for this plan"
            sec = self._section(f"group:{group}", group, None, count)
            for f in sorted(fs, key=lambda f: (f.applies_to_plan is False, {"met": 0, "unknown": 1, "not_met": 2}[f.state])):
                self._finding(sec, f)
        self._dose(a)
        if checks:
            n_app = sum(f.state == "met" for f in checks)
            n_unk = sum(f.state == "unknown" and not elsewhere(f) for f in checks)
            n_else = sum(elsewhere(f) for f in checks)
            count = f"{n_app} apply · {n_unk} unknown" + (f" · {n_else} other plan" if n_else else "")
            sec = self._section("checks", "Exclusions and warnings checked", None, count)
            for f in sorted(checks, key=lambda f: 1 if elsewhere(f) else {"met": 0, "unknown": 2, "not_met": 3}[f.state]):
                self._finding(sec, f)
        if a.data_notes:
            sec = self._section("notes", "Notes on the input")
            for n in a.data_notes:
                self._child(sec, n)
        return self._roots

    def _finding(self, parent: _Node, f: Finding, prefix: str = "") -> None:
        text, colour = state_text(f)
        title = f.title
        if f.applies_to_plan is False:
            title += "  (other plan)"
        if f.confidence == "unverified":
            title += "  [unverified]"
        elif f.unverified_basis:
            title += "  [rests on unverified]"
        key = f"{prefix}finding:{f.id}"
        item = self._child(parent, title, text, colour, key=key, detail=lambda f=f: self._finding_html(f),
                           tip=f.summary)
        item.acc1 = text
        if f.applies_to_plan is False and not (elsewhere(f) and f.kind in ("exclusion", "warning")):
            item.fg0 = "#777"
        # the basis is built on first expand: most findings stay closed, and rebuilding every
        # condition tree on each keystroke would cost more than the assessment itself
        item.lazy = f

    def _populate(self, item: QTreeWidgetItem) -> None:
        key = item.data(0, KEY_ROLE)
        f = self._lazy.get(key) if key else None
        if f is None:
            return
        self._fill_basis(item, f)

    def _fill_basis(self, target: QTreeWidgetItem, f: Finding) -> None:
        """Build the basis rows of one finding under its (existing) item."""
        key = target.data(0, KEY_ROLE)
        self._lazy.pop(key, None)
        target.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless)
        item = _Node(key, "", "", "")
        self._basis(item, f)
        self._apply(target, item.children, {})

    def _basis(self, item: _Node, f: Finding) -> None:
        self._child(item, f"Summary: {f.summary}", tip=f.summary)
        self._child(item, f"Statement: {f.statement}", tip=f.statement)
        cond = self._child(item, "Conditions")
        for c in f.conditions:
            self._condition(cond, c)
        cond.expand = True
        if f.values:
            vals = self._child(item, "Values used")
            for v in f.values:
                vi = self._child(vals, f"{v.label}: {v.value}", "go to field ›")
                vi.field = v.field
            vals.expand = True
        self._missing_items(item, f.missing)
        self._child(item, f"Source: {self._source_text(f.source)}")
        conf = self._child(item, f"Confidence: {f.confidence}",
                           "UNVERIFIED" if f.confidence == "unverified" else "", AMBER if f.confidence == "unverified" else None)
        if f.confidence == "unverified":
            conf.font0 = "bold"
        for u in f.unverified_basis:
            self._child(item, f"Rests on unverified: {u}", "UNVERIFIED", AMBER)

    def _condition(self, parent: _Node, c: Condition) -> None:
        text, colour = STATE_TEXT[c.state]
        item = self._child(parent, f"{COND_MARK[c.state]} {c.text}", text, colour)
        for ch in c.children:
            self._condition(item, ch)
        item.expand = True

    def _missing_items(self, parent: _Node, missing: list[Missing], heading: bool = True) -> None:
        if not missing:
            return
        holder = self._child(parent, f"Missing inputs ({len(missing)})", "", AMBER) if heading else parent
        for m in missing:
            it = self._child(holder, f"{m.label}", "go to field ›", AMBER, tip=f"Click to enter: {m.label} ({m.field})")
            it.field = m.field
            it.font0 = "link"
            it.fg0 = "#0b57d0"
        if heading:
            holder.expand = True

    def _dose(self, a: Assessment) -> None:
        d = a.dose
        colour = {"computed": GREEN, "unknown": AMBER, "not_recommended": RED}[d.state]
        head = {"computed": f"{d.dose_mg:g} mg" if d.dose_mg is not None else "computed",
                "unknown": "? UNKNOWN", "not_recommended": "⊘ NOT RECOMMENDED"}[d.state]
        title = f"Dose card: {d.summary}"
        if d.state == "computed" and a.blocking:  # a number, but not one to give while the block holds
            colour, head, title = AMBER, f"on hold · {head}", f"Dose card (on hold: a contraindication holds): {d.summary}"
        sec = self._section("dose", title, None, head)
        sec.bg1 = colour
        self._details["section:dose"] = lambda d=d: self._dose_html(d)
        hw = []
        if d.height_cm is not None:
            hw.append(f"height {d.height_cm:g} cm")
        if d.weight_kg is not None:
            hw.append(f"weight {d.weight_kg:g} kg")
        if d.bsa_m2 is not None:
            cap = f" → capped at {_bsa(d.bsa_used_m2)} m²" if d.bsa_capped and d.bsa_used_m2 is not None else ""
            self._child(sec, f"BSA ({d.bsa_formula}): {_bsa(d.bsa_m2)} m²{cap}  [{', '.join(hw)}]",
                        "capped" if d.bsa_capped else "")
        if d.hepatic_row:
            self._child(sec, f"Hepatic row: {d.hepatic_row}")
        if d.mg_per_m2 is not None:
            self._child(sec, f"Dose rate: {d.mg_per_m2:g} mg/m² (standard {d.standard_mg_per_m2:g} mg/m²)")
        elif d.mg_per_m2_unless_strong_inhibitor is not None and d.mg_per_m2_if_strong_inhibitor is not None:
            meds = "; ".join(d.unrecognised_medications) or "a current medication (not recorded)"
            self._child(sec, f"Dose rate: {d.mg_per_m2_unless_strong_inhibitor:g} mg/m² unless {meds} is a strong CYP3A4 "
                             f"inhibitor (then {d.mg_per_m2_if_strong_inhibitor:g} mg/m²): check for CYP3A4 interaction",
                        "depends", AMBER)
        for adj in d.adjustments:
            self._child(sec, f"Adjustment: {adj}", "adjusted", AMBER)
        if d.dose_mg is not None:
            self._child(sec, f"Dose: {d.dose_mg:g} mg IV over {d.infusion_hours:g} h every {d.cycle_days} days")
        if d.vials:
            vials = " + ".join(f"{v.count} × {v.size_mg:g} mg kit" for v in d.vials)
            self._child(sec, f"Vials: {vials}" + (f" ({d.vial_total_mg:g} mg)" if d.vial_total_mg else ""))
        if d.hcpcs_units is not None:
            self._child(sec, f"Billing: {d.hcpcs_code} × {d.hcpcs_units} units")
        if d.capecitabine is not None:
            c = d.capecitabine
            self._child(sec, f"Capecitabine: {c.mg_per_dose:g} mg per dose ({c.mg_per_m2_per_dose:g} mg/m² × "
                             f"{_bsa(c.bsa_m2)} m²), {c.schedule}")
        if d.premedication:
            pre = self._child(sec, "Premedication (1 hour before infusion)")
            for p in d.premedication:
                when = "" if p.required else f" — {p.when}"
                self._child(pre, f"{p.drug} {p.dose} {p.route}, {p.timing}{when}",
                            "required" if p.required else "if indicated", None if p.required else AMBER,
                            tip=p.when)
        for n in d.notes:
            self._child(sec, f"Note: {n}", tip=n)
        for u in d.unverified:
            self._child(sec, f"Unverified: {u}", "UNVERIFIED", AMBER, tip=u)
        self._missing_items(sec, d.missing)

    # --- details ----------------------------------------------------------------------------

    @staticmethod
    def _source_text(s: Any) -> str:
        return f"{s.document} — {s.title}, {s.section} (version {s.version})"

    def _links(self, missing: list[Missing]) -> str:
        if not missing:
            return ""
        items = "".join(f"<li><a href='field:{html.escape(m.field)}'>{html.escape(m.label)}</a></li>" for m in missing)
        return f"<p><b>Missing inputs</b> (click to go to the field):</p><ul>{items}</ul>"

    def _cond_html(self, conds: list[Condition]) -> str:
        if not conds:
            return ""
        out = "<ul>"
        for c in conds:
            text, colour = STATE_TEXT[c.state]
            out += (f"<li>{html.escape(c.text)} <span style='background:{colour}'>&nbsp;{text}&nbsp;</span>"
                    f"{self._cond_html(c.children)}</li>")
        return out + "</ul>"

    def _finding_html(self, f: Finding) -> str:
        text, colour = state_text(f)
        conf = ("<span style='background:#ffefc2; font-weight:bold'>&nbsp;UNVERIFIED&nbsp;</span>"
                if f.confidence == "unverified" else html.escape(f.confidence))
        vals = "".join(f"<li>{html.escape(v.label)}: <b>{html.escape(v.value)}</b></li>" for v in f.values)
        return (f"<h3>{html.escape(f.title)} <span style='background:{colour}'>&nbsp;{text}&nbsp;</span></h3>"
                f"<p>{html.escape(f.summary)}</p>"
                f"<p><b>Rule:</b> <i>{html.escape(f.statement)}</i></p>"
                f"<p><b>Conditions:</b></p>{self._cond_html(f.conditions)}"
                + (f"<p><b>Patient values used:</b></p><ul>{vals}</ul>" if vals else "")
                + self._links(f.missing)
                + f"<p><b>Source:</b> {html.escape(self._source_text(f.source))}<br><b>Confidence:</b> {conf}</p>"
                + ("<p><span style='background:#ffefc2'><b>&nbsp;Rests on unverified:&nbsp;</b></span> "
                   + html.escape("; ".join(f.unverified_basis)) + "</p>" if f.unverified_basis else ""))

    def _resistance_html(self, r: Any) -> str:
        rows = ""
        for rr in r.regimens:
            rows += (f"<li><b>Regimen {rr.regimen_index + 1}</b> ({html.escape(', '.join(rr.agents))}), "
                     f"{html.escape(rr.setting or 'setting not recorded')}: {html.escape(rr.reason)}"
                     f" → <b>{RESIST_TEXT[rr.result][0]}</b>"
                     + (f"<br><small>{html.escape(self._source_text(rr.source))}; confidence {rr.confidence}</small>"
                        if rr.source else "") + "</li>")
        return (f"<h3>{html.escape(r.label)}: {RESIST_TEXT[r.result][0]}</h3><p>{html.escape(r.summary)}</p>"
                f"<ul>{rows}</ul>" + self._links(r.missing))

    def _dose_html(self, d: Any) -> str:
        lines = [f"<h3>Dose card</h3><p>{html.escape(d.summary)}</p>"]
        if d.unverified:
            lines.append("<p><b>Unverified:</b> " + html.escape("; ".join(d.unverified)) + "</p>")
        lines.append(self._links(d.missing))
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

    # --- for tests and reports --------------------------------------------------------------

    def find_items(self, text: str) -> list[QTreeWidgetItem]:
        return [it for it in _iter_items(self.tree) if text in it.text(0)]

    def item_for_finding(self, finding_id: str) -> QTreeWidgetItem | None:
        for it in _iter_items(self.tree):
            if it.data(0, KEY_ROLE) == f"finding:{finding_id}":
                return it
        return None


def _bsa(v: float | None) -> str:
    """BSA always with two decimals, as on the reports (never 1.7654)."""
    return "?" if v is None else f"{v:.2f}"


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
