"""PDF reports for three readers: clinician consult summary, nurse pre-infusion checklist, patient summary.

Each report is first built as plain data (``build_*_report``), tested as data, then drawn by a
reportlab renderer sharing one stylesheet and page frame. The CLI and the window call :func:`render`
or :func:`write_reports`; the output is deterministic (same inputs and print date, same bytes).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Iterable, Literal

from ixdesk.core.assessment import Assessment
from ixdesk.core.collector import collector_paused
from ixdesk.core.consult import Consult
from ixdesk.core.course_policy import CoursePolicy
from ixdesk.core.criteria import Criteria
from ixdesk.core.files import atomic_write_bytes
from ixdesk.present.clinician import ClinicianReport, build_clinician_report
from ixdesk.present.course_history import build_next_visit_report
from ixdesk.present.nurse import NurseReport, build_nurse_report
from ixdesk.present.nurse_cycle import CycleCheckReport, build_cycle_check_report
from ixdesk.present.patient import PatientReport, build_patient_report
from ixdesk.present.settings import ClinicSettings, ReportSettings

ReportKind = Literal["clinician", "nurse", "patient", "cycle", "visit"]
KINDS: tuple[ReportKind, ...] = ("clinician", "nurse", "patient")  # "all"
# the course's sheets, printed for the cycle about to start: the nurse's independent double check
# and the patient's next-visit sheet (not part of "all": a consult without a course has no cycle)
COURSE_KINDS: tuple[ReportKind, ...] = ("cycle", "visit")
ALL_KINDS: tuple[ReportKind, ...] = KINDS + COURSE_KINDS
TITLES = {"clinician": "Clinician consult summary", "nurse": "Nurse pre-infusion checklist",
          "patient": "Patient summary", "cycle": "Cycle double check", "visit": "Patient next-visit sheet"}


def build_report(kind: ReportKind, consult: Consult, assessment: Assessment, criteria: Criteria,
                 settings: ReportSettings | None, printed_on: date, show_record_number: bool = False,
                 policy: CoursePolicy | None = None,
                 ) -> ClinicianReport | NurseReport | PatientReport | CycleCheckReport:
    """``policy``: the clinic's course policies (weight threshold, dose rounding), read by the caller
    from the clinic settings (this layer reads no file); None: neither is set."""
    settings = settings or ReportSettings()
    if kind == "clinician":
        return build_clinician_report(consult, assessment, criteria, settings, printed_on, policy)
    if kind == "nurse":
        return build_nurse_report(consult, assessment, criteria, settings, printed_on)
    if kind == "patient":
        return build_patient_report(consult, assessment, criteria, settings, printed_on,
                                    show_record_number=show_record_number)
    if kind == "cycle":
        return build_cycle_check_report(consult, assessment, criteria, settings, printed_on, policy)
    if kind == "visit":
        return build_next_visit_report(consult, assessment, criteria, settings, printed_on,
                                       show_record_number=show_record_number, policy=policy)
    raise ValueError(f"unknown report kind {kind!r}; expected one of {', '.join(ALL_KINDS)}")


def render(kind: ReportKind, consult: Consult, assessment: Assessment, criteria: Criteria,
           settings: ReportSettings | None, printed_on: date, show_record_number: bool = False,
           policy: CoursePolicy | None = None) -> bytes:
    """The PDF of one report, as bytes."""
    from ixdesk.reports.renderers import RENDERERS

    with collector_paused():  # a report makes tens of thousands of short-lived objects
        report = build_report(kind, consult, assessment, criteria, settings, printed_on, show_record_number, policy)
        return RENDERERS[kind]().render(report)


def warm_up() -> None:
    """Load what a first print needs (reportlab, the renderers, the fonts, the stylesheets), so that
    it does not wait for them.

    The window calls it on a worker thread once the consult is on screen: a process's first export
    otherwise spends most of its time importing reportlab and parsing the two TrueType fonts
    (measured in ``bench/bench_ui.py``). It draws nothing and writes nothing; a failure here is
    left for the print itself to report."""
    from ixdesk.reports.fonts import register_fonts
    from ixdesk.reports.renderers import RENDERERS

    register_fonts()
    for renderer in RENDERERS.values():
        renderer()  # each builds its stylesheet once (styles.stylesheet is cached per size)


def report_kinds(kinds: Iterable[ReportKind] | ReportKind | Literal["all"]) -> list[ReportKind]:
    """The kinds ``write_reports`` writes, in order, once each ("all": the three reports)."""
    if isinstance(kinds, str):
        kinds = KINDS if kinds == "all" else (kinds,)
    wanted = list(dict.fromkeys(kinds))
    for k in wanted:
        if k not in ALL_KINDS:
            raise ValueError(f"unknown report kind {k!r}; expected one of {', '.join(ALL_KINDS)} or 'all'")
    return wanted


def report_filename(stem: str, kind: ReportKind) -> str:
    return f"{stem}-{kind}.pdf"


def write_reports(kinds: Iterable[ReportKind] | ReportKind | Literal["all"], consult: Consult, assessment: Assessment,
                  criteria: Criteria, settings: ReportSettings | None, printed_on: date, out_dir: str | os.PathLike[str],
                  stem: str = "consult", show_record_number: bool = False,
                  policy: CoursePolicy | None = None) -> list[Path]:
    """Write the chosen reports into ``out_dir`` as ``<stem>-<kind>.pdf``; return the paths written.

    ``stem`` is the consult file's stem (``Path(consult_file).stem``). ``kinds`` may be "all".
    """
    wanted = report_kinds(kinds)
    out = Path(out_dir)
    paths: list[Path] = []
    for kind in wanted:
        data = render(kind, consult, assessment, criteria, settings, printed_on, show_record_number, policy)
        path = out / report_filename(stem, kind)
        atomic_write_bytes(path, data)
        paths.append(path)
    return paths


__all__ = [
    "ALL_KINDS", "COURSE_KINDS", "CycleCheckReport", "build_cycle_check_report", "build_next_visit_report", "KINDS", "TITLES", "ClinicSettings", "ClinicianReport", "NurseReport", "PatientReport", "ReportKind",
    "ReportSettings", "build_clinician_report", "build_nurse_report", "build_patient_report", "build_report",
    "render", "report_filename", "report_kinds", "write_reports",
]
