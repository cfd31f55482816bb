#!/usr/bin/env bash
# The main job: set up .venv if needed, then run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh
export TF_CPP_MIN_LOG_LEVEL=2
exec .venv/bin/python scripts/demo.py "$@"
