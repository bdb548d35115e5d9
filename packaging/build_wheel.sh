#!/usr/bin/env bash
# Build the IxDesk wheel from the tracked files only (a clean export of the tree), into dist/.
#
#   bash packaging/build_wheel.sh            # -> dist/ixdesk-<version>-py3-none-any.whl
#   DIST_DIR=/some/dir bash packaging/build_wheel.sh
#
# Refuses to run if resources/ or criteria/ holds anything untracked or uncommitted (a saved
# consult, an editor's swap file): `pip wheel .` straight from the working tree would ship it.
# Prints the wheel's path on its last line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
PYTHON="${PYTHON:-$(command -v python 2>/dev/null || command -v python3)}"
# shellcheck source=packaging/tracked_tree.sh
. "$ROOT/packaging/tracked_tree.sh"

require_python_311 "$PYTHON"
refuse_unclean_data "$ROOT"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/ixdesk-wheel-src.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
export_tracked_tree "$ROOT" "$TMP/src"
mkdir -p "$TMP/out" "$DIST_DIR"
"$PYTHON" -m pip wheel "$TMP/src" --no-deps --quiet -w "$TMP/out"
WHEEL="$(ls "$TMP"/out/ixdesk-*.whl)"

# The data inside the wheel must be exactly the tracked criteria/ and resources/.
"$PYTHON" - "$WHEEL" > "$TMP/data.txt" <<'PY'
import sys, zipfile
prefix = "ixdesk/_data/"
for n in zipfile.ZipFile(sys.argv[1]).namelist():
    if n.startswith(prefix) and not n.endswith("/"):
        print(n[len(prefix):])
PY
check_data_is_tracked "$ROOT" "$TMP/data.txt"

cp "$WHEEL" "$DIST_DIR/"
echo "$DIST_DIR/$(basename "$WHEEL")"
