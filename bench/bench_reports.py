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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
