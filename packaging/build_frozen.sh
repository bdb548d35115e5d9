#!/usr/bin/env bash
# Build the one-folder desktop app with PyInstaller, then smoke-test it headless.
#
#   bash packaging/build_frozen.sh            # build into dist/ixdesk, smoke-test
#   SKIP_BUILD=1 bash packaging/build_frozen.sh   # smoke-test an existing dist/ixdesk only
#
# Works on a fresh Linux machine with python3 (>= 3.11, checked first) and network access to PyPI:
# it makes its own virtual environment (BUILD_DIR/venv-frozen), installs the project's
# dependencies and PyInstaller there, and never touches the developer's venv.  It builds from the
# tracked files only (a clean export in BUILD_DIR/src) and refuses to start if resources/ or
# criteria/ holds anything untracked or uncommitted.  Any failed step stops it with a non-zero
# exit status.
#
# The bundle needs a glibc at least as new as the build host's (it is recorded in
# dist/ixdesk/BUILD-INFO): to run on an older distribution, build on (a container of) the oldest
# one you support.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
PYTHON="${PYTHON:-python3}"
VENV="$BUILD_DIR/venv-frozen"
SRC="$BUILD_DIR/src"
APP="$DIST_DIR/ixdesk"
BIN="$APP/ixdesk"

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
# shellcheck source=packaging/tracked_tree.sh
. "$ROOT/packaging/tracked_tree.sh"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  require_python_311 "$PYTHON" || fail "Python version"
  refuse_unclean_data "$ROOT" || fail "untracked or uncommitted data (listed above)"

  step "virtual environment $VENV"
  mkdir -p "$BUILD_DIR"
  if [[ -x "$VENV/bin/python" ]] && ! require_python_311 "$VENV/bin/python" 2>/dev/null; then
    rm -rf "$VENV"   # made by an older Python: start again
  fi
  if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV" || fail "venv"
  fi
  "$VENV/bin/python" -m pip install --quiet --upgrade pip || fail "pip upgrade"
  # The project's runtime dependencies (read from pyproject.toml) and PyInstaller; the project
  # itself is analysed from the exported tree (pathex in the spec), so no wheel build is needed.
  DEPS_TEXT="$("$VENV/bin/python" -c 'import tomllib,sys; print("\n".join(tomllib.load(open(sys.argv[1],"rb"))["project"]["dependencies"]))' "$ROOT/pyproject.toml")" \
    || fail "could not read the dependencies from pyproject.toml"
  mapfile -t DEPS <<<"$DEPS_TEXT"
  [[ ${#DEPS[@]} -gt 0 && -n "${DEPS[0]}" ]] || fail "pyproject.toml lists no dependencies"
  "$VENV/bin/python" -m pip install --quiet "${DEPS[@]}" "pyinstaller>=6.6" || fail "pip install"

  step "clean export of the tracked files: $SRC"
  export_tracked_tree "$ROOT" "$SRC" || fail "export"

  step "pyinstaller"
  cd "$SRC"
  "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$BUILD_DIR/pyinstaller" \
    packaging/ixdesk.spec || fail "pyinstaller"

  # What the bundle needs from the system: the build host's glibc (and the newest symbol version
  # its binaries actually reference, when readelf is there to tell).
  {
    echo "ixdesk $("$VENV/bin/python" -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' "$SRC/pyproject.toml")"
    echo "build_glibc $(getconf GNU_LIBC_VERSION | awk '{print $2}')"
    if command -v readelf >/dev/null; then
      need="$(find "$APP" -type f \( -name '*.so*' -o -name ixdesk \) -exec readelf -V {} + 2>/dev/null \
              | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1 || true)"
      if [[ -n "$need" ]]; then echo "needs_glibc $need"; fi
    fi
  } > "$APP/BUILD-INFO"
fi

[[ -x "$BIN" ]] || fail "no frozen binary at $BIN"
du -sh "$APP" | awk '{print "bundle size: " $1}'

step "smoke tests (headless)"
export QT_QPA_PLATFORM=offscreen
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"   # outside the repository: the bundle must carry its own data

"$BIN" --version | tee "$WORK/version.txt"
grep -Eq '[0-9]+\.[0-9]+' "$WORK/version.txt" || fail "--version printed no version"

# The examples inside the bundle, not the repository's.
EXAMPLES_DIR="$APP/_internal/ixdesk/_data/resources/examples"
[[ -d "$EXAMPLES_DIR" ]] || EXAMPLES_DIR="$APP/ixdesk/_data/resources/examples"
[[ -d "$EXAMPLES_DIR" ]] || fail "examples not bundled (looked in $APP/_internal/ixdesk/_data/resources/examples)"
[[ -f "$(dirname "$EXAMPLES_DIR")/../criteria/sources.yaml" ]] || fail "criteria not bundled"
# The bundled data must be exactly the tracked criteria/ and resources/.
DATA_ROOT="$(cd "$EXAMPLES_DIR/../.." && pwd)"
(cd "$DATA_ROOT" && find criteria resources -type f -o -type l) > "$WORK/data.txt"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  check_data_is_tracked "$ROOT" "$WORK/data.txt" || fail "the bundle's data differs from the tracked files"
fi
if [[ -f "$APP/BUILD-INFO" ]]; then sed 's/^/build info: /' "$APP/BUILD-INFO"; fi
shopt -s nullglob
EXAMPLES=("$EXAMPLES_DIR"/*.json)
[[ ${#EXAMPLES[@]} -gt 0 ]] || fail "no example consults in $EXAMPLES_DIR"
EXAMPLE="${EXAMPLES[0]}"
echo "example: $EXAMPLE"

"$BIN" assess "$EXAMPLE" > "$WORK/assess.txt" || fail "assess exited $?"
[[ -s "$WORK/assess.txt" ]] || fail "assess printed nothing"
"$BIN" assess --json "$EXAMPLE" > "$WORK/assess.json" || fail "assess --json exited $?"
"$VENV/bin/python" -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/assess.json" 2>/dev/null \
  || python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/assess.json" \
  || fail "assess --json is not JSON"
echo "assess: ok ($(wc -l < "$WORK/assess.txt") lines)"

"$BIN" criteria check --require-reviewed || fail "criteria check failed (the bundled set must be the reviewed one: ixdesk criteria record)"

mkdir -p "$WORK/reports"
"$BIN" report "$EXAMPLE" --kind all -o "$WORK/reports" || fail "report exited $?"
PDFS=("$WORK/reports"/*.pdf)
[[ ${#PDFS[@]} -eq 3 ]] || fail "expected 3 PDFs, got ${#PDFS[@]}: ${PDFS[*]:-none}"
for pdf in "${PDFS[@]}"; do
  head -c 5 "$pdf" | grep -q '%PDF-' || fail "$pdf is not a PDF"
  echo "report: $(basename "$pdf") $(stat -c %s "$pdf") bytes"
done

# The window, headless: open the consult offscreen and save a picture of it (Qt platform plugins,
# fonts and the form all have to be in the bundle for this to work).
timeout 120 "$BIN" screenshot "$EXAMPLE" "$WORK/window.png" || fail "screenshot (window) exited $?"
head -c 8 "$WORK/window.png" | grep -q 'PNG' || fail "window screenshot is not a PNG"
echo "window (screenshot): ok $(stat -c %s "$WORK/window.png") bytes"

# --smoke-test: open the window offscreen, assess, quit with 0.
set +e
SMOKE_OUT="$(timeout 120 "$BIN" --smoke-test "$EXAMPLE" 2>&1)"; SMOKE_RC=$?
set -e
if [[ $SMOKE_RC -eq 0 ]]; then
  echo "window (--smoke-test): ok"
elif grep -q "has no attribute 'smoke_test'" <<<"$SMOKE_OUT" && [[ -z "${REQUIRE_WINDOW_SMOKE:-}" ]]; then
  echo "window (--smoke-test): SKIPPED (not in this version of ixdesk.ui.app)"
else
  printf '%s\n' "$SMOKE_OUT" | tail -20 >&2
  fail "--smoke-test exited $SMOKE_RC"
fi

step "frozen build OK: $APP"
