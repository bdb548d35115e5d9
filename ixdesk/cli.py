"""The ``ixdesk`` command: the window by default, headless subcommands for everything else.

Every user-facing failure (bad file, bad date, broken criteria) becomes a message naming the field
and the reason, with a non-zero exit, never a traceback. Output never contains patient names or
record numbers: it is often pasted into tickets and logs.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Sequence, TextIO

from ixdesk import __version__

log = logging.getLogger("ixdesk")

SUBCOMMANDS = ("assess", "report", "schema", "criteria", "screenshot", "import", "audit")
EXIT_OK, EXIT_INVALID, EXIT_CRITERIA, EXIT_USAGE = 0, 2, 3, 64
EXIT_INTERNAL = 70  # sysexits EX_SOFTWARE: a valid input that IxDesk failed on (a bug to report)
EXIT_AUDIT_BROKEN = 4  # ixdesk audit: the consult's audit trail does not verify (docs/audit-trail.md)


def _worse(a: int, b: int) -> int:
    """The exit status that says more: an internal failure over an invalid input over success."""
    rank = {EXIT_OK: 0, EXIT_INVALID: 1, EXIT_INTERNAL: 2}
    return a if rank.get(a, 3) >= rank.get(b, 3) else b


def _internal(exc: BaseException) -> str:
    """An internal error in one line: its type and where it happened, never its message or a
    traceback (either could quote patient data into a ticket)."""
    tb = exc.__traceback__
    where = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        if "ixdesk" in code.co_filename:
            where = f" in {Path(code.co_filename).name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return f"internal error ({type(exc).__name__}{where}); the input may be valid: please report this"


def _parse_date(text: str) -> date:
    from ixdesk.core.consult import EARLIEST_DATE, LATEST_DATE

    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= d <= LATEST_DATE:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a plausible date (between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()})")
    return d


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ixdesk",
        description="IxDesk: ixabepilone decision support. With no command, opens the window "
        "(ixdesk FILE opens a consult).",
    )
    p.add_argument("--version", action="version", version=f"ixdesk {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debugging detail to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser("assess", help="assess consult files and print the result")
    a.add_argument("paths", nargs="*", metavar="FILE", help="consult JSON files, folders of them, or .jsonl files")
    a.add_argument("--json", action="store_true", help="print the assessment as JSON (stable format, docs/assessment-json.md)")
    a.add_argument("--jsonl", action="store_true", help="read one consult per line from standard input (or the .jsonl files given); print one JSON result per line")
    a.add_argument("--as-of", type=_parse_date, metavar="DATE", help="judge dates as of DATE (default: the consult date, then today)")
    a.add_argument("--criteria", metavar="DIR", help="use the criteria set in DIR instead of the bundled one")
    a.add_argument("--quiet", action="store_true", help="print nothing for valid consults (batch timing)")
    a.add_argument("--cards", action="store_true",
                   help="print the assessment of one consult as a CDS Hooks cards response (docs/cds-hooks-cards.md)")

    r = sub.add_parser("report", help="write PDF reports for a consult")
    r.add_argument("path", metavar="FILE")
    r.add_argument("--kind", choices=("clinician", "nurse", "patient", "cycle", "visit", "all"), default="all",
                   help="cycle: the nurse's double check for the cycle about to start; visit: the patient's "
                        "next-visit sheet; all: the clinician, nurse and patient reports")
    r.add_argument("-o", "--output", metavar="DIR", default=".", help="folder for the PDFs (default: current folder)")
    r.add_argument("--as-of", type=_parse_date, metavar="DATE", help="'valid as of' date printed on the reports (default: today)")
    r.add_argument("--show-record-number", action="store_true", help="print the record number on the patient summary")

    sub.add_parser("schema", help="print the JSON Schema of the consult file")

    c = sub.add_parser("criteria", help="criteria set commands")
    csub = c.add_subparsers(dest="criteria_command", metavar="ACTION")
    chk = csub.add_parser("check", help="load and validate the criteria set; print its version and sha256")
    chk.add_argument("--dir", metavar="DIR", help="criteria folder to check (default: the bundled set)")
    chk.add_argument("--require-reviewed", action="store_true",
                     help="fail (exit 3) unless the set is the reviewed one (builds use this)")
    csub.add_parser("record", help="maintainers, after a review: record the source checkout's criteria/ "
                    "sha256 as the reviewed set (writes ixdesk/reviewed_criteria.py)")

    im = sub.add_parser("import", help="make a consult from a FHIR R4 bundle (JSON) or NDJSON export")
    im.add_argument("path", metavar="FILE", help="a FHIR R4 Bundle, one resource, or Bulk Data NDJSON")
    im.add_argument("-o", "--output", metavar="CONSULT.json", required=True, help="the consult file to write")
    im.add_argument("--consult-date", type=_parse_date, metavar="DATE",
                    help="the consult date: labs are the latest on or before it (default: today)")
    im.add_argument("--force", action="store_true", help="replace CONSULT.json if it exists")

    au = sub.add_parser("audit", help="print a consult's audit trail and check its hash chain")
    au.add_argument("path", metavar="FILE")
    au.add_argument("--json", action="store_true", help="print the trail as JSON with the check's result")
    au.add_argument("--show-identifiers", action="store_true",
                    help="print changed names and record numbers as recorded (hidden by default)")

    s = sub.add_parser("screenshot", help="open a consult offscreen and save a PNG of the window")
    s.add_argument("path", metavar="FILE")
    s.add_argument("output", metavar="PNG")
    s.add_argument("--size", default="1280x800")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and not argv[0].startswith("-")) or argv[0] == "--smoke-test":
        return _gui(argv)
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="ixdesk: %(levelname)s: %(message)s")
    try:
        if args.command == "assess":
            return cmd_assess(args, sys.stdout, sys.stderr)
        if args.command == "report":
            # one consult, a few PDFs, then exit: its imports build pydantic's schemas and its layout
            # makes tens of thousands of short-lived objects (15% of the command's CPU; +1.3 MB)
            from ixdesk.core.collector import collector_paused

            with collector_paused():
                return cmd_report(args)
        if args.command == "schema":
            return cmd_schema(sys.stdout)
        if args.command == "criteria":
            if args.criteria_command == "record":
                return cmd_criteria_record(sys.stdout, sys.stderr)
            if args.criteria_command != "check":
                print("ixdesk criteria: use 'ixdesk criteria check' (or 'record')", file=sys.stderr)
                return EXIT_USAGE
            return cmd_criteria_check(args.dir, sys.stdout, sys.stderr, args.require_reviewed)
        if args.command == "import":
            return cmd_import(args, sys.stdout, sys.stderr)
        if args.command == "audit":
            return cmd_audit(args, sys.stdout, sys.stderr)
        if args.command == "screenshot":
            from ixdesk.ui.screenshot import main as shot

            return shot([args.path, args.output, "--size", args.size])
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last guard: one line naming the failure, never a traceback
        print(f"ixdesk: {_internal(exc)}", file=sys.stderr)
        return EXIT_INTERNAL
    _parser().print_help()
    return EXIT_USAGE


def _gui(argv: list[str]) -> int:
    smoke = bool(argv) and argv[0] == "--smoke-test"
    if smoke:
        argv = argv[1:]
    path = argv[0] if argv else None
    if len(argv) > 1:
        print("ixdesk: open one consult at a time (ixdesk FILE)", file=sys.stderr)
        return EXIT_USAGE
    from ixdesk.ui import app

    if smoke:
        return app.smoke_test(path)
    return app.run_gui(path)


# --- assess ---------------------------------------------------------------------------------

def _load_criteria(folder: str | None, err: TextIO):
    from ixdesk.core.criteria import CriteriaError, default_criteria, load_criteria

    try:
        crit = load_criteria(folder) if folder else default_criteria()
    except CriteriaError as exc:
        print(f"ixdesk: criteria set is broken, no assessment made: {exc}", file=err)
        return None
    if crit.notice:  # also on stderr, so that --quiet batches and pipes see it
        print(f"ixdesk: warning: {crit.notice} (sha256 {crit.sha256[:16]}…)", file=err)
    return crit


def _expand(paths: Iterable[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.glob("*.json")))
        else:
            out.append(p)
    return out


def cmd_assess(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.cards and (args.json or args.jsonl or len(args.paths) != 1 or Path(args.paths[0]).is_dir()):
        print("ixdesk assess --cards: give one consult file (one CDS Hooks response per patient), "
              "without --json or --jsonl", file=err)
        return EXIT_USAGE
    criteria = _load_criteria(args.criteria, err)
    if criteria is None:
        return EXIT_CRITERIA
    from ixdesk.core.engine import batch_collector

    with batch_collector():
        if args.jsonl:
            return _assess_jsonl(args, criteria, out, err)
        return _assess_files(args, criteria, out, err)


def _assess_files(args: argparse.Namespace, criteria: Any, out: TextIO, err: TextIO) -> int:
    from ixdesk.core.engine import AssessmentInputError, assess
    from ixdesk.core.files import ConsultFileError, load_consult

    status = EXIT_OK
    policy = _course_policy()
    paths = _expand(args.paths)
    if not paths:
        print("ixdesk assess: give at least one consult file (or --jsonl)", file=err)
        return EXIT_USAGE
    results: list[dict[str, Any]] = []
    for path in paths:
        try:
            consult = load_consult(path)
            _warn_broken_trail(consult, str(path), err)
            a = assess(consult, criteria, args.as_of)
        except (ConsultFileError, AssessmentInputError) as exc:
            status = _worse(status, EXIT_INVALID)
            for prob in exc.problems:
                print(f"{path}: {prob}", file=err)
            if args.json:
                results.append({"file": str(path), "error": _problems(exc)})
            continue
        except Exception as exc:  # one consult failing must not lose the others
            status = _worse(status, EXIT_INTERNAL)
            print(f"{path}: {_internal(exc)}", file=err)
            if args.json:
                results.append({"file": str(path), "error": {"problems": [{"field": "", "message": _internal(exc)}]}})
            continue
        if args.quiet:
            continue
        if args.cards:
            from ixdesk.present.cards import build_cards

            out.write(json.dumps(build_cards(a, criteria, consult, policy), indent=2, ensure_ascii=False) + "\n")
        elif args.json:
            results.append({"file": str(path), **a.model_dump(mode="json"), "decision": _decision(a),
                            "next_cycle": _next_cycle(consult, criteria, a, policy), "overrides": _overrides(consult, a)})
        else:
            out.write(render_text(a, str(path), criteria, consult.overrides, consult, policy))
            out.write("\n")
    if args.json and not args.quiet:
        payload: Any = results[0] if len(paths) == 1 else results
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return status


def _warn_broken_trail(consult: Any, name: str, err: TextIO) -> None:
    """A tampered audit trail is said on stderr; the assessment goes on (it never reads the trail)."""
    from ixdesk.core.audit import verify

    if consult.audit is None:
        return
    check = verify(consult.audit)
    if not check.ok:
        print(f"{name}: warning: {check.message} (the assessment does not depend on it; "
              f"see 'ixdesk audit {name}')", file=err)


def _jsonl_sources(paths: Sequence[str]) -> Iterator[tuple[str | None, BinaryIO | str]]:
    """``(file name or None for stdin, binary stream or the reason it cannot be read)`` per source.

    Files are opened as ``safe_read`` opens them (regular files only, never a FIFO or device);
    standard input is whatever the caller piped in, read line by line with a per-line limit.
    """
    from ixdesk.core.safe_read import InputReadError, open_regular_file

    if not paths:
        stdin = sys.stdin
        buf = getattr(stdin, "buffer", None)
        yield None, buf if buf is not None else io.BytesIO(stdin.read().encode("utf-8", "surrogateescape"))
        return
    for p in _expand(paths):
        try:
            fh = open_regular_file(p)
        except InputReadError as exc:
            yield str(p), exc.reason
            continue
        with fh:
            yield str(p), fh


def _assess_jsonl(args: argparse.Namespace, criteria: Any, out: TextIO, err: TextIO) -> int:
    """One output line per non-blank input line, in order: the assessment, or an error object.

    A bad line (invalid JSON or UTF-8, not an object, an invalid consult, too long) costs that line
    only; each output line carries its ``line`` number (and ``file``, for files) so results can be
    matched to inputs. Errors name the field and the reason, never a value from the consult.
    """
    from ixdesk.core.engine import AssessmentInputError, assess
    from ixdesk.core.files import MAX_FILE_BYTES, ConsultFileError, parse_consult
    from ixdesk.core.safe_read import InputReadError, LineTooLong, iter_lines_limited

    status = EXIT_OK
    policy = _course_policy()

    write = _byte_writer(out)

    def emit(where: dict[str, Any], body: dict[str, Any]) -> None:
        write(_utf8(json.dumps({**where, **body}, ensure_ascii=False) + "\n"))

    def fail(where: dict[str, Any], problems: list[dict[str, str]], code: int = EXIT_INVALID) -> None:
        nonlocal status
        status = _worse(status, code)
        emit(where, {"error": {"problems": problems}})
        label = where.get("file", "<stdin>") + (f":{where['line']}" if "line" in where else "")
        for prob in problems:
            print(f"{label}: " + (f"{prob['field']}: " if prob["field"] else "") + prob["message"], file=err)

    for name, stream in _jsonl_sources(args.paths):
        src: dict[str, Any] = {"file": name} if name is not None else {}
        if isinstance(stream, str):
            fail(src, [{"field": "", "message": stream}])
            continue
        lines = iter_lines_limited(stream, MAX_FILE_BYTES)
        n = 0
        while True:
            try:
                item = next(lines, None)
            except InputReadError as exc:
                fail({**src, "line": n + 1}, [{"field": "", "message": exc.reason}])
                break
            if item is None:
                break
            n, body = item
            where = {**src, "line": n}
            if isinstance(body, LineTooLong):
                fail(where, [{"field": "", "message": body.reason}])
                continue
            if not body.strip():
                continue  # blank lines give no output; the line numbers keep results matched to inputs
            try:
                consult = parse_consult(body, f"{name or '<stdin>'}:{n}")
                _warn_broken_trail(consult, f"{name or '<stdin>'}:{n}", err)
                a = assess(consult, criteria, args.as_of)
            except (ConsultFileError, AssessmentInputError) as exc:
                fail(where, _problems(exc)["problems"])
                continue
            except Exception as exc:  # one line failing must not lose the rest of the batch
                fail(where, [{"field": "", "message": _internal(exc)}], EXIT_INTERNAL)
                continue
            if not args.quiet:  # the line's keys spliced before the assessment's own JSON (model_dump_json's bytes)
                write(b"".join((
                    _utf8(json.dumps(where, ensure_ascii=False)[:-1]), b", ", a.json_bytes()[1:-1],
                    b', "decision": ', _utf8(json.dumps(_decision(a), ensure_ascii=False)),
                    b', "next_cycle": ', _utf8(json.dumps(_next_cycle(consult, criteria, a, policy), ensure_ascii=False)),
                    b', "overrides": ', _utf8(json.dumps(_overrides(consult, a), ensure_ascii=False)), b"}\n")))
    flush = getattr(getattr(out, "buffer", None), "flush", None)
    if flush is not None:
        flush()
    return status


def _utf8(text: str) -> bytes:
    """UTF-8, keeping what a POSIX file name could not decode as the bytes it was (surrogateescape,
    as the standard streams do): a file named with such a byte must not stop the batch."""
    return text.encode("utf-8", "surrogateescape")


def _byte_writer(out: TextIO) -> Any:
    """Write lines, given as UTF-8 bytes, to ``out``'s byte layer when it is safe to skip the text
    layer: a UTF-8 stream that translates no newlines, is not a terminal and is not line
    buffered (a file, a pipe). Its text layer is flushed first, so nothing is reordered. An
    assessment's JSON is 75-80 kB of UTF-8 already, and decoding it only for the text layer to
    encode it again cost a third as much as writing it. Anywhere else (a terminal, Windows, a
    StringIO) the text goes through the text layer as before."""
    buffer = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").replace("-", "").lower()
    try:
        interactive = bool(out.isatty()) or bool(getattr(out, "line_buffering", False))
    except (AttributeError, ValueError, OSError):
        interactive = True
    if buffer is None or encoding != "utf8" or os.linesep != "\n" or interactive:
        return lambda b: out.write(b.decode("utf-8", "surrogateescape"))
    out.flush()
    return buffer.write


def _decision(a: Any) -> dict[str, Any]:
    """The consult's decision state (ready / on_hold / not_decided / outside_label), added to the JSON."""
    from ixdesk.present.decision import decision_state
    from ixdesk.present.text import decision_json

    return decision_json(decision_state(a))


def _course_policy() -> Any:
    """The clinic's course policies (weight-change threshold, dose rounding), read once per run from
    the clinic settings file; the core validates them and notes a bad one."""
    from ixdesk.clinic_settings import clinic_value
    from ixdesk.core.course_policy import ROUNDING_SETTING, WEIGHT_SETTING, course_policy

    return course_policy(clinic_value(WEIGHT_SETTING), clinic_value(ROUNDING_SETTING))


def _next_cycle(consult: Any, criteria: Any, a: Any, policy: Any = None) -> dict[str, Any] | None:
    """The cycle about to start (gate, dose, the rule that applied, the course so far), null without
    a course."""
    from ixdesk.core.course import assess_next_cycle

    if consult.course is None:
        return None
    r = assess_next_cycle(consult, criteria, a.as_of, policy)
    return None if r is None else r.model_dump(mode="json")


def _overrides(consult: Any, a: Any) -> list[dict[str, Any]]:
    """The clinicians' overrides beside the computed findings, each with its stale flag
    (docs/assessment-json.md, "overrides"); an empty list when there are none."""
    if not consult.overrides:
        return []
    from ixdesk.present.overrides import overrides_json

    return overrides_json(consult.overrides, a)


def _problems(exc: Any) -> dict[str, Any]:
    return {"problems": [{"field": p.field, "message": p.message} for p in exc.problems]}


def render_text(a: Any, name: str, criteria: Any = None, overrides: Any = (), consult: Any = None,
                policy: Any = None) -> str:
    """A readable assessment, every word from the presentation layer (ixdesk.present): the decision
    first, then the sections for the plan under discussion, then the other plans, apart."""
    from ixdesk.present.text import assessment_text

    return assessment_text(a, name, criteria, overrides, consult, policy)


# --- audit ----------------------------------------------------------------------------------

# fields whose values identify the patient: never printed unless asked (output goes into tickets)
IDENTIFYING_FIELDS = ("patient.name", "patient.record_number")
HIDDEN = "(hidden)"


def _shown_detail(detail: dict[str, Any], reveal: bool) -> dict[str, Any]:
    if reveal or detail.get("field") not in IDENTIFYING_FIELDS:
        return detail
    return {k: (HIDDEN if k in ("old", "new") and v is not None else v) for k, v in detail.items()}


def _detail_text(kind: str, detail: dict[str, Any]) -> str:
    """One line for the table: 'Neutrophils (ANC): 1,200 -> 1,600', else the detail's keys and values."""
    def value(v: Any) -> str:
        if v is None:
            return "(empty)"
        return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)

    if kind == "input_changed" and "field" in detail:
        label = detail.get("label") or detail["field"]
        return f"{label}: {value(detail.get('old'))} → {value(detail.get('new'))}"
    return "; ".join(f"{k}: {value(v)}" for k, v in detail.items())


def cmd_audit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the trail; exit 4 (with the first broken entry named) when its chain does not verify."""
    from ixdesk.core.audit import verify
    from ixdesk.core.files import ConsultFileError, load_consult

    try:
        consult = load_consult(args.path)
    except ConsultFileError as exc:
        for prob in exc.problems:
            print(f"{args.path}: {prob}", file=err)
        return EXIT_INVALID
    trail = consult.audit
    check = verify(trail)
    entries = trail.entries if trail is not None else []
    if args.json:
        doc = {
            "file": str(args.path),
            "intact": check.ok,
            "first_broken": check.first_broken,
            "break": check.kind,
            "message": check.message,
            "count": trail.count if trail is not None else 0,
            "head": trail.head if trail is not None else None,
            "entries": [{**e.model_dump(mode="json"), "detail": _shown_detail(e.detail, args.show_identifiers)}
                        for e in entries],
        }
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    elif trail is None:
        out.write(f"{args.path}: no audit trail (written by hand or before IxDesk kept trails, or never saved from the window)\n")
    else:
        out.write(f"Audit trail of {args.path}: {len(entries)} entries\n")
        out.write(f"{'#':>4}  {'time (UTC)':<24}  {'user':<20}  {'kind':<14}  detail\n")
        for e in entries:
            user = e.user if e.user is not None else "unknown user"
            detail = _detail_text(e.kind, _shown_detail(e.detail, args.show_identifiers))
            mark = "  <-- broken here" if check.first_broken == e.seq and not check.ok else ""
            out.write(f"{e.seq:>4}  {e.time:<24}  {user[:20]:<20}  {e.kind:<14}  {detail}{mark}\n")
        if not args.show_identifiers and any(e.detail.get("field") in IDENTIFYING_FIELDS for e in entries):
            out.write(f"{HIDDEN}: a name or record number; --show-identifiers prints them\n")
        out.write(("chain: intact" if check.ok else f"chain: BROKEN at entry {check.first_broken}") + "\n")
    if not check.ok:
        print(f"ixdesk audit: {args.path}: {check.message}", file=err)
        return EXIT_AUDIT_BROKEN
    return EXIT_OK


# --- other commands -------------------------------------------------------------------------

def cmd_schema(out: TextIO) -> int:
    from ixdesk.core.consult import Consult

    out.write(json.dumps(Consult.model_json_schema(), indent=2) + "\n")
    return EXIT_OK


def cmd_criteria_check(folder: str | None, out: TextIO, err: TextIO, require_reviewed: bool = False) -> int:
    from ixdesk.core.criteria import CriteriaError, load_criteria

    try:
        c = load_criteria(folder)
    except CriteriaError as exc:
        print(f"criteria check failed: {exc}", file=err)
        return EXIT_CRITERIA
    unverified = [r.id for r in c.rules if r.confidence == "unverified"]
    out.write(f"{c.info.name} {c.version} ({c.info.date.isoformat()})\n")
    out.write(f"folder: {c.folder}\nsha256: {c.sha256}\n")
    out.write(f"rules: {len(c.rules)}; documents: {len(c.documents)}; formulary agents: {len(c.formulary.agents)}\n")
    out.write(f"unverified rules: {', '.join(unverified) if unverified else 'none'}\n")
    if c.reviewed:
        out.write("reviewed: yes (the recorded sha256 of the reviewed set)\n")
    else:
        out.write(f"reviewed: NO: {c.notice} (recorded: {c.reviewed_sha256 or 'none'})\n")
        if require_reviewed:
            print(f"criteria check failed: {c.notice}; after a review, record it with 'ixdesk criteria record'",
                  file=err)
            return EXIT_CRITERIA
    out.write("OK\n")
    return EXIT_OK


def cmd_criteria_record(out: TextIO, err: TextIO) -> int:
    """Maintainers only, after a review: the one command that makes the current set the reviewed one."""
    from ixdesk.core.criteria import CriteriaError
    from ixdesk.core.criteria_review import RECORD_PATH, RecordError, record_review

    try:
        c = record_review()
    except (CriteriaError, RecordError) as exc:
        print(f"criteria record failed: {exc}", file=err)
        return EXIT_CRITERIA
    out.write(f"recorded {c.info.name} {c.version} sha256 {c.sha256} as the reviewed set in {RECORD_PATH}\n")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from ixdesk.core.engine import AssessmentInputError, assess
    from ixdesk.core.files import ConsultFileError, load_consult

    criteria = _load_criteria(None, sys.stderr)
    if criteria is None:
        return EXIT_CRITERIA
    try:
        consult = load_consult(args.path)
    except ConsultFileError as exc:
        for prob in exc.problems:
            print(f"{args.path}: {prob}", file=sys.stderr)
        return EXIT_INVALID
    from ixdesk.reports import report_kinds, write_reports
    from ixdesk.clinic_settings import load_settings

    printed_on = args.as_of or date.today()
    try:
        assessment = assess(consult, criteria, args.as_of)
    except AssessmentInputError as exc:
        for prob in exc.problems:
            print(f"{args.path}: {prob}", file=sys.stderr)
        return EXIT_INVALID
    try:
        settings = load_settings()
        paths = write_reports(args.kind, consult, assessment, criteria, settings, printed_on, Path(args.output),
                              stem=Path(args.path).stem, show_record_number=args.show_record_number,
                              policy=_course_policy())
    except OSError as exc:
        print(f"ixdesk report: cannot write to {args.output}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # a layout failure is a bug: say so in one line, write nothing half-made
        print(f"ixdesk report: {args.path}: {_internal(exc)}", file=sys.stderr)
        return EXIT_INTERNAL
    for p in paths:
        print(p)
    from ixdesk.present.settings import no_number_warning

    no_number = no_number_warning(settings, report_kinds(args.kind))
    if no_number:
        print(f"ixdesk report: warning: {no_number}", file=sys.stderr)
    return EXIT_OK


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the same path, a symlink or a hard link to it)."""
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """FHIR file -> consult file. A malformed file names the resource and the field (exit 2); what was
    not mapped is listed with the reason. Names and record numbers are never printed."""
    from ixdesk.core.files import save_consult
    from ixdesk.interop.fhir_map import ImportRefused, import_file
    from ixdesk.interop.fhir_read import FhirReadError
    from ixdesk.interop.report import summary_lines

    criteria = _load_criteria(None, err)
    if criteria is None:
        return EXIT_CRITERIA
    target = Path(args.output)
    if _same_file(Path(args.path), target):
        # --force replaces a consult, never the export being read: that would lose the source
        print(f"ixdesk import: {target} is the file being imported; give the consult another name", file=err)
        return EXIT_INVALID
    if target.exists() and not args.force:
        print(f"ixdesk import: {target} exists; give another name or --force to replace it", file=err)
        return EXIT_INVALID
    try:
        result = import_file(args.path, criteria, args.consult_date)
    except FhirReadError as exc:
        print(f"ixdesk import: {args.path}: not imported, the file is not a valid FHIR R4 export:", file=err)
        for prob in exc.problems:
            print(f"  {prob}", file=err)
        return EXIT_INVALID
    except ImportRefused as exc:
        print(f"ixdesk import: {args.path}: not imported: {exc}", file=err)
        return EXIT_INVALID
    try:
        save_consult(result.consult, target)
    except OSError as exc:
        print(f"ixdesk import: cannot write {target}: {exc.strerror or type(exc).__name__}", file=err)
        return EXIT_INVALID
    for line in summary_lines(result):
        out.write(line + "\n")
    out.write(f"wrote {target}\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
