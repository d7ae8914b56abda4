#!/usr/bin/env bash
# Install Verbatim into ./.venv (CPU-only PyTorch), with optional extras: "test", "bench" or both ("test,bench").
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --upgrade pip
if ! python -c "import torch" >/dev/null 2>&1; then
  # An unpinned torch pulls a multi-gigabyte CUDA build; take the CPU build instead.
  if ls "${PIP_FIND_LINKS:-/opt/wheels}"/torch-2.13.0+cpu-*.whl >/dev/null 2>&1; then
    python -m pip install --quiet torch==2.13.0
  else
    python -m pip install --quiet torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
  fi
fi
if [ -n "${1:-}" ]; then
  python -m pip install --quiet -e ".[$1]"
else
  python -m pip install --quiet -e .
fi
