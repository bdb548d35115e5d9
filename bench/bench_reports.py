"""The three reports against a plain platypus document with the same content.

    python bench/bench_reports.py [--rounds N] [--procs N] [--profile]

The baseline is built here from the reports' own stories: every paragraph (its text and markup,
its style's font, size, leading and indents), every table (its cells and column widths, with one
plain grid) and every spacer and conditional page break, laid out by a plain ``SimpleDocTemplate``
with the same bundled DejaVu fonts, without IxDesk's page frame (header, footer, "page X of Y"),
its shaded rows or its own styles. It is what the same text and tables cost in reportlab itself.

* in-process: the three reports (report data, story and PDF: ``ixdesk.reports.render``) against
  building the three plain documents from the extracted content, interleaved A B A B;
* whole process: ``ixdesk report FILE --kind all -o DIR`` (start, criteria, consult, assessment,
  three PDFs written) against a process that imports reportlab, registers the same fonts and
  writes the three plain documents, interleaved.

Goal (issue 13): the three reports <= 0.8x the plain document, in both. ``main()`` returns rows.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import NOISE_NOTE, ROOT, Samples, child_env, interleave, print_yardstick, run_child, timed  # noqa: E402

from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table  # noqa: E402

from ixdesk.core.criteria import default_criteria  # noqa: E402
from ixdesk.core.engine import assess  # noqa: E402
from ixdesk.core.files import load_consult  # noqa: E402
from ixdesk.paths import examples_dir  # noqa: E402
from ixdesk.reports import KINDS, ReportSettings, build_report, render  # noqa: E402
from ixdesk.reports import layout  # noqa: E402
from ixdesk.reports.fonts import register_fonts  # noqa: E402
from ixdesk.reports.renderers import RENDERERS  # noqa: E402

TYPICAL = "01-combination-after-anthracycline-and-taxane.json"
GOAL = 0.8
STYLE_KEYS = ("fontName", "fontSize", "leading", "leftIndent", "rightIndent", "firstLineIndent", "bulletIndent",
              "spaceBefore", "spaceAfter", "alignment")


def _content(flowable: Any, styles: dict[str, dict[str, Any]]) -> list[Any]:
    """A flowable as plain data: ["p", text, style, bullet] / ["t", rows, widths] / ["s", h] / ["b", h]."""
    if isinstance(flowable, Paragraph):
        st = flowable.style
        key = f"{st.name}-{st.fontSize}-{st.leading}-{st.leftIndent}"
        styles.setdefault(key, {k: getattr(st, k) for k in STYLE_KEYS})
        return [["p", flowable.text, key, flowable.bulletText]]
    if isinstance(flowable, Table):
        rows = [[_cell(c, styles) for c in r] for r in flowable._cellvalues]
        return [["t", rows, list(flowable._argW)]]
    if isinstance(flowable, KeepTogether):
        return [x for f in flowable._content for x in _content(f, styles)]
    if isinstance(flowable, CondPageBreak):
        return [["b", flowable.height]]
    if isinstance(flowable, Spacer):
        return [["s", flowable.height]]
    raise TypeError(f"bench_reports: no plain form for {type(flowable).__name__}")


def _cell(c: Any, styles: dict[str, dict[str, Any]]) -> Any:
    if isinstance(c, str) or c is None:
        return c or ""
    if isinstance(c, (list, tuple)):
        return [x for f in c for x in _content(f, styles)]
    return _content(c, styles)


def extract(consult: Any, assessment: Any, criteria: Any, settings: Any, printed: date) -> dict[str, Any]:
    styles: dict[str, dict[str, Any]] = {}
    docs = {}
    for k in KINDS:
        story = RENDERERS[k]().story(build_report(k, consult, assessment, criteria, settings, printed))
        docs[k] = [x for f in story for x in _content(f, styles)]
    return {"styles": styles, "docs": docs}


# The plain builder, as source: the in-process baseline runs it, and the whole-process one runs it
# in a fresh interpreter (with only reportlab and the fonts).
PLAIN = '''
import io
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.lib import colors

PLAIN_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                         ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                         ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)])


def plain_fonts(folder):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.lib.fonts import addMapping
    if "IxDejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont("IxDejaVuSans", folder + "/DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont("IxDejaVuSans-Bold", folder + "/DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFontFamily("IxDejaVuSans", normal="IxDejaVuSans", bold="IxDejaVuSans-Bold",
                                  italic="IxDejaVuSans", boldItalic="IxDejaVuSans-Bold")
    for b in (0, 1):
        for i in (0, 1):
            addMapping("IxDejaVuSans", b, i, "IxDejaVuSans-Bold" if b else "IxDejaVuSans")


def plain_story(items, styles):
    out = []
    for it in items:
        kind = it[0]
        if kind == "p":
            out.append(Paragraph(it[1], styles[it[2]], bulletText=it[3]))
        elif kind == "t":
            rows = [[c if isinstance(c, str) else plain_story(c, styles) for c in r] for r in it[1]]
            t = Table(rows, colWidths=it[2], hAlign="LEFT", repeatRows=1, splitInRow=1)
            t.setStyle(PLAIN_GRID)
            out.append(t)
        elif kind == "b":
            out.append(CondPageBreak(it[1]))
        else:
            out.append(Spacer(1, it[1]))
    return out


def plain_documents(content):
    styles = {k: ParagraphStyle(k, **v) for k, v in content["styles"].items()}
    pdfs = {}
    for kind, items in content["docs"].items():
        buf = io.BytesIO()
        doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=20 * mm,
                                bottomMargin=20 * mm, invariant=1)
        doc.build(plain_story(items, styles))
        pdfs[kind] = buf.getvalue()
    return pdfs
'''
_ns: dict[str, Any] = {}
exec(PLAIN, _ns)  # noqa: S102 - our own source, shared with the child process
plain_documents = _ns["plain_documents"]
plain_fonts = _ns["plain_fonts"]

PLAIN_CHILD = PLAIN + '''
import json, sys, pathlib
plain_fonts(sys.argv[1])
content = json.loads(pathlib.Path(sys.argv[2]).read_text(encoding="utf-8"))
for kind, pdf in plain_documents(content).items():
    (pathlib.Path(sys.argv[3]) / f"plain-{kind}.pdf").write_bytes(pdf)
print("ok")
'''
# The floor of any whole-process run: the interpreter, reportlab's platypus and the two DejaVu
# faces registered, nothing laid out. IxDesk's process needs all of it and its own work on top.
FLOOR_CHILD = PLAIN + '''
import sys
plain_fonts(sys.argv[1])
print("ok")
'''
IXDESK_CHILD = "import sys; from ixdesk.cli import main; sys.exit(main())"


def _pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n")


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15, help="interleaved in-process rounds (default 15)")
    ap.add_argument("--procs", type=int, default=5, help="interleaved whole-process pairs (default 5; 0 skips)")
    ap.add_argument("--repeat", type=int, help=argparse.SUPPRESS)  # the old name of --rounds
    ap.add_argument("--no-profile", action="store_true", help=argparse.SUPPRESS)  # accepted: the profile is opt-in
    ap.add_argument("--profile", action="store_true", help="print the cProfile of the three reports")
    args = ap.parse_args(argv)
    rounds = args.repeat or args.rounds
    print_yardstick()
    print(NOISE_NOTE + "\n")

    register_fonts()
    criteria = default_criteria()
    example = examples_dir() / TYPICAL
    consult = load_consult(example)
    assessment = assess(consult, criteria)
    settings = ReportSettings(clinic_name="Bench Clinic", clinic_phone="+1 555 0100", urgent_phone="+1 555 0199")
    printed = date(2026, 11, 20)
    content = extract(consult, assessment, criteria, settings, printed)

    def ixdesk() -> dict[str, bytes]:
        return {k: render(k, consult, assessment, criteria, settings, printed) for k in KINDS}

    def plain() -> dict[str, bytes]:
        return plain_documents(content)

    def cold() -> dict[str, bytes]:
        """A process's first print: the paragraph caches empty (reportlab imported, fonts loaded)."""
        layout._PARSED.clear()
        layout._BROKEN.clear()
        return ixdesk()

    others = []
    for p in sorted(examples_dir().glob("*.json")):
        if p.name != TYPICAL:
            oc = load_consult(p)
            others.append((oc, assess(oc, criteria)))

    def seen_others() -> None:
        """Untimed: empty caches, then print every other example, as a clinic's day would."""
        layout._PARSED.clear()
        layout._BROKEN.clear()
        for oc, oa in others:
            for k in KINDS:
                render(k, oc, oa, criteria, settings, printed)

    pages_ix = {k: _pages(v) for k, v in ixdesk().items()}
    pages_plain = {k: _pages(v) for k, v in plain().items()}
    s = interleave({"plain": plain, "ixdesk": ixdesk, "cold": cold}, rounds, warmup=1)
    base, ix, first = s["plain"], s["ixdesk"], s["cold"]
    fresh = Samples()  # this consult new to the caches, after the other examples were printed
    for _ in range(max(3, rounds // 3)):
        seen_others()
        w, c = timed(ixdesk)
        fresh.add(w, c)
    print(f"pages: IxDesk {pages_ix}; plain {pages_plain}")
    print(f"{'in-process, median of ' + str(rounds):<44}{'wall ms':>10}{'cpu ms':>10}{'ratio':>8}")
    print(f"{'plain platypus, same content (baseline)':<44}{base.median * 1e3:>10.1f}{base.cpu_median * 1e3:>10.1f}")
    print(f"{'the three IxDesk reports':<44}{ix.median * 1e3:>10.1f}{ix.cpu_median * 1e3:>10.1f}"
          f"{ix.median / base.median:>8.2f}  goal <= {GOAL}")
    print(f"{'  the same, a consult new to this process':<44}{fresh.median * 1e3:>10.1f}{fresh.cpu_median * 1e3:>10.1f}"
          f"{fresh.median / base.median:>8.2f}")
    print(f"{'  the same, a process first print':<44}{first.median * 1e3:>10.1f}{first.cpu_median * 1e3:>10.1f}"
          f"{first.median / base.median:>8.2f}")
    rows = [
        {"metric": "plain platypus, the reports' content", "value": base.median * 1e3, "unit": "ms",
         "cpu": base.cpu_median * 1e3},
        {"metric": f"three reports ({sum(pages_ix.values())} pages), in-process", "value": ix.median * 1e3, "unit": "ms",
         "baseline": base.median * 1e3, "ratio": ix.median / base.median, "target": f"<= {GOAL}x",
         "ok": ix.median / base.median <= GOAL, "cpu": ix.cpu_median * 1e3},
        {"metric": "  the same, a consult new to the process", "value": fresh.median * 1e3, "unit": "ms",
         "baseline": base.median * 1e3, "ratio": fresh.median / base.median, "target": f"<= {GOAL}x",
         "ok": fresh.median / base.median <= GOAL, "cpu": fresh.cpu_median * 1e3},
        {"metric": "  the same, a process's first print", "value": first.median * 1e3, "unit": "ms",
         "baseline": base.median * 1e3, "ratio": first.median / base.median, "target": f"<= {GOAL}x",
         "ok": first.median / base.median <= GOAL, "cpu": first.cpu_median * 1e3},
    ]
    if args.procs:
        env = child_env()
        with tempfile.TemporaryDirectory() as d:
            cfile = Path(d) / "content.json"
            cfile.write_text(json.dumps(content), encoding="utf-8")
            out = Path(d) / "out"
            out.mkdir()
            pcmd = [sys.executable, "-c", PLAIN_CHILD, str(ROOT / "resources" / "fonts"), str(cfile), str(out)]
            icmd = [sys.executable, "-c", IXDESK_CHILD, "report", str(example), "--kind", "all", "-o", str(out),
                    "--as-of", printed.isoformat()]
            env = child_env(XDG_CONFIG_HOME=str(Path(d) / "config"), HOME=d)
            fcmd = [sys.executable, "-c", FLOOR_CHILD, str(ROOT / "resources" / "fonts")]
            for cmd in (pcmd, icmd, fcmd):
                run_child(cmd, env)  # warm caches and .pyc files
            pp, pi, pf = Samples(), Samples(), Samples()
            for _ in range(args.procs):
                w, c, _ = run_child(pcmd, env)
                pp.add(w, c)
                w, c, _ = run_child(icmd, env)
                pi.add(w, c)
                w, c, _ = run_child(fcmd, env)
                pf.add(w, c)
        print(f"{'whole process, median of ' + str(args.procs):<44}")
        print(f"{'plain platypus child (baseline)':<44}{pp.median * 1e3:>10.1f}{pp.cpu_median * 1e3:>10.1f}")
        print(f"{'ixdesk report --kind all':<44}{pi.median * 1e3:>10.1f}{pi.cpu_median * 1e3:>10.1f}"
              f"{pi.median / pp.median:>8.2f}  goal <= {GOAL}")
        print(f"{'floor: interpreter + reportlab + fonts':<44}{pf.median * 1e3:>10.1f}{pf.cpu_median * 1e3:>10.1f}"
              f"{pf.median / pp.median:>8.2f}  (+ the renders alone: {(pf.median + ix.median) / pp.median:.2f})")
        rows += [
            {"metric": "whole process: plain platypus", "value": pp.median * 1e3, "unit": "ms", "cpu": pp.cpu_median * 1e3},
            {"metric": "whole process: ixdesk report --kind all", "value": pi.median * 1e3, "unit": "ms",
             "baseline": pp.median * 1e3, "ratio": pi.median / pp.median, "target": f"<= {GOAL}x",
             "ok": pi.median / pp.median <= GOAL, "cpu": pi.cpu_median * 1e3},
            {"metric": "  floor: interpreter + reportlab + fonts, nothing drawn", "value": pf.median * 1e3,
             "unit": "ms", "baseline": pp.median * 1e3, "ratio": pf.median / pp.median, "cpu": pf.cpu_median * 1e3},
            # what the goal would leave for everything IxDesk does: the floor plus its in-process
            # renders is a lower bound for any whole-process run that starts from nothing
            {"metric": "  floor + the in-process renders alone", "value": (pf.median + ix.median) * 1e3,
             "unit": "ms", "baseline": pp.median * 1e3, "ratio": (pf.median + ix.median) / pp.median},
        ]
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        ixdesk()
        prof.disable()
        print("\nwhere the time goes (cProfile, one run of the three reports, top by own time):")
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(14)
        print(buf.getvalue())
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
