#!/usr/bin/env bash
# Best effort: makes a Python venv with torch, numpy and safetensors in target/torch-venv (pip
# installs them from the configured package folders) and prints its python. Prints nothing and
# exits 0 when python3 or pip cannot: the PyTorch export test then skips. Used by .ci/run; set
# NRJ_PYTHON to the printed path.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=target/torch-venv
py="$dir/bin/python"
if ! "$py" -c "import torch, numpy, safetensors" > /dev/null 2>&1; then
  command -v python3 > /dev/null || exit 0
  rm -rf "$dir"
  python3 -m venv "$dir" > /dev/null 2>&1 || exit 0
  timeout 600 "$dir/bin/pip" install --quiet --disable-pip-version-check torch numpy safetensors > /dev/null 2>&1 || exit 0
  "$py" -c "import torch, numpy, safetensors" > /dev/null 2>&1 || exit 0
fi
(cd "$dir/bin" && echo "$(pwd)/python")
exit 0
