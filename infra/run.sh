#!/usr/bin/env bash
# The run command: set up the project and start it in embedded mode (SQLite file in ./var, handlers
# in-process, no broker). Extra arguments go to 'weltoffen serve' (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash infra/system-packages.sh  # Pango for the PDF report
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/weltoffen serve "$@"
