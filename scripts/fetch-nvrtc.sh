#!/usr/bin/env bash
# Best effort: puts NVRTC (libnvrtc.so.13, from the pip wheel nvidia-cuda-nvrtc) in
# target/nvrtc/lib and prints that directory, so NvrtcCompileTest can compile the shipped kernels
# on a machine without a GPU (NVRTC needs none). Prints nothing and exits 0 when pip cannot get
# the wheel: the test then skips. Used by .ci/run; set NRJ_CUDA_PATH to the printed directory.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=target/nvrtc
if ! ls "$dir"/lib/libnvrtc.so.13 > /dev/null 2>&1; then
  rm -rf "$dir" && mkdir -p "$dir/wheel" "$dir/lib"
  command -v pip > /dev/null || command -v pip3 > /dev/null || exit 0
  pip=$(command -v pip || command -v pip3)
  timeout 120 "$pip" download --quiet --no-deps --only-binary=:all: -d "$dir/wheel" "nvidia-cuda-nvrtc>=13,<14" \
    > /dev/null 2>&1 || exit 0
  wheel=$(ls "$dir"/wheel/*.whl 2>/dev/null | head -1)
  [ -n "$wheel" ] || exit 0
  python3 - "$wheel" "$dir/lib" <<'PY' || exit 0
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if "/lib/" in name and base.startswith("libnvrtc") and ".alt." not in base:
            with z.open(name) as src, open(os.path.join(out, base), "wb") as dst:
                dst.write(src.read())
PY
  rm -rf "$dir/wheel"
fi
[ -e "$dir/lib/libnvrtc.so.13" ] && (cd "$dir/lib" && pwd)
exit 0
