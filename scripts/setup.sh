#!/usr/bin/env bash
# Create .venv (if needed) and install IxDesk with its test extras. Safe to run again.
#
#   bash scripts/setup.sh          # what the tests need (Qt headless)
#   bash scripts/setup.sh --gui    # also what opening a window needs (the xcb platform plugin)
#
# Qt needs system libraries that PySide6's wheel does not carry. They are checked with ldd on the Qt
# libraries and, with --gui, on the platform plugin itself (packaging/qt_system_libs.py); when root,
# the missing ones are installed with apt-get, otherwise the exact command is printed (and with
# --gui the script fails, since the window could not open).
set -euo pipefail
cd "$(dirname "$0")/.."
GUI=""
[[ "${1:-}" == "--gui" ]] && GUI="--gui"
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: IxDesk needs Python >= 3.11; $PY is $("$PY" -V 2>&1 || echo 'not found'). Set PYTHON=python3.11 (or newer)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test]"
if ! python packaging/qt_system_libs.py --install $GUI; then
  if [[ -n "$GUI" ]]; then
    echo "setup: the window cannot open until these libraries are installed." >&2
    exit 1
  fi
  echo "setup: warning: the tests that use Qt will fail until these libraries are installed." >&2
fi
