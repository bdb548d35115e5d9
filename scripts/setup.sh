#!/usr/bin/env bash
# Create .venv (if needed) and install IxDesk with its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test]"
# Qt needs a few system libraries even offscreen; install them only when they are missing.
qtlib=$(python - <<'PY'
import pathlib, PySide6
libs = sorted(pathlib.Path(PySide6.__file__).parent.glob("Qt/lib/libQt6Gui.so*"))
print(libs[0] if libs else "")
PY
)
if [ -n "$qtlib" ] && command -v ldd >/dev/null && ldd "$qtlib" | grep -q "not found"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing system libraries Qt needs..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 >/dev/null
  else
    echo "warning: Qt is missing system libraries:" >&2
    ldd "$qtlib" | grep "not found" >&2
  fi
fi
