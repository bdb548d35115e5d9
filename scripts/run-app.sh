#!/usr/bin/env bash
# Set up (if needed) and open IxDesk with a bundled example consult (or the file given).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
exec ixdesk "${1:-resources/examples/01-combination-after-anthracycline-and-taxane.json}"
