#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export QT_QPA_PLATFORM=offscreen
# Static checks first (configured in pyproject.toml); any failure stops the run. IXDESK_SKIP_CHECKS=1
# skips them (e.g. to rerun one test file).
if [[ -z "${IXDESK_SKIP_CHECKS:-}" ]]; then
  echo "checks: ruff, mypy, import contracts" >&2
  ruff check --quiet .
  mypy
  if ! out=$(lint-imports 2>&1); then echo "$out" >&2; exit 1; fi
  echo "$out" | grep -E "^Contracts:" >&2
fi
python -m pytest "$@"
