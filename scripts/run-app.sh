#!/usr/bin/env bash
# Set up (if needed) and open IxDesk with a bundled example consult (or the file given).
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLE=resources/examples/01-combination-after-anthracycline-and-taxane.json
# Without a screen Qt would abort with a plugin message that hides the reason: say it plainly.
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
  cat >&2 <<MSG
run-app: no display (neither \$DISPLAY nor \$WAYLAND_DISPLAY is set), so no window can open here.
  - on a desktop, run this from a terminal inside the desktop session (or ssh -X);
  - on a server, use a virtual screen:  xvfb-run -a bash scripts/run-app.sh   (apt-get install xvfb)
  - or save a picture of the window:    bash scripts/setup.sh && .venv/bin/ixdesk screenshot ${1:-$EXAMPLE} window.png
MSG
  exit 2
fi
bash scripts/setup.sh --gui
. .venv/bin/activate
exec ixdesk "${1:-$EXAMPLE}"
