#!/usr/bin/env bash
# Build the wheel (from the tracked files only: packaging/build_wheel.sh), install it into a fresh
# venv, and run the CLI from outside the repository.
#
#   bash packaging/check_wheel.sh
#
# Checks that `ixdesk --version`, `ixdesk assess`, `ixdesk report --kind all` and
# `ixdesk criteria check` work from the installed wheel alone, and that criteria/ and resources/
# are read from site-packages (ixdesk/_data), not from the source tree.  Exits non-zero on any
# failure.  Set WHEEL_PIP_ARGS (e.g. "--no-index --find-links DIR") to install offline.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The interpreter that builds the wheel and makes the fresh venv: the active venv's, else python3.
PYTHON="${PYTHON:-$(command -v python 2>/dev/null || command -v python3)}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/ixdesk-wheel.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
fail() { printf 'check_wheel: FAILED: %s\n' "$*" >&2; exit 1; }
step() { printf '== %s\n' "$*"; }
# shellcheck source=packaging/tracked_tree.sh
. "$ROOT/packaging/tracked_tree.sh"
require_python_311 "$PYTHON" || fail "Python version"

step "build wheel (tracked files only)"
WHEEL="$(DIST_DIR="$TMP/wheelhouse" PYTHON="$PYTHON" bash "$ROOT/packaging/build_wheel.sh" | tail -n1)" || fail "wheel build"
[[ -n "$WHEEL" ]] || fail "no wheel produced"
echo "$(basename "$WHEEL") $(stat -c %s "$WHEEL") bytes"

step "wheel contents"
"$PYTHON" - "$WHEEL" <<'PY' || fail "wheel is missing data"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["ixdesk/_data/criteria/sources.yaml", "ixdesk/_data/criteria/set.yaml", "ixdesk/cli.py", "ixdesk/paths.py",
        "ixdesk/reviewed_criteria.py"]
missing = [n for n in need if n not in names]
examples = [n for n in names if n.startswith("ixdesk/_data/resources/examples/") and n.endswith(".json")]
if missing:
    sys.exit(f"missing from wheel: {missing}")
if not examples:
    sys.exit("no example consults under ixdesk/_data/resources/examples/")
stray = [n for n in names if n.startswith(("tests/", "bench/", "packaging/", "criteria/", "resources/"))]
if stray:
    sys.exit(f"files outside the package in the wheel: {stray[:5]}")
print(f"{len(names)} files, {len(examples)} example consults")
PY

step "fresh venv"
"$PYTHON" -m venv "$TMP/venv"
VPY="$TMP/venv/bin/python"
# shellcheck disable=SC2086
"$VPY" -m pip install --quiet --disable-pip-version-check ${WHEEL_PIP_ARGS:-} "$WHEEL" || fail "pip install"
IXDESK="$TMP/venv/bin/ixdesk"
[[ -x "$IXDESK" ]] || fail "no ixdesk console script"

mkdir -p "$TMP/outside"
cd "$TMP/outside"   # not the repository: nothing may be found from the source tree
export QT_QPA_PLATFORM=offscreen
unset PYTHONPATH

step "data comes from site-packages"
"$VPY" - "$ROOT" <<'PY' || fail "data not read from the installed package"
import sys, sysconfig
from pathlib import Path
root = Path(sys.argv[1]).resolve()
site = Path(sysconfig.get_paths()["purelib"]).resolve()
import ixdesk, ixdesk.paths as p
for path in (Path(ixdesk.__file__), p.criteria_dir(), p.resources_dir(), p.examples_dir()):
    path = path.resolve()
    if root in path.parents or not (site in path.parents):
        sys.exit(f"{path} is not inside {site}")
    print("ok", path)
PY

step "ixdesk --version"
"$IXDESK" --version || fail "--version"

step "ixdesk criteria check"
"$IXDESK" criteria check --require-reviewed || fail "criteria check (the bundled set must be the reviewed one: ixdesk criteria record)"

EXAMPLES_DIR="$("$VPY" -c 'import ixdesk.paths as p; print(p.examples_dir())')"
shopt -s nullglob
EXAMPLES=("$EXAMPLES_DIR"/*.json)
[[ ${#EXAMPLES[@]} -gt 0 ]] || fail "no examples in $EXAMPLES_DIR"

step "ixdesk assess (${#EXAMPLES[@]} examples)"
"$IXDESK" assess "${EXAMPLES[@]}" > assess.txt || fail "assess exited $?"
[[ -s assess.txt ]] || fail "assess printed nothing"
"$IXDESK" assess --json "${EXAMPLES[0]}" > assess.json || fail "assess --json"
"$VPY" -c 'import json; json.load(open("assess.json"))' || fail "assess --json output is not JSON"
echo "ok"

step "ixdesk report --kind all"
"$IXDESK" report "${EXAMPLES[0]}" --kind all -o reports || fail "report exited $?"
PDFS=(reports/*.pdf)
[[ ${#PDFS[@]} -eq 3 ]] || fail "expected 3 PDFs, found ${#PDFS[@]}"
for pdf in "${PDFS[@]}"; do
  head -c 5 "$pdf" | grep -q '%PDF-' || fail "$pdf is not a PDF"
  echo "ok $(basename "$pdf")"
done

step "wheel OK"
