"""Time the three reports for a typical consult against a one-paragraph reportlab document.

Run: python bench/bench_reports.py [--repeat N]
Both are measured in the same process after a warm-up (fonts registered, criteria loaded, modules
imported), as the median of N runs. The baseline uses the same bundled TrueType font, so the ratio
measures the reports' own work (layout, tables, page numbering), not font loading.
Target from issue 4: all three reports together within 3x the one-paragraph document.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from ixdesk.core.criteria import default_criteria  # noqa: E402
from ixdesk.core.engine import assess  # noqa: E402
from ixdesk.core.files import load_consult  # noqa: E402
from ixdesk.paths import examples_dir  # noqa: E402
from ixdesk.reports import KINDS, ReportSettings, render  # noqa: E402
from ixdesk.reports.fonts import FONT, register_fonts  # noqa: E402

TYPICAL = "01-combination-after-anthracycline-and-taxane.json"


def one_paragraph() -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1)
    doc.build([Paragraph("Ixabepilone 40 mg/m² IV over 3 hours every 3 weeks.",
                         ParagraphStyle("p", fontName=FONT, fontSize=10))])
    return buf.getvalue()


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--no-profile", action="store_true", help="skip the profile printed when the target is missed")
    args = ap.parse_args(argv)
    register_fonts()
    criteria = default_criteria()
    consult = load_consult(examples_dir() / TYPICAL)
    assessment = assess(consult, criteria)
    settings = ReportSettings(clinic_name="Bench Clinic", clinic_phone="+1 555 0100", urgent_phone="+1 555 0199")
    printed = date(2026, 11, 20)

    def report(kind):
        return lambda: render(kind, consult, assessment, criteria, settings, printed)

    one_paragraph()
    for k in KINDS:
        report(k)()
    base = median_time(one_paragraph, args.repeat)
    rows = [(k, median_time(report(k), args.repeat)) for k in KINDS]
    total = sum(t for _, t in rows)
    print(f"{'document':<28}{'median ms':>10}{'x baseline':>12}")
    print(f"{'one paragraph (baseline)':<28}{base * 1000:>10.1f}{1:>12.1f}")
    for k, t in rows:
        print(f"{k + ' report':<28}{t * 1000:>10.1f}{t / base:>12.1f}")
    print(f"{'all three reports':<28}{total * 1000:>10.1f}{total / base:>12.1f}")
    print(f"target: all three <= 3.0x baseline -> {'met' if total / base <= 3 else 'NOT met'}")
    pages = {k: len(render(k, consult, assessment, criteria, settings, printed).split(b"/Type /Page\n")) - 1 for k in KINDS}
    n_pages = sum(pages.values())
    print(f"pages: {pages}; {total / max(1, n_pages) * 1000:.1f} ms per page")
    if total / base > 3 and not args.no_profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for k in KINDS:
            report(k)()
        prof.disable()
        print("\nwhere the time goes (cProfile, one run of the three reports, top by own time):")
        pstats.Stats(prof).sort_stats("tottime").print_stats(8)
    out = [{"metric": "one-paragraph reportlab document", "value": base * 1000, "unit": "ms"}]
    out += [{"metric": f"{k} report ({pages[k]} pages)", "value": t * 1000, "unit": "ms", "baseline": base * 1000,
             "ratio": t / base} for k, t in rows]
    out.append({"metric": f"all three reports ({n_pages} pages)", "value": total * 1000, "unit": "ms",
                "baseline": base * 1000, "ratio": total / base, "target": "<= 3x", "ok": total / base <= 3})
    out.append({"metric": "all three reports, per page", "value": total / max(1, n_pages) * 1000, "unit": "ms/page",
                "baseline": base * 1000, "ratio": total / max(1, n_pages) / base})
    return out


if __name__ == "__main__":
    main()
